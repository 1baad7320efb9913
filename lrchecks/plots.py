"""Checks on a student's matplotlib figure: panels, labels, scales, legends and line data.

Students keep their figure in a named variable (the inline backend closes a figure after its
cell, so a later test cell cannot use `plt.gcf()`). A panel's lines are matched to the reference
runs in any order; a run is identified by the number in its legend label (`"lr = 0.1"`,
`"η=0.10"` and `"0.1"` all name the run with lr 0.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrchecks.report import CheckFailed
from lrchecks.values import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    arrays_match,
    describe_number,
    same_pattern,
)

__all__ = [
    "ExpectedLine",
    "panels_of",
    "check_panel_count",
    "check_axis_label",
    "check_title",
    "check_log_scale",
    "check_legend",
    "check_lines",
    "labelled_lines",
    "numbers_in",
]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class ExpectedLine:
    """One reference run on a panel.

    `variants` lists the acceptable (x, y) data — e.g. x from 0 or from 1, with or without the
    starting point; `x=None` in a variant accepts any x data of the right length. `run_value` is
    the number the legend label must contain; `name` is how messages refer to the run.
    `mistakes` maps a sentence naming a modelled mistake to the y data that mistake would draw.
    """

    name: str
    variants: list[tuple[np.ndarray | None, np.ndarray]]
    run_value: float | None = None
    mistakes: dict[str, np.ndarray] = field(default_factory=dict)


def panels_of(figure: Any, what: str) -> list[Any]:
    """The axes of a Figure (or a single Axes, or an array of Axes) in reading order."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(figure, Figure):
        axes = [ax for ax in figure.get_axes() if ax.get_label() != "<colorbar>"]
    elif isinstance(figure, Axes):
        axes = [figure]
    elif isinstance(figure, np.ndarray | list | tuple) and all(
        isinstance(ax, Axes) for ax in np.ravel(np.asarray(figure, dtype=object))
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


def check_panel_count(panels: Sequence[Any], expected: int, what: str) -> None:
    if len(panels) != expected:
        raise CheckFailed(
            f"{what} has {len(panels)} panel{'s' if len(panels) != 1 else ''}; it should have "
            f"{expected} (e.g. `plt.subplots(1, {expected})`)." if expected > 1 else
            f"{what} has {len(panels)} panels; it should have exactly one."
        )


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


def numbers_in(label: str) -> list[float]:
    """Every number written in a label, e.g. 'lr = 1e-3 (x0=500)' → [0.001, 500.0]."""
    numbers = []
    for token in _NUMBER.findall(label):
        try:
            numbers.append(float(token))
        except ValueError:
            continue
    return numbers


def labelled_lines(panel: Any) -> list[Any]:
    """Lines with a legend label (matplotlib gives unlabelled lines names starting with '_')."""
    return [line for line in panel.get_lines() if not line.get_label().startswith("_")]


def _line_matches(line: Any, expected: ExpectedLine, rtol: float, atol: float) -> bool:
    x_data = np.asarray(line.get_xdata(), dtype=np.float64)
    y_data = np.asarray(line.get_ydata(), dtype=np.float64)
    for x_ref, y_ref in expected.variants:
        if not arrays_match(y_data, y_ref, rtol, atol):
            continue
        if x_ref is None or arrays_match(x_data, x_ref, rtol, atol):
            return True
    return False


def _names_run(label: str, value: float) -> bool:
    return any(np.isclose(number, value, rtol=1e-9, atol=0) for number in numbers_in(label))


def check_lines(
    panel: Any,
    expected: Sequence[ExpectedLine],
    where: str,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    require_legend: bool = True,
) -> None:
    """Every expected run is drawn once, labelled with its run value, with the right data.

    The message names the first run that is missing, mislabelled or wrong, and — when its data
    equal one of the run's modelled mistakes — which mistake it looks like.
    """
    lines = list(panel.get_lines())
    if not lines:
        raise CheckFailed(f"{where} has no lines; draw one line per run with `ax.plot(...)`.")
    labelled = labelled_lines(panel)
    if require_legend:
        check_legend(panel, where, "label each line (`label=...`)")
    for run in expected:
        candidates = labelled if run.run_value is not None else lines
        if run.run_value is not None:
            candidates = [ln for ln in labelled if _names_run(ln.get_label(), run.run_value)]
            if not candidates:
                shown = ", ".join(repr(ln.get_label()) for ln in labelled) or "none"
                raise CheckFailed(
                    f"{where}: no line is labelled with {run.name} (labels found: {shown}). "
                    f"Put the value in the label, e.g. label=f'lr = {{lr}}'."
                )
        if any(_line_matches(line, run, rtol, atol) for line in candidates):
            continue
        raise CheckFailed(_wrong_line_message(where, run, candidates, rtol, atol))
    if len(labelled) > len(expected) and all(r.run_value is not None for r in expected):
        extra = [ln.get_label() for ln in labelled
                 if not any(_names_run(ln.get_label(), r.run_value) for r in expected)]
        if extra:
            raise CheckFailed(f"{where} has lines that are not among the asked runs: "
                              f"{', '.join(map(repr, extra))}. Plot exactly the asked runs.")


def _wrong_line_message(
    where: str, run: ExpectedLine, candidates: Sequence[Any], rtol: float, atol: float
) -> str:
    line = candidates[0] if candidates else None
    if line is None:
        return f"{where}: the line for {run.name} is missing."
    y_data = np.asarray(line.get_ydata(), dtype=np.float64)
    if any(arrays_match(y_data, y_ref, rtol, atol) for _, y_ref in run.variants):
        return (f"{where}: the line for {run.name} has the right values but the wrong x "
                "positions; plot them against the iteration number.")
    for mistake_message, y_mistake in run.mistakes.items():
        if same_pattern(y_data, y_mistake):
            return f"{where}: the line for {run.name} is wrong. {mistake_message}"
    _, y_ref = run.variants[0]
    if y_data.shape != y_ref.shape:
        return (f"{where}: the line for {run.name} has {y_data.size} points; it should have "
                f"{y_ref.size} (one per iteration).")
    mismatch = int(np.argmin(np.isclose(y_data, y_ref, rtol=rtol, atol=atol)))
    return (f"{where}: the line for {run.name} differs from the correct run at point "
            f"{mismatch}: it shows {describe_number(y_data[mismatch])}, the run gives "
            f"{describe_number(y_ref[mismatch])}. Plot the values your function returns.")
