"""ps01 §1–2: gradient descent on x² by hand (numpy), then with `torch.optim.SGD`.

Each check asks the student's function for every run first, then decides (`lrchecks.asking`):
while grading, the references are computed by the judge alone."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import judged
from lrchecks.histories import pair
from lrchecks.quadratic import compare_run, constant_lr
from lrchecks.report import passed
from lrchecks.values import read_only, to_float_array
from lrcore import quadratic

__all__ = ["PUBLISHED_RUNS", "RUN_ADVICE", "check_gradient_descent_numpy",
           "check_gradient_descent_numpy_unseen", "check_optimize_published",
           "check_optimize_unseen"]

PUBLISHED_RUNS = ((1.05, 20, 500.0), (0.1, 20, 500.0))
RUN_ADVICE = ("the values differ from gradient descent's: each step is x ← x − lr·2a·x, "
              "recorded after the update, num_iterations times, from float(x0).")

NumpyRun = tuple[float, int, float, float]
"""(lr, num_iterations, x0, a) of one gradient_descent_numpy run."""
OptimizeRun = tuple[float, int, float]
"""(lr, num_iterations, x0) of one optimize run."""


# --- gradient descent by hand (numpy) -------------------------------------------------------


def _numpy_call(lr: float, n: int, x0: float, a: float) -> tuple[str, dict[str, float]]:
    """The call as a message writes it, and its keyword arguments (a only when it is not 1)."""
    kwargs = {"a": a} if a != 1.0 else {}
    return format_call("gradient_descent_numpy", (lr, n, x0), kwargs), kwargs


def _ask_numpy_run(function: Any, run: NumpyRun) -> Any:
    """The student's answer for one run (require_own_function is the caller's)."""
    lr, n, x0, a = run
    _, kwargs = _numpy_call(lr, n, x0, a)
    return call_student(function, "gradient_descent_numpy", lr, n, x0, **kwargs)


def _check_numpy_run(run: NumpyRun, result: Any) -> None:
    """The student's answer for one run against lrcore's gradient descent, its mistake named."""
    lr, n, x0, a = run
    call, _ = _numpy_call(lr, n, x0, a)
    student = to_float_array(result, f"The result of {call}")
    expected = quadratic.gradient_descent(lr, n, x0, a)
    compare_run(call, student, expected, constant_lr(lr), n, x0, a)


def _published_numpy_runs() -> tuple[NumpyRun, ...]:
    return tuple((lr, n, x0, 1.0) for lr, n, x0 in PUBLISHED_RUNS)


@judged
def check_gradient_descent_numpy(gradient_descent_numpy: Any) -> None:
    """Visible: the two published runs from x0 = 500, 20 iterations."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    run_asking_cases(lambda run: _ask_numpy_run(gradient_descent_numpy, run), _check_numpy_run,
                     False, "ps01.gradient_descent_numpy", _published_numpy_runs(), RUN_ADVICE)
    passed("gradient_descent_numpy reproduces the published runs (lr = 1.05 and lr = 0.1).")


@judged
def check_gradient_descent_numpy_unseen(gradient_descent_numpy: Any) -> None:
    """Hidden: the drawn learning rates, starting points, curvatures a and lengths."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    run_asking_cases(lambda run: _ask_numpy_run(gradient_descent_numpy, run), _check_numpy_run,
                     True, "ps01.gradient_descent_numpy", (), RUN_ADVICE)
    passed("gradient_descent_numpy is right on unseen learning rates, starting points and a.")


# --- optimize with torch.optim.SGD -----------------------------------------------------------


@cache
def _optimize_reference(lr: float, n: int, x0: float) -> tuple[np.ndarray, np.ndarray]:
    """lrcore's torch run (x_history, lr_history) of one case: the same for every student who
    runs it, so a grading process computes it once (read-only)."""
    expected_x, expected_lrs = quadratic.optimize(lr, n, x0)
    return read_only(expected_x), read_only(expected_lrs)


def _ask_optimize_run(function: Any, run: OptimizeRun) -> Any:
    """The student's answer for one run (require_own_function is the caller's)."""
    lr, n, x0 = run
    return call_student(function, "optimize", lr, n, x0)


def _check_optimize_run(run: OptimizeRun, result: Any) -> None:
    """The student's (x_history, lr_history) for one run against lrcore's torch run."""
    lr, n, x0 = run
    call = format_call("optimize", (lr, n, x0), {})
    x_history, lr_history = pair(result, call, returner="optimize")
    student_x = to_float_array(x_history, f"x_history of {call}")
    student_lrs = to_float_array(lr_history, f"lr_history of {call}")
    expected_x, expected_lrs = _optimize_reference(lr, n, x0)
    compare_run(call, student_x, expected_x, constant_lr(lr), n, x0,
                student_lrs=student_lrs, expected_lrs=expected_lrs)


@judged
def check_optimize_published(optimize: Any) -> None:
    """Visible: 3363.744… for lr = 1.05 and 5.7646… for lr = 0.1, and an integer x0."""
    require_own_function(optimize, "optimize")
    run_asking_cases(lambda run: _ask_optimize_run(optimize, run), _check_optimize_run, False,
                     "ps01.optimize", (*PUBLISHED_RUNS, (0.1, 20, 500)), RUN_ADVICE)
    passed("optimize gives x = 3363.744 for lr = 1.05 and x = 5.7646 for lr = 0.1, also from "
           "an integer x0.")


@judged
def check_optimize_unseen(optimize: Any) -> None:
    """Hidden: the drawn learning rates (lr = 1/a and lr = 0 for everyone), starting points
    and lengths."""
    require_own_function(optimize, "optimize")
    run_asking_cases(lambda run: _ask_optimize_run(optimize, run), _check_optimize_run, True,
                     "ps01.optimize", (), RUN_ADVICE)
    passed("optimize is right on unseen learning rates, starting points and lengths.")
