"""ps02 §3: the figure of the constant run and the six rescues — |x| and the learning rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.diagnosis.quadratic import SIGNED_X_RESCUE
from lrchecks.diagnosis.schedules import LOOPS, MOMENTUM_SWITCHED_ON
from lrchecks.evidence import asked, judged
from lrchecks.histories import check_history_figure_layout, check_history_panel
from lrchecks.plot_lines import ExpectedLine, iteration_variants
from lrchecks.ps02.rescue import MOMENTUM_ON, RESCUE_SCHEDULERS
from lrchecks.ps02.runs import RESCUE_ITERATIONS, RESCUE_LR, RESCUE_X0, reference_run
from lrchecks.report import passed
from lrchecks.scheduler_cases import SchedulerCase

__all__ = ["RUN_NAMES", "check_rescue_figure_layout", "check_rescue_figure_x",
           "check_rescue_figure_lr"]

RUN_NAMES: dict[str, tuple[str, ...]] = {
    "constant": ("constant", "no_scheduler", "none"),
    "step": ("step", "steplr", "step_decay"),
    "exponential": ("exponential", "exponentiallr", "exp"),
    "cosine": ("cosine", "cosineannealinglr", "cos"),
    "warmup": ("warmup", "warm_up", "linearlr", "sequentiallr", "linear_warmup"),
    "cyclic": ("cyclic", "cyclical", "cycliclr", "triangular"),
    "one_cycle": ("one_cycle", "onecycle", "onecyclelr", "1cycle", "1_cycle"),
}
"""What a legend label may call each run (case-insensitive, '-' and spaces read as '_')."""


def _rescue_cases() -> dict[str, SchedulerCase | None]:
    return {"constant": None, **RESCUE_SCHEDULERS}


def _loop_mistake_runs(case: SchedulerCase | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sentence → (x, lr) of each scheduler misuse that torch runs on this rescue."""
    if case is None:
        return {}
    runs = {}
    for mistake in LOOPS:
        run = mistake.run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case.factory)
        if run is not None:
            runs[mistake.explanation] = run
    return runs


@judged
def check_rescue_figure_layout(fig_rescue: Any) -> None:
    """Two panels; iteration on x; |x| (log) and the learning rate on y; titles; legends."""
    check_history_figure_layout(fig_rescue, "fig_rescue")
    asked()  # no call of the student's code: the judge confirms the layout
    passed("fig_rescue has two labelled panels, a log scale for |x| and legends.")


def _x_lines() -> list[ExpectedLine]:
    """|x| of the constant run and of each rescue, each with the mistakes that draw another line
    (computed only when the line is wrong)."""
    runs = []
    for key, case in _rescue_cases().items():
        xs, _ = reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)

        def mistakes(xs: np.ndarray = xs, key: str = key,
                     case: SchedulerCase | None = case) -> dict[str, np.ndarray]:
            found = {SIGNED_X_RESCUE.explanation: SIGNED_X_RESCUE.model(xs)}
            if key in MOMENTUM_ON:
                momentum_x, _ = reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0,
                                              MOMENTUM_ON[key])
                found[MOMENTUM_SWITCHED_ON.explained(MOMENTUM_ON[key])] = np.abs(momentum_x)
            for message, (mistaken_x, _) in _loop_mistake_runs(case).items():
                found.setdefault(message, np.abs(mistaken_x))
            return found

        runs.append(ExpectedLine(key, iteration_variants(np.abs(xs), RESCUE_X0),
                                 mistakes=mistakes, aliases=RUN_NAMES[key]))
    return runs


def _lr_lines() -> list[ExpectedLine]:
    """The learning rate of the constant run and of each rescue, with the loop mistakes."""
    runs = []
    for key, case in _rescue_cases().items():
        _, lrs = reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)

        def mistakes(case: SchedulerCase | None = case) -> dict[str, np.ndarray]:
            return {message: mistaken_lrs
                    for message, (_, mistaken_lrs) in _loop_mistake_runs(case).items()}

        runs.append(ExpectedLine(key, iteration_variants(lrs), mistakes=mistakes,
                                 aliases=RUN_NAMES[key]))
    return runs


@judged
def check_rescue_figure_x(fig_rescue: Any) -> None:
    """The left panel: |x| vs iteration for the constant run and the six rescues, labelled (the
    runs are computed and compared after `asked`)."""
    plots.two_panels(fig_rescue, "fig_rescue")
    asked()
    check_history_panel(fig_rescue, "fig_rescue", "left", _x_lines(), plotted="optimize")
    passed("The left panel shows |x| of the constant run and of the six rescues.")


@judged
def check_rescue_figure_lr(fig_rescue: Any) -> None:
    """The right panel: the learning rate vs iteration, one labelled line per run (compared after
    `asked`)."""
    plots.two_panels(fig_rescue, "fig_rescue")
    asked()
    check_history_panel(fig_rescue, "fig_rescue", "right", _lr_lines(), plotted="optimize")
    passed("The right panel shows the learning rate of the constant run and of the six rescues.")
