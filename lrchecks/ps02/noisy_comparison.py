"""ps02 §6: schedules compared where the comparison means something — on x² with a noisy
gradient, averaged over many runs, against a constant-lr control that is tuned too: the mean
loss curve of many noisy runs, the sweep of constant learning rates, and the figure."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import run_asking_cases
from lrchecks.calls import Shown, call_student, format_call, require_own_function
from lrchecks.diagnosis.noisy import LOSS_CURVES, diagnose_loss_curve
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import ExpectedLine, check_lines, iteration_variants
from lrchecks.report import CheckFailed, passed
from lrchecks.scheduler_cases import SchedulerCase
from lrchecks.values import (
    describe_number,
    numbers_close,
    read_only,
    result_mismatch,
    to_float,
    wrong_value_sentence,
)
from lrcore import noisy_gradient

__all__ = ["COMPARE_LR", "COMPARE_X0", "COMPARE_STD", "COMPARE_SEED", "COMPARE_ITERATIONS",
           "COMPARE_RUNS", "CONSTANT_LRS", "COMPARED_SCHEDULERS", "COMPARE_NAMES",
           "CURVE_CASES_VISIBLE", "CURVE_ADVICE", "compare_noise", "constant_final_losses",
           "check_noisy_loss_curve", "check_constant_sweep", "check_compare_figure"]

COMPARE_LR = 0.4
COMPARE_X0 = 10.0
COMPARE_STD = 1.0
COMPARE_SEED = 0
COMPARE_ITERATIONS = 100
COMPARE_RUNS = 500
CONSTANT_LRS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.4)
"""The constant learning rates the control is tuned over."""
COMPARED_SCHEDULERS: dict[str, SchedulerCase] = {
    "step": SchedulerCase.of("StepLR", step_size=25, gamma=0.5),
    "exponential": SchedulerCase.of("ExponentialLR", gamma=0.95),
    "cosine": SchedulerCase.of("CosineAnnealingLR", T_max=100),
    "short cosine": SchedulerCase.of("CosineAnnealingLR", T_max=50),
}
"""The schedules of fig_compare, all from COMPARE_LR (the notebook builds them with the
student's step_decay, exponential_decay and cosine_annealing)."""
COMPARE_NAMES: dict[str, tuple[str, ...]] = {
    "constant": ("constant",),
    "best constant": ("best",),
    "step": ("step",),
    "exponential": ("exponential", "exp"),
    "cosine": ("cosine",),
    "short cosine": ("short", "50"),
}
"""What a legend label may call each run of fig_compare."""

Case = tuple[list[float], float, list[list[float]]]
"""(lrs, x0, noise with one row per step and one column per run)."""
CURVE_CASES_VISIBLE: tuple[Case, ...] = (
    ([0.4, 0.2, 0.1], 10.0, [[1.0, -1.0], [0.5, 0.0], [-2.0, 1.5]]),
    ([0.3, 0.3, 0.3, 0.3], 4, [[0.2, -0.6, 1.1], [-1.4, 0.3, 0.0], [0.9, 0.9, -0.5],
                               [0.0, -0.2, 0.7]]),
)
"""A decaying lr on two runs; a constant lr on three runs from an integer x0."""
CURVE_ADVICE = ("the curve differs from the mean loss of the noisy runs: run every column of "
                "noise with x ← x − lr_t·(2x + noise_t) and average x² over the runs after "
                "each step.")


def _noise_text(noise: np.ndarray) -> Shown:
    return Shown(f"<noise of {noise.shape[0]} steps × {noise.shape[1]} runs>")


def _curve_call(lrs: list[float], x0: float, kicks: np.ndarray) -> str:
    return format_call("noisy_loss_curve", (lrs, x0, _noise_text(kicks)), {})


def _ask_curve(noisy_loss_curve: Any, case: Case) -> Any:
    """The student's curve of one case; its failure shows the noise by its shape only."""
    lrs, x0, noise = case
    kicks = np.asarray(noise, dtype=np.float64)
    try:
        return call_student(noisy_loss_curve, "noisy_loss_curve", list(lrs), x0, kicks.copy())
    except CheckFailed as failure:
        plain = format_call("noisy_loss_curve", (list(lrs), x0, kicks), {})
        raise CheckFailed(failure.message.replace(plain, _curve_call(lrs, x0, kicks), 1),
                          diagnosis=failure.diagnosis) from None


def _decide_curve(case: Case, result: Any) -> None:
    """The student's curve of one case against lrcore's mean loss, the mistake named."""
    lrs, x0, noise = case
    kicks = np.asarray(noise, dtype=np.float64)
    call = _curve_call(lrs, x0, kicks)
    found = result_mismatch(
        result, noisy_gradient.mean_loss_curve(lrs, x0, kicks), call,
        lambda student: CheckFailed(f"{call} returned {student.size} values; it should return "
                                    f"one mean loss per step ({kicks.shape[0]}), averaged over "
                                    "the runs.", diagnosis="the result should hold one mean "
                                    "loss per step, averaged over the runs."))
    if found is None:
        return
    student, mismatch = found
    assert mismatch.index is not None
    sentence = wrong_value_sentence(call, f"the mean loss after step {mismatch.index + 1}",
                                    mismatch)
    raise CheckFailed.with_diagnosis(sentence, diagnose_loss_curve(student, lrs, x0, kicks))


@judged
def check_noisy_loss_curve(noisy_loss_curve: Any, hidden: bool = False) -> None:
    """The mean of x² over the runs after each step of noisy gradient descent on x²."""
    require_own_function(noisy_loss_curve, "noisy_loss_curve")
    run_asking_cases(lambda case: _ask_curve(noisy_loss_curve, case), _decide_curve, hidden,
                     "ps02.noisy_loss_curve", CURVE_CASES_VISIBLE, CURVE_ADVICE)
    passed("noisy_loss_curve is right" + (" on unseen runs and schedules." if hidden else "."))


# --- the runs of the comparison -------------------------------------------------------------------

@cache
def compare_noise() -> np.ndarray:
    """The notebook's noise: COMPARE_STD·N(0, 1) from default_rng(COMPARE_SEED), one row per
    step and one column per run (read-only)."""
    return read_only(noisy_gradient.gradient_noise(COMPARE_ITERATIONS, COMPARE_RUNS,
                                                   COMPARE_STD, COMPARE_SEED))


@cache
def _curve(lrs: tuple[float, ...]) -> np.ndarray:
    return read_only(noisy_gradient.mean_loss_curve(np.asarray(lrs), COMPARE_X0,
                                                    compare_noise()))


def _constant(lr: float) -> tuple[float, ...]:
    return (lr,) * COMPARE_ITERATIONS


def constant_final_losses() -> dict[float, float]:
    """The mean final loss of every constant lr of CONSTANT_LRS."""
    return {lr: float(_curve(_constant(lr))[-1]) for lr in CONSTANT_LRS}


def best_constant_lr() -> float:
    losses = constant_final_losses()
    return min(losses, key=losses.__getitem__)


def compared_lrs() -> dict[str, tuple[float, ...]]:
    """Every run of fig_compare: its name → its learning rates."""
    runs = {"constant": _constant(COMPARE_LR), "best constant": _constant(best_constant_lr())}
    for name, case in COMPARED_SCHEDULERS.items():
        runs[name] = tuple(float(v) for v in case.schedule(COMPARE_LR).values(COMPARE_ITERATIONS))
    return runs


def _final_loss_entry(final_losses: Any, lr: float) -> float:
    for key, value in final_losses.items():
        try:
            if numbers_close(to_float(key, "a key of final_losses"), lr, rtol=1e-12):
                return to_float(value, f"final_losses[{lr}]")
        except CheckFailed:
            continue
    raise CheckFailed(f"final_losses has no entry for lr = {lr}: it needs one for every lr of "
                      "CONSTANT_LRS.", diagnosis="final_losses needs one entry per lr of "
                      "CONSTANT_LRS.")


@judged
def check_constant_sweep(final_losses: Any, best_constant_lr_found: Any) -> None:
    """final_losses: lr → the mean loss after the last step, for every lr of CONSTANT_LRS; and
    the lr with the lowest of them."""
    if not isinstance(final_losses, dict):
        raise CheckFailed("final_losses should be a dict {lr: mean loss after the last step}, "
                          f"not a {type(final_losses).__name__}.")
    asked()  # plain values, no call of the student's code: the judge computes the sweep
    expected = constant_final_losses()
    for lr, loss in expected.items():
        found = _final_loss_entry(final_losses, lr)
        if not numbers_close(found, loss):
            curve = _curve(_constant(lr))
            hint = (" That is the mean loss before the last step: take the last value of the "
                    "curve." if numbers_close(found, float(curve[-2])) else
                    " Use noisy_loss_curve(...)[-1] with compare_noise.")
            raise CheckFailed(f"final_losses[{lr}] is {describe_number(found)}; the mean loss "
                              f"after the last step is {describe_number(loss)}.{hint}")
    best = to_float(best_constant_lr_found, "best_constant_lr")
    if not numbers_close(best, best_constant_lr(), rtol=1e-12):
        raise CheckFailed(f"best_constant_lr is {describe_number(best)}, but the lowest final "
                          f"loss belongs to another lr of CONSTANT_LRS: take the lr whose "
                          "final_losses value is smallest (min(final_losses, "
                          "key=final_losses.get)).")
    passed(f"final_losses is right, and the best constant lr is {best_constant_lr():g}.")


def _mistakes(lrs: tuple[float, ...]) -> dict[str, np.ndarray]:
    return {mistake.explanation: mistake.model(lrs, COMPARE_X0, compare_noise(), 1.0)
            for mistake in LOSS_CURVES}


@judged
def check_compare_figure(fig_compare: Any) -> None:
    """Two panels: the mean loss (log) and the lr against the step, one labelled line per run
    of the comparison (the two constant controls and the four schedules)."""
    left, right = plots.two_panels(fig_compare, "fig_compare")
    plots.check_labelled_panels(((left, "the left panel of fig_compare"),
                                 (right, "the right panel of fig_compare")),
                                ("step", "iteration"))
    plots.check_log_scale(left, "y", "the left panel of fig_compare (the mean loss)")
    asked()  # no call of the student's code: the runs are computed and compared by the judge
    losses, rates = [], []
    for name, lrs in compared_lrs().items():
        curve = _curve(lrs)

        def mistakes(lrs: tuple[float, ...] = lrs) -> dict[str, np.ndarray]:
            return _mistakes(lrs)

        losses.append(ExpectedLine(name, iteration_variants(curve, COMPARE_X0**2),
                                   mistakes=mistakes, aliases=COMPARE_NAMES[name]))
        rates.append(ExpectedLine(name, iteration_variants(np.asarray(lrs)),
                                  aliases=COMPARE_NAMES[name]))
    check_lines(left, losses, "The left panel of fig_compare", require_legend=False,
                plotted="noisy_loss_curve")
    check_lines(right, rates, "The right panel of fig_compare", require_legend=False,
                plotted="the schedule")
    passed("fig_compare shows the mean loss and the lr of the two constant controls and the "
           "four schedules.")
