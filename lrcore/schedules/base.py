"""`Schedule`: a pure map from the optimizer step t = 0, 1, … to the learning rate of that step.

A schedule `s` answers the question "which lr does torch's scheduler set for optimizer step t?"
— torch's `scheduler.get_last_lr()[0]` after t calls of `scheduler.step()`, each made after
`optimizer.step()` (the right order). It holds no state, so it can be plotted, tested and
composed freely:

- `s(t)` is one lr (a Python float);
- `s.values(n)` the first n lrs as a float64 array, computed vectorised;
- `s.at(steps)` the lrs of an integer array of steps, any shape.

Most torch schedulers are *recursive*: they multiply the optimizer's current lr by a factor
at every step (ExponentialLR does `lr *= gamma`, not `lr = base·gamma**t`). Their rounding
differs from the closed form in the last bits, so `ProductSchedule` replays torch's own
products, in torch's order, with `np.multiply.accumulate` — bit for bit, still vectorised.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "FloatArray",
    "IntArray",
    "ProductSchedule",
    "Schedule",
    "running_product",
    "sparse_product",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ChainKind = Literal["mul", "set", "cosine"]

# Steps evaluated per block when a recursive schedule is asked for a few far-away steps:
# the cost of s(10**9) is then O(t) time but O(_CHUNK) memory.
_CHUNK = 1 << 20


def as_step(t: object) -> int:
    """`t` as a non-negative Python int, or a clear TypeError/ValueError."""
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"a step must be an integer (0, 1, 2, …), got {type(t).__name__} {t!r}")
    step = int(t)
    if step < 0:
        raise ValueError(f"a step must be >= 0, got {step}")
    return step


def as_steps(steps: npt.ArrayLike) -> IntArray:
    """`steps` as an int64 array (any shape) of non-negative steps."""
    array = np.asarray(steps)
    if array.dtype == np.bool_ or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"steps must be integers, got an array of dtype {array.dtype}")
    array = array.astype(np.int64, copy=False)
    if array.size and int(array.min()) < 0:
        raise ValueError(f"steps must be >= 0, got {int(array.min())}")
    return array


def as_count(n: object) -> int:
    """`n` (a number of steps) as a non-negative Python int."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer, got {type(n).__name__} {n!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return int(n)


def check_lr(lr: object) -> float:
    """A base lr as a float; negative lrs are refused as torch's optimizers refuse them."""
    value = float(lr)  # type: ignore[arg-type]
    if value < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    return value


def running_product(
    first: float,
    factors: Callable[[IntArray], FloatArray],
    steps: IntArray,
    horizon: int | None = None,
) -> FloatArray:
    """lr_t for lr_0 = `first` and lr_t = lr_{t−1} · factors(t), multiplied in that order.

    `np.multiply.accumulate` is strictly sequential, so the result is bit-identical to
    torch's loop. `horizon` is the last step whose factor may differ from 1.0: steps past it
    equal the value at it (multiplying by 1.0 is exact). Far-away steps are reached in
    blocks of `_CHUNK` factors, so memory stays bounded.
    """
    steps = np.asarray(steps, dtype=np.int64)
    out = np.empty(steps.shape, dtype=np.float64)
    if steps.size == 0:
        return out
    if horizon is not None:
        steps = np.minimum(steps, max(horizon, 0))
    top = int(steps.max())
    if top < _CHUNK or steps.size * 4 >= top:
        sequence = np.empty(top + 1, dtype=np.float64)
        sequence[0] = first
        sequence[1:] = factors(np.arange(1, top + 1, dtype=np.int64))
        np.multiply.accumulate(sequence, out=sequence)
        out[...] = sequence[steps]
        return out
    flat = steps.ravel()
    order = np.argsort(flat, kind="stable")
    wanted = flat[order]
    found = np.empty(flat.size, dtype=np.float64)
    found[wanted == 0] = first
    carry, low = first, 1
    while low <= top:
        high = min(low + _CHUNK, top + 1)
        block = np.empty(high - low + 1, dtype=np.float64)
        block[0] = carry
        block[1:] = factors(np.arange(low, high, dtype=np.int64))
        np.multiply.accumulate(block, out=block)
        begin, end = np.searchsorted(wanted, [low, high])
        found[begin:end] = block[wanted[begin:end] - low + 1]
        carry, low = float(block[-1]), high
    result = np.empty(flat.size, dtype=np.float64)
    result[order] = found
    return result.reshape(steps.shape)


class Schedule(ABC):
    """A learning-rate schedule: `s(t)` is the lr torch's scheduler sets for optimizer step t.

    Subclasses implement `_prefix(n)` (the first n lrs) and, when a cheaper route exists,
    `_at(steps)`. Every public constructor (`step_lr`, `cosine_annealing_lr`, …) returns a
    `Schedule`; its `repr` shows that constructor call.

    Attributes:
        initial_lr: the lr torch's scheduler reads from (or writes to) the optimizer when it
            is built — `lr` for most schedules, `base_lr` for `cyclic_lr`, max_lr/div_factor
            for `one_cycle_lr`. Composites use it to line their children up.
        cycle_momentum: True when the schedule also sets the optimizer's momentum (β₁ for
            Adam) at every step, as torch's CyclicLR/OneCycleLR do by default.

    >>> from lrcore.schedules import step_lr
    >>> s = step_lr(lr=0.1, step_size=2, gamma=0.5)
    >>> s
    step_lr(lr=0.1, step_size=2, gamma=0.5)
    >>> s(0), s(2), s(5)
    (0.1, 0.05, 0.025)
    >>> s.values(5).tolist()
    [0.1, 0.1, 0.05, 0.05, 0.025]
    >>> s.at([[0, 4], [6, 1]]).tolist()
    [[0.1, 0.025], [0.0125, 0.1]]
    """

    # How ChainedScheduler combines this schedule with the optimizer's current lr: "mul"
    # multiplies it by a factor, "set" overwrites it, "cosine" is CosineAnnealingLR's affine
    # recursion. See `composite.chained_scheduler`.
    _chain_kind: ClassVar[ChainKind] = "set"
    # False for schedules that set their own lr (CyclicLR, OneCycleLR) instead of reading the
    # optimizer's: ChainedScheduler requires the readers to agree.
    _reads_optimizer_lr: ClassVar[bool] = True

    def __init__(self, name: str, arguments: dict[str, Any]) -> None:
        self._name = name
        self._arguments = dict(arguments)

    @property
    @abstractmethod
    def initial_lr(self) -> float:
        """The lr the torch scheduler reads from or writes to the optimizer at construction."""

    @property
    def cycle_momentum(self) -> bool:
        """Whether this schedule also sets the momentum (or Adam's β₁) of every step."""
        return False

    def __call__(self, t: int) -> float:
        """The lr of optimizer step `t` (an int ≥ 0)."""
        step = as_step(t)
        with np.errstate(all="ignore"):  # like Python floats: overflow gives inf silently
            return float(self._at(np.array([step], dtype=np.int64))[0])

    def values(self, n: int) -> FloatArray:
        """The lrs of steps 0, 1, …, n−1 as a float64 array (vectorised)."""
        count = as_count(n)
        with np.errstate(all="ignore"):
            return np.asarray(self._prefix(count), dtype=np.float64)

    def at(self, steps: npt.ArrayLike) -> FloatArray:
        """The lrs of an integer array of steps (any shape, any order, repeats allowed)."""
        wanted = as_steps(steps)
        with np.errstate(all="ignore"):
            return np.asarray(self._at(wanted), dtype=np.float64)

    def momentum(self, t: int) -> float | None:
        """The momentum (β₁) set for step `t`, or None when the schedule leaves it alone."""
        step = as_step(t)
        if not self.cycle_momentum:
            return None
        with np.errstate(all="ignore"):
            return float(self._momenta_at(np.array([step], dtype=np.int64))[0])

    def momenta(self, n: int) -> FloatArray | None:
        """The momenta (β₁) of steps 0..n−1, or None when the schedule leaves them alone."""
        count = as_count(n)
        if not self.cycle_momentum:
            return None
        with np.errstate(all="ignore"):
            return np.asarray(self._momenta_at(np.arange(count, dtype=np.int64)), np.float64)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._arguments.items())
        return f"{self._name}({arguments})"

    # -- hooks for subclasses -------------------------------------------------------------

    @abstractmethod
    def _prefix(self, n: int) -> FloatArray:
        """The lrs of steps 0..n−1."""

    def _at(self, steps: IntArray) -> FloatArray:
        """The lrs of `steps` (validated, int64, any shape)."""
        if steps.size == 0:
            return np.empty(steps.shape, dtype=np.float64)
        return self._prefix(int(steps.max()) + 1)[steps]

    def _entered_at(self, steps: IntArray, previous_lr: Callable[[], float]) -> FloatArray:
        """The lrs of local `steps` when SequentialLR switches to this schedule at a milestone.

        Torch then calls `_update_lr(0)`: the closed form at step 0 when the scheduler has
        one, else `get_lr()` on the optimizer's current lr. For most schedules that equals the
        standalone schedule; subclasses where it does not override this. `previous_lr()`
        returns the lr of the step before the milestone (used by multiplicative_lr only).
        """
        return self._at(steps)

    def _entered_prefix(self, n: int, previous_lr: Callable[[], float]) -> FloatArray:
        """`_entered_at` of local steps 0..n−1."""
        return self._entered_at(np.arange(n, dtype=np.int64), previous_lr)

    def _momenta_at(self, steps: IntArray) -> FloatArray:
        raise NotImplementedError  # only schedules with cycle_momentum implement it


class ProductSchedule(Schedule):
    """A schedule torch computes by multiplying the current lr: lr_t = lr_{t−1} · f_t.

    lr_0 = initial_lr · f_0 (the multiplication torch's constructor does) and f_t for t ≥ 1
    comes from `_factors`. Values are replayed with `running_product`, bit-identical to
    torch. In a ChainedScheduler these factors multiply whatever lr the other schedulers left.
    """

    _chain_kind: ClassVar[ChainKind] = "mul"

    def __init__(self, name: str, arguments: dict[str, Any], lr: float) -> None:
        super().__init__(name, arguments)
        self.lr = lr

    @property
    def initial_lr(self) -> float:
        return self.lr

    def _factor0(self) -> float:
        """The factor torch's constructor applies to the optimizer's lr (1.0: unchanged)."""
        return 1.0

    @abstractmethod
    def _factors(self, steps: IntArray) -> FloatArray:
        """f_t for steps t ≥ 1 (raising where torch's `get_lr` raises)."""

    def _horizon(self) -> int | None:
        """The last step whose factor may differ from 1.0 (None: no such step)."""
        return None

    def _first(self) -> float:
        return self.lr * self._factor0()

    def _entered_first(self, previous_lr: Callable[[], float]) -> float:
        """lr at a SequentialLR milestone: torch's `_get_closed_form_lr()` at last_epoch 0."""
        return self._first()

    def _prefix(self, n: int) -> FloatArray:
        return self._dense(self._first() if n else 0.0, n)

    def _entered_prefix(self, n: int, previous_lr: Callable[[], float]) -> FloatArray:
        return self._dense(self._entered_first(previous_lr) if n else 0.0, n)

    def _dense(self, first: float, n: int) -> FloatArray:
        """running_product's dense case for steps 0..n−1, without the index arrays."""
        horizon = self._horizon()
        active = n if horizon is None else min(n, max(horizon, 0) + 1)
        out = np.empty(n, dtype=np.float64)
        if n:
            out[0] = first
            out[1:active] = self._factors(np.arange(1, active, dtype=np.int64))
            np.multiply.accumulate(out[:active], out=out[:active])
            out[active:] = out[active - 1]
        return out

    def _at(self, steps: IntArray) -> FloatArray:
        return running_product(self._first(), self._factors, steps, self._horizon())

    def _entered_at(self, steps: IntArray, previous_lr: Callable[[], float]) -> FloatArray:
        if steps.size == 0:
            return np.empty(steps.shape, dtype=np.float64)
        first = self._entered_first(previous_lr)
        return running_product(first, self._factors, steps, self._horizon())

    def _chain_factors(self, n: int) -> FloatArray:
        """f_0, f_1, …, f_{n−1}: what this scheduler multiplies the lr by in a chain."""
        out = np.empty(n, dtype=np.float64)
        if n:
            out[0] = self._factor0()
            out[1:] = self._factors(np.arange(1, n, dtype=np.int64))
        return out


def sparse_product(
    first: float, positions: IntArray, factors: FloatArray, steps: IntArray
) -> FloatArray:
    """lr_t = first · f_1 · … · f_k (in that order) where the k factors sit at `positions` ≤ t.

    For schedules whose factor is 1.0 except at a few sorted positions (StepLR, MultiStepLR):
    the levels are accumulated once and looked up with `searchsorted`, exactly as the full
    `running_product` would give them.
    """
    levels = np.empty(len(factors) + 1, dtype=np.float64)
    levels[0] = first
    levels[1:] = factors
    np.multiply.accumulate(levels, out=levels)
    return levels[np.searchsorted(positions, steps, side="right")]
