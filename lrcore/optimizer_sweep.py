"""The one-feature regression of `lrcore.regression`, trained by each optimiser in turn.

The data, the model ŷ = w·x + b (from w = b = 0), the full-batch MSE and the loop are those of
`lrcore.regression.train_linear_regression`; only the optimiser changes. `SWEEP_OPTIMIZERS`
names the five of the course:

=========  ===============================================  ====================================
name       torch                                            what scales the step of a coordinate
=========  ===============================================  ====================================
sgd        ``torch.optim.SGD(params, lr)``                  nothing: lr·g
momentum   ``torch.optim.SGD(params, lr, momentum=0.9)``    the running sum of past gradients
adagrad    ``torch.optim.Adagrad(params, lr)``              1/√(sum of all past g²)
rmsprop    ``torch.optim.RMSprop(params, lr)``              1/√(running mean of g², α = 0.99)
adam       ``torch.optim.Adam(params, lr)``                 m̂/√v̂: about lr·sign(g) per step
=========  ===============================================  ====================================

`losses[i]` is the MSE of epoch i, computed before that epoch's `optimizer.step()`, in float32
torch like `lrcore.regression`. `float64_losses` computes the same curve in float64 with
`lrcore.optim.run` (torch's exact update rules in numpy): the two agree to ~4e-6 relative on
the course's sweep, which is why graders compare with a relative tolerance of 1e-5.

>>> X, y = linear_regression_data()
>>> curves = optimizer_lr_sweep(epochs=100)
>>> sorted(curves)[:2], len(curves["adam"][0.001])
(['adagrad', 'adam'], 100)
>>> round(curves["adam"][0.001][-1], 3), round(curves["adam"][0.1][-1], 4)  # lr 0.001 crawls
(4.09, 0.0116)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np

from lrcore.regression import SWEEP_LRS, full_batch_losses, linear_regression_data, zeroed_line

__all__ = [
    "SWEEP_OPTIMIZERS",
    "SWEEP_LRS",
    "torch_optimizer",
    "train_regression",
    "float64_losses",
    "optimizer_lr_sweep",
]

SWEEP_OPTIMIZERS: Mapping[str, tuple[str, Mapping[str, Any]]] = MappingProxyType({
    "sgd": ("SGD", MappingProxyType({})),
    "momentum": ("SGD", MappingProxyType({"momentum": 0.9})),
    "adagrad": ("Adagrad", MappingProxyType({})),
    "rmsprop": ("RMSprop", MappingProxyType({})),
    "adam": ("Adam", MappingProxyType({})),
})
"""name → (torch.optim class name, its options besides lr); every other option is torch's
default."""


def _optimizer_entry(name: str) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(name, str) or name.lower() not in SWEEP_OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; valid names are "
                         f"{', '.join(SWEEP_OPTIMIZERS)}")
    return SWEEP_OPTIMIZERS[name.lower()]


def _checked_lr(lr: float) -> float:
    lr = float(lr)
    if not math.isfinite(lr) or lr < 0:
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
    return lr


def torch_optimizer(name: str, parameters: Any, lr: float) -> Any:
    """The torch optimiser called `name` in `SWEEP_OPTIMIZERS`, on `parameters`, with `lr`.

    >>> import torch
    >>> torch_optimizer("momentum", [torch.zeros(1, requires_grad=True)], 0.1).defaults["momentum"]
    0.9
    """
    import torch

    class_name, options = _optimizer_entry(name)
    return getattr(torch.optim, class_name)(parameters, lr=_checked_lr(lr), **options)


def train_regression(
    X: np.ndarray, y: np.ndarray, optimizer: str, lr: float, epochs: int = 100
) -> list[float]:
    """Full-batch training of ŷ = w·x + b from w = b = 0 with one of `SWEEP_OPTIMIZERS`; the
    MSE of each epoch, computed before that epoch's update (float32 torch).

    Torch equivalent::

        model = torch.nn.Linear(1, 1); zero its weight and bias
        opt = torch.optim.Adam(model.parameters(), lr=lr)      # or SGD, Adagrad, …
        for _ in range(epochs):
            opt.zero_grad(); loss = F.mse_loss(model(X), y); loss.backward(); opt.step()
            losses.append(loss.item())
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    features = np.ascontiguousarray(X, dtype=np.float32).reshape(-1, 1)
    targets = np.ascontiguousarray(y, dtype=np.float32).reshape(-1, 1)
    if features.shape != targets.shape:
        raise ValueError(f"X and y must hold the same number of samples, got "
                         f"{features.shape[0]} and {targets.shape[0]}")
    return list(_train(features.tobytes(), targets.tobytes(), optimizer.lower(), _checked_lr(lr),
                       epochs))


@lru_cache(maxsize=256)
def _train(features: bytes, targets: bytes, optimizer: str, lr: float,
           epochs: int) -> tuple[float, ...]:
    import torch

    X = torch.frombuffer(bytearray(features), dtype=torch.float32).reshape(-1, 1)
    y = torch.frombuffer(bytearray(targets), dtype=torch.float32).reshape(-1, 1)
    model = zeroed_line()
    opt = torch_optimizer(optimizer, model.parameters(), lr)
    return tuple(full_batch_losses(model, opt, X, y, epochs))


def float64_losses(
    X: np.ndarray, y: np.ndarray, optimizer: str, lr: float, epochs: int = 100
) -> np.ndarray:
    """The same curve in float64 numpy, from `lrcore.optim.run` on the MSE's gradient
    (∂L/∂w = 2·mean(e·x), ∂L/∂b = 2·mean(e), e = w·x + b − y).

    >>> X, y = linear_regression_data()
    >>> a = float64_losses(X, y, "rmsprop", 0.01, 50)
    >>> b = np.array(train_regression(X, y, "rmsprop", 0.01, 50))
    >>> bool(np.allclose(a, b, rtol=1e-5))
    True
    """
    from lrcore import optim

    class_name, options = _optimizer_entry(optimizer)
    x = np.asarray(X, dtype=np.float64).ravel()
    t = np.asarray(y, dtype=np.float64).ravel()

    def gradient(parameters: np.ndarray) -> np.ndarray:
        w, b = parameters
        error = w * x + b - t
        return np.array([2.0 * np.mean(error * x), 2.0 * np.mean(error)])

    trajectory = optim.run(class_name.lower(), [0.0, 0.0], gradient, epochs, _checked_lr(lr),
                           **options)
    before_each_step = np.vstack([np.zeros((1, 2)), trajectory[:-1]])[:epochs]
    w, b = before_each_step[:, :1], before_each_step[:, 1:]
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean((w * x + b - t) ** 2, axis=1)


def optimizer_lr_sweep(
    optimizers: tuple[str, ...] = tuple(SWEEP_OPTIMIZERS),
    lrs: tuple[float, ...] = SWEEP_LRS,
    epochs: int = 100,
    seed: int = 0,
) -> dict[str, dict[float, list[float]]]:
    """optimiser → lr → loss curve (`train_regression`) on the course's data (`seed`)."""
    X, y = linear_regression_data(seed=seed)
    return {name: {lr: train_regression(X, y, name, lr, epochs) for lr in lrs}
            for name in optimizers}
