"""ps01 §3: where gradient descent on a·x² diverges — on paper, by experiment — and how many
steps a run needs. Each check asks the student's function on every case, then decides
(`lrchecks.asking`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, format_call
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, to_float_array
from lrcore import quadratic

__all__ = ["CURVATURES_VISIBLE", "ITERATION_CASES_VISIBLE", "check_divergence_threshold_on_paper",
           "check_divergence_threshold_by_experiment", "check_iterations_needed"]

CURVATURES_VISIBLE = (1.0,)
THRESHOLD_ADVICE = ("One step multiplies x by (1 − 2a·lr); find the lr at which |1 − 2a·lr| "
                    "reaches 1 on the diverging side.")
BISECTION_ADVICE = ("Narrow the interval between an lr that converges and one that diverges "
                    "(bisection) until it is shorter than 1e-4·lr.")


def _ask_threshold(function: Any, name: str, a: float) -> Any:
    """The student's threshold for the curvature a."""
    return call_student(function, name, a)


def _decide_threshold_on_paper(a: float, result: Any) -> None:
    """The paper answer for a is 1/a (to 1e-9)."""
    call = format_call("divergence_threshold", (a,), {})
    value = to_float_array(result, call)
    expected = quadratic.stability_bound(a)
    if value.size != 1 or not np.isclose(value.reshape(-1)[0], expected, rtol=1e-9):
        got = (describe_number(float(value.reshape(-1)[0])) if value.size == 1
               else "not a number")
        raise CheckFailed(f"{call} returned {got}. {THRESHOLD_ADVICE}",
                          diagnosis=THRESHOLD_ADVICE)


@judged
def check_divergence_threshold_on_paper(divergence_threshold: Any, hidden: bool = False) -> None:
    """The paper answer as a function of a: 1/a."""
    run_asking_cases(lambda a: _ask_threshold(divergence_threshold, "divergence_threshold", a),
                     _decide_threshold_on_paper, hidden, "ps01.divergence_threshold",
                     CURVATURES_VISIBLE, THRESHOLD_ADVICE)
    passed("divergence_threshold(a) is right" + (" for other curvatures a." if hidden else "."))


def _decide_threshold_by_experiment(a: float, result: Any) -> None:
    """The experimental threshold for a is within 0.1 % of 1/a."""
    call = format_call("find_divergence_threshold", (a,), {})
    value = to_float_array(result, f"The result of {call}")
    if value.size != 1:
        raise CheckFailed(f"{call} should return one number, got {value.size}.",
                          diagnosis="find_divergence_threshold should return one number.")
    found, expected = float(value.reshape(-1)[0]), quadratic.stability_bound(a)
    if not abs(found - expected) <= 1e-3 * expected:
        raise CheckFailed(
            f"{call} returned {describe_number(found)}, which is not within 0.1 % of "
            f"the threshold. {BISECTION_ADVICE}",
            diagnosis=f"the threshold found is not within 0.1 % of the true one. "
            f"{BISECTION_ADVICE}")


@judged
def check_divergence_threshold_by_experiment(
    find_divergence_threshold: Any, hidden: bool = False
) -> None:
    """The experimental threshold within 0.1 % of 1/a."""
    run_asking_cases(
        lambda a: _ask_threshold(find_divergence_threshold, "find_divergence_threshold", a),
        _decide_threshold_by_experiment, hidden, "ps01.find_divergence_threshold",
        CURVATURES_VISIBLE, BISECTION_ADVICE)
    passed("find_divergence_threshold finds the threshold by experiment"
           + (" for other curvatures a." if hidden else "."))


# --- iterations needed ------------------------------------------------------------------------

ITERATION_CASES_VISIBLE = ((0.1, 500.0, 1e-3, 1.0), (1.05, 500.0, 1e-3, 1.0))
ITERATIONS_ADVICE = ("count the steps until |x| < tol for the first time; return None when "
                     "|1 − 2a·lr| ≥ 1 (the run never gets there), 0 when x0 already is.")


IterationCase = tuple[float, float, float, float]
"""(lr, x0, tol, a) of one iterations_needed case."""


def _iterations_call(lr: float, x0: float, tol: float, a: float) -> tuple[str, dict[str, float]]:
    """The call as a message writes it, and its keyword arguments (a only when it is not 1)."""
    kwargs = {"tol": tol} | ({"a": a} if a != 1.0 else {})
    return format_call("iterations_needed", (lr, x0), kwargs), kwargs


def _ask_iterations(iterations_needed: Any, case: IterationCase) -> Any:
    """The student's count for one case."""
    lr, x0, tol, a = case
    _, kwargs = _iterations_call(lr, x0, tol, a)
    return call_student(iterations_needed, "iterations_needed", lr, x0, **kwargs)


def _decide_iterations(case: IterationCase, result: Any) -> None:
    """The student's count for one case against lrcore's, an off-by-one named."""
    lr, x0, tol, a = case
    call, _ = _iterations_call(lr, x0, tol, a)
    expected = quadratic.iterations_to_tolerance(lr, x0, tol, a)
    if expected is None:
        if result is not None:
            never = ("this run never gets within tol of 0 (|1 − 2a·lr| ≥ 1): return None.")
            raise CheckFailed(f"{call} returned {result!r}, but {never}",
                              diagnosis=f"your function returned a number of steps, but {never}")
        return
    if result is None or isinstance(result, bool):
        converges = "this run does converge — return the number of steps."
        raise CheckFailed(f"{call} returned {result!r}; {converges}",
                          diagnosis=f"your function returned {result!r}; {converges}")
    found = to_float_array(result, f"The result of {call}")
    if found.size != 1 or found.reshape(-1)[0] != expected:
        got = describe_number(float(found.reshape(-1)[0])) if found.size == 1 else "a list"
        off_by_one = found.size == 1 and abs(found.reshape(-1)[0] - expected) == 1
        hint = (" Off by one: count the steps taken, and stop at the first |x| < tol."
                if off_by_one else "")
        raise CheckFailed(f"{call} returned {got}, which is not the smallest number of "
                          f"steps that brings |x| below tol.{hint}",
                          diagnosis=("the count is off by one: count the steps taken, and stop "
                                     "at the first |x| < tol." if off_by_one else None))


@judged
def check_iterations_needed(iterations_needed: Any, hidden: bool = False) -> None:
    """Smallest T with |x_T| < tol, or None when the run never gets there."""
    run_asking_cases(lambda case: _ask_iterations(iterations_needed, case), _decide_iterations,
                     hidden, "ps01.iterations_needed", ITERATION_CASES_VISIBLE, ITERATIONS_ADVICE)
    passed("iterations_needed is right" + (" on unseen cases." if hidden else "."))
