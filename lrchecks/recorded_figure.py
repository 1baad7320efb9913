"""A student's figure read back from its snapshot without matplotlib: what the plot checks read.

`figure_data.rebuild` used to draw every snapshot on a new matplotlib `Figure` so that the plot
checks run unchanged on the copy. A matplotlib Axes costs about 5 ms to make (its ticks,
spines and text), and the judge rebuilt about eight per notebook — a fifth of its time, and the
same again in a grading kernel, where each figure check sees the figure as the grader will.

The checks read little of a figure (`lrchecks.plots`, `lrchecks.plot_lines`, the figure checks):
the axes in order, each one's label, title, axis labels, scales, limits and legend, its lines'
data and labels, its vertical segments (`vlines`) and its filled field (contourf, pcolormesh,
imshow); and the figure's legends. `read_back(data, decode)` returns objects that answer exactly
those questions — `RecordedFigure`, `RecordedAxes`, `RecordedLine`, `RecordedSegments`,
`RecordedField` — with the values matplotlib's copy would give.

They do so only where that is certain. matplotlib changes some values as they are set — limits
equal at both ends are widened, a non-positive limit of a log axis is ignored, an empty line
label becomes `_childN`, lines whose x and y differ in length cannot be plotted — so a snapshot
with anything of the kind (only a forged record or an odd figure has one) is left to
matplotlib: `read_back` returns None and `rebuild` draws the copy as before.
`tests/unit/test_recorded_figure.py` reads figures both ways and compares every answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["RecordedFigure", "RecordedAxes", "RecordedLine", "RecordedSegments",
           "RecordedField", "read_back", "chosen_view"]

SIMPLE_SCALES = ("linear", "log", "symlog", "logit")
"""The scales a rebuilt axes takes from its snapshot (another, a colorbar's "function", stays
"linear": it needs its functions)."""

Codec = Callable[[Any], Any]


class _NotPlain(Exception):
    """The snapshot has something matplotlib would change as it is drawn."""


class RecordedLine:
    """A line: its data (float arrays, as plotted) and its label."""

    def __init__(self, x: np.ndarray, y: np.ndarray, label: str, axes: RecordedAxes) -> None:
        self._x, self._y, self._label = x, y, label
        self.axes = axes
        self.figure = axes.figure

    def get_xdata(self) -> np.ndarray:
        return self._x

    def get_ydata(self) -> np.ndarray:
        return self._y

    def get_label(self) -> str:
        return self._label


class RecordedSegments:
    """The vertical segments of a panel (a `LineCollection`'s `get_segments`)."""

    def __init__(self, segments: list[np.ndarray]) -> None:
        self._segments = segments

    def get_segments(self) -> list[np.ndarray]:
        return list(self._segments)


class RecordedField:
    """A filled field: kind "contourf" (its levels and data range), "mesh" or "image" (the
    array)."""

    def __init__(self, kind: str, *, levels: np.ndarray | None = None,
                 zmin: float = math.nan, zmax: float = math.nan,
                 array: np.ndarray | None = None) -> None:
        self.kind = kind
        self.filled = kind == "contourf"
        self.levels, self.zmin, self.zmax, self._array = levels, zmin, zmax, array

    def get_array(self) -> np.ndarray | None:
        return self._array


class _Legend:
    """A legend: the checks ask only whether there is one."""


class RecordedAxes:
    """One panel of a recorded figure."""

    def __init__(self, figure: RecordedFigure, panel: dict[str, Any], decode: Codec) -> None:
        self.figure = figure
        self._label = str(panel["label"])
        self._title = str(panel["title"])
        self._xlabel, self._ylabel = str(panel["xlabel"]), str(panel["ylabel"])
        self._xscale = _scale(panel["xscale"])
        self._yscale = _scale(panel["yscale"])
        self._xlim = _limits(panel["xlim"], self._xscale)
        self._ylim = _limits(panel["ylim"], self._yscale)
        self._legend = _Legend() if panel["legend"] else None
        self._lines = [RecordedLine(*_line_data(line, decode), _line_label(line, index), self)
                       for index, line in enumerate(panel["lines"])]
        self.collections: list[Any] = []
        self.images: list[RecordedField] = []
        if panel["segments"]:
            self.collections.append(RecordedSegments(
                [_segment(segment, decode) for segment in panel["segments"]]))
        for field in panel["fields"]:
            recorded = _field(field, decode)
            (self.images if recorded.kind == "image" else self.collections).append(recorded)

    def get_label(self) -> str:
        return self._label

    def get_title(self) -> str:
        return self._title

    def get_xlabel(self) -> str:
        return self._xlabel

    def get_ylabel(self) -> str:
        return self._ylabel

    def get_xscale(self) -> str:
        return self._xscale

    def get_yscale(self) -> str:
        return self._yscale

    def get_xlim(self) -> tuple[float, float]:
        return self._xlim

    def get_ylim(self) -> tuple[float, float]:
        return self._ylim

    def get_legend(self) -> _Legend | None:
        return self._legend

    def get_lines(self) -> list[RecordedLine]:
        return list(self._lines)


class RecordedFigure:
    """A recorded figure: its axes in order and its figure-level legends."""

    def __init__(self, data: dict[str, Any], decode: Codec) -> None:
        self.legends = [_Legend() for _ in range(int(data["figure_legends"]))]
        self._axes = [RecordedAxes(self, panel, decode) for panel in data["panels"]]

    def get_axes(self) -> list[RecordedAxes]:
        return list(self._axes)


def _scale(scale: Any) -> str:
    return str(scale) if scale in SIMPLE_SCALES else "linear"


def _limits(limits: Any, scale: str) -> tuple[float, float]:
    """The limits as matplotlib keeps them when it keeps them as given."""
    if not isinstance(limits, list | tuple) or len(limits) != 2:
        raise _NotPlain
    low, high = (float(value) for value in limits)
    if not (math.isfinite(low) and math.isfinite(high)) or low == high:
        raise _NotPlain  # refused, or widened
    if scale == "log" and min(low, high) <= 0:
        raise _NotPlain  # ignored: the autoscaled limit stays
    if scale == "logit" and not (min(low, high) > 0 and max(low, high) < 1):
        raise _NotPlain
    return low, high


def _float_vector(value: Any) -> np.ndarray:
    if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.ndim == 1):
        raise _NotPlain
    return value


def _line_data(line: dict[str, Any], decode: Codec) -> tuple[np.ndarray, np.ndarray]:
    x, y = _float_vector(decode(line["x"])), _float_vector(decode(line["y"]))
    if x.shape != y.shape:
        raise _NotPlain  # matplotlib cannot plot it
    return x, y


def _line_label(line: dict[str, Any], index: int) -> str:
    label = str(line["label"])
    return label if label else f"_child{index}"  # matplotlib names an unlabelled artist


def _segment(segment: Any, decode: Codec) -> np.ndarray:
    points = decode(segment)
    if not (isinstance(points, np.ndarray) and points.dtype == np.float64 and points.ndim == 2
            and points.shape[1] == 2 and points.shape[0] >= 1
            and np.isfinite(points).all()):
        raise _NotPlain
    return points


def _field(field: dict[str, Any], decode: Codec) -> RecordedField:
    kind = field["kind"]
    if kind == "contourf":
        levels = decode(field["levels"])
        zmin, zmax = float(field["zmin"]), float(field["zmax"])
        if not (isinstance(levels, np.ndarray) and levels.ndim == 1 and levels.size > 1
                and np.isfinite(levels).all() and np.all(np.diff(levels) > 0)
                and math.isfinite(zmin) and math.isfinite(zmax) and zmin < zmax):
            raise _NotPlain  # matplotlib would choose or refuse the levels
        return RecordedField(kind, levels=levels.astype(np.float64), zmin=zmin, zmax=zmax)
    if kind in ("mesh", "image"):
        array = decode(field["array"])
        if not (isinstance(array, np.ndarray) and array.dtype == np.float64 and array.ndim == 2
                and array.size > 1 and np.isfinite(array).any()):
            raise _NotPlain
        return RecordedField(kind, array=np.ma.masked_invalid(array))
    raise _NotPlain


def read_back(data: dict[str, Any], decode: Codec) -> Any | None:
    """The snapshot as recorded objects (its Figure, Axes or array of Axes, as `rebuild`
    returns), or None when matplotlib would change something in it as it is drawn."""
    try:
        figure = RecordedFigure(data, decode)
    except _NotPlain:
        return None
    return chosen_view(data, figure, figure.get_axes())


def chosen_view(data: dict[str, Any], figure: Any, axes: list[Any]) -> Any:
    """What the snapshot was taken of, among a copy's `figure` and its `axes`: the figure,
    one Axes, or an array of Axes of the recorded shape."""
    if data["chosen"] is None:
        return figure
    chosen = [axes[i] for i in data["chosen"]]
    if data["shape"] is None:
        return chosen[0]
    array = np.empty(len(chosen), dtype=object)
    array[:] = chosen
    return array.reshape(data["shape"])
