"""ps02 §5: pitfalls that change a schedule silently — scheduler.step() before
optimizer.step() (§5.1), the momentum the cyclical schedulers switch on (§5.2), and
SequentialLR restarting the next scheduler (§5.4, `check_warmup_cosine`)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import ShownCallable, call_student, format_call, require_own_function
from lrchecks.diagnosis.schedules import (
    MOMENTA_AHEAD,
    MOMENTA_MISSING,
    MOMENTA_OF_OPTIMIZER,
    optimize_with_loop_mistake,
)
from lrchecks.evidence import judged
from lrchecks.histories import history, mismatch_sentence
from lrchecks.ps02.formulas import check_formula
from lrchecks.ps02.rescue import MOMENTUM_ON
from lrchecks.ps02.runs import (
    RESCUE_ITERATIONS,
    RESCUE_LR,
    RESCUE_X0,
    STEP_5_HALF,
    reference_run,
    run_histories,
    run_of,
    unreadable,
)
from lrchecks.report import CheckFailed, passed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import arrays_match, first_mismatch, read_only

__all__ = ["FIRST_PITFALL_RUNS", "FIRST_PITFALL_ADVICE", "RECORD_USED_LR", "MOVE_THE_STEP",
           "CORRECT_ON_PURPOSE", "MOMENTUM_RUNS", "MOMENTUM_ADVICE",
           "check_scheduler_first_pitfall", "check_momentum_history", "check_warmup_cosine"]

PitfallRun = tuple[float, int, float, SchedulerCase]
"""(initial_lr, num_iterations, x0, the torch scheduler) of optimize_scheduler_first."""


FIRST_PITFALL_RUNS: tuple[PitfallRun, ...] = (
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),
)
"""The visible run of the pitfall (the hidden ones are drawn)."""
FIRST_PITFALL_ADVICE = ("the run differs from the loop with scheduler.step() moved before "
                        "optimizer.step(): keep everything else as in your optimize, and record "
                        "the lr each step used.")
RECORD_USED_LR = ("Record the lr each step used: read optimizer.param_groups[0]['lr'] after "
                  "scheduler.step(), just before optimizer.step().")
MOVE_THE_STEP = ("Take your optimize and move scheduler.step() before optimizer.step() — nothing "
                 "else changes.")
CORRECT_ON_PURPOSE = ("here, on purpose, call scheduler.step() before optimizer.step() to see "
                      "what it breaks.")


def _pitfall_call(run: PitfallRun) -> tuple[ShownCallable, str]:
    initial_lr, n, x0, case = run
    scheduler = ShownCallable(case.factory, case.lambda_text)
    return scheduler, format_call("optimize_scheduler_first", (initial_lr, n, x0, scheduler), {})


def _pitfall_run_of(params: Any, pool: str) -> PitfallRun:
    """A hidden run of the pitfall: `run_of`'s params, with a scheduler."""
    initial_lr, n, x0, scheduler = run_of(params, pool)
    if scheduler is None:
        raise unreadable(pool)
    return initial_lr, n, x0, scheduler


@lru_cache(maxsize=1024, typed=True)
def _stepped_first_run(initial_lr: float, n: int, x0: float, case_key: str
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The loop with scheduler.step() first, as torch runs it: the same for every student who
    drew the case, so a grading process computes it once (read-only arrays)."""
    case = SchedulerCase.from_data(json.loads(case_key))
    xs, lrs = optimize_with_loop_mistake("scheduler_stepped_first", initial_lr, n, x0,
                                         case.factory)
    return read_only(np.asarray(xs, dtype=float)), read_only(np.asarray(lrs, dtype=float))


def _ask_first_pitfall_run(function: Any, run: PitfallRun) -> Any:
    initial_lr, n, x0, _ = run
    scheduler, _ = _pitfall_call(run)
    return call_student(function, "optimize_scheduler_first", initial_lr, n, x0, scheduler)


def _decide_first_pitfall_run(run: PitfallRun, result: Any) -> None:
    """The student's run against the loop with scheduler.step() first, the mistake named."""
    initial_lr, n, x0, case = run
    _, call = _pitfall_call(run)
    student_x, student_lrs = run_histories(result, call)
    xs, lrs = _stepped_first_run(initial_lr, n, x0, case.key)
    x_mismatch = first_mismatch(student_x, xs)
    lr_mismatch = first_mismatch(student_lrs, lrs)
    if x_mismatch is None and lr_mismatch is None:
        return
    right_x, right_lrs = reference_run(initial_lr, n, x0, case)
    if arrays_match(student_x, right_x) and arrays_match(student_lrs, right_lrs):
        raise CheckFailed(f"{call} gives the correct run: {CORRECT_ON_PURPOSE}",
                          diagnosis=f"your function gives the correct run: {CORRECT_ON_PURPOSE}")
    if x_mismatch is None:
        assert lr_mismatch is not None
        raise CheckFailed(mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
                          + f" {RECORD_USED_LR}", diagnosis=RECORD_USED_LR)
    raise CheckFailed(mismatch_sentence(f"For {call}, x_history", x_mismatch)
                      + f" {MOVE_THE_STEP}", diagnosis=MOVE_THE_STEP)


@judged
def check_scheduler_first_pitfall(optimize_scheduler_first: Any, hidden: bool = False) -> None:
    """optimize_scheduler_first runs the loop with scheduler.step() *before* optimizer.step()
    (on purpose) and records the lr each step used."""
    require_own_function(optimize_scheduler_first, "optimize_scheduler_first")
    pool = "ps02.scheduler_first"
    run_asking_cases(lambda run: _ask_first_pitfall_run(optimize_scheduler_first, run),
                     _decide_first_pitfall_run, hidden, pool, FIRST_PITFALL_RUNS,
                     FIRST_PITFALL_ADVICE, lambda params: _pitfall_run_of(params, pool))
    passed("optimize_scheduler_first shows the pitfall: the first lr of the schedule is skipped"
           + (" (unseen schedulers)." if hidden else "."))


MOMENTUM_RUNS: tuple[tuple[SchedulerCase, int], ...] = ((MOMENTUM_ON["one_cycle"], 20),
                                                        (STEP_5_HALF, 10))
"""The visible (scheduler, num_iterations) of momentum_history: OneCycleLR's default momenta,
and StepLR, which leaves the momentum alone (0: the case the task names). The hidden ones are
drawn."""
MOMENTUM_ADVICE = ("the momenta differ from those the scheduler sets: on a plain SGD, read "
                   "optimizer.param_groups[0]['momentum'] before each optimizer.step().")


def _hidden_momentum_run(params: Any, pool: str) -> tuple[SchedulerCase, int]:
    """A hidden case of momentum_history: params {"scheduler": case data, "num_iterations"}."""
    try:
        scheduler = SchedulerCase.from_data(params["scheduler"])
        n = params["num_iterations"]
    except (TypeError, KeyError, ValueError):
        raise unreadable(pool) from None
    if not isinstance(n, int) or n <= 0:
        raise unreadable(pool)
    return scheduler, n


def _momentum_call(case: SchedulerCase, n: int) -> tuple[ShownCallable, str]:
    scheduler = ShownCallable(case.factory, case.lambda_text)
    return scheduler, format_call("momentum_history", (scheduler, n), {})


def _ask_momentum_run(function: Any, run: tuple[SchedulerCase, int]) -> Any:
    scheduler, _ = _momentum_call(*run)
    return call_student(function, "momentum_history", scheduler, run[1])


def _decide_momentum_run(run: tuple[SchedulerCase, int], result: Any) -> None:
    """The student's momenta against those the scheduler plans, the mistake named."""
    case, n = run
    _, call = _momentum_call(case, n)
    student = history(result, f"The result of {call}")
    schedule = case.schedule(RESCUE_LR)
    planned = schedule.momenta(n)
    expected = np.zeros(n) if planned is None else planned
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    sentence = mismatch_sentence(f"For {call}, the momentum", mismatch)
    if planned is None and student.shape == expected.shape and student[0] != 0 \
            and arrays_match(student, MOMENTA_OF_OPTIMIZER.model(student[0], n)):
        raise CheckFailed(f"{sentence} {MOMENTA_OF_OPTIMIZER.explanation}",
                          diagnosis=MOMENTA_OF_OPTIMIZER.explanation)
    if planned is not None and student.shape == expected.shape:
        if arrays_match(student, MOMENTA_AHEAD.model(schedule, n)):
            raise CheckFailed(f"{sentence} {MOMENTA_AHEAD.explanation}",
                              diagnosis=MOMENTA_AHEAD.explanation)
        if np.allclose(student, MOMENTA_MISSING.model(schedule, n)):
            raise CheckFailed(f"{sentence} {MOMENTA_MISSING.explanation}",
                              diagnosis=MOMENTA_MISSING.explanation)
    raise CheckFailed(sentence)


@judged
def check_momentum_history(momentum_history: Any, hidden: bool = False) -> None:
    """momentum_history(scheduler, num_iterations) is the momentum each step of a plain SGD
    used under the scheduler (0 when it leaves the momentum alone)."""
    require_own_function(momentum_history, "momentum_history")
    pool = "ps02.momentum_history"
    run_asking_cases(lambda run: _ask_momentum_run(momentum_history, run), _decide_momentum_run,
                     hidden, pool, MOMENTUM_RUNS, MOMENTUM_ADVICE,
                     lambda params: _hidden_momentum_run(params, pool))
    passed("momentum_history shows which schedulers switch the momentum on"
           + (" (unseen schedulers)." if hidden else "."))


@judged
def check_warmup_cosine(warmup_cosine: Any, hidden: bool = False) -> None:
    """warmup_cosine(t, base_lr, warmup_steps, T_max, start_factor) equals SequentialLR of a
    LinearLR warmup and a CosineAnnealingLR that restarts at the milestone."""
    check_formula(warmup_cosine, "warmup_cosine", hidden)
    passed("warmup_cosine equals torch's SequentialLR(LinearLR → CosineAnnealingLR)"
           + (" on unseen parameters." if hidden else "."))
