"""A gradebook with a few ps01 submissions, built through nbgrader's own API (no grading run):
for the tests of what the Formgrader, the feedback page and the exports make of grades."""

from __future__ import annotations

import functools
from datetime import datetime

import pytest

from autograder.course import Course
from autograder.grading_state import grading_state_dir
from autograder.status import GradingStatus, write_status

ASSIGNMENT = NOTEBOOK = "ps01_constant_lr"
WRITTEN = "written_constant_lr_limits"
"""The written answer: 2 points, graded by hand."""
TEST = "test_runs"
"""A test cell: 3 points, graded automatically."""
WRITTEN_POINTS, TEST_POINTS = 2.0, 3.0


@pytest.fixture(autouse=True)
def alembic_version_asked_once(monkeypatch):
    """nbgrader asks the `alembic` command for its schema version every time a gradebook
    opens (half a second); these tests open dozens. The answer never changes within a run."""
    import nbgrader.api

    monkeypatch.setattr(nbgrader.api, "get_alembic_version",
                        _cached_alembic_version(nbgrader.api.get_alembic_version))


@functools.cache
def _cached_alembic_version(ask):
    return functools.cache(ask)


def build(course: Course, duedate: datetime | None = None) -> None:
    """ps01 with one written answer and one test cell, in the course's gradebook."""
    with course.gradebook() as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=duedate)
        gradebook.update_or_create_notebook(NOTEBOOK, ASSIGNMENT)
        gradebook.update_or_create_grade_cell(WRITTEN, NOTEBOOK, ASSIGNMENT,
                                              max_score=WRITTEN_POINTS, cell_type="markdown")
        gradebook.update_or_create_solution_cell(WRITTEN, NOTEBOOK, ASSIGNMENT)
        gradebook.update_or_create_grade_cell(TEST, NOTEBOOK, ASSIGNMENT,
                                              max_score=TEST_POINTS, cell_type="code")


def submit(course: Course, student: str, *, test_score: float | None = TEST_POINTS,
           written_score: float | None = None, timestamp: datetime | None = None,
           first_name: str | None = None, last_name: str | None = None,
           email: str | None = None, penalty: float | None = None) -> str:
    """A graded submission of `student` (the written answer graded only if `written_score` is
    given); recorded as graded in the grading ledger. Returns its submission notebook's id."""
    with course.gradebook() as gradebook:
        gradebook.update_or_create_student(student, first_name=first_name,
                                           last_name=last_name, email=email)
        gradebook.update_or_create_submission(ASSIGNMENT, student, timestamp=timestamp)
        test = gradebook.find_grade(TEST, NOTEBOOK, ASSIGNMENT, student)
        test.auto_score, test.needs_manual_grade = test_score, test_score is None
        written = gradebook.find_grade(WRITTEN, NOTEBOOK, ASSIGNMENT, student)
        written.auto_score = None
        written.manual_score = written_score
        written.needs_manual_grade = written_score is None
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        notebook.late_submission_penalty = penalty
        gradebook.db.commit()
        submission_id = notebook.id
    write_status(grading_state_dir(course), GradingStatus(student, ASSIGNMENT, "graded"))
    return submission_id
