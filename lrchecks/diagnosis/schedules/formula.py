"""What a mistake in a schedule formula is, and the closed forms the mistakes are built from.

A formula mistake's model is `f(t, **parameters)`: it takes an integer array of steps t and the
parameters of the student's function (`base_lr`, `step_size`, …) and returns the lrs, vectorised,
in float64. The correct formulas are `lrcore.schedules`' (torch's); the closed forms here only
build the mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL, Mistake
from lrchecks.values import arrays_match, same_pattern

__all__ = ["FormulaMistake", "Formula", "FloatArray", "steps_of", "power", "cosine", "warmup"]

FloatArray = npt.NDArray[np.float64]
Formula = Callable[..., FloatArray]


def steps_of(t: npt.ArrayLike) -> FloatArray:
    return np.asarray(t, dtype=np.float64)


def power(exponent: FloatArray, base_lr: float, gamma: float) -> FloatArray:
    """base_lr·γ^exponent."""
    with np.errstate(all="ignore"):
        return base_lr * np.power(float(gamma), exponent)


def cosine(t: npt.ArrayLike, base_lr: float, T_max: float, eta_min: float = 0.0) -> FloatArray:
    """η_min + (b − η_min)(1 + cos(πt/T_max))/2, not clamped."""
    with np.errstate(all="ignore"):
        return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * steps_of(t) / T_max)) / 2


def warmup(
    t: npt.ArrayLike, base_lr: float, warmup_steps: float, start_factor: float
) -> FloatArray:
    """b·(sf + (1 − sf)·min(t, k)/k)."""
    k = warmup_steps
    with np.errstate(all="ignore"):
        return base_lr * (start_factor + (1 - start_factor) * np.minimum(steps_of(t), k) / k)


@dataclass(frozen=True)
class FormulaMistake(Mistake):
    """A mistaken schedule formula: recognised when the student's lrs follow the model's
    (`same_pattern`, rtol 1e-4) — unless the mistake changes nothing for these parameters."""

    def fits(self, student: np.ndarray, expected: np.ndarray, modelled: np.ndarray) -> bool:
        if arrays_match(modelled, expected):
            return False
        return same_pattern(student, modelled, DIAGNOSIS_RTOL)
