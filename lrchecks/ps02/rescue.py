"""ps02 §3: six ways to rescue lr = 1.05 — the scheduler factories and where they end."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from lrchecks.asking import Answer, asked
from lrchecks.calls import ShownCallable, call_student, require_own_function
from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL
from lrchecks.diagnosis.schedules import MOMENTUM_SWITCHED_ON
from lrchecks.evidence import EvidenceMismatch, judged, student_call
from lrchecks.ps02.runs import (
    EXPONENTIAL_09,
    RESCUE_ITERATIONS,
    RESCUE_LR,
    RESCUE_X0,
    STEP_5_HALF,
    compare_scheduled_run,
    optimize_call,
    quiet,
    reference_run,
)
from lrchecks.report import CheckFailed, passed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import arrays_match, describe_number, first_mismatch, same_pattern, to_float
from lrcore import quadratic

__all__ = ["RESCUE_SCHEDULERS", "MOMENTUM_ON", "check_rescue_final_x"]

RESCUE_SCHEDULERS: dict[str, SchedulerCase] = {
    "step": STEP_5_HALF,
    "exponential": EXPONENTIAL_09,
    "cosine": SchedulerCase.of("CosineAnnealingLR", T_max=20),
    "warmup": SchedulerCase.of("SequentialLR",
                               SchedulerCase.of("LinearLR", start_factor=0.1, total_iters=5),
                               SchedulerCase.of("CosineAnnealingLR", T_max=15),
                               milestones=[5]),
    "cyclic": SchedulerCase.of("CyclicLR", base_lr=0.05, max_lr=1.05, step_size_up=5,
                               cycle_momentum=False),
    "one_cycle": SchedulerCase.of("OneCycleLR", max_lr=1.0, total_steps=20,
                                  cycle_momentum=False),
}
"""The six rescues of the lr = 1.05 run the notebook asks for (name → torch scheduler)."""

MOMENTUM_ON: dict[str, SchedulerCase] = {
    key: MOMENTUM_SWITCHED_ON.model(RESCUE_SCHEDULERS[key]) for key in ("cyclic", "one_cycle")}
"""The same cyclical schedulers with torch's default cycle_momentum=True (the pitfall)."""


class _SetByStudent:
    """The lr and momentum a student's scheduler set at each step, as a schedule lrcore runs
    (`lrcore.schedules.LrSchedule`, with `momenta` when the momentum was ever switched on)."""

    def __init__(self, lrs: np.ndarray, momenta: np.ndarray) -> None:
        self._lrs = lrs
        self._momenta = momenta
        self.cycle_momentum = bool(np.any(momenta != 0.0))

    def __call__(self, t: int) -> float:
        return float(self._lrs[t])

    def values(self, n: int) -> np.ndarray:
        return self._lrs[:n]

    def momenta(self, n: int) -> np.ndarray:
        return self._momenta[:n]


def _group_values(state: Any, name: str) -> tuple[float, float]:
    """The lr and the momentum of param group 0 in an optimizer's `state_dict()`."""
    try:
        group = state["param_groups"][0]
        return (to_float(group["lr"], "the lr"),
                to_float(group.get("momentum", 0.0), "the momentum"))
    except (TypeError, KeyError, IndexError, AttributeError, CheckFailed):
        raise CheckFailed(f"The grader cannot read the learning rate {name} set.") from None


def _scheduled_values(factory: Any, name: str, case: SchedulerCase
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The lr and the momentum of each rescue step of a plain SGD (lr = RESCUE_LR) under the
    student's scheduler, as `quadratic.optimize` drives it: built once with
    `factory(optimizer)`, the values read before every `optimizer.step()`, `scheduler.step()`
    after it. What the record keeps is only what the student's code answered: the factory's
    scheduler, each of its steps, and the param group it left in the optimizer."""
    import torch

    x = torch.tensor(float(RESCUE_X0), dtype=torch.float32, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=RESCUE_LR)
    lrs, momenta = [], []
    try:
        with quiet():
            scheduler = student_call(factory, name, (optimizer,), {})
            step = None if scheduler is None else scheduler.step
            for _ in range(RESCUE_ITERATIONS):
                state = student_call(optimizer.state_dict, f"the optimizer under {name}", (), {})
                lr, momentum = _group_values(state, name)
                lrs.append(lr)
                momenta.append(momentum)
                optimizer.step()
                if step is not None:
                    student_call(step, f"{name}(optimizer).step", (), {})
    except (CheckFailed, EvidenceMismatch):
        raise
    except Exception as error:  # the student's factory may raise anything
        text = str(error).splitlines()[0] if str(error) else ""
        raise CheckFailed(
            f"Building and stepping {name} on an SGD optimizer raised {type(error).__name__}"
            f"{': ' + text if text else ''}. It should be a function of the optimizer that "
            f"returns a torch scheduler: lambda opt: {case.text}."
        ) from None
    return np.asarray(lrs, dtype=float), np.asarray(momenta, dtype=float)


def _rescue_run_with(lrs: np.ndarray, momenta: np.ndarray) -> np.ndarray:
    """x of the rescue run on x² with these lrs and momenta, step by step: lrcore's float32
    torch loop, the reference's own (equal values give equal bits)."""
    with quiet():
        xs, _ = quadratic.optimize(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0,
                                   _SetByStudent(lrs, momenta))
    return np.asarray(xs, dtype=float)


def _ask_rescue_factory(key: str, factory: Any) -> tuple[np.ndarray, np.ndarray]:
    """The lrs and momenta the student's factory sets (after its cheap guards, which a factory
    checked earlier must get to report first: they are kept in the answer too)."""
    case = RESCUE_SCHEDULERS[key]
    name = f"rescue_schedulers[{key!r}]"
    if not callable(factory):
        raise CheckFailed(f"{name} should be a function of the optimizer, e.g. "
                          f"lambda opt: {case.text}; it is a {type(factory).__name__}.")
    require_own_function(factory, name)
    return _scheduled_values(factory, name, case)


def _decide_rescue_factory(key: str, lrs: np.ndarray, momenta: np.ndarray) -> None:
    """The lrs the factory set against torch's, then the run they give, the mistake named."""
    case = RESCUE_SCHEDULERS[key]
    name = f"rescue_schedulers[{key!r}]"
    xs = _rescue_run_with(lrs, momenta)
    expected_x, expected_lrs = reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)
    lr_mismatch = first_mismatch(lrs, expected_lrs)
    if lr_mismatch is not None:
        assert lr_mismatch.index is not None
        assert lr_mismatch.student is not None and lr_mismatch.expected is not None
        raise CheckFailed(
            f"{name} does not give the learning rates of {case.text} (from lr = {RESCUE_LR}): "
            f"at step {lr_mismatch.index + 1} it sets {describe_number(lr_mismatch.student)}, "
            f"{case.torch} sets {describe_number(lr_mismatch.expected)}. Check the "
            "scheduler and its parameters."
        )
    if arrays_match(xs, expected_x):
        return
    ends = (f"{name} has the right learning rates, but the run ends at x = "
            f"{describe_number(float(xs[-1]))} instead of {describe_number(float(expected_x[-1]))}")
    if key in MOMENTUM_ON:
        momentum_x, _ = reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, MOMENTUM_ON[key])
        if same_pattern(xs, momentum_x, DIAGNOSIS_RTOL):
            raise CheckFailed(f"{ends}. {MOMENTUM_SWITCHED_ON.explained(case)}")
    raise CheckFailed(f"{ends}: the scheduler should change nothing but the lr.")


def _rescue_call(rescue_schedulers: dict[Any, Any], key: str) -> tuple[ShownCallable, str]:
    scheduler = ShownCallable(rescue_schedulers[key], f"rescue_schedulers[{key!r}]")
    return scheduler, optimize_call(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, scheduler)


def _ask_rescue_runs(rescue_schedulers: dict[Any, Any], optimize: Any) -> list[Answer[Any]]:
    """The student's optimize driven by each of the six factories — asked even when a factory
    is wrong (the deciding part reports the factory first, as the check always did)."""
    answers = []
    for key in RESCUE_SCHEDULERS:
        scheduler, _ = _rescue_call(rescue_schedulers, key)
        answers.append(Answer.of(partial(call_student, optimize, "optimize", RESCUE_LR,
                                         RESCUE_ITERATIONS, RESCUE_X0, scheduler=scheduler)))
    return answers


@judged
def check_rescue_final_x(rescue_schedulers: Any, optimize: Any) -> None:
    """The six scheduler factories are the asked ones, and the student's optimize, driven by
    them from lr = 1.05, x0 = 500 for 20 steps, ends where torch does. Everything the student's
    code answers is asked first (factories, then optimize); the runs are compared after."""
    if not isinstance(rescue_schedulers, dict):
        raise CheckFailed("rescue_schedulers should be a dict {name: function of the "
                          f"optimizer}}, not a {type(rescue_schedulers).__name__}.")
    missing = [key for key in RESCUE_SCHEDULERS if key not in rescue_schedulers]
    if missing:
        raise CheckFailed(f"rescue_schedulers has no {', '.join(map(repr, missing))}: it needs "
                          f"the six names {', '.join(map(repr, RESCUE_SCHEDULERS))}.")
    factories = {key: Answer.of(partial(_ask_rescue_factory, key, rescue_schedulers[key]))
                 for key in RESCUE_SCHEDULERS}
    own = Answer.of(lambda: require_own_function(optimize, "optimize"))
    runs = _ask_rescue_runs(rescue_schedulers, optimize) if own.failure is None else []
    asked()
    for key, answer in factories.items():
        _decide_rescue_factory(key, *answer.get())
    own.get()
    finals = []
    for (key, case), run in zip(RESCUE_SCHEDULERS.items(), runs, strict=True):
        _, call = _rescue_call(rescue_schedulers, key)
        xs = compare_scheduled_run(call, run.get(), RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)
        finals.append(f"{key} {describe_number(float(xs[-1]))}")
    passed("All six schedules rescue lr = 1.05; final x: " + ", ".join(finals) + ".")
