"""What every part of lrcore accepts as a schedule."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["LrSchedule"]


@runtime_checkable
class LrSchedule(Protocol):
    """A learning-rate schedule: `s(t)` is the lr of optimizer step t and `s.values(n)` the lrs
    of steps 0..n−1 as a float64 array.

    Every `lrcore.schedules` constructor returns one, but any object with these two methods
    works. A schedule that also has `momenta(n)` (cyclic and one-cycle) has its momenta applied
    by `lrcore.optim.run` and `lrcore.quadratic.optimize`, unless its `cycle_momentum` is false.
    """

    def __call__(self, t: int) -> float: ...

    def values(self, n: int) -> np.ndarray: ...
