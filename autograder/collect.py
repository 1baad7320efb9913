"""`collect`: bring a folder or zip of submitted notebooks into nbgrader's layout.

Accepted shapes (what LMS downloads and shared drives usually look like):

- `<inbox>/<student>/<anything>.ipynb` — one folder per student;
- `<inbox>/<student>.ipynb` or `<inbox>/<student>_<notebook>.ipynb` — flat files;
- the same inside a `.zip`.

Each notebook lands in `submitted/<student>/<assignment>/<notebook>.ipynb` with a
`timestamp.txt` (nbgrader's record of when it was submitted: the newest file's modification
time, or the time of collection for a zip). For a one-notebook assignment the file is renamed to
the assignment's notebook name.

What the students named is not trusted:

- a symbolic link is never followed — in a folder or in a zip (a link to a classmate's notebook,
  into `source/` or to `/etc/passwd` is listed, not read); nor are special files, entries with
  `..` or an absolute path, `__MACOSX` and `.ipynb_checkpoints` files, or files over the size
  limit (`autograder.notebook_file.SubmissionLimits`, refused before they are read);
- a student id is made from the folder or file name by `normalise_student_id` (ASCII letters,
  digits, `_`, `-`, `.`): every name it changed is reported, and the mapping is kept in
  `.grading/ids/<assignment>.json`; two names that give one id are both listed, and neither
  is collected.

Nothing is ever silently dropped: every file not collected is listed with the reason. Broken
notebooks are collected with a warning; `grade` reports them as failed, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from autograder.course import Course
from autograder.notebook_file import (
    RefusedFile,
    SubmissionLimits,
    notebook_problem,
    read_submitted_file,
)
from autograder.student_ids import normalise_student_id

__all__ = ["CollectReport", "collect_submissions", "ids_file", "printable_name"]

_SHOWN_LENGTH = 160


def printable_name(name: str) -> str:
    """A name found in an inbox, safe to print on a terminal: control and format characters
    (escape sequences, bidi overrides, newlines) are shown as `\\xNN`/`\\uNNNN`, long names cut."""
    shown = "".join(
        ch if ch == " " or unicodedata.category(ch)[0] not in "CZ"
        else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in name)
    return shown if len(shown) <= _SHOWN_LENGTH else shown[:_SHOWN_LENGTH - 1] + "…"


@dataclass
class CollectReport:
    """What `collect_submissions` did. Names are inbox paths as `printable_name` shows them."""

    ids_file: Path  # where the mapping of every collected id is kept
    collected: list[tuple[str, str]] = field(default_factory=list)  # (student, path)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, warning)
    renamed: dict[str, str] = field(default_factory=dict)  # student id → name it was made from


@dataclass
class _Entry:
    """One file found in the inbox, not read yet."""

    parts: tuple[str, ...]  # its path inside the inbox
    read: Callable[[], bytes]  # its bytes (raises RefusedFile)
    mtime: float | None  # None: stamp the time of collection

    @property
    def shown(self) -> str:
        return printable_name("/".join(self.parts))


def ids_file(course: Course, assignment: str) -> Path:
    """Where collect keeps the student ids it gave, each with the name it was made from."""
    return course.grading_dir / "ids" / f"{assignment}.json"


def _not_a_submission(parts: tuple[str, ...]) -> str | None:
    """Why a (regular) file is not collected, or None."""
    if "__MACOSX" in parts:
        return "macOS metadata (__MACOSX), not a submission."
    if ".ipynb_checkpoints" in parts:
        return "a Jupyter autosave checkpoint (.ipynb_checkpoints), not the submitted notebook."
    if not parts[-1].endswith(".ipynb"):
        return "not a .ipynb notebook."
    return None


def _folder_entries(root: Path, limits: SubmissionLimits,
                    skipped: list[tuple[str, str]]) -> Iterator[_Entry]:
    """Every regular file under `root`, found without following a link (links and special
    files go to `skipped`)."""
    for current, directories, files, directory_fd in os.fwalk(root, follow_symlinks=False):
        here = PurePosixPath(current).relative_to(PurePosixPath(root)).parts
        for name in sorted(directories + files):
            shown = printable_name("/".join((*here, name)))
            try:
                info = os.stat(name, dir_fd=directory_fd, follow_symlinks=False)
            except OSError as error:  # gone or unreadable since the folder was listed
                skipped.append((shown, f"could not be read ({error.strerror or 'error'})."))
                continue
            if stat.S_ISLNK(info.st_mode):
                skipped.append((shown, "a symbolic link; links are never followed."))
            elif stat.S_ISREG(info.st_mode):
                yield _Entry((*here, name), _folder_reader(Path(current) / name, info, limits,
                                                          shown), info.st_mtime)
            elif not stat.S_ISDIR(info.st_mode):
                skipped.append((shown, "not a regular file (a device, pipe or socket)."))
        directories[:] = sorted(d for d in directories if not os.path.islink(
            os.path.join(current, d)))


def _folder_reader(path: Path, found: os.stat_result, limits: SubmissionLimits,
                   shown: str) -> Callable[[], bytes]:
    def read() -> bytes:
        return read_submitted_file(path.name, limits, path=path, shown=shown,
                                   identity=(found.st_dev, found.st_ino))
    return read


def _zip_entries(archive: zipfile.ZipFile, limits: SubmissionLimits,
                 skipped: list[tuple[str, str]]) -> Iterator[_Entry]:
    """Every regular file of the zip whose path stays inside it (the others go to `skipped`);
    nothing is extracted to disk."""
    for member in archive.infolist():
        if member.is_dir():
            continue
        name = member.filename
        shown = printable_name(name)
        parts = tuple(p for p in name.replace("\\", "/").split("/") if p not in ("", "."))
        kind = stat.S_IFMT(member.external_attr >> 16)
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            skipped.append((shown, "an absolute path inside the zip; it was not extracted."))
        elif ".." in parts:
            skipped.append((shown, "a path that climbs out of the zip's folder (..); it was not "
                            "extracted."))
        elif kind == stat.S_IFLNK:
            skipped.append((shown, "a symbolic link; links are never followed."))
        elif kind not in (0, stat.S_IFREG):
            skipped.append((shown, "not a regular file (a device, pipe or socket)."))
        elif parts:
            yield _Entry(parts, _zip_reader(archive, member, limits, shown), None)


def _zip_reader(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: SubmissionLimits,
                shown: str) -> Callable[[], bytes]:
    def read() -> bytes:
        if member.file_size > limits.max_notebook_bytes:
            raise RefusedFile(limits.too_large(shown, member.file_size))
        try:
            with archive.open(member) as handle:
                data = handle.read(limits.max_notebook_bytes + 1)
        except (RuntimeError, NotImplementedError, EOFError, OSError, ValueError,
                zipfile.BadZipFile, zlib.error):
            raise RefusedFile(f"{shown} could not be read from the zip (damaged, encrypted or "
                              "compressed in an unknown way).") from None
        if len(data) > limits.max_notebook_bytes:
            raise RefusedFile(limits.too_large(shown, len(data)))
        return data
    return read


def _name_and_notebook(parts: tuple[str, ...], notebooks: list[str]) -> tuple[str, str | None]:
    """(the name the student id is made from, notebook name or None) of an inbox path."""
    stem = parts[-1].removesuffix(".ipynb")
    if len(parts) >= 2:
        return parts[0], stem if stem in notebooks else None
    for notebook in notebooks:
        if stem.endswith("_" + notebook) and len(stem) > len(notebook) + 1:
            return stem[: -len(notebook) - 1], notebook
    return stem, None


def _read_mapping(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _write_mapping(path: Path, mapping: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(mapping.items())), handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


def collect_submissions(course: Course, assignment: str, inbox: Path) -> CollectReport:
    """Copy every student's notebook from `inbox` (a folder or a .zip) into `submitted/`."""
    notebooks = course.notebooks(assignment)
    limits = SubmissionLimits.from_config(course.config)
    report = CollectReport(ids_file=ids_file(course, assignment))
    inbox = Path(inbox)
    if inbox.is_file() and zipfile.is_zipfile(inbox):
        try:
            archive = zipfile.ZipFile(inbox)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ValueError(f"{inbox} is a damaged zip file; download it again.") from None
        with archive:
            _collect(course, assignment, notebooks, limits,
                     list(_zip_entries(archive, limits, report.skipped)), report)
    elif inbox.is_dir():
        _collect(course, assignment, notebooks, limits,
                 list(_folder_entries(inbox.resolve(), limits, report.skipped)), report)
    else:
        raise FileNotFoundError(f"{inbox} is neither a folder nor a zip file.")
    return report


def _collect(course: Course, assignment: str, notebooks: list[str], limits: SubmissionLimits,
             entries: list[_Entry], report: CollectReport) -> None:
    per_student: dict[str, list[tuple[_Entry, str, str | None]]] = {}
    for entry in entries:
        reason = _not_a_submission(entry.parts)
        if reason:
            report.skipped.append((entry.shown, reason))
            continue
        name, notebook = _name_and_notebook(entry.parts, notebooks)
        student = normalise_student_id(name, assignment)
        per_student.setdefault(student, []).append((entry, unicodedata.normalize("NFC", name),
                                                    notebook))
    mapping = _read_mapping(report.ids_file)
    for student, found in sorted(per_student.items()):
        names = sorted({name for _, name, _ in found})
        if len(names) > 1:
            for entry, _, _ in found:
                report.skipped.append((entry.shown, (
                    f"{len(names)} different names give the student id {student}; rename them "
                    "and collect again (nothing was collected for that id).")))
            continue
        (name,) = names
        if _place(course, assignment, notebooks, limits, student, found, report):
            if name != student:
                report.renamed[student] = name
                report.warnings.append((printable_name(name), (
                    f"not usable as a student id as it is; collected as {student}.")))
            if mapping.get(student, name) != name:
                report.warnings.append((printable_name(name), (
                    f"replaces the submission of {student} collected earlier from another name.")))
            mapping[student] = name
    if mapping:
        _write_mapping(report.ids_file, mapping)


def _place(course: Course, assignment: str, notebooks: list[str], limits: SubmissionLimits,
           student: str, found: list[tuple[_Entry, str, str | None]],
           report: CollectReport) -> bool:
    """Write one student's notebooks into submitted/ (replacing an earlier collection) once all
    of them were read; returns whether anything was collected."""
    if len(notebooks) == 1 and len(found) > 1:
        for entry, _, _ in found:
            report.skipped.append((entry.shown, (
                f"{student} handed in {len(found)} notebooks; keep one and collect again.")))
        return False
    contents: list[tuple[_Entry, str, bytes]] = []
    for entry, _, notebook in found:
        target = notebooks[0] if len(notebooks) == 1 else notebook
        if target is None:
            report.skipped.append((entry.shown, "not one of the assignment's notebooks ("
                                   + ", ".join(f"{n}.ipynb" for n in notebooks) + ")."))
            continue
        try:
            contents.append((entry, target, entry.read()))
        except RefusedFile as refused:
            report.skipped.append((entry.shown, str(refused)))
    folder = course.submitted_dir / student / assignment
    if contents and (folder.is_symlink() or folder.parent.is_symlink()):
        for entry, _, _ in contents:
            report.skipped.append((entry.shown, f"submitted/{student} is a symbolic link, which "
                                   "collect never replaces; remove it and collect again."))
        return False
    if not contents:
        return False
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for entry, target, data in contents:
        destination = folder / f"{target}.ipynb"
        destination.write_bytes(data)
        problem = notebook_problem(data, destination.name, limits)
        if problem:
            report.warnings.append((entry.shown, f"{problem} Grading will report it."))
        report.collected.append((student, str(destination.relative_to(course.root))))
    times = [entry.mtime for entry, _, _ in contents if entry.mtime is not None]
    stamp = datetime.fromtimestamp(max(times), UTC) if times else datetime.now(UTC)
    (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    return True
