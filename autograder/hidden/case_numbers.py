"""Numbers for hidden cases that read like numbers a person writes.

The pools' candidate generators draw their parameters through these helpers, so that a case
shows `0.35` rather than `0.3512874…`. The draws and their rounding are part of what a pool
is: a change here changes the cases every student gets (`hidden_cases/*.json` are checked
against the specifications by the pool tests).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["rounded", "log_uniform"]


def rounded(value: float, digits: int = 3) -> float:
    """`value` to `digits` significant digits (Python's `f"{value:.{digits}g}"`).

    >>> rounded(0.123456), rounded(1234.5, 2)
    (0.123, 1200.0)
    """
    return float(f"{value:.{digits}g}")


def log_uniform(rng: np.random.Generator, low: float, high: float, digits: int = 3) -> float:
    """A number between `low` and `high`, uniform in its logarithm (one `rng.uniform` draw of
    log x), to `digits` significant digits."""
    return rounded(math.exp(rng.uniform(math.log(low), math.log(high))), digits)
