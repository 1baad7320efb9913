"""Checks for ps05 "Adaptive optimisers and plateaus on real data" — one line per test cell.

References: `lrcore.optim` (Adam, RMSprop: torch's exact updates), `lrcore.optimizer_sweep`
(the regression trained by each optimiser), `lrcore.schedules.reduce_lr_on_plateau` (torch's
ReduceLROnPlateau, decision for decision), `lrcore.classification` (the two-quantiles net) and
`lrcore.plateau_challenge`. Mistake models: `lrcore.mistakes.optim`.

Tolerances. Update rules and loss curves: rtol 1e-5 (a float32 torch run and a float64 numpy run
of the same algorithm differ by ≤ 4e-6 here). Plateau decisions: rtol 1e-9 (lr·factor is
computed the same way by everyone). The classifier: validation losses rtol 1e-4 over a few
epochs (an equivalent loss — sigmoid then BCE instead of BCE-with-logits — rounds differently,
and Adam carries the difference along), accuracies within one point (a logit at 0 may fall
either way). Visible checks use the cases shown in the notebook; hidden checks (`hidden=True`)
run the cases the grader drew for this student (`lrchecks.hidden`: pools of
`autograder.hidden.ps05`) — unseen hyperparameters, data, seeds and metric sequences — so
hard-coded answers fail; a hidden case's message names the kind of case and the mistake, never
its inputs or expected values.

Nothing the kernel computes with the course's code is taken on trust: a model's accuracy is
computed from its weights, read as data (`lrchecks.model_weights`), and the plateau challenge is
run by the check itself on the config, validated as plain data.
"""

from __future__ import annotations

import inspect
import io
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import redirect_stderr
from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.encoding import REFERENCE_PACKAGES, StandIn, decode, encode
from lrchecks.evidence import judged
from lrchecks.hidden import hidden_case, hidden_cases
from lrchecks.model_weights import recorded_weights, weights_in
from lrchecks.plots import ExpectedLine
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    DEFAULT_RTOL,
    arrays_match,
    describe_number,
    first_mismatch,
    read_only,
    same_pattern,
    to_float,
    to_float_array,
)
from lrcore import classification, optimizer_sweep, plateau_challenge
from lrcore.mistakes import optim as mistakes
from lrcore.regression import SWEEP_LRS, linear_regression_data
from lrcore.schedules import reduce_lr_on_plateau

__all__ = [
    "SWEEP_LRS",
    "SWEEP_OPTIMIZERS",
    "check_rmsprop_step",
    "check_adam_step",
    "check_train_regression",
    "check_optimizer_sweep_figure",
    "check_plateau_rule",
    "check_train_classifier",
    "check_test_accuracies",
    "check_boundary_figure",
    "check_plateau_figure",
    "check_challenge_config",
]

SWEEP_OPTIMIZERS: tuple[str, ...] = tuple(optimizer_sweep.SWEEP_OPTIMIZERS)
"""The optimisers of the regression sweep, in the notebook's order."""

# --- the update rules -------------------------------------------------------------------------


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

ADAM_EXPLANATIONS = {
    "no_bias_correction": "It looks like m and v are used without bias correction: they start "
    "at 0, so the first steps come out too long. Divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ), "
    "with t = step counted from 1.",
    "second_moment_not_corrected": "It looks like only m is bias-corrected: v must be divided "
    "by (1 − β₂ᵗ) too, before the square root.",
    "eps_inside_sqrt": "It looks like ε is inside the square root, √(v̂ + ε); torch adds it "
    "outside: m̂ / (√v̂ + ε).",
    "keras_eps": "It looks like ε is added to the uncorrected √v (Keras' form, lr·√(1 − β₂ᵗ)/"
    "(1 − β₁ᵗ) · m/(√v + ε)); torch adds ε to the bias-corrected root: m̂ / (√v̂ + ε).",
    "step_counted_from_zero": "Your bias corrections use t + 1: `step` is already counted from 1 "
    "(the first call has step=1), so use β₁**step and β₂**step.",
}
RMSPROP_EXPLANATIONS = {
    "bias_corrected": "It looks like v is bias-corrected like Adam's (v / (1 − αᵗ)); torch's "
    "RMSprop does not correct it — which is why its first step is lr/√(1 − α), 10·lr for "
    "α = 0.99. RMSprop does not need `step` at all.",
    "eps_inside_sqrt": "It looks like ε is inside the square root, √(v + ε) (Keras' form); "
    "torch adds it outside: g / (√v + ε).",
    "alpha_swapped": "The running average has its weights swapped: v ← α·v + (1 − α)·g², so "
    "that α close to 1 means a long memory.",
}


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
        arguments = (x.copy(), gradient(x), *(s.copy() for s in state), t)
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


def _check_update_case(
    function: Any,
    name: str,
    case: UpdateCase,
    reference: Callable[..., Any],
    models: Mapping[str, Callable[..., Any]],
    explanations: Mapping[str, str],
    n_state: int,
) -> None:
    """One run of the student's step function on the bowl, compared with torch's."""
    x0, curvatures, steps, hyperparameters = case
    student, state, first_call = _student_trajectory(function, name, case, n_state)
    expected = mistakes.update_trajectory(reference, x0, _bowl(curvatures), steps, n_state,
                                          **hyperparameters)
    atol = 1e-9 * max(abs(v) for v in x0)
    mismatch = first_mismatch(student, expected, DEFAULT_RTOL, atol)
    options = ", ".join(f"{key}={value}" for key, value in hyperparameters.items())
    where = (f"{name} ({options}) for {steps} steps from x0 = {list(x0)} on the bowl "
             f"f(x) = ½·Σ aᵢxᵢ², a = {list(curvatures)}")
    if mismatch is not None:
        for mistake, model in models.items():
            mistaken = mistakes.update_trajectory(model, x0, _bowl(curvatures), steps,
                                                  n_state, **hyperparameters)
            if same_pattern(student, mistaken) and not same_pattern(expected, mistaken):
                raise CheckFailed(f"{where}: the parameters are wrong. "
                                  f"{explanations[mistake]}", diagnosis=explanations[mistake])
        state_message = _state_mistake(function, name, case, reference, n_state)
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
    names = ("exp_avg", "exp_avg_sq") if n_state == 2 else ("square_avg",)
    for label, got, want in zip(names, state, expected_state, strict=True):
        if not arrays_match(got, want, DEFAULT_RTOL, 1e-12):
            raise CheckFailed(f"{where}: the parameters are right but the returned {label} "
                              f"is {np.round(got, 6).tolist()} after the last step, not "
                              f"{np.round(want, 6).tolist()}. Return the raw running "
                              "average (not the bias-corrected one): it is the state.",
                              diagnosis=f"the parameters are right but the returned {label} is "
                              "not: return the raw running average (not the bias-corrected "
                              "one): it is the state.")


def _check_update_rule(
    function: Any,
    name: str,
    hidden: bool,
    visible_cases: Sequence[UpdateCase],
    reference: Callable[..., Any],
    models: Mapping[str, Callable[..., Any]],
    explanations: Mapping[str, str],
    n_state: int,
) -> None:
    """The visible cases, or this student's drawn cases of the pool `ps05.<name>`."""
    require_own_function(function, name)
    rule = (reference, models, explanations, n_state)
    if not hidden:
        for case in visible_cases:
            _check_update_case(function, name, case, *rule)
        return
    for drawn in hidden_cases(f"ps05.{name}"):
        with hidden_case(drawn, UPDATE_ADVICE):
            x0, curvatures, steps, hyperparameters = drawn.params
            _check_update_case(function, name, (tuple(x0), tuple(curvatures), int(steps),
                                                dict(hyperparameters)), *rule)


def _state_mistake(function: Any, name: str, case: UpdateCase, reference: Callable[..., Any],
                   n_state: int) -> tuple[str, str] | None:
    """If the first step's parameters are right but a returned state is not, say so (the
    message and its value-free diagnosis)."""
    x0, curvatures, _, hyperparameters = case
    x = np.array(x0, dtype=np.float64)
    zeros = [np.zeros_like(x) for _ in range(n_state)]
    result = call_student(function, name, x.copy(), _bowl(curvatures)(x), *zeros, 1,
                          **hyperparameters)
    student = [to_float_array(v, f"A result of {name}") for v in result]
    expected = reference(x, _bowl(curvatures)(x), *zeros, 1, **hyperparameters)
    if not arrays_match(student[0], expected[0]):
        return None
    names = ("exp_avg", "exp_avg_sq") if n_state == 2 else ("square_avg",)
    for label, got, want in zip(names, student[1:], expected[1:], strict=True):
        if not arrays_match(got, want, DEFAULT_RTOL, 1e-12):
            fix = ("Return the raw running average (not the bias-corrected one): it is the "
                   "state the next step starts from.")
            return (f"the first step is right, but the {label} it returns is "
                    f"{np.round(got, 6).tolist()}, not {np.round(want, 6).tolist()}. {fix}",
                    f"the first step is right, but the {label} it returns is not. {fix}")
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
                       mistakes.rmsprop_step_reference, mistakes.RMSPROP_MISTAKES,
                       RMSPROP_EXPLANATIONS, n_state=1)
    passed("rmsprop_step matches torch's RMSprop step for step"
           + (" with unseen lr, α, ε and starting points." if hidden else "."))


@judged
def check_adam_step(adam_step: Any, hidden: bool = False) -> None:
    """adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps) →
    (param, exp_avg, exp_avg_sq), step for step equal to torch's Adam."""
    _check_update_rule(adam_step, "adam_step", hidden, ADAM_CASES_VISIBLE,
                       mistakes.adam_step_reference, mistakes.ADAM_MISTAKES, ADAM_EXPLANATIONS,
                       n_state=2)
    passed("adam_step matches torch's Adam step for step, bias correction and ε included"
           + (" — also with unseen betas, ε and starting points." if hidden else "."))


# --- the regression sweep ------------------------------------------------------------------------

REGRESSION_CASES_VISIBLE: tuple[tuple[int, str, float, int], ...] = (
    (0, "sgd", 0.1, 20),
    (0, "momentum", 0.01, 100),
    (0, "adagrad", 0.5, 50),
    (0, "rmsprop", 0.01, 50),
    (0, "adam", 0.1, 100),
)
REGRESSION_ADVICE = ("the losses differ from the reference: start from w = b = 0, take one "
                     "full-batch step per epoch, record the loss before optimizer.step(), and use "
                     "torch's defaults apart from lr.")
REGRESSION_EXPLANATIONS = {
    "loss_after_update": "Your curve starts one epoch late: record the loss computed before "
    "optimizer.step(), in the same iteration.",
    "keras_rmsprop_rho": "This is RMSprop with alpha=0.9 (Keras' ρ); torch's default, which the "
    "sweep uses, is alpha=0.99 — pass only lr.",
    "nesterov": "This is Nesterov momentum; the sweep's 'momentum' is plain "
    "SGD(momentum=0.9).",
}


@cache
def _regression_losses(seed: int, optimizer: str, lr: float, epochs: int) -> np.ndarray:
    """`optimizer_sweep.train_regression` on `linear_regression_data(seed)`: the same for every
    student, so a grading process computes it once (read-only)."""
    X, y = linear_regression_data(seed=seed)
    return read_only(optimizer_sweep.train_regression(X, y, optimizer, lr, epochs))


def _frozen(mapping: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    return None if mapping is None else tuple(sorted(mapping.items()))


@cache
def _classifier_run(lr: float, epochs: int, plateau: tuple[tuple[str, Any], ...] | None,
                    seed: int) -> classification.ClassifierRun:
    """`classification.train_classifier` for one test case: the same for every student, so a
    grading process trains it once (a frozen record, only read by the checks)."""
    return classification.train_classifier(lr, epochs, plateau=None if plateau is None
                                           else dict(plateau), seed=seed)


def _check_regression_case(train_regression: Any, seed: int, name: str, lr: float,
                           epochs: int) -> None:
    X, y = linear_regression_data(seed=seed)
    call = f"train_regression(X, y, {name!r}, lr={lr}, epochs={epochs})"
    result = call_student(train_regression, "train_regression", X, y, name, lr=lr,
                          epochs=epochs)
    student = to_float_array(result, f"The result of {call}")
    expected = _regression_losses(seed, name, lr, epochs)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} losses; it should return one per "
                          f"epoch ({epochs}).",
                          diagnosis="the result should hold one loss per epoch.")
    for other in SWEEP_OPTIMIZERS:
        if other != name.lower() and same_pattern(
                student, _regression_losses(seed, other, lr, epochs)):
            raise CheckFailed(f"{call}: these are the losses of {other!r}, not of "
                              f"{name.lower()!r}. {_optimizer_hint(name.lower())}",
                              diagnosis="these are the losses of another optimiser of the "
                              "sweep: check which torch.optim class (and options) each name "
                              "stands for.")
    for mistake, curve in mistakes.regression_optimizer_mistakes(X, y, name, lr,
                                                                 epochs).items():
        if same_pattern(student, np.asarray(curve)):
            raise CheckFailed(f"{call}: the losses are wrong. "
                              f"{REGRESSION_EXPLANATIONS[mistake]}",
                              diagnosis=REGRESSION_EXPLANATIONS[mistake])
    raise CheckFailed(
        f"{call}: the loss of epoch {mismatch.index} is {describe_number(mismatch.student)}, "
        f"it should be {describe_number(mismatch.expected)}. Start from w = b = 0, take one "
        f"full-batch step per epoch, and use torch's defaults apart from lr. "
        f"{_optimizer_hint(name.lower())}"
    )


@judged
def check_train_regression(train_regression: Any, hidden: bool = False) -> None:
    """Losses per epoch equal lrcore.optimizer_sweep.train_regression (float32 torch). A
    hidden case is one data set trained by several optimisers, each at its own lr."""
    require_own_function(train_regression, "train_regression")
    if not hidden:
        for seed, name, lr, epochs in REGRESSION_CASES_VISIBLE:
            _check_regression_case(train_regression, seed, name, lr, epochs)
    else:
        for case in hidden_cases("ps05.train_regression"):
            with hidden_case(case, REGRESSION_ADVICE):
                for name, lr in case.params["runs"]:
                    _check_regression_case(train_regression, int(case.params["seed"]), name,
                                           lr, int(case.params["epochs"]))
    passed("train_regression gives the right loss curve for every optimiser"
           + (" on unseen data, lrs and epochs." if hidden else "."))


def _optimizer_hint(name: str) -> str:
    class_name, options = optimizer_sweep.SWEEP_OPTIMIZERS[name]
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return f"{name!r} is torch.optim.{class_name}(model.parameters(), lr=lr{extra})."


def _title_optimizer(title: str) -> str | None:
    lowered = title.lower()
    for name in ("momentum", "adagrad", "rmsprop", "adam", "sgd"):
        if name in lowered:
            return name
    return None


def _sweep_lines(X: np.ndarray, y: np.ndarray, name: str, diagnose: bool) -> list[ExpectedLine]:
    lines = []
    for lr in SWEEP_LRS:
        values = np.asarray(optimizer_sweep.train_regression(X, y, name, lr))
        wrong = {} if not diagnose else {
            REGRESSION_EXPLANATIONS[m]: np.asarray(c)
            for m, c in mistakes.regression_optimizer_mistakes(X, y, name, lr, values.size).items()
        }
        lines.append(ExpectedLine(f"lr = {lr}", [
            (np.arange(0, values.size, dtype=float), values),
            (np.arange(1, values.size + 1, dtype=float), values),
        ], lr, wrong))
    return lines


@judged
def check_optimizer_sweep_figure(fig_optimizers: Any) -> None:
    """One panel per optimiser (named in its title), each with the loss curve of every lr in
    SWEEP_LRS (labelled), loss on a log axis against the epoch."""
    panels = plots.panels_of(fig_optimizers, "fig_optimizers")
    plots.check_panel_count(panels, len(SWEEP_OPTIMIZERS), "fig_optimizers")
    by_name: dict[str, Any] = {}
    for panel in panels:
        title = panel.get_title()
        name = _title_optimizer(title)
        if name is None:
            raise CheckFailed(f"A panel of fig_optimizers has the title {title!r}; each title "
                              f"should name its optimiser ({', '.join(SWEEP_OPTIMIZERS)}).")
        if name in by_name:
            raise CheckFailed(f"Two panels of fig_optimizers are titled with {name!r}; give each "
                              "optimiser its own panel.")
        by_name[name] = panel
    X, y = linear_regression_data()
    for name in SWEEP_OPTIMIZERS:
        panel = by_name[name]
        where = f"the {name!r} panel of fig_optimizers"
        plots.check_axis_label(panel, "x", ("epoch", "step", "iteration"), where)
        plots.check_axis_label(panel, "y", ("loss", "mse"), where)
        plots.check_log_scale(panel, "y", where)
        try:
            plots.check_lines(panel, _sweep_lines(X, y, name, diagnose=False),
                              where.capitalize(), require_legend=not panel.figure.legends)
        except CheckFailed:
            # Only now model the mistakes (20 more trainings): the message can then name one.
            plots.check_lines(panel, _sweep_lines(X, y, name, diagnose=True),
                              where.capitalize(), require_legend=not panel.figure.legends)
            raise
    passed("fig_optimizers shows the loss curves of every lr for each of the five optimisers.")


# --- the plateau rule ---------------------------------------------------------------------------

PlateauCase = tuple[dict[str, Any], tuple[float, ...]]

PLATEAU_CASES_VISIBLE: tuple[PlateauCase, ...] = (
    ({"lr": 0.1, "factor": 0.5, "patience": 1}, (1.0, 0.9, 0.95, 0.95, 0.95, 0.8)),
    ({"lr": 1.0, "factor": 0.5, "patience": 2, "threshold": 0.1, "cooldown": 1, "min_lr": 0.2},
     (1.0, 0.95, 0.92, 0.9, 0.8, 0.79, 0.78, 0.77, 0.76, 0.75, 0.74, 0.73, 0.72, 0.71, 0.70,
      0.69, 0.68, 0.67)),
    ({"lr": 0.01, "mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.02,
      "threshold_mode": "abs", "min_lr": 1e-6},
     (0.5, 0.6, 0.61, 0.615, 0.64, 0.645, 0.65, 0.7, 0.69, 0.71, 0.71, 0.72)),
    ({"lr": 4e-8, "factor": 0.5, "patience": 0, "eps": 1e-8}, (1.0, 2.0, 3.0, 4.0, 5.0)),
)

PLATEAU_DEFAULTS: dict[str, Any] = {
    "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
    "cooldown": 0, "min_lr": 0.0, "eps": 1e-8,
}


PLATEAU_ADVICE = ("the lrs differ from torch's ReduceLROnPlateau: follow the rule step by step "
                  "— compare with the best metric (threshold), count bad epochs, handle the "
                  "cooldown, cut with factor and min_lr.")


PLATEAU_EXPLANATIONS = {
    "keras_patience": "Your rule cuts one bad epoch too early — that is how Keras counts "
    "patience. torch cuts on the (patience + 1)-th bad epoch in a row: reduce when "
    "num_bad_epochs > patience.",
    "no_reset_after_cut": "After a cut your rule keeps its count of bad epochs and cuts again "
    "on the next bad epoch: set the count back to 0 after every cut.",
    "ignores_threshold": "Your rule counts every small improvement as better: an epoch is "
    "better only if it beats the best by more than the threshold (metric < best·(1 − threshold)"
    " for mode 'min' and threshold_mode 'rel').",
    "ignores_threshold_mode": "Your rule always uses a relative threshold: with "
    "threshold_mode='abs' an epoch is better when metric < best − threshold (mode 'min') or "
    "metric > best + threshold (mode 'max').",
    "ignores_mode": "Your rule treats every metric as a loss: with mode='max' (an accuracy) a "
    "larger metric is better.",
    "ignores_cooldown": "Your rule ignores the cooldown: during the `cooldown` epochs after a "
    "cut, bad epochs are not counted (the count is kept at 0).",
    "ignores_min_lr": "Your lr goes below min_lr: the new lr is max(lr·factor, min_lr).",
    "ignores_eps": "Your rule makes a cut smaller than eps: torch applies the new lr only if it "
    "is lower than the old one by more than eps.",
}


def _class_methods_are_own(rule_class: Any) -> None:
    if isinstance(rule_class, StandIn):
        return  # judged again outside the kernel: the class's code was read in the kernel
    if not inspect.isclass(rule_class):
        raise CheckFailed(f"PlateauRule should be a class, but it is a "
                          f"{type(rule_class).__name__}.")
    require_own_function(rule_class, "PlateauRule")
    for method in ("__init__", "step"):
        function = getattr(rule_class, method, None)
        if function is None or not callable(function):
            raise CheckFailed(f"PlateauRule has no method {method}.")
        if method == "__init__" and function is object.__init__:
            raise CheckFailed("PlateauRule has no __init__ taking the options.")
        require_own_function(function, f"PlateauRule.{method}")


def _student_decisions(rule_class: Any, options: dict[str, Any],
                       metrics: Sequence[float]) -> tuple[list[float], str]:
    arguments = {"lr": options["lr"], **{k: options.get(k, v)
                                         for k, v in PLATEAU_DEFAULTS.items()}}
    shown = format_call("PlateauRule", (), arguments)
    rule = call_student(rule_class, "PlateauRule", **arguments)
    decisions = []
    for index, metric in enumerate(metrics):
        result = call_student(rule.step, "PlateauRule.step", float(metric))
        if result is None:
            raise CheckFailed(f"{shown}.step({metric}) returned None; step(metric) must return "
                              "the lr of the next epoch.",
                              diagnosis="step(metric) returned None; it must return the lr of "
                              "the next epoch.")
        decisions.append(to_float(result, f"The value of {shown}.step({metric}) "
                                          f"(metric #{index})"))
    return decisions, shown


def _check_plateau_case(rule_class: Any, options: dict[str, Any],
                        metrics: Sequence[float]) -> None:
    student, shown = _student_decisions(rule_class, options, metrics)
    scheduler = reduce_lr_on_plateau(**options)
    expected = [scheduler.step(metric) for metric in metrics]
    mismatch = first_mismatch(np.asarray(student), np.asarray(expected), 1e-9, 0.0)
    if mismatch is None:
        return
    where = f"{shown}, stepped with the metrics {list(metrics)}"
    full = {k: options.get(k, v) for k, v in PLATEAU_DEFAULTS.items()}
    for mistake, model in mistakes.PLATEAU_MISTAKES.items():
        modelled = model(metrics, options["lr"], **full)
        if modelled != expected and arrays_match(np.asarray(student), np.asarray(modelled),
                                                 1e-9, 0.0):
            raise CheckFailed(f"{where}: {PLATEAU_EXPLANATIONS[mistake]}",
                              diagnosis=PLATEAU_EXPLANATIONS[mistake])
    index = mismatch.index or 0
    raise CheckFailed(
        f"{where}: after metric #{index} ({metrics[index]}) your rule returns lr "
        f"{describe_number(student[index])}; torch's ReduceLROnPlateau returns "
        f"{describe_number(expected[index])}. Follow the rule step by step: compare with "
        "the best metric (threshold), count bad epochs, handle the cooldown, cut with factor "
        "and min_lr."
    )


@judged
def check_plateau_rule(PlateauRule: Any, hidden: bool = False) -> None:  # noqa: N803
    """PlateauRule(lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr,
    eps).step(metric) returns torch's ReduceLROnPlateau lr after every metric."""
    _class_methods_are_own(PlateauRule)
    if not hidden:
        for options, metrics in PLATEAU_CASES_VISIBLE:
            _check_plateau_case(PlateauRule, options, metrics)
    else:
        for case in hidden_cases("ps05.plateau_rule"):
            with hidden_case(case, PLATEAU_ADVICE):
                _check_plateau_case(PlateauRule, dict(case.params["options"]),
                                    tuple(case.params["metrics"]))
    passed("PlateauRule takes torch's decisions, epoch for epoch"
           + (" — also on unseen metric sequences and options." if hidden else "."))


# --- the classifier ---------------------------------------------------------------------------

# (lr, epochs, plateau options or None, seed)
ClassifierCase = tuple[float, int, dict[str, Any] | None, int]
CLASSIFIER_CASES_VISIBLE: tuple[ClassifierCase, ...] = (
    (0.005, 3, None, 1),
    (0.05, 5, {"factor": 0.5, "patience": 0, "threshold": 0.1}, 2),
)
VAL_LOSS_RTOL = 1e-4
HISTORY_KEYS = ("lr", "val_loss", "val_accuracy")
CLASSIFIER_ADVICE = ("the run differs from the reference loop: build the model with "
                     "make_classifier(seed), use Adam with lr, the batches of "
                     "epoch_batches(epoch, seed) in order, record the lr each epoch trains "
                     "with, and give the optimiser the lr scheduler.step(val_loss) returns.")
ARCHITECTURE = "the 2 → 32 → 32 → 1 net make_classifier(seed) builds"


def _forbid_reference_trainer(function: Any) -> None:
    """train_classifier may use lrcore's data, model and batches, not lrcore's trainer."""
    if not callable(function):
        raise CheckFailed(f"train_classifier should be a function, but it is a "
                          f"{type(function).__name__}.")
    forbidden = {classification.train_classifier, classification.train_classifier_variant,
                 classification._train}
    origin = getattr(function, "__module__", None)
    if any(function is f for f in forbidden) or (
            isinstance(origin, str) and origin.split(".")[0] in REFERENCE_PACKAGES):
        raise CheckFailed("train_classifier is lrcore's reference; the exercise is to write the "
                          "training loop yourself.")
    code = getattr(function, "__code__", None)
    if code is None:
        return
    namespace = getattr(function, "__globals__", {})
    stack = [code]
    while stack:
        current = stack.pop()
        stack.extend(c for c in current.co_consts if inspect.iscode(c))
        for used in current.co_names:
            value = namespace.get(used)
            if any(value is f for f in forbidden) or (value is classification and any(
                    n in current.co_names for n in ("train_classifier",
                                                    "train_classifier_variant"))):
                raise CheckFailed("train_classifier calls lrcore's train_classifier; the exercise "
                                  "is to write the training loop yourself.")


def _history(result: Any, call: str) -> tuple[Any, dict[str, np.ndarray]]:
    keys = ", ".join(map(repr, HISTORY_KEYS))
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (model, history), got "
                          f"{type(result).__name__}.",
                          diagnosis="the function should return a pair (model, history).")
    model, history = result
    if not isinstance(history, Mapping):
        raise CheckFailed(f"The history returned by {call} should be a dict with the keys "
                          f"{keys}, got {type(history).__name__}.",
                          diagnosis=f"the history should be a dict with the keys {keys}.")
    missing = [key for key in HISTORY_KEYS if key not in history]
    if missing:
        raise CheckFailed(f"The history returned by {call} has no {', '.join(map(repr, missing))}"
                          f"; it needs one value per epoch for each of {keys}.",
                          diagnosis=f"the history needs one value per epoch for each of {keys}.")
    return model, {key: to_float_array(history[key], f"history[{key!r}] of {call}")
                   for key in HISTORY_KEYS}


def _classifier_diagnosis(history: dict[str, np.ndarray], case: ClassifierCase,
                          reference: classification.ClassifierRun) -> str | None:
    lr, epochs, plateau, seed = case
    lrs = history["lr"]
    if plateau is not None:
        ahead = np.array(reference.lrs[1:] + (reference.next_lr,))
        if not arrays_match(ahead, np.array(reference.lrs), 1e-9, 0.0) and arrays_match(
                lrs, ahead, 1e-9, 0.0):
            return ("Your lr list is one epoch ahead: record the lr an epoch trains with before "
                    "its batches; the lr the scheduler returns belongs to the next epoch.")
        unapplied = classification.train_classifier_variant(lr, epochs, plateau, seed,
                                                            apply_lr=False)
        if arrays_match(history["val_loss"], np.array(unapplied.val_loss), VAL_LOSS_RTOL):
            return ("The scheduler's lr never reaches the optimiser: after scheduler.step(...) "
                    "set group['lr'] = new_lr for every group in optimizer.param_groups.")
        by_accuracy = classification.train_classifier_variant(lr, epochs, plateau, seed,
                                                              plateau_metric="val_accuracy")
        if arrays_match(lrs, np.array(by_accuracy.lrs), 1e-9, 0.0) and arrays_match(
                history["val_loss"], np.array(by_accuracy.val_loss), VAL_LOSS_RTOL):
            return ("Your scheduler is stepped with the validation accuracy; it watches a loss "
                    "(mode 'min'): step it with the validation loss.")
    no_zero_grad = classification.train_classifier_variant(lr, epochs, plateau, seed,
                                                           zero_grad=False)
    if same_pattern(history["val_loss"], np.array(no_zero_grad.val_loss), 1e-3):
        return ("The gradients accumulate from batch to batch: call optimizer.zero_grad() before "
                "every backward().")
    return None


def _accuracy_of(model: Any, what: str, X: np.ndarray, y: np.ndarray) -> float:
    """The accuracy of the student's `model` on (X, y), computed by the grader from the model's
    weights (read as data) in its own copy of the architecture."""
    state = recorded_weights(model, what, ARCHITECTURE)
    net = weights_in(state, lambda: classification.make_classifier(0), what, ARCHITECTURE)
    return classification.accuracy(net, X, y)


def _check_classifier_case(train_classifier: Any, case: ClassifierCase) -> None:
    lr, epochs, plateau, seed = case
    scheduler = None if plateau is None else reduce_lr_on_plateau(lr, **plateau)
    shown_scheduler = ("None" if plateau is None else
                       format_call("reduce_lr_on_plateau", (lr,), plateau))
    call = (f"train_classifier(lr={lr}, epochs={epochs}, scheduler={shown_scheduler}, "
            f"seed={seed})")
    result = call_student(train_classifier, "train_classifier", lr, epochs,
                          scheduler=scheduler, seed=seed)
    model, history = _history(result, call)
    reference = _classifier_run(lr, epochs, _frozen(plateau), seed)
    for key, values in history.items():
        if values.shape != (epochs,):
            raise CheckFailed(f"history[{key!r}] of {call} has {values.size} values; it "
                              f"should have one per epoch ({epochs}).",
                              diagnosis=f"history[{key!r}] should have one value per epoch.")
    lrs_right = arrays_match(history["lr"], np.array(reference.lrs), 1e-9, 0.0)
    loss_mismatch = first_mismatch(history["val_loss"], np.array(reference.val_loss),
                                   VAL_LOSS_RTOL, 1e-9)
    accuracy_right = bool(np.all(np.abs(history["val_accuracy"]
                                        - np.array(reference.val_accuracy))
                                 <= 1.01 / classification.N_VAL))
    if lrs_right and loss_mismatch is None and accuracy_right:
        split = classification.quantiles_split()
        own = _accuracy_of(model, f"the model returned by {call}", split.X_val, split.y_val)
        if abs(own - history["val_accuracy"][-1]) > 1.01 / classification.N_VAL:
            last = describe_number(history["val_accuracy"][-1])
            raise CheckFailed(f"The model returned by {call} classifies "
                              f"{describe_number(own)} of the validation points right, but "
                              f"its history ends at {last}: return the trained model.",
                              diagnosis="the model returned is not the one the history "
                              "describes: return the trained model.")
        return
    diagnosis = _classifier_diagnosis(history, case, reference)
    if diagnosis:
        raise CheckFailed(f"{call}: {diagnosis}", diagnosis=diagnosis)
    if not lrs_right and loss_mismatch is None:
        epoch = int(np.argmin(np.isclose(history["lr"], reference.lrs, rtol=1e-9, atol=0)))
        fix = ("Record the lr each epoch trains with, and after each epoch set the lr returned "
               "by scheduler.step(val_loss).")
        raise CheckFailed(
            f"{call}: history['lr'][{epoch}] is {describe_number(history['lr'][epoch])}, it "
            f"should be {describe_number(reference.lrs[epoch])}. {fix}",
            diagnosis=f"the lrs of the history are wrong. {fix}")
    if loss_mismatch is not None:
        epoch = loss_mismatch.index or 0
        advice = ("Already after the first epoch: build the model with "
                  "make_classifier(seed), use Adam with lr, the batches of "
                  "epoch_batches(epoch, seed) in order, and the mean "
                  "binary_cross_entropy_with_logits of model(X).squeeze(1)."
                  if epoch == 0 else
                  "The first epochs agree: check what changes from one epoch to the next "
                  "(the lr from the scheduler, the batches of each epoch).")
        raise CheckFailed(
            f"{call}: the validation loss after epoch {epoch} is "
            f"{describe_number(history['val_loss'][epoch])}, it should be "
            f"{describe_number(reference.val_loss[epoch])}. {advice}",
            diagnosis=f"the validation losses differ from the reference. {advice}")
    fix = "count a point as class 1 when its logit is > 0 and divide by the number of points."
    raise CheckFailed(f"{call}: the validation accuracies are "
                      f"{np.round(history['val_accuracy'], 4).tolist()}, they should be "
                      f"{np.round(reference.val_accuracy, 4).tolist()}: {fix}",
                      diagnosis=f"the validation accuracies are wrong: {fix}")


@judged
def check_train_classifier(train_classifier: Any, hidden: bool = False) -> None:
    """train_classifier(lr, epochs, scheduler=None, seed=0) → (model, history) equal to
    lrcore.classification.train_classifier: same lrs, val losses (rtol 1e-4), accuracies; the
    returned model is the trained one (its accuracy, computed from its weights, ends the
    history)."""
    _forbid_reference_trainer(train_classifier)
    if not hidden:
        for case in CLASSIFIER_CASES_VISIBLE:
            _check_classifier_case(train_classifier, case)
    else:
        for drawn in hidden_cases("ps05.train_classifier"):
            with hidden_case(drawn, CLASSIFIER_ADVICE):
                params = drawn.params
                plateau = None if params["plateau"] is None else dict(params["plateau"])
                _check_classifier_case(train_classifier, (params["lr"], int(params["epochs"]),
                                                          plateau, int(params["seed"])))
    passed("train_classifier reproduces the reference runs (lrs, validation losses, accuracies)"
           + (" for unseen lrs, schedules and seeds." if hidden else "."))


# The accuracy each run must reach (lower bound) or stay under (upper bound).
ACCURACY_BOUNDS: dict[str, tuple[float, float]] = {
    "lr 0.5": (0.0, 0.6),
    "lr 0.005": (0.95, 1.0),
    "lr 1e-05": (0.0, 0.6),
    "plateau from 0.05": (0.98, 1.0),
}
ACCURACY_ADVICE = {
    "lr 0.5": "With lr 0.5 every Adam step overshoots: the run should end near chance (≈ 0.5). "
    "Check that this run really uses lr = 0.5.",
    "lr 1e-05": "With lr 1e-5 the net barely moves in 50 epochs: it should stay near chance "
    "(≈ 0.5). Check that this run really uses lr = 1e-5 and 50 epochs.",
    "lr 0.005": "lr 0.005 for 50 epochs should reach at least 0.95: check the run's settings "
    "(make_classifier(SEED), Adam, 50 epochs, batches of 50).",
    "plateau from 0.05": "ReduceLROnPlateau from 0.05 (factor 0.5, patience 10, min_lr 1e-5, 100 "
    "epochs) should reach at least 0.98: check that the scheduler steps with the validation "
    "loss and that its lr reaches the optimiser.",
}


@judged
def check_test_accuracies(test_accuracy: Any, runs: Any) -> None:
    """The four runs: their models give the stated test accuracies, which are ≈ 0.5, ≥ 0.95,
    ≈ 0.5 and ≥ 0.98; the histories have the asked lengths and lrs."""
    names = list(classification.COURSE_RUNS)
    for what, container in (("test_accuracy", test_accuracy), ("runs", runs)):
        if not isinstance(container, Mapping):
            raise CheckFailed(f"{what} should be a dict keyed by the run names "
                              f"{', '.join(map(repr, names))}, got {type(container).__name__}.")
        missing = [n for n in names if n not in container]
        if missing:
            raise CheckFailed(f"{what} has no entry for {', '.join(map(repr, missing))}; use the "
                              "names of CLASSIFIER_RUNS as keys.")
    split = classification.quantiles_split()
    for name in names:
        settings = classification.COURSE_RUNS[name]
        model, history = _history(runs[name], f"runs[{name!r}]")
        lrs = history["lr"]
        if lrs.size != settings["epochs"]:
            raise CheckFailed(f"runs[{name!r}] has {lrs.size} epochs; this run trains for "
                              f"{settings['epochs']}.")
        if not math.isclose(lrs[0], settings["lr"], rel_tol=1e-9):
            raise CheckFailed(f"runs[{name!r}] starts with lr {describe_number(lrs[0])}; it "
                              f"should start at {settings['lr']}.")
        if settings["plateau"] is None and not np.allclose(lrs, settings["lr"], rtol=1e-9):
            raise CheckFailed(f"runs[{name!r}] should keep its lr constant.")
        stated = to_float(test_accuracy[name], f"test_accuracy[{name!r}]")
        actual = _accuracy_of(model, f"the model of runs[{name!r}]", split.X_test, split.y_test)
        if abs(stated - actual) > 1.01 / classification.N_TEST:
            raise CheckFailed(f"test_accuracy[{name!r}] is {describe_number(stated)}, but the "
                              f"model of runs[{name!r}] classifies {describe_number(actual)} of "
                              "the test points right: compute it from the model, on X_test.")
        low, high = ACCURACY_BOUNDS[name]
        if not low <= actual <= high:
            bound = f"at least {low}" if low > 0 else f"at most {high}"
            raise CheckFailed(f"The {name!r} run reaches a test accuracy of "
                              f"{describe_number(actual)}; it should be {bound}. "
                              f"{ACCURACY_ADVICE[name]}")
    passed("The four runs reach the expected test accuracies: ≈ 0.5 for lr 0.5 and 1e-5, ≥ 0.95 "
           "for lr 0.005 and ≥ 0.98 with ReduceLROnPlateau.")


def _filled_field(panel: Any) -> Any | None:
    """A filled contour, mesh or image drawn on the panel (what shows P(y = 1))."""
    from matplotlib.collections import QuadMesh
    from matplotlib.contour import ContourSet

    for artist in list(panel.collections) + list(panel.images):
        if isinstance(artist, ContourSet) and getattr(artist, "filled", False):
            return artist
        if isinstance(artist, QuadMesh) or artist in panel.images:
            return artist
    return None


def _field_range(artist: Any) -> tuple[float, float]:
    from matplotlib.contour import ContourSet

    if isinstance(artist, ContourSet):
        # the data's range (its outer levels may round past it: 0 to 1.05 for data in [0, 1])
        if hasattr(artist, "zmin") and hasattr(artist, "zmax"):
            return float(artist.zmin), float(artist.zmax)
        levels = np.asarray(artist.levels, dtype=float)
        return float(levels.min()), float(levels.max())
    values = np.ma.masked_invalid(np.asarray(artist.get_array(), dtype=float))
    return float(values.min()), float(values.max())


def _run_of_title(title: str) -> str | None:
    if "plateau" in title.lower():
        return "plateau from 0.05"
    numbers = plots.numbers_in(title)
    for name in ("lr 0.5", "lr 0.005", "lr 1e-05"):
        lr = classification.COURSE_RUNS[name]["lr"]
        if any(math.isclose(number, lr, rel_tol=1e-9) for number in numbers):
            return name
    return None


@judged
def check_boundary_figure(fig_boundaries: Any) -> None:
    """Four panels, one per run (named in the title), each a filled contour (or mesh/image)
    of P(y = 1) in [0, 1] covering [−1.5, 1.5]²."""
    panels = plots.panels_of(fig_boundaries, "fig_boundaries")
    plots.check_panel_count(panels, len(classification.COURSE_RUNS), "fig_boundaries")
    seen: dict[str, Any] = {}
    limit = classification.GRID_LIMIT
    for panel in panels:
        title = panel.get_title()
        name = _run_of_title(title)
        if name is None:
            raise CheckFailed(f"A panel of fig_boundaries is titled {title!r}; each title should "
                              "name its run: its lr (0.5, 0.005, 1e-05) or 'plateau'.")
        if name in seen:
            raise CheckFailed(f"Two panels of fig_boundaries show the run {name!r}.")
        seen[name] = panel
        field = _filled_field(panel)
        where = f"the {name!r} panel of fig_boundaries"
        if field is None:
            raise CheckFailed(f"{where.capitalize()} has no filled contour: draw P(y = 1) with "
                              "ax.contourf(xs, ys, P) (or pcolormesh / imshow).")
        low, high = _field_range(field)
        if low < -1e-6 or high > 1 + 1e-6:
            raise CheckFailed(f"{where.capitalize()} shows values from {describe_number(low)} to "
                              f"{describe_number(high)}; P(y = 1) lies in [0, 1] — apply the "
                              "sigmoid to the logits (probability_grid does).")
        x_low, x_high = sorted(panel.get_xlim())
        y_low, y_high = sorted(panel.get_ylim())
        tolerance = 0.05 * limit
        if (x_low > -limit + tolerance or x_high < limit - tolerance
                or y_low > -limit + tolerance or y_high < limit - tolerance):
            raise CheckFailed(f"{where.capitalize()} covers x ∈ [{x_low:.2f}, {x_high:.2f}], "
                              f"y ∈ [{y_low:.2f}, {y_high:.2f}]; it should cover "
                              f"[−{limit}, {limit}]².")
    passed("fig_boundaries shows P(y = 1) of the four runs over [−1.5, 1.5]².")


@judged
def check_plateau_figure(fig_plateau: Any, plateau_run: Any) -> None:
    """Two panels: the validation loss and the lr of the plateau run, per epoch."""
    _, history = _history(plateau_run, "plateau_run")
    panels = plots.panels_of(fig_plateau, "fig_plateau")
    plots.check_panel_count(panels, 2, "fig_plateau")
    left, right = panels
    for panel, where in ((left, "the left panel of fig_plateau"),
                         (right, "the right panel of fig_plateau")):
        plots.check_axis_label(panel, "x", ("epoch",), where)
        plots.check_title(panel, where)
    plots.check_axis_label(left, "y", ("loss",), "the left panel of fig_plateau")
    plots.check_axis_label(right, "y", ("learning rate", "lr"), "the right panel of fig_plateau")
    n = history["lr"].size
    epochs = [np.arange(0, n, dtype=float), np.arange(1, n + 1, dtype=float)]
    for panel, key, what in ((left, "val_loss", "the validation loss"),
                             (right, "lr", "the learning rate")):
        values = history[key]
        found = False
        for line in panel.get_lines():
            x = np.asarray(line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            if y.size == n + 1 and key == "lr":  # a steps-post line repeats the last value
                x, y = x[:n], y[:n]
            if arrays_match(y, values) and any(arrays_match(x, e) for e in epochs):
                found = True
        if not found:
            side = "left" if key == "val_loss" else "right"
            raise CheckFailed(f"The {side} panel of fig_plateau should draw {what} of "
                              f"plateau_run (history[{key!r}]) against the epoch; no line "
                              "matches it.")
    passed("fig_plateau shows the validation loss and the lr of the plateau run.")


# --- the plateau challenge ----------------------------------------------------------------------

CHALLENGE_SEED_VISIBLE = 0
CHALLENGE_ADVICE = ("your config does not pass the challenge with this seed: choose a schedule "
                    "that does not rely on luck.")


def _challenge_config(challenge_config: Any) -> dict[str, Any]:
    """The student's config as plain data, validated (`lrcore.challenge_config`): what the
    grader will run. A function that returns the config is called (a recorded call); the
    config is then seen as the grader reads it from the record — objects that are not data
    become stand-ins, in the kernel as in the judge, so both refuse the same configs."""
    config = challenge_config
    if callable(config):
        config = call_student(config, "challenge_config")
    seen = decode(encode(config))
    if _holds_object(seen):
        fix = ("the grader reads only dicts, lists, strings and numbers (a copy of "
               "BASELINE_CONFIG keeps its read-only inner dict: write your config as a new dict).")
        raise CheckFailed(f"challenge_config is not plain data: {fix}",
                          diagnosis=f"challenge_config is not plain data: {fix}")
    try:
        return plateau_challenge.validate_config(seen)
    except ValueError as error:
        raise CheckFailed(f"challenge_config is not a valid config: {error}.",
                          diagnosis=f"challenge_config is not a valid config: {error}.") from None


def _holds_object(value: Any, depth: int = 0) -> bool:
    """Whether a value read from a record holds an object that is not data (a stand-in) other
    than a function (the config's validation names those)."""
    if isinstance(value, StandIn):
        return not callable(value)
    if isinstance(value, Mapping) and depth < 8:
        return any(_holds_object(item, depth + 1) for item in (*value.keys(), *value.values()))
    if isinstance(value, list | tuple) and depth < 8:
        return any(_holds_object(item, depth + 1) for item in value)
    return False


def _challenge_run(config: dict[str, Any], seed: int) -> plateau_challenge.ChallengeRun:
    """The grader's own run of the challenge (the config is validated plain data, so this is
    the course's code on data; its ranges bound the run's time)."""
    try:
        with warnings.catch_warnings(), redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return plateau_challenge.run_challenge(config, seed=seed)
    except Exception as error:  # torch refuses a combination of options
        said = " ".join(str(error).split())[:200]
        fix = "run run_challenge(challenge_config) in your notebook to see torch's error."
        raise CheckFailed(f"torch could not run challenge_config ({type(error).__name__}: "
                          f"{said}); {fix}",
                          diagnosis=f"torch could not run challenge_config; {fix}") from None


def _judge_challenge_run(run: plateau_challenge.ChallengeRun, seed: int, rerun: bool) -> None:
    val, train = run.final_val_accuracy, run.final_train_accuracy
    target, ceiling = plateau_challenge.VAL_TARGET, plateau_challenge.TRAIN_CEILING
    lrs = run.lrs
    constant = bool(np.allclose(lrs, lrs[0], rtol=1e-12)) and run.config["scheduler"] is None
    if constant and run.meets_target:
        # A well-tuned constant Adam can reach the target too; the challenge is the schedule.
        fix = ("the lr never changes: this challenge is about the schedule. Add a scheduler "
               "that lowers the lr once the validation accuracy stalls.")
        raise CheckFailed(
            f"With challenge_config (seed {seed}) the validation accuracy is "
            f"{describe_number(val)}, but {fix}", diagnosis=fix)
    if not run.meets_target:
        hint = (" The lr never changes: let a scheduler lower it once the accuracy stalls."
                if constant else " Look at your curve: does the lr drop once the validation "
                "accuracy stalls, and does it stay large enough before that?")
        luck = (" The hidden test reruns your config with another seed: choose a schedule that "
                "does not rely on luck." if rerun else "")
        raise CheckFailed(
            f"With challenge_config (seed {seed}) the final validation accuracy is "
            f"{describe_number(val)}; the target is {target}.{hint}{luck}",
            diagnosis=f"the final validation accuracy stays under the target {target}.{hint}"
            f"{luck}")
    if not run.under_ceiling:
        fix = ("about 28 % of the training labels are wrong, so the model is learning wrong "
               "labels by heart. Stop the lr from staying large for so long, or train less "
               "aggressively.")
        raise CheckFailed(
            f"With challenge_config (seed {seed}) the training accuracy is "
            f"{describe_number(train)}, above the ceiling {ceiling}: {fix}",
            diagnosis=f"the training accuracy ends above the ceiling {ceiling}: {fix}")


@judged
def check_challenge_config(challenge_config: Any, hidden: bool = False) -> None:
    """Run the fixed digits model with the student's config (plain data, validated: a config
    holding a function earns nothing); the final validation accuracy must reach VAL_TARGET and
    the training accuracy stay ≤ TRAIN_CEILING — with seed 0, or with the drawn seeds."""
    config = _challenge_config(challenge_config)
    target, ceiling = plateau_challenge.VAL_TARGET, plateau_challenge.TRAIN_CEILING
    if not hidden:
        seed = CHALLENGE_SEED_VISIBLE
        run = _challenge_run(config, seed)
        _judge_challenge_run(run, seed, rerun=False)
        passed(f"Challenge passed with seed {seed}: validation accuracy "
               f"{run.final_val_accuracy:.3f} ≥ {target}, training accuracy "
               f"{run.final_train_accuracy:.3f} ≤ {ceiling}.")
        return
    for case in hidden_cases("ps05.challenge_config"):
        with hidden_case(case, CHALLENGE_ADVICE):
            seed = int(case.params)
            _judge_challenge_run(_challenge_run(config, seed), seed, rerun=True)
    passed(f"Challenge passed with another seed too: validation accuracy ≥ {target}, training "
           f"accuracy ≤ {ceiling}.")
