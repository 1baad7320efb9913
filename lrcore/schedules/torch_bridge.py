"""`to_torch`: drive a real torch optimizer with any lrcore schedule.

torch is imported on first use, so that the pure schedules stay importable without it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .base import FloatArray, Schedule
from .plateau import PlateauScheduler

if TYPE_CHECKING:
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

__all__ = ["to_torch"]


class _Planned:
    """The schedule's values for steps 0..t, grown by doubling (so that stepping n times costs
    O(n) even for recursive schedules, whose single s(t) is O(t)).

    Some schedules refuse steps (one_cycle_lr past total_steps, torch's divisions by zero):
    the first refusal finds, by bisection, how many steps are valid, and later steps are asked
    for one by one — so the error surfaces at the same step as in torch.
    """

    _REFUSALS = (ValueError, ArithmeticError)

    def __init__(self, compute: Callable[[int], FloatArray | None]) -> None:
        self._compute = compute
        self._values: FloatArray = np.empty(0, dtype=np.float64)
        self._ceiling: int | None = None  # the number of steps known to be valid, if limited

    def _fetch(self, count: int) -> FloatArray:
        values = self._compute(count)
        assert values is not None
        return values

    def __getitem__(self, step: int) -> float:
        if step >= len(self._values):
            self._grow(step)
        return float(self._values[step])

    def _grow(self, step: int) -> None:
        if self._ceiling is not None and step >= self._ceiling:
            self._values = self._fetch(step + 1)  # raises, as torch does at this step
            return
        wanted = max(step + 1, 2 * len(self._values), 64)
        if self._ceiling is not None:
            wanted = min(wanted, self._ceiling)
        try:
            self._values = self._fetch(wanted)
            return
        except self._REFUSALS:
            if wanted == step + 1:
                raise
        good, bad = step + 1, wanted
        self._values = self._fetch(good)  # raises if `step` itself is refused
        while bad - good > 1:
            middle = (good + bad) // 2
            try:
                values = self._fetch(middle)
            except self._REFUSALS:
                bad = middle
            else:
                good, self._values = middle, values
        self._ceiling = good


@cache
def _scheduler_class() -> type:
    from torch.optim.lr_scheduler import LRScheduler

    class ScheduleLR(LRScheduler):
        """A torch LR scheduler that sets lr = schedule(t) (absolute, every param group) after
        t calls of `step()`, and the momentum or β₁ = schedule.momentum(t) when the schedule
        cycles momentum — like torch's CyclicLR/OneCycleLR."""

        def __init__(self, optimizer: Optimizer, schedule: Schedule) -> None:
            self.schedule = schedule
            self._lrs = _Planned(schedule.values)
            self._momenta = _Planned(schedule.momenta) if schedule.cycle_momentum else None
            if self._momenta is not None:
                if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                    raise ValueError(
                        "optimizer must support momentum or beta1 with `cycle_momentum` "
                        "option enabled"
                    )
                self.use_beta1 = "betas" in optimizer.defaults
            super().__init__(optimizer)

        def get_lr(self) -> list[float]:  # type: ignore[override]
            step = self.last_epoch
            lr = self._lrs[step]
            if self._momenta is not None:
                momentum = self._momenta[step]
                for group in self.optimizer.param_groups:
                    if self.use_beta1:
                        group["betas"] = (momentum, *group["betas"][1:])
                    else:
                        group["momentum"] = momentum
            return [lr for _ in self.optimizer.param_groups]

        def _get_closed_form_lr(self) -> list[float]:
            return self.get_lr()

        def state_dict(self) -> dict[str, Any]:
            state = super().state_dict()
            for key in ("_lrs", "_momenta"):
                state.pop(key, None)
            return state

        def __repr__(self) -> str:
            return f"ScheduleLR({self.schedule!r})"

    return ScheduleLR


def to_torch(
    schedule: Schedule | PlateauScheduler, optimizer: Optimizer
) -> LRScheduler | ReduceLROnPlateau:
    """A real torch LR scheduler that drives `optimizer` with an lrcore schedule.

    Step it as any torch scheduler, `optimizer.step(); scheduler.step()`: after t calls,
    every param group's lr is `schedule(t)` — set absolutely, whatever the optimizer's lr
    was — and, if `schedule.cycle_momentum`, its momentum (SGD, RMSprop) or β₁ (Adam) is
    `schedule.momentum(t)`, exactly as torch's CyclicLR/OneCycleLR set them. As with them,
    an optimizer without momentum or betas is then a ValueError. Building the scheduler
    already sets step 0's values (torch's constructors do too). Values are computed in
    growing blocks with `schedule.values`, so n steps cost O(n).

    A `reduce_lr_on_plateau` scheduler is returned as torch's own ReduceLROnPlateau with the
    same arguments, after setting the optimizer's lr to its initial lr.

    Args:
        schedule: any lrcore schedule (or plateau scheduler).
        optimizer: a torch optimizer.

    Returns:
        a `torch.optim.lr_scheduler.LRScheduler` subclass instance (`ScheduleLR`).

    >>> import torch
    >>> from lrcore.schedules import step_lr
    >>> w = torch.zeros(1, requires_grad=True)
    >>> opt = torch.optim.SGD([w], lr=123.0)  # overridden by the schedule
    >>> scheduler = to_torch(step_lr(lr=0.1, step_size=2, gamma=0.5), opt)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step()
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    if isinstance(schedule, PlateauScheduler):
        from torch.optim.lr_scheduler import ReduceLROnPlateau

        for group in optimizer.param_groups:
            group["lr"] = schedule.initial_lr
        return ReduceLROnPlateau(
            optimizer,
            mode=schedule.mode,
            factor=schedule.factor,
            patience=schedule.patience,
            threshold=schedule.threshold,
            threshold_mode=schedule.threshold_mode,
            cooldown=schedule.cooldown,
            min_lr=schedule.min_lr,
            eps=schedule.eps,
        )
    if not isinstance(schedule, Schedule):
        raise TypeError(f"to_torch needs an lrcore schedule, got {type(schedule).__name__}")
    scheduler: LRScheduler = _scheduler_class()(optimizer, schedule)
    return scheduler
