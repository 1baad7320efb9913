"""Mistakes in ps05's regression trained by each optimiser (`lrcore.optimizer_sweep`).

Each model trains the regression the mistaken way in float32 torch (`train_line_variant`) and
returns its loss curve; a curve is recognised when it follows the model's (`same_pattern`,
rtol 1e-4). Using another optimiser of the sweep by mistake is recognised from the other
optimisers' curves, by the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from numpy.typing import ArrayLike

from lrchecks.diagnosis.mistake import explanations
from lrchecks.diagnosis.regression import (
    BROADCAST_EXPLANATION,
    LOSS_AFTER_UPDATE,
    CurveMistake,
    train_line_variant,
)

__all__ = ["SweepCurveMistake", "SWEEP", "REGRESSION_EXPLANATIONS",
           "regression_optimizer_mistakes"]


@dataclass(frozen=True)
class SweepCurveMistake(CurveMistake):
    """A slip in training the regression with one optimiser of the sweep:
    `model(X, y, optimizer, lr, epochs) -> losses`; `only_for` names the one optimiser it can
    happen with (None: any)."""

    only_for: str | None = None

    def applies_to(self, optimizer: str) -> bool:
        return self.only_for is None or optimizer.lower() == self.only_for


def _after_update(X: ArrayLike, y: ArrayLike, optimizer: str, lr: float,
                  epochs: int) -> list[float]:
    from lrcore.optimizer_sweep import SWEEP_OPTIMIZERS

    class_name, options = SWEEP_OPTIMIZERS[optimizer.lower()]
    return train_line_variant(X, y, class_name, dict(options), lr, epochs,
                              record_after_step=True)


def _broadcast(X: ArrayLike, y: ArrayLike, optimizer: str, lr: float,
               epochs: int) -> list[float]:
    from lrcore.optimizer_sweep import SWEEP_OPTIMIZERS

    class_name, options = SWEEP_OPTIMIZERS[optimizer.lower()]
    return train_line_variant(X, y, class_name, dict(options), lr, epochs, broadcast=True)


SWEEP: tuple[SweepCurveMistake, ...] = (
    # the loss recorded after `optimizer.step()` (one epoch late)
    SweepCurveMistake(LOSS_AFTER_UPDATE.name, LOSS_AFTER_UPDATE.explanation, _after_update),
    # α = 0.9, Keras' default ρ, instead of torch's 0.99
    SweepCurveMistake(
        "keras_rmsprop_rho", "This is RMSprop with alpha=0.9 (Keras' ρ); torch's default, which "
        "the sweep uses, is alpha=0.99 — pass only lr.",
        lambda X, y, optimizer, lr, epochs: train_line_variant(X, y, "RMSprop", {"alpha": 0.9},
                                                               lr, epochs),
        only_for="rmsprop"),
    # SGD(momentum=0.9, nesterov=True)
    SweepCurveMistake(
        "nesterov", "This is Nesterov momentum; the sweep's 'momentum' is plain "
        "SGD(momentum=0.9).",
        lambda X, y, optimizer, lr, epochs: train_line_variant(
            X, y, "SGD", {"momentum": 0.9, "nesterov": True}, lr, epochs),
        only_for="momentum"),
    # `model(X).squeeze()` against targets of shape (n, 1): the loss broadcasts to n×n
    SweepCurveMistake("prediction_broadcast", BROADCAST_EXPLANATION, _broadcast),
)
"""The usual slips of `train_regression`, in the order a diagnosis tries them."""

REGRESSION_EXPLANATIONS = explanations(SWEEP)


def regression_optimizer_mistakes(
    X: ArrayLike, y: ArrayLike, optimizer: str, lr: float, epochs: int
) -> dict[str, list[float]]:
    """The loss curves of the usual slips in `lrcore.optimizer_sweep.train_regression` with
    `optimizer`: the loss recorded after `optimizer.step()` (one epoch late); for rmsprop,
    Keras' α = 0.9; for momentum, Nesterov's; and (n,) predictions against (n, 1) targets."""
    return {mistake.name: mistake.model(X, y, optimizer, lr, epochs) for mistake in SWEEP
            if mistake.applies_to(optimizer)}
