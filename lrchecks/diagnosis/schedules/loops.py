"""Mistakes of a training loop on f(x) = a·x² that misuses a torch scheduler (ps02).

`optimize_with_loop_mistake` runs the mistaken loop itself in float32 torch, with the student's
scheduler factory, so the model is exact for every scheduler (momentum-cycling ones included).
A run is recognised as a loop mistake when its x history follows the model's (`same_pattern`,
rtol 1e-4) and its lr history equals the model's (rtol 1e-4) — unless the mistake changes
nothing for this scheduler. The momentum mistakes of the cyclical schedulers are here too.

>>> from torch.optim.lr_scheduler import StepLR
>>> xs, lrs = optimize_with_loop_mistake(
...     "scheduler_stepped_first", 1.0, 3, 8.0, lambda opt: StepLR(opt, 1, 0.25))
>>> lrs  # the first value of the schedule, 1.0, is skipped
[0.25, 0.0625, 0.015625]
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL, Mistake, first_fitting_explanation
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import DEFAULT_ATOL, arrays_match, same_pattern

__all__ = ["LoopMistake", "LOOPS", "LOOP_MISTAKES", "LOOP_EXPLANATIONS",
           "optimize_with_loop_mistake", "diagnose_loop", "MOMENTUM_SWITCHED_ON",
           "MOMENTA_AHEAD", "MOMENTA_MISSING", "MOMENTA_OF_OPTIMIZER"]

_NAMES: tuple[str, ...] = (
    "scheduler_stepped_first",
    "scheduler_stepped_first_lr_read_before",
    "scheduler_stepped_twice",
    "lr_read_after_scheduler_step",
    "scheduler_never_stepped",
    "scheduler_ignored",
    "scheduler_built_in_loop",
)


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

    if mistake not in _NAMES:
        raise ValueError(f"unknown loop mistake {mistake!r}; one of {', '.join(_NAMES)}")
    param = torch.tensor(float(x0), dtype=torch.float32, requires_grad=True)
    sgd = torch.optim.SGD([param], lr=initial_lr)
    group = sgd.param_groups[0]
    xs: list[float] = []
    lrs: list[float] = []
    stepped_first = mistake.startswith("scheduler_stepped_first")
    steps_after = {"scheduler_stepped_twice": 2, "lr_read_after_scheduler_step": 1,
                   "scheduler_built_in_loop": 1}.get(mistake, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = None
        if mistake not in ("scheduler_ignored", "scheduler_built_in_loop"):
            built = scheduler(sgd)
        for _step in range(num_iterations):
            if mistake == "scheduler_built_in_loop":
                built = scheduler(sgd)
            sgd.zero_grad()
            loss = a * param**2 if a != 1.0 else param**2
            loss.backward()
            if mistake == "scheduler_stepped_first_lr_read_before":
                lrs.append(float(group["lr"]))
            if stepped_first:
                assert built is not None  # built before the loop for these mistakes
                built.step()
            if mistake not in ("scheduler_stepped_first_lr_read_before",
                               "lr_read_after_scheduler_step"):
                lrs.append(float(group["lr"]))
            sgd.step()
            xs.append(param.item())
            for _ in range(steps_after):
                assert built is not None  # built before or in the loop for these mistakes
                built.step()
            if mistake == "lr_read_after_scheduler_step":
                lrs.append(float(group["lr"]))
    return xs, lrs


Run = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class LoopMistake(Mistake):
    """A misused scheduler in the x² loop: `model(initial_lr, n, x0, factory) -> (xs, lrs)`."""

    def run(self, initial_lr: float, n: int, x0: float, factory: Callable[[Any], Any]
            ) -> Run | None:
        """The mistaken run as arrays, or None where torch refuses it."""
        try:
            xs, lrs = self.model(initial_lr, n, x0, factory)
        except (ValueError, ArithmeticError):  # torch refuses this mistaken run
            return None
        return np.asarray(xs), np.asarray(lrs)

    def fits(self, student_x: np.ndarray, student_lrs: np.ndarray | None, mistaken: Run,
             expected: Run) -> bool:
        xs, lrs = mistaken
        if not same_pattern(student_x, xs, DIAGNOSIS_RTOL):
            return False
        if student_lrs is not None and not arrays_match(student_lrs, lrs, DIAGNOSIS_RTOL,
                                                        DEFAULT_ATOL):
            return False
        # a mistake that does not change this run is not the student's
        return not (arrays_match(xs, expected[0]) and arrays_match(lrs, expected[1]))


def _loop(name: str, explanation: str) -> LoopMistake:
    return LoopMistake(name, explanation, functools.partial(optimize_with_loop_mistake, name))


_THEN_SCHEDULER = "build it once, step it after every optimizer.step()."

LOOPS: tuple[LoopMistake, ...] = (
    _loop("scheduler_stepped_first", 'It seems scheduler.step() is called '
                                     'before optimizer.step(), so the first '
                                     'value is skipped: step the optimizer '
                                     'first.'),
    _loop("scheduler_stepped_first_lr_read_before", 'It looks like '
                                                    'scheduler.step() is called '
                                                    'before optimizer.step(), '
                                                    'so every step uses the '
                                                    'next lr: call '
                                                    'optimizer.step() first.'),
    _loop("scheduler_stepped_twice", 'Your schedule runs twice as fast, as if '
                                     'scheduler.step() were called twice per '
                                     'iteration: call it once per iteration, '
                                     'after optimizer.step().'),
    _loop("lr_read_after_scheduler_step", 'x is right but lr_history is one '
                                          'step ahead, as if the lr is read '
                                          'after scheduler.step(): record it '
                                          'before optimizer.step(), the lr that '
                                          'step uses.'),
    _loop("scheduler_never_stepped", "The learning rate never moves: the scheduler is never "
          "stepped, not used at all, or built anew in every iteration — " + _THEN_SCHEDULER),
    _loop("scheduler_ignored", "The learning rate stays at initial_lr: the scheduler is not "
          "used — " + _THEN_SCHEDULER),
    _loop("scheduler_built_in_loop", 'It looks like a new scheduler is built in '
                                     'every iteration, so the schedule starts '
                                     'again at every step: build it once, '
                                     'before the loop.'),
)
"""The training-loop mistakes, in diagnosis order:

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

LOOP_MISTAKES: tuple[str, ...] = tuple(mistake.name for mistake in LOOPS)
LOOP_EXPLANATIONS: dict[str, str] = {mistake.name: mistake.explanation for mistake in LOOPS}


def diagnose_loop(student_x: np.ndarray, student_lrs: np.ndarray | None, initial_lr: float,
                  n: int, x0: float, case: SchedulerCase, expected: Run) -> str | None:
    """The explanation of the first loop mistake whose run equals the student's (and differs
    from `expected`, the correct run)."""
    def fits(mistake: LoopMistake) -> bool:
        mistaken = mistake.run(initial_lr, n, x0, case.factory)
        return mistaken is not None and mistake.fits(student_x, student_lrs, mistaken, expected)

    return first_fitting_explanation(LOOPS, fits)


@dataclass(frozen=True)
class MomentumMistake(Mistake):
    """A cyclical scheduler left to switch the momentum on: `model(case)` is the case with
    torch's default cycle_momentum=True; the explanation names the scheduler's class."""

    def explained(self, case: SchedulerCase) -> str:
        return self.explanation.format(cls=case.torch)


def _momentum_cycling(case: SchedulerCase) -> SchedulerCase:
    data = case.to_data()
    data["kwargs"].pop("cycle_momentum", None)
    return SchedulerCase.from_data(data)


MOMENTUM_SWITCHED_ON = MomentumMistake(
    "momentum_switched_on", "{cls} switches the plain SGD's momentum on (cycle_momentum=True by "
    "default, 0.8–0.95): pass cycle_momentum=False.", _momentum_cycling)
"""Recognised when a run with the right lrs follows the momentum-cycling run (rtol 1e-4)."""

MOMENTA_AHEAD = Mistake(
    "momenta_ahead", "Your momenta are one step ahead: read optimizer.param_groups[0]['momentum'] "
    "before optimizer.step() and scheduler.step().",
    lambda schedule, n: schedule.momenta(n + 1)[1:])
"""momentum_history's momenta read after the steps: recognised when equal (rtol 1e-5)."""
MOMENTA_MISSING = Mistake(
    "momenta_missing", 'This scheduler sets the momentum of every step: build '
                       'it on a plain SGD and read '
                       "optimizer.param_groups[0]['momentum'] in the loop.",
    lambda schedule, n: np.zeros(n))
"""momentum_history all zeros where the scheduler sets the momentum."""
MOMENTA_OF_OPTIMIZER = Mistake(
    "momenta_of_optimizer", 'Your SGD has a momentum of its own: use a plain '
                            'torch.optim.SGD([x], lr=initial_lr), whose '
                            'momentum is 0 unless the scheduler sets it.',
    lambda momentum, n: np.full(n, momentum))
"""momentum_history on an SGD built with momentum=μ, under a scheduler that leaves the momentum
alone: μ at every step (the model takes μ and n). Recognised when the student's momenta are one
nonzero value throughout where the scheduler sets none."""
