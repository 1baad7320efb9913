"""`export --format canvas|moodle`: the grades as a learning-management system imports them.

One row per student of the gradebook (the roster, `autograder.roster`, gives names and email
addresses), one column per assignment holding the final score — the gradebook's score minus the
late penalty (`autograder.export.final_score`). A cell stays empty when the submission is
missing, failed, not graded, or still has an answer to grade by hand: both systems leave an
empty cell's grade as it is, so an import never records a provisional number.

The column conventions followed:

- **Canvas** (Gradebook → Import; the layout of Canvas's own gradebook export, as Canvas's
  guides and university help pages describe it, e.g. "Import a CSV file into Carmen Grades",
  Ohio State's Canvas guide): the columns `Student` ("Last, First"), `ID` (Canvas's own user
  id: left empty, the import matches on the next ones), `SIS User ID`, `SIS Login ID`,
  `Section`, then one column per assignment; the row after the header is `Points Possible`.
  A column named only by its title creates a new assignment on import; to fill an existing
  one, rename the column to Canvas's "Title (assignment id)". The nbgrader id is written as
  SIS Login ID (the institution login a JupyterHub account uses) and SIS User ID.
- **Moodle** (Grades → Import → CSV file; MoodleDocs "Grade import"): a header row, an
  identifier column per user field Moodle can map — `ID number` and `Email address` ("Map from"
  Email address to "useremail", or ID number to "useridnumber") — then one column per grade
  item, mapped to a grade item in the import's preview.

Every text cell is neutralised as in the grade table (`autograder.export.inert_cell`: a cell
that starts like a formula gets a leading quote); scores are plain numbers. Files are written
owner-only (`autograder.private_files`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course
from autograder.export import Lateness, final_score, inert_cell, lateness
from autograder.private_files import private_writer
from autograder.results import GradeRow, grade_rows

__all__ = ["LMS_FORMATS", "Student", "canvas_table", "moodle_table", "export_lms",
           "CANVAS_IDENTITY", "MOODLE_IDENTITY"]

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Email address")


@dataclass(frozen=True)
class Student:
    """A student as the gradebook knows them."""

    student_id: str
    first_name: str
    last_name: str
    email: str


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.15g}"


def _students(course: Course, rows: list[GradeRow]) -> list[Student]:
    """Everyone in the gradebook, and anyone with a grade row who is not (sorted by name)."""
    known: dict[str, Student] = {}
    with course.gradebook() as gradebook:
        for student in gradebook.students:
            known[student.id] = Student(student.id, student.first_name or "",
                                        student.last_name or "", student.email or "")
    for row in rows:
        known.setdefault(row.student, Student(row.student, "", "", ""))
    return sorted(known.values(), key=lambda s: (s.last_name.lower(), s.first_name.lower(),
                                                 s.student_id))


def _max_points(course: Course, assignments: list[str]) -> dict[str, float | None]:
    """Each assignment's points (None for one not released into the gradebook yet)."""
    from nbgrader.api import MissingEntry

    points: dict[str, float | None] = {}
    with course.gradebook() as gradebook:
        for assignment in assignments:
            try:
                points[assignment] = float(gradebook.find_assignment(assignment).max_score)
            except MissingEntry:
                points[assignment] = None
    return points


def _scores(rows: list[GradeRow], late: dict[tuple[str, str], Lateness]
            ) -> dict[tuple[str, str], float | None]:
    return {(row.assignment, row.student): final_score(row, late.get((row.assignment,
                                                                        row.student)))
            for row in rows}


def canvas_table(students: list[Student], assignments: list[str],
                 points: dict[str, float | None],
                 scores: dict[tuple[str, str], float | None]) -> list[list[str]]:
    """The rows of a Canvas gradebook import (header, Points Possible, one per student)."""
    table = [list(CANVAS_IDENTITY) + list(assignments),
             ["Points Possible", "", "", "", ""] + [_number(points.get(a)) for a in assignments]]
    for student in students:
        name = ", ".join(part for part in (student.last_name, student.first_name) if part)
        table.append([inert_cell(name or student.student_id), "", inert_cell(student.student_id),
                      inert_cell(student.student_id), ""]
                     + [_number(scores.get((a, student.student_id))) for a in assignments])
    return table


def moodle_table(students: list[Student], assignments: list[str],
                 points: dict[str, float | None],
                 scores: dict[tuple[str, str], float | None]) -> list[list[str]]:
    """The rows of a Moodle CSV grade import (header, one per student)."""
    table = [list(MOODLE_IDENTITY) + list(assignments)]
    for student in students:
        table.append([inert_cell(student.first_name), inert_cell(student.last_name),
                      inert_cell(student.student_id), inert_cell(student.email)]
                     + [_number(scores.get((a, student.student_id))) for a in assignments])
    return table


LMS_FORMATS: dict[str, Callable[..., list[list[str]]]] = {
    "canvas": canvas_table, "moodle": moodle_table,
}


def export_lms(course: Course, destination: Path, lms: str,
               assignments: list[str] | None = None) -> tuple[int, int]:
    """Write the grades for `lms` ("canvas" or "moodle") to `destination` (mode 0600).
    Returns (students written, submissions left empty because they are not graded yet)."""
    if lms not in LMS_FORMATS:
        raise ValueError(f"Unknown export format; choose one of {', '.join(LMS_FORMATS)}.")
    chosen = assignments or course.assignments()
    rows = grade_rows(course, chosen)
    scores = _scores(rows, lateness(course, chosen))
    students = _students(course, rows)
    table = LMS_FORMATS[lms](students, chosen, _max_points(course, chosen), scores)
    with private_writer(destination, newline="") as handle:
        csv.writer(handle).writerows(table)
    pending = sum(1 for row in rows if row.status != "failed" and scores[(row.assignment,
                                                                          row.student)] is None)
    return len(students), pending
