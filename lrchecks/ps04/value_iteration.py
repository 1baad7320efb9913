"""ps04 §2: the target — Q* by value iteration, on the published lake and on drawn ones."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import VALUE_ITERATION
from lrchecks.evidence import judged
from lrchecks.ps04 import lakes
from lrchecks.ps04.lakes import GAMMA, VI_ATOL, Lake
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, describe_number

__all__ = ["V_STAR_START", "VALUE_ITERATION_ADVICE", "check_value_iteration_published",
           "check_value_iteration_unseen"]

V_STAR_START = 0.5420259320
VALUE_ITERATION_ADVICE = ("the values differ from Q*: back up Q(s, a) = Σ p·(r + γ·V(s')), "
                          "with no γ·V(s') term for a terminal transition, and V(s) = "
                          "max_a Q(s, a), until the largest change of V is below tol.")


VICase = tuple[float, Lake]
"""(γ, lake)."""


def _shown(case: VICase) -> str:
    gamma, desc = case
    return f"value_iteration(P, {gamma})" + lakes.on_lake(desc)


def _ask_value_iteration(function: Any, case: VICase) -> np.ndarray:
    """The student's Q of one discount on one lake (require_own_function is the caller's)."""
    gamma, desc = case
    shown = _shown(case)
    model = lakes.model_of(desc)
    return lakes.q_array(lakes.call(function, "value_iteration", shown, lakes.transitions(desc),
                                    gamma),
                         f"The result of {shown}", (model.n_states, model.n_actions))


def _read_case(params: dict[str, Any]) -> VICase:
    """A hidden case ({"gamma", "map"})."""
    return float(params["gamma"]), lakes.lake(params["map"])


def _decide_value_iteration(case: VICase, student: np.ndarray) -> None:
    """The student's Q of one case against Q*, its mistake named."""
    gamma, desc = case
    shown = _shown(case)
    model = lakes.model_of(desc)
    expected = lakes.q_star(gamma, desc)
    if arrays_match(student, expected, 0.0, VI_ATOL):
        return
    raise_first_fitting(VALUE_ITERATION, lambda mistake: mistake.fits(
        student, mistake.model(model, gamma), expected, (0.0, VI_ATOL)), f"{shown} is wrong.")
    start = model.start
    difference = lakes.first_difference(student, expected, 0.0, VI_ATOL)
    if np.max(np.abs(student - expected)) < 1e-3:
        advice = "iterate until the largest change of V is below tol = 1e-10."
        raise CheckFailed(f"{shown} is close but not converged ({difference}): {advice}",
                          diagnosis=f"the values are close but not converged: {advice}")
    raise CheckFailed(f"{shown}: {difference} "
                      f"(V*(start) = max Q[{start}] should be "
                      f"{describe_number(float(expected[start].max()))}).")


@judged
def check_value_iteration_published(value_iteration: Any) -> None:
    """Visible: Q* of the slippery 4×4 lake at γ = 0.99 (V*(start) = 0.5420259320)."""
    require_own_function(value_iteration, "value_iteration")
    run_asking_cases(lambda case: _ask_value_iteration(value_iteration, case),
                     _decide_value_iteration, False, "ps04.value_iteration", ((GAMMA, None),),
                     VALUE_ITERATION_ADVICE)
    passed(f"value_iteration gives Q* of the 4×4 lake: V*(start) = {V_STAR_START:.10f}, LEFT "
           "is the best first move.")


@judged
def check_value_iteration_unseen(value_iteration: Any) -> None:
    """Hidden: the drawn discounts and lakes (pool "ps04.value_iteration": {"gamma", "map"})."""
    require_own_function(value_iteration, "value_iteration")
    run_asking_cases(lambda case: _ask_value_iteration(value_iteration, case),
                     _decide_value_iteration, True, "ps04.value_iteration", (),
                     VALUE_ITERATION_ADVICE, _read_case)
    passed("value_iteration is right for other discounts and lakes.")
