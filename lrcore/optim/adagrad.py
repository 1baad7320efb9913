"""Adagrad: a per-coordinate lr shrinking with the sum of all past squared gradients."""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lrcore.optim.base import FloatArray, Optimizer, non_negative, regularised_gradient
from lrcore.optim.kernels import addcdiv, addcmul, sqrt

__all__ = ["Adagrad", "AdagradUpdate", "adagrad_update"]


class AdagradUpdate(NamedTuple):
    """The result of one Adagrad step: new parameters and the new sum of squared gradients."""

    param: FloatArray
    state_sum: FloatArray


def adagrad_update(
    param: FloatArray,
    grad: FloatArray,
    state_sum: FloatArray,
    step: int,
    *,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> AdagradUpdate:
    """One step of torch's `_single_tensor_adagrad` (dense gradients), as a pure function.

    `step` is the 1-based number of this step (torch increments its counter first).

    >>> adagrad_update(np.array([1.0]), np.array([3.0]), np.array([0.0]), 1, lr=0.5)
    AdagradUpdate(param=array([0.5]), state_sum=array([9.]))
    """
    g = regularised_gradient(param, grad, weight_decay=weight_decay, maximize=maximize)
    decayed_lr = lr / (1 + (step - 1) * lr_decay)
    state_sum = addcmul(state_sum, g, g, value=1)
    std = sqrt(state_sum) + eps
    return AdagradUpdate(addcdiv(param, g, std, value=-decayed_lr), state_sum)


class Adagrad(Optimizer):
    """Adagrad — torch's exact update.

    With gradient g (−g if `maximize`), weight decay λ, lr decay η_d, at step t = 1, 2, …:

        g ← g + λ·θ                        (if λ ≠ 0)
        lr_t ← lr / (1 + (t − 1)·η_d)
        s ← s + g²                          (s starts at initial_accumulator_value)
        θ ← θ − lr_t · g / (√s + ε)

    On the first step with s₀ = 0 every coordinate moves by lr·g/(|g| + ε) ≈ lr·sign(g): the
    size of the gradient only starts to matter from the second step on.

    Torch equivalent: `torch.optim.Adagrad(params, lr=lr, lr_decay=η_d, weight_decay=λ,
    initial_accumulator_value=s₀, eps=ε)`. Defaults are torch's: lr=1e-2, lr_decay=0,
    weight_decay=0, initial_accumulator_value=0, eps=1e-10; each must be ≥ 0 (ValueError
    "Invalid lr_decay value: …" etc.).

    Keras differs: its Adagrad adds ε inside the square root, √(s + ε) with ε = 1e-7, and
    starts s at 0.1, so its first steps are smaller than lr.

    >>> opt = Adagrad(np.array([1.0, -2.0]), lr=0.5)
    >>> x = opt.step([1.0, -2.0], [2.0, -4.0])  # first step: lr·sign(g)
    >>> x
    array([ 0.5, -1.5])
    >>> opt.state["sum"], opt.state["step"]
    (array([ 4., 16.]), 1)
    """

    state_keys = MappingProxyType({"state_sum": "sum"})  # torch calls the accumulator "sum"

    def __init__(
        self,
        params: ArrayLike | tuple[int, ...],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay = non_negative("lr_decay", lr_decay)
        self.weight_decay = non_negative("weight_decay", weight_decay)
        self.initial_accumulator_value = non_negative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = non_negative("eps", eps)
        self.maximize = bool(maximize)
        # Like torch, the accumulator exists from construction on.
        self.state["step"] = 0
        self.state["sum"] = np.full(self.shape, self.initial_accumulator_value)

    def _apply(self, x: FloatArray, grad: FloatArray, lr: float) -> AdagradUpdate:
        """`adagrad_update` with the accumulator, this step's number and the settings."""
        settings = self._settings("lr_decay", "weight_decay", "eps", "maximize")
        return adagrad_update(x, grad, self.state["sum"], self.state["step"], lr=lr, **settings)
