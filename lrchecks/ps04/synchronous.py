"""ps04 §6: synchronous Q-learning — every pair, every sweep, seeded."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.rl import SYNCHRONOUS
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import Lake, case_reader, lake, model_of, on_lake, step_size
from lrchecks.ps04.sweeps import judge_sweeps, require_sweeps_shape, student_sweeps
from lrchecks.report import passed
from lrchecks.values import read_only
from lrcore import rl

__all__ = ["SyncCase", "SYNC_CASES_VISIBLE", "SYNCHRONOUS_ADVICE", "synchronous_case",
           "check_synchronous_q_learning"]

SyncCase = tuple[int, rl.StepSize, float, int, Lake]
SYNC_CASES_VISIBLE: tuple[SyncCase, ...] = (
    (300, rl.polynomial_step_size(0.7), 0.99, 0, None),
    (100, rl.constant_step_size(0.1), 0.99, 1, None),
)
SYNCHRONOUS_ADVICE = ("the sweeps differ from the seeded run: draw one model.sample(rng) per "
                      "sweep with rng = np.random.default_rng(seed), and update all pairs with "
                      "α = alpha_at(k) at sweep k.")


synchronous_case: Callable[[dict[str, Any]], SyncCase] = case_reader(
    ("sweeps", int), ("step", step_size), ("gamma", float), ("seed", int), ("map", lake))
"""A hidden case's run, read from its params."""


def _shown(case: SyncCase) -> str:
    n, step, gamma, seed, desc = case
    return (f"synchronous_q_learning(model, alpha_at={step.label}, n_sweeps={n}, "
            f"gamma={gamma:g}, seed={seed}){on_lake(desc)}")


@cache
def _reference(case: SyncCase) -> np.ndarray:
    """lrcore's seeded run of one case: the same for every student who runs it, so a grading
    process computes it once (read-only)."""
    n, step, gamma, seed, desc = case
    return read_only(rl.synchronous_q_learning(model_of(desc), step, n, gamma, seed))


def _ask_synchronous(function: Any, case: SyncCase) -> np.ndarray:
    """The student's seeded run of one case (require_own_function is the caller's)."""
    n, step, gamma, seed, desc = case
    return student_sweeps(function, "synchronous_q_learning", _shown(case), model_of(desc), step,
                          n, gamma=gamma, seed=seed)


def _decide_synchronous(case: SyncCase, student: np.ndarray) -> None:
    """The student's run of one case against lrcore's, its mistake named."""
    n, step, gamma, seed, desc = case
    model = model_of(desc)
    shown = _shown(case)
    expected = _reference(case)
    require_sweeps_shape(student, expected, shown, "synchronous_q_learning",
                         (f"return Q after every sweep, an array of shape {expected.shape}.",
                          "return Q after every sweep."),
                         ("Q after each sweep.", "Q after each sweep, one table per sweep."))
    judge_sweeps(student, expected, shown, SYNCHRONOUS, (model, step, n, gamma, seed),
                 lambda sweep: "", "Draw one model.sample(rng) per sweep with rng = "
                 "np.random.default_rng(seed), and update all pairs with α = alpha_at(k) at "
                 "sweep k.")


@judged
def check_synchronous_q_learning(synchronous_q_learning: Any, hidden: bool = False) -> None:
    """Q after every sweep equals lrcore's for fixed seeds (hidden: the drawn seeds,
    schedules, γ and lakes — pool "ps04.synchronous_q_learning")."""
    require_own_function(synchronous_q_learning, "synchronous_q_learning")
    run_asking_cases(lambda case: _ask_synchronous(synchronous_q_learning, case),
                     _decide_synchronous, hidden, "ps04.synchronous_q_learning",
                     SYNC_CASES_VISIBLE, SYNCHRONOUS_ADVICE, synchronous_case)
    passed("synchronous_q_learning reproduces the seeded sweeps exactly"
           + (" for unseen seeds, schedules, γ and lakes." if hidden else "."))
