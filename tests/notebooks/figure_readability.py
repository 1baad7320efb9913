"""Is a matplotlib figure readable in a 990-px JupyterLab notebook column?

JupyterLab shows an inline figure as a PNG of its tight bounding box at the figure's dpi, one
image pixel per CSS pixel, scaled down to the column's width when it is wider. At that displayed
size this module measures three things, with the Agg renderer's window extents:

- the smallest text, in on-screen points (96 CSS pixels to the inch, 72 points to the inch);
- pairs of text elements (titles, axis labels, tick labels, legend texts, other texts) whose
  boxes overlap;
- the share of the plotted data points (vertices of lines, scatter offsets) inside each legend's
  box.

`figure_problems(fig)` returns one plain sentence per problem; an empty list means readable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

COLUMN_PX = 990
"""The width of JupyterLab's notebook column on a 1440-px window (CSS pixels)."""
MIN_TEXT_PT = 8.0
"""The smallest readable text on screen, in points."""
MAX_LEGEND_SHARE = 0.02
"""The largest share of an axes' plotted points a legend may cover."""
CSS_PX_PER_PT = 96 / 72
OVERLAP_TOLERANCE_PX = 1.0
"""Boxes that share less than this (in figure pixels) along either direction do not collide."""


@dataclass(frozen=True)
class Label:
    """A drawn text element: what it is (for the sentence) and its box in figure pixels."""

    role: str
    text: Text
    box: Bbox


def display_scale(fig: Figure, renderer) -> float:
    """Displayed size / drawn size: 1, or less when the tight PNG is wider than the column."""
    return min(1.0, COLUMN_PX / displayed_width_px(fig, renderer))


def displayed_width_px(fig: Figure, renderer) -> float:
    """The width of the inline PNG: the tight bounding box plus savefig's padding, at fig.dpi."""
    import matplotlib as mpl

    tight = fig.get_tightbbox(renderer)
    pad = mpl.rcParams["savefig.pad_inches"]
    return (tight.width + 2 * pad) * fig.dpi


def on_screen_points(text: Text, fig: Figure, scale: float) -> float:
    """A text's size as the reader sees it: its drawn pixels, scaled, in CSS points."""
    return text.get_fontsize() * fig.dpi / 72 * scale / CSS_PX_PER_PT


def _shown(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _tick_labels(ax, renderer) -> list[Label]:
    """The tick labels the axes actually draws: visible, non-empty, at a tick inside the view."""
    labels = []
    window = ax.get_window_extent(renderer)
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        low, high = sorted(axis.get_view_interval())
        transform = ax.get_xaxis_transform() if name == "x" else ax.get_yaxis_transform()
        for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
            location = tick.get_loc()
            if location is None or not (low - 1e-12 * abs(high - low) <= location
                                        <= high + 1e-12 * abs(high - low)):
                continue
            point = (location, 0) if name == "x" else (0, location)
            try:
                pixel = transform.transform(point)[0 if name == "x" else 1]
            except ValueError:
                continue
            edge_low, edge_high = ((window.x0, window.x1) if name == "x"
                                   else (window.y0, window.y1))
            if not np.isfinite(pixel) or not edge_low - 1 <= pixel <= edge_high + 1:
                continue
            for text in (tick.label1, tick.label2):
                if _shown(text):
                    labels.append(Label(f"a {name} tick label", text,
                                        text.get_window_extent(renderer)))
    return labels


def drawn_labels(fig: Figure, renderer) -> list[Label]:
    """Every text the figure draws, with its role and box."""
    labels: list[Label] = []
    seen: set[int] = set()

    def add(role: str, text: Text) -> None:
        if id(text) not in seen and _shown(text):
            seen.add(id(text))
            labels.append(Label(role, text, text.get_window_extent(renderer)))

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for tick_label in _tick_labels(ax, renderer):
            seen.add(id(tick_label.text))
            labels.append(tick_label)
        for title in (ax.title, ax._left_title, ax._right_title):  # noqa: SLF001 (no public list)
            add("a title", title)
        add("an x-axis label", ax.xaxis.label)
        add("a y-axis label", ax.yaxis.label)
        add("an axis offset", ax.xaxis.get_offset_text())
        add("an axis offset", ax.yaxis.get_offset_text())
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            add("a legend title", legend.get_title())
            for text in legend.get_texts():
                add("a legend text", text)
        for text in ax.texts:
            add("a text", text)
    for legend in fig.legends:
        for text in legend.get_texts():
            add("a legend text", text)
    for text in fig.texts:
        add("a figure text", text)
    if getattr(fig, "_suptitle", None) is not None:
        add("the figure title", fig._suptitle)  # noqa: SLF001
    return labels


def _overlap(a: Bbox, b: Bbox) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > OVERLAP_TOLERANCE_PX and height > OVERLAP_TOLERANCE_PX


def _plotted_points(ax, renderer, legend: Legend) -> np.ndarray:
    """Every data point the axes draws inside its view, in figure pixels (legend handles out)."""
    handles = {id(artist) for artist in legend.legend_handles} if legend else set()
    window = ax.get_window_extent(renderer)
    chunks = []
    for line in ax.get_lines():
        if id(line) in handles or not line.get_visible():
            continue
        chunks.append(line.get_transform().transform(line.get_xydata()))
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_visible():
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if offsets.size:
                chunks.append(collection.get_offset_transform().transform(offsets))
    if not chunks:
        return np.empty((0, 2))
    points = np.concatenate(chunks)
    points = points[np.isfinite(points).all(axis=1)]
    inside = ((points[:, 0] >= window.x0 - 0.5) & (points[:, 0] <= window.x1 + 0.5)
              & (points[:, 1] >= window.y0 - 0.5) & (points[:, 1] <= window.y1 + 0.5))
    return points[inside]


def legend_cover(ax, renderer) -> float | None:
    """The share of the axes' plotted points inside its legend's box (None: no legend)."""
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return None
    points = _plotted_points(ax, renderer, legend)
    if not len(points):
        return 0.0
    box = legend.get_window_extent(renderer)
    inside = ((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
              & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1))
    return float(inside.mean())


def _describe(label: Label) -> str:
    text = label.text.get_text().replace("\n", " ")
    return f"{label.role} '{text[:40]}'"


def figure_problems(fig: Figure) -> list[str]:
    """One sentence per readability problem of fig at its displayed size in a 990-px column."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    scale = display_scale(fig, renderer)
    problems = []
    labels = drawn_labels(fig, renderer)
    smallest = min(labels, key=lambda label: label.text.get_fontsize(), default=None)
    if smallest is not None:
        points = on_screen_points(smallest.text, fig, scale)
        if points < MIN_TEXT_PT - 1e-9:
            problems.append(f"{_describe(smallest)} is {points:.1f} pt on screen "
                            f"(the figure is shown at {scale:.0%}); make it at least "
                            f"{MIN_TEXT_PT:.0f} pt.")
    for first, second in itertools.combinations(labels, 2):
        if _overlap(first.box, second.box):
            problems.append(f"{_describe(first)} overlaps {_describe(second)}.")
    for index, ax in enumerate(fig.axes):
        share = legend_cover(ax, renderer)
        if share is not None and share > MAX_LEGEND_SHARE:
            title = ax.get_title() or f"axes {index}"
            problems.append(f"the legend of '{title}' covers {share:.0%} of the plotted points "
                            f"(at most {MAX_LEGEND_SHARE:.0%}).")
    return problems


def save_as_shown(fig: Figure, path: Path) -> None:
    """Write fig as the notebook column shows it: the tight PNG, scaled to at most 990 px wide
    (for a person to look at; the checks above measure, they do not read this file)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    scale = display_scale(fig, canvas.get_renderer())
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=fig.dpi * scale, bbox_inches="tight")


def named_figures(namespace: dict) -> dict[str, Figure]:
    """The figures bound to names in a notebook's namespace, by name."""
    return {name: value for name, value in namespace.items()
            if isinstance(value, Figure) and not name.startswith("_")}
