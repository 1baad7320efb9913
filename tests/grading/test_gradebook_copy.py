"""Moving a course's SQLite gradebook to PostgreSQL with `copy-gradebook` keeps everything.

The course is released into its SQLite gradebook, gets a roster, a submission with a manual
score and a comment, and is copied into a real PostgreSQL server (started on 127.0.0.1 by
`test_postgres_gradebook.postgres_url`). Every row of every table of nbgrader's must arrive
unchanged, nbgrader must read the same scores from the new gradebook, and a second copy into it
is refused.
"""

from __future__ import annotations

import pytest
from conftest import make_course_copy
from sqlalchemy import create_engine, select
from test_postgres_gradebook import postgres_url  # noqa: F401  (the fixture)

from autograder.cli import main
from autograder.course import Course
from autograder.release import release_assignment

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"


def every_row(url: str) -> dict[str, list[dict]]:
    from nbgrader.api import Base

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: sorted((dict(row._mapping) for row in
                                        connection.execute(select(table))), key=repr)
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def test_a_sqlite_gradebook_moves_to_postgresql_whole(postgres_url, tmp_path, capsys):  # noqa: F811
    course = Course(make_course_copy(tmp_path / "course"))
    release_assignment(course, ASSIGNMENT)
    with course.gradebook() as gradebook:
        gradebook.update_or_create_student("alice", first_name="Alice", last_name="Émond",
                                           email="alice@example.org")
        submission = gradebook.add_submission(ASSIGNMENT, "alice")
        grade = next(g for nb in submission.notebooks for g in nb.grades)
        grade.manual_score = 1.5
        comment = next(c for nb in submission.notebooks for c in nb.comments)
        comment.manual_comment = "Good reasoning; say why the lr diverges."
        gradebook.db.commit()
        before_score = gradebook.find_submission(ASSIGNMENT, "alice").score
    source = every_row(course.gradebook_url)
    assert source["grade"] and source["comment"] and source["student"]

    assert main(["--course", str(course.root), "copy-gradebook", postgres_url]) == 0
    assert "copied" in capsys.readouterr().out
    assert every_row(postgres_url) == source
    moved = Course(course.root, db_url=postgres_url)
    with moved.gradebook() as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "alice").score == before_score
        assert gradebook.find_student("alice").last_name == "Émond"
        notebook = gradebook.find_submission(ASSIGNMENT, "alice").notebooks[0]
        assert any(c.manual_comment == "Good reasoning; say why the lr diverges."
                   for c in notebook.comments)

    assert main(["--course", str(course.root), "copy-gradebook", postgres_url]) == 2
    assert "already holds grading data" in capsys.readouterr().err
    assert every_row(postgres_url) == source  # the refused copy changed nothing
