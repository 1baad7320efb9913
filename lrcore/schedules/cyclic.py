"""Cyclical schedules that also drive the momentum: CyclicLR (Smith 2015) and OneCycleLR.

torch computes both in closed form at every step, so lrcore evaluates the same expressions
on arrays of steps: the values are bit-identical to torch's (up to numpy's pow for
exp_range). Both set the optimizer's momentum (SGD) or β₁ (Adam) at every step by default
(`cycle_momentum=True`) — a classic pitfall: a plain SGD gets momentum 0.9 switched on.
`s.momenta(n)` / `s.momentum(t)` give those values, or None with `cycle_momentum=False`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from .base import FloatArray, IntArray, Schedule

__all__ = ["cyclic_lr", "one_cycle_lr"]

_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


class _CyclicLR(Schedule):
    _reads_optimizer_lr = False

    def __init__(
        self,
        base_lr: float,
        max_lr: float,
        step_size_up: int,
        step_size_down: int | None,
        mode: str,
        gamma: float,
        scale_fn: Callable[[float], float] | None,
        scale_mode: str,
        cycle_momentum: bool,
        base_momentum: float,
        max_momentum: float,
    ) -> None:
        arguments = {
            "base_lr": base_lr,
            "max_lr": max_lr,
            "step_size_up": step_size_up,
            "step_size_down": step_size_down,
            "mode": mode,
            "gamma": gamma,
            "scale_fn": scale_fn,
            "scale_mode": scale_mode,
            "cycle_momentum": cycle_momentum,
            "base_momentum": base_momentum,
            "max_momentum": max_momentum,
        }
        super().__init__("cyclic_lr", arguments)
        self.base_lr = float(base_lr)
        self.max_lr = float(max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in _CYCLIC_MODES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = float(gamma)
        self.scale_fn = scale_fn
        # The built-in modes fix the scale mode, whatever was passed (as torch does).
        if scale_fn is not None:
            self.scale_mode = scale_mode
        else:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self._cycle_momentum = bool(cycle_momentum)
        self.base_momentum = float(base_momentum)
        self.max_momentum = float(max_momentum)
        self._at(np.zeros(1, dtype=np.int64))  # torch evaluates step 0 in its constructor

    @property
    def initial_lr(self) -> float:
        return self.base_lr

    @property
    def cycle_momentum(self) -> bool:
        return self._cycle_momentum

    def _position(self, steps: IntArray) -> tuple[FloatArray, FloatArray]:
        """(scale factor in [0, 1] within the cycle, cycle number) as torch's get_lr."""
        with np.errstate(all="ignore"):
            fraction = steps / self.total_size
            cycle = np.floor(1 + fraction)
            x = 1.0 + fraction - cycle
            rising = x <= self.step_ratio
            if (self.step_ratio == 0 and rising.any()) or (
                self.step_ratio == 1 and not rising.all()
            ):
                raise ZeroDivisionError("float division by zero")
            height = np.where(rising, x / self.step_ratio, (x - 1) / (self.step_ratio - 1))
        return height, cycle

    def _scale(self, steps: IntArray, cycle: FloatArray) -> FloatArray:
        """scale_fn(cycle) or scale_fn(step), as torch's `scale_fn` is applied."""
        if self.scale_fn is not None:
            argument = cycle if self.scale_mode == "cycle" else steps
            unique, where = np.unique(argument, return_inverse=True)
            found = np.array([float(self.scale_fn(int(a))) for a in unique], dtype=np.float64)
            return found[where.reshape(steps.shape)]
        if self.mode == "triangular":
            return np.ones(steps.shape, dtype=np.float64)
        if self.mode == "triangular2":
            exponent = cycle - 1
            if exponent.size and exponent.max() >= 1024:
                raise OverflowError(34, "Numerical result out of range")  # torch: 2.0 ** 1024
            return 1 / np.ldexp(1.0, exponent.astype(np.int64))
        with np.errstate(all="ignore"):
            scale = np.power(self.gamma, steps.astype(np.float64))
        if math.isfinite(self.gamma) and np.isinf(scale).any():
            raise OverflowError(34, "Numerical result out of range")  # torch: gamma ** t
        return scale

    def _at(self, steps: IntArray) -> FloatArray:
        height, cycle = self._position(steps)
        scale = self._scale(steps, cycle)
        return self.base_lr + ((self.max_lr - self.base_lr) * height) * scale

    def _prefix(self, n: int) -> FloatArray:
        return self._at(np.arange(n, dtype=np.int64))

    def _momenta_at(self, steps: IntArray) -> FloatArray:
        height, cycle = self._position(steps)
        scale = self._scale(steps, cycle)
        return self.max_momentum - ((self.max_momentum - self.base_momentum) * height) * scale


def cyclic_lr(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: Literal["triangular", "triangular2", "exp_range"] = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[float], float] | None = None,
    scale_mode: Literal["cycle", "iterations"] = "cycle",
    cycle_momentum: bool = True,
    base_momentum: float = 0.8,
    max_momentum: float = 0.9,
) -> Schedule:
    """Cycle the lr between base_lr and max_lr (triangle waves), and momentum inversely.

    Formula: with N = up + down, r = up/N, cycle c = ⌊1 + t/N⌋ and x = 1 + t/N − c ∈ [0, 1),
    the position h = x/r while rising (x ≤ r), (x − 1)/(r − 1) while falling, and

        s(t) = base_lr + (max_lr − base_lr)·h·f,   momentum(t) = max_m − (max_m − base_m)·h·f

    with f = 1 (triangular), 1/2^(c−1) (triangular2), γ^t (exp_range) or scale_fn(c) /
    scale_fn(t) for a custom function (per `scale_mode`). s(0) = base_lr.

    Torch equivalent: `torch.optim.lr_scheduler.CyclicLR(opt, base_lr=…, max_lr=…,
    step_size_up=…, …)` — which overrides the optimizer's lr with base_lr and, by default,
    its momentum too (see `cycle_momentum`).

    Args:
        base_lr: the lower lr boundary (and the lr of step 0).
        max_lr: the upper boundary; the amplitude max_lr − base_lr is scaled by f, so max_lr
            may never be reached.
        step_size_up: steps of the rising half (2000). step_size_up = 0 raises
            ZeroDivisionError, as torch's constructor does.
        step_size_down: steps of the falling half (None: = step_size_up).
        mode: "triangular", "triangular2" or "exp_range"; anything else without scale_fn is
            a ValueError (as torch). Ignored when scale_fn is given. Like torch,
            "triangular2" overflows (OverflowError) after 1024 cycles.
        gamma: the base of exp_range's γ^t.
        scale_fn: a custom scale f(x) with 0 ≤ f(x) ≤ 1, called with Python ints.
        scale_mode: "cycle" (f of the cycle number) or anything else for f of the step
            (torch treats every value but "cycle" as "iterations"). Only used with scale_fn.
        cycle_momentum: set the momentum (β₁ for Adam) at every step, inversely to the lr
            (True, as torch). With False, `momenta(n)`/`momentum(t)` return None.
        base_momentum: momentum at the lr peak (0.8).
        max_momentum: momentum at base_lr (0.9), i.e. at step 0.

    >>> s = cyclic_lr(base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> s.values(6).round(6).tolist()
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    >>> s.momenta(3).round(6).tolist()
    [0.9, 0.85, 0.8]
    >>> cyclic_lr(0.1, 0.5, step_size_up=1, mode="triangular2").values(7).round(6).tolist()
    [0.1, 0.5, 0.1, 0.3, 0.1, 0.2, 0.1]
    """
    return _CyclicLR(
        base_lr,
        max_lr,
        step_size_up,
        step_size_down,
        mode,
        gamma,
        scale_fn,
        scale_mode,
        cycle_momentum,
        base_momentum,
        max_momentum,
    )


class _OneCycleLR(Schedule):
    _reads_optimizer_lr = False

    def __init__(
        self,
        max_lr: float,
        total_steps: int | None,
        epochs: int | None,
        steps_per_epoch: int | None,
        pct_start: float,
        anneal_strategy: str,
        cycle_momentum: bool,
        base_momentum: float,
        max_momentum: float,
        div_factor: float,
        final_div_factor: float,
        three_phase: bool,
    ) -> None:
        arguments = {
            "max_lr": max_lr,
            "total_steps": total_steps,
            "epochs": epochs,
            "steps_per_epoch": steps_per_epoch,
            "pct_start": pct_start,
            "anneal_strategy": anneal_strategy,
            "cycle_momentum": cycle_momentum,
            "base_momentum": base_momentum,
            "max_momentum": max_momentum,
            "div_factor": div_factor,
            "final_div_factor": final_div_factor,
            "three_phase": three_phase,
        }
        super().__init__("one_cycle_lr", arguments)
        # torch's checks, in torch's order and with torch's messages.
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        total = self.total_steps
        # (end step, start lr, end lr, start momentum, end momentum) of each phase.
        self._phases: list[tuple[float, str, str, str, str]]
        if three_phase:
            self._phases = [
                (float(pct_start * total) - 1, "initial", "max", "max", "base"),
                (float(2 * pct_start * total) - 2, "max", "initial", "base", "max"),
                (total - 1, "initial", "min", "max", "max"),
            ]
        else:
            self._phases = [
                (float(pct_start * total) - 1, "initial", "max", "max", "base"),
                (total - 1, "max", "min", "base", "max"),
            ]
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        self.max_lr = float(max_lr)
        start_lr = max_lr / div_factor
        self._lrs = {"initial": start_lr, "max": max_lr, "min": start_lr / final_div_factor}
        self._momentum_values = {"max": max_momentum, "base": base_momentum}
        self._cycle_momentum = bool(cycle_momentum)
        self._at(np.zeros(1, dtype=np.int64))  # torch evaluates step 0 in its constructor

    @property
    def initial_lr(self) -> float:
        return float(self._lrs["initial"])

    @property
    def cycle_momentum(self) -> bool:
        return self._cycle_momentum

    def _anneal(self, start: float, end: float,
                pct: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)
        return (end - start) * pct + start

    def _evaluate(self, steps: IntArray, momenta: bool) -> FloatArray:
        if steps.size and int(steps.max()) > self.total_steps:
            late = int(steps[steps > self.total_steps].min())
            raise ValueError(
                f"Tried to step {late} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        out = np.empty(steps.shape, dtype=np.float64)
        done = np.zeros(steps.shape, dtype=bool)
        start_step = 0.0
        last = len(self._phases) - 1
        for index, (end_step, lr_from, lr_to, momentum_from, momentum_to) in enumerate(
            self._phases
        ):
            chosen = ~done if index == last else (steps <= end_step) & ~done
            if chosen.any():
                if end_step == start_step:
                    raise ZeroDivisionError("float division by zero")  # torch: pct = x / 0
                pct = (steps[chosen] - start_step) / (end_step - start_step)
                if momenta:
                    values = self._momentum_values
                    out[chosen] = self._anneal(values[momentum_from], values[momentum_to], pct)
                else:
                    out[chosen] = self._anneal(self._lrs[lr_from], self._lrs[lr_to], pct)
                done |= chosen
            start_step = end_step
        return out

    def _at(self, steps: IntArray) -> FloatArray:
        return self._evaluate(steps, momenta=False)

    def _prefix(self, n: int) -> FloatArray:
        return self._at(np.arange(n, dtype=np.int64))

    def _momenta_at(self, steps: IntArray) -> FloatArray:
        return self._evaluate(steps, momenta=True)


def one_cycle_lr(
    max_lr: float,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: Literal["cos", "linear"] = "cos",
    cycle_momentum: bool = True,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """The 1cycle policy: warm up to max_lr, then anneal far below the start (Smith 2018).

    Formula: with T = total_steps, initial = max_lr/div_factor and min = initial /
    final_div_factor, the phases end at steps e₁ = pct_start·T − 1 and e₂ = T − 1
    (three_phase: e₁, e₂ = 2·pct_start·T − 2, e₃ = T − 1). In the phase (a, e] — the first
    starts at a = 0 and includes it — pct = (t − a)/(e − a) and the lr anneals between the
    phase's ends: cos: end + (start − end)·(1 + cos(π·pct))/2; linear: start + (end −
    start)·pct. Two phases: initial → max_lr → min; three: initial → max_lr → initial → min.
    Momentum runs the other way (max_m → base_m → max_m; three_phase ends at max_m).
    s(T − 1) = min. s(T) still exists (torch allows exactly T scheduler steps; the curve
    turns back up there); s(t) for t > T raises ValueError like torch's `step()`.

    Torch equivalent: `torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=…, total_steps=…,
    …)` — it overrides the optimizer's lr and (by default) its momentum or β₁.

    Args:
        max_lr: the peak lr.
        total_steps: T, a positive int; or None to use epochs·steps_per_epoch. torch's
            ValueErrors are raised for invalid values or when neither is given.
        epochs: with steps_per_epoch, gives T = epochs·steps_per_epoch (positive ints).
        steps_per_epoch: see epochs.
        pct_start: the fraction of T spent rising: a *float* in [0, 1] (torch rejects the
            int 0 or 1). Values with pct_start·T = 1 make torch divide by zero
            (ZeroDivisionError at step 0, here at construction too).
        anneal_strategy: "cos" or "linear" (else ValueError).
        cycle_momentum: set the momentum (β₁) at every step (True, as torch); with False,
            `momenta(n)`/`momentum(t)` return None.
        base_momentum: momentum at the lr peak (0.85).
        max_momentum: momentum at the start and the end (0.95).
        div_factor: initial = max_lr/div_factor (25).
        final_div_factor: min = initial/final_div_factor (1e4).
        three_phase: use the paper's symmetric three-phase version (False: fastai's two).

    >>> s = one_cycle_lr(max_lr=1.0, total_steps=5, pct_start=0.4, anneal_strategy="linear")
    >>> s.values(5).round(6).tolist()
    [0.04, 1.0, 0.666668, 0.333336, 4e-06]
    >>> s.momenta(5).round(6).tolist()
    [0.95, 0.85, 0.883333, 0.916667, 0.95]
    >>> s(6)
    Traceback (most recent call last):
        ...
    ValueError: Tried to step 6 times. The specified number of total steps is 5
    """
    return _OneCycleLR(
        max_lr,
        total_steps,
        epochs,
        steps_per_epoch,
        pct_start,
        anneal_strategy,
        cycle_momentum,
        base_momentum,
        max_momentum,
        div_factor,
        final_div_factor,
        three_phase,
    )
