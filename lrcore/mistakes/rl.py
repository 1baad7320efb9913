"""Usual mistakes in Q-learning and value iteration on FrozenLake, modelled exactly.

Each model recomputes what the mistaken code returns, with the same seeds and the same order of
random draws as the reference in `lrcore.rl`, so the grader can recognise a wrong answer and
name the mistake. Models come in four families, keyed by name:

- `VALUE_ITERATION_MISTAKES[name](model, gamma) -> Q`;
- `UPDATE_MISTAKES[name](q, s, a, r, s', terminated, alpha, gamma) -> the updated copy of q`;
- `LEARNER_MISTAKES[name](env, n_episodes, step_size, gamma, epsilon, seed) -> (Q, counts)`
  for the online ε-greedy learner (pass a fresh environment);
- `SYNCHRONOUS_MISTAKES[name](model, step_size, n_sweeps, gamma, seed) -> Q after every sweep`;
- `SUCCESS_RATE_MISTAKES[name](env, policy, n_episodes, seed) -> success rate`.

With Q initialised to 0 a terminal state's row stays 0, so bootstrapping at a terminal changes
nothing in the learners; it is modelled (and caught) in the update rule alone.

>>> import numpy as np
>>> q = np.array([[0.0, 0.0], [2.0, 4.0]])
>>> UPDATE_MISTAKES["bootstrap_at_terminal"](q, 0, 0, 1.0, 1, True, 0.5, 0.9)[0, 0]
np.float64(2.3)
>>> UPDATE_MISTAKES["gamma_missing"](q, 0, 0, 1.0, 1, False, 0.5, 0.9)[0, 0]
np.float64(2.5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.q_learning import epsilon_greedy
from lrcore.rl.value_iteration import as_model, bellman_backup, value_iteration

__all__ = [
    "VALUE_ITERATION_MISTAKES",
    "UPDATE_MISTAKES",
    "LEARNER_MISTAKES",
    "SYNCHRONOUS_MISTAKES",
    "SUCCESS_RATE_MISTAKES",
    "mistaken_q_learning",
    "mistaken_synchronous_q_learning",
]

FloatArray = npt.NDArray[np.float64]
StepSizeFunction = Callable[[float], float]

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


VALUE_ITERATION_MISTAKES: dict[str, Callable[[Any, float], FloatArray]] = {
    "gamma_missing": vi_gamma_missing,
    "mean_instead_of_max": vi_mean_instead_of_max,
    "terminal_transitions_skipped": vi_terminal_transitions_skipped,
    "single_backup": vi_single_backup,
}

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


UPDATE_MISTAKES: dict[str, UpdateModel] = {
    "gamma_missing": update_gamma_missing,
    "bootstrap_at_terminal": update_bootstrap_at_terminal,
    "next_action_not_max": update_next_action_not_max,
    "without_minus_q": update_without_minus_q,
    "overwrite_with_alpha_target": update_overwrite_with_alpha_target,
    "max_of_current_state": update_max_of_current_state,
}

# --- the online learner ----------------------------------------------------------------------


def mistaken_q_learning(
    env: Any,
    n_episodes: int,
    step_size: StepSizeFunction,
    gamma: float = 0.99,
    epsilon: float = 0.1,
    seed: int = 0,
    *,
    alpha_count: str = "visit",
    sarsa: bool = False,
    reseed_every_episode: bool = False,
    truncation_ends_bootstrap: bool = False,
    discount: bool = True,
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """`lrcore.rl.q_learning` with switches for the usual mistakes (all off: the reference).

    alpha_count: "visit" (α = step_size(n(s,a)), right), "episode" (α = step_size(episode+1):
    decayed per episode, not per visit) or "visit_plus_one" (α = step_size(n(s,a) + 1): the
    first visit already uses α_2). `sarsa`: the target uses Q(s', a') of the next action
    a' = ε-greedy(s'), which is then taken. `reseed_every_episode`: `env.reset(seed=seed)` at
    every episode. `truncation_ends_bootstrap`: no bootstrap after the 100-step truncation
    either. `discount=False`: γ left out of the target.
    """
    n_states, n_actions = env.observation_space.n, env.action_space.n
    q = np.zeros((n_states, n_actions))
    counts = np.zeros((n_states, n_actions), dtype=np.int64)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    factor = gamma if discount else 1.0
    for episode in range(n_episodes):
        reset_seed = seed if episode == 0 or reseed_every_episode else None
        state, _ = env.reset(seed=reset_seed)
        action = epsilon_greedy(q, state, epsilon, rng, env.action_space)
        while True:
            next_state, reward, terminated, truncated, _ = env.step(action)
            counts[state, action] += 1
            if alpha_count == "visit":
                alpha = step_size(int(counts[state, action]))
            elif alpha_count == "episode":
                alpha = step_size(episode + 1)
            elif alpha_count == "visit_plus_one":
                alpha = step_size(int(counts[state, action]) + 1)
            else:
                raise ValueError(f"unknown alpha_count {alpha_count!r}")
            ends = terminated or (truncated and truncation_ends_bootstrap)
            if sarsa:
                next_action = epsilon_greedy(q, next_state, epsilon, rng, env.action_space)
                bootstrap = 0.0 if ends else factor * q[next_state, next_action]
            else:
                bootstrap = 0.0 if ends else factor * np.max(q[next_state])
            q[state, action] += alpha * (reward + bootstrap - q[state, action])
            if terminated or truncated:
                break
            state = next_state
            action = (next_action if sarsa
                      else epsilon_greedy(q, state, epsilon, rng, env.action_space))
    return q, counts


def _learner(**switches: Any) -> Callable[..., tuple[FloatArray, npt.NDArray[np.int64]]]:
    def model(env: Any, n_episodes: int, step_size: StepSizeFunction, gamma: float = 0.99,
              epsilon: float = 0.1, seed: int = 0) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        return mistaken_q_learning(env, n_episodes, step_size, gamma, epsilon, seed, **switches)

    model.__doc__ = f"mistaken_q_learning with {switches}"
    return model


LEARNER_MISTAKES: dict[str, Callable[..., tuple[FloatArray, npt.NDArray[np.int64]]]] = {
    "alpha_per_episode": _learner(alpha_count="episode"),
    "alpha_count_plus_one": _learner(alpha_count="visit_plus_one"),
    "sarsa": _learner(sarsa=True),
    "reseed_every_episode": _learner(reseed_every_episode=True),
    "truncation_ends_bootstrap": _learner(truncation_ends_bootstrap=True),
    "gamma_missing": _learner(discount=False),
}

# --- the synchronous learner -----------------------------------------------------------------


def mistaken_synchronous_q_learning(
    model: TransitionModel,
    step_size: StepSizeFunction,
    n_sweeps: int,
    gamma: float = 0.99,
    seed: int = 0,
    *,
    sweep_offset: int = 0,
    discount: bool = True,
    max_axis: int = -1,
) -> FloatArray:
    """`lrcore.rl.synchronous_q_learning` (full history) with switches for the usual mistakes.

    `sweep_offset=1`: α = step_size(k + 1) at sweep k (the first sweep already uses α_2).
    `discount=False`: γ left out. `max_axis=1`: `Q[S'].max(axis=1)` — the max taken over the
    current action's axis of the (S, A, A') array instead of over the next actions.
    """
    rng = np.random.default_rng(seed)
    q = np.zeros((model.n_states, model.n_actions))
    history = np.empty((n_sweeps, *q.shape))
    factor = gamma if discount else 1.0
    for sweep in range(1, n_sweeps + 1):
        sample = model.sample(rng)
        best_next = q[sample.next_state].max(axis=max_axis)
        bootstrap = np.where(sample.terminated, 0.0, factor * best_next)
        q = q + step_size(sweep + sweep_offset) * (sample.reward + bootstrap - q)
        history[sweep - 1] = q
    return history


def _synchronous(**switches: Any) -> Callable[..., FloatArray]:
    def model(m: TransitionModel, step_size: StepSizeFunction, n_sweeps: int,
              gamma: float = 0.99, seed: int = 0) -> FloatArray:
        return mistaken_synchronous_q_learning(m, step_size, n_sweeps, gamma, seed, **switches)

    model.__doc__ = f"mistaken_synchronous_q_learning with {switches}"
    return model


SYNCHRONOUS_MISTAKES: dict[str, Callable[..., FloatArray]] = {
    "alpha_count_plus_one": _synchronous(sweep_offset=1),
    "gamma_missing": _synchronous(discount=False),
    "max_over_wrong_axis": _synchronous(max_axis=1),
}

# --- Monte Carlo evaluation ------------------------------------------------------------------


def success_rate_reseeded(env: Any, policy: Any, n_episodes: int, seed: int = 0) -> float:
    """`env.reset(seed=seed)` at every episode: all episodes are the same episode, so the
    "rate" is 0 or 1."""
    actions = np.asarray(policy).astype(np.int64)
    successes = 0
    for _ in range(n_episodes):
        state, _ = env.reset(seed=seed)
        while True:
            state, reward, terminated, truncated, _ = env.step(int(actions[state]))
            if terminated or truncated:
                successes += reward > 0
                break
    return successes / n_episodes


SUCCESS_RATE_MISTAKES: dict[str, Callable[..., float]] = {
    "reseed_every_episode": success_rate_reseeded,
}
