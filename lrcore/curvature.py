"""What the curvature of a loss does to the learning rate: one lr for two directions.

On the valley f(x, y) = a_x·x² + a_y·y² gradient descent moves each coordinate by its own
factor,

    x_{t+1} = x_t·(1 − 2a_x·lr),        y_{t+1} = y_t·(1 − 2a_y·lr),

so the run converges iff lr < 1/max(a_x, a_y): the *steepest* direction sets the largest
stable lr. At such an lr the flattest direction shrinks by only |1 − 2·a_min·lr| per step,
although on its own it would land on the minimum in one step with lr = 1/(2·a_min).

Any quadratic f(w) = ½·wᵀHw (Hessian H, here diag(2a_x, 2a_y)) behaves the same way along the
eigenvectors of H: gradient descent is stable iff lr < 2/λ_max(H) (`largest_stable_lr`), and
the flattest eigen-direction crawls with factor 1 − lr·λ_min. The mean squared error of a line
ŷ = w·x + b is such a quadratic (`least_squares_hessian`).

Torch equivalent of `descent_2d`::

    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    for _ in range(num_iterations):
        opt.zero_grad(); (torch.tensor(curvatures) * w ** 2).sum().backward(); opt.step()

>>> descent_2d(0.25, 2, (8.0, 8.0), (1.0, 0.5))
array([[4. , 6. ],
       [2. , 4.5]])
>>> largest_stable_lr(np.diag([2.0, 0.02]))
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lrcore.arguments import integer_at_least

__all__ = ["descent_2d", "largest_stable_lr", "valley_hessian", "least_squares_hessian"]


def _pair(name: str, values: Sequence[float] | np.ndarray) -> np.ndarray:
    pair = np.asarray(values, dtype=np.float64)
    if pair.shape != (2,) or not np.all(np.isfinite(pair)):
        raise ValueError(f"{name} must be two finite numbers (x, y), got {values!r}")
    return pair


def descent_2d(lr: float, num_iterations: int, start: Sequence[float] | np.ndarray,
               curvatures: Sequence[float] | np.ndarray) -> np.ndarray:
    """Gradient descent on f(x, y) = a_x·x² + a_y·y² with a constant lr, in float64: the point
    (x, y) after each step, one row per step (shape (num_iterations, 2)).

    >>> descent_2d(0.9, 3, (1.0, 1.0), (1.0, 0.01)).round(5)
    array([[-0.8    ,  0.982  ],
           [ 0.64   ,  0.96432],
           [-0.512  ,  0.94697]])
    """
    integer_at_least("num_iterations", num_iterations, 0)
    point, a = _pair("start", start), _pair("curvatures", curvatures)
    history = np.empty((num_iterations, 2), dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(num_iterations):
            point = point - lr * (2.0 * a * point)
            history[step] = point
    return history


def largest_stable_lr(hessian: np.ndarray) -> float:
    """2/λ_max(H): gradient descent on f(w) = ½·wᵀHw converges for every start iff
    0 < lr < 2/λ_max (H symmetric positive definite).

    >>> largest_stable_lr(valley_hessian((4.0, 1.0)))
    0.25
    """
    matrix = np.asarray(hessian, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"the Hessian must be a square matrix, got shape {matrix.shape}")
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    if eigenvalues[0] <= 0:
        raise ValueError("the Hessian must be positive definite (a bowl, not a saddle)")
    return float(2.0 / eigenvalues[-1])


def valley_hessian(curvatures: Sequence[float] | np.ndarray) -> np.ndarray:
    """The Hessian of f(x, y) = a_x·x² + a_y·y²: diag(2a_x, 2a_y).

    >>> valley_hessian((1.0, 0.01)).tolist()
    [[2.0, 0.0], [0.0, 0.02]]
    """
    return np.diag(2.0 * _pair("curvatures", curvatures))


def least_squares_hessian(X: np.ndarray) -> np.ndarray:
    """The Hessian of the mean squared error of ŷ = w·x + b in (w, b): (2/n)·AᵀA with the rows
    of A = [x, 1] — it does not depend on y or on the current (w, b).

    >>> least_squares_hessian(np.array([[0.0], [1.0]])).tolist()
    [[1.0, 1.0], [1.0, 2.0]]
    """
    features = np.asarray(X, dtype=np.float64).reshape(-1)
    design = np.stack([features, np.ones_like(features)], axis=1)
    return 2.0 * design.T @ design / features.size
