"""`grade`: autograde submitted notebooks with nbgrader, one student at a time.

Each student is graded by nbgrader's own `Autograde` converter (through `NbGraderAPI`), which
restores locked and hidden-test cells from the gradebook, runs the notebook in a fresh kernel
and stores the scores. A student whose grading fails is recorded as failed (see
`autograder.status`) and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from autograder.course import Course
from autograder.progress import ProgressBar
from autograder.status import FAILED, GRADED, GradingStatus, write_status

__all__ = ["grade_submission", "grade_assignment"]


def _failure_reason(result: dict) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line and not line.startswith(("File ", "Traceback", "^")):
            return line.removeprefix("[ERROR] ")[:300]
    return "nbgrader reported an error without a message"


KERNEL_START_FAILURES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond",
    "Address already in use",
    "Timeout waiting for kernel_info reply",
)
"""Failures of the grading machinery, not of the submission: these are retried."""
START_ATTEMPTS = 3


def _autograde_once(course: Course, assignment: str, student: str) -> dict:
    try:
        return course.api.autograde(assignment, student, force=True, create=True)
    except Exception as error:  # nbgrader itself crashed: record it, keep the batch going
        return {"success": False, "error": f"{type(error).__name__}: {error}"}


def grade_submission(course: Course, assignment: str, student: str) -> GradingStatus:
    """Autograde one student's submission and record the outcome in the ledger.

    A kernel that fails to start (a busy machine, a port taken between choosing and binding it)
    is retried; any other failure is recorded as failed with nbgrader's reason.
    """
    started = time.perf_counter()
    for _attempt in range(START_ATTEMPTS):
        result = _autograde_once(course, assignment, student)
        text = (result.get("error") or "") + (result.get("log") or "")
        if result.get("success") or not any(sign in text for sign in KERNEL_START_FAILURES):
            break
    seconds = time.perf_counter() - started
    if not result.get("success"):
        status = GradingStatus(student, assignment, FAILED, seconds=seconds,
                               message=_failure_reason(result))
    else:
        with course.gradebook() as gradebook:
            submission = gradebook.find_submission(assignment, student)
            status = GradingStatus(
                student, assignment, GRADED,
                score=float(submission.score), max_score=float(submission.max_score),
                needs_manual_grade=bool(submission.needs_manual_grade), seconds=seconds,
            )
    write_status(course.autograded_dir, status)
    return status


def grade_assignment(
    course: Course, assignment: str, students: Iterable[str] | None = None, progress: bool = True
) -> list[GradingStatus]:
    """Grade every submitted student (or the given ones) of an assignment."""
    chosen = list(students) if students is not None else course.submitted_students(assignment)
    results: list[GradingStatus] = []
    if not progress:
        return [grade_submission(course, assignment, student) for student in chosen]
    with ProgressBar(len(chosen), f"grading {assignment}") as bar:
        for student in chosen:
            results.append(grade_submission(course, assignment, student))
            bar.advance(student)
    return results
