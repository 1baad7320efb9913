"""The plateau challenge: lift a stalled digits classifier by changing only its lr schedule and
optimiser settings.

Data (`challenge_data`): `sklearn.datasets.load_digits` (1797 8×8 images, shipped with
scikit-learn), pixels scaled to [0, 1]; `default_rng(1).permutation` puts 360 images in the
validation set (clean labels) and 1437 in the training set, where a fixed 30 % of the labels
were replaced by random digits (`default_rng(2)`), like a carelessly annotated data set. About
72 % of the training labels are right (a replaced label can land on the right digit), so a
model that classifies every image correctly scores ≈ 0.72 on the training labels: much more
means it has started to learn wrong labels by heart.

Fixed (`run_challenge` refuses to change them): the model 64 → 32 → 10 (ReLU), torch's
initialisation after `torch.manual_seed(seed)`, cross-entropy, batches of `BATCH_SIZE` = 32 in
the order `default_rng([seed, epoch]).permutation(1437)`, `EPOCHS` = 10 epochs. After every
epoch the accuracy on the training labels and the validation loss and accuracy are recorded.

Free (the `config` dict, plain data checked by `lrcore.challenge_config.validate_config`: known
keys, each option a number within its range, no function): the optimiser and its options, and
an lr scheduler::

    config = {
        "optimizer": "SGD",                       # a torch.optim class: SGD, Adam, AdamW,
        "optimizer_options": {"lr": 0.5},         #   RMSprop or Adagrad, and its options
        "scheduler": "StepLR",                    # None or a torch.optim.lr_scheduler class
        "scheduler_options": {"step_size": 5},    #   and its options (not the optimizer)
        "scheduler_interval": "epoch",            # scheduler.step() after every "epoch" or
    }                                             #   every "batch"

With `scheduler_interval="epoch"` ReduceLROnPlateau is stepped with the validation loss, every
other scheduler with `scheduler.step()`; with "batch" (e.g. OneCycleLR, CyclicLR, whose
total_steps is `EPOCHS * STEPS_PER_EPOCH` = 450) after every optimiser step.

The constant lr of `BASELINE_CONFIG` (SGD, lr 0.5) stalls: after a few epochs its validation
accuracy jumps around below the target instead of settling (it ends at 0.911 with seed 0):
every minibatch of noisy labels kicks the weights, and a constant lr never lets the kicks
average out. The challenge is passed when the final validation accuracy is at least
`VAL_TARGET` = 0.95 and the final training accuracy at most `TRAIN_CEILING` = 0.78, with an lr
that changes during the run (`ChallengeRun.lr_changes`: the challenge is about the schedule).
Decaying the lr once the accuracy stalls lifts it just above the target on most seeds — the
target is tight, so choose a schedule with a margin. `EXAMPLE_CONFIG` (StepLR, a tenth of the lr
after six epochs) passes with every seed the grader runs; `autograder/claims/ps05.py` checks
that on every numerical path.

>>> baseline = run_challenge(BASELINE_CONFIG, seed=0)
>>> round(baseline.final_val_accuracy, 3), baseline.passed, baseline.lr_changes
(0.911, False, False)
>>> decayed = run_challenge(EXAMPLE_CONFIG, seed=0)
>>> decayed.lrs
(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.05)
>>> decayed.final_val_accuracy >= VAL_TARGET, decayed.final_train_accuracy <= TRAIN_CEILING
(True, True)
>>> decayed.passed
True
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np

from lrcore.arguments import one_thread
from lrcore.challenge_config import OPTIMIZERS, SCHEDULERS, allowed_options, validate_config

__all__ = [
    "N_TRAIN",
    "N_VAL",
    "BATCH_SIZE",
    "EPOCHS",
    "STEPS_PER_EPOCH",
    "NOISE_FRACTION",
    "VAL_TARGET",
    "TRAIN_CEILING",
    "BASELINE_CONFIG",
    "EXAMPLE_CONFIG",
    "OPTIMIZERS",
    "SCHEDULERS",
    "ChallengeData",
    "ChallengeRun",
    "challenge_data",
    "make_challenge_model",
    "validate_config",
    "allowed_options",
    "run_challenge",
]

N_VAL = 360
N_TRAIN = 1797 - N_VAL
BATCH_SIZE = 32
EPOCHS = 10
STEPS_PER_EPOCH = math.ceil(N_TRAIN / BATCH_SIZE)
NOISE_FRACTION = 0.3
"""The fraction of training labels replaced by a random digit (which may be the right one)."""
VAL_TARGET = 0.95
"""The final validation accuracy must be at least this."""
TRAIN_CEILING = 0.78
"""The final accuracy on the (noisy) training labels must be at most this."""
HIDDEN_UNITS = 32
SPLIT_SEED = 1
NOISE_SEED = 2

BASELINE_CONFIG: Mapping[str, Any] = MappingProxyType({
    "optimizer": "SGD",
    "optimizer_options": MappingProxyType({"lr": 0.5}),
    "scheduler": None,
})
"""SGD with a constant lr of 0.5: the run that stalls."""
EXAMPLE_CONFIG: Mapping[str, Any] = MappingProxyType({
    "optimizer": "SGD",
    "optimizer_options": MappingProxyType({"lr": 0.5}),
    "scheduler": "StepLR",
    "scheduler_options": MappingProxyType({"step_size": 6, "gamma": 0.1}),
})
"""A config that passes: the baseline's lr, cut to a tenth after six epochs."""


@dataclass(frozen=True)
class ChallengeData:
    """float32 pixels in [0, 1] (n×64); int64 labels; y_train has the noisy labels,
    y_train_clean the true ones (for the instructor, not used in training)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    y_train_clean: np.ndarray


@cache
def challenge_data() -> ChallengeData:
    """The fixed split and label noise (see the module docstring); read-only arrays.

    >>> data = challenge_data()
    >>> data.X_train.shape, data.X_val.shape
    ((1437, 64), (360, 64))
    >>> round(float(np.mean(data.y_train == data.y_train_clean)), 3)
    0.722
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(X))
    val, train = order[:N_VAL], order[N_VAL:]
    clean = y[train]
    noisy = clean.copy()
    rng = np.random.default_rng(NOISE_SEED)
    replaced = rng.random(N_TRAIN) < NOISE_FRACTION
    noisy[replaced] = rng.integers(0, 10, int(replaced.sum()))
    arrays = [np.ascontiguousarray(a) for a in (X[train], noisy, X[val], y[val], clean)]
    for array in arrays:
        array.setflags(write=False)
    return ChallengeData(*arrays)


@cache
def _tensors() -> tuple[Any, ...]:
    import torch

    data = challenge_data()
    return tuple(torch.from_numpy(np.array(a)) for a in
                 (data.X_train, data.y_train, data.X_val, data.y_val))


def make_challenge_model(seed: int = 0) -> Any:
    """The fixed 64 → 32 → 10 ReLU MLP, initialised after `torch.manual_seed(seed)` (the
    caller's random state is restored)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(64, HIDDEN_UNITS), torch.nn.ReLU(),
                                   torch.nn.Linear(HIDDEN_UNITS, 10))


@dataclass(frozen=True)
class ChallengeRun:
    """One graded run of the challenge.

    Attributes:
        config: the validated config.
        seed: the seed of the run.
        lrs: the lr at the start of each epoch.
        train_accuracy: accuracy on the (noisy) training labels after each epoch.
        val_loss, val_accuracy: on the clean validation set after each epoch.
        step_lrs: the lr of every optimiser step (a "batch" scheduler changes it within an
            epoch).
    """

    config: Mapping[str, Any]
    seed: int
    lrs: tuple[float, ...]
    train_accuracy: tuple[float, ...]
    val_loss: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    step_lrs: tuple[float, ...] = ()

    @property
    def final_val_accuracy(self) -> float:
        return self.val_accuracy[-1]

    @property
    def final_train_accuracy(self) -> float:
        return self.train_accuracy[-1]

    @property
    def meets_target(self) -> bool:
        return self.final_val_accuracy >= VAL_TARGET

    @property
    def under_ceiling(self) -> bool:
        return self.final_train_accuracy <= TRAIN_CEILING

    @property
    def lr_changes(self) -> bool:
        """Whether the lr of some optimiser step differs from the first step's: a schedule that
        never changes the lr in these 10 epochs is a constant lr."""
        lrs = self.step_lrs or self.lrs
        return any(lr != lrs[0] for lr in lrs)

    @property
    def passed(self) -> bool:
        """Validation accuracy ≥ VAL_TARGET and training accuracy ≤ TRAIN_CEILING, with an lr
        that changes during the run."""
        return self.meets_target and self.under_ceiling and self.lr_changes


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a validated config value (plain data: lists → tuples, dicts →
    sorted tuples)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def run_challenge(config: Mapping[str, Any], seed: int = 0) -> ChallengeRun:
    """Train the fixed model with `config` (see the module docstring) and return the run.

    Raises ValueError for a config that `validate_config` refuses (something fixed changed, an
    unknown optimiser, scheduler or option, a value out of its range, a function); errors from
    torch for a combination of options it refuses (e.g. OneCycleLR stepped past total_steps)
    propagate. A diverging run is recorded as it is (nan losses, chance accuracy). Runs are
    cached by config and seed.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    checked = validate_config(config)
    key = (_freeze(checked), int(seed))
    if key not in _RUNS:
        if len(_RUNS) >= _CACHE_SIZE:
            _RUNS.pop(next(iter(_RUNS)))
        _RUNS[key] = _run(checked, int(seed))
    return _RUNS[key]


_CACHE_SIZE = 64
_RUNS: dict[Any, ChallengeRun] = {}


def _run(config: Mapping[str, Any], seed: int) -> ChallengeRun:
    import torch
    import torch.nn.functional as F

    X, y, X_val, y_val = _tensors()
    model = make_challenge_model(seed)
    optimizer = getattr(torch.optim, config["optimizer"])(
        model.parameters(), **copy.deepcopy(config["optimizer_options"]))
    scheduler = None
    if config["scheduler"] is not None:
        scheduler_class = getattr(torch.optim.lr_scheduler, config["scheduler"])
        scheduler = scheduler_class(optimizer, **config["scheduler_options"])
    per_batch = config["scheduler_interval"] == "batch"
    plateau = config["scheduler"] == "ReduceLROnPlateau"
    lrs: list[float] = []
    step_lrs: list[float] = []
    train_accuracy: list[float] = []
    val_loss: list[float] = []
    val_accuracy: list[float] = []
    with one_thread():
        for epoch in range(EPOCHS):
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            order = torch.from_numpy(np.random.default_rng([seed, epoch]).permutation(N_TRAIN))
            for start in range(0, N_TRAIN, BATCH_SIZE):
                batch = order[start:start + BATCH_SIZE]
                step_lrs.append(float(optimizer.param_groups[0]["lr"]))
                optimizer.zero_grad()
                F.cross_entropy(model(X[batch]), y[batch]).backward()
                optimizer.step()
                if scheduler is not None and per_batch:
                    scheduler.step()
            with torch.no_grad():
                train_accuracy.append(int((model(X).argmax(1) == y).sum()) / N_TRAIN)
                logits = model(X_val)
                val_loss.append(F.cross_entropy(logits, y_val).item())
                val_accuracy.append(int((logits.argmax(1) == y_val).sum()) / N_VAL)
            if scheduler is not None and not per_batch:
                if plateau:
                    scheduler.step(val_loss[-1])
                else:
                    scheduler.step()
    frozen = MappingProxyType({k: (MappingProxyType(v) if isinstance(v, dict) else v)
                               for k, v in config.items()})
    return ChallengeRun(frozen, seed, tuple(lrs), tuple(train_accuracy), tuple(val_loss),
                        tuple(val_accuracy), tuple(step_lrs))
