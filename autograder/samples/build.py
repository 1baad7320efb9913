"""Building a sample student's notebook from the release and the instructor's solution."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course import Course

__all__ = ["Sample", "solution_code", "build_notebook", "samples_for", "write_inbox"]

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
