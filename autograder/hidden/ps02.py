"""Hidden-case pools of ps02 "Learning-rate schedulers".

Each pool names the check that reads it (`lrchecks.ps02`) and what its params are; every
scheduler is a `SchedulerCase`'s data ({"torch": "StepLR", "kwargs": {…}}), from which the check
builds both the torch scheduler and its lrcore twin. The edge cases every student runs are the
ones the task names or that decide a modelled mistake: no scheduler and an integer x0 in
`optimize`, a scheduler that switches the momentum on, a step decay that drops at every step, a
cosine of one step, a warmup of one step, a scheduler that leaves the momentum alone and one whose
momentum cycling is off, noisy runs of a decaying lr from an integer start. The drawn cases vary
the scheduler, its parameters, the learning rate, the start and the length (and, for the noisy
loss curve, the noise and the number of runs). Every case is validated: every correct numerical
path agrees with the reference within the check's tolerance, and the case detects the modelled
mistakes the edge cases leave undetected (`autograder.hidden.pools`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograder.hidden.case_numbers import log_uniform, rounded
from autograder.hidden.pools import Case, PoolSpec
from autograder.hidden.ps01 import TORCH_MISTAKES
from autograder.hidden.validate import leaves_float32_range, matches
from lrchecks.diagnosis.noisy import LOSS_CURVE_MISTAKES
from lrchecks.diagnosis.quadratic import QUADRATIC_MISTAKES
from lrchecks.diagnosis.schedules import (
    LOOP_MISTAKES,
    formula_mistake_values,
    optimize_with_loop_mistake,
)
from lrchecks.ps02 import (
    FORMULA_DEFAULTS,
    FORMULA_PARAMETERS,
    RESCUE_LR,
    formula_scheduler,
)
from lrchecks.scheduler_cases import SchedulerCase
from lrcore import noisy_gradient, quadratic
from lrcore.optim import run as run_optimizer

__all__ = ["SPECS"]

TORCH_AGREEMENT = 1e-12
"""lrcore's schedules equal torch's to this relative tolerance (checked on every case)."""


def _scheduler(data: Mapping[str, Any] | None) -> SchedulerCase | None:
    return None if data is None else SchedulerCase.from_data(data)


def _torch_lrs_and_momenta(case: SchedulerCase, initial_lr: float, n: int
                           ) -> tuple[np.ndarray, np.ndarray]:
    """What a student's loop reads from a real torch SGD under the scheduler: the lr and the
    momentum of each of n steps (read before optimizer.step(), scheduler.step() after it)."""
    import warnings

    import torch

    x = torch.tensor(1.0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    lrs, momenta = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = case.factory(optimizer)
        for _ in range(n):
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            momenta.append(float(optimizer.param_groups[0]["momentum"]))
            optimizer.step()
            scheduler.step()
    return np.asarray(lrs), np.asarray(momenta)


def _twin_problem(case: SchedulerCase, initial_lr: float, n: int) -> str:
    """Why lrcore's twin of the case is not torch's scheduler ("" when it is)."""
    try:
        lrs, momenta = _torch_lrs_and_momenta(case, initial_lr, n)
    except (ValueError, ArithmeticError):
        return "torch refuses to step the scheduler that often"
    schedule = case.schedule(initial_lr)
    planned = schedule.momenta(n)
    if not matches(schedule.values(n), lrs, TORCH_AGREEMENT, 1e-15):
        return "lrcore's schedule differs from torch's scheduler"
    if not matches(np.zeros(n) if planned is None else planned, momenta, TORCH_AGREEMENT, 1e-15):
        return "lrcore's momenta differ from torch's scheduler"
    return ""


# --- scheduler cases for runs on x² --------------------------------------------------------------

def _run_scheduler(rng: np.random.Generator, lr: float, n: int) -> tuple[str, SchedulerCase]:
    """A scheduler of a run of n steps from lr, with words naming its kind (never its values)."""
    family = rng.choice(["step", "multistep", "exponential", "growing", "cosine", "linear",
                         "constant", "one_cycle", "cyclic"])
    gamma = rounded(rng.uniform(0.2, 0.9), 2)
    if family == "step":
        return "a StepLR scheduler", SchedulerCase.of(
            "StepLR", step_size=int(rng.integers(1, max(2, n // 3) + 1)), gamma=gamma)
    if family == "multistep":
        milestones = sorted(int(m) for m in rng.choice(np.arange(1, n), 2, replace=False))
        return "a MultiStepLR scheduler", SchedulerCase.of("MultiStepLR", milestones=milestones,
                                                           gamma=gamma)
    if family == "exponential":
        return "an ExponentialLR scheduler", SchedulerCase.of(
            "ExponentialLR", gamma=rounded(rng.uniform(0.6, 0.97), 2))
    if family == "growing":
        return "an ExponentialLR scheduler that raises the lr", SchedulerCase.of(
            "ExponentialLR", gamma=rounded(rng.uniform(1.02, 1.15), 3))
    if family == "cosine":
        eta_min = rounded(lr * rng.uniform(0.02, 0.3), 2)
        return "a CosineAnnealingLR scheduler with eta_min", SchedulerCase.of(
            "CosineAnnealingLR", T_max=int(rng.integers(2, n + 1)), eta_min=eta_min)
    if family == "linear":
        return "a LinearLR scheduler", SchedulerCase.of(
            "LinearLR", start_factor=rounded(rng.uniform(0.1, 0.9), 2),
            end_factor=rounded(rng.uniform(0.3, 1.0), 2), total_iters=int(rng.integers(2, n)))
    if family == "constant":
        return "a ConstantLR scheduler", SchedulerCase.of(
            "ConstantLR", factor=rounded(rng.uniform(0.1, 0.9), 2),
            total_iters=int(rng.integers(1, n)))
    momentum = bool(rng.random() < 0.5)
    words = " that switches the momentum on" if momentum else ""
    if family == "one_cycle":
        return f"a OneCycleLR scheduler{words}", SchedulerCase.of(
            "OneCycleLR", max_lr=lr, total_steps=n, cycle_momentum=momentum)
    return f"a CyclicLR scheduler{words}", SchedulerCase.of(
        "CyclicLR", base_lr=rounded(lr * rng.uniform(0.05, 0.3), 2), max_lr=lr,
        step_size_up=int(rng.integers(2, 6)), cycle_momentum=momentum)


def _run_params(lr: float, n: int, x0: float, scheduler: SchedulerCase | None) -> dict[str, Any]:
    return {"initial_lr": lr, "num_iterations": n, "x0": x0,
            "scheduler": None if scheduler is None else scheduler.to_data()}


def _run_candidate(rng: np.random.Generator) -> Case:
    lr = rounded(rng.uniform(0.05, 1.2), 2)
    n = int(rng.integers(6, 21))
    x0 = float(rng.choice([-1, 1])) * log_uniform(rng, 0.5, 1e4)
    kind, scheduler = _run_scheduler(rng, lr, n)
    return {"kind": kind, "params": _run_params(lr, n, x0, scheduler)}


def _unpack(params: Mapping[str, Any]) -> tuple[float, int, float, SchedulerCase | None]:
    return (params["initial_lr"], params["num_iterations"], params["x0"],
            _scheduler(params["scheduler"]))


def _quiet_run(lr: float, n: int, x0: float, case: SchedulerCase | None,
               mistake: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A float32 torch run on x² (`mistake`: a modelled loop mistake, run as the buggy loop)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mistake is None:
            xs, lrs = quadratic.optimize(lr, n, x0, case.factory if case else None)
        else:
            assert case is not None
            xs, lrs = optimize_with_loop_mistake(mistake, lr, n, x0, case.factory)
    return np.asarray(xs, dtype=float), np.asarray(lrs, dtype=float)


class _FromStep:
    """A schedule's lrs and momenta from step `shift` on (the stepped-first loop uses lr_{t+1}),
    as `lrcore.optim.run` reads a schedule."""

    cycle_momentum = True

    def __init__(self, lrs: np.ndarray, momenta: np.ndarray, shift: int) -> None:
        self._lrs, self._momenta, self._shift = lrs, momenta, shift

    def __call__(self, t: int) -> float:
        return float(self._lrs[t])

    def values(self, count: int) -> np.ndarray:
        return self._lrs[:count]

    def momenta(self, count: int) -> np.ndarray:
        return self._momenta[self._shift:self._shift + count]


def _float64_run(lr: float, n: int, x0: float, case: SchedulerCase | None,
                 shift: int = 0) -> np.ndarray:
    """The same run in float64 numpy (lrcore.optim's SGD, torch's update rule), the schedule's
    values (and momenta) from step `shift` on."""
    if case is None:
        return run_optimizer("sgd", float(x0), lambda x: 2 * x, n, lr)
    schedule = case.schedule(lr)
    lrs = schedule.values(n + shift)[shift:]
    momenta = schedule.momenta(n + shift)
    return run_optimizer("sgd", float(x0), lambda x: 2 * x, n,
                         lrs if momenta is None else _FromStep(lrs, momenta, shift))


def _run_problems(params: Mapping[str, Any], stepped_first: bool = False) -> str:
    lr, n, x0, case = _unpack(params)
    if case is not None:
        problem = _twin_problem(case, lr, n + stepped_first)
        if problem:
            return problem
    try:
        xs, _ = _quiet_run(lr, n, x0, case, "scheduler_stepped_first" if stepped_first else None)
    except (ValueError, ArithmeticError):
        return "torch refuses the run"
    if leaves_float32_range(xs):
        return "the run leaves float32's range"
    if not matches(_float64_run(lr, n, x0, case, shift=int(stepped_first)), xs):
        return "a float64 run differs from the float32 torch reference beyond the tolerance"
    return ""


def _same_run(run: tuple[np.ndarray, np.ndarray], reference: tuple[np.ndarray, np.ndarray]
              ) -> bool:
    return matches(run[0], reference[0]) and matches(run[1], reference[1])


def _loop_missed(lr: float, n: int, x0: float, case: SchedulerCase | None,
                 reference: tuple[np.ndarray, np.ndarray], mistakes: tuple[str, ...]) -> set[str]:
    """The loop mistakes whose (x, lr) histories equal `reference` (a run torch refuses is
    detected: the student's code raises)."""
    if case is None:
        return set(mistakes)
    missed = set()
    for mistake in mistakes:
        try:
            mistaken = _quiet_run(lr, n, x0, case, mistake)
        except (ValueError, ArithmeticError):
            continue
        if _same_run(mistaken, reference):
            missed.add(mistake)
    return missed


def _run_missed(case_data: Case) -> set[str]:
    lr, n, x0, case = _unpack(case_data["params"])
    reference = _quiet_run(lr, n, x0, case)
    missed = _loop_missed(lr, n, x0, case, reference, LOOP_MISTAKES)
    if case is not None and case.cycles_momentum:
        return missed | set(TORCH_MISTAKES)  # the x² models have no momentum: nothing proven
    schedule = None if case is None else case.schedule(lr)

    def lr_at(t: int) -> float:
        if schedule is None:
            return lr
        try:
            return schedule(t)
        except (ValueError, ArithmeticError):
            return float("nan")

    return missed | {name for name in TORCH_MISTAKES
                     if _same_run(QUADRATIC_MISTAKES[name](lr_at, n, x0, 1.0), reference)}


OPTIMIZE = PoolSpec(
    name="ps02.optimize",
    always=(
        {"kind": "a run without a scheduler", "params": _run_params(0.35, 9, -12.0, None)},
        {"kind": "an integer starting point, with an ExponentialLR scheduler",
         "params": _run_params(0.4, 8, 300, SchedulerCase.of("ExponentialLR", gamma=0.85))},
        {"kind": "a OneCycleLR scheduler that switches the momentum on",
         "params": _run_params(0.6, 10, 40.0, SchedulerCase.of("OneCycleLR", max_lr=0.6,
                                                               total_steps=10))},
    ),
    draw=3, size=20, seed=201,
    candidate=_run_candidate,
    problems=lambda case: _run_problems(case["params"]),
    missed=_run_missed,
)

# --- the scheduler-first pitfall ------------------------------------------------------------------

def _pitfall_candidate(rng: np.random.Generator) -> Case:
    lr = rounded(rng.uniform(0.1, 1.1), 2)
    n = int(rng.integers(6, 16))
    x0 = float(rng.choice([-1, 1])) * log_uniform(rng, 1.0, 1e3)
    kind, scheduler = _run_scheduler(rng, lr, n)
    while scheduler.torch in ("ConstantLR", "OneCycleLR", "CyclicLR") or "raises" in kind:
        kind, scheduler = _run_scheduler(rng, lr, n)
    return {"kind": kind, "params": _run_params(lr, n, x0, scheduler)}


PITFALL_MISTAKES = tuple(m for m in LOOP_MISTAKES if m != "scheduler_stepped_first")


def _pitfall_missed(case_data: Case) -> set[str]:
    """What the pitfall check must tell apart from the stepped-first loop: the right order and
    the other loop mistakes (the lr read before scheduler.step(), two steps per iteration, …)."""
    lr, n, x0, case = _unpack(case_data["params"])
    assert case is not None
    reference = _quiet_run(lr, n, x0, case, "scheduler_stepped_first")
    missed = _loop_missed(lr, n, x0, case, reference, PITFALL_MISTAKES)
    if _same_run(_quiet_run(lr, n, x0, case), reference):
        missed.add("the right order")
    return missed


SCHEDULER_FIRST = PoolSpec(
    name="ps02.scheduler_first", always=(), draw=3, size=16, seed=202,
    candidate=_pitfall_candidate,
    problems=lambda case: _run_problems(case["params"], stepped_first=True),
    missed=_pitfall_missed,
)

# --- momentum_history -----------------------------------------------------------------------------


def _momentum_candidate(rng: np.random.Generator) -> Case:
    base, peak = sorted(rounded(rng.uniform(0.6, 0.99), 2) for _ in range(2))
    if base == peak:
        base = rounded(base - 0.05, 2)
    if rng.random() < 0.5:
        up = int(rng.integers(2, 6))
        n = int(rng.integers(2 * up + 1, 4 * up + 3))
        case = SchedulerCase.of("CyclicLR", base_lr=rounded(rng.uniform(0.005, 0.05), 2),
                                max_lr=rounded(rng.uniform(0.2, 1.0), 2), step_size_up=up,
                                base_momentum=base, max_momentum=peak)
        return {"kind": "a CyclicLR scheduler that switches the momentum on",
                "params": {"scheduler": case.to_data(), "num_iterations": n}}
    total = int(rng.integers(8, 25))
    n = int(rng.integers(total // 2 + 1, total + 1))
    case = SchedulerCase.of("OneCycleLR", max_lr=rounded(rng.uniform(0.1, 1.0), 2),
                            total_steps=total, pct_start=rounded(rng.uniform(0.2, 0.5), 2),
                            base_momentum=base, max_momentum=peak,
                            three_phase=bool(rng.random() < 0.4))
    return {"kind": "a OneCycleLR scheduler that switches the momentum on",
            "params": {"scheduler": case.to_data(), "num_iterations": n}}


def _expected_momenta(case: SchedulerCase, n: int, shift: int = 0) -> np.ndarray:
    planned = case.schedule(RESCUE_LR).momenta(n + shift)
    return np.zeros(n) if planned is None else planned[shift:]


def _momentum_problems(case_data: Case) -> str:
    params = case_data["params"]
    return _twin_problem(SchedulerCase.from_data(params["scheduler"]), RESCUE_LR,
                         params["num_iterations"])


def _momentum_missed(case_data: Case) -> set[str]:
    """The mistakes of momentum_history: momenta one step ahead, none read (zeros), and a
    scheduler that is never stepped (its first momentum every step)."""
    params = case_data["params"]
    case, n = SchedulerCase.from_data(params["scheduler"]), params["num_iterations"]
    expected = _expected_momenta(case, n)
    try:
        ahead: np.ndarray | None = _expected_momenta(case, n, shift=1)
    except (ValueError, ArithmeticError):  # torch refuses the extra step: the student's loop
        ahead = None                         # raises, which fails the case
    models = {"one step ahead": ahead, "no momentum read": np.zeros(n),
              "never stepped": np.full(n, expected[0]),
              "an SGD with momentum": expected if expected.any() else np.full(n, 0.9)}
    return {name for name, values in models.items()
            if values is not None and matches(values, expected)}


MOMENTUM = PoolSpec(
    name="ps02.momentum_history",
    always=(
        {"kind": "a scheduler that leaves the momentum alone",
         "params": {"scheduler": SchedulerCase.of("StepLR", step_size=3, gamma=0.6).to_data(),
                    "num_iterations": 7}},
        {"kind": "a CyclicLR scheduler with cycle_momentum=False",
         "params": {"scheduler": SchedulerCase.of("CyclicLR", base_lr=0.02, max_lr=0.4,
                                                  step_size_up=2,
                                                  cycle_momentum=False).to_data(),
                    "num_iterations": 8}},
    ),
    draw=2, size=12, seed=203,
    candidate=_momentum_candidate, problems=_momentum_problems, missed=_momentum_missed,
)

# --- the schedule functions -------------------------------------------------------------------

def _closed_form(name: str, p: Mapping[str, Any], n: int, dtype: type) -> np.ndarray:
    """The formula of the task as a student writes it, step by step, in `dtype` arithmetic
    (np.float64: Python floats and math; np.float32: float32 tensors or arrays)."""
    pi = dtype(math.pi)
    one, two = dtype(1.0), dtype(2.0)

    def cosine(t: int, base: Any, T_max: Any, eta_min: Any) -> Any:
        return eta_min + (base - eta_min) * (one + np.cos(pi * dtype(t) / T_max)) / two

    def warmup(t: int, base: Any, k: int, factor: Any) -> Any:
        return base * (factor + (one - factor) * dtype(min(t, k)) / dtype(k))

    base = dtype(p["base_lr"])
    values = []
    for t in range(n):
        if name == "step_decay":
            value = base * dtype(p["gamma"]) ** dtype(t // p["step_size"])
        elif name == "exponential_decay":
            value = base * dtype(p["gamma"]) ** dtype(t)
        elif name == "cosine_annealing":
            value = cosine(t, base, dtype(p["T_max"]), dtype(p.get("eta_min", 0.0)))
        elif name == "linear_warmup":
            value = warmup(t, base, p["warmup_steps"], dtype(p["start_factor"]))
        else:
            k = p["warmup_steps"]
            value = (warmup(t, base, k, dtype(p["start_factor"])) if t < k
                     else cosine(t - k, base, dtype(p["T_max"]), dtype(0.0)))
        values.append(float(value))
    return np.asarray(values)


def _all_parameters(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    parameters = dict(FORMULA_DEFAULTS.get(name, {}))
    parameters.update({key: params[key] for key in FORMULA_PARAMETERS[name] if key in params})
    return parameters


def _formula_problems(name: str) -> Callable[[Case], str]:
    def problems(case: Case) -> str:
        params = case["params"]
        parameters, n = _all_parameters(name, params), params["n"]
        scheduler = formula_scheduler(name, parameters)
        problem = _twin_problem(scheduler, parameters["base_lr"], n)
        if problem:
            return problem
        reference = scheduler.schedule(parameters["base_lr"]).values(n)
        for dtype in (np.float64, np.float32):
            if not matches(_closed_form(name, params, n, dtype), reference):
                return f"the formula in {np.dtype(dtype).name} differs beyond the tolerance"
        return ""

    return problems


def _formula_missed(name: str) -> Callable[[Case], set[str]]:
    def missed(case: Case) -> set[str]:
        params = case["params"]
        parameters, n = _all_parameters(name, params), params["n"]
        reference = formula_scheduler(name, parameters).schedule(parameters["base_lr"]).values(n)
        return {mistake for mistake, values in formula_mistake_values(name, n,
                                                                      **parameters).items()
                if matches(values, reference)}

    return missed


def _base_lr(rng: np.random.Generator) -> tuple[float, str]:
    """A base lr, now and then an integer (words for the kind: ", from an integer base_lr")."""
    if rng.random() < 0.2:
        return int(rng.integers(1, 4)), ", from an integer base_lr"
    return log_uniform(rng, 0.01, 3.0), ""


def _step_decay_candidate(rng: np.random.Generator) -> Case:
    base, words = _base_lr(rng)
    step_size = int(rng.integers(2, 9))
    return {"kind": f"unseen parameters{words}",
            "params": {"base_lr": base, "step_size": step_size,
                       "gamma": rounded(rng.uniform(0.1, 0.95), 2),
                       "n": int(rng.integers(2 * step_size + 1, 4 * step_size + 3))}}


def _exponential_candidate(rng: np.random.Generator) -> Case:
    base, words = _base_lr(rng)
    growing = rng.random() < 0.25
    gamma = rounded(rng.uniform(1.01, 1.2), 3) if growing else rounded(rng.uniform(0.5, 0.99), 2)
    kind = "a gamma that makes the lr grow" if growing else "unseen parameters"
    return {"kind": f"{kind}{words}",
            "params": {"base_lr": base, "gamma": gamma, "n": int(rng.integers(6, 31))}}


def _cosine_candidate(rng: np.random.Generator) -> Case:
    base, words = _base_lr(rng)
    T_max = int(rng.integers(3, 21))
    return {"kind": f"unseen parameters, past T_max{words}",
            "params": {"base_lr": base, "T_max": T_max,
                       "eta_min": rounded(float(base) * rng.uniform(0.01, 0.4), 2),
                       "n": int(rng.integers(T_max + 2, 2 * T_max + 5))}}


def _warmup_candidate(rng: np.random.Generator) -> Case:
    base, words = _base_lr(rng)
    k = int(rng.integers(2, 11))
    return {"kind": f"unseen parameters{words}",
            "params": {"base_lr": base, "warmup_steps": k,
                       "start_factor": rounded(log_uniform(rng, 0.01, 0.9), 2),
                       "n": int(rng.integers(k + 2, 2 * k + 4))}}


def _warmup_cosine_candidate(rng: np.random.Generator) -> Case:
    base, words = _base_lr(rng)
    k, T_max = int(rng.integers(2, 7)), int(rng.integers(3, 13))
    return {"kind": f"unseen parameters, past the milestone{words}",
            "params": {"base_lr": base, "warmup_steps": k, "T_max": T_max,
                       "start_factor": rounded(log_uniform(rng, 0.01, 0.9), 2),
                       "n": int(rng.integers(k + T_max + 2, k + 2 * T_max + 3))}}


def _formula_spec(name: str, seed: int, candidate: Callable[[np.random.Generator], Case],
                  *always: Case, draw: int = 3, size: int = 16) -> PoolSpec:
    """The pool of the schedule formula `name`: every student runs the `always` cases, then
    `draw` of its `size` candidates."""
    return PoolSpec(name=f"ps02.{name}", always=always, draw=draw, size=size, seed=seed,
                    candidate=candidate, problems=_formula_problems(name),
                    missed=_formula_missed(name))


def _edge_case(kind: str, **params: float) -> Case:
    """A case every student runs: its kind in words and the formula's parameters."""
    return {"kind": kind, "params": params}


STEP_DECAY = _formula_spec("step_decay", 211, _step_decay_candidate, _edge_case(
    "a drop at every step", base_lr=0.6, step_size=1, gamma=0.75, n=7))
EXPONENTIAL_DECAY = _formula_spec("exponential_decay", 212, _exponential_candidate)
COSINE_ANNEALING = _formula_spec("cosine_annealing", 213, _cosine_candidate, _edge_case(
    "a half-period of a single step, with the default eta_min", base_lr=0.7, T_max=1, n=5))
LINEAR_WARMUP = _formula_spec("linear_warmup", 214, _warmup_candidate, _edge_case(
    "a warmup of one step", base_lr=0.25, warmup_steps=1, start_factor=0.4, n=4))
WARMUP_COSINE = _formula_spec("warmup_cosine", 215, _warmup_cosine_candidate, _edge_case(
    "a warmup of one step", base_lr=0.45, warmup_steps=1, T_max=6, start_factor=0.3, n=9),
    draw=2, size=12)

# --- noisy_loss_curve(lrs, x0, noise) --------------------------------------------------------

def _noisy_schedule(rng: np.random.Generator, n: int) -> tuple[str, list[float]]:
    """Learning rates of one of the comparison's shapes, with words naming the shape."""
    lr = rounded(rng.uniform(0.05, 0.45), 2)
    steps = np.arange(n)
    family = rng.choice(["constant", "step", "exponential", "cosine"])
    if family == "constant":
        values = np.full(n, lr)
    elif family == "step":
        values = lr * 0.5 ** (steps // int(rng.integers(2, 5)))
    elif family == "exponential":
        values = lr * rounded(rng.uniform(0.6, 0.95), 2) ** steps
    else:
        values = lr * (1 + np.cos(np.pi * steps / int(rng.integers(3, n + 1)))) / 2
    words = {"constant": "a constant learning rate", "step": "a step decay",
             "exponential": "an exponential decay", "cosine": "a cosine annealing"}[family]
    return words, [rounded(float(v), 4) for v in values]


def _curve_candidate(rng: np.random.Generator) -> Case:
    n, runs = int(rng.integers(4, 13)), int(rng.integers(2, 6))
    kind, lrs = _noisy_schedule(rng, n)
    std = log_uniform(rng, 0.2, 3.0, 2)
    noise = np.round(std * rng.standard_normal((n, runs)), 3).tolist()
    x0 = float(rng.choice([-1, 1])) * log_uniform(rng, 0.5, 50.0)
    return {"kind": f"{kind} on several noisy runs", "params": [lrs, x0, noise]}


def _float32_curve(lrs: list, x0: float, noise: list) -> np.ndarray:
    """The same curve in float32 torch arithmetic (a student's tensor code)."""
    import torch

    kicks = torch.tensor(noise, dtype=torch.float32)
    x = torch.full((kicks.shape[1],), float(x0))
    curve = []
    for lr, kick in zip(lrs, kicks, strict=True):
        x = x - lr * (2 * x + kick)
        curve.append(float((x**2).mean()))
    return np.asarray(curve)


def _curve_problems(case: Case) -> str:
    lrs, x0, noise = case["params"]
    reference = noisy_gradient.mean_loss_curve(lrs, x0, noise)
    if leaves_float32_range(reference):
        return "the curve leaves float32's range"
    if not matches(_float32_curve(lrs, x0, noise), reference):
        return "a float32 run differs from the float64 reference beyond the tolerance"
    return ""


def _curve_missed(case: Case) -> set[str]:
    lrs, x0, noise = case["params"]
    reference = noisy_gradient.mean_loss_curve(lrs, x0, noise)
    kicks = np.asarray(noise, dtype=np.float64)
    return {name for name, model in LOSS_CURVE_MISTAKES.items()
            if matches(model(lrs, x0, kicks, 1.0), reference)}


NOISY_LOSS_CURVE = PoolSpec(
    name="ps02.noisy_loss_curve",
    always=(
        {"kind": "a decaying learning rate on noisy runs from an integer start",
         "params": [[0.3, 0.15, 0.1, 0.075, 0.06], -7,
                    [[0.8, -1.1, 0.2], [-0.4, 0.6, 1.3], [1.7, -0.2, -0.9], [0.0, 0.5, -0.3],
                     [-1.2, 0.9, 0.4]]]},
    ),
    draw=3, size=16, seed=221,
    candidate=_curve_candidate, problems=_curve_problems, missed=_curve_missed)

SPECS = (OPTIMIZE, STEP_DECAY, EXPONENTIAL_DECAY, COSINE_ANNEALING, LINEAR_WARMUP,
         WARMUP_COSINE, SCHEDULER_FIRST, MOMENTUM, NOISY_LOSS_CURVE)
