"""lrcore.rl.evaluation: ‖Q − Q*‖∞ and the success of a greedy policy, exact and sampled."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import rl


@pytest.fixture(scope="module")
def lake():
    model = rl.frozen_lake_model()
    return model, rl.value_iteration(model, 0.99)


def test_sup_norm_error():
    q = np.zeros((3, 2))
    q_star = np.array([[0.0, 0.5], [-0.7, 0.1], [0.0, 0.0]])
    assert rl.sup_norm_error(q, q_star) == 0.7
    stack = np.stack([q, q_star, q_star + 0.25])
    np.testing.assert_allclose(rl.sup_norm_error(stack, q_star), [0.7, 0.0, 0.25])
    with pytest.raises(ValueError):
        rl.sup_norm_error(np.zeros(3), np.zeros(3))


def test_success_probability_of_the_optimal_policy(lake):
    model, q_star = lake
    policy = rl.greedy_policy(q_star)
    within_limit = rl.success_probability(model, policy)
    assert within_limit == pytest.approx(0.74016, abs=1e-5)  # ≈ 0.743 from sampled episodes
    # Without the 100-step limit the cautious policy always gets there or falls: 14/17.
    assert rl.success_probability(model, policy, horizon=20_000) == pytest.approx(14 / 17,
                                                                                  abs=1e-12)
    assert rl.success_probability(model, policy, horizon=0) == 0.0
    assert rl.success_probability(model, np.full(16, rl.LEFT)) == 0.0


def test_exact_success_equals_a_direct_recursion(lake):
    model, q_star = lake
    policy = rl.greedy_policy(q_star)
    P = rl.make_frozen_lake().unwrapped.P
    p = [0.0] * 16
    for _ in range(100):
        p = [sum(prob * (r + (0.0 if done else p[s2])) for prob, s2, r, done in P[s][policy[s]])
             for s in range(16)]
    assert rl.success_probability(model, policy) == pytest.approx(p[0], abs=1e-14)


def test_monte_carlo_agrees_with_the_exact_value(lake):
    model, q_star = lake
    policy = rl.greedy_policy(q_star)
    exact = rl.success_probability(model, policy)
    n = 2000
    estimate = rl.success_rate(rl.make_frozen_lake(), policy, n, seed=0)
    assert abs(estimate - exact) < 3 * np.sqrt(exact * (1 - exact) / n)
    repeat = rl.success_rate(rl.make_frozen_lake(), policy, 300, seed=5)
    assert repeat == rl.success_rate(rl.make_frozen_lake(), policy, 300, seed=5)


def test_success_rate_follows_the_seeding_protocol(lake):
    _, q_star = lake
    policy = rl.greedy_policy(q_star)
    env = rl.make_frozen_lake()
    outcomes = []
    for episode in range(200):
        state, _ = env.reset(seed=4) if episode == 0 else env.reset()
        while True:
            state, reward, terminated, truncated, _ = env.step(int(policy[state]))
            if terminated or truncated:
                outcomes.append(reward == 1)
                break
    assert rl.success_rate(rl.make_frozen_lake(), policy, 200, seed=4) == np.mean(outcomes)


def test_learning_curves(lake):
    model, q_star = lake
    history = rl.synchronous_q_learning(model, rl.polynomial_step_size(0.6), 50, seed=2)
    errors, successes = rl.learning_curves(history, q_star, model)
    assert errors.shape == successes.shape == (50,)
    assert errors[-1] == rl.sup_norm_error(history[-1], q_star)
    assert successes[-1] == rl.success_probability(model, rl.greedy_policy(history[-1]))


def test_validation(lake):
    model, _ = lake
    with pytest.raises(ValueError, match="one action per state"):
        rl.success_probability(model, [0, 1])
    with pytest.raises(ValueError, match="integers"):
        rl.success_probability(model, np.full(16, 4))
    with pytest.raises(ValueError, match="horizon"):
        rl.success_probability(model, np.zeros(16, dtype=int), horizon=-1)
    with pytest.raises(ValueError, match="n_episodes"):
        rl.success_rate(rl.make_frozen_lake(), np.zeros(16, dtype=int), 0)
