"""A recorded figure answers every question the plot checks ask exactly as matplotlib's copy
drawn from the same snapshot does — or steps aside for matplotlib (`read_back` → None).

Each figure below is snapshot as a grading kernel snapshots it (`encode`), then read back both
ways: `recorded_figure.read_back` and `figure_data.redraw` (matplotlib). `reading` asks what the
checks ask (lrchecks.plots, plot_lines, the figure checks of ps03 and ps05)."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from lrchecks import figure_data, plots
from lrchecks.encoding import decode, encode
from lrchecks.plot_lines import line_data
from lrchecks.ps03.suggestion import _vertical_positions
from lrchecks.ps05.runs import _field_range, _filled_field
from lrchecks.recorded_figure import RecordedAxes, RecordedFigure, read_back


def _panel_reading(panel: Any) -> dict[str, Any]:
    field = _filled_field(panel)
    return {
        "label": panel.get_label(), "title": panel.get_title(),
        "xlabel": panel.get_xlabel(), "ylabel": panel.get_ylabel(),
        "xscale": panel.get_xscale(), "yscale": panel.get_yscale(),
        "xlim": tuple(map(float, panel.get_xlim())), "ylim": tuple(map(float, panel.get_ylim())),
        "legend": panel.get_legend() is not None,
        "figure legends": len(panel.figure.legends),
        "lines": [(line.get_label(), x.tolist(), y.tolist(), line.figure is panel.figure)
                  for line, x, y in line_data(panel)],
        "vertical": _vertical_positions(panel),
        "field": None if field is None else _field_range(field),
    }


def reading(value: Any) -> list[dict[str, Any]]:
    """What the checks read of a figure, an Axes or an array of Axes."""
    return [_panel_reading(panel) for panel in plots.panels_of(value, "fig")]


def _lines_and_legends() -> Figure:
    figure = Figure()
    left, right = figure.subplots(1, 2)
    steps = np.arange(50)
    left.plot(steps, 0.9 ** steps, label="lr 0.1")
    left.plot(steps, 0.5 ** steps)  # unlabelled: matplotlib calls it _child1
    left.axvline(12.0, color="grey")
    left.set(xlabel="step", ylabel="|x|", yscale="log", title="Runs", xlim=(0, 49))
    left.legend()
    right.plot([1e-4, 1e-2, 1.0], [3.0, 1.0, 9.0], "o-", label="loss")
    right.vlines([1e-3, 0.3], 0, 1)
    right.set(xscale="log", xlabel="lr", title="Range test")
    figure.legend()
    return figure


def _fields() -> Figure:
    figure = Figure()
    axes = figure.subplots(1, 3)
    xs = np.linspace(-1.5, 1.5, 20)
    grid = np.add.outer(xs, xs) / 3 + 0.5
    filled = axes[0].contourf(xs, xs, grid, levels=np.linspace(0, 1, 11))
    axes[1].pcolormesh(np.where(grid > 0.9, np.nan, grid))
    axes[2].imshow(grid * 2, origin="lower")
    figure.colorbar(filled, ax=axes)  # its axis has a "function" scale
    return figure


def _array_of_axes() -> np.ndarray:
    figure = Figure()
    axes = figure.subplots(2, 2)
    for index, ax in enumerate(axes.flat):
        ax.plot([0, 1, 2], [index, index + 1, index * 2], label=f"run {index}")
        ax.set(yscale="symlog" if index % 2 else "linear", xlim=(2, 0))  # inverted
    return axes


def _one_axes() -> Any:
    figure = Figure()
    ax = figure.add_subplot()
    ax.plot([0.1, 0.2], [0.3, 0.4])
    ax.set(yscale="logit", ylim=(0.01, 0.99), title="one")
    return ax


def _odd_lines() -> Figure:
    figure = Figure()
    ax = figure.add_subplot()
    (line,) = ax.plot([0, 1, 2], [1, 2, 3], label="moved")
    line.set_data([0, 1, 2, 3], [1, 2, 3])  # x and y of different lengths: matplotlib accepts
    ax.set_xlim(1, 1)  # equal limits: matplotlib widens them
    return figure


FIGURES = {"lines and legends": _lines_and_legends, "fields and a colorbar": _fields,
           "an array of axes": _array_of_axes, "one axes": _one_axes}


def _both_ways(data: dict[str, Any]) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_back(data, decode), figure_data.redraw(data, decode)


@pytest.mark.parametrize("name", FIGURES)
def test_a_recorded_figure_reads_as_matplotlibs_copy(name):
    data = encode(FIGURES[name]())
    recorded, drawn = _both_ways(data)
    assert isinstance(recorded, RecordedFigure | RecordedAxes | np.ndarray)  # not left over
    assert reading(recorded) == reading(drawn) == reading(decode(data))
    assert reading(recorded) == reading(FIGURES[name]()) or name == "fields and a colorbar"


def test_the_figures_cover_what_the_checks_read():
    readings = [panel for make in FIGURES.values() for panel in reading(make())]
    assert {p["xscale"] for p in readings} >= {"linear", "log"}
    assert {p["yscale"] for p in readings} >= {"linear", "log", "symlog", "logit"}
    assert any(label.startswith("_child") for p in readings for label, *_ in p["lines"])
    assert any(p["vertical"] for p in readings) and any(p["legend"] for p in readings)
    assert sum(p["field"] is not None for p in readings) == 3


FORGERIES = {
    "equal limits": lambda panel: panel.update(xlim=[1.0, 1.0]),
    "a non-positive limit on a log axis": lambda panel: panel.update(xscale="log",
                                                                     xlim=[-1.0, 10.0]),
    "a logit limit outside (0, 1)": lambda panel: panel.update(yscale="logit", ylim=[0.0, 2.0]),
    "an infinite limit": lambda panel: panel.update(ylim=[0.0, float("inf")]),
    "three limits": lambda panel: panel.update(ylim=[0.0, 1.0, 2.0]),
    "an unknown scale": lambda panel: panel.update(xscale="function"),
    "an empty label": lambda panel: panel["lines"][0].update(label=""),
    "x and y of different lengths": lambda panel: panel["lines"][0].update(
        x=encode(np.arange(3.0))),
    "a line that is not an array": lambda panel: panel["lines"][0].update(x="0, 1, 2"),
    "levels that fall": lambda panel: panel["fields"].append(
        {"kind": "contourf", "levels": encode(np.array([1.0, 0.0])), "zmin": 0.0, "zmax": 1.0}),
    "one level": lambda panel: panel["fields"].append(
        {"kind": "contourf", "levels": encode(np.array([0.5])), "zmin": 0.0, "zmax": 1.0}),
    "an empty image": lambda panel: panel["fields"].append(
        {"kind": "image", "array": encode(np.zeros((0, 0)))}),
    "a bent segment": lambda panel: panel["segments"].append(encode(np.zeros(3))),
}


def _outcome(build: Any, data: dict[str, Any]) -> Any:
    """What the checks read of `build(data)`, or the kind of error building or reading it
    raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reading(build(data, decode))
    except Exception as error:  # noqa: BLE001 - the kind of failure is the outcome
        return type(error)


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_snapshot_matplotlib_would_change_is_read_as_matplotlib_reads_it(forgery):
    """A forged or odd snapshot reads the same both ways, or fails the same way: where the
    recorded objects cannot be sure, `rebuild` leaves it to matplotlib."""
    data = copy.deepcopy(encode(_lines_and_legends()))
    FORGERIES[forgery](data["panels"][0])
    assert _outcome(figure_data.rebuild, data) == _outcome(figure_data.redraw, data)


def test_an_odd_figure_is_left_to_matplotlib_which_refuses_it_as_before():
    data = encode(_odd_lines())
    assert read_back(data, decode) is None
    with pytest.raises(ValueError, match="same first dimension"):
        figure_data.rebuild(data, decode)
