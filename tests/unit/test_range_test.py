"""lrcore.range_test: the range test against an independent transcription of fastai's LRFinder
(its lr schedule replaced by the course's inclusive one), and its torch part against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lrchecks.diagnosis.batch_size import (
    EXPONENTIAL_LRS_MISTAKES,
    RANGE_TEST_MISTAKES,
    SMOOTHING_MISTAKES,
    SUGGESTION_MISTAKES,
    range_test_variant,
)
from lrcore import range_test


def fastai_like(train_step, start=1e-7, end=10.0, num_it=100, beta=0.98, factor=4.0):
    """fastai 2's LRFinder + Recorder + AvgSmoothLoss, written out: lerp-based EMA debiased by
    1 − β^count, best updated first, the diverging batch recorded, then the fit cancelled.
    (fastai spaces the lrs by train_iter/num_it; the course uses i/(num_it − 1).)"""
    lrs, smoothed = [], []
    val, best = torch.tensor(0.0, dtype=torch.float64), math.inf
    for i in range(num_it):
        count = i + 1  # AvgSmoothLoss.count, incremented before each smoothing
        lr = start * (end / start) ** (i / (num_it - 1))
        loss = torch.tensor(float(train_step(lr)), dtype=torch.float64)
        val = torch.lerp(loss, val, beta)
        smooth = float(val / (1 - beta**count))
        lrs.append(lr)
        smoothed.append(smooth)
        best = min(best, smooth)
        if smooth > factor * best:
            break
    return np.array(lrs), np.array(smoothed)


class Counting:
    def __init__(self, step):
        self.step, self.calls = step, 0

    def __call__(self, lr):
        self.calls += 1
        return self.step(lr)


TOYS = [dict(a=1.0, w0=3.0, seed=0), dict(a=4.0, w0=2.0, seed=1), dict(a=0.5, seed=2, noise=0.5),
        dict(a=0.01, seed=3)]
SETTINGS = [{}, dict(start_lr=1e-5, end_lr=100.0, num_iters=60, beta=0.9, diverge_factor=3.0),
            dict(start_lr=1e-4, num_iters=80, beta=0.95), dict(num_iters=50)]


@pytest.mark.parametrize("toy", TOYS)
@pytest.mark.parametrize("options", SETTINGS)
def test_range_test_equals_fastai_transcription(toy, options):
    result = range_test.lr_range_test(range_test.noisy_quadratic_step(**toy), **options)
    names = {"start_lr": "start", "end_lr": "end", "num_iters": "num_it", "beta": "beta",
             "diverge_factor": "factor"}
    lrs, smoothed = fastai_like(range_test.noisy_quadratic_step(**toy),
                                **{names[k]: v for k, v in options.items()})
    np.testing.assert_allclose(result.lrs, lrs, rtol=1e-13)
    np.testing.assert_allclose(result.smoothed, smoothed, rtol=1e-12)


def test_stop_rule_records_the_diverging_step_and_takes_no_more():
    step = Counting(range_test.noisy_quadratic_step(a=1.0, w0=3.0, seed=0))
    result = range_test.lr_range_test(step)
    assert result.diverged and step.calls == result.lrs.size < range_test.NUM_ITERS
    best_before = np.minimum.accumulate(result.smoothed)
    assert result.smoothed[-1] > 4 * best_before[-1]
    assert np.all(result.smoothed[:-1] <= 4 * best_before[:-1])
    assert result.lrs[-1] > 1.0  # the toy diverges above lr = 1/a, the smoothing lags behind


def test_a_run_that_never_diverges_takes_every_step():
    step = Counting(range_test.noisy_quadratic_step(a=0.01, seed=3))
    result = range_test.lr_range_test(step, num_iters=50)
    assert not result.diverged and step.calls == 50 and result.lrs[-1] == pytest.approx(10.0)


def test_non_finite_loss_stops_the_test():
    losses = iter([1.0, 0.9, math.inf, 0.1])
    result = range_test.lr_range_test(lambda lr: next(losses), num_iters=4)
    assert result.diverged and result.lrs.size == 3


def test_exponential_lrs():
    np.testing.assert_allclose(range_test.exponential_lrs(1e-7, 10, 100),
                               np.geomspace(1e-7, 10, 100), rtol=1e-13)
    lrs = range_test.exponential_lrs(1e-3, 10, 400)
    assert lrs[0] == 1e-3 and lrs[-1] == pytest.approx(10.0, rel=1e-13)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1e4) ** (1 / 399), rtol=1e-12)
    np.testing.assert_allclose(range_test.exponential_lrs(2.0, 0.5, 3), [2.0, 1.0, 0.5])
    for bad in [(0.0, 1.0, 5), (1e-3, -1.0, 5), (1e-3, 1.0, 1)]:
        with pytest.raises(ValueError):
            range_test.exponential_lrs(*bad)
    with pytest.raises(TypeError):
        range_test.exponential_lrs(1e-3, 1.0, 5.0)


def test_smoothing_is_debiased():
    np.testing.assert_allclose(range_test.smooth_losses([3.0] * 20), 3.0, rtol=1e-13)
    losses = np.random.default_rng(0).uniform(1, 3, 40)
    np.testing.assert_array_equal(range_test.smooth_losses(losses, beta=0.0), losses)
    smoothed = range_test.smooth_losses(losses, 0.9)
    assert smoothed[0] == losses[0]
    # Closed form: a_i = (1 − β)·Σ_j β^(i−j)·loss_j.
    i = np.arange(losses.size)
    closed = np.array([(0.1 * 0.9 ** (k - i[: k + 1]) * losses[: k + 1]).sum()
                       / (1 - 0.9 ** (k + 1)) for k in i])
    np.testing.assert_allclose(smoothed, closed, rtol=1e-12)
    with pytest.raises(ValueError):
        range_test.smooth_losses(losses, 1.0)


def test_suggestions():
    lrs, losses = [0.01, 0.1, 1.0, 10.0], [2.0, 1.0, 0.5, 3.0]
    assert range_test.suggest_lr(lrs, losses) == 0.1
    assert range_test.steepest_lr(lrs, losses) == 0.01
    assert range_test.suggest_lr([0.1, 1.0, 10.0], [1.0, 0.5, 0.5]) == pytest.approx(0.1)
    assert range_test.divergence_index([1.0, 0.5, 0.4, 1.2, 1.7, 9.0]) == 4
    assert range_test.divergence_index([1.0, 2.0, 3.0]) is None
    with pytest.raises(ValueError):
        range_test.suggest_lr([0.1, 1.0], [1.0])
    with pytest.raises(ValueError):
        range_test.steepest_lr([0.1], [1.0])


def test_from_losses_equals_a_fresh_test():
    step = range_test.noisy_quadratic_step(a=1.0, w0=3.0, seed=0)
    raw = [step(lr) for lr in range_test.exponential_lrs(1e-7, 10, 100)]
    for beta, factor in [(0.98, 4.0), (0.9, 2.0), (0.0, 1.5)]:
        fresh = range_test.lr_range_test(range_test.noisy_quadratic_step(a=1.0, w0=3.0, seed=0),
                                         beta=beta, diverge_factor=factor)
        replay = range_test.range_test_from_losses(raw, beta=beta, diverge_factor=factor)
        np.testing.assert_array_equal(replay.lrs, fresh.lrs)
        np.testing.assert_array_equal(replay.smoothed, fresh.smoothed)
        assert replay.diverged == fresh.diverged


def make_torch_problem(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    X, y = torch.randn(64, 5), torch.randn(64, 1)
    batches = [(X[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)] * 50
    return model, batches


def test_torch_range_test_equals_a_hand_written_loop_and_restores_the_model():
    model, batches = make_torch_problem()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0, momentum=0.9)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = range_test.torch_lr_range_test(model, optimizer, torch.nn.functional.mse_loss,
                                            iter(batches), start_lr=1e-4, end_lr=100.0,
                                            num_iters=120)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert optimizer.state_dict()["state"] == {}

    twin, twin_batches = make_torch_problem()
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.0, momentum=0.9)
    losses = []
    for lr, (inputs, targets) in zip(result.lrs, twin_batches, strict=False):
        twin_optimizer.param_groups[0]["lr"] = lr
        twin_optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(twin(inputs), targets)
        loss.backward()
        twin_optimizer.step()
        losses.append(loss.item())
    np.testing.assert_array_equal(result.losses, losses)
    assert result.diverged


def test_mistake_models_differ_from_the_correct_test():
    toy = dict(a=1.0, w0=3.0, seed=0)
    correct = range_test.lr_range_test(range_test.noisy_quadratic_step(**toy))
    variant = range_test_variant(range_test.noisy_quadratic_step(**toy), 1e-7, 10, 100, 0.98, 4.0)
    np.testing.assert_array_equal(variant[0], correct.lrs)
    np.testing.assert_allclose(variant[1], correct.smoothed, rtol=1e-12)
    for name, choices in RANGE_TEST_MISTAKES.items():
        lrs, smoothed = range_test_variant(range_test.noisy_quadratic_step(**toy), 1e-7, 10, 100,
                                           0.98, 4.0, **choices)
        same = lrs.size == correct.lrs.size and np.allclose(smoothed, correct.smoothed)
        assert not same, name
    for name, model in EXPONENTIAL_LRS_MISTAKES.items():
        assert not np.allclose(model(1e-3, 1.0, 4), range_test.exponential_lrs(1e-3, 1.0, 4)), name
    losses = np.array([2.0, 1.0, 3.0, 0.5, 0.5])
    for name, model in SMOOTHING_MISTAKES.items():
        assert not np.allclose(model(losses, 0.9), range_test.smooth_losses(losses, 0.9)), name
    for name, model in SUGGESTION_MISTAKES.items():
        assert model(correct.lrs, correct.smoothed) != pytest.approx(correct.suggestion), name
