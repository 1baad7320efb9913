"""Mistakes with learning-rate schedules (ps02), each one object: model, sentence, matcher.

Two kinds:

- **Formula mistakes** (`FORMULAS`): what a wrong plain-Python formula of a schedule computes
  (`decay`: step and exponential decay; `cosine`: cosine annealing, linear warmup, warmup then
  cosine). The correct formulas are `lrcore.schedules`' (torch's):

  ======================  ==========================================================
  schedule                correct s(t)
  ======================  ==========================================================
  ``step_decay``          b·γ^⌊t/step_size⌋                              (StepLR)
  ``exponential_decay``   b·γ^t                                          (ExponentialLR)
  ``cosine_annealing``    η_min + (b − η_min)(1 + cos(πt/T_max))/2, not clamped
                                                                         (CosineAnnealingLR)
  ``linear_warmup``       b·(sf + (1 − sf)·min(t, k)/k)                  (LinearLR, end 1)
  ``warmup_cosine``       linear_warmup(t) for t < k, then cosine_annealing(t − k)
                                                                         (SequentialLR)
  ======================  ==========================================================

- **Loop mistakes** (`loops.LOOPS`): what a training loop on f(x) = a·x² that misuses a torch
  scheduler computes — `scheduler.step()` before `optimizer.step()`, twice per iteration,
  never, the lr read after it, a new scheduler in every iteration.

>>> import numpy as np
>>> FORMULA_MISTAKES["step_decay"]["no_floor"](np.arange(4), base_lr=1.0, step_size=2,
...                                            gamma=0.25).tolist()
[1.0, 0.5, 0.25, 0.125]
"""

from __future__ import annotations

import numpy as np

from lrchecks.diagnosis.mistake import explanations, first_fitting_explanation, models
from lrchecks.diagnosis.schedules.cosine import COSINE_ANNEALING, LINEAR_WARMUP, WARMUP_COSINE
from lrchecks.diagnosis.schedules.decay import EXPONENTIAL_DECAY, STEP_DECAY
from lrchecks.diagnosis.schedules.formula import FloatArray, Formula, FormulaMistake
from lrchecks.diagnosis.schedules.loops import (
    LOOP_EXPLANATIONS,
    LOOP_MISTAKES,
    LOOPS,
    MOMENTA_AHEAD,
    MOMENTA_MISSING,
    MOMENTA_OF_OPTIMIZER,
    MOMENTUM_SWITCHED_ON,
    LoopMistake,
    diagnose_loop,
    optimize_with_loop_mistake,
)

__all__ = [
    "FORMULAS",
    "FORMULA_MISTAKES",
    "FORMULA_EXPLANATIONS",
    "FormulaMistake",
    "formula_mistake_values",
    "diagnose_formula",
    "LoopMistake",
    "LOOPS",
    "LOOP_MISTAKES",
    "LOOP_EXPLANATIONS",
    "optimize_with_loop_mistake",
    "diagnose_loop",
    "MOMENTUM_SWITCHED_ON",
    "MOMENTA_AHEAD",
    "MOMENTA_MISSING",
    "MOMENTA_OF_OPTIMIZER",
]

FORMULAS: dict[str, tuple[FormulaMistake, ...]] = {
    "step_decay": STEP_DECAY,
    "exponential_decay": EXPONENTIAL_DECAY,
    "cosine_annealing": COSINE_ANNEALING,
    "linear_warmup": LINEAR_WARMUP,
    "warmup_cosine": WARMUP_COSINE,
}
"""schedule → its modelled mistakes, in the order a diagnosis tries them."""

FORMULA_MISTAKES: dict[str, dict[str, Formula]] = {
    schedule: models(mistakes) for schedule, mistakes in FORMULAS.items()}
"""schedule → mistake name → `f(t, **parameters)`."""
FORMULA_EXPLANATIONS: dict[str, dict[str, str]] = {
    schedule: explanations(mistakes) for schedule, mistakes in FORMULAS.items()}


def formula_mistake_values(schedule: str, n: int, **parameters: float) -> dict[str, FloatArray]:
    """The lrs of steps 0..n−1 of every modelled mistake of one schedule formula.

    >>> values = formula_mistake_values("exponential_decay", 3, base_lr=1.0, gamma=0.5)
    >>> values["one_step_ahead"].tolist()
    [0.5, 0.25, 0.125]
    """
    if schedule not in FORMULAS:
        raise ValueError(f"unknown schedule {schedule!r}; one of {', '.join(FORMULAS)}")
    steps = np.arange(n, dtype=np.float64)
    with np.errstate(all="ignore"):
        return {mistake.name: np.asarray(mistake.model(steps, **parameters), dtype=np.float64)
                for mistake in FORMULAS[schedule]}


def diagnose_formula(schedule: str, student: np.ndarray, expected: np.ndarray,
                     parameters: dict[str, float]) -> str | None:
    """The explanation of the first formula mistake whose lrs equal the student's (`expected`:
    the correct lrs of the same steps)."""
    values = formula_mistake_values(schedule, student.size, **parameters)
    return first_fitting_explanation(FORMULAS[schedule], lambda mistake: mistake.fits(
        student, expected, values[mistake.name]))
