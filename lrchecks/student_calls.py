"""Calling a student's function: what it raises becomes one plain sentence.

`call_student` calls it (recorded as evidence while grading) and turns what it raises into a
sentence — for the usual errors, what to change; `format_call` writes a call as a message shows
it (each argument as `lrchecks.shown` writes it: an array by its shape, `Shown` arguments by
their name). The error's own text is never shown, unless the course's own code raised it.
"""

from __future__ import annotations

import builtins
import io
import re
import warnings
from contextlib import redirect_stderr
from typing import Any

from lrchecks.encoding import REFERENCE_PACKAGES
from lrchecks.evidence import EvidenceMismatch, student_call
from lrchecks.report import CheckFailed
from lrchecks.shown import describe_argument

__all__ = ["call_student", "format_call", "KNOWN_ERROR_MODULES", "RECORDED_ERROR_MODULE",
           "COURSE_TEXT_CHARS"]

_ERROR_HINTS: dict[str, str] = {
    "NotImplementedError": "you have not written this function yet — replace "
    "`raise NotImplementedError()` with your code.",
    "Only Tensors of floating point": "x0 was an integer, and torch takes gradients of floats "
    "only: create the tensor from float(x0).",
    "Cannot cast ufunc": "an integer array cannot hold the updated x: start from float(x0) or "
    "give your arrays dtype=float.",
    "does not require grad": "the tensor has no gradient: create x with requires_grad=True.",
    "Trying to backward through the graph a second time": "the loss is reused across iterations: "
    "compute a fresh loss inside the loop, every iteration.",
}
"""What to change for the usual errors, by a piece of the error's text (the text itself is the
student's code's, and is never shown)."""


def format_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A call as a message writes it: `name(1.05, 20, 500.0, a=2.0)`, each argument as
    `describe_argument` writes it (`train_linear_regression(a 100×1 array, …)`)."""
    parts = [describe_argument(arg) for arg in args] + [
        f"{key}={describe_argument(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


KNOWN_ERROR_MODULES = ("builtins", "numpy", "torch")
"""Libraries whose exception names a hidden case's message may repeat: a class the student
defined could carry any text in its name (a hidden case's inputs, for one)."""


RECORDED_ERROR_MODULE = "student"
"""The module of an exception the grader re-raises from a record (`lrchecks.evidence`)."""
_PYTHON_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))


def _error_kind(error: BaseException) -> str:
    kind = type(error)
    module = (getattr(kind, "__module__", "") or "").split(".")[0]
    if module in KNOWN_ERROR_MODULES:
        return kind.__name__
    if module == RECORDED_ERROR_MODULE and kind.__name__ in _PYTHON_ERRORS:
        return kind.__name__  # re-raised by the judge from a record: a name Python defines
    return "an exception of its own"


def call_student(function: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the student's `function(*args, **kwargs)`.

    Anything it raises becomes a `CheckFailed` that names the call, the error and, for the usual
    errors, what to change. While grading, the call and its answer are recorded as evidence
    (`lrchecks.evidence`). Warnings and stderr output of the student's code are captured so
    that the grade cell stays silent on stderr.
    """
    if not callable(function):
        raise CheckFailed(f"{name} should be a function, but it is a {type(function).__name__}.")
    call = format_call(name, args, kwargs)
    try:
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return student_call(function, name, args, kwargs)
    except (CheckFailed, EvidenceMismatch):
        raise
    except Exception as error:  # the student's code may raise anything
        kind = _error_kind(error)
        hint = _hint(error)
        if hint == _ERROR_HINTS["NotImplementedError"]:
            raise CheckFailed(f"{name}: {hint}", diagnosis=hint) from None
        diagnosis = f"your function raised {kind}" + (f": {hint}" if hint else ".")
        message = f"{call} raised {kind}"
        said = _course_said(error)
        if hint:
            message = f"{message}: {hint}"
        elif said:
            message = f"{message}: {said}"
        raise CheckFailed(message if message.endswith(".") else f"{message}.",
                          diagnosis=diagnosis) from None


COURSE_TEXT_CHARS = 120
"""The most of an error's own text a message repeats (only the course's own code's)."""


def _course_said(error: BaseException) -> str | None:
    """The text of an error the course's own code raised on the student's answer (lrcore's
    argument checks, or calling the student's function with the wrong arguments, raised where
    the check calls it) — never the student's code's own words."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""
    if not isinstance(module, str) or module.split(".")[0] not in REFERENCE_PACKAGES:
        return None
    if _error_kind(error) == "an exception of its own" or (
            type(error).__module__ == RECORDED_ERROR_MODULE):  # a record's text is the kernel's
        return None
    try:
        text = re.sub(r"[\w.]*<locals>\.", "", " ".join(str(error).split()))
    except Exception:  # a hostile __str__
        return None
    return text if 0 < len(text) <= COURSE_TEXT_CHARS else None


def _hint(error: BaseException) -> str | None:
    """What to change for a usual error, recognised by its type and text (never shown)."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:  # a hostile exception's __str__
        text = type(error).__name__
    return next((hint for key, hint in _ERROR_HINTS.items() if key in text), None)
