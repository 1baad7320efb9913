"""lrcore.rl.frozen_lake: the environment's facts and its transition arrays."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from lrcore import rl
from lrcore.rl.frozen_lake import TransitionModel, transition_model

HOLES, GOAL = (5, 7, 11, 12), 15


def test_slippery_moves_one_third_each_way():
    """Intended direction and each perpendicular direction: 1/3 each (gymnasium 1.4)."""
    P = rl.make_frozen_lake().unwrapped.P
    outcomes = P[9][rl.RIGHT]  # from the middle of the lake: up to 5, right to 10, down to 13
    assert sorted(s for _, s, _, _ in outcomes) == [5, 10, 13]
    assert all(np.isclose(p, 1 / 3) for p, _, _, _ in outcomes)
    model = rl.frozen_lake_model()
    np.testing.assert_allclose(model.transition[9, rl.RIGHT, [5, 10, 13]], 1 / 3)


def test_time_limit_and_map():
    env = rl.make_frozen_lake()
    assert env.spec.id == "FrozenLake-v1" and env.spec.max_episode_steps == 100
    assert rl.MAX_EPISODE_STEPS == 100
    lake = "".join(letter.decode() for letter in env.unwrapped.desc.ravel())
    assert lake == "SFFFFHFHFFFHHFFG"
    assert [i for i, c in enumerate(lake) if c == "H"] == list(HOLES)


def test_model_matches_gymnasium_table():
    env = rl.make_frozen_lake()
    model = transition_model(env)
    assert (model.n_states, model.n_actions, model.start) == (16, 4, 0)
    np.testing.assert_allclose(model.transition.sum(axis=-1), 1.0, atol=1e-15)
    for s, actions in env.unwrapped.P.items():
        for a, outcomes in actions.items():
            expected = np.zeros(16)
            for p, s2, r, done in outcomes:
                expected[s2] += p
                assert model.reward[s, a, s2] == r and model.terminal[s, a, s2] == done
            np.testing.assert_array_equal(model.transition[s, a], expected)
    # Walls add up: LEFT from the corner stays with probability 2/3 (LEFT and UP), else down.
    np.testing.assert_allclose(model.transition[0, rl.LEFT, [0, 4]], [2 / 3, 1 / 3])


def test_terminal_states_are_absorbing_and_only_the_goal_pays():
    model = rl.frozen_lake_model()
    for s in (*HOLES, GOAL):
        np.testing.assert_array_equal(model.transition[s, :, s], 1.0)
        assert model.terminal[s, :, s].all() and (model.reward[s] == 0).all()
    paying = {tuple(map(int, x)) for x in np.argwhere(model.reward > 0)}
    into_goal = {(s, a, GOAL) for s in range(16) for a in range(4)
                 if s != GOAL and model.transition[s, a, GOAL] > 0}
    assert paying == into_goal and {s for s, _, _ in paying} == {14}
    assert all(model.reward[x] == 1.0 for x in paying)
    assert (model.terminal[:, :, list(HOLES)] | (model.transition[:, :, list(HOLES)] == 0)).all()


def test_reset_seed_does_not_seed_the_action_space():
    """The documented pitfall: reset(seed=…) alone leaves action_space.sample() unseeded."""
    def actions(seed_space: bool) -> list[int]:
        env = gym.make("FrozenLake-v1")
        env.reset(seed=0)
        if seed_space:
            env.action_space.seed(0)
        return [int(env.action_space.sample()) for _ in range(30)]

    assert actions(True) == actions(True)
    assert actions(False) != actions(False)  # fails with probability 4**-30


def test_sample_is_seeded_and_follows_the_probabilities():
    model = rl.frozen_lake_model()
    a = model.sample(np.random.default_rng(3))
    b = model.sample(np.random.default_rng(3))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.next_state.shape == (16, 4) and a.next_state.dtype == np.int64
    rng = np.random.default_rng(0)
    draws = 20_000
    counts = np.zeros((16, 4, 16))
    for _ in range(draws):
        sample = model.sample(rng)
        np.add.at(counts, (*np.indices((16, 4)), sample.next_state), 1)
        s, a_ = 14, rl.RIGHT
        assert sample.reward[s, a_] == (1.0 if sample.next_state[s, a_] == 15 else 0.0)
    frequency = counts / draws
    standard_error = np.sqrt(model.transition * (1 - model.transition) / draws)
    assert np.all(np.abs(frequency - model.transition) <= 5 * standard_error + 1e-12)
    assert np.all(frequency[model.transition == 0] == 0)


def test_sample_uses_gymnasiums_categorical_rule():
    """s' = first state whose cumulative probability exceeds u (gymnasium's categorical_sample)."""
    model = rl.frozen_lake_model()
    rng = np.random.default_rng(11)
    u = np.random.default_rng(11).random((16, 4))
    sample = model.sample(rng)
    for s in range(16):
        for a in range(4):
            expected = int(np.argmax(np.cumsum(model.transition[s, a]) > u[s, a]))
            assert sample.next_state[s, a] == expected


def test_random_lake_and_other_maps():
    desc = rl.random_lake_map(5, seed=3)
    assert len(desc) == 5 and desc[0][0] == "S" and desc[-1][-1] == "G"
    model = rl.frozen_lake_model(desc)
    assert (model.n_states, model.n_actions) == (25, 4)
    assert rl.frozen_lake_model(map_name="8x8").n_states == 64
    with pytest.raises(ValueError):
        rl.random_lake_map(1, seed=0)


def test_model_validation():
    good = rl.frozen_lake_model()
    with pytest.raises(ValueError, match="sum to 1"):
        TransitionModel(good.transition * 0.5, good.reward, good.terminal)
    with pytest.raises(ValueError, match="shape"):
        TransitionModel(good.transition[:, :, :3], good.reward, good.terminal)
    with pytest.raises(ValueError, match="start"):
        TransitionModel(good.transition, good.reward, good.terminal, start=16)
    bad = {0: {0: [(0.5, 0, 0.0, False), (0.5, 0, 1.0, False)]}}
    with pytest.raises(ValueError, match="twice"):
        transition_model(bad)
    with pytest.raises(ValueError, match="unwrapped"):
        transition_model(object())
    assert repr(good) == "TransitionModel(16 states, 4 actions, start=0)"
