"""ps03 §2–3: the two scaling rules (linear, square root) and gradual warmup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lrchecks.asking import asked, run_asking_cases
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.diagnosis.batch_size import (
    LINEAR_SCALING,
    NO_WARMUP_DIVISION,
    SQRT_SCALING,
    WARMUP,
    AnswersMistake,
    matches_crash,
)
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.evidence import judged
from lrchecks.hidden import visible_or_drawn, within
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, numbers_close, to_float
from lrcore import batch_size

__all__ = ["LINEAR_CASES_VISIBLE", "SQRT_CASES_VISIBLE", "WARMUP_CASES_VISIBLE",
           "check_linear_scaled_lr", "check_sqrt_scaled_lr", "check_warmup_lr"]

# (base_lr, batch_size, base_batch_size or None for the default 256)
LINEAR_CASES_VISIBLE = ((0.1, 256, None), (0.1, 1024, None), (0.1, 64, None), (0.05, 64, 16))
SQRT_CASES_VISIBLE = ((0.1, 256, None), (0.1, 1024, None), (0.1, 64, None), (0.05, 64, 16))
LINEAR_ADVICE = ("the lr differs from the linear rule, base_lr · batch_size / base_batch_size "
                 "(base_batch_size is 256 only by default).")
SQRT_ADVICE = ("the lr differs from the square-root rule, base_lr · √(batch_size / "
               "base_batch_size) (base_batch_size is 256 only by default).")


@dataclass(frozen=True)
class _Rule:
    """A scaling rule as the notebook asks for it: the function's name, its visible cases (its
    hidden ones are the pool `ps03.<name>`), lrcore's rule, its modelled mistakes and its words."""

    name: str
    visible: tuple[tuple[float, int, int | None], ...]
    reference: Callable[..., float]
    mistakes: Sequence[AnswersMistake]
    formula: str
    advice: str
    follows: str


LINEAR_RULE = _Rule("linear_scaled_lr", LINEAR_CASES_VISIBLE, batch_size.linear_scaled_lr,
                    LINEAR_SCALING, "base_lr · batch_size / base_batch_size", LINEAR_ADVICE,
                    "the linear scaling rule")
SQRT_RULE = _Rule("sqrt_scaled_lr", SQRT_CASES_VISIBLE, batch_size.sqrt_scaled_lr,
                  SQRT_SCALING, "base_lr · √(batch_size / base_batch_size)", SQRT_ADVICE,
                  "the square-root scaling rule")


def _read_scaling(params: Any) -> tuple[float, int, int | None]:
    """Hidden params [base_lr, batch_size, base_batch_size or None for the default 256]."""
    base_lr, batch, base_batch = params
    return base_lr, batch, base_batch


def _wrong_answer(answers: Sequence[float], expected: Sequence[float]) -> int | None:
    """The first answer that differs from the expected one, or None."""
    wrong = [i for i, (r, e) in enumerate(zip(answers, expected, strict=True))
             if not numbers_close(r, e)]
    return wrong[0] if wrong else None


def _check_scaling(function: Any, rule: _Rule, hidden: bool) -> None:
    """Ask for every case (the first failure of the student's code stops the check, before any
    answer is judged), then name the first wrong one; a mistake is named when one model explains
    every answer."""
    name, advice = rule.name, rule.advice
    cases = visible_or_drawn(hidden, f"ps03.{name}", rule.visible, _read_scaling)
    require_own_function(function, name)
    calls, results, questions = [], [], []
    for case, (base_lr, batch, base_batch) in cases:
        kwargs = {} if base_batch is None else {"base_batch_size": base_batch}
        call = format_call(name, (base_lr, batch), kwargs)
        with within(case, advice):
            result = call_student(function, name, base_lr, batch, **kwargs)
            results.append(to_float(result, f"The result of {call}"))
        calls.append(call)
        questions.append((base_lr, batch, kwargs))
    asked()
    expected = [rule.reference(base_lr, batch, **kwargs) for base_lr, batch, kwargs in questions]
    first = _wrong_answer(results, expected)
    if first is not None:
        with within(cases[first][0], advice):
            raise_first_fitting(rule.mistakes, lambda mistake: mistake.fits(
                results, [mistake.model(lr, b, 256 if b0 is None else b0)
                          for _, (lr, b, b0) in cases]),
                f"{calls[first]} returned {describe_number(results[first])}, not "
                f"{describe_number(expected[first])}.")
            raise CheckFailed(f"{calls[first]} returned {describe_number(results[first])}; it "
                              f"should be {describe_number(expected[first])} ({rule.formula}).")
    passed(f"{name} follows {rule.follows}" + (" on unseen lrs and batch sizes." if hidden
                                               else "."))


@judged
def check_linear_scaled_lr(linear_scaled_lr: Any, hidden: bool = False) -> None:
    """lr = base_lr · batch_size / base_batch_size, with base_batch_size = 256 by default."""
    _check_scaling(linear_scaled_lr, LINEAR_RULE, hidden)


@judged
def check_sqrt_scaled_lr(sqrt_scaled_lr: Any, hidden: bool = False) -> None:
    """lr = base_lr · √(batch_size / base_batch_size), with base_batch_size = 256 by default."""
    _check_scaling(sqrt_scaled_lr, SQRT_RULE, hidden)


# --- gradual warmup -------------------------------------------------------------------------

# (target_lr, warmup_steps, steps): a warmup, a one-step warmup, and no warmup (the task's case
# warmup_steps = 0)
WARMUP_CASES_VISIBLE = ((0.4, 4, tuple(range(8))), (0.1, 1, (0, 1, 2)), (0.5, 0, (0, 1, 2)))
WARMUP_ADVICE = ("the lr differs from the warmup's: step t < k uses target · (t + 1) / k, every "
                 "later step the target, and warmup_steps = 0 means no warmup at all.")


def _read_warmup(params: Any) -> tuple[float, int, tuple[int, ...]]:
    """Hidden params [target_lr, warmup_steps, [steps asked, in the order asked]]."""
    target, k, steps = params
    return target, k, tuple(steps)


def _warmup_call(warmup_lr: Any, t: int, target: float, k: int) -> Any:
    try:
        return call_student(warmup_lr, "warmup_lr", t, target, k)
    except CheckFailed as failure:
        if matches_crash(failure.message, k):
            fix = NO_WARMUP_DIVISION.explanation
            raise CheckFailed(f"{failure.message} {fix}",
                              diagnosis=f"your function raised ZeroDivisionError. {fix}"
                              ) from None
        raise


def _ask_warmup(warmup_lr: Any, case: tuple[float, int, Sequence[int]]) -> list[float]:
    """The student's lr at each step of one case, in the order asked (the first failure of
    the student's code stops the case)."""
    target, k, steps = case
    results = []
    for t in steps:
        call = format_call("warmup_lr", (t, target, k), {})
        results.append(to_float(_warmup_call(warmup_lr, t, target, k), f"The result of {call}"))
    return results


def _decide_warmup(case: tuple[float, int, Sequence[int]], results: list[float]) -> None:
    """The student's lrs of one case against lrcore's warmup, the mistake named."""
    target, k, steps = case
    calls = [format_call("warmup_lr", (t, target, k), {}) for t in steps]
    expected = [batch_size.gradual_warmup_lr(t, target, k) for t in steps]
    first = _wrong_answer(results, expected)
    if first is None:
        return
    sentence = (f"{calls[first]} returned {describe_number(results[first])}; it should be "
                f"{describe_number(expected[first])}.")
    raise_first_fitting(WARMUP, lambda mistake: mistake.fits(
        results, [mistake.model(t, target, k) for t in steps]), sentence)
    raise CheckFailed(f"{sentence} Step t < k uses target · (t + 1) / k, later steps the "
                      "target.")


@judged
def check_warmup_lr(warmup_lr: Any, hidden: bool = False) -> None:
    """warmup_lr(step, target_lr, warmup_steps) = target · min(1, (step + 1) / warmup_steps)."""
    require_own_function(warmup_lr, "warmup_lr")
    run_asking_cases(lambda case: _ask_warmup(warmup_lr, case), _decide_warmup, hidden,
                     "ps03.warmup_lr", WARMUP_CASES_VISIBLE, WARMUP_ADVICE, _read_warmup)
    passed("warmup_lr ramps up from target/k to the target over k steps"
           + (", also for unseen targets, lengths and k = 0 or 1." if hidden else "."))
