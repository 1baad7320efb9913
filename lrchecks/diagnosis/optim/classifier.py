"""Mistakes in ps05's training loop of the Gaussian-quantiles classifier.

Each model is what the mistaken loop records for one case `(lr, epochs, plateau, seed)`: a run
of `lrcore.classification.train_classifier_variant` with the slip switched on, or the reference
run's lrs shifted by an epoch. Each mistake has its own matcher (which of the history's lists
it compares, and how closely); the three scheduler slips apply only to a run with a scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks.diagnosis.mistake import Mistake, first_fitting_explanation
from lrchecks.values import arrays_match, same_pattern
from lrcore import classification

__all__ = ["ClassifierMistake", "CLASSIFIER", "VAL_LOSS_RTOL", "diagnose_classifier"]

VAL_LOSS_RTOL = 1e-4
"""Validation losses agree to rtol 1e-4 over a few epochs: an equivalent loss (sigmoid then BCE
instead of BCE-with-logits) rounds differently, and Adam carries the difference along."""

Case = tuple[float, int, Any, int]
History = dict[str, np.ndarray]


@dataclass(frozen=True)
class ClassifierMistake(Mistake):
    """`model(case, reference)` → what the mistaken loop records; `matcher(history, modelled,
    reference)` → whether the student's history is that."""

    matcher: Callable[[History, Any, Any], bool]
    with_scheduler_only: bool = False

    def fits(self, history: History, case: Case, reference: Any) -> bool:
        if self.with_scheduler_only and case[2] is None:
            return False
        return self.matcher(history, self.model(case, reference), reference)


def _variant(**slip: Any) -> Callable[[Case, Any], Any]:
    def model(case: Case, reference: Any) -> Any:
        lr, epochs, plateau, seed = case
        return classification.train_classifier_variant(lr, epochs, plateau, seed, **slip)

    return model


def _lrs_ahead(case: Case, reference: Any) -> np.ndarray:
    return np.array(reference.lrs[1:] + (reference.next_lr,))


CLASSIFIER: tuple[ClassifierMistake, ...] = (
    ClassifierMistake(
        "lrs_one_epoch_ahead", "Your lr list is one epoch ahead: record the lr an epoch trains "
        "with before its batches; the lr the scheduler returns belongs to the next epoch.",
        _lrs_ahead, with_scheduler_only=True,
        matcher=lambda history, ahead, reference: not arrays_match(
            ahead, np.array(reference.lrs), 1e-9, 0.0) and arrays_match(
            history["lr"], ahead, 1e-9, 0.0)),
    ClassifierMistake(
        "lr_not_applied", "The scheduler's lr never reaches the optimiser: after "
        "scheduler.step(...) set group['lr'] = new_lr for every group in optimizer.param_groups.",
        _variant(apply_lr=False), with_scheduler_only=True,
        matcher=lambda history, run, reference: arrays_match(
            history["val_loss"], np.array(run.val_loss), VAL_LOSS_RTOL)),
    ClassifierMistake(
        "stepped_with_accuracy", "Your scheduler is stepped with the validation accuracy; it "
        "watches a loss (mode 'min'): step it with the validation loss.",
        _variant(plateau_metric="val_accuracy"), with_scheduler_only=True,
        matcher=lambda history, run, reference: arrays_match(
            history["lr"], np.array(run.lrs), 1e-9, 0.0) and arrays_match(
            history["val_loss"], np.array(run.val_loss), VAL_LOSS_RTOL)),
    ClassifierMistake(
        "missing_zero_grad", "The gradients accumulate from batch to batch: call "
        "optimizer.zero_grad() before every backward().", _variant(zero_grad=False),
        matcher=lambda history, run, reference: same_pattern(
            history["val_loss"], np.array(run.val_loss), 1e-3)),
)
"""The training loop's modelled mistakes, in the order a diagnosis tries them."""


def diagnose_classifier(history: History, case: Case, reference: Any) -> str | None:
    """The explanation of the first modelled mistake the student's history shows."""
    return first_fitting_explanation(CLASSIFIER, lambda mistake: mistake.fits(
        history, case, reference))
