"""Usual mistakes in a hand-written Adam or RMSprop step and in the ReduceLROnPlateau rule.

Each model computes exactly what the mistaken code computes, from the same pieces as the
correct update (`lrcore.optim.adam_moments`, `adam_bias_corrections`, the torch kernels), so a
wrong answer can be recognised and named.

- An Adam model has the signature of the course's `adam_step`:
  `(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps) -> (param, m, v)`,
  with the 1-based `step`; `adam_step_reference` is the correct one (torch's Adam).
- An RMSprop model has the signature of `rmsprop_step`:
  `(param, grad, square_avg, step, *, lr, alpha, eps) -> (param, v)`;
  `rmsprop_step_reference` is torch's RMSprop (which counts steps but never uses the count).
- A plateau model replays a metric sequence and returns the lr each `step(metric)` returns,
  like `plateau_decisions` with the correct rule.

>>> g = np.array([2.0])
>>> adam_step_reference(np.array([1.0]), g, np.zeros(1), np.zeros(1), 1, lr=0.1)[0]
array([0.9])
>>> ADAM_MISTAKES["no_bias_correction"](np.array([1.0]), g, np.zeros(1), np.zeros(1), 1,
...                                     lr=0.1)[0]  # m and v start at 0: 3.16× too far
array([0.68377228])
>>> plateau_decisions([1.0, 1.0, 1.0], lr=0.1, patience=1)
[0.1, 0.1, 0.010000000000000002]
>>> PLATEAU_MISTAKES["keras_patience"]([1.0, 1.0, 1.0], lr=0.1, patience=1)  # cuts every bad epoch
[0.1, 0.010000000000000002, 0.0010000000000000002]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lrcore.optim import adam_bias_corrections, adam_moments, adam_update, rmsprop_update
from lrcore.optim.kernels import addcdiv, addcmul, sqrt

__all__ = [
    "adam_step_reference",
    "rmsprop_step_reference",
    "ADAM_MISTAKES",
    "RMSPROP_MISTAKES",
    "PLATEAU_MISTAKES",
    "plateau_decisions",
    "update_trajectory",
    "regression_optimizer_mistakes",
]

FloatArray = np.ndarray
AdamStep = Callable[..., tuple[FloatArray, FloatArray, FloatArray]]
RMSpropStep = Callable[..., tuple[FloatArray, FloatArray]]


def _arrays(*values: ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=np.float64) for v in values]


# --- Adam ----------------------------------------------------------------------------------


def adam_step_reference(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """torch's Adam step (`lrcore.optim.adam_update`):
    θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)."""
    param, grad, exp_avg, exp_avg_sq = _arrays(param, grad, exp_avg, exp_avg_sq)
    result = adam_update(param, grad, exp_avg, exp_avg_sq, step, lr=lr, beta1=beta1,
                         beta2=beta2, eps=eps)
    return result.param, result.exp_avg, result.exp_avg_sq


def _adam_variant(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    lr: float, beta1: float, beta2: float, eps: float,
    denominator: Callable[[FloatArray, float, float], FloatArray],
    step_size: Callable[[float, float], float],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    param, grad, exp_avg, exp_avg_sq = _arrays(param, grad, exp_avg, exp_avg_sq)
    m, v = adam_moments(grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2)
    correction1, correction2_sqrt = adam_bias_corrections(step, beta1, beta2)
    new_param = addcdiv(param, m, denominator(v, correction2_sqrt, eps),
                        value=-step_size(lr, correction1))
    return new_param, m, v


def adam_no_bias_correction(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """θ ← θ − lr·m/(√v + ε): m and v start at 0, so the first steps are too long
    (√(1 − β₂)/(1 − β₁) ≈ 0.316 of g over 0.1 of g: 3.16·lr instead of lr)."""
    return _adam_variant(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                         lambda v, c2, e: sqrt(v) + e, lambda lr_, c1: lr_)


def adam_eps_inside_sqrt(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """θ ← θ − lr·m̂/√(v̂ + ε): ε added under the root."""
    return _adam_variant(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                         lambda v, c2, e: sqrt(v / c2**2 + e), lambda lr_, c1: lr_ / c1)


def _keras_step_size(step: int, lr: float, beta1: float, beta2: float) -> float:
    correction1, correction2_sqrt = adam_bias_corrections(step, beta1, beta2)
    return lr * correction2_sqrt / correction1


def adam_keras_eps(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Keras' form: θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε) — ε on the uncorrected √v,
    i.e. torch's update with ε scaled by √(1 − β₂ᵗ)."""
    param, grad, exp_avg, exp_avg_sq = _arrays(param, grad, exp_avg, exp_avg_sq)
    m, v = adam_moments(grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2)
    new_param = addcdiv(param, m, sqrt(v) + eps, value=-_keras_step_size(step, lr, beta1, beta2))
    return new_param, m, v


def adam_second_moment_not_corrected(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """θ ← θ − lr·m̂/(√v + ε): m corrected, v not — the first steps are ~30× too long."""
    return _adam_variant(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps,
                         lambda v, c2, e: sqrt(v) + e, lambda lr_, c1: lr_ / c1)


def adam_step_counted_from_zero(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The bias corrections of step t + 1 (the 1-based step taken for 0-based)."""
    return adam_step_reference(param, grad, exp_avg, exp_avg_sq, step + 1, lr=lr, beta1=beta1,
                               beta2=beta2, eps=eps)


ADAM_MISTAKES: dict[str, AdamStep] = {
    "no_bias_correction": adam_no_bias_correction,
    "second_moment_not_corrected": adam_second_moment_not_corrected,
    "eps_inside_sqrt": adam_eps_inside_sqrt,
    "keras_eps": adam_keras_eps,
    "step_counted_from_zero": adam_step_counted_from_zero,
}
"""name → model of a mistaken Adam step (same signature as `adam_step_reference`)."""


# --- RMSprop --------------------------------------------------------------------------------


def rmsprop_step_reference(
    param: ArrayLike, grad: ArrayLike, square_avg: ArrayLike, step: int,
    *, lr: float, alpha: float = 0.99, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray]:
    """torch's RMSprop step (`lrcore.optim.rmsprop_update`): v ← α·v + (1 − α)·g²,
    θ ← θ − lr·g/(√v + ε); `step` is not used (no bias correction)."""
    param, grad, square_avg = _arrays(param, grad, square_avg)
    result = rmsprop_update(param, grad, square_avg, lr=lr, alpha=alpha, eps=eps)
    return result.param, result.square_avg


def rmsprop_bias_corrected(
    param: ArrayLike, grad: ArrayLike, square_avg: ArrayLike, step: int,
    *, lr: float, alpha: float = 0.99, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray]:
    """Adam's correction borrowed: θ ← θ − lr·g/(√(v/(1 − αᵗ)) + ε)."""
    param, grad, square_avg = _arrays(param, grad, square_avg)
    v = addcmul(square_avg * alpha, grad, grad, value=1 - alpha)
    corrected = sqrt(v) / math.sqrt(1 - alpha**step) + eps
    return addcdiv(param, grad, corrected, value=-lr), v


def rmsprop_eps_inside_sqrt(
    param: ArrayLike, grad: ArrayLike, square_avg: ArrayLike, step: int,
    *, lr: float, alpha: float = 0.99, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray]:
    """Keras' placement: θ ← θ − lr·g/√(v + ε)."""
    param, grad, square_avg = _arrays(param, grad, square_avg)
    v = addcmul(square_avg * alpha, grad, grad, value=1 - alpha)
    return addcdiv(param, grad, sqrt(v + eps), value=-lr), v


def rmsprop_alpha_swapped(
    param: ArrayLike, grad: ArrayLike, square_avg: ArrayLike, step: int,
    *, lr: float, alpha: float = 0.99, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray]:
    """v ← (1 − α)·v + α·g²: the weights of the running average swapped."""
    param, grad, square_avg = _arrays(param, grad, square_avg)
    v = addcmul(square_avg * (1 - alpha), grad, grad, value=alpha)
    return addcdiv(param, grad, sqrt(v) + eps, value=-lr), v


RMSPROP_MISTAKES: dict[str, RMSpropStep] = {
    "bias_corrected": rmsprop_bias_corrected,
    "eps_inside_sqrt": rmsprop_eps_inside_sqrt,
    "alpha_swapped": rmsprop_alpha_swapped,
}
"""name → model of a mistaken RMSprop step (same signature as `rmsprop_step_reference`)."""


def update_trajectory(
    step_function: Callable[..., Sequence[Any]],
    x0: ArrayLike,
    grad_fn: Callable[[FloatArray], ArrayLike],
    steps: int,
    n_state: int,
    **hyperparameters: float,
) -> FloatArray:
    """The parameters after each of `steps` calls of an Adam-like (`n_state` = 2) or
    RMSprop-like (`n_state` = 1) step function, states starting at zero.

    >>> update_trajectory(rmsprop_step_reference, [1.0], lambda x: 2 * x, 2, 1, lr=0.01)[:, 0]
    array([0.9       , 0.83291797])
    """
    x = np.array(x0, dtype=np.float64)
    state = [np.zeros_like(x) for _ in range(n_state)]
    trajectory = np.empty((steps, *x.shape))
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            x, *state = step_function(x, np.asarray(grad_fn(x), dtype=np.float64), *state, t,
                                      **hyperparameters)
            x = np.asarray(x, dtype=np.float64)
            trajectory[t - 1] = x
    return trajectory


# --- ReduceLROnPlateau ------------------------------------------------------------------------


def plateau_decisions(
    metrics: Iterable[float],
    lr: float,
    mode: str = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0.0,
    eps: float = 1e-8,
    *,
    keras_patience: bool = False,
    use_threshold: bool = True,
    use_cooldown: bool = True,
    use_min_lr: bool = True,
    use_eps: bool = True,
    reset_after_cut: bool = True,
    use_mode: bool = True,
    use_threshold_mode: bool = True,
) -> list[float]:
    """The lr returned by each `step(metric)` of torch's ReduceLROnPlateau — or, with one of
    the keyword flags, of a rule with that piece wrong (see `PLATEAU_MISTAKES`).

    The correct rule (all flags at their defaults) equals `lrcore.schedules.PlateauScheduler`:
    an epoch is better when metric < best·(1 − threshold) ("min", "rel"), < best − threshold
    ("min", "abs"), > best·(1 + threshold) or > best + threshold ("max"); on the
    (patience + 1)-th bad epoch in a row new lr = max(lr·factor, min_lr), applied if it lowers
    the lr by more than eps; the bad count restarts and `cooldown` epochs are not counted.
    """
    if not use_mode:
        mode = "min"
    if not use_threshold_mode:
        threshold_mode = "rel"
    best = math.inf if mode == "min" else -math.inf
    bad = cooldown_left = 0
    current = float(lr)
    decisions = []
    for value in metrics:
        metric = float(value)
        margin = threshold if use_threshold else 0.0
        if mode == "min":
            limit = best * (1 - margin) if threshold_mode == "rel" else best - margin
            better = metric < limit
        else:
            limit = best * (1 + margin) if threshold_mode == "rel" else best + margin
            better = metric > limit
        if better:
            best, bad = metric, 0
        else:
            bad += 1
        if use_cooldown and cooldown_left > 0:
            cooldown_left -= 1
            bad = 0
        if (bad >= patience) if keras_patience else (bad > patience):
            new = current * factor
            if use_min_lr:
                new = max(new, min_lr)
            if (current - new > eps) if use_eps else (new < current):
                current = new
            cooldown_left = cooldown
            if reset_after_cut:
                bad = 0
        decisions.append(current)
    return decisions


def _flagged(**flags: bool) -> Callable[..., list[float]]:
    def model(metrics: Iterable[float], lr: float, **options: Any) -> list[float]:
        return plateau_decisions(metrics, lr, **options, **flags)

    return model


PLATEAU_MISTAKES: dict[str, Callable[..., list[float]]] = {
    "keras_patience": _flagged(keras_patience=True),
    "no_reset_after_cut": _flagged(reset_after_cut=False),
    "ignores_threshold": _flagged(use_threshold=False),
    "ignores_threshold_mode": _flagged(use_threshold_mode=False),
    "ignores_mode": _flagged(use_mode=False),
    "ignores_cooldown": _flagged(use_cooldown=False),
    "ignores_min_lr": _flagged(use_min_lr=False),
    "ignores_eps": _flagged(use_eps=False),
}
"""name → model `(metrics, lr, **options) -> lrs` of a plateau rule with one piece wrong."""


# --- the regression trained with each optimiser ------------------------------------------------


def _train_regression_with(
    X: ArrayLike, y: ArrayLike, class_name: str, options: dict[str, Any], lr: float,
    epochs: int, record_after_step: bool = False,
) -> list[float]:
    import torch

    features = torch.as_tensor(np.asarray(X, dtype=np.float32)).reshape(-1, 1)
    targets = torch.as_tensor(np.asarray(y, dtype=np.float32)).reshape(-1, 1)
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    optimizer = getattr(torch.optim, class_name)(model.parameters(), lr=lr, **options)
    losses = []
    for _ in range(epochs + record_after_step):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(features), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses[1:] if record_after_step else losses


def regression_optimizer_mistakes(
    X: ArrayLike, y: ArrayLike, optimizer: str, lr: float, epochs: int
) -> dict[str, list[float]]:
    """The loss curves of the usual slips in `lrcore.optimizer_sweep.train_regression`:

    - "loss_after_update": the loss recorded after `optimizer.step()` (one epoch late);
    - "keras_rmsprop_rho" (rmsprop only): α = 0.9, Keras' default ρ, instead of torch's 0.99;
    - "nesterov" (momentum only): SGD(momentum=0.9, nesterov=True).

    (Using another optimiser of the sweep by mistake is recognised from the other curves.)
    """
    from lrcore.optimizer_sweep import SWEEP_OPTIMIZERS

    class_name, options = SWEEP_OPTIMIZERS[optimizer.lower()]
    curves = {"loss_after_update": _train_regression_with(X, y, class_name, dict(options), lr,
                                                          epochs, record_after_step=True)}
    if optimizer.lower() == "rmsprop":
        curves["keras_rmsprop_rho"] = _train_regression_with(X, y, "RMSprop", {"alpha": 0.9},
                                                             lr, epochs)
    if optimizer.lower() == "momentum":
        curves["nesterov"] = _train_regression_with(X, y, "SGD",
                                                    {"momentum": 0.9, "nesterov": True}, lr,
                                                    epochs)
    return curves
