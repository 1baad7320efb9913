"""Mistakes in counting the sweeps the noise-free learner needs to come close to Q* (ps04 §9):
`SWEEPS[i].model(model, step_size, gamma, q_star, tolerance, max_sweeps) -> int | None`,
recognised when the student's answer equals the model's and the model's is not the right one.

The usual ones: answering the index of the sweep (k − 1) instead of its number, measuring Q
before the sweep's update, a tolerance taken as absolute instead of relative to ‖Q*‖∞, the mean
instead of the max of |Q − Q*|, and γ left out of the target. Answering a number when the
learner never gets close enough is caught by the check itself (the answer must be None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lrchecks.diagnosis.mistake import Mistake, explanations, models, switched
from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.value_iteration import bellman_backup

__all__ = ["CountMistake", "SWEEPS", "SWEEPS_MISTAKES", "SWEEPS_EXPLANATIONS",
           "mistaken_sweeps_to_reach"]


@dataclass(frozen=True)
class CountMistake(Mistake):
    """A mistaken count: recognised when the student's answer is the model's and the model's
    differs from the right one."""

    def fits(self, student: int | None, modelled: int | None, expected: int | None) -> bool:
        return modelled != expected and student == modelled


def mistaken_sweeps_to_reach(
    model: TransitionModel,
    step_size: Callable[[int], float],
    gamma: float,
    q_star: np.ndarray,
    tolerance: float = 0.1,
    max_sweeps: int = 10_000,
    *,
    answer_index: bool = False,
    measure_before_update: bool = False,
    relative: bool = True,
    error: str = "max",
    discount: bool = True,
) -> int | None:
    """`lrcore.rl.sweeps_to_reach` with switches for the usual mistakes (all off: the reference).

    `answer_index`: k − 1 instead of k. `measure_before_update`: sweep k tests Q_{k−1} (so the
    answer is one sweep late). `relative=False`: ‖Q − Q*‖∞ ≤ tolerance. `error="mean"`: the mean
    of |Q − Q*|. `discount=False`: the target is Σ p·(r + max Q(s')), without γ.
    """
    target = np.asarray(q_star, dtype=np.float64)
    goal = tolerance * float(np.abs(target).max()) if relative else tolerance
    measure = np.mean if error == "mean" else np.max
    factor = gamma if discount else 1.0
    q = np.zeros(target.shape)
    for sweep in range(1, max_sweeps + 1):
        if measure_before_update and float(measure(np.abs(q - target))) <= goal:
            return sweep
        q = q + float(step_size(sweep)) * (bellman_backup(model, q.max(axis=1), factor) - q)
        if not measure_before_update and float(measure(np.abs(q - target))) <= goal:
            return sweep - 1 if answer_index else sweep
    return None


_count = switched(CountMistake, mistaken_sweeps_to_reach)
"""`mistaken_sweeps_to_reach(model, step_size, gamma, q_star, …, **switches)`."""


SWEEPS: tuple[CountMistake, ...] = (
    _count("index_not_sweep", "Your answer is one less than the sweep: sweeps are counted from "
           "1 — the first update is sweep 1 (row k − 1 of a history is sweep k).",
           answer_index=True),
    _count("measured_before_update", "Your answer is one sweep late: measure Q after the sweep's "
           "update, and return the number of that sweep.", measure_before_update=True),
    _count("absolute_tolerance", "The tolerance is relative: stop when ‖Q − Q*‖∞ ≤ tolerance · "
           "‖Q*‖∞ (the largest |Q*|), not ≤ tolerance.", relative=False),
    _count("mean_error", "That is the mean of |Q − Q*|; measure the largest, ‖Q − Q*‖∞ = "
           "np.abs(Q - q_star).max().", error="mean"),
    _count("gamma_missing", "It looks like γ is missing from the target Σ p·(r + γ·(1 − "
           "terminal)·max Q(s', ·)).", discount=False),
)

SWEEPS_MISTAKES: dict[str, Callable[..., int | None]] = models(SWEEPS)
SWEEPS_EXPLANATIONS = explanations(SWEEPS)
