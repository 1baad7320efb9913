"""`roster import`: the class list into nbgrader's gradebook, so the Formgrader shows names.

A roster is a CSV file with one student per row — id, first name, last name, email — as an
institution's systems export it: with a header row naming those columns in any order (`id` /
`student_id` / `username`, `first_name` / `first name` / `given name`, `last_name` /
`last name` / `surname` / `family name`, `email` / `email address`; other columns are ignored),
or without one, in that order. Each row adds the student to the gradebook or updates the
names and email of one already there (nbgrader's `update_or_create_student`); students the
roster does not list are left as they are.

Ids are the names of the students' folders, JupyterHub accounts and exchange submissions, so
they are checked with `autograder.student_ids.validate_student_id` and never rewritten (a
changed id would silently be another student). A row with a problem — a refused id, a name
with control characters or over 100 characters, an email that is not an address, an id that
two rows give — is refused with one sentence naming its row number (never the text it holds);
every other row is imported. The roster holds personal data: the file is made readable by its
owner only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Course
from autograder.private_files import make_private
from autograder.student_ids import validate_student_id

__all__ = ["RosterEntry", "Roster", "read_roster", "parse_roster", "import_roster",
           "RosterImport", "MAX_ROSTER_BYTES", "MAX_NAME_LENGTH"]

MAX_ROSTER_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 100
_HEADERS = {
    "id": ("id", "student_id", "student id", "studentid", "username", "user", "login"),
    "first_name": ("first_name", "first name", "firstname", "given name", "given_name"),
    "last_name": ("last_name", "last name", "lastname", "surname", "family name",
                  "family_name"),
    "email": ("email", "e-mail", "email address", "email_address", "mail"),
}
_ORDER = ("id", "first_name", "last_name", "email")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster."""

    student_id: str
    first_name: str | None
    last_name: str | None
    email: str | None


@dataclass
class Roster:
    """The students a roster lists, and one sentence per row it refused."""

    entries: list[RosterEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _normal_header(cell: str) -> str:
    return re.sub(r"[\s_]+", " ", cell.strip().lower()).replace("e mail", "e-mail")


def _columns(header: list[str]) -> dict[str, int] | None:
    """{field: column index} when `header` is a header row naming the id column, else None."""
    names = [_normal_header(cell) for cell in header]
    found = {}
    for name, spellings in _HEADERS.items():
        wanted = {_normal_header(s) for s in spellings}
        for index, cell in enumerate(names):
            if cell in wanted:
                found[name] = index
                break
    return found if "id" in found else None


def _name_problem(value: str, what: str) -> str | None:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        return f"the {what} contains control characters"
    if len(value) > MAX_NAME_LENGTH:
        return f"the {what} is longer than {MAX_NAME_LENGTH} characters"
    return None


def _entry(row: list[str], columns: dict[str, int]) -> tuple[RosterEntry | None, str | None]:
    values = {name: (row[index].strip() if index < len(row) else "")
              for name, index in columns.items()}
    problem = validate_student_id(values.get("id", ""))
    if problem:
        return None, f"the id is refused: {problem}"
    for name, what in (("first_name", "first name"), ("last_name", "last name")):
        values[name] = unicodedata.normalize("NFC", values.get(name, ""))
        problem = _name_problem(values[name], what)
        if problem:
            return None, problem
    email = values.get("email", "")
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        return None, "the email is not an email address (name@host.domain)"
    return RosterEntry(values["id"], values["first_name"] or None, values["last_name"] or None,
                       email or None), None


def parse_roster(text: str) -> Roster:
    """The roster in a CSV text (see the module's docstring)."""
    rows = list(csv.reader(io.StringIO(text)))
    roster = Roster()
    if not rows:
        return roster
    columns = _columns(rows[0])
    first_row = 2 if columns else 1
    if columns is None:
        columns = dict(zip(_ORDER, range(len(_ORDER)), strict=True))
    body = rows[first_row - 1:]
    candidates: dict[str, list[tuple[int, RosterEntry]]] = {}
    for number, row in enumerate(body, start=first_row):
        if not any(cell.strip() for cell in row):
            continue
        entry, problem = _entry(row, columns)
        if problem:
            roster.problems.append(f"row {number} refused: {problem}.")
        elif entry is not None:  # an entry comes without a problem
            candidates.setdefault(entry.student_id, []).append((number, entry))
    for rows_of_id in candidates.values():
        if len(rows_of_id) > 1:
            numbers = ", ".join(str(number) for number, _ in rows_of_id)
            roster.problems.append(f"rows {numbers} refused: they give the same id; keep one.")
            continue
        roster.entries.append(rows_of_id[0][1])
    return roster


def read_roster(path: Path) -> Roster:
    """The roster in a CSV file (UTF-8, a spreadsheet's byte-order mark allowed)."""
    if not path.is_file():
        raise FileNotFoundError(f"There is no roster file at {path}.")
    if path.stat().st_size > MAX_ROSTER_BYTES:
        raise ValueError(f"The roster {path.name} is larger than "
                         f"{MAX_ROSTER_BYTES // (1024 * 1024)} MiB; is it the right file?")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"The roster {path.name} is not UTF-8 text; save it as CSV UTF-8 "
                         "from the spreadsheet.") from error
    try:
        return parse_roster(text)
    except csv.Error as error:
        raise ValueError(f"The roster {path.name} is not a CSV file the csv module can read; "
                         "save it as CSV from the spreadsheet.") from error


@dataclass
class RosterImport:
    """What `import_roster` did."""

    added: int
    updated: int
    problems: list[str]
    made_private: bool


def import_roster(course: Course, path: Path) -> RosterImport:
    """Add or update every student the roster lists in the course's gradebook; make the file
    readable by its owner only."""
    roster = read_roster(path)
    made_private = make_private(path)
    added = updated = 0
    if roster.entries:
        from nbgrader.api import MissingEntry

        with course.gradebook() as gradebook:
            for entry in roster.entries:
                try:
                    gradebook.find_student(entry.student_id)
                    updated += 1
                except MissingEntry:
                    added += 1
                gradebook.update_or_create_student(entry.student_id,
                                                   first_name=entry.first_name,
                                                   last_name=entry.last_name,
                                                   email=entry.email)
    return RosterImport(added, updated, roster.problems, made_private)
