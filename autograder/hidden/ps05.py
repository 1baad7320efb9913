"""Hidden-case pools of ps05 "Adaptive optimisers and plateaus on real data".

Each pool names the check that reads it (`lrchecks.ps05`) and what its params are:

- `ps05.rmsprop_step`, `ps05.adam_step`: `[x0, curvatures, steps, hyperparameters]`, a run of
  the step function on the bowl f(x) = ½·Σ aᵢxᵢ². Everyone runs a single coordinate (the task's
  edge case); the drawn cases are other bowls, starts, lengths, lr, α or betas, and ε;
- `ps05.train_regression`: `{"seed", "epochs", "runs": [[optimiser name, lr], …]}`, one data
  set trained by each of the five optimisers at its own lr; everyone runs the names written in
  capitals (the task says "accept the name in any case");
- `ps05.plateau_rule`: `{"options", "metrics"}`, ReduceLROnPlateau's options and a metric
  sequence; everyone runs a cut smaller than eps and an accuracy watched in mode "max"; the
  drawn cases are noisy losses and accuracies with other options;
- `ps05.train_classifier`: `{"lr", "epochs", "plateau", "seed"}`, a training run: expensive, so
  the same three runs for everyone (`always` only);
- `ps05.challenge_config`: the seed the challenge is run with again — the same for everyone.

A case is kept only if every correct numerical path a student may take — float32 and float64
torch, the textbook formula in float64 numpy, sigmoid + BCE instead of BCE-with-logits — passes
the check's tolerance, and if it detects the modelled mistakes (`lrchecks.diagnosis.optim`, the
classifier's variants) that the `always` cases do not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from autograder.hidden.pools import Case, PoolSpec
from autograder.hidden.validate import matches
from lrchecks.diagnosis import optim as mistakes
from lrchecks.values import DEFAULT_RTOL, same_pattern
from lrcore import classification, optimizer_sweep, plateau_challenge
from lrcore.regression import linear_regression_data
from lrcore.schedules import reduce_lr_on_plateau

__all__ = ["SPECS"]


def _round(value: float, digits: int = 2) -> float:
    """`value` to `digits` significant digits (cases read like numbers a person writes)."""
    return float(f"{value:.{digits}g}")


def _log_uniform(rng: np.random.Generator, low: float, high: float, digits: int = 2) -> float:
    return _round(math.exp(rng.uniform(math.log(low), math.log(high))), digits)


# --- rmsprop_step and adam_step on the bowl ------------------------------------------------------

UpdateParams = list  # [x0, curvatures, steps, hyperparameters]


def _bowl(curvatures: Sequence[float]) -> Callable[[np.ndarray], np.ndarray]:
    a = np.asarray(curvatures, dtype=np.float64)
    return lambda x: a * x


def _run_rule(step_function: Callable[..., Sequence[Any]], params: UpdateParams,
              n_state: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The parameters after each step and the final states of a numpy step function."""
    x0, curvatures, steps, hyperparameters = params
    gradient = _bowl(curvatures)
    x = np.array(x0, dtype=np.float64)
    state = [np.zeros_like(x) for _ in range(n_state)]
    trajectory = np.empty((steps, x.size))
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            x, *state = (np.asarray(v, dtype=np.float64) for v in step_function(
                x, gradient(x), *state, t, **hyperparameters))
            trajectory[t - 1] = x
    return trajectory, state


def _rmsprop_textbook(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, step: int,
                      lr: float, alpha: float = 0.99, eps: float = 1e-8
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's table in float64 numpy: v ← α·v + (1 − α)·g², θ ← θ − lr·g/(√v + ε)."""
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def _adam_textbook(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
                   exp_avg_sq: np.ndarray, step: int, lr: float, beta1: float = 0.9,
                   beta2: float = 0.999, eps: float = 1e-8
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The notebook's table in float64 numpy: θ ← θ − lr·m̂/(√v̂ + ε)."""
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2
    m_hat, v_hat = exp_avg / (1 - beta1**step), exp_avg_sq / (1 - beta2**step)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), exp_avg, exp_avg_sq


def _run_torch(n_state: int, params: UpdateParams, dtype: str
               ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The same run with torch.optim.RMSprop (`n_state` 1) or Adam (2) in `dtype`."""
    import torch

    x0, curvatures, steps, hyperparameters = params
    kind = getattr(torch, dtype)
    x = torch.tensor(x0, dtype=kind, requires_grad=True)
    a = torch.tensor(curvatures, dtype=kind)
    options = dict(hyperparameters)
    if n_state == 2:
        options["betas"] = (options.pop("beta1", 0.9), options.pop("beta2", 0.999))
        optimizer: Any = torch.optim.Adam([x], **options)
        names: tuple[str, ...] = ("exp_avg", "exp_avg_sq")
    else:
        optimizer = torch.optim.RMSprop([x], **options)
        names = ("square_avg",)
    trajectory = np.empty((steps, len(x0)))
    for t in range(steps):
        optimizer.zero_grad()
        x.grad = a * x.detach()
        optimizer.step()
        trajectory[t] = x.detach().double().numpy()
    state = optimizer.state[x]
    return trajectory, [state[name].double().numpy() for name in names]


def _same_run(run: tuple[np.ndarray, list[np.ndarray]],
              reference: tuple[np.ndarray, list[np.ndarray]], x0: Sequence[float]) -> bool:
    """Whether `run` passes the check against `reference` (its parameters within rtol 1e-5 and
    atol 1e-9·max|x0|, its final states within rtol 1e-5)."""
    atol = 1e-9 * max(abs(v) for v in x0)
    return (matches(run[0], reference[0], DEFAULT_RTOL, atol)
            and all(matches(got, want, DEFAULT_RTOL, 1e-12)
                    for got, want in zip(run[1], reference[1], strict=True)))


def _update_problems(case: Case, n_state: int) -> str:
    params = case["params"]
    reference_rule = (mistakes.adam_step_reference if n_state == 2
                      else mistakes.rmsprop_step_reference)
    reference = _run_rule(reference_rule, params, n_state)
    if not np.all(np.isfinite(reference[0])) or np.max(np.abs(reference[0])) > 1e6:
        return "the run leaves a sensible range"
    textbook = _adam_textbook if n_state == 2 else _rmsprop_textbook
    paths = {"the textbook formula in float64 numpy": _run_rule(textbook, params, n_state),
             "torch in float64": _run_torch(n_state, params, "float64"),
             "torch in float32": _run_torch(n_state, params, "float32")}
    for path, run in paths.items():
        if not _same_run(run, reference, params[0]):
            return f"{path} differs from the reference beyond the tolerance"
    return ""


def _update_missed(case: Case, n_state: int) -> set[str]:
    """The modelled mistakes the case does not fail — or fails without the check being able to
    name them (their parameters within `same_pattern`'s 1e-4 of the reference's)."""
    params = case["params"]
    reference_rule, models = ((mistakes.adam_step_reference, mistakes.ADAM_MISTAKES)
                              if n_state == 2 else
                              (mistakes.rmsprop_step_reference, mistakes.RMSPROP_MISTAKES))
    reference = _run_rule(reference_rule, params, n_state)
    missed = set()
    for name, model in models.items():
        mistaken = _run_rule(model, params, n_state)
        if _same_run(mistaken, reference, params[0]) or same_pattern(reference[0], mistaken[0]):
            missed.add(name)
    return missed


def _update_candidate(rng: np.random.Generator, n_state: int) -> Case:
    n = int(rng.choice([1, 2, 2, 3, 3, 4]))
    curvatures = [_log_uniform(rng, 0.05, 200.0) for _ in range(n)]
    x0 = [float(rng.choice([-1, 1])) * _log_uniform(rng, 0.005, 5.0, 3) for _ in range(n)]
    steps = int(rng.integers(6, 16))
    unseen = ["lr"]
    if n_state == 2:
        hyperparameters: dict[str, float] = {"lr": _log_uniform(rng, 0.003, 0.5)}
        if rng.random() < 0.6:
            hyperparameters["beta1"] = _round(rng.uniform(0.5, 0.95))
            hyperparameters["beta2"] = _round(1 - _log_uniform(rng, 1e-4, 0.1, 1), 4)
            unseen.append("betas")
    else:
        hyperparameters = {"lr": _log_uniform(rng, 0.001, 0.2)}
        if rng.random() < 0.6:
            hyperparameters["alpha"] = _round(1 - _log_uniform(rng, 1e-3, 0.2, 1), 3)
            unseen.append("α")
    if rng.random() < 0.5:
        hyperparameters["eps"] = _log_uniform(rng, 1e-4, 0.1, 1)
        unseen.append("ε")
    what = unseen[0] if len(unseen) == 1 else f"{', '.join(unseen[:-1])} and {unseen[-1]}"
    where = "one coordinate" if n == 1 else "a badly scaled bowl"
    return {"kind": f"{where} with an unseen {what}",
            "params": [x0, curvatures, steps, hyperparameters]}


def _update_spec(name: str, lr: float, seed: int, n_state: int) -> PoolSpec:
    """The pool of an update rule that keeps `n_state` state arrays (RMSprop 1, Adam 2): always
    a single coordinate at `lr`, and three cases drawn from sixteen."""
    return PoolSpec(
        name=name,
        always=({"kind": "a single coordinate", "params": [[-3.0], [1.0], 15, {"lr": lr}]},),
        draw=3, size=16, seed=seed,
        candidate=lambda rng: _update_candidate(rng, n_state),
        problems=lambda case: _update_problems(case, n_state),
        missed=lambda case: _update_missed(case, n_state),
    )


RMSPROP = _update_spec("ps05.rmsprop_step", lr=0.1, seed=501, n_state=1)
ADAM = _update_spec("ps05.adam_step", lr=0.5, seed=502, n_state=2)

# --- train_regression: one data set, every optimiser at its own lr -------------------------------

REGRESSION_LRS: Mapping[str, tuple[float, float]] = {
    "sgd": (0.01, 0.5), "momentum": (0.005, 0.1), "adagrad": (0.05, 1.0),
    "rmsprop": (0.001, 0.05), "adam": (0.005, 0.5),
}
"""Each optimiser's lrs: from a slow start to just below where the run stops converging."""


@cache
def _regression_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    return linear_regression_data(seed=seed)


def _regression_curve(seed: int, name: str, lr: float, epochs: int) -> np.ndarray:
    X, y = _regression_data(seed)
    return np.asarray(optimizer_sweep.train_regression(X, y, name, lr, epochs))


def _same_curve(seed: int, name: str, lr: float, epochs: int, reference: np.ndarray) -> bool:
    """Whether optimiser `name`'s curve passes as `reference`: its first epochs decide almost
    always (only then is the whole curve trained)."""
    head = min(epochs, 4)
    if not matches(_regression_curve(seed, name, lr, head), reference[:head]):
        return False
    return matches(_regression_curve(seed, name, lr, epochs), reference)


def _regression_problems(case: Case) -> str:
    params = case["params"]
    seed, epochs = params["seed"], params["epochs"]
    X, y = _regression_data(seed)
    for name, lr in params["runs"]:
        reference = _regression_curve(seed, name, lr, epochs)
        if not np.all(np.isfinite(reference)) or np.max(reference) > 1e6:
            return "a run diverges"
        if not matches(optimizer_sweep.float64_losses(X, y, name, lr, epochs), reference):
            return "a float64 numpy run differs from the float32 torch reference"
    return ""


def _regression_missed(case: Case) -> set[str]:
    """The modelled slips (`regression_optimizer_mistakes`, another optimiser of the sweep
    taken for the named one) whose curves would pass one of the case's runs."""
    params = case["params"]
    seed, epochs = params["seed"], params["epochs"]
    X, y = _regression_data(seed)
    missed = set()
    for name, lr in params["runs"]:
        reference = _regression_curve(seed, name, lr, epochs)
        for mistake, curve in mistakes.regression_optimizer_mistakes(X, y, name, lr,
                                                                     epochs).items():
            if matches(curve, reference):
                missed.add(mistake)
        for other in optimizer_sweep.SWEEP_OPTIMIZERS:
            if other != name.lower() and _same_curve(seed, other, lr, epochs, reference):
                missed.add(f"{other} instead of {name.lower()}")
    return missed


def _regression_candidate(rng: np.random.Generator) -> Case:
    runs = [[name, _log_uniform(rng, *REGRESSION_LRS[name])] for name in REGRESSION_LRS]
    return {"kind": "another data set, each optimiser at another lr",
            "params": {"seed": int(rng.integers(1, 100)), "epochs": int(rng.integers(10, 46)),
                       "runs": runs}}


REGRESSION = PoolSpec(
    name="ps05.train_regression",
    always=({"kind": "optimiser names in capitals",
             "params": {"seed": 9, "epochs": 15, "runs": [
                 ["SGD", 0.3], ["MOMENTUM", 0.05], ["AdaGrad", 0.5], ["RMSProp", 0.01],
                 ["ADAM", 0.5]]}},),
    draw=2, size=10, seed=503,
    candidate=_regression_candidate, problems=_regression_problems, missed=_regression_missed,
)

# --- the plateau rule: ReduceLROnPlateau's options and a metric sequence ------------------------


def _plateau_lrs(options: Mapping[str, Any], metrics: Sequence[float]) -> list[float]:
    scheduler = reduce_lr_on_plateau(**options)
    return [scheduler.step(metric) for metric in metrics]


def _torch_plateau_lrs(options: Mapping[str, Any], metrics: Sequence[float]) -> list[float]:
    """torch's own ReduceLROnPlateau on an SGD optimiser (a student may wrap it)."""
    import torch

    settings = dict(options)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=settings.pop("lr"))
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **settings)
    lrs = []
    for metric in metrics:
        scheduler.step(metric)
        lrs.append(float(optimizer.param_groups[0]["lr"]))
    return lrs


def _close_calls(options: Mapping[str, Any], metrics: Sequence[float]) -> bool:
    """Whether a decision of the correct rule hinges on rounding: a metric within 1e-7 of the
    limit it is compared with, or lr·factor within 1e-9 of min_lr, or a cut within 1e-9 of eps
    (a correct rule written another way, e.g. best − best·threshold, may round differently)."""
    full = {"mode": "min", "factor": 0.1, "threshold": 1e-4, "threshold_mode": "rel",
            "min_lr": 0.0, "eps": 1e-8, **options}
    sign = 1.0 if full["mode"] == "min" else -1.0
    best = math.inf * sign
    lrs = [options["lr"], *_plateau_lrs(options, metrics)]
    for metric in metrics:
        if math.isfinite(best):
            limit = (best * (1 - sign * full["threshold"]) if full["threshold_mode"] == "rel"
                     else best - sign * full["threshold"])
            if abs(metric - limit) <= 1e-7 * max(abs(limit), 1e-12):
                return True
            if sign * metric < sign * limit:
                best = metric
        else:
            best = metric
    for lr in lrs:
        cut = lr * full["factor"]
        if abs(cut - full["min_lr"]) <= 1e-9 * lr or abs(
                (lr - max(cut, full["min_lr"])) - full["eps"]) <= 1e-9 * max(lr, full["eps"]):
            return True
    return False


def _plateau_problems(case: Case) -> str:
    options, metrics = case["params"]["options"], case["params"]["metrics"]
    expected = _plateau_lrs(options, metrics)
    if len(set(expected)) < 2:
        return "the lr is never cut"
    if _close_calls(options, metrics):
        return "a decision hinges on rounding"
    if not matches(_torch_plateau_lrs(options, metrics), expected, 1e-9, 0.0):
        return "torch's ReduceLROnPlateau decides otherwise"
    return ""


PLATEAU_DEFAULTS = {"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
                    "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8}


def _plateau_missed(case: Case) -> set[str]:
    """The modelled mistakes the case does not fail — or fails looking like a mistake the check
    tries before (it would name that one)."""
    options, metrics = case["params"]["options"], case["params"]["metrics"]
    expected = _plateau_lrs(options, metrics)
    full = {k: options.get(k, v) for k, v in PLATEAU_DEFAULTS.items()}
    decisions = {name: model(metrics, options["lr"], **full)
                 for name, model in mistakes.PLATEAU_MISTAKES.items()}
    missed = set()
    for index, (name, lrs) in enumerate(decisions.items()):
        earlier = list(decisions.values())[:index]
        if matches(lrs, expected, 1e-9, 0.0) or any(
                matches(lrs, other, 1e-9, 0.0) and not matches(other, expected, 1e-9, 0.0)
                for other in earlier):
            missed.add(name)
    return missed


def _noisy_curve(rng: np.random.Generator, n: int, accuracy: bool) -> list[float]:
    """A validation loss that falls and levels off, or an accuracy that rises and levels off,
    with noise (rounded as a log would print them)."""
    epochs = np.arange(n)
    scale = rng.uniform(3.0, 8.0)
    if accuracy:
        curve = (rng.uniform(0.85, 0.97) - rng.uniform(0.2, 0.4) * np.exp(-epochs / scale)
                 + rng.uniform(0.003, 0.015) * rng.standard_normal(n))
        return [round(float(v), 3) for v in curve]
    curve = (rng.uniform(0.05, 0.4) + rng.uniform(0.5, 1.5) * np.exp(-epochs / scale)
             + rng.uniform(0.005, 0.04) * rng.standard_normal(n))
    return [round(float(v), 4) for v in curve]


def _plateau_candidate(rng: np.random.Generator) -> Case:
    accuracy = rng.random() < 0.35
    options: dict[str, Any] = {"lr": _log_uniform(rng, 1e-4, 1.0),
                               "factor": _round(rng.uniform(0.1, 0.7)),
                               "patience": int(rng.integers(0, 5))}
    if accuracy:
        options["mode"] = "max"
    if rng.random() < 0.4:
        options["threshold_mode"] = "abs"
        options["threshold"] = _log_uniform(rng, 1e-3, 0.02, 1)
    elif rng.random() < 0.6:
        options["threshold"] = _log_uniform(rng, 1e-3, 0.05, 1)
    if rng.random() < 0.6:
        options["cooldown"] = int(rng.integers(1, 4))
    if rng.random() < 0.5:
        cuts = int(rng.integers(1, 4))
        options["min_lr"] = _round(options["lr"] * options["factor"] ** cuts
                                   * rng.uniform(0.6, 1.4))
    metrics = _noisy_curve(rng, int(rng.integers(20, 41)), accuracy)
    kind = ("a noisy accuracy watched in mode 'max'" if accuracy
            else "a noisy validation loss")
    return {"kind": kind, "params": {"options": options, "metrics": metrics}}


PLATEAU = PoolSpec(
    name="ps05.plateau_rule",
    always=(
        {"kind": "a cut smaller than eps",
         "params": {"options": {"lr": 3e-8, "factor": 0.6, "patience": 0, "eps": 1e-8,
                                "threshold_mode": "abs"},
                    "metrics": [3.0, 2.0, 2.5, 1.0, 1.5, 1.5]}},
        {"kind": "an accuracy watched in mode 'max'",
         "params": {"options": {"lr": 0.083, "factor": 0.45, "patience": 0, "mode": "max",
                                "threshold_mode": "abs", "threshold": 0.009, "cooldown": 3,
                                "min_lr": 0.0076},
                    "metrics": [0.632, 0.656, 0.717, 0.724, 0.78, 0.804, 0.803, 0.859, 0.859,
                                0.855, 0.863, 0.875, 0.88, 0.894, 0.873, 0.912, 0.891, 0.901,
                                0.93, 0.913, 0.918, 0.936, 0.928, 0.924, 0.914, 0.923, 0.926,
                                0.928]}},
    ),
    draw=3, size=20, seed=504,
    candidate=_plateau_candidate, problems=_plateau_problems, missed=_plateau_missed,
)

# --- train_classifier: three training runs, the same for everyone --------------------------------

VAL_LOSS_RTOL = 1e-4
"""The check's tolerance on validation losses (`lrchecks.ps05.VAL_LOSS_RTOL`)."""


def _classifier_args(case: Case) -> tuple[float, int, dict[str, Any] | None, int]:
    params = case["params"]
    return params["lr"], params["epochs"], params["plateau"], params["seed"]


def _history_of(run: classification.ClassifierRun) -> dict[str, np.ndarray]:
    return {"lr": np.asarray(run.lrs), "val_loss": np.asarray(run.val_loss),
            "val_accuracy": np.asarray(run.val_accuracy)}


def _passes(history: Mapping[str, np.ndarray], reference: classification.ClassifierRun) -> bool:
    """Whether a history passes `check_train_classifier` against the reference run."""
    expected = _history_of(reference)
    return (matches(history["lr"], expected["lr"], 1e-9, 0.0)
            and matches(history["val_loss"], expected["val_loss"], VAL_LOSS_RTOL, 1e-9)
            and history["val_accuracy"].shape == expected["val_accuracy"].shape
            and bool(np.all(np.abs(history["val_accuracy"] - expected["val_accuracy"])
                            <= 1.01 / classification.N_VAL)))


def _sigmoid_bce_history(lr: float, epochs: int, plateau: Mapping[str, Any] | None,
                         seed: int) -> dict[str, np.ndarray]:
    """The loop written with sigmoid + binary_cross_entropy instead of BCE-with-logits (a
    correct answer that rounds differently)."""
    import torch
    import torch.nn.functional as F

    data = classification.quantiles_split()
    X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    X_val, y_val = torch.from_numpy(data.X_val), torch.from_numpy(data.y_val)
    model = classification.make_classifier(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = None if plateau is None else reduce_lr_on_plateau(lr, **plateau)
    lrs, losses, accuracies = [], [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is faster (as in lrcore's runs)
    try:
        for epoch in range(epochs):
            lrs.append(optimizer.param_groups[0]["lr"])
            for batch in classification.epoch_batches(epoch, seed):
                index = torch.from_numpy(batch)
                optimizer.zero_grad()
                p = torch.sigmoid(model(X[index])).reshape(-1)
                F.binary_cross_entropy(p, y[index]).backward()
                optimizer.step()
            with torch.no_grad():
                p_val = torch.sigmoid(model(X_val)).reshape(-1)
                losses.append(F.binary_cross_entropy(p_val, y_val).item())
                accuracies.append(float(((p_val > 0.5).float() == y_val).float().mean()))
            if scheduler is not None:
                new_lr = scheduler.step(losses[-1])
                for group in optimizer.param_groups:
                    group["lr"] = new_lr
    finally:
        torch.set_num_threads(threads)
    return {"lr": np.asarray(lrs), "val_loss": np.asarray(losses),
            "val_accuracy": np.asarray(accuracies)}


def _plateau_margins_ok(run: classification.ClassifierRun,
                        plateau: Mapping[str, Any]) -> bool:
    """No decision of the plateau rule within 1e-3·best of its limit: a correct student's
    validation losses may differ by ~1e-6 from the reference's."""
    threshold = plateau.get("threshold", 1e-4)
    best = math.inf
    for loss in run.val_loss:
        limit = best * (1 - threshold)
        if math.isfinite(best) and abs(loss - limit) <= 1e-3 * best:
            return False
        best = loss if loss < limit else best
    return True


def _classifier_problems(case: Case) -> str:
    lr, epochs, plateau, seed = _classifier_args(case)
    reference = classification.train_classifier(lr, epochs, plateau=plateau, seed=seed)
    if not np.all(np.isfinite(reference.val_loss)):
        return "the run diverges"
    if plateau is not None and (len(set(reference.lrs)) < 2
                                or not _plateau_margins_ok(reference, plateau)):
        return "the plateau rule never cuts, or a cut hinges on rounding"
    if not _passes(_sigmoid_bce_history(lr, epochs, plateau, seed), reference):
        return "the loop with sigmoid + BCE differs from the reference beyond the tolerance"
    return ""


def _classifier_missed(case: Case) -> set[str]:
    """The modelled slips of a training loop whose histories would pass this case."""
    lr, epochs, plateau, seed = _classifier_args(case)
    reference = classification.train_classifier(lr, epochs, plateau=plateau, seed=seed)
    variant = classification.train_classifier_variant
    ahead = _history_of(reference) | {
        "lr": np.asarray(reference.lrs[1:] + (reference.next_lr,))}
    histories = {
        "lr_one_epoch_ahead": ahead,
        "no_zero_grad": _history_of(variant(lr, epochs, plateau, seed, zero_grad=False)),
    }
    if plateau is not None:
        histories["lr_not_applied"] = _history_of(variant(lr, epochs, plateau, seed,
                                                          apply_lr=False))
        histories["plateau_on_accuracy"] = _history_of(
            variant(lr, epochs, plateau, seed, plateau_metric="val_accuracy"))
    else:
        histories |= {"lr_not_applied": _history_of(reference),
                      "plateau_on_accuracy": _history_of(reference)}
    return {name for name, history in histories.items() if _passes(history, reference)}


CLASSIFIER = PoolSpec(
    name="ps05.train_classifier",
    always=(
        {"kind": "a short run with a constant lr",
         "params": {"lr": 0.01, "epochs": 2, "plateau": None, "seed": 2}},
        {"kind": "a run with a plateau scheduler",
         "params": {"lr": 0.02, "epochs": 6,
                    "plateau": {"factor": 0.3, "patience": 0, "threshold": 0.1}, "seed": 3}},
        {"kind": "a run with a more patient plateau scheduler",
         "params": {"lr": 0.05, "epochs": 6,
                    "plateau": {"factor": 0.3, "patience": 1, "threshold": 0.1}, "seed": 2}},
    ),
    draw=0, size=0, seed=505,
    candidate=lambda rng: {}, problems=_classifier_problems, missed=_classifier_missed,
)

# --- the plateau challenge: the config run again with another seed --------------------------------

CHALLENGE_SOLUTIONS: tuple[Mapping[str, Any], ...] = (
    {"optimizer": "SGD", "optimizer_options": {"lr": 0.5}, "scheduler": "ReduceLROnPlateau",
     "scheduler_options": {"factor": 0.2, "patience": 0}},
    {"optimizer": "SGD", "optimizer_options": {"lr": 0.5}, "scheduler": "StepLR",
     "scheduler_options": {"step_size": 5, "gamma": 0.1}},
    plateau_challenge.EXAMPLE_CONFIG,
)
"""Configs that pass the challenge with seed 0 (the notebook's solution, the sample student's
and the example `help(lrcore.plateau_challenge)` shows): each must pass with the hidden seed
too, by a margin."""


def _challenge_problems(case: Case) -> str:
    seed = case["params"]
    for config in CHALLENGE_SOLUTIONS:
        run = plateau_challenge.run_challenge(config, seed=seed)
        if not (run.final_val_accuracy >= plateau_challenge.VAL_TARGET + 0.005
                and run.final_train_accuracy <= plateau_challenge.TRAIN_CEILING - 0.02):
            return "a config that passes with seed 0 fails (or barely passes) with this seed"
    return ""


def _challenge_missed(case: Case) -> set[str]:
    """"constant lr" if the stalled baseline reaches the target under the ceiling with this
    seed (the check refuses a constant lr anyway, but a seed that lucky tests nothing)."""
    run = plateau_challenge.run_challenge(plateau_challenge.BASELINE_CONFIG, seed=case["params"])
    return {"constant lr"} if run.meets_target and run.under_ceiling else set()


CHALLENGE = PoolSpec(
    name="ps05.challenge_config",
    always=({"kind": "another seed", "params": 1},),
    draw=0, size=0, seed=506,
    candidate=lambda rng: {}, problems=_challenge_problems, missed=_challenge_missed,
)

SPECS = (RMSPROP, ADAM, REGRESSION, PLATEAU, CLASSIFIER, CHALLENGE)
