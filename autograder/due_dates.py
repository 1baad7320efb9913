"""`due`: an assignment's due date, from the command line into nbgrader's gradebook.

nbgrader keeps one due date per assignment in its gradebook (`Assignment.duedate`, a UTC time
without a zone). The Formgrader shows it (in `NbGraderAPI.timezone`, UTC unless configured);
autograding compares each submission's timestamp with it, and the late-submission plugin
configured in `nbgrader_config.py` (`AssignLatePenalties.plugin_class`) decides the penalty.

A due date is written as a date, a time and a time zone — `2027-02-01 17:00 Europe/Berlin`,
`2027-02-01T17:00+01:00`, `2027-02-01 16:00 UTC` — and a time without a zone is refused:
"17:00" on a server in another zone would silently be another hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.course import Course

__all__ = ["parse_due_date", "set_due_date", "due_date", "describe_due_date"]

_FORMAT_HELP = ('write it as "YYYY-MM-DD HH:MM ZONE", e.g. "2027-02-01 17:00 Europe/Berlin" '
                'or "2027-02-01 16:00 UTC"')
_LOCAL = re.compile(r"\s*(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*(.*?)\s*")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")


def _zone(text: str) -> timezone | ZoneInfo:
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    offset = _OFFSET.fullmatch(text)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(offset.group(2)),
                                         minutes=int(offset.group(3))))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("The time zone of the due date is not one this machine knows; "
                         "use a name such as Europe/Berlin or America/New_York, UTC, or an "
                         "offset such as +01:00.") from error


def parse_due_date(text: str) -> datetime:
    """The due date as nbgrader stores it: UTC, without a zone.

    >>> parse_due_date("2027-02-01 17:00 Europe/Berlin")
    datetime.datetime(2027, 2, 1, 16, 0)
    >>> parse_due_date("2027-07-01T17:00+02:00")
    datetime.datetime(2027, 7, 1, 15, 0)
    """
    match = _LOCAL.fullmatch(text)
    if not match:
        raise ValueError(f"The due date is not a date and time; {_FORMAT_HELP}.")
    day, clock, zone_text = match.groups()
    if not zone_text:
        raise ValueError(f"The due date has no time zone; {_FORMAT_HELP}.")
    hour, minutes = clock.split(":", 1)
    try:
        local = datetime.fromisoformat(f"{day}T{int(hour):02d}:{minutes}")
    except ValueError as error:
        raise ValueError(f"The due date is not a valid date and time; {_FORMAT_HELP}.") \
            from error
    return local.replace(tzinfo=_zone(zone_text)).astimezone(UTC).replace(tzinfo=None)


def describe_due_date(duedate: datetime | None) -> str:
    """A stored due date for a person to read."""
    return "no due date" if duedate is None else duedate.strftime("%Y-%m-%d %H:%M UTC")


def due_date(course: Course, assignment: str) -> datetime | None:
    """The assignment's due date in the gradebook (UTC), or None."""
    from nbgrader.api import MissingEntry

    course.notebooks(assignment)  # an unknown assignment fails with a sentence
    with course.gradebook() as gradebook:
        try:
            return gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            return None


def set_due_date(course: Course, assignment: str, duedate: datetime | None) -> None:
    """Store (or, with None, remove) the assignment's due date in the gradebook; creates the
    gradebook's assignment if it was not released yet."""
    course.notebooks(assignment)  # an unknown assignment fails with a sentence
    with course.gradebook() as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=duedate)
