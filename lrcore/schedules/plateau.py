"""ReduceLROnPlateau: the one scheduler that depends on the run (a metric), hence stateful.

`reduce_lr_on_plateau(...)` returns a `PlateauScheduler` that replays torch's decisions one
epoch at a time; `plateau_lrs(metrics, ...)` is the pure view: the lr of every epoch for a
given metric sequence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from .base import FloatArray, check_lr

__all__ = ["PlateauScheduler", "plateau_lrs", "reduce_lr_on_plateau"]


class PlateauScheduler:
    """torch's ReduceLROnPlateau on a single lr, decision for decision.

    After each epoch, `step(metric)` records the metric and returns the lr of the next
    epoch. An epoch is *better* when metric < best·(1 − threshold) (mode "min", "rel"),
    < best − threshold ("min", "abs"), > best·(1 + threshold) ("max", "rel") or
    > best + threshold ("max", "abs"); otherwise it is *bad*. On the (patience + 1)-th bad
    epoch in a row the lr becomes max(lr·factor, min_lr) — only if that lowers it by more
    than eps — the bad count restarts, and the next `cooldown` epochs count as neither.

    Attributes:
        lr: the lr of the current (next) epoch.
        best: the best metric so far (±inf before the first step).
        num_bad_epochs: consecutive bad epochs since the last improvement or reduction.
        cooldown_counter: epochs of cooldown left.
        last_epoch: the number of `step` calls.
        history: the lr of every epoch so far: history[e] is the lr used in epoch e
            (history[0] is the initial lr; each step appends one).
    """

    def __init__(
        self,
        lr: float,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        # torch's checks, in torch's order and with torch's messages.
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        initial = check_lr(lr)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != 1:
                raise ValueError(f"expected 1 min_lrs, got {len(min_lr)}")
            floor = min_lr[0]
        else:
            floor = min_lr
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self._arguments = {
            "lr": lr,
            "mode": mode,
            "factor": factor,
            "patience": patience,
            "threshold": threshold,
            "threshold_mode": threshold_mode,
            "cooldown": cooldown,
            "min_lr": min_lr,
            "eps": eps,
        }
        self.initial_lr = initial
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.min_lr = floor
        self.eps = eps
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.reset()

    def reset(self) -> None:
        """Start over: the initial lr, no best metric, no bad epochs, no cooldown, no history."""
        self.lr: float = self.initial_lr
        self.best: float = self.mode_worse
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self.history: list[float] = [self.lr]

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, metric: float, best: float) -> bool:
        """Whether `metric` improves on `best` by more than the threshold (torch's rule)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def step(self, metric: float) -> float:
        """Record the metric of the epoch just finished; return the lr of the next epoch."""
        current = float(metric)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            old_lr = float(self.lr)
            new_lr = max(old_lr * self.factor, self.min_lr)
            if old_lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self.history.append(self.lr)
        return self.lr

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._arguments.items())
        return f"reduce_lr_on_plateau({arguments})"


def reduce_lr_on_plateau(
    lr: float,
    mode: Literal["min", "max"] = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: Literal["rel", "abs"] = "rel",
    cooldown: int = 0,
    min_lr: float | Sequence[float] = 0,
    eps: float = 1e-8,
) -> PlateauScheduler:
    """Cut the lr by `factor` when a metric stops improving (stateful; see `plateau_lrs`).

    Rule: the cut happens on the (patience + 1)-th bad epoch in a row (see
    `PlateauScheduler`); new lr = max(lr·factor, min_lr), applied only if the lr drops by
    more than eps; then `cooldown` epochs are ignored. (Keras' callback counts patience one
    lower and has no eps.)

    Torch equivalent: `torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=…, factor=…,
    patience=…, threshold=…, threshold_mode=…, cooldown=…, min_lr=…, eps=…)`, stepped with
    `scheduler.step(metric)` once per epoch.

    Args:
        lr: the initial learning rate (the optimizer's), ≥ 0.
        mode: "min" (lower metric is better, e.g. a loss) or "max" (e.g. an accuracy).
        factor: the multiplier of a cut, < 1 (else ValueError, as torch).
        patience: bad epochs tolerated before a cut (10).
        threshold: the improvement that counts, relative or absolute (1e-4).
        threshold_mode: "rel" or "abs" (else ValueError, as torch).
        cooldown: epochs after a cut during which bad epochs are not counted (0).
        min_lr: the lr never goes below it (0); a list of one value is accepted.
        eps: a cut smaller than this is skipped (1e-8).

    >>> s = reduce_lr_on_plateau(lr=0.1, factor=0.5, patience=1)
    >>> [s.step(loss) for loss in [1.0, 0.9, 0.95, 0.95, 0.95, 0.8]]
    [0.1, 0.1, 0.1, 0.05, 0.05, 0.05]
    >>> s.history
    [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]
    >>> s.best, s.num_bad_epochs
    (0.8, 0)
    """
    return PlateauScheduler(
        lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps
    )


def plateau_lrs(
    metrics: Iterable[float],
    lr: float,
    mode: Literal["min", "max"] = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: Literal["rel", "abs"] = "rel",
    cooldown: int = 0,
    min_lr: float | Sequence[float] = 0,
    eps: float = 1e-8,
) -> FloatArray:
    """The lr used in each epoch by ReduceLROnPlateau, given the metric of each epoch.

    Epoch e trains with lrs[e], then reports metrics[e]; so lrs[0] = lr and lrs[e] depends
    on metrics[0..e−1] (the last metric decides the lr of an epoch not in the result).
    The arguments are those of `reduce_lr_on_plateau`.

    >>> plateau_lrs([1.0, 1.0, 1.0, 1.0], lr=0.1, patience=1).tolist()
    [0.1, 0.1, 0.1, 0.010000000000000002]
    """
    scheduler = PlateauScheduler(
        lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps
    )
    reported = list(metrics)
    if not reported:
        return np.empty(0, dtype=np.float64)
    # The last metric only decides the lr of an epoch past the end: it is not needed.
    lrs = [scheduler.lr]
    lrs.extend(map(scheduler.step, reported[:-1]))
    return np.array(lrs, dtype=np.float64)
