"""Checks for ps02 "Learning-rate schedulers" — what its test cells call, one line each.

The reference is `lrcore` (`lrcore.quadratic.optimize` with a real torch scheduler, and the
pure schedules of `lrcore.schedules`, both equal to torch); the models of the usual mistakes
are `lrcore.mistakes.schedules` (formulas, and training loops run in float32 torch) and
`lrcore.mistakes.quadratic`; the words are here. Values are compared with the course's
rtol 1e-5 (`lrchecks.values`): a float32 torch run and a float64 formula agree to
a few parts in a million. Visible checks use the runs and parameters the notebook shows;
hidden checks use unseen parameters, so a hard-coded answer cannot pass.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import EvidenceMismatch, judged, student_call
from lrchecks.quadratic import DIAGNOSIS_RTOL, diagnose_run
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    DEFAULT_ATOL,
    Mismatch,
    arrays_match,
    describe_number,
    first_mismatch,
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


@dataclass(frozen=True)
class SchedulerCase:
    """A torch scheduler the checks use: how it reads, how to build it, and its lrcore twin.

    `text` is the constructor call as a student writes it (`StepLR(opt, step_size=5,
    gamma=0.5)`), `factory(optimizer)` builds it, and `schedule(initial_lr)` is the equal
    `lrcore.schedules` schedule for an optimizer whose lr is `initial_lr`.
    """

    text: str
    factory: Callable[[Any], Any]
    schedule: Callable[[float], sched.Schedule]

    @property
    def lambda_text(self) -> str:
        return f"lambda opt: {self.text}"


class _Named:
    """A callable shown by a name in the messages (`scheduler=rescue_schedulers['step']`)."""

    def __init__(self, function: Callable[..., Any], name: str) -> None:
        self._function = function
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return self._name


def _arguments_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def _torch_case(
    name: str, schedule: Callable[[float], sched.Schedule], **kwargs: Any
) -> SchedulerCase:
    def factory(optimizer: Any) -> Any:
        from torch.optim import lr_scheduler

        return getattr(lr_scheduler, name)(optimizer, **kwargs)

    return SchedulerCase(f"{name}(opt, {_arguments_text(kwargs)})", factory, schedule)


def _warmup_cosine_case(warmup_steps: int, T_max: int, start_factor: float) -> SchedulerCase:
    """SequentialLR([LinearLR(start_factor, total_iters=k), CosineAnnealingLR(T_max)], [k])."""

    def factory(optimizer: Any) -> Any:
        from torch.optim import lr_scheduler

        ramp = lr_scheduler.LinearLR(optimizer, start_factor=start_factor,
                                     total_iters=warmup_steps)
        cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=T_max)
        return lr_scheduler.SequentialLR(optimizer, [ramp, cosine], milestones=[warmup_steps])

    text = (f"SequentialLR(opt, [LinearLR(opt, start_factor={start_factor}, "
            f"total_iters={warmup_steps}), CosineAnnealingLR(opt, T_max={T_max})], "
            f"milestones=[{warmup_steps}])")
    return SchedulerCase(
        text, factory,
        lambda lr: sched.warmup(sched.cosine_annealing_lr(lr, T_max), warmup_steps, start_factor),
    )


def _quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run reference code with torch's warnings silenced: a grade cell must stay off stderr."""
    with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _reference_run(
    initial_lr: float, n: int, x0: float, case: SchedulerCase | None
) -> tuple[np.ndarray, np.ndarray]:
    xs, lrs = _quietly(quadratic.optimize, initial_lr, n, x0,
                       case.factory if case is not None else None)
    return np.asarray(xs, dtype=float), np.asarray(lrs, dtype=float)


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
                          f"{type(result).__name__}.")
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
    raise CheckFailed(f"{sentence} {diagnosis}" if diagnosis else sentence)


# --- optimize with a scheduler ------------------------------------------------------------------

RESCUE_LR = 1.05
RESCUE_ITERATIONS = 20
RESCUE_X0 = 500.0

STEP_5_HALF = _torch_case("StepLR", lambda lr: sched.step_lr(lr, 5, 0.5), step_size=5, gamma=0.5)
EXPONENTIAL_09 = _torch_case("ExponentialLR", lambda lr: sched.exponential_lr(lr, 0.9),
                             gamma=0.9)

PUBLISHED_RUNS: tuple[tuple[float, int, float, SchedulerCase | None], ...] = (
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, None),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),
    (RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, EXPONENTIAL_09),
)
UNSEEN_RUNS: tuple[tuple[float, int, float, SchedulerCase | None], ...] = (
    (0.8, 12, -30.0, _torch_case(
        "CosineAnnealingLR", lambda lr: sched.cosine_annealing_lr(lr, 8, 0.05),
        T_max=8, eta_min=0.05)),
    (0.6, 15, 7.0, _torch_case(
        "MultiStepLR", lambda lr: sched.multi_step_lr(lr, [3, 9], 0.4),
        milestones=[3, 9], gamma=0.4)),
    (1.2, 10, 2.0, _torch_case(
        "LinearLR", lambda lr: sched.linear_lr(lr, 0.25, 0.5, 4),
        start_factor=0.25, end_factor=0.5, total_iters=4)),
    (0.3, 9, 500, _torch_case(  # an integer x0
        "ExponentialLR", lambda lr: sched.exponential_lr(lr, 1.1), gamma=1.1)),
    (0.45, 8, 3.0, None),
    (0.7, 12, 100.0, _torch_case(  # cycles the momentum of the plain SGD
        "OneCycleLR", lambda lr: sched.one_cycle_lr(0.7, total_steps=12),
        max_lr=0.7, total_steps=12)),
    (0.9, 14, -5.0, _torch_case(
        "StepLR", lambda lr: sched.step_lr(lr, 1, 0.8), step_size=1, gamma=0.8)),
)


def _optimize_call(initial_lr: float, n: int, x0: float, scheduler: Any) -> str:
    kwargs = {} if scheduler is None else {"scheduler": scheduler}
    return format_call("optimize", (initial_lr, n, x0), kwargs)


def _check_optimize_runs(
    optimize: Any, runs: Sequence[tuple[float, int, float, SchedulerCase | None]]
) -> None:
    require_own_function(optimize, "optimize")
    for initial_lr, n, x0, case in runs:
        if case is None:
            call = _optimize_call(initial_lr, n, x0, None)
            result = call_student(optimize, "optimize", initial_lr, n, x0)
        else:
            scheduler = _Named(case.factory, case.lambda_text)
            call = _optimize_call(initial_lr, n, x0, scheduler)
            result = call_student(optimize, "optimize", initial_lr, n, x0, scheduler=scheduler)
        _compare_scheduled_run(call, result, initial_lr, n, x0, case)


@judged
def check_optimize_with_scheduler(optimize: Any) -> None:
    """Visible: lr = 1.05 from x0 = 500 for 20 steps, without a scheduler (3363.744), with
    StepLR(5, 0.5) (1.33e-06) and with ExponentialLR(0.9) (1.51e-07)."""
    _check_optimize_runs(optimize, PUBLISHED_RUNS)
    passed("optimize reproduces the three runs: no scheduler (x = 3363.74), StepLR(5, 0.5) "
           "(x = 1.33e-06) and ExponentialLR(0.9) (x = 1.51e-07).")


@judged
def check_optimize_with_scheduler_unseen(optimize: Any) -> None:
    """Hidden: other schedulers (cosine with eta_min, multi-step, linear, a growing exponential,
    one-cycle with its momentum), learning rates, starting points and lengths."""
    _check_optimize_runs(optimize, UNSEEN_RUNS)
    passed("optimize is right with unseen schedulers, learning rates and starting points.")


# --- the rescue of lr = 1.05 ----------------------------------------------------------------------

RESCUE_SCHEDULERS: dict[str, SchedulerCase] = {
    "step": STEP_5_HALF,
    "exponential": EXPONENTIAL_09,
    "cosine": _torch_case("CosineAnnealingLR", lambda lr: sched.cosine_annealing_lr(lr, 20),
                          T_max=20),
    "warmup": _warmup_cosine_case(5, 15, 0.1),
    "cyclic": _torch_case(
        "CyclicLR",
        lambda lr: sched.cyclic_lr(0.05, 1.05, step_size_up=5, cycle_momentum=False),
        base_lr=0.05, max_lr=1.05, step_size_up=5, cycle_momentum=False),
    "one_cycle": _torch_case(
        "OneCycleLR",
        lambda lr: sched.one_cycle_lr(1.0, total_steps=20, cycle_momentum=False),
        max_lr=1.0, total_steps=20, cycle_momentum=False),
}
"""The six rescues of the lr = 1.05 run the notebook asks for (name → torch scheduler)."""

MOMENTUM_ON: dict[str, SchedulerCase] = {
    "cyclic": _torch_case("CyclicLR", lambda lr: sched.cyclic_lr(0.05, 1.05, step_size_up=5),
                          base_lr=0.05, max_lr=1.05, step_size_up=5),
    "one_cycle": _torch_case("OneCycleLR", lambda lr: sched.one_cycle_lr(1.0, total_steps=20),
                             max_lr=1.0, total_steps=20),
}
"""The same cyclical schedulers with torch's default cycle_momentum=True (the pitfall)."""

MOMENTUM_EXPLANATION = ("{cls} switches the plain SGD's momentum on (cycle_momentum=True by "
                        "default, 0.8–0.95): pass cycle_momentum=False.")


def _class_name(case: SchedulerCase) -> str:
    return case.text.split("(")[0]


def _run_factory(factory: Any, name: str, case: SchedulerCase) -> tuple[np.ndarray, np.ndarray]:
    """The student's scheduler factory driving the reference loop."""
    try:
        xs, lrs = student_call(_quietly, name, (quadratic.optimize, RESCUE_LR, RESCUE_ITERATIONS,
                                                RESCUE_X0, factory), {})
    except EvidenceMismatch:
        raise
    except Exception as error:  # the student's factory may raise anything
        text = str(error).splitlines()[0] if str(error) else ""
        raise CheckFailed(
            f"Building and stepping {name} on an SGD optimizer raised {type(error).__name__}"
            f"{': ' + text if text else ''}. It should be a function of the optimizer that "
            f"returns a torch scheduler: lambda opt: {case.text}."
        ) from None
    return np.asarray(xs, dtype=float), np.asarray(lrs, dtype=float)


def _check_rescue_factory(key: str, factory: Any) -> None:
    case = RESCUE_SCHEDULERS[key]
    name = f"rescue_schedulers[{key!r}]"
    if not callable(factory):
        raise CheckFailed(f"{name} should be a function of the optimizer, e.g. "
                          f"lambda opt: {case.text}; it is a {type(factory).__name__}.")
    require_own_function(factory, name)
    xs, lrs = _run_factory(factory, name, case)
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


def _formula_reference(name: str, p: dict[str, Any]) -> tuple[sched.Schedule, str]:
    """The lrcore schedule equal to the formula, and the torch scheduler it stands for."""
    if name == "step_decay":
        return (sched.step_lr(p["base_lr"], p["step_size"], p["gamma"]),
                f"StepLR(step_size={p['step_size']}, gamma={p['gamma']})")
    if name == "exponential_decay":
        return sched.exponential_lr(p["base_lr"], p["gamma"]), f"ExponentialLR(gamma={p['gamma']})"
    if name == "cosine_annealing":
        return (sched.cosine_annealing_lr(p["base_lr"], p["T_max"], p["eta_min"]),
                f"CosineAnnealingLR(T_max={p['T_max']}, eta_min={p['eta_min']})")
    if name == "linear_warmup":
        return (sched.linear_lr(p["base_lr"], p["start_factor"], 1.0, p["warmup_steps"]),
                f"LinearLR(start_factor={p['start_factor']}, total_iters={p['warmup_steps']})")
    assert name == "warmup_cosine"
    cosine = sched.cosine_annealing_lr(p["base_lr"], p["T_max"])
    return (sched.warmup(cosine, p["warmup_steps"], p["start_factor"]),
            f"SequentialLR([LinearLR(start_factor={p['start_factor']}, total_iters="
            f"{p['warmup_steps']}), CosineAnnealingLR(T_max={p['T_max']})], "
            f"milestones=[{p['warmup_steps']}])")


FORMULA_CASES: dict[str, tuple[tuple[FormulaCase, ...], tuple[FormulaCase, ...]]] = {
    # name: (visible, hidden)
    "step_decay": (
        (FormulaCase((1.05, 5, 0.5), {}, 20),),
        (FormulaCase((0.8, 3, 0.3), {}, 13), FormulaCase((2, 4, 0.5), {}, 10),
         FormulaCase((0.1, 7, 0.1), {}, 22), FormulaCase((2.0, 1, 0.9), {}, 6)),
    ),
    "exponential_decay": (
        (FormulaCase((1.05, 0.9), {}, 20),),
        (FormulaCase((0.5, 0.7), {}, 12), FormulaCase((3.0, 1.05), {}, 9),
         FormulaCase((0.02, 0.99), {}, 30)),
    ),
    "cosine_annealing": (
        (FormulaCase((1.05, 10), {}, 30), FormulaCase((0.5, 6), {"eta_min": 0.05}, 15)),
        (FormulaCase((0.3, 7), {"eta_min": 0.01}, 22), FormulaCase((0.8, 13), {"eta_min": 0.2}, 40),
         FormulaCase((2.0, 1), {}, 5), FormulaCase((1, 25), {}, 26)),
    ),
    "linear_warmup": (
        (FormulaCase((1.05, 5, 0.1), {}, 10),),
        (FormulaCase((0.4, 3, 0.5), {}, 8), FormulaCase((2.0, 10, 0.01), {}, 15),
         FormulaCase((0.1, 1, 0.25), {}, 4), FormulaCase((0.3, 4, 1.0), {}, 6)),
    ),
    "warmup_cosine": (
        (FormulaCase((1.05, 5, 15, 0.1), {}, 20),),
        (FormulaCase((0.6, 3, 8, 0.2), {}, 20), FormulaCase((2.0, 4, 4, 0.5), {}, 9),
         FormulaCase((0.3, 1, 10, 0.25), {}, 12)),
    ),
}


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


def _check_formula(function: Any, name: str, hidden: bool) -> None:
    require_own_function(function, name)
    visible, unseen = FORMULA_CASES[name]
    for case in unseen if hidden else visible:
        parameters = _formula_parameters(name, case)
        reference, torch_text = _formula_reference(name, parameters)
        expected = reference.values(case.n)
        student = _student_values(function, name, case)
        mismatch = first_mismatch(student, expected)
        if mismatch is None:
            continue
        assert mismatch.index is not None
        diagnosis = diagnose_formula(name, student, parameters)
        sentence = (f"{_formula_call(name, case, mismatch.index)} is "
                    f"{describe_number(mismatch.student)}; torch's {torch_text} from lr "
                    f"{parameters['base_lr']} gives {describe_number(mismatch.expected)}.")
        raise CheckFailed(f"{sentence} {diagnosis}" if diagnosis else sentence)


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

FIRST_PITFALL_CASES: tuple[tuple[tuple[float, int, float, SchedulerCase], ...],
                          tuple[tuple[float, int, float, SchedulerCase], ...]] = (
    ((RESCUE_LR, RESCUE_ITERATIONS, RESCUE_X0, STEP_5_HALF),),
    (
        (0.5, 10, 3.0, _torch_case("ExponentialLR", lambda lr: sched.exponential_lr(lr, 0.8),
                                   gamma=0.8)),
        (0.9, 8, -2.0, _torch_case("LinearLR", lambda lr: sched.linear_lr(lr, 0.5, 1.0, 4),
                                   start_factor=0.5, total_iters=4)),
        (1.05, 12, 500.0, _torch_case("CosineAnnealingLR",
                                      lambda lr: sched.cosine_annealing_lr(lr, 12), T_max=12)),
    ),
)


@judged
def check_scheduler_first_pitfall(optimize_scheduler_first: Any, hidden: bool = False) -> None:
    """optimize_scheduler_first runs the loop with scheduler.step() *before* optimizer.step()
    (on purpose) and records the lr each step used."""
    name = "optimize_scheduler_first"
    require_own_function(optimize_scheduler_first, name)
    visible, unseen = FIRST_PITFALL_CASES
    for initial_lr, n, x0, case in unseen if hidden else visible:
        scheduler = _Named(case.factory, case.lambda_text)
        call = format_call(name, (initial_lr, n, x0, scheduler), {})
        result = call_student(optimize_scheduler_first, name, initial_lr, n, x0, scheduler)
        student_x_raw, student_lrs_raw = _pair(result, call)
        student_x = _history(student_x_raw, f"x_history of {call}")
        student_lrs = _history(student_lrs_raw, f"lr_history of {call}")
        xs, lrs = optimize_with_loop_mistake("scheduler_stepped_first", initial_lr, n, x0,
                                             case.factory)
        x_mismatch = first_mismatch(student_x, np.asarray(xs))
        lr_mismatch = first_mismatch(student_lrs, np.asarray(lrs))
        if x_mismatch is None and lr_mismatch is None:
            continue
        right_x, right_lrs = _reference_run(initial_lr, n, x0, case)
        if arrays_match(student_x, right_x) and arrays_match(student_lrs, right_lrs):
            raise CheckFailed(f"{call} gives the correct run: here, on purpose, call "
                              "scheduler.step() before optimizer.step() to see what it breaks.")
        if x_mismatch is None:
            assert lr_mismatch is not None
            raise CheckFailed(
                _mismatch_sentence(f"For {call}, lr_history", lr_mismatch)
                + " Record the lr each step used: read optimizer.param_groups[0]['lr'] after "
                "scheduler.step(), just before optimizer.step()."
            )
        raise CheckFailed(
            _mismatch_sentence(f"For {call}, x_history", x_mismatch)
            + " Take your optimize and move scheduler.step() before optimizer.step() — nothing "
            "else changes."
        )
    passed("optimize_scheduler_first shows the pitfall: the first lr of the schedule is skipped"
           + (" (unseen schedulers)." if hidden else "."))


MOMENTUM_CASES: tuple[tuple[tuple[SchedulerCase, int], ...],
                      tuple[tuple[SchedulerCase, int], ...]] = (
    ((MOMENTUM_ON["one_cycle"], 20),),
    (
        (_torch_case("CyclicLR", lambda lr: sched.cyclic_lr(0.01, 0.5, step_size_up=3),
                     base_lr=0.01, max_lr=0.5, step_size_up=3), 10),
        (_torch_case("CyclicLR", lambda lr: sched.cyclic_lr(
            0.01, 0.5, step_size_up=3, cycle_momentum=False),
            base_lr=0.01, max_lr=0.5, step_size_up=3, cycle_momentum=False), 6),
        (_torch_case("StepLR", lambda lr: sched.step_lr(lr, 2, 0.5), step_size=2, gamma=0.5), 5),
        (_torch_case("OneCycleLR", lambda lr: sched.one_cycle_lr(
            0.3, total_steps=12, base_momentum=0.6, max_momentum=0.99, three_phase=True),
            max_lr=0.3, total_steps=12, base_momentum=0.6, max_momentum=0.99,
            three_phase=True), 12),
    ),
)


@judged
def check_momentum_history(momentum_history: Any, hidden: bool = False) -> None:
    """momentum_history(scheduler, num_iterations) is the momentum each step of a plain SGD
    used under the scheduler (0 when it leaves the momentum alone)."""
    name = "momentum_history"
    require_own_function(momentum_history, name)
    visible, unseen = MOMENTUM_CASES
    for case, n in unseen if hidden else visible:
        scheduler = _Named(case.factory, case.lambda_text)
        call = format_call(name, (scheduler, n), {})
        result = call_student(momentum_history, name, scheduler, n)
        student = _history(result, f"The result of {call}")
        schedule = case.schedule(RESCUE_LR)
        planned = schedule.momenta(n)
        expected = np.zeros(n) if planned is None else planned
        mismatch = first_mismatch(student, expected)
        if mismatch is None:
            continue
        sentence = _mismatch_sentence(f"For {call}, the momentum", mismatch)
        if planned is not None and student.shape == expected.shape:
            ahead = schedule.momenta(n + 1)[1:]
            if arrays_match(student, ahead):
                raise CheckFailed(f"{sentence} Your momenta are one step ahead: read "
                                  "optimizer.param_groups[0]['momentum'] before optimizer.step() "
                                  "and scheduler.step().")
            if np.allclose(student, 0.0):
                raise CheckFailed(f"{sentence} This scheduler sets the momentum of every step: "
                                  "build it with scheduler(optimizer) on a plain SGD and read "
                                  "optimizer.param_groups[0]['momentum'] in the loop.")
        raise CheckFailed(sentence)
    passed("momentum_history shows which schedulers switch the momentum on"
           + (" (unseen schedulers)." if hidden else "."))
