"""How a message shows a value: short, never the repr of an array, a long list or an object.

`describe_argument` writes an argument of a call the way a message names it ("a 100×1 array",
"a list of 30", a function by its name); `Shown` and `ShownCallable` are arguments a check
writes by a name of its own ("<30 losses>", "lambda opt: StepLR(opt, step_size=5)").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Shown", "ShownCallable", "describe_argument", "MOST_NUMBERS_SHOWN"]

MOST_NUMBERS_SHOWN = 6
"""A list or tuple of more numbers than this is written by its length, not its items."""


class Shown:
    """An argument a message writes as `text` (`format_call`) instead of its repr: a long list
    ("<30 losses>"), a toy run ("train_step"), a rule by its name."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


class ShownCallable(Shown):
    """A function the check hands to the student's code (a scheduler factory), written as
    `text` in messages (`lambda opt: StepLR(opt, step_size=5, gamma=0.5)`)."""

    def __init__(self, function: Callable[..., Any], text: str) -> None:
        super().__init__(text)
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)


def describe_argument(value: Any) -> str:
    """An argument as a message writes it: a number or a short list as itself, an array or a
    tensor by its shape ("a 100×1 array"), a long list by its length, a function by its name."""
    if isinstance(value, Shown):
        return repr(value)
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        kind = "tensor" if type(value).__module__.split(".")[0] == "torch" else "array"
        if not shape:
            return _short_repr(value.item() if hasattr(value, "item") else value)
        return f"a {'×'.join(str(n) for n in shape)} {kind}"
    if isinstance(value, list | tuple):
        if len(value) <= MOST_NUMBERS_SHOWN and all(_plain(item) for item in value):
            return repr(value)
        return f"a {type(value).__name__} of {len(value)}"
    if _plain(value):
        return _short_repr(value)
    if isinstance(value, dict):
        return f"a dict of {len(value)}"
    name = getattr(value, "__name__", None)
    if callable(value) and isinstance(name, str) and name.isidentifier():
        return name
    return f"a {type(value).__name__}"


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "…"
