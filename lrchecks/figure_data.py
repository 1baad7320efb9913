"""A student's figure as data, and back: what the plot checks read, nothing else.

`snapshot(figure, encode)` keeps, per panel, its label, title, axis labels, scales and limits,
whether it has a legend, every line's data and label, vertical segments (`vlines`), and the
filled field a panel shows (contourf: its levels and data range; pcolormesh / imshow: the
array). `rebuild(data, decode)` gives a copy the plot checks run on unchanged — in the kernel
while grading, and in the grader outside it, on the same data: the recorded objects of
`lrchecks.recorded_figure`, which answer what the checks ask as matplotlib would, or, for a
snapshot with something matplotlib would change as it is drawn, a new
`matplotlib.figure.Figure` (no pyplot, no window) drawn from it.

The arrays are written and read with the codec the caller passes (`lrchecks.encoding` passes its
own `encode` and `decode`): a figure is one kind of value that codec handles, and the figure's
arrays are values of that codec, so this module takes the codec as an argument instead of
importing it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["snapshot", "rebuild", "redraw"]

SIMPLE_SCALES = ("linear", "log", "symlog", "logit")

Codec = Callable[[Any], Any]
"""`lrchecks.encoding.encode` (a value to JSON) or `decode` (JSON to the value)."""


def _floats(data: Any, encode: Codec) -> list[Any]:
    try:
        return encode(np.asarray(data, dtype=np.float64).reshape(-1))
    except (TypeError, ValueError):  # strings or dates on an axis: the checks read no such data
        return encode(np.zeros(0))


def _field(artist: Any, encode: Codec) -> dict[str, Any] | None:
    from matplotlib.collections import QuadMesh
    from matplotlib.contour import ContourSet
    from matplotlib.image import AxesImage

    if isinstance(artist, ContourSet):
        if not getattr(artist, "filled", False):
            return None
        return {"kind": "contourf", "levels": encode(np.asarray(artist.levels, dtype=float)),
                # set by ContourSet.__init__ but missing from matplotlib's stub
                "zmin": float(artist.zmin),  # type: ignore[attr-defined]
                "zmax": float(artist.zmax)}  # type: ignore[attr-defined]
    if isinstance(artist, QuadMesh | AxesImage):
        values = np.ma.filled(np.ma.masked_invalid(np.asarray(artist.get_array(), dtype=float)),
                              np.nan)
        kind = "image" if isinstance(artist, AxesImage) else "mesh"
        return {"kind": kind, "array": encode(np.atleast_2d(values))}
    return None


def _segments(collection: Any, encode: Codec) -> list[Any]:
    from matplotlib.contour import ContourSet

    if isinstance(collection, ContourSet) or not hasattr(collection, "get_segments"):
        return []
    return [encode(np.asarray(segment, dtype=np.float64)) for segment in
            collection.get_segments()]


def _panel(ax: Any, encode: Codec) -> dict[str, Any]:
    legend = ax.get_legend()
    fields = [field for artist in list(ax.collections) + list(ax.images)
              if (field := _field(artist, encode)) is not None]
    return {
        "label": ax.get_label(), "title": ax.get_title(),
        "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
        "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
        "xlim": [float(v) for v in ax.get_xlim()], "ylim": [float(v) for v in ax.get_ylim()],
        "legend": legend is not None,
        "lines": [{"x": _floats(line.get_xdata(), encode),
                   "y": _floats(line.get_ydata(), encode),
                   "label": str(line.get_label())} for line in ax.get_lines()],
        "segments": [seg for c in ax.collections for seg in _segments(c, encode)],
        "fields": fields,
    }


def snapshot(value: Any, encode: Codec) -> dict[str, Any]:
    """What the checks read of a Figure, an Axes or an array of Axes, its arrays written with
    `encode`."""
    from matplotlib.axes import Axes

    if isinstance(value, Axes):
        figure, chosen, shape = value.figure, [value], None
    elif isinstance(value, np.ndarray):
        chosen = list(value.reshape(-1))
        figure, shape = chosen[0].figure, list(value.shape)
    else:
        figure, chosen, shape = value, None, None
    axes = figure.get_axes()
    return {
        "panels": [_panel(ax, encode) for ax in axes],
        "figure_legends": len(figure.legends),
        "chosen": None if chosen is None else [axes.index(ax) for ax in chosen],
        "shape": shape,
    }


def _draw_field(ax: Any, field: dict[str, Any], decode: Codec) -> None:
    if field["kind"] == "contourf":
        levels = decode(field["levels"])
        z = np.array([[field["zmin"], field["zmax"]], [field["zmin"], field["zmax"]]])
        ax.contourf([0.0, 1.0], [0.0, 1.0], z, levels=levels if levels.size > 1 else None)
    elif field["kind"] == "mesh":
        ax.pcolormesh(decode(field["array"]))
    else:
        ax.imshow(decode(field["array"]))


def _draw_panel(ax: Any, panel: dict[str, Any], decode: Codec) -> None:
    from matplotlib.collections import LineCollection
    from matplotlib.legend import Legend

    ax.set_label(str(panel["label"]))
    for line in panel["lines"]:
        ax.plot(decode(line["x"]), decode(line["y"]), label=str(line["label"]))
    if panel["segments"]:
        ax.add_collection(LineCollection([decode(segment) for segment in panel["segments"]]))
    for field in panel["fields"]:
        _draw_field(ax, field, decode)
    for axis, scale in (("x", panel["xscale"]), ("y", panel["yscale"])):
        if scale in SIMPLE_SCALES:  # a "function" scale (a colorbar's) needs its functions
            getattr(ax, f"set_{axis}scale")(str(scale))
    ax.set_title(str(panel["title"]))
    ax.set_xlabel(str(panel["xlabel"]))
    ax.set_ylabel(str(panel["ylabel"]))
    ax.set_xlim(*panel["xlim"])
    ax.set_ylim(*panel["ylim"])
    if panel["legend"]:
        ax.legend_ = Legend(ax, [], [])  # the checks ask only whether there is one


def rebuild(data: dict[str, Any], decode: Codec) -> Any:
    """A figure that reads like the snapshot (or its Axes / array of Axes), its arrays read
    with `decode`: recorded objects where they answer as matplotlib would, else drawn."""
    from lrchecks.recorded_figure import read_back

    recorded = read_back(data, decode)
    return recorded if recorded is not None else redraw(data, decode)


def redraw(data: dict[str, Any], decode: Codec) -> Any:
    """A new matplotlib Figure drawn from the snapshot (or its Axes / array of Axes)."""
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    figure = Figure()
    panels = data["panels"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log scales over non-positive data, empty legends
        axes = [figure.add_subplot(len(panels), 1, i + 1) for i in range(len(panels))]
        for ax, panel in zip(axes, panels, strict=True):
            _draw_panel(ax, panel, decode)
        figure.legends.extend(Legend(figure, [], [])
                              for _ in range(int(data["figure_legends"])))
    from lrchecks.recorded_figure import chosen_view

    return chosen_view(data, figure, axes)
