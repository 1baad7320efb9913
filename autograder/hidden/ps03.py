"""Hidden-case pools of ps03 "Learning rate and batch size".

Each pool names the check that reads it (`lrchecks.ps03`) and what its params are. The edge
cases every student runs are the ones the task names — a base lr of 0, the default base batch
size, a batch below the base; no warmup (k = 0) and a one-step warmup; no scaling rule; a falling
lr range and only two lrs; β = 0 and the default β; a range test that never diverges; a curve
whose minimum is its last point. The drawn cases are other lrs, batch sizes, warmups, sweeps
(one cheap epoch: the check judges the settings of the runs, never trains), lr ranges, loss
curves and toy range tests.

A case is kept only if the correct ways to compute it — float64 in another order, float32 numpy,
float32 torch — pass the check, and if it catches every modelled mistake
(`lrchecks.diagnosis.batch_size`) that no edge case catches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.hidden.pools import Case, PoolSpec
from autograder.hidden.validate import matches
from lrchecks.diagnosis import batch_size as mistakes
from lrchecks.ps03 import SCALAR_ATOL, SWEEP_RULES
from lrchecks.values import DEFAULT_RTOL
from lrcore import batch_size, digits, range_test

__all__ = ["SPECS"]

MAX_SWEEP_LR = 3.0
"""A drawn sweep's largest scaled lr: beyond it the toy network's runs are only NaN."""
MAX_RANGE_VALUE = 1e30
"""A toy range test whose losses pass this leaves float32's range in a student's torch code."""
STOP_MARGIN = 1e-4
"""How far every smoothed loss of a pooled range test stays from the stopping threshold
(relative): rounding cannot move the step where a correct range test stops."""


def _round(value: float, digits_: int = 3) -> float:
    """`value` to `digits_` significant digits (cases read like numbers a person writes)."""
    return float(f"{value:.{digits_}g}")


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _passes(value: float, expected: float) -> bool:
    """Whether the checks' single-number comparison (`lrchecks.values.numbers_close`) accepts
    `value`."""
    return bool(np.isclose(value, expected, rtol=DEFAULT_RTOL, atol=SCALAR_ATOL,
                           equal_nan=False))


def _f32(value: float) -> np.float32:
    return np.float32(value)


# --- linear_scaled_lr / sqrt_scaled_lr(base_lr, batch_size, base_batch_size) ------------------
# params: [base_lr, batch_size, base_batch_size or None (the default 256)]

def _scaling_candidate(rng: np.random.Generator) -> Case:
    base_batch = int(rng.choice([8, 10, 16, 20, 24, 32, 50, 64, 100, 128, 512]))
    below = rng.random() < 0.4
    batch = (int(rng.integers(max(1, base_batch // 8), base_batch)) if below
             else int(rng.integers(base_batch + 1, 16 * base_batch)))
    kind = ("a batch smaller than the base batch" if below
            else "a batch larger than the base batch")
    return {"kind": kind, "params": [_round(_log_uniform(rng, 1e-3, 2.0), 2), batch,
                                     base_batch]}


def _scaling_paths(sqrt: bool) -> tuple[Callable[[float, int, int], float], ...]:
    """Correct ways a student computes the rule: float64 in other orders, float32, torch."""
    import torch

    root = np.sqrt if sqrt else (lambda ratio: ratio)
    torch_root = torch.sqrt if sqrt else (lambda ratio: ratio)
    return (
        lambda lr, b, b0: lr * float(root(b / b0)),
        lambda lr, b, b0: float(lr * root(np.float64(b)) / root(np.float64(b0))),
        lambda lr, b, b0: float(_f32(lr) * root(_f32(b) / _f32(b0))),
        lambda lr, b, b0: float(torch.tensor(lr) * torch_root(torch.tensor(float(b)) / b0)),
    )


def _scaling_problems(case: Case, reference: Callable[..., float], sqrt: bool) -> str:
    lr, b, b0 = case["params"]
    expected = reference(lr, b, 256 if b0 is None else b0)
    for path in _scaling_paths(sqrt):
        if not _passes(path(lr, b, 256 if b0 is None else b0), expected):
            return "a correct float32 or float64 path differs beyond the tolerance"
    return ""


def _scaling_missed(case: Case, reference: Callable[..., float],
                    models: dict[str, Callable[[float, float, float], float]]) -> set[str]:
    lr, b, b0 = case["params"]
    base = 256 if b0 is None else b0
    expected = reference(lr, b, base)
    return {name for name, model in models.items() if _passes(model(lr, b, base), expected)}


def _scaling_spec(name: str, always: tuple[Case, ...], seed: int, sqrt: bool) -> PoolSpec:
    reference = batch_size.sqrt_scaled_lr if sqrt else batch_size.linear_scaled_lr
    models = mistakes.SQRT_SCALING_MISTAKES if sqrt else mistakes.LINEAR_SCALING_MISTAKES
    return PoolSpec(
        name=name, always=always, draw=3, size=16, seed=seed,
        candidate=_scaling_candidate,
        problems=lambda case: _scaling_problems(case, reference, sqrt),
        missed=lambda case: _scaling_missed(case, reference, models),
    )


LINEAR = _scaling_spec("ps03.linear_scaled_lr", (
    {"kind": "a base lr of 0", "params": [0.0, 64, 16]},
    {"kind": "the default base_batch_size", "params": [0.1, 8192, None]},
    {"kind": "a batch smaller than the base batch", "params": [1.5, 5, 20]},
), seed=301, sqrt=False)
SQRT = _scaling_spec("ps03.sqrt_scaled_lr", (
    {"kind": "a base lr of 0", "params": [0.0, 64, 16]},
    {"kind": "the default base_batch_size", "params": [0.02, 8, None]},
    {"kind": "a batch smaller than the base batch", "params": [2.5, 5, 20]},
), seed=302, sqrt=True)

# --- warmup_lr(step, target_lr, warmup_steps) ---------------------------------------------------
# params: [target_lr, warmup_steps, [the steps asked, in the order asked]]

def _warmup_candidate(rng: np.random.Generator) -> Case:
    k = int(rng.integers(2, 41))
    inside = rng.integers(1, k, size=2).tolist()
    after = int(k + rng.integers(1, 3 * k + 20))
    steps = sorted({0, k - 1, k, after, *inside})
    if rng.random() < 0.3:
        rng.shuffle(steps)
    kind = "a long warmup" if k >= 15 else "a short warmup"
    return {"kind": kind, "params": [_round(_log_uniform(rng, 0.01, 5.0), 2), k, steps]}


def _warmup_paths() -> tuple[Callable[[int, float, int], float], ...]:
    import torch

    return (
        lambda t, lr, k: lr * min(1.0, (t + 1) / k) if k else lr,
        lambda t, lr, k: (t + 1) * lr / k if t < k else lr,
        lambda t, lr, k: float(_f32(lr) * _f32(t + 1) / _f32(k)) if t < k else lr,
        lambda t, lr, k: float(torch.tensor(lr) * min(1.0, (t + 1) / k)) if k else lr,
    )


def _warmup_problems(case: Case) -> str:
    lr, k, steps = case["params"]
    for path in _warmup_paths():
        if not all(_passes(path(t, lr, k), batch_size.gradual_warmup_lr(t, lr, k))
                   for t in steps):
            return "a correct float32 or float64 path differs beyond the tolerance"
    return ""


def _warmup_missed(case: Case) -> set[str]:
    lr, k, steps = case["params"]
    expected = [batch_size.gradual_warmup_lr(t, lr, k) for t in steps]
    return {name for name, model in mistakes.WARMUP_MISTAKES.items()
            if all(_passes(model(t, lr, k), e) for t, e in zip(steps, expected, strict=True))}


WARMUP = PoolSpec(
    name="ps03.warmup_lr",
    always=(
        {"kind": "no warmup (warmup_steps = 0)", "params": [0.5, 0, [0, 1, 2]]},
        {"kind": "a one-step warmup", "params": [0.8, 1, [0, 1, 5]]},
        {"kind": "steps asked out of order", "params": [1.0, 7, [6, 7, 0]]},
    ),
    draw=3, size=16, seed=303,
    candidate=_warmup_candidate, problems=_warmup_problems, missed=_warmup_missed)

# --- batch_size_sweep(batch_sizes, scaling_rule, warmup_epochs, base_lr, base_batch_size,
#     epochs, seed) -----------------------------------------------------------------------------
# params: {"batch_sizes", "rule" (a name of lrchecks.ps03.SWEEP_RULES or None), "warmup_epochs",
#          "base_lr", "base_batch_size", "epochs", "seed"}. The check compares the settings of
# the runs (lr, warmup steps, batch size, epochs, seed): a student's kernel trains one cheap
# epoch per batch size, the judge trains nothing.

def _sweep_candidate(rng: np.random.Generator) -> Case:
    rule = str(rng.choice(sorted(SWEEP_RULES)))
    base_batch = int(rng.choice([8, 16, 32, 64]))
    count = int(rng.integers(2, 4))
    sizes = sorted(int(b) for b in rng.choice(
        [b for b in range(12, 1025) if b != base_batch], size=count, replace=False))
    params = {"batch_sizes": sizes, "rule": rule, "warmup_epochs": int(rng.integers(1, 4)),
              "base_lr": _round(_log_uniform(rng, 0.005, 0.2), 2), "base_batch_size": base_batch,
              "epochs": 1, "seed": int(rng.integers(1, 10))}
    words = "the linear rule" if rule == "linear_scaled_lr" else "the square-root rule"
    return {"kind": f"{words} with a warmup, on other batch sizes", "params": params}


def _sweep_settings(params: dict[str, Any],
                    lr_and_warmup: Callable[[int], tuple[float, int]]) -> dict[int, tuple]:
    """{batch size: (lr as torch applies it (float32), warmup steps)}: what the check compares."""
    settings = {b: lr_and_warmup(b) for b in params["batch_sizes"]}
    return {b: (float(_f32(lr)), steps) for b, (lr, steps) in settings.items()}


def _sweep_expected(params: dict[str, Any]) -> dict[int, tuple]:
    rule = SWEEP_RULES[params["rule"]] if params["rule"] else None
    return _sweep_settings(params, lambda b: (
        params["base_lr"] if rule is None else rule(params["base_lr"], b,
                                                    params["base_batch_size"]),
        batch_size.warmup_steps_for_epochs(params["warmup_epochs"], digits.steps_per_epoch(b))))


def _sweep_problems(case: Case) -> str:
    params = case["params"]
    if not float(params["warmup_epochs"]).is_integer():
        return "the task asks for a whole number of warmup epochs"
    if len(set(params["batch_sizes"])) != len(params["batch_sizes"]):
        return "a batch size is asked twice"
    student = {b: (lr, params["warmup_epochs"] * math.ceil(digits.N_TRAIN / b))
               for b, (lr, _) in _sweep_expected(params).items()}
    if student != _sweep_expected(params):
        return "warmup_epochs · ⌈N_TRAIN / B⌉ differs from the reference's warmup steps"
    if max(lr for lr, _ in student.values()) > MAX_SWEEP_LR:
        return "a scaled lr too large for a sensible run"
    return ""


def _mistaken_lr_and_warmup(model: Callable[..., tuple[float, int]], rule: Any,
                            params: dict[str, Any]) -> Callable[[int], tuple[float, int]]:
    """A sweep mistake's (lr, warmup steps) for each batch size, with the case's settings."""
    return lambda b: model(b, rule, params["base_lr"], params["base_batch_size"],
                           params["warmup_epochs"])


def _sweep_missed(case: Case) -> set[str]:
    params = case["params"]
    rule = SWEEP_RULES[params["rule"]] if params["rule"] else None
    expected = _sweep_expected(params)
    missed = {name for name, model in mistakes.SWEEP_MISTAKES.items()
              if _sweep_settings(params, _mistaken_lr_and_warmup(model, rule, params)) == expected}
    if params["seed"] == 0:
        missed.add("seed_not_passed_on")
    if params["epochs"] == digits.EPOCHS:
        missed.add("epochs_not_passed_on")
    return missed


SWEEP = PoolSpec(
    name="ps03.batch_size_sweep",
    always=(
        {"kind": "no scaling rule and no warmup", "params": {
            "batch_sizes": [16, 100, 1000], "rule": None, "warmup_epochs": 0, "base_lr": 0.2,
            "base_batch_size": 16, "epochs": 1, "seed": 1}},
        {"kind": "the square-root rule with a warmup", "params": {
            "batch_sizes": [48, 200], "rule": "sqrt_scaled_lr", "warmup_epochs": 2,
            "base_lr": 0.05, "base_batch_size": 32, "epochs": 1, "seed": 3}},
    ),
    draw=2, size=12, seed=304,
    candidate=_sweep_candidate, problems=_sweep_problems, missed=_sweep_missed)

# --- exponential_lrs(start_lr, end_lr, num_iters) ------------------------------------------------
# params: [start_lr, end_lr, num_iters]

def _exponential_candidate(rng: np.random.Generator) -> Case:
    start = _round(10 ** rng.uniform(-7, -1), 2)
    end = _round(10 ** rng.uniform(-0.5, 3), 2)
    n = int(rng.integers(3, 401))
    kind = "a wide lr range" if end / start > 1e4 else "a narrow lr range"
    return {"kind": kind + (" with many lrs" if n > 100 else " with few lrs"),
            "params": [start, end, n]}


def _exponential_paths(start: float, end: float, n: int) -> tuple[np.ndarray, ...]:
    import torch

    i = np.arange(n)
    return (
        np.geomspace(start, end, n),
        np.logspace(math.log10(start), math.log10(end), n),
        10 ** np.linspace(math.log10(start), math.log10(end), n),
        (_f32(start) * (_f32(end) / _f32(start)) ** (i.astype(np.float32) / _f32(n - 1))),
        torch.logspace(math.log10(start), math.log10(end), n).numpy(),  # float32 by default
    )


def _exponential_problems(case: Case) -> str:
    start, end, n = case["params"]
    expected = range_test.exponential_lrs(start, end, n)
    if not all(matches(path, expected) for path in _exponential_paths(start, end, n)):
        return "a correct float32 or float64 path differs beyond the tolerance"
    return ""


def _exponential_missed(case: Case) -> set[str]:
    start, end, n = case["params"]
    expected = range_test.exponential_lrs(start, end, n)
    return {name for name, model in mistakes.EXPONENTIAL_LRS_MISTAKES.items()
            if matches(model(start, end, n), expected)}


EXPONENTIAL = PoolSpec(
    name="ps03.exponential_lrs",
    always=(
        {"kind": "a falling lr range (end_lr below start_lr)", "params": [2.0, 0.5, 3]},
        {"kind": "only two lrs", "params": [0.01, 0.08, 2]},
    ),
    draw=3, size=16, seed=305,
    candidate=_exponential_candidate, problems=_exponential_problems,
    missed=_exponential_missed)

# --- smooth_losses(losses, beta) ------------------------------------------------------------------
# params: [losses, beta or None (the default 0.98)]

def _loss_curve(rng: np.random.Generator, length: int) -> list[float]:
    """A falling, noisy training loss, to three decimals."""
    start, end = rng.uniform(1.5, 4.0), rng.uniform(0.05, 0.8)
    noise = rng.uniform(0.02, 0.4)
    curve = np.geomspace(start, end, length) + noise * rng.standard_normal(length)
    return np.abs(curve).round(3).tolist()


def _smoothing_candidate(rng: np.random.Generator) -> Case:
    length = int(rng.integers(5, 61))
    beta = _round(1 - _log_uniform(rng, 0.01, 0.5), 2)  # half of them 0.93 or more
    kind = ("a short loss curve" if length < 20 else "a long loss curve") + (
        " and a strong smoothing" if beta >= 0.9 else " and a light smoothing")
    return {"kind": kind, "params": [_loss_curve(rng, length), beta]}


def _smoothing_paths(losses: list[float], beta: float) -> tuple[np.ndarray, ...]:
    import torch

    values = np.asarray(losses, dtype=np.float64)
    i = np.arange(values.size)
    weights = np.tril(beta ** (i[:, None] - i[None, :]).clip(min=0))
    vectorised = (1 - beta) * (weights @ values) / (1 - beta ** (i + 1))
    average32, float32 = np.float32(0), []
    for step, loss in enumerate(losses):
        average32 = _f32(beta) * average32 + (_f32(1) - _f32(beta)) * _f32(loss)
        float32.append(average32 / (_f32(1) - _f32(beta) ** (step + 1)))
    tensor = torch.tensor(losses)  # float32
    average, in_torch = torch.tensor(0.0), []
    for step in range(values.size):
        average = beta * average + (1 - beta) * tensor[step]
        in_torch.append(float(average / (1 - beta ** (step + 1))))
    return vectorised, np.asarray(float32, dtype=np.float64), np.asarray(in_torch)


def _smoothing_problems(case: Case) -> str:
    losses, beta = case["params"]
    used = range_test.BETA if beta is None else beta
    expected = range_test.smooth_losses(losses, used)
    if not all(matches(path, expected) for path in _smoothing_paths(losses, used)):
        return "a correct float32 or float64 path differs beyond the tolerance"
    return ""


def _model_passes(model: Callable[..., np.ndarray], values: np.ndarray, beta: float,
                  expected: np.ndarray) -> bool:
    try:
        return matches(model(values, beta), expected)
    except ArithmeticError:  # the mistaken code raises too (swapped weights at β = 0)
        return False


def _smoothing_missed(case: Case) -> set[str]:
    losses, beta = case["params"]
    used = range_test.BETA if beta is None else beta
    values = np.asarray(losses, dtype=np.float64)
    expected = range_test.smooth_losses(values, used)
    missed = {name for name, model in mistakes.SMOOTHING_MISTAKES.items()
              if _model_passes(model, values, used, expected)}
    # two more mistakes about β: another default (0.9), and the β given ignored (0.98 always)
    if beta is not None or matches(range_test.smooth_losses(values, 0.9), expected):
        missed.add("default_beta_of_0.9")
    if beta is None or matches(range_test.smooth_losses(values), expected):
        missed.add("beta_ignored")
    return missed


SMOOTHING = PoolSpec(
    name="ps03.smooth_losses",
    always=(
        {"kind": "β = 0 (no smoothing)", "params": [[4.0, 1.0, 2.5, 0.2], 0.0]},
        {"kind": "a constant loss", "params": [[3.0] * 12, None]},
        {"kind": "the default β", "params": [_loss_curve(np.random.default_rng(306), 40),
                                             None]},
    ),
    draw=3, size=16, seed=307,
    candidate=_smoothing_candidate, problems=_smoothing_problems, missed=_smoothing_missed)

# --- lr_range_test(train_step, start_lr, end_lr, num_iters, beta, diverge_factor) ----------------
# params: {"toy": noisy_quadratic_step's settings, "options": lr_range_test's keyword arguments}

RANGE_OPTIONS = ("start_lr", "end_lr", "num_iters", "beta", "diverge_factor")


def _toy_range_test(rng: np.random.Generator, max_iters: int) -> dict[str, Any]:
    toy = {"a": _round(_log_uniform(rng, 0.2, 8.0), 2), "w0": _round(rng.uniform(0.5, 4.0), 2),
           "seed": int(rng.integers(0, 100)), "noise": _round(rng.uniform(0.1, 0.6), 2)}
    drawn = {"start_lr": _round(10 ** rng.uniform(-6, -3), 2),
             "end_lr": _round(10 ** rng.uniform(1, 2.5), 2),
             "num_iters": int(rng.integers(40, max_iters + 1)),
             "beta": float(rng.choice([0.9, 0.95, 0.98])),
             "diverge_factor": float(rng.choice([2.0, 3.0, 4.0, 5.0]))}
    options = {name: value for name, value in drawn.items() if rng.random() < 0.7}
    if "num_iters" not in options and max_iters < range_test.NUM_ITERS:
        options["num_iters"] = drawn["num_iters"]
    return {"toy": toy, "options": options}


def _range_candidate(rng: np.random.Generator) -> Case:
    params = _toy_range_test(rng, 120)
    kind = ("a diverging toy run with a noisy gradient" if params["toy"]["noise"] >= 0.4
            else "a diverging toy run")
    return {"kind": kind + (" and other settings" if params["options"] else ""),
            "params": params}


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    defaults = {"start_lr": range_test.START_LR, "end_lr": range_test.END_LR,
                "num_iters": range_test.NUM_ITERS, "beta": range_test.BETA,
                "diverge_factor": range_test.DIVERGE_FACTOR}
    return defaults | options


def _range_reference(params: dict[str, Any]) -> range_test.RangeTestResult:
    return range_test.lr_range_test(range_test.noisy_quadratic_step(**params["toy"]),
                                    **params["options"])


def _float32_range_test(params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """A correct range test computed in float32 (a student's torch code): float32 lrs handed to
    the step, a float32 moving average."""
    settings = _settings(params["options"])
    step = range_test.noisy_quadratic_step(**params["toy"])
    beta = _f32(settings["beta"])
    lrs = range_test.exponential_lrs(settings["start_lr"], settings["end_lr"],
                                     settings["num_iters"]).astype(np.float32)
    average, best, recorded, smoothed = np.float32(0), np.inf, [], []
    for i, lr in enumerate(lrs):
        average = beta * average + (_f32(1) - beta) * _f32(step(float(lr)))
        value = average / (_f32(1) - beta ** (i + 1))
        recorded.append(float(lr))
        smoothed.append(float(value))
        best = min(best, float(value))
        if not math.isfinite(value) or value > settings["diverge_factor"] * best:
            break
    return np.asarray(recorded), np.asarray(smoothed)


def _range_problems(case: Case) -> str:
    params = case["params"]
    reference = _range_reference(params)
    smoothed = np.asarray(reference.smoothed)
    if not np.all(np.isfinite(reference.losses)) or np.max(np.abs(reference.losses)) > (
            MAX_RANGE_VALUE):
        return "the toy run leaves float32's range"
    factor = _settings(params["options"])["diverge_factor"]
    thresholds = factor * np.minimum.accumulate(smoothed)
    if np.any(np.abs(smoothed - thresholds) <= STOP_MARGIN * thresholds):
        return "a smoothed loss lies within rounding of the stopping threshold"
    lrs32, smoothed32 = _float32_range_test(params)
    if not (matches(lrs32, reference.lrs) and matches(smoothed32, smoothed)):
        return "a float32 range test differs beyond the tolerance"
    return ""


def _range_missed(case: Case) -> set[str]:
    """The mistakes whose record passes the check (the record, stopping step included, and the
    number of calls of train_step are the reference's), made alone or together with leaving the
    stopping step out."""
    params = case["params"]
    reference = _range_reference(params)
    ref_lrs, ref_smoothed = np.asarray(reference.lrs), np.asarray(reference.smoothed)
    settings = _settings(params["options"])

    def accepted(lrs: np.ndarray, smoothed: np.ndarray, calls: int) -> bool:
        return (matches(lrs, ref_lrs) and matches(smoothed, ref_smoothed)
                and calls == ref_lrs.size)

    missed = set()
    for name, choices in mistakes.RANGE_TEST_MISTAKES.items():
        lrs, smoothed = mistakes.range_test_variant(
            range_test.noisy_quadratic_step(**params["toy"]),
            *(settings[option] for option in RANGE_OPTIONS), **choices)
        if accepted(lrs, smoothed, lrs.size) or accepted(lrs[:-1], smoothed[:-1], lrs.size):
            missed.add(name)
    return missed


RANGE = PoolSpec(
    name="ps03.lr_range_test",
    always=(
        {"kind": "a toy run that never diverges", "params": {
            "toy": {"a": 0.01, "w0": 1.0, "seed": 3}, "options": {"num_iters": 50}}},
    ),
    draw=3, size=16, seed=308,
    candidate=_range_candidate, problems=_range_problems, missed=_range_missed)

# --- suggest_lr(lrs, smoothed_losses) -------------------------------------------------------------
# params: [lrs, smoothed losses] — the curve of a toy range test (short, to keep the pool small)

def _suggestion_candidate(rng: np.random.Generator) -> Case:
    result = _range_reference(_toy_range_test(rng, 80))
    return {"kind": "the curve of a toy range test",
            "params": [np.asarray(result.lrs).tolist(), np.asarray(result.smoothed).tolist()]}


def _suggestion_problems(case: Case) -> str:
    lrs, smoothed = (np.asarray(values, dtype=np.float64) for values in case["params"])
    if lrs.size < 3 or not np.all(np.isfinite(smoothed)):
        return "too short a curve, or one with non-finite losses"
    order = np.sort(smoothed)
    if order[1] - order[0] <= 1e-6 * abs(order[0]):
        return "two points share the minimum within rounding"
    index = int(np.argmin(smoothed))
    if int(np.argmin(smoothed.astype(np.float32))) != index:
        return "a float32 curve has its minimum elsewhere"
    expected = range_test.suggest_lr(lrs, smoothed)
    if not _passes(float(_f32(lrs[index]) / _f32(10)), expected):
        return "a float32 suggestion differs beyond the tolerance"
    return ""


def _suggestion_missed(case: Case) -> set[str]:
    lrs, smoothed = (np.asarray(values, dtype=np.float64) for values in case["params"])
    expected = range_test.suggest_lr(lrs, smoothed)
    return {name for name, model in mistakes.SUGGESTION_MISTAKES.items()
            if _passes(model(lrs, smoothed), expected)}


SUGGESTION = PoolSpec(
    name="ps03.suggest_lr",
    always=(
        {"kind": "a curve whose minimum is its last point",
         "params": [[1e-3, 1e-2, 1e-1], [0.9, 0.8, 0.7]]},
    ),
    draw=3, size=16, seed=309,
    candidate=_suggestion_candidate, problems=_suggestion_problems, missed=_suggestion_missed)

SPECS: Sequence[PoolSpec] = (LINEAR, SQRT, WARMUP, SWEEP, EXPONENTIAL, SMOOTHING, RANGE,
                             SUGGESTION)
