"""A Ctrl-C that lands inside nbgrader still stops the command.

nbgrader runs its applications through `nbgrader.utils.capture_log`, whose bare `except:`
catches the `Interrupted` the signal handler raises and reports a failed conversion. These tests
put the signal exactly there — the worst moment — and expect what a Ctrl-C anywhere else gives:
the one line, exit status 130, nothing graded or released after it."""

from __future__ import annotations

import signal

import pytest

from autograder import interrupts
from autograder.cli import INTERRUPTED, main
from autograder.collect import collect_submissions
from autograder.release import release_assignment
from autograder.samples import write_inbox

ASSIGNMENT = "ps01_constant_lr"


@pytest.fixture(autouse=True)
def _restore_signal_handlers():
    """An interrupted command leaves SIGINT and SIGTERM ignored (it is about to exit); the test
    process is not."""
    saved = {stop: signal.getsignal(stop) for stop in interrupts.STOP_SIGNALS}
    yield
    for stop, handler in saved.items():
        signal.signal(stop, handler)
    interrupts.forget()


def _swallowed_ctrl_c(calls: list[str]):
    """A stand-in for nbgrader's `capture_log`: Ctrl-C arrives while nbgrader works, and its
    bare `except:` turns it into a failure."""

    def capture_log(app, fmt: str = "") -> dict:
        calls.append(type(app).__name__)
        try:
            signal.raise_signal(signal.SIGINT)
        except:  # noqa: E722 - exactly what nbgrader.utils.capture_log does
            return {"success": False, "error": "KeyboardInterrupt", "log": ""}
        return {"success": True, "log": ""}

    return capture_log


def test_ctrl_c_inside_nbgraders_release_stops_the_command(course_copy, monkeypatch, capsys):
    calls: list[str] = []
    monkeypatch.setattr("nbgrader.apps.api.capture_log", _swallowed_ctrl_c(calls))
    code = main(["--course", str(course_copy.root), "release", "--all"])
    assert code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == INTERRUPTED
    assert calls == ["GenerateAssignment"]  # nothing after the interrupted one


def test_ctrl_c_inside_nbgraders_autograde_stops_the_batch(course_copy, monkeypatch, capsys,
                                                           tmp_path):
    release_assignment(course_copy, ASSIGNMENT)
    write_inbox(course_copy, ASSIGNMENT, tmp_path / "inbox")
    collect_submissions(course_copy, ASSIGNMENT, tmp_path / "inbox")
    calls: list[str] = []
    monkeypatch.setattr("nbgrader.utils.capture_log", _swallowed_ctrl_c(calls))
    code = main(["--course", str(course_copy.root), "grade", ASSIGNMENT, "--workers", "1",
                 "--quiet"])
    assert code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == INTERRUPTED
    assert len(calls) == 1  # the first submission's nbgrader stage, then nothing
