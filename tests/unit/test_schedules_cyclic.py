"""cyclic_lr and one_cycle_lr against torch: lrs, momenta (SGD momentum / Adam β₁), the
cycle_momentum switch, and one-cycle's refusal to step past total_steps."""

from __future__ import annotations

import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import assert_matches_torch, hypothesis_settings, torch_run

from lrcore.schedules import cyclic_lr, one_cycle_lr

SETTINGS = hypothesis_settings(40)


def halving(x: float) -> float:
    return 1 / (2.0 ** (x - 1))


def decaying(x: float) -> float:
    return 1 / (1 + 0.01 * x)


CYCLIC_CASES = [
    {"step_size_up": 5},
    {"step_size_up": 4, "step_size_down": 9},
    {"step_size_up": 1, "step_size_down": 1},
    {"step_size_up": 7, "step_size_down": 0},  # a saw tooth: never falls
    {"step_size_up": 6, "mode": "triangular2"},
    {"step_size_up": 3, "step_size_down": 8, "mode": "exp_range", "gamma": 0.99},
    {"step_size_up": 5, "scale_fn": halving},  # custom, per cycle
    {"step_size_up": 5, "scale_fn": decaying, "scale_mode": "iterations"},
    {"step_size_up": 5, "scale_fn": decaying, "scale_mode": "anything"},  # = iterations
    {"step_size_up": 5, "mode": "triangular", "scale_mode": "iterations"},  # ignored
    {"step_size_up": 2000},  # torch's default
]


@pytest.mark.parametrize("options", CYCLIC_CASES)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_cyclic_lr_and_momenta_match_torch(options: dict[str, object], optimizer: str) -> None:
    assert_matches_torch(
        cyclic_lr(0.01, 0.1, **options),  # type: ignore[arg-type]
        lambda opt: tl.CyclicLR(opt, base_lr=0.01, max_lr=0.1, **options),
        0.5,  # overridden by base_lr, as in torch
        300,
        optimizer=optimizer,
        momentum=0.5,
        check_momenta=True,
    )


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adagrad"])
def test_cyclic_lr_without_momentum_cycling(optimizer: str) -> None:
    schedule = cyclic_lr(0.01, 0.1, step_size_up=4, cycle_momentum=False)
    run = assert_matches_torch(
        schedule,
        lambda opt: tl.CyclicLR(opt, 0.01, 0.1, step_size_up=4, cycle_momentum=False),
        0.5,
        50,
        optimizer=optimizer,
        momentum=0.3,
    )
    assert not schedule.cycle_momentum
    assert schedule.momenta(10) is None and schedule.momentum(3) is None
    assert len(set(run.momenta.tolist())) == 1  # torch left the momentum alone


def test_cyclic_lr_switches_momentum_on_in_plain_sgd() -> None:
    """The classic pitfall: SGD without momentum gets momentum 0.9 at step 0."""
    run = torch_run(lambda opt: tl.CyclicLR(opt, 0.01, 0.1, step_size_up=4), 0.5, 3)
    assert run.momenta[0] == 0.9 == cyclic_lr(0.01, 0.1, step_size_up=4).momentum(0)


@SETTINGS
@given(
    base_lr=st.floats(1e-4, 1.0),
    height=st.floats(0.0, 2.0),
    up=st.integers(1, 40),
    down=st.one_of(st.none(), st.integers(0, 40)),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
    momenta=st.tuples(st.floats(0.5, 0.9), st.floats(0.0, 0.1)),
)
def test_cyclic_lr_random(
    base_lr: float,
    height: float,
    up: int,
    down: int | None,
    mode: str,
    gamma: float,
    momenta: tuple[float, float],
) -> None:
    base_momentum, spread = momenta
    options = {
        "step_size_up": up,
        "step_size_down": down,
        "mode": mode,
        "gamma": gamma,
        "base_momentum": base_momentum,
        "max_momentum": base_momentum + spread,
    }
    assert_matches_torch(
        cyclic_lr(base_lr, base_lr + height, **options),  # type: ignore[arg-type]
        lambda opt: tl.CyclicLR(opt, base_lr, base_lr + height, **options),
        0.1,
        400,
        check_momenta=True,
    )


def test_cyclic_lr_step_size_up_zero_divides_by_zero_in_the_constructor() -> None:
    with pytest.raises(ZeroDivisionError):
        torch_run(lambda opt: tl.CyclicLR(opt, 0.01, 0.1, step_size_up=0), 0.1, 2)
    with pytest.raises(ZeroDivisionError):
        cyclic_lr(0.01, 0.1, step_size_up=0)


def test_triangular2_overflows_after_1024_cycles_like_torch() -> None:
    make = lambda opt: tl.CyclicLR(  # noqa: E731
        opt, 0.1, 1.0, step_size_up=1, mode="triangular2", cycle_momentum=False
    )
    run = assert_matches_torch(
        cyclic_lr(0.1, 1.0, step_size_up=1, mode="triangular2", cycle_momentum=False),
        make,
        0.1,
        2060,
    )
    assert isinstance(run.error, OverflowError) and len(run.lrs) == 2048


ONE_CYCLE_CASES = [
    {"total_steps": 100},
    {"total_steps": 100, "anneal_strategy": "linear"},
    {"total_steps": 100, "three_phase": True},
    {"total_steps": 100, "three_phase": True, "anneal_strategy": "linear"},
    {"epochs": 7, "steps_per_epoch": 13, "pct_start": 0.25},
    {"total_steps": 20, "pct_start": 0.0},
    {"total_steps": 3},
    {"total_steps": 1},
    {"total_steps": 50, "div_factor": 10.0, "final_div_factor": 100.0},
    {"total_steps": 50, "base_momentum": 0.7, "max_momentum": 0.99},
]


@pytest.mark.parametrize("options", ONE_CYCLE_CASES)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_one_cycle_lr_and_momenta_match_torch_until_it_refuses(
    options: dict[str, object], optimizer: str
) -> None:
    schedule = one_cycle_lr(0.5, **options)  # type: ignore[arg-type]
    total = schedule.total_steps  # type: ignore[attr-defined]
    run = assert_matches_torch(
        schedule,
        lambda opt: tl.OneCycleLR(opt, max_lr=0.5, **options),
        0.1,
        total + 5,
        optimizer=optimizer,
        momentum=0.9,
        check_momenta=True,
    )
    # torch allows exactly total_steps scheduler steps: lrs for steps 0..total_steps, then the
    # (total_steps+1)-th step() raises.
    assert isinstance(run.error, ValueError) and len(run.lrs) == total + 1
    with pytest.raises(ValueError, match=f"Tried to step {total + 1} times"):
        schedule(total + 1)
    with pytest.raises(ValueError):
        schedule.values(total + 2)


def test_one_cycle_lr_ends_at_min_lr_and_refuses_step_total_plus_one() -> None:
    schedule = one_cycle_lr(2.0, total_steps=40, div_factor=20.0, final_div_factor=50.0)
    # cos anneal: end + (start − end)/2·(cos(0) + 1) rounds: not exactly max_lr/div_factor
    assert schedule(0) == pytest.approx(2.0 / 20.0, abs=1e-15)
    assert schedule(39) == pytest.approx(2.0 / 20.0 / 50.0, abs=1e-15)
    assert schedule(40) > schedule(39)  # torch's cosine turns back up at step total_steps
    with pytest.raises(ValueError, match="Tried to step 41 times. The specified number of"):
        schedule(41)


def test_one_cycle_lr_pct_start_one_divides_by_zero_at_total_steps_like_torch() -> None:
    run = assert_matches_torch(
        one_cycle_lr(1.0, total_steps=20, pct_start=1.0),
        lambda opt: tl.OneCycleLR(opt, 1.0, total_steps=20, pct_start=1.0),
        0.1,
        22,
        momentum=0.9,
        check_momenta=True,
    )
    assert isinstance(run.error, ZeroDivisionError) and len(run.lrs) == 20


def test_one_cycle_lr_without_momentum_cycling() -> None:
    schedule = one_cycle_lr(1.0, total_steps=30, cycle_momentum=False)
    run = assert_matches_torch(
        schedule,
        lambda opt: tl.OneCycleLR(opt, 1.0, total_steps=30, cycle_momentum=False),
        0.1,
        31,
        optimizer="adagrad",  # no momentum at all: fine without cycling
    )
    assert run.error is None and schedule.momenta(5) is None


@SETTINGS
@given(
    max_lr=st.floats(1e-3, 10.0),
    total_steps=st.integers(2, 400),
    pct_start=st.floats(0.05, 0.95),
    anneal_strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
)
def test_one_cycle_lr_random(
    max_lr: float, total_steps: int, pct_start: float, anneal_strategy: str, three_phase: bool
) -> None:
    options = {
        "total_steps": total_steps,
        "pct_start": pct_start,
        "anneal_strategy": anneal_strategy,
        "three_phase": three_phase,
    }
    try:
        schedule = one_cycle_lr(max_lr, **options)  # type: ignore[arg-type]
    except ZeroDivisionError:
        # pct_start·T = 1 (or 2·pct_start·T = 2 + …) divides by zero in torch's constructor.
        with pytest.raises(ZeroDivisionError):
            torch_run(lambda opt: tl.OneCycleLR(opt, max_lr, **options), 0.1, 1)
        return
    run = assert_matches_torch(
        schedule,
        lambda opt: tl.OneCycleLR(opt, max_lr, **options),
        0.1,
        total_steps + 2,
        momentum=0.9,
        check_momenta=True,
    )
    assert run.error is not None


def test_one_cycle_lr_zero_width_phase_divides_by_zero_like_torch() -> None:
    with pytest.raises(ZeroDivisionError):
        torch_run(lambda opt: tl.OneCycleLR(opt, 1.0, total_steps=10, pct_start=0.1), 0.1, 1)
    with pytest.raises(ZeroDivisionError):
        one_cycle_lr(1.0, total_steps=10, pct_start=0.1)
