"""ps02 §4: a schedule is a function of the step — step decay, exponential decay, cosine
annealing and linear warmup as plain formulas, compared with torch's schedulers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, require_own_function
from lrchecks.diagnosis import schedules as mistakes
from lrchecks.evidence import judged
from lrchecks.ps02.runs import is_number, unreadable
from lrchecks.report import CheckFailed, passed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import describe_number, first_mismatch, to_float
from lrcore import schedules as sched

__all__ = ["FormulaCase", "FORMULA_PARAMETERS", "FORMULA_DEFAULTS", "FORMULA_CASES",
           "FORMULA_ADVICE", "formula_scheduler", "formula_reference", "formula_parameters",
           "formula_call", "diagnose_formula", "check_formula", "check_step_decay",
           "check_exponential_decay", "check_cosine_annealing", "check_linear_warmup"]


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


def formula_reference(name: str, p: Mapping[str, Any]) -> tuple[sched.Schedule, str]:
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


def _formula_case(name: str, params: Any, pool: str) -> FormulaCase:
    """A hidden call pattern: params {parameter: value, …, "n": steps}, the parameters named as
    in FORMULA_PARAMETERS; an optional one (eta_min) is passed by keyword, only when given."""
    optional = FORMULA_DEFAULTS.get(name, {})
    required = [key for key in FORMULA_PARAMETERS[name] if key not in optional]
    try:
        args = tuple(params[key] for key in required)
        kwargs = {key: params[key] for key in optional if key in params}
        n = params["n"]
    except (TypeError, KeyError):
        raise unreadable(pool) from None
    if not (all(map(is_number, (*args, *kwargs.values()))) and isinstance(n, int)
            and 0 < n <= 10_000):
        raise unreadable(pool)
    return FormulaCase(args, kwargs, n)


def formula_parameters(name: str, case: FormulaCase) -> dict[str, Any]:
    """The parameters a call pattern passes, by name (the defaults filled in)."""
    parameters = dict(FORMULA_DEFAULTS.get(name, {}))
    parameters.update(zip(FORMULA_PARAMETERS[name], case.args, strict=False))
    parameters.update(case.kwargs)
    return parameters


def formula_call(name: str, case: FormulaCase, t: str | int = "t") -> str:
    """The call of step `t` as a message writes it: `step_decay(3, 1.05, 5, 0.5)`."""
    parts = [str(t), *map(repr, case.args), *(f"{k}={v!r}" for k, v in case.kwargs.items())]
    return f"{name}({', '.join(parts)})"


def diagnose_formula(name: str, student: np.ndarray, parameters: dict[str, Any]) -> str | None:
    """The explanation of the first formula mistake whose values equal the student's."""
    expected = formula_reference(name, parameters)[0].values(student.size)
    return mistakes.diagnose_formula(name, student, expected, parameters)


def _student_values(function: Any, name: str, case: FormulaCase) -> np.ndarray:
    values = []
    for t in range(case.n):
        result = call_student(function, name, t, *case.args, **case.kwargs)
        values.append(to_float(result, f"The result of {formula_call(name, case, t)}"))
    return np.asarray(values, dtype=float)


def _decide_formula_case(name: str, case: FormulaCase, student: np.ndarray) -> None:
    """The student's values of one call pattern against torch's scheduler, the mistake named."""
    parameters = formula_parameters(name, case)
    reference, torch_text = formula_reference(name, parameters)
    expected = reference.values(case.n)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    assert mismatch.index is not None
    assert mismatch.student is not None and mismatch.expected is not None
    diagnosis = diagnose_formula(name, student, parameters)
    sentence = (f"{formula_call(name, case, mismatch.index)} is "
                f"{describe_number(mismatch.student)}; torch's {torch_text} from lr "
                f"{parameters['base_lr']} gives {describe_number(mismatch.expected)}.")
    raise CheckFailed.with_diagnosis(sentence, diagnosis)


def check_formula(function: Any, name: str, hidden: bool) -> None:
    """The visible call patterns of a schedule function, or this student's drawn ones: every
    step asked first, then compared with torch's scheduler (the judge's part while grading)."""
    require_own_function(function, name)
    pool = f"ps02.{name}"
    run_asking_cases(lambda case: _student_values(function, name, case),
                     lambda case, student: _decide_formula_case(name, case, student), hidden,
                     pool, FORMULA_CASES[name], FORMULA_ADVICE[name],
                     lambda params: _formula_case(name, params, pool))


@judged
def check_step_decay(step_decay: Any, hidden: bool = False) -> None:
    """step_decay(t, base_lr, step_size, gamma) = base_lr·gamma^⌊t/step_size⌋ (StepLR)."""
    check_formula(step_decay, "step_decay", hidden)
    passed("step_decay equals torch's StepLR" + (" on unseen parameters." if hidden else "."))


@judged
def check_exponential_decay(exponential_decay: Any, hidden: bool = False) -> None:
    """exponential_decay(t, base_lr, gamma) = base_lr·gamma^t (ExponentialLR)."""
    check_formula(exponential_decay, "exponential_decay", hidden)
    passed("exponential_decay equals torch's ExponentialLR"
           + (" on unseen parameters." if hidden else "."))


@judged
def check_cosine_annealing(cosine_annealing: Any, hidden: bool = False) -> None:
    """cosine_annealing(t, base_lr, T_max, eta_min=0.0) equals CosineAnnealingLR, past T_max
    too (where torch's cosine climbs back up)."""
    check_formula(cosine_annealing, "cosine_annealing", hidden)
    passed("cosine_annealing equals torch's CosineAnnealingLR, past T_max too"
           + (", on unseen parameters." if hidden else "."))


@judged
def check_linear_warmup(linear_warmup: Any, hidden: bool = False) -> None:
    """linear_warmup(t, base_lr, warmup_steps, start_factor) equals LinearLR(start_factor,
    end_factor=1, total_iters=warmup_steps)."""
    check_formula(linear_warmup, "linear_warmup", hidden)
    passed("linear_warmup equals torch's LinearLR warmup"
           + (" on unseen parameters." if hidden else "."))
