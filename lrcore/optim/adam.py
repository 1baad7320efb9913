"""Adam and AdamW: bias-corrected running averages of the gradient and its square."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from lrcore.optim.base import FloatArray, Optimizer, non_negative, real_number, regularised_gradient
from lrcore.optim.kernels import addcdiv, addcmul, lerp, sqrt

__all__ = [
    "Adam",
    "AdamW",
    "AdamMoments",
    "AdamUpdate",
    "adam_moments",
    "adam_bias_corrections",
    "adam_update",
]


class AdamMoments(NamedTuple):
    """The running averages m (of g) and v (of g²) after one step."""

    exp_avg: FloatArray
    exp_avg_sq: FloatArray


class AdamUpdate(NamedTuple):
    """The result of one Adam step; `max_exp_avg_sq` is None without amsgrad."""

    param: FloatArray
    exp_avg: FloatArray
    exp_avg_sq: FloatArray
    max_exp_avg_sq: FloatArray | None


def adam_moments(
    grad: FloatArray, exp_avg: FloatArray, exp_avg_sq: FloatArray, *, beta1: float, beta2: float
) -> AdamMoments:
    """m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g², rounded as torch does.

    torch computes m with `lerp` (m + (1 − β₁)·(g − m)) and v with `mul_` then `addcmul_`.

    >>> adam_moments(np.array([2.0]), np.array([0.0]), np.array([0.0]), beta1=0.5, beta2=0.75)
    AdamMoments(exp_avg=array([1.]), exp_avg_sq=array([1.]))
    """
    exp_avg = lerp(exp_avg, grad, 1 - beta1)
    exp_avg_sq = addcmul(exp_avg_sq * beta2, grad, grad, value=1 - beta2)
    return AdamMoments(exp_avg, exp_avg_sq)


def adam_bias_corrections(step: int, beta1: float, beta2: float) -> tuple[float, float]:
    """(1 − β₁ᵗ, √(1 − β₂ᵗ)) for the 1-based step t, as Python floats like torch.

    torch takes the root with `** 0.5` (C `pow`), which differs from `math.sqrt` in the last bit
    for about 1 argument in 1000.

    >>> adam_bias_corrections(1, 0.9, 0.999)
    (0.09999999999999998, 0.031622776601683805)
    """
    return 1 - beta1**step, (1 - beta2**step) ** 0.5


def adam_update(
    param: FloatArray,
    grad: FloatArray,
    exp_avg: FloatArray,
    exp_avg_sq: FloatArray,
    step: int,
    *,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    max_exp_avg_sq: FloatArray | None = None,
    decoupled: bool = False,
    maximize: bool = False,
) -> AdamUpdate:
    """One step of torch's `_single_tensor_adam` (AdamW with `decoupled=True`), pure.

    `step` is the 1-based number of this step. `max_exp_avg_sq` (amsgrad) starts as zeros
    when None. The pieces — `adam_moments`, `adam_bias_corrections` — are separate so that
    variants (no bias correction, ε inside the root, Keras' ε on the uncorrected √v) can be
    assembled from them.

    >>> r = adam_update(np.array([1.0]), np.array([2.0]), np.array([0.0]), np.array([0.0]), 1,
    ...                 lr=0.1)
    >>> r.param, r.exp_avg, r.exp_avg_sq  # the first step moves by ≈ lr·sign(g)
    (array([0.9]), array([0.2]), array([0.004]))
    """
    if decoupled and weight_decay != 0:
        param = param * (1 - lr * weight_decay)
    coupled_decay = 0.0 if decoupled else weight_decay
    g = regularised_gradient(param, grad, weight_decay=coupled_decay, maximize=maximize)
    exp_avg, exp_avg_sq = adam_moments(g, exp_avg, exp_avg_sq, beta1=beta1, beta2=beta2)
    bias_correction1, bias_correction2_sqrt = adam_bias_corrections(step, beta1, beta2)
    step_size = lr / bias_correction1
    if amsgrad:
        previous = np.zeros_like(exp_avg_sq) if max_exp_avg_sq is None else max_exp_avg_sq
        max_exp_avg_sq = np.maximum(previous, exp_avg_sq)
        second_moment = max_exp_avg_sq
    else:
        second_moment = exp_avg_sq
    denominator = sqrt(second_moment) / bias_correction2_sqrt + eps
    param = addcdiv(param, exp_avg, denominator, value=-step_size)
    return AdamUpdate(param, exp_avg, exp_avg_sq, max_exp_avg_sq)


class Adam(Optimizer):
    """Adam — torch's exact update (AdamW is the same with `decoupled_weight_decay=True`).

    With gradient g (−g if `maximize`), betas (β₁, β₂), weight decay λ, at step t = 1, 2, …:

        g ← g + λ·θ                          (if λ ≠ 0; AdamW instead: θ ← θ·(1 − lr·λ))
        m ← β₁·m + (1 − β₁)·g
        v ← β₂·v + (1 − β₂)·g²
        v̂ ← max(v̂, v)                         (amsgrad; plain Adam uses v)
        θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    ε is added to the bias-corrected root √(v/(1 − β₂ᵗ)). The first step moves every
    coordinate by ≈ lr·sign(g), whatever the size of the gradient.

    Torch equivalent: `torch.optim.Adam(params, lr=lr, betas=(β₁, β₂), eps=ε,
    weight_decay=λ, amsgrad=…)`, float64, single-tensor (CPU) code path. Defaults are
    torch's: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0. Checks too: lr, eps,
    weight_decay ≥ 0 and 0 ≤ β < 1 ("Invalid beta parameter at index 1: 1.0"); unlike
    torch, integer betas such as (0, 0.99) are accepted.

    Keras differs: it adds ε to the uncorrected √v and folds both corrections into the step
    size, lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε) — the same as torch's with ε scaled by
    √(1 − β₂ᵗ), which matters in the first steps and for tiny gradients.

    A momentum-cycling schedule (CyclicLR / OneCycleLR) drives β₁, as torch's do.

    >>> opt = Adam(np.array([1.0, -2.0]), lr=0.1)
    >>> x = opt.step([1.0, -2.0], [2.0, -4.0])
    >>> x
    array([ 0.9, -1.9])
    >>> opt.state["exp_avg"], opt.state["step"]
    (array([ 0.2, -0.4]), 1)
    """

    def __init__(
        self,
        params: ArrayLike | tuple[int, ...],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.eps = non_negative("eps", eps)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for index, beta in enumerate(betas):
            if not 0.0 <= real_number(f"betas[{index}]", beta) < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.weight_decay = non_negative("weight_decay", weight_decay)
        self.amsgrad = bool(amsgrad)
        self.maximize = bool(maximize)
        self.decoupled_weight_decay = bool(decoupled_weight_decay)
        self.state["step"] = 0
        self.state["exp_avg"] = np.zeros(self.shape)
        self.state["exp_avg_sq"] = np.zeros(self.shape)

    @property
    def betas(self) -> tuple[float, float]:
        """(β₁, β₂); set `beta1` / `beta2` (or assign a pair) to change them between steps."""
        return (self.beta1, self.beta2)

    @betas.setter
    def betas(self, value: tuple[float, float]) -> None:
        self.beta1, self.beta2 = (real_number("beta", beta) for beta in value)

    def _apply(self, x: FloatArray, grad: FloatArray, lr: float) -> AdamUpdate:
        """`adam_update` (decoupled for AdamW) with the moments, this step's number and the
        settings; β₁ may have been set by a momentum-cycling schedule."""
        return adam_update(
            x,
            grad,
            self.state["exp_avg"],
            self.state["exp_avg_sq"],
            self.state["step"],
            lr=lr,
            max_exp_avg_sq=self._state_array("max_exp_avg_sq") if self.amsgrad else None,
            decoupled=self.decoupled_weight_decay,
            **self._settings("beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"),
        )


class AdamW(Adam):
    """AdamW — Adam with decoupled weight decay, torch's exact update.

    The weight decay shrinks the parameters directly, θ ← θ·(1 − lr·λ), before the Adam step
    (which then sees the raw gradient), instead of adding λ·θ to the gradient where Adam's
    normalisation would cancel most of its effect:

        θ ← θ·(1 − lr·λ)
        m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
        θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    Torch equivalent: `torch.optim.AdamW(params, lr=lr, betas=(β₁, β₂), eps=ε,
    weight_decay=λ, amsgrad=…)`; note torch's default weight_decay=1e-2 here (0 for Adam).
    Keras' AdamW shares Keras' ε placement (see `Adam`).

    >>> opt = AdamW(np.array([1.0, -2.0]), lr=0.1, weight_decay=0.5)
    >>> opt.step([1.0, -2.0], [0.0, 0.0])  # no gradient: only the decay θ·(1 − 0.05)
    array([ 0.95, -1.9 ])
    """

    def __init__(
        self,
        params: ArrayLike | tuple[int, ...],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
