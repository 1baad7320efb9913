"""The grading state (ledger, executed notebooks) is kept per gradebook, named without secrets."""

from __future__ import annotations

from pathlib import Path

from autograder.course import Course
from autograder.grading_state import (
    copy_grading_state,
    executed_dir,
    gradebook_key,
    grading_state_dir,
    label_grading_state,
    url_without_password,
)
from autograder.results import grade_rows
from autograder.status import FAILED, GRADED, GradingStatus, read_all_statuses, write_status

ASSIGNMENT = "ps01_constant_lr"


def test_the_courses_own_gradebook_keeps_its_state_in_dot_grading(course_copy):
    assert grading_state_dir(course_copy) == course_copy.root / ".grading"
    assert executed_dir(course_copy) == course_copy.root / ".grading" / "executed"
    same_file = Course(course_copy.root, db_url=f"sqlite:///{course_copy.root}/./gradebook.db")
    assert grading_state_dir(same_file) == course_copy.root / ".grading"


def test_another_gradebook_has_a_folder_of_its_own_named_without_its_password(course_copy):
    url = "postgresql://grader:hunter2-secret@dbhost:5432/lrlab?sslmode=require&password=qsecret"
    other = Course(course_copy.root, db_url=url)
    folder = grading_state_dir(other)
    assert folder.parent == course_copy.root / ".grading" / "gradebooks"
    assert folder.name.startswith("postgresql-") and "hunter2" not in folder.name
    assert folder == grading_state_dir(Course(course_copy.root, db_url=url.replace(
        "hunter2-secret", "changed-password")))
    assert folder != grading_state_dir(Course(course_copy.root, db_url=url.replace(
        "dbhost", "otherhost")))
    label = (label_grading_state(other) / "gradebook.txt").read_text(encoding="utf-8")
    assert "postgresql://grader@dbhost:5432/lrlab?sslmode=require" in label
    assert "hunter2" not in label and "qsecret" not in label
    assert not (course_copy.root / ".grading" / "gradebook.txt").exists()


def test_a_sqlite_gradebook_inside_the_course_keeps_its_key_when_the_course_moves(tmp_path):
    first, second = tmp_path / "term1" / "course", tmp_path / "moved" / "course"
    assert (gradebook_key(f"sqlite:///{first}/extra.db", first)
            == gradebook_key(f"sqlite:///{second}/extra.db", second))
    assert (gradebook_key(f"sqlite:///{first}/extra.db", first)
            != gradebook_key(f"sqlite:///{first}/other.db", first))
    assert url_without_password("sqlite:////srv/x.db") == "sqlite:////srv/x.db"


def test_a_failure_recorded_for_one_gradebook_is_not_another_gradebooks(course_copy, tmp_path):
    (course_copy.submitted_dir / "alice" / ASSIGNMENT).mkdir(parents=True)
    own = course_copy
    other = Course(course_copy.root, db_url=f"sqlite:///{tmp_path}/other.db")
    write_status(grading_state_dir(own), GradingStatus("alice", ASSIGNMENT, GRADED))
    write_status(grading_state_dir(other), GradingStatus("alice", ASSIGNMENT, FAILED,
                                                         message="the other gradebook's run"))

    assert [s.status for s in read_all_statuses(grading_state_dir(own), ASSIGNMENT)] == [GRADED]
    (row,) = grade_rows(other, [ASSIGNMENT])
    assert row.status == "failed" and row.message == "the other gradebook's run"
    (row,) = grade_rows(own, [ASSIGNMENT])  # graded, but this gradebook has no submission
    assert row.status == "failed" and "the other gradebook" not in row.message


def test_the_ledger_files_stay_inside_the_state_folder(tmp_path: Path):
    write_status(tmp_path / "state", GradingStatus("bob", ASSIGNMENT, GRADED))
    assert (tmp_path / "state" / "status" / ASSIGNMENT / "bob.json").is_file()


def test_a_moved_gradebook_can_take_its_ledger_along(course_copy, tmp_path):
    (course_copy.submitted_dir / "alice" / ASSIGNMENT).mkdir(parents=True)
    write_status(grading_state_dir(course_copy), GradingStatus("alice", ASSIGNMENT, FAILED,
                                                               message="kernel died"))
    moved = Course(course_copy.root, db_url=f"sqlite:///{tmp_path}/moved.db")
    assert grade_rows(moved, [ASSIGNMENT])[0].status == "not graded"
    copy_grading_state(course_copy, moved)
    assert grade_rows(moved, [ASSIGNMENT])[0].message == "kernel died"
