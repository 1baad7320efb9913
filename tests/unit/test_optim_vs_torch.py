"""lrcore.optim against torch.optim itself: 200-step float64 trajectories, option by option.

Every comparison goes through `assert_matches_torch`: bit-identical on CPUs where torch's
kernels fuse multiply–adds (AVX2/AVX512), within 1e-12 relative everywhere.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_optim_reference import (
    assert_matches_torch,
    noisy_quadratic_gradient,
    quadratic_gradient,
    rosenbrock_gradient,
    torch_trajectory,
)

from lrcore.optim import run

STEPS = 200
X0 = np.array([1.5, -0.7, 3.2, 0.01, -2.0])
CURVATURES = np.array([1.0, 2.0, 0.5, 3.0, 0.1])
ROSENBROCK_X0 = np.array([-1.2, 1.0])

# (label, x0, fresh gradient function factory, lr) — a convex bowl, a curved valley, noise.
PROBLEMS = {
    "quadratic": (X0, lambda: quadratic_gradient(CURVATURES), 0.05),
    "rosenbrock": (ROSENBROCK_X0, rosenbrock_gradient, 1e-3),
    "noisy": (X0, lambda: noisy_quadratic_gradient(seed=3, dims=5), 0.05),
}


def assert_run_matches_torch(name: str, problem: str, lr_scale: float = 1.0, **kwargs: Any):
    x0, make_gradient, lr = PROBLEMS[problem]
    lr *= lr_scale
    ours = run(name, x0, make_gradient(), STEPS, lr, **kwargs)
    theirs = torch_trajectory(name, x0, make_gradient(), STEPS, [lr] * STEPS, **kwargs)
    assert_matches_torch(ours, theirs)


# ---- option grids ------------------------------------------------------------------------

SGD_GRID = [
    {"momentum": m, "dampening": d, "nesterov": n, "weight_decay": w}
    for m, d, n, w in itertools.product([0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 0.1])
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("options", SGD_GRID, ids=str)
def test_sgd_matches_torch(options: dict[str, Any], problem: str) -> None:
    assert_run_matches_torch("sgd", problem, **options)


MAXIMIZE_OPTIONS = {
    "sgd": {"momentum": 0.5, "weight_decay": 0.1},
    "adagrad": {"weight_decay": 0.1},
    "rmsprop": {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
    "adam": {"amsgrad": True, "weight_decay": 0.1},
    "adamw": {"amsgrad": True},
}


@pytest.mark.parametrize("name", MAXIMIZE_OPTIONS)
def test_maximize_matches_torch(name: str) -> None:
    x0, make_gradient, lr = PROBLEMS["noisy"]
    options = MAXIMIZE_OPTIONS[name]

    def negated() -> Any:
        gradient = make_gradient()
        return lambda x: -gradient(x)

    ours = run(name, x0, negated(), STEPS, lr, maximize=True, **options)
    theirs = torch_trajectory(name, x0, negated(), STEPS, [lr] * STEPS, maximize=True, **options)
    assert_matches_torch(ours, theirs)
    # maximising −f is minimising f: the gradient is negated before anything else
    np.testing.assert_array_equal(ours, run(name, x0, make_gradient(), STEPS, lr, **options))


ADAGRAD_GRID = [
    {"lr_decay": a, "initial_accumulator_value": b, "weight_decay": w, "eps": e}
    for a, b, w, e in itertools.product([0.0, 0.01], [0.0, 0.5], [0.0, 0.1], [1e-10, 1e-3])
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("options", ADAGRAD_GRID, ids=str)
def test_adagrad_matches_torch(options: dict[str, Any], problem: str) -> None:
    assert_run_matches_torch("adagrad", problem, lr_scale=10.0, **options)


RMSPROP_GRID = [
    {"centered": c, "momentum": m, "weight_decay": w, "alpha": a}
    for c, m, w, a in itertools.product([False, True], [0.0, 0.9], [0.0, 0.1], [0.99, 0.9])
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("options", RMSPROP_GRID, ids=str)
def test_rmsprop_matches_torch(options: dict[str, Any], problem: str) -> None:
    assert_run_matches_torch("rmsprop", problem, lr_scale=0.2, **options)


ADAM_GRID = [
    {"amsgrad": a, "weight_decay": w, "betas": b}
    for a, w, b in itertools.product([False, True], [0.0, 0.1], [(0.9, 0.999), (0.5, 0.9)])
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("options", ADAM_GRID, ids=str)
@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_and_adamw_match_torch(name: str, options: dict[str, Any], problem: str) -> None:
    assert_run_matches_torch(name, problem, lr_scale=2.0, **options)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_defaults_and_beta1_zero_match_torch(name: str) -> None:
    assert_run_matches_torch(name, "quadratic")
    assert_run_matches_torch(name, "noisy", betas=(0.0, 0.99), eps=1e-3)


def test_adam_with_decoupled_weight_decay_is_adamw() -> None:
    assert_run_matches_torch("adam", "noisy", weight_decay=0.1, decoupled_weight_decay=True)
    x0, make_gradient, lr = PROBLEMS["noisy"]
    np.testing.assert_array_equal(
        run("adam", x0, make_gradient(), STEPS, lr, weight_decay=0.1, decoupled_weight_decay=True),
        run("adamw", x0, make_gradient(), STEPS, lr, weight_decay=0.1),
    )


# ---- hypothesis: random options, problems and learning rates ------------------------------

unit = st.floats(0.0, 0.99)


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, Any]:
    """x0 and a fresh-gradient factory: a random bowl, a Rosenbrock valley or noisy descent."""
    kind = draw(st.sampled_from(["quadratic", "rosenbrock", "noisy"]))
    if kind == "rosenbrock":
        x0 = np.array(draw(st.lists(st.floats(-2, 2), min_size=2, max_size=2)))
        b = draw(st.floats(1.0, 100.0))
        return x0, lambda: rosenbrock_gradient(b)
    dims = draw(st.integers(1, 6))
    x0 = np.array(draw(st.lists(st.floats(-10, 10), min_size=dims, max_size=dims)))
    if kind == "quadratic":
        a = np.array(draw(st.lists(st.floats(0.01, 10), min_size=dims, max_size=dims)))
        return x0, lambda: quadratic_gradient(a)
    seed = draw(st.integers(0, 2**16))
    scale = draw(st.floats(0.01, 10))
    return x0, lambda: noisy_quadratic_gradient(seed, dims, scale)


OPTION_STRATEGIES = {
    "sgd": st.fixed_dictionaries(
        {"momentum": unit, "dampening": unit, "weight_decay": st.floats(0, 0.5)}
    ),
    "sgd-nesterov": st.fixed_dictionaries(
        {
            "momentum": st.floats(0.01, 0.99),
            "nesterov": st.just(True),
            "weight_decay": st.floats(0, 0.5),
        }
    ),
    "adagrad": st.fixed_dictionaries(
        {
            "lr_decay": st.floats(0, 0.1),
            "weight_decay": st.floats(0, 0.5),
            "initial_accumulator_value": st.floats(0, 2),
            "eps": st.floats(1e-12, 1e-2),
        }
    ),
    "rmsprop": st.fixed_dictionaries(
        {
            "alpha": unit,
            "eps": st.floats(1e-12, 1e-2),
            "weight_decay": st.floats(0, 0.5),
            "momentum": unit,
            "centered": st.booleans(),
        }
    ),
    "adam": st.fixed_dictionaries(
        {
            "betas": st.tuples(unit, unit),
            "eps": st.floats(1e-12, 1e-2),
            "weight_decay": st.floats(0, 0.5),
            "amsgrad": st.booleans(),
        }
    ),
}
OPTION_STRATEGIES["adamw"] = OPTION_STRATEGIES["adam"]


@pytest.mark.parametrize("variant", OPTION_STRATEGIES)
@settings(max_examples=12, deadline=None, derandomize=True)  # a failure is never a flake
@given(data=st.data())
def test_random_runs_match_torch(variant: str, data: st.DataObject) -> None:
    name = variant.split("-")[0]
    options = data.draw(OPTION_STRATEGIES[variant], label="options")
    x0, make_gradient = data.draw(problems(), label="problem")
    lr = data.draw(st.floats(-4, 0).map(lambda e: 10.0**e), label="lr")
    ours = run(name, x0, make_gradient(), STEPS, lr, **options)
    theirs = torch_trajectory(name, x0, make_gradient(), STEPS, [lr] * STEPS, **options)
    assert_matches_torch(ours, theirs)


# ---- per-step learning rates and momenta ---------------------------------------------------


@dataclass
class StandInSchedule:
    """What lrcore.optim needs from an lrcore schedule: values(n) and __call__(t)."""

    lrs: np.ndarray

    def values(self, n: int) -> np.ndarray:
        return np.asarray(self.lrs[:n], dtype=np.float64)

    def __call__(self, t: int) -> float:
        return float(self.lrs[t])


@dataclass
class StandInCyclingSchedule(StandInSchedule):
    """A schedule that also cycles momentum, like lrcore's cyclic and one-cycle schedules."""

    momentum_values: np.ndarray
    cycle_momentum: bool = True

    def momenta(self, n: int) -> np.ndarray:
        return np.asarray(self.momentum_values[:n], dtype=np.float64)


def cosine_lrs(steps: int, peak: float) -> np.ndarray:
    return peak * 0.5 * (1 + np.cos(np.pi * np.arange(steps) / steps)) + 1e-4


def torch_one_cycle(steps: int, max_lr: float, optimizer_name: str) -> tuple[list, list]:
    """The lrs and momenta torch's own OneCycleLR sets before each of `steps` steps."""
    dummy = torch.zeros(1, requires_grad=True)
    optimizer = {
        "sgd": lambda: torch.optim.SGD([dummy], lr=max_lr, momentum=0.9),
        "rmsprop": lambda: torch.optim.RMSprop([dummy], lr=max_lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam([dummy], lr=max_lr),
        "adamw": lambda: torch.optim.AdamW([dummy], lr=max_lr),
    }[optimizer_name]()
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=steps)
    group = optimizer.param_groups[0]
    lrs, momenta = [], []
    for _ in range(steps):
        lrs.append(group["lr"])
        momenta.append(group["betas"][0] if "betas" in group else group["momentum"])
        optimizer.step()
        scheduler.step()
    return lrs, momenta


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
@pytest.mark.parametrize("problem", ["quadratic", "noisy"])
def test_per_step_lr_schedule_matches_torch(name: str, problem: str) -> None:
    x0, make_gradient, lr = PROBLEMS[problem]
    lrs = cosine_lrs(STEPS, lr)
    schedule = StandInSchedule(lrs)
    ours = run(name, x0, make_gradient(), STEPS, schedule)
    theirs = torch_trajectory(name, x0, make_gradient(), STEPS, lrs)
    assert_matches_torch(ours, theirs)
    # one lr per step as a plain sequence is the same thing
    np.testing.assert_array_equal(run(name, x0, make_gradient(), STEPS, list(lrs)), ours)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam", "adamw"])
def test_cycled_momentum_matches_torch_one_cycle(name: str) -> None:
    """lrs and momenta recorded from torch's OneCycleLR, replayed through a stand-in
    schedule, reproduce a torch run driven by the real OneCycleLR scheduler."""
    x0, make_gradient, _ = PROBLEMS["noisy"]
    lrs, momenta = torch_one_cycle(STEPS, 0.05, name)
    assert len(set(momenta)) > 10  # the momentum really cycles
    schedule = StandInCyclingSchedule(np.array(lrs), np.array(momenta))
    options = {"momentum": 0.9} if name in ("sgd", "rmsprop") else {}
    ours = run(name, x0, make_gradient(), STEPS, schedule, **options)

    param = torch.tensor(x0, dtype=torch.float64)
    optimizer = {
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }[name]([param], lr=0.05, **options)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=STEPS)
    gradient = make_gradient()
    theirs = np.empty((STEPS, *x0.shape))
    for i in range(STEPS):
        param.grad = torch.from_numpy(gradient(param.numpy().copy()))
        optimizer.step()
        scheduler.step()
        theirs[i] = param.numpy()
    assert_matches_torch(ours, theirs)


def test_momentum_schedule_switches_sgd_momentum_on() -> None:
    """torch's CyclicLR pitfall: cycling momentum turns momentum on in a plain SGD."""
    x0, make_gradient, lr = PROBLEMS["quadratic"]
    momenta = np.linspace(0.8, 0.95, STEPS)
    schedule = StandInCyclingSchedule(np.full(STEPS, lr), momenta)
    ours = run("sgd", x0, make_gradient(), STEPS, schedule)  # momentum=0 at construction
    theirs = torch_trajectory("sgd", x0, make_gradient(), STEPS, [lr] * STEPS, momenta=momenta)
    assert_matches_torch(ours, theirs)
    assert not np.array_equal(ours, run("sgd", x0, make_gradient(), STEPS, lr))


def test_schedule_with_cycle_momentum_false_leaves_momentum_alone() -> None:
    x0, make_gradient, lr = PROBLEMS["quadratic"]
    schedule = StandInCyclingSchedule(np.full(STEPS, lr), np.full(STEPS, 0.5), cycle_momentum=False)
    np.testing.assert_array_equal(
        run("sgd", x0, make_gradient(), STEPS, schedule, momentum=0.9),
        run("sgd", x0, make_gradient(), STEPS, lr, momentum=0.9),
    )
    # and Adagrad, which has no momentum, accepts it then
    run("adagrad", x0, make_gradient(), 3, schedule)
