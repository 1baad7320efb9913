"""The Schedule contract: s(t), values(n), at(steps) agree exactly; bad steps are refused
clearly; repr shows the constructor; torch's ValueErrors are raised for the same arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import hypothesis_settings, make_optimizer

import lrcore.schedules as S
from lrcore.schedules import base

CATALOGUE: dict[str, Callable[[], S.Schedule]] = {
    "constant_lr": lambda: S.constant_lr(0.1, 0.5, 7),
    "step_lr": lambda: S.step_lr(0.1, 7, 0.5),
    "step_lr float step": lambda: S.step_lr(0.1, 2.5, 0.5),
    "multi_step_lr": lambda: S.multi_step_lr(0.1, [0, 5, 5, 40], 0.5),
    "exponential_lr": lambda: S.exponential_lr(0.1, 0.99),
    "linear_lr": lambda: S.linear_lr(0.1, 0.2, 0.9, 30),
    "polynomial_lr": lambda: S.polynomial_lr(0.1, 30, 0.7),
    "cosine_annealing_lr": lambda: S.cosine_annealing_lr(0.1, 13),
    "cosine_annealing_lr η_min": lambda: S.cosine_annealing_lr(0.1, 13, 0.01),
    "cosine_annealing_lr big T": lambda: S.cosine_annealing_lr(0.1, 500, 0.01),
    "cosine_annealing_lr odd T": lambda: S.cosine_annealing_lr(0.1, 2.5, 0.01),
    "cosine_annealing_warm_restarts": lambda: S.cosine_annealing_warm_restarts(0.1, 5, 2),
    "cyclic_lr": lambda: S.cyclic_lr(0.01, 0.1, 5, 3, "exp_range", gamma=0.99),
    "one_cycle_lr": lambda: S.one_cycle_lr(0.1, total_steps=500),
    "lambda_lr": lambda: S.lambda_lr(0.1, lambda t: 0.97**t),
    "multiplicative_lr": lambda: S.multiplicative_lr(0.1, lambda t: 0.97),
    "sequential_lr": lambda: S.sequential_lr(
        [S.exponential_lr(0.1, 0.9), S.multiplicative_lr(0.1, lambda t: 0.99)], [10]
    ),
    "chained_scheduler": lambda: S.chained_scheduler(
        [S.exponential_lr(0.1, 0.99), S.cosine_annealing_lr(0.1, 13, 0.01)]
    ),
    "warmup": lambda: S.warmup(S.cosine_annealing_lr(0.1, 30), 5),
}


@pytest.mark.parametrize("name", CATALOGUE)
def test_values_at_and_call_agree_exactly(name: str) -> None:
    schedule = CATALOGUE[name]()
    values = schedule.values(400)
    assert isinstance(values, np.ndarray) and values.dtype == np.float64 and values.shape == (400,)
    assert values.tolist() == [schedule(t) for t in range(400)]
    steps = np.array([[399, 0], [17, 17], [250, 3]])
    assert np.array_equal(schedule.at(steps), values[steps])
    assert all(isinstance(schedule(t), float) for t in (0, 1, np.int64(5)))
    assert schedule.values(0).shape == (0,) and schedule.at([]).shape == (0,)
    assert schedule.at(7).shape == () and float(schedule.at(7)) == schedule(7)
    assert np.array_equal(schedule.values(57), values[:57])


@pytest.mark.parametrize("name", CATALOGUE)
def test_momenta_are_none_unless_the_schedule_cycles_momentum(name: str) -> None:
    schedule = CATALOGUE[name]()
    if schedule.cycle_momentum:
        momenta = schedule.momenta(50)
        assert momenta is not None and momenta.tolist() == [schedule.momentum(t) for t in range(50)]
    else:
        assert schedule.momenta(50) is None and schedule.momentum(3) is None


@hypothesis_settings(40)
@given(steps=st.lists(st.integers(0, 3000), min_size=1, max_size=30))
def test_at_arbitrary_steps_matches_values(steps: list[int]) -> None:
    for make in (CATALOGUE["cosine_annealing_lr η_min"], CATALOGUE["multi_step_lr"]):
        schedule = make()
        assert np.array_equal(schedule.at(steps), schedule.values(3001)[steps])


@pytest.mark.parametrize("name", ["exponential_lr", "linear_lr", "multiplicative_lr"])
def test_far_steps_of_recursive_schedules_are_walked_in_blocks(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_CHUNK", 64)  # many blocks for 5000 steps
    schedule = CATALOGUE[name]()
    dense = schedule.values(5001)
    assert schedule(5000) == dense[5000]
    assert np.array_equal(
        schedule.at([4999, 3, 5000, 64, 65, 128]), dense[[4999, 3, 5000, 64, 65, 128]]
    )


@pytest.mark.parametrize("bad", [1.0, 2.5, "3", None, True, np.float64(1.0)])
def test_a_step_must_be_an_integer(bad: Any) -> None:
    with pytest.raises(TypeError, match="integer"):
        S.step_lr(0.1, 3)(bad)


def test_a_step_must_not_be_negative() -> None:
    schedule = S.step_lr(0.1, 3)
    with pytest.raises(ValueError, match=">= 0"):
        schedule(-1)
    with pytest.raises(ValueError, match=">= 0"):
        schedule.at([3, -2])
    with pytest.raises(ValueError, match=">= 0"):
        schedule.values(-1)
    with pytest.raises(TypeError):
        schedule.values(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        schedule.at([1.5, 2.0])
    with pytest.raises(TypeError):
        schedule.momentum(0.5)  # type: ignore[arg-type]


def test_repr_shows_the_constructor_call() -> None:
    assert repr(S.step_lr(0.1, 30)) == "step_lr(lr=0.1, step_size=30, gamma=0.1)"
    schedule = S.multi_step_lr(lr=0.5, milestones=[3, 6], gamma=0.5)
    assert repr(schedule) == "multi_step_lr(lr=0.5, milestones=[3, 6], gamma=0.5)"
    rebuilt = eval(repr(schedule), vars(S))
    assert np.array_equal(rebuilt.values(10), schedule.values(10))
    assert repr(S.warmup(S.exponential_lr(0.1, 0.5), 3)).startswith(
        "warmup(schedule=exponential_lr(lr=0.1, gamma=0.5), warmup_steps=3"
    )


def test_public_api() -> None:
    names = {
        "constant_lr",
        "step_lr",
        "multi_step_lr",
        "exponential_lr",
        "cosine_annealing_lr",
        "cosine_annealing_warm_restarts",
        "cyclic_lr",
        "one_cycle_lr",
        "linear_lr",
        "polynomial_lr",
        "lambda_lr",
        "multiplicative_lr",
        "sequential_lr",
        "chained_scheduler",
        "reduce_lr_on_plateau",
        "plateau_lrs",
        "warmup",
        "to_torch",
        "Schedule",
        "PlateauScheduler",
        "LrSchedule",
    }
    assert set(S.__all__) == names
    assert all(isinstance(CATALOGUE[name](), S.LrSchedule) for name in CATALOGUE)
    assert all(isinstance(CATALOGUE[name](), S.Schedule) for name in CATALOGUE)


# (torch constructor, lrcore constructor) pairs that torch rejects with a ValueError.
INVALID: dict[str, tuple[Callable[[Any], Any], Callable[[], Any]]] = {
    "negative lr": (lambda o: None, lambda: S.step_lr(-0.1, 3)),
    "constant factor > 1": (lambda o: tl.ConstantLR(o, 1.5), lambda: S.constant_lr(0.1, 1.5)),
    "constant factor < 0": (lambda o: tl.ConstantLR(o, -0.1), lambda: S.constant_lr(0.1, -0.1)),
    "linear start 0": (lambda o: tl.LinearLR(o, 0.0), lambda: S.linear_lr(0.1, 0.0)),
    "linear start > 1": (lambda o: tl.LinearLR(o, 1.5), lambda: S.linear_lr(0.1, 1.5)),
    "linear end < 0": (lambda o: tl.LinearLR(o, 0.5, -0.1), lambda: S.linear_lr(0.1, 0.5, -0.1)),
    "linear end > 1": (lambda o: tl.LinearLR(o, 0.5, 1.1), lambda: S.linear_lr(0.1, 0.5, 1.1)),
    "warm restarts T_0 = 0": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 0),
        lambda: S.cosine_annealing_warm_restarts(0.1, 0),
    ),
    "warm restarts T_0 float": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 2.5),
        lambda: S.cosine_annealing_warm_restarts(0.1, 2.5),  # type: ignore[arg-type]
    ),
    "warm restarts T_mult 0": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 5, 0),
        lambda: S.cosine_annealing_warm_restarts(0.1, 5, 0),
    ),
    "warm restarts T_mult float": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 5, 1.5),
        lambda: S.cosine_annealing_warm_restarts(0.1, 5, 1.5),  # type: ignore[arg-type]
    ),
    "warm restarts eta_min str": (
        lambda o: tl.CosineAnnealingWarmRestarts(o, 5, 1, "0"),
        lambda: S.cosine_annealing_warm_restarts(0.1, 5, 1, "0"),  # type: ignore[arg-type]
    ),
    "cyclic mode": (
        lambda o: tl.CyclicLR(o, 0.01, 0.1, mode="square"),
        lambda: S.cyclic_lr(0.01, 0.1, mode="square"),  # type: ignore[arg-type]
    ),
    "one-cycle no length": (lambda o: tl.OneCycleLR(o, 1.0), lambda: S.one_cycle_lr(1.0)),
    "one-cycle total 0": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=0),
        lambda: S.one_cycle_lr(1.0, total_steps=0),
    ),
    "one-cycle total float": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=10.0),
        lambda: S.one_cycle_lr(1.0, total_steps=10.0),  # type: ignore[arg-type]
    ),
    "one-cycle epochs 0": (
        lambda o: tl.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
        lambda: S.one_cycle_lr(1.0, epochs=0, steps_per_epoch=3),
    ),
    "one-cycle steps_per_epoch -1": (
        lambda o: tl.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1),
        lambda: S.one_cycle_lr(1.0, epochs=2, steps_per_epoch=-1),
    ),
    "one-cycle epochs only": (
        lambda o: tl.OneCycleLR(o, 1.0, epochs=2),
        lambda: S.one_cycle_lr(1.0, epochs=2),
    ),
    "one-cycle pct_start > 1": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5),
        lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=1.5),
    ),
    "one-cycle pct_start int": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
        lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=1),  # type: ignore[arg-type]
    ),
    "one-cycle anneal": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
        lambda: S.one_cycle_lr(1.0, total_steps=10, anneal_strategy="exp"),  # type: ignore[arg-type]
    ),
    "lambda list of two": (
        lambda o: tl.LambdaLR(o, [abs, abs]),
        lambda: S.lambda_lr(0.1, [abs, abs]),
    ),
    "multiplicative list of two": (
        lambda o: tl.MultiplicativeLR(o, [abs, abs]),
        lambda: S.multiplicative_lr(0.1, [abs, abs]),
    ),
    "sequential empty": (
        lambda o: tl.SequentialLR(o, [], []),
        lambda: S.sequential_lr([], []),
    ),
    "sequential milestones": (
        lambda o: tl.SequentialLR(o, [tl.StepLR(o, 2), tl.StepLR(o, 3)], [1, 2]),
        lambda: S.sequential_lr([S.step_lr(0.1, 2), S.step_lr(0.1, 3)], [1, 2]),
    ),
    "sequential plateau": (
        lambda o: tl.SequentialLR(o, [tl.StepLR(o, 2), tl.ReduceLROnPlateau(o)], [1]),
        lambda: S.sequential_lr([S.step_lr(0.1, 2), S.reduce_lr_on_plateau(0.1)], [1]),  # type: ignore[list-item]
    ),
    "chained empty": (lambda o: tl.ChainedScheduler([], o), lambda: S.chained_scheduler([])),
    "chained plateau": (
        lambda o: tl.ChainedScheduler([tl.StepLR(o, 2), tl.ReduceLROnPlateau(o)]),
        lambda: S.chained_scheduler([S.step_lr(0.1, 2), S.reduce_lr_on_plateau(0.1)]),  # type: ignore[list-item]
    ),
}


@pytest.mark.parametrize("case", INVALID)
def test_invalid_arguments_raise_the_same_value_error_as_torch(case: str) -> None:
    make_torch, make_ours = INVALID[case]
    with pytest.raises(ValueError) as theirs:
        if case == "negative lr":
            make_optimizer(-0.1)
        else:
            make_torch(make_optimizer(0.1))
    with pytest.raises(ValueError) as ours:
        make_ours()
    assert str(ours.value) == str(theirs.value)


# Limits torch accepts: lrcore must accept them too.
VALID_EDGES: dict[str, tuple[Callable[[Any], Any], Callable[[], S.Schedule]]] = {
    "constant factor 0": (lambda o: tl.ConstantLR(o, 0.0), lambda: S.constant_lr(0.1, 0.0)),
    "constant factor 1": (lambda o: tl.ConstantLR(o, 1.0), lambda: S.constant_lr(0.1, 1.0)),
    "linear 1 → 0": (lambda o: tl.LinearLR(o, 1.0, 0.0), lambda: S.linear_lr(0.1, 1.0, 0.0)),
    "one-cycle pct 0.0": (
        lambda o: tl.OneCycleLR(o, 1.0, total_steps=10, pct_start=0.0),
        lambda: S.one_cycle_lr(1.0, total_steps=10, pct_start=0.0),
    ),
    "cyclic custom scale with bad mode": (
        lambda o: tl.CyclicLR(o, 0.01, 0.1, mode="square", scale_fn=abs),
        lambda: S.cyclic_lr(0.01, 0.1, mode="square", scale_fn=abs),  # type: ignore[arg-type]
    ),
    "plateau factor 0": (
        lambda o: tl.ReduceLROnPlateau(o, factor=0.0),
        lambda: S.reduce_lr_on_plateau(0.1, factor=0.0),  # type: ignore[return-value]
    ),
}


@pytest.mark.parametrize("case", VALID_EDGES)
def test_edge_arguments_torch_accepts_are_accepted(case: str) -> None:
    make_torch, make_ours = VALID_EDGES[case]
    make_torch(make_optimizer(0.1))
    make_ours()


def test_type_errors_like_torch() -> None:
    with pytest.raises(TypeError, match="lr_lambda should be a function"):
        S.multiplicative_lr(0.1, 0.9)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not callable"):
        S.lambda_lr(0.1, 0.9)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="lrcore schedule"):
        S.sequential_lr([S.step_lr(0.1, 2), 0.5], [3])  # type: ignore[list-item]


def test_unsorted_sequential_milestones_are_refused() -> None:
    with pytest.raises(ValueError, match="non-decreasing"):
        S.sequential_lr([S.step_lr(0.1, 2)] * 3, [5, 2])
