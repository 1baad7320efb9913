"""ps01 graded end to end through real nbgrader: the sample class of `autograder.samples.ps01`.

One module-scoped fixture releases the assignment in a throw-away course directory, writes the
sample submissions, collects, grades, writes feedback, exports and reports — the `make demo`
path — and the tests read the results.
"""

from __future__ import annotations

import csv
import html
import re

import pytest
from conftest import make_course_copy

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback import generate_feedback
from autograder.grade import grade_assignment
from autograder.release import release_assignment
from autograder.report import write_report
from autograder.results import grade_rows
from autograder.samples import samples_for, write_inbox
from autograder.samples.ps01 import ALL_TESTS

ASSIGNMENT = "ps01_constant_lr"
SAMPLES = {sample.student: sample for sample in samples_for(ASSIGNMENT)}
pytestmark = pytest.mark.grading


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(make_course_copy(tmp_path_factory.mktemp("ps01") / "course"))
    release_assignment(course, ASSIGNMENT)
    write_inbox(course, ASSIGNMENT, course.root / "inbox")
    collect_submissions(course, ASSIGNMENT, course.root / "inbox")
    statuses = {s.student: s for s in grade_assignment(course, ASSIGNMENT, progress=False)}
    assert not generate_feedback(course, ASSIGNMENT)
    return course, statuses


def grades_of(course, student):
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {grade.name: (grade.auto_score, grade.max_score, grade.cell.cell_type)
                for notebook in submission.notebooks for grade in notebook.grades}


def cell_outputs(course, student) -> dict[str, str]:
    import nbformat

    path = course.autograded_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    texts = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id:
            texts[grade_id] = "\n".join(
                o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))
    return texts


@pytest.mark.parametrize("student", sorted(SAMPLES))
def test_each_sample_loses_exactly_the_points_of_its_mistake(graded, student):
    course, statuses = graded
    assert statuses[student].status == "graded", statuses[student].message
    sample = SAMPLES[student]
    grades = grades_of(course, student)
    autograded = {name for name, (_, _, kind) in grades.items() if kind == "code"}
    assert autograded == ALL_TESTS
    for name in autograded:
        score, max_score, _ = grades[name]
        expected = 0 if name in sample.failing_tests else max_score
        assert score == expected, f"{name}: {score} instead of {expected}"


@pytest.mark.parametrize("student", sorted(s for s in SAMPLES if SAMPLES[s].feedback))
def test_feedback_names_the_mistake(graded, student):
    course, _ = graded
    outputs = cell_outputs(course, student)
    for test, words in SAMPLES[student].feedback.items():
        assert words in outputs[test], f"{test}: {outputs[test]!r}"


def test_solution_and_different_solution_get_every_autograded_point(graded):
    course, statuses = graded
    for student in ("s01_solution", "s09_different_but_right"):
        assert statuses[student].score == 18 and statuses[student].max_score == 20
        assert statuses[student].needs_manual_grade


def test_blank_release_scores_zero_without_crashing(graded):
    _, statuses = graded
    assert statuses["s02_blank"].status == "graded"
    assert statuses["s02_blank"].score == 0


def feedback_text(course, student) -> str:
    page = course.feedback_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("student", sorted(SAMPLES))
def test_feedback_keeps_hidden_tests_and_tracebacks_out(graded, student):
    course, _ = graded
    text = feedback_text(course, student)
    assert "_unseen(" not in text and "hidden=True" not in text
    assert "BEGIN HIDDEN TESTS" not in text
    assert "Traceback (most recent call last)" not in text
    assert "File \"" not in text


def test_feedback_shows_the_diagnosis(graded):
    course, _ = graded
    text = feedback_text(course, "s04_no_zero_grad")
    assert "✗" in text and "zero_grad()" in text


def test_export_and_report(graded, tmp_path):
    course, _ = graded
    destination = tmp_path / "grades.csv"
    assert export_csv(course, destination, [ASSIGNMENT]) == len(SAMPLES)
    with destination.open(encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["s01_solution"]["score"] == "18" and rows["s01_solution"]["max_score"] == "20"
    assert rows["s02_blank"]["status"] == "graded" and rows["s02_blank"]["score"] == "0"
    page = write_report(course, tmp_path / "report", [ASSIGNMENT])
    content = page.read_text(encoding="utf-8")
    assert "test_runs_figure_layout" in content and f"{len(SAMPLES)} submissions" in content
    assert (tmp_path / "report" / f"{ASSIGNMENT}_distribution.png").stat().st_size > 1000


def test_a_broken_notebook_is_reported_failed_not_zero(graded):
    course, _ = graded
    student = "zz_corrupt"
    folder = course.submitted_dir / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_bytes(b"{not json")
    (status,) = grade_assignment(course, ASSIGNMENT, [student], progress=False)
    assert status.status == "failed" and status.score is None
    rows = {row.student: row for row in grade_rows(course, [ASSIGNMENT])}
    assert rows[student].status == "failed" and rows[student].score is None
    assert rows["s01_solution"].score == 18
