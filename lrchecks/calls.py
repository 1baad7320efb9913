"""Calling a student's function: errors become one plain sentence, lrcore is not an answer."""

from __future__ import annotations

import inspect
import io
import warnings
from contextlib import redirect_stderr
from typing import Any

from lrchecks.encoding import REFERENCE_PACKAGES, StandIn
from lrchecks.evidence import EvidenceMismatch, student_call
from lrchecks.report import CheckFailed

__all__ = ["call_student", "require_own_function", "format_call"]

_ERROR_HINTS: dict[str, str] = {
    "NotImplementedError": "you have not written this function yet — replace "
    "`raise NotImplementedError()` with your code.",
    "Only Tensors of floating point": "x0 was an integer, and torch only takes gradients of "
    "floating-point tensors: create the tensor from float(x0) (or with dtype=torch.float32).",
    "Cannot cast ufunc": "an integer array cannot hold the updated x: start from float(x0) or "
    "give your arrays dtype=float.",
    "does not require grad": "the tensor has no gradient: create x with requires_grad=True.",
    "Trying to backward through the graph a second time": "the loss is reused across iterations: "
    "compute a fresh loss inside the loop, every iteration.",
}


def format_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


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
        text = f"{type(error).__name__}: {error}"
        hint = next((h for key, h in _ERROR_HINTS.items() if key in text), None)
        message = f"{call} raised {text.splitlines()[0] if text else type(error).__name__}"
        diagnosis = f"your function raised {type(error).__name__}" + (f": {hint}" if hint else ".")
        raise CheckFailed(f"{message}. {hint}" if hint else f"{message}.",
                          diagnosis=diagnosis) from None




def _from_reference(value: Any) -> str | None:
    """The reference module a value comes from, if any."""
    origin = getattr(value, "__module__", None)
    if origin is None and inspect.ismodule(value):
        origin = value.__name__
    if isinstance(origin, str) and origin.split(".")[0] in REFERENCE_PACKAGES:
        return origin
    return None


def _code_objects(code: Any) -> list[Any]:
    nested = [const for const in code.co_consts if inspect.iscode(const)]
    return [code, *(inner for const in nested for inner in _code_objects(const))]


def require_own_function(function: Any, name: str) -> None:
    """Refuse a function that is lrcore's, or calls into lrcore/autograder: the exercise is to
    write the computation, and the reference is what it is compared with."""
    if not callable(function):
        raise CheckFailed(f"{name} should be a function, but it is a {type(function).__name__}.")
    if isinstance(function, StandIn):
        return  # judged again outside the kernel: a name, whose code was read in the kernel
    origin = _from_reference(function)
    if origin:
        raise CheckFailed(f"{name} is {origin}'s reference implementation; the exercise is to "
                          "write it yourself.")
    code = getattr(function, "__code__", None)
    if code is None:
        return
    for cell in getattr(function, "__closure__", None) or ():
        try:
            origin = _from_reference(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
        if origin:
            raise CheckFailed(f"{name} calls {origin}; the exercise is to write the computation "
                              "yourself, not to call the reference.")
    namespace = getattr(function, "__globals__", {})
    for inner in _code_objects(code):
        for used in inner.co_names:
            origin = (used if used.split(".")[0] in REFERENCE_PACKAGES
                      else _from_reference(namespace.get(used)))
            if origin:
                raise CheckFailed(f"{name} uses {used} from {origin}; the exercise is to write "
                                  "the computation yourself, not to call the reference.")
