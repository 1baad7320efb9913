"""Mistaken cosine annealing, η_min + (b − η_min)(1 + cos(πt/T_max))/2 (CosineAnnealingLR, not
clamped), linear warmup, b·(sf + (1 − sf)·min(t, k)/k) (LinearLR to 1), and the warmup followed
by a cosine, as SequentialLR([LinearLR, CosineAnnealingLR], [k]).

>>> import numpy as np
>>> clamped = COSINE_ANNEALING[2]
>>> clamped.name, clamped.model(np.arange(6), base_lr=1.0, T_max=2, eta_min=0.0).round(6).tolist()
('clamped', [1.0, 0.5, 0.0, 0.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.schedules.formula import (
    FloatArray,
    Formula,
    FormulaMistake,
    cosine,
    steps_of,
    warmup,
)

__all__ = ["COSINE_ANNEALING", "LINEAR_WARMUP", "WARMUP_COSINE"]

_T_MAX_OFF_BY_ONE = ("T_max is off by one: the cosine reaches eta_min exactly at t = T_max, so "
                     "use cos(π·t / T_max).")

COSINE_ANNEALING: tuple[FormulaMistake, ...] = (
    FormulaMistake("t_max_minus_one", _T_MAX_OFF_BY_ONE,
                   lambda t, base_lr, T_max, eta_min=0.0: cosine(t, base_lr, T_max - 1, eta_min)),
    FormulaMistake("t_max_plus_one", _T_MAX_OFF_BY_ONE,
                   lambda t, base_lr, T_max, eta_min=0.0: cosine(t, base_lr, T_max + 1, eta_min)),
    # min(t, T_max): stays at η_min after T_max, where torch's climbs back up.
    FormulaMistake(
        "clamped", "Your curve stays at eta_min after T_max, but torch's cosine "
                   'is not clamped: it climbs back up to base_lr at 2·T_max, so '
                   'do not clamp t.',
        lambda t, base_lr, T_max, eta_min=0.0: cosine(np.minimum(steps_of(t), T_max),
                                                            base_lr, T_max, eta_min)),
    # b·(1 + cos)/2: anneals to 0 instead of η_min.
    FormulaMistake(
        "eta_min_ignored", "Your curve anneals to 0 instead of eta_min: the lr is "
        "eta_min + (base_lr − eta_min)·(1 + cos(π·t / T_max)) / 2.",
        lambda t, base_lr, T_max, eta_min=0.0: cosine(t, base_lr, T_max, 0.0)),
    # η_min + (b − η_min)·cos(πt/T): the (1 + …)/2 forgotten, the lr goes negative.
    FormulaMistake(
        "missing_one_plus_half", 'Your curve goes negative: the cosine factor '
                                 '(1 + cos(π·t / T_max)) / 2 stays between 0 '
                                 'and 1.',
        lambda t, base_lr, T_max, eta_min=0.0: eta_min
        + (base_lr - eta_min) * np.cos(np.pi * steps_of(t) / T_max)),
)

LINEAR_WARMUP: tuple[FormulaMistake, ...] = (
    # b·min(t, k)/k: the start factor forgotten, step 0 has lr 0 and does nothing.
    FormulaMistake(
        "starts_at_zero", 'Your warmup starts at 0, so the first step does '
                          'nothing: start at start_factor·base_lr.',
        lambda t, base_lr, warmup_steps, start_factor: base_lr
        * np.minimum(steps_of(t), warmup_steps) / warmup_steps),
    # reaches b at step k + 1.
    FormulaMistake(
        "one_step_late", 'Your warmup reaches base_lr one step late: divide by '
                         'warmup_steps, not warmup_steps + 1.',
        lambda t, base_lr, warmup_steps, start_factor: warmup(t, base_lr, warmup_steps + 1,
                                                              start_factor)),
    # reaches b at step k − 1 (steps counted from 1).
    FormulaMistake(
        "one_step_early", 'Your warmup is one step ahead: at t = 0 the lr is '
                          'start_factor·base_lr (t counts from 0).',
        lambda t, base_lr, warmup_steps, start_factor: warmup(steps_of(t) + 1, base_lr,
                                                              warmup_steps, start_factor)),
    # no min(t, k): the lr keeps growing past b.
    FormulaMistake(
        "not_clamped", "Your lr keeps growing past base_lr: hold it at base_lr once "
        "t ≥ warmup_steps (min(t, warmup_steps)).",
        lambda t, base_lr, warmup_steps, start_factor: base_lr
        * (start_factor + (1 - start_factor) * steps_of(t) / warmup_steps)),
)


def _continued(explanation: str) -> str:
    """A mistake's sentence continuing another ("The warmup part is wrong: your warmup …"):
    its first letter lowered unless it starts a name (T_max)."""
    first = explanation.split(" ", 1)[0]
    return explanation if not first.istitle() else explanation[0].lower() + explanation[1:]


def _warmup_then(ramp: Formula, tail: Formula, shift: int = 0) -> Formula:
    """ramp(t) for t < k + shift, then tail(t − k − shift): the cosine restarts at its step 0."""

    def schedule(
        t: npt.ArrayLike, base_lr: float, warmup_steps: int, T_max: float, start_factor: float
    ) -> FloatArray:
        steps = steps_of(t)
        switch = warmup_steps + shift
        with np.errstate(all="ignore"):
            before = ramp(steps, base_lr=base_lr, warmup_steps=warmup_steps,
                          start_factor=start_factor)
            after = tail(steps - switch, base_lr, T_max)
        return np.where(steps < switch, before, after)

    return schedule


def _cosine_not_restarted(
    t: npt.ArrayLike, base_lr: float, warmup_steps: int, T_max: float, start_factor: float
) -> FloatArray:
    """cosine_annealing(t) after the warmup: the count is not restarted at the milestone."""
    steps = steps_of(t)
    return np.where(steps < warmup_steps, warmup(steps, base_lr, warmup_steps, start_factor),
                    cosine(steps, base_lr, T_max))


def _cosine_tail(mistake: Formula) -> Formula:
    return lambda t, base_lr, T_max: mistake(t, base_lr=base_lr, T_max=T_max, eta_min=0.0)


WARMUP_COSINE: tuple[FormulaMistake, ...] = (
    FormulaMistake(
        "cosine_not_restarted", 'After the warmup your cosine continues from '
                                'step t, but SequentialLR restarts the next '
                                'scheduler from step 0: use cosine_annealing(t '
                                '− warmup_steps, …).',
        _cosine_not_restarted),
    # the peak b held for two steps: the cosine starts at k + 1.
    FormulaMistake(
        "cosine_starts_one_step_late", "The peak base_lr is held for two steps: the cosine takes "
        "over at t = warmup_steps, as cosine_annealing(t − warmup_steps, …).",
        _warmup_then(warmup, cosine, shift=1)),
    # each mistake of the ramp, followed by the right cosine (not clamping the ramp changes
    # nothing: the cosine takes over at k) …
    *(FormulaMistake(f"warmup_{ramp.name}",
                     f"The warmup part is wrong: {_continued(ramp.explanation)}",
                     _warmup_then(ramp.model, cosine))
      for ramp in LINEAR_WARMUP if ramp.name != "not_clamped"),
    # … and the right ramp followed by each mistake of the cosine (η_min = 0 here).
    *(FormulaMistake(f"cosine_{tail.name}",
                     f"The cosine part is wrong: {_continued(tail.explanation)}",
                     _warmup_then(warmup, _cosine_tail(tail.model)))
      for tail in COSINE_ANNEALING if tail.name != "eta_min_ignored"),
)
