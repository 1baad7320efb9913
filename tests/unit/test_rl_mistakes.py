"""lrchecks.diagnosis.rl: with every switch off the models are the reference; each mistake changes
the result where the grader relies on it."""

from __future__ import annotations

import numpy as np
import pytest

from lrchecks.diagnosis import rl as mistakes
from lrcore import rl

STEP = rl.polynomial_step_size(0.7)


def test_switches_off_is_the_reference():
    run = rl.q_learning(rl.make_frozen_lake(), 200, STEP, 0.99, 0.1, 0)
    q, counts = mistakes.mistaken_q_learning(rl.make_frozen_lake(), 200, STEP, 0.99, 0.1, 0)
    np.testing.assert_array_equal(q, run.q)
    np.testing.assert_array_equal(counts, run.counts)
    model = rl.frozen_lake_model()
    np.testing.assert_array_equal(
        mistakes.mistaken_synchronous_q_learning(model, STEP, 50, 0.99, 1),
        rl.synchronous_q_learning(model, STEP, 50, 0.99, 1))


@pytest.mark.parametrize("name", sorted(mistakes.LEARNER_MISTAKES))
def test_each_learner_mistake_changes_the_run(name):
    # The truncation mistake needs an episode that reaches the 100-step limit (this one does).
    n, step, seed = (300, rl.constant_step_size(0.3), 1) if name == "truncation_ends_bootstrap" \
        else (300, STEP, 0)
    run = rl.q_learning(rl.make_frozen_lake(), n, step, 0.99, 0.1, seed)
    q, _ = mistakes.LEARNER_MISTAKES[name](rl.make_frozen_lake(), n, step, 0.99, 0.1, seed)
    assert np.abs(q - run.q).max() > 1e-3


def test_alpha_per_episode_is_invisible_with_a_constant_alpha():
    step = rl.constant_step_size(0.1)
    run = rl.q_learning(rl.make_frozen_lake(), 100, step, seed=2)
    q, _ = mistakes.LEARNER_MISTAKES["alpha_per_episode"](rl.make_frozen_lake(), 100, step,
                                                          0.99, 0.1, 2)
    np.testing.assert_array_equal(q, run.q)


def test_sarsa_model_is_sarsa():
    """The model equals SARSA written out: a' is chosen ε-greedily before the update, the target
    uses Q(s', a'), and a' is the action taken next."""
    env = rl.make_frozen_lake()
    q = np.zeros((16, 4))
    counts = np.zeros((16, 4), dtype=int)
    env.action_space.seed(5)
    rng = np.random.default_rng(5)
    for episode in range(80):
        state, _ = env.reset(seed=5) if episode == 0 else env.reset()
        action = rl.epsilon_greedy(q, state, 0.3, rng, env.action_space)
        while True:
            next_state, reward, terminated, truncated, _ = env.step(action)
            counts[state, action] += 1
            next_action = rl.epsilon_greedy(q, next_state, 0.3, rng, env.action_space)
            target = reward + (0.0 if terminated else 0.99 * q[next_state, next_action])
            q[state, action] += STEP(int(counts[state, action])) * (target - q[state, action])
            if terminated or truncated:
                break
            state, action = next_state, next_action
    model_q, model_counts = mistakes.LEARNER_MISTAKES["sarsa"](rl.make_frozen_lake(), 80, STEP,
                                                               0.99, 0.3, 5)
    np.testing.assert_array_equal(model_q, q)
    np.testing.assert_array_equal(model_counts, counts)


@pytest.mark.parametrize("name", sorted(mistakes.SYNCHRONOUS_MISTAKES))
def test_each_synchronous_mistake_changes_the_run(name):
    model = rl.frozen_lake_model()
    reference = rl.synchronous_q_learning(model, STEP, 100, 0.99, 0)
    history = mistakes.SYNCHRONOUS_MISTAKES[name](model, STEP, 100, 0.99, 0)
    assert history.shape == reference.shape
    assert np.abs(history - reference).max() > 1e-3


def test_update_models():
    q = np.random.default_rng(0).uniform(0.1, 0.9, (16, 4))
    q[10] = [0.95, 0.2, 0.1, 0.3]  # the max of Q(s', ·) is not at the action taken
    s, a, r, s2, alpha, gamma = 14, 2, 0.0, 10, 0.5, 0.9
    reference = q.copy()
    rl.q_learning_update(reference, s, a, r, s2, False, alpha, gamma)
    changed = {name: not np.allclose(model(q, s, a, r, s2, False, alpha, gamma), reference)
               for name, model in mistakes.UPDATE_MISTAKES.items()}
    assert changed == {name: name != "bootstrap_at_terminal" for name in changed}
    terminal = q.copy()
    rl.q_learning_update(terminal, s, a, 1.0, 15, True, alpha, gamma)
    model_q = mistakes.UPDATE_MISTAKES["bootstrap_at_terminal"](q, s, a, 1.0, 15, True, alpha,
                                                                 gamma)
    assert model_q[s, a] == pytest.approx(terminal[s, a] + alpha * gamma * q[15].max())
    assert q[10, 0] == 0.95  # the models copy, they never change the table they are given


def test_value_iteration_models():
    model = rl.frozen_lake_model()
    q_star = rl.value_iteration(model, 0.99)
    models = {name: m(model, 0.99) for name, m in mistakes.VALUE_ITERATION_MISTAKES.items()}
    assert models["gamma_missing"][0].max() == pytest.approx(14 / 17, abs=1e-9)
    assert (models["terminal_transitions_skipped"] == 0).all()
    assert models["mean_instead_of_max"][0].max() < q_star[0].max() / 5
    np.testing.assert_allclose(models["single_backup"], model.expected_reward)


def test_reseeded_success_rate_is_all_or_nothing():
    policy = rl.greedy_policy(rl.value_iteration(rl.frozen_lake_model(), 0.99))
    rate = mistakes.SUCCESS_RATE_MISTAKES["reseed_every_episode"](rl.make_frozen_lake(), policy,
                                                                    50, 0)
    assert rate in (0.0, 1.0)
