"""Stochastic gradient descent with torch's momentum, dampening and Nesterov rules."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lrcore.optim.base import FloatArray, Optimizer, non_negative, real_number, regularised_gradient
from lrcore.optim.kernels import add

__all__ = ["SGD", "SGDUpdate", "sgd_update"]


class SGDUpdate(NamedTuple):
    """The result of one SGD step: new parameters and momentum buffer (None without momentum)."""

    param: FloatArray
    momentum_buffer: FloatArray | None


def sgd_update(
    param: FloatArray,
    grad: FloatArray,
    momentum_buffer: FloatArray | None,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> SGDUpdate:
    """One step of torch's `_single_tensor_sgd`, as a pure function of arrays.

    `momentum_buffer` is None before the first step with momentum ≠ 0: the buffer then starts
    as a copy of the gradient. Inputs are not modified.

    >>> sgd_update(np.array([1.0]), np.array([2.0]), None, lr=0.1, momentum=0.9)
    SGDUpdate(param=array([0.8]), momentum_buffer=array([2.]))
    """
    g = regularised_gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    buffer = momentum_buffer
    if momentum != 0:
        if buffer is None:
            buffer = np.array(g, dtype=np.float64)
        else:
            buffer = add(buffer * momentum, g, alpha=1 - dampening)
        g = add(g, buffer, alpha=momentum) if nesterov else buffer
    return SGDUpdate(add(param, g, alpha=-lr), buffer)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum — torch's exact update.

    With gradient g = ∇f(θ) (−∇f(θ) if `maximize`), weight decay λ, momentum μ, dampening τ:

        g ← g + λ·θ                         (if λ ≠ 0)
        b ← g                               (first step with μ ≠ 0: no dampening yet)
        b ← μ·b + (1 − τ)·g                 (later steps)
        g ← g + μ·b  if nesterov, else g ← b
        θ ← θ − lr·g

    Torch equivalent: `torch.optim.SGD(params, lr=lr, momentum=μ, dampening=τ,
    weight_decay=λ, nesterov=…, maximize=…)`, float64, single-tensor (CPU) code path.

    Unlike Keras, whose momentum is the Sutskever form v ← μ·v − lr·g, θ ← θ + v, torch's
    buffer accumulates raw gradients and lr multiplies the whole buffer. With a constant lr
    (and τ = 0) both give the same trajectory; under a schedule they differ, because Keras'
    velocity keeps the old lrs while torch rescales all of b by the current one.

    Defaults and checks are torch's: lr=1e-3, momentum=0, dampening=0, weight_decay=0;
    ValueError("Invalid learning rate: …") for lr < 0, likewise for momentum and
    weight_decay, and "Nesterov momentum requires a momentum and zero dampening".

    `state["momentum_buffer"]` appears after the first step with momentum ≠ 0.

    >>> opt = SGD(np.array([1.0, -2.0]), lr=0.1, momentum=0.9)
    >>> x = np.array([1.0, -2.0])
    >>> x = opt.step(x, 2 * x)  # f(x) = ‖x‖², ∇f = 2x
    >>> x
    array([ 0.8, -1.6])
    >>> opt.step(x, 2 * x)  # b = 0.9·(2, −4) + (1.6, −3.2)
    array([ 0.46, -0.92])
    >>> opt.state["momentum_buffer"]
    array([ 3.4, -6.8])
    """

    def __init__(
        self,
        params: ArrayLike | tuple[int, ...],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = non_negative("momentum", momentum)
        self.weight_decay = non_negative("weight_decay", weight_decay)
        self.dampening = real_number("dampening", dampening)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.nesterov = bool(nesterov)
        self.maximize = bool(maximize)

    def _apply(self, x: FloatArray, grad: FloatArray, lr: float) -> SGDUpdate:
        """`sgd_update` with the momentum buffer (None before the first step) and the settings."""
        settings = self._settings("momentum", "dampening", "weight_decay", "nesterov", "maximize")
        return sgd_update(x, grad, self.state.get("momentum_buffer"), lr=lr, **settings)
