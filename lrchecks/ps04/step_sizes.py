"""ps04 §4: step sizes that count visits — α_n = α and α_n = 1/n^ω."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from lrchecks.asking import Answer, run_asking_cases
from lrchecks.calls import describe_argument, require_own_function
from lrchecks.diagnosis.rl import STEP_SIZE
from lrchecks.evidence import judged
from lrchecks.ps04.lakes import STEP_SIZE_RTOL, call, step_size
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, to_float
from lrcore import rl

__all__ = ["STEP_SIZE_ADVICE", "COUNT_TYPES", "check_step_sizes"]

STEP_SIZE_ADVICE = ("α_n = α for a constant step size and 1/n^ω for a polynomial one, for "
                    "every kind of count n (int, float, numpy number), from a function that "
                    "computes it.")
COUNT_TYPES: dict[str, Callable[[Any], Any]] = {
    "int": int, "float": float, "numpy.int64": np.int64, "numpy.float64": np.float64}
"""The kinds of count a hidden step-size case passes: params "counts" = [[kind, n], …]."""


def _hint(value: float, expected: rl.StepSize, n: Any) -> str:
    """The sentence of the modelled mistake a wrong polynomial α_n is (with a leading space),
    or nothing."""
    if not expected.omega:
        return ""
    for mistake in STEP_SIZE:
        if np.isclose(value, mistake.model(expected, float(n)), rtol=STEP_SIZE_RTOL):
            return f" {mistake.explanation}"
    return ""


ScheduleCase = tuple[Any, str, float, rl.StepSize, Sequence[Any]]
"""(the student's factory, its name, α or ω, lrcore's schedule, the counts n to ask α_n of)."""


def _ask_schedule(case: ScheduleCase) -> list[Answer[float]]:
    """The student's α_n of each count, each kept as an `Answer` (a later count's failure must
    not come before an earlier count's wrong value); a factory that gives no function of the
    count fails here."""
    factory, name, parameter, _, counts = case
    shown = f"{name}({parameter:g})"
    alpha_at = call(factory, name, shown, parameter)
    if not callable(alpha_at):
        raise CheckFailed(f"{shown} returned {describe_argument(alpha_at)}; it should "
                          "return a function of the visit count n (e.g. `return lambda n: …`).",
                          diagnosis=f"{name} should return a function of the visit count n "
                          "(e.g. `return lambda n: …`).")
    # lrcore's own schedule is no answer (it would be judged as data, i.e. computed correctly)
    require_own_function(alpha_at, f"The result of {shown}")
    return [Answer.of(partial(_ask_alpha, alpha_at, shown, n)) for n in counts]


def _ask_alpha(alpha_at: Any, shown: str, n: Any) -> float:
    """The student's α_n of one count n, as a float."""
    return to_float(call(alpha_at, "alpha_at", f"{shown}({n!r})", n), f"{shown}({n!r})")


def _decide_schedule(case: ScheduleCase, answers: list[Answer[float]]) -> None:
    """The student's α_n of each count against lrcore's, in order, its mistake named."""
    _, name, parameter, expected, counts = case
    shown = f"{name}({parameter:g})"
    for n, answer in zip(counts, answers, strict=True):
        value = answer.get()
        reference = float(expected(n))
        if np.isclose(value, reference, rtol=STEP_SIZE_RTOL, atol=0):
            continue
        hint = _hint(value, expected, n)
        rule = "α_n = 1/n^ω" if expected.omega else "α_n = α"
        raise CheckFailed(f"{shown}({n!r}) is {describe_number(value)}, it should be "
                          f"{describe_number(reference)}.{hint}",
                          diagnosis=f"{name} gives a wrong α_n.{hint}" if hint else
                          f"{name} gives a wrong α_n: {rule} for every kind of count n (int, "
                          "float, numpy number).")


@judged
def check_step_sizes(constant_step_size: Any, polynomial_step_size: Any,
                     hidden: bool = False) -> None:
    """α_n of the constant and polynomial schedules for n = 1, 2, … (visible: ints; hidden:
    the drawn α and ω, with ints, floats and numpy counts — pool "ps04.step_sizes")."""
    require_own_function(constant_step_size, "constant_step_size")
    require_own_function(polynomial_step_size, "polynomial_step_size")
    factories = {"constant": (constant_step_size, "constant_step_size"),
                 "polynomial": (polynomial_step_size, "polynomial_step_size")}
    counts = list(range(1, 11)) + [100, 1000]
    visible: list[ScheduleCase] = [
        (constant_step_size, "constant_step_size", 0.1, rl.constant_step_size(0.1), counts),
        *((polynomial_step_size, "polynomial_step_size", omega, rl.polynomial_step_size(omega),
           counts) for omega in (1.0, 0.6))]

    def read(params: dict[str, Any]) -> ScheduleCase:
        kind, parameter = params["schedule"]
        factory, name = factories[kind]
        return (factory, name, float(parameter), step_size([kind, parameter]),
                [COUNT_TYPES[type_](n) for type_, n in params["counts"]])

    run_asking_cases(_ask_schedule, _decide_schedule, hidden, "ps04.step_sizes", visible,
                     STEP_SIZE_ADVICE, read)
    passed("The step sizes are right" + (" for unseen α, ω and kinds of count." if hidden
                                         else ": α_n = α and α_n = 1/n^ω."))
