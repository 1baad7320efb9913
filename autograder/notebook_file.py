"""Reading a submitted notebook file without trusting it, and saying what is wrong with it.

Everything about a submitted file is the student's choice: its size, its bytes, how deeply its
JSON nests, its nbformat, its nbgrader metadata — and whether it is a file at all (a symbolic
link to a classmate's notebook, to `source/` or to `/etc/passwd`; a FIFO that blocks whoever
opens it). `read_submitted_file` opens only regular files, never through a symbolic link, and
refuses one over the size limit before reading it; `notebook_problem` reads the bytes the way
nbgrader will and names the first problem in one sentence built from the grader's own words and
the file's name as the grader wrote it — never from text found in the file.

The limits live in one place, `SubmissionLimits`, a traitlets `Configurable` set in
`nbgrader_config.py` (`c.SubmissionLimits.max_notebook_bytes = 50 * 1024**2`, the default).
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Collection
from typing import Any

from traitlets import Integer, TraitError, validate
from traitlets.config import Configurable

from autograder.sandbox.policy import MiB, format_size

__all__ = ["SubmissionLimits", "RefusedFile", "read_submitted_file", "notebook_problem",
           "json_depth_exceeds"]

_MARKED_FOR_GRADING = ("grade", "solution", "locked", "task")


class SubmissionLimits(Configurable):
    """What a submitted notebook may be (set in `nbgrader_config.py` as
    `c.SubmissionLimits.max_notebook_bytes = 50 * 1024**2`)."""

    max_notebook_bytes = Integer(
        50 * MiB, help="Largest notebook file collect and grade accept, in bytes; a larger one "
        "is refused before it is read (a notebook with its outputs is rarely over 10 MiB).",
    ).tag(config=True)
    max_json_depth = Integer(
        100, help="Deepest nesting of JSON lists and objects accepted in a notebook (a real "
        "notebook has about ten levels; nbgrader's readers recurse on each).",
    ).tag(config=True)
    max_submission_bytes = Integer(
        100 * MiB, help="Largest submission grade sends to a worker to execute — its notebook "
        "and the files handed in with it — in bytes; a larger one is refused before it is read.",
    ).tag(config=True)

    @validate("max_notebook_bytes", "max_json_depth", "max_submission_bytes")
    def _positive(self, proposal: Any) -> int:
        if proposal["value"] <= 0:
            raise TraitError(f"SubmissionLimits.{proposal['trait'].name} must be positive")
        return proposal["value"]

    @classmethod
    def from_config(cls, config: Any) -> SubmissionLimits:
        """The limits in force for a course configuration (`Course.config`)."""
        return cls(config=config)

    def too_large(self, name: str, size: int) -> str:
        """The sentence for a file over the size limit."""
        shown, limit = format_size(size), format_size(self.max_notebook_bytes)
        if shown == limit:  # just over: rounding would show the same size twice
            shown, limit = f"{size:,} bytes", f"{self.max_notebook_bytes:,}-byte"
        return (f"{name} is {shown}, over the {limit} limit for a notebook; ask for it again "
                "with its outputs cleared.")


class RefusedFile(Exception):
    """A file that is not read; the message is one sentence naming it and the reason."""


def read_submitted_file(name: str, limits: SubmissionLimits, *, dir_fd: int | None = None,
                        path: str | os.PathLike[str] | None = None, shown: str = "",
                        identity: tuple[int, int] | None = None) -> bytes:
    """The bytes of a regular file, opened without following a symbolic link (`name` relative
    to `dir_fd`, or `path`); raises `RefusedFile` for a link, a special file, a file over
    `limits.max_notebook_bytes`, or — given `identity` (st_dev, st_ino) — a file other than
    the one found earlier (a folder swapped for a link in between). `shown` is how the
    sentence names the file."""
    shown = shown or os.path.basename(name)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path if path is not None else name, flags, dir_fd=dir_fd)
    except OSError as error:
        if stat.S_ISLNK(_lstat_mode(name, dir_fd, path)):
            raise RefusedFile(f"{shown} is a symbolic link, and links are never followed.") \
                from None
        raise RefusedFile(f"{shown} could not be opened ({error.strerror or 'error'}).") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if identity is not None and (info.st_dev, info.st_ino) != identity:
            raise RefusedFile(f"{shown} was replaced while it was being read.")
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(f"{shown} is not a regular file (a device, pipe or socket).")
        if info.st_size > limits.max_notebook_bytes:
            raise RefusedFile(limits.too_large(shown, info.st_size))
        data = handle.read(limits.max_notebook_bytes + 1)
    if len(data) > limits.max_notebook_bytes:
        raise RefusedFile(limits.too_large(shown, len(data)))
    return data


def _lstat_mode(name: str, dir_fd: int | None, path: str | os.PathLike[str] | None) -> int:
    try:
        return os.lstat(path if path is not None else name, dir_fd=dir_fd).st_mode
    except OSError:
        return 0


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether parsed JSON nests more than `limit` lists and objects deep (iterative: a deep
    value cannot exhaust the stack here)."""
    pending = [(value, 1)]
    children: Collection[Any]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, dict | list))
    return False


def _parse(data: bytes, name: str, limits: SubmissionLimits) -> tuple[Any, str | None]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, (f"{name} is not UTF-8 text (byte {error.start} is not valid); "
                      "ask for the notebook saved again from Jupyter.")
    too_deep = (f"{name} nests its JSON more than {limits.max_json_depth} levels deep, which "
                "no notebook does; it was not read further.")
    try:
        parsed = json.loads(text)
    except RecursionError:  # the decoder's own limit, far beyond max_json_depth
        return None, too_deep
    except json.JSONDecodeError as error:
        return None, (f"{name} is not valid JSON (line {error.lineno}); the file may be cut "
                      "short or edited by hand.")
    if json_depth_exceeds(parsed, limits.max_json_depth):
        return None, too_deep
    return parsed, None


def _cells(nb: dict[str, Any], name: str) -> tuple[list[Any], str | None]:
    version = nb.get("nbformat")
    if type(version) is not int:
        return [], f"{name} is JSON but not a notebook (it has no notebook format number)."
    if version not in (3, 4):
        which = f"notebook format {version}" if 0 <= version < 100 else "an unknown format"
        return [], (f"{name} is saved in {which}, which the grader cannot read; save it again "
                    "from Jupyter (format 4).")
    if version == 4:
        cells = nb.get("cells")
    else:
        sheets = nb.get("worksheets")
        cells = ([cell for sheet in sheets if isinstance(sheet, dict)
                  for cell in (sheet["cells"] if isinstance(sheet.get("cells"), list)
                               else [None])]
                 if isinstance(sheets, list) else None)
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return [], f"{name} is JSON but not a notebook (its cells are missing or malformed)."
    return cells, None


def _nbgrader_metadata(cell: dict[str, Any]) -> dict[str, Any] | None:
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else None


def _grade_id_problem(cells: list[Any], name: str, known_grade_ids: Collection[str]) -> str | None:
    grade_ids: Counter[str] = Counter()
    for cell in cells:
        meta = _nbgrader_metadata(cell)
        if meta is None:
            continue
        grade_id = meta.get("grade_id")
        if grade_id is None or grade_id == "":
            if any(meta.get(flag) for flag in _MARKED_FOR_GRADING):
                return (f"{name} has a cell marked for grading without a grade id (its nbgrader "
                        "metadata was edited); ask for a notebook made from the released one.")
            continue
        grade_ids[str(grade_id)] += 1
    repeated = sorted(grade_id for grade_id, count in grade_ids.items() if count > 1)
    if not repeated:
        return None
    named = [grade_id for grade_id in repeated if grade_id in known_grade_ids]
    which = f"the grade id {', '.join(named)}" if named else "one grade id"
    return f"{name} has several cells with {which} (a copied cell?); keep one and grade it again."


def notebook_problem(data: bytes, name: str, limits: SubmissionLimits,
                     known_grade_ids: Collection[str] = ()) -> str | None:
    """What keeps nbgrader from reading these bytes as the notebook `name`, in one sentence,
    or None. Grade ids are named only when they are among `known_grade_ids` (the
    instructor's); anything else written in the file is never repeated."""
    if len(data) > limits.max_notebook_bytes:
        return limits.too_large(name, len(data))
    nb, problem = _parse(data, name, limits)
    if problem:
        return problem
    if not isinstance(nb, dict):
        return f"{name} is JSON but not a notebook."
    cells, problem = _cells(nb, name)
    return problem or _grade_id_problem(cells, name, known_grade_ids)
