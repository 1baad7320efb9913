"""Checks on a student's matplotlib figure: panels, labels, titles, scales and legends.

Students keep their figure in a named variable (the inline backend closes a figure after its
cell, so a later test cell cannot use `plt.gcf()`). What a panel's lines show is checked by
`lrchecks.plot_lines`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from lrchecks.report import CheckFailed

__all__ = [
    "panels_of",
    "one_panel",
    "two_panels",
    "check_panel_count",
    "panels_by_title",
    "check_labelled_panels",
    "check_axis_label",
    "check_title",
    "check_log_scale",
    "check_legend",
]


def panels_of(figure: Any, what: str) -> list[Any]:
    """The axes of a Figure (or a single Axes, or an array of Axes) in reading order."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrchecks.recorded_figure import RecordedAxes, RecordedFigure

    if isinstance(figure, Figure | RecordedFigure):
        axes = [ax for ax in figure.get_axes() if ax.get_label() != "<colorbar>"]
    elif isinstance(figure, Axes | RecordedAxes):
        axes = [figure]
    elif isinstance(figure, np.ndarray | list | tuple) and all(
        isinstance(ax, Axes | RecordedAxes) for ax in np.ravel(np.asarray(figure, dtype=object))
    ):
        axes = list(np.ravel(np.asarray(figure, dtype=object)))
    elif figure is None:
        raise CheckFailed(f"{what} is None — keep the figure in that variable, e.g. "
                          f"`{what}, axes = plt.subplots(...)`.")
    else:
        raise CheckFailed(
            f"{what} should be a matplotlib Figure (from `plt.subplots`), not a "
            f"{type(figure).__name__}."
        )
    return axes


def one_panel(figure: Any, what: str) -> Any:
    """The panel of a figure that must have exactly one."""
    panels = panels_of(figure, what)
    check_panel_count(panels, 1, what)
    (panel,) = panels
    return panel


def two_panels(figure: Any, what: str) -> tuple[Any, Any]:
    """The left and right panels of a figure that must have exactly two."""
    panels = panels_of(figure, what)
    check_panel_count(panels, 2, what)
    left, right = panels
    return left, right


def check_panel_count(panels: Sequence[Any], expected: int, what: str) -> None:
    if len(panels) != expected:
        raise CheckFailed(
            f"{what} has {len(panels)} panel{'s' if len(panels) != 1 else ''}; it should have "
            f"{expected} (e.g. `plt.subplots(1, {expected})`)." if expected > 1 else
            f"{what} has {len(panels)} panels; it should have exactly one."
        )


def panels_by_title(panels: Iterable[Any], name_of: Callable[[str], str | None],
                    untitled: Callable[[str], str], twice: Callable[[str], str]
                    ) -> Iterator[tuple[str, Any]]:
    """Each panel, in order, with the name its title gives (`name_of(title)`), one at a time
    (a caller's checks of a panel run before the next title is read); a title naming nothing
    fails with `untitled(title)`, a name a second panel gives again with `twice(name)`."""
    seen: set[str] = set()
    for panel in panels:
        title = panel.get_title()
        name = name_of(title)
        if name is None:
            raise CheckFailed(untitled(title))
        if name in seen:
            raise CheckFailed(twice(name))
        seen.add(name)
        yield name, panel


def check_axis_label(panel: Any, axis: str, any_of: Iterable[str], where: str) -> None:
    """The x or y label contains one of the words (case-insensitive)."""
    label = (panel.get_xlabel() if axis == "x" else panel.get_ylabel()).strip()
    words = list(any_of)
    if not label:
        raise CheckFailed(f"The {axis}-axis of {where} has no label; label it with "
                          f"`ax.set_{axis}label(...)` (e.g. '{words[0]}').")
    if not any(word.lower() in label.lower() for word in words):
        raise CheckFailed(f"The {axis}-axis label of {where} is '{label}'; it should say what is "
                          f"plotted, e.g. '{words[0]}'.")


def check_labelled_panels(panels: Iterable[tuple[Any, str]], x_words: Iterable[str], *,
                          log_x: str | None = None, legend: str | None = "label each line"
                          ) -> None:
    """Every (panel, where): an x label with one of `x_words`, a title, a log x-axis (when
    `log_x` is given: what the axis shows, " (batch size)"), and a legend (`legend`: how to get
    one; None: no legend asked)."""
    words = tuple(x_words)
    for panel, where in panels:
        check_axis_label(panel, "x", words, where)
        check_title(panel, where)
        if log_x is not None:
            check_log_scale(panel, "x", where + log_x)
        if legend is not None:
            check_legend(panel, where, legend)


def check_title(panel: Any, where: str) -> None:
    if not panel.get_title().strip():
        raise CheckFailed(f"{where} has no title; give it one with `ax.set_title(...)`.")


def check_log_scale(panel: Any, axis: str, where: str) -> None:
    scale = panel.get_yscale() if axis == "y" else panel.get_xscale()
    if scale != "log":
        raise CheckFailed(f"The {axis}-axis of {where} should use a log scale "
                          f"(`ax.set_{axis}scale('log')`), it is '{scale}'.")


def check_legend(panel: Any, where: str, how: str = "label each line") -> None:
    """The panel shows a legend, its own or the figure's (`fig.legend()`)."""
    if panel.get_legend() is None and not panel.figure.legends:
        raise CheckFailed(f"{where} has no legend; {how} and call `ax.legend()`.")
