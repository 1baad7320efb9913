"""ps01 §6: a noisy gradient — gradient descent with noise, and the figure of its noise floor
(constant learning rates against a decaying one). The checks ask the student's code (or read
the figure) first and then decide (`lrchecks.asking`): while grading, the judge alone computes
the references."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import run_asking_cases
from lrchecks.calls import Shown, call_student, format_call, require_own_function
from lrchecks.diagnosis.noisy import LOSS_CURVES, diagnose_noisy_run
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import ExpectedLine, check_lines, iteration_variants
from lrchecks.report import CheckFailed, passed
from lrchecks.values import read_only, result_mismatch, wrong_value_sentence
from lrcore import noisy_gradient

__all__ = ["NOISY_X0", "NOISE_STD", "NOISE_SEED", "NOISY_ITERATIONS", "NOISY_RUNS",
           "NOISY_LRS", "DECAY_LR0", "DECAY_TAU", "DECAYING_ALIASES", "NOISY_CASES_VISIBLE",
           "NOISY_ADVICE", "check_noisy_descent", "check_noise_figure"]

NOISY_X0 = 10.0
NOISE_STD = 1.0
NOISE_SEED = 0
NOISY_ITERATIONS = 1000
NOISY_RUNS = 200
NOISY_LRS: tuple[float, ...] = (0.1, 0.01, 0.001)
"""The constant learning rates of fig_noise (given to the students in the notebook)."""
DECAY_LR0 = 0.1
DECAY_TAU = 10.0
"""The decaying run of fig_noise: lr_t = DECAY_LR0 / (1 + t / DECAY_TAU)."""
DECAYING_ALIASES = ("decaying", "decay", "decreasing", "1/t", "robbins")
"""What a legend label may call the decaying run."""
FIGURE_RTOL = 1e-3
"""The tolerance of fig_noise's curves: a float32 run of 1000 steps that barely contracts
(lr = 0.001) drifts from the float64 reference by rounding the factor 1 − 2a·lr at every step
(up to about 1e-4); every modelled mistake is orders of magnitude farther off."""

Case = tuple[list[float], float, Any, float]
"""(lrs, x0, noise, a)."""

NOISY_CASES_VISIBLE: tuple[Case, ...] = (
    ([0.1, 0.1, 0.1, 0.1, 0.1], 10.0, [0.5, -1.0, 0.0, 2.0, -0.5], 1.0),
    ([0.2, 0.1, 0.05, 0.025], 3,
     [[0.3, -0.2, 1.0], [0.0, 0.5, -1.0], [1.5, 0.1, 0.2], [-0.4, 0.8, 0.0]], 1.0),
    ([0.3, 0.3, 0.3], -2.0, [1.0, 1.0, -1.0], 0.5),
)
"""One run with a constant lr; three runs at once with a decaying lr from an integer x0; a
flatter parabola (a ≠ 1)."""
NOISY_ADVICE = ("the values differ from noisy gradient descent's: each step is "
                "x ← x − lr_t·(2a·x + noise_t), recorded after the update, one row per step "
                "(and one column per run when noise has one).")


SEVERAL_RUNS = ("With noise of several runs (one column each), start from x = x0 and update x "
                "with numpy arithmetic, so that x becomes one value per run.")


def _noise_text(noise: np.ndarray) -> Shown:
    """The noise as a message writes it: its values for one short run, its shape for several."""
    if noise.ndim == 1:
        return Shown(repr(noise.tolist()))
    return Shown(f"<noise of {noise.shape[0]} steps × {noise.shape[1]} runs>")


def _call_noisy_descent(noisy_descent: Any, call: str, lrs: list[float], x0: float,
                        noise: np.ndarray, kwargs: dict[str, Any]) -> Any:
    """The student's answer; a failure names the call as `call` (never an array's repr) and,
    for several runs, how to keep one x per run."""
    try:
        return call_student(noisy_descent, "noisy_descent", list(lrs), x0, noise.copy(),
                            **kwargs)
    except CheckFailed as failure:
        plain = format_call("noisy_descent", (list(lrs), x0, noise), kwargs)
        message = failure.message.replace(plain, call, 1)
        diagnosis = failure.diagnosis
        if noise.ndim == 2:
            message += f" {SEVERAL_RUNS}"
            diagnosis = f"{diagnosis} {SEVERAL_RUNS}" if diagnosis else SEVERAL_RUNS
        raise CheckFailed(message, diagnosis=diagnosis) from None


def _shape_sentence(call: str, noise: np.ndarray) -> str:
    if noise.ndim == 2:
        return (f"{call} should return an array of shape {noise.shape}: one row per step and "
                f"one column per run (noise has {noise.shape[1]} runs).")
    return f"{call} should return one x per step ({noise.shape[0]} values)."


def _noisy_call(lrs: list[float], x0: float, noise: Any, a: float
                ) -> tuple[str, np.ndarray, dict[str, float]]:
    """The call as a message writes it, the noise as float64 kicks, and the keyword arguments
    (a only when it is not 1)."""
    kicks = np.asarray(noise, dtype=np.float64)
    kwargs = {"a": a} if a != 1.0 else {}
    return format_call("noisy_descent", (lrs, x0, _noise_text(kicks)), kwargs), kicks, kwargs


def _ask_noisy(noisy_descent: Any, case: Case) -> Any:
    """The student's run of one case."""
    lrs, x0, noise, a = case
    call, kicks, kwargs = _noisy_call(lrs, x0, noise, a)
    return _call_noisy_descent(noisy_descent, call, lrs, x0, kicks, kwargs)


def _decide_noisy(case: Case, result: Any) -> None:
    """The student's run of one case against lrcore's, the mistake named."""
    lrs, x0, noise, a = case
    call, kicks, _ = _noisy_call(lrs, x0, noise, a)
    found = result_mismatch(
        result, noisy_gradient.noisy_descent(lrs, x0, kicks, a), call,
        lambda student: CheckFailed(_shape_sentence(call, kicks), diagnosis="the result should "
                                    "have one row per step (and one column per run when noise "
                                    "has several)."))
    if found is None:
        return
    student, mismatch = found
    diagnosis = diagnose_noisy_run(student, lrs, x0, kicks, a)
    assert mismatch.index is not None
    row = mismatch.index // (kicks.shape[1] if kicks.ndim == 2 else 1)
    raise CheckFailed.with_diagnosis(wrong_value_sentence(call, f"x after step {row + 1}",
                                                          mismatch), diagnosis)


@judged
def check_noisy_descent(noisy_descent: Any, hidden: bool = False) -> None:
    """x after each step of x ← x − lr_t·(2a·x + ξ_t), for one run and for several at once."""
    require_own_function(noisy_descent, "noisy_descent")
    run_asking_cases(lambda case: _ask_noisy(noisy_descent, case), _decide_noisy, hidden,
                     "ps01.noisy_descent", NOISY_CASES_VISIBLE, NOISY_ADVICE)
    passed("noisy_descent is right" + (" on unseen runs." if hidden else
                                       " for one run, several runs at once and a ≠ 1."))


# --- fig_noise ----------------------------------------------------------------------------------


@cache
def _noise() -> np.ndarray:
    return read_only(noisy_gradient.gradient_noise(NOISY_ITERATIONS, NOISY_RUNS, NOISE_STD,
                                                   NOISE_SEED))


def decaying_lrs() -> np.ndarray:
    """The decaying run's learning rates, lr_t = DECAY_LR0 / (1 + t / DECAY_TAU)."""
    return noisy_gradient.inverse_time_lrs(NOISY_ITERATIONS, DECAY_LR0, DECAY_TAU)


def _runs() -> dict[str, tuple[float | None, np.ndarray]]:
    """name → (its lr when constant, its lrs)."""
    runs: dict[str, tuple[float | None, np.ndarray]] = {
        f"lr = {lr}": (lr, np.full(NOISY_ITERATIONS, lr)) for lr in NOISY_LRS}
    runs["decaying"] = (None, decaying_lrs())
    return runs


@cache
def _curve(name: str) -> np.ndarray:
    """The mean loss over the runs after each step (read-only), computed once per process."""
    _, lrs = _runs()[name]
    return read_only(noisy_gradient.mean_loss_curve(lrs, NOISY_X0, _noise()))


def _mistaken_curves(name: str) -> dict[str, np.ndarray]:
    _, lrs = _runs()[name]
    return {mistake.explanation: mistake.model(lrs, NOISY_X0, _noise(), 1.0)
            for mistake in LOSS_CURVES}


@judged
def check_noise_figure(fig_noise: Any) -> None:
    """One panel: the mean loss over the runs against the step, log-log, one labelled line per
    constant lr of NOISY_LRS and one for the decaying lr."""
    panel = plots.one_panel(fig_noise, "fig_noise")
    plots.check_axis_label(panel, "x", ("step", "iteration"), "fig_noise")
    plots.check_axis_label(panel, "y", ("loss", "f", "x²", "x^2"), "fig_noise")
    plots.check_title(panel, "fig_noise")
    plots.check_log_scale(panel, "x", "fig_noise")
    plots.check_log_scale(panel, "y", "fig_noise")
    asked()
    start = NOISY_X0**2
    expected = []
    for name, (lr, _) in _runs().items():
        variants = iteration_variants(_curve(name), start)

        def mistakes(name: str = name) -> dict[str, np.ndarray]:
            return _mistaken_curves(name)

        if lr is None:
            expected.append(ExpectedLine(name, variants, mistakes=mistakes,
                                         aliases=DECAYING_ALIASES))
        else:
            expected.append(ExpectedLine(name, variants, lr, mistakes=mistakes))
    check_lines(panel, expected, "fig_noise", rtol=FIGURE_RTOL,
                plotted="noisy_descent (averaged over the runs)")
    passed("fig_noise shows the mean loss of the three constant learning rates and of the "
           "decaying one.")
