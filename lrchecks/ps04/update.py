"""ps04 §3: one Q-learning update — a learning rate for a moving target."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import UPDATE, UPDATE_RETURNS_COPY
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import Q_ATOL, Q_RTOL, call, q_array
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, describe_number
from lrcore import rl

__all__ = ["UpdateCase", "UPDATE_CASES_VISIBLE", "UPDATE_ADVICE", "UPDATE_PARAMS",
           "update_table", "check_q_learning_update"]

UpdateCase = tuple[int, int, float, int, bool, float, float]
UPDATE_CASES_VISIBLE: tuple[UpdateCase, ...] = (
    (14, rl.DOWN, 0.0, 13, False, 0.5, 0.99),
    (14, rl.RIGHT, 1.0, 15, True, 0.1, 0.99),  # into the goal: no bootstrap
    (6, rl.LEFT, 0.0, 5, True, 0.25, 0.9),  # into a hole
)
UPDATE_ADVICE = ("the updated value is wrong: Q(s, a) += α·(r + γ·max_a' Q(s', a') − Q(s, a)), "
                 "without the γ·max term when terminated.")
UPDATE_PARAMS = ("state", "action", "reward", "next_state", "terminated", "alpha", "gamma")
"""The keys of a hidden update case's params, in the order of the call (plus "table": the
seed of its Q-table, `update_table`)."""


def update_table(seed: int) -> np.ndarray:
    """A table with every entry nonzero, also in terminal rows, so that a bootstrap at a
    terminal transition shows."""
    return np.random.default_rng(seed).uniform(0.05, 0.9, size=(16, 4))


def _shown(case: UpdateCase) -> str:
    s, a, r, s2, terminated, alpha, gamma = case
    return (f"q_learning_update(Q, state={s}, action={a}, reward={r:g}, next_state={s2}, "
            f"terminated={terminated}, alpha={alpha:g}, gamma={gamma:g})")


def _read_update(params: dict[str, Any]) -> tuple[UpdateCase, int]:
    """A hidden case's transition and the seed of its table, read from its params."""
    s, a, r, s2, terminated, alpha, gamma = (params[key] for key in UPDATE_PARAMS)
    return ((int(s), int(a), float(r), int(s2), bool(terminated), float(alpha), float(gamma)),
            int(params["table"]))


def _ask_update(function: Any, case: tuple[UpdateCase, int]) -> tuple[np.ndarray, Any]:
    """The student's update of one transition on the table of its seed: (the Q passed in, as
    the student's code left it; what the call returned). require_own_function is the
    caller's."""
    transition, table_seed = case
    student_q = update_table(table_seed)
    result = call(function, "q_learning_update", _shown(transition), student_q, *transition)
    return student_q, result


def _decide_update(case: tuple[UpdateCase, int], answer: tuple[np.ndarray, Any]) -> None:
    """One transition's update against lrcore's, its mistake named."""
    transition, table_seed = case
    s, a, r, s2, terminated, alpha, gamma = transition
    q = update_table(table_seed)
    shown = _shown(transition)
    student_q, result = answer
    expected = q.copy()
    rl.q_learning_update(expected, s, a, r, s2, terminated, alpha, gamma)
    if UPDATE_RETURNS_COPY.fits(student_q, result, q, expected, (Q_RTOL, Q_ATOL)):
        raise CheckFailed(f"After {shown} the Q passed in is unchanged. "
                          f"{UPDATE_RETURNS_COPY.explanation}",
                          diagnosis=UPDATE_RETURNS_COPY.explanation)
    student = q_array(student_q, f"Q after {shown}", q.shape)
    if arrays_match(student, expected, Q_RTOL, Q_ATOL):
        return
    if arrays_match(student, q, 0.0, 0.0):
        advice = "update Q[state, action] in place."
        raise CheckFailed(f"After {shown} Q is unchanged: {advice}",
                          diagnosis=f"Q is unchanged: {advice}")
    others = np.ones(q.shape, dtype=bool)
    others[s, a] = False
    if not arrays_match(student[others], q[others], 0.0, 0.0):
        raise CheckFailed(f"{shown} changed entries other than Q[{s}, {a}]: an update only "
                          "touches the pair that was visited.",
                          diagnosis="the update changed entries other than Q[state, action]: "
                          "an update only touches the pair that was visited.")
    raise_first_fitting(UPDATE, lambda mistake: mistake.fits(
        student, mistake.model(q, s, a, r, s2, terminated, alpha, gamma), expected,
        (Q_RTOL, Q_ATOL)), f"{shown} is wrong.")
    raise CheckFailed(f"{shown}: Q[{s}, {a}] becomes {describe_number(student[s, a])}, it "
                      f"should become {describe_number(expected[s, a])}. The update is "
                      "Q(s, a) += α·(r + γ·max_a' Q(s', a') − Q(s, a)), without the γ·max "
                      "term when terminated.")


@judged
def check_q_learning_update(q_learning_update: Any, hidden: bool = False) -> None:
    """The update on tables with every entry nonzero: a step inside the lake, into the goal
    and into a hole (visible); the drawn transitions, α and γ (hidden, pool
    "ps04.q_learning_update")."""
    require_own_function(q_learning_update, "q_learning_update")
    run_asking_cases(lambda case: _ask_update(q_learning_update, case), _decide_update, hidden,
                     "ps04.q_learning_update",
                     [(case, index) for index, case in enumerate(UPDATE_CASES_VISIBLE)],
                     UPDATE_ADVICE, _read_update)
    passed("q_learning_update is right" + (" on unseen transitions, α and γ." if hidden else
                                           ", in place, with no bootstrap at terminal "
                                           "transitions."))
