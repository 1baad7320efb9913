"""constant_lr, step_lr, multi_step_lr, exponential_lr, linear_lr, polynomial_lr against torch,
past their horizons and in torch's edge cases: each case names its schedule once and lrcore
and torch are built from the same arguments (`assert_mirrors_torch`)."""

from __future__ import annotations

import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import assert_mirrors_torch, hypothesis_settings, torch_run

from lrcore.schedules import (
    exponential_lr,
    polynomial_lr,
)

SETTINGS = hypothesis_settings()
lrs = st.floats(1e-4, 10.0)
factors = st.floats(0.0, 1.0)
positive_factors = st.floats(1e-3, 1.0)


@pytest.mark.parametrize("lr", [0.1, 1.0, 3.7])
@pytest.mark.parametrize(
    ("factor", "total_iters"), [(1 / 3, 5), (0.5, 1), (1.0, 4), (0.1, 0), (0.7, -3)]
)
def test_constant_lr_matches_torch(lr: float, factor: float, total_iters: int) -> None:
    assert_mirrors_torch("constant_lr", lr, 3 * max(total_iters, 1) + 10,
                         factor=factor, total_iters=total_iters)


def test_constant_lr_zero_factor_divides_by_zero_like_torch() -> None:
    run = assert_mirrors_torch("constant_lr", 0.1, 6, factor=0.0, total_iters=3)
    assert isinstance(run.error, ZeroDivisionError) and len(run.lrs) == 3


@SETTINGS
@given(lr=lrs, factor=factors, total_iters=st.integers(-2, 40))
def test_constant_lr_random(lr: float, factor: float, total_iters: int) -> None:
    assert_mirrors_torch("constant_lr", lr, 2 * abs(total_iters) + 5,
                         factor=factor, total_iters=total_iters)


@pytest.mark.parametrize(
    ("step_size", "gamma"), [(1, 0.5), (3, 0.1), (7, 0.93), (30, 0.1), (-3, 0.5), (2.5, 0.5)]
)
def test_step_lr_matches_torch(step_size: float, gamma: float) -> None:
    assert_mirrors_torch("step_lr", 0.1, 400, step_size=step_size, gamma=gamma)


def test_step_lr_zero_step_size_raises_at_step_1_like_torch() -> None:
    run = assert_mirrors_torch("step_lr", 0.1, 5, step_size=0)
    assert isinstance(run.error, ZeroDivisionError) and len(run.lrs) == 1


@SETTINGS
@given(lr=lrs, step_size=st.integers(1, 50), gamma=st.floats(0.0, 1.5))
def test_step_lr_random(lr: float, step_size: int, gamma: float) -> None:
    assert_mirrors_torch("step_lr", lr, 20 * step_size, step_size=step_size, gamma=gamma)


@pytest.mark.parametrize(
    "milestones",
    [[], [5], [2, 5, 9], [3, 3, 3], [9, 2, 5], [0, 4], [-2, 4, 4, 7], [2.0, 6.5, 8]],
)
def test_multi_step_lr_matches_torch(milestones: list[float]) -> None:
    assert_mirrors_torch("multi_step_lr", 0.5, 30, milestones=milestones, gamma=0.3)


@SETTINGS
@given(
    lr=lrs,
    milestones=st.lists(st.integers(0, 200), max_size=12),
    gamma=st.floats(0.01, 1.2),
)
def test_multi_step_lr_random_with_duplicates(
    lr: float, milestones: list[int], gamma: float
) -> None:
    assert_mirrors_torch("multi_step_lr", lr, 260, milestones=milestones, gamma=gamma)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.999, 1.0, 1.001])
def test_exponential_lr_matches_torch_over_thousands_of_steps(gamma: float) -> None:
    # torch multiplies 3000 times; lrcore replays the same products (no gamma**t drift).
    assert_mirrors_torch("exponential_lr", 0.8, 3000, gamma=gamma)


@SETTINGS
@given(lr=lrs, gamma=st.floats(0.5, 1.01))
def test_exponential_lr_random(lr: float, gamma: float) -> None:
    assert_mirrors_torch("exponential_lr", lr, 700, gamma=gamma)


@pytest.mark.parametrize(
    ("start_factor", "end_factor", "total_iters"),
    [(1 / 3, 1.0, 5), (0.1, 1.0, 100), (1.0, 0.0, 10), (0.5, 0.5, 7), (0.2, 0.9, 1), (0.3, 1.0, 0)],
)
def test_linear_lr_matches_torch(start_factor: float, end_factor: float, total_iters: int) -> None:
    assert_mirrors_torch("linear_lr", 0.2, 2 * total_iters + 10, start_factor=start_factor,
                         end_factor=end_factor, total_iters=total_iters)


@SETTINGS
@given(
    lr=lrs,
    start_factor=positive_factors,
    end_factor=factors,
    total_iters=st.integers(-3, 300),
)
def test_linear_lr_random(
    lr: float, start_factor: float, end_factor: float, total_iters: int
) -> None:
    assert_mirrors_torch("linear_lr", lr, abs(total_iters) + 20, start_factor=start_factor,
                         end_factor=end_factor, total_iters=total_iters)


@pytest.mark.parametrize(
    ("total_iters", "power"),
    [(5, 1.0), (10, 2.0), (10, 0.5), (50, 0.9), (7, 0.0), (0, 1.0), (-4, 2.0)],
)
def test_polynomial_lr_matches_torch(total_iters: int, power: float) -> None:
    assert_mirrors_torch("polynomial_lr", 0.05, 2 * abs(total_iters) + 10,
                         total_iters=total_iters, power=power)


def test_polynomial_lr_negative_power_raises_at_total_iters_like_torch() -> None:
    run = assert_mirrors_torch("polynomial_lr", 0.05, 8, total_iters=4, power=-1.0)
    assert isinstance(run.error, ZeroDivisionError) and len(run.lrs) == 4


@SETTINGS
@given(lr=lrs, total_iters=st.integers(1, 300), power=st.floats(0.0, 4.0))
def test_polynomial_lr_random(lr: float, total_iters: int, power: float) -> None:
    assert_mirrors_torch("polynomial_lr", lr, total_iters + 20, total_iters=total_iters,
                         power=power)


def test_polynomial_lr_reaches_exactly_zero_and_stays() -> None:
    values = polynomial_lr(0.05, 10, 2.0).values(30)
    assert values[9] > 0 and (values[10:] == 0.0).all()


def test_decays_are_torch_recursions_not_closed_forms() -> None:
    """torch multiplies the current lr; the closed form lr·γ^t differs in the last bits —
    lrcore returns torch's values exactly."""
    run = torch_run(lambda opt: tl.ExponentialLR(opt, gamma=0.99), 0.1, 2000)
    assert (exponential_lr(0.1, 0.99).values(2000) == run.lrs).all()
