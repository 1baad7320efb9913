"""lambda_lr, multiplicative_lr, sequential_lr, chained_scheduler and warmup against torch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import assert_close, assert_matches_torch, hypothesis_settings, torch_run

import lrcore.schedules as S

SETTINGS = hypothesis_settings(40)
LR = 0.3


def steady(t: int) -> float:
    return 0.95**t


def staircase(t: int) -> float:
    return 1.0 / (1 + t // 4)


def wobble(t: int) -> float:
    return 0.9 + 0.05 * (t % 3)


@pytest.mark.parametrize("lr_lambda", [steady, staircase, wobble, lambda t: t // 3, [steady]])
def test_lambda_lr_matches_torch(lr_lambda: Any) -> None:
    assert_matches_torch(
        S.lambda_lr(LR, lr_lambda), lambda opt: tl.LambdaLR(opt, lr_lambda), LR, 60
    )


@pytest.mark.parametrize("lr_lambda", [steady, staircase, wobble, [wobble]])
def test_multiplicative_lr_matches_torch(lr_lambda: Any) -> None:
    assert_matches_torch(
        S.multiplicative_lr(LR, lr_lambda),
        lambda opt: tl.MultiplicativeLR(opt, lr_lambda),
        LR,
        300,
    )


@SETTINGS
@given(lr=st.floats(1e-4, 10.0), base=st.floats(0.9, 1.05), period=st.integers(1, 20))
def test_user_function_schedules_random(lr: float, base: float, period: int) -> None:
    def factor(t: int) -> float:
        return base ** (t % period)

    assert_matches_torch(S.lambda_lr(lr, factor), lambda opt: tl.LambdaLR(opt, factor), lr, 200)
    assert_matches_torch(
        S.multiplicative_lr(lr, factor), lambda opt: tl.MultiplicativeLR(opt, factor), lr, 200
    )


# (lrcore schedules, torch schedulers on opt, milestones): every scheduler reads lr = LR.
Pair = tuple[Callable[[], list[S.Schedule]], Callable[[Any], list[Any]], list[int]]
SEQUENTIAL_CASES: dict[str, Pair] = {
    "constant then exponential": (
        lambda: [S.constant_lr(LR, 0.1, 3), S.exponential_lr(LR, 0.9)],
        lambda o: [tl.ConstantLR(o, 0.1, 3), tl.ExponentialLR(o, 0.9)],
        [3],
    ),
    "restart from the closed form, not the last lr": (
        lambda: [S.exponential_lr(LR, 0.5), S.step_lr(LR, 2, 0.5), S.exponential_lr(LR, 0.9)],
        lambda o: [tl.ExponentialLR(o, 0.5), tl.StepLR(o, 2, 0.5), tl.ExponentialLR(o, 0.9)],
        [4, 9],
    ),
    "cosine restarts at η_min + (lr − η_min)": (
        lambda: [S.linear_lr(LR, 0.1, 1.0, 5), S.cosine_annealing_lr(LR, 20, 0.001)],
        lambda o: [tl.LinearLR(o, 0.1, 1.0, 5), tl.CosineAnnealingLR(o, 20, 0.001)],
        [5],
    ),
    "constant_lr with total_iters=0 is restored at its restart": (
        lambda: [S.exponential_lr(LR, 0.9), S.constant_lr(LR, 0.5, 0)],
        lambda o: [tl.ExponentialLR(o, 0.9), tl.ConstantLR(o, 0.5, 0)],
        [3],
    ),
    "linear_lr with negative total_iters restarts at end_factor": (
        lambda: [S.exponential_lr(LR, 0.9), S.linear_lr(LR, 0.5, 0.8, -2)],
        lambda o: [tl.ExponentialLR(o, 0.9), tl.LinearLR(o, 0.5, 0.8, -2)],
        [3],
    ),
    "polynomial_lr with negative total_iters restarts at 0": (
        lambda: [S.exponential_lr(LR, 0.9), S.polynomial_lr(LR, -3, 2.0)],
        lambda o: [tl.ExponentialLR(o, 0.9), tl.PolynomialLR(o, -3, 2.0)],
        [3],
    ),
    "multi_step_lr counts milestones <= 0 at its restart": (
        lambda: [S.exponential_lr(LR, 0.9), S.multi_step_lr(LR, [-1, 0, 2, 5, 5], 0.5)],
        lambda o: [tl.ExponentialLR(o, 0.9), tl.MultiStepLR(o, [-1, 0, 2, 5, 5], 0.5)],
        [4],
    ),
    "multiplicative_lr continues from the previous lr": (
        lambda: [S.exponential_lr(LR, 0.5), S.multiplicative_lr(LR, wobble)],
        lambda o: [tl.ExponentialLR(o, 0.5), tl.MultiplicativeLR(o, wobble)],
        [4],
    ),
    "closed-form schedulers restart at their step 0": (
        lambda: [
            S.lambda_lr(LR, steady),
            S.cosine_annealing_warm_restarts(LR, 3, 2),
            S.cyclic_lr(0.01, 0.2, 3, cycle_momentum=False),
        ],
        lambda o: [
            tl.LambdaLR(o, steady),
            tl.CosineAnnealingWarmRestarts(o, 3, 2),
            tl.CyclicLR(o, 0.01, 0.2, 3, cycle_momentum=False),
        ],
        [5, 17],
    ),
    "milestone 0: the second scheduler runs from step 0": (
        lambda: [S.constant_lr(LR, 0.1, 3), S.step_lr(LR, 3, 0.5)],
        lambda o: [tl.ConstantLR(o, 0.1, 3), tl.StepLR(o, 3, 0.5)],
        [0],
    ),
    "negative and repeated milestones": (
        lambda: [
            S.exponential_lr(LR, 0.5),
            S.step_lr(LR, 2, 0.5),
            S.constant_lr(LR, 0.2, 2),
            S.exponential_lr(LR, 0.8),
        ],
        lambda o: [
            tl.ExponentialLR(o, 0.5),
            tl.StepLR(o, 2, 0.5),
            tl.ConstantLR(o, 0.2, 2),
            tl.ExponentialLR(o, 0.8),
        ],
        [-2, 6, 6],
    ),
}


@pytest.mark.parametrize("case", SEQUENTIAL_CASES)
def test_sequential_lr_matches_torch(case: str) -> None:
    ours, theirs, milestones = SEQUENTIAL_CASES[case]
    assert_matches_torch(
        S.sequential_lr(ours(), milestones),
        lambda opt: tl.SequentialLR(opt, theirs(opt), milestones),
        LR,
        40,
    )


@SETTINGS
@given(
    lr=st.floats(1e-4, 10.0),
    first=st.integers(0, 30),
    second=st.integers(0, 30),
    gamma=st.floats(0.5, 1.0),
    T_max=st.integers(1, 20),
    eta_min=st.floats(0.0, 0.01),
)
def test_sequential_lr_random(
    lr: float, first: int, second: int, gamma: float, T_max: int, eta_min: float
) -> None:
    milestones = [first, first + second]
    assert_matches_torch(
        S.sequential_lr(
            [
                S.linear_lr(lr, 0.2, 1.0, first),
                S.cosine_annealing_lr(lr, T_max, eta_min),
                S.exponential_lr(lr, gamma),
            ],
            milestones,
        ),
        lambda opt: tl.SequentialLR(
            opt,
            [
                tl.LinearLR(opt, 0.2, 1.0, first),
                tl.CosineAnnealingLR(opt, T_max, eta_min),
                tl.ExponentialLR(opt, gamma),
            ],
            milestones,
        ),
        lr,
        first + second + 3 * T_max + 5,
    )


CHAINED_CASES: dict[str, tuple[Callable[[], list[S.Schedule]], Callable[[Any], list[Any]]]] = {
    "multiplicative ones multiply": (
        lambda: [S.constant_lr(LR, 0.5, 4), S.exponential_lr(LR, 0.9), S.step_lr(LR, 3, 0.5)],
        lambda o: [tl.ConstantLR(o, 0.5, 4), tl.ExponentialLR(o, 0.9), tl.StepLR(o, 3, 0.5)],
    ),
    "linear warmup times multi-step": (
        lambda: [S.linear_lr(LR, 0.1, 1.0, 8), S.multi_step_lr(LR, [0, 5, 5, 12], 0.5)],
        lambda o: [tl.LinearLR(o, 0.1, 1.0, 8), tl.MultiStepLR(o, [0, 5, 5, 12], 0.5)],
    ),
    "cosine (η_min = 0) after exponential": (
        lambda: [S.exponential_lr(LR, 0.95), S.cosine_annealing_lr(LR, 5)],
        lambda o: [tl.ExponentialLR(o, 0.95), tl.CosineAnnealingLR(o, 5)],
    ),
    "cosine (η_min ≠ 0) before polynomial": (
        lambda: [S.cosine_annealing_lr(LR, 7, 0.01), S.polynomial_lr(LR, 30, 1.5)],
        lambda o: [tl.CosineAnnealingLR(o, 7, 0.01), tl.PolynomialLR(o, 30, 1.5)],
    ),
    "an overwriting scheduler resets the product": (
        lambda: [S.exponential_lr(LR, 0.5), S.lambda_lr(LR, wobble), S.exponential_lr(LR, 0.9)],
        lambda o: [tl.ExponentialLR(o, 0.5), tl.LambdaLR(o, wobble), tl.ExponentialLR(o, 0.9)],
    ),
    "overwrite, then cosine and linear act on that step's value": (
        lambda: [
            S.exponential_lr(LR, 0.9),
            S.lambda_lr(LR, wobble),
            S.cosine_annealing_lr(LR, 5, 0.01),
            S.linear_lr(LR, 0.5, 1.0, 3),
        ],
        lambda o: [
            tl.ExponentialLR(o, 0.9),
            tl.LambdaLR(o, wobble),
            tl.CosineAnnealingLR(o, 5, 0.01),
            tl.LinearLR(o, 0.5, 1.0, 3),
        ],
    ),
    "cyclic (own base_lr) then exponential": (
        lambda: [S.cyclic_lr(0.01, 0.1, 4, cycle_momentum=False), S.exponential_lr(LR, 0.97)],
        lambda o: [tl.CyclicLR(o, 0.01, 0.1, 4, cycle_momentum=False), tl.ExponentialLR(o, 0.97)],
    ),
    "warm restarts then step": (
        lambda: [S.cosine_annealing_warm_restarts(LR, 4, 2, 0.01), S.step_lr(LR, 5, 0.5)],
        lambda o: [tl.CosineAnnealingWarmRestarts(o, 4, 2, 0.01), tl.StepLR(o, 5, 0.5)],
    ),
    "a chain inside a chain": (
        lambda: [
            S.chained_scheduler([S.constant_lr(LR, 0.5, 3), S.exponential_lr(LR, 0.9)]),
            S.step_lr(LR, 4, 0.5),
        ],
        lambda o: [
            tl.ChainedScheduler([tl.ConstantLR(o, 0.5, 3), tl.ExponentialLR(o, 0.9)]),
            tl.StepLR(o, 4, 0.5),
        ],
    ),
}


@pytest.mark.parametrize("case", CHAINED_CASES)
def test_chained_scheduler_matches_torch(case: str) -> None:
    ours, theirs = CHAINED_CASES[case]
    assert_matches_torch(
        S.chained_scheduler(ours()), lambda opt: tl.ChainedScheduler(theirs(opt)), LR, 60
    )


@SETTINGS
@given(
    lr=st.floats(1e-4, 10.0),
    gamma=st.floats(0.8, 1.0),
    step_size=st.integers(1, 10),
    total_iters=st.integers(1, 20),
    T_max=st.integers(1, 10),
    eta_min=st.sampled_from([0.0, 1e-3]),
)
def test_chained_scheduler_random(
    lr: float, gamma: float, step_size: int, total_iters: int, T_max: int, eta_min: float
) -> None:
    assert_matches_torch(
        S.chained_scheduler(
            [
                S.linear_lr(lr, 0.25, 1.0, total_iters),
                S.cosine_annealing_lr(lr, T_max, eta_min),
                S.step_lr(lr, step_size, gamma),
            ]
        ),
        lambda opt: tl.ChainedScheduler(
            [
                tl.LinearLR(opt, 0.25, 1.0, total_iters),
                tl.CosineAnnealingLR(opt, T_max, eta_min),
                tl.StepLR(opt, step_size, gamma),
            ]
        ),
        lr,
        120,
    )


def test_chained_scheduler_refuses_different_lrs() -> None:
    with pytest.raises(ValueError, match="share one optimizer lr"):
        S.chained_scheduler([S.exponential_lr(0.1, 0.9), S.step_lr(0.2, 3)])


WARMUP_INNER: dict[str, tuple[Callable[[float], S.Schedule], Callable[[Any], Any]]] = {
    "cosine": (
        lambda lr: S.cosine_annealing_lr(lr, 30, 1e-4),
        lambda o: tl.CosineAnnealingLR(o, 30, 1e-4),
    ),
    "step": (lambda lr: S.step_lr(lr, 7, 0.5), lambda o: tl.StepLR(o, 7, 0.5)),
    "exponential": (lambda lr: S.exponential_lr(lr, 0.97), lambda o: tl.ExponentialLR(o, 0.97)),
    "constant": (lambda lr: S.constant_lr(lr, 0.5, 4), lambda o: tl.ConstantLR(o, 0.5, 4)),
    "warm restarts": (
        lambda lr: S.cosine_annealing_warm_restarts(lr, 5, 2),
        lambda o: tl.CosineAnnealingWarmRestarts(o, 5, 2),
    ),
}


@pytest.mark.parametrize("inner", WARMUP_INNER)
@pytest.mark.parametrize(
    ("warmup_steps", "start_factor"), [(5, 1 / 3), (10, 0.01), (1, 0.5), (0, 0.1)]
)
def test_warmup_is_torch_sequential_of_linear_and_schedule(
    inner: str, warmup_steps: int, start_factor: float
) -> None:
    ours, theirs = WARMUP_INNER[inner]
    assert_matches_torch(
        S.warmup(ours(LR), warmup_steps, start_factor),
        lambda opt: tl.SequentialLR(
            opt,
            [tl.LinearLR(opt, start_factor, 1.0, total_iters=warmup_steps), theirs(opt)],
            milestones=[warmup_steps],
        ),
        LR,
        80,
    )


@SETTINGS
@given(
    lr=st.floats(1e-4, 10.0),
    warmup_steps=st.integers(0, 50),
    start_factor=st.floats(1e-3, 1.0),
    T_max=st.integers(1, 60),
)
def test_warmup_random(lr: float, warmup_steps: int, start_factor: float, T_max: int) -> None:
    assert_matches_torch(
        S.warmup(S.cosine_annealing_lr(lr, T_max), warmup_steps, start_factor),
        lambda opt: tl.SequentialLR(
            opt,
            [
                tl.LinearLR(opt, start_factor, 1.0, total_iters=warmup_steps),
                tl.CosineAnnealingLR(opt, T_max),
            ],
            milestones=[warmup_steps],
        ),
        lr,
        warmup_steps + 3 * T_max,
    )


def test_warmup_formula() -> None:
    values = S.warmup(S.exponential_lr(1.0, 0.5), 4, start_factor=0.2).values(7)
    assert values.round(12).tolist() == [0.2, 0.4, 0.6, 0.8, 1.0, 0.5, 0.25]


def test_nested_sequential_restarts_at_its_step_0() -> None:
    """torch raises NotImplementedError when SequentialLR reaches a nested SequentialLR;
    lrcore restarts the nested schedule from its own step 0."""
    inner = S.sequential_lr([S.constant_lr(1.0, 0.5, 2), S.exponential_lr(1.0, 0.5)], [2])
    outer = S.sequential_lr([S.step_lr(1.0, 1, 0.1), inner], [3])
    assert outer.values(8).round(12).tolist() == [1.0, 0.1, 0.01, 0.5, 0.5, 1.0, 0.5, 0.25]


def test_one_cycle_inside_torch_sequential_moves_the_others_start() -> None:
    """A torch surprise lrcore does not copy: OneCycleLR's constructor overwrites the
    optimizer's initial_lr, so in torch the StepLR before it starts at max_lr/div_factor."""
    torch_values = torch_run(
        lambda opt: tl.SequentialLR(
            opt, [tl.StepLR(opt, 2, 0.5), tl.OneCycleLR(opt, 1.0, total_steps=10)], [4]
        ),
        0.1,
        8,
    ).lrs
    ours = S.sequential_lr([S.step_lr(0.1, 2, 0.5), S.one_cycle_lr(1.0, total_steps=10)], [4])
    assert torch_values[:4].tolist() == [0.04, 0.04, 0.02, 0.02]
    assert ours.values(4).tolist() == [0.1, 0.1, 0.05, 0.05]
    assert_close(ours.values(8)[4:], torch_values[4:])  # the one-cycle part agrees
