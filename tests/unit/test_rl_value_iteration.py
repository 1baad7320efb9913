"""lrcore.rl.value_iteration against the published values and an independent loop over P."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import rl


def straightforward_value_iteration(P, gamma, sweeps=20_000, tol=1e-14):
    """Value iteration written directly on gymnasium's P dict, with Python floats."""
    n_states, n_actions = len(P), len(P[0])
    V = [0.0] * n_states
    for _ in range(sweeps):
        Q = [[sum(p * (r + (0.0 if done else gamma * V[s2])) for p, s2, r, done in P[s][a])
              for a in range(n_actions)] for s in range(n_states)]
        new_V = [max(row) for row in Q]
        if max(abs(x - y) for x, y in zip(new_V, V, strict=True)) < tol:
            break
        V = new_V
    return np.array(Q)


def test_published_start_value_and_first_move():
    q_star = rl.value_iteration(rl.frozen_lake_model(), 0.99)
    assert q_star[0].max() == pytest.approx(0.5420259320, abs=5e-11)
    np.testing.assert_array_equal(q_star[0].round(4), [0.5420, 0.5278, 0.5278, 0.5223])
    assert rl.greedy_policy(q_star)[0] == rl.LEFT


@pytest.mark.parametrize(("gamma", "v_start"), [(0.9, 0.0688909), (0.95, 0.1804716),
                                                (1.0, 14 / 17)])
def test_published_values_for_other_discounts(gamma, v_start):
    q_star = rl.value_iteration(rl.frozen_lake_model(), gamma)
    assert q_star[0].max() == pytest.approx(v_start, abs=5e-8)


def test_gamma_one_is_fourteen_seventeenths():
    q_star = rl.value_iteration(rl.frozen_lake_model(), 1.0, tol=1e-14)
    assert q_star[0].max() == pytest.approx(14 / 17, abs=1e-10)


@pytest.mark.parametrize("desc", [None, ("SFHFF", "FFFFF", "FFFFF", "HFFFF", "FHFFG")])
@pytest.mark.parametrize("gamma", [0.99, 0.8])
def test_equals_a_straightforward_loop_over_P(desc, gamma):
    env = rl.make_frozen_lake(desc)
    expected = straightforward_value_iteration(env.unwrapped.P, gamma)
    for source in (env.unwrapped.P, env, rl.transition_model(env)):
        np.testing.assert_allclose(rl.value_iteration(source, gamma, tol=1e-14), expected,
                                   rtol=0, atol=1e-11)


def test_q_star_satisfies_the_bellman_optimality_equation():
    model = rl.frozen_lake_model()
    q_star = rl.value_iteration(model, 0.99)
    residual = rl.bellman_backup(model, rl.state_values(q_star), 0.99) - q_star
    assert np.abs(residual).max() < 1e-11
    terminal_states = [5, 7, 11, 12, 15]
    assert (q_star[terminal_states] == 0).all()


def test_validation():
    model = rl.frozen_lake_model()
    with pytest.raises(ValueError, match="gamma"):
        rl.value_iteration(model, 1.5)
    with pytest.raises(ValueError, match="tol"):
        rl.value_iteration(model, 0.9, tol=0)
    with pytest.raises(ValueError, match="shape"):
        rl.bellman_backup(model, np.zeros(3), 0.9)
    with pytest.raises(RuntimeError, match="converge"):
        rl.value_iteration(model, 0.99, max_iterations=3)
