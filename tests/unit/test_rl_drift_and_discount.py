"""lrcore.rl's learners for ps04 §9–10: the noise-free learner and its sweep count
(`lrcore.rl.discount`), the learner on a drifting lake (`lrcore.rl.drift`), other ice
(`frozen_lake_model(success_rate=…)`), and several step sizes on one set of samples
(`synchronous_q_learning_many`) — each against a plain loop written here or against the
learner it generalises, and the mistake models with every switch off against the reference."""

from __future__ import annotations

import numpy as np
import pytest

from lrchecks.diagnosis import rl as mistakes
from lrcore import rl

LAKE = rl.frozen_lake_model()
ROUGH = rl.frozen_lake_model(success_rate=0.9)
STEPS = [rl.constant_step_size(0.3), rl.polynomial_step_size(1.0), rl.polynomial_step_size(0.6)]


# --- other ice ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0, 0.2, 1 / 3, 0.9, 1.0])
def test_success_rate_sets_the_intended_move_and_splits_the_rest(p):
    model = rl.frozen_lake_model(success_rate=p)
    np.testing.assert_allclose(model.transition.sum(axis=-1), 1.0, atol=1e-12)
    row = model.transition[10, rl.RIGHT]  # from 10: right to 11, slips up to 6, down to 14
    np.testing.assert_allclose([row[11], row[6], row[14]], [p, (1 - p) / 2, (1 - p) / 2],
                               atol=1e-12)


def test_the_default_ice_is_gymnasiums():
    default = rl.frozen_lake_model()
    assert np.array_equal(default.transition, rl.frozen_lake_model(success_rate=None).transition)
    np.testing.assert_allclose(default.transition,
                               rl.frozen_lake_model(success_rate=1 / 3).transition, atol=1e-15)


def test_a_success_rate_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="success_rate"):
        rl.frozen_lake_model(success_rate=1.5)


# --- several step sizes on one set of samples ----------------------------------------------

def test_many_runs_at_once_equal_each_run_alone():
    many = rl.synchronous_q_learning_many(LAKE, STEPS, 120, 0.95, 4)
    for history, step in zip(many, STEPS, strict=True):
        np.testing.assert_array_equal(history, rl.synchronous_q_learning(LAKE, step, 120, 0.95, 4))


def test_many_runs_at_checkpoints_in_any_order():
    marks = [50, 3, 50, 120]
    many = rl.synchronous_q_learning_many(LAKE, STEPS, 120, 0.9, 1, checkpoints=marks)
    full = rl.synchronous_q_learning_many(LAKE, STEPS, 120, 0.9, 1)
    np.testing.assert_array_equal(many, full[:, np.array(marks) - 1])
    with pytest.raises(ValueError, match="checkpoints"):
        rl.synchronous_q_learning_many(LAKE, STEPS, 10, checkpoints=[11])


# --- the drifting lake ---------------------------------------------------------------------------

def _drift_by_hand(lakes, step, per_lake, gamma, seed):
    """The task's words as a loop: one rng, Q and k carried over, lake (k − 1) // per_lake."""
    rng = np.random.default_rng(seed)
    q = np.zeros((lakes[0].n_states, lakes[0].n_actions))
    history = []
    for k in range(1, len(lakes) * per_lake + 1):
        sample = lakes[(k - 1) // per_lake].sample(rng)
        target = sample.reward + gamma * np.where(sample.terminated, 0.0,
                                                  q.max(axis=1)[sample.next_state])
        q = q + step(k) * (target - q)
        history.append(q)
    return np.array(history)


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.label)
def test_drifting_q_learning_is_the_task_written_out(step):
    lakes = [ROUGH, LAKE, rl.frozen_lake_model(success_rate=0.6)]
    np.testing.assert_array_equal(rl.drifting_q_learning(lakes, step, 40, 0.9, 2),
                                  _drift_by_hand(lakes, step, 40, 0.9, 2))


def test_one_lake_is_the_synchronous_learner_and_many_equal_each():
    step = rl.polynomial_step_size(0.7)
    np.testing.assert_array_equal(rl.drifting_q_learning([LAKE], step, 80, 0.99, 5),
                                  rl.synchronous_q_learning(LAKE, step, 80, 0.99, 5))
    many = rl.drifting_q_learning_many([ROUGH, LAKE], STEPS, 30, 0.8, 0)
    for history, each in zip(many, STEPS, strict=True):
        np.testing.assert_array_equal(history, rl.drifting_q_learning([ROUGH, LAKE], each, 30,
                                                                      0.8, 0))


def test_the_drift_mistakes_with_every_switch_off_are_the_reference():
    step = rl.polynomial_step_size(0.6)
    np.testing.assert_array_equal(
        mistakes.mistaken_drifting_q_learning([ROUGH, LAKE], step, 25, 0.9, 3),
        rl.drifting_q_learning([ROUGH, LAKE], step, 25, 0.9, 3))


@pytest.mark.parametrize("name", sorted(mistakes.DRIFT_MISTAKES))
def test_each_drift_mistake_changes_the_run(name):
    step = rl.polynomial_step_size(0.7)
    reference = rl.drifting_q_learning([ROUGH, LAKE], step, 50, 0.99, 0)
    modelled = mistakes.DRIFT_MISTAKES[name]([ROUGH, LAKE], step, 50, 0.99, 0)
    assert modelled.shape == reference.shape and np.abs(modelled - reference).max() > 1e-3


def test_drift_errors_measure_against_the_lake_in_force():
    history = np.arange(6, dtype=float).reshape(6, 1, 1)
    errors = rl.drift_errors(history, [np.zeros((1, 1)), np.full((1, 1), 10.0)], 3)
    assert errors.tolist() == [0.0, 1.0, 2.0, 7.0, 6.0, 5.0]


def test_lakes_of_different_sizes_and_no_sweeps_are_refused():
    five = rl.frozen_lake_model(rl.random_lake_map(5, seed=3))
    with pytest.raises(ValueError, match="same states"):
        rl.drifting_q_learning([LAKE, five], STEPS[0], 10)
    with pytest.raises(ValueError, match="sweeps_per_lake"):
        rl.drifting_q_learning([LAKE], STEPS[0], 0)


# --- the noise-free learner ----------------------------------------------------------------------

def test_alpha_one_is_value_iteration():
    history = rl.expected_q_learning(LAKE, rl.constant_step_size(1.0), 30, 0.9)
    values = np.zeros(LAKE.n_states)
    for q in history:
        expected = rl.bellman_backup(LAKE, values, 0.9)
        np.testing.assert_allclose(q, expected, rtol=0, atol=1e-15)
        values = expected.max(axis=1)


def test_a_constant_step_size_without_noise_converges_to_q_star():
    history = rl.expected_q_learning(LAKE, rl.constant_step_size(0.5), 400, 0.5)
    assert rl.sup_norm_error(history[-1], rl.value_iteration(LAKE, 0.5)) < 1e-9


@pytest.mark.parametrize(("step", "gamma", "tolerance", "most"), [
    (rl.polynomial_step_size(1.0), 0.8, 0.1, 1000), (rl.polynomial_step_size(0.6), 0.9, 0.05, 800),
    (rl.constant_step_size(0.2), 0.7, 0.01, 500), (rl.polynomial_step_size(1.0), 0.9, 0.1, 200),
])
def test_sweeps_to_reach_is_the_first_sweep_within_the_tolerance(step, gamma, tolerance, most):
    q_star = rl.value_iteration(LAKE, gamma)
    errors = rl.sup_norm_error(rl.expected_q_learning(LAKE, step, most, gamma), q_star)
    within = np.flatnonzero(errors <= tolerance * np.abs(q_star).max())
    expected = int(within[0]) + 1 if within.size else None
    assert rl.sweeps_to_reach(LAKE, step, gamma, q_star, tolerance, most) == expected
    assert mistakes.mistaken_sweeps_to_reach(LAKE, step, gamma, q_star, tolerance, most) \
        == expected


def test_sweeps_to_reach_refuses_a_wrong_q_star_or_tolerance():
    with pytest.raises(ValueError, match="q_star"):
        rl.sweeps_to_reach(LAKE, STEPS[0], 0.9, np.zeros(16))
    with pytest.raises(ValueError, match="tolerance"):
        rl.sweeps_to_reach(LAKE, STEPS[0], 0.9, rl.value_iteration(LAKE, 0.9), tolerance=0)


def test_1_over_n_slows_down_much_faster_with_the_horizon_than_1_over_n_to_the_0_6():
    """Even-Dar & Mansour's contrast on this lake, without noise: from γ = 0.7 to 0.8 to 0.9
    1/n's sweeps multiply by ever larger factors, 1/n^0.6's by small ones."""
    def needed(omega):
        return [rl.sweeps_to_reach(LAKE, rl.polynomial_step_size(omega), g,
                                   rl.value_iteration(LAKE, g), 0.1, 10_000)
                for g in (0.7, 0.8, 0.9)]

    harmonic, polynomial = needed(1.0), needed(0.6)
    harmonic_factors = np.divide(harmonic[1:], harmonic[:-1])
    assert harmonic_factors[1] > harmonic_factors[0] > 2
    assert max(np.divide(polynomial[1:], polynomial[:-1])) < 4
