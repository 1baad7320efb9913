"""Moving a gradebook to another database (SQLite → PostgreSQL): every table, row for row.

nbgrader has no command that moves a gradebook: `nbgrader export` writes grades but nothing
reads them back, and `nbgrader db student/assignment import` restore only the roster and the
assignments — not submissions, grades, manual scores, comments or late penalties. The gradebook
is, however, nothing but the tables of nbgrader's SQLAlchemy models (`nbgrader.api.Base`), so
`copy_gradebook` lets nbgrader create them in the new database (`Gradebook`, which also stamps
its schema version), then copies every row of every table in the order their foreign keys need,
in one transaction, and checks that each table holds as many rows as the source. Row ids are
nbgrader's own strings, so every reference stays valid; the column types convert the values
(SQLite's text dates become PostgreSQL timestamps).

It refuses a target that already holds grading data: merging two gradebooks is not copying
one. The source is only read.
"""

from __future__ import annotations

from typing import Any

__all__ = ["copy_gradebook", "GradebookNotEmpty", "shown_url"]


class GradebookNotEmpty(ValueError):
    """The target database already holds grading data; the message is one sentence."""


def shown_url(url: str) -> str:
    """The database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _row_counts(connection: Any, tables: list[Any]) -> dict[str, int]:
    from sqlalchemy import func, inspect, select

    present = set(inspect(connection).get_table_names())
    return {table.name: (connection.execute(select(func.count()).select_from(table)).scalar_one()
                         if table.name in present else 0)
            for table in tables}


def _require_gradebook(url: str, engine: Any) -> None:
    from pathlib import Path

    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and not (
            parsed.database and Path(parsed.database).is_file()):
        raise ValueError(f"there is no gradebook at {shown_url(url)}")
    with engine.connect() as connection:
        if "assignment" not in inspect(connection).get_table_names():
            raise ValueError(f"{shown_url(url)} holds no nbgrader gradebook")


def copy_gradebook(source_url: str, target_url: str, course_id: str) -> dict[str, int]:
    """Copy the gradebook at `source_url` into the empty database at `target_url`; returns the
    number of rows copied per table. Raises `GradebookNotEmpty` when the target already holds
    anything but the empty tables and course record nbgrader creates."""
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine, delete, insert, select

    if source_url == target_url:
        raise ValueError("the gradebook would be copied onto itself: give another database")
    tables = list(Base.metadata.sorted_tables)  # parents before the rows that refer to them
    source_engine, target_engine = create_engine(source_url), create_engine(target_url)
    try:
        _require_gradebook(source_url, source_engine)
        with target_engine.connect() as target:
            counts = _row_counts(target, tables)
        if any(count for name, count in counts.items() if name != "course"):
            raise GradebookNotEmpty(f"the gradebook at {shown_url(target_url)} already holds "
                                    "grading data; copy into an empty database")
        Gradebook(target_url, course_id).close()  # nbgrader's tables and schema version
        with source_engine.connect() as source, target_engine.begin() as target:
            target.execute(delete(Base.metadata.tables["course"]))  # the one Gradebook made
            for table in tables:
                rows = [dict(row._mapping) for row in source.execute(select(table))]
                if rows:
                    target.execute(insert(table), rows)
            copied, expected = _row_counts(target, tables), _row_counts(source, tables)
            if copied != expected:  # rolls the whole copy back
                raise RuntimeError(f"the copy of the gradebook is incomplete ({copied} rows "
                                   f"instead of {expected}); nothing was kept")
    finally:
        source_engine.dispose()
        target_engine.dispose()
    return copied
