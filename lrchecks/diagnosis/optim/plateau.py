"""Mistakes in the ReduceLROnPlateau rule (ps05's PlateauRule).

A plateau model replays a metric sequence and returns the lr each `step(metric)` returns, like
`plateau_decisions` with the correct rule; a rule is recognised as a mistake when its lrs equal
the model's (rtol 1e-9) and the model's differ from torch's.

>>> plateau_decisions([1.0, 1.0, 1.0], lr=0.1, patience=1)
[0.1, 0.1, 0.010000000000000002]
>>> PLATEAU_MISTAKES["keras_patience"]([1.0, 1.0, 1.0], lr=0.1, patience=1)  # cuts every bad epoch
[0.1, 0.010000000000000002, 0.0010000000000000002]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from lrchecks.diagnosis.mistake import Mistake, explanations, models, switched
from lrchecks.values import arrays_match

__all__ = ["PlateauMistake", "PLATEAU", "PLATEAU_MISTAKES", "PLATEAU_EXPLANATIONS",
           "plateau_decisions"]


def plateau_decisions(
    metrics: Iterable[float],
    lr: float,
    mode: str = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0.0,
    eps: float = 1e-8,
    *,
    keras_patience: bool = False,
    use_threshold: bool = True,
    use_cooldown: bool = True,
    use_min_lr: bool = True,
    use_eps: bool = True,
    reset_after_cut: bool = True,
    use_mode: bool = True,
    use_threshold_mode: bool = True,
) -> list[float]:
    """The lr returned by each `step(metric)` of torch's ReduceLROnPlateau — or, with one of
    the keyword flags, of a rule with that piece wrong (see `PLATEAU`).

    The correct rule (all flags at their defaults) equals `lrcore.schedules.PlateauScheduler`:
    an epoch is better when metric < best·(1 − threshold) ("min", "rel"), < best − threshold
    ("min", "abs"), > best·(1 + threshold) or > best + threshold ("max"); on the
    (patience + 1)-th bad epoch in a row new lr = max(lr·factor, min_lr), applied if it lowers
    the lr by more than eps; the bad count restarts and `cooldown` epochs are not counted.
    """
    if not use_mode:
        mode = "min"
    if not use_threshold_mode:
        threshold_mode = "rel"
    best = math.inf if mode == "min" else -math.inf
    bad = cooldown_left = 0
    current = float(lr)
    decisions = []
    for value in metrics:
        metric = float(value)
        margin = threshold if use_threshold else 0.0
        if mode == "min":
            limit = best * (1 - margin) if threshold_mode == "rel" else best - margin
            better = metric < limit
        else:
            limit = best * (1 + margin) if threshold_mode == "rel" else best + margin
            better = metric > limit
        if better:
            best, bad = metric, 0
        else:
            bad += 1
        if use_cooldown and cooldown_left > 0:
            cooldown_left -= 1
            bad = 0
        if (bad >= patience) if keras_patience else (bad > patience):
            new = current * factor
            if use_min_lr:
                new = max(new, min_lr)
            if (current - new > eps) if use_eps else (new < current):
                current = new
            cooldown_left = cooldown
            if reset_after_cut:
                bad = 0
        decisions.append(current)
    return decisions


@dataclass(frozen=True)
class PlateauMistake(Mistake):
    """A plateau rule with one piece wrong: `model(metrics, lr, **options) -> lrs`."""

    def fits(self, student: Sequence[float], expected: Sequence[float],
             modelled: Sequence[float]) -> bool:
        return list(modelled) != list(expected) and arrays_match(
            np.asarray(student), np.asarray(modelled), 1e-9, 0.0)


_flagged = switched(PlateauMistake, plateau_decisions)
"""A rule with the flagged piece wrong: `plateau_decisions(metrics, lr, **options, **flags)`."""


PLATEAU: tuple[PlateauMistake, ...] = (
    _flagged("keras_patience", 'Your rule cuts one bad epoch too early, as '
                               'Keras counts patience: torch cuts when '
                               'num_bad_epochs > patience.', keras_patience=True),
    _flagged("no_reset_after_cut", "After a cut your rule keeps its count of bad epochs and cuts "
             "again on the next bad epoch: set the count back to 0 after every cut.",
             reset_after_cut=False),
    _flagged("ignores_threshold", 'Your rule counts every small improvement as '
                                  'better: an epoch is better only if it beats '
                                  'the best by more than the threshold.', use_threshold=False),
    _flagged("ignores_threshold_mode", 'Your rule always uses a relative '
                                       "threshold: with threshold_mode='abs' an "
                                       'epoch is better when it beats the best '
                                       'by more than threshold itself.', use_threshold_mode=False),
    _flagged("ignores_mode", "Your rule treats every metric as a loss: with mode='max' (an "
             "accuracy) a larger metric is better.", use_mode=False),
    _flagged("ignores_cooldown", "Your rule ignores the cooldown: during the `cooldown` epochs "
             "after a cut, bad epochs are not counted (the count is kept at 0).",
             use_cooldown=False),
    _flagged("ignores_min_lr", "Your lr goes below min_lr: the new lr is max(lr·factor, min_lr).",
             use_min_lr=False),
    _flagged("ignores_eps", "Your rule makes a cut smaller than eps: torch applies the new lr "
             "only if it is lower than the old one by more than eps.", use_eps=False),
)
"""Plateau rules with one piece wrong, in the order a diagnosis tries them."""

PLATEAU_MISTAKES: dict[str, Callable[..., list[float]]] = models(PLATEAU)
PLATEAU_EXPLANATIONS = explanations(PLATEAU)
