"""ps04 §6 and §10: a student's run of sweeps (Q after every sweep) against lrcore's — called
with the sweep-count hint, shaped one table per sweep, and then either a match, a modelled
mistake, or a run that differs first at one sweep."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import SynchronousMistake
from lrchecks.ps04.lakes import Q_ATOL, Q_RTOL, SWEEP_HINT, call, first_difference
from lrchecks.report import CheckFailed
from lrchecks.values import arrays_match, to_float_array

__all__ = ["student_sweeps", "require_sweeps_shape", "first_wrong_sweep", "judge_sweeps"]


def student_sweeps(function: Any, name: str, shown: str, *args: Any, gamma: float,
                   seed: int) -> np.ndarray:
    """The student's run of sweeps, called as `shown` (`call`, with the sweep-count hint), as a
    float array."""
    result = call(function, name, shown, *args, gamma=gamma, seed=seed, count_hint=SWEEP_HINT)
    return to_float_array(result, f"The result of {shown}")


def require_sweeps_shape(student: np.ndarray, expected: np.ndarray, shown: str, name: str,
                         one_table: tuple[str, str], each_sweep: tuple[str, str]) -> None:
    """Return when the student's run has the expected shape, one table per sweep; else raise
    the sentence for one table only (`one_table`: the message's and the diagnosis's advice), for
    the initial zeros kept (one table too many), or for another shape (`each_sweep`: what the
    message and the diagnosis say the run should hold)."""
    n = expected.shape[0]
    if student.shape == expected.shape[1:]:
        raise CheckFailed(f"{shown} returned one table; {one_table[0]}",
                          diagnosis=f"{name} returned one table; {one_table[1]}")
    if student.shape == (n + 1, *expected.shape[1:]):
        advice = "leave out the initial zeros, the first entry is Q after sweep 1."
        raise CheckFailed(f"{shown} returned {n + 1} tables: {advice}",
                          diagnosis=f"{name} returned one table too many: {advice}")
    if student.shape != expected.shape:
        raise CheckFailed(f"{shown} has shape {student.shape}; it should be {expected.shape}: "
                          f"{each_sweep[0]}",
                          diagnosis=f"the result has the wrong shape: return {each_sweep[1]}")


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
