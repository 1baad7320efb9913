"""Plain sentences from nbgrader's log: why a run failed, and which cells it put back.

nbgrader's own last words on a failed submission are "[WARNING] Removing failed assignment:
/abs/path" or "Please see the above traceback"; the cause is an exception somewhere in the log,
and its message may quote the student's cell (`nbgrader cell does not have a grade_id: <source>`).
`explain_nbgrader_failure` reads only which exception was raised — its class and the start of
nbgrader's own message — and answers with a sentence of its own from `FAILURES`, naming the
notebook by the name the grader gave it; nothing else of the log is ever repeated. A student
who writes text that looks like an exception into a cell can at most pick another of these
sentences.

When the sanitising stage restores a submission — a locked cell edited, a test cell deleted,
a cell given a grade id the gradebook does not know — nbgrader only logs a warning and grades
the restored notebook; `describe_restored_cells` turns those warnings into a note for the
instructor.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FAILURES", "Failure", "explain_nbgrader_failure", "UNEXPLAINED",
           "describe_restored_cells", "released_checksums", "keep_log"]

_EXCEPTION_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*(?:Error|Exception|Entry)):"
                             r"\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Failure:
    """An nbgrader failure: the exception class names that raise it, the beginning of the
    message (empty: any), and what the grader says instead (`{notebook}` is filled in)."""

    exceptions: tuple[str, ...]
    message_starts: tuple[str, ...]
    sentence: str

    def matches(self, exception: str, message: str) -> bool:
        return exception in self.exceptions and (
            not self.message_starts or message.startswith(self.message_starts))


_EDITED_METADATA = ("the nbgrader metadata of a cell in {notebook} is damaged (edited by hand?); "
                    "ask for a notebook made from the released one.")
_NO_GRADE_ID = ("{notebook} has a cell marked for grading without a grade id (its nbgrader "
                "metadata was edited); ask for a notebook made from the released one.")

FAILURES = (
    Failure(("RecursionError",), (), "{notebook} nests its JSON too deeply for nbgrader to read "
            "it; it was not graded."),
    Failure(("NBFormatError",), ("Unsupported nbformat",), "{notebook} is saved in a notebook "
            "format nbgrader cannot read; save it again from Jupyter (format 4)."),
    Failure(("NotJSONError", "JSONDecodeError"), (), "{notebook} is not valid JSON; the file "
            "may be cut short or edited by hand."),
    Failure(("UnicodeDecodeError",), (), "{notebook} is not UTF-8 text; ask for the notebook "
            "saved again from Jupyter."),
    Failure(("KeyError",), ("'grade_id'",), _NO_GRADE_ID),
    Failure(("ValidationError",), ("nbgrader cell does not have a grade_id", "grade_id is empty"),
            _NO_GRADE_ID),
    Failure(("ValidationError",), ("Duplicate grade id",), "{notebook} has several cells with "
            "one grade id (a copied cell?); keep one and grade it again."),
    Failure(("ValidationError", "SchemaTooOldError", "SchemaTooNewError"), (), _EDITED_METADATA),
    Failure(("NbGraderException",), ("One or more notebooks in the assignment use an",),
            _EDITED_METADATA),
    Failure(("ValueError",), ("partial credit cannot be greater than maximum points",),
            "a test cell of {notebook} showed a score above its points, which only a changed "
            "check can do; nbgrader refuses to score it, so look at the notebook and grade it "
            "by hand."),
    Failure(("ReplayError",), (), "the executed copy of {notebook} is missing or belongs to "
            "another version of the submission; grade this student again with --fresh."),
    Failure(("RuntimeError",), ("Inconsistent checksums for cell",), "a locked cell of "
            "{notebook} could not be restored from the gradebook; release the assignment again "
            "and grade this student again."),
    Failure(("NbGraderException",), ("No notebooks were matched",),
            "no notebook of the assignment was submitted."),
    Failure(("NbGraderException",), ("There was an error accessing the nbgrader database",),
            "the gradebook could not be read or written (see `nbgrader db upgrade`); grade "
            "this student again once it is fixed."),
    Failure(("OperationalError", "DatabaseError", "IntegrityError"), (),
            "the gradebook could not be read or written; grade this student again once it "
            "is fixed."),
    Failure(("NbGraderException",), ("no sanitised notebook", ), "the submission was not "
            "prepared for scoring; grade this student again."),
)
"""Known failures, most specific first."""

UNEXPLAINED = ("nbgrader could not process {notebook} and gave no reason the grader can repeat; "
               "its log is kept for the instructor in .grading/logs/.")


def _notebook_label(notebooks: Sequence[str]) -> str:
    return f"{notebooks[0]}.ipynb" if len(notebooks) == 1 else "a notebook of the assignment"


def keep_log(result: dict, path: Path) -> None:
    """Write a failed run's log and traceback to `path` (under `.grading/logs/`), for the
    instructor who wants more than the sentence; it may quote the student's cells, so it goes
    to no page and no export."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{result.get('log') or ''}\n{result.get('error') or ''}", encoding="utf-8")


def explain_nbgrader_failure(result: dict, notebooks: Sequence[str] = ()) -> str:
    """The sentence for a failed nbgrader run (`capture_log`'s result: `error`, `log`) on a
    submission of an assignment with these notebooks."""
    text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
    raised = [(match.group(1), match.group(2).strip()) for match in _EXCEPTION_LINE.finditer(text)]
    label = _notebook_label(notebooks)
    for failure in FAILURES:
        if any(failure.matches(exception, message) for exception, message in raised):
            return failure.sentence.format(notebook=label)
    return UNEXPLAINED.format(notebook=label)


_CHANGED = re.compile(r"^\[WARNING\] Attribute '(\w+)' for cell (\S+) has changed! "
                      r"\(should be: .*, got: (\w*)\)$", re.MULTILINE)
_ADDED = re.compile(r"^\[WARNING\] Missing grade cell (\S+) encountered, adding to notebook",
                    re.MULTILINE)
_UNKNOWN = re.compile(r"^\[WARNING\] Cell '.*' does not exist in the database$", re.MULTILINE)


def released_checksums(release_dir: Path, assignment: str) -> dict[str, str]:
    """grade id → checksum of the cell as released (nbgrader records it in the release).

    The gradebook's checksum of a test cell with hidden tests is the checksum of the cell *with*
    them, so nbgrader warns that every such cell "has changed" in every honest submission;
    only a checksum that differs from the released cell's is a change the student made."""
    found = {}
    for path in sorted((Path(release_dir) / assignment).glob("*.ipynb")):
        found.update(_checksums_in(str(path), path.stat().st_mtime_ns))
    return found


@functools.lru_cache(maxsize=32)
def _checksums_in(path: str, _mtime_ns: int) -> dict[str, str]:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") and meta.get("checksum"):
            found[str(meta["grade_id"])] = str(meta["checksum"])
    return found


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


def describe_restored_cells(log: str, notebooks: Sequence[str] = (),
                            released: Mapping[str, str] | None = None) -> str:
    """A note on what nbgrader's sanitising stage put back in a submission (from its log), or
    "" when it changed nothing the student did. `released` (`released_checksums`) tells a cell
    the student changed from one nbgrader restores in every submission (hidden tests). Counts
    only: the cells' names and contents are not repeated."""
    released = released or {}
    changed = {cell for attribute, cell, got in _CHANGED.findall(log)
               if attribute != "checksum" or released.get(cell) != got}
    added = set(_ADDED.findall(log))
    unknown = len(_UNKNOWN.findall(log))
    parts = []
    if changed:
        parts.append(f"{_cells(len(changed))} the student may not change had been changed")
    if added:
        parts.append(f"{_cells(len(added))} with tests had been deleted")
    if unknown:
        parts.append(f"{_cells(unknown)} carried a grade id the gradebook does not know "
                     "(ignored)")
    if not parts:
        return ""
    return (f"in {_notebook_label(notebooks)}, " + " and ".join(parts)
            + "; nbgrader put the released cells back before grading")
