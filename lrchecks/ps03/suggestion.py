"""ps03 §5: the lr a range test suggests, and the figure of the two range tests."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import asked
from lrchecks.calls import Shown, call_student, format_call, require_own_function
from lrchecks.diagnosis.batch_size import SUGGESTION, matches_record
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.evidence import judged
from lrchecks.hidden import HiddenCase, visible_or_drawn, within
from lrchecks.plot_lines import line_data, numbers_in
from lrchecks.ps03.range_test import RANGE_CASES_VISIBLE
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, numbers_close, read_only, to_float
from lrcore import digits, range_test

__all__ = ["check_suggest_lr", "check_range_test_figure"]


@cache
def _visible_range_curve() -> tuple[np.ndarray, np.ndarray]:
    """(lrs, smoothed) of the visible range test: a question of the check, computed once
    (read-only)."""
    toy, options = RANGE_CASES_VISIBLE[0]
    result = range_test.lr_range_test(range_test.noisy_quadratic_step(**toy), **options)
    return read_only(np.asarray(result.lrs)), read_only(np.asarray(result.smoothed))


def _suggestion_cases(hidden: bool) -> list[tuple[HiddenCase | None, tuple[np.ndarray,
                                                                          np.ndarray]]]:
    """The visible curves (a short one and the visible range test's), or this student's drawn
    curves (hidden params [lrs, smoothed losses])."""
    short = (np.array([0.01, 0.1, 1.0, 10.0]), np.array([2.0, 1.0, 0.5, 3.0]))
    return visible_or_drawn(hidden, "ps03.suggest_lr", [short, _visible_range_curve()],
                            lambda params: (np.asarray(params[0], dtype=np.float64),
                                            np.asarray(params[1], dtype=np.float64)))


SUGGESTION_ADVICE = "the suggestion differs from the lr at the minimum of the smoothed losses / 10."


@judged
def check_suggest_lr(suggest_lr: Any, hidden: bool = False) -> None:
    """The lr at the minimum of the smoothed loss, divided by 10."""
    require_own_function(suggest_lr, "suggest_lr")
    cases = _suggestion_cases(hidden)
    calls, values = [], []
    for case, (lrs, losses) in cases:
        shown = (lrs.tolist(), losses.tolist()) if lrs.size <= 4 else (
            Shown(f"<{lrs.size} lrs>"), Shown(f"<{lrs.size} smoothed losses>"))
        call = format_call("suggest_lr", shown, {})
        calls.append(call)
        with within(case, SUGGESTION_ADVICE):
            values.append(to_float(call_student(suggest_lr, "suggest_lr", lrs.tolist(),
                                                losses.tolist()), f"The result of {call}"))
    asked()
    expected = [range_test.suggest_lr(lrs, losses) for _, (lrs, losses) in cases]
    wrong = [i for i, (v, e) in enumerate(zip(values, expected, strict=True))
             if not numbers_close(v, e)]
    if not wrong:
        passed("suggest_lr takes the lr at the minimum of the smoothed loss / 10"
               + (" (unseen curves too)." if hidden else "."))
        return
    first = wrong[0]
    with within(cases[first][0], SUGGESTION_ADVICE):
        raise_first_fitting(SUGGESTION, lambda mistake: mistake.fits(
            values, [mistake.model(lrs, losses) for _, (lrs, losses) in cases]),
            f"{calls[first]} returned {describe_number(values[first])}.")
        raise CheckFailed(f"{calls[first]} returned {describe_number(values[first])}; it should "
                          f"be {describe_number(expected[first])}, the lr at the minimum of the "
                          "smoothed loss divided by 10.")


# --- the range-test figure ------------------------------------------------------------------

def _vertical_positions(panel: Any) -> list[float]:
    """x of every vertical line: axvline (a Line2D with two equal x) or vlines (a collection)."""
    positions = []
    for _, x, y in line_data(panel):
        if x.size >= 2 and np.all(x == x[0]) and np.ptp(y) > 0:
            positions.append(float(x[0]))
    for collection in panel.collections:
        for segment in getattr(collection, "get_segments", lambda: [])():
            segment = np.asarray(segment, dtype=np.float64)
            if segment.shape[0] >= 2 and np.all(segment[:, 0] == segment[0, 0]):
                positions.append(float(segment[0, 0]))
    return positions


@judged
def check_range_test_figure(fig_range_test: Any) -> None:
    """One panel: the smoothed loss against the lr (log x) of the range test at each batch size
    of RANGE_TEST_BATCH_SIZES, labelled with it, and a vertical line at each suggestion."""
    panel = plots.one_panel(fig_range_test, "fig_range_test")
    asked()
    plots.check_axis_label(panel, "x", ("lr", "learning rate", "η"), "fig_range_test")
    plots.check_axis_label(panel, "y", ("loss",), "fig_range_test")
    plots.check_title(panel, "fig_range_test")
    plots.check_legend(panel, "fig_range_test", "label each curve with its batch size")
    lines = line_data(panel)
    logs = [line for line, x, _ in lines if x.size > 2 and np.all(x < 2) and np.all(x > -8)
            and np.any(x < 0)]
    if panel.get_xscale() != "log":
        if logs:
            raise CheckFailed("fig_range_test plots log10(lr) on a linear axis; plot the lrs "
                              "themselves and set `ax.set_xscale('log')`.")
        plots.check_log_scale(panel, "x", "fig_range_test (lr)")
    verticals = _vertical_positions(panel)
    for b in digits.RANGE_TEST_BATCH_SIZES:
        result = digits.digits_range_test(b, **digits.RANGE_TEST_OPTIONS)
        lrs, smoothed = np.asarray(result.lrs), np.asarray(result.smoothed)
        curve = None
        for line, x, y in lines:
            if matches_record(x, y, lrs, smoothed):
                curve = line
        if curve is None:
            if any(matches_record(x, y, lrs, np.asarray(result.losses)) for _, x, y in lines):
                raise CheckFailed(f"fig_range_test shows the raw losses of batch size {b}; plot "
                                  "the smoothed losses your lr_range_test returns.")
            raise CheckFailed(
                f"No line of fig_range_test shows the smoothed loss against the lr of the range "
                f"test at batch size {b} (lr_range_test(range_test_step({b}), "
                "**RANGE_TEST_OPTIONS)). If lr_range_test passed its test, plot what it returns.")
        if not numbers_in(curve.get_label()) or not any(
                np.isclose(v, b) for v in numbers_in(curve.get_label())):
            raise CheckFailed(f"The curve of batch size {b} should name it in its label, e.g. "
                              f"label=f'batch {{batch_size}}' (it is '{curve.get_label()}').")
        suggestion = result.suggestion
        if not any(numbers_close(v, suggestion) for v in verticals):
            if any(numbers_close(v, result.best_lr) for v in verticals):
                raise CheckFailed(f"The vertical line of batch size {b} is at the minimum of "
                                  "the loss; put it at the suggestion, the minimum's lr / 10.")
            raise CheckFailed(f"fig_range_test should mark the suggested lr of batch size {b} "
                              "with a vertical line: ax.axvline(suggest_lr(lrs, smoothed)).")
    passed("fig_range_test shows both range tests on a log lr axis with their suggestions.")
