"""How a check speaks: one short sentence per result, no traceback wall.

A failed check raises `CheckFailed(message)`. In a Jupyter kernel, importing
`lrchecks` registers a handler so the cell shows only `✗ message` (the cell still
fails, which is what nbgrader counts). A passed check prints `✓ message` on stdout — never on
stderr, which nbgrader would score as a failure.
"""

from __future__ import annotations

import sys

__all__ = ["CheckFailed", "passed", "install_short_errors"]


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message says what and where to look.

    `diagnosis`, when given, is the part of the message that names the mistake without the
    case's inputs or expected values (a modelled mistake's explanation, or a hint): what a
    hidden case may show (`lrchecks.hidden.hidden_case`).
    """

    def __init__(self, message: str, diagnosis: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnosis = diagnosis

    def __str__(self) -> str:
        return self.message

    @classmethod
    def with_diagnosis(cls, sentence: str, diagnosis: str | None) -> CheckFailed:
        """A failure saying `sentence`, followed by the diagnosis when there is one."""
        return cls(f"{sentence} {diagnosis}" if diagnosis else sentence, diagnosis=diagnosis)


def passed(message: str) -> None:
    """Tell the student a check passed."""
    print(f"✓ {message}", file=sys.stdout, flush=True)


def _short_traceback(shell, etype, value, tb, tb_offset=None) -> list[str]:  # noqa: ANN001
    """IPython's custom-exception hook: it must display the error itself (as an `error`
    output, so the cell still counts as failed) and return the structured traceback."""
    lines = [f"✗ {value}"]
    shell._showtraceback(etype, value, lines)
    return lines


def install_short_errors() -> bool:
    """Show `CheckFailed` as one line in an IPython kernel; returns whether a shell was found."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: the exception message is already short
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CheckFailed,), _short_traceback)
    return True
