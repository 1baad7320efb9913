"""Mistakes in gradient descent on the valley f(x, y) = a_x·x² + a_y·y² (ps01's `descent_2d`),
one object each: model, sentence, matcher.

The correct run multiplies x by 1 − 2a_x·lr and y by 1 − 2a_y·lr at every step and records
the point after each step, one row (x, y) per step (`lrcore.curvature.descent_2d`). Each model
returns the (num_iterations, 2) history the mistaken code computes; a student's history is
recognised when it follows the model's (`same_pattern`, rtol 1e-4).

>>> VALLEY_MISTAKES["curvatures_swapped"](0.25, 1, (8.0, 8.0), (1.0, 0.5)).tolist()
[[6.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lrchecks.diagnosis.mistake import (
    DIAGNOSIS_RTOL,
    Mistake,
    explanations,
    first_fitting_explanation,
    models,
)
from lrchecks.values import same_pattern
from lrcore.curvature import descent_2d

__all__ = ["ValleyMistake", "VALLEY", "VALLEY_MISTAKES", "VALLEY_EXPLANATIONS",
           "diagnose_valley"]

Pair = Sequence[float]


def _with(update: Callable[[np.ndarray, float, np.ndarray], np.ndarray], lr: float, n: int,
          start: Pair, curvatures: Pair) -> np.ndarray:
    point = np.asarray(start, dtype=np.float64)
    a = np.asarray(curvatures, dtype=np.float64)
    history = np.empty((n, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(n):
            point = update(point, lr, a)
            history[step] = point
    return history


def curvatures_swapped(lr: float, n: int, start: Pair, curvatures: Pair) -> np.ndarray:
    """a_y used for x and a_x for y."""
    return descent_2d(lr, n, start, tuple(curvatures)[::-1])


def first_curvature_only(lr: float, n: int, start: Pair, curvatures: Pair) -> np.ndarray:
    """a_x used for both coordinates."""
    return descent_2d(lr, n, start, (curvatures[0], curvatures[0]))


def gradient_without_factor_two(lr: float, n: int, start: Pair, curvatures: Pair) -> np.ndarray:
    """The gradient taken as (a_x·x, a_y·y)."""
    return _with(lambda p, lr, a: p - lr * a * p, lr, n, start, curvatures)


def sign_flipped(lr: float, n: int, start: Pair, curvatures: Pair) -> np.ndarray:
    """Gradient ascent: p ← p + lr·(2a_x·x, 2a_y·y)."""
    return _with(lambda p, lr, a: p + lr * 2 * a * p, lr, n, start, curvatures)


def history_before_step(lr: float, n: int, start: Pair, curvatures: Pair) -> np.ndarray:
    """The point recorded before each update: the start first, the last point missing."""
    runs = descent_2d(lr, n, start, curvatures)
    if n == 0:
        return runs
    return np.concatenate((np.asarray(start, dtype=np.float64).reshape(1, 2), runs[:-1]))


@dataclass(frozen=True)
class ValleyMistake(Mistake):
    """A wrong valley run: `model(lr, n, start, curvatures) -> (n, 2) history`."""

    def fits(self, student: np.ndarray, lr: float, n: int, start: Pair, curvatures: Pair
             ) -> bool:
        return same_pattern(student, self.model(lr, n, start, curvatures), DIAGNOSIS_RTOL)


VALLEY: tuple[ValleyMistake, ...] = (
    ValleyMistake("curvatures_swapped", "The curvatures are swapped: x moves with a_x = "
                  "curvatures[0] and y with a_y = curvatures[1].", curvatures_swapped),
    ValleyMistake("first_curvature_only", "Both coordinates move with the first curvature: y "
                  "has its own, a_y = curvatures[1].", first_curvature_only),
    ValleyMistake("gradient_without_factor_two", "Your steps are half as long as they should be: "
                  "the gradient of a_x·x² + a_y·y² is (2a_x·x, 2a_y·y).",
                  gradient_without_factor_two),
    ValleyMistake("sign_flipped", "It looks like the gradient's sign is flipped: gradient "
                  "descent subtracts lr times the gradient.", sign_flipped),
    ValleyMistake("history_before_step", 'Your history is shifted by one step '
                                         '(it starts with the start point and '
                                         'misses the last one): record the '
                                         'point after the update.',
                  history_before_step),
)
"""The valley run's modelled mistakes, in the order a diagnosis tries them."""

VALLEY_MISTAKES = models(VALLEY)
VALLEY_EXPLANATIONS = explanations(VALLEY)


def diagnose_valley(student: np.ndarray, lr: float, n: int, start: Pair, curvatures: Pair
                    ) -> str | None:
    """The explanation of the first modelled mistake whose history equals the student's."""
    return first_fitting_explanation(VALLEY, lambda mistake: mistake.fits(
        student, lr, n, start, curvatures))
