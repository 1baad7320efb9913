"""lrcore.widgets.q_learning: moving a slider redraws the curves with lrcore's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import rl
from lrcore.widgets.q_learning import SCHEDULE_KINDS, QLearningExplorer, checkpoints


def reference(alpha, omega, sweeps, seed):
    model = rl.frozen_lake_model()
    q_star = rl.value_iteration(model, 0.99)
    marks = checkpoints(sweeps)
    history = rl.synchronous_q_learning(model, rl.StepSize(alpha, omega), sweeps, 0.99, seed)
    errors, successes = rl.learning_curves(history[marks - 1], q_star, model)
    return marks, errors, successes


@pytest.mark.parametrize(("schedule", "alpha", "omega", "sweeps", "seed"), [
    ("1/n^ω", 1.0, 0.6, 400, 0),
    ("1/n^ω", 0.5, 1.0, 300, 3),
    ("constant α", 0.1, 0.7, 250, 1),
])
def test_sliders_drive_the_lines(schedule, alpha, omega, sweeps, seed):
    explorer = QLearningExplorer(sweeps=100)
    controls = explorer.controls
    controls["sweeps"].value, controls["seed"].value = sweeps, seed
    controls["omega"].value, controls["alpha"].value = omega, alpha
    controls["schedule"].value = schedule
    used_omega = 0.0 if schedule == SCHEDULE_KINDS[0] else omega
    marks, errors, successes = reference(alpha, used_omega, sweeps, seed)
    np.testing.assert_array_equal(explorer.error_line.get_xdata(), marks)
    np.testing.assert_allclose(explorer.error_line.get_ydata(), errors, rtol=1e-12)
    np.testing.assert_allclose(explorer.success_line.get_ydata(), successes, rtol=1e-12)
    np.testing.assert_allclose(explorer.alpha_line.get_ydata(),
                               rl.StepSize(alpha, used_omega).values(sweeps), rtol=1e-12)
    assert explorer.controls["omega"].disabled == (schedule == SCHEDULE_KINDS[0])
    assert rl.StepSize(alpha, used_omega).label in explorer.status.value


def test_comparison_lines_are_alpha_point_one_and_one_over_n():
    explorer = QLearningExplorer(sweeps=200, seed=2)
    for line, (alpha, omega) in zip(explorer.comparison_lines, [(0.1, 0.0), (1.0, 1.0)],
                                    strict=True):
        _, errors, _ = reference(alpha, omega, 200, 2)
        np.testing.assert_allclose(line.get_ydata(), errors, rtol=1e-12)


def test_status_names_the_robbins_monro_conditions():
    explorer = QLearningExplorer(omega=0.7, sweeps=100)
    assert "Robbins–Monro conditions hold" in explorer.status.value
    explorer.controls["omega"].value = 0.4
    assert "Σα² = ∞" in explorer.status.value
    explorer.controls["schedule"].value = "constant α"
    assert "noise floor" in explorer.status.value


def test_step_size_slider_is_logarithmic_and_schedule_is_validated():
    explorer = QLearningExplorer(sweeps=100)
    assert type(explorer.controls["alpha"]).__name__ == "FloatLogSlider"
    with pytest.raises(ValueError, match="schedule"):
        QLearningExplorer(schedule="cosine")


def test_curves_are_lrcores_learning_curves_exactly():
    """Success probabilities are computed once per greedy policy: the same numbers."""
    explorer = QLearningExplorer(schedule="1/n^ω", alpha=0.5, omega=0.8, sweeps=700, seed=4)
    marks, errors, successes = reference(0.5, 0.8, 700, 4)
    np.testing.assert_array_equal(explorer.error_line.get_ydata(), errors)
    np.testing.assert_array_equal(explorer.success_line.get_ydata(), successes)


def test_a_setting_seen_once_is_not_run_again():
    explorer = QLearningExplorer(sweeps=300)
    computed = explorer.results.computed
    explorer.controls["seed"].value = 3
    explorer.controls["seed"].value = 0
    assert explorer.results.computed == computed + 1
