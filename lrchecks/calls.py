"""Calling a student's function: errors become one plain sentence, lrcore is not an answer.

- `call_student` calls it (recorded as evidence while grading) and turns what it raises into a
  sentence; `format_call` writes a call as a message shows it (each argument as
  `lrchecks.shown` writes it: an array by its shape, `Shown` arguments by their name);
- `require_own_function` refuses a function that is, or reaches, the course's reference
  (`reachable_reference`); `reaches` asks whether a function reaches particular objects of
  the course's code — for an exercise that may use some of lrcore but not, say, its trainer.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import io
import re
import warnings
from collections.abc import Collection, Iterator
from contextlib import redirect_stderr
from typing import Any

from lrchecks.encoding import REFERENCE_PACKAGES, StandIn
from lrchecks.evidence import EvidenceMismatch, student_call
from lrchecks.report import CheckFailed
from lrchecks.shown import Shown, ShownCallable, describe_argument

__all__ = ["call_student", "require_own_function", "reachable_reference", "reaches",
           "from_reference", "wrapped_chain", "format_call", "describe_argument", "Shown",
           "ShownCallable"]

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


def from_reference(value: Any) -> str | None:
    """The reference module a value comes from, if any (a module, a function or class, or an
    instance of a class of the course's code)."""
    try:
        origin = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
    except Exception:  # a hostile object's __getattr__ may raise anything
        return None
    if isinstance(origin, str) and origin.split(".")[0] in REFERENCE_PACKAGES:
        return origin
    return None


def _code_objects(code: Any) -> list[Any]:
    nested = [const for const in code.co_consts if inspect.iscode(const)]
    return [code, *(inner for const in nested for inner in _code_objects(const))]


STUDENT_MODULES = ("__main__", "builtins", None)
"""Where a student's own functions and classes live (a notebook's cells run in __main__)."""
REACH_LIMIT = 5_000
"""How many objects the search for a reachable reference looks at, at most."""


def _students_own(value: Any) -> bool:
    try:
        return getattr(value, "__module__", None) in STUDENT_MODULES
    except Exception:
        return False


def _reached(value: Any) -> list[Any]:
    """What a student's object leads to: for a function, the globals its code names, its
    defaults, closure and attributes; for a partial or a bound method, what it wraps; for a
    class or an instance of the student's own, its attributes; for a container, its items.
    Third-party objects (numpy, torch, …) are leaves: the reference cannot hide behind them
    without the student's own code naming it."""
    found: list[Any] = []
    if isinstance(value, functools.partial):
        return [value.func, *value.args, *value.keywords.values()]
    if inspect.ismethod(value):
        return [value.__func__, value.__self__]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)[:REACH_LIMIT]
    if isinstance(value, dict):
        return [*list(value.keys())[:REACH_LIMIT], *list(value.values())[:REACH_LIMIT]]
    if inspect.isfunction(value):
        namespace = value.__globals__
        for inner in _code_objects(value.__code__):
            for used in inner.co_names:
                if used in namespace:
                    found.append(namespace[used])
        found += list(value.__defaults__ or ())
        found += list((value.__kwdefaults__ or {}).values())
        for cell in value.__closure__ or ():
            with contextlib.suppress(ValueError):  # an empty cell
                found.append(cell.cell_contents)
        found += list(vars(value).values())
        return found
    if inspect.isclass(value):
        return list(vars(value).values()) if _students_own(value) else []
    if _students_own(type(value)):  # an instance of the student's own class
        found.append(type(value))
        with contextlib.suppress(TypeError):
            found += list(vars(value).values())
    return found


def _walk(function: Any) -> Iterator[Any]:
    """Every object reachable from `function` (see `reachable_reference`), `function` first;
    the course's own objects and modules are reached but not entered."""
    seen: set[int] = set()
    stack = [function]
    while stack and len(seen) < REACH_LIMIT:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        yield value
        if from_reference(value) or inspect.ismodule(value):
            continue
        try:
            stack.extend(_reached(value))
        except Exception:  # a hostile object: nothing more to learn from it
            continue


def reachable_reference(function: Any) -> str | None:
    """The first object of the course's code (lrcore, lrchecks, autograder) reachable from
    `function` through the names its code uses, its defaults, closures, attributes, the student's
    own functions and classes it uses in turn, partials, bound methods and containers — as a
    description ("lrcore.quadratic.optimize"), or None."""
    for value in _walk(function):
        origin = from_reference(value)
        if origin:
            name = getattr(value, "__qualname__", None) or getattr(value, "__name__", "")
            return f"{origin}.{name}" if name and not inspect.ismodule(value) else origin
        imported = sorted(n for n in _names_in_code(value)
                          if n.split(".")[0] in REFERENCE_PACKAGES)
        if imported:  # `import lrcore.quadratic` inside the function itself
            return imported[0]
    return None


def _names_in_code(value: Any) -> set[str]:
    if not inspect.isfunction(value):
        return set()
    return {name for code in _code_objects(value.__code__) for name in code.co_names}


def reaches(function: Any, targets: Collection[Any]) -> bool:
    """Whether `function` reaches one of `targets` (objects of the course's code): as
    `reachable_reference` walks, or as an attribute its code names on a module of the course's
    code it reaches (`classification.train_classifier`, `lrcore.digits.batch_size_sweep`)."""
    names: set[str] = set()
    modules: list[Any] = []
    for value in _walk(function):
        if any(value is target for target in targets):
            return True
        if inspect.ismodule(value) and from_reference(value):
            modules.append(value)
        elif not from_reference(value):
            names |= _names_in_code(value)
    while modules:
        module = modules.pop()
        for name in names:
            attribute = inspect.getattr_static(module, name, None)  # no lazy import
            if any(attribute is target for target in targets):
                return True
            if inspect.ismodule(attribute) and from_reference(attribute):
                modules.append(attribute)
    return False


def wrapped_chain(function: Any) -> Iterator[Any]:
    """`function` and what it wraps: a partial's function, a bound method's function, a
    decorator's `__wrapped__` (a student may hand over any of these)."""
    seen: set[int] = set()
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        yield function
        if isinstance(function, functools.partial):
            function = function.func
        elif inspect.ismethod(function):
            function = function.__func__
        else:
            function = inspect.getattr_static(function, "__wrapped__", None)


def require_own_function(function: Any, name: str) -> None:
    """Refuse a function that is the course's reference, or that reaches it (see
    `reachable_reference`): the exercise is to write the computation, and the reference is what
    it is compared with. (A determined student can copy the public reference's code instead;
    this catches calling it, not copying it.)"""
    if not callable(function):
        raise CheckFailed(f"{name} should be a function, but it is a {type(function).__name__}.")
    if isinstance(function, StandIn):
        return  # judged again outside the kernel: a name, whose code was read in the kernel
    origin = from_reference(function)
    if origin:
        raise CheckFailed(f"{name} is {origin}'s reference implementation; the exercise is to "
                          "write it yourself.")
    used = reachable_reference(function)
    if used:
        raise CheckFailed(f"{name} uses {used}, the course's reference; the exercise is to write "
                          "the computation yourself, not to call the reference.",
                          diagnosis="your function uses the course's reference code; the "
                          "exercise is to write the computation yourself.")
