"""Every assignment graded end to end through real nbgrader, on its sample class.

For each assignment in `source/`, a throw-away course directory is released, the sample
submissions of `autograder.samples.<psNN>` are written, collected, graded and given feedback —
the `make demo` path — once, and the tests read the results: each sample loses exactly the
points of its `failing_tests`, its feedback says the words it must, and the feedback never
shows hidden tests or tracebacks.
"""

from __future__ import annotations

import csv
import html
import re
from functools import cache

import nbformat
import pytest
from conftest import REPO, autograded_tests, make_course_copy

from autograder.class_report import write_report
from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, grade_assignment, grade_assignments
from autograder.release import release_assignment
from autograder.results import grade_rows
from autograder.samples import samples_for, write_inbox

pytestmark = pytest.mark.grading
ASSIGNMENTS = Course(REPO).assignments()
CASES = [(a, s) for a in ASSIGNMENTS for s in samples_for(a)]
CASE_IDS = [f"{a.split('_')[0]}-{s.student}" for a, s in CASES]


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """`graded_course(assignment)` → (course, {student: GradingStatus}). The whole course —
    every assignment's samples — is graded by one `grade_assignments` call (one pool of two
    workers, as `grade` runs it), the first time any assignment is asked for."""

    @cache
    def grade_all():
        course = Course(make_course_copy(tmp_path_factory.mktemp("course") / "course"))
        for assignment in ASSIGNMENTS:
            release_assignment(course, assignment)
            write_inbox(course, assignment, course.root / "inbox" / assignment)
            report = collect_submissions(course, assignment, course.root / "inbox" / assignment)
            assert not report.skipped
        graded = grade_assignments(course, ASSIGNMENTS,
                                   options=GradingOptions(workers=2, progress=False))
        for assignment in ASSIGNMENTS:
            assert not generate_feedback(course, assignment)
        return course, {assignment: {s.student: s for s in statuses}
                        for assignment, statuses in graded.items()}

    def grade(assignment: str):
        course, statuses = grade_all()
        return course, statuses[assignment]

    return grade


def grades_of(course, assignment, student):
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: grade.auto_score
                for notebook in submission.notebooks for grade in notebook.grades
                if grade.cell.cell_type == "code"}


def cell_outputs(course, assignment, student) -> dict[str, str]:
    texts = {}
    for path in (course.autograded_dir / student / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code" and grade_id:
                texts[grade_id] = "\n".join(
                    o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))
    return texts


def feedback_text(course, assignment, student) -> str:
    pages = sorted((course.feedback_dir / student / assignment).glob("*.html"))
    assert pages, f"no feedback for {student}"
    raw = "".join(page.read_text(encoding="utf-8") for page in pages)
    return html.unescape(re.sub(r"<[^>]+>", " ", raw))


@pytest.mark.parametrize(("assignment", "sample"), CASES, ids=CASE_IDS)
def test_each_sample_loses_exactly_the_points_of_its_mistakes(graded_course, assignment, sample):
    course, statuses = graded_course(assignment)
    status = statuses[sample.student]
    assert status.status == "graded", status.message
    tests = autograded_tests(assignment)
    failing = set(tests) if sample.blank else set(sample.failing_tests)
    assert failing <= set(tests), f"unknown test ids: {failing - set(tests)}"
    scores = grades_of(course, assignment, sample.student)
    assert set(scores) == set(tests)
    wrong = {name: (scores[name], 0.0 if name in failing else points)
             for name, points in tests.items()
             if scores[name] != (0.0 if name in failing else points)}
    assert not wrong, f"(score, expected) per test: {wrong}"
    if not failing:
        assert status.score >= sum(tests.values())


@pytest.mark.parametrize(("assignment", "sample"),
                         [(a, s) for a, s in CASES if s.feedback],
                         ids=[i for i, (_, s) in zip(CASE_IDS, CASES, strict=True) if s.feedback])
def test_feedback_names_the_mistake(graded_course, assignment, sample):
    course, _ = graded_course(assignment)
    outputs = cell_outputs(course, assignment, sample.student)
    page = " ".join(feedback_text(course, assignment, sample.student).split())
    for test, words in sample.feedback.items():
        assert words in outputs[test], f"{test}: {outputs[test]!r}"
        # the page shows a failure wrapped at 76 columns (as Validate does): compare the words
        assert " ".join(words.split()) in page, test


@pytest.mark.parametrize(("assignment", "sample"), CASES, ids=CASE_IDS)
def test_feedback_keeps_hidden_tests_and_tracebacks_out(graded_course, assignment, sample):
    course, _ = graded_course(assignment)
    text = feedback_text(course, assignment, sample.student)
    assert "BEGIN HIDDEN TESTS" not in text
    assert "_unseen(" not in text and "hidden=True" not in text
    assert "Traceback (most recent call last)" not in text
    assert 'File "' not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_export_and_report(graded_course, assignment, tmp_path):
    course, statuses = graded_course(assignment)
    destination = tmp_path / "grades.csv"
    assert export_csv(course, destination, [assignment]) == len(statuses)
    with destination.open(encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    for student, status in statuses.items():
        assert rows[student]["status"] in {"graded", "needs manual grading"}
        assert float(rows[student]["score"]) == status.score
    page = write_report(course, tmp_path / "report", [assignment])
    content = page.read_text(encoding="utf-8")
    assert f"{len(statuses)} submissions" in content
    assert all(test in content for test in autograded_tests(assignment))
    assert (tmp_path / "report" / f"{assignment}_distribution.png").stat().st_size > 1000


def test_a_broken_notebook_is_reported_failed_not_zero(graded_course):
    assignment = ASSIGNMENTS[0]
    course, statuses = graded_course(assignment)
    student = "zz_corrupt"
    notebook = course.notebooks(assignment)[0]
    folder = course.submitted_dir / student / assignment
    folder.mkdir(parents=True)
    (folder / f"{notebook}.ipynb").write_bytes(b"{not json")
    (status,) = grade_assignment(course, assignment, [student],
                                 options=GradingOptions(progress=False))
    assert status.status == "failed" and status.score is None and status.message
    rows = {row.student: row for row in grade_rows(course, [assignment])}
    assert rows[student].status == "failed" and rows[student].score is None
    others = [s for s in statuses if s != student]
    assert all(rows[s].score == statuses[s].score for s in others)
