"""Checks for ps01 "Constant learning rate on x²" — what its test cells call, one line each.

Visible checks use the published runs (a student can reproduce them); hidden checks
(`hidden=True`, or the `_unseen` checks) run the cases the grader drew for this student
(`lrchecks.hidden`: pools the grader keeps), so a hard-coded answer cannot pass.
Every check names the mistake when it recognises one; a hidden case's message names the kind
of case and the mistake, never its inputs or expected values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import judged
from lrchecks.hidden import HiddenCase, hidden_case, hidden_cases
from lrchecks.plots import ExpectedLine
from lrchecks.quadratic import MISTAKE_EXPLANATIONS, compare_run
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    arrays_match,
    describe_number,
    first_mismatch,
    read_only,
    same_pattern,
    to_float_array,
)
from lrcore import quadratic, regression
from lrcore.mistakes.quadratic import QUADRATIC_MISTAKES
from lrcore.mistakes.regression import REGRESSION_MISTAKES

__all__ = [
    "RUN_LRS",
    "RUN_X0",
    "RUN_ITERATIONS",
    "PARABOLA_LR",
    "check_gradient_descent_numpy",
    "check_gradient_descent_numpy_unseen",
    "check_optimize_published",
    "check_optimize_unseen",
    "check_divergence_threshold_on_paper",
    "check_divergence_threshold_by_experiment",
    "check_iterations_needed",
    "check_runs_figure_layout",
    "check_runs_figure_x",
    "check_runs_figure_lr",
    "check_parabola_figure",
    "check_train_linear_regression",
    "check_sweep_figure",
]

RUN_LRS: tuple[float, ...] = (0.01, 0.1, 0.45, 0.9, 1.0, 1.05)
"""The runs of the submitted figure (given to the students in the notebook)."""
RUN_X0 = 500.0
RUN_ITERATIONS = 20
PARABOLA_LR = 0.9

PUBLISHED_RUNS = ((1.05, 20, 500.0), (0.1, 20, 500.0))
RUN_ADVICE = ("the values differ from gradient descent's: each step is x ← x − lr·2a·x, "
              "recorded after the update, num_iterations times, from float(x0).")


def _constant(lr: float):
    return lambda _t: lr


# --- gradient descent by hand (numpy) -------------------------------------------------------


def _check_numpy_run(function: Any, lr: float, n: int, x0: float, a: float) -> None:
    kwargs = {"a": a} if a != 1.0 else {}
    call = format_call("gradient_descent_numpy", (lr, n, x0), kwargs)
    result = call_student(function, "gradient_descent_numpy", lr, n, x0, **kwargs)
    student = to_float_array(result, f"The result of {call}")
    expected = quadratic.gradient_descent(lr, n, x0, a)
    compare_run(call, student, expected, _constant(lr), n, x0, a)


@judged
def check_gradient_descent_numpy(gradient_descent_numpy: Any) -> None:
    """Visible: the two published runs from x0 = 500, 20 iterations."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    for lr, n, x0 in PUBLISHED_RUNS:
        _check_numpy_run(gradient_descent_numpy, lr, n, x0, 1.0)
    passed("gradient_descent_numpy reproduces the published runs (lr = 1.05 and lr = 0.1).")


@judged
def check_gradient_descent_numpy_unseen(gradient_descent_numpy: Any) -> None:
    """Hidden: the drawn learning rates, starting points, curvatures a and lengths."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    for case in hidden_cases("ps01.gradient_descent_numpy"):
        with hidden_case(case, RUN_ADVICE):
            lr, n, x0, a = case.params
            _check_numpy_run(gradient_descent_numpy, lr, n, x0, a)
    passed("gradient_descent_numpy is right on unseen learning rates, starting points and a.")


# --- optimize with torch.optim.SGD -----------------------------------------------------------


def _check_optimize_run(function: Any, lr: float, n: int, x0: float) -> None:
    call = format_call("optimize", (lr, n, x0), {})
    result = call_student(function, "optimize", lr, n, x0)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (x_history, lr_history), got "
                          f"{type(result).__name__}.",
                          diagnosis="optimize should return a pair (x_history, lr_history).")
    student_x = to_float_array(result[0], f"x_history of {call}")
    student_lrs = to_float_array(result[1], f"lr_history of {call}")
    expected_x, expected_lrs = quadratic.optimize(lr, n, x0)
    compare_run(call, student_x, np.asarray(expected_x), _constant(lr), n, x0,
                student_lrs=student_lrs, expected_lrs=np.asarray(expected_lrs))


@judged
def check_optimize_published(optimize: Any) -> None:
    """Visible: 3363.744… for lr = 1.05 and 5.7646… for lr = 0.1, and an integer x0."""
    require_own_function(optimize, "optimize")
    for lr, n, x0 in (*PUBLISHED_RUNS, (0.1, 20, 500)):
        _check_optimize_run(optimize, lr, n, x0)
    passed("optimize gives x = 3363.744 for lr = 1.05 and x = 5.7646 for lr = 0.1, also from "
           "an integer x0.")


@judged
def check_optimize_unseen(optimize: Any) -> None:
    """Hidden: the drawn learning rates (lr = 1/a and lr = 0 for everyone), starting points
    and lengths."""
    require_own_function(optimize, "optimize")
    for case in hidden_cases("ps01.optimize"):
        with hidden_case(case, RUN_ADVICE):
            _check_optimize_run(optimize, *case.params)
    passed("optimize is right on unseen learning rates, starting points and lengths.")


# --- the divergence threshold ------------------------------------------------------------------

CURVATURES_VISIBLE = (1.0,)


def _curvatures(pool: str, hidden: bool) -> list[HiddenCase]:
    if hidden:
        return hidden_cases(pool)
    return [HiddenCase("", a) for a in CURVATURES_VISIBLE]


def _maybe_hidden(case: HiddenCase, hidden: bool, advice: str) -> Any:
    """The hidden-case context for a hidden case, nothing for a visible one."""
    import contextlib

    return hidden_case(case, advice) if hidden else contextlib.nullcontext()


THRESHOLD_ADVICE = ("One step multiplies x by (1 − 2a·lr); find the lr at which |1 − 2a·lr| "
                    "reaches 1 on the diverging side.")
BISECTION_ADVICE = ("Narrow the interval between an lr that converges and one that diverges "
                    "(bisection) until it is shorter than 1e-4·lr.")


@judged
def check_divergence_threshold_on_paper(divergence_threshold: Any, hidden: bool = False) -> None:
    """The paper answer as a function of a: 1/a."""
    for case in _curvatures("ps01.divergence_threshold", hidden):
        with _maybe_hidden(case, hidden, THRESHOLD_ADVICE):
            a = case.params
            call = format_call("divergence_threshold", (a,), {})
            value = to_float_array(call_student(divergence_threshold, "divergence_threshold", a),
                                   call)
            expected = quadratic.stability_bound(a)
            if value.size != 1 or not np.isclose(value.reshape(-1)[0], expected, rtol=1e-9):
                got = (describe_number(float(value.reshape(-1)[0])) if value.size == 1
                       else "not a number")
                raise CheckFailed(f"{call} returned {got}. {THRESHOLD_ADVICE}",
                                  diagnosis=THRESHOLD_ADVICE)
    passed("divergence_threshold(a) is right" + (" for other curvatures a." if hidden else "."))


@judged
def check_divergence_threshold_by_experiment(
    find_divergence_threshold: Any, hidden: bool = False
) -> None:
    """The experimental threshold within 0.1 % of 1/a."""
    for case in _curvatures("ps01.find_divergence_threshold", hidden):
        with _maybe_hidden(case, hidden, BISECTION_ADVICE):
            a = case.params
            call = format_call("find_divergence_threshold", (a,), {})
            result = call_student(find_divergence_threshold, "find_divergence_threshold", a)
            value = to_float_array(result, f"The result of {call}")
            if value.size != 1:
                raise CheckFailed(f"{call} should return one number, got {value.size}.",
                                  diagnosis="find_divergence_threshold should return one number.")
            found, expected = float(value.reshape(-1)[0]), quadratic.stability_bound(a)
            if not abs(found - expected) <= 1e-3 * expected:
                raise CheckFailed(
                    f"{call} returned {describe_number(found)}, which is not within 0.1 % of "
                    f"the threshold. {BISECTION_ADVICE}",
                    diagnosis=f"the threshold found is not within 0.1 % of the true one. "
                    f"{BISECTION_ADVICE}")
    passed("find_divergence_threshold finds the threshold by experiment"
           + (" for other curvatures a." if hidden else "."))


# --- iterations needed ------------------------------------------------------------------------

ITERATION_CASES_VISIBLE = ((0.1, 500.0, 1e-3, 1.0), (1.05, 500.0, 1e-3, 1.0))
ITERATIONS_ADVICE = ("count the steps until |x| < tol for the first time; return None when "
                     "|1 − 2a·lr| ≥ 1 (the run never gets there), 0 when x0 already is.")


def _check_iterations_case(iterations_needed: Any, lr: float, x0: float, tol: float,
                           a: float) -> None:
    kwargs = {"tol": tol} | ({"a": a} if a != 1.0 else {})
    call = format_call("iterations_needed", (lr, x0), kwargs)
    result = call_student(iterations_needed, "iterations_needed", lr, x0, **kwargs)
    expected = quadratic.iterations_to_tolerance(lr, x0, tol, a)
    if expected is None:
        if result is not None:
            never = ("this run never gets within tol of 0 (|1 − 2a·lr| ≥ 1): return None.")
            raise CheckFailed(f"{call} returned {result!r}, but {never}",
                              diagnosis=f"your function returned a number of steps, but {never}")
        return
    if result is None or isinstance(result, bool):
        converges = "this run does converge — return the number of steps."
        raise CheckFailed(f"{call} returned {result!r}; {converges}",
                          diagnosis=f"your function returned {result!r}; {converges}")
    found = to_float_array(result, f"The result of {call}")
    if found.size != 1 or found.reshape(-1)[0] != expected:
        got = describe_number(float(found.reshape(-1)[0])) if found.size == 1 else "a list"
        off_by_one = found.size == 1 and abs(found.reshape(-1)[0] - expected) == 1
        hint = (" Off by one: count the steps taken, and stop at the first |x| < tol."
                if off_by_one else "")
        raise CheckFailed(f"{call} returned {got}, which is not the smallest number of "
                          f"steps that brings |x| below tol.{hint}",
                          diagnosis=("the count is off by one: count the steps taken, and stop "
                                     "at the first |x| < tol." if off_by_one else None))


@judged
def check_iterations_needed(iterations_needed: Any, hidden: bool = False) -> None:
    """Smallest T with |x_T| < tol, or None when the run never gets there."""
    if not hidden:
        for lr, x0, tol, a in ITERATION_CASES_VISIBLE:
            _check_iterations_case(iterations_needed, lr, x0, tol, a)
    else:
        for case in hidden_cases("ps01.iterations_needed"):
            with hidden_case(case, ITERATIONS_ADVICE):
                _check_iterations_case(iterations_needed, *case.params)
    passed("iterations_needed is right" + (" on unseen cases." if hidden else "."))


# --- the submitted figure of the runs --------------------------------------------------------


def _reference_runs() -> dict[float, tuple[np.ndarray, np.ndarray]]:
    runs = {}
    for lr in RUN_LRS:
        xs, lrs = quadratic.optimize(lr, RUN_ITERATIONS, RUN_X0)
        runs[lr] = (np.asarray(xs), np.asarray(lrs))
    return runs


def _iteration_variants(values: np.ndarray, first: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The x data a student may plot against: steps 1..n, 0..n−1, or 0..n with the start."""
    n = values.size
    return [
        (np.arange(1, n + 1, dtype=float), values),
        (np.arange(0, n, dtype=float), values),
        (np.arange(0, n + 1, dtype=float), np.concatenate(([first], values))),
    ]


def _panels(fig_runs: Any) -> list[Any]:
    panels = plots.panels_of(fig_runs, "fig_runs")
    plots.check_panel_count(panels, 2, "fig_runs")
    return panels


@judged
def check_runs_figure_layout(fig_runs: Any) -> None:
    """Two panels; iteration on x; |x| (log) and the learning rate on y; titles; legends."""
    left, right = _panels(fig_runs)
    for panel, where in ((left, "the left panel"), (right, "the right panel")):
        plots.check_axis_label(panel, "x", ("iteration", "step"), where)
        plots.check_title(panel, where)
        plots.check_legend(panel, where)
    plots.check_axis_label(left, "y", ("x",), "the left panel")
    plots.check_axis_label(right, "y", ("learning rate", "lr", "η"), "the right panel")
    plots.check_log_scale(left, "y", "the left panel (|x|)")
    passed("fig_runs has two labelled panels, a log scale for |x| and legends.")


@judged
def check_runs_figure_x(fig_runs: Any) -> None:
    """The left panel: |x| vs iteration, one labelled line per lr in RUN_LRS."""
    left, _ = _panels(fig_runs)
    expected = []
    for lr, (xs, _) in _reference_runs().items():
        mistakes = {
            "It shows x, not |x|: a log axis cannot show the negative values, plot np.abs(x).": xs,
        }
        for name, model in QUADRATIC_MISTAKES.items():
            mistaken_x, _ = model(_constant(lr), RUN_ITERATIONS, RUN_X0, 1.0)
            if not arrays_match(mistaken_x, xs):
                mistakes[MISTAKE_EXPLANATIONS[name]] = np.abs(mistaken_x)
        expected.append(ExpectedLine(f"lr = {lr}", _iteration_variants(np.abs(xs), RUN_X0), lr,
                                     mistakes))
    plots.check_lines(left, expected, "The left panel of fig_runs", require_legend=False)
    passed("The left panel shows |x| of every run in RUN_LRS.")


@judged
def check_runs_figure_lr(fig_runs: Any) -> None:
    """The right panel: the learning rate vs iteration, one labelled line per run."""
    _, right = _panels(fig_runs)
    expected = [
        ExpectedLine(f"lr = {lr}", _iteration_variants(lrs, lr)[:2], lr)
        for lr, (_, lrs) in _reference_runs().items()
    ]
    plots.check_lines(right, expected, "The right panel of fig_runs", require_legend=False)
    passed("The right panel shows the learning rate of every run in RUN_LRS.")


@judged
def check_parabola_figure(fig_parabola: Any) -> None:
    """The trajectory of lr = PARABOLA_LR drawn on the parabola f(x) = x²."""
    panels = plots.panels_of(fig_parabola, "fig_parabola")
    plots.check_panel_count(panels, 1, "fig_parabola")
    (panel,) = panels
    plots.check_axis_label(panel, "x", ("x",), "fig_parabola")
    plots.check_axis_label(panel, "y", ("f", "x²", "x^2", "loss"), "fig_parabola")
    xs, _ = quadratic.optimize(PARABOLA_LR, RUN_ITERATIONS, RUN_X0)
    points = np.asarray(xs)
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


# --- the linear-regression sweep ------------------------------------------------------------

REGRESSION_MISTAKE_EXPLANATIONS = {
    "loss_after_update": "Your curve starts one epoch late: record the loss computed before "
    "optimizer.step(), in the same iteration.",
    "sum_instead_of_mean": "The loss looks summed over the samples instead of averaged: use the "
    "mean squared error (F.mse_loss or ((pred - y)**2).mean()).",
    "missing_zero_grad": "The gradients accumulate across epochs: call optimizer.zero_grad() "
    "before loss.backward() in every epoch.",
}

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
    """What fig_sweep must show: one line per lr of SWEEP_LRS with its modelled mistakes — the
    same for every student, so a grading process computes it once (read-only arrays)."""
    X, y = regression.linear_regression_data()
    lines = []
    for lr in regression.SWEEP_LRS:
        values = read_only(regression.train_linear_regression(X, y, lr))
        mistakes = {
            REGRESSION_MISTAKE_EXPLANATIONS[name]: read_only(model(X, y, lr, values.size))
            for name, model in REGRESSION_MISTAKES.items()
        }
        lines.append(ExpectedLine(f"lr = {lr}", [
            (read_only(np.arange(0, values.size, dtype=float)), values),
            (read_only(np.arange(1, values.size + 1, dtype=float)), values),
        ], lr, mistakes))
    return tuple(lines)


def _check_regression_case(train_linear_regression: Any, seed: int, lr: float,
                           epochs: int) -> None:
    X, y = regression.linear_regression_data(seed=seed)
    call = f"train_linear_regression(X, y, lr={lr}, epochs={epochs})"
    result = call_student(train_linear_regression, "train_linear_regression", X, y,
                          lr=lr, epochs=epochs)
    student = to_float_array(result, f"The result of {call}")
    expected = _regression_losses(seed, lr, epochs)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    for name in REGRESSION_MISTAKES:
        if same_pattern(student, _regression_mistake_losses(name, seed, lr, epochs)):
            explanation = REGRESSION_MISTAKE_EXPLANATIONS[name]
            raise CheckFailed(f"{call}: the losses are wrong. {explanation}",
                              diagnosis=explanation)
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} losses; it should return one per "
                          f"epoch ({epochs}).",
                          diagnosis="the result should hold one loss per epoch.")
    raise CheckFailed(
        f"{call}: the loss of epoch {mismatch.index} is {describe_number(mismatch.student)}, "
        f"it should be {describe_number(mismatch.expected)}. Start from w = b = 0 and take "
        "one full-batch step per epoch."
    )


@judged
def check_train_linear_regression(train_linear_regression: Any, hidden: bool = False) -> None:
    """Losses per epoch equal lrcore's full-batch SGD from w = b = 0."""
    require_own_function(train_linear_regression, "train_linear_regression")
    if not hidden:
        for seed, lr, epochs in REGRESSION_CASES_VISIBLE:
            _check_regression_case(train_linear_regression, seed, lr, epochs)
    else:
        for case in hidden_cases("ps01.train_linear_regression"):
            with hidden_case(case, REGRESSION_ADVICE):
                _check_regression_case(train_linear_regression, *case.params)
    passed("train_linear_regression gives the right loss curve"
           + (" on unseen data, lrs and epochs." if hidden else "."))


@judged
def check_sweep_figure(fig_sweep: Any) -> None:
    """One panel: the loss of each lr in SWEEP_LRS vs epoch, log scale, labelled."""
    panels = plots.panels_of(fig_sweep, "fig_sweep")
    plots.check_panel_count(panels, 1, "fig_sweep")
    (panel,) = panels
    plots.check_axis_label(panel, "x", ("epoch",), "fig_sweep")
    plots.check_axis_label(panel, "y", ("loss", "mse"), "fig_sweep")
    plots.check_title(panel, "fig_sweep")
    plots.check_log_scale(panel, "y", "fig_sweep")
    plots.check_lines(panel, list(_sweep_lines()), "fig_sweep")
    passed("fig_sweep shows the four loss curves on a log scale, labelled by lr.")
