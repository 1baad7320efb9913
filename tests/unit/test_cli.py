"""The instructor's command line: help a newcomer can read, clear errors, real work."""

from __future__ import annotations

import subprocess
import sys

from autograder.cli import main


def test_help_lists_the_workflow():
    result = subprocess.run([sys.executable, "-m", "autograder", "--help"], capture_output=True,
                            text=True, check=True)
    for command in ("release", "collect", "grade", "feedback", "export", "report", "demo"):
        assert command in result.stdout
    assert "submitted/<student>/<assignment>" in result.stdout


def test_settings_prints_the_graders_own_configuration_with_help(capsys):
    """Like `nbgrader generate_config`: every setting of the sandbox policy and the submission
    limits, commented out with its help text and default, ready to copy."""
    assert main(["settings"]) == 0
    printed = capsys.readouterr().out
    assert "# c.SandboxPolicy.memory_bytes = 2147483648" in printed
    assert "# c.SubmissionLimits.max_notebook_bytes = " in printed
    assert "Processes and threads a notebook may have at once." in printed


def test_unknown_assignment_is_a_clear_error(course_copy, capsys):
    assert main(["--course", str(course_copy.root), "release", "ps99_missing"]) == 2
    err = capsys.readouterr().err
    assert "Unknown assignment 'ps99_missing'" in err and "ps01_constant_lr" in err


def test_release_and_empty_grade_through_the_cli(course_copy, capsys):
    root = str(course_copy.root)
    assert main(["--course", root, "release", "ps01_constant_lr"]) == 0
    assert (course_copy.release_dir / "ps01_constant_lr" / "ps01_constant_lr.ipynb").is_file()
    assert main(["--course", root, "grade", "ps01_constant_lr", "--quiet"]) == 0
    assert "0 submission(s) failed" in capsys.readouterr().out
    assert main(["--course", root, "export", "--to", str(course_copy.root / "g.csv")]) == 0
    assert (course_copy.root / "g.csv").read_text().startswith("assignment,student_id,status")
