"""Exports, feedback pages and rosters are readable by their owner only: files 0600, folders
0700 (issue 20, item 3) — and nbgrader's exchange still hands each feedback page to its
student."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from autograder.private_feedback import (
    RELEASED_FEEDBACK_MODE,
    OwnerOnlyFeedbackFolders,
    ReleaseFeedbackToStudents,
)
from autograder.private_files import make_private, private_folder, private_writer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755
    yield
    os.umask(previous)


def test_a_private_file_is_0600_in_new_0700_folders_whatever_the_umask(tmp_path, open_umask):
    target = tmp_path / "new" / "deeper" / "grades.csv"
    with private_writer(target) as handle:
        handle.write("student,score\n")
    assert target.read_text() == "student,score\n"
    assert (mode(target), mode(target.parent), mode(target.parent.parent)) == (0o600, 0o700,
                                                                               0o700)
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    private_folder(existing / "mine")
    assert (mode(existing), mode(existing / "mine")) == (0o755, 0o700)


def test_a_replaced_file_is_never_readable_by_others_in_between(tmp_path, open_umask):
    target = tmp_path / "grades.csv"
    target.write_text("old")
    os.chmod(target, 0o644)
    with private_writer(target) as handle:
        (temporary,) = [p for p in tmp_path.iterdir() if p.name.startswith(".grades.csv.")]
        assert mode(temporary) == 0o600
        handle.write("new")
    assert (target.read_text(), mode(target)) == ("new", 0o600)


def test_make_private_takes_group_and_other_bits_off(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("ada")
    os.chmod(roster, 0o664)
    assert make_private(roster) and mode(roster) == 0o600
    assert not make_private(roster)


def test_feedback_folders_are_made_0700_before_the_page_is_written(course_copy, open_umask):
    root = course_copy.root / "feedback"
    (root / "ada" / "ps01_constant_lr").mkdir(parents=True)  # nbgrader made it, 0755
    (root / "ada" / "ps01_constant_lr" / "timestamp.txt").write_text("2027")
    preprocessor = OwnerOnlyFeedbackFolders(config=course_copy.config)
    resources = {"nbgrader": {"student": "ada", "assignment": "ps01_constant_lr"}}
    preprocessor.preprocess(None, resources)
    assert [mode(p) for p in (root, root / "ada", root / "ada" / "ps01_constant_lr")] == [
        0o700] * 3
    preprocessor.preprocess(None, {"nbgrader": {"student": "bob", "assignment": "ps02"}})
    assert mode(root / "bob") == mode(root / "bob" / "ps02") == 0o700


def test_the_course_writes_feedback_files_0600_and_uses_the_private_feedback_steps(
        course_copy):
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    converter = GenerateFeedback(coursedir=CourseDirectory(config=course_copy.config),
                                 config=course_copy.config)
    assert int(str(converter.permissions), 8) == 0o600
    assert "autograder.private_feedback.OwnerOnlyFeedbackFolders" in converter.preprocessors
    assert course_copy.config.ExchangeFactory.release_feedback == \
        "autograder.private_feedback.ReleaseFeedbackToStudents"


def test_the_exchange_gives_a_released_page_to_its_student(tmp_path, course_copy, open_umask):
    """nbgrader's release copies the page with its mode; a 0600 copy in the exchange would be
    unreadable to the student who fetches it."""
    from nbgrader.coursedir import CourseDirectory

    feedback = course_copy.root / "feedback" / "ada" / "ps01_constant_lr"
    feedback.mkdir(parents=True)
    page = feedback / "ps01_constant_lr.html"
    page.write_text("<html>feedback</html>")
    os.chmod(page, 0o600)
    (feedback / "timestamp.txt").write_text("2027-02-01 15:00:00.000000 UTC")
    (feedback / "submission_secret.txt").write_text("secret")
    config = course_copy.config
    (tmp_path / "exchange").mkdir()
    os.chmod(tmp_path / "exchange", 0o777)  # as nbgrader's documentation sets it up
    config.Exchange.root = str(tmp_path / "exchange")
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = "ps01_constant_lr"
    release = ReleaseFeedbackToStudents(coursedir=coursedir, config=config)
    release.start()
    (released,) = (tmp_path / "exchange" / "learning-rate-lab" / "feedback").glob("*.html")
    assert released.read_text() == "<html>feedback</html>"
    assert mode(released) == RELEASED_FEEDBACK_MODE
    assert mode(page) == 0o600  # the course's own copy stays private
