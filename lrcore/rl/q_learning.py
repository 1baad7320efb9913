"""Q-learning and its step size α: the update rule, visit-count schedules and two learners.

The update after a transition (s, a, r, s') is

    Q(s, a) ← Q(s, a) + α · ( r + γ · max_a' Q(s', a') − Q(s, a) ),

with no bootstrap term (γ·max … = 0) when the transition ends the episode. The step size of
the n-th visit of (s, a) is α_n = `step_size(n)`, n = 1, 2, … counted **per pair, including
this visit**:

- `constant_step_size(α)`: α_n = α. It never settles — Q keeps a noise floor of order α — but it
  keeps tracking a target that moves.
- `polynomial_step_size(ω)`: α_n = 1/n^ω. It satisfies the Robbins–Monro conditions
  Σα_n = ∞, Σα_n² < ∞ for ½ < ω ≤ 1. ω = 1 is the sample average, which on a discounted problem
  forgets its early (wrong) bootstrap targets only slowly: Even-Dar & Mansour (JMLR 2003)
  show a time exponential in 1/(1 − γ) for ω = 1 but polynomial for ½ < ω < 1.

There is no torch equivalent; the schedule plays the role of a torch lr scheduler, with the
visit count of the pair in place of the optimizer step.

Two learners, both deterministic for a fixed seed:

- `q_learning` — online ε-greedy episodes in a gymnasium environment. Seeding protocol:
  `env.action_space.seed(seed)`, `rng = np.random.default_rng(seed)`, then
  `env.reset(seed=seed)` for the first episode and `env.reset()` for the others; every action
  comes from `epsilon_greedy(q, state, epsilon, rng, env.action_space)`.
- `synchronous_q_learning` — the "generative model" variant: every sweep samples one transition
  for every (s, a) (`TransitionModel.sample`) and updates all pairs at once, so after k sweeps
  every n(s, a) = k. Fast enough for 10⁴ sweeps in a fraction of a second.

>>> alpha = polynomial_step_size(0.5)
>>> [alpha(n) for n in (1, 4, 100)]
[1.0, 0.5, 0.1]
>>> q = np.zeros((2, 2))
>>> q_learning_update(q, 0, 1, reward=1.0, next_state=1, terminated=False, alpha=0.5, gamma=0.9)
1.0
>>> q.tolist()
[[0.0, 0.5], [0.0, 0.0]]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel

__all__ = [
    "StepSize",
    "constant_step_size",
    "polynomial_step_size",
    "q_learning_update",
    "epsilon_greedy",
    "QLearningRun",
    "q_learning",
    "synchronous_q_learning",
    "synchronous_q_learning_many",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class StepSize:
    """α_n = alpha / n^omega for the n-th visit (n ≥ 1): a pure function of the count.

    `omega = 0` is a constant α; `alpha = 1` with `omega` in (½, 1] a Robbins–Monro schedule.
    Call it with a count n ≥ 1 (int or whole float, or an array of them, vectorised);
    `values(n)` gives α_1 … α_n. A count of 0 raises ValueError: n includes this visit.
    """

    alpha: float = 1.0
    omega: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.alpha) and 0 < self.alpha <= 1):
            raise ValueError(f"alpha must be in (0, 1], got {self.alpha}")
        if not (math.isfinite(self.omega) and 0 <= self.omega <= 2):
            raise ValueError(f"omega must be in [0, 2], got {self.omega}")

    def __call__(self, n: Any) -> Any:
        if isinstance(n, numbers.Real) and not isinstance(n, bool):
            if not n >= 1:  # type: ignore[operator]  # typeshed's numbers.Real has no >=
                raise ValueError(f"the visit count n starts at 1, got {n}")
            return self.alpha if self.omega == 0 else self.alpha / float(n) ** self.omega
        counts = np.asarray(n)
        if counts.dtype.kind not in "iuf":
            raise TypeError(f"n must be a visit count (1, 2, …), got {n!r}")
        if counts.size and not counts.min() >= 1:
            raise ValueError("the visit count n starts at 1")
        if self.omega == 0:
            return np.full(counts.shape, self.alpha)
        return self.alpha / counts.astype(np.float64) ** self.omega

    def values(self, n: int) -> FloatArray:
        """α_1, …, α_n as a float64 array."""
        return np.asarray(self(np.arange(1, n + 1)), dtype=np.float64)

    @property
    def robbins_monro(self) -> bool:
        """Σα_n = ∞ and Σα_n² < ∞, i.e. ½ < ω ≤ 1."""
        return 0.5 < self.omega <= 1.0

    @property
    def label(self) -> str:
        """How the course writes it: 'α = 0.1', '1/n', '1/n^0.6'."""
        if self.omega == 0:
            return f"α = {self.alpha:g}"
        scale = "1" if self.alpha == 1 else f"{self.alpha:g}"
        return f"{scale}/n" if self.omega == 1 else f"{scale}/n^{self.omega:g}"


def constant_step_size(alpha: float) -> StepSize:
    """α_n = alpha for every visit (0 < alpha ≤ 1).

    >>> constant_step_size(0.1).values(3).tolist()
    [0.1, 0.1, 0.1]
    """
    return StepSize(alpha=float(alpha), omega=0.0)


def polynomial_step_size(omega: float) -> StepSize:
    """α_n = 1/n^omega; omega = 1 is 1/n (the running average of the targets).

    >>> polynomial_step_size(1.0).values(4).tolist()
    [1.0, 0.5, 0.3333333333333333, 0.25]
    """
    return StepSize(alpha=1.0, omega=float(omega))


def _check_gamma(gamma: float) -> None:
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")


def q_learning_update(
    q: FloatArray,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """Apply one Q-learning update to `q` in place; returns the TD error δ.

    δ = r + γ·max_a' Q(s', a') − Q(s, a) (δ = r − Q(s, a) if `terminated`), Q(s, a) += α·δ.
    Only `terminated` stops the bootstrap: a time-limit truncation still bootstraps.
    """
    _check_gamma(gamma)
    bootstrap = 0.0 if terminated else gamma * np.max(q[next_state])
    td_error = reward + bootstrap - q[state, action]
    q[state, action] += alpha * td_error
    return float(td_error)


def epsilon_greedy(
    q: FloatArray, state: int, epsilon: float, rng: np.random.Generator, action_space: Any
) -> int:
    """ε-greedy action: with probability ε `action_space.sample()`, else a greedy action.

    Randomness, in this order: one `rng.random()` (explore?); then either one
    `action_space.sample()`, or — only if several actions tie for the max — one
    `rng.integers(number_of_ties)` to pick among them.
    """
    if rng.random() < epsilon:
        return int(action_space.sample())
    best = np.flatnonzero(q[state] == q[state].max())
    if best.size == 1:
        return int(best[0])
    return int(best[rng.integers(best.size)])


class QLearningRun(NamedTuple):
    """What `q_learning` returns: the table, the visit counts and each episode's return."""

    q: FloatArray
    counts: npt.NDArray[np.int64]
    episode_rewards: FloatArray


StepSizeFunction = Callable[[int], float]


def _check_run(n: int, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {n!r}")


def q_learning(
    env: Any,
    n_episodes: int,
    step_size: StepSizeFunction,
    gamma: float = 0.99,
    epsilon: float = 0.1,
    seed: int = 0,
) -> QLearningRun:
    """Online ε-greedy Q-learning for `n_episodes` episodes of a (fresh) gymnasium env.

    Q starts at 0. Each step: choose a = `epsilon_greedy(Q, s, ε, rng, env.action_space)`,
    step the env, n(s, a) += 1, α = step_size(n(s, a)), `q_learning_update`. The episode ends
    when the env says terminated or truncated (100 steps); only `terminated` stops the
    bootstrap. Seeded as described in the module notes.

    >>> from lrcore.rl.frozen_lake import make_frozen_lake
    >>> run = q_learning(make_frozen_lake(), 50, polynomial_step_size(0.7), seed=0)
    >>> int(run.counts.sum()), float(run.episode_rewards.sum())
    (338, 2.0)
    """
    _check_run(n_episodes, "n_episodes")
    _check_gamma(gamma)
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
    n_states, n_actions = env.observation_space.n, env.action_space.n
    q = np.zeros((n_states, n_actions))
    counts = np.zeros((n_states, n_actions), dtype=np.int64)
    rewards = np.zeros(n_episodes)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    for episode in range(n_episodes):
        state, _ = env.reset(seed=seed) if episode == 0 else env.reset()
        while True:
            action = epsilon_greedy(q, state, epsilon, rng, env.action_space)
            next_state, reward, terminated, truncated, _ = env.step(action)
            counts[state, action] += 1
            alpha = step_size(int(counts[state, action]))
            q_learning_update(q, state, action, reward, next_state, terminated, alpha, gamma)
            rewards[episode] += reward
            state = next_state
            if terminated or truncated:
                break
    return QLearningRun(q, counts, rewards)


def synchronous_q_learning(
    model: TransitionModel,
    step_size: StepSizeFunction,
    n_sweeps: int,
    gamma: float = 0.99,
    seed: int = 0,
    checkpoints: Sequence[int] | np.ndarray | None = None,
) -> FloatArray:
    """Q after each sweep of synchronous Q-learning: shape (n_sweeps, S, A), or
    (len(checkpoints), S, A) with only the sweeps listed (1-based: sweep k = after k sweeps).

    `rng = np.random.default_rng(seed)`; sweep k = 1, 2, …: draw `model.sample(rng)`, then for
    all (s, a) at once, with α = step_size(k):
    Q ← Q + α·(R + γ·(1 − T)·max_a' Q(S', a') − Q).

    >>> from lrcore.rl.frozen_lake import RIGHT, frozen_lake_model
    >>> history = synchronous_q_learning(frozen_lake_model(), constant_step_size(0.5), 3)
    >>> history.shape, history[:, 14, RIGHT].tolist()  # next to the goal
    ((3, 16, 4), [0.0, 0.5, 0.4975])
    """
    _check_run(n_sweeps, "n_sweeps")
    _check_gamma(gamma)
    if checkpoints is None:
        wanted = np.arange(1, n_sweeps + 1)
    else:
        wanted = np.asarray(checkpoints, dtype=np.int64).reshape(-1)
        if wanted.size and (wanted.min() < 1 or wanted.max() > n_sweeps):
            raise ValueError(f"checkpoints must lie in [1, n_sweeps={n_sweeps}]")
    keep = np.zeros(n_sweeps + 1, dtype=bool)
    keep[wanted] = True
    rng = np.random.default_rng(seed)
    q = np.zeros((model.n_states, model.n_actions))
    saved = {}
    for sweep in range(1, n_sweeps + 1):
        sample = model.sample(rng)
        bootstrap = np.where(sample.terminated, 0.0, gamma * q.max(axis=1)[sample.next_state])
        q = q + step_size(sweep) * (sample.reward + bootstrap - q)
        if keep[sweep]:
            saved[sweep] = q
    return np.array([saved[int(k)] for k in wanted]).reshape(len(wanted), *q.shape)


def synchronous_q_learning_many(
    model: TransitionModel,
    step_sizes: Sequence[StepSizeFunction],
    n_sweeps: int,
    gamma: float = 0.99,
    seed: int = 0,
    checkpoints: Sequence[int] | None = None,
) -> FloatArray:
    """`synchronous_q_learning` of several step sizes on the same samples, at once: shape
    (len(step_sizes), n_sweeps, S, A), or (len(step_sizes), len(checkpoints), S, A).

    Run i equals `synchronous_q_learning(model, step_sizes[i], n_sweeps, gamma, seed,
    checkpoints)` bit for bit — every run sees the sweep-k sample of the same seed, so they
    differ only in α — but each sweep is drawn once and the update is vectorised over the runs.

    >>> from lrcore.rl.frozen_lake import frozen_lake_model
    >>> steps = [constant_step_size(0.5), polynomial_step_size(1.0)]
    >>> many = synchronous_q_learning_many(frozen_lake_model(), steps, 50, seed=3)
    >>> all(np.array_equal(many[i], synchronous_q_learning(frozen_lake_model(), step, 50,
    ...                                                    seed=3)) for i, step in enumerate(steps))
    True
    """
    _check_run(n_sweeps, "n_sweeps")
    _check_gamma(gamma)
    wanted = (np.arange(1, n_sweeps + 1) if checkpoints is None
              else np.asarray(checkpoints, dtype=np.int64).reshape(-1))
    if wanted.size and (wanted.min() < 1 or wanted.max() > n_sweeps):
        raise ValueError(f"checkpoints must lie in [1, n_sweeps={n_sweeps}]")
    keep = np.zeros(n_sweeps + 1, dtype=bool)
    keep[wanted] = True
    rng = np.random.default_rng(seed)
    q = np.zeros((len(step_sizes), model.n_states, model.n_actions))
    saved = {}
    for sweep in range(1, n_sweeps + 1):
        sample = model.sample(rng)
        alphas = np.array([float(step(sweep)) for step in step_sizes])[:, None, None]
        bootstrap = np.where(sample.terminated, 0.0,
                             gamma * q.max(axis=2)[:, sample.next_state])
        q = q + alphas * (sample.reward + bootstrap - q)
        if keep[sweep]:
            saved[sweep] = q
    if not wanted.size:
        return np.empty((len(step_sizes), 0, model.n_states, model.n_actions))
    return np.stack([saved[int(k)] for k in wanted], axis=1)
