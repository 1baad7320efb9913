"""ps03 §5: the learning-rate range test itself — exponentially growing lrs, the smoothed
losses of a toy training run, and the stop at divergence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import Shown, call_student, format_call, require_own_function
from lrchecks.diagnosis.batch_size import RANGE_TEST, matches_record
from lrchecks.diagnosis.mistake import by_name
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, first_mismatch, to_float_array
from lrcore import range_test

__all__ = ["RANGE_CASES_VISIBLE", "check_lr_range_test"]


class _CountingStep:
    """A toy training run (`noisy_quadratic_step`) that counts its calls; repr: its settings."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self._step = range_test.noisy_quadratic_step(**settings)
        self.calls = 0

    def __call__(self, lr: float) -> float:
        self.calls += 1
        return self._step(float(lr))

    def fresh(self) -> Callable[[float], float]:
        return range_test.noisy_quadratic_step(**self.settings)

    def evidence_state(self) -> int:
        """What the student's code changed: the number of calls (`checks.evidence`)."""
        return self.calls

    def restore_evidence_state(self, calls: int) -> None:
        self.calls = int(calls)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"train_step (a toy run: noisy_quadratic_step({inner}))"


# (toy settings, range-test keyword arguments)
RANGE_CASES_VISIBLE: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
    ({"a": 1.0, "w0": 3.0, "seed": 0}, {}),
)
RANGE_ADVICE = ("the record differs from the range test's: exponentially spaced lrs, the debiased "
                "moving average of the losses train_step returns, and a stop at the first "
                "smoothed loss above diverge_factor × the best so far, with the settings given.")
STOP_RULE = ("the first step whose smoothed loss exceeds diverge_factor × the best smoothed "
             "loss so far")
STOPPING_STEP_LEFT_OUT = by_name(RANGE_TEST)["stopping_step_left_out"]


def _read_range(params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Hidden params {"toy": noisy_quadratic_step's settings, "options": lr_range_test's
    keyword arguments}."""
    return dict(params["toy"]), dict(params["options"])


def _pair(result: Any, call: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (lrs, smoothed_losses), got "
                          f"{type(result).__name__}.",
                          diagnosis="the result should be a pair (lrs, smoothed_losses).")
    lrs = to_float_array(result[0], f"The lrs of {call}").reshape(-1)
    smoothed = to_float_array(result[1], f"The smoothed losses of {call}").reshape(-1)
    if lrs.size != smoothed.size:
        raise CheckFailed(f"{call} returned {lrs.size} lrs but {smoothed.size} smoothed losses; "
                          "record one of each per step.",
                          diagnosis="the numbers of lrs and of smoothed losses differ: record "
                          "one of each per step.")
    return lrs, smoothed


RangeCase = tuple[dict[str, Any], dict[str, Any]]
RangeAnswer = tuple[_CountingStep, np.ndarray, np.ndarray]


def _range_call(options: dict[str, Any]) -> str:
    return format_call("lr_range_test", (Shown("train_step"),), options)


def _ask_range(lr_range_test: Any, case: RangeCase) -> RangeAnswer:
    """The student's range test of one case: the toy run it was given (which counted its
    calls), and the (lrs, smoothed) it recorded."""
    toy, options = case
    step = _CountingStep(**toy)
    call = _range_call(options)
    result = call_student(lr_range_test, "lr_range_test", step, **options)
    lrs, smoothed = _pair(result, call)
    return step, lrs, smoothed


def _decide_range(case: RangeCase, answer: RangeAnswer) -> None:
    """The student's record of one case against lrcore's range test, the mistake named."""
    _, options = case
    step, lrs, smoothed = answer
    call = _range_call(options)
    reference = range_test.lr_range_test(step.fresh(), **options)
    ref_lrs, ref_smoothed = np.asarray(reference.lrs), np.asarray(reference.smoothed)
    taken = ref_lrs.size
    recorded_all = matches_record(lrs, smoothed, ref_lrs, ref_smoothed)
    if recorded_all and step.calls == taken:
        return
    if reference.diverged and matches_record(lrs, smoothed, ref_lrs[:-1], ref_smoothed[:-1]):
        fix = STOPPING_STEP_LEFT_OUT.explanation
        raise CheckFailed(f"{call} recorded {lrs.size} steps, not {taken}. {fix}", diagnosis=fix)
    if recorded_all:
        raise CheckFailed(f"{call} called train_step {step.calls} times; it should take "
                          f"exactly the {taken} steps it records"
                          + (" and stop right after the step that diverged."
                             if step.calls > taken else "."),
                          diagnosis="train_step was called "
                          + ("more often than the steps recorded: stop right after the step "
                             "that diverged." if step.calls > taken else
                             "fewer times than the steps recorded: one call per step."))
    message, diagnosis = _range_test_message(call, step, lrs, smoothed, options, reference)
    raise CheckFailed(message, diagnosis=diagnosis)


@judged
def check_lr_range_test(lr_range_test: Any, hidden: bool = False) -> None:
    """(lrs, smoothed) of the steps taken, stopping at the first smoothed loss above
    diverge_factor × the best; the step the test stops on is recorded (as the task says)."""
    require_own_function(lr_range_test, "lr_range_test")
    run_asking_cases(lambda case: _ask_range(lr_range_test, case), _decide_range, hidden,
                     "ps03.lr_range_test", RANGE_CASES_VISIBLE, RANGE_ADVICE, _read_range)
    passed("lr_range_test sweeps the lrs, smooths the loss and stops on divergence"
           + (" (unseen runs and settings too)." if hidden else "."))


def _range_test_message(call: str, step: _CountingStep, lrs: np.ndarray, smoothed: np.ndarray,
                        options: dict[str, Any], reference: Any) -> tuple[str, str]:
    """What is wrong with a range test's record: the message, and its diagnosis (the same
    without the case's values)."""
    settings = {"start_lr": range_test.START_LR, "end_lr": range_test.END_LR,
                "num_iters": range_test.NUM_ITERS, "beta": range_test.BETA,
                "diverge_factor": range_test.DIVERGE_FACTOR} | options
    for mistake in RANGE_TEST:
        if mistake.fits(lrs, smoothed, step.fresh(), settings):
            return f"{call} is not right. {mistake.explanation}", mistake.explanation
    taken = reference.lrs.size
    common = min(lrs.size, taken)
    lr_mismatch = first_mismatch(lrs[:common], np.asarray(reference.lrs)[:common])
    if lr_mismatch is not None:
        assert lr_mismatch.student is not None and lr_mismatch.expected is not None
        return (f"{call}: the lr of step {lr_mismatch.index} is "
                f"{describe_number(lr_mismatch.student)}, it should be "
                f"{describe_number(lr_mismatch.expected)} (exponentially spaced lrs).",
                "the lrs differ from start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)) "
                "with the settings given.")
    loss_mismatch = first_mismatch(smoothed[:common], np.asarray(reference.smoothed)[:common])
    if loss_mismatch is not None:
        assert loss_mismatch.student is not None and loss_mismatch.expected is not None
        return (f"{call}: the smoothed loss of step {loss_mismatch.index} is "
                f"{describe_number(loss_mismatch.student)}, it should be "
                f"{describe_number(loss_mismatch.expected)} (the debiased moving average of "
                "the losses train_step returned).",
                "the smoothed losses differ from the debiased moving average of the losses "
                "train_step returned, with the β given.")
    if lrs.size < taken - (1 if reference.diverged else 0):
        return (f"{call} stopped after {lrs.size} steps, too early: the smoothed loss first "
                f"exceeds diverge_factor × its best at step {taken - 1}.",
                f"the test stops too early: stop at {STOP_RULE}.")
    return (f"{call} recorded {lrs.size} steps; it should stop after {taken}: at the first "
            "step whose smoothed loss exceeds diverge_factor × the best smoothed loss so far.",
            f"the test does not stop where it should: stop at {STOP_RULE}.")
