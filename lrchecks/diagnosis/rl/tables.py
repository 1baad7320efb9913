"""Mistakes in value iteration and in the Q-learning update rule on FrozenLake (ps04).

- `VALUE_ITERATION[i].model(model, gamma) -> Q`;
- `UPDATE[i].model(q, s, a, r, s', terminated, alpha, gamma) -> the updated copy of q`;
- `UPDATE_RETURNS_COPY`: the right update, applied to a copy that is returned while the table
  given stays as it was (`CopyMistake.fits`).

A table is recognised as a mistake when it equals the model's (value iteration: rtol 1e-4,
atol 1e-6; the update: rtol 1e-6, atol 1e-12) and the model differs from the right table.

>>> import numpy as np
>>> q = np.array([[0.0, 0.0], [2.0, 4.0]])
>>> UPDATE_MISTAKES["bootstrap_at_terminal"](q, 0, 0, 1.0, 1, True, 0.5, 0.9)[0, 0]
np.float64(2.3)
>>> UPDATE_MISTAKES["gamma_missing"](q, 0, 0, 1.0, 1, False, 0.5, 0.9)[0, 0]
np.float64(2.5)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.mistake import Mistake, explanations, models
from lrchecks.values import arrays_match
from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.value_iteration import as_model, bellman_backup, value_iteration

__all__ = ["TableMistake", "CopyMistake", "VALUE_ITERATION", "UPDATE", "UPDATE_RETURNS_COPY",
           "VALUE_ITERATION_MISTAKES", "UPDATE_MISTAKES", "VALUE_ITERATION_EXPLANATIONS",
           "UPDATE_EXPLANATIONS"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TableMistake(Mistake):
    """A mistake that gives a Q-table: recognised when the student's table equals the model's
    within `within` = (rtol, atol), and the model differs from the right table at the check's
    tolerance."""

    within: tuple[float, float] = (1e-4, 1e-6)

    def fits(self, student: np.ndarray, modelled: np.ndarray, expected: np.ndarray,
             tolerance: tuple[float, float]) -> bool:
        return not arrays_match(modelled, expected, *tolerance) and arrays_match(
            student, modelled, *self.within)


# --- value iteration -------------------------------------------------------------------------


def _iterate(model: TransitionModel, gamma: float, combine: Callable[[FloatArray], FloatArray],
             tol: float = 1e-12, max_iterations: int = 200_000) -> FloatArray:
    values = np.zeros(model.n_states)
    for _ in range(max_iterations):
        new_values = combine(bellman_backup(model, values, gamma))
        if np.max(np.abs(new_values - values)) < tol:
            return bellman_backup(model, new_values, gamma)
        values = new_values
    return bellman_backup(model, values, gamma)


def vi_gamma_missing(P: Any, gamma: float) -> FloatArray:
    """No discount in the backup: the γ = 1 solution (V*(start) = 14/17 on the 4×4 lake)."""
    return value_iteration(as_model(P), 1.0)


def vi_mean_instead_of_max(P: Any, gamma: float) -> FloatArray:
    """V(s) = mean_a Q(s, a): the value of the uniformly random policy, not of the best one."""
    return _iterate(as_model(P), gamma, lambda q: q.mean(axis=1))


def vi_terminal_transitions_skipped(P: Any, gamma: float) -> FloatArray:
    """`if terminated: continue` in the sum: the reward of the step into the goal is lost, and
    with it every value (Q ≡ 0)."""
    model = as_model(P)
    return np.zeros((model.n_states, model.n_actions))


def vi_single_backup(P: Any, gamma: float) -> FloatArray:
    """One backup from V = 0 instead of iterating to convergence: Q = expected reward."""
    model = as_model(P)
    return bellman_backup(model, np.zeros(model.n_states), gamma)


VALUE_ITERATION: tuple[TableMistake, ...] = (
    TableMistake("gamma_missing", "It looks like the discount is missing: the backup is "
                 "Σ p·(r + γ·V(s')), and your values are those of γ = 1.", vi_gamma_missing),
    TableMistake("mean_instead_of_max", "Your values are those of the random policy: V(s) is the "
                 "max over the actions of Q(s, ·), not their mean.", vi_mean_instead_of_max),
    TableMistake("terminal_transitions_skipped", 'Q is 0 everywhere, so the '
                                                 'reward of the step into the '
                                                 'goal is lost: for a terminal '
                                                 'transition keep r and drop '
                                                 "only the γ·V(s') term.",
                 vi_terminal_transitions_skipped),
    TableMistake("single_backup", "It looks like one backup only: repeat the backup until the "
                 "largest change of V is below tol.", vi_single_backup),
)

# --- the update rule -------------------------------------------------------------------------

UpdateModel = Callable[[FloatArray, int, int, float, int, bool, float, float], FloatArray]


def _updated(q: FloatArray, s: int, a: int, target: float, alpha: float) -> FloatArray:
    new = np.array(q, dtype=np.float64, copy=True)
    new[s, a] += alpha * (target - new[s, a])
    return new


def update_gamma_missing(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """target = r + max Q(s', ·): the discount is left out."""
    return _updated(q, s, a, r + (0.0 if terminated else np.max(q[s2])), alpha)


def update_bootstrap_at_terminal(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """target = r + γ·max Q(s', ·) even when the transition ended the episode."""
    return _updated(q, s, a, r + gamma * np.max(q[s2]), alpha)


def update_next_action_not_max(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """target = r + γ·Q(s', a): a Q of one next action (here the same action) instead of the
    max — SARSA-like, not Q-learning."""
    return _updated(q, s, a, r + (0.0 if terminated else gamma * q[s2, a]), alpha)


def update_without_minus_q(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """Q(s,a) += α·target: the − Q(s,a) of the TD error is missing."""
    new = np.array(q, dtype=np.float64, copy=True)
    new[s, a] += alpha * (r + (0.0 if terminated else gamma * np.max(q[s2])))
    return new


def update_overwrite_with_alpha_target(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """Q(s,a) = α·target: the old value's share (1 − α)·Q(s,a) is thrown away."""
    new = np.array(q, dtype=np.float64, copy=True)
    new[s, a] = alpha * (r + (0.0 if terminated else gamma * np.max(q[s2])))
    return new


def update_max_of_current_state(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """target = r + γ·max Q(s, ·): the max taken over the current state instead of s'."""
    return _updated(q, s, a, r + (0.0 if terminated else gamma * np.max(q[s])), alpha)


def _update(name: str, explanation: str, model: UpdateModel) -> TableMistake:
    return TableMistake(name, explanation, model, within=(1e-6, 1e-12))


UPDATE: tuple[TableMistake, ...] = (
    _update("gamma_missing", "It looks like γ is missing: the target is r + γ·max_a' Q(s', a').",
            update_gamma_missing),
    _update("bootstrap_at_terminal", "It looks like you bootstrap at a terminal transition: when "
            "terminated is True the target is just r (nothing follows the end of an episode).",
            update_bootstrap_at_terminal),
    _update("next_action_not_max", "The target uses Q(s', a) of one action, not "
                                   'the max over the next actions: Q-learning '
                                   "bootstraps with max_a' Q(s', a') (one "
                                   "action's Q is SARSA).", update_next_action_not_max),
    _update("without_minus_q", "The TD error misses − Q(s, a): "
            "Q(s, a) += α·(r + γ·max Q(s', ·) − Q(s, a)).", update_without_minus_q),
    _update("overwrite_with_alpha_target", "Q(s, a) is overwritten with α·target: the update "
            "keeps (1 − α) of the old value, Q(s, a) += α·(target − Q(s, a)).",
            update_overwrite_with_alpha_target),
    _update("max_of_current_state", "The max is taken over Q(s, ·) of the current state: "
            "bootstrap from the next state, max_a' Q(s', a').", update_max_of_current_state),
)



@dataclass(frozen=True)
class CopyMistake(Mistake):
    """An update written as a function of the table: it returns the updated copy and leaves the
    table it was given unchanged. Recognised when the table after the call is the table before
    it and the returned value is the model's (the right update) — a learner that calls the
    function for its effect on Q then never learns anything."""

    def fits(self, table_after: np.ndarray, returned: Any, table_before: np.ndarray,
             modelled: np.ndarray, tolerance: tuple[float, float]) -> bool:
        if not arrays_match(table_after, table_before, 0.0, 0.0):
            return False
        try:
            values = np.asarray(returned, dtype=np.float64)
        except Exception:  # a student's object may raise anything when read as numbers
            return False
        return values.shape == modelled.shape and arrays_match(values, modelled, *tolerance)


def update_on_a_copy(q, s, a, r, s2, terminated, alpha, gamma):  # noqa: ANN001, ANN201
    """The right update of a copy of q (what such a function returns)."""
    new = np.array(q, dtype=np.float64, copy=True)
    new[s, a] += alpha * (r + (0.0 if terminated else gamma * np.max(q[s2])) - new[s, a])
    return new


UPDATE_RETURNS_COPY = CopyMistake(
    "returns_copy", 'q_learning_update returns an updated copy and leaves the Q '
                    'it was given unchanged: change Q[state, action] in place '
                    '(returning Q too is fine).', update_on_a_copy)

VALUE_ITERATION_MISTAKES: dict[str, Callable[[Any, float], FloatArray]] = models(VALUE_ITERATION)
UPDATE_MISTAKES: dict[str, UpdateModel] = models(UPDATE)
VALUE_ITERATION_EXPLANATIONS = explanations(VALUE_ITERATION)
UPDATE_EXPLANATIONS = explanations(UPDATE)
