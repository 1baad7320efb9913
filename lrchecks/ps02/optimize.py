"""ps02 §2: a scheduler inside `optimize` — the three published runs and the drawn ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrchecks.calls import ShownCallable, call_student, require_own_function
from lrchecks.evidence import judged
from lrchecks.hidden import hidden_case, hidden_cases
from lrchecks.ps02.runs import (
    EXPONENTIAL_09,
    RESCUE_ITERATIONS,
    RESCUE_LR,
    RESCUE_X0,
    STEP_5_HALF,
    Run,
    compare_scheduled_run,
    hidden_run,
    optimize_call,
)
from lrchecks.report import passed
from lrchecks.scheduler_cases import SchedulerCase

__all__ = ["PUBLISHED_RUNS", "RUN_ADVICE", "check_optimize_with_scheduler",
           "check_optimize_with_scheduler_unseen"]

PUBLISHED_RUNS: tuple[Run, ...] = (
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, None),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, EXPONENTIAL_09),
    (RESCUE_LR, RESCUE_ITERATIONS, int(RESCUE_X0), STEP_5_HALF),
)
"""The three runs the notebook prints, and the StepLR run from an integer x0 (the task says
x0 may be one)."""
RUN_ADVICE = ("the run differs from torch's: build the scheduler once with scheduler(optimizer) "
              "before the loop, record optimizer.param_groups[0]['lr'] before optimizer.step(), "
              "and call scheduler.step() after it.")


def _check_optimize_run(optimize: Any, initial_lr: float, n: int, x0: float,
                        case: SchedulerCase | None) -> None:
    if case is None:
        call = optimize_call(initial_lr, n, x0, None)
        result = call_student(optimize, "optimize", initial_lr, n, x0)
    else:
        scheduler = ShownCallable(case.factory, case.lambda_text)
        call = optimize_call(initial_lr, n, x0, scheduler)
        result = call_student(optimize, "optimize", initial_lr, n, x0, scheduler=scheduler)
    compare_scheduled_run(call, result, initial_lr, n, x0, case)


def _check_optimize_runs(optimize: Any, runs: Sequence[Run]) -> None:
    require_own_function(optimize, "optimize")
    for initial_lr, n, x0, case in runs:
        _check_optimize_run(optimize, initial_lr, n, x0, case)


@judged
def check_optimize_with_scheduler(optimize: Any) -> None:
    """Visible: lr = 1.05 from x0 = 500 for 20 steps, without a scheduler, with StepLR(5, 0.5)
    and with ExponentialLR(0.9) — and the StepLR run from the integer x0 = 500."""
    _check_optimize_runs(optimize, PUBLISHED_RUNS)
    passed("optimize reproduces the three runs: no scheduler (x = 3363.74), StepLR(5, 0.5) "
           "(x = 1.33e-06) and ExponentialLR(0.9) (x = 1.51e-07), also from an integer x0.")


@judged
def check_optimize_with_scheduler_unseen(optimize: Any) -> None:
    """Hidden: the drawn schedulers, learning rates, starting points and lengths (for everyone
    also no scheduler, an integer x0 and a scheduler that switches the momentum on)."""
    require_own_function(optimize, "optimize")
    pool = "ps02.optimize"
    for case in hidden_cases(pool):
        run = hidden_run(case, pool)
        with hidden_case(case, RUN_ADVICE):
            _check_optimize_run(optimize, *run)
    passed("optimize is right with unseen schedulers, learning rates and starting points.")
