"""`collect`: bring a folder or zip of submitted notebooks into nbgrader's layout.

Accepted shapes (what LMS downloads and shared drives usually look like):

- `<inbox>/<student>/<anything>.ipynb` — one folder per student;
- `<inbox>/<student>.ipynb` or `<inbox>/<student>_<notebook>.ipynb` — flat files;
- the same inside a `.zip`.

Each notebook lands in `submitted/<student>/<assignment>/<notebook>.ipynb` with a
`timestamp.txt` (nbgrader's record of when it was submitted). For a one-notebook assignment the
file is renamed to the assignment's notebook name. Nothing is ever silently dropped: every file
not collected is listed with the reason.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder.course import Course

__all__ = ["CollectReport", "collect_submissions", "valid_student_id"]

_FORBIDDEN = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


def valid_student_id(student: str) -> bool:
    """Any letters (unicode included), digits, `.-_@+`; no path tricks, not hidden."""
    return bool(student) and not student.startswith(".") and not _FORBIDDEN.search(student) \
        and len(student) <= 128 and student.strip() == student


@dataclass
class CollectReport:
    collected: list[tuple[str, str]] = field(default_factory=list)  # (student, path)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, warning)


def _student_and_notebook(relative: Path, notebooks: list[str]) -> tuple[str, str | None]:
    """(student, notebook name or None) from a path inside the inbox."""
    if len(relative.parts) >= 2:
        return relative.parts[0], relative.stem if relative.stem in notebooks else None
    stem = relative.stem
    for notebook in notebooks:
        if stem.endswith("_" + notebook):
            return stem[: -len(notebook) - 1], notebook
    return stem, None


def _check_notebook(path: Path) -> str | None:
    """A warning when the file is not a readable notebook (it is still collected)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"not valid JSON/UTF-8 ({error.__class__.__name__}); grading will report it"
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        return "not an nbformat 4 notebook; grading will report it"
    return None


def collect_submissions(course: Course, assignment: str, inbox: Path) -> CollectReport:
    """Copy every student's notebook from `inbox` (a folder or a .zip) into `submitted/`."""
    notebooks = course.notebooks(assignment)
    report = CollectReport()
    inbox = Path(inbox)
    with tempfile.TemporaryDirectory() as scratch:
        if inbox.is_file() and zipfile.is_zipfile(inbox):
            with zipfile.ZipFile(inbox) as archive:
                for member in archive.infolist():
                    name = Path(member.filename)
                    if member.is_dir() or name.is_absolute() or ".." in name.parts:
                        continue
                    archive.extract(member, scratch)
            root = Path(scratch)
        elif inbox.is_dir():
            root = inbox
        else:
            raise FileNotFoundError(f"{inbox} is neither a folder nor a zip file.")
        files = sorted(p for p in root.rglob("*") if p.is_file()
                       and "__MACOSX" not in p.parts and ".ipynb_checkpoints" not in p.parts)
        per_student: dict[str, list[tuple[Path, str | None]]] = {}
        for path in files:
            relative = path.relative_to(root)
            if path.suffix != ".ipynb":
                report.skipped.append((str(relative), "not a .ipynb notebook"))
                continue
            student, notebook = _student_and_notebook(relative, notebooks)
            student = unicodedata.normalize("NFC", student)
            if not valid_student_id(student):
                report.skipped.append((str(relative), f"{student!r} is not a usable student id"))
                continue
            per_student.setdefault(student, []).append((path, notebook))
        for student, entries in sorted(per_student.items()):
            _place(course, assignment, notebooks, student, entries, root, report)
    return report


def _place(
    course: Course,
    assignment: str,
    notebooks: list[str],
    student: str,
    entries: list[tuple[Path, str | None]],
    root: Path,
    report: CollectReport,
) -> None:
    if len(notebooks) == 1 and len(entries) > 1:
        names = ", ".join(str(p.relative_to(root)) for p, _ in entries)
        for path, _ in entries:
            report.skipped.append((str(path.relative_to(root)),
                                   f"{student} handed in several notebooks ({names}); keep one"))
        return
    target = course.submitted_dir / student / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path, notebook in entries:
        name = notebooks[0] if len(notebooks) == 1 else notebook
        if name is None:
            report.skipped.append((str(path.relative_to(root)),
                                   f"not one of the assignment's notebooks: {notebooks}"))
            continue
        destination = target / f"{name}.ipynb"
        shutil.copyfile(path, destination)
        warning = _check_notebook(destination)
        if warning:
            report.warnings.append((str(path.relative_to(root)), warning))
        report.collected.append((student, str(destination.relative_to(course.root))))
    stamp = datetime.fromtimestamp(max(p.stat().st_mtime for p, _ in entries), UTC)
    (target / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
