"""Helpers shared by the explorers: finite plotting data, sticky axis limits, slider factories,
the colour-blind-safe palette and the sizes that fit a JupyterLab notebook column."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = [
    "CLIP_LIMIT",
    "COLORS",
    "COLUMN_WIDTH_PX",
    "FIGURE_DPI",
    "FIGURE_WIDTH_IN",
    "FONT_SIZE",
    "clip_for_plot",
    "control_row",
    "explorer_style",
    "log_slider",
    "nice_step",
    "readout_value",
    "sized",
    "slider_neighbours",
    "sticky_limits",
]

COLUMN_WIDTH_PX = 990
"""The width of a JupyterLab notebook's output column in a 1440-px window: no explorer is wider."""
FIGURE_DPI = 96
"""At 96 dpi a figure's points are the screen's points (CSS: 96 px per inch, at a device pixel
ratio of 1), so `FONT_SIZE` is what the student reads."""
FIGURE_WIDTH_IN = 9.6
"""922 px at `FIGURE_DPI`: the column, less the widgets' padding."""
FONT_SIZE = {"tick": 8.5, "label": 9.0, "title": 10.0, "legend": 8.5, "small_title": 9.0}
"""Points on screen; nothing smaller than 8 pt."""

COLORS = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
"""The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every common colour-vision
deficiency. The explorers never tell two things apart by red against green alone: lines that
share a panel also differ in style or lightness."""

_STYLE = {
    "axes.prop_cycle": None,  # filled in below, from COLORS
    "font.size": FONT_SIZE["label"],
    "axes.titlesize": FONT_SIZE["title"],
    "axes.labelsize": FONT_SIZE["label"],
    "xtick.labelsize": FONT_SIZE["tick"],
    "ytick.labelsize": FONT_SIZE["tick"],
    "legend.fontsize": FONT_SIZE["legend"],
    "figure.dpi": FIGURE_DPI,
    "image.cmap": "cividis",
}


@contextmanager
def explorer_style() -> Iterator[None]:
    """matplotlib settings for building an explorer's figure: the palette as the colour cycle
    (so "C0", "C1", … are Okabe–Ito colours), screen-sized fonts, `FIGURE_DPI`."""
    import matplotlib
    from cycler import cycler

    order = ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black")
    style = dict(_STYLE, **{"axes.prop_cycle": cycler(color=[COLORS[name] for name in order])})
    # matplotlib's stub types rc as a dict keyed by its Literal rc names; rcParams check them
    with matplotlib.rc_context(style):  # type: ignore[arg-type]
        yield


def readout_value(value: float) -> float:
    """The value a log slider's readout shows (3 significant digits): what an explorer that
    computes ahead uses, so that the value the browser sends (its own float arithmetic) and the
    values computed ahead (Python's) name the same setting.

    >>> readout_value(0.05011872336272725), readout_value(0.3)
    (0.0501, 0.3)
    """
    return float(f"{float(value):.3g}")


def slider_neighbours(control: Any, steps: Sequence[int] = (1, -1, 2, -2)) -> list[Any]:
    """The values the arrow keys would give `control` after each number of `steps` (+ right,
    − left), those inside its range only. Works for IntSlider, FloatSlider, FloatLogSlider
    (steps in the exponent) and SelectionSlider (steps through the options)."""
    kind = type(control).__name__
    found: list[Any] = []
    if kind == "SelectionSlider":
        options = [value for _label, value in control._options_full]
        index = options.index(control.value)
        for step in steps:
            if 0 <= index + step < len(options):
                found.append(options[index + step])
        return found
    if kind == "FloatLogSlider":
        exponent = math.log(control.value, control.base)
        for step in steps:
            position = round((exponent - control.min) / control.step) + step
            candidate = control.min + position * control.step
            if control.min - 1e-9 <= candidate <= control.max + 1e-9:
                found.append(float(control.base ** candidate))
        return found
    for step in steps:
        position = round((control.value - control.min) / control.step) + step
        candidate = control.min + position * control.step
        if control.min <= candidate <= control.max:
            found.append(type(control.value)(round(candidate, 10)))
    return found


def control_row(*controls: Any) -> Any:
    """An HBox of controls that wraps onto the next line rather than grow wider than the
    column."""
    import ipywidgets as widgets

    return widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap",
                                                              max_width=f"{COLUMN_WIDTH_PX}px"))

LOG_SLACK_DECADES = 4.0
"""Spare decades a log axis may keep beyond `slack` times the data's (see `sticky_limits`)."""
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


SLIDER_LAYOUT = {"width": "300px"}
"""Three sliders side by side fit the column."""
SLIDER_STYLE = {"description_width": "78px"}


def log_slider(description: str, value: float, low: float, high: float, step: float = 0.01):
    """A slider on a log10 scale, for learning rates that span decades; the arrow keys move it
    by `step` decades."""
    import ipywidgets as widgets

    return widgets.FloatLogSlider(
        value=value, base=10, min=np.log10(low), max=np.log10(high), step=step,
        description=description, continuous_update=True, readout_format=".3g",
        layout=widgets.Layout(**SLIDER_LAYOUT), style=SLIDER_STYLE,
    )


def sized(control: Any) -> Any:
    """`control` with the explorers' slider width and label width (returned, for chaining)."""
    import ipywidgets as widgets

    control.layout = widgets.Layout(**SLIDER_LAYOUT)
    if "description_width" in control.style.keys:
        control.style.description_width = SLIDER_STYLE["description_width"]
    return control


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
    wide (in decades on a log axis, `slack` times the data's decades plus
    `LOG_SLACK_DECADES`); otherwise the new limits are round — multiples of `nice_step`
    (linear) or powers of ten (log) — widened by `margin` of their span, and on a log axis by
    `headroom` spare decades below (where converging runs are heading). A log axis grows to
    take in new data rather than jump to it, as long as it is not then too wide.

    >>> sticky_limits(0.0, 0.93), sticky_limits(0.0, 0.21)  # from 0: up to 1, 2 or 5 × 10^k
    ((-0.04, 1.04), (-0.02, 0.52))
    >>> sticky_limits(0.0, 0.8, current=(-0.04, 1.04))  # still fits: unchanged
    (-0.04, 1.04)
    >>> sticky_limits(-3.0, 7.0)
    (-4.48, 8.48)
    >>> [round(math.log10(v), 2) for v in sticky_limits(3e-4, 500.0, log=True)]
    [-4.28, 3.28]
    >>> sticky_limits(20.0, 3e4, current=(0.1, 1e4), log=True)  # grown, not moved
    (0.1, 144543.9770745928)
    """
    low, high = float(min(low, high)), float(max(low, high))
    if log:
        low = max(low, 1e-300)
        high = max(high, low)
        # Decades the limits may span before they shrink around the data: data whose range
        # jumps back and forth (a run that now passes close to 0, now not) keeps its axis.
        allowed = max(math.log10(high) - math.log10(low), 1.0) * slack + LOG_SLACK_DECADES
        if current is not None and not 0 < current[0] < current[1]:
            current = None  # no log limits to keep or grow
        if current is not None and current[0] <= low and high <= current[1] \
                and math.log10(current[1] / current[0]) <= allowed:
            return current
        bottom: float = math.floor(math.log10(low) + 1e-9) - math.ceil(headroom)
        top: float = max(math.ceil(math.log10(high) - 1e-9), bottom + 1)
        pad = margin * (top - bottom)
        fresh = 10.0 ** (bottom - pad), 10.0 ** (top + pad)
        if current is not None:  # grow the limits rather than move them: the next may come back
            grown = min(fresh[0], current[0]), max(fresh[1], current[1])
            if math.log10(grown[1] / grown[0]) <= allowed:
                return grown
        return fresh
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
