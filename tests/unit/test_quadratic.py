"""lrcore.quadratic: the published values, the closed form, the stability bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcore import quadratic


@pytest.mark.parametrize(("lr", "expected"), [(1.05, 3363.744384765625), (0.1, 5.764606952667236)])
def test_published_results_are_reproduced_exactly(lr, expected):
    x_history, lr_history = quadratic.optimize(initial_lr=lr, num_iterations=20, x0=500.0)
    assert x_history[-1] == expected
    assert len(x_history) == len(lr_history) == 20
    assert lr_history == [lr] * 20


def test_defaults_are_the_exercise():
    assert quadratic.optimize()[0][-1] == 3363.744384765625


def test_integer_x0_is_accepted():
    assert quadratic.optimize(0.1, 20, 500) == quadratic.optimize(0.1, 20, 500.0)


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(0.0, 1.2),
    n=st.integers(0, 30),
    x0=st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-3),
    a=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_float32_torch_run_agrees_with_float64_closed_form(lr, n, x0, a):
    xs, _ = quadratic.optimize(lr, n, x0, a=a)
    closed = quadratic.closed_form_trajectory(lr, n, x0, a)
    by_hand = quadratic.gradient_descent(lr, n, x0, a)
    # Rounding errors are relative to the largest magnitude so far (cancellation near
    # lr = 1/(2a) makes them large relative to x itself): float64 ~1e-16, float32 ~6e-8 per step.
    scale = np.maximum.accumulate(np.abs(np.concatenate(([x0], closed))))[1:]
    assert np.all(np.abs(by_hand - closed) <= 1e-14 * (n + 1) * scale + 1e-300)
    assert np.all(np.abs(np.asarray(xs) - closed) <= 1e-6 * (n + 1) * scale + 1e-30)


def test_lrcore_schedule_and_torch_factory_give_identical_runs():
    from lrcore.schedules import step_lr

    factory_run = quadratic.optimize(
        1.05, 20, 500.0, scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)
    )
    schedule_run = quadratic.optimize(1.05, 20, 500.0, scheduler=step_lr(lr=1.05, step_size=5,
                                                                          gamma=0.5))
    assert factory_run == schedule_run
    assert factory_run[1][:6] == [1.05] * 5 + [0.525]


def test_cycling_momentum_of_a_schedule_is_applied_like_torch():
    """OneCycleLR switches momentum on in plain SGD (REFERENCE: x ends at 218.0)."""
    from lrcore.schedules import one_cycle_lr

    torch_run = quadratic.optimize(
        1.0, 20, 500.0, scheduler=lambda opt: torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=1.0, total_steps=20)
    )
    lrcore_run = quadratic.optimize(1.0, 20, 500.0,
                                    scheduler=one_cycle_lr(max_lr=1.0, total_steps=20))
    assert torch_run == lrcore_run
    assert round(torch_run[0][-1], 1) == 218.0


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="num_iterations"):
        quadratic.optimize(0.1, -1, 1.0)
    with pytest.raises(ValueError, match="x0"):
        quadratic.optimize(0.1, 3, float("nan"))
    with pytest.raises(TypeError, match="scheduler"):
        quadratic.optimize(0.1, 3, 1.0, scheduler=42)
    with pytest.raises(ValueError, match="a > 0"):
        quadratic.stability_bound(0.0)


@pytest.mark.parametrize(
    ("lr", "regime"),
    [(0.1, "monotone convergence"), (0.5, "one step"), (0.9, "oscillating convergence"),
     (1.0, "oscillates forever"), (1.05, "divergence"), (-0.1, "divergence"), (0.0, "stuck")],
)
def test_regimes_of_a_constant_lr(lr, regime):
    assert quadratic.classify_lr(lr) == regime


def test_regimes_match_simulated_behaviour():
    for lr in np.linspace(0.01, 1.2, 60):
        final = abs(quadratic.gradient_descent(lr, 200, 1.0)[-1])
        assert (final < 1.0) == (lr < quadratic.stability_bound(1.0))


@pytest.mark.parametrize(("lr", "other"), [(0.1, 0.9), (0.3, 0.7), (0.45, 0.55)])
def test_mirror_learning_rates_have_the_same_magnitude(lr, other):
    assert math.isclose(abs(quadratic.contraction_factor(lr)),
                        abs(quadratic.contraction_factor(other)))


@settings(max_examples=80, deadline=None)
@given(lr=st.floats(0.001, 0.999), x0=st.floats(1e-2, 1e6), tol=st.floats(1e-6, 1.0))
def test_iterations_to_tolerance_matches_the_logarithm(lr, x0, tol):
    steps = quadratic.iterations_to_tolerance(lr, x0, tol)
    q = abs(1 - 2 * lr)
    if x0 < tol:
        assert steps == 0
        return
    assert steps is not None
    assert abs(x0) * q**steps < tol * (1 + 1e-9)
    assert abs(x0) * q ** (steps - 1) >= tol * (1 - 1e-9)
