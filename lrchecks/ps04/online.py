"""ps04 §5: online Q-learning, ε-greedy — exact seeded runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import LEARNER, LEARNER_MISTAKES
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import (
    Q_ATOL,
    Q_RTOL,
    VISIT_HINT,
    Lake,
    call,
    case_reader,
    first_difference,
    fresh_env,
    lake,
    on_lake,
    q_array,
    step_size,
)
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, read_only, to_float_array
from lrcore import rl

__all__ = ["LearnerCase", "LEARNER_CASES_VISIBLE", "LEARNER_ADVICE", "learner_case",
           "check_q_learning_seeded"]

LearnerCase = tuple[int, rl.StepSize, float, float, int, Lake]
LEARNER_CASES_VISIBLE: tuple[LearnerCase, ...] = (
    (300, rl.polynomial_step_size(0.7), 0.99, 0.1, 0, None),
    (200, rl.constant_step_size(0.1), 0.99, 0.1, 1, None),
    (200, rl.constant_step_size(0.3), 0.99, 0.1, 1, None),  # episodes reach the 100-step limit
)
LEARNER_ADVICE = ("the run differs from the seeded one: follow the seeding protocol "
                  "(env.action_space.seed(seed), rng = np.random.default_rng(seed), "
                  "env.reset(seed=seed) for the first episode only, one epsilon_greedy call per "
                  "step), count each visit before α = alpha_at(counts[s, a]), and bootstrap "
                  "unless terminated.")


learner_case: Callable[[dict[str, Any]], LearnerCase] = case_reader(
    ("episodes", int), ("step", step_size), ("gamma", float), ("epsilon", float), ("seed", int),
    ("map", lake))
"""A hidden case's run, read from its params."""


def _learner_call(n: int, step: rl.StepSize, gamma: float, epsilon: float, seed: int,
                  desc: Lake) -> str:
    return (f"q_learning(env, {n}, alpha_at={step.label}, gamma={gamma:g}, epsilon={epsilon:g}, "
            f"seed={seed}){on_lake(desc)}")


@cache
def _learner_reference(n: int, step: rl.StepSize, gamma: float, epsilon: float, seed: int,
                       desc: Lake) -> rl.QLearningRun:
    """lrcore's seeded run of one test case: the same for every student who runs it, so a
    grading process computes it once (read-only)."""
    run = rl.q_learning(rl.make_frozen_lake(desc), n, step, gamma, epsilon, seed)
    return rl.QLearningRun(*map(read_only, run))


@cache
def _learner_mistake(name: str, n: int, step: rl.StepSize, gamma: float, epsilon: float,
                     seed: int, desc: Lake) -> tuple[np.ndarray, np.ndarray]:
    """(Q, counts) of the named mistake on one test case, computed once (read-only)."""
    model_q, model_counts = LEARNER_MISTAKES[name](rl.make_frozen_lake(desc), n, step, gamma,
                                                   epsilon, seed)
    return read_only(model_q), read_only(model_counts)


def _ask_learner(function: Any, case: LearnerCase) -> Any:
    """The student's run of one case (require_own_function is the caller's)."""
    n, step, gamma, epsilon, seed, desc = case
    return call(function, "q_learning", _learner_call(*case), fresh_env(desc), n, step,
                gamma=gamma, epsilon=epsilon, seed=seed, count_hint=VISIT_HINT)


def _decide_learner(case: LearnerCase, result: Any) -> None:
    """The student's run of one case against lrcore's seeded run, its mistake named."""
    n, step, gamma, epsilon, seed, desc = case
    shown = _learner_call(n, step, gamma, epsilon, seed, desc)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{shown} should return a pair (Q, counts), got "
                          f"{type(result).__name__}.",
                          diagnosis="q_learning should return a pair (Q, counts).")
    expected = _learner_reference(n, step, gamma, epsilon, seed, desc)
    shape = expected.q.shape
    student_q = q_array(result[0], f"Q of {shown}", shape)
    student_counts = to_float_array(result[1], f"counts of {shown}")
    if student_counts.shape != shape:
        raise CheckFailed(f"counts of {shown} has shape {student_counts.shape}; it should be "
                          f"{shape}, the number of visits of each (state, action).",
                          diagnosis="the counts have the wrong shape: return the number of "
                          "visits of each (state, action), shaped like Q.")
    counts_right = arrays_match(student_counts, expected.counts, 0.0, 0.0)
    if counts_right and arrays_match(student_q, expected.q, Q_RTOL, Q_ATOL):
        return
    raise_first_fitting(LEARNER, lambda mistake: mistake.fits(
        student_q, student_counts,
        _learner_mistake(mistake.name, n, step, gamma, epsilon, seed, desc), expected.q,
        (Q_RTOL, Q_ATOL)), f"{shown} is wrong.")
    if arrays_match(student_counts, expected.counts + 1, 0.0, 0.0):
        raise CheckFailed.with_advice(f"The counts of {shown} are one more than the visits:",
                                      "the counts are one more than the visits:",
                                      "start the counts at 0.")
    if arrays_match(student_q, expected.q, Q_RTOL, Q_ATOL):
        raise CheckFailed.with_advice(f"The Q of {shown} is right, but the counts are not:",
                                      "Q is right, but the counts are not:",
                                      "return the number of visits of each (state, action).")
    if counts_right:
        raise CheckFailed.with_advice(
            f"{shown}: the agent visits the right pairs, but "
            f"{first_difference(student_q, expected.q, Q_RTOL, Q_ATOL)}.",
            "the agent visits the right pairs, but Q differs.",
            "Check α = alpha_at(counts[s, a]) and the update.")
    protocol = ("Follow the seeding protocol: "
                "env.action_space.seed(seed), rng = np.random.default_rng(seed), "
                "env.reset(seed=seed) for the first episode only, one epsilon_greedy call per "
                "step, and end the episode when terminated or truncated.")
    raise CheckFailed.with_advice(
        f"{shown}: the visit counts differ from the seeded run ({int(student_counts.sum())} "
        f"steps instead of {int(expected.counts.sum())}).",
        "the visit counts differ from the seeded run.", protocol)


@judged
def check_q_learning_seeded(q_learning: Any, hidden: bool = False) -> None:
    """Exact seeded runs: visible 1/n^0.7 and α = 0.1 on the 4×4 lake and a run whose episodes
    reach the 100-step limit; hidden the drawn seeds, schedules, γ, ε and lakes, and another
    run that reaches the limit (pool "ps04.q_learning")."""
    require_own_function(q_learning, "q_learning")
    run_asking_cases(lambda case: _ask_learner(q_learning, case), _decide_learner, hidden,
                     "ps04.q_learning", LEARNER_CASES_VISIBLE, LEARNER_ADVICE, learner_case)
    passed("q_learning reproduces the seeded runs exactly"
           + (" for unseen seeds, schedules and lakes." if hidden else "."))
