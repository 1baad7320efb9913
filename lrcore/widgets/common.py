"""Helpers shared by the explorers: finite plotting data and slider factories."""

from __future__ import annotations

import numpy as np

__all__ = ["clip_for_plot", "CLIP_LIMIT", "log_slider"]

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
