"""lrchecks.diagnosis.quadratic and .regression: each model equals the buggy code it describes,
and differs from the truth."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lrchecks.diagnosis import Mistake, raise_first_fitting
from lrchecks.diagnosis.quadratic import QUADRATIC_MISTAKES
from lrchecks.diagnosis.regression import REGRESSION_MISTAKES
from lrchecks.report import CheckFailed
from lrcore import quadratic, regression


def constant(lr):
    return lambda _t: lr


def torch_run_without_zero_grad(lr, n, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    xs = []
    for _ in range(n):
        (x**2).backward()
        optimizer.step()
        xs.append(x.item())
    return np.array(xs)


def torch_run_recording_before_step(lr, n, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    xs = []
    for _ in range(n):
        optimizer.zero_grad()
        (x**2).backward()
        xs.append(x.item())
        optimizer.step()
    return np.array(xs)


def torch_run_scheduler_first(lr, n, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 3, 0.5)
    xs = []
    for step in range(n):
        if step == 0:
            with pytest.warns(UserWarning, match="lr_scheduler.step"):
                scheduler.step()
        else:
            scheduler.step()
        optimizer.zero_grad()
        (x**2).backward()
        optimizer.step()
        xs.append(x.item())
    return np.array(xs)


def integer_history(lr, n, x0):
    history = np.zeros(n, dtype=type(x0))
    x = x0
    for step in range(n):
        x = x - lr * 2 * x
        history[step] = x
    return history


@pytest.mark.parametrize(("lr", "x0"), [(0.1, 500.0), (0.3, -7.0), (1.05, 3.0)])
def test_models_equal_real_buggy_code(lr, x0):
    n = 12
    runs = {name: model(constant(lr), n, x0, 1.0) for name, model in QUADRATIC_MISTAKES.items()}
    np.testing.assert_allclose(runs["missing_zero_grad"][0],
                               torch_run_without_zero_grad(lr, n, x0), rtol=1e-5)
    np.testing.assert_allclose(runs["history_before_step"][0],
                               torch_run_recording_before_step(lr, n, x0), rtol=1e-5)
    np.testing.assert_array_equal(runs["integer_history"][0], integer_history(lr, n, int(x0)))
    np.testing.assert_allclose(runs["sign_flipped"][0],
                               quadratic.gradient_descent(-lr, n, x0), rtol=1e-12)
    np.testing.assert_allclose(runs["gradient_without_factor_two"][0],
                               quadratic.gradient_descent(lr / 2, n, x0), rtol=1e-12)
    assert len(runs["one_step_too_many"][0]) == n + 1
    assert len(runs["one_step_too_few"][0]) == n - 1


def test_scheduler_stepped_first_skips_the_first_lr():
    lrs = [1.05 * 0.5 ** (t // 3) for t in range(20)]
    model = QUADRATIC_MISTAKES["scheduler_stepped_first"](lambda t: lrs[t] if t < 20 else
                                                          1.05 * 0.5 ** (t // 3), 10, 500.0, 1.0)
    np.testing.assert_allclose(model[0], torch_run_scheduler_first(1.05, 10, 500.0), rtol=1e-5)
    assert model[1][0] == lrs[1]


@pytest.mark.parametrize("name", sorted(QUADRATIC_MISTAKES))
def test_every_quadratic_mistake_differs_from_the_truth(name):
    xs, _ = QUADRATIC_MISTAKES[name](lambda t: 0.1 * 0.9**t, 10, 500.0, 1.0)
    truth = quadratic.gradient_descent([0.1 * 0.9**t for t in range(10)], 10, 500.0)
    assert xs.shape != truth.shape or not np.allclose(xs, truth, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(REGRESSION_MISTAKES))
def test_every_regression_mistake_differs_from_the_truth(name):
    X, y = regression.linear_regression_data()
    truth = regression.train_linear_regression(X, y, 0.1, 20)
    wrong = REGRESSION_MISTAKES[name](X, y, 0.1, 20)
    assert len(wrong) == 20
    assert not np.allclose(wrong, truth, rtol=1e-4)


def test_regression_data_are_seeded_and_shaped():
    X1, y1 = regression.linear_regression_data()
    X2, y2 = regression.linear_regression_data()
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.min() >= 0 and X1.max() <= 1
    slope, intercept = np.polyfit(X1.ravel(), y1.ravel(), 1)
    assert abs(slope - 2) < 0.1 and abs(intercept - 1) < 0.1
    assert not np.array_equal(regression.linear_regression_data(seed=1)[0], X1)


def test_sweep_losses_fall_faster_for_larger_stable_lrs():
    finals = {lr: losses[-1] for lr, losses in regression.lr_sweep().items()}
    assert finals[0.001] > finals[0.01] > finals[0.1] > finals[0.5]


def test_raise_first_fitting_raises_the_first_fitting_mistakes_sentence():
    mistakes = [Mistake("a", "Sentence a.", abs), Mistake("b", "Sentence b.", abs),
                Mistake("c", "Sentence c.", abs)]
    with pytest.raises(CheckFailed) as failed:
        raise_first_fitting(mistakes, lambda mistake: mistake.name != "a", "f(2) is wrong.")
    assert str(failed.value) == "f(2) is wrong. Sentence b."
    assert failed.value.diagnosis == "Sentence b."


def test_raise_first_fitting_returns_when_no_mistake_fits():
    tried = []
    assert raise_first_fitting([Mistake("a", "Sentence a.", abs)],
                               lambda mistake: tried.append(mistake.name) is not None,
                               "f(2) is wrong.") is None
    assert tried == ["a"]
