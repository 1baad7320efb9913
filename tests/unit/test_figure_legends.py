"""A legend is a legend: `fig.legend()` satisfies every check that asks for one.

The students' figures are checked twice — in the kernel, and by the grader on the figure
rebuilt from its recorded data (`lrchecks.encoding`) — so each case runs both ways.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lrchecks import plot_lines, ps01
from lrchecks.encoding import decode, encode
from lrchecks.report import CheckFailed
from lrcore import regression


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def sweep_figure(legend: str):
    """fig_sweep as a correct student draws it, with its legend on the axes, on the figure or
    nowhere."""
    fig, ax = plt.subplots()
    X, y = regression.linear_regression_data()
    for lr in ps01.REGRESSION_LRS:
        ax.plot(regression.train_linear_regression(X, y, lr, 100), label=f"lr = {lr}")
    ax.set(xlabel="epoch", ylabel="MSE loss", title="Learning-rate sweep", yscale="log")
    if legend == "axes":
        ax.legend()
    elif legend == "figure":
        fig.legend()
    return fig


def as_the_grader_sees_it(fig):
    return decode(encode(fig))


@pytest.mark.parametrize("view", [lambda fig: fig, as_the_grader_sees_it],
                         ids=["kernel", "grader"])
@pytest.mark.parametrize("legend", ["axes", "figure"])
def test_fig_sweep_with_either_legend_passes(legend, view):
    ps01.check_sweep_figure(view(sweep_figure(legend)))


@pytest.mark.parametrize("view", [lambda fig: fig, as_the_grader_sees_it],
                         ids=["kernel", "grader"])
def test_fig_sweep_without_a_legend_still_fails(view):
    with pytest.raises(CheckFailed, match="fig_sweep has no legend"):
        ps01.check_sweep_figure(view(sweep_figure("none")))


def test_check_lines_accepts_a_figure_legend_on_any_panel():
    fig, (left, right) = plt.subplots(1, 2)
    steps = np.arange(5.0)
    expected = [plot_lines.ExpectedLine(name="lr 0.1", run_value=0.1, variants=[(None, steps)])]
    left.plot(steps, label="lr = 0.1")
    right.plot(steps, label="lr = 0.1")
    fig.legend()
    plot_lines.check_lines(left, expected, "The left panel")
    plot_lines.check_lines(right, expected, "The right panel")
