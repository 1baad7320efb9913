"""Value iteration: the optimal action values Q* that Q-learning should find.

The Bellman optimality backup of a value function V is

    Q(s, a) = Σ_s' P(s'|s,a) · [ R(s,a,s') + γ · (1 − T(s,a,s')) · V(s') ],

with T = 1 when the transition ends the episode (no bootstrap at terminals). Value iteration
repeats V ← max_a Q(·, a) until the largest change of V is below `tol`; the error of the
returned Q is then below tol·γ/(1 − γ). There is no torch equivalent: this is dynamic
programming on the known model (`env.unwrapped.P`), not learning from samples.

On the slippery 4×4 FrozenLake with γ = 0.99 the start state is worth 0.5420259320, and LEFT
is the best first move (it cannot fall into a hole from the corner):

>>> from lrcore.rl.frozen_lake import frozen_lake_model
>>> q_star = value_iteration(frozen_lake_model(), gamma=0.99)
>>> round(float(q_star[0].max()), 10), q_star[0].round(4).tolist()
(0.542025932, [0.542, 0.5278, 0.5278, 0.5223])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel, transition_model

__all__ = ["bellman_backup", "value_iteration", "state_values", "greedy_policy", "as_model"]


def as_model(P: TransitionModel | Any) -> TransitionModel:
    """A `TransitionModel` from a model, `env.unwrapped.P` or an environment."""
    return P if isinstance(P, TransitionModel) else transition_model(P)


def _check_gamma(gamma: float) -> float:
    gamma = float(gamma)
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    return gamma


def bellman_backup(
    model: TransitionModel, values: npt.ArrayLike, gamma: float
) -> npt.NDArray[np.float64]:
    """Q(s,a) = Σ_s' P(s'|s,a)·[R(s,a,s') + γ·(1 − T(s,a,s'))·V(s')], shape (S, A)."""
    gamma = _check_gamma(gamma)
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (model.n_states,):
        raise ValueError(f"values must have shape ({model.n_states},), got {values.shape}")
    bootstrap = np.where(model.terminal, 0.0, gamma * values[None, None, :])
    return np.einsum("ijk,ijk->ij", model.transition, model.reward + bootstrap)


def value_iteration(
    P: TransitionModel | Any,
    gamma: float = 0.99,
    tol: float = 1e-12,
    max_iterations: int = 1_000_000,
) -> npt.NDArray[np.float64]:
    """Q* of the model (a `TransitionModel`, `env.unwrapped.P` or an environment), shape (S, A).

    Starts from V = 0 and stops when max_s |V_{k+1}(s) − V_k(s)| < tol; returns the backup of
    the last V. γ = 1 is allowed when every policy's episodes end (FrozenLake: V*(start) = 14/17).

    >>> from lrcore.rl.frozen_lake import frozen_lake_model
    >>> [round(float(value_iteration(frozen_lake_model(), g)[0].max()), 7) for g in (0.9, 0.95)]
    [0.0688909, 0.1804716]
    """
    model = as_model(P)
    gamma = _check_gamma(gamma)
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    values = np.zeros(model.n_states)
    for _ in range(max_iterations):
        q = bellman_backup(model, values, gamma)
        new_values = q.max(axis=1)
        change = float(np.max(np.abs(new_values - values)))
        values = new_values
        if change < tol:
            return bellman_backup(model, values, gamma)
    raise RuntimeError(f"value iteration did not converge to tol={tol} in {max_iterations} "
                       "iterations (is gamma = 1 with episodes that never end?)")


def state_values(q: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """V(s) = max_a Q(s, a)."""
    return np.asarray(q, dtype=np.float64).max(axis=-1)


def greedy_policy(q: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """π(s) = argmax_a Q(s, a), ties to the first action (numpy's argmax)."""
    return np.asarray(q, dtype=np.float64).argmax(axis=-1).astype(np.int64)
