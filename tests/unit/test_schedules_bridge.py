"""to_torch drives a real optimizer with lrcore schedules; the order of the step() calls."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as tl
from torch_reference import assert_close, current_momentum, make_optimizer, torch_run

import lrcore.schedules as S

CATALOGUE: dict[str, Callable[[], S.Schedule]] = {
    "step": lambda: S.step_lr(0.1, 3, 0.5),
    "exponential": lambda: S.exponential_lr(0.1, 0.97),
    "cosine η_min ≠ 0": lambda: S.cosine_annealing_lr(0.1, 9, 0.01),
    "warm restarts": lambda: S.cosine_annealing_warm_restarts(0.1, 4, 2),
    "cyclic": lambda: S.cyclic_lr(0.01, 0.1, 5, mode="triangular2"),
    "one-cycle": lambda: S.one_cycle_lr(0.5, total_steps=60, three_phase=True),
    "lambda": lambda: S.lambda_lr(0.1, lambda t: 1 / (1 + t)),
    "warmup": lambda: S.warmup(S.cosine_annealing_lr(0.1, 20), 5),
    "chained": lambda: S.chained_scheduler([S.linear_lr(0.1), S.exponential_lr(0.1, 0.9)]),
}


def drive(
    schedule: S.Schedule, n: int, optimizer: str = "sgd", order: str = "right"
) -> tuple[np.ndarray, np.ndarray]:
    """lrs and momenta an optimizer really uses when to_torch(schedule) drives it."""
    opt = make_optimizer(123.0, optimizer, momentum=0.5)  # the schedule overrides the lr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = S.to_torch(schedule, opt)
        lrs, momenta = [], []
        for _ in range(n):
            if order == "wrong":
                scheduler.step()
            lrs.append(opt.param_groups[0]["lr"])
            momenta.append(current_momentum(opt))
            opt.step()
            if order == "right":
                scheduler.step()
    return np.array(lrs), np.array(momenta)


@pytest.mark.parametrize("name", CATALOGUE)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_to_torch_sets_the_schedule_lrs_and_momenta(name: str, optimizer: str) -> None:
    schedule = CATALOGUE[name]()
    lrs, momenta = drive(schedule, 60, optimizer)
    assert np.array_equal(lrs, schedule.values(60))
    if schedule.cycle_momentum:
        assert np.array_equal(momenta, schedule.momenta(60))
    else:
        assert (momenta == (0.5 if optimizer == "sgd" else 0.9)).all()  # left alone


def test_to_torch_returns_a_real_lr_scheduler_with_absolute_lrs() -> None:
    opt = make_optimizer(7.0)
    scheduler = S.to_torch(S.exponential_lr(0.1, 0.5), opt)
    assert isinstance(scheduler, tl.LRScheduler)
    assert scheduler.get_last_lr() == [0.1] and opt.param_groups[0]["lr"] == 0.1
    opt.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05]
    assert "ScheduleLR" in repr(scheduler) and isinstance(scheduler.state_dict(), dict)


def x_squared_trajectory(make: Callable[[torch.optim.Optimizer], Any]) -> list[float]:
    """The opening exercise: SGD on f(x) = x² from x0 = 500 (float32), 20 steps."""
    x = torch.tensor(500.0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=1.0)
    scheduler = make(optimizer)
    trajectory = []
    for _ in range(20):
        optimizer.zero_grad()
        (x**2).backward()
        optimizer.step()
        scheduler.step()
        trajectory.append(x.item())
    return trajectory


@pytest.mark.parametrize("cycle_momentum", [True, False])
def test_to_torch_reproduces_one_cycle_on_x_squared(cycle_momentum: bool) -> None:
    native = x_squared_trajectory(
        lambda opt: tl.OneCycleLR(opt, max_lr=1.0, total_steps=20, cycle_momentum=cycle_momentum)
    )
    ours = x_squared_trajectory(
        lambda opt: S.to_torch(
            S.one_cycle_lr(1.0, total_steps=20, cycle_momentum=cycle_momentum), opt
        )
    )
    assert ours == native
    # The reference facts: 218.0 with momentum cycling, ~1.66e-7 without.
    assert ours[-1] == pytest.approx(218.0 if cycle_momentum else 1.66e-7, rel=1e-2)


def test_to_torch_refuses_momentum_cycling_without_momentum_like_torch() -> None:
    with pytest.raises(ValueError) as theirs:
        tl.CyclicLR(make_optimizer(0.1, "adagrad"), 0.01, 0.1)
    with pytest.raises(ValueError) as ours:
        S.to_torch(S.cyclic_lr(0.01, 0.1), make_optimizer(0.1, "adagrad"))
    assert str(ours.value) == str(theirs.value)
    S.to_torch(S.cyclic_lr(0.01, 0.1, cycle_momentum=False), make_optimizer(0.1, "adagrad"))


@pytest.mark.parametrize("total_steps", [5, 3000])
def test_to_torch_one_cycle_refuses_to_step_past_total_steps_like_torch(total_steps: int) -> None:
    schedule = S.one_cycle_lr(1.0, total_steps=total_steps)
    opt = make_optimizer(0.1)
    scheduler = S.to_torch(schedule, opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(total_steps):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == schedule.values(total_steps + 1).tolist()
    opt.step()
    with pytest.raises(ValueError, match=f"Tried to step {total_steps + 1} times"):
        scheduler.step()


def test_to_torch_sets_every_param_group() -> None:
    a = torch.nn.Parameter(torch.zeros(1))
    b = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [a], "lr": 1.0}, {"params": [b], "lr": 2.0}], lr=3.0)
    scheduler = S.to_torch(S.step_lr(0.1, 1, 0.5), opt)
    opt.step()
    scheduler.step()
    assert [group["lr"] for group in opt.param_groups] == [0.05, 0.05]


def test_to_torch_plateau_is_torchs_reduce_lr_on_plateau() -> None:
    opt = make_optimizer(9.0)
    ours = S.reduce_lr_on_plateau(0.1, factor=0.5, patience=1, cooldown=1, min_lr=0.01)
    scheduler = S.to_torch(ours, opt)
    assert isinstance(scheduler, tl.ReduceLROnPlateau) and opt.param_groups[0]["lr"] == 0.1
    for metric in [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 0.5, 0.7, 0.7, 0.7]:
        scheduler.step(metric)
        assert opt.param_groups[0]["lr"] == ours.step(metric)


def test_to_torch_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="lrcore schedule"):
        S.to_torch(lambda t: 0.1, make_optimizer(0.1))  # type: ignore[arg-type]


ORDER_CASES: dict[str, tuple[S.Schedule, Callable[[Any], Any]]] = {
    "step": (S.step_lr(0.1, 2, 0.5), lambda o: tl.StepLR(o, 2, 0.5)),
    "cosine": (S.cosine_annealing_lr(0.1, 6, 0.01), lambda o: tl.CosineAnnealingLR(o, 6, 0.01)),
    "linear": (S.linear_lr(0.1, 0.25, 1.0, 4), lambda o: tl.LinearLR(o, 0.25, 1.0, 4)),
    "cyclic": (S.cyclic_lr(0.01, 0.1, 3), lambda o: tl.CyclicLR(o, 0.01, 0.1, 3)),
}


@pytest.mark.parametrize("case", ORDER_CASES)
def test_scheduler_step_before_optimizer_step_skips_the_first_value(case: str) -> None:
    """Calling scheduler.step() before optimizer.step() (torch warns) makes optimizer step t
    use s(t + 1): the first value of the schedule is never used."""
    schedule, make = ORDER_CASES[case]
    wrong = torch_run(make, 0.1, 20, order="wrong")
    assert wrong.error is None
    assert_close(wrong.lrs, schedule.values(21)[1:])
    if schedule.cycle_momentum:
        assert_close(wrong.momenta, schedule.momenta(21)[1:])
    assert not np.array_equal(wrong.lrs, schedule.values(20))
    # The bridge behaves the same way (it is a torch scheduler).
    lrs, _ = drive(schedule, 20, order="wrong")
    assert np.array_equal(lrs, schedule.values(21)[1:])


def test_torch_warns_about_the_wrong_order() -> None:
    opt = make_optimizer(0.1)
    scheduler = tl.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
