"""Q-learning on a lake that drifts: the ice changes while the agent learns.

The agent cannot see the change, so nothing restarts: Q, the sweep count k and the random
generator carry over. Sweep k = 1, 2, … samples one transition per (s, a) from the lake in
force, `lakes[(k − 1) // sweeps_per_lake]`, and updates every pair with α = step_size(k):

    Q ← Q + α_k · ( R + γ · (1 − T) · max_a' Q(S', a') − Q ).

How far the learner is from the truth is measured against the optimal values of the lake in
force, ‖Q_k − Q*_now‖∞ (`drift_errors`). A constant α weighs the target of i sweeps ago with
α(1 − α)^i, so it forgets the old lake; with α_k = 1/k, Q is the plain average of every target
so far, and the old lake keeps its share — K/k of the weight, k sweeps after K sweeps on it.
There is no torch equivalent (the schedule plays the role of a torch lr scheduler; a
nonstationary target is what it must track).

>>> from lrcore.rl.frozen_lake import frozen_lake_model
>>> from lrcore.rl.q_learning import constant_step_size
>>> lakes = [frozen_lake_model(success_rate=0.9), frozen_lake_model()]
>>> history = drifting_q_learning(lakes, constant_step_size(0.5), 2, gamma=0.9, seed=0)
>>> history.shape  # two sweeps on each lake
(4, 16, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.q_learning import StepSizeFunction

__all__ = ["drifting_q_learning", "drifting_q_learning_many", "lake_in_force", "drift_errors"]

FloatArray = npt.NDArray[np.float64]


def _check_lakes(lakes: Sequence[TransitionModel], sweeps_per_lake: int) -> None:
    if not lakes:
        raise ValueError("lakes must list at least one lake")
    if {lake.transition.shape for lake in lakes} != {lakes[0].transition.shape}:
        raise ValueError("every lake must have the same states and actions")
    if isinstance(sweeps_per_lake, bool) or not isinstance(sweeps_per_lake, int | np.integer) \
            or sweeps_per_lake < 1:
        raise ValueError(f"sweeps_per_lake must be a positive integer, got {sweeps_per_lake!r}")


def lake_in_force(sweep: int, sweeps_per_lake: int) -> int:
    """The index of the lake sweep k (1-based) samples from: (k − 1) // sweeps_per_lake.

    >>> [lake_in_force(k, 3) for k in range(1, 8)]
    [0, 0, 0, 1, 1, 1, 2]
    """
    if sweep < 1:
        raise ValueError(f"sweeps are counted from 1, got {sweep}")
    return (sweep - 1) // sweeps_per_lake


def drifting_q_learning_many(
    lakes: Sequence[TransitionModel],
    step_sizes: Sequence[StepSizeFunction],
    sweeps_per_lake: int,
    gamma: float = 0.99,
    seed: int = 0,
) -> FloatArray:
    """`drifting_q_learning` of several step sizes on the same samples, at once: shape
    (len(step_sizes), len(lakes)·sweeps_per_lake, S, A); run i equals
    `drifting_q_learning(lakes, step_sizes[i], …)` bit for bit."""
    _check_lakes(lakes, sweeps_per_lake)
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    rng = np.random.default_rng(seed)
    n_sweeps = len(lakes) * int(sweeps_per_lake)
    q = np.zeros((len(step_sizes), lakes[0].n_states, lakes[0].n_actions))
    history = np.empty((len(step_sizes), n_sweeps, *q.shape[1:]))
    for sweep in range(1, n_sweeps + 1):
        sample = lakes[lake_in_force(sweep, sweeps_per_lake)].sample(rng)
        alphas = np.array([float(step(sweep)) for step in step_sizes])[:, None, None]
        bootstrap = np.where(sample.terminated, 0.0,
                             gamma * q.max(axis=2)[:, sample.next_state])
        q = q + alphas * (sample.reward + bootstrap - q)
        history[:, sweep - 1] = q
    return history


def drifting_q_learning(
    lakes: Sequence[TransitionModel],
    step_size: StepSizeFunction,
    sweeps_per_lake: int,
    gamma: float = 0.99,
    seed: int = 0,
) -> FloatArray:
    """Q after every sweep of synchronous Q-learning on `lakes[0]` for `sweeps_per_lake`
    sweeps, then on `lakes[1]`, …: shape (len(lakes)·sweeps_per_lake, S, A), row k − 1 = Q
    after sweep k. One `rng = np.random.default_rng(seed)` for the whole run, one
    `lake.sample(rng)` per sweep, α = step_size(k) with k counted over the whole run.

    With one lake it is `synchronous_q_learning(lake, step_size, sweeps_per_lake, gamma,
    seed)`:

    >>> from lrcore.rl.frozen_lake import frozen_lake_model
    >>> from lrcore.rl.q_learning import polynomial_step_size, synchronous_q_learning
    >>> lake = frozen_lake_model()
    >>> np.array_equal(drifting_q_learning([lake], polynomial_step_size(0.7), 30, seed=2),
    ...                synchronous_q_learning(lake, polynomial_step_size(0.7), 30, seed=2))
    True
    """
    return drifting_q_learning_many(lakes, [step_size], sweeps_per_lake, gamma, seed)[0]


def drift_errors(history: npt.ArrayLike, q_stars: Sequence[npt.ArrayLike],
                 sweeps_per_lake: int) -> FloatArray:
    """‖Q_k − Q*_now‖∞ for each sweep k of a history (…, K, S, A), where Q*_now =
    `q_stars[(k − 1) // sweeps_per_lake]` is the optimum of the lake in force at sweep k.

    >>> drift_errors(np.ones((4, 1, 1)), [np.zeros((1, 1)), np.full((1, 1), 3.0)], 2).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    stack = np.asarray(history, dtype=np.float64)
    sweeps = stack.shape[-3]
    targets = np.stack([np.asarray(q_stars[lake_in_force(k, sweeps_per_lake)], dtype=np.float64)
                        for k in range(1, sweeps + 1)])
    return np.abs(stack - targets).max(axis=(-2, -1))
