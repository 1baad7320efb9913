"""ps03 §5: the pieces of a learning-rate range test — exponentially spaced lrs and the
debiased moving average of the losses."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import Shown, call_student, format_call, require_own_function
from lrchecks.diagnosis.batch_size import EXPONENTIAL_LRS, SMOOTHING
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, first_mismatch, to_float_array
from lrcore import range_test

__all__ = ["EXPONENTIAL_CASES_VISIBLE", "check_exponential_lrs", "check_smooth_losses"]

EXPONENTIAL_CASES_VISIBLE = ((1e-7, 10.0, 100), (1e-3, 1.0, 4))
EXPONENTIAL_ADVICE = ("the lrs differ from start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)) "
                      "for i = 0 … num_iters − 1 (end_lr may be below start_lr).")


def _read_exponential(params: Any) -> tuple[float, float, int]:
    """Hidden params [start_lr, end_lr, num_iters]."""
    start, end, n = params
    return start, end, n


def _ask_exponential(exponential_lrs: Any, case: tuple[float, float, int]) -> np.ndarray:
    """The student's lrs of one case, as a flat array."""
    start, end, n = case
    call = format_call("exponential_lrs", (start, end, n), {})
    return to_float_array(call_student(exponential_lrs, "exponential_lrs", start, end, n),
                          f"The result of {call}").reshape(-1)


def _decide_exponential(case: tuple[float, float, int], student: np.ndarray) -> None:
    """The student's lrs of one case against lrcore's, the mistake named."""
    start, end, n = case
    call = format_call("exponential_lrs", (start, end, n), {})
    expected = range_test.exponential_lrs(start, end, n)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    raise_first_fitting(EXPONENTIAL_LRS, lambda mistake: mistake.fits(
        student, mistake.model(start, end, n)), f"{call} is not right.")
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} lrs; it should return {n}.",
                          diagnosis="the result should hold num_iters lrs.")
    assert mismatch.student is not None and mismatch.expected is not None
    raise CheckFailed(f"{call}: lr number {mismatch.index} is "
                      f"{describe_number(mismatch.student)}, it should be "
                      f"{describe_number(mismatch.expected)}.")


@judged
def check_exponential_lrs(exponential_lrs: Any, hidden: bool = False) -> None:
    """start_lr · (end_lr/start_lr)^(i/(num_iters − 1)) for i = 0 … num_iters − 1."""
    require_own_function(exponential_lrs, "exponential_lrs")
    run_asking_cases(lambda case: _ask_exponential(exponential_lrs, case), _decide_exponential,
                     hidden, "ps03.exponential_lrs", EXPONENTIAL_CASES_VISIBLE,
                     EXPONENTIAL_ADVICE, _read_exponential)
    passed("exponential_lrs spaces the lrs evenly on a log scale, from start_lr to end_lr"
           + (" (unseen ranges too)." if hidden else "."))


# --- smoothing ------------------------------------------------------------------------------

def _losses_visible() -> list[tuple[list[float], float | None]]:
    noisy = (2.3 + 0.2 * np.random.default_rng(0).standard_normal(30)).round(3).tolist()
    return [([2.0, 1.0, 3.0, 0.5, 0.5], 0.9), (noisy, None)]


SMOOTHING_ADVICE = ("the values differ from the debiased moving average: avg = β·avg + "
                    "(1 − β)·loss, divided by 1 − β ** (i + 1), with the β given (0.98 only by "
                    "default).")


def _read_smoothing(params: Any) -> tuple[list[float], float | None]:
    """Hidden params [losses, β or None for the default]."""
    losses, beta = params
    return list(losses), beta


def _smoothing_call(losses: list[float], beta: float | None) -> tuple[str, dict[str, float]]:
    """The call as a message shows it, and its keyword arguments."""
    kwargs = {} if beta is None else {"beta": beta}
    shown = losses if len(losses) <= 6 else Shown(f"<{len(losses)} losses>")
    return format_call("smooth_losses", (shown,), kwargs), kwargs


def _ask_smoothing(smooth_losses: Any, case: tuple[list[float], float | None]) -> np.ndarray:
    """The student's smoothed losses of one case, as a flat array."""
    losses, beta = case
    call, kwargs = _smoothing_call(losses, beta)
    result = call_student(smooth_losses, "smooth_losses", list(losses), **kwargs)
    return to_float_array(result, f"The result of {call}").reshape(-1)


def _decide_smoothing(case: tuple[list[float], float | None], student: np.ndarray) -> None:
    """The student's smoothed losses of one case against lrcore's, the mistake named."""
    losses, beta = case
    call, _ = _smoothing_call(losses, beta)
    used_beta = range_test.BETA if beta is None else beta
    expected = range_test.smooth_losses(losses, used_beta)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    values = np.asarray(losses, dtype=np.float64)
    raise_first_fitting(SMOOTHING, lambda mistake: mistake.fits(
        student, mistake.model_or_none(values, used_beta), expected), f"{call} is not right.")
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} values; it should return one "
                          f"per loss ({len(losses)}).",
                          diagnosis="the result should hold one value per loss.")
    assert mismatch.student is not None and mismatch.expected is not None
    raise CheckFailed(f"{call}: value {mismatch.index} is {describe_number(mismatch.student)}"
                      f", it should be {describe_number(mismatch.expected)}.")


@judged
def check_smooth_losses(smooth_losses: Any, hidden: bool = False) -> None:
    """The debiased EMA: a_i = β·a_{i−1} + (1 − β)·loss_i, smoothed_i = a_i / (1 − β^(i+1))."""
    require_own_function(smooth_losses, "smooth_losses")
    run_asking_cases(lambda case: _ask_smoothing(smooth_losses, case), _decide_smoothing, hidden,
                     "ps03.smooth_losses", _losses_visible(), SMOOTHING_ADVICE, _read_smoothing)
    passed("smooth_losses is the debiased exponential moving average"
           + (" (unseen β and losses too)." if hidden else "."))
