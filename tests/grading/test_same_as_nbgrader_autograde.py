"""`grade` writes what serial `nbgrader autograde` writes.

`grade` runs nbgrader's Autograde converter as two separate stages around a sandboxed
execution (`autograder.patches.autograde_stages`). The same small class is graded once by nbgrader's
own command line, `nbgrader autograde <assignment> --force`, and once by `grade`, in two copies
of one collected course (one student submitted after the due date, with nbgrader's "zero"
late policy); the gradebooks and the autograded notebooks must agree on everything
nbgrader records: each submission's timestamp, score, late penalty and manual-grading flag,
each grade and comment, and each autograded notebook's cells and the errors its test cells
raised.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from conftest import collect_samples, expected_autograded_score, make_course_copy

from autograder.course import Course, ensure_environment_on_path
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from lrchecks.evidence import EVIDENCE_MIME

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"
CLASS = ("s01_solution", "s02_blank", "s04_no_zero_grad", "s07_no_log_scale")
LATE = "s07_no_log_scale"


def gradebook_record(course: Course) -> dict:
    """Everything nbgrader's autograding writes to the gradebook, per student."""
    record = {}
    with course.gradebook() as gradebook:
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            record[submission.student.id] = {
                "timestamp": submission.timestamp,
                "score": submission.score,
                "max_score": submission.max_score,
                "late_penalty": submission.late_submission_penalty,
                "needs_manual_grade": submission.needs_manual_grade,
                "grades": {(nb.name, g.name): (g.auto_score, g.manual_score, g.max_score,
                                               g.needs_manual_grade)
                           for nb in submission.notebooks for g in nb.grades},
                "comments": {(nb.name, c.name): (c.auto_comment, c.manual_comment)
                             for nb in submission.notebooks for c in nb.comments},
            }
    return record


def shown_outputs(cell: nbformat.NotebookNode) -> int:
    """How many outputs a code cell shows: the grader's evidence outputs (which `grade`
    removes) left out, and consecutive pieces of one stream counted once — how a kernel
    splits a cell's printing into stream messages depends on timing (ipykernel flushes its
    stdout on a timer), not on what the cell printed."""
    count, previous_stream = 0, None
    for output in cell.get("outputs", []):
        if EVIDENCE_MIME in output.get("data", {}):
            continue
        stream = output.get("name") if output.get("output_type") == "stream" else None
        if stream is None or stream != previous_stream:
            count += 1
        previous_stream = stream
    return count


def notebook_record(course: Course) -> dict:
    """Each autograded notebook: its cells, and for code cells the errors they raised and the
    outputs they show (`shown_outputs`)."""
    record = {}
    for path in sorted(course.autograded_dir.glob(f"*/{ASSIGNMENT}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        record[str(path.relative_to(course.autograded_dir))] = [
            (cell.cell_type, cell.source, cell.metadata.get("nbgrader"),
             [output.get("ename") for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
             if cell.cell_type == "code" else None,
             shown_outputs(cell) if cell.cell_type == "code" else None)
            for cell in nb.cells
        ]
    return record


@pytest.fixture(scope="module")
def two_graded_copies(tmp_path_factory) -> tuple[Course, Course]:
    """One collected class, copied; the first copy graded by `nbgrader autograde`, the second
    by `grade`."""
    root = tmp_path_factory.mktemp("same") / "nbgrader"
    course = Course(make_course_copy(root))
    release_assignment(course, ASSIGNMENT)
    collect_samples(course, ASSIGNMENT, CLASS, root / "inbox")
    due = datetime.now(UTC) + timedelta(days=1)
    with course.gradebook() as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=due.replace(tzinfo=None))
    (course.submitted_dir / LATE / ASSIGNMENT / "timestamp.txt").write_text(
        (due + timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    with (root / "nbgrader_config.py").open("a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    ours = Course(Path(shutil.copytree(root, root.parent / "ours", symlinks=True)))

    ensure_environment_on_path()
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT,
                    "--force", "--log-level=ERROR"], cwd=course.root, check=True,
                   capture_output=True)
    statuses = grade_assignment(ours, ASSIGNMENT, options=GradingOptions(workers=2, progress=False))
    assert all(status.status == "graded" for status in statuses), statuses
    return course, ours


def test_the_gradebooks_agree(two_graded_copies):
    nbgrader_course, ours = two_graded_copies
    expected = gradebook_record(nbgrader_course)
    assert set(expected) == set(CLASS)
    assert sum(g[0] for g in expected["s01_solution"]["grades"].values() if g[0]) == (
        expected_autograded_score(ASSIGNMENT, "s01_solution"))
    late = expected[LATE]
    assert late["late_penalty"] == late["score"] > 0  # the "zero" policy takes every point
    assert gradebook_record(ours) == expected


def test_the_autograded_notebooks_agree(two_graded_copies):
    nbgrader_course, ours = two_graded_copies
    expected = notebook_record(nbgrader_course)
    assert len(expected) == len(CLASS)
    assert notebook_record(ours) == expected


def test_the_autograded_folders_hold_the_same_files(two_graded_copies):
    nbgrader_course, ours = two_graded_copies

    def files(course: Course) -> set[str]:
        return {str(path.relative_to(course.autograded_dir))
                for path in course.autograded_dir.rglob("*") if path.is_file()}

    assert files(ours) == files(nbgrader_course)


def test_scoring_a_submission_that_was_never_sanitised_fails_and_touches_no_other(
        two_graded_copies, tmp_path):
    from autograder.grade import _score

    _, graded = two_graded_copies
    course = Course(Path(shutil.copytree(graded.root, tmp_path / "course", symlinks=True)))
    before = gradebook_record(course)
    shutil.rmtree(course.autograded_dir / "s02_blank" / ASSIGNMENT)
    status = _score(course, ASSIGNMENT, "s02_blank", 0.0)
    assert status.failed
    # one plain sentence (issue 18: never nbgrader's log line); the cause is in the kept log
    assert status.message.startswith("nbgrader could not process ps01_constant_lr.ipynb")
    log = course.grading_dir / "logs" / ASSIGNMENT / "s02_blank.log"
    assert "was not sanitised" in log.read_text(encoding="utf-8")
    assert gradebook_record(course) == before


def test_scoring_again_validates_each_notebook_once_and_writes_the_same_rows(
        two_graded_copies, tmp_path, monkeypatch):
    """nbconvert's `optimistic_validation`: the scored notebook is validated after the stage's
    last preprocessor, not after each of its seven."""
    from nbconvert.exporters.exporter import Exporter

    from autograder.grade import _score

    _, graded = two_graded_copies
    course = Course(Path(shutil.copytree(graded.root, tmp_path / "course", symlinks=True)))
    before = gradebook_record(course)
    validated = []
    real = Exporter._validate_preprocessor
    monkeypatch.setattr(Exporter, "_validate_preprocessor",
                        lambda self, nb, preprocessor: validated.append(preprocessor)
                        or real(self, nb, preprocessor))
    status = _score(course, ASSIGNMENT, "s01_solution", 0.0)
    assert status.status == "graded"
    assert len(validated) == len(course.notebooks(ASSIGNMENT))
    assert gradebook_record(course) == before
