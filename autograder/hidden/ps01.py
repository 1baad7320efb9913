"""Hidden-case pools of ps01 "Constant learning rate on x²".

Each pool names the check that reads it (`lrchecks.ps01`) and what its params are. The edge
cases every student runs are the ones the task names (lr = 0, an integer x0, the stability limit
lr = 1/a, a start already within tolerance, a negative lr, several noisy runs at once, a valley
whose steep direction is y); the drawn cases cover the regimes of a constant lr — shrinking,
oscillating, diverging — at other curvatures, starts and lengths, noisy runs with constant and
decaying learning rates, and valleys of other curvatures.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.hidden.case_numbers import log_uniform, rounded
from autograder.hidden.pools import Case, PoolSpec
from autograder.hidden.validate import (
    descent_float32,
    leaves_float32_range,
    matches,
    regression_float64,
)
from lrchecks.diagnosis.noisy import NOISY_RUN_MISTAKES
from lrchecks.diagnosis.quadratic import QUADRATIC_MISTAKES
from lrchecks.diagnosis.regression import REGRESSION_MISTAKES
from lrchecks.diagnosis.valley import VALLEY_MISTAKES
from lrcore import curvature, noisy_gradient, quadratic, regression

__all__ = ["SPECS", "TORCH_MISTAKES"]

BY_HAND_MISTAKES = ("sign_flipped", "gradient_without_factor_two", "lr_multiplies_x",
                    "one_step_too_many", "one_step_too_few", "history_before_step",
                    "integer_x", "integer_history")
TORCH_MISTAKES = (*BY_HAND_MISTAKES[:6], "missing_zero_grad")
"""The x² mistakes a torch `optimize` can make (`lrchecks.diagnosis.quadratic`); ps02's
`optimize` pool checks them too."""


def _regime(rng: np.random.Generator, a: float) -> tuple[str, float]:
    """A constant lr of one of the three regimes on a·x², with its words."""
    regime = rng.choice(["shrinking", "oscillating", "diverging"])
    if regime == "shrinking":
        return "a run that shrinks x step by step", rounded(rng.uniform(0.05, 0.9) / (2 * a))
    if regime == "oscillating":
        return ("a run that oscillates around 0 while it converges",
                rounded(rng.uniform(1.1, 1.95) / (2 * a)))
    return "a diverging run", rounded(rng.uniform(1.02, 1.3) / a)


def _curvature(rng: np.random.Generator) -> float:
    return 1.0 if rng.random() < 0.5 else log_uniform(rng, 0.2, 5.0, 2)


def _start(rng: np.random.Generator) -> float:
    return float(rng.choice([-1, 1])) * log_uniform(rng, 0.5, 1e4)


def _with_curvature(kind: str, a: float) -> str:
    return kind if a == 1.0 else f"{kind}, on a·x² with a ≠ 1"


# --- gradient_descent_numpy(lr, num_iterations, x0, a) ------------------------------------------

def _by_hand_candidate(rng: np.random.Generator) -> Case:
    a = _curvature(rng)
    kind, lr = _regime(rng, a)
    steps = int(rng.integers(5, 31)) if kind != "a diverging run" else int(rng.integers(5, 21))
    return {"kind": _with_curvature(kind, a), "params": [lr, steps, _start(rng), a]}


def _descent_problems(reference: np.ndarray, lr: float, steps: int, start: object,
                      curvature: object) -> str:
    """Why a case of gradient descent with a constant lr is not pooled — its reference run
    leaves float32's range, or the same run in float32 torch differs from it beyond the
    tolerance — or "" if it is usable. x² is the valley of one coordinate."""
    if leaves_float32_range(reference):
        return "the run leaves float32's range"
    if not matches(descent_float32([lr] * steps, start, curvature), reference):
        return "a float32 run differs from the float64 reference beyond the tolerance"
    return ""


def _run_problems(params: list) -> str:
    lr, steps, x0, a = params
    return _descent_problems(quadratic.gradient_descent(lr, steps, x0, a), lr, steps, x0, a)


def _missed(params: list, names: tuple[str, ...], torch_run: bool) -> set[str]:
    lr, steps, x0, a = params
    reference = (quadratic.optimize(lr, steps, x0)[0] if torch_run
                 else quadratic.gradient_descent(lr, steps, x0, a))
    return {name for name in names
            if matches(QUADRATIC_MISTAKES[name](lambda _t: lr, steps, x0, a)[0], reference)}


BY_HAND = PoolSpec(
    name="ps01.gradient_descent_numpy",
    always=(
        {"kind": "a learning rate of 0", "params": [0.0, 5, 7.0, 1.0]},
        {"kind": "an integer starting point", "params": [0.2, 9, 500, 1.0]},
        {"kind": "a steeper parabola (a > 1)", "params": [0.05, 30, 3.0, 4.0]},
    ),
    draw=4, size=24, seed=101,
    candidate=_by_hand_candidate,
    problems=lambda case: _run_problems(case["params"]),
    missed=lambda case: _missed(case["params"], BY_HAND_MISTAKES, torch_run=False),
)

# --- optimize(initial_lr, num_iterations, x0) with torch.optim.SGD -------------------------------

def _torch_candidate(rng: np.random.Generator) -> Case:
    kind, lr = _regime(rng, 1.0)
    steps = int(rng.integers(5, 26)) if kind != "a diverging run" else int(rng.integers(5, 16))
    return {"kind": kind, "params": [lr, steps, _start(rng)]}


TORCH = PoolSpec(
    name="ps01.optimize",
    always=(
        {"kind": "a learning rate of 0", "params": [0.0, 5, 7.0]},
        {"kind": "the stability limit lr = 1/a", "params": [1.0, 6, 2.0]},
        {"kind": "an integer starting point", "params": [0.2, 9, 500]},
    ),
    draw=3, size=20, seed=102,
    candidate=_torch_candidate,
    problems=lambda case: _run_problems([*case["params"], 1.0]),
    missed=lambda case: _missed([*case["params"], 1.0], TORCH_MISTAKES, torch_run=True),
)

# --- divergence_threshold(a) and find_divergence_threshold(a) ----------------------------------

THRESHOLD_MISTAKES = {"1/(2a)": lambda a: 1 / (2 * a), "a": lambda a: a, "2/a": lambda a: 2 / a,
                      "1": lambda a: 1.0}


def _curvature_candidate(rng: np.random.Generator) -> Case:
    a = log_uniform(rng, 0.05, 20.0, 2)
    kind = "a flatter parabola (a < 1)" if a < 1 else "a steeper parabola (a > 1)"
    return {"kind": kind, "params": a}


def _threshold_missed(case: Case) -> set[str]:
    a = case["params"]
    return {name for name, model in THRESHOLD_MISTAKES.items()
            if math.isclose(model(a), quadratic.stability_bound(a), rel_tol=1e-3)}


ON_PAPER = PoolSpec(
    name="ps01.divergence_threshold", always=(), draw=3, size=16, seed=103,
    candidate=_curvature_candidate, problems=lambda case: "", missed=_threshold_missed)
BY_EXPERIMENT = PoolSpec(
    name="ps01.find_divergence_threshold", always=(), draw=3, size=16, seed=104,
    candidate=_curvature_candidate, problems=lambda case: "", missed=_threshold_missed)

# --- iterations_needed(lr, x0, tol, a) ----------------------------------------------------------

def _iterations_candidate(rng: np.random.Generator) -> Case:
    a = _curvature(rng)
    kind, lr = _regime(rng, a)
    tol = float(rng.choice([1e-2, 1e-3, 1e-4, 1e-6]))
    x0 = float(rng.choice([-1, 1])) * log_uniform(rng, 0.1, 1e7)
    kind = "a run that never gets within tol" if kind == "a diverging run" else kind
    return {"kind": _with_curvature(kind, a), "params": [lr, x0, tol, a]}


def _iterations_problems(case: Case) -> str:
    lr, x0, tol, a = case["params"]
    expected = quadratic.iterations_to_tolerance(lr, x0, tol, a)
    if expected is None:
        return ""
    x = np.float32(x0)
    for _ in range(expected):  # a float32 count must agree
        x = np.float32(x - np.float32(lr) * (np.float32(2 * a) * x))
    factor = abs(1 - 2 * a * lr)
    after = abs(x0) * factor**expected
    before = abs(x0) * factor ** (expected - 1) if expected else math.inf
    if not abs(x) < tol or after > tol * (1 - 1e-4) or before < tol * (1 + 1e-4):
        return "the count depends on rounding (|x| lands within 0.01 % of tol)"
    return ""


def _iterations_missed(case: Case) -> set[str]:
    lr, x0, tol, a = case["params"]
    expected = quadratic.iterations_to_tolerance(lr, x0, tol, a)
    models = {"one step too many": None if expected is None else expected + 1,
              "one step too few": None if expected is None else expected - 1,
              "a count where none exists": 100_000 if expected is None else expected}
    return {name for name, value in models.items() if value == expected}


ITERATIONS = PoolSpec(
    name="ps01.iterations_needed",
    always=(
        {"kind": "a start already within tol", "params": [0.3, 1e-4, 1e-3, 1.0]},
        {"kind": "the stability limit lr = 1/a", "params": [1.0, 5.0, 1e-3, 1.0]},
        {"kind": "a negative learning rate", "params": [-0.1, 5.0, 1e-3, 1.0]},
    ),
    draw=4, size=24, seed=105,
    candidate=_iterations_candidate, problems=_iterations_problems, missed=_iterations_missed)

# --- train_linear_regression(X, y, lr, epochs) ---------------------------------------------------

def _regression_candidate(rng: np.random.Generator) -> Case:
    lr = log_uniform(rng, 0.005, 0.6, 2)
    kind = ("another data set and a small learning rate" if lr < 0.05
            else "another data set and a large learning rate")
    return {"kind": kind, "params": [int(rng.integers(1, 60)), lr, int(rng.integers(10, 46))]}


def _regression_reference(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    seed, lr, epochs = case["params"]
    X, y = regression.linear_regression_data(seed=seed)
    return X, y, np.asarray(regression.train_linear_regression(X, y, lr, epochs)), lr, epochs


def _regression_problems(case: Case) -> str:
    X, y, reference, lr, epochs = _regression_reference(case)
    if not matches(regression_float64(X, y, lr, epochs), reference):
        return "a float64 numpy run differs from the float32 torch reference beyond the tolerance"
    return ""


def _regression_missed(case: Case) -> set[str]:
    X, y, reference, lr, epochs = _regression_reference(case)
    return {name for name, model in REGRESSION_MISTAKES.items()
            if matches(model(X, y, lr, epochs), reference)}


REGRESSION = PoolSpec(
    name="ps01.train_linear_regression", always=(), draw=3, size=12, seed=106,
    candidate=_regression_candidate, problems=_regression_problems, missed=_regression_missed)

# --- noisy_descent(lrs, x0, noise, a) ---------------------------------------------------------

def _noisy_candidate(rng: np.random.Generator) -> Case:
    a = _curvature(rng)
    steps = int(rng.integers(4, 16))
    runs = None if rng.random() < 0.5 else int(rng.integers(2, 5))
    lr0 = rounded(rng.uniform(0.05, 0.9) / (2 * a))
    decaying = bool(rng.random() < 0.5)
    tau = float(rng.integers(2, 8))
    lrs = [rounded(lr0 / (1 + t / tau)) for t in range(steps)] if decaying else [lr0] * steps
    std = log_uniform(rng, 0.1, 5.0, 2)
    noise = np.round(std * rng.standard_normal((steps,) if runs is None else (steps, runs)), 3)
    kind = ("several noisy runs at once" if runs else "a noisy run") + (
        " with a decaying learning rate" if decaying else " with a constant learning rate")
    return {"kind": _with_curvature(kind, a),
            "params": [lrs, _start(rng) if rng.random() < 0.8 else int(rng.integers(-9, 10)),
                       noise.tolist(), a]}


def _noisy_problems(case: Case) -> str:
    lrs, x0, noise, a = case["params"]
    reference = noisy_gradient.noisy_descent(lrs, x0, noise, a)
    if leaves_float32_range(reference):
        return "the run leaves float32's range"
    expanded = noisy_mistake_free_expanded(lrs, x0, noise, a)
    if not matches(expanded, reference) or not matches(descent_float32(lrs, x0, a, noise),
                                                       reference):
        return "another correct arithmetic differs from the reference beyond the tolerance"
    return ""


def noisy_mistake_free_expanded(lrs: list, x0: float, noise: list, a: float) -> np.ndarray:
    """The correct update written out, x − lr·2a·x − lr·ξ, in float64 (another order of the
    same arithmetic)."""
    kicks = np.asarray(noise, dtype=np.float64)
    x = np.full(kicks.shape[1:], float(x0))
    history = []
    for lr, kick in zip(lrs, kicks, strict=True):
        x = x - lr * 2 * a * x - lr * kick
        history.append(x)
    return np.asarray(history)


def _noisy_missed(case: Case) -> set[str]:
    lrs, x0, noise, a = case["params"]
    reference = noisy_gradient.noisy_descent(lrs, x0, noise, a)
    kicks = np.asarray(noise, dtype=np.float64)
    return {name for name, model in NOISY_RUN_MISTAKES.items()
            if matches(model(lrs, x0, kicks, a), reference)}


NOISY = PoolSpec(
    name="ps01.noisy_descent",
    always=(
        {"kind": "a learning rate of 0", "params": [[0.0] * 4, 3.5, [0.4, -1.2, 0.7, 2.0], 1.0]},
        {"kind": "several noisy runs at once, from an integer start",
         "params": [[0.15, 0.1, 0.075, 0.06, 0.05], -6,
                    [[1.2, -0.3], [0.5, 0.9], [-2.1, 0.4], [0.0, -1.6], [0.8, 0.2]], 2.0]},
    ),
    draw=4, size=24, seed=107,
    candidate=_noisy_candidate, problems=_noisy_problems, missed=_noisy_missed)

# --- descent_2d(lr, num_iterations, start, curvatures) ------------------------------------------

def _valley_candidate(rng: np.random.Generator) -> Case:
    steep, flat = (log_uniform(rng, lo, hi, 2)
                   for lo, hi in ((0.5, 10.0), (0.01, 0.2)))
    curvatures = [steep, flat] if rng.random() < 0.5 else [flat, steep]
    kind, lr = _regime(rng, steep)
    kind = {"a run that shrinks x step by step": "a valley run below the stability limit",
            "a run that oscillates around 0 while it converges":
                "a valley run that zig-zags along the steep direction",
            "a diverging run": "a valley run that diverges along the steep direction"}[kind]
    steps = int(rng.integers(3, 16))
    start = [_start(rng), _start(rng)] if rng.random() < 0.7 else [
        int(rng.integers(-20, 21)) or 1, int(rng.integers(-20, 21)) or -1]
    return {"kind": kind, "params": [lr, steps, start, curvatures]}


def _valley_problems(case: Case) -> str:
    lr, steps, start, curvatures = case["params"]
    return _descent_problems(curvature.descent_2d(lr, steps, start, curvatures), lr, steps,
                             start, curvatures)


def _valley_missed(case: Case) -> set[str]:
    lr, steps, start, curvatures = case["params"]
    reference = curvature.descent_2d(lr, steps, start, curvatures)
    return {name for name, model in VALLEY_MISTAKES.items()
            if matches(model(lr, steps, start, curvatures), reference)}


VALLEY = PoolSpec(
    name="ps01.descent_2d",
    always=(
        {"kind": "a valley whose steep direction is y, from an integer start",
         "params": [0.2, 6, [3, -2], [0.25, 2.0]]},
    ),
    draw=3, size=16, seed=108,
    candidate=_valley_candidate, problems=_valley_problems, missed=_valley_missed)

SPECS = (BY_HAND, TORCH, ON_PAPER, BY_EXPERIMENT, ITERATIONS, REGRESSION, NOISY, VALLEY)
