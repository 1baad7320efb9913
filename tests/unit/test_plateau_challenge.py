"""lrcore.plateau_challenge: the fixed data and model, config validation, the calibration of
target and ceiling, and run_challenge against a torch loop written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from lrcore import plateau_challenge as P

REFERENCE_SOLUTION = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
                      "scheduler": "ReduceLROnPlateau",
                      "scheduler_options": {"factor": 0.2, "patience": 0}}


def test_data_split_and_label_noise():
    data = P.challenge_data()
    digits = load_digits()
    assert data.X_train.shape == (1437, 64) and data.X_val.shape == (360, 64)
    assert data.X_train.max() <= 1.0 and data.X_train.min() >= 0.0
    # the validation labels are the true ones: find each image among the digits
    index = {row.tobytes(): label for row, label in
             zip((digits.data / 16.0).astype(np.float32), digits.target, strict=True)}
    assert all(index[x.tobytes()] == label for x, label in zip(data.X_val, data.y_val,
                                                               strict=True))
    right = np.mean(data.y_train == data.y_train_clean)
    assert 0.70 < right < 0.74  # 30 % replaced, a tenth of those by the right digit
    assert right + 0.05 < P.TRAIN_CEILING  # a clean fit stays well under the ceiling
    assert not data.X_train.flags.writeable


def test_config_validation_names_the_problem():
    good = P.validate_config({"optimizer": "adam", "optimizer_options": {"lr": 0.01}})
    assert good == {"optimizer": "Adam", "optimizer_options": {"lr": 0.01}, "scheduler": None,
                    "scheduler_options": {}, "scheduler_interval": "epoch"}
    assert P.validate_config({**REFERENCE_SOLUTION, "scheduler": "reducelronplateau"})[
        "scheduler"] == "ReduceLROnPlateau"
    for config, words in [
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "epochs": 20}, "number of epochs"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "batch_size": 8}, "batch size"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "sheduler": "StepLR"},
         "unknown config key"),
        ({"optimizer": "LBFGS", "optimizer_options": {"lr": 0.1}}, "must be one of"),
        ({"optimizer": "SGD", "optimizer_options": {"momentum": 0.9}}, "'lr'"),
        ({"optimizer": "SGD", "optimizer_options": [0.1]}, "dict of keyword arguments"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler": "Warmup"},
         "scheduler"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler": "StepLR",
          "scheduler_options": {"optimizer": None}}, "must not contain 'optimizer'"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler_interval": "step"},
         "'epoch' or 'batch'"),
        ({"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler": "ReduceLROnPlateau",
          "scheduler_interval": "batch"}, "once per epoch"),
        ("SGD", "must be a dict"),
    ]:
        with pytest.raises(ValueError, match=words):
            P.validate_config(config)


def torch_challenge(config, seed):
    """The challenge's loop, written independently."""
    data = P.challenge_data()
    X, y = torch.tensor(data.X_train), torch.tensor(data.y_train)
    X_val, y_val = torch.tensor(data.X_val), torch.tensor(data.y_val)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = getattr(torch.optim, config["optimizer"])(model.parameters(),
                                                          **config["optimizer_options"])
    name = config.get("scheduler")
    scheduler = (getattr(torch.optim.lr_scheduler, name)(optimizer, **config["scheduler_options"])
                 if name else None)
    per_batch = config.get("scheduler_interval") == "batch"
    lrs, val_accuracy, train_accuracy = [], [], []
    for epoch in range(10):
        lrs.append(optimizer.param_groups[0]["lr"])
        order = np.random.default_rng([seed, epoch]).permutation(1437)
        for start in range(0, 1437, 32):
            batch = torch.tensor(order[start:start + 32])
            optimizer.zero_grad()
            F.cross_entropy(model(X[batch]), y[batch]).backward()
            optimizer.step()
            if scheduler is not None and per_batch:
                scheduler.step()
        with torch.no_grad():
            logits = model(X_val)
            val_accuracy.append((logits.argmax(1) == y_val).float().mean().item())
            train_accuracy.append((model(X).argmax(1) == y).float().mean().item())
            val_loss = F.cross_entropy(logits, y_val).item()
        if scheduler is not None and not per_batch:
            scheduler.step(val_loss) if name == "ReduceLROnPlateau" else scheduler.step()
    return lrs, val_accuracy, train_accuracy


@pytest.mark.parametrize("config", [
    REFERENCE_SOLUTION,
    {"optimizer": "Adam", "optimizer_options": {"lr": 0.001}, "scheduler": "OneCycleLR",
     "scheduler_options": {"max_lr": 0.01, "total_steps": 450}, "scheduler_interval": "batch"},
    {"optimizer": "SGD", "optimizer_options": {"lr": 0.5, "momentum": 0.5},
     "scheduler": "MultiStepLR", "scheduler_options": {"milestones": [4, 7], "gamma": 0.3}},
])
def test_run_challenge_is_the_torch_loop(config):
    run = P.run_challenge(config, seed=3)
    lrs, val_accuracy, train_accuracy = torch_challenge(config, 3)
    np.testing.assert_allclose(run.lrs, lrs, rtol=1e-12)
    np.testing.assert_allclose(run.val_accuracy, val_accuracy, rtol=1e-6)
    np.testing.assert_allclose(run.train_accuracy, train_accuracy, rtol=1e-6)


def test_calibration_baseline_fails_and_the_solution_passes_with_margin():
    assert P.STEPS_PER_EPOCH == math.ceil(1437 / 32) == 45
    baseline = P.run_challenge(P.BASELINE_CONFIG, seed=0)
    assert not baseline.passed and baseline.final_val_accuracy < P.VAL_TARGET - 0.03
    assert max(baseline.val_accuracy[4:]) - min(baseline.val_accuracy[4:]) < 0.06  # it stalls
    for seed in (0, 1):  # the graded seeds
        run = P.run_challenge(REFERENCE_SOLUTION, seed=seed)
        assert run.passed
        assert run.final_val_accuracy >= P.VAL_TARGET + 0.01  # ≥ 4 more images than needed
        assert run.final_train_accuracy <= P.TRAIN_CEILING - 0.05
    assert not P.run_challenge(P.BASELINE_CONFIG, seed=1).passed


def test_runs_are_cached_and_unhashable_options_still_run():
    first = P.run_challenge(REFERENCE_SOLUTION, seed=0)
    assert P.run_challenge(dict(REFERENCE_SOLUTION), seed=0) is first
    lam = {"optimizer": "SGD", "optimizer_options": {"lr": 0.3}, "scheduler": "LambdaLR",
           "scheduler_options": {"lr_lambda": lambda epoch: 0.5 ** epoch}}
    with pytest.raises(ValueError, match="holds a function"):  # a config is plain data
        P.run_challenge(lam)
    unhashable = {"optimizer": "SGD", "optimizer_options": {"lr": 0.3},
                  "scheduler": "MultiStepLR",
                  "scheduler_options": {"milestones": np.array([2, 4]), "gamma": 0.5}}
    assert P.run_challenge(unhashable).lrs[:5] == pytest.approx((0.3, 0.3, 0.15, 0.15, 0.075))
    with pytest.raises(ValueError, match="seed"):
        P.run_challenge(REFERENCE_SOLUTION, seed=-1)
    with pytest.raises(ValueError, match="must set 'step_size'"):  # a missing option
        P.run_challenge({"optimizer": "SGD", "optimizer_options": {"lr": 0.1},
                         "scheduler": "StepLR"})
