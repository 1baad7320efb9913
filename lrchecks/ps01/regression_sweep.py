"""ps01 §5: a learning-rate sweep on a small linear regression — the training loop and the
figure of the five loss curves (the published sweep's four learning rates and one that
diverges). The checks ask the student's code (or read the figure) first and then decide
(`lrchecks.asking`): while grading, the judge alone computes the references."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.regression import REGRESSION, REGRESSION_MISTAKES
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import ExpectedLine, check_lines, iteration_variants
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, first_mismatch, read_only, to_float_array
from lrcore import regression

__all__ = ["REGRESSION_LRS", "REGRESSION_CASES_VISIBLE", "REGRESSION_ADVICE",
           "check_train_linear_regression", "check_sweep_figure"]

REGRESSION_LRS: tuple[float, ...] = (*regression.SWEEP_LRS, 0.85)
"""The learning rates of fig_sweep: the published sweep (`lrcore.regression.SWEEP_LRS`) and
lr = 0.85, above this loss's largest stable lr 2/λ_max (a test of the course's claims guards it)."""

REGRESSION_CASES_VISIBLE = ((0, 0.1, 100),)
REGRESSION_ADVICE = ("the losses differ from full-batch SGD on the MSE: start from w = b = 0, take "
                     "one step per epoch and record the loss computed before the step.")


@cache
def _regression_losses(seed: int, lr: float, epochs: int) -> np.ndarray:
    """lrcore's losses for one test case: the same for every student, so a grading process
    computes them once (read-only)."""
    X, y = regression.linear_regression_data(seed=seed)
    return read_only(regression.train_linear_regression(X, y, lr, epochs))


@cache
def _regression_mistake_losses(name: str, seed: int, lr: float, epochs: int) -> np.ndarray:
    """The losses the named mistake reports for one test case, computed once (read-only)."""
    X, y = regression.linear_regression_data(seed=seed)
    return read_only(REGRESSION_MISTAKES[name](X, y, lr, epochs))


@cache
def _sweep_lines() -> tuple[ExpectedLine, ...]:
    """What fig_sweep must show: one line per lr of REGRESSION_LRS with its modelled mistakes —
    the same for every student, so a grading process computes it once (read-only arrays)."""
    X, y = regression.linear_regression_data()
    lines = []
    for lr in REGRESSION_LRS:
        values = read_only(regression.train_linear_regression(X, y, lr))
        mistakes = {mistake.explanation: read_only(mistake.model(X, y, lr, values.size))
                    for mistake in REGRESSION}
        variants = [(read_only(x), y_values) for x, y_values in iteration_variants(values)]
        lines.append(ExpectedLine(f"lr = {lr}", variants[::-1], lr, mistakes))
    return tuple(lines)


RegressionCase = tuple[int, float, int]
"""(seed, lr, epochs) of one train_linear_regression case."""


def _regression_call(lr: float, epochs: int) -> str:
    """The call as a message writes it (the data named X, y)."""
    return f"train_linear_regression(X, y, lr={lr}, epochs={epochs})"


def _ask_regression(train_linear_regression: Any, case: RegressionCase) -> Any:
    """The student's losses for one case, trained on the case's data."""
    seed, lr, epochs = case
    X, y = regression.linear_regression_data(seed=seed)
    return call_student(train_linear_regression, "train_linear_regression", X, y,
                        lr=lr, epochs=epochs)


def _decide_regression(case: RegressionCase, result: Any) -> None:
    """The student's losses for one case against lrcore's, the mistake named."""
    seed, lr, epochs = case
    call = _regression_call(lr, epochs)
    student = to_float_array(result, f"The result of {call}")
    expected = _regression_losses(seed, lr, epochs)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    raise_first_fitting(REGRESSION, lambda mistake: mistake.fits(
        student, _regression_mistake_losses(mistake.name, seed, lr, epochs)),
        f"{call}: the losses are wrong.")
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} losses; it should return one per "
                          f"epoch ({epochs}).",
                          diagnosis="the result should hold one loss per epoch.")
    assert mismatch.student is not None and mismatch.expected is not None
    raise CheckFailed(
        f"{call}: the loss of epoch {mismatch.index} is {describe_number(mismatch.student)}, "
        f"it should be {describe_number(mismatch.expected)}. Start from w = b = 0 and take "
        "one full-batch step per epoch."
    )


@judged
def check_train_linear_regression(train_linear_regression: Any, hidden: bool = False) -> None:
    """Losses per epoch equal lrcore's full-batch SGD from w = b = 0."""
    require_own_function(train_linear_regression, "train_linear_regression")
    run_asking_cases(lambda case: _ask_regression(train_linear_regression, case),
                     _decide_regression, hidden, "ps01.train_linear_regression",
                     REGRESSION_CASES_VISIBLE, REGRESSION_ADVICE)
    passed("train_linear_regression gives the right loss curve"
           + (" on unseen data, lrs and epochs." if hidden else "."))


@judged
def check_sweep_figure(fig_sweep: Any) -> None:
    """One panel: the loss of each lr in REGRESSION_LRS vs epoch, log scale, labelled."""
    panel = plots.one_panel(fig_sweep, "fig_sweep")
    plots.check_axis_label(panel, "x", ("epoch",), "fig_sweep")
    plots.check_axis_label(panel, "y", ("loss", "mse"), "fig_sweep")
    plots.check_title(panel, "fig_sweep")
    plots.check_log_scale(panel, "y", "fig_sweep")
    asked()
    check_lines(panel, list(_sweep_lines()), "fig_sweep")
    passed("fig_sweep shows the five loss curves on a log scale, labelled by lr.")
