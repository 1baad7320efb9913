"""A run's histories — one value per step — as the checks read, compare and plot them.

- `history` reads one as a 1-d array (a list of `get_last_lr()` lists too); `pair` reads the
  (x_history, lr_history) pair a run function returns;
- `mismatch_sentence` says where a history first differs from the reference, and
  `run_mismatch` does so for a run's x and lr histories;
- `check_history_figure_layout` checks the two-panel figure of runs both ps01 and ps02 ask
  for: |x| (log) and the learning rate against the iteration, and `check_history_panel` checks
  the runs one of its panels draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from lrchecks import plots
from lrchecks.plot_lines import ExpectedLine, check_lines
from lrchecks.report import CheckFailed
from lrchecks.values import DEFAULT_RTOL, Mismatch, describe_number, first_mismatch, to_float_array

__all__ = ["history", "pair", "mismatch_sentence", "run_mismatch",
           "check_history_figure_layout", "check_history_panel"]


def history(value: Any, what: str) -> np.ndarray:
    """A history as a 1-d array; a list of one-element lists (get_last_lr()) is flattened."""
    array = to_float_array(value, what)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    return array


def pair(result: Any, call: str, second: str = "lr_history",
         returner: str = "the function") -> tuple[Any, Any]:
    """The two histories a run function returns, (x_history, `second`); `returner` is how the
    message's diagnosis calls that function."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (x_history, {second}), got "
                          f"{type(result).__name__}.",
                          diagnosis=f"{returner} should return a pair (x_history, {second}).")
    return result[0], result[1]


def _count(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "a single value instead of a list of"


def mismatch_sentence(what: str, mismatch: Mismatch) -> str:
    """Where the history `what` first differs: its length, a NaN, or the first wrong step."""
    if mismatch.shape_differs:
        return (f"{what} has {_count(mismatch.student_shape)} values; it should have "
                f"{_count(mismatch.expected_shape)} (one per iteration).")
    assert mismatch.student is not None and mismatch.expected is not None
    assert mismatch.index is not None
    if np.isnan(mismatch.student):
        return f"{what} contains NaN at step {mismatch.index + 1}."
    return (f"{what} differs at step {mismatch.index + 1}: you have "
            f"{describe_number(mismatch.student)}, it should be "
            f"{describe_number(mismatch.expected)}.")


def run_mismatch(call: str, student_x: np.ndarray, expected_x: np.ndarray,
                 student_lrs: np.ndarray | None = None, expected_lrs: np.ndarray | None = None,
                 rtol: float = DEFAULT_RTOL) -> str | None:
    """None when a run's x history (and lr history, when both are given) equal the reference's;
    else the sentence saying where x — or, if x is right, the lr — first differs."""
    x_mismatch = first_mismatch(student_x, expected_x, rtol)
    lr_mismatch = (
        first_mismatch(student_lrs, expected_lrs, rtol)
        if student_lrs is not None and expected_lrs is not None
        else None
    )
    if x_mismatch is not None:
        return mismatch_sentence(f"For {call}, x_history", x_mismatch)
    if lr_mismatch is not None:
        return mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
    return None


def check_history_figure_layout(figure: Any, what: str) -> tuple[Any, Any]:
    """Two panels against the iteration, titled, with legends: |x| on a log scale (left) and
    the learning rate (right); returns the panels."""
    left, right = plots.two_panels(figure, what)
    plots.check_labelled_panels(((left, "the left panel"), (right, "the right panel")),
                                ("iteration", "step"))
    plots.check_axis_label(left, "y", ("x",), "the left panel")
    plots.check_axis_label(right, "y", ("learning rate", "lr", "η"), "the right panel")
    plots.check_log_scale(left, "y", "the left panel (|x|)")
    return left, right


def check_history_panel(figure: Any, what: str, side: Literal["left", "right"],
                        expected: Sequence[ExpectedLine], plotted: str = "your function") -> None:
    """The `side` panel of a two-panel history figure ("left": |x|, "right": the learning rate)
    draws every `expected` run (`check_lines`; the legend is the layout check's to ask for)."""
    left, right = plots.two_panels(figure, what)
    check_lines(left if side == "left" else right, expected, f"The {side} panel of {what}",
                require_legend=False, plotted=plotted)
