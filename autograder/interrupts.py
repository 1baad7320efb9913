"""Ctrl-C and SIGTERM, remembered until the command has stopped.

The commands stop on SIGINT or SIGTERM by raising `Interrupted` in the main thread (see
`autograder.cli`); every `with` block on the way out stops what it started. But nbgrader runs
its applications through `nbgrader.utils.capture_log`, whose bare `except:` catches any
exception — `Interrupted` too — and reports it as a failed conversion: a Ctrl-C that lands
while nbgrader prepares or scores a submission (or generates a release or a feedback page) would
become "this student failed" and the command would go on with the next one, deaf to a second
Ctrl-C. So the signal is remembered here, and the grader calls `raise_if_interrupted()` after
each nbgrader call: the interrupt then goes on unwinding from where nbgrader left it.
"""

from __future__ import annotations

import signal

__all__ = ["Interrupted", "STOP_SIGNALS", "interrupt", "raise_if_interrupted", "forget"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_received: int | None = None


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM reached the command: unwind — every `with` block on the way
    stops what it started (`autograder.executors.Executor.abort`, the notebook's sandbox in
    `autograder.sandbox.notebook_runner`) — and exit with 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def interrupt(signum: int, _frame: object) -> None:
    """The signal handler: remember the signal, ignore the next ones (a second Ctrl-C must not
    interrupt the clean-up), and raise `Interrupted`."""
    global _received
    _received = signum
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise Interrupted(signum)


def raise_if_interrupted() -> None:
    """Raise `Interrupted` again if a stop signal arrived and someone swallowed it."""
    if _received is not None:
        raise Interrupted(_received)


def forget() -> None:
    """Forget a remembered signal (a command run again in the same process, as in tests)."""
    global _received
    _received = None
