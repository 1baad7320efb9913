"""Checks of gradient-descent runs on f(x) = a·x², with diagnosis of the usual mistakes.

Used by ps01 (constant learning rate) and ps02 (schedules). The reference is `lrcore.quadratic`;
the models of the mistakes are `lrcore.mistakes.quadratic`; the words are here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrchecks.report import CheckFailed
from lrchecks.values import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    Mismatch,
    arrays_match,
    describe_number,
    first_mismatch,
    same_pattern,
)
from lrcore.mistakes.quadratic import QUADRATIC_MISTAKES

__all__ = ["MISTAKE_EXPLANATIONS", "diagnose_run", "compare_run"]

MISTAKE_EXPLANATIONS: dict[str, str] = {
    "sign_flipped": "It looks like the gradient's sign is flipped (x ← x + lr·f'(x)): gradient "
    "descent subtracts the gradient, x ← x − lr·f'(x).",
    "gradient_without_factor_two": "Your steps are half as long as they should be: it looks like "
    "you used f'(x) = a·x. The derivative of a·x² is 2a·x.",
    "lr_multiplies_x": "It looks like the learning rate multiplies x instead of the gradient "
    "(x ← lr·x − f'(x)); the update is x ← x − lr·f'(x).",
    "one_step_too_many": "It looks like the loop runs one step too many: check that it runs "
    "exactly num_iterations times (range(num_iterations)).",
    "one_step_too_few": "It looks like the loop runs one step too few: check that it runs "
    "exactly num_iterations times (range(num_iterations)).",
    "history_before_step": "Your history is shifted by one step: it starts with x0 and misses "
    "the last value. Record x after the update, not before it.",
    "missing_zero_grad": "The steps grow because the gradients accumulate: torch adds every new "
    "gradient to x.grad, so call optimizer.zero_grad() before loss.backward() in each iteration.",
    "integer_x": "Your values are whole numbers: x is kept as an integer, so every update is "
    "truncated. Start from float(x0).",
    "integer_history": "Your values are whole numbers: the history is stored in an integer array "
    "(np.zeros_like(x0) or np.full(n, x0) with an integer x0). Use dtype=float.",
    "scheduler_stepped_first": "Your learning rates are one step ahead: it looks like "
    "scheduler.step() is called before optimizer.step(), which skips the schedule's first value.",
}

DIAGNOSIS_RTOL = 1e-4
"""Looser than the grading tolerance: a diagnosis only has to recognise a pattern."""


def diagnose_run(
    student_x: np.ndarray,
    lr_at: Callable[[int], float],
    num_iterations: int,
    x0: float,
    a: float = 1.0,
    student_lrs: np.ndarray | None = None,
) -> str | None:
    """The explanation of the first modelled mistake whose x history (and lrs, when given)
    equals the student's; None when no model fits."""
    for name, model in QUADRATIC_MISTAKES.items():
        mistaken_x, mistaken_lrs = model(lr_at, num_iterations, x0, a)
        if not same_pattern(student_x, mistaken_x, DIAGNOSIS_RTOL):
            continue
        if student_lrs is not None and name == "scheduler_stepped_first" and not arrays_match(
            student_lrs, mistaken_lrs, DIAGNOSIS_RTOL, DEFAULT_ATOL
        ):
            continue
        return MISTAKE_EXPLANATIONS[name]
    return None


def _mismatch_sentence(what: str, mismatch: Mismatch) -> str:
    if mismatch.shape_differs:
        return (f"{what} has {_count(mismatch.student_shape)} values; it should have "
                f"{_count(mismatch.expected_shape)} (one per iteration).")
    assert mismatch.student is not None and mismatch.expected is not None
    if np.isnan(mismatch.student):
        return f"{what} contains NaN at step {mismatch.index + 1}."
    return (f"{what} differs at step {mismatch.index + 1}: you have "
            f"{describe_number(mismatch.student)}, it should be "
            f"{describe_number(mismatch.expected)}.")


def _count(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "a single value instead of a list of"


def compare_run(
    call: str,
    student_x: np.ndarray,
    expected_x: np.ndarray,
    lr_at: Callable[[int], float],
    num_iterations: int,
    x0: float,
    a: float = 1.0,
    student_lrs: np.ndarray | None = None,
    expected_lrs: np.ndarray | None = None,
    rtol: float = DEFAULT_RTOL,
) -> None:
    """Raise `CheckFailed` with a diagnosis unless the student's run equals the reference."""
    x_mismatch = first_mismatch(student_x, expected_x, rtol)
    lr_mismatch = (
        first_mismatch(student_lrs, expected_lrs, rtol)
        if student_lrs is not None and expected_lrs is not None
        else None
    )
    if x_mismatch is None and lr_mismatch is None:
        return
    diagnosis = diagnose_run(student_x, lr_at, num_iterations, x0, a, student_lrs)
    if x_mismatch is not None:
        sentence = _mismatch_sentence(f"For {call}, x_history", x_mismatch)
    else:
        assert lr_mismatch is not None
        sentence = _mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
    raise CheckFailed(f"{sentence} {diagnosis}" if diagnosis else sentence, diagnosis=diagnosis)
