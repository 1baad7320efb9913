"""ps03 §4: the figure of the four sweeps — final loss and final accuracy against the batch
size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import asked
from lrchecks.evidence import judged
from lrchecks.plot_lines import line_data
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match
from lrcore import batch_size, digits

__all__ = ["SWEEP_SETTINGS", "check_batch_size_figure_layout", "check_batch_size_figure_lines"]

SWEEP_SETTINGS: dict[str, tuple[Any, int]] = {
    "no scaling": (None, 0),
    "linear": (batch_size.linear_scaled_lr, 0),
    "linear + warmup": (batch_size.linear_scaled_lr, digits.WARMUP_EPOCHS),
    "square root": (batch_size.sqrt_scaled_lr, 0),
}
"""The four sweeps of fig_batch_size: name → (scaling rule, warmup epochs)."""


def _reference_sweeps() -> dict[str, dict[int, Any]]:
    return {name: digits.batch_size_sweep(digits.BATCH_SIZES, rule, warmup)
            for name, (rule, warmup) in SWEEP_SETTINGS.items()}


@judged
def check_batch_size_figure_layout(fig_batch_size: Any) -> None:
    """Two panels; batch size on a log x-axis; final loss and final accuracy; titles; legends."""
    left, right = plots.two_panels(fig_batch_size, "fig_batch_size")
    asked()
    plots.check_labelled_panels(((left, "the left panel"), (right, "the right panel")),
                                ("batch",), log_x=" (batch size)",
                                legend="label each line (e.g. label='linear')")
    plots.check_axis_label(left, "y", ("loss",), "the left panel")
    plots.check_axis_label(right, "y", ("acc",), "the right panel")
    passed("fig_batch_size has two labelled panels with the batch size on a log axis.")


def _find_line(panel_lines: list[tuple[Any, np.ndarray, np.ndarray]], x_ref: np.ndarray,
               candidates: Sequence[np.ndarray]) -> Any | None:
    for line, x, y in panel_lines:
        if not arrays_match(x, x_ref):
            continue
        if any(arrays_match(y, c) for c in candidates):
            return line
    return None


@judged
def check_batch_size_figure_lines(fig_batch_size: Any) -> None:
    """Left: the final training loss of each sweep vs batch size; right: the final test
    accuracy (as a fraction or in %); one labelled line per sweep of SWEEP_SETTINGS."""
    left, right = plots.two_panels(fig_batch_size, "fig_batch_size")
    asked()
    x_ref = np.asarray(digits.BATCH_SIZES, dtype=np.float64)
    left_lines, right_lines = line_data(left), line_data(right)
    for name, runs in _reference_sweeps().items():
        losses = np.array([runs[b].final_train_loss for b in digits.BATCH_SIZES])
        accuracy = np.array([runs[b].final_test_accuracy for b in digits.BATCH_SIZES])
        first_losses = np.array([runs[b].train_loss[0] for b in digits.BATCH_SIZES])
        first_accuracy = np.array([runs[b].test_accuracy[0] for b in digits.BATCH_SIZES])
        rule, warmup = SWEEP_SETTINGS[name]
        describe = (f"the '{name}' sweep ("
                    + ("lr = BASE_LR" if rule is None else f"{rule.__name__}")
                    + (f", warmup {warmup} epochs" if warmup else "") + ")")
        for panel_lines, alternatives, other, first, where, what in (
            (left_lines, [losses], [accuracy, 100 * accuracy], first_losses,
             "the left panel", "final training loss"),
            (right_lines, [accuracy, 100 * accuracy], [losses], first_accuracy,
             "the right panel", "final test accuracy"),
        ):
            line = _find_line(panel_lines, x_ref, alternatives)
            if line is not None:
                if line.get_label().startswith("_") and not line.figure.legends:
                    raise CheckFailed(f"The line of {describe} on {where} has no label: "
                                      "label it (e.g. label='linear') so the legend names it.")
                continue
            if _find_line(panel_lines, x_ref, other) is not None:
                raise CheckFailed(f"{where.capitalize()} shows the wrong quantity for {describe}"
                                  f": it should show the {what} — are the panels swapped?")
            if _find_line(panel_lines, x_ref, [first, 100 * first]) is not None:
                raise CheckFailed(f"On {where}, {describe} shows the first epoch; plot the "
                                  f"{what}, the value after the last epoch (run.train_loss[-1] "
                                  "or run.test_accuracy[-1]).")
            raise CheckFailed(f"No line on {where} shows the {what} of {describe} against "
                              "BATCH_SIZES. Plot it from your sweeps, whose own tests should "
                              "pass first.")
    passed("fig_batch_size shows the final loss and accuracy of the four sweeps.")
