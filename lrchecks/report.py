"""How a check speaks: one short sentence per result, no traceback wall.

A failed check raises `CheckFailed(message)`: one line of at most two short sentences
(`MESSAGE_CHARS`), never an array, a repr or the student's code's own words. In a Jupyter
kernel, importing `lrchecks` registers a handler so the cell shows only `✗ message` (the cell
still fails, which is what nbgrader counts) — and a test cell that passes a name the notebook has
not defined yet shows a sentence saying which cell to run (`short_message`). A passed check
prints `✓ message` on stdout — never on stderr, which nbgrader would score as a failure.
"""

from __future__ import annotations

import re
import sys
import textwrap
from typing import Any

__all__ = ["CheckFailed", "passed", "install_short_errors", "short_message", "not_defined",
           "failure_lines"]

MESSAGE_CHARS = 240
"""The longest message a check shows: one line, which the Validate dialog and the feedback page
wrap (two short sentences)."""
CASE_FAILURE_LEAD = "A hidden case fails"
"""How a hidden case's failure begins (`lrchecks.hidden.hidden_case`)."""
NAME_CHARS = 40
"""The longest undefined name a sentence repeats (a test cell's names are short)."""


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message says what and where to look.

    `diagnosis`, when given, is the part of the message that names the mistake without the
    case's inputs or expected values (a modelled mistake's explanation, or a hint): what a
    hidden case may show (`lrchecks.hidden.hidden_case`).
    """

    def __init__(self, message: str, diagnosis: str | None = None) -> None:
        message = _within_limit(" ".join(message.split()), diagnosis)
        super().__init__(message)
        self.message = message
        self.diagnosis = diagnosis

    def __str__(self) -> str:
        return self.message

    @classmethod
    def with_diagnosis(cls, sentence: str, diagnosis: str | None) -> CheckFailed:
        """A failure saying `sentence`, followed by the diagnosis when there is one."""
        return cls(f"{sentence} {diagnosis}" if diagnosis else sentence, diagnosis=diagnosis)

    @classmethod
    def with_advice(cls, said: str, mistake: str, advice: str) -> CheckFailed:
        """A failure saying `said` (what went wrong, with this case's call and values), then
        `advice`; its diagnosis says `mistake` (the same without the case), then the same
        advice: "f(3) returned 4, a count: return a fraction." / "f returned a count: return a
        fraction."."""
        return cls(f"{said} {advice}", diagnosis=f"{mistake} {advice}")


def _first_clause(lead: str) -> str:
    """`lead` up to its first colon or semicolon outside brackets, as a sentence: the what and
    where of a failure ("For optimize(1.05, 20, 500.0), x_history differs at step 2.")."""
    depth = 0
    for index, char in enumerate(lead):
        depth += char in "([{" and 1 or 0
        depth -= char in ")]}" and 1 or 0
        if depth == 0 and char in ":;" and lead[index + 1:index + 2] in (" ", ""):
            return lead[:index].rstrip(" ,") + "."
    return lead


def _elided(lead: str) -> str:
    """`lead` with what its brackets hold written as "…" (`optimize(…) differs`)."""
    out, depth = [], 0
    for char in lead:
        if char in "([":
            depth += 1
            if depth == 1:
                out.append(char + "…")
            continue
        if char in ")]":
            depth -= 1
            if depth == 0:
                out.append(char)
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def _within_limit(message: str, diagnosis: str | None) -> str:
    """A message over `MESSAGE_CHARS` that ends with its diagnosis keeps the diagnosis and the
    most of what comes before it that fits: its first clause (which case, where the answer
    differs) unless that is only the call, else the whole lead with the arguments of its calls
    elided, else the first clause elided."""
    if len(message) <= MESSAGE_CHARS or not diagnosis or not message.endswith(diagnosis):
        return message
    lead = message[: -len(diagnosis)].strip()
    if not lead or lead.startswith(CASE_FAILURE_LEAD):  # its kind is all it says of the case
        return message
    first = _first_clause(lead.removesuffix(":") + ":")
    only_the_call = re.fullmatch(r"[\w.]+\(…\)\.", _elided(first)) is not None
    candidates = ([] if only_the_call else [first]) + [_elided(lead), _elided(first)]
    fitting = [c for c in candidates if len(c) + 1 + len(diagnosis) <= MESSAGE_CHARS]
    return f"{(fitting or candidates)[0]} {diagnosis}"


def passed(message: str) -> None:
    """Tell the student a check passed."""
    print(f"✓ {message}", file=sys.stdout, flush=True)


def not_defined(name: str) -> str:
    """The sentence for a name a test cell passes that the notebook has not defined yet."""
    if not name.isidentifier() or len(name) > NAME_CHARS:
        return "An object this test needs is not defined yet: run the cells above it first."
    what = "draws" if name.startswith("fig") else "defines"
    return f"{name} is not defined yet: run the cell that {what} it."


SHOWN_COLUMNS = 76
"""The width a failure is shown at: nbgrader's Validate dialog shows it in a <pre> that does
not wrap, so the one-line message is broken into lines that fit the dialog."""


def failure_lines(message: str) -> str:
    """A failure as a cell shows it (`✗ message`), broken at spaces into lines of at most
    `SHOWN_COLUMNS` characters; the message itself stays one line (the error's value)."""
    return textwrap.fill(f"✗ {message}", SHOWN_COLUMNS, subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)


def _checks_cell(error: NameError, namespace: dict[str, Any] | None) -> bool:
    """Whether a NameError was raised by the statements of a cell that calls a check (a test
    cell), not inside a function: the innermost frame is the cell's own code, run in the
    notebook's namespace, and that code names a check it imported."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    frame = tb.tb_frame
    if frame.f_code.co_name != "<module>" or (namespace is not None
                                             and frame.f_globals is not namespace):
        return False
    return any(getattr(frame.f_globals.get(name), "__lrlab_judged__", False)
               for name in frame.f_code.co_names)


def short_message(error: BaseException, namespace: dict[str, Any] | None = None) -> str | None:
    """What the kernel shows for `error` in one line instead of a traceback, or None (a
    traceback): a check's message, or a sentence for a name a test cell uses that is not
    defined yet. `namespace`: the notebook's, where a test cell's code runs."""
    if isinstance(error, CheckFailed):
        return error.message
    if isinstance(error, NameError) and isinstance(error.name, str) and _checks_cell(
            error, namespace):
        return not_defined(error.name)
    return None


def _short_traceback(shell, etype, value, tb, tb_offset=None) -> list[str]:  # noqa: ANN001
    """IPython's custom-exception hook: it must display the error itself (as an `error`
    output, so the cell still counts as failed) and return the structured traceback. An error
    with no short message gets IPython's usual traceback."""
    said = short_message(value, shell.user_ns)
    if said is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return []
    lines = [failure_lines(said)]
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
    shell.set_custom_exc((CheckFailed, NameError), _short_traceback)
    return True
