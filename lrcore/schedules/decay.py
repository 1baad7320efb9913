"""Decay schedules torch computes by multiplying the current lr: constant, step, multi-step,
exponential, linear and polynomial.

Each is a `ProductSchedule`: lr_0 = lr·f_0 and lr_t = lr_{t−1}·f_t, replayed in torch's order
so that the values are bit-identical to torch's recursion (the closed forms quoted in the
docstrings agree with it to a few ulps).
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from .base import FloatArray, IntArray, ProductSchedule, check_lr, sparse_product

__all__ = [
    "constant_lr",
    "exponential_lr",
    "linear_lr",
    "multi_step_lr",
    "polynomial_lr",
    "step_lr",
]


def _integral(value: object) -> int | None:
    """`value` as an int if it is a finite whole real number (3, 3.0, True), else None."""
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)  # type: ignore[call-overload]  # typeshed's int() omits numbers.Real
    return None


def _last_active_step(total_iters: float) -> int | None:
    """The last step t ≥ 1 with t ≤ total_iters (0 when there is none, None if infinite)."""
    if not math.isfinite(total_iters):
        return None
    return max(math.floor(total_iters), 0)


class _RampSchedule(ProductSchedule):
    """A schedule whose factor changes at steps 1 ≤ t ≤ total_iters only (1 afterwards).

    f_t = `_ramp_factors(t)` for t ≤ T = `total_iters`, else 1: torch's LinearLR and
    PolynomialLR, whose `get_lr` returns the group's lr unchanged once last_epoch > T.
    Subclasses set `total_iters`.
    """

    total_iters: int

    def _horizon(self) -> int | None:
        return _last_active_step(self.total_iters)

    def _factors(self, steps: IntArray) -> FloatArray:
        out = np.ones(steps.shape, dtype=np.float64)
        active = steps <= self.total_iters
        if active.any():
            out[active] = self._ramp_factors(steps[active])
        return out

    def _ramp_factors(self, steps: IntArray) -> FloatArray:
        """The factors f_t of the active steps 1 ≤ t ≤ total_iters."""
        raise NotImplementedError


class _ConstantLR(ProductSchedule):
    def __init__(self, lr: float, factor: float, total_iters: int) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        arguments = {"lr": lr, "factor": factor, "total_iters": total_iters}
        super().__init__("constant_lr", arguments, check_lr(lr))
        self.factor = float(factor)
        self.total_iters = total_iters
        # torch undoes the factor when last_epoch == total_iters, a step t ≥ 1 only.
        restore = _integral(total_iters)
        self._restore = restore if restore is not None and restore >= 1 else None

    def _factor0(self) -> float:
        return self.factor

    def _horizon(self) -> int | None:
        return self._restore if self._restore is not None else 0

    def _factors(self, steps: IntArray) -> FloatArray:
        out = np.ones(steps.shape, dtype=np.float64)
        if self._restore is not None:
            hit = steps == self._restore
            if hit.any():
                if self.factor == 0.0:
                    raise ZeroDivisionError("float division by zero")  # torch: lr * (1.0 / 0)
                out[hit] = 1.0 / self.factor
        return out

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        return self.lr * (self.factor + (self.total_iters <= 0) * (1 - self.factor))


def constant_lr(lr: float, factor: float = 1.0 / 3, total_iters: int = 5) -> ProductSchedule:
    """lr·factor for the first `total_iters` steps, then lr.

    Formula: s(t) = lr·factor for t < total_iters, s(t) = (lr·factor)·(1/factor) ≈ lr after
    (torch multiplies the factor back out, so the restored value may differ from lr in the
    last bit — lrcore reproduces that bit).

    Torch equivalent: `torch.optim.lr_scheduler.ConstantLR(opt, factor=…, total_iters=…)`
    with `opt`'s lr = `lr`.

    Args:
        lr: the base learning rate (the optimizer's lr), ≥ 0.
        factor: the multiplier while constant, in [0, 1] (else ValueError, as torch).
            factor = 0 makes step `total_iters` raise ZeroDivisionError, as torch does.
        total_iters: the number of steps at lr·factor. torch only undoes the factor when its
            step counter *equals* total_iters, so total_iters ≤ 0 (or a non-whole number)
            keeps lr·factor forever.

    >>> s = constant_lr(lr=0.1, factor=0.5, total_iters=3)
    >>> s.values(5).tolist()
    [0.05, 0.05, 0.05, 0.1, 0.1]
    >>> constant_lr(lr=0.1, factor=0.5, total_iters=0).values(3).tolist()  # never restored
    [0.05, 0.05, 0.05]
    """
    return _ConstantLR(lr, factor, total_iters)


class _StepLR(ProductSchedule):
    def __init__(self, lr: float, step_size: int, gamma: float) -> None:
        super().__init__(
            "step_lr", {"lr": lr, "step_size": step_size, "gamma": gamma}, check_lr(lr)
        )
        self.step_size = step_size
        self.gamma = float(gamma)
        self._period = _integral(step_size)

    def _check_step_size(self) -> None:
        if self.step_size == 0:
            raise ZeroDivisionError("integer modulo by zero")  # torch: last_epoch % 0

    def _factors(self, steps: IntArray) -> FloatArray:
        if steps.size:
            self._check_step_size()
        with np.errstate(all="ignore"):
            decays = np.remainder(steps, self.step_size) == 0
        return np.where(decays, self.gamma, 1.0)

    def _at(self, steps: IntArray) -> FloatArray:
        if self._period is None or steps.size == 0:
            return super()._at(steps)
        top = int(steps.max())
        if top >= 1:
            self._check_step_size()
        if top < 1:
            return np.full(steps.shape, self.lr)
        # lr·γ·γ·…: one level per decay, looked up by ⌊t/|step_size|⌋.
        decays = steps // abs(self._period)
        levels = np.full(int(decays.max()) + 1, self.gamma)
        levels[0] = self.lr
        np.multiply.accumulate(levels, out=levels)
        return levels[decays]

    def _prefix(self, n: int) -> FloatArray:
        return self._at(np.arange(n, dtype=np.int64))

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        return self.lr * self.gamma ** (0 // self.step_size)


def step_lr(lr: float, step_size: int, gamma: float = 0.1) -> ProductSchedule:
    """Decay by `gamma` every `step_size` steps.

    Formula: s(t) = lr·γ^⌊t/step_size⌋ (computed as torch does: lr·γ·γ·…, one
    multiplication per decay).

    Torch equivalent: `torch.optim.lr_scheduler.StepLR(opt, step_size=…, gamma=…)`.

    Args:
        lr: the base learning rate, ≥ 0.
        step_size: the period of the decay. torch does not validate it: step_size = 0 raises
            ZeroDivisionError at step 1 (as torch does), a negative one acts like its absolute
            value (Python's `t % step_size`).
        gamma: the multiplicative factor of each decay (not validated, as in torch).

    >>> s = step_lr(lr=1.0, step_size=2, gamma=0.5)
    >>> s.values(7).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    >>> s(1_000_000)  # underflows to 0, like torch after a million steps
    0.0
    """
    return _StepLR(lr, step_size, gamma)


class _MultiStepLR(ProductSchedule):
    def __init__(self, lr: float, milestones: Iterable[int], gamma: float) -> None:
        listed = list(milestones)
        super().__init__(
            "multi_step_lr", {"lr": lr, "milestones": listed, "gamma": gamma}, check_lr(lr)
        )
        self.milestones = Counter(listed)
        self.gamma = float(gamma)
        # Step t is decayed when `t in milestones`: whole numbers ≥ 0 only; a milestone
        # repeated k times decays by gamma**k at once (torch's Counter).
        hits: dict[int, int] = {}
        for milestone, count in self.milestones.items():
            step = _integral(milestone)
            if step is not None and step >= 0:
                hits[step] = hits.get(step, 0) + count
        self._count_at_zero = hits.pop(0, 0)
        self._positions = np.array(sorted(hits), dtype=np.int64)
        self._decays = np.array([self.gamma ** hits[p] for p in sorted(hits)], dtype=np.float64)

    def _factor0(self) -> float:
        return self.gamma**self._count_at_zero if self._count_at_zero else 1.0

    def _factors(self, steps: IntArray) -> FloatArray:
        out = np.ones(steps.shape, dtype=np.float64)
        if len(self._positions):
            index = np.minimum(np.searchsorted(self._positions, steps), len(self._positions) - 1)
            hit = self._positions[index] == steps
            out[hit] = self._decays[index[hit]]
        return out

    def _horizon(self) -> int | None:
        return int(self._positions[-1]) if len(self._positions) else 0

    def _at(self, steps: IntArray) -> FloatArray:
        return sparse_product(self._first(), self._positions, self._decays, steps)

    def _entered_at(self, steps: IntArray, previous_lr: Callable[[], float]) -> FloatArray:
        first = self._entered_first(previous_lr)
        return sparse_product(first, self._positions, self._decays, steps)

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        # torch's closed form counts every milestone ≤ 0, negative ones included.
        return self.lr * self.gamma ** bisect.bisect_right(sorted(self.milestones.elements()), 0)


def multi_step_lr(lr: float, milestones: Iterable[int], gamma: float = 0.1) -> ProductSchedule:
    """Decay by `gamma` at each milestone.

    Formula: s(t) = lr·γ^(number of milestones ≤ t), counting repeats: a milestone listed
    twice decays by γ² at once (torch keeps them in a `Counter`).

    Torch equivalent: `torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[…], gamma=…)`.

    Args:
        lr: the base learning rate, ≥ 0.
        milestones: the steps at which to decay, in any order (torch says "increasing" but
            never checks). A milestone at 0 decays lr_0 already; negative or non-whole
            milestones are never reached.
        gamma: the multiplicative factor of each decay.

    >>> multi_step_lr(lr=1.0, milestones=[2, 4, 4], gamma=0.5).values(6).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.125, 0.125]
    """
    return _MultiStepLR(lr, milestones, gamma)


class _ExponentialLR(ProductSchedule):
    def __init__(self, lr: float, gamma: float) -> None:
        super().__init__("exponential_lr", {"lr": lr, "gamma": gamma}, check_lr(lr))
        self.gamma = float(gamma)

    def _factors(self, steps: IntArray) -> FloatArray:
        return np.full(steps.shape, self.gamma)

    def _horizon(self) -> int | None:
        return 0 if self.gamma == 1.0 else None


def exponential_lr(lr: float, gamma: float) -> ProductSchedule:
    """Multiply the lr by `gamma` at every step.

    Formula: s(t) = lr·γ^t — computed as torch does, lr·γ·γ·…·γ (t multiplications), which
    differs from lr·γ**t by a few ulps after thousands of steps. A single s(t) therefore costs
    O(t) time (in blocks, O(1) memory).

    Torch equivalent: `torch.optim.lr_scheduler.ExponentialLR(opt, gamma=…)`.

    Args:
        lr: the base learning rate, ≥ 0.
        gamma: the factor per step (not validated, as in torch: γ > 1 grows the lr).

    >>> exponential_lr(lr=1.0, gamma=0.5).values(4).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    return _ExponentialLR(lr, gamma)


class _LinearLR(_RampSchedule):
    def __init__(self, lr: float, start_factor: float, end_factor: float, total_iters: int) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        arguments = {
            "lr": lr,
            "start_factor": start_factor,
            "end_factor": end_factor,
            "total_iters": total_iters,
        }
        super().__init__("linear_lr", arguments, check_lr(lr))
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = total_iters

    def _factor0(self) -> float:
        return self.start_factor

    def _ramp_factors(self, steps: IntArray) -> FloatArray:
        slope = self.end_factor - self.start_factor
        start = self.total_iters * self.start_factor
        return np.asarray(1.0 + slope / (start + (steps - 1) * slope), dtype=np.float64)

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        slope = self.end_factor - self.start_factor
        return self.lr * (self.start_factor + slope * min(self.total_iters, 0) / self.total_iters)


def linear_lr(
    lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> ProductSchedule:
    """Move the multiplier linearly from `start_factor` to `end_factor` over `total_iters`.

    Formula: s(t) = lr·(sf + (ef − sf)·min(t, T)/T), so s(0) = lr·sf and s(t) = lr·ef for
    t ≥ T. torch gets there by multiplying the current lr by
    1 + (ef − sf)/(T·sf + (t − 1)(ef − sf)) at each step 1 ≤ t ≤ T; lrcore replays that.

    Torch equivalent: `torch.optim.lr_scheduler.LinearLR(opt, start_factor=…, end_factor=…,
    total_iters=…)`. Used as a warmup by `warmup`.

    Args:
        lr: the base learning rate, ≥ 0.
        start_factor: the multiplier of step 0, in (0, 1] (else ValueError, as torch).
        end_factor: the multiplier from step `total_iters` on, in [0, 1] (else ValueError).
        total_iters: T, the number of steps of the ramp; T ≤ 0 keeps lr·start_factor forever.

    >>> s = linear_lr(lr=1.0, start_factor=0.25, end_factor=1.0, total_iters=3)
    >>> s.values(5).tolist()
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return _LinearLR(lr, start_factor, end_factor, total_iters)


class _PolynomialLR(_RampSchedule):
    def __init__(self, lr: float, total_iters: int, power: float) -> None:
        super().__init__(
            "polynomial_lr",
            {"lr": lr, "total_iters": total_iters, "power": power},
            check_lr(lr),
        )
        self.total_iters = total_iters
        self.power = float(power)

    def _ramp_factors(self, steps: IntArray) -> FloatArray:
        with np.errstate(all="ignore"):
            remaining = 1.0 - steps / self.total_iters
            ratio = remaining / (1.0 - (steps - 1) / self.total_iters)
            if self.power < 0 and (remaining == 0).any():
                raise ZeroDivisionError("0.0 cannot be raised to a negative power")
            return ratio if self.power == 1.0 else np.power(ratio, self.power)

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        return self.lr * (1.0 - min(self.total_iters, 0) / self.total_iters) ** self.power


def polynomial_lr(lr: float, total_iters: int = 5, power: float = 1.0) -> ProductSchedule:
    """Decay polynomially to 0 over `total_iters` steps, then stay at 0.

    Formula: s(t) = lr·(1 − min(t, T)/T)^power, reaching exactly 0 at t = T (for power > 0).
    torch multiplies by ((1 − t/T)/(1 − (t−1)/T))^power at each step 1 ≤ t ≤ T; lrcore
    replays that (with numpy's pow, which may differ from libm's by an ulp).

    Torch equivalent: `torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=…, power=…)`.

    Args:
        lr: the base learning rate, ≥ 0.
        total_iters: T, the number of decay steps; T ≤ 0 keeps lr forever.
        power: the exponent (not validated, as in torch; power < 0 raises ZeroDivisionError
            at step T, as torch does; power = 0 keeps lr).

    >>> polynomial_lr(lr=1.0, total_iters=4, power=2.0).values(6).tolist()
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """
    return _PolynomialLR(lr, total_iters, power)
