"""Checks for ps02 "Learning-rate schedulers" — what its test cells call, one line each.

The reference is `lrcore` (`lrcore.quadratic.optimize` with a real torch scheduler, and the
pure schedules of `lrcore.schedules`, both equal to torch); the models of the usual mistakes
are `lrcore.mistakes.schedules` (formulas, and training loops run in float32 torch) and
`lrcore.mistakes.quadratic`; the words are here. Values are compared with the course's
rtol 1e-5 (`lrchecks.values`): a float32 torch run and a float64 formula agree to
a few parts in a million.

Visible checks use the runs and parameters the notebook shows. Hidden checks (`hidden=True`,
or the `_unseen` check) run the cases the grader drew for this student (`lrchecks.hidden`:
pools the grader keeps, of which this module holds none), so a hard-coded answer cannot pass;
a hidden case's message names the kind of case and the mistake, never its inputs or expected
values. Every torch scheduler a check uses is a `SchedulerCase`: named once, as data, from which
both the torch scheduler and its lrcore twin are built.

What a check records in the kernel for the grader to judge again (`lrchecks.evidence`) is only
what the student's code answered — never a result of lrcore's code computed in the kernel.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import EvidenceMismatch, judged, student_call
from lrchecks.hidden import HiddenCase, NotGraded, hidden_case, hidden_cases
from lrchecks.quadratic import DIAGNOSIS_RTOL, diagnose_run
from lrchecks.report import CheckFailed, passed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import (
    DEFAULT_ATOL,
    Mismatch,
    arrays_match,
    describe_number,
    first_mismatch,
    read_only,
    same_pattern,
    to_float,
    to_float_array,
)
from lrcore import quadratic
from lrcore import schedules as sched
from lrcore.mistakes.schedules import (
    FORMULA_MISTAKES,
    LOOP_MISTAKES,
    formula_mistake_values,
    optimize_with_loop_mistake,
)

__all__ = [
    "RESCUE_LR",
    "RESCUE_ITERATIONS",
    "RESCUE_X0",
    "RESCUE_SCHEDULERS",
    "GALLERY_STEPS",
    "GALLERY",
    "SchedulerCase",
    "check_optimize_with_scheduler",
    "check_optimize_with_scheduler_unseen",
    "check_rescue_final_x",
    "check_rescue_figure_layout",
    "check_rescue_figure_x",
    "check_rescue_figure_lr",
    "check_step_decay",
    "check_exponential_decay",
    "check_cosine_annealing",
    "check_linear_warmup",
    "check_gallery_figure",
    "check_scheduler_first_pitfall",
    "check_momentum_history",
    "check_warmup_cosine",
]


# --- torch schedulers as test cases ------------------------------------------------------------


class _Named:
    """A callable shown by a name in the messages (`scheduler=rescue_schedulers['step']`)."""

    def __init__(self, function: Callable[..., Any], name: str) -> None:
        self._function = function
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return self._name


@contextmanager
def _quiet() -> Iterator[None]:
    """torch's warnings silenced: a grade cell must stay off stderr."""
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


@lru_cache(maxsize=1024)
def _cached_run(initial_lr: float, n: int, x0: float, case_key: str | None
                ) -> tuple[np.ndarray, np.ndarray]:
    case = None if case_key is None else SchedulerCase.from_data(json.loads(case_key))
    with _quiet():
        xs, lrs = quadratic.optimize(initial_lr, n, x0,
                                     case.factory if case is not None else None)
    return read_only(np.asarray(xs, dtype=float)), read_only(np.asarray(lrs, dtype=float))


def _reference_run(
    initial_lr: float, n: int, x0: float, case: SchedulerCase | None
) -> tuple[np.ndarray, np.ndarray]:
    """lrcore's run (float32 torch) of the case: the same for every student, so a grading
    process computes it once (read-only arrays)."""
    return _cached_run(initial_lr, n, x0, None if case is None else case.key)


def _lr_at(case: SchedulerCase | None, initial_lr: float) -> Callable[[int], float]:
    """lr_t of the case as a function (NaN where torch refuses the step) for the x² models."""
    if case is None:
        return lambda _t: initial_lr
    schedule = case.schedule(initial_lr)

    def lr_at(t: int) -> float:
        try:
            return schedule(t)
        except (ValueError, ArithmeticError):
            return float("nan")

    return lr_at


# --- words ------------------------------------------------------------------------------------

LOOP_EXPLANATIONS: dict[str, str] = {
    "scheduler_stepped_first": "It looks like scheduler.step() is called before "
    "optimizer.step(): every step uses the next lr of the schedule, and its first value is "
    "skipped. Call optimizer.step() first, then scheduler.step().",
    "scheduler_stepped_first_lr_read_before": "It looks like scheduler.step() is called before "
    "optimizer.step(): every step uses the next lr of the schedule (your lr_history hides it, "
    "it is read before scheduler.step() changes the lr). Call optimizer.step() first, then "
    "scheduler.step().",
    "scheduler_stepped_twice": "Your schedule runs twice as fast: it looks like "
    "scheduler.step() is called twice per iteration (e.g. once inside an inner loop and once "
    "after it). Call it exactly once per iteration, after optimizer.step().",
    "lr_read_after_scheduler_step": "x is right but lr_history is one step ahead: it looks like "
    "the lr is read after scheduler.step(). Record optimizer.param_groups[0]['lr'] before "
    "optimizer.step(): that is the lr the step uses.",
    "scheduler_never_stepped": "The learning rate never moves from its first value: the "
    "scheduler is never stepped (or not used at all, or built anew in every iteration). Build "
    "it once before the loop with scheduler(optimizer) and call its step() after every "
    "optimizer.step().",
    "scheduler_ignored": "The learning rate stays at initial_lr: the scheduler is not used. "
    "Build it once before the loop with scheduler(optimizer) and call its step() after every "
    "optimizer.step().",
    "scheduler_built_in_loop": "It looks like a new scheduler is built in every iteration, so "
    "the schedule starts again at every step. Build it once, before the loop.",
}

FORMULA_EXPLANATIONS: dict[str, dict[str, str]] = {
    "step_decay": {
        "no_floor": "It looks like the exponent is t / step_size without the floor: the lr "
        "should stay flat for step_size steps and then drop at once (use t // step_size).",
        "ceil_instead_of_floor": "It looks like t / step_size is rounded up: the first drop "
        "comes at t = step_size, not at t = 1 (use t // step_size).",
        "decays_one_step_early": "Each drop comes one step early: t counts from 0, and the "
        "first drop is at t = step_size (use t // step_size).",
        "decays_one_step_late": "Each drop comes one step late: t counts from 0, and the first "
        "drop is at t = step_size (use t // step_size).",
    },
    "exponential_decay": {
        "one_step_ahead": "Your schedule is one step ahead: at t = 0 the lr is base_lr itself, "
        "so use gamma ** t, not gamma ** (t + 1).",
        "exp_of_minus_gamma_t": "It looks like you used base_lr·exp(−gamma·t): here gamma is "
        "the factor of one step, lr_t = base_lr·gamma ** t.",
        "one_minus_gamma": "It looks like you used (1 − gamma) ** t: gamma is the factor the lr "
        "keeps at every step, lr_t = base_lr·gamma ** t.",
    },
    "cosine_annealing": {
        "t_max_minus_one": "T_max is off by one: the cosine reaches eta_min exactly at "
        "t = T_max, so use cos(π·t / T_max).",
        "t_max_plus_one": "T_max is off by one: the cosine reaches eta_min exactly at "
        "t = T_max, so use cos(π·t / T_max).",
        "clamped": "Your curve stays at eta_min after T_max, but torch's CosineAnnealingLR is "
        "not clamped: past T_max the cosine climbs back up (back to base_lr at 2·T_max). Do not "
        "clamp t.",
        "eta_min_ignored": "Your curve anneals to 0 instead of eta_min: the lr is "
        "eta_min + (base_lr − eta_min)·(1 + cos(π·t / T_max)) / 2.",
        "missing_one_plus_half": "Your curve goes negative: the cosine factor is "
        "(1 + cos(π·t / T_max)) / 2, which stays between 0 and 1.",
    },
    "linear_warmup": {
        "starts_at_zero": "Your warmup starts at 0, so the first step does nothing: it starts "
        "at start_factor·base_lr (LinearLR's start_factor).",
        "one_step_late": "Your warmup reaches base_lr one step late: it gets there at "
        "t = warmup_steps (divide by warmup_steps, not warmup_steps + 1).",
        "one_step_early": "Your warmup is one step ahead: at t = 0 the lr is "
        "start_factor·base_lr, and it reaches base_lr at t = warmup_steps (t counts from 0).",
        "not_clamped": "Your lr keeps growing past base_lr: hold it at base_lr once "
        "t ≥ warmup_steps (min(t, warmup_steps)).",
    },
    "warmup_cosine": {
        "cosine_not_restarted": "After the warmup your cosine continues from step t: "
        "SequentialLR restarts the next scheduler from its own step 0 (and from the base lr), "
        "so the cosine part is cosine_annealing(t − warmup_steps, …).",
        "cosine_starts_one_step_late": "The peak base_lr is held for two steps: the cosine "
        "takes over at t = warmup_steps, as cosine_annealing(t − warmup_steps, …).",
    },
}
for _part, _words in (("warmup", "The warmup part is wrong."),
                      ("cosine", "The cosine part is wrong.")):
    for _name, _text in FORMULA_EXPLANATIONS[f"linear_{_part}" if _part == "warmup"
                                             else "cosine_annealing"].items():
        if f"{_part}_{_name}" in FORMULA_MISTAKES["warmup_cosine"]:
            FORMULA_EXPLANATIONS["warmup_cosine"][f"{_part}_{_name}"] = f"{_words} {_text}"


def _diagnose_loop(
    student_x: np.ndarray,
    student_lrs: np.ndarray | None,
    initial_lr: float,
    n: int,
    x0: float,
    case: SchedulerCase,
) -> str | None:
    """The explanation of the first loop mistake whose run equals the student's."""
    for mistake in LOOP_MISTAKES:
        try:
            xs, lrs = optimize_with_loop_mistake(mistake, initial_lr, n, x0, case.factory)
        except (ValueError, ArithmeticError):  # torch refuses this mistaken run
            continue
        if not same_pattern(student_x, np.asarray(xs), DIAGNOSIS_RTOL):
            continue
        if student_lrs is not None and not arrays_match(student_lrs, np.asarray(lrs),
                                                        DIAGNOSIS_RTOL, DEFAULT_ATOL):
            continue
        expected_x, expected_lrs = _reference_run(initial_lr, n, x0, case)
        if arrays_match(np.asarray(xs), expected_x) and arrays_match(np.asarray(lrs),
                                                                     expected_lrs):
            continue  # this mistake does not change this run
        return LOOP_EXPLANATIONS[mistake]
    return None


def _count(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "a single value instead of a list of"


def _mismatch_sentence(what: str, mismatch: Mismatch) -> str:
    if mismatch.shape_differs:
        return (f"{what} has {_count(mismatch.student_shape)} values; it should have "
                f"{_count(mismatch.expected_shape)} (one per iteration).")
    assert mismatch.student is not None and mismatch.expected is not None
    assert mismatch.index is not None
    if np.isnan(mismatch.student):
        return f"{what} contains NaN at step {mismatch.index + 1}."
    return (f"{what} differs at step {mismatch.index + 1}: you have "
            f"{describe_number(mismatch.student)}, it should be "
            f"{describe_number(mismatch.expected)}.")


def _history(value: Any, what: str) -> np.ndarray:
    """A history as a 1-d array; a list of one-element lists (get_last_lr()) is flattened."""
    array = to_float_array(value, what)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    return array


def _pair(result: Any, call: str, second: str = "lr_history") -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (x_history, {second}), got "
                          f"{type(result).__name__}.",
                          diagnosis=f"the function should return a pair (x_history, {second}).")
    return result[0], result[1]


def _compare_scheduled_run(
    call: str,
    result: Any,
    initial_lr: float,
    n: int,
    x0: float,
    case: SchedulerCase | None,
) -> np.ndarray:
    """Compare a student's (x_history, lr_history) with the reference torch run, naming the
    mistake when a model fits; returns the student's x history."""
    student_x_raw, student_lrs_raw = _pair(result, call)
    student_x = _history(student_x_raw, f"x_history of {call}")
    student_lrs = _history(student_lrs_raw, f"lr_history of {call}")
    expected_x, expected_lrs = _reference_run(initial_lr, n, x0, case)
    x_mismatch = first_mismatch(student_x, expected_x)
    lr_mismatch = first_mismatch(student_lrs, expected_lrs)
    if x_mismatch is None and lr_mismatch is None:
        return student_x
    diagnosis = None
    if case is not None:
        diagnosis = _diagnose_loop(student_x, student_lrs, initial_lr, n, x0, case)
    if diagnosis is None:
        diagnosis = diagnose_run(student_x, _lr_at(case, initial_lr), n, x0, 1.0, student_lrs)
    if x_mismatch is not None:
        sentence = _mismatch_sentence(f"For {call}, x_history", x_mismatch)
    else:
        assert lr_mismatch is not None
        sentence = _mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
    raise CheckFailed(f"{sentence} {diagnosis}" if diagnosis else sentence, diagnosis=diagnosis)


# --- optimize with a scheduler ------------------------------------------------------------------

RESCUE_LR = 1.05
RESCUE_ITERATIONS = 20
RESCUE_X0 = 500.0

STEP_5_HALF = SchedulerCase.of("StepLR", step_size=5, gamma=0.5)
EXPONENTIAL_09 = SchedulerCase.of("ExponentialLR", gamma=0.9)

PUBLISHED_RUNS: tuple[tuple[float, int, float, SchedulerCase | None], ...] = (
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, None),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, EXPONENTIAL_09),
)
RUN_ADVICE = ("the run differs from torch's: build the scheduler once with scheduler(optimizer) "
              "before the loop, record optimizer.param_groups[0]['lr'] before optimizer.step(), "
              "and call scheduler.step() after it.")


def _unreadable(pool: str) -> NotGraded:
    return NotGraded(f"The hidden cases of {pool} are not readable.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _hidden_run(case: HiddenCase, pool: str) -> tuple[float, int, float, SchedulerCase | None]:
    """A hidden run: params {"initial_lr", "num_iterations", "x0", "scheduler"} (a scheduler
    case's data, or null for none)."""
    params = case.params
    try:
        scheduler = params["scheduler"]
        run = (params["initial_lr"], params["num_iterations"], params["x0"],
               None if scheduler is None else SchedulerCase.from_data(scheduler))
    except (TypeError, KeyError, ValueError):
        raise _unreadable(pool) from None
    if not (_is_number(run[0]) and isinstance(run[1], int) and run[1] > 0
            and _is_number(run[2])):
        raise _unreadable(pool)
    return run


def _optimize_call(initial_lr: float, n: int, x0: float, scheduler: Any) -> str:
    kwargs = {} if scheduler is None else {"scheduler": scheduler}
    return format_call("optimize", (initial_lr, n, x0), kwargs)


def _check_optimize_run(optimize: Any, initial_lr: float, n: int, x0: float,
                        case: SchedulerCase | None) -> None:
    if case is None:
        call = _optimize_call(initial_lr, n, x0, None)
        result = call_student(optimize, "optimize", initial_lr, n, x0)
    else:
        scheduler = _Named(case.factory, case.lambda_text)
        call = _optimize_call(initial_lr, n, x0, scheduler)
        result = call_student(optimize, "optimize", initial_lr, n, x0, scheduler=scheduler)
    _compare_scheduled_run(call, result, initial_lr, n, x0, case)


def _check_optimize_runs(
    optimize: Any, runs: Sequence[tuple[float, int, float, SchedulerCase | None]]
) -> None:
    require_own_function(optimize, "optimize")
    for initial_lr, n, x0, case in runs:
        _check_optimize_run(optimize, initial_lr, n, x0, case)


@judged
def check_optimize_with_scheduler(optimize: Any) -> None:
    """Visible: lr = 1.05 from x0 = 500 for 20 steps, without a scheduler (3363.744), with
    StepLR(5, 0.5) (1.33e-06) and with ExponentialLR(0.9) (1.51e-07)."""
    _check_optimize_runs(optimize, PUBLISHED_RUNS)
    passed("optimize reproduces the three runs: no scheduler (x = 3363.74), StepLR(5, 0.5) "
           "(x = 1.33e-06) and ExponentialLR(0.9) (x = 1.51e-07).")


@judged
def check_optimize_with_scheduler_unseen(optimize: Any) -> None:
    """Hidden: the drawn schedulers, learning rates, starting points and lengths (for everyone
    also no scheduler, an integer x0 and a scheduler that switches the momentum on)."""
    require_own_function(optimize, "optimize")
    pool = "ps02.optimize"
    for case in hidden_cases(pool):
        run = _hidden_run(case, pool)
        with hidden_case(case, RUN_ADVICE):
            _check_optimize_run(optimize, *run)
    passed("optimize is right with unseen schedulers, learning rates and starting points.")


# --- the rescue of lr = 1.05 ----------------------------------------------------------------------

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
    "cyclic": SchedulerCase.of("CyclicLR", base_lr=0.05, max_lr=1.05, step_size_up=5),
    "one_cycle": SchedulerCase.of("OneCycleLR", max_lr=1.0, total_steps=20),
}
"""The same cyclical schedulers with torch's default cycle_momentum=True (the pitfall)."""

MOMENTUM_EXPLANATION = ("{cls} switches the plain SGD's momentum on (cycle_momentum=True by "
                        "default, 0.8–0.95): pass cycle_momentum=False.")


def _class_name(case: SchedulerCase) -> str:
    return case.torch


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
        with _quiet():
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
    with _quiet():
        xs, _ = quadratic.optimize(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0,
                                   _SetByStudent(lrs, momenta))
    return np.asarray(xs, dtype=float)


def _check_rescue_factory(key: str, factory: Any) -> None:
    case = RESCUE_SCHEDULERS[key]
    name = f"rescue_schedulers[{key!r}]"
    if not callable(factory):
        raise CheckFailed(f"{name} should be a function of the optimizer, e.g. "
                          f"lambda opt: {case.text}; it is a {type(factory).__name__}.")
    require_own_function(factory, name)
    lrs, momenta = _scheduled_values(factory, name, case)
    xs = _rescue_run_with(lrs, momenta)
    expected_x, expected_lrs = _reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)
    lr_mismatch = first_mismatch(lrs, expected_lrs)
    if lr_mismatch is not None:
        assert lr_mismatch.index is not None
        raise CheckFailed(
            f"{name} does not give the learning rates of {case.text} (from lr = {RESCUE_LR}): "
            f"at step {lr_mismatch.index + 1} it sets {describe_number(lr_mismatch.student)}, "
            f"{_class_name(case)} sets {describe_number(lr_mismatch.expected)}. Check the "
            "scheduler and its parameters."
        )
    if arrays_match(xs, expected_x):
        return
    if key in MOMENTUM_ON:
        momentum_x, _ = _reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, MOMENTUM_ON[key])
        if same_pattern(xs, momentum_x, DIAGNOSIS_RTOL):
            raise CheckFailed(
                f"{name} has the right learning rates, but the run ends at x = "
                f"{describe_number(float(xs[-1]))} instead of "
                f"{describe_number(float(expected_x[-1]))}. "
                + MOMENTUM_EXPLANATION.format(cls=_class_name(case))
            )
    raise CheckFailed(
        f"{name} has the right learning rates, but the run ends at x = "
        f"{describe_number(float(xs[-1]))} instead of {describe_number(float(expected_x[-1]))}: "
        "the scheduler should change nothing but the lr."
    )


@judged
def check_rescue_final_x(rescue_schedulers: Any, optimize: Any) -> None:
    """The six scheduler factories are the asked ones, and the student's optimize, driven by
    them from lr = 1.05, x0 = 500 for 20 steps, ends where torch does."""
    if not isinstance(rescue_schedulers, dict):
        raise CheckFailed("rescue_schedulers should be a dict {name: function of the "
                          f"optimizer}}, not a {type(rescue_schedulers).__name__}.")
    missing = [key for key in RESCUE_SCHEDULERS if key not in rescue_schedulers]
    if missing:
        raise CheckFailed(f"rescue_schedulers has no {', '.join(map(repr, missing))}: it needs "
                          f"the six names {', '.join(map(repr, RESCUE_SCHEDULERS))}.")
    for key in RESCUE_SCHEDULERS:
        _check_rescue_factory(key, rescue_schedulers[key])
    require_own_function(optimize, "optimize")
    finals = []
    for key, case in RESCUE_SCHEDULERS.items():
        scheduler = _Named(rescue_schedulers[key], f"rescue_schedulers[{key!r}]")
        call = _optimize_call(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, scheduler)
        result = call_student(optimize, "optimize", RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0,
                              scheduler=scheduler)
        xs = _compare_scheduled_run(call, result, RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)
        finals.append(f"{key} {describe_number(float(xs[-1]))}")
    passed("All six schedules rescue lr = 1.05; final x: " + ", ".join(finals) + ".")


# --- the rescue figure ------------------------------------------------------------------------

RUN_NAMES: dict[str, tuple[str, ...]] = {
    "constant": ("constant", "no_scheduler", "none"),
    "step": ("step", "steplr", "step_decay"),
    "exponential": ("exponential", "exponentiallr", "exp"),
    "cosine": ("cosine", "cosineannealinglr", "cos"),
    "warmup": ("warmup", "warm_up", "linearlr", "sequentiallr", "linear_warmup"),
    "cyclic": ("cyclic", "cyclical", "cycliclr", "triangular"),
    "one_cycle": ("one_cycle", "onecycle", "onecyclelr", "1cycle", "1_cycle"),
}
"""What a legend label may call each run (case-insensitive, '-' and spaces read as '_')."""


def _names_run(label: str, key: str) -> bool:
    normalised = re.sub(r"[\s\-]+", "_", label.strip().lower())
    return any(re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z])", normalised)
               for alias in RUN_NAMES[key])


@dataclass
class _NamedRun:
    key: str
    variants: list[tuple[np.ndarray, np.ndarray]]
    mistakes: Callable[[], dict[str, np.ndarray]]


def _iteration_variants(values: np.ndarray, first: float | None
                        ) -> list[tuple[np.ndarray, np.ndarray]]:
    """x data a student may plot against: steps 1..n, 0..n−1 (and 0..n with the start)."""
    n = values.size
    variants = [(np.arange(1, n + 1, dtype=float), values), (np.arange(0, n, dtype=float), values)]
    if first is not None:
        variants.append((np.arange(0, n + 1, dtype=float), np.concatenate(([first], values))))
    return variants


def _line_data(line: Any) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float))


def _line_matches(line: Any, variants: list[tuple[np.ndarray | None, np.ndarray]]) -> bool:
    x_data, y_data = _line_data(line)
    return any(arrays_match(y_data, y_ref) and (x_ref is None or arrays_match(x_data, x_ref))
               for x_ref, y_ref in variants)


def _check_named_lines(panel: Any, runs: Sequence[_NamedRun], where: str) -> None:
    if not panel.get_lines():
        raise CheckFailed(f"{where} has no lines; draw one line per run with `ax.plot(...)`.")
    labelled = plots.labelled_lines(panel)
    for run in runs:
        candidates = [line for line in labelled if _names_run(line.get_label(), run.key)]
        if not candidates:
            shown = ", ".join(repr(line.get_label()) for line in labelled) or "none"
            raise CheckFailed(
                f"{where}: no line is labelled as the {run.key!r} run (labels found: {shown}). "
                "Label each line with its name, e.g. label=name."
            )
        if any(_line_matches(line, run.variants) for line in candidates):
            continue
        _, y_data = _line_data(candidates[0])
        if any(arrays_match(y_data, y_ref) for _, y_ref in run.variants):
            raise CheckFailed(f"{where}: the {run.key!r} line has the right values at the wrong "
                              "x positions; plot them against the iteration number.")
        for message, y_mistake in run.mistakes().items():
            if same_pattern(y_data, y_mistake, DIAGNOSIS_RTOL):
                raise CheckFailed(f"{where}: the {run.key!r} line is wrong. {message}")
        _, y_ref = run.variants[0]
        if y_data.shape != y_ref.shape:
            raise CheckFailed(f"{where}: the {run.key!r} line has {y_data.size} points; it "
                              f"should have {y_ref.size} (one per iteration).")
        index = int(np.argmin(np.isclose(y_data, y_ref, rtol=1e-5, atol=DEFAULT_ATOL)))
        raise CheckFailed(
            f"{where}: the {run.key!r} line differs from the correct run at point {index}: it "
            f"shows {describe_number(y_data[index])}, the run gives "
            f"{describe_number(y_ref[index])}. Plot the values optimize returns."
        )


def _rescue_cases() -> dict[str, SchedulerCase | None]:
    return {"constant": None, **RESCUE_SCHEDULERS}


def _loop_mistake_runs(case: SchedulerCase | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    if case is None:
        return {}
    runs = {}
    for mistake in LOOP_MISTAKES:
        try:
            xs, lrs = optimize_with_loop_mistake(mistake, RESCUE_LR, RESCUE_ITERATIONS,
                                                 RESCUE_X0, case.factory)
        except (ValueError, ArithmeticError):
            continue
        runs[LOOP_EXPLANATIONS[mistake]] = (np.asarray(xs), np.asarray(lrs))
    return runs


def _rescue_panels(fig_rescue: Any) -> list[Any]:
    panels = plots.panels_of(fig_rescue, "fig_rescue")
    plots.check_panel_count(panels, 2, "fig_rescue")
    return panels


@judged
def check_rescue_figure_layout(fig_rescue: Any) -> None:
    """Two panels; iteration on x; |x| (log) and the learning rate on y; titles; legends."""
    left, right = _rescue_panels(fig_rescue)
    for panel, where in ((left, "the left panel"), (right, "the right panel")):
        plots.check_axis_label(panel, "x", ("iteration", "step"), where)
        plots.check_title(panel, where)
        plots.check_legend(panel, where)
    plots.check_axis_label(left, "y", ("x",), "the left panel")
    plots.check_axis_label(right, "y", ("learning rate", "lr", "η"), "the right panel")
    plots.check_log_scale(left, "y", "the left panel (|x|)")
    passed("fig_rescue has two labelled panels, a log scale for |x| and legends.")


@judged
def check_rescue_figure_x(fig_rescue: Any) -> None:
    """The left panel: |x| vs iteration for the constant run and the six rescues, labelled."""
    left, _ = _rescue_panels(fig_rescue)
    runs = []
    for key, case in _rescue_cases().items():
        xs, _ = _reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)

        def mistakes(xs: np.ndarray = xs, key: str = key,
                     case: SchedulerCase | None = case) -> dict[str, np.ndarray]:
            found = {"It shows x, not |x|: a log axis cannot show negative values, plot "
                     "np.abs(x).": xs}
            if key in MOMENTUM_ON:
                momentum_x, _ = _reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0,
                                               MOMENTUM_ON[key])
                found[MOMENTUM_EXPLANATION.format(cls=_class_name(MOMENTUM_ON[key]))] = (
                    np.abs(momentum_x))
            for message, (mistaken_x, _) in _loop_mistake_runs(case).items():
                found.setdefault(message, np.abs(mistaken_x))
            return found

        runs.append(_NamedRun(key, _iteration_variants(np.abs(xs), RESCUE_X0), mistakes))
    _check_named_lines(left, runs, "The left panel of fig_rescue")
    passed("The left panel shows |x| of the constant run and of the six rescues.")


@judged
def check_rescue_figure_lr(fig_rescue: Any) -> None:
    """The right panel: the learning rate vs iteration, one labelled line per run."""
    _, right = _rescue_panels(fig_rescue)
    runs = []
    for key, case in _rescue_cases().items():
        _, lrs = _reference_run(RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, case)

        def mistakes(case: SchedulerCase | None = case) -> dict[str, np.ndarray]:
            return {message: mistaken_lrs
                    for message, (_, mistaken_lrs) in _loop_mistake_runs(case).items()}

        runs.append(_NamedRun(key, _iteration_variants(lrs, None), mistakes))
    _check_named_lines(right, runs, "The right panel of fig_rescue")
    passed("The right panel shows the learning rate of the constant run and of the six rescues.")


# --- schedules as plain functions of the step -----------------------------------------------------


@dataclass(frozen=True)
class FormulaCase:
    """One call pattern of a student's schedule function: f(t, *args, **kwargs) for t < n."""

    args: tuple[float, ...]
    kwargs: dict[str, float]
    n: int


FORMULA_PARAMETERS: dict[str, tuple[str, ...]] = {
    "step_decay": ("base_lr", "step_size", "gamma"),
    "exponential_decay": ("base_lr", "gamma"),
    "cosine_annealing": ("base_lr", "T_max", "eta_min"),
    "linear_warmup": ("base_lr", "warmup_steps", "start_factor"),
    "warmup_cosine": ("base_lr", "warmup_steps", "T_max", "start_factor"),
}
FORMULA_DEFAULTS: dict[str, dict[str, float]] = {"cosine_annealing": {"eta_min": 0.0}}


def formula_scheduler(name: str, p: Mapping[str, Any]) -> SchedulerCase:
    """The torch scheduler a schedule function with parameters `p` stands for."""
    if name == "step_decay":
        return SchedulerCase.of("StepLR", step_size=p["step_size"], gamma=p["gamma"])
    if name == "exponential_decay":
        return SchedulerCase.of("ExponentialLR", gamma=p["gamma"])
    if name == "cosine_annealing":
        return SchedulerCase.of("CosineAnnealingLR", T_max=p["T_max"], eta_min=p["eta_min"])
    ramp = SchedulerCase.of("LinearLR", start_factor=p["start_factor"],
                            total_iters=p["warmup_steps"])
    if name == "linear_warmup":
        return ramp
    assert name == "warmup_cosine"
    return SchedulerCase.of("SequentialLR", ramp, SchedulerCase.of("CosineAnnealingLR",
                                                                   T_max=p["T_max"]),
                            milestones=[p["warmup_steps"]])


def _formula_reference(name: str, p: Mapping[str, Any]) -> tuple[sched.Schedule, str]:
    """The lrcore schedule equal to the formula, and the torch scheduler it stands for."""
    scheduler = formula_scheduler(name, p)
    return scheduler.schedule(p["base_lr"]), scheduler.spelled(None)


FORMULA_CASES: dict[str, tuple[FormulaCase, ...]] = {
    "step_decay": (FormulaCase((1.05, 5, 0.5), {}, 20),),
    "exponential_decay": (FormulaCase((1.05, 0.9), {}, 20),),
    "cosine_annealing": (FormulaCase((1.05, 10), {}, 30),
                         FormulaCase((0.5, 6), {"eta_min": 0.05}, 15)),
    "linear_warmup": (FormulaCase((1.05, 5, 0.1), {}, 10),),
    "warmup_cosine": (FormulaCase((1.05, 5, 15, 0.1), {}, 20),),
}
"""The visible call patterns of each schedule function (the hidden ones are drawn)."""
FORMULA_ADVICE: dict[str, str] = {
    "step_decay": "the lrs differ from torch's StepLR: base_lr·gamma ** (t // step_size) for "
    "every step t ≥ 0.",
    "exponential_decay": "the lrs differ from torch's ExponentialLR: base_lr·gamma ** t for "
    "every step t ≥ 0.",
    "cosine_annealing": "the lrs differ from torch's CosineAnnealingLR: eta_min + (base_lr − "
    "eta_min)·(1 + cos(π·t / T_max)) / 2 for every step t ≥ 0, past T_max too.",
    "linear_warmup": "the lrs differ from torch's LinearLR: base_lr·(start_factor + (1 − "
    "start_factor)·min(t, warmup_steps) / warmup_steps) for every step t ≥ 0.",
    "warmup_cosine": "the lrs differ from torch's SequentialLR: linear_warmup(t, …) for "
    "t < warmup_steps, then cosine_annealing(t − warmup_steps, base_lr, T_max).",
}
"""What a hidden case of each schedule function says when no modelled mistake fits."""


def _formula_case(name: str, case: HiddenCase, pool: str) -> FormulaCase:
    """A hidden call pattern: params {parameter: value, …, "n": steps}, the parameters named as
    in FORMULA_PARAMETERS; an optional one (eta_min) is passed by keyword, only when given."""
    params = case.params
    optional = FORMULA_DEFAULTS.get(name, {})
    required = [key for key in FORMULA_PARAMETERS[name] if key not in optional]
    try:
        args = tuple(params[key] for key in required)
        kwargs = {key: params[key] for key in optional if key in params}
        n = params["n"]
    except (TypeError, KeyError):
        raise _unreadable(pool) from None
    if not (all(map(_is_number, (*args, *kwargs.values()))) and isinstance(n, int)
            and 0 < n <= 10_000):
        raise _unreadable(pool)
    return FormulaCase(args, kwargs, n)


def _formula_parameters(name: str, case: FormulaCase) -> dict[str, Any]:
    parameters = dict(FORMULA_DEFAULTS.get(name, {}))
    parameters.update(zip(FORMULA_PARAMETERS[name], case.args, strict=False))
    parameters.update(case.kwargs)
    return parameters


def _formula_call(name: str, case: FormulaCase, t: str | int = "t") -> str:
    parts = [str(t), *map(repr, case.args), *(f"{k}={v!r}" for k, v in case.kwargs.items())]
    return f"{name}({', '.join(parts)})"


def diagnose_formula(name: str, student: np.ndarray, parameters: dict[str, Any]) -> str | None:
    """The explanation of the first formula mistake whose values equal the student's."""
    expected = _formula_reference(name, parameters)[0].values(student.size)
    for mistake, values in formula_mistake_values(name, student.size, **parameters).items():
        if arrays_match(values, expected):
            continue  # this mistake changes nothing for these parameters
        if same_pattern(student, values, DIAGNOSIS_RTOL):
            return FORMULA_EXPLANATIONS[name][mistake]
    return None


def _student_values(function: Any, name: str, case: FormulaCase) -> np.ndarray:
    values = []
    for t in range(case.n):
        result = call_student(function, name, t, *case.args, **case.kwargs)
        values.append(to_float(result, f"The result of {_formula_call(name, case, t)}"))
    return np.asarray(values, dtype=float)


def _check_formula_case(function: Any, name: str, case: FormulaCase) -> None:
    parameters = _formula_parameters(name, case)
    reference, torch_text = _formula_reference(name, parameters)
    expected = reference.values(case.n)
    student = _student_values(function, name, case)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    assert mismatch.index is not None
    diagnosis = diagnose_formula(name, student, parameters)
    sentence = (f"{_formula_call(name, case, mismatch.index)} is "
                f"{describe_number(mismatch.student)}; torch's {torch_text} from lr "
                f"{parameters['base_lr']} gives {describe_number(mismatch.expected)}.")
    raise CheckFailed(f"{sentence} {diagnosis}" if diagnosis else sentence, diagnosis=diagnosis)


def _check_formula(function: Any, name: str, hidden: bool) -> None:
    require_own_function(function, name)
    if not hidden:
        for case in FORMULA_CASES[name]:
            _check_formula_case(function, name, case)
        return
    pool = f"ps02.{name}"
    for drawn in hidden_cases(pool):
        case = _formula_case(name, drawn, pool)
        with hidden_case(drawn, FORMULA_ADVICE[name]):
            _check_formula_case(function, name, case)


@judged
def check_step_decay(step_decay: Any, hidden: bool = False) -> None:
    """step_decay(t, base_lr, step_size, gamma) = base_lr·gamma^⌊t/step_size⌋ (StepLR)."""
    _check_formula(step_decay, "step_decay", hidden)
    passed("step_decay equals torch's StepLR" + (" on unseen parameters." if hidden else "."))


@judged
def check_exponential_decay(exponential_decay: Any, hidden: bool = False) -> None:
    """exponential_decay(t, base_lr, gamma) = base_lr·gamma^t (ExponentialLR)."""
    _check_formula(exponential_decay, "exponential_decay", hidden)
    passed("exponential_decay equals torch's ExponentialLR"
           + (" on unseen parameters." if hidden else "."))


@judged
def check_cosine_annealing(cosine_annealing: Any, hidden: bool = False) -> None:
    """cosine_annealing(t, base_lr, T_max, eta_min=0.0) equals CosineAnnealingLR, past T_max
    too (where torch's cosine climbs back up)."""
    _check_formula(cosine_annealing, "cosine_annealing", hidden)
    passed("cosine_annealing equals torch's CosineAnnealingLR, past T_max too"
           + (", on unseen parameters." if hidden else "."))


@judged
def check_linear_warmup(linear_warmup: Any, hidden: bool = False) -> None:
    """linear_warmup(t, base_lr, warmup_steps, start_factor) equals LinearLR(start_factor,
    end_factor=1, total_iters=warmup_steps)."""
    _check_formula(linear_warmup, "linear_warmup", hidden)
    passed("linear_warmup equals torch's LinearLR warmup"
           + (" on unseen parameters." if hidden else "."))


@judged
def check_warmup_cosine(warmup_cosine: Any, hidden: bool = False) -> None:
    """warmup_cosine(t, base_lr, warmup_steps, T_max, start_factor) equals SequentialLR of a
    LinearLR warmup and a CosineAnnealingLR that restarts at the milestone."""
    _check_formula(warmup_cosine, "warmup_cosine", hidden)
    passed("warmup_cosine equals torch's SequentialLR(LinearLR → CosineAnnealingLR)"
           + (" on unseen parameters." if hidden else "."))


# --- the gallery of schedule shapes -------------------------------------------------------------

GALLERY_STEPS = 60
GALLERY: dict[str, FormulaCase] = {
    "step_decay": FormulaCase((1.0, 15, 0.5), {}, GALLERY_STEPS),
    "exponential_decay": FormulaCase((1.0, 0.95), {}, GALLERY_STEPS),
    "cosine_annealing": FormulaCase((1.0, 40), {}, GALLERY_STEPS),
    "linear_warmup": FormulaCase((1.0, 10, 0.1), {}, GALLERY_STEPS),
}
"""The four curves of fig_gallery: name → parameters, over steps 0..GALLERY_STEPS−1."""


@judged
def check_gallery_figure(fig_gallery: Any) -> None:
    """One panel per schedule of GALLERY (any order), each with a title and an x label, showing
    the schedule's lr over steps 0..59."""
    panels = plots.panels_of(fig_gallery, "fig_gallery")
    plots.check_panel_count(panels, len(GALLERY), "fig_gallery")
    for index, panel in enumerate(panels):
        where = f"panel {index + 1} of fig_gallery"
        plots.check_title(panel, where)
        plots.check_axis_label(panel, "x", ("step", "iteration", "t"), where)
    lines = [line for panel in panels for line in panel.get_lines()]
    for name, case in GALLERY.items():
        parameters = _formula_parameters(name, case)
        expected = _formula_reference(name, parameters)[0].values(case.n)
        variants = _iteration_variants(expected, None)
        if any(_line_matches(line, variants) for line in lines):
            continue
        call = _formula_call(name, case)
        for line in lines:
            diagnosis = diagnose_formula(name, _line_data(line)[1], parameters)
            if _line_data(line)[1].size == case.n and diagnosis:
                raise CheckFailed(f"fig_gallery: the curve of {call} is wrong. {diagnosis}")
        raise CheckFailed(f"fig_gallery has no curve of {call} for t = 0 … {case.n - 1}; "
                          f"draw it in its own panel, e.g. ax.plot(steps, [{call} for t in "
                          "steps]).")
    passed("fig_gallery shows the four schedule shapes.")


# --- pitfalls -----------------------------------------------------------------------------------

FIRST_PITFALL_RUNS: tuple[tuple[float, int, float, SchedulerCase], ...] = (
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),
)
"""The visible run of the pitfall (the hidden ones are drawn)."""
FIRST_PITFALL_ADVICE = ("the run differs from the loop with scheduler.step() moved before "
                        "optimizer.step(): keep everything else as in your optimize, and record "
                        "the lr each step used.")
RECORD_USED_LR = ("Record the lr each step used: read optimizer.param_groups[0]['lr'] after "
                  "scheduler.step(), just before optimizer.step().")
MOVE_THE_STEP = ("Take your optimize and move scheduler.step() before optimizer.step() — nothing "
                 "else changes.")
CORRECT_ON_PURPOSE = ("here, on purpose, call scheduler.step() before optimizer.step() to see "
                      "what it breaks.")


def _check_first_pitfall_run(function: Any, initial_lr: float, n: int, x0: float,
                             case: SchedulerCase) -> None:
    name = "optimize_scheduler_first"
    scheduler = _Named(case.factory, case.lambda_text)
    call = format_call(name, (initial_lr, n, x0, scheduler), {})
    result = call_student(function, name, initial_lr, n, x0, scheduler)
    student_x_raw, student_lrs_raw = _pair(result, call)
    student_x = _history(student_x_raw, f"x_history of {call}")
    student_lrs = _history(student_lrs_raw, f"lr_history of {call}")
    xs, lrs = optimize_with_loop_mistake("scheduler_stepped_first", initial_lr, n, x0,
                                         case.factory)
    x_mismatch = first_mismatch(student_x, np.asarray(xs))
    lr_mismatch = first_mismatch(student_lrs, np.asarray(lrs))
    if x_mismatch is None and lr_mismatch is None:
        return
    right_x, right_lrs = _reference_run(initial_lr, n, x0, case)
    if arrays_match(student_x, right_x) and arrays_match(student_lrs, right_lrs):
        raise CheckFailed(f"{call} gives the correct run: {CORRECT_ON_PURPOSE}",
                          diagnosis=f"your function gives the correct run: {CORRECT_ON_PURPOSE}")
    if x_mismatch is None:
        assert lr_mismatch is not None
        raise CheckFailed(_mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
                          + f" {RECORD_USED_LR}", diagnosis=RECORD_USED_LR)
    raise CheckFailed(_mismatch_sentence(f"For {call}, x_history", x_mismatch)
                      + f" {MOVE_THE_STEP}", diagnosis=MOVE_THE_STEP)


@judged
def check_scheduler_first_pitfall(optimize_scheduler_first: Any, hidden: bool = False) -> None:
    """optimize_scheduler_first runs the loop with scheduler.step() *before* optimizer.step()
    (on purpose) and records the lr each step used."""
    require_own_function(optimize_scheduler_first, "optimize_scheduler_first")
    if not hidden:
        for run in FIRST_PITFALL_RUNS:
            _check_first_pitfall_run(optimize_scheduler_first, *run)
    else:
        pool = "ps02.scheduler_first"
        for case in hidden_cases(pool):
            initial_lr, n, x0, scheduler = _hidden_run(case, pool)
            if scheduler is None:
                raise _unreadable(pool)
            with hidden_case(case, FIRST_PITFALL_ADVICE):
                _check_first_pitfall_run(optimize_scheduler_first, initial_lr, n, x0, scheduler)
    passed("optimize_scheduler_first shows the pitfall: the first lr of the schedule is skipped"
           + (" (unseen schedulers)." if hidden else "."))


MOMENTUM_RUNS: tuple[tuple[SchedulerCase, int], ...] = ((MOMENTUM_ON["one_cycle"], 20),)
"""The visible (scheduler, num_iterations) of momentum_history (the hidden ones are drawn)."""
MOMENTUM_ADVICE = ("the momenta differ from those the scheduler sets: on a plain SGD, read "
                   "optimizer.param_groups[0]['momentum'] before each optimizer.step(), and step "
                   "the scheduler after it (0 when the scheduler leaves the momentum alone).")
MOMENTA_AHEAD = ("Your momenta are one step ahead: read optimizer.param_groups[0]['momentum'] "
                 "before optimizer.step() and scheduler.step().")
MOMENTA_MISSING = ("This scheduler sets the momentum of every step: build it with "
                   "scheduler(optimizer) on a plain SGD and read "
                   "optimizer.param_groups[0]['momentum'] in the loop.")


def _hidden_momentum_run(case: HiddenCase, pool: str) -> tuple[SchedulerCase, int]:
    """A hidden case of momentum_history: params {"scheduler": case data, "num_iterations"}."""
    try:
        scheduler = SchedulerCase.from_data(case.params["scheduler"])
        n = case.params["num_iterations"]
    except (TypeError, KeyError, ValueError):
        raise _unreadable(pool) from None
    if not isinstance(n, int) or n <= 0:
        raise _unreadable(pool)
    return scheduler, n


def _check_momentum_run(function: Any, case: SchedulerCase, n: int) -> None:
    name = "momentum_history"
    scheduler = _Named(case.factory, case.lambda_text)
    call = format_call(name, (scheduler, n), {})
    result = call_student(function, name, scheduler, n)
    student = _history(result, f"The result of {call}")
    schedule = case.schedule(RESCUE_LR)
    planned = schedule.momenta(n)
    expected = np.zeros(n) if planned is None else planned
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    sentence = _mismatch_sentence(f"For {call}, the momentum", mismatch)
    if planned is not None and student.shape == expected.shape:
        ahead = schedule.momenta(n + 1)[1:]
        if arrays_match(student, ahead):
            raise CheckFailed(f"{sentence} {MOMENTA_AHEAD}", diagnosis=MOMENTA_AHEAD)
        if np.allclose(student, 0.0):
            raise CheckFailed(f"{sentence} {MOMENTA_MISSING}", diagnosis=MOMENTA_MISSING)
    raise CheckFailed(sentence)


@judged
def check_momentum_history(momentum_history: Any, hidden: bool = False) -> None:
    """momentum_history(scheduler, num_iterations) is the momentum each step of a plain SGD
    used under the scheduler (0 when it leaves the momentum alone)."""
    require_own_function(momentum_history, "momentum_history")
    if not hidden:
        for case, n in MOMENTUM_RUNS:
            _check_momentum_run(momentum_history, case, n)
    else:
        pool = "ps02.momentum_history"
        for drawn in hidden_cases(pool):
            case, n = _hidden_momentum_run(drawn, pool)
            with hidden_case(drawn, MOMENTUM_ADVICE):
                _check_momentum_run(momentum_history, case, n)
    passed("momentum_history shows which schedulers switch the momentum on"
           + (" (unseen schedulers)." if hidden else "."))
