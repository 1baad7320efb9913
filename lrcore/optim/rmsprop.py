"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lrcore.optim.base import FloatArray, Optimizer, non_negative, regularised_gradient
from lrcore.optim.kernels import add, addcdiv, addcmul, lerp, sqrt

__all__ = ["RMSprop", "RMSpropUpdate", "rmsprop_update", "rmsprop_denominator"]


class RMSpropUpdate(NamedTuple):
    """The result of one RMSprop step; `grad_avg` / `momentum_buffer` are None when unused."""

    param: FloatArray
    square_avg: FloatArray
    grad_avg: FloatArray | None
    momentum_buffer: FloatArray | None


def rmsprop_denominator(
    square_avg: FloatArray, grad_avg: FloatArray | None, eps: float
) -> FloatArray:
    """torch's denominator √v + ε, or √(v − ḡ²) + ε when centred (ε outside the root)."""
    if grad_avg is None:
        return sqrt(square_avg) + eps
    return sqrt(addcmul(square_avg, grad_avg, grad_avg, value=-1)) + eps


def rmsprop_update(
    param: FloatArray,
    grad: FloatArray,
    square_avg: FloatArray,
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    grad_avg: FloatArray | None = None,
    momentum_buffer: FloatArray | None = None,
    maximize: bool = False,
) -> RMSpropUpdate:
    """One step of torch's `_single_tensor_rmsprop`, as a pure function of arrays.

    `grad_avg` (centred) and `momentum_buffer` (momentum > 0) start as zeros when None.
    Variants (ε inside the root, Keras' lr inside the momentum, …) can reuse the pieces:
    the moving averages below and `rmsprop_denominator`.

    >>> rmsprop_update(np.array([1.0]), np.array([2.0]), np.array([0.0]), lr=0.01)
    RMSpropUpdate(param=array([0.9]), square_avg=array([0.04]), grad_avg=None, momentum_buffer=None)
    """
    g = regularised_gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    square_avg = addcmul(square_avg * alpha, g, g, value=1 - alpha)
    if centered:
        grad_avg = lerp(np.zeros_like(g) if grad_avg is None else grad_avg, g, 1 - alpha)
    denominator = rmsprop_denominator(square_avg, grad_avg if centered else None, eps)
    if momentum > 0:
        buffer = np.zeros_like(g) if momentum_buffer is None else momentum_buffer
        momentum_buffer = addcdiv(buffer * momentum, g, denominator, value=1)
        param = add(param, momentum_buffer, alpha=-lr)
    else:
        param = addcdiv(param, g, denominator, value=-lr)
    return RMSpropUpdate(param, square_avg, grad_avg, momentum_buffer)


class RMSprop(Optimizer):
    """RMSprop — torch's exact update.

    With gradient g (−g if `maximize`), smoothing α, weight decay λ, momentum μ:

        g ← g + λ·θ                        (if λ ≠ 0)
        v ← α·v + (1 − α)·g²                (v starts at 0; no bias correction)
        ḡ ← α·ḡ + (1 − α)·g                 (centered only)
        d ← √v + ε,  or  √(v − ḡ²) + ε      (centered)
        b ← μ·b + g/d,  θ ← θ − lr·b        (if μ > 0; b starts at 0)
        θ ← θ − lr·g/d                       (otherwise)

    Without bias correction v₁ = (1 − α)·g², so the first step is lr/√(1 − α) per
    coordinate: 10·lr with the default α = 0.99.

    Torch equivalent: `torch.optim.RMSprop(params, lr=lr, alpha=α, eps=ε, weight_decay=λ,
    momentum=μ, centered=…)`. Defaults are torch's: lr=1e-2, alpha=0.99, eps=1e-8,
    weight_decay=0, momentum=0, centered=False; lr, eps, momentum, weight_decay and alpha
    must be ≥ 0 (torch does not bound α by 1, so neither does this).

    Keras differs: it adds ε inside the root, √(v + ε) with ε = 1e-7, defaults to ρ = 0.9 and
    puts lr inside its momentum (b ← μ·b + lr·g/d, θ ← θ − b).

    >>> opt = RMSprop((2,), lr=0.01)  # a shape is enough
    >>> x = opt.step([1.0, -2.0], [2.0, -4.0])  # first step ≈ 10·lr·sign(g)
    >>> x
    array([ 0.9, -1.9])
    >>> opt.state["square_avg"]
    array([0.04, 0.16])
    """

    def __init__(
        self,
        params: ArrayLike | tuple[int, ...],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.eps = non_negative("eps", eps)
        self.momentum = non_negative("momentum", momentum)
        self.weight_decay = non_negative("weight_decay", weight_decay)
        self.alpha = non_negative("alpha", alpha)
        self.centered = bool(centered)
        self.maximize = bool(maximize)
        self.state["step"] = 0
        self.state["square_avg"] = np.zeros(self.shape)

    def _apply(self, x: FloatArray, grad: FloatArray, lr: float) -> RMSpropUpdate:
        """`rmsprop_update` with the running averages, the momentum buffer and the settings."""
        # torch creates these buffers on the first step if the option is on then (and fails
        # if it is switched on later); here they are created whenever first needed.
        return rmsprop_update(
            x,
            grad,
            self.state["square_avg"],
            lr=lr,
            grad_avg=self._state_array("grad_avg") if self.centered else None,
            momentum_buffer=self._state_array("momentum_buffer") if self.momentum > 0 else None,
            **self._settings("alpha", "eps", "weight_decay", "momentum", "centered", "maximize"),
        )
