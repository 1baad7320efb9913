"""cosine_annealing_lr (torch's periodic recursion, not clamped) and warm restarts vs torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import assert_close, assert_matches_torch, hypothesis_settings, torch_run

from lrcore.schedules import cosine_annealing_lr, cosine_annealing_warm_restarts

SETTINGS = hypothesis_settings()


@pytest.mark.parametrize(
    ("lr", "T_max", "eta_min", "n"),
    [
        (0.1, 10, 0.0, 100),  # five periods: down, up, down, …
        (0.1, 100, 0.0, 1000),
        (1.0, 1, 0.0, 50),  # T_max = 1 alternates lr, 0, lr, …
        (1.0, 1, 0.25, 50),
        (0.1, 2, 0.0, 10_000),  # 2500 periods of 4 steps
        (2.0, 3, 1.0, 2000),  # η_min ≠ 0, many periods: column-by-column recursion
        (2.0, 1000, 1.0, 5000),  # η_min ≠ 0, few periods: float loop (closed form is 2e-11 off)
        (1.0, 1000, 1.5, 4000),  # η_min > lr: the curve goes up first
        (0.5, 7, 0.1, 5000),
        (3.0, 2500, 0.01, 6000),
    ],
)
def test_cosine_annealing_lr_matches_torch_recursion_past_T_max(
    lr: float, T_max: int, eta_min: float, n: int
) -> None:
    run = assert_matches_torch(
        cosine_annealing_lr(lr, T_max, eta_min),
        lambda opt: tl.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min),
        lr,
        n,
    )
    assert run.error is None


def test_cosine_annealing_lr_is_periodic_not_clamped() -> None:
    values = cosine_annealing_lr(1.0, 10, 0.1).values(41)
    assert values[10] == pytest.approx(0.1) and values[20] == pytest.approx(1.0)
    assert values[15] > values[10]  # climbs back after T_max
    assert values[30] == pytest.approx(0.1) and values[40] == pytest.approx(1.0)


def test_closed_form_would_drift_but_lrcore_does_not() -> None:
    """With η_min ≠ 0 torch's recursion rounds (lr − η_min) at every step: the textbook
    closed form is ~1e-11 away after a few thousand steps, lrcore is not."""
    lr, T_max, eta_min, n = 2.0, 1000, 1.0, 5000
    torch_values = torch_run(lambda opt: tl.CosineAnnealingLR(opt, T_max, eta_min), lr, n).lrs
    t = np.arange(n)
    closed = eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2
    assert np.max(np.abs(closed - torch_values)) > 1e-12
    assert np.max(np.abs(cosine_annealing_lr(lr, T_max, eta_min).values(n) - torch_values)) <= 1e-12


@SETTINGS
@given(
    lr=st.floats(1e-4, 10.0),
    T_max=st.integers(1, 300),
    eta_min=st.one_of(st.just(0.0), st.floats(0.0, 1.0)),
    periods=st.floats(0.5, 5.0),
)
def test_cosine_annealing_lr_random(lr: float, T_max: int, eta_min: float, periods: float) -> None:
    assert_matches_torch(
        cosine_annealing_lr(lr, T_max, eta_min),
        lambda opt: tl.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min),
        lr,
        int(2 * T_max * periods) + 2,
    )


@pytest.mark.parametrize("T_max", [2.5, -4, 0.75])
def test_cosine_annealing_lr_odd_T_max_follows_torch_step_by_step(T_max: float) -> None:
    assert_matches_torch(
        cosine_annealing_lr(0.3, T_max, 0.05),
        lambda opt: tl.CosineAnnealingLR(opt, T_max=T_max, eta_min=0.05),
        0.3,
        200,
    )


def test_cosine_annealing_lr_T_max_zero_divides_by_zero_at_step_1_like_torch() -> None:
    run = assert_matches_torch(
        cosine_annealing_lr(0.3, 0), lambda opt: tl.CosineAnnealingLR(opt, T_max=0), 0.3, 5
    )
    assert isinstance(run.error, ZeroDivisionError) and len(run.lrs) == 1


def torch_get_lr_from(lr: float, T_max: int, eta_min: float, start: int, stop: int) -> float:
    """torch's CosineAnnealingLR.get_lr recursion (copied), run from step `start`, where
    the lr is exactly eta_min (start = (2k+1)·T_max), up to step `stop`."""
    value = eta_min
    for t in range(start + 1, stop + 1):
        if (t - 1 - T_max) % (2 * T_max) == 0:
            value = value + (lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
        else:
            value = (1 + math.cos(math.pi * t / T_max)) / (
                1 + math.cos(math.pi * (t - 1) / T_max)
            ) * (value - eta_min) + eta_min
    return value


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_far_steps_are_computed_from_their_own_period(eta_min: float) -> None:
    schedule = cosine_annealing_lr(0.1, 50, eta_min)
    dense = schedule.values(20_000)
    steps = np.array([19_999, 0, 7_777, 50, 51, 101, 7_777])
    assert np.array_equal(schedule.at(steps), dense[steps])
    # Step 10⁹ without 10⁹ steps: each period restarts exactly at η_min, so replaying torch's
    # recursion from the last period start gives torch's value.
    far = 10**9 + 37
    period_start = (far - 50) // 100 * 100 + 50
    assert schedule(far) == torch_get_lr_from(0.1, 50, eta_min, period_start, far)
    assert schedule(far) == pytest.approx(schedule(far % 100), rel=1e-5)  # cos(π·t/T) rounding


@pytest.mark.parametrize(
    ("T_0", "T_mult", "eta_min"), [(1, 1, 0.0), (10, 1, 0.001), (3, 2, 0.0), (2, 3, 0.05)]
)
def test_warm_restarts_matches_torch(T_0: int, T_mult: int, eta_min: float) -> None:
    assert_matches_torch(
        cosine_annealing_warm_restarts(0.2, T_0, T_mult, eta_min),
        lambda opt: tl.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min),
        0.2,
        1500,
    )


@SETTINGS
@given(
    lr=st.floats(1e-4, 10.0),
    T_0=st.integers(1, 60),
    T_mult=st.integers(1, 4),
    eta_min=st.floats(0.0, 0.1),
)
def test_warm_restarts_random(lr: float, T_0: int, T_mult: int, eta_min: float) -> None:
    assert_matches_torch(
        cosine_annealing_warm_restarts(lr, T_0, T_mult, eta_min),
        lambda opt: tl.CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min),
        lr,
        600,
    )


def test_warm_restarts_restart_at_lr() -> None:
    values = cosine_annealing_warm_restarts(0.5, T_0=4, T_mult=2).values(30)
    assert [t for t in range(30) if values[t] == 0.5] == [0, 4, 12, 28]


def test_warm_restarts_far_step() -> None:
    schedule = cosine_annealing_warm_restarts(0.5, T_0=3, T_mult=2)
    assert_close(schedule.at([10**6]), schedule.values(10**6 + 1)[-1:])
