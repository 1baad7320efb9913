"""`export`: the grade table as CSV, for the institution's grade sheet.

Unlike nbgrader's CSV exporter (which writes a missing or failed grading as 0 and does not
quote fields), every row carries a `status`, a failed or not yet graded submission has an empty
score, and fields are written with the `csv` module.

A spreadsheet opening the file runs any cell that starts like a formula (`=`, `+`, `-`, `@`, a
tab or a carriage return): `=HYPERLINK(…)` or `=cmd|…` as a student id would act on the
instructor's machine. Text cells starting so get a leading `'` (the OWASP rule for CSV
injection); the score columns are numbers written by this module and stay plain numbers, a
negative one included.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.course import Course
from autograder.results import GradeRow, grade_rows

__all__ = ["export_csv", "csv_record", "inert_cell", "COLUMNS"]

COLUMNS = ("assignment", "student_id", "status", "score", "max_score", "auto_score", "message")
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


def export_csv(course: Course, destination: Path, assignments: list[str] | None = None) -> int:
    """Write the grade table to `destination`; returns the number of rows."""
    rows = grade_rows(course, assignments)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in sorted(rows, key=lambda r: (r.assignment, r.student)):
            writer.writerow(csv_record(row))
    return len(rows)
