"""Checks of gradient-descent runs on f(x) = a·x², with diagnosis of the usual mistakes.

Used by ps01 (constant learning rate) and ps02 (schedules). The reference is `lrcore.quadratic`;
the mistakes — models, sentences, matchers — are `lrchecks.diagnosis.quadratic`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrchecks.diagnosis.quadratic import diagnose_run
from lrchecks.histories import run_mismatch
from lrchecks.report import CheckFailed
from lrchecks.values import DEFAULT_RTOL

__all__ = ["compare_run", "constant_lr"]


def constant_lr(lr: float) -> Callable[[int], float]:
    """lr_t of a run with a constant learning rate."""
    return lambda _t: lr


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
    sentence = run_mismatch(call, student_x, expected_x, student_lrs, expected_lrs, rtol)
    if sentence is None:
        return
    diagnosis = diagnose_run(student_x, lr_at, num_iterations, x0, a, student_lrs)
    raise CheckFailed.with_diagnosis(sentence, diagnosis)
