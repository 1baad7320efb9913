"""Usual mistakes with learning-rate schedules, modelled exactly so a wrong answer can be named.

Two kinds, both next to the correct computation they perturb:

- **Formula mistakes** (`FORMULA_MISTAKES`): what a wrong plain-Python formula of a schedule
  computes. `FORMULA_MISTAKES[schedule][name](t, **parameters)` takes an integer array of steps
  t and the parameters of the student's function (`base_lr`, `step_size`, …) and returns the
  lrs, vectorised, in float64. The correct formulas are `lrcore.schedules`' (torch's):

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

- **Loop mistakes** (`LOOP_MISTAKES`): what a training loop on f(x) = a·x² that misuses a
  torch scheduler computes — `scheduler.step()` before `optimizer.step()`, twice per
  iteration, never, the lr read after it, a new scheduler in every iteration.
  `optimize_with_loop_mistake` runs the mistaken loop itself in float32 torch, with the
  student's scheduler factory, so the model is exact for every scheduler (momentum-cycling
  ones included).

>>> import numpy as np
>>> t = np.arange(6)
>>> FORMULA_MISTAKES["step_decay"]["no_floor"](t, base_lr=1.0, step_size=2, gamma=0.25).tolist()
[1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125]
>>> clamped = FORMULA_MISTAKES["cosine_annealing"]["clamped"]
>>> clamped(t, base_lr=1.0, T_max=2, eta_min=0.0).round(6).tolist()
[1.0, 0.5, 0.0, 0.0, 0.0, 0.0]
>>> from torch.optim.lr_scheduler import StepLR
>>> xs, lrs = optimize_with_loop_mistake(
...     "scheduler_stepped_first", 1.0, 3, 8.0, lambda opt: StepLR(opt, 1, 0.25))
>>> lrs  # the first value of the schedule, 1.0, is skipped
[0.25, 0.0625, 0.015625]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "FORMULA_MISTAKES",
    "LOOP_MISTAKES",
    "formula_mistake_values",
    "optimize_with_loop_mistake",
]

FloatArray = npt.NDArray[np.float64]
Formula = Callable[..., FloatArray]


def _steps(t: npt.ArrayLike) -> FloatArray:
    return np.asarray(t, dtype=np.float64)


# --- correct closed forms (only to build the mistakes from; the truth is lrcore.schedules) ---


def _cosine(t: npt.ArrayLike, base_lr: float, T_max: float, eta_min: float = 0.0) -> FloatArray:
    with np.errstate(all="ignore"):
        return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * _steps(t) / T_max)) / 2


def _warmup(
    t: npt.ArrayLike, base_lr: float, warmup_steps: float, start_factor: float
) -> FloatArray:
    k = warmup_steps
    with np.errstate(all="ignore"):
        return base_lr * (start_factor + (1 - start_factor) * np.minimum(_steps(t), k) / k)


# --- step decay: b·γ^⌊t/s⌋ ----------------------------------------------------------------


def _step_power(exponent: FloatArray, base_lr: float, gamma: float) -> FloatArray:
    with np.errstate(all="ignore"):
        return base_lr * np.power(float(gamma), exponent)


STEP_DECAY_MISTAKES: dict[str, Formula] = {
    # b·γ^(t/s): a smooth exponential through the stair's corners.
    "no_floor": lambda t, base_lr, step_size, gamma: _step_power(
        _steps(t) / step_size, base_lr, gamma),
    # b·γ^⌈t/s⌉: decays right after step 0.
    "ceil_instead_of_floor": lambda t, base_lr, step_size, gamma: _step_power(
        np.ceil(_steps(t) / step_size), base_lr, gamma),
    # b·γ^⌊(t+1)/s⌋: each decay one step early (steps counted from 1).
    "decays_one_step_early": lambda t, base_lr, step_size, gamma: _step_power(
        np.floor((_steps(t) + 1) / step_size), base_lr, gamma),
    # b·γ^⌊(t−1)/s⌋ (from 0): each decay one step late.
    "decays_one_step_late": lambda t, base_lr, step_size, gamma: _step_power(
        np.floor(np.maximum(_steps(t) - 1, 0) / step_size), base_lr, gamma),
}

# --- exponential decay: b·γ^t --------------------------------------------------------------

EXPONENTIAL_DECAY_MISTAKES: dict[str, Formula] = {
    # b·γ^(t+1): the first step already decayed.
    "one_step_ahead": lambda t, base_lr, gamma: _step_power(_steps(t) + 1, base_lr, gamma),
    # b·e^(−γt): γ taken as a decay *rate*.
    "exp_of_minus_gamma_t": lambda t, base_lr, gamma: base_lr * np.exp(-gamma * _steps(t)),
    # b·(1 − γ)^t: γ taken as the fraction removed per step.
    "one_minus_gamma": lambda t, base_lr, gamma: _step_power(_steps(t), base_lr, 1 - gamma),
}

# --- cosine annealing: η_min + (b − η_min)(1 + cos(πt/T))/2 ----------------------------------

COSINE_ANNEALING_MISTAKES: dict[str, Formula] = {
    "t_max_minus_one": lambda t, base_lr, T_max, eta_min=0.0: _cosine(
        t, base_lr, T_max - 1, eta_min),
    "t_max_plus_one": lambda t, base_lr, T_max, eta_min=0.0: _cosine(
        t, base_lr, T_max + 1, eta_min),
    # min(t, T_max): stays at η_min after T_max, where torch's climbs back up.
    "clamped": lambda t, base_lr, T_max, eta_min=0.0: _cosine(
        np.minimum(_steps(t), T_max), base_lr, T_max, eta_min),
    # b·(1 + cos)/2: anneals to 0 instead of η_min.
    "eta_min_ignored": lambda t, base_lr, T_max, eta_min=0.0: _cosine(t, base_lr, T_max, 0.0),
    # η_min + (b − η_min)·cos(πt/T): the (1 + …)/2 forgotten, the lr goes negative.
    "missing_one_plus_half": lambda t, base_lr, T_max, eta_min=0.0: eta_min
    + (base_lr - eta_min) * np.cos(np.pi * _steps(t) / T_max),
}

# --- linear warmup: b·(sf + (1 − sf)·min(t, k)/k) -------------------------------------------

LINEAR_WARMUP_MISTAKES: dict[str, Formula] = {
    # b·min(t, k)/k: the start factor forgotten, step 0 has lr 0 and does nothing.
    "starts_at_zero": lambda t, base_lr, warmup_steps, start_factor: base_lr
    * np.minimum(_steps(t), warmup_steps) / warmup_steps,
    # reaches b at step k + 1.
    "one_step_late": lambda t, base_lr, warmup_steps, start_factor: _warmup(
        t, base_lr, warmup_steps + 1, start_factor),
    # reaches b at step k − 1 (steps counted from 1).
    "one_step_early": lambda t, base_lr, warmup_steps, start_factor: _warmup(
        _steps(t) + 1, base_lr, warmup_steps, start_factor),
    # no min(t, k): the lr keeps growing past b.
    "not_clamped": lambda t, base_lr, warmup_steps, start_factor: base_lr
    * (start_factor + (1 - start_factor) * _steps(t) / warmup_steps),
}

# --- warmup then cosine, as SequentialLR([LinearLR, CosineAnnealingLR], [k]) ----------------


def _warmup_then(ramp: Formula, tail: Formula, shift: int = 0) -> Formula:
    """ramp(t) for t < k + shift, then tail(t − k − shift): the cosine restarts at its step 0."""

    def schedule(
        t: npt.ArrayLike, base_lr: float, warmup_steps: int, T_max: float, start_factor: float
    ) -> FloatArray:
        steps = _steps(t)
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
    steps = _steps(t)
    return np.where(steps < warmup_steps, _warmup(steps, base_lr, warmup_steps, start_factor),
                    _cosine(steps, base_lr, T_max))


def _cosine_tail(mistake: Formula) -> Formula:
    return lambda t, base_lr, T_max: mistake(t, base_lr=base_lr, T_max=T_max, eta_min=0.0)


WARMUP_COSINE_MISTAKES: dict[str, Formula] = {
    "cosine_not_restarted": _cosine_not_restarted,
    # the peak b held for two steps: the cosine starts at k + 1.
    "cosine_starts_one_step_late": _warmup_then(_warmup, _cosine, shift=1),
    # each mistake of the ramp, followed by the right cosine (not clamping the ramp changes
    # nothing: the cosine takes over at k) …
    **{
        f"warmup_{name}": _warmup_then(mistake, _cosine)
        for name, mistake in LINEAR_WARMUP_MISTAKES.items()
        if name != "not_clamped"
    },
    # … and the right ramp followed by each mistake of the cosine (η_min = 0 here).
    **{
        f"cosine_{name}": _warmup_then(_warmup, _cosine_tail(mistake))
        for name, mistake in COSINE_ANNEALING_MISTAKES.items()
        if name != "eta_min_ignored"
    },
}

FORMULA_MISTAKES: dict[str, dict[str, Formula]] = {
    "step_decay": STEP_DECAY_MISTAKES,
    "exponential_decay": EXPONENTIAL_DECAY_MISTAKES,
    "cosine_annealing": COSINE_ANNEALING_MISTAKES,
    "linear_warmup": LINEAR_WARMUP_MISTAKES,
    "warmup_cosine": WARMUP_COSINE_MISTAKES,
}
"""schedule → mistake name → `f(t, **parameters)`, in the order a diagnosis tries them."""


def formula_mistake_values(schedule: str, n: int, **parameters: float) -> dict[str, FloatArray]:
    """The lrs of steps 0..n−1 of every modelled mistake of one schedule formula.

    >>> values = formula_mistake_values("exponential_decay", 3, base_lr=1.0, gamma=0.5)
    >>> values["one_step_ahead"].tolist()
    [0.5, 0.25, 0.125]
    """
    if schedule not in FORMULA_MISTAKES:
        raise ValueError(f"unknown schedule {schedule!r}; one of {', '.join(FORMULA_MISTAKES)}")
    steps = np.arange(n, dtype=np.float64)
    with np.errstate(all="ignore"):
        return {
            name: np.asarray(model(steps, **parameters), dtype=np.float64)
            for name, model in FORMULA_MISTAKES[schedule].items()
        }


# --- loop mistakes, run in float32 torch ---------------------------------------------------

LOOP_MISTAKES: tuple[str, ...] = (
    "scheduler_stepped_first",
    "scheduler_stepped_first_lr_read_before",
    "scheduler_stepped_twice",
    "lr_read_after_scheduler_step",
    "scheduler_never_stepped",
    "scheduler_ignored",
    "scheduler_built_in_loop",
)
"""The training-loop mistakes `optimize_with_loop_mistake` models, in diagnosis order:

- `scheduler_stepped_first`: `scheduler.step()` before `optimizer.step()`, the lr recorded
  after it (step t uses — and records — lr_{t+1}; the first value is skipped);
- `scheduler_stepped_first_lr_read_before`: the same, the lr recorded before
  `scheduler.step()` (records lr_t, uses lr_{t+1});
- `scheduler_stepped_twice`: two `scheduler.step()` per iteration (e.g. also in an inner
  loop): step t uses lr_{2t};
- `lr_read_after_scheduler_step`: the right run, but the lr recorded after
  `scheduler.step()` (records lr_{t+1});
- `scheduler_never_stepped`: built, never stepped (every step uses lr_0);
- `scheduler_ignored`: never built (every step uses initial_lr);
- `scheduler_built_in_loop`: a new scheduler built at the top of every iteration.
"""


def optimize_with_loop_mistake(
    mistake: str,
    initial_lr: float,
    num_iterations: int,
    x0: float,
    scheduler: Callable[[Any], Any],
    a: float = 1.0,
) -> tuple[list[float], list[float]]:
    """`(x_history, lr_history)` of the mistaken loop, exactly as the buggy torch code gives it.

    The correct loop is `lrcore.quadratic.optimize`: zero_grad, backward, record the lr,
    `optimizer.step()`, record x, `scheduler.step()`. `scheduler` is a factory
    `optimizer -> torch scheduler`. torch's warnings (e.g. "lr_scheduler.step() before
    optimizer.step()") are silenced. A run that torch refuses (OneCycleLR stepped past
    total_steps) raises torch's ValueError.

    >>> from torch.optim.lr_scheduler import ExponentialLR
    >>> factory = lambda opt: ExponentialLR(opt, gamma=0.5)
    >>> optimize_with_loop_mistake("scheduler_stepped_twice", 0.25, 3, 8.0, factory)[1]
    [0.25, 0.0625, 0.015625]
    >>> optimize_with_loop_mistake("lr_read_after_scheduler_step", 0.25, 2, 8.0, factory)
    ([4.0, 3.0], [0.125, 0.0625])
    """
    import torch

    if mistake not in LOOP_MISTAKES:
        raise ValueError(f"unknown loop mistake {mistake!r}; one of {', '.join(LOOP_MISTAKES)}")
    x = torch.tensor(float(x0), dtype=torch.float32, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    group = optimizer.param_groups[0]
    xs: list[float] = []
    lrs: list[float] = []
    stepped_first = mistake.startswith("scheduler_stepped_first")
    steps_after = {"scheduler_stepped_twice": 2, "lr_read_after_scheduler_step": 1,
                   "scheduler_built_in_loop": 1}.get(mistake, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = None
        if mistake not in ("scheduler_ignored", "scheduler_built_in_loop"):
            built = scheduler(optimizer)
        for _ in range(num_iterations):
            if mistake == "scheduler_built_in_loop":
                built = scheduler(optimizer)
            optimizer.zero_grad()
            loss = a * x**2 if a != 1.0 else x**2
            loss.backward()
            if mistake == "scheduler_stepped_first_lr_read_before":
                lrs.append(float(group["lr"]))
            if stepped_first:
                built.step()
            if mistake not in ("scheduler_stepped_first_lr_read_before",
                               "lr_read_after_scheduler_step"):
                lrs.append(float(group["lr"]))
            optimizer.step()
            xs.append(x.item())
            for _ in range(steps_after):
                built.step()
            if mistake == "lr_read_after_scheduler_step":
                lrs.append(float(group["lr"]))
    return xs, lrs
