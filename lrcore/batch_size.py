"""The learning rate as a function of the batch size: scaling rules and gradual warmup.

A minibatch gradient is an average of B per-example gradients, so its noise shrinks like 1/B.
Two rules carry a learning rate tuned at a base batch size B₀ to another batch size B:

- **linear scaling** (Goyal et al. 2017, for SGD): lr(B) = lr₀ · B / B₀ — the paper's
  ImageNet recipe is lr = 0.1 · B / 256;
- **square-root scaling** (Malladi et al. 2022, for Adam/RMSprop): lr(B) = lr₀ · √(B / B₀).

A large scaled lr is usually reached by a **gradual warmup**: step t (0-based) of the first k
steps uses lr_t = target · (t + 1)/k, so step 0 already takes target/k (no step is wasted at
lr 0) and step k − 1 is the first to use the target, which every later step keeps.

>>> linear_scaled_lr(0.1, 1024), sqrt_scaled_lr(0.1, 1024)
(0.4, 0.2)
>>> [gradual_warmup_lr(t, target_lr=0.4, warmup_steps=4) for t in range(6)]
[0.1, 0.2, 0.30000000000000004, 0.4, 0.4, 0.4]
"""

from __future__ import annotations

import math
import numbers
from typing import overload

import numpy as np
import numpy.typing as npt

from lrcore.arguments import integer_at_least, non_negative_number, positive_number
from lrcore.schedules import Schedule, linear_lr, sequential_lr

__all__ = [
    "GOYAL_BASE_LR",
    "GOYAL_BASE_BATCH_SIZE",
    "linear_scaled_lr",
    "sqrt_scaled_lr",
    "gradual_warmup_lr",
    "gradual_warmup",
    "warmup_steps_for_epochs",
]

GOYAL_BASE_LR = 0.1
"""Goyal et al.'s reference lr for SGD (momentum 0.9) on ImageNet, at `GOYAL_BASE_BATCH_SIZE`."""
GOYAL_BASE_BATCH_SIZE = 256
"""The batch size of `GOYAL_BASE_LR`: their rule reads lr = 0.1 · batch / 256."""


def linear_scaled_lr(
    base_lr: float, batch_size: float, base_batch_size: float = GOYAL_BASE_BATCH_SIZE
) -> float:
    """The linear scaling rule: lr = base_lr · batch_size / base_batch_size.

    `base_lr` is the lr that works at `base_batch_size`; a batch k times larger gets a k times
    larger lr, so that k small steps and one large step move the weights about as far (as long
    as the gradient barely changes over those k steps — which is where the rule breaks).

    Torch equivalent: `torch.optim.SGD(params, lr=linear_scaled_lr(0.1, batch_size))`.

    Args:
        base_lr: the lr tuned at the base batch size, ≥ 0.
        batch_size: the batch size to scale to, > 0.
        base_batch_size: the batch size `base_lr` was tuned at, > 0 (256 as in Goyal et al.).

    >>> linear_scaled_lr(0.1, 8192)  # Goyal et al.'s largest batch
    3.2
    >>> linear_scaled_lr(0.05, 64, base_batch_size=16)
    0.2
    """
    lr = non_negative_number("base_lr", base_lr)
    ratio = positive_number("batch_size", batch_size) / positive_number(
        "base_batch_size", base_batch_size
    )
    return lr * ratio


def sqrt_scaled_lr(
    base_lr: float, batch_size: float, base_batch_size: float = GOYAL_BASE_BATCH_SIZE
) -> float:
    """The square-root scaling rule: lr = base_lr · √(batch_size / base_batch_size).

    The root is taken of the batch-size *ratio*, not of the lr. It keeps the variance of an
    update (lr² · noise/B) constant; Malladi et al. (2022) show it is the right rule for
    adaptive optimisers (Adam, RMSprop), whose updates are normalised by √v.

    Torch equivalent: `torch.optim.Adam(params, lr=sqrt_scaled_lr(1e-3, batch_size, 64))`.

    Args:
        base_lr: the lr tuned at the base batch size, ≥ 0.
        batch_size: the batch size to scale to, > 0.
        base_batch_size: the batch size `base_lr` was tuned at, > 0.

    >>> sqrt_scaled_lr(0.1, 1024)
    0.2
    >>> round(sqrt_scaled_lr(1e-3, 512, base_batch_size=64), 10)
    0.0028284271
    """
    lr = non_negative_number("base_lr", base_lr)
    ratio = positive_number("batch_size", batch_size) / positive_number(
        "base_batch_size", base_batch_size
    )
    return lr * math.sqrt(ratio)


@overload
def gradual_warmup_lr(step: int, target_lr: float, warmup_steps: int) -> float: ...


@overload
def gradual_warmup_lr(
    step: npt.ArrayLike, target_lr: float, warmup_steps: int
) -> npt.NDArray[np.float64]: ...


def gradual_warmup_lr(step, target_lr, warmup_steps):  # type: ignore[no-untyped-def]
    """The lr of optimizer step `step` (0-based) under a gradual linear warmup.

    Formula: lr_t = target · min(1, (t + 1)/k) for k = warmup_steps ≥ 1, and lr_t = target for
    k = 0 (no warmup). Step 0 uses target/k, step k − 1 the target itself.

    Torch equivalent: `LambdaLR(opt, lambda t: min(1.0, (t + 1) / k))` on an optimizer built
    with lr=target, or `LinearLR(opt, start_factor=1/k, end_factor=1.0, total_iters=k - 1)`
    (see `gradual_warmup`).

    Args:
        step: t, an int ≥ 0 — or an integer array of steps (vectorised: returns an array).
        target_lr: the lr reached at the end of the warmup, ≥ 0.
        warmup_steps: k, the number of optimizer steps the ramp lasts, an int ≥ 0.

    >>> gradual_warmup_lr(0, 0.8, 4), gradual_warmup_lr(3, 0.8, 4), gradual_warmup_lr(9, 0.8, 4)
    (0.2, 0.8, 0.8)
    >>> gradual_warmup_lr(np.arange(5), 1.0, 2).tolist()
    [0.5, 1.0, 1.0, 1.0, 1.0]
    """
    target = non_negative_number("target_lr", target_lr)
    k = integer_at_least("warmup_steps", warmup_steps, 0)
    if isinstance(step, numbers.Integral) and not isinstance(step, bool):
        t = integer_at_least("step", step, 0)
        return target if t + 1 >= k else target * (t + 1) / k
    steps = np.asarray(step)
    if steps.dtype == np.bool_ or (steps.size and steps.dtype.kind not in "iu"):
        raise TypeError(f"step must be an int or an integer array, got {step!r}")
    if steps.size and int(steps.min()) < 0:
        raise ValueError(f"steps must be >= 0, got {int(steps.min())}")
    if k == 0:
        return np.full(steps.shape, target, dtype=np.float64)
    ramp = target * (steps.astype(np.float64) + 1.0) / k
    return np.where(steps + 1 >= k, target, ramp)


def gradual_warmup(
    target_lr: float, warmup_steps: int, after: Schedule | None = None
) -> Schedule:
    """The gradual warmup as an `lrcore.schedules.Schedule`, optionally followed by `after`.

    Formula: s(t) = target · (t + 1)/k for t < k, then s(t) = target (or `after(t − k)`, which
    restarts from its own step 0 at t = k, as torch's SequentialLR does). Built on
    `lrcore.schedules`: the ramp is `linear_lr(target, start_factor=1/k, end_factor=1,
    total_iters=k − 1)`, whose values torch computes recursively (they equal
    `gradual_warmup_lr` to ~1e-16 relative).

    Torch equivalent: `LinearLR(opt, start_factor=1/k, end_factor=1.0, total_iters=k - 1)`,
    inside `SequentialLR(opt, [that, after], milestones=[k])` when `after` is given.

    Args:
        target_lr: the lr reached at step k − 1, ≥ 0 (for `after`, usually after.initial_lr).
        warmup_steps: k, an int ≥ 0 (0: no warmup).
        after: an optional schedule to run from step k on.

    >>> from lrcore.schedules import cosine_annealing_lr
    >>> gradual_warmup(0.4, 4).values(6).round(12).tolist()
    [0.1, 0.2, 0.3, 0.4, 0.4, 0.4]
    >>> s = gradual_warmup(1.0, 2, after=cosine_annealing_lr(lr=1.0, T_max=2))
    >>> s.values(5).round(12).tolist()
    [0.5, 1.0, 1.0, 0.5, 0.0]
    """
    target = non_negative_number("target_lr", target_lr)
    k = integer_at_least("warmup_steps", warmup_steps, 0)
    if k == 0:
        ramp = linear_lr(target, start_factor=1.0, end_factor=1.0, total_iters=0)
    else:
        ramp = linear_lr(target, start_factor=1.0 / k, end_factor=1.0, total_iters=k - 1)
    if after is None:
        return ramp
    if not isinstance(after, Schedule):
        raise TypeError(f"after must be an lrcore schedule, got {type(after).__name__}")
    return sequential_lr([ramp, after], milestones=[k])


def warmup_steps_for_epochs(warmup_epochs: float, steps_per_epoch: int) -> int:
    """The number of optimizer steps of a warmup given in epochs: round(epochs · steps/epoch)
    (Python's round, so 22.5 gives 22).

    Goyal et al. warm up over 5 epochs; with batch size B and N examples an epoch has
    ⌈N / B⌉ steps (the last batch may be smaller), so the warmup is longer in steps for small
    batches and shorter for large ones.

    >>> warmup_steps_for_epochs(2, steps_per_epoch=3), warmup_steps_for_epochs(0.5, 45)
    (6, 22)
    """
    if isinstance(warmup_epochs, bool) or not isinstance(warmup_epochs, numbers.Real):
        raise TypeError(f"warmup_epochs must be a number, got {warmup_epochs!r}")
    if not math.isfinite(float(warmup_epochs)) or warmup_epochs < 0:
        raise ValueError(f"warmup_epochs must be >= 0, got {warmup_epochs!r}")
    per_epoch = integer_at_least("steps_per_epoch", steps_per_epoch, 0)
    return int(round(float(warmup_epochs) * per_epoch))
