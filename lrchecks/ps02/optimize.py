"""ps02 §2: a scheduler inside `optimize` — the three published runs and the drawn ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrchecks.asking import run_asking_cases
from lrchecks.calls import ShownCallable, call_student, require_own_function
from lrchecks.evidence import judged
from lrchecks.ps02.runs import (
    EXPONENTIAL_09,
    RESCUE_ITERATIONS,
    RESCUE_LR,
    RESCUE_X0,
    STEP_5_HALF,
    Run,
    compare_scheduled_run,
    optimize_call,
    run_of,
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


def _shown_scheduler(case: SchedulerCase | None) -> ShownCallable | None:
    return None if case is None else ShownCallable(case.factory, case.lambda_text)


def _ask_optimize_run(optimize: Any, run: Run) -> Any:
    """The student's optimize on one run (its scheduler, if any, passed by keyword)."""
    initial_lr, n, x0, case = run
    scheduler = _shown_scheduler(case)
    if scheduler is None:
        return call_student(optimize, "optimize", initial_lr, n, x0)
    return call_student(optimize, "optimize", initial_lr, n, x0, scheduler=scheduler)


def _decide_optimize_run(run: Run, result: Any) -> None:
    """The student's run against lrcore's torch run, the mistake named."""
    initial_lr, n, x0, case = run
    call = optimize_call(initial_lr, n, x0, _shown_scheduler(case))
    compare_scheduled_run(call, result, initial_lr, n, x0, case)


def _check_optimize_runs(optimize: Any, runs: Sequence[Run], hidden: bool = False) -> None:
    """The visible `runs`, or this student's drawn runs of "ps02.optimize": every run asked
    first, then compared (the judge's part while grading)."""
    require_own_function(optimize, "optimize")
    pool = "ps02.optimize"
    run_asking_cases(lambda run: _ask_optimize_run(optimize, run), _decide_optimize_run, hidden,
                     pool, runs, RUN_ADVICE, lambda params: run_of(params, pool))


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
    _check_optimize_runs(optimize, (), hidden=True)
    passed("optimize is right with unseen schedulers, learning rates and starting points.")
