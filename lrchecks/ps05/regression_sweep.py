"""ps05 §2: one sweep, five optimisers — the regression trained by each, and the figure of
their loss curves."""

from __future__ import annotations

import functools
from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import Answer, run_asking_cases
from lrchecks.calls import call_student, require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.optim import SWEEP, regression_optimizer_mistakes
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import ExpectedLine, check_lines, iteration_variants
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    describe_number,
    read_only,
    result_mismatch,
    same_pattern,
)
from lrcore import optimizer_sweep
from lrcore.regression import SWEEP_LRS, linear_regression_data

__all__ = ["SWEEP_LRS", "SWEEP_OPTIMIZERS", "REGRESSION_CASES_VISIBLE", "REGRESSION_ADVICE",
           "check_train_regression", "check_optimizer_sweep_figure"]

SWEEP_OPTIMIZERS: tuple[str, ...] = tuple(optimizer_sweep.SWEEP_OPTIMIZERS)
"""The optimisers of the regression sweep, in the notebook's order."""

REGRESSION_CASES_VISIBLE: tuple[tuple[int, str, float, int], ...] = (
    (0, "sgd", 0.1, 20),
    (0, "momentum", 0.01, 100),
    (0, "adagrad", 0.5, 50),
    (0, "rmsprop", 0.01, 50),
    (0, "adam", 0.1, 100),
)
REGRESSION_ADVICE = ("the losses differ from the reference: start from w = b = 0, take one "
                     "full-batch step per epoch, record the loss before optimizer.step(), and use "
                     "torch's defaults apart from lr.")


@cache
def _regression_losses(seed: int, optimizer: str, lr: float, epochs: int) -> np.ndarray:
    """`optimizer_sweep.train_regression` on `linear_regression_data(seed)`: the same for every
    student, so a grading process computes it once (read-only)."""
    X, y = linear_regression_data(seed=seed)
    return read_only(optimizer_sweep.train_regression(X, y, optimizer, lr, epochs))


def _optimizer_hint(name: str) -> str:
    class_name, options = optimizer_sweep.SWEEP_OPTIMIZERS[name]
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return f"{name!r} is torch.optim.{class_name}(model.parameters(), lr=lr{extra})."


@cache
def _regression_mistakes(seed: int, optimizer: str, lr: float, epochs: int
                         ) -> dict[str, np.ndarray]:
    """The loss curves of the usual slips (`regression_optimizer_mistakes`) on
    `linear_regression_data(seed)`, computed once per grading process (read-only)."""
    X, y = linear_regression_data(seed=seed)
    return {name: read_only(curve) for name, curve
            in regression_optimizer_mistakes(X, y, optimizer, lr, epochs).items()}


# A case: (seed, epochs, the (optimiser, lr) runs on that data) — a visible case has one run,
# a hidden case several; each run's answer is kept, to be read in the runs' order.
RegressionCase = tuple[int, int, tuple[tuple[str, float], ...]]
VISIBLE_RUNS: tuple[RegressionCase, ...] = tuple(
    (seed, epochs, ((name, lr),)) for seed, name, lr, epochs in REGRESSION_CASES_VISIBLE)


def _read_regression_case(params: Any) -> RegressionCase:
    """A hidden case's params {"seed", "epochs", "runs": [[optimiser, lr], …]}."""
    return (int(params["seed"]), int(params["epochs"]),
            tuple((name, lr) for name, lr in params["runs"]))


def _regression_call(name: str, lr: float, epochs: int) -> str:
    return f"train_regression(X, y, {name!r}, lr={lr}, epochs={epochs})"


def _ask_regression_case(train_regression: Any, case: RegressionCase) -> list[Answer[Any]]:
    """The student's losses for each run of one case."""
    seed, epochs, runs = case
    X, y = linear_regression_data(seed=seed)

    def losses(name: str, lr: float) -> Any:
        return call_student(train_regression, "train_regression", X, y, name, lr=lr,
                            epochs=epochs)

    return [Answer.of(functools.partial(losses, name, lr)) for name, lr in runs]


def _decide_regression_case(case: RegressionCase, answers: list[Answer[Any]]) -> None:
    seed, epochs, runs = case
    for (name, lr), answer in zip(runs, answers, strict=True):
        _decide_regression_run(seed, name, lr, epochs, answer.get())


def _decide_regression_run(seed: int, name: str, lr: float, epochs: int, result: Any) -> None:
    """The student's losses of one run against lrcore's, its mistake named."""
    call = _regression_call(name, lr, epochs)
    found = result_mismatch(
        result, _regression_losses(seed, name, lr, epochs), call,
        lambda student: CheckFailed(f"{call} returned {student.size} losses; it should return "
                                    f"one per epoch ({epochs}).",
                                    diagnosis="the result should hold one loss per epoch."))
    if found is None:
        return
    student, mismatch = found
    for other in SWEEP_OPTIMIZERS:
        if other != name.lower() and same_pattern(
                student, _regression_losses(seed, other, lr, epochs)):
            raise CheckFailed(f"{call}: these are the losses of {other!r}, not of "
                              f"{name.lower()!r}. {_optimizer_hint(name.lower())}",
                              diagnosis="these are the losses of another optimiser of the "
                              "sweep: check which torch.optim class (and options) each name "
                              "stands for.")
    curves = _regression_mistakes(seed, name, lr, epochs)
    raise_first_fitting(SWEEP, lambda mistake: mistake.name in curves and mistake.fits(
        student, curves[mistake.name]), f"{call}: the losses are wrong.")
    assert mismatch.student is not None and mismatch.expected is not None
    raise CheckFailed(
        f"{call}: the loss of epoch {mismatch.index} is {describe_number(mismatch.student)}, "
        f"it should be {describe_number(mismatch.expected)}. Start from w = b = 0, take one "
        f"full-batch step per epoch, and use torch's defaults apart from lr. "
        f"{_optimizer_hint(name.lower())}"
    )


@judged
def check_train_regression(train_regression: Any, hidden: bool = False) -> None:
    """Losses per epoch equal lrcore.optimizer_sweep.train_regression (float32 torch). A
    hidden case is one data set trained by several optimisers, each at its own lr."""
    require_own_function(train_regression, "train_regression")
    run_asking_cases(lambda case: _ask_regression_case(train_regression, case),
                     _decide_regression_case, hidden, "ps05.train_regression", VISIBLE_RUNS,
                     REGRESSION_ADVICE, _read_regression_case)
    passed("train_regression gives the right loss curve for every optimiser"
           + (" on unseen data, lrs and epochs." if hidden else "."))


def _title_optimizer(title: str) -> str | None:
    lowered = title.lower()
    for name in ("momentum", "adagrad", "rmsprop", "adam", "sgd"):
        if name in lowered:
            return name
    return None


def _sweep_lines(name: str, diagnose: bool) -> list[ExpectedLine]:
    """The lines of one optimiser's panel: its loss curve for every lr of SWEEP_LRS on the
    notebook's data (seed 0, 100 epochs), with the curves of its usual slips if `diagnose`."""
    lines = []
    explanations = {mistake.name: mistake.explanation for mistake in SWEEP}
    for lr in SWEEP_LRS:
        values = _regression_losses(0, name, lr, 100)
        wrong = {} if not diagnose else {
            explanations[m]: c for m, c in _regression_mistakes(0, name, lr, values.size).items()
        }
        lines.append(ExpectedLine(f"lr = {lr}", iteration_variants(values)[::-1], lr, wrong))
    return lines


@judged
def check_optimizer_sweep_figure(fig_optimizers: Any) -> None:
    """One panel per optimiser (named in its title), each with the loss curve of every lr in
    SWEEP_LRS (labelled), loss on a log axis against the epoch."""
    panels = plots.panels_of(fig_optimizers, "fig_optimizers")
    plots.check_panel_count(panels, len(SWEEP_OPTIMIZERS), "fig_optimizers")
    by_name = dict(plots.panels_by_title(
        panels, _title_optimizer,
        lambda title: f"A panel of fig_optimizers has the title {title!r}; each title should "
                      f"name its optimiser ({', '.join(SWEEP_OPTIMIZERS)}).",
        lambda name: f"Two panels of fig_optimizers are titled with {name!r}; give each "
                     "optimiser its own panel."))
    asked()  # a figure of plain data: the loss curves it must show are the judge's alone
    for name in SWEEP_OPTIMIZERS:
        panel = by_name[name]
        where = f"the {name!r} panel of fig_optimizers"
        plots.check_axis_label(panel, "x", ("epoch", "step", "iteration"), where)
        plots.check_axis_label(panel, "y", ("loss", "mse"), where)
        plots.check_log_scale(panel, "y", where)
        try:
            check_lines(panel, _sweep_lines(name, diagnose=False), where.capitalize(),
                        require_legend=not panel.figure.legends)
        except CheckFailed:
            # Only now model the mistakes (20 more trainings): the message can then name one.
            check_lines(panel, _sweep_lines(name, diagnose=True), where.capitalize(),
                        require_legend=not panel.figure.legends)
            raise
    passed("fig_optimizers shows the loss curves of every lr for each of the five optimisers.")
