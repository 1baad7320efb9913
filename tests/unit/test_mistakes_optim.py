"""lrchecks.diagnosis.optim: the references equal torch, each mistake model equals the mistaken
formula written out independently here, and the plateau models keep torch's rule elsewhere."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import hypothesis_settings

from lrchecks.diagnosis import optim as M
from lrcore.regression import linear_regression_data
from lrcore.schedules import reduce_lr_on_plateau

CURVATURES = np.array([1.0, 100.0, 0.3])
X0 = np.array([1.0, -0.5, 2.0])


def bowl(x):
    return CURVATURES * x


def torch_trajectory(cls, steps, **options):
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    optimizer = cls([x], **options)
    out = []
    for _ in range(steps):
        optimizer.zero_grad()
        x.grad = torch.from_numpy(bowl(x.detach().numpy().copy()))
        optimizer.step()
        out.append(x.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("options", [{"lr": 0.1}, {"lr": 0.02, "beta1": 0.5, "beta2": 0.9,
                                                   "eps": 0.05}])
def test_adam_reference_is_torch(options):
    ours = M.update_trajectory(M.adam_step_reference, X0, bowl, 30, 2, **options)
    torch_options = {"lr": options["lr"], "eps": options.get("eps", 1e-8),
                     "betas": (options.get("beta1", 0.9), options.get("beta2", 0.999))}
    np.testing.assert_allclose(ours, torch_trajectory(torch.optim.Adam, 30, **torch_options),
                               rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("options", [{"lr": 0.01}, {"lr": 0.05, "alpha": 0.9, "eps": 0.1}])
def test_rmsprop_reference_is_torch(options):
    ours = M.update_trajectory(M.rmsprop_step_reference, X0, bowl, 30, 1, **options)
    np.testing.assert_allclose(ours, torch_trajectory(torch.optim.RMSprop, 30, **options),
                               rtol=1e-13, atol=1e-300)


def written_out_adam(kind, steps, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """The mistaken Adam loops, in plain numpy, from their textbook descriptions."""
    x, m, v, out = X0.copy(), np.zeros(3), np.zeros(3), []
    for t in range(1, steps + 1):
        g = bowl(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        if kind == "no_bias_correction":
            x = x - lr * m / (np.sqrt(v) + eps)
        elif kind == "second_moment_not_corrected":
            x = x - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps)
        elif kind == "eps_inside_sqrt":
            x = x - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps)
        elif kind == "keras_eps":  # Keras: lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), then m/(√v + ε)
            lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
            x = x - lr_t * m / (np.sqrt(v) + eps)
        elif kind == "step_counted_from_zero":
            s = t + 1
            x = x - lr * (m / (1 - beta1**s)) / (np.sqrt(v / (1 - beta2**s)) + eps)
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("kind", list(M.ADAM_MISTAKES))
@pytest.mark.parametrize("options", [{"lr": 0.1}, {"lr": 0.05, "eps": 0.1}])
def test_adam_mistake_models(kind, options):
    model = M.update_trajectory(M.ADAM_MISTAKES[kind], X0, bowl, 12, 2, **options)
    np.testing.assert_allclose(model, written_out_adam(kind, 12, **options), rtol=1e-12)


def test_every_adam_mistake_shows_on_the_eps_case():
    right = M.update_trajectory(M.adam_step_reference, X0, bowl, 8, 2, lr=0.05, eps=0.1)
    for model in M.ADAM_MISTAKES.values():
        wrong = M.update_trajectory(model, X0, bowl, 8, 2, lr=0.05, eps=0.1)
        assert not np.allclose(wrong, right, rtol=1e-4)


def written_out_rmsprop(kind, steps, lr, alpha=0.99, eps=1e-8):
    x, v, out = X0.copy(), np.zeros(3), []
    for t in range(1, steps + 1):
        g = bowl(x)
        if kind == "alpha_swapped":
            v = (1 - alpha) * v + alpha * g * g
        else:
            v = alpha * v + (1 - alpha) * g * g
        if kind == "bias_corrected":
            x = x - lr * g / (np.sqrt(v / (1 - alpha**t)) + eps)
        elif kind == "eps_inside_sqrt":
            x = x - lr * g / np.sqrt(v + eps)
        else:
            x = x - lr * g / (np.sqrt(v) + eps)
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("kind", list(M.RMSPROP_MISTAKES))
@pytest.mark.parametrize("options", [{"lr": 0.01}, {"lr": 0.05, "alpha": 0.9, "eps": 0.1}])
def test_rmsprop_mistake_models(kind, options):
    model = M.update_trajectory(M.RMSPROP_MISTAKES[kind], X0, bowl, 12, 1, **options)
    np.testing.assert_allclose(model, written_out_rmsprop(kind, 12, **options), rtol=1e-12)


metric_lists = st.lists(st.floats(0.0, 2.0, allow_nan=False).map(lambda v: round(v, 2)),
                        min_size=1, max_size=40)
plateau_options = st.fixed_dictionaries({
    "mode": st.sampled_from(["min", "max"]),
    "factor": st.sampled_from([0.1, 0.5, 0.9]),
    "patience": st.integers(0, 4),
    "threshold": st.sampled_from([0.0, 1e-4, 0.05, 0.2]),
    "threshold_mode": st.sampled_from(["rel", "abs"]),
    "cooldown": st.integers(0, 3),
    "min_lr": st.sampled_from([0.0, 1e-3, 0.02]),
    "eps": st.sampled_from([1e-8, 1e-3]),
})


@given(metrics=metric_lists, options=plateau_options, lr=st.sampled_from([0.1, 1.0, 0.003]))
@hypothesis_settings(150)
def test_plateau_decisions_are_torchs(metrics, options, lr):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
    torch_lrs = []
    for metric in metrics:
        scheduler.step(metric)
        torch_lrs.append(optimizer.param_groups[0]["lr"])
    assert M.plateau_decisions(metrics, lr, **options) == torch_lrs
    ours = reduce_lr_on_plateau(lr, **options)
    assert [ours.step(metric) for metric in metrics] == torch_lrs


@given(metrics=metric_lists, options=plateau_options)
@hypothesis_settings(100)
def test_keras_patience_p_is_torch_patience_p_minus_one(metrics, options):
    """The REFERENCE's statement, for the model: with p ≥ 1 and no cooldown, Keras' count
    behaves like torch's p − 1."""
    options = {**options, "patience": max(options["patience"], 1), "cooldown": 0}
    keras = M.PLATEAU_MISTAKES["keras_patience"](metrics, 0.1, **options)
    torch_like = M.plateau_decisions(metrics, 0.1, **{**options,
                                                      "patience": options["patience"] - 1})
    assert keras == torch_like


@pytest.mark.parametrize(("name", "metrics", "options", "expected"), [
    ("no_reset_after_cut", [1, 1, 1, 1], {"patience": 1}, [0.1, 0.1, 0.01, 0.001]),
    ("ignores_threshold", [1.0, 0.99999, 0.99998], {"patience": 0},
     [0.1, 0.1, 0.1]),
    ("ignores_threshold_mode", [10.0, 9.95], {"patience": 0, "threshold": 0.01,
                                              "threshold_mode": "abs"}, [0.1, 0.01]),
    ("ignores_mode", [0.5, 0.6], {"mode": "max", "patience": 0}, [0.1, 0.010000000000000002]),
    ("ignores_cooldown", [1, 1, 1], {"patience": 0, "cooldown": 1},
     [0.1, 0.010000000000000002, 0.0010000000000000002]),
    ("ignores_min_lr", [1, 1, 1], {"patience": 0, "min_lr": 0.05}, [0.1, 0.010000000000000002,
                                                                   0.0010000000000000002]),
    ("ignores_eps", [1, 1], {"patience": 0, "factor": 0.5, "eps": 1.0}, [0.1, 0.05]),
])
def test_each_plateau_mistake_changes_its_piece(name, metrics, options, expected):
    assert M.PLATEAU_MISTAKES[name](metrics, 0.1, **options) == pytest.approx(expected, rel=1e-12)
    assert M.plateau_decisions(metrics, 0.1, **options) != pytest.approx(expected, rel=1e-12)


def test_regression_optimizer_mistakes():
    from lrcore.optimizer_sweep import train_regression

    X, y = linear_regression_data()
    curves = M.regression_optimizer_mistakes(X, y, "rmsprop", 0.01, 30)
    assert curves["loss_after_update"] == train_regression(X, y, "rmsprop", 0.01, 31)[1:]
    assert not np.allclose(curves["keras_rmsprop_rho"], train_regression(X, y, "rmsprop", 0.01,
                                                                         30))
    assert "nesterov" in M.regression_optimizer_mistakes(X, y, "momentum", 0.01, 5)
