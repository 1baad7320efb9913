"""What the sections of ps02 share: the rescue run's settings, lrcore's reference runs with a
scheduler (computed once per grading process), hidden runs as data, and the comparison of a
student's run with the reference that names the mistake."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr
from functools import lru_cache
from typing import Any

import numpy as np

from lrchecks.calls import format_call
from lrchecks.diagnosis.quadratic import diagnose_run
from lrchecks.diagnosis.schedules import diagnose_loop
from lrchecks.hidden import HiddenCase, NotGraded
from lrchecks.histories import history, pair, run_mismatch
from lrchecks.report import CheckFailed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import read_only
from lrcore import quadratic

__all__ = ["RESCUE_LR", "RESCUE_ITERATIONS", "RESCUE_X0", "STEP_5_HALF", "EXPONENTIAL_09", "Run",
           "quiet", "reference_run", "lr_at", "run_histories", "compare_scheduled_run",
           "unreadable", "is_number", "hidden_run", "run_of", "optimize_call"]

RESCUE_LR = 1.05
RESCUE_ITERATIONS = 20
RESCUE_X0 = 500.0

STEP_5_HALF = SchedulerCase.of("StepLR", step_size=5, gamma=0.5)
EXPONENTIAL_09 = SchedulerCase.of("ExponentialLR", gamma=0.9)

Run = tuple[float, int, float, SchedulerCase | None]
"""(initial_lr, num_iterations, x0, the torch scheduler or None)."""


@contextmanager
def quiet() -> Iterator[None]:
    """torch's warnings silenced: a grade cell must stay off stderr."""
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


@lru_cache(maxsize=1024)
def _cached_run(initial_lr: float, n: int, x0: float, case_key: str | None
                ) -> tuple[np.ndarray, np.ndarray]:
    case = None if case_key is None else SchedulerCase.from_data(json.loads(case_key))
    with quiet():
        xs, lrs = quadratic.optimize(initial_lr, n, x0,
                                     case.factory if case is not None else None)
    return read_only(np.asarray(xs, dtype=float)), read_only(np.asarray(lrs, dtype=float))


def reference_run(
    initial_lr: float, n: int, x0: float, case: SchedulerCase | None
) -> tuple[np.ndarray, np.ndarray]:
    """lrcore's run (float32 torch) of the case: the same for every student, so a grading
    process computes it once (read-only arrays)."""
    return _cached_run(initial_lr, n, x0, None if case is None else case.key)


def lr_at(case: SchedulerCase | None, initial_lr: float) -> Callable[[int], float]:
    """lr_t of the case as a function (NaN where torch refuses the step) for the x² models."""
    if case is None:
        return lambda _t: initial_lr
    schedule = case.schedule(initial_lr)

    def lr_of_step(t: int) -> float:
        try:
            return schedule(t)
        except (ValueError, ArithmeticError):
            return float("nan")

    return lr_of_step


def run_histories(result: Any, call: str) -> tuple[np.ndarray, np.ndarray]:
    """The (x_history, lr_history) a run function returned, as 1-d arrays."""
    student_x_raw, student_lrs_raw = pair(result, call)
    return (history(student_x_raw, f"x_history of {call}"),
            history(student_lrs_raw, f"lr_history of {call}"))


def compare_scheduled_run(call: str, result: Any, initial_lr: float, n: int, x0: float,
                          case: SchedulerCase | None) -> np.ndarray:
    """Compare a student's (x_history, lr_history) with the reference torch run, naming the
    mistake when a model fits (a misused scheduler first, then the x² mistakes); returns the
    student's x history."""
    student_x, student_lrs = run_histories(result, call)
    expected = reference_run(initial_lr, n, x0, case)
    sentence = run_mismatch(call, student_x, expected[0], student_lrs, expected[1])
    if sentence is None:
        return student_x
    diagnosis = None
    if case is not None:
        diagnosis = diagnose_loop(student_x, student_lrs, initial_lr, n, x0, case, expected)
    if diagnosis is None:
        diagnosis = diagnose_run(student_x, lr_at(case, initial_lr), n, x0, 1.0, student_lrs)
    raise CheckFailed.with_diagnosis(sentence, diagnosis)


def unreadable(pool: str) -> NotGraded:
    return NotGraded(f"The hidden cases of {pool} are not readable.")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def hidden_run(case: HiddenCase, pool: str) -> Run:
    """A hidden run: params {"initial_lr", "num_iterations", "x0", "scheduler"} (a scheduler
    case's data, or null for none)."""
    return run_of(case.params, pool)


def run_of(params: Any, pool: str) -> Run:
    """The run a hidden case's params describe (see `hidden_run`)."""
    try:
        scheduler = params["scheduler"]
        run = (params["initial_lr"], params["num_iterations"], params["x0"],
               None if scheduler is None else SchedulerCase.from_data(scheduler))
    except (TypeError, KeyError, ValueError):
        raise unreadable(pool) from None
    if not (is_number(run[0]) and isinstance(run[1], int) and run[1] > 0
            and is_number(run[2])):
        raise unreadable(pool)
    return run


def optimize_call(initial_lr: float, n: int, x0: float, scheduler: Any) -> str:
    kwargs = {} if scheduler is None else {"scheduler": scheduler}
    return format_call("optimize", (initial_lr, n, x0), kwargs)
