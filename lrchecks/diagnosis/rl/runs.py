"""The Q-learners of `lrcore.rl` with switches for the usual mistakes (all off: the reference),
the models of `lrchecks.diagnosis.rl.learners`, of `…rl.drift` and of the ps04 figure's curves.

The synchronous learner is the drifting one on a single lake: both are
`mistaken_drifting_q_learning`, so the sweep loop is written once. A model is always given the
arguments of the case it is compared on, so none has defaults of its own (lrcore's are the
only ones)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.q_learning import epsilon_greedy

__all__ = ["mistaken_q_learning", "mistaken_synchronous_q_learning",
           "mistaken_drifting_q_learning"]

FloatArray = npt.NDArray[np.float64]
StepSizeFunction = Callable[[float], float]


def _alpha(step_size: StepSizeFunction, alpha_count: str, visits: int, episode: int) -> float:
    if alpha_count == "visit":
        return step_size(visits)
    if alpha_count == "episode":
        return step_size(episode + 1)
    if alpha_count == "visit_plus_one":
        return step_size(visits + 1)
    raise ValueError(f"unknown alpha_count {alpha_count!r}")


def mistaken_q_learning(
    env: Any,
    episodes: int,
    step_size: StepSizeFunction,
    gamma: float,
    epsilon: float,
    seed: int,
    *,
    alpha_count: str = "visit",
    sarsa: bool = False,
    reseed_every_episode: bool = False,
    truncation_ends_bootstrap: bool = False,
    discount: bool = True,
    update_in_place: bool = True,
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """`lrcore.rl.q_learning` with switches for the usual mistakes (all off: the reference).

    alpha_count: "visit" (α = step_size(n(s,a)), right), "episode" (α = step_size(episode+1):
    decayed per episode, not per visit) or "visit_plus_one" (α = step_size(n(s,a) + 1): the
    first visit already uses α_2). `sarsa`: the target uses Q(s', a') of the next action
    a' = ε-greedy(s'), which is then taken. `reseed_every_episode`: `env.reset(seed=seed)` at
    every episode. `truncation_ends_bootstrap`: no bootstrap after the 100-step truncation
    either (`terminated or truncated` passed to the update). `discount=False`: γ left out of
    the target. `update_in_place=False`: the update changes a copy the learner ignores, so Q
    stays 0 (the actions are then ε-greedy on ties alone).
    """
    n_states, n_actions = env.observation_space.n, env.action_space.n
    q = np.zeros((n_states, n_actions))
    counts = np.zeros((n_states, n_actions), dtype=np.int64)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    factor = gamma if discount else 1.0
    for episode in range(episodes):
        reset_seed = seed if episode == 0 or reseed_every_episode else None
        state, _ = env.reset(seed=reset_seed)
        action = epsilon_greedy(q, state, epsilon, rng, env.action_space)
        while True:
            next_state, reward, terminated, truncated, _info = env.step(action)
            counts[state, action] += 1
            alpha = _alpha(step_size, alpha_count, int(counts[state, action]), episode)
            ends = terminated or (truncated and truncation_ends_bootstrap)
            if sarsa:
                next_action = epsilon_greedy(q, next_state, epsilon, rng, env.action_space)
                bootstrap = 0.0 if ends else factor * q[next_state, next_action]
            else:
                bootstrap = 0.0 if ends else factor * np.max(q[next_state])
            if update_in_place:
                q[state, action] += alpha * (reward + bootstrap - q[state, action])
            if terminated or truncated:
                break
            state = next_state
            action = (next_action if sarsa
                      else epsilon_greedy(q, state, epsilon, rng, env.action_space))
    return q, counts


def mistaken_synchronous_q_learning(model: TransitionModel, step_size: StepSizeFunction,
                                    n_sweeps: int, gamma: float, seed: int,
                                    **switches: Any) -> FloatArray:
    """`lrcore.rl.synchronous_q_learning` (full history) with switches for the usual mistakes:
    the drifting learner on one lake for the whole run, `mistaken_drifting_q_learning([model],
    step_size, n_sweeps, gamma, seed, **switches)`.

    `sweep_offset=1`: α = step_size(k + 1) at sweep k (the first sweep already uses α_2).
    `discount=False`: γ left out. `max_axis=1`: `Q[S'].max(axis=1)` — the max taken over the
    current action's axis of the (S, A, A') array instead of over the next actions.
    """
    return mistaken_drifting_q_learning([model], step_size, n_sweeps, gamma, seed, **switches)


def mistaken_drifting_q_learning(
    lakes: Sequence[TransitionModel],
    step_size: Callable[[int], float],
    sweeps_per_lake: int,
    gamma: float,
    seed: int,
    *,
    restart_count: bool = False,
    restart_q: bool = False,
    restart_rng: bool = False,
    switch_early: bool = False,
    discount: bool = True,
    sweep_offset: int = 0,
    max_axis: int = -1,
) -> FloatArray:
    """`lrcore.rl.drifting_q_learning` with switches for the usual mistakes (all off: the
    reference). At the first sweep of each lake: `restart_count` counts α from alpha_at(1)
    again, `restart_q` sets Q back to 0, `restart_rng` makes a new default_rng(seed).
    `switch_early`: sweep k samples lakes[k // sweeps_per_lake] (the last sweep of each lake
    already on the next one). `discount=False`: γ left out of the target. `sweep_offset` and
    `max_axis`: see `mistaken_synchronous_q_learning`.

    Sweep k = 1, 2, …: one `lake.sample(rng)`, then for all (s, a) at once
    Q ← Q + α·(R + γ·(1 − T)·max_a' Q(S', a') − Q), α = step_size(k).
    """
    rng = np.random.default_rng(seed)
    q = np.zeros((lakes[0].n_states, lakes[0].n_actions))
    total = sweeps_per_lake * len(lakes)
    history = np.empty((total, *q.shape))
    factor = gamma if discount else 1.0
    for sweep in range(1, total + 1):
        index, position = divmod(sweep - 1, sweeps_per_lake)
        if position == 0 and sweep > 1:
            q = np.zeros_like(q) if restart_q else q
            rng = np.random.default_rng(seed) if restart_rng else rng
        lake = lakes[min(sweep // sweeps_per_lake, len(lakes) - 1)] if switch_early \
            else lakes[index]
        sample = lake.sample(rng)
        best_next = q[sample.next_state].max(axis=max_axis)
        bootstrap = np.where(sample.terminated, 0.0, factor * best_next)
        alpha = step_size((position + 1 if restart_count else sweep) + sweep_offset)
        q = q + alpha * (sample.reward + bootstrap - q)
        history[sweep - 1] = q
    return history
