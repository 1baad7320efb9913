"""Mistakes in a hand-written Adam or RMSprop step (ps05).

Each model computes exactly what the mistaken code computes, from the same pieces as the
correct update (`lrcore.optim.adam_moments`, `adam_bias_corrections`, the torch kernels).

- An Adam model has the signature of the course's `adam_step`:
  `(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps) -> (param, m, v)`,
  with the 1-based `step`; `adam_step_reference` is the correct one (torch's Adam).
- An RMSprop model has the signature of `rmsprop_step`:
  `(param, grad, square_avg, step, *, lr, alpha, eps) -> (param, v)`;
  `rmsprop_step_reference` is torch's RMSprop (which counts steps but never uses the count).

A run of the student's step function is recognised as a mistake when its parameters follow the
model's trajectory (`same_pattern`, rtol 1e-4) and the model's do not follow the right one.

>>> g = np.array([2.0])
>>> adam_step_reference(np.array([1.0]), g, np.zeros(1), np.zeros(1), 1, lr=0.1)[0]
array([0.9])
>>> ADAM_MISTAKES["no_bias_correction"](np.array([1.0]), g, np.zeros(1), np.zeros(1), 1,
...                                     lr=0.1)[0]  # m and v start at 0: 3.16× too far
array([0.68377228])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lrchecks.diagnosis.mistake import Mistake, explanations, models
from lrchecks.values import same_pattern
from lrcore.optim import adam_bias_corrections, adam_moments, adam_update, rmsprop_update
from lrcore.optim.kernels import addcdiv, addcmul, sqrt

__all__ = ["UpdateMistake", "ADAM", "RMSPROP", "ADAM_MISTAKES", "RMSPROP_MISTAKES",
           "ADAM_EXPLANATIONS", "RMSPROP_EXPLANATIONS", "adam_step_reference",
           "rmsprop_step_reference", "update_trajectory"]

FloatArray = np.ndarray
AdamStep = Callable[..., tuple[FloatArray, FloatArray, FloatArray]]
RMSpropStep = Callable[..., tuple[FloatArray, FloatArray]]


def _arrays(*values: ArrayLike) -> list[FloatArray]:
    return [np.asarray(v, dtype=np.float64) for v in values]


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


@dataclass(frozen=True)
class UpdateMistake(Mistake):
    """A mistaken update rule: recognised when the student's trajectory follows the model's and
    the model's does not follow the right one (`same_pattern`, rtol 1e-4)."""

    def fits(self, student: np.ndarray, expected: np.ndarray, mistaken: np.ndarray) -> bool:
        return same_pattern(student, mistaken) and not same_pattern(expected, mistaken)


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
    denominator: Callable[[FloatArray, float, float], FloatArray],
    step_size: Callable[[float, float], float],
) -> AdamStep:
    """An Adam step whose denominator (of v, √(1 − β₂ᵗ), ε) or step size (of lr, 1 − β₁ᵗ) is
    mistaken."""

    def step_function(
        param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
        *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        param, grad, exp_avg, exp_avg_sq = _arrays(param, grad, exp_avg, exp_avg_sq)
        m, v = adam_moments(grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2)
        correction1, correction2_sqrt = adam_bias_corrections(step, beta1, beta2)
        new_param = addcdiv(param, m, denominator(v, correction2_sqrt, eps),
                            value=-step_size(lr, correction1))
        return new_param, m, v

    return step_function


def adam_keras_eps(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Keras' form: θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε) — ε on the uncorrected √v,
    i.e. torch's update with ε scaled by √(1 − β₂ᵗ)."""
    param, grad, exp_avg, exp_avg_sq = _arrays(param, grad, exp_avg, exp_avg_sq)
    m, v = adam_moments(grad, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2)
    correction1, correction2_sqrt = adam_bias_corrections(step, beta1, beta2)
    new_param = addcdiv(param, m, sqrt(v) + eps, value=-(lr * correction2_sqrt / correction1))
    return new_param, m, v


def adam_step_counted_from_zero(
    param: ArrayLike, grad: ArrayLike, exp_avg: ArrayLike, exp_avg_sq: ArrayLike, step: int,
    *, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The bias corrections of step t + 1 (the 1-based step taken for 0-based)."""
    return adam_step_reference(param, grad, exp_avg, exp_avg_sq, step + 1, lr=lr, beta1=beta1,
                               beta2=beta2, eps=eps)


ADAM: tuple[UpdateMistake, ...] = (
    # θ ← θ − lr·m/(√v + ε): m and v start at 0, so the first steps are too long
    # (√(1 − β₂)/(1 − β₁) ≈ 0.316 of g over 0.1 of g: 3.16·lr instead of lr)
    UpdateMistake("no_bias_correction", 'It looks like m and v are used without '
                                        'bias correction: divide m by (1 − β₁ᵗ) '
                                        'and v by (1 − β₂ᵗ), with t counted '
                                        'from 1.',
                  _adam_variant(lambda v, c2, e: sqrt(v) + e, lambda lr_, c1: lr_)),
    # θ ← θ − lr·m̂/(√v + ε): m corrected, v not — the first steps are ~30× too long
    UpdateMistake("second_moment_not_corrected", "It looks like only m is bias-corrected: v must "
                  "be divided by (1 − β₂ᵗ) too, before the square root.",
                  _adam_variant(lambda v, c2, e: sqrt(v) + e, lambda lr_, c1: lr_ / c1)),
    # θ ← θ − lr·m̂/√(v̂ + ε): ε added under the root
    UpdateMistake("eps_inside_sqrt", "It looks like ε is inside the square root, √(v̂ + ε); torch "
                  "adds it outside: m̂ / (√v̂ + ε).",
                  _adam_variant(lambda v, c2, e: sqrt(v / c2**2 + e), lambda lr_, c1: lr_ / c1)),
    UpdateMistake("keras_eps", 'It looks like ε is added to the uncorrected √v '
                               "(Keras' form): torch adds ε to the "
                               'bias-corrected root, m̂ / (√v̂ + ε).', adam_keras_eps),
    UpdateMistake("step_counted_from_zero", "Your bias corrections use t + 1: `step` is already "
                  "counted from 1 (the first call has step=1), so use β₁**step and β₂**step.",
                  adam_step_counted_from_zero),
)
"""Mistaken Adam steps (same signature as `adam_step_reference`), in diagnosis order."""

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


RMSPROP: tuple[UpdateMistake, ...] = (
    UpdateMistake("bias_corrected", 'It looks like v is bias-corrected like '
                                    "Adam's, but torch's RMSprop does not "
                                    'correct it: RMSprop does not need `step` '
                                    'at all.',
                  rmsprop_bias_corrected),
    UpdateMistake("eps_inside_sqrt", "It looks like ε is inside the square root, √(v + ε) (Keras' "
                  "form); torch adds it outside: g / (√v + ε).", rmsprop_eps_inside_sqrt),
    UpdateMistake("alpha_swapped", "The running average has its weights swapped: v ← α·v + "
                  "(1 − α)·g², so that α close to 1 means a long memory.", rmsprop_alpha_swapped),
)
"""Mistaken RMSprop steps (same signature as `rmsprop_step_reference`), in diagnosis order."""

ADAM_MISTAKES: dict[str, AdamStep] = models(ADAM)
RMSPROP_MISTAKES: dict[str, RMSpropStep] = models(RMSPROP)
ADAM_EXPLANATIONS = explanations(ADAM)
RMSPROP_EXPLANATIONS = explanations(RMSPROP)
