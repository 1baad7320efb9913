"""ps01 §4: the figure of six learning rates side by side, and the zig-zag on the parabola.

Each check reads the figure's layout first, then marks the asking done (`asked`: the figure is
data, the student's code is never called) and compares its lines with the references, which
the judge alone computes while grading."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.diagnosis.quadratic import QUADRATIC, SIGNED_X
from lrchecks.evidence import asked, judged
from lrchecks.histories import check_history_figure_layout, check_history_panel
from lrchecks.plot_lines import ExpectedLine, iteration_variants
from lrchecks.quadratic import constant_lr
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, read_only
from lrcore import quadratic

__all__ = ["RUN_LRS", "RUN_X0", "RUN_ITERATIONS", "PARABOLA_LR", "check_runs_figure_layout",
           "check_runs_figure_x", "check_runs_figure_lr", "check_parabola_figure"]

RUN_LRS: tuple[float, ...] = (0.01, 0.1, 0.45, 0.9, 1.0, 1.05)
"""The runs of the submitted figure (given to the students in the notebook)."""
RUN_X0 = 500.0
RUN_ITERATIONS = 20
PARABOLA_LR = 0.9


@cache
def _reference_run(lr: float) -> tuple[np.ndarray, np.ndarray]:
    """lrcore's torch run (x history, lr history) of one lr from RUN_X0: the same for every
    student, so a grading process computes it once (read-only)."""
    xs, lrs = quadratic.optimize(lr, RUN_ITERATIONS, RUN_X0)
    return read_only(xs), read_only(lrs)


def _reference_runs() -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """The run of every lr in RUN_LRS."""
    return {lr: _reference_run(lr) for lr in RUN_LRS}


@judged
def check_runs_figure_layout(fig_runs: Any) -> None:
    """Two panels; iteration on x; |x| (log) and the learning rate on y; titles; legends."""
    check_history_figure_layout(fig_runs, "fig_runs")
    asked()
    passed("fig_runs has two labelled panels, a log scale for |x| and legends.")


@cache
def _x_lines() -> tuple[ExpectedLine, ...]:
    """|x| of every run in RUN_LRS, each with the quadratic mistakes that draw another line —
    the same for every student, so a grading process computes them once."""
    expected = []
    for lr, (xs, _) in _reference_runs().items():
        mistakes = {SIGNED_X.explanation: SIGNED_X.model(xs)}
        for mistake in QUADRATIC:
            mistaken_x, _ = mistake.model(constant_lr(lr), RUN_ITERATIONS, RUN_X0, 1.0)
            if not arrays_match(mistaken_x, xs):
                mistakes[mistake.explanation] = np.abs(mistaken_x)
        expected.append(ExpectedLine(f"lr = {lr}", iteration_variants(np.abs(xs), RUN_X0), lr,
                                     mistakes))
    return tuple(expected)


@judged
def check_runs_figure_x(fig_runs: Any) -> None:
    """The left panel: |x| vs iteration, one labelled line per lr in RUN_LRS."""
    plots.two_panels(fig_runs, "fig_runs")
    asked()
    check_history_panel(fig_runs, "fig_runs", "left", list(_x_lines()))
    passed("The left panel shows |x| of every run in RUN_LRS.")


@judged
def check_runs_figure_lr(fig_runs: Any) -> None:
    """The right panel: the learning rate vs iteration, one labelled line per run."""
    plots.two_panels(fig_runs, "fig_runs")
    asked()
    expected = [
        ExpectedLine(f"lr = {lr}", iteration_variants(lrs), lr)
        for lr, (_, lrs) in _reference_runs().items()
    ]
    check_history_panel(fig_runs, "fig_runs", "right", expected)
    passed("The right panel shows the learning rate of every run in RUN_LRS.")


@judged
def check_parabola_figure(fig_parabola: Any) -> None:
    """The trajectory of lr = PARABOLA_LR drawn on the parabola f(x) = x²."""
    panel = plots.one_panel(fig_parabola, "fig_parabola")
    plots.check_axis_label(panel, "x", ("x",), "fig_parabola")
    plots.check_axis_label(panel, "y", ("f", "x²", "x^2", "loss"), "fig_parabola")
    asked()
    points, _ = _reference_run(PARABOLA_LR)
    with_start = np.concatenate(([RUN_X0], points))
    trajectory_found = curve_found = False
    for line in panel.get_lines():
        x_data = np.asarray(line.get_xdata(), dtype=float)
        y_data = np.asarray(line.get_ydata(), dtype=float)
        if x_data.size == 0 or x_data.shape != y_data.shape:
            continue
        for candidate in (with_start, points):
            if arrays_match(x_data, candidate) and arrays_match(y_data, candidate**2):
                trajectory_found = True
        on_parabola = np.allclose(y_data, x_data**2, rtol=1e-5, atol=1e-9)
        if on_parabola and x_data.min() <= -RUN_X0 * 0.99 and x_data.max() >= RUN_X0 * 0.99:
            curve_found = True
    if not curve_found:
        raise CheckFailed("fig_parabola should draw the parabola f(x) = x² over at least "
                          "[-500, 500] (e.g. x = np.linspace(-550, 550, 200)).")
    if not trajectory_found:
        raise CheckFailed(f"fig_parabola should draw the points (x_t, x_t²) of the lr = "
                          f"{PARABOLA_LR} run from x0 = {RUN_X0:g} ({RUN_ITERATIONS} iterations), "
                          "e.g. ax.plot(xs, xs**2, 'o-').")
    passed("fig_parabola shows the zig-zag of lr = 0.9 on the parabola.")
