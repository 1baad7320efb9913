"""`due`: due dates from the command line into nbgrader's gradebook, shown by the Formgrader,
and late submissions flagged against them (issue 20, item 3)."""

from __future__ import annotations

from datetime import datetime

import pytest

from autograder.cli import main
from autograder.due_dates import due_date, parse_due_date


@pytest.mark.parametrize("text, utc", [
    ("2027-02-01 17:00 Europe/Berlin", datetime(2027, 2, 1, 16, 0)),  # CET, +01:00
    ("2027-07-01 17:00 Europe/Berlin", datetime(2027, 7, 1, 15, 0)),  # CEST, +02:00
    ("2027-02-01T09:30 America/New_York", datetime(2027, 2, 1, 14, 30)),
    ("2027-02-01 9:05:30 UTC", datetime(2027, 2, 1, 9, 5, 30)),
    ("2027-02-01T17:00+01:00", datetime(2027, 2, 1, 16, 0)),
    ("2027-02-01 17:00 -0330", datetime(2027, 2, 1, 20, 30)),
    ("  2027-02-01 17:00 Z  ", datetime(2027, 2, 1, 17, 0)),
])
def test_a_due_date_with_a_zone_is_stored_in_utc_as_nbgrader_keeps_it(text, utc):
    assert parse_due_date(text) == utc


@pytest.mark.parametrize("text, reason", [
    ("2027-02-01 17:00", "no time zone"),
    ("2027-02-01", "not a date and time"),
    ("next friday", "not a date and time"),
    ("2027-02-30 17:00 UTC", "not a valid date"),
    ("2027-02-01 25:00 UTC", "not a valid date"),
    ("2027-02-01 17:00 Mars/Olympus", "time zone"),
    ("2027-02-01 17:00 ../../etc/passwd", "time zone"),
])
def test_a_due_date_without_a_zone_or_that_is_no_date_is_refused_in_a_sentence(text, reason):
    with pytest.raises(ValueError, match=reason) as error:
        parse_due_date(text)
    assert "e.g." in str(error.value) or "such as" in str(error.value)


def test_the_command_sets_shows_and_clears_the_due_date_in_the_gradebook(course_copy, capsys):
    course = ["--course", str(course_copy.root)]
    assert main([*course, "due", "ps01_constant_lr", "2027-02-01 17:00 Europe/Berlin"]) == 0
    assert "ps01_constant_lr: 2027-02-01 16:00 UTC" in capsys.readouterr().out
    assert due_date(course_copy, "ps01_constant_lr") == datetime(2027, 2, 1, 16, 0)
    # what the Formgrader's "Manage Assignments" page shows (instead of "None")
    shown = course_copy.api.get_assignment("ps01_constant_lr")
    assert shown["display_duedate"] == "2027-02-01 16:00:00 UTC"
    assert main([*course, "due", "ps01_constant_lr"]) == 0
    assert "2027-02-01 16:00 UTC" in capsys.readouterr().out
    assert main([*course, "due", "ps01_constant_lr", "--clear"]) == 0
    assert "no due date" in capsys.readouterr().out
    assert course_copy.api.get_assignment("ps01_constant_lr")["display_duedate"] is None


def test_the_command_refuses_an_unknown_assignment_or_a_date_without_zone(course_copy, capsys):
    course = ["--course", str(course_copy.root)]
    assert main([*course, "due", "ps99_nothing", "2027-02-01 17:00 UTC"]) == 2
    assert "Unknown assignment" in capsys.readouterr().err
    assert main([*course, "due", "ps01_constant_lr", "2027-02-01 17:00"]) == 2
    assert "no time zone" in capsys.readouterr().err
    assert due_date(course_copy, "ps01_constant_lr") is None


def test_the_course_flags_late_work_with_nbgraders_late_submission_plugin(course_copy):
    """nbgrader_config.py names nbgrader's plugin and its policy (documented there and in
    the README): the autograde pipeline asks it for the penalty of a late submission."""
    from nbgrader.plugins import LateSubmissionPlugin
    from nbgrader.preprocessors import AssignLatePenalties

    config = course_copy.config
    assert config.AssignLatePenalties.plugin_class == "nbgrader.plugins.LateSubmissionPlugin"
    assert config.LateSubmissionPlugin.penalty_method == "none"
    late_penalties = AssignLatePenalties(config=config)
    late_penalties.init_plugin()
    assert isinstance(late_penalties.plugin_inst, LateSubmissionPlugin)
    assert late_penalties.plugin_inst.late_submission_penalty("ada", 7.0, 3600.0) is None
    config.LateSubmissionPlugin.penalty_method = "zero"  # the other policy nbgrader ships
    late_penalties = AssignLatePenalties(config=config)
    late_penalties.init_plugin()
    assert late_penalties.plugin_inst.late_submission_penalty("ada", 7.0, 3600.0) == 7.0
