"""ps04 §10: a lake that drifts — synchronous Q-learning while the ice changes, seeded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.rl import DRIFT
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import Lake, case_reader, lake, model_of, on_lake, step_size
from lrchecks.ps04.sweeps import judge_sweeps, require_sweeps_shape, student_sweeps
from lrchecks.report import CheckFailed, passed
from lrchecks.values import read_only
from lrcore import rl

__all__ = ["DRIFT_GAMMA", "ROUGH_ICE", "SWEEPS_PER_LAKE", "DRIFT_SEED", "Ice", "DriftCase",
           "DRIFT_CASES_VISIBLE", "DRIFT_ADVICE", "drift_case", "lakes_of",
           "check_drifting_q_learning"]

DRIFT_GAMMA = 0.8
ROUGH_ICE = 0.9
SWEEPS_PER_LAKE = 500
DRIFT_SEED = 0
"""The experiment of §10 (given to the students in the notebook): rough ice (the intended move
with probability ROUGH_ICE) for SWEEPS_PER_LAKE sweeps, then the slippery lake of §1."""

Ice = tuple[float | None, ...]
"""The lakes of a run, in turn, by the probability of the intended move (None: the published
lake's 1/3)."""
DriftCase = tuple[Ice, rl.StepSize, int, float, int, Lake]
"""(ice of each lake, step size, sweeps per lake, γ, seed, map)."""
DRIFT_CASES_VISIBLE: tuple[DriftCase, ...] = (
    ((ROUGH_ICE, None), rl.polynomial_step_size(0.7), 100, 0.99, 0, None),
    ((None, ROUGH_ICE, None), rl.constant_step_size(0.1), 30, 0.9, 1, None),
)
DRIFT_ADVICE = ("the sweeps differ from the seeded run: one rng = np.random.default_rng(seed) "
                "for the whole run, sweep k = 1, 2, … draws one lakes[(k − 1) // "
                "sweeps_per_lake].sample(rng) and uses α = alpha_at(k), and Q carries over "
                "from one lake to the next.")


def _ice(values: Sequence[Any]) -> Ice:
    """A hidden case's ice: [p or None, …]."""
    return tuple(None if p is None else float(p) for p in values)


drift_case: Callable[[dict[str, Any]], DriftCase] = case_reader(
    ("ice", _ice), ("step", step_size), ("sweeps_per_lake", int), ("gamma", float),
    ("seed", int), ("map", lake))
"""A hidden case, read from its params."""


def lakes_of(ice: Ice, desc: Lake = None) -> list[rl.TransitionModel]:
    """The lakes of a run, in turn (a fresh list: the student's code may change it)."""
    return [model_of(desc, p) for p in ice]


def _name(p: float | None) -> str:
    return "model" if p is None else f"frozen_lake_model(success_rate={p:g})"


@cache
def _reference(case: DriftCase) -> np.ndarray:
    ice, step, per_lake, gamma, seed, desc = case
    return read_only(rl.drifting_q_learning(lakes_of(ice, desc), step, per_lake, gamma, seed))


def _shown(case: DriftCase) -> str:
    ice, step, per_lake, gamma, seed, desc = case
    return (f"drifting_q_learning([{', '.join(map(_name, ice))}], alpha_at={step.label}, "
            f"sweeps_per_lake={per_lake}, gamma={gamma:g}, seed={seed}){on_lake(desc)}")


def _ask_drift(function: Any, case: DriftCase) -> np.ndarray:
    """The student's seeded run of one case (require_own_function is the caller's)."""
    ice, step, per_lake, gamma, seed, desc = case
    return student_sweeps(function, "drifting_q_learning", _shown(case), lakes_of(ice, desc),
                          step, per_lake, gamma=gamma, seed=seed)


def _decide_drift(case: DriftCase, student: np.ndarray) -> None:
    """The student's run of one case against lrcore's, its mistake named."""
    ice, step, per_lake, gamma, seed, desc = case
    shown = _shown(case)
    expected = _reference(case)
    if student.shape == (per_lake, *expected.shape[1:]):
        advice = ("return the sweeps of every lake, one after the other: "
                  "len(lakes)·sweeps_per_lake tables.")
        raise CheckFailed(f"{shown} returned the sweeps of one lake only; {advice}",
                          diagnosis=f"the result holds the sweeps of one lake only; {advice}")
    whole_run = "return Q after every sweep, one table per sweep of the whole run."
    require_sweeps_shape(student, expected, shown, "drifting_q_learning", (whole_run, whole_run),
                         ("Q after each sweep of the whole run (row k − 1 is sweep k).",
                          "Q after each sweep of the whole run, one table per sweep."))
    judge_sweeps(student, expected, shown, DRIFT,
                 (lakes_of(ice, desc), step, per_lake, gamma, seed),
                 lambda sweep: f" (on lake {sweep // per_lake})", "Use one rng for the whole "
                 "run, draw one lakes[(k − 1) // sweeps_per_lake].sample(rng) at sweep k, α = "
                 "alpha_at(k), and carry Q over from lake to lake.")


@judged
def check_drifting_q_learning(drifting_q_learning: Any, hidden: bool = False) -> None:
    """Q after every sweep equals lrcore's for fixed seeds: visible rough ice turning slippery
    and a lake that changes twice; hidden the drawn ice, step sizes, γ, seeds and lakes (pool
    "ps04.drifting_q_learning")."""
    require_own_function(drifting_q_learning, "drifting_q_learning")
    run_asking_cases(lambda case: _ask_drift(drifting_q_learning, case), _decide_drift, hidden,
                     "ps04.drifting_q_learning", DRIFT_CASES_VISIBLE, DRIFT_ADVICE, drift_case)
    passed("drifting_q_learning reproduces the seeded sweeps exactly"
           + (" for unseen ice, step sizes, γ and lakes." if hidden else
              ", with Q, the sweep count and the rng carried over from lake to lake."))
