"""What a modelled mistake is: one object that knows what the wrong code computes, the sentence
that names it, and how a student's answer is recognised as it.

A `Mistake` holds

- `name`: how the grader's pools and the tests refer to it ("sign_flipped");
- `explanation`: the sentence a student reads when the answer is recognised — the one place
  that sentence is written;
- `model`: a function computing exactly what the mistaken code returns, next to the correct
  computation it perturbs.

Each family (`lrchecks.diagnosis.quadratic`, `…schedules`, `…batch_size`, `…rl`, `…optim`, …)
subclasses `Mistake` with its matcher — a `fits(…)` method that runs the model on one case and
compares its output with the student's (which outputs, with which tolerance) — and lists its
mistakes in the order a diagnosis tries them. `models`, `explanations` and `by_name` give the
dictionary views the grader's hidden-case pools and the tests read. `raise_first_fitting` is
the diagnosis loop of every check: the first mistake that fits raises its sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from lrchecks.report import CheckFailed

__all__ = ["DIAGNOSIS_RTOL", "Mistake", "by_name", "explanations", "models",
           "raise_first_fitting", "switched",
           "first_fitting", "first_fitting_explanation"]

DIAGNOSIS_RTOL = 1e-4
"""Looser than the grading tolerance: a diagnosis only has to recognise a pattern."""

Kind = TypeVar("Kind", bound="Mistake")


@dataclass(frozen=True)
class Mistake:
    """One modelled mistake: its name, the sentence that names it, and its model."""

    name: str
    explanation: str
    model: Callable[..., Any]


def by_name(mistakes: Iterable[Kind]) -> dict[str, Kind]:
    """name → mistake, in the order given."""
    return {mistake.name: mistake for mistake in mistakes}


def models(mistakes: Iterable[Mistake]) -> dict[str, Callable[..., Any]]:
    """name → model, in the order given (what the grader's pools validate against)."""
    return {mistake.name: mistake.model for mistake in mistakes}


def explanations(mistakes: Iterable[Mistake]) -> dict[str, str]:
    """name → the sentence that names the mistake, in the order given."""
    return {mistake.name: mistake.explanation for mistake in mistakes}


def switched(kind: type[Kind], model: Callable[..., Any]) -> Callable[..., Kind]:
    """A maker of `kind` mistakes that are one mistaken computation with some of its switches
    set: `make(name, explanation, **switches)` is `kind(name, explanation,
    functools.partial(model, **switches))`, whose model is `model(…, **switches)`."""

    def make(name: str, explanation: str, **switches: Any) -> Kind:
        return kind(name, explanation, functools.partial(model, **switches))

    return make


def first_fitting(mistakes: Iterable[Kind], fits: Callable[[Kind], bool]) -> Kind | None:
    """The first of `mistakes` (in the order a diagnosis tries them) for which `fits(mistake)`
    holds — `fits` compares the student's answer with that mistake's model on the case at
    hand — or None."""
    return next((mistake for mistake in mistakes if fits(mistake)), None)


def first_fitting_explanation(mistakes: Iterable[Kind], fits: Callable[[Kind], bool]
                              ) -> str | None:
    """The sentence of the first fitting mistake (see `first_fitting`), or None."""
    found = first_fitting(mistakes, fits)
    return None if found is None else found.explanation


def raise_first_fitting(mistakes: Iterable[Kind], fits: Callable[[Kind], bool],
                        opening: str) -> None:
    """Raise the sentence of the first fitting mistake (see `first_fitting`) as
    `CheckFailed(f"{opening} {explanation}", diagnosis=explanation)`, where `opening` says what
    is wrong ("f(…) is wrong."). Returns if none fits: the caller goes on to describe the
    difference itself."""
    explanation = first_fitting_explanation(mistakes, fits)
    if explanation is not None:
        raise CheckFailed(f"{opening} {explanation}", diagnosis=explanation)
