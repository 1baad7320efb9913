"""Mistakes in ps05's figure of the classifier runs and in the plateau challenge's config.

A panel of `fig_boundaries` is summarised by the range of P(y = 1) it shows over the square —
(lowest, highest) — which is what the grader can read of a filled contour: a run that predicts
one class everywhere shows a single value, a run that found the circle shows 0 to 1. A figure
is recognised as a mistake when every panel's range is the model's (within `RANGE_ATOL`) and the
model's differ from the runs' own.

>>> runs = {"lr 0.5": (0.78, 0.78), "lr 0.005": (0.0, 1.0)}
>>> SAME_MODEL_EVERYWHERE.fits({"lr 0.5": (0.0, 1.0), "lr 0.005": (0.0, 1.0)}, runs)
True
>>> SAME_MODEL_EVERYWHERE.fits(runs, runs)
False
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrchecks.diagnosis.mistake import Mistake

__all__ = ["RANGE_ATOL", "BoundaryMistake", "ChallengeMistake", "SAME_MODEL_EVERYWHERE",
           "CONSTANT_LR", "ranges_close"]

Range = tuple[float, float]

RANGE_ATOL = 0.05
"""How closely a panel's range of P(y = 1) must match its run's model's: a grid of another
resolution (probability_grid(model, resolution=61)) moves the extremes by far less."""


def ranges_close(shown: Range, expected: Range) -> bool:
    """Whether two (lowest, highest) ranges of P(y = 1) agree within `RANGE_ATOL`."""
    return all(abs(a - b) <= RANGE_ATOL for a, b in zip(shown, expected, strict=True))


def _figures_close(shown: Mapping[str, Range], expected: Mapping[str, Range]) -> bool:
    return set(shown) == set(expected) and all(ranges_close(shown[name], expected[name])
                                               for name in expected)


@dataclass(frozen=True)
class BoundaryMistake(Mistake):
    """A mistaken fig_boundaries: `model(expected)` → the figures (run name → range) the mistake
    may draw, given each run's own range."""

    def fits(self, shown: Mapping[str, Range], expected: Mapping[str, Range]) -> bool:
        return any(_figures_close(shown, modelled) and not _figures_close(modelled, expected)
                   for modelled in self.model(expected))


def _one_model_in_every_panel(expected: Mapping[str, Range]) -> list[dict[str, Range]]:
    return [{name: expected[drawn] for name in expected} for drawn in expected]


SAME_MODEL_EVERYWHERE = BoundaryMistake(
    "same_model_everywhere", 'Every panel shows the same model: draw each panel '
                             'from the model of its own run, runs[name], not a '
                             'variable left over from a loop.', _one_model_in_every_panel)


@dataclass(frozen=True)
class ChallengeMistake(Mistake):
    """A challenge config that breaks the challenge's rule: `model(run)` says whether a run of
    the config (`lrcore.plateau_challenge.ChallengeRun`) shows it."""

    def fits(self, run: Any) -> bool:
        return bool(self.model(run))


_is_constant: Callable[[Any], bool] = lambda run: not run.lr_changes  # noqa: E731

CONSTANT_LR = ChallengeMistake(
    "constant_lr", 'the lr never changes during the run: name a scheduler that '
                   'lowers the lr once the validation accuracy stalls.',
    _is_constant)
