"""Usual mistakes with batch-size scaling, warmup and the learning-rate range test.

Each model computes exactly what the mistaken code would return, next to the correct
computation it perturbs (`lrcore.batch_size`, `lrcore.range_test`, `lrcore.digits`), so that
the grader can recognise a wrong answer and name the mistake.

>>> LINEAR_SCALING_MISTAKES["inverted"](0.1, 512, 256)  # batch/base the wrong way round
0.05
>>> [WARMUP_MISTAKES["starts_at_zero"](t, 0.4, 4) for t in range(5)]
[0.0, 0.1, 0.2, 0.30000000000000004, 0.4]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lrcore import range_test
from lrcore.digits import N_TRAIN, steps_per_epoch

__all__ = [
    "LINEAR_SCALING_MISTAKES",
    "SQRT_SCALING_MISTAKES",
    "WARMUP_MISTAKES",
    "EXPONENTIAL_LRS_MISTAKES",
    "SMOOTHING_MISTAKES",
    "RANGE_TEST_MISTAKES",
    "SUGGESTION_MISTAKES",
    "SWEEP_MISTAKES",
    "range_test_variant",
]

ScalingRule = Callable[[float, float, float], float]

# --- scaling rules: rule(base_lr, batch_size, base_batch_size) ------------------------------

LINEAR_SCALING_MISTAKES: dict[str, ScalingRule] = {
    # base/batch instead of batch/base: larger batches get smaller lrs
    "inverted": lambda lr, b, b0: lr * b0 / b,
    # `batch_size // base_batch_size`: 0 below the base batch, steps of the base above it
    "integer_division": lambda lr, b, b0: lr * (b // b0),
    # the square-root rule where the linear one was asked
    "square_root_rule": lambda lr, b, b0: lr * math.sqrt(b / b0),
    # base_batch_size hard-coded to 256, whatever is passed
    "base_batch_ignored": lambda lr, b, b0: lr * b / 256,
}

SQRT_SCALING_MISTAKES: dict[str, ScalingRule] = {
    # the root of the lr times the ratio: sqrt(lr)·b/b0
    "sqrt_of_lr": lambda lr, b, b0: math.sqrt(lr) * b / b0,
    # the root of the whole product: sqrt(lr·b/b0)
    "sqrt_of_product": lambda lr, b, b0: math.sqrt(lr * b / b0),
    "inverted": lambda lr, b, b0: lr * math.sqrt(b0 / b),
    "linear_rule": lambda lr, b, b0: lr * b / b0,
    "integer_division": lambda lr, b, b0: lr * math.sqrt(b // b0),
    "base_batch_ignored": lambda lr, b, b0: lr * math.sqrt(b / 256),
}

# --- gradual warmup: warmup_lr(step, target_lr, warmup_steps) -------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


WARMUP_MISTAKES: dict[str, Callable[[int, float, int], float]] = {
    # target·t/k: step 0 has lr 0 (a wasted step) and the ramp reaches the target one step late
    "starts_at_zero": lambda t, lr, k: lr * min(1.0, _ratio(t, k)) if k else lr,
    # target·(t+1)/(k+1): one step too many in the ramp
    "one_step_late": lambda t, lr, k: lr * min(1.0, (t + 1) / (k + 1)),
    # `if step <= warmup_steps` with (t+1)/k: step k overshoots to target·(k+1)/k
    "overshoots_at_the_end": lambda t, lr, k: lr * _ratio(t + 1, k) if t <= k else lr,
    # (t+1)/k without the cap: the lr keeps growing after the warmup
    "never_stops_growing": lambda t, lr, k: lr * _ratio(t + 1, k),
}

# --- the range test -------------------------------------------------------------------------

EXPONENTIAL_LRS_MISTAKES: dict[str, Callable[[float, float, int], np.ndarray]] = {
    # evenly spaced lrs instead of evenly spaced exponents
    "linear_spacing": lambda s, e, n: np.linspace(s, e, n),
    # fastai's i/n: the last lr stops one ratio short of end_lr
    "endpoint_excluded": lambda s, e, n: s * (e / s) ** (np.arange(n) / n),
    # the exponents themselves (np.linspace(log10 s, log10 e, n)), not 10**exponents
    "exponents_not_lrs": lambda s, e, n: np.linspace(math.log10(s), math.log10(e), n),
}


def _ema(losses: np.ndarray, beta: float, debias: bool, swapped: bool) -> np.ndarray:
    out = np.empty(losses.size)
    average = 0.0
    keep, take = (1.0 - beta, beta) if swapped else (beta, 1.0 - beta)
    with np.errstate(all="ignore"):
        for i, loss in enumerate(losses.tolist()):
            average = keep * average + take * loss
            out[i] = average / (1.0 - keep ** (i + 1)) if debias else average
    return out


SMOOTHING_MISTAKES: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    # the plain EMA: starts near 0 (at (1−β)·loss_0) and climbs for ~1/(1−β) steps
    "not_debiased": lambda losses, beta: _ema(losses, beta, debias=False, swapped=False),
    # β and 1 − β swapped: the average follows each new loss and barely smooths
    "weights_swapped": lambda losses, beta: _ema(losses, beta, debias=True, swapped=True),
    # the running mean of all losses so far (every loss weighs the same)
    "running_mean": lambda losses, beta: np.cumsum(losses) / np.arange(1, losses.size + 1),
}


def range_test_variant(
    train_step: Callable[[float], Any],
    start_lr: float,
    end_lr: float,
    num_iters: int,
    beta: float,
    diverge_factor: float,
    *,
    lrs: str = "exponential",
    smoothing: str = "debiased",
    stop: str = "best",
) -> tuple[np.ndarray, np.ndarray]:
    """(lrs, smoothed) that a range test with the named choices records, the stopping step
    included. `lrs`: "exponential" or a key of EXPONENTIAL_LRS_MISTAKES; `smoothing`:
    "debiased" or a key of SMOOTHING_MISTAKES; `stop`: "best" (correct), "never", "first"
    (diverge_factor × the first smoothed loss), "raw" (the raw loss against
    diverge_factor × the best raw loss)."""
    if lrs == "exponential":
        rates = range_test.exponential_lrs(start_lr, end_lr, num_iters)
    else:
        rates = EXPONENTIAL_LRS_MISTAKES[lrs](start_lr, end_lr, num_iters)
    raw: list[float] = []
    recorded: list[float] = []
    smoothed = np.empty(0)
    for lr in np.asarray(rates, dtype=float).tolist():
        raw.append(float(train_step(lr)))
        losses = np.array(raw)
        if smoothing == "debiased":
            smoothed = range_test.smooth_losses(losses, beta)
        else:
            smoothed = SMOOTHING_MISTAKES[smoothing](losses, beta)
        recorded.append(lr)
        value = float(smoothed[-1])
        if stop == "never":
            continue
        if stop == "first":
            reference = float(smoothed[0])
        elif stop == "raw":
            value, reference = raw[-1], min(raw)
        else:
            reference = float(np.min(smoothed))
        if not math.isfinite(value) or value > diverge_factor * reference:
            break
    return np.array(recorded), np.asarray(smoothed, dtype=float)


RANGE_TEST_MISTAKES: dict[str, dict[str, str]] = {
    "never_stops": {"stop": "never"},
    "stops_against_first_loss": {"stop": "first"},
    "stops_on_raw_loss": {"stop": "raw"},
    "not_debiased": {"smoothing": "not_debiased"},
    "weights_swapped": {"smoothing": "weights_swapped"},
    "linear_spacing": {"lrs": "linear_spacing"},
    "endpoint_excluded": {"lrs": "endpoint_excluded"},
}
"""Options of `range_test_variant` that reproduce each mistaken range test."""

SUGGESTION_MISTAKES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    # the lr at the minimum itself: the loss is about to blow up there
    "at_minimum": lambda lrs, losses: float(lrs[int(np.argmin(losses))]),
    "times_ten": lambda lrs, losses: float(lrs[int(np.argmin(losses))] * 10),
    # the minimum loss / 10: a loss, not an lr
    "loss_not_lr": lambda lrs, losses: float(np.min(losses) / 10),
    # the last lr tried / 10
    "last_lr": lambda lrs, losses: float(lrs[-1] / 10),
    # the steepest-descent suggestion (fastai's other one), where min/10 was asked
    "steepest": lambda lrs, losses: range_test.steepest_lr(lrs, losses, skip_start=0),
}

# --- the batch-size sweep -------------------------------------------------------------------

SweepSettings = Callable[[int, Any, float, float, int], tuple[float, int]]


def _lr(rule: Any, base_lr: float, batch: int, base_batch: int) -> float:
    return base_lr if rule is None else float(rule(base_lr, batch, base_batch))


SWEEP_MISTAKES: dict[str, SweepSettings] = {
    # (batch, rule, base_lr, base_batch, warmup_epochs) -> (lr, warmup_steps) given to train
    "rule_not_applied": lambda b, rule, lr, b0, w: (lr, int(round(w * steps_per_epoch(b)))),
    "batch_and_base_swapped": lambda b, rule, lr, b0, w: (
        _lr(rule, lr, b0, b), int(round(w * steps_per_epoch(b)))),
    "warmup_in_epochs": lambda b, rule, lr, b0, w: (_lr(rule, lr, b, b0), int(round(w))),
    "warmup_floor_steps": lambda b, rule, lr, b0, w: (
        _lr(rule, lr, b, b0), int(round(w * (N_TRAIN // b)))),
    "warmup_of_base_batch": lambda b, rule, lr, b0, w: (
        _lr(rule, lr, b, b0), int(round(w * steps_per_epoch(b0)))),
}
"""What each mistaken sweep passes to `train` for one batch size: (lr, warmup_steps)."""
