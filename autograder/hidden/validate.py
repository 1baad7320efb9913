"""Other numerical paths a correct student may take, for validating hidden cases.

A pooled case is kept only if every path below agrees with the reference within the tolerance
the check applies (`lrchecks.values.DEFAULT_RTOL`): a correct answer computed another way —
float32 torch instead of float64 numpy, or the reverse — must never fail a hidden case.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lrchecks.values import DEFAULT_ATOL, DEFAULT_RTOL, arrays_match

__all__ = ["matches", "leaves_float32_range", "descent_float32", "regression_float64"]


def matches(values: object, reference: object, rtol: float = DEFAULT_RTOL,
            atol: float = DEFAULT_ATOL) -> bool:
    """Whether `values` would pass a check comparing with `reference` (same shape, within
    |v − r| ≤ atol + rtol·|r|)."""
    return arrays_match(np.asarray(values, dtype=np.float64),
                        np.asarray(reference, dtype=np.float64), rtol, atol)


FLOAT32_LIMIT = 1e30
"""The largest magnitude a pooled run may reach: float32 (about 3.4e38) holds it with room."""


def leaves_float32_range(values: object) -> bool:
    """Whether a reference run is not finite or exceeds FLOAT32_LIMIT somewhere: a student's
    float32 code could not follow it, so the case is not pooled."""
    array = np.asarray(values, dtype=np.float64)
    return bool(not np.all(np.isfinite(array)) or np.max(np.abs(array)) > FLOAT32_LIMIT)


def descent_float32(lrs: Sequence[float], start: object, curvature: object,
                    kicks: object = None) -> np.ndarray:
    """Gradient descent on Σ a·x² in float32 torch, by hand: x ← x − lr_t·(2a·x + ξ_t), one
    step per learning rate in `lrs`; the points after every step, as float64.

    `start` and `curvature` are a number each (x²) or one per coordinate (a valley); `kicks`,
    the gradient noise ξ_t (one row per step, optionally one column per run), is 0 when left
    out. Torch equivalent of `lrcore.quadratic.gradient_descent`,
    `lrcore.noisy_gradient.noisy_descent` and `lrcore.curvature.descent_2d`, in the precision
    students' torch code runs in."""
    import torch

    a = torch.tensor(curvature, dtype=torch.float32)
    x = torch.tensor(start, dtype=torch.float32)
    noise = None if kicks is None else torch.tensor(kicks, dtype=torch.float32)
    if noise is not None:
        x = x.expand(noise.shape[1:]).clone()  # every run starts at x0
    history = []
    for step, lr in enumerate(lrs):
        gradient = 2 * a * x if noise is None else 2 * a * x + noise[step]
        x = x - lr * gradient
        history.append(x)
    return torch.stack(history).double().numpy()


def regression_float64(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> np.ndarray:
    """Full-batch gradient descent on the MSE of y ≈ w·x + b from w = b = 0, in float64 numpy;
    the loss of each epoch before its update (what `lrcore.regression.train_linear_regression`
    computes in float32 torch)."""
    x = np.asarray(X, dtype=np.float64).reshape(-1)
    target = np.asarray(y, dtype=np.float64).reshape(-1)
    w = b = 0.0
    losses = []
    for _ in range(epochs):
        error = w * x + b - target
        losses.append(float(np.mean(error**2)))
        w -= lr * 2 * float(np.mean(error * x))
        b -= lr * 2 * float(np.mean(error))
    return np.asarray(losses)
