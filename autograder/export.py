"""`export`: the grade table as CSV, for the institution's grade sheet.

Unlike nbgrader's CSV exporter (which writes a missing or failed grading as 0 and does not
quote fields), every row carries a `status`, failed gradings have an empty score, and fields
are written with the `csv` module.
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.course import Course
from autograder.results import grade_rows

__all__ = ["export_csv"]

COLUMNS = ("assignment", "student_id", "status", "score", "max_score", "auto_score", "message")


def export_csv(course: Course, destination: Path, assignments: list[str] | None = None) -> int:
    """Write the grade table to `destination`; returns the number of rows."""
    rows = grade_rows(course, assignments)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in sorted(rows, key=lambda r: (r.assignment, r.student)):
            writer.writerow([
                row.assignment, row.student, row.status,
                "" if row.score is None else f"{row.score:g}",
                "" if row.max_score is None else f"{row.max_score:g}",
                "" if row.auto_score is None else f"{row.auto_score:g}",
                row.message,
            ])
    return len(rows)
