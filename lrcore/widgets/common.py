"""Helpers shared by the explorers: finite plotting data, sticky axis limits, slider factories."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clip_for_plot", "CLIP_LIMIT", "log_slider", "nice_step", "sticky_limits"]

CLIP_LIMIT = 1e12
"""Values beyond ±CLIP_LIMIT (and inf/nan) are drawn at the limit, with a warning shown."""


def clip_for_plot(values: np.ndarray, limit: float = CLIP_LIMIT) -> tuple[np.ndarray, bool]:
    """(values with inf/nan/huge replaced by ±limit, whether anything was clipped)."""
    values = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(values) | (np.abs(values) > limit)
    if not bad.any():
        return values, False
    clipped = np.where(np.isnan(values), limit, values)
    return np.clip(clipped, -limit, limit), True


def log_slider(description: str, value: float, low: float, high: float, step: float = 0.01):
    """A slider on a log10 scale, for learning rates that span decades."""
    import ipywidgets as widgets

    return widgets.FloatLogSlider(
        value=value, base=10, min=np.log10(low), max=np.log10(high), step=step,
        description=description, continuous_update=True, readout_format=".3g",
    )


def nice_step(span: float, bins: int = 5) -> float:
    """The smallest 1, 2 or 5 × 10^k that cuts `span` into at most `bins` intervals.

    >>> nice_step(1.0), nice_step(0.37), nice_step(1300)
    (0.2, 0.1, 500.0)
    """
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / bins
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1.0, 2.0, 5.0, 10.0):
        if multiple * power >= raw * (1 - 1e-12):
            return multiple * power
    return 10.0 * power  # pragma: no cover (the loop always returns)


def sticky_limits(
    low: float,
    high: float,
    current: tuple[float, float] | None = None,
    *,
    log: bool = False,
    slack: float = 3.0,
    margin: float = 0.04,
    headroom: float = 0.0,
) -> tuple[float, float]:
    """Axis limits that contain [low, high] and stay put while the data move a little.

    Redrawing the axes (ticks, labels) is what makes a figure slow, so an explorer keeps its
    limits as long as they still contain the data and are not more than `slack` times too
    wide (in decades on a log axis); otherwise the new limits are round — multiples of
    `nice_step` (linear) or powers of ten (log) — widened by `margin` of their span, and
    on a log axis by `headroom` spare decades below (where converging runs are heading).

    >>> sticky_limits(0.0, 0.93), sticky_limits(0.0, 0.21)  # from 0: up to 1, 2 or 5 × 10^k
    ((-0.04, 1.04), (-0.02, 0.52))
    >>> sticky_limits(0.0, 0.8, current=(-0.04, 1.04))  # still fits: unchanged
    (-0.04, 1.04)
    >>> sticky_limits(-3.0, 7.0)
    (-4.48, 8.48)
    >>> [round(math.log10(v), 2) for v in sticky_limits(3e-4, 500.0, log=True)]
    [-4.28, 3.28]
    """
    low, high = float(min(low, high)), float(max(low, high))
    if log:
        low = max(low, 1e-300)
        high = max(high, low)
        data_decades = math.log10(high) - math.log10(low)
        if (
            current is not None
            and 0 < current[0] <= low
            and high <= current[1]
            and math.log10(current[1] / current[0]) <= max(data_decades, 1.0) * slack + 1.0
        ):
            return current
        bottom = math.floor(math.log10(low) + 1e-9) - math.ceil(headroom)
        top = max(math.ceil(math.log10(high) - 1e-9), bottom + 1)
        pad = margin * (top - bottom)
        return 10.0 ** (bottom - pad), 10.0 ** (top + pad)
    if (
        current is not None
        and current[0] <= low
        and high <= current[1]
        and (current[1] - current[0]) <= max(high - low, 1e-300) * slack * (1 + 2 * margin)
    ):
        return current
    if low == 0.0 and high > 0.0:
        # Non-negative data from 0 (learning rates): the top is the next 1, 2 or 5 × 10^k, so
        # a growing lr changes the axis three times a decade, not at every nice step.
        top = _ceil_125(high)
        return round(-margin * top, 12), round(top * (1 + margin), 12)
    if high == low:
        half = abs(high) if high != 0 else 1.0
        low, high = low - half, high + half
    step = nice_step(high - low)
    bottom = math.floor(low / step + 1e-9) * step
    top = math.ceil(high / step - 1e-9) * step
    pad = margin * (top - bottom)
    return round(bottom - pad, 12), round(top + pad, 12)


def _ceil_125(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k that is ≥ value > 0."""
    power = 10.0 ** math.floor(math.log10(value))
    for multiple in (1.0, 2.0, 5.0, 10.0):
        if multiple * power >= value * (1 - 1e-12):
            return multiple * power
    return 10.0 * power  # pragma: no cover
