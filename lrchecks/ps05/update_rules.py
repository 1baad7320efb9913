"""ps05 §1: what an adaptive optimiser adapts — hand-written RMSprop and Adam steps, compared
with torch's step for step on a badly scaled bowl."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lrchecks.asking import Answer, run_asking_cases
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.optim import (
    ADAM,
    RMSPROP,
    UpdateMistake,
    adam_step_reference,
    rmsprop_step_reference,
    update_trajectory,
)
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    DEFAULT_RTOL,
    arrays_match,
    describe_number,
    first_mismatch,
    to_float_array,
)

__all__ = ["UpdateCase", "RMSPROP_CASES_VISIBLE", "ADAM_CASES_VISIBLE", "UPDATE_ADVICE",
           "check_rmsprop_step", "check_adam_step"]


def _bowl(curvatures: Sequence[float]) -> Callable[[np.ndarray], np.ndarray]:
    """The gradient of f(x) = ½·Σ aᵢ·xᵢ²: a badly scaled bowl when the aᵢ differ."""
    a = np.asarray(curvatures, dtype=np.float64)
    return lambda x: a * x


# (x0, curvatures, steps, hyperparameters)
UpdateCase = tuple[tuple[float, ...], tuple[float, ...], int, dict[str, float]]

RMSPROP_CASES_VISIBLE: tuple[UpdateCase, ...] = (
    ((1.0, 1.0), (1.0, 100.0), 10, {"lr": 0.01}),
    ((0.3, -0.02), (1.0, 100.0), 8, {"lr": 0.05, "alpha": 0.9, "eps": 0.1}),
)
ADAM_CASES_VISIBLE: tuple[UpdateCase, ...] = (
    ((1.0, 1.0), (1.0, 100.0), 10, {"lr": 0.1}),
    ((0.3, -0.02), (1.0, 100.0), 8, {"lr": 0.05, "eps": 0.1}),
)
UPDATE_ADVICE = ("the parameters differ from torch's: update the running averages first, then "
                 "compute the step from the new averages.")
RAW_STATE = ("Return the raw running average (not the bias-corrected one): it is the state the "
             "next step starts from.")


def _state_names(n_state: int) -> tuple[str, ...]:
    return ("exp_avg", "exp_avg_sq") if n_state == 2 else ("square_avg",)


def _student_trajectory(function: Any, name: str, case: UpdateCase, n_state: int
                        ) -> tuple[np.ndarray, list[np.ndarray], str]:
    """Call the student's step function `steps` times from zero states, feeding back what it
    returns; the parameters after each step, the states after the last one, the first call."""
    x0, curvatures, steps, hyperparameters = case
    gradient = _bowl(curvatures)
    x = np.array(x0, dtype=np.float64)
    state = [np.zeros_like(x) for _ in range(n_state)]
    params = np.empty((steps, x.size))
    first_call = ""
    for t in range(1, steps + 1):
        arguments: tuple[Any, ...] = (x.copy(), gradient(x), *(s.copy() for s in state), t)
        shown = format_call(name, (*(a.tolist() for a in arguments[:-1]), t), hyperparameters)
        first_call = first_call or shown
        result = call_student(function, name, *arguments, **hyperparameters)
        if not isinstance(result, tuple | list) or len(result) != n_state + 1:
            what = "(param, exp_avg, exp_avg_sq)" if n_state == 2 else "(param, square_avg)"
            raise CheckFailed(f"{shown} should return a tuple {what}, got "
                              f"{type(result).__name__}"
                              + (f" of length {len(result)}." if isinstance(result, tuple | list)
                                 else "."),
                              diagnosis=f"{name} should return a tuple {what}.")
        values = [np.array(to_float_array(v, f"A result of {shown}"), dtype=np.float64)
                  for v in result]
        for value in values:
            if value.shape != x.shape:
                raise CheckFailed(f"{shown} returned an array of shape {value.shape}; every "
                                  f"result should have the shape of param, {x.shape}.",
                                  diagnosis="every result should have the shape of param.")
        x, *state = values
        params[t - 1] = x
    return params, state, first_call


# What one case asked the student's step function: its trajectory (parameters, final states,
# first call shown), and its raw answer to the first step again — the diagnosis of a wrong
# state reads it, so it is asked with the rest.
UpdateAnswers = tuple[Answer[tuple[np.ndarray, list[np.ndarray], str]], Answer[Any]]


def _ask_update_case(function: Any, name: str, case: UpdateCase, n_state: int
                     ) -> UpdateAnswers:
    """The student's trajectory on one case and, once it has one, its first step again."""
    trajectory = Answer.of(lambda: _student_trajectory(function, name, case, n_state))
    if trajectory.failure is not None:
        return trajectory, Answer()
    return trajectory, Answer.of(lambda: _first_step(function, name, case, n_state))


def _decide_update_case(name: str, case: UpdateCase, answers: UpdateAnswers,
                        reference: Callable[..., Any], rule: Sequence[UpdateMistake],
                        n_state: int) -> None:
    """One run of the student's step function on the bowl, compared with torch's."""
    x0, curvatures, steps, hyperparameters = case
    trajectory, first_step = answers
    student, state, first_call = trajectory.get()
    expected = update_trajectory(reference, x0, _bowl(curvatures), steps, n_state,
                                 **hyperparameters)
    atol = 1e-9 * max(abs(v) for v in x0)
    mismatch = first_mismatch(student, expected, DEFAULT_RTOL, atol)
    options = ", ".join(f"{key}={value}" for key, value in hyperparameters.items())
    where = (f"{name} ({options}) for {steps} steps from x0 = {list(x0)} on the bowl "
             f"f(x) = ½·Σ aᵢxᵢ², a = {list(curvatures)}")
    if mismatch is not None:
        raise_first_fitting(rule, lambda mistake: mistake.fits(
            student, expected, update_trajectory(mistake.model, x0, _bowl(curvatures), steps,
                                                 n_state, **hyperparameters)),
            f"{where}: the parameters are wrong.")
        state_message = _state_mistake(first_step.get(), name, case, reference, n_state)
        if state_message:
            message, diagnosis = state_message
            raise CheckFailed(f"{where}: {message}", diagnosis=diagnosis)
        step, coordinate = divmod(mismatch.index or 0, student.shape[1])
        raise CheckFailed(
            f"{where}: after step {step + 1} coordinate {coordinate} is "
            f"{describe_number(student[step, coordinate])}, torch gives "
            f"{describe_number(expected[step, coordinate])} (the first call was "
            f"{first_call}). Update the running averages first, then compute the step from "
            "the new averages."
        )
    # The states must be the raw running averages (what the next call needs).
    expected_state = _final_state(reference, x0, curvatures, steps, n_state, hyperparameters)
    for label, got, want in zip(_state_names(n_state), state, expected_state, strict=True):
        if not arrays_match(got, want, DEFAULT_RTOL, 1e-12):
            raise CheckFailed(f"{where}: the parameters are right but the returned {label} "
                              f"is {np.round(got, 6).tolist()} after the last step, not "
                              f"{np.round(want, 6).tolist()}. Return the raw running "
                              "average (not the bias-corrected one): it is the state.",
                              diagnosis=f"the parameters are right but the returned {label} is "
                              "not: return the raw running average (not the bias-corrected "
                              "one): it is the state.")


def _read_update_case(params: Any) -> UpdateCase:
    """A hidden case's params [x0, curvatures, steps, hyperparameters]."""
    x0, curvatures, steps, hyperparameters = params
    return tuple(x0), tuple(curvatures), int(steps), dict(hyperparameters)


def _check_update_rule(function: Any, name: str, hidden: bool,
                       visible_cases: Sequence[UpdateCase], reference: Callable[..., Any],
                       rule: Sequence[UpdateMistake], n_state: int) -> None:
    """The visible cases, or this student's drawn cases of the pool `ps05.<name>`: every
    trajectory asked first, then each decided in order."""
    require_own_function(function, name)
    run_asking_cases(lambda case: _ask_update_case(function, name, case, n_state),
                     lambda case, answers: _decide_update_case(name, case, answers, reference,
                                                               rule, n_state),
                     hidden, f"ps05.{name}", visible_cases, UPDATE_ADVICE, _read_update_case)


def _first_step(function: Any, name: str, case: UpdateCase, n_state: int) -> Any:
    """The student's raw answer to the first step from zero states (read by `_state_mistake`)."""
    x0, curvatures, _, hyperparameters = case
    x = np.array(x0, dtype=np.float64)
    zeros = [np.zeros_like(x) for _ in range(n_state)]
    return call_student(function, name, x.copy(), _bowl(curvatures)(x), *zeros, 1,
                        **hyperparameters)


def _state_mistake(result: Any, name: str, case: UpdateCase, reference: Callable[..., Any],
                   n_state: int) -> tuple[str, str] | None:
    """If the first step's parameters (the student's `result`, `_first_step`) are right but a
    returned state is not, say so (the message and its value-free diagnosis)."""
    x0, curvatures, _, hyperparameters = case
    x = np.array(x0, dtype=np.float64)
    zeros = [np.zeros_like(x) for _ in range(n_state)]
    student = [to_float_array(v, f"A result of {name}") for v in result]
    expected = reference(x, _bowl(curvatures)(x), *zeros, 1, **hyperparameters)
    if not arrays_match(student[0], expected[0]):
        return None
    for label, got, want in zip(_state_names(n_state), student[1:], expected[1:], strict=True):
        if not arrays_match(got, want, DEFAULT_RTOL, 1e-12):
            return (f"the first step is right, but the {label} it returns is "
                    f"{np.round(got, 6).tolist()}, not {np.round(want, 6).tolist()}. {RAW_STATE}",
                    f"the first step is right, but the {label} it returns is not. {RAW_STATE}")
    return None


def _final_state(reference: Callable[..., Any], x0: Sequence[float], curvatures: Sequence[float],
                 steps: int, n_state: int, hyperparameters: dict[str, float]
                 ) -> list[np.ndarray]:
    gradient = _bowl(curvatures)
    x = np.array(x0, dtype=np.float64)
    state = [np.zeros_like(x) for _ in range(n_state)]
    for t in range(1, steps + 1):
        x, *state = reference(x, gradient(x), *state, t, **hyperparameters)
    return state


@judged
def check_rmsprop_step(rmsprop_step: Any, hidden: bool = False) -> None:
    """rmsprop_step(param, grad, square_avg, step, lr, alpha, eps) → (param, square_avg),
    step for step equal to torch's RMSprop on a badly scaled bowl."""
    _check_update_rule(rmsprop_step, "rmsprop_step", hidden, RMSPROP_CASES_VISIBLE,
                       rmsprop_step_reference, RMSPROP, n_state=1)
    passed("rmsprop_step matches torch's RMSprop step for step"
           + (" with unseen lr, α, ε and starting points." if hidden else "."))


@judged
def check_adam_step(adam_step: Any, hidden: bool = False) -> None:
    """adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps) →
    (param, exp_avg, exp_avg_sq), step for step equal to torch's Adam."""
    _check_update_rule(adam_step, "adam_step", hidden, ADAM_CASES_VISIBLE,
                       adam_step_reference, ADAM, n_state=2)
    passed("adam_step matches torch's Adam step for step, bias correction and ε included"
           + (" — also with unseen betas, ε and starting points." if hidden else "."))
