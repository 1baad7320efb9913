"""Mistakes in the learning-rate range test (ps03): the exponential lrs, the debiased moving
average of the losses, the stopping rule, and the suggestion.

Each model computes exactly what the mistaken code returns, next to the correct computation it
perturbs (`lrcore.range_test`). An lr list or a smoothing is recognised when it follows the
model's (`same_pattern`, rtol 1e-4); a range test when its record (lrs and smoothed losses,
with or without the stopping step: a second slip does not hide the first) equals the model's
(rtol 1e-4); a suggestion when one model explains every answer. Leaving the stopping step out of
the record is itself a mistake (`stopping_step_left_out`): the task records that step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from lrchecks.diagnosis.batch_size.scaling import AnswersMistake
from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL, Mistake, explanations, models, switched
from lrchecks.values import arrays_match, same_pattern
from lrcore import range_test

__all__ = ["ValuesMistake", "RangeTestMistake", "EXPONENTIAL_LRS", "SMOOTHING", "RANGE_TEST",
           "SUGGESTION", "EXPONENTIAL_LRS_MISTAKES", "SMOOTHING_MISTAKES", "RANGE_TEST_MISTAKES",
           "SUGGESTION_MISTAKES", "EXPONENTIAL_EXPLANATIONS", "SMOOTHING_EXPLANATIONS",
           "RANGE_EXPLANATIONS", "SUGGESTION_EXPLANATIONS", "range_test_variant",
           "matches_record"]


@dataclass(frozen=True)
class ValuesMistake(Mistake):
    """A mistake that returns an array: recognised when the student's follows the model's
    (`same_pattern`, rtol 1e-4) — and the model differs from `expected`, when that is given."""

    def fits(self, student: np.ndarray, modelled: np.ndarray | None,
             expected: np.ndarray | None = None) -> bool:
        if modelled is None or (expected is not None and arrays_match(modelled, expected)):
            return False
        return same_pattern(student, modelled, DIAGNOSIS_RTOL)

    def model_or_none(self, *args: Any) -> np.ndarray | None:
        """What the model computes, or None where the mistaken code would raise itself
        (swapped weights divide by 1 − 1 = 0 when β = 0)."""
        try:
            return self.model(*args)
        except ArithmeticError:
            return None


EXPONENTIAL_LRS: tuple[ValuesMistake, ...] = (
    # evenly spaced lrs instead of evenly spaced exponents
    ValuesMistake("linear_spacing", "Your lrs are evenly spaced (np.linspace); they should grow by "
                  "the same factor at every step: start_lr · (end_lr / start_lr) ** (i / "
                  "(num_iters − 1)).", lambda s, e, n: np.linspace(s, e, n)),
    # fastai's i/n: the last lr stops one ratio short of end_lr
    ValuesMistake("endpoint_excluded", "Your last lr stops one factor short of end_lr (exponent "
                  "i / num_iters): the exponent is i / (num_iters − 1), so the last lr is end_lr.",
                  lambda s, e, n: s * (e / s) ** (np.arange(n) / n)),
    # the exponents themselves (np.linspace(log10 s, log10 e, n)), not 10**exponents
    ValuesMistake("exponents_not_lrs", "You returned the exponents (log10 of the lrs); return the "
                  "lrs themselves, 10 ** exponent.",
                  lambda s, e, n: np.linspace(math.log10(s), math.log10(e), n)),
)


def _ema(losses: np.ndarray, beta: float, debias: bool, swapped: bool) -> np.ndarray:
    out = np.empty(losses.size)
    average = 0.0
    keep, take = (1.0 - beta, beta) if swapped else (beta, 1.0 - beta)
    with np.errstate(all="ignore"):
        for i, loss in enumerate(losses.tolist()):
            average = keep * average + take * loss
            out[i] = average / (1.0 - keep ** (i + 1)) if debias else average
    return out


SMOOTHING: tuple[ValuesMistake, ...] = (
    # the plain EMA: starts near 0 (at (1−β)·loss_0) and climbs for ~1/(1−β) steps
    ValuesMistake("not_debiased", 'Your average is not debiased (it starts near '
                                  '0 and creeps up): divide the moving average '
                                  'of step i by 1 − β ** (i + 1).',
                  lambda losses, beta: _ema(losses, beta, debias=False, swapped=False)),
    # β and 1 − β swapped: the average follows each new loss and barely smooths
    ValuesMistake("weights_swapped", "β and 1 − β are swapped: the average keeps β of the old "
                  "value and adds (1 − β) of the new loss, avg = β·avg + (1 − β)·loss.",
                  lambda losses, beta: _ema(losses, beta, debias=True, swapped=True)),
    # the running mean of all losses so far (every loss weighs the same)
    ValuesMistake("running_mean", "That is the plain mean of all losses so far; use the "
                  "exponential moving average avg = β·avg + (1 − β)·loss, debiased by "
                  "1 − β ** (i + 1).",
                  lambda losses, beta: np.cumsum(losses) / np.arange(1, losses.size + 1)),
)


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
    record_stop: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(lrs, smoothed) that a range test with the named choices records. `lrs`: "exponential"
    or a name of EXPONENTIAL_LRS; `smoothing`: "debiased" or a name of SMOOTHING; `stop`:
    "best" (correct), "never", "first" (diverge_factor × the first smoothed loss), "raw" (the raw
    loss against diverge_factor × the best raw loss); `record_stop`: whether the step the test
    stops on is recorded (correct) or left out."""
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
            if not record_stop:
                return np.array(recorded[:-1]), np.asarray(smoothed[:-1], dtype=float)
            break
    return np.array(recorded), np.asarray(smoothed, dtype=float)


def matches_record(lrs: np.ndarray, smoothed: np.ndarray, ref_lrs: np.ndarray,
                   ref_smoothed: np.ndarray, rtol: float = 1e-5) -> bool:
    """Whether a range test's record (lrs, smoothed losses) equals another within `rtol`."""
    return arrays_match(lrs, ref_lrs, rtol) and arrays_match(smoothed, ref_smoothed, rtol)


@dataclass(frozen=True)
class RangeTestMistake(Mistake):
    """A mistaken range test: `model(train_step, start_lr, end_lr, num_iters, beta,
    diverge_factor) -> (lrs, smoothed)`; recognised when the student's record equals the
    model's, with or without the stopping step (rtol 1e-4)."""

    def fits(self, lrs: np.ndarray, smoothed: np.ndarray, train_step: Callable[[float], Any],
             settings: dict[str, Any]) -> bool:
        model_lrs, model_smoothed = self.model(
            train_step, settings["start_lr"], settings["end_lr"], settings["num_iters"],
            settings["beta"], settings["diverge_factor"])
        return any(cut > 0 and matches_record(lrs, smoothed, model_lrs[:cut],
                                              model_smoothed[:cut], DIAGNOSIS_RTOL)
                   for cut in (model_lrs.size, model_lrs.size - 1))


_range = switched(RangeTestMistake, range_test_variant)
"""A range test with the chosen piece wrong: `range_test_variant(…, **choices)`."""


RANGE_TEST: tuple[RangeTestMistake, ...] = (
    _range("stopping_step_left_out", "Your record leaves out the step on which the test stops: "
           "record that step too (its lr and its smoothed loss), then take no more steps.",
           record_stop=False),
    _range("never_stops", "Your test never stops early: stop at the first step whose smoothed "
           "loss exceeds diverge_factor × the best (lowest) smoothed loss so far.", stop="never"),
    _range("stops_against_first_loss", "Your test compares the smoothed loss with "
           "diverge_factor × the first loss; compare it with diverge_factor × the best (lowest) "
           "smoothed loss so far.", stop="first"),
    _range("stops_on_raw_loss", 'Your test stops on the raw loss: stop when the '
                                'smoothed loss exceeds diverge_factor × the '
                                'best smoothed loss (one raw loss is noisy).', stop="raw"),
    _range("not_debiased", 'Your smoothed losses are not debiased: divide the '
                           'moving average of step i by 1 − β ** (i + 1), since '
                           'it starts at 0.', smoothing="not_debiased"),
    _range("weights_swapped", "β and 1 − β are swapped in the moving average: avg = β·avg + "
           "(1 − β)·loss.", smoothing="weights_swapped"),
    _range("linear_spacing", "Your lrs are evenly spaced; in a range test they grow "
           "exponentially: start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)).",
           lrs="linear_spacing"),
    _range("endpoint_excluded", "Your lrs stop one factor short of end_lr: the exponent is i / "
           "(num_iters − 1).", lrs="endpoint_excluded"),
)

SUGGESTION: tuple[AnswersMistake, ...] = (
    # the lr at the minimum itself: the loss is about to blow up there
    AnswersMistake("at_minimum", "That is the lr at the minimum of the loss; the suggestion is ten "
                   "times smaller (min / 10): at the minimum the loss is already about to blow "
                   "up.", lambda lrs, losses: float(lrs[int(np.argmin(losses))])),
    AnswersMistake("times_ten", "That is ten times the lr at the minimum; the suggestion divides "
                   "it by 10.", lambda lrs, losses: float(lrs[int(np.argmin(losses))] * 10)),
    # the minimum loss / 10: a loss, not an lr
    AnswersMistake("loss_not_lr", "That is the minimum loss / 10 — a loss, not a learning rate: "
                   "return the lr at which the smoothed loss is lowest, divided by 10.",
                   lambda lrs, losses: float(np.min(losses) / 10)),
    # the last lr tried / 10
    AnswersMistake("last_lr", "That is the last lr / 10; take the lr at the minimum of the "
                   "smoothed loss.", lambda lrs, losses: float(lrs[-1] / 10)),
    # the steepest-descent suggestion (fastai's other one), where min/10 was asked
    AnswersMistake("steepest", "That is the steepest-descent suggestion; this task asks for the lr "
                   "at the minimum of the smoothed loss divided by 10.",
                   lambda lrs, losses: range_test.steepest_lr(lrs, losses, skip_start=0)),
)

EXPONENTIAL_LRS_MISTAKES: dict[str, Callable[[float, float, int], np.ndarray]] = models(
    EXPONENTIAL_LRS)
SMOOTHING_MISTAKES: dict[str, Callable[[np.ndarray, float], np.ndarray]] = models(SMOOTHING)
RANGE_TEST_MISTAKES: dict[str, dict[str, Any]] = {
    # `_range` builds every model as a partial of range_test_variant
    mistake.name: dict(cast(functools.partial[Any], mistake.model).keywords)
    for mistake in RANGE_TEST}
"""Options of `range_test_variant` that reproduce each mistaken range test."""
SUGGESTION_MISTAKES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = models(SUGGESTION)
EXPONENTIAL_EXPLANATIONS = explanations(EXPONENTIAL_LRS)
SMOOTHING_EXPLANATIONS = explanations(SMOOTHING)
RANGE_EXPLANATIONS = explanations(RANGE_TEST)
SUGGESTION_EXPLANATIONS = explanations(SUGGESTION)
