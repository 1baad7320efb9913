"""Schedules given by a user function of the step: LambdaLR and MultiplicativeLR.

The user function is arbitrary Python, so it is called once per step (in step order), as
torch calls it; everything around it is vectorised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .base import FloatArray, IntArray, ProductSchedule, Schedule, check_lr

__all__ = ["lambda_lr", "multiplicative_lr"]

LrLambda = Callable[[int], float]


def _single_lambda(lr_lambda: LrLambda | Sequence[LrLambda]) -> LrLambda:
    """torch accepts one function or one per param group; lrcore has a single group."""
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != 1:
            raise ValueError(f"Expected 1 lr_lambdas, but got {len(lr_lambda)}")
        return lr_lambda[0]
    return lr_lambda  # type: ignore[return-value]


class _LambdaLR(Schedule):
    def __init__(self, lr: float, lr_lambda: LrLambda | Sequence[LrLambda]) -> None:
        super().__init__("lambda_lr", {"lr": lr, "lr_lambda": lr_lambda})
        self.lr = check_lr(lr)
        self.lr_lambda = _single_lambda(lr_lambda)
        if not callable(self.lr_lambda):
            # torch fails in its constructor, calling the lambda for step 0.
            raise TypeError(f"'{type(self.lr_lambda).__name__}' object is not callable")

    @property
    def initial_lr(self) -> float:
        return self.lr

    def _factors_of(self, steps: Iterable[int], count: int) -> FloatArray:
        # float(λ(t)) then lr·factor in float64 is exactly torch's Python lr * λ(t).
        return self.lr * np.fromiter(map(self.lr_lambda, steps), np.float64, count)

    def _at(self, steps: IntArray) -> FloatArray:
        unique, where = np.unique(steps, return_inverse=True)
        return self._factors_of(unique.tolist(), len(unique))[where.reshape(steps.shape)]

    def _prefix(self, n: int) -> FloatArray:
        return self._factors_of(range(n), n)


def lambda_lr(lr: float, lr_lambda: LrLambda | Sequence[LrLambda]) -> Schedule:
    """lr times a user factor of the step.

    Formula: s(t) = lr·λ(t) — the factor multiplies the *base* lr (not the previous lr),
    so λ(0) = 1 keeps lr at step 0.

    Torch equivalent: `torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=λ)`.

    Args:
        lr: the base learning rate, ≥ 0.
        lr_lambda: λ(t) → factor, called with Python ints once per step (in step order for
            `values`); a list/tuple of one function is accepted as torch does for one param
            group. A non-callable is a TypeError (torch fails in its constructor too).

    >>> lambda_lr(lr=0.5, lr_lambda=lambda t: 1 / (t + 1)).values(4).tolist()
    [0.5, 0.25, 0.16666666666666666, 0.125]
    """
    return _LambdaLR(lr, lr_lambda)


class _MultiplicativeLR(ProductSchedule):
    def __init__(self, lr: float, lr_lambda: LrLambda | Sequence[LrLambda]) -> None:
        function = _single_lambda(lr_lambda)
        if not callable(function):
            raise TypeError(f"lr_lambda should be a function, but got {type(function).__name__}")
        super().__init__("multiplicative_lr", {"lr": lr, "lr_lambda": lr_lambda}, check_lr(lr))
        self.lr_lambda = function

    def _factors(self, steps: IntArray) -> FloatArray:
        return np.fromiter(map(self.lr_lambda, steps.tolist()), np.float64, len(steps))

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        # torch's MultiplicativeLR has no closed form: when SequentialLR switches to it, it
        # multiplies the optimizer's *current* lr (the previous scheduler's) by λ(0).
        return previous_lr() * float(self.lr_lambda(0))


def multiplicative_lr(lr: float, lr_lambda: LrLambda | Sequence[LrLambda]) -> ProductSchedule:
    """Multiply the previous lr by a user factor of the step.

    Formula: s(0) = lr, s(t) = s(t−1)·λ(t) = lr·λ(1)·λ(2)·…·λ(t) (λ(0) is never used
    standalone), multiplied in that order as torch does.

    Torch equivalent: `torch.optim.lr_scheduler.MultiplicativeLR(opt, lr_lambda=λ)`.

    Args:
        lr: the base learning rate, ≥ 0.
        lr_lambda: λ(t) → factor, called with Python ints for t = 1, 2, … (a list/tuple of
            one function is accepted). A non-callable is a TypeError (as torch).

    Inside `sequential_lr` (not first), torch has no closed form for it: at its milestone m
    it continues from the previous scheduler's lr, s(m) = s(m−1)·λ(0). lrcore does the same.

    >>> multiplicative_lr(lr=1.0, lr_lambda=lambda t: 0.5 if t % 2 else 1.0).values(5).tolist()
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    return _MultiplicativeLR(lr, lr_lambda)
