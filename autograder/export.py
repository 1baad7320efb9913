"""`export`: the grade table as CSV, for the institution's grade sheet.

Unlike nbgrader's CSV exporter (which writes a missing or failed grading as 0 and does not
quote fields), every row carries a `status`, a failed or not yet graded submission has an empty
score, and fields are written with the `csv` module.

A spreadsheet opening the file runs any cell that starts like a formula (`=`, `+`, `-`, `@`, a
tab or a carriage return): `=HYPERLINK(…)` or `=cmd|…` as a student id would act on the
instructor's machine. Text cells starting so get a leading `'` (the OWASP rule for CSV
injection); the score columns are numbers written by this module and stay plain numbers, a
negative one included.

Each row also says whether the submission was late against the assignment's due date (`late`:
yes / no, empty without a due date or a submission time; `hours_late`; `late_penalty`, what
the late-submission plugin of `nbgrader_config.py` takes off `score` — the LMS exports
subtract it). The file
is readable by its owner only (`autograder.private_files`). `python -m autograder export
--format canvas|moodle` writes the same grades as an LMS imports them (`autograder.lms_export`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course
from autograder.private_files import private_writer
from autograder.results import GradeRow, grade_rows

__all__ = ["export_csv", "csv_record", "inert_cell", "COLUMNS", "LATE_COLUMNS", "Lateness",
           "lateness", "final_score"]

COLUMNS = ("assignment", "student_id", "status", "score", "max_score", "auto_score", "message")
LATE_COLUMNS = ("late", "hours_late", "late_penalty")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates.

    >>> inert_cell("=1+2"), inert_cell("-alice"), inert_cell("alice")
    ("'=1+2", "'-alice", 'alice')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float | None) -> str:
    """A score as a plain number (`17`, `17.5`, `-2`), empty when there is none."""
    return "" if value is None else f"{value:.15g}"


def csv_record(row: GradeRow) -> list[str]:
    """The CSV fields of one row, in `COLUMNS` order."""
    return [
        inert_cell(row.assignment), inert_cell(row.student), inert_cell(row.status),
        _number(row.score), _number(row.max_score), _number(row.auto_score),
        inert_cell(row.message),
    ]


@dataclass(frozen=True)
class Lateness:
    """A submission against its due date (the assignment's, plus any extension)."""

    known: bool  # a due date and a submission time exist
    seconds_late: float
    penalty: float

    @property
    def late(self) -> bool:
        return self.seconds_late > 0


def lateness(course: Course, assignments: list[str]) -> dict[tuple[str, str], Lateness]:
    """{(assignment, student): Lateness} for every submission in the gradebook."""
    found = {}
    with course.gradebook() as gradebook:
        for assignment in assignments:
            for submission in gradebook.assignment_submissions(assignment):
                known = submission.timestamp is not None and submission.duedate is not None
                found[(assignment, submission.student.id)] = Lateness(
                    known, float(submission.total_seconds_late),
                    float(submission.late_submission_penalty or 0.0))
    return found


def final_score(row: GradeRow, late: Lateness | None) -> float | None:
    """The score a grade sheet records: the gradebook's minus the late penalty; None until the
    submission is graded completely (failed, not graded, or an answer still to grade)."""
    if row.status != "graded" or row.score is None:
        return None
    return row.score - (late.penalty if late else 0.0)


def late_record(late: Lateness | None) -> list[str]:
    """The `LATE_COLUMNS` fields of one row."""
    if late is None or not late.known:
        return ["", "", _number(late.penalty) if late and late.penalty else ""]
    return ["yes" if late.late else "no", _number(round(late.seconds_late / 3600, 2)),
            _number(late.penalty)]


def export_csv(course: Course, destination: Path, assignments: list[str] | None = None) -> int:
    """Write the grade table to `destination` (mode 0600); returns the number of rows."""
    chosen = assignments or course.assignments()
    rows = grade_rows(course, chosen)
    late = lateness(course, chosen)
    with private_writer(destination, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS + LATE_COLUMNS)
        for row in sorted(rows, key=lambda r: (r.assignment, r.student)):
            writer.writerow(csv_record(row) + late_record(late.get((row.assignment,
                                                                      row.student))))
    return len(rows)
