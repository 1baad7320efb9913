"""Mistakes in the linear-regression training loop of `lrcore.regression` (ps01's sweep).

Each model returns the list of losses the mistaken loop would report, in float32 torch like the
reference (the correct loop records the loss computed before each epoch's update); a curve is
recognised when it follows the model's (`same_pattern`, rtol 1e-4). `train_line_variant` is the
loop with the usual slips as switches, shared with ps05's sweep (`lrchecks.diagnosis.optim`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lrchecks.diagnosis.mistake import Mistake, explanations, models
from lrchecks.values import same_pattern
from lrcore.regression import column_tensors, train_linear_regression, zeroed_line

__all__ = ["CurveMistake", "REGRESSION", "REGRESSION_MISTAKES",
           "REGRESSION_MISTAKE_EXPLANATIONS", "LOSS_AFTER_UPDATE", "BROADCAST_EXPLANATION",
           "regression_mistake_losses",
           "train_line_variant"]


def train_line_variant(
    X: ArrayLike, y: ArrayLike, optimizer: str, options: Mapping[str, Any], lr: float,
    epochs: int, *, reduction: str = "mean", zero_grad: bool = True,
    record_after_step: bool = False, broadcast: bool = False,
) -> list[float]:
    """The losses of full-batch training of ŷ = w·x + b from w = b = 0 with
    `torch.optim.<optimizer>(lr=lr, **options)`, in float32 torch — with the loss reduced by
    `reduction`, `optimizer.zero_grad()` left out (`zero_grad=False`) or the loss recorded
    after `optimizer.step()` (`record_after_step`: one epoch late), or the (n,) predictions
    compared with the (n, 1) targets (`broadcast`: the loss averages an n×n table)."""
    import warnings

    import torch

    features, targets = column_tensors(X, y)
    model = zeroed_line()
    trainer = getattr(torch.optim, optimizer)(model.parameters(), lr=lr, **options)
    losses = []
    for _ in range(epochs + record_after_step):
        if zero_grad:
            trainer.zero_grad()
        predictions = model(features).squeeze(-1) if broadcast else model(features)
        with warnings.catch_warnings():  # torch warns that the shapes broadcast
            warnings.simplefilter("ignore")
            loss = torch.nn.functional.mse_loss(predictions, targets, reduction=reduction)
        loss.backward()
        trainer.step()
        losses.append(loss.item())
    return losses[1:] if record_after_step else losses


def loss_after_update(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """The loss recorded after `optimizer.step()` (recomputed): the curve starts one epoch late."""
    return train_linear_regression(X, y, lr, epochs + 1)[1:]


def sum_instead_of_mean(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """The squared errors summed instead of averaged: the gradient is n times larger."""
    return train_line_variant(X, y, "SGD", {}, lr, epochs, reduction="sum")


def missing_zero_grad(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """`optimizer.zero_grad()` forgotten: gradients accumulate across epochs."""
    return train_line_variant(X, y, "SGD", {}, lr, epochs, zero_grad=False)


def prediction_broadcast(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """`model(X).squeeze()` against targets of shape (n, 1): the loss broadcasts to n×n."""
    return train_line_variant(X, y, "SGD", {}, lr, epochs, broadcast=True)


BROADCAST_EXPLANATION = ("Your predictions have shape (n,) and the targets (n, 1), so the loss "
                         "broadcasts to an n×n table: give both the same shape, (n, 1).")
"""The shape mistake of the regression, for ps01's loop and ps05's sweep alike."""


@dataclass(frozen=True)
class CurveMistake(Mistake):
    """A mistake that draws a loss curve: recognised when the student's losses follow the
    model's (`same_pattern`, rtol 1e-4)."""

    def fits(self, student: np.ndarray, modelled: Any) -> bool:
        return same_pattern(student, np.asarray(modelled))


LOSS_AFTER_UPDATE = CurveMistake(
    "loss_after_update", "Your curve starts one epoch late: record the loss computed before "
    "optimizer.step(), in the same iteration.", loss_after_update)

REGRESSION: tuple[CurveMistake, ...] = (
    LOSS_AFTER_UPDATE,
    CurveMistake("sum_instead_of_mean", "The loss looks summed over the samples instead of "
                 "averaged: use the mean squared error (F.mse_loss or ((pred - y)**2).mean()).",
                 sum_instead_of_mean),
    CurveMistake("missing_zero_grad", "The gradients accumulate across epochs: call "
                 "optimizer.zero_grad() before loss.backward() in every epoch.",
                 missing_zero_grad),
    CurveMistake("prediction_broadcast", BROADCAST_EXPLANATION, prediction_broadcast),
)
"""The linear-regression loop's modelled mistakes, in the order the diagnosis tries them."""

REGRESSION_MISTAKES: dict[str, Callable[[np.ndarray, np.ndarray, float, int], list[float]]] = (
    models(REGRESSION))
REGRESSION_MISTAKE_EXPLANATIONS: dict[str, str] = explanations(REGRESSION)


def regression_mistake_losses(
    X: np.ndarray, y: np.ndarray, lr: float, epochs: int
) -> dict[str, list[float]]:
    """The losses every modelled mistake would report for one run."""
    return {mistake.name: mistake.model(X, y, lr, epochs) for mistake in REGRESSION}
