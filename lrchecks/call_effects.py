"""What a student's call changes: the check's own watched objects and the arguments changed in
place — recorded in the kernel, put back in replay (`lrchecks.evidence.student_call`)."""

from __future__ import annotations

import sys
from typing import Any

from lrchecks.encoding import StandIn, encode

__all__ = ["watched", "containers", "changes", "change_in_place", "states"]


def watched(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """The check's own objects whose state the student's code changes (e.g. a step function
    that counts its calls): they define `evidence_state()` and `restore_evidence_state(s)`."""
    return [value for value in (*args, *kwargs.values())
            if hasattr(type(value), "evidence_state") and not isinstance(value, StandIn)]


def containers(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Arguments the student's code may change in place (an array, a list, a dict, a tensor),
    with their place: a position or a keyword."""
    import numpy as np

    torch = sys.modules.get("torch")
    kinds: tuple[type, ...] = (np.ndarray, list, dict) + ((torch.Tensor,) if torch else ())
    return [(place, value) for place, value in (*enumerate(args), *kwargs.items())
            if isinstance(value, kinds)]


def changes(before: dict[Any, Any], args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> list[list[Any]]:
    changed = []
    for place, value in containers(args, kwargs):
        after = encode(value)
        if after != before.get(place):
            changed.append([place, after])
    return changed


def change_in_place(target: Any, value: Any) -> None:
    """Make the check's argument what the student's code left it (in replay)."""
    import numpy as np

    if isinstance(target, np.ndarray):
        target[...] = np.asarray(value).reshape(target.shape)
    elif isinstance(target, list):
        target[:] = list(value)
    elif isinstance(target, dict):
        target.clear()
        target.update(value)
    else:  # a tensor
        with __import__("torch").no_grad():
            target.copy_(value.reshape(target.shape))


def states(watched: list[Any]) -> list[Any]:
    return [encode(value.evidence_state()) for value in watched]
