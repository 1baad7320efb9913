"""gymnasium's FrozenLake-v1 as an environment and as transition arrays.

The slippery 4×4 lake (gymnasium 1.4) moves in the intended direction with probability 1/3 and
to each perpendicular direction with probability 1/3; falling into a hole (H) or reaching the
goal (G) ends the episode, and only the transition into G pays reward 1. `gym.make` wraps the
environment in a `TimeLimit` of 100 steps.

Two views of the same MDP:

- `make_frozen_lake()` — the gymnasium environment, for online episodes. Seeding takes two
  calls: `env.reset(seed=s)` seeds the lake's slips, `env.action_space.seed(s)` seeds
  `env.action_space.sample()`; `reset(seed=…)` alone leaves the random actions unseeded.
- `transition_model(P)` — `env.unwrapped.P` as arrays `transition[s, a, s']`,
  `reward[s, a, s']`, `terminal[s, a, s']`, for value iteration, exact policy evaluation and a
  fast synchronous sampler (`TransitionModel.sample`).

>>> model = frozen_lake_model()
>>> model.n_states, model.n_actions, model.start
(16, 4, 0)
>>> model.transition[0, LEFT].nonzero()[0].tolist()  # the wall keeps two slips of three at 0
[0, 4]
>>> model.reward[14, RIGHT, 15], model.terminal[14, RIGHT, 15], model.terminal[14, RIGHT, 10]
(np.float64(1.0), np.True_, np.False_)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "ENV_ID",
    "MAX_EPISODE_STEPS",
    "LEFT",
    "DOWN",
    "RIGHT",
    "UP",
    "ACTION_NAMES",
    "TransitionModel",
    "SweepSample",
    "make_frozen_lake",
    "transition_model",
    "frozen_lake_model",
    "random_lake_map",
]

ENV_ID = "FrozenLake-v1"
MAX_EPISODE_STEPS = 100
"""gym.make's TimeLimit for FrozenLake-v1: an episode is truncated after 100 steps."""
LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
ACTION_NAMES = ("LEFT", "DOWN", "RIGHT", "UP")

Transitions = Mapping[int, Mapping[int, Sequence[tuple[float, int, float, bool]]]]


def make_frozen_lake(
    desc: Sequence[str] | None = None,
    map_name: str = "4x4",
    is_slippery: bool = True,
    success_rate: float | None = None,
) -> Any:
    """`gym.make("FrozenLake-v1", …)`, unseeded (the learners seed it; see the module notes).

    `desc` is a map such as `["SFFF", "FHFH", "FFFH", "HFFG"]`; None uses `map_name`.
    `success_rate` p (gymnasium's own argument; None: its default 1/3) is the probability of
    the intended move on slippery ice; each of the two perpendicular slips has (1 − p)/2.

    >>> env = make_frozen_lake()
    >>> int(env.observation_space.n), int(env.action_space.n), env.spec.max_episode_steps
    (16, 4, 100)
    >>> [round(p, 2) for p, *_ in make_frozen_lake(success_rate=0.9).unwrapped.P[5 + 1][RIGHT]]
    [0.05, 0.9, 0.05]
    """
    import gymnasium as gym

    if success_rate is not None and not 0.0 <= success_rate <= 1.0:
        raise ValueError(f"success_rate must be in [0, 1], got {success_rate}")
    options: dict[str, Any] = {"is_slippery": is_slippery}
    if success_rate is not None:
        options["success_rate"] = float(success_rate)
    if desc is not None:
        return gym.make(ENV_ID, desc=list(desc), **options)
    return gym.make(ENV_ID, map_name=map_name, **options)


def random_lake_map(size: int, seed: int, frozen_probability: float = 0.8) -> list[str]:
    """gymnasium's `generate_random_map(size, p, seed)`: a random lake with a path S → G.

    >>> random_lake_map(5, seed=3)
    ['SFHFF', 'FFFFF', 'FFFFF', 'HFFFF', 'FHFFG']
    """
    from gymnasium.envs.toy_text.frozen_lake import generate_random_map

    if size < 2:
        raise ValueError(f"size must be >= 2, got {size}")
    if not 0 < frozen_probability <= 1:
        raise ValueError(f"frozen_probability must be in (0, 1], got {frozen_probability}")
    return list(generate_random_map(size=size, p=frozen_probability, seed=seed))


class SweepSample(NamedTuple):
    """One sampled transition for every (s, a): arrays of shape (n_states, n_actions)."""

    next_state: npt.NDArray[np.int64]
    reward: npt.NDArray[np.float64]
    terminated: npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False, repr=False)
class TransitionModel:
    """A finite MDP as arrays; `transition[s, a, s']` sums to 1 over s'.

    `reward[s, a, s']` is the reward of the transition s --a--> s' and `terminal[s, a, s']`
    whether it ends the episode (arriving in a hole or the goal). FrozenLake lists its terminal
    states as absorbing (`(1.0, s, 0, True)`), so their Q-values are 0 in every solution.
    """

    transition: npt.NDArray[np.float64]
    reward: npt.NDArray[np.float64]
    terminal: npt.NDArray[np.bool_]
    start: int = 0
    _cdf: npt.NDArray[np.float64] = field(init=False, repr=False)
    _offsets: npt.NDArray[np.int64] = field(init=False, repr=False)
    _reward_flat: npt.NDArray[np.float64] = field(init=False, repr=False)
    _terminal_flat: npt.NDArray[np.bool_] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shape = self.transition.shape
        if len(shape) != 3 or shape[0] != shape[2]:
            raise ValueError(f"transition must have shape (S, A, S), got {shape}")
        if self.reward.shape != shape or self.terminal.shape != shape:
            raise ValueError("reward and terminal must have the shape of transition")
        if not np.allclose(self.transition.sum(axis=-1), 1.0, rtol=0, atol=1e-12):
            raise ValueError("transition probabilities must sum to 1 over the next state")
        if not 0 <= self.start < shape[0]:
            raise ValueError(f"start must be a state in [0, {shape[0]}), got {self.start}")
        cdf = np.cumsum(self.transition, axis=-1)
        cdf /= cdf[..., -1:]  # the last entry is exactly 1.0, so every u in [0, 1) is caught
        # Flat views for the sampler: entry (s, a, s') sits at (s·A + a)·S + s'.
        offsets = np.arange(shape[0] * shape[1]).reshape(shape[:2]) * shape[2]
        object.__setattr__(self, "_cdf", cdf)
        object.__setattr__(self, "_offsets", offsets)
        object.__setattr__(self, "_reward_flat", self.reward.reshape(-1))
        object.__setattr__(self, "_terminal_flat", self.terminal.reshape(-1))

    def __repr__(self) -> str:
        return (f"TransitionModel({self.n_states} states, {self.n_actions} actions, "
                f"start={self.start})")

    @property
    def n_states(self) -> int:
        return int(self.transition.shape[0])

    @property
    def n_actions(self) -> int:
        return int(self.transition.shape[1])

    @property
    def expected_reward(self) -> npt.NDArray[np.float64]:
        """r(s, a) = Σ_s' P(s'|s,a)·R(s,a,s'), shape (S, A)."""
        return np.einsum("ijk,ijk->ij", self.transition, self.reward)

    def sample(self, rng: np.random.Generator) -> SweepSample:
        """Draw one next state for every (s, a) at once (a "generative model" sweep).

        One `u = rng.random((S, A))` per sweep; s' is the first state whose cumulative
        probability exceeds u (gymnasium's `categorical_sample` rule).

        >>> model = frozen_lake_model()
        >>> sample = model.sample(np.random.default_rng(0))
        >>> sample.next_state[14].tolist(), sample.reward[14].tolist()  # next to the goal
        ([13, 15, 10, 10], [0.0, 1.0, 0.0, 0.0])
        """
        u = rng.random(self.transition.shape[:2])
        next_state = np.argmax(u[..., None] < self._cdf, axis=-1).astype(np.int64, copy=False)
        flat = self._offsets + next_state
        return SweepSample(next_state, self._reward_flat[flat], self._terminal_flat[flat])


def transition_model(P: Transitions | Any, start: int = 0) -> TransitionModel:
    """Arrays from gymnasium's `P[s][a] = [(probability, next_state, reward, terminated), …]`
    (or from an environment, whose `unwrapped.P` is used).

    Entries that lead to the same next state are added (at a wall, two of the three slips stay
    put). A next state's reward and terminated flag must not depend on which entry led there.
    """
    if not isinstance(P, Mapping):
        unwrapped = getattr(P, "unwrapped", P)
        if not hasattr(unwrapped, "P"):
            raise ValueError("expected env.unwrapped.P (a dict of dicts) or an environment")
        distribution = getattr(unwrapped, "initial_state_distrib", None)
        if distribution is not None:
            start = int(np.argmax(distribution))
        P = unwrapped.P
    n_states = len(P)
    n_actions = len(P[0])
    transition = np.zeros((n_states, n_actions, n_states))
    reward = np.zeros_like(transition)
    terminal = np.zeros(transition.shape, dtype=bool)
    seen = np.zeros(transition.shape, dtype=bool)
    for s in range(n_states):
        for a in range(n_actions):
            for probability, next_state, r, done in P[s][a]:
                if seen[s, a, next_state] and (
                    reward[s, a, next_state] != r or terminal[s, a, next_state] != bool(done)
                ):
                    raise ValueError(f"P[{s}][{a}] lists next state {next_state} twice with "
                                     "different rewards or terminated flags")
                transition[s, a, next_state] += probability
                reward[s, a, next_state] = r
                terminal[s, a, next_state] = bool(done)
                seen[s, a, next_state] = True
    return TransitionModel(transition, reward, terminal, start)


def frozen_lake_model(
    desc: Sequence[str] | None = None,
    map_name: str = "4x4",
    is_slippery: bool = True,
    success_rate: float | None = None,
) -> TransitionModel:
    """The transition arrays of `make_frozen_lake(desc, map_name, is_slippery, success_rate)`.

    >>> rough = frozen_lake_model(success_rate=0.9)  # the intended move 9 times in 10
    >>> rough.transition[14, RIGHT].round(2)[[10, 14, 15]].tolist()  # up, wall, goal
    [0.05, 0.05, 0.9]
    """
    env = make_frozen_lake(desc, map_name, is_slippery, success_rate)
    try:
        return transition_model(env)
    finally:
        env.close()
