"""The one-feature linear-regression learning-rate sweep.

Data: X ~ U(0, 1) of shape (100, 1), y = 2·X + 1 + 0.1·ε with ε ~ N(0, 1), generated from a
seeded numpy Generator (nothing is downloaded). The model ŷ = w·x + b starts at w = b = 0 and
is trained by full-batch gradient descent on the mean squared error

    L(w, b) = mean((w·x + b − y)²),

one `torch.optim.SGD` step per epoch, in float32. `losses[i]` is the loss of epoch i, computed
before that epoch's update (the usual `loss = …; loss.backward(); opt.step()` loop).

Torch equivalent::

    model = torch.nn.Linear(1, 1)
    torch.nn.init.zeros_(model.weight); torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        opt.zero_grad(); loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward(); opt.step(); losses.append(loss.item())

>>> X, y = linear_regression_data()
>>> X.shape, y.shape, X.dtype
((100, 1), (100, 1), dtype('float32'))
>>> losses = train_linear_regression(X, y, lr=0.1, epochs=100)
>>> len(losses), round(losses[0], 4), losses[-1] < 0.1
(100, 4.7346, True)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import torch

__all__ = [
    "SWEEP_LRS",
    "linear_regression_data",
    "train_linear_regression",
    "lr_sweep",
    "column_tensors",
    "zeroed_line",
    "full_batch_losses",
]

SWEEP_LRS: tuple[float, ...] = (0.001, 0.01, 0.1, 0.5)
"""The learning rates of the course's sweep."""


def linear_regression_data(
    n_samples: int = 100, seed: int = 0, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """X ~ U(0,1) (n_samples×1) and y = 2X + 1 + noise·N(0,1), float32, from `default_rng(seed)`."""
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(n_samples, 1))
    y = 2.0 * X + 1.0 + noise * rng.standard_normal(size=(n_samples, 1))
    return X.astype(np.float32), y.astype(np.float32)


def train_linear_regression(
    X: np.ndarray, y: np.ndarray, lr: float, epochs: int = 100
) -> list[float]:
    """Full-batch SGD on the MSE of ŷ = w·x + b from w = b = 0; the loss of each epoch (see the
    module docstring for the exact loop)."""
    import torch

    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    if not math.isfinite(lr):
        raise ValueError(f"lr must be finite, got {lr!r}")
    features, targets = column_tensors(X, y)
    model = zeroed_line()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return full_batch_losses(model, optimizer, features, targets, epochs)


def column_tensors(X: ArrayLike, y: ArrayLike) -> tuple[torch.Tensor, torch.Tensor]:
    """X and y as float32 torch columns of shape (n, 1): the features and targets of the line.

    Torch equivalent: `torch.as_tensor(np.asarray(X, dtype=np.float32)).reshape(-1, 1)`.
    """
    import torch

    features = torch.as_tensor(np.asarray(X, dtype=np.float32)).reshape(-1, 1)
    targets = torch.as_tensor(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
    return features, targets


def zeroed_line() -> torch.nn.Linear:
    """The model ŷ = w·x + b with w = b = 0, in float32.

    Torch equivalent: `model = torch.nn.Linear(1, 1)`, then `model.weight.zero_()` and
    `model.bias.zero_()` under `torch.no_grad()`.
    """
    import torch

    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    return model


def full_batch_losses(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    features: torch.Tensor,
    targets: torch.Tensor,
    epochs: int,
) -> list[float]:
    """Full-batch training on L = mean((model(X) − y)²); L of each epoch, before its update.

    Torch equivalent, once per epoch: `optimizer.zero_grad()`,
    `loss = torch.nn.functional.mse_loss(model(X), y)`, `loss.backward()`, `optimizer.step()`,
    `losses.append(loss.item())`.
    """
    import torch

    losses: list[float] = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(features), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def lr_sweep(
    lrs: tuple[float, ...] = SWEEP_LRS, epochs: int = 100, seed: int = 0
) -> dict[float, list[float]]:
    """Loss curves of `train_linear_regression` for each lr, on the course's data."""
    X, y = linear_regression_data(seed=seed)
    return {lr: train_linear_regression(X, y, lr, epochs) for lr in lrs}
