"""Nothing lost: a grading batch killed with SIGKILL at any point and run again gives the same
gradebook as an uninterrupted run; a regrade of one student touches no one else.

The batch is the real command (`python -m autograder grade`, two workers) in a process group of
its own, killed at three points: while preparing the first submissions, after the first student
was scored, and after half the class. Each restart goes on from where the last one stopped;
executions an earlier run finished are reused (their executed notebooks are not written again).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_course_copy

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.samples import write_inbox
from autograder.status import read_all_statuses

pytestmark = [pytest.mark.grading, pytest.mark.slow]
ASSIGNMENT = "ps01_constant_lr"


def prepared_course(root: Path) -> Course:
    course = Course(make_course_copy(root))
    release_assignment(course, ASSIGNMENT)
    write_inbox(course, ASSIGNMENT, root / "inbox")
    collect_submissions(course, ASSIGNMENT, root / "inbox")
    return course


def gradebook(course: Course) -> dict[str, dict[str, float | None]]:
    """Every student's score per grade cell, plus the submission total."""
    with course.gradebook() as book:
        submissions = book.assignment_submissions(ASSIGNMENT)
        ids = [s.student.id for s in submissions]
        assert len(ids) == len(set(ids)), "a submission is in the gradebook twice"
        return {s.student.id: {"total": s.score, **{g.name: g.score for nb in s.notebooks
                                                     for g in nb.grades}}
                for s in submissions}


def ledger(course: Course) -> dict[str, tuple[str, float | None]]:
    return {s.student: (s.status, s.score)
            for s in read_all_statuses(course.grading_dir, ASSIGNMENT)}


def grade_command(course: Course) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "--course", str(course.root), "grade", ASSIGNMENT,
         "--workers", "2", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def kill_when(process: subprocess.Popen, ready, timeout: float = 600) -> bool:
    """SIGKILL the whole batch (workers, sandboxes, kernels) once `ready()`; False if the batch
    ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the batch neither reached the kill point nor ended")


def executed_times(course: Course) -> dict[str, int]:
    folder = course.grading_dir / "executed" / ASSIGNMENT
    return {p.parent.name: p.stat().st_mtime_ns for p in folder.glob("*/*.ipynb")}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    course = prepared_course(tmp_path_factory.mktemp("uninterrupted") / "course")
    statuses = grade_assignment(course, ASSIGNMENT,
                                options=GradingOptions(workers=2, progress=False))
    assert all(s.status == "graded" for s in statuses), [s.message for s in statuses]
    return gradebook(course), ledger(course)


def test_a_batch_killed_three_times_ends_with_the_same_gradebook(uninterrupted, tmp_path):
    expected_book, expected_ledger = uninterrupted
    course = prepared_course(tmp_path / "course")
    students = len(expected_ledger)
    autograded = course.autograded_dir
    kill_points = [
        ("while preparing", lambda: autograded.is_dir() and any(autograded.iterdir())),
        ("after the first student was scored", lambda: len(ledger(course)) >= 1),
        ("after half the class", lambda: len(ledger(course)) >= students // 2 + 1),
    ]
    killed_at = []
    for name, ready in kill_points:
        if kill_when(grade_command(course), ready):
            killed_at.append(name)
    assert len(killed_at) >= 2, f"the batch ended before most kill points: {killed_at}"
    before_resume = executed_times(course)
    assert before_resume, "no execution survived the kills"
    final = grade_command(course)
    assert final.wait(timeout=900) == 0
    assert gradebook(course) == expected_book
    assert ledger(course) == expected_ledger
    after = executed_times(course)
    reused = [s for s, stamp in before_resume.items() if after.get(s) == stamp]
    assert reused, "the resumed run executed every notebook again"


def test_regrading_one_student_touches_no_one_else(uninterrupted, tmp_path):
    expected_book, _ = uninterrupted
    course = prepared_course(tmp_path / "course")
    grade_assignment(course, ASSIGNMENT, options=GradingOptions(workers=2, progress=False))
    student = "s04_no_zero_grad"
    others_before = {s: v for s, v in gradebook(course).items() if s != student}
    ledger_before = {s: v for s, v in ledger(course).items() if s != student}
    times_before = {s: t for s, t in executed_times(course).items() if s != student}
    submitted = course.submitted_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    solution = course.submitted_dir / "s01_solution" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submitted.write_bytes(solution.read_bytes())  # a corrected resubmission
    (status,) = grade_assignment(course, ASSIGNMENT, [student],
                                 options=GradingOptions(progress=False))
    assert status.status == "graded"
    assert status.score == expected_book["s01_solution"]["total"]
    assert {s: v for s, v in gradebook(course).items() if s != student} == others_before
    assert {s: v for s, v in ledger(course).items() if s != student} == ledger_before
    assert {s: t for s, t in executed_times(course).items() if s != student} == times_before
