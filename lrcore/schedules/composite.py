"""Schedules built from schedules: SequentialLR, ChainedScheduler and the linear warmup.

They reproduce what torch's composite schedulers do to a shared optimizer lr:

- `sequential_lr` switches scheduler at each milestone; the new one *restarts* from its own
  step 0 (its closed form at 0), not from where the previous one stopped.
- `chained_scheduler` steps every scheduler at every step, in order, on the same lr:
  multiplicative ones (step, exponential, linear, …) multiply it, closed-form ones (lambda,
  cyclic, one-cycle, warm restarts) overwrite it, cosine annealing applies its affine update.
- `warmup(s, k)` is `sequential_lr([linear_lr(…, total_iters=k), s], milestones=[k])`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from functools import partial
from typing import cast

import numpy as np

from .base import BoolArray, FloatArray, IntArray, ProductSchedule, Schedule, as_count
from .cosine import _CosineAnnealingLR
from .decay import linear_lr
from .plateau import PlateauScheduler

__all__ = ["chained_scheduler", "sequential_lr", "warmup"]

_ChainPiece = FloatArray | tuple[FloatArray, BoolArray, float, float]
"""What one link of a chain gives for n steps: a "mul" link's factors (or a "set" link's
lrs), or a cosine link's (ratios, additive, addition, η_min)."""


def _check_children(kind: str, schedulers: Sequence[Schedule]) -> None:
    for index, scheduler in enumerate(schedulers):
        if isinstance(scheduler, PlateauScheduler):
            raise ValueError(
                f"{kind} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{index} in the given schedulers sequence."
            )
        if not isinstance(scheduler, Schedule):
            raise TypeError(
                f"{kind} at index {index} should be an lrcore schedule, got "
                f"{type(scheduler).__name__}"
            )


class _SequentialLR(Schedule):
    def __init__(
        self,
        schedulers: Sequence[Schedule],
        milestones: Sequence[int],
        name: str = "sequential_lr",
        arguments: dict[str, object] | None = None,
    ) -> None:
        children = list(schedulers)
        if len(children) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check_children("SequentialLR", children)
        points = list(milestones)
        if len(points) != len(children) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(children)} and the number of milestones to be equal to {len(points)}"
            )
        if any(later < earlier for earlier, later in zip(points, points[1:], strict=False)):
            # torch would bisect an unsorted list and silently skip schedulers.
            raise ValueError(f"milestones must be non-decreasing, got {points}")
        super().__init__(
            name,
            arguments if arguments is not None else {"schedulers": children, "milestones": points},
        )
        self.schedulers = children
        self.milestones = points
        # The scheduler running at step 0 is stepped from its own start (torch's
        # `_initial_step`); every later one is entered at its milestone.
        self._first_index = bisect.bisect_right(points, 0)

    @property
    def initial_lr(self) -> float:
        return self.schedulers[0].initial_lr

    def _start(self, index: int) -> int:
        return 0 if index == self._first_index else self.milestones[index - 1]

    def _at(self, steps: IntArray) -> FloatArray:
        out = np.empty(steps.shape, dtype=np.float64)
        if steps.size == 0:
            return out
        owner = np.searchsorted(np.array(self.milestones, dtype=np.int64), steps, side="right")
        for index in np.unique(owner).tolist():
            chosen = owner == index
            child, start = self.schedulers[index], self._start(index)
            local = steps[chosen] - start
            if index == self._first_index:
                out[chosen] = child._at(local)
            else:
                out[chosen] = child._entered_at(local, self._lr_before(start))
        return out

    def _lr_before(self, step: int) -> Callable[[], float]:
        return lambda: float(self._at(np.array([step - 1], dtype=np.int64))[0])

    def _prefix(self, n: int) -> FloatArray:
        # Each scheduler owns a contiguous block of steps.
        out = np.empty(n, dtype=np.float64)
        bounds = [0, *(min(max(m, 0), n) for m in self.milestones), n]
        for index, child in enumerate(self.schedulers):
            low, high = bounds[index], bounds[index + 1]
            if high <= low:
                continue
            if index == self._first_index:
                out[low:high] = child._prefix(high)[low:]
            else:
                previous = partial(float, out[low - 1])  # the lr of the step before
                out[low:high] = child._entered_prefix(high - low, previous)
        return out


def sequential_lr(schedulers: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    """Run `schedulers[i]` from milestone i−1 to milestone i, each restarting at its step 0.

    Formula: with m₀ < m₁ < … the milestones, s(t) = schedulers[0](t) for t < m₀ and
    s(t) = schedulers[i](t − m_{i−1}) for m_{i−1} ≤ t < m_i — the next scheduler restarts from
    its own start, not from the previous one's last lr. Exactly as torch, its value at the
    milestone is torch's closed form at step 0, which differs from the standalone s(0) in
    edge cases torch has: constant_lr/linear_lr/polynomial_lr with total_iters ≤ 0,
    multi_step_lr with milestones ≤ 0, cosine_annealing_lr (η_min + (lr − η_min), an ulp
    away), and multiplicative_lr, which continues from the previous lr (s(m) = s(m−1)·λ(0)).

    Torch equivalent: `torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[…],
    milestones=[…])` with every scheduler built on `opt` (whose lr is the schedules' lr).
    A milestone ≤ 0 makes a later scheduler start at step 0, as in torch.

    Args:
        schedulers: lrcore schedules (at least one; a plateau scheduler is a ValueError, as
            torch). Composites may be nested: torch raises NotImplementedError when it
            reaches a nested SequentialLR/ChainedScheduler; lrcore restarts it at its step 0.
            Each child keeps its own lr (torch shares the optimizer's). In torch a OneCycleLR
            built for the sequence overwrites the optimizer's `initial_lr`, so the *other*
            schedulers restart from max_lr/div_factor; lrcore keeps each schedule's own lr.
        milestones: len(schedulers) − 1 switching steps (else ValueError, as torch),
            non-decreasing (a ValueError here: torch silently mis-bisects unsorted ones).

    Only lrs are composed: the result has `cycle_momentum` False even if a child cycles
    momentum (torch's children would set it while they run).

    >>> from lrcore.schedules import constant_lr, exponential_lr
    >>> s = sequential_lr(
    ...     [constant_lr(lr=1.0, factor=0.1, total_iters=2), exponential_lr(lr=1.0, gamma=0.5)],
    ...     milestones=[2],
    ... )
    >>> s.values(5).tolist()
    [0.1, 0.1, 1.0, 0.5, 0.25]
    """
    return _SequentialLR(schedulers, milestones)


class _ChainedScheduler(Schedule):
    def __init__(self, schedulers: Sequence[Schedule]) -> None:
        children = list(schedulers)
        if len(children) < 1:
            raise ValueError(
                "ChainedScheduler expects at least one scheduler to be chained, but got no "
                "scheduler."
            )
        _check_children("ChainedScheduler", children)
        super().__init__("chained_scheduler", {"schedulers": children})
        self.schedulers = children
        # A chain inside a chain steps the same children in the same order.
        flat: list[Schedule] = []
        for child in children:
            flat.extend(child._links if isinstance(child, _ChainedScheduler) else [child])
        self._links: list[Schedule] = flat
        readers = [link for link in flat if link._reads_optimizer_lr]
        lrs = {link.initial_lr for link in readers}
        if len(lrs) > 1:
            raise ValueError(
                "chained_scheduler: the schedules share one optimizer lr, but they were built "
                f"with different lrs {sorted(lrs)}"
            )
        self._start_lr = readers[0].initial_lr if readers else flat[0].initial_lr

    @property
    def initial_lr(self) -> float:
        return self._start_lr

    def _prefix(self, n: int) -> FloatArray:
        if n == 0:
            return np.empty(0, dtype=np.float64)
        kinds = [link._chain_kind for link in self._links]
        last_set = max((i for i, kind in enumerate(kinds) if kind == "set"), default=-1)
        # Evaluate every link, so that a step torch's scheduler would refuse raises here too.
        pieces = [self._piece(link, n) for link in self._links]
        if last_set >= 0:
            # The last overwriting scheduler resets the lr at every step: what follows it acts
            # on that step's value only, elementwise.
            out = np.array(pieces[last_set], dtype=np.float64)
            following = zip(self._links[last_set + 1 :], pieces[last_set + 1 :], strict=True)
            for link, piece in following:
                out = self._apply(link, piece, out)
            return out
        if all(kind == "mul" for kind in kinds):
            # lr_t = (…((lr_{t−1}·f¹_t)·f²_t)…): one accumulate over the interleaved factors.
            sequence = np.empty(n * len(pieces) + 1, dtype=np.float64)
            sequence[0] = self._start_lr
            sequence[1:] = np.stack(cast(list[FloatArray], pieces), axis=1).ravel()  # all "mul"
            np.multiply.accumulate(sequence, out=sequence)
            return sequence[len(pieces) :: len(pieces)]
        return self._replay(pieces, n)

    @staticmethod
    def _piece(link: Schedule, n: int) -> _ChainPiece:
        if link._chain_kind == "mul":
            assert isinstance(link, ProductSchedule)
            return link._chain_factors(n)
        if link._chain_kind == "cosine":
            assert isinstance(link, _CosineAnnealingLR)
            return link._chain_cosine(n)
        return link._prefix(n)

    @staticmethod
    def _apply(link: Schedule, piece: _ChainPiece, lr: FloatArray) -> FloatArray:
        """One link's update of this step's lr, elementwise over the steps."""
        if link._chain_kind == "mul":
            assert not isinstance(piece, tuple)
            return lr * piece
        assert isinstance(piece, tuple)
        ratios, additive, addition, eta = piece
        with np.errstate(all="ignore"):
            updated = np.where(additive, lr + addition, ratios * (lr - eta) + eta)
        updated[0] = lr[0]  # CosineAnnealingLR's constructor leaves the lr alone
        return updated

    def _replay(self, pieces: list[_ChainPiece], n: int) -> FloatArray:
        """Step by step, for chains with cosine annealing and no overwriting scheduler (the
        affine updates do not compose into one product)."""
        columns: list[tuple[str, list[float], list[bool], float, float]] = []
        for link, piece in zip(self._links, pieces, strict=True):
            if link._chain_kind == "mul":
                assert not isinstance(piece, tuple)
                columns.append(("mul", piece.tolist(), [], 0.0, 0.0))
            else:
                assert isinstance(piece, tuple)
                ratios, additive_steps, addition, eta = piece
                columns.append(("cosine", ratios.tolist(), additive_steps.tolist(), addition, eta))
        out = []
        lr = self._start_lr
        for t in range(n):
            for kind, numbers, additive, addition, eta in columns:
                if kind == "mul":
                    lr = lr * numbers[t]
                elif t == 0:
                    pass
                elif additive[t]:
                    lr = lr + addition
                else:
                    lr = numbers[t] * (lr - eta) + eta
            out.append(lr)
        return np.array(out, dtype=np.float64)


def chained_scheduler(schedulers: Sequence[Schedule]) -> Schedule:
    """Apply every scheduler at every step, in order, to one shared lr (torch's chaining).

    Formula: with lr_{−1} = the common lr, each step t applies, in list order,
    multiplicative schedules' factors (lr ← lr·f_t: step_lr, multi_step_lr, exponential_lr,
    linear_lr, constant_lr, polynomial_lr, multiplicative_lr), cosine annealing's update
    (lr ← r_t·(lr − η_min) + η_min), and overwriting schedules' values (lr ← s(t):
    lambda_lr, cyclic_lr, one_cycle_lr, cosine_annealing_warm_restarts — and, in lrcore,
    nested sequential_lr/warmup). So chaining only multiplies what follows the last
    overwriting schedule: chained([exponential_lr(γ=0.5), lambda_lr(λ=1)]) is constant.
    Step 0 applies each constructor's own change (constant_lr's factor, linear_lr's start…).

    Torch equivalent: `torch.optim.lr_scheduler.ChainedScheduler([…])` with every scheduler
    built on one optimizer whose lr is the schedules' common lr.

    Args:
        schedulers: lrcore schedules (at least one, else ValueError; a plateau scheduler is a
            ValueError, as torch). The ones that read the optimizer's lr must share it
            (ValueError otherwise); cyclic_lr and one_cycle_lr set their own.

    Only lrs are composed: the result has `cycle_momentum` False even if a child cycles
    momentum.

    >>> from lrcore.schedules import constant_lr, exponential_lr
    >>> s = chained_scheduler(
    ...     [constant_lr(lr=1.0, factor=0.1, total_iters=2), exponential_lr(lr=1.0, gamma=0.5)]
    ... )
    >>> s.values(4).tolist()
    [0.1, 0.05, 0.25, 0.125]
    """
    return _ChainedScheduler(schedulers)


class _Warmup(_SequentialLR):
    def __init__(self, schedule: Schedule, warmup_steps: int, start_factor: float) -> None:
        steps = as_count(warmup_steps)
        if not isinstance(schedule, Schedule):
            raise TypeError(f"warmup needs an lrcore schedule, got {type(schedule).__name__}")
        ramp = linear_lr(
            schedule.initial_lr, start_factor=start_factor, end_factor=1.0, total_iters=steps
        )
        arguments = {
            "schedule": schedule,
            "warmup_steps": warmup_steps,
            "start_factor": start_factor,
        }
        super().__init__([ramp, schedule], [steps], name="warmup", arguments=arguments)


def warmup(schedule: Schedule, warmup_steps: int, start_factor: float = 1.0 / 3) -> Schedule:
    """A linear warmup of `warmup_steps` steps, then `schedule` from its own step 0.

    Formula: with b = schedule.initial_lr (the lr the schedule reads from the optimizer) and
    k = warmup_steps, s(t) = b·(sf + (1 − sf)·t/k) for t < k, then s(t) = schedule(t − k).
    The ramp goes from sf·b at step 0 towards b, which it would reach at step k, where the
    schedule takes over (so b itself is schedule(0) — for most schedules).

    Torch equivalent, exactly: `SequentialLR(opt, [LinearLR(opt, start_factor=sf,
    end_factor=1.0, total_iters=k), scheduler], milestones=[k])`.

    Args:
        schedule: the lrcore schedule to warm up into.
        warmup_steps: k, an int ≥ 0 (0: no warmup, the schedule itself).
        start_factor: sf, the fraction of b at step 0, in (0, 1] (else ValueError, as
            LinearLR); the default 1/3 is LinearLR's.

    >>> from lrcore.schedules import cosine_annealing_lr
    >>> s = warmup(cosine_annealing_lr(lr=1.0, T_max=4), warmup_steps=4, start_factor=0.25)
    >>> s.values(9).round(6).tolist()
    [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.853553, 0.5, 0.146447, 0.0]
    """
    return _Warmup(schedule, warmup_steps, start_factor)
