"""Cosine schedules: torch's recursive CosineAnnealingLR and its SGDR warm restarts.

CosineAnnealingLR is the one torch scheduler whose recursion is not a plain product:

    lr_t = r_t·(lr_{t−1} − η_min) + η_min,   r_t = (1 + cos(πt/T)) / (1 + cos(π(t−1)/T)),

except at t ≡ T+1 (mod 2T) where r_t would divide by zero and torch adds a constant instead:
lr_t = lr_{t−1} + (lr − η_min)(1 − cos(π/T))/2. The result follows the textbook curve
η_min + (lr − η_min)(1 + cos(πt/T))/2 *including past T_max*, where it climbs back to lr at
2·T_max (it is periodic, not clamped) — but with torch's rounding, which drifts from the closed
form by up to ~1e-11 when η_min ≠ 0 (the `− η_min … + η_min` round trip is rounded at every
step). lrcore therefore replays the recursion:

- r_{(2k+1)T} = 0 exactly, so every period of 2T steps restarts from the same exact value
  and periods are independent. lrcore lays the steps out as rows of one period each;
- with η_min = 0 a row is a plain product, `np.multiply.accumulate` along the row (exact);
- with η_min ≠ 0 the affine recursion runs column by column, vectorised across the periods
  (2T numpy operations), or as a float loop over the few periods asked for.

Either way the values are bit-identical to torch's (given the same `cos`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from .base import BoolArray, FloatArray, IntArray, Schedule, check_lr

__all__ = ["cosine_annealing_lr", "cosine_annealing_warm_restarts"]

# Below this many periods the η_min ≠ 0 recursion runs as a plain float loop per period;
# above it, as 2T vectorised column operations.
_MIN_ROWS_FOR_COLUMNS = 32
# The step-by-step replay (non-whole T_max, …) refuses to run further than this.
_REPLAY_LIMIT = 50_000_000


class _CosineAnnealingLR(Schedule):
    _chain_kind = "cosine"

    def __init__(self, lr: float, T_max: int, eta_min: float) -> None:
        super().__init__("cosine_annealing_lr", {"lr": lr, "T_max": T_max, "eta_min": eta_min})
        self.lr = check_lr(lr)
        self.T_max = T_max
        self.eta_min = float(eta_min)
        whole = (
            isinstance(T_max, numbers.Real)
            and math.isfinite(T_max)
            and float(T_max).is_integer()
            and T_max >= 1
        )
        self._period = int(T_max) if whole else None

    @property
    def initial_lr(self) -> float:
        return self.lr

    # -- torch's pieces ---------------------------------------------------------------------

    def _addition(self) -> float:
        """What torch adds at t ≡ T+1 (mod 2T): (lr − η_min)(1 − cos(π/T))/2."""
        return (self.lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2

    def _closed_first(self) -> float:
        """torch's `_get_closed_form_lr()` at last_epoch 0 (SequentialLR's restart value)."""
        return (
            self.eta_min + (self.lr - self.eta_min) * (1 + math.cos(math.pi * 0 / self.T_max)) / 2
        )

    def _check_period(self, top: int) -> None:
        if top >= 1 and self.T_max == 0:
            raise ZeroDivisionError("integer modulo by zero")  # torch: (t − 1 − 0) % 0

    def _one_plus_cos(self, steps: IntArray) -> FloatArray:
        """1 + cos(π·t/T_max), computed as torch computes it (in place, same roundings)."""
        values = steps.astype(np.float64)
        with np.errstate(all="ignore"):
            values *= np.pi
            values /= self.T_max
            np.cos(values, out=values)
            values += 1
        return values

    def _chain_cosine(self, n: int) -> tuple[FloatArray, BoolArray, float, float]:
        """(r_t, additive_t, addition, η_min) for t < n, for ChainedScheduler's replay."""
        self._check_period(n - 1)
        steps = np.arange(n, dtype=np.int64)
        cosines = self._one_plus_cos(np.arange(-1, n, dtype=np.int64))
        numerator, denominator = cosines[1:], cosines[:-1]
        with np.errstate(all="ignore"):
            additive = (steps >= 1) & (np.remainder(steps - 1 - self.T_max, 2 * self.T_max) == 0)
            ratios = numerator / denominator
        if (denominator[(steps >= 1) & ~additive] == 0).any():
            raise ZeroDivisionError("float division by zero")
        addition = self._addition() if additive.any() else 0.0
        return ratios, additive, addition, self.eta_min

    # -- evaluation -------------------------------------------------------------------------

    def _prefix(self, n: int) -> FloatArray:
        return self._recursion(self.lr, np.arange(n, dtype=np.int64), prefix=True)

    def _at(self, steps: IntArray) -> FloatArray:
        return self._recursion(self.lr, steps)

    def _entered_at(self, steps: IntArray, previous_lr: Callable[[], float]) -> FloatArray:
        # torch restarts from the closed form at 0, η_min + (lr − η_min)·2/2, which may differ
        # from lr in the last bit; the recursion then continues from there.
        return self._recursion(self._closed_first(), steps)

    def _entered_prefix(self, n: int, previous_lr: Callable[[], float]) -> FloatArray:
        return self._recursion(self._closed_first(), np.arange(n, dtype=np.int64), prefix=True)

    def _recursion(self, first: float, steps: IntArray, prefix: bool = False) -> FloatArray:
        """Values of `steps`; `prefix` says that steps is arange(n)."""
        if steps.size == 0:
            return np.empty(steps.shape, dtype=np.float64)
        top = int(steps.max())
        self._check_period(top)
        if top == 0:
            return np.full(steps.shape, first)
        if self._period is not None:
            periodic = self._by_period(first, steps, prefix)
            if periodic is not None:
                return periodic
        return self._replay(first, top)[steps]

    def _replay(self, first: float, top: int) -> FloatArray:
        """torch's `get_lr` loop itself, for the parameters the period layout cannot take
        (non-whole or negative T_max, or steps so far that cos no longer rounds to −1 at the
        period ends)."""
        if top > _REPLAY_LIMIT:
            raise ValueError(
                f"cosine_annealing_lr with T_max={self.T_max!r} is only defined by torch's "
                f"step-by-step recursion here; replaying {top} steps is refused "
                f"(limit {_REPLAY_LIMIT})"
            )
        eta, period = self.eta_min, self.T_max
        out = [first]
        lr = first
        for t in range(1, top + 1):
            if (t - 1 - period) % (2 * period) == 0:
                lr = lr + self._addition()
            else:
                lr = (1 + math.cos(math.pi * t / period)) / (
                    1 + math.cos(math.pi * (t - 1) / period)
                ) * (lr - eta) + eta
            out.append(lr)
        return np.array(out, dtype=np.float64)

    def _by_period(self, first: float, steps: IntArray, prefix: bool) -> FloatArray | None:
        """Values of `steps` from independent periods, or None if the layout does not hold.

        Virtual time u = t + T − 1 puts step t at row u // 2T, column u % 2T: row k ≥ 1 starts
        at t = (2k−1)T + 1 (torch's additive step) and ends at t = (2k+1)T, where r_t = 0.
        Row 0 holds t = 0..T in columns T−1..2T−1. Only the rows holding `steps` are built.
        """
        period = self._period
        assert period is not None
        width = 2 * period
        if prefix:
            last = steps.size - 1 + (period - 1)  # the virtual time of the last step
            rows = np.arange(last // width + 1, dtype=np.int64)
            last_column = last % width
        else:
            virtual = steps + (period - 1)
            rows, where = np.unique(virtual // width, return_inverse=True)
            columns = virtual % width
            last_column = int(columns.max())
        low = period - 1 if rows[-1] == 0 else 0
        high = last_column + 1 if len(rows) == 1 else width
        # 1 + cos(π·t/T) for t from one step before column `low` to column high − 1.
        before_low = rows * width - period + low
        cosines = self._one_plus_cos(
            before_low[:, None] + np.arange(high - low + 1, dtype=np.int64)[None, :]
        )
        numerator, denominator = cosines[:, 1:], cosines[:, :-1]
        if low == 0:
            # Row k ≥ 1 relies on the previous period ending exactly at η_min (r = 0) …
            if (denominator[rows >= 1, 0] != 0).any():
                return None
            # … and the additive first column does not divide.
            denominator = denominator[:, 1:]
        if (denominator == 0).any():
            return None
        with np.errstate(all="ignore"):
            ratios = np.divide(numerator, cosines[:, :-1])
        zero_column = (period - 1) - low  # the column of t = 0 in row 0
        if low == 0:
            ratios[:, 0] = self.eta_min + self._addition()
        if rows[0] == 0:
            ratios[0, :zero_column] = 1.0
            ratios[0, zero_column] = first
        values = self._fill_rows(ratios, first, zero_column if rows[0] == 0 else None)
        if prefix:
            offset = zero_column
            return values.ravel()[offset : offset + steps.size]
        return values[where.reshape(steps.shape), columns - low]

    def _fill_rows(self, seeded: FloatArray, first: float, zero_column: int | None) -> FloatArray:
        """Run the recursion along each row of `seeded`, whose cells are r_t except the set
        ones: each row's first step (already its value) and, in row 0, t = 0 (`first`,
        at `zero_column`, preceded by 1.0s)."""
        eta = self.eta_min
        count, width = seeded.shape
        if eta == 0.0:
            # r·(lr − 0) + 0 is r·lr: a plain product along each row.
            return np.multiply.accumulate(seeded, axis=1)
        if count >= _MIN_ROWS_FOR_COLUMNS:
            # Column by column, vectorised across periods (contiguous columns: transpose).
            columns = np.ascontiguousarray(seeded.T)
            current = columns[0].copy()
            with np.errstate(all="ignore"):
                for index in range(1, width):
                    np.subtract(current, eta, out=current)
                    np.multiply(current, columns[index], out=current)
                    np.add(current, eta, out=current)
                    if index == zero_column:
                        current[0] = first
                    columns[index] = current
            return columns.T
        values = np.empty_like(seeded)
        for index, row in enumerate(seeded):
            begin = zero_column if (index == 0 and zero_column is not None) else 0
            lr = float(row[begin])
            out = [lr]
            append = out.append
            for ratio in row[begin + 1 :].tolist():
                lr = ratio * (lr - eta) + eta
                append(lr)
            values[index, begin:] = out
            values[index, :begin] = np.nan
        return values


def cosine_annealing_lr(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """Cosine annealing from lr down to η_min over T_max steps — and back up after (torch).

    Formula: s(t) = η_min + (lr − η_min)·(1 + cos(π·t/T_max))/2 for *every* t ≥ 0: the curve
    reaches η_min at T_max, climbs back to lr at 2·T_max, and repeats (period 2·T_max). It is
    not clamped at η_min — that is what torch does. torch computes it recursively (see the
    module docstring); lrcore reproduces that recursion bit for bit, vectorised by period.

    Torch equivalent: `torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=…,
    eta_min=…)`.

    Args:
        lr: the base (maximum) learning rate, ≥ 0.
        T_max: the number of steps of the half period. Not validated, as in torch:
            T_max = 0 raises ZeroDivisionError at step 1 (as torch does); non-whole or
            negative values follow torch's recursion step by step.
        eta_min: the minimum learning rate, reached at T_max, 3·T_max, …

    >>> s = cosine_annealing_lr(lr=1.0, T_max=4)
    >>> s.values(9).round(6).tolist()  # down to 0 at T_max, back to 1 at 2·T_max
    [1.0, 0.853553, 0.5, 0.146447, 0.0, 0.146447, 0.5, 0.853553, 1.0]
    """
    return _CosineAnnealingLR(lr, T_max, eta_min)


class _CosineAnnealingWarmRestarts(Schedule):
    def __init__(self, lr: float, T_0: int, T_mult: int, eta_min: float) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        super().__init__(
            "cosine_annealing_warm_restarts",
            {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min},
        )
        self.lr = check_lr(lr)
        self.T_0 = T_0
        self.T_mult = T_mult
        self.eta_min = float(eta_min)

    @property
    def initial_lr(self) -> float:
        return self.lr

    def _prefix(self, n: int) -> FloatArray:
        return self._at(np.arange(n, dtype=np.int64))

    def _at(self, steps: IntArray) -> FloatArray:
        if steps.size == 0:
            return np.empty(steps.shape, dtype=np.float64)
        if self.T_mult == 1:
            t_cur = steps % self.T_0
            t_i: FloatArray | float = float(self.T_0)
        else:
            # Cycle i spans T_0·T_mult^i steps; torch grows T_i by integer multiplication.
            top = int(steps.max())
            starts, lengths = [0], [self.T_0]
            while starts[-1] + lengths[-1] <= top:
                starts.append(starts[-1] + lengths[-1])
                lengths.append(lengths[-1] * self.T_mult)
            cycle = np.searchsorted(np.array(starts, dtype=np.int64), steps, side="right") - 1
            t_cur = steps - np.array(starts, dtype=np.int64)[cycle]
            t_i = np.array([float(length) for length in lengths])[cycle]
        eta = self.eta_min
        return eta + (self.lr - eta) * (1 + np.cos(np.pi * t_cur / t_i)) / 2


def cosine_annealing_warm_restarts(
    lr: float,
    T_0: int,
    T_mult: int = 1,
    eta_min: float = 0.0,
) -> Schedule:
    """Cosine annealing that restarts at lr every cycle, cycles growing by T_mult (SGDR).

    Formula: with T_i = T_0·T_mult^i the length of cycle i and T_cur the steps since the last
    restart, s(t) = η_min + (lr − η_min)·(1 + cos(π·T_cur/T_i))/2. Cycle i starts at step
    T_0·(T_mult^i − 1)/(T_mult − 1) (at i·T_0 when T_mult = 1). torch computes this closed
    form at every step, so lrcore's values are bit-identical.

    Torch equivalent: `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=…,
    T_mult=…, eta_min=…)`.

    Args:
        lr: the lr at every restart, ≥ 0.
        T_0: the length of the first cycle, a positive int (else ValueError, as torch).
        T_mult: the growth factor of the cycle length, an int ≥ 1 (else ValueError).
        eta_min: the lr approached at the end of every cycle (never reached: the step that
            would reach it is the restart); a float or int (else ValueError).

    >>> s = cosine_annealing_warm_restarts(lr=1.0, T_0=2, T_mult=2)
    >>> s.values(8).round(6).tolist()  # cycles of 2, then 4 steps, then 8…
    [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0, 0.96194]
    """
    return _CosineAnnealingWarmRestarts(lr, T_0, T_mult, eta_min)
