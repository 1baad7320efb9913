"""How good is a Q-table? Its distance to Q*, and how often its greedy policy reaches the goal.

- `sup_norm_error(q, q_star)` = ‖Q − Q*‖∞ = max_{s,a} |Q(s,a) − Q*(s,a)|.
- `success_probability(model, policy)` — the exact probability that the policy reaches the
  goal within the 100-step limit, by dynamic programming over the steps left:
  p_0 = 0, p_t(s) = Σ_s' P(s'|s,π(s))·[R(s,π(s),s') + (1 − T(s,π(s),s'))·p_{t−1}(s')]
  (FrozenLake pays reward 1 exactly once, on reaching the goal). No sampling noise, so a
  learning curve of it is smooth and reproducible.
- `success_rate(env, policy, n_episodes, seed)` — the Monte Carlo estimate of the same number
  with real gymnasium episodes (`env.reset(seed=seed)` first, then `env.reset()`).

The optimal policy of the slippery 4×4 lake (γ = 0.99) reaches the goal within the 100 steps
with probability 0.7402:

>>> from lrcore.rl.frozen_lake import frozen_lake_model
>>> from lrcore.rl.value_iteration import greedy_policy, value_iteration
>>> model = frozen_lake_model()
>>> policy = greedy_policy(value_iteration(model, 0.99))
>>> round(success_probability(model, policy), 4)
0.7402
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import MAX_EPISODE_STEPS, TransitionModel
from lrcore.rl.value_iteration import greedy_policy

__all__ = [
    "sup_norm_error",
    "success_probability",
    "success_rate",
    "learning_curves",
]


def sup_norm_error(q: npt.ArrayLike, q_star: npt.ArrayLike) -> float | npt.NDArray[np.float64]:
    """max |Q − Q*| over the last two axes: one number, or one per Q of a stack (K, S, A)."""
    difference = np.abs(np.asarray(q, dtype=np.float64) - np.asarray(q_star, dtype=np.float64))
    if difference.ndim < 2:
        raise ValueError("q must have shape (S, A) or (K, S, A)")
    errors = difference.max(axis=(-2, -1))
    return float(errors) if errors.ndim == 0 else errors


def _as_policy(policy: npt.ArrayLike, model: TransitionModel) -> npt.NDArray[np.int64]:
    actions = np.asarray(policy)
    if actions.shape != (model.n_states,):
        raise ValueError(f"policy must have one action per state, shape ({model.n_states},)")
    if actions.dtype.kind not in "iu" or actions.min() < 0 or actions.max() >= model.n_actions:
        raise ValueError(f"policy actions must be integers in [0, {model.n_actions})")
    return actions.astype(np.int64)


def success_probability(
    model: TransitionModel,
    policy: npt.ArrayLike,
    horizon: int = MAX_EPISODE_STEPS,
    start: int | None = None,
) -> float:
    """P(reach the goal within `horizon` steps | start, policy), exactly (see module notes)."""
    actions = _as_policy(policy, model)
    if horizon < 0:
        raise ValueError(f"horizon must be >= 0, got {horizon}")
    states = np.arange(model.n_states)
    transition = model.transition[states, actions]  # (S, S')
    reward = model.reward[states, actions]
    alive = ~model.terminal[states, actions]
    paid = np.sum(transition * reward, axis=1)
    p = np.zeros(model.n_states)
    for _ in range(horizon):
        p = paid + np.sum(transition * alive * p[None, :], axis=1)
    return float(p[model.start if start is None else start])


def success_rate(env: Any, policy: npt.ArrayLike, n_episodes: int, seed: int = 0) -> float:
    """Fraction of `n_episodes` gymnasium episodes in which `policy` reaches the goal.

    >>> from lrcore.rl.frozen_lake import make_frozen_lake
    >>> success_rate(make_frozen_lake(), [0] * 16, 100, seed=0)  # always LEFT: never arrives
    0.0
    """
    actions = np.asarray(policy).astype(np.int64)
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be >= 1, got {n_episodes}")
    successes = 0
    for episode in range(n_episodes):
        state, _ = env.reset(seed=seed) if episode == 0 else env.reset()
        while True:
            state, reward, terminated, truncated, _ = env.step(int(actions[state]))
            if terminated or truncated:
                successes += reward > 0
                break
    return successes / n_episodes


def learning_curves(
    history: npt.ArrayLike, q_star: npt.ArrayLike, model: TransitionModel
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(‖Q_k − Q*‖∞, success probability of greedy(Q_k)) for each Q_k of a stack (K, S, A)."""
    stack = np.asarray(history, dtype=np.float64)
    errors = np.atleast_1d(sup_norm_error(stack, q_star))
    successes = np.array([success_probability(model, greedy_policy(q)) for q in stack])
    return errors, successes


