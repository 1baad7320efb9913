"""ps01 §1–2: gradient descent on x² by hand (numpy), then with `torch.optim.SGD`."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import judged
from lrchecks.hidden import hidden_case, hidden_cases
from lrchecks.histories import pair
from lrchecks.quadratic import compare_run, constant_lr
from lrchecks.report import passed
from lrchecks.values import to_float_array
from lrcore import quadratic

__all__ = ["PUBLISHED_RUNS", "RUN_ADVICE", "check_gradient_descent_numpy",
           "check_gradient_descent_numpy_unseen", "check_optimize_published",
           "check_optimize_unseen"]

PUBLISHED_RUNS = ((1.05, 20, 500.0), (0.1, 20, 500.0))
RUN_ADVICE = ("the values differ from gradient descent's: each step is x ← x − lr·2a·x, "
              "recorded after the update, num_iterations times, from float(x0).")


# --- gradient descent by hand (numpy) -------------------------------------------------------


def _check_numpy_run(function: Any, lr: float, n: int, x0: float, a: float) -> None:
    kwargs = {"a": a} if a != 1.0 else {}
    call = format_call("gradient_descent_numpy", (lr, n, x0), kwargs)
    result = call_student(function, "gradient_descent_numpy", lr, n, x0, **kwargs)
    student = to_float_array(result, f"The result of {call}")
    expected = quadratic.gradient_descent(lr, n, x0, a)
    compare_run(call, student, expected, constant_lr(lr), n, x0, a)


@judged
def check_gradient_descent_numpy(gradient_descent_numpy: Any) -> None:
    """Visible: the two published runs from x0 = 500, 20 iterations."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    for lr, n, x0 in PUBLISHED_RUNS:
        _check_numpy_run(gradient_descent_numpy, lr, n, x0, 1.0)
    passed("gradient_descent_numpy reproduces the published runs (lr = 1.05 and lr = 0.1).")


@judged
def check_gradient_descent_numpy_unseen(gradient_descent_numpy: Any) -> None:
    """Hidden: the drawn learning rates, starting points, curvatures a and lengths."""
    require_own_function(gradient_descent_numpy, "gradient_descent_numpy")
    for case in hidden_cases("ps01.gradient_descent_numpy"):
        with hidden_case(case, RUN_ADVICE):
            lr, n, x0, a = case.params
            _check_numpy_run(gradient_descent_numpy, lr, n, x0, a)
    passed("gradient_descent_numpy is right on unseen learning rates, starting points and a.")


# --- optimize with torch.optim.SGD -----------------------------------------------------------


def _check_optimize_run(function: Any, lr: float, n: int, x0: float) -> None:
    call = format_call("optimize", (lr, n, x0), {})
    result = call_student(function, "optimize", lr, n, x0)
    x_history, lr_history = pair(result, call, returner="optimize")
    student_x = to_float_array(x_history, f"x_history of {call}")
    student_lrs = to_float_array(lr_history, f"lr_history of {call}")
    expected_x, expected_lrs = quadratic.optimize(lr, n, x0)
    compare_run(call, student_x, np.asarray(expected_x), constant_lr(lr), n, x0,
                student_lrs=student_lrs, expected_lrs=np.asarray(expected_lrs))


@judged
def check_optimize_published(optimize: Any) -> None:
    """Visible: 3363.744… for lr = 1.05 and 5.7646… for lr = 0.1, and an integer x0."""
    require_own_function(optimize, "optimize")
    for lr, n, x0 in (*PUBLISHED_RUNS, (0.1, 20, 500)):
        _check_optimize_run(optimize, lr, n, x0)
    passed("optimize gives x = 3363.744 for lr = 1.05 and x = 5.7646 for lr = 0.1, also from "
           "an integer x0.")


@judged
def check_optimize_unseen(optimize: Any) -> None:
    """Hidden: the drawn learning rates (lr = 1/a and lr = 0 for everyone), starting points
    and lengths."""
    require_own_function(optimize, "optimize")
    for case in hidden_cases("ps01.optimize"):
        with hidden_case(case, RUN_ADVICE):
            _check_optimize_run(optimize, *case.params)
    passed("optimize is right on unseen learning rates, starting points and lengths.")
