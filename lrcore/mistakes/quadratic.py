"""Usual mistakes in gradient descent on f(x) = a·x², modelled in float64.

Each model takes `lr_at(t)` (the lr the correct run uses at step t), the number of iterations,
x0 and a, and returns the `(x_history, lr_history)` the mistaken code would produce. The
correct run is x_{t+1} = x_t − lr_t·2a·x_t with x_history[i] = x after step i+1.

>>> import numpy as np
>>> runs = quadratic_mistake_trajectories(lambda t: 0.1, 3, 10.0)
>>> np.round(runs["sign_flipped"][0], 6)
array([12.  , 14.4 , 17.28])
>>> np.round(runs["missing_zero_grad"][0], 6)
array([ 8.  ,  4.4 , -0.08])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

LrAt = Callable[[int], float]
Trajectory = tuple[np.ndarray, np.ndarray]

__all__ = ["QUADRATIC_MISTAKES", "quadratic_mistake_trajectories"]


def _run(
    update: Callable[[float, float, int], float], lr_at: LrAt, n: int, x0: float
) -> Trajectory:
    xs, lrs = np.empty(n), np.empty(n)
    x = float(x0)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n):
            lr = lr_at(t)
            x = update(x, lr, t)
            xs[t], lrs[t] = x, lr
    return xs, lrs


def sign_flipped(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x ← x + lr·2a·x: gradient *ascent*."""
    return _run(lambda x, lr, _t: x + lr * 2 * a * x, lr_at, n, x0)


def gradient_without_factor_two(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x ← x − lr·a·x: the derivative of a·x² taken as a·x instead of 2a·x."""
    return _run(lambda x, lr, _t: x - lr * a * x, lr_at, n, x0)


def lr_multiplies_x(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x ← lr·x − 2a·x: the lr multiplied into x instead of into the gradient."""
    return _run(lambda x, lr, _t: lr * x - 2 * a * x, lr_at, n, x0)


def one_step_too_many(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """n+1 updates (e.g. `range(num_iterations + 1)`); histories of length n+1."""
    return _run(lambda x, lr, _t: x - lr * 2 * a * x, lr_at, n + 1, x0)


def one_step_too_few(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """n−1 updates (e.g. `range(1, num_iterations)`); histories of length n−1."""
    return _run(lambda x, lr, _t: x - lr * 2 * a * x, lr_at, max(n - 1, 0), x0)


def history_before_step(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x recorded before each update: [x0, x1, …, x_{n−1}] instead of [x1, …, x_n]."""
    xs, lrs = _run(lambda x, lr, _t: x - lr * 2 * a * x, lr_at, n, x0)
    return np.concatenate(([float(x0)], xs[:-1])) if n else xs, lrs


def missing_zero_grad(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """`optimizer.zero_grad()` forgotten: torch adds each new gradient to the old ones, so step t
    uses g_t = Σ_{k≤t} 2a·x_k."""
    accumulated = 0.0

    def update(x: float, lr: float, _t: int) -> float:
        nonlocal accumulated
        accumulated += 2 * a * x
        return x - lr * accumulated

    return _run(update, lr_at, n, x0)


def integer_x(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x kept in an integer array (`np.array(500)` updated in place): every step truncates
    toward zero."""
    return _run(lambda x, lr, _t: float(math.trunc(x - lr * 2 * a * x)), lr_at, n, math.trunc(x0))


def integer_history(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """x right but stored in an integer array (`np.zeros_like(x0)` or `np.full(n, x0)` with an
    integer x0): every recorded value is truncated toward zero."""
    xs, lrs = _run(lambda x, lr, _t: x - lr * 2 * a * x, lr_at, n, x0)
    with np.errstate(invalid="ignore"):
        return np.trunc(xs), lrs


def scheduler_stepped_first(lr_at: LrAt, n: int, x0: float, a: float = 1.0) -> Trajectory:
    """`scheduler.step()` called before `optimizer.step()`: step t uses lr_{t+1}, the first value
    of the schedule is skipped."""
    return _run(lambda x, lr, _t: x - lr * 2 * a * x, lambda t: lr_at(t + 1), n, x0)


QUADRATIC_MISTAKES: dict[str, Callable[[LrAt, int, float, float], Trajectory]] = {
    "sign_flipped": sign_flipped,
    "gradient_without_factor_two": gradient_without_factor_two,
    "lr_multiplies_x": lr_multiplies_x,
    "one_step_too_many": one_step_too_many,
    "one_step_too_few": one_step_too_few,
    "history_before_step": history_before_step,
    "missing_zero_grad": missing_zero_grad,
    "integer_x": integer_x,
    "integer_history": integer_history,
    "scheduler_stepped_first": scheduler_stepped_first,
}
"""Every modelled mistake by name, in the order the diagnosis tries them."""


def quadratic_mistake_trajectories(
    lr_at: LrAt, n: int, x0: float, a: float = 1.0
) -> dict[str, Trajectory]:
    """The `(x_history, lr_history)` of every modelled mistake for one run."""
    return {name: model(lr_at, n, x0, a) for name, model in QUADRATIC_MISTAKES.items()}
