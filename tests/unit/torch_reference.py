"""The torch side of the schedule tests, written once: what torch's schedulers actually do.

`torch_lrs(make, lr, n)` builds an SGD (or Adam) on one float64 parameter whose lr is the
Python float `lr`, builds the scheduler with `make(optimizer)`, then steps in the right
order — `optimizer.step(); scheduler.step()` — recording `get_last_lr()[0]` (and the
momentum / β₁ torch leaves in the param group) before every optimizer step.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch
from hypothesis import settings

MakeScheduler = Callable[[torch.optim.Optimizer], Any]


def hypothesis_settings(max_examples: int = 50) -> settings:
    """Moderate, reproducible property tests: the same examples on every run (a failure is a
    real disagreement with torch, never a flake); no deadline (torch's first calls are slow).
    LRCORE_RANDOM_EXAMPLES=1 explores fresh random examples instead."""
    explore = os.environ.get("LRCORE_RANDOM_EXAMPLES") == "1"
    return settings(max_examples=max_examples, deadline=None, derandomize=not explore)


@dataclass
class TorchRun:
    """What torch did: the lr and momentum of each optimizer step, and the error (if any)
    raised by the scheduler step that would have given the next one."""

    lrs: np.ndarray
    momenta: np.ndarray
    error: BaseException | None


def make_optimizer(
    lr: float, optimizer: Literal["sgd", "adam", "adagrad"] = "sgd", momentum: float = 0.0
) -> torch.optim.Optimizer:
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    if optimizer == "adam":
        return torch.optim.Adam([parameter], lr=lr)
    if optimizer == "adagrad":
        return torch.optim.Adagrad([parameter], lr=lr)
    return torch.optim.SGD([parameter], lr=lr, momentum=momentum)


def current_momentum(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    return float(group["betas"][0]) if "betas" in group else float(group.get("momentum", 0.0))


def torch_run(
    make: MakeScheduler,
    lr: float,
    n: int,
    *,
    optimizer: Literal["sgd", "adam", "adagrad"] = "sgd",
    momentum: float = 0.0,
    order: Literal["right", "wrong"] = "right",
) -> TorchRun:
    """Step torch's scheduler to collect the lrs of n optimizer steps (fewer if it raises).

    order="wrong" calls `scheduler.step()` *before* `optimizer.step()`, the classic mistake;
    the lr recorded is then the one the optimizer really used at each step.
    """
    opt = make_optimizer(lr, optimizer, momentum)
    lrs: list[float] = []
    momenta: list[float] = []
    error: BaseException | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's order-of-calls warning is expected here
        scheduler = make(opt)
        try:
            for step in range(n):
                if order == "wrong":
                    scheduler.step()
                used = float(opt.param_groups[0]["lr"])
                if order == "right":
                    # What the tests compare with: torch's own report, the group's lr.
                    reported = float(scheduler.get_last_lr()[0])
                    assert reported == used or (math.isnan(reported) and math.isnan(used)), (
                        f"get_last_lr {reported} != group lr {used}"
                    )
                lrs.append(used)
                momenta.append(current_momentum(opt))
                opt.step()
                if order == "right" and step < n - 1:
                    scheduler.step()
        except (ValueError, ArithmeticError, NotImplementedError) as raised:
            error = raised
    return TorchRun(np.array(lrs, dtype=np.float64), np.array(momenta, dtype=np.float64), error)


def torch_lrs(make: MakeScheduler, lr: float, n: int, **options: Any) -> np.ndarray:
    """The lrs of n optimizer steps; re-raises the scheduler's error if it stopped early."""
    run = torch_run(make, lr, n, **options)
    if run.error is not None:
        raise run.error
    return run.lrs


def first_error(make: MakeScheduler, lr: float, n: int) -> tuple[int, BaseException | None]:
    """(number of lrs torch produced, the error that stopped it) within n optimizer steps."""
    run = torch_run(make, lr, n)
    return len(run.lrs), run.error


def assert_close(actual: np.ndarray, expected: np.ndarray, tolerance: float = 1e-12) -> None:
    """Max absolute difference ≤ tolerance, with a message naming the first bad step."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shapes differ: {actual.shape} vs {expected.shape}"
    with np.errstate(invalid="ignore"):
        difference = np.abs(actual - expected)
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))  # inf == inf too
    difference[same] = 0.0
    if difference.size and not (difference <= tolerance).all():
        step = int(np.argmax(~(difference <= tolerance)))
        raise AssertionError(
            f"step {step}: lrcore gives {actual[step]!r}, torch {expected[step]!r} "
            f"(max |difference| {np.nanmax(difference):.3g} > {tolerance:g})"
        )


def assert_matches_torch(
    schedule: Any,
    make: MakeScheduler,
    lr: float,
    n: int,
    *,
    tolerance: float = 1e-12,
    check_momenta: bool = False,
    **options: Any,
) -> TorchRun:
    """lrcore's `schedule.values(n)` equals torch's n lrs (≤ tolerance). Where torch's
    scheduler raises before n steps, lrcore matches it up to there and raises the same
    exception type for the first step torch refused."""
    run = torch_run(make, lr, n, **options)
    produced = len(run.lrs)
    assert_close(schedule.values(produced), run.lrs, tolerance)
    if check_momenta:
        momenta = schedule.momenta(produced)
        assert momenta is not None, "the schedule should cycle momentum"
        assert_close(momenta, run.momenta, tolerance)
    if run.error is not None:
        try:
            schedule(produced)
        except type(run.error):
            pass
        else:
            raise AssertionError(
                f"torch raised {run.error!r} at step {produced}; lrcore gave a value"
            )
    return run


def torch_scheduler_name(function: str) -> str:
    """torch's scheduler class for an lrcore schedule function: its name in CamelCase with
    `lr` as `LR` (`step_lr` → `StepLR`, `cosine_annealing_warm_restarts` →
    `CosineAnnealingWarmRestarts`)."""
    return "".join("LR" if part == "lr" else part.capitalize() for part in function.split("_"))


def assert_mirrors_torch(function: str, lr: float, n: int, **arguments: Any) -> TorchRun:
    """`assert_matches_torch` for a schedule lrcore mirrors name for name and argument for
    argument: `lrcore.schedules.<function>(lr, **arguments)` against
    `torch.optim.lr_scheduler.<torch_scheduler_name(function)>(optimizer, **arguments)` over
    n steps — the case names its scheduler and writes its arguments once."""
    import torch.optim.lr_scheduler as torch_schedulers

    import lrcore.schedules

    scheduler = getattr(torch_schedulers, torch_scheduler_name(function))
    return assert_matches_torch(getattr(lrcore.schedules, function)(lr, **arguments),
                                lambda optimizer: scheduler(optimizer, **arguments), lr, n)
