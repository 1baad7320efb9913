"""How much faster is `schedule.values(1_000_000)` than stepping torch's scheduler 10⁶ times?

For every lrcore schedule: the best of 3 timings of `.values(1_000_000)`, its peak memory
(tracemalloc), and torch's time for 1,000,000 `scheduler.step()` + `get_last_lr()` calls —
extrapolated ×10 from 100,000 steps, as printed — plus the largest |difference| between the
two over those 100,000 steps (a sanity check; the tests prove equality). No assertions:
timings depend on the machine.

    python benchmarks/bench_schedules.py
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.optim.lr_scheduler as tl

import lrcore.schedules as S

N = 1_000_000
TORCH_STEPS = 100_000
LR = 0.1


def metrics(n: int) -> np.ndarray:
    """A noisy, slowly improving loss: plateaus happen, so ReduceLROnPlateau cuts."""
    rng = np.random.default_rng(0)
    return 1.0 / np.sqrt(1.0 + np.arange(n) / 1000) + 0.01 * rng.standard_normal(n)


@dataclass
class Case:
    name: str
    ours: Callable[[], Any]  # () -> values of the first N steps
    theirs: Callable[[torch.optim.Optimizer], Any]  # optimizer -> torch scheduler
    note: str = ""
    plateau: bool = False


def schedule_case(name: str, schedule: S.Schedule, theirs: Any, note: str = "") -> Case:
    return Case(name, lambda: schedule.values(N), theirs, note)


def torch_name(function: str) -> str:
    """torch's class for an lrcore schedule function: its name in CamelCase, `lr` as `LR`
    (`step_lr` → `StepLR`, `cosine_annealing_warm_restarts` → `CosineAnnealingWarmRestarts`)."""
    return "".join("LR" if part == "lr" else part.capitalize() for part in function.split("_"))


def mirrored_case(function: str, *args: Any, label: str = "", note: str = "",
                  **kwargs: Any) -> Case:
    """A case where lrcore mirrors torch argument for argument: `S.<function>(LR, *args,
    **kwargs)` against `tl.<torch_name(function)>(optimizer, *args, **kwargs)`, printed as
    `label` (the function's name by default)."""
    scheduler = getattr(tl, torch_name(function))
    return schedule_case(label or function, getattr(S, function)(LR, *args, **kwargs),
                         lambda o: scheduler(o, *args, **kwargs), note)


CASES = [
    mirrored_case("constant_lr", factor=0.5, total_iters=1000),
    mirrored_case("step_lr", step_size=1000, gamma=0.9),
    mirrored_case("multi_step_lr", [200_000, 500_000, 800_000]),
    mirrored_case("exponential_lr", 0.999995),
    mirrored_case("cosine_annealing_lr", T_max=1000, note="η_min=0: products per period"),
    mirrored_case("cosine_annealing_lr", T_max=1000, eta_min=1e-4,
                  label="cosine_annealing_lr η_min", note="η_min≠0: recursion by column"),
    mirrored_case("cosine_annealing_lr", T_max=N, eta_min=1e-4,
                  label="cosine_annealing_lr 1 period", note="η_min≠0, T_max=10⁶: float loop"),
    mirrored_case("cosine_annealing_warm_restarts", T_0=1000, T_mult=2),
    schedule_case(
        "cyclic_lr",
        S.cyclic_lr(0.001, LR, step_size_up=2000, mode="triangular2"),
        lambda o: tl.CyclicLR(o, 0.001, LR, step_size_up=2000, mode="triangular2"),
    ),
    schedule_case(
        "one_cycle_lr", S.one_cycle_lr(LR, total_steps=N), lambda o: tl.OneCycleLR(o, LR, N)
    ),
    mirrored_case("linear_lr", start_factor=0.01, total_iters=10_000),
    mirrored_case("polynomial_lr", total_iters=N, power=2.0),
    mirrored_case("lambda_lr", lambda t: 1 / (1 + t / 1000), note="calls the lambda per step"),
    mirrored_case("multiplicative_lr", lambda t: 0.999995, note="calls the lambda per step"),
    schedule_case(
        "sequential_lr",
        S.sequential_lr([S.constant_lr(LR, 0.1, 10_000), S.exponential_lr(LR, 0.999995)], [10_000]),
        lambda o: tl.SequentialLR(
            o, [tl.ConstantLR(o, 0.1, 10_000), tl.ExponentialLR(o, 0.999995)], [10_000]
        ),
    ),
    schedule_case(
        "chained_scheduler",
        S.chained_scheduler([S.exponential_lr(LR, 0.999995), S.step_lr(LR, 1000, 0.99)]),
        lambda o: tl.ChainedScheduler([tl.ExponentialLR(o, 0.999995), tl.StepLR(o, 1000, 0.99)]),
    ),
    schedule_case(
        "warmup",
        S.warmup(S.cosine_annealing_lr(LR, T_max=1000), 10_000, start_factor=0.01),
        lambda o: tl.SequentialLR(
            o,
            [tl.LinearLR(o, 0.01, 1.0, total_iters=10_000), tl.CosineAnnealingLR(o, 1000)],
            milestones=[10_000],
        ),
    ),
    Case(
        "reduce_lr_on_plateau",
        lambda: S.plateau_lrs(metrics(N), LR, factor=0.5, patience=10),
        lambda o: tl.ReduceLROnPlateau(o, factor=0.5, patience=10),
        "plateau_lrs: stateful, per epoch",
        plateau=True,
    ),
]


def time_ours(case: Case) -> tuple[float, float, np.ndarray]:
    """(best seconds of 3, peak MiB, values)."""
    best = float("inf")
    values = np.empty(0)
    for _ in range(3):
        start = time.perf_counter()
        values = case.ours()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    case.ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, values


def time_torch(case: Case) -> tuple[float, np.ndarray]:
    """(seconds for TORCH_STEPS steps, the lrs torch set)."""
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=LR, momentum=0.9)
    lrs = np.empty(TORCH_STEPS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no optimizer.step(): torch warns once about it
        scheduler = case.theirs(optimizer)
        if case.plateau:
            losses = metrics(TORCH_STEPS).tolist()
            start = time.perf_counter()
            for step in range(TORCH_STEPS):
                lrs[step] = optimizer.param_groups[0]["lr"]
                scheduler.step(losses[step])
        else:
            start = time.perf_counter()
            for step in range(TORCH_STEPS):
                lrs[step] = scheduler.get_last_lr()[0]
                scheduler.step()
        elapsed = time.perf_counter() - start
    return elapsed, lrs


def main() -> None:
    print(f"lrcore `.values({N:,})` vs stepping torch's scheduler {N:,} times")
    print(
        f"(torch time extrapolated ×{N // TORCH_STEPS} from {TORCH_STEPS:,} measured steps; "
        "lrcore: best of 3; peak memory by tracemalloc)\n"
    )
    header = (
        f"{'schedule':<31} {'lrcore':>9} {'torch':>9} {'ratio':>7} {'peak':>9} {'max|Δ|':>8}  note"
    )
    print(header)
    print("-" * len(header))
    for case in CASES:
        ours, peak, values = time_ours(case)
        theirs, torch_values = time_torch(case)
        theirs *= N / TORCH_STEPS
        difference = float(np.max(np.abs(values[:TORCH_STEPS] - torch_values)))
        print(
            f"{case.name:<31} {ours * 1e3:7.1f}ms {theirs:8.2f}s {theirs / ours:6.0f}× "
            f"{peak:6.1f}MiB {difference:8.1g}  {case.note}"
        )


if __name__ == "__main__":
    main()
