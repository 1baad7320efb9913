"""Building a sample student's notebook from the release and the instructor's solution."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course import Course

__all__ = ["Sample", "solution_code", "build_notebook", "samples_for", "write_inbox", "changed",
           "solution", "blank", "mistake", "written_differently", "NOT_WRITTEN_YET"]

_SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Sample:
    """One sample student.

    `cells` replaces the answer cells named by grade_id (after the solution is filled in,
    unless `blank`); `failing_tests` are the grade ids that must lose all their points (a blank
    sample fails every autograded test); `feedback` maps a grade id to words its output and
    feedback page must contain.
    """

    student: str
    description: str
    cells: dict[str, str] = field(default_factory=dict)
    blank: bool = False
    failing_tests: frozenset[str] = frozenset()
    feedback: dict[str, str] = field(default_factory=dict)


NOT_WRITTEN_YET = "you have not written this function yet"
"""What the feedback of a blank notebook's first test says."""


def solution(written: dict[str, str]) -> Sample:
    """The instructor's solution, with the written answers `written` (answer cell → text)."""
    return Sample("s01_solution", "the instructor's solution", cells=written)


def blank(first_test: str, words: str = NOT_WRITTEN_YET) -> Sample:
    """The release, untouched: every autograded test fails; `first_test`'s feedback says
    `words`."""
    return Sample("s02_blank", "the release, untouched", blank=True,
                  feedback={first_test: words})


def written_differently(student: str, cells: dict[str, str]) -> Sample:
    """A correct solution that shares no code with the instructor's (`cells`: every answer)."""
    return Sample(student, "correct, written differently", cells=cells)


def mistake(student: str, description: str, cells: dict[str, str], feedback: dict[str, str],
            also_failing: tuple[str, ...] = ()) -> Sample:
    """A realistic mistake: `cells` replace the solution's answer cells; the tests of `feedback`
    lose all their points and their feedback contains its words, as do the tests
    `also_failing` (whose words are not checked)."""
    return Sample(student, description, cells=cells,
                  failing_tests=frozenset({*feedback, *also_failing}), feedback=feedback)


def changed(code: str, old: str, new: str) -> str:
    """`code` with its one occurrence of `old` replaced by `new`: a sample's mistake written as
    the one change it makes to correct code (a ValueError if `old` is not there exactly once)."""
    if code.count(old) != 1:
        raise ValueError(f"the change's old text stands {code.count(old)} times in the code")
    return code.replace(old, new)


def solution_code(source: str) -> str:
    """A solution cell's source without the nbgrader solution markers."""
    return "\n".join(
        line for line in source.splitlines() if line.strip() not in _SOLUTION_MARKERS
    )


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def build_notebook(course: Course, assignment: str, notebook: str, sample: Sample):
    """The release notebook with the sample's answers written in."""
    released = nbformat.read(course.release_dir / assignment / f"{notebook}.ipynb", as_version=4)
    source = nbformat.read(course.source_dir / assignment / f"{notebook}.ipynb", as_version=4)
    solutions = {
        _grade_id(cell): solution_code(cell.source)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in released.cells:
        grade_id = _grade_id(cell)
        if grade_id is None:
            continue
        if grade_id in sample.cells:
            cell.source = sample.cells[grade_id]
        elif not sample.blank and grade_id in solutions:
            cell.source = solutions[grade_id]
    return released


def samples_for(assignment: str) -> list[Sample]:
    """The sample students of an assignment (`autograder.samples.<psNN>.SAMPLES`)."""
    module = importlib.import_module(f"autograder.samples.{assignment.split('_')[0]}")
    return list(module.SAMPLES)


def write_inbox(course: Course, assignment: str, inbox: Path) -> list[Sample]:
    """Write every sample as `<inbox>/<student>/<notebook>.ipynb`, like a downloaded class."""
    samples = samples_for(assignment)
    for sample in samples:
        folder = inbox / sample.student
        folder.mkdir(parents=True, exist_ok=True)
        for notebook in course.notebooks(assignment):
            nbformat.write(build_notebook(course, assignment, notebook, sample),
                           folder / f"{notebook}.ipynb")
    return samples
