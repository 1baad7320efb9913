"""Mistaken step decay, b·γ^⌊t/step_size⌋ (StepLR), and exponential decay, b·γ^t
(ExponentialLR).

>>> import numpy as np
>>> STEP_DECAY[0].model(np.arange(6), base_lr=1.0, step_size=2, gamma=0.25).tolist()
[1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125]
"""

from __future__ import annotations

import numpy as np

from lrchecks.diagnosis.schedules.formula import FormulaMistake, power, steps_of

__all__ = ["STEP_DECAY", "EXPONENTIAL_DECAY"]

STEP_DECAY: tuple[FormulaMistake, ...] = (
    # b·γ^(t/s): a smooth exponential through the stair's corners.
    FormulaMistake(
        "no_floor", "It looks like the exponent is t / step_size without the floor: the lr should "
        "stay flat for step_size steps and then drop at once (use t // step_size).",
        lambda t, base_lr, step_size, gamma: power(steps_of(t) / step_size, base_lr, gamma)),
    # b·γ^⌈t/s⌉: decays right after step 0.
    FormulaMistake(
        "ceil_instead_of_floor", "It looks like t / step_size is rounded up: the first drop comes "
        "at t = step_size, not at t = 1 (use t // step_size).",
        lambda t, base_lr, step_size, gamma: power(np.ceil(steps_of(t) / step_size), base_lr,
                                                   gamma)),
    # b·γ^⌊(t+1)/s⌋: each decay one step early (steps counted from 1).
    FormulaMistake(
        "decays_one_step_early", "Each drop comes one step early: t counts from 0, and the first "
        "drop is at t = step_size (use t // step_size).",
        lambda t, base_lr, step_size, gamma: power(np.floor((steps_of(t) + 1) / step_size),
                                                   base_lr, gamma)),
    # b·γ^⌊(t−1)/s⌋ (from 0): each decay one step late.
    FormulaMistake(
        "decays_one_step_late", "Each drop comes one step late: t counts from 0, and the first "
        "drop is at t = step_size (use t // step_size).",
        lambda t, base_lr, step_size, gamma: power(
            np.floor(np.maximum(steps_of(t) - 1, 0) / step_size), base_lr, gamma)),
)

EXPONENTIAL_DECAY: tuple[FormulaMistake, ...] = (
    # b·γ^(t+1): the first step already decayed.
    FormulaMistake(
        "one_step_ahead", "Your schedule is one step ahead: at t = 0 the lr is base_lr itself, so "
        "use gamma ** t, not gamma ** (t + 1).",
        lambda t, base_lr, gamma: power(steps_of(t) + 1, base_lr, gamma)),
    # b·e^(−γt): γ taken as a decay *rate*.
    FormulaMistake(
        "exp_of_minus_gamma_t", "It looks like you used base_lr·exp(−gamma·t): here gamma is the "
        "factor of one step, lr_t = base_lr·gamma ** t.",
        lambda t, base_lr, gamma: base_lr * np.exp(-gamma * steps_of(t))),
    # b·(1 − γ)^t: γ taken as the fraction removed per step.
    FormulaMistake(
        "one_minus_gamma", "It looks like you used (1 − gamma) ** t: gamma is the factor the lr "
        "keeps at every step, lr_t = base_lr·gamma ** t.",
        lambda t, base_lr, gamma: power(steps_of(t), base_lr, 1 - gamma)),
)
