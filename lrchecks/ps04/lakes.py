"""What the sections of ps04 share: the lakes as data, step sizes as data, the references
computed once per lake, the tolerances, and calling the student's code with messages that show
the call as the notebook writes it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from lrchecks.calls import call_student, format_call
from lrchecks.report import CheckFailed
from lrchecks.values import describe_number, first_mismatch, to_float_array
from lrcore import rl

__all__ = ["GAMMA", "Q_RTOL", "Q_ATOL", "VI_ATOL", "SUCCESS_RTOL", "SUCCESS_ATOL",
           "STEP_SIZE_RTOL", "Lake", "lake", "on_lake", "STEP_SIZES", "step_size", "case_reader",
           "fresh_env", "transitions", "model_of", "q_star", "VISIT_HINT", "SWEEP_HINT",
           "call", "q_array", "first_difference"]

GAMMA = 0.99
Q_RTOL, Q_ATOL = 1e-5, 1e-9
VI_ATOL = 1e-6
SUCCESS_RTOL, SUCCESS_ATOL = 1e-9, 1e-12
STEP_SIZE_RTOL = 1e-9

Lake = tuple[str, ...] | None
"""A lake's map, one string per row (None: the published 4×4 lake); a tuple, so that the
references of a lake can be cached."""


def lake(rows: Sequence[str] | None) -> Lake:
    """A hidden case's map (a list of rows, or None for the published 4×4 lake)."""
    return None if rows is None else tuple(str(row) for row in rows)


def on_lake(desc: Lake) -> str:
    """How a message names a lake other than the published one."""
    return "" if desc is None else f" on a {len(desc)}×{len(desc[0])} lake"


STEP_SIZES = {"constant": rl.constant_step_size, "polynomial": rl.polynomial_step_size}


def step_size(spec: Sequence[Any]) -> rl.StepSize:
    """A step-size schedule from its data: ["constant", α] or ["polynomial", ω]."""
    kind, parameter = spec
    return STEP_SIZES[kind](float(parameter))


def case_reader(*fields: tuple[str, Callable[[Any], Any]]) -> Callable[[dict[str, Any]], Any]:
    """A hidden case's reader, from its fields as data: `case_reader(("sweeps", int), ("map",
    lake))(params)` is `(int(params["sweeps"]), lake(params["map"]))`, in the order given."""

    def read(params: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(convert(params[key]) for key, convert in fields)

    return read


class _NamedTransitions(dict):
    """env.unwrapped.P, shown as `P` in messages."""

    def __repr__(self) -> str:
        return "P"


def fresh_env(desc: Sequence[str] | None = None) -> Any:
    """A fresh lake whose repr in messages is `env` (a gymnasium Wrapper passes all through)."""
    import gymnasium as gym

    class NamedEnv(gym.Wrapper):
        def __repr__(self) -> str:
            return "env"

    return NamedEnv(rl.make_frozen_lake(desc))


def transitions(desc: Sequence[str] | None = None) -> _NamedTransitions:
    """The lake's transitions `P`, as a student's function receives them."""
    env = rl.make_frozen_lake(desc)
    return _NamedTransitions(env.unwrapped.P)


@cache
def model_of(desc: tuple[str, ...] | None = None,
             success_rate: float | None = None) -> rl.TransitionModel:
    """The lake's transition arrays (`success_rate`: the probability of the intended move;
    None: gymnasium's 1/3)."""
    return rl.frozen_lake_model(desc, success_rate=success_rate)


@cache
def q_star(gamma: float, desc: tuple[str, ...] | None = None) -> np.ndarray:
    return rl.value_iteration(model_of(desc), gamma)


VISIT_HINT = (" The n-th visit uses α_n with n = 1, 2, …: increment counts[s, a] first, then "
              "compute α.")
SWEEP_HINT = " Sweep k = 1, 2, … uses α = alpha_at(k): the first sweep uses alpha_at(1)."
_COUNT_ERRORS = ("the visit count n starts at 1", "ZeroDivisionError")


def call(function: Any, name: str, shown: str, *args: Any, count_hint: str = "",
         **kwargs: Any) -> Any:
    """call_student, with the call written as `shown`; `count_hint` is added when the student's
    code asked alpha_at for the step size of a count of 0."""
    try:
        return call_student(function, name, *args, **kwargs)
    except CheckFailed as failure:
        message = failure.message.replace(format_call(name, args, kwargs), shown, 1)
        diagnosis = failure.diagnosis
        error = failure.__context__  # what the student's code raised (also a replayed record)
        said = f"{type(error).__name__}: {error}" if error is not None else ""
        if count_hint and any(known in said for known in _COUNT_ERRORS):
            message += count_hint
            diagnosis = (diagnosis or "") + count_hint
        raise CheckFailed(message, diagnosis=diagnosis) from None


def q_array(value: Any, what: str, shape: tuple[int, int]) -> np.ndarray:
    """A Q-table of `shape`, finite; a sentence for one value per state, a wrong shape, inf."""
    array = to_float_array(value, what)
    if array.shape == (shape[0],):
        raise CheckFailed(f"{what} has one value per state; return Q, one row per state and one "
                          f"column per action, shape {shape}.",
                          diagnosis="the result has one value per state; return Q, one row per "
                          "state and one column per action.")
    if array.shape != shape:
        raise CheckFailed(f"{what} has shape {array.shape}; it should be {shape} (one row per "
                          "state, one column per action).",
                          diagnosis="the result has the wrong shape: it should have one row per "
                          "state and one column per action.")
    if not np.all(np.isfinite(array)):
        raise CheckFailed(f"{what} contains inf or nan.", diagnosis="the result contains inf or "
                          "nan.")
    return array


def first_difference(student: np.ndarray, expected: np.ndarray, rtol: float,
                     atol: float) -> str:
    """The first entry where a table differs: "Q[3, 1] is 0.25, it should be 0.5"."""
    mismatch = first_mismatch(student, expected, rtol, atol)
    assert mismatch is not None and mismatch.index is not None
    assert mismatch.student is not None and mismatch.expected is not None
    index = np.unravel_index(mismatch.index, expected.shape)
    where = ", ".join(str(int(i)) for i in index)
    return (f"Q[{where}] is {describe_number(mismatch.student)}, it should be "
            f"{describe_number(mismatch.expected)}")
