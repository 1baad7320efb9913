"""Calling a student's function: errors become one plain sentence, lrcore is not an answer.

- `call_student` calls it (recorded as evidence while grading) and turns what it raises into a
  sentence; `format_call` writes a call as a message shows it — both live in
  `lrchecks.student_calls` and are importable from here;
- `require_own_function` refuses a function that is, or reaches, the course's reference
  (`reachable_reference`); `reaches` asks whether a function reaches particular objects of
  the course's code — for an exercise that may use some of lrcore but not, say, its trainer.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Collection, Iterator
from typing import Any

from lrchecks.encoding import REFERENCE_PACKAGES, StandIn
from lrchecks.report import CheckFailed
from lrchecks.shown import Shown, ShownCallable, describe_argument
from lrchecks.student_calls import call_student, format_call

__all__ = ["call_student", "require_own_function", "reachable_reference", "reaches",
           "from_reference", "wrapped_chain", "format_call", "describe_argument", "Shown",
           "ShownCallable"]


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
