"""lrcore.batch_size: the scaling rules against the papers' numbers, the warmup against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lrchecks.diagnosis.batch_size import (
    LINEAR_SCALING_MISTAKES,
    SQRT_SCALING_MISTAKES,
    WARMUP_MISTAKES,
)
from lrcore.batch_size import (
    GOYAL_BASE_BATCH_SIZE,
    GOYAL_BASE_LR,
    gradual_warmup,
    gradual_warmup_lr,
    linear_scaled_lr,
    sqrt_scaled_lr,
    warmup_steps_for_epochs,
)
from lrcore.schedules import cosine_annealing_lr, step_lr


def torch_lrs(make_scheduler, lr: float, n: int) -> list[float]:
    """The lr of n optimizer steps of a real torch SGD driven by `make_scheduler(opt)`,
    stepped in the right order (optimizer.step(); scheduler.step())."""
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(n):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


# --- scaling rules --------------------------------------------------------------------------


def test_goyal_et_al_linear_rule():
    # lr = 0.1 · batch/256: 0.1 at 256, 3.2 at their largest batch, 8192.
    assert linear_scaled_lr(GOYAL_BASE_LR, GOYAL_BASE_BATCH_SIZE) == 0.1
    assert linear_scaled_lr(0.1, 8192) == pytest.approx(3.2, rel=1e-15)
    assert linear_scaled_lr(0.1, 1024) == pytest.approx(0.4, rel=1e-15)
    assert linear_scaled_lr(0.1, 32) == pytest.approx(0.0125, rel=1e-15)


@pytest.mark.parametrize(("lr", "batch", "base"), [(0.1, 512, 16), (3e-4, 7, 13), (2.0, 64, 64)])
def test_rules_are_linear_and_square_root_in_the_ratio(lr, batch, base):
    ratio = batch / base
    assert linear_scaled_lr(lr, batch, base) == pytest.approx(lr * ratio, rel=1e-15)
    assert sqrt_scaled_lr(lr, batch, base) == pytest.approx(lr * math.sqrt(ratio), rel=1e-15)
    # Doubling the batch doubles the linear lr and multiplies the square-root lr by √2.
    assert linear_scaled_lr(lr, 2 * batch, base) / linear_scaled_lr(lr, batch, base) == (
        pytest.approx(2.0))
    assert sqrt_scaled_lr(lr, 2 * batch, base) / sqrt_scaled_lr(lr, batch, base) == (
        pytest.approx(math.sqrt(2.0)))


def test_rules_agree_at_the_base_batch_and_differ_elsewhere():
    assert linear_scaled_lr(0.3, 64, 64) == sqrt_scaled_lr(0.3, 64, 64) == 0.3
    assert sqrt_scaled_lr(0.1, 1024) < linear_scaled_lr(0.1, 1024)
    assert sqrt_scaled_lr(0.1, 64) > linear_scaled_lr(0.1, 64)  # smaller batches: less cut


@pytest.mark.parametrize("rule", [linear_scaled_lr, sqrt_scaled_lr])
def test_rules_validate_their_arguments(rule):
    with pytest.raises(ValueError, match="batch_size"):
        rule(0.1, 0)
    with pytest.raises(ValueError, match="base_batch_size"):
        rule(0.1, 64, -1)
    with pytest.raises(ValueError, match="base_lr"):
        rule(-0.1, 64)
    with pytest.raises(ValueError, match="base_lr"):
        rule(float("nan"), 64)
    with pytest.raises(TypeError):
        rule(0.1, "64")
    with pytest.raises(TypeError):
        rule(True, 64)


def test_scaling_mistake_models_differ_from_the_rules():
    for name, model in LINEAR_SCALING_MISTAKES.items():
        assert model(0.1, 40, 16) != pytest.approx(linear_scaled_lr(0.1, 40, 16)), name
    for name, model in SQRT_SCALING_MISTAKES.items():
        assert model(0.1, 40, 16) != pytest.approx(sqrt_scaled_lr(0.1, 40, 16)), name
    assert LINEAR_SCALING_MISTAKES["inverted"](0.1, 1024, 256) == pytest.approx(0.025)
    assert SQRT_SCALING_MISTAKES["sqrt_of_lr"](0.01, 1024, 256) == pytest.approx(0.4)


# --- warmup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "k"), [(0.4, 4), (1.6, 12), (0.05, 1), (3.2, 7)])
def test_warmup_equals_torch_lambda_lr(target, k):
    n = 3 * k + 5
    expected = torch_lrs(
        lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min(1.0, (t + 1) / k)),
        target, n)
    ours = [gradual_warmup_lr(t, target, k) for t in range(n)]
    np.testing.assert_allclose(ours, expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(gradual_warmup_lr(np.arange(n), target, k), expected, rtol=1e-15)


@pytest.mark.parametrize(("target", "k"), [(0.4, 4), (1.6, 12), (0.05, 1), (3.2, 7)])
def test_warmup_schedule_equals_torch_linear_lr(target, k):
    n = 3 * k + 5
    expected = torch_lrs(
        lambda opt: torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / k, end_factor=1.0,
                                                      total_iters=k - 1),
        target, n)
    np.testing.assert_allclose(gradual_warmup(target, k).values(n), expected, rtol=1e-14)
    np.testing.assert_allclose(gradual_warmup(target, k).values(n),
                               [gradual_warmup_lr(t, target, k) for t in range(n)], rtol=1e-14)


def test_warmup_then_a_schedule_equals_torch_sequential_lr():
    k, n = 5, 30

    def make(opt):
        ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / k, end_factor=1.0,
                                                 total_iters=k - 1)
        after = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
        return torch.optim.lr_scheduler.SequentialLR(opt, [ramp, after], milestones=[k])

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's deprecation chatter, if any
        expected = torch_lrs(make, 0.8, n)
    schedule = gradual_warmup(0.8, k, after=cosine_annealing_lr(lr=0.8, T_max=20))
    np.testing.assert_allclose(schedule.values(n), expected, rtol=1e-12, atol=1e-15)


def test_warmup_shape():
    lrs = [gradual_warmup_lr(t, 1.0, 4) for t in range(7)]
    assert lrs == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0]
    assert lrs[0] > 0  # no wasted step at lr 0
    assert [gradual_warmup_lr(t, 0.7, 0) for t in range(3)] == [0.7] * 3  # k = 0: no warmup
    assert [gradual_warmup_lr(t, 0.7, 1) for t in range(3)] == [0.7] * 3
    assert gradual_warmup(0.7, 0).values(3).tolist() == [0.7] * 3
    after = step_lr(lr=1.0, step_size=2, gamma=0.5)
    assert gradual_warmup(1.0, 2, after=after).values(6).tolist() == [0.5, 1.0, 1.0, 1.0, 0.5, 0.5]


def test_warmup_validates_its_arguments():
    with pytest.raises(ValueError):
        gradual_warmup_lr(-1, 0.1, 4)
    with pytest.raises(ValueError):
        gradual_warmup_lr(np.array([0, -2]), 0.1, 4)
    with pytest.raises(TypeError):
        gradual_warmup_lr(1.5, 0.1, 4)
    with pytest.raises(TypeError):
        gradual_warmup_lr(np.array([0.5]), 0.1, 4)
    with pytest.raises(ValueError):
        gradual_warmup_lr(0, 0.1, -3)
    with pytest.raises(TypeError):
        gradual_warmup_lr(0, 0.1, 2.0)
    with pytest.raises(TypeError):
        gradual_warmup(0.1, 3, after="cosine")


def test_warmup_steps_for_epochs():
    assert warmup_steps_for_epochs(2, 6) == 12
    assert warmup_steps_for_epochs(0, 90) == 0
    assert warmup_steps_for_epochs(5, 3) == 15
    with pytest.raises(ValueError):
        warmup_steps_for_epochs(-1, 3)
    with pytest.raises(TypeError):
        warmup_steps_for_epochs(1, 2.5)


def test_warmup_mistake_models():
    k, target = 4, 0.4
    correct = [gradual_warmup_lr(t, target, k) for t in range(8)]
    for name, model in WARMUP_MISTAKES.items():
        assert [model(t, target, k) for t in range(8)] != pytest.approx(correct), name
    assert WARMUP_MISTAKES["starts_at_zero"](0, target, k) == 0.0
    assert WARMUP_MISTAKES["overshoots_at_the_end"](k, target, k) == pytest.approx(0.5)
    assert WARMUP_MISTAKES["one_step_late"](k - 1, target, k) < target
    assert WARMUP_MISTAKES["never_stops_growing"](2 * k, target, k) > target
