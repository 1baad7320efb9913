"""Mistakes with batch-size scaling rules, gradual warmup and the batch-size sweep (ps03).

Each model computes exactly what the mistaken code returns, next to the correct computation it
perturbs (`lrcore.batch_size`, `lrcore.digits`). A rule or a warmup is recognised when one model
explains every answer of the check's cases (rtol 1e-4); a sweep when the settings each run was
trained with — (lr in float32, warmup steps) per batch size — are the model's exactly.

>>> LINEAR_SCALING_MISTAKES["inverted"](0.1, 512, 256)  # batch/base the wrong way round
0.05
>>> [WARMUP_MISTAKES["starts_at_zero"](t, 0.4, 4) for t in range(5)]
[0.0, 0.1, 0.2, 0.30000000000000004, 0.4]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL, Mistake, explanations, models
from lrchecks.values import numbers_close
from lrcore.digits import N_TRAIN, steps_per_epoch

__all__ = ["AnswersMistake", "SweepMistake", "LINEAR_SCALING", "SQRT_SCALING", "WARMUP",
           "NO_WARMUP_DIVISION", "matches_crash",
           "SWEEP", "LINEAR_SCALING_MISTAKES", "SQRT_SCALING_MISTAKES", "WARMUP_MISTAKES",
           "SWEEP_MISTAKES", "LINEAR_EXPLANATIONS", "SQRT_EXPLANATIONS", "WARMUP_EXPLANATIONS",
           "SWEEP_EXPLANATIONS", "f32"]


@dataclass(frozen=True)
class AnswersMistake(Mistake):
    """A mistake of a function of a few numbers: recognised when its model explains every
    answer the check asked for (within rtol 1e-4)."""

    def fits(self, answers: Sequence[float], modelled: Sequence[float]) -> bool:
        return all(numbers_close(answer, model, DIAGNOSIS_RTOL)
                   for answer, model in zip(answers, modelled, strict=True))


_BASE_IGNORED = ("base_batch_size is ignored (the lr is always scaled from 256): use the "
                 "base_batch_size argument, 256 is only its default.")

# --- scaling rules: rule(base_lr, batch_size, base_batch_size) ------------------------------

LINEAR_SCALING: tuple[AnswersMistake, ...] = (
    # base/batch instead of batch/base: larger batches get smaller lrs
    AnswersMistake("inverted", 'It scales the wrong way round: a larger batch '
                               'should get a larger lr, lr = base_lr · '
                               'batch_size / base_batch_size.', lambda lr, b, b0: lr * b0 / b),
    # `batch_size // base_batch_size`: 0 below the base batch, steps of the base above it
    AnswersMistake("integer_division", 'It looks like an integer division '
                                       '(batch_size // base_batch_size), which '
                                       'gives a small batch lr 0: use / so the '
                                       'ratio can be a fraction.',
                   lambda lr, b, b0: lr * (b // b0)),
    # the square-root rule where the linear one was asked
    AnswersMistake("square_root_rule", "That is the square-root rule; the linear rule multiplies "
                   "base_lr by the ratio batch_size / base_batch_size itself.",
                   lambda lr, b, b0: lr * math.sqrt(b / b0)),
    # base_batch_size hard-coded to 256, whatever is passed
    AnswersMistake("base_batch_ignored", _BASE_IGNORED, lambda lr, b, b0: lr * b / 256),
)

SQRT_SCALING: tuple[AnswersMistake, ...] = (
    # the root of the lr times the ratio: sqrt(lr)·b/b0
    AnswersMistake("sqrt_of_lr", "The square root is applied to the lr instead of the ratio: the "
                   "rule is base_lr · √(batch_size / base_batch_size), base_lr itself is not "
                   "rooted.", lambda lr, b, b0: math.sqrt(lr) * b / b0),
    # the root of the whole product: sqrt(lr·b/b0)
    AnswersMistake("sqrt_of_product", "The square root is applied to the lr too (√(base_lr · "
                   "ratio)): only the ratio batch_size / base_batch_size goes under the root.",
                   lambda lr, b, b0: math.sqrt(lr * b / b0)),
    AnswersMistake("inverted", "It scales the wrong way round (√(base_batch_size / batch_size)): "
                   "a larger batch should get a larger lr.",
                   lambda lr, b, b0: lr * math.sqrt(b0 / b)),
    AnswersMistake("linear_rule", "That is the linear rule; the square-root rule multiplies "
                   "base_lr by √(batch_size / base_batch_size).", lambda lr, b, b0: lr * b / b0),
    AnswersMistake("integer_division", "It looks like an integer division (batch_size // "
                   "base_batch_size) under the root: use / so the ratio can be a fraction.",
                   lambda lr, b, b0: lr * math.sqrt(b // b0)),
    AnswersMistake("base_batch_ignored", _BASE_IGNORED, lambda lr, b, b0: lr * math.sqrt(b / 256)),
)

# --- gradual warmup: warmup_lr(step, target_lr, warmup_steps) -------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


WARMUP: tuple[AnswersMistake, ...] = (
    # target·t/k: step 0 has lr 0 (a wasted step) and the ramp reaches the target one step late
    AnswersMistake("starts_at_zero", 'Your warmup starts at lr 0, which wastes '
                                     'the first step: step t of the warmup uses '
                                     'target · (t + 1) / k, so step 0 uses '
                                     'target / k.',
                   lambda t, lr, k: lr * min(1.0, _ratio(t, k)) if k else lr),
    # target·(t+1)/(k+1): one step too many in the ramp
    AnswersMistake("one_step_late", "Your ramp is one step too long (target · (t + 1) / (k + 1)): "
                   "it should reach the target at step k − 1, with target · (t + 1) / k.",
                   lambda t, lr, k: lr * min(1.0, (t + 1) / (k + 1))),
    # `if step <= warmup_steps` with (t+1)/k: step k overshoots to target·(k+1)/k
    AnswersMistake("overshoots_at_the_end", "At step t = warmup_steps your lr overshoots the "
                   "target (target · (k + 1) / k): the ramp covers steps 0 … k − 1, so the test is "
                   "t < k, not t ≤ k.", lambda t, lr, k: lr * _ratio(t + 1, k) if t <= k else lr),
    # (t+1)/k without the cap: the lr keeps growing after the warmup
    AnswersMistake("never_stops_growing", "Your lr keeps growing after the warmup: from step k − 1 "
                   "on it should stay at the target (min(1, (t + 1) / k)).",
                   lambda t, lr, k: lr * _ratio(t + 1, k)),
)

NO_WARMUP_DIVISION = AnswersMistake(
    "divides_by_zero_without_warmup", "With warmup_steps = 0 there is no warmup: return "
    "target_lr.", lambda t, lr, k: lr * min(1.0, (t + 1) / k))
"""warmup_lr(t, target, 0) divides by k = 0: the formula without the case the task names. The
student's function raises ZeroDivisionError; `matches_crash` recognises it from the call."""


def matches_crash(exception_text: str, warmup_steps: int) -> bool:
    """Whether a call of warmup_lr that raised (its message `exception_text`) is
    `NO_WARMUP_DIVISION`: a ZeroDivisionError with warmup_steps = 0."""
    return warmup_steps == 0 and "ZeroDivisionError" in exception_text


# --- the batch-size sweep -------------------------------------------------------------------

Settings = dict[int, tuple[float, int]]


def f32(value: float) -> float:
    """A learning rate as the float32 torch trains with."""
    return float(np.float32(value))


def _lr(rule: Any, base_lr: float, batch: int, base_batch: int) -> float:
    return base_lr if rule is None else float(rule(base_lr, batch, base_batch))


@dataclass(frozen=True)
class SweepMistake(Mistake):
    """A mistaken sweep: `model(batch, rule, base_lr, base_batch, warmup_epochs) -> (lr,
    warmup_steps)` given to `train`; recognised when every run's settings are the model's."""

    def fits(self, settings: Settings, expected: Settings, sizes: Sequence[int], rule: Any,
             base_lr: float, base_batch: int, warmup: float) -> bool:
        modelled = {}
        for b in sizes:
            lr, steps = self.model(b, rule, base_lr, base_batch, warmup)
            modelled[b] = (f32(lr), steps)
        return modelled == settings and modelled != expected


SWEEP: tuple[SweepMistake, ...] = (
    SweepMistake("rule_not_applied", "The lr is base_lr for every batch size: scale it with "
                 "scaling_rule(base_lr, batch_size, base_batch_size).",
                 lambda b, rule, lr, b0, w: (lr, int(round(w * steps_per_epoch(b))))),
    SweepMistake("batch_and_base_swapped", "The batch size and the base batch size are swapped "
                 "in the call of the rule: scaling_rule(base_lr, batch_size, base_batch_size).",
                 lambda b, rule, lr, b0, w: (_lr(rule, lr, b0, b),
                                             int(round(w * steps_per_epoch(b))))),
    SweepMistake("warmup_in_epochs", "warmup_steps is given in epochs: train counts the warmup in "
                 "optimizer steps, so multiply warmup_epochs by the steps per epoch, ⌈N_TRAIN / "
                 "batch_size⌉.", lambda b, rule, lr, b0, w: (_lr(rule, lr, b, b0), int(round(w)))),
    SweepMistake("warmup_floor_steps", "An epoch has ⌈N_TRAIN / batch_size⌉ steps, not N_TRAIN // "
                 "batch_size: the last, smaller batch is a step too (math.ceil).",
                 lambda b, rule, lr, b0, w: (_lr(rule, lr, b, b0), int(round(w * (N_TRAIN // b))))),
    SweepMistake("warmup_of_base_batch", "The warmup steps are those of the base batch size: "
                 "count the steps per epoch of each run's own batch size.",
                 lambda b, rule, lr, b0, w: (_lr(rule, lr, b, b0),
                                             int(round(w * steps_per_epoch(b0))))),
)
"""What each mistaken sweep passes to `train` for one batch size: (lr, warmup_steps)."""

ScalingRule = Callable[[float, float, float], float]
LINEAR_SCALING_MISTAKES: dict[str, ScalingRule] = models(LINEAR_SCALING)
SQRT_SCALING_MISTAKES: dict[str, ScalingRule] = models(SQRT_SCALING)
WARMUP_MISTAKES: dict[str, Callable[[int, float, int], float]] = models(WARMUP)
SWEEP_MISTAKES: dict[str, Callable[..., tuple[float, int]]] = models(SWEEP)
LINEAR_EXPLANATIONS = explanations(LINEAR_SCALING)
SQRT_EXPLANATIONS = explanations(SQRT_SCALING)
WARMUP_EXPLANATIONS = explanations(WARMUP)
SWEEP_EXPLANATIONS = explanations(SWEEP)
