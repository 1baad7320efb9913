"""lrcore.optimizer_sweep: the regression trained by each optimiser, in float32 torch and in
float64 numpy (lrcore.optim), against a plain torch loop written here."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lrcore import optimizer_sweep
from lrcore.regression import SWEEP_LRS, linear_regression_data

TORCH_CLASSES = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adam": (torch.optim.Adam, {}),
}


def plain_torch_losses(X, y, name, lr, epochs, dtype=torch.float32):
    features = torch.tensor(X, dtype=dtype).reshape(-1, 1)
    targets = torch.tensor(y, dtype=dtype).reshape(-1, 1)
    w = torch.zeros(1, 1, dtype=dtype, requires_grad=True)
    b = torch.zeros(1, dtype=dtype, requires_grad=True)
    cls, options = TORCH_CLASSES[name]
    optimizer = cls([w, b], lr=lr, **options)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = ((features @ w.T + b - targets) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("name", list(TORCH_CLASSES))
@pytest.mark.parametrize("lr", SWEEP_LRS)
def test_train_regression_is_the_torch_loop(name, lr):
    X, y = linear_regression_data()
    ours = np.array(optimizer_sweep.train_regression(X, y, name, lr, 100))
    np.testing.assert_allclose(ours, plain_torch_losses(X, y, name, lr, 100), rtol=2e-6)


@pytest.mark.parametrize("name", list(TORCH_CLASSES))
@pytest.mark.parametrize("lr", SWEEP_LRS)
def test_float64_numpy_equals_float64_torch_and_float32_within_the_grading_tolerance(name, lr):
    X, y = linear_regression_data()
    float64 = optimizer_sweep.float64_losses(X, y, name, lr, 100)
    torch64 = plain_torch_losses(X.astype(np.float64), y.astype(np.float64), name, lr, 100,
                                 dtype=torch.float64)
    np.testing.assert_allclose(float64, torch64, rtol=1e-12)
    float32 = np.array(optimizer_sweep.train_regression(X, y, name, lr, 100))
    np.testing.assert_allclose(float32, float64, rtol=1e-5)  # what the grader relies on


def test_the_names_map_to_torchs_classes_and_defaults():
    parameter = [torch.zeros(1, requires_grad=True)]
    for name, (cls, options) in TORCH_CLASSES.items():
        optimizer = optimizer_sweep.torch_optimizer(name.upper(), parameter, 0.1)
        assert type(optimizer) is cls
        defaults = cls(parameter, lr=0.1, **options).defaults
        assert optimizer.defaults == defaults


def test_a_bad_lr_ruins_even_adam():
    """The notebook's reading of the sweep: lr 0.001 barely moves the adaptive optimisers."""
    curves = optimizer_sweep.optimizer_lr_sweep()
    assert set(curves) == set(TORCH_CLASSES)
    assert curves["adam"][0.001][-1] > 4.0
    assert curves["rmsprop"][0.001][-1] > 3.0 and curves["adagrad"][0.001][-1] > 4.0
    assert curves["momentum"][0.001][-1] < 0.1
    assert all(curves[name][0.5][-1] < 0.011 for name in curves)


def test_arguments_are_checked():
    X, y = linear_regression_data()
    with pytest.raises(ValueError, match="unknown optimiser 'adamax'"):
        optimizer_sweep.train_regression(X, y, "adamax", 0.1)
    with pytest.raises(ValueError, match="lr"):
        optimizer_sweep.train_regression(X, y, "adam", -0.1)
    with pytest.raises(ValueError, match="epochs"):
        optimizer_sweep.train_regression(X, y, "adam", 0.1, epochs=-1)
    with pytest.raises(ValueError, match="same number"):
        optimizer_sweep.train_regression(X, y[:50], "adam", 0.1)
