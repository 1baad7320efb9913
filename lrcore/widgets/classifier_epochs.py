"""lrcore's quantiles classifier run, recorded after every epoch and extended on demand.

`lrcore.classification.train_classifier(lr, epochs, optimizer, seed=seed)` (no plateau rule)
returns the losses of every epoch but only the final weights; an explorer with an epochs slider
needs the weights — hence the decision boundary and the test accuracy — after *every* epoch, and
a run that can go on where it stopped when the slider asks for more epochs. `EpochRecord`
performs exactly the steps of `train_classifier` (same data, initialisation, optimiser, batch
order, operations, one CPU thread), so its first E epochs are the run of E epochs number for
number (`tests/unit/test_widgets_optimizers.py` checks it bit for bit against lrcore).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np

from lrcore import classification
from lrcore.arguments import one_thread
from lrcore.optimizer_sweep import torch_optimizer

__all__ = ["EpochRecord", "EpochView"]


EpochView = classification.ClassifierRun
"""The first `epochs` epochs of a record: the very run `train_classifier(lr, epochs, …)`
returns (no plateau rule, batch 50, the lr of every epoch unchanged)."""


class EpochRecord:
    """One classifier run (optimizer, lr, seed, batch 50, no plateau rule), trained as far as
    asked and recorded after every epoch."""

    def __init__(self, optimizer: str, lr: float, seed: int) -> None:
        self.optimizer, self.lr, self.seed = optimizer, float(lr), int(seed)
        self.train_loss: list[float] = []
        self.val_loss: list[float] = []
        self.val_accuracy: list[float] = []
        self.test_accuracy: list[float] = []
        self.states: list[dict[str, np.ndarray]] = []
        self._model: Any = None
        self._torch_optimizer: Any = None
        self._lock = threading.Lock()

    @property
    def epochs(self) -> int:
        """How many epochs are recorded."""
        return len(self.states)

    def view(self, epochs: int) -> EpochView:
        """The run of `epochs` epochs (1 ≤ epochs ≤ `self.epochs`)."""
        if not 1 <= epochs <= self.epochs:
            raise ValueError(f"epochs must be in [1, {self.epochs}], got {epochs}")
        return classification.ClassifierRun(
            self.lr, epochs, self.optimizer, None, self.seed, classification.BATCH_SIZE,
            (self.lr,) * epochs, self.lr, tuple(self.train_loss[:epochs]),
            tuple(self.val_loss[:epochs]), tuple(self.val_accuracy[:epochs]),
            self.test_accuracy[epochs - 1], MappingProxyType(self.states[epochs - 1]))

    def extend(self, epochs: int, stop: Callable[[], bool] | None = None,
               pause: Callable[[], None] | None = None) -> EpochRecord:
        """Train on until `epochs` epochs are recorded (the steps of `train_classifier`), or
        until `stop()` says so between two epochs (the epochs done are kept). `pause()` is
        called before every step (it may wait; it changes nothing)."""
        with self._lock:
            if self.epochs >= epochs:
                return self
            X_test, y_test = classification.split_tensors()[4:]
            if self._model is None:
                self._model = classification.make_classifier(self.seed)
                self._torch_optimizer = torch_optimizer(self.optimizer, self._model.parameters(),
                                                        self.lr)
            model, optimizer = self._model, self._torch_optimizer
            with one_thread():
                for epoch in range(self.epochs, epochs):
                    if stop is not None and stop():
                        break
                    classification.train_epoch(model, optimizer, epoch, self.seed, pause=pause)
                    train_loss, val_loss, val_accuracy = classification.epoch_metrics(model)
                    self.train_loss.append(train_loss)
                    self.val_loss.append(val_loss)
                    self.val_accuracy.append(val_accuracy)
                    self.test_accuracy.append(classification.accuracy(model, X_test, y_test))
                    self.states.append(classification.frozen_weights(model))
        return self
