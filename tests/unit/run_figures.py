"""The two-panel figure a student draws of optimisation runs (ps01's constant learning rates,
ps02's rescue by schedulers): |x| and the learning rate against the iteration."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lrchecks.report import CheckFailed

Run = tuple[str | None, Sequence[float], Sequence[float]]
"""One run: its line's label (None: unlabelled), x after each step, the lr each step used."""


def x_and_lr_figure(runs: Sequence[Run], *, start: int = 1, log: bool = True,
                    absolute: bool = True) -> Figure:
    """Left panel |x| (log scale), right panel the lr, both against the iterations `start`,
    `start + 1`, …: one line per run in each panel, and a legend in each when the runs are
    labelled. `log=False` leaves |x| on a linear scale; `absolute=False` plots x itself."""
    fig, (ax_x, ax_lr) = plt.subplots(1, 2)
    for label, xs, lrs in runs:
        steps = np.arange(start, start + len(xs))
        ax_x.plot(steps, np.abs(xs) if absolute else xs, label=label)
        ax_lr.plot(steps, lrs, label=label)
    ax_x.set(xlabel="iteration", ylabel="|x|", title="x", yscale="log" if log else "linear")
    ax_lr.set(xlabel="iteration", ylabel="learning rate", title="lr")
    if any(label is not None for label, _, _ in runs):
        ax_x.legend()
        ax_lr.legend()
    return fig


def assert_figure_checks_pass_and_name_mistakes(layout_check: Callable[[Figure], None],
                                                x_check: Callable[[Figure], None],
                                                lr_check: Callable[[Figure], None],
                                                figure: Callable[..., Figure]) -> Figure:
    """The three checks of a runs figure (its layout, its |x| panel, its lr panel): they pass
    on the right figure `figure()` — with the iterations counted from 1 or from 0 — and name
    |x| left on a linear scale and x plotted instead of |x|. Returns the right figure."""
    fig = figure()
    layout_check(fig)
    x_check(fig)
    lr_check(fig)
    x_check(figure(start=0))
    with pytest.raises(CheckFailed, match="log scale"):
        layout_check(figure(log=False))
    with pytest.raises(CheckFailed, match="not |x|"):
        x_check(figure(absolute=False))
    return fig
