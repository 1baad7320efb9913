"""lrcore.digits: the data, the model, a training loop bit-identical to torch.optim.SGD with a
LambdaLR warmup, and per-example gradients equal to autograd's. What ps03's text says of the
experiment — on seeds 0–4 and every numerical path — is tested by tests/claims/test_ps03.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lrchecks.diagnosis.batch_size import SWEEP_MISTAKES
from lrcore import digits
from lrcore.batch_size import sqrt_scaled_lr


def test_split_is_load_digits_scaled_and_fixed():
    from sklearn.datasets import load_digits

    split = digits.digits_split()
    assert split.X_train.shape == (1437, 64) and split.X_test.shape == (360, 64)
    assert split.X_train.dtype == np.float32 and split.y_train.dtype == np.int64
    assert split.X_train.min() >= 0.0 and split.X_train.max() <= 1.0
    full = load_digits()
    order = np.random.default_rng(0).permutation(1797)
    np.testing.assert_array_equal(split.X_test, (full.data[order[:360]] / 16).astype(np.float32))
    np.testing.assert_array_equal(split.y_train, full.target[order[360:]])
    assert not split.X_train.flags.writeable


def test_model_is_torchs_default_init_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    model = digits.make_model(seed=7)
    assert torch.equal(torch.rand(3), expected_next)
    torch.manual_seed(7)
    reference = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                                    torch.nn.Linear(32, 10))
    for ours, theirs in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(ours, theirs)


def torch_reference_train(batch_size, lr, epochs, warmup_steps=0, seed=0):
    """The same experiment written with torch.optim.SGD and a LambdaLR warmup."""
    split = digits.digits_split()
    X, y = torch.from_numpy(np.array(split.X_train)), torch.from_numpy(np.array(split.y_train))
    X_test, y_test = torch.from_numpy(np.array(split.X_test)), torch.from_numpy(
        np.array(split.y_test))
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda t: min(1.0, (t + 1) / warmup_steps) if warmup_steps else 1.0)
    rng = np.random.default_rng(seed)
    losses, accuracies = [], []
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(epochs):
            order = torch.from_numpy(rng.permutation(1437))
            for start in range(0, 1437, batch_size):
                batch = order[start:start + batch_size]
                optimizer.zero_grad()
                F.cross_entropy(model(X[batch]), y[batch]).backward()
                optimizer.step()
                scheduler.step()
            with torch.no_grad():
                losses.append(F.cross_entropy(model(X), y).item())
                accuracies.append((model(X_test).argmax(1) == y_test).sum().item() / 360)
    finally:
        torch.set_num_threads(previous)
    return losses, accuracies


@pytest.mark.parametrize(("batch_size", "lr", "epochs", "warmup"),
                         [(64, 0.4, 2, 0), (200, 1.2, 3, 7), (512, 3.2, 2, 6)])
def test_train_is_bit_identical_to_torch_sgd_with_a_lambda_warmup(batch_size, lr, epochs, warmup):
    run = digits.train(batch_size, lr, epochs, warmup_steps=warmup, seed=1)
    losses, accuracies = torch_reference_train(batch_size, lr, epochs, warmup, seed=1)
    assert list(run.train_loss) == losses
    assert list(run.test_accuracy) == accuracies
    assert run.steps_per_epoch == math.ceil(1437 / batch_size)
    assert len(run.step_lrs) == epochs * run.steps_per_epoch
    if warmup:
        assert run.step_lrs[0] == pytest.approx(run.lr / warmup)
        assert run.step_lrs[warmup - 1] == pytest.approx(run.lr)


def test_plain_sgd_equals_torch_sgd():
    torch.manual_seed(0)
    a = torch.nn.Linear(4, 3)
    b = torch.nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    ours, theirs = digits.PlainSGD(a.parameters(), lr=0.37), torch.optim.SGD(b.parameters(), 0.37)
    X = torch.randn(8, 4)
    for _ in range(5):
        for model, optimizer in ((a, ours), (b, theirs)):
            optimizer.zero_grad()
            model(X).pow(2).sum().backward()
            optimizer.step()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_runs_are_cached_by_float32_lr_and_reproducible():
    run = digits.train(128, 0.3, 1)
    assert digits.train(128, 0.3, 1) is run
    assert digits.train(128, float(np.nextafter(0.3, 1.0)), 1) is run  # torch cannot tell
    assert digits.train(128, 0.3, 1, seed=1) is not run
    digits._train.cache_clear()
    again = digits.train(128, 0.3, 1)
    assert again == run and again is not run


def test_train_validates_its_arguments():
    with pytest.raises(ValueError):
        digits.train(0, 0.1, 1)
    with pytest.raises(ValueError):
        digits.train(16, -0.1, 1)
    with pytest.raises(TypeError):
        digits.train(16, 0.1, 1, warmup_steps=2.0)
    with pytest.raises(TypeError):
        digits.train(16.0, 0.1, 1)


def test_batch_size_sweep_passes_the_rule_and_the_warmup_in_steps():
    runs = digits.batch_size_sweep((48, 200), sqrt_scaled_lr, warmup_epochs=2, base_lr=0.05,
                                   base_batch_size=32, epochs=1, seed=3)
    assert runs[48].lr == pytest.approx(0.05 * math.sqrt(48 / 32), rel=1e-7)
    assert runs[200].warmup_steps == 2 * 8 and runs[48].warmup_steps == 2 * 30
    assert runs[200].seed == 3 and runs[200].epochs == 1
    for name, model in SWEEP_MISTAKES.items():
        settings = [model(b, sqrt_scaled_lr, 0.05, 32, 2) for b in (48, 200)]
        correct = [(runs[b].lr, runs[b].warmup_steps) for b in (48, 200)]
        assert [(float(np.float32(lr)), steps) for lr, steps in settings] != correct, name


def test_range_test_step_is_a_fresh_seeded_run():
    first, second = digits.range_test_step(64, seed=2), digits.range_test_step(64, seed=2)
    lrs = [1e-3, 0.1, 0.5, 1.0]
    assert [first(lr) for lr in lrs] == [second(lr) for lr in lrs]
    raw = digits.range_test_losses(64, 0, 1e-3, 10.0, 50)
    step = digits.range_test_step(64, 0)
    assert list(raw) == [step(lr) for lr in np.geomspace(1e-3, 10.0, 50)]


def test_per_example_gradients_equal_autograd():
    model = digits.make_model(seed=4)
    split = digits.digits_split()
    grads = digits.per_example_gradients(model, split.X_train[:6], split.y_train[:6])
    assert grads.shape == (6, sum(p.numel() for p in model.parameters()))
    for i in range(6):
        model.zero_grad()
        x = torch.from_numpy(np.array(split.X_train[i:i + 1]))
        y = torch.from_numpy(np.array(split.y_train[i:i + 1]))
        F.cross_entropy(model(x), y).backward()
        expected = torch.cat([p.grad.reshape(-1) for p in model.parameters()]).numpy()
        np.testing.assert_allclose(grads[i], expected, rtol=1e-4, atol=1e-6)


def test_gradient_noise_falls_like_one_over_b():
    noise = digits.gradient_noise((16, 64, 256), draws=100)
    ratios = np.array(noise.measured) / np.array(noise.predicted)
    np.testing.assert_allclose(ratios, 1.0, atol=0.1)
    np.testing.assert_allclose(np.array(noise.predicted) * (16, 64, 256),
                               noise.trace_covariance * (1437 - np.array((16, 64, 256))) / 1436)
    assert 50 < noise.noise_scale < 120  # ≈ 79 at the initial weights
