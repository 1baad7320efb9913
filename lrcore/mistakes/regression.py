"""Usual mistakes in the linear-regression training loop of `lrcore.regression`.

Each model returns the list of losses the mistaken loop would report, in float32 torch like the
reference. The correct loop records the loss computed before each epoch's update.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lrcore.regression import train_linear_regression

__all__ = ["REGRESSION_MISTAKES", "regression_mistake_losses"]


def _train_variant(
    X: np.ndarray, y: np.ndarray, lr: float, epochs: int, reduction: str, zero_grad: bool
) -> list[float]:
    import torch

    features = torch.as_tensor(np.asarray(X, dtype=np.float32)).reshape(-1, 1)
    targets = torch.as_tensor(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        if zero_grad:
            optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(features), targets, reduction=reduction)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def loss_after_update(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """The loss recorded after `optimizer.step()` (recomputed): the curve starts one epoch late."""
    return train_linear_regression(X, y, lr, epochs + 1)[1:]


def sum_instead_of_mean(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """The squared errors summed instead of averaged: the gradient is n times larger."""
    return _train_variant(X, y, lr, epochs, reduction="sum", zero_grad=True)


def missing_zero_grad(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    """`optimizer.zero_grad()` forgotten: gradients accumulate across epochs."""
    return _train_variant(X, y, lr, epochs, reduction="mean", zero_grad=False)


REGRESSION_MISTAKES: dict[str, Callable[[np.ndarray, np.ndarray, float, int], list[float]]] = {
    "loss_after_update": loss_after_update,
    "sum_instead_of_mean": sum_instead_of_mean,
    "missing_zero_grad": missing_zero_grad,
}


def regression_mistake_losses(
    X: np.ndarray, y: np.ndarray, lr: float, epochs: int
) -> dict[str, list[float]]:
    """The losses every modelled mistake would report for one run."""
    return {name: model(X, y, lr, epochs) for name, model in REGRESSION_MISTAKES.items()}
