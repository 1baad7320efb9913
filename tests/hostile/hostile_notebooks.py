"""Hostile ps01 submissions, built from the release and the instructor's solution.

A `Submission` describes how one student's folder is made: the solution (as
`autograder.samples.build_notebook` fills it in) with a cell the student added after the setup
cell (`extra`), answer cells replaced (`cells`), any other edit of the notebook (`edit`), the
file's bytes rewritten (`raw`), the notebook saved under another name or not at all (`name`),
and files beside it (`files`). A `blank` submission starts from the untouched release instead
of the solution; `assignment` is ps01 unless given (then give `name` too). Sources may use
placeholders, filled in when the class is written: `@ROOT@` (the course directory), `@REPO@`
(the checkout `lrcore` is installed from), `@MARK@` (a host file that must never appear) and
`@COMM@` (the process name every hostile process takes, so the test can look for any left
behind) — or any other `@KEY@` of the values the test passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.course import Course
from autograder.samples import Sample, build_notebook

__all__ = ["Submission", "write_submission", "NOTEBOOK", "ASSIGNMENT", "NAME_PROCESS",
           "grade_cell", "insert_after"]

ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = ASSIGNMENT
NAME_PROCESS = ("try:\n    with open('/proc/self/comm', 'w') as _comm:\n"
                "        _comm.write('@COMM@')\nexcept OSError:\n    pass\n")
"""Names this process (and every process it forks) @COMM@ — through /proc, not ctypes, which
the judge refuses to follow (`autograder.own_code`) and would cost every function test. In the
sandbox the kernel is not dumpable, so its /proc files are root's and the write is refused: the
name is then only a help for runs without the sandbox's uid, and the survivors are found by that
uid (tests/hostile/test_hostile_corpus.py)."""


@dataclass(frozen=True)
class Submission:
    """How one hostile submission folder is made (see the module docstring)."""

    extra: str = ""
    cells: Mapping[str, str] = field(default_factory=dict)
    edit: Callable[[NotebookNode], None] | None = None
    raw: Callable[[bytes], bytes] | None = None
    name: str | None = f"{NOTEBOOK}.ipynb"
    files: Mapping[str, bytes] = field(default_factory=dict)
    timestamp: bool = True
    blank: bool = False
    assignment: str = ASSIGNMENT


def grade_cell(nb: NotebookNode, grade_id: str) -> int:
    """Index of the cell with this nbgrader grade id."""
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def insert_after(nb: NotebookNode, grade_id: str, source: str) -> None:
    """Add a plain code cell (as a student would) after the cell `grade_id`."""
    nb.cells.insert(grade_cell(nb, grade_id) + 1, nbformat.v4.new_code_cell(source))


def _fill(text: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def write_submission(course: Course, folder: Path, submission: Submission,
                     values: Mapping[str, str]) -> None:
    """Write the submission into `folder` (submitted/<student>/<assignment>/)."""
    folder.mkdir(parents=True, exist_ok=True)
    if submission.timestamp:
        (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    for name, content in submission.files.items():
        (folder / name).write_bytes(content)
    if submission.name is None:
        return
    nb = build_notebook(course, submission.assignment, submission.assignment,
                        Sample("hostile", "", cells=dict(submission.cells),
                               blank=submission.blank))
    if submission.extra:
        insert_after(nb, "setup", submission.extra)
    if submission.edit:
        submission.edit(nb)
    for cell in nb.cells:
        cell.source = _fill(cell.source, values)
    data = nbformat.writes(nb, version=nbformat.NO_CONVERT).encode("utf-8")
    if submission.raw:
        data = submission.raw(data)
    (folder / submission.name).write_bytes(data)
