"""Mistakes in gradient descent on f(x) = a·x² (ps01's runs, ps02's runs with a scheduler).

Each model takes `lr_at(t)` (the lr the correct run uses at step t), the number of iterations,
x0 and a, and returns the `(x_history, lr_history)` the mistaken code would produce, in float64.
The correct run is x_{t+1} = x_t − lr_t·2a·x_t with x_history[i] = x after step i+1. A run is
recognised as a mistake when its x history follows the model's (`same_pattern`, rtol 1e-4) —
and, for `scheduler_stepped_first`, its lr history too.

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
from dataclasses import dataclass

import numpy as np

from lrchecks.diagnosis.mistake import (
    DIAGNOSIS_RTOL,
    Mistake,
    explanations,
    first_fitting_explanation,
    models,
)
from lrchecks.values import DEFAULT_ATOL, arrays_match, same_pattern

__all__ = ["RunMistake", "QUADRATIC", "QUADRATIC_MISTAKES", "MISTAKE_EXPLANATIONS",
           "SIGNED_X", "SIGNED_X_RESCUE", "quadratic_mistake_trajectories", "diagnose_run"]

LrAt = Callable[[int], float]
Trajectory = tuple[np.ndarray, np.ndarray]


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


@dataclass(frozen=True)
class RunMistake(Mistake):
    """A mistake of an x² run: `model(lr_at, n, x0, a) -> (x_history, lr_history)`; recognised
    when the student's x history follows the model's (and the lr history, if `compares_lrs`)."""

    compares_lrs: bool = False

    def fits(self, student_x: np.ndarray, student_lrs: np.ndarray | None, lr_at: LrAt, n: int,
             x0: float, a: float) -> bool:
        mistaken_x, mistaken_lrs = self.model(lr_at, n, x0, a)
        if not same_pattern(student_x, mistaken_x, DIAGNOSIS_RTOL):
            return False
        return student_lrs is None or not self.compares_lrs or arrays_match(
            student_lrs, mistaken_lrs, DIAGNOSIS_RTOL, DEFAULT_ATOL)


QUADRATIC: tuple[RunMistake, ...] = (
    RunMistake("sign_flipped", "It looks like the gradient's sign is flipped (x ← x + lr·f'(x)): "
               "gradient descent subtracts the gradient, x ← x − lr·f'(x).", sign_flipped),
    RunMistake("gradient_without_factor_two", 'Your steps are half as long as '
                                              'they should be: the derivative '
                                              "of a·x² is 2a·x, not f'(x) = a·x.",
               gradient_without_factor_two),
    RunMistake("lr_multiplies_x", "It looks like the learning rate multiplies x instead of the "
               "gradient (x ← lr·x − f'(x)); the update is x ← x − lr·f'(x).", lr_multiplies_x),
    RunMistake("one_step_too_many", "It looks like the loop runs one step too many: check that it "
               "runs exactly num_iterations times (range(num_iterations)).", one_step_too_many),
    RunMistake("one_step_too_few", "It looks like the loop runs one step too few: check that it "
               "runs exactly num_iterations times (range(num_iterations)).", one_step_too_few),
    RunMistake("history_before_step", 'Your history is shifted by one step (it '
                                      'starts with x0 and misses the last '
                                      'value): record x after the update, not '
                                      'before it.',
               history_before_step),
    RunMistake("missing_zero_grad", 'The steps grow because the gradients '
                                    'accumulate in x.grad: call '
                                    'optimizer.zero_grad() before '
                                    'loss.backward() in each iteration.', missing_zero_grad),
    RunMistake("integer_x", 'Your values are whole numbers (x is kept as an '
                            'integer, so every update is truncated): start from '
                            'float(x0).', integer_x),
    RunMistake("integer_history", 'Your values are whole numbers because the '
                                  'history is an integer array (from an integer '
                                  'x0): use dtype=float.', integer_history),
    RunMistake("scheduler_stepped_first", "Your learning rates are one step ahead: it looks like "
               "scheduler.step() is called before optimizer.step(), which skips the schedule's "
               "first value.", scheduler_stepped_first, compares_lrs=True),
)
"""Every modelled mistake of an x² run, in the order the diagnosis tries them."""

QUADRATIC_MISTAKES: dict[str, Callable[[LrAt, int, float, float], Trajectory]] = models(QUADRATIC)
MISTAKE_EXPLANATIONS: dict[str, str] = explanations(QUADRATIC)

SIGNED_X = Mistake("signed_x", "It shows x, not |x|: a log axis cannot show the negative values, "
                   "plot np.abs(x).", np.asarray)
"""ps01's figure of |x| drawn with x itself (the model: the run's x history, signs kept)."""
SIGNED_X_RESCUE = Mistake("signed_x", "It shows x, not |x|: a log axis cannot show negative "
                          "values, plot np.abs(x).", np.asarray)
"""The same mistake on ps02's rescue figure, as that figure words it."""


def quadratic_mistake_trajectories(
    lr_at: LrAt, n: int, x0: float, a: float = 1.0
) -> dict[str, Trajectory]:
    """The `(x_history, lr_history)` of every modelled mistake for one run."""
    return {mistake.name: mistake.model(lr_at, n, x0, a) for mistake in QUADRATIC}


def diagnose_run(
    student_x: np.ndarray,
    lr_at: LrAt,
    num_iterations: int,
    x0: float,
    a: float = 1.0,
    student_lrs: np.ndarray | None = None,
) -> str | None:
    """The explanation of the first modelled mistake whose x history (and lrs, when given)
    equals the student's; None when no model fits."""
    return first_fitting_explanation(QUADRATIC, lambda mistake: mistake.fits(
        student_x, student_lrs, lr_at, num_iterations, x0, a))
