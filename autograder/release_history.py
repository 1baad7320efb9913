"""Which release a submission was made from, and what changed since.

nbgrader writes into every cell a student may not change (locked cells, test cells) and every
graded answer cell the cell's checksum, and a student's notebook keeps the checksums of the
release it was made from. `release` records the checksums of each release it replaces or makes
(`record_release`, in `.grading/releases/<assignment>.json`), so that `grade` can tell a
submission made from an earlier release — its locked cells differ from today's, or it lacks a
graded cell added since — from a student's own changes, and say so plainly
(`older_release_note`) instead of reporting changed or deleted cells. Either way nbgrader grades
the submission with the current release's cells: its `OverwriteCells` puts today's locked and
test cells in, and adds a graded cell the submission lacks.

The checksums are read from the student's file, so a forged one can change this note, never a
score.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

__all__ = ["cell_checksums", "release_checksums", "record_release", "release_history",
           "older_release_note"]

Checksums = dict[str, str]
"""grade id → nbgrader checksum of every locked or graded cell of one notebook."""
HISTORY_FORMAT = 1


def _nbgrader_meta(cell: Any) -> Mapping[str, Any]:
    """The cell's nbgrader metadata ({} if it has none or it is not a mapping)."""
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def cell_checksums(nb: Any, locked_only: bool = False) -> Checksums:
    """The checksums nbgrader recorded in the notebook's locked and graded cells (only the
    locked ones: `locked_only`)."""
    found: Checksums = {}
    for cell in getattr(nb, "cells", []):
        meta = _nbgrader_meta(cell)
        if not (meta.get("locked") or (meta.get("grade") and not locked_only)):
            continue
        grade_id, checksum = meta.get("grade_id"), meta.get("checksum")
        if isinstance(grade_id, str) and isinstance(checksum, str):
            found[grade_id] = checksum
    return found


def release_checksums(course: Any, assignment: str) -> dict[str, Checksums]:
    """notebook → its checksums, for the release in `release/<assignment>/` ({} if none).
    A release file is parsed once per content (`_released_file_checksums`), not once per
    submission graded."""
    found = {}
    for path in sorted((Path(course.release_dir) / assignment).glob("*.ipynb")):
        try:
            checksums = _released_file_checksums(path.read_bytes())
        except OSError:
            continue
        if checksums is not None:
            found[path.stem] = dict(checksums)
    return found


@functools.lru_cache(maxsize=64)
def _released_file_checksums(content: bytes) -> Checksums | None:
    """The checksums of a release file with this content; None for a damaged file (nothing to
    compare with)."""
    try:
        return cell_checksums(nbformat.reads(content.decode("utf-8"), as_version=4))
    except Exception:
        return None


def _history_path(course: Any, assignment: str) -> Path:
    return Path(course.grading_dir) / "releases" / f"{assignment}.json"


def release_history(course: Any, assignment: str) -> list[dict[str, Checksums]]:
    """The assignment's releases `release` has seen, oldest first."""
    path = _history_path(course, assignment)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        return []
    return [entry for entry in data.get("releases", []) if isinstance(entry, dict)]


def record_release(course: Any, assignment: str) -> None:
    """Add the release now in `release/<assignment>/` to the history, unless it is the last
    one recorded (or there is none)."""
    current = release_checksums(course, assignment)
    history = release_history(course, assignment)
    if not current or (history and history[-1] == current):
        return
    path = _history_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": HISTORY_FORMAT, "assignment": assignment, "releases": [*history, current]}
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.replace(temporary, path)


def _intact(cell: Any) -> bool:
    """Whether a cell is as its release made it: its content matches its recorded checksum."""
    from nbgrader.utils import compute_checksum

    try:
        return compute_checksum(cell) == cell.metadata.nbgrader.checksum
    except Exception:  # metadata the student damaged
        return False


def _cells(number: int, kind: str) -> str:
    """`1 locked cell`, `2 graded cells`."""
    return f"{number} {kind} cell" + ("" if number == 1 else "s")


def _notebook_note(nb: Any, notebook: str, current: Checksums,
                   history: Sequence[Mapping[str, Checksums]]) -> str:
    recorded = cell_checksums(nb)
    if not current or recorded == current:
        return ""
    intact = {_nbgrader_meta(cell).get("grade_id") for cell in nb.cells
              if _nbgrader_meta(cell).get("grade_id") in recorded and _intact(cell)}
    locked = set(cell_checksums(nb, locked_only=True))
    from_earlier = any(entry.get(notebook) == recorded for entry in history)
    changed = {grade_id for grade_id in locked & intact & current.keys()
               if recorded[grade_id] != current[grade_id]}
    added = set(current) - set(recorded) if from_earlier else set()
    removed = set(recorded) - set(current) if from_earlier else set()
    if not (changed or added or removed):
        return ""
    since = [f"{_cells(len(found), kind)} {verb}" for found, kind, verb in (
        (changed, "locked", "changed"), (added, "graded", "added"), (removed, "graded or locked",
                                                                      "removed")) if found]
    note = (f"{notebook}.ipynb was made from an earlier release of the assignment "
            f"({', '.join(since)} since) and was graded with the current release's cells")
    tampered = locked - intact - removed
    if tampered:
        were = "was" if len(tampered) == 1 else "were"
        note += (f"; besides, {_cells(len(tampered), 'locked')} had been changed by the "
                 f"student and {were} put back")
    return note


def older_release_note(course: Any, assignment: str, student: str,
                       notebooks: Sequence[str]) -> str:
    """A note for the instructor when the student's submission was made from an earlier release
    of the assignment ("" when it was made from the current one, or nothing says otherwise):
    what changed since, counted, never quoted."""
    current = release_checksums(course, assignment)
    history = release_history(course, assignment)
    folder = Path(course.submitted_dir) / student / assignment
    notes = []
    for notebook in notebooks:
        path = folder / f"{notebook}.ipynb"
        if not path.is_file() or path.is_symlink():
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # unreadable: grading reports it
            continue
        note = _notebook_note(nb, notebook, current.get(notebook, {}), history)
        if note:
            notes.append(note)
    return "; ".join(notes)
