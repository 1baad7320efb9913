"""ps04 §9: the discount — how many noise-free sweeps a step size needs to come within a
tolerance of Q*, and how that grows with γ."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from functools import cache
from typing import Any

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import SWEEPS
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import Lake, call, case_reader, lake, model_of, on_lake, q_star, step_size
from lrchecks.report import CheckFailed, passed
from lrcore import rl

__all__ = ["GAMMAS", "TOLERANCE", "MAX_SWEEPS", "ReachCase", "REACH_CASES_VISIBLE",
           "REACH_ADVICE", "reach_case", "check_sweeps_to_reach"]

GAMMAS: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
TOLERANCE = 0.1
MAX_SWEEPS = 10_000
"""The experiment of §9 (given to the students in the notebook; the course's claims tests
recompute what its text says)."""

ReachCase = tuple[rl.StepSize, float, float, int, Lake]
"""(step size, γ, tolerance, max_sweeps, lake)."""
REACH_CASES_VISIBLE: tuple[ReachCase, ...] = (
    (rl.polynomial_step_size(1.0), 0.8, 0.1, 10_000, None),
    (rl.polynomial_step_size(0.6), 0.9, 0.1, 10_000, None),
    (rl.constant_step_size(1.0), 0.0, 0.1, 100, None),  # the first sweep is exact
    (rl.polynomial_step_size(1.0), 0.9, 0.1, 300, None),  # never close enough: None
)
REACH_ADVICE = ("the sweep count differs: from Q = 0, sweep k sets Q ← Q + "
                "alpha_at(k)·(target − Q); return the first k with ‖Q − Q*‖∞ ≤ "
                "tolerance·‖Q*‖∞, or None.")


reach_case: Callable[[dict[str, Any]], ReachCase] = case_reader(
    ("step", step_size), ("gamma", float), ("tolerance", float), ("max_sweeps", int),
    ("map", lake))
"""A hidden case, read from its params."""


@cache
def _reference(case: ReachCase) -> int | None:
    step, gamma, tolerance, max_sweeps, desc = case
    return rl.sweeps_to_reach(model_of(desc), step, gamma, q_star(gamma, desc), tolerance,
                              max_sweeps)


@cache
def _mistaken(name: str, case: ReachCase) -> int | None:
    step, gamma, tolerance, max_sweeps, desc = case
    mistake = next(m for m in SWEEPS if m.name == name)
    return mistake.model(model_of(desc), step, gamma, q_star(gamma, desc), tolerance, max_sweeps)


def _as_count(value: Any, shown: str) -> int | None:
    """The student's answer as a sweep number or None; a sentence for anything else."""
    if value is None:
        return None
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not float(value).is_integer():
        advice = "return the number of a sweep (an int), or None."
        raise CheckFailed(f"{shown} returned a {type(value).__name__}: {advice}",
                          diagnosis=f"the result is not a sweep number: {advice}")
    return int(value)  # type: ignore[call-overload]  # typeshed's int() omits numbers.Real


def _shown(case: ReachCase) -> str:
    step, gamma, tolerance, max_sweeps, desc = case
    return (f"sweeps_to_reach(model, alpha_at={step.label}, gamma={gamma:g}, q_star, "
            f"tolerance={tolerance:g}, max_sweeps={max_sweeps}){on_lake(desc)}")


def _ask_reach(function: Any, case: ReachCase) -> int | None:
    """The student's sweep count of one case (require_own_function is the caller's)."""
    step, gamma, tolerance, max_sweeps, desc = case
    shown = _shown(case)
    return _as_count(call(function, "sweeps_to_reach", shown, model_of(desc), step, gamma,
                          q_star(gamma, desc), tolerance=tolerance, max_sweeps=max_sweeps),
                     shown)


def _decide_reach(case: ReachCase, answer: int | None) -> None:
    """The student's count of one case against lrcore's, its mistake named."""
    _, _, tolerance, max_sweeps, _ = case
    shown = _shown(case)
    expected = _reference(case)
    if answer == expected:
        return
    if expected is None:
        advice = ("return None when no sweep up to max_sweeps comes within the tolerance (not "
                  "max_sweeps, 0 or −1).")
        raise CheckFailed(f"{shown} returned {answer}, but Q never comes within the tolerance in "
                          f"{max_sweeps} sweeps: {advice}",
                          diagnosis=f"the learner never gets close enough in this case: {advice}")
    raise_first_fitting(SWEEPS, lambda mistake: mistake.fits(
        answer, _mistaken(mistake.name, case), expected), f"{shown} returned {answer}.")
    raise CheckFailed(f"{shown} returned {answer}; Q first comes within "
                      f"{tolerance:g}·‖Q*‖∞ of Q* after sweep {expected}.")


@judged
def check_sweeps_to_reach(sweeps_to_reach: Any, hidden: bool = False) -> None:
    """The first sweep within tolerance·‖Q*‖∞ of Q*, or None: visible 1/n and 1/n^0.6 on the
    4×4 lake, a first sweep that is exact and a run that never gets there; hidden the drawn
    step sizes, γ, tolerances and lakes (pool "ps04.sweeps_to_reach")."""
    require_own_function(sweeps_to_reach, "sweeps_to_reach")
    run_asking_cases(lambda case: _ask_reach(sweeps_to_reach, case), _decide_reach, hidden,
                     "ps04.sweeps_to_reach", REACH_CASES_VISIBLE, REACH_ADVICE, reach_case)
    passed("sweeps_to_reach counts the sweeps right"
           + (" for unseen step sizes, discounts, tolerances and lakes." if hidden else
              ", returns 1 when the first sweep is enough and None when no sweep is."))
