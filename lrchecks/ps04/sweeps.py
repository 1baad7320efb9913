"""ps04 §6 and §10: a student's run of sweeps (Q after every sweep) against lrcore's — the
run either matches, or is a modelled mistake, or differs first at one sweep."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import SynchronousMistake
from lrchecks.ps04.lakes import Q_ATOL, Q_RTOL, first_difference
from lrchecks.report import CheckFailed
from lrchecks.values import arrays_match

__all__ = ["first_wrong_sweep", "judge_sweeps"]


def first_wrong_sweep(student: np.ndarray, expected: np.ndarray) -> tuple[int, str]:
    """The first sweep (0-based) whose table differs from the expected run's (within Q_RTOL and
    Q_ATOL), and its first differing entry as `first_difference` writes it."""
    sweep = int(np.argmin([arrays_match(s, e, Q_RTOL, Q_ATOL)
                           for s, e in zip(student, expected, strict=True)]))
    return sweep, first_difference(student[sweep], expected[sweep], Q_RTOL, Q_ATOL)


def judge_sweeps(student: np.ndarray, expected: np.ndarray, shown: str,
                 mistakes: Sequence[SynchronousMistake], model_args: tuple[Any, ...],
                 where: Callable[[int], str], advice: str) -> None:
    """Return when the student's sweeps (of the expected shape) equal lrcore's; else raise the
    sentence of the first of `mistakes` whose model (`model(*model_args)`) fits, or name the
    first differing sweep (`where(sweep)` adds where the run was then) with `advice`."""
    if arrays_match(student, expected, Q_RTOL, Q_ATOL):
        return
    raise_first_fitting(mistakes, lambda mistake: mistake.fits(
        student, mistake.model(*model_args), expected, (Q_RTOL, Q_ATOL)), f"{shown} is wrong.")
    sweep, difference = first_wrong_sweep(student, expected)
    raise CheckFailed(f"{shown}: after sweep {sweep + 1}{where(sweep)}, {difference}. {advice}")
