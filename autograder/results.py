"""Reading grades back: one row per (assignment, student), and per-test pass rates.

Scores come from nbgrader's gradebook; whether grading failed comes from that gradebook's
ledger (`autograder.status`, kept per gradebook by `autograder.grading_state`), so a course
graded into two gradebooks reports each with its own outcomes. A student whose grading failed
has status "failed" and no score (the message says why); a graded one keeps grading's note
for the instructor, if any (e.g. a submission made from an earlier release); a student who was
collected (a folder in `submitted/`) but has no ledger entry — grading never reached them, or
was interrupted — has status "not graded" and no score, never a 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.course import Course
from autograder.grading_state import grading_state_dir
from autograder.status import read_all_statuses

__all__ = ["GradeRow", "PassRate", "grade_rows", "pass_rates_per_test", "format_grade_table",
           "NOT_GRADED"]

NOT_GRADED = "not graded"


@dataclass(frozen=True)
class GradeRow:
    assignment: str
    student: str
    status: str  # graded | needs manual grading | failed | not graded
    score: float | None
    max_score: float | None
    auto_score: float | None
    message: str = ""


@dataclass(frozen=True)
class PassRate:
    assignment: str
    test: str
    points: float
    passed: int
    graded: int

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def _unrecorded_row(assignment: str, student: str) -> GradeRow:
    """A submitted folder the ledger has no outcome for: not graded yet — or, when its name is
    no student id (a folder put in `submitted/` by hand), refused, which grading never records
    (a ledger entry is a file named by the id)."""
    from autograder.submission_problems import describe_refused_folder

    refused = describe_refused_folder(student)
    if refused:
        return GradeRow(assignment, student, "failed", None, None, None, refused)
    return GradeRow(assignment, student, NOT_GRADED, None, None, None,
                    "collected but not graded yet; run `grade` again")


def grade_rows(course: Course, assignments: list[str] | None = None) -> list[GradeRow]:
    """One row per collected or recorded (assignment, student): every grading outcome of the
    ledger, with scores from the gradebook, and every collected submission without one."""
    from nbgrader.api import MissingEntry

    rows: list[GradeRow] = []
    with course.gradebook() as gradebook:
        for assignment in assignments or course.assignments():
            statuses = read_all_statuses(grading_state_dir(course), assignment)
            recorded = {status.student for status in statuses}
            rows.extend(
                _unrecorded_row(assignment, student)
                for student in course.submitted_students(assignment) if student not in recorded
            )
            for status in statuses:
                if status.failed:
                    rows.append(GradeRow(assignment, status.student, "failed", None, None, None,
                                         status.message))
                    continue
                try:
                    submission = gradebook.find_submission(assignment, status.student)
                except MissingEntry:
                    rows.append(GradeRow(assignment, status.student, "failed", None, None, None,
                                         "graded, but the gradebook has no submission"))
                    continue
                auto = sum(
                    grade.auto_score or 0.0
                    for notebook in submission.notebooks for grade in notebook.grades
                    if grade.auto_score is not None
                )
                label = "needs manual grading" if submission.needs_manual_grade else "graded"
                rows.append(GradeRow(assignment, status.student, label, float(submission.score),
                                     float(submission.max_score), float(auto), status.message))
    return rows


def pass_rates_per_test(course: Course, assignments: list[str] | None = None) -> list[PassRate]:
    """For every autograded test cell: how many graded submissions got its full points."""
    rates: list[PassRate] = []
    with course.gradebook() as gradebook:
        for assignment in assignments or course.assignments():
            graded_students = {s.student for s in read_all_statuses(grading_state_dir(course),
                                                                    assignment)
                               if not s.failed}
            counts: dict[str, list[float]] = {}
            for submission in gradebook.assignment_submissions(assignment):
                if submission.student.id not in graded_students:
                    continue
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell.cell_type != "code" or grade.auto_score is None:
                            continue
                        entry = counts.setdefault(grade.name, [grade.max_score, 0, 0])
                        entry[1] += grade.auto_score >= grade.max_score
                        entry[2] += 1
            rates.extend(PassRate(assignment, name, points, int(ok), int(total))
                         for name, (points, ok, total) in sorted(counts.items()))
    return rates


def format_grade_table(rows: list[GradeRow]) -> str:
    """A plain-text table for the terminal, its columns as wide as their longest entry."""
    ordered = sorted(rows, key=lambda r: (r.assignment, r.student))
    width_a = max([len("assignment"), *(len(r.assignment) for r in ordered)])
    width_s = max([len("student"), *(len(r.student) for r in ordered)])
    header = f"{'assignment':<{width_a}}  {'student':<{width_s}}  {'auto':>5}  {'score':>9}  status"
    lines = [header, "-" * len(header)]
    for row in ordered:
        start = f"{row.assignment:<{width_a}}  {row.student:<{width_s}}  "
        if row.status == "failed":
            lines.append(f"{start}{'—':>5}  {'—':>9}  FAILED: {row.message[:60]}")
            continue
        if row.score is None:
            lines.append(f"{start}{'—':>5}  {'—':>9}  {row.status}")
            continue
        score = f"{row.score:g} / {row.max_score:g}"
        lines.append(f"{start}{row.auto_score:>5g}  {score:>9}  {row.status}")
    return "\n".join(lines)
