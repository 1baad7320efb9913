"""The quadratic explorer's scheduler selector: its lines are lrcore's schedules and runs."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import quadratic
from lrcore import schedules as S
from lrcore.widgets.quadratic import SCHEDULES, QuadraticExplorer

# (schedule, slider values, the lrcore schedule those values mean)
CASES = {
    "constant": ({}, lambda lr, steps: S.constant_lr(lr, factor=1.0, total_iters=0)),
    "step": ({"step_size": 3, "step_gamma": 0.5},
             lambda lr, steps: S.step_lr(lr, step_size=3, gamma=0.5)),
    "exponential": ({"exp_gamma": 0.8}, lambda lr, steps: S.exponential_lr(lr, gamma=0.8)),
    "cosine": ({"T_max": 12, "eta_min_ratio": 0.25},
               lambda lr, steps: S.cosine_annealing_lr(lr, T_max=12, eta_min=0.25 * lr)),
    "warmup": ({"warmup_steps": 4, "start_factor": 0.2, "then": "constant"},
               lambda lr, steps: S.linear_lr(lr, start_factor=0.2, end_factor=1.0,
                                             total_iters=4)),
    "cyclic": ({"base_lr": 0.02, "step_size_up": 4, "cycle_momentum": False},
               lambda lr, steps: S.cyclic_lr(0.02, lr, step_size_up=4, cycle_momentum=False)),
    "one_cycle": ({"pct_start": 0.25, "div_factor": 10.0, "cycle_momentum": False},
                  lambda lr, steps: S.one_cycle_lr(lr, total_steps=steps, pct_start=0.25,
                                                   div_factor=10.0, cycle_momentum=False)),
}


def configure(explorer: QuadraticExplorer, **values) -> None:
    for name, value in values.items():
        explorer.controls[name].value = value


def test_every_offered_schedule_is_tested():
    assert set(CASES) == set(SCHEDULES)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize(("lr", "x0", "a", "steps"),
                         [(0.3, 500.0, 1.0, 20), (0.07, -40.0, 4.0, 33)])
def test_schedule_lines_are_lrcores_schedule_and_run(name, lr, x0, a, steps):
    explorer = QuadraticExplorer()
    parameters, reference = CASES[name]
    configure(explorer, schedule=name, **parameters)
    configure(explorer, a=a, x0=x0, steps=steps, lr=lr)
    lr = explorer.controls["lr"].value  # the log slider rounds to its step
    lrs = reference(lr, steps).values(steps)

    np.testing.assert_array_equal(explorer.lr_line.get_ydata(), np.append(lrs, lrs[-1]))
    np.testing.assert_array_equal(explorer.lr_line.get_xdata(), np.arange(steps + 1))
    expected = np.concatenate(([x0], quadratic.gradient_descent(lrs, steps, x0, a)))
    np.testing.assert_allclose(explorer.trajectory_line.get_xdata(), expected, rtol=1e-12)
    np.testing.assert_allclose(explorer.x_line.get_ydata(), np.abs(expected), rtol=1e-12)
    assert not explorer.momentum_line.get_visible()
    # The float32 torch run of the exercise, with the same lrcore schedule, agrees too.
    torch_x, torch_lrs = quadratic.optimize(lr, steps, x0, scheduler=explorer.schedule, a=a)
    np.testing.assert_allclose(torch_lrs, lrs, rtol=1e-12)
    np.testing.assert_allclose(explorer.trajectory_line.get_xdata()[1:], torch_x, rtol=1e-4,
                               atol=1e-4 * abs(x0))


@pytest.mark.parametrize(("name", "parameters", "reference"), [
    ("cyclic", {"base_lr": 0.05, "step_size_up": 5},
     lambda lr, steps: S.cyclic_lr(0.05, lr, step_size_up=5)),
    ("one_cycle", {"pct_start": 0.3, "div_factor": 25.0},
     lambda lr, steps: S.one_cycle_lr(lr, total_steps=steps)),
])
@pytest.mark.parametrize(("lr", "steps"), [(0.4, 20), (1.0, 20), (0.2, 45)])
def test_cycled_momentum_is_torchs_sgd_with_momentum(name, parameters, reference, lr, steps):
    explorer = QuadraticExplorer(x0=500.0, steps=steps, schedule=name)
    configure(explorer, cycle_momentum=True, **parameters)
    explorer.controls["lr"].value = lr
    lr = explorer.controls["lr"].value
    schedule = reference(lr, steps)
    assert schedule.cycle_momentum

    torch_x, torch_lrs = quadratic.optimize(lr, steps, 500.0, scheduler=schedule)
    # float32 torch vs float64: equal to float32 rounding of the scale, |x0|·1e-6.
    np.testing.assert_allclose(explorer.trajectory_line.get_xdata()[1:], torch_x, rtol=1e-5,
                               atol=500.0 * 1e-6)
    momenta = schedule.momenta(steps)
    np.testing.assert_array_equal(explorer.momentum_line.get_ydata(),
                                  np.append(momenta, momenta[-1]))
    assert explorer.momentum_line.get_visible() and explorer.momentum_axes.get_visible()
    assert "momentum" in explorer.status.value
    # Momentum makes it a different run from the product formula.
    product = quadratic.gradient_descent(schedule.values(steps), steps, 500.0)
    assert not np.allclose(explorer.trajectory_line.get_xdata()[1:], product, rtol=1e-3)


def test_one_cycle_on_x_squared_momentum_pitfall():
    """OneCycleLR(max_lr=1.0, total_steps=20) on x²: 218.0 with torch's momentum, 1.66e-7 not."""
    explorer = QuadraticExplorer(lr=1.0, x0=500.0, steps=20, schedule="one_cycle")
    assert explorer.trajectory_line.get_xdata()[-1] == pytest.approx(218.0, rel=1e-5)
    explorer.controls["cycle_momentum"].value = False
    schedule = S.one_cycle_lr(1.0, total_steps=20, cycle_momentum=False)
    final = explorer.trajectory_line.get_xdata()[-1]
    assert final == pytest.approx(quadratic.gradient_descent(schedule.values(20), 20, 500.0)[-1],
                                  rel=1e-12)
    # float32 torch: 1 − 2·lr cancels near lr = 0.5, so the tiny result agrees only to ~2%.
    assert final == pytest.approx(1.66e-7, rel=3e-2)
    assert not explorer.momentum_line.get_visible()
    assert "momentum" not in explorer.status.value


def test_diverging_schedule_is_clipped_and_announced():
    explorer = QuadraticExplorer(lr=3.0, x0=1000.0, steps=100, schedule="exponential")
    explorer.controls["exp_gamma"].value = 1.0
    assert np.all(np.isfinite(explorer.trajectory_line.get_xdata()))
    assert np.all(np.isfinite(explorer.x_line.get_ydata()))
    assert "clipped" in explorer.status.value
    explorer.controls["schedule"].value = "cosine"
    explorer.controls["T_max"].value = 5
    explorer.controls["lr"].value = 0.5
    assert "clipped" not in explorer.status.value


def test_the_selector_shows_only_the_chosen_schedules_sliders():
    explorer = QuadraticExplorer()
    assert explorer.parameter_box.children == ()
    explorer.controls["schedule"].value = "cosine"
    assert explorer.parameter_box.children == (explorer.controls["T_max"],
                                               explorer.controls["eta_min_ratio"])
    explorer.controls["schedule"].value = "one_cycle"
    assert explorer.controls["cycle_momentum"] in explorer.parameter_box.children


def test_warmup_then_cosine_is_lrcores_warmup():
    explorer = QuadraticExplorer(lr=0.4, steps=30, schedule="warmup")
    configure(explorer, warmup_steps=6, start_factor=0.1, then="cosine")
    lr = explorer.controls["lr"].value
    expected = S.warmup(S.cosine_annealing_lr(lr, T_max=24), 6, start_factor=0.1).values(30)
    np.testing.assert_array_equal(explorer.lr_line.get_ydata()[:-1], expected)


def test_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="schedule must be one of"):
        QuadraticExplorer(schedule="warm_restarts")
