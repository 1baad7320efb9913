"""The torch side of the lrcore.optim tests: trajectories from `torch.optim` itself.

`torch_trajectory` is `lrcore.optim.run`'s specification: a float64 tensor parameter, its
`.grad` set from the same numpy gradient function before every `optimizer.step()`, the lr
(and momentum / β₁, for cycling schedules) written into `param_groups[0]` before each step as
a torch scheduler would. Also here: the gradient functions the tests share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

TORCH_OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}

TORCH_USES_FMA: bool = torch.backends.cpu.get_cpu_capability() in {"AVX2", "AVX512"}
"""Whether torch's CPU kernels here fuse a·b + c (lrcore.optim is then bit-identical)."""

GradFn = Callable[[np.ndarray], np.ndarray]


def torch_trajectory(
    name: str,
    x0: np.ndarray | float,
    grad_fn: GradFn,
    steps: int,
    lrs: Sequence[float] | np.ndarray,
    momenta: Sequence[float] | np.ndarray | None = None,
    **kwargs: object,
) -> np.ndarray:
    """The parameters after each of `steps` torch optimiser steps, shape (steps, *x0.shape)."""
    param = torch.tensor(np.asarray(x0, dtype=np.float64), dtype=torch.float64)
    optimizer = TORCH_OPTIMIZERS[name]([param], lr=float(lrs[0]) if steps else 1e-3, **kwargs)
    group = optimizer.param_groups[0]
    trajectory = np.empty((steps, *param.shape))
    with np.errstate(all="ignore"):
        for i in range(steps):
            group["lr"] = float(lrs[i])
            if momenta is not None:
                if "betas" in group:
                    group["betas"] = (float(momenta[i]), group["betas"][1])
                else:
                    group["momentum"] = float(momenta[i])
            grad = np.asarray(grad_fn(param.detach().numpy().copy()), dtype=np.float64)
            param.grad = torch.from_numpy(grad.copy())
            optimizer.step()
            trajectory[i] = param.detach().numpy()
    return trajectory


def assert_matches_torch(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Bit-identical where torch fuses multiply–adds; else within 1e-12 relative."""
    assert ours.shape == theirs.shape
    if TORCH_USES_FMA:
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300)


def max_relative_error(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max |ours − theirs| / |theirs| over finite entries (0 where both are equal)."""
    finite = np.isfinite(ours) & np.isfinite(theirs)
    difference = np.abs(ours[finite] - theirs[finite])
    scale = np.abs(theirs[finite])
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(difference == 0, 0.0, difference / scale)
    return float(relative.max(initial=0.0))


# ---- gradient functions -------------------------------------------------------------------


def quadratic_gradient(curvatures: Sequence[float] | np.ndarray) -> GradFn:
    """∇ of f(x) = Σ aᵢ·xᵢ²."""
    a = np.asarray(curvatures, dtype=np.float64)
    return lambda x: 2.0 * a * x


def rosenbrock_gradient(b: float = 100.0) -> GradFn:
    """∇ of f(x, y) = (1 − x)² + b·(y − x²)², for x of shape (2,)."""

    def gradient(p: np.ndarray) -> np.ndarray:
        x, y = p
        return np.array([-2.0 * (1.0 - x) - 4.0 * b * x * (y - x * x), 2.0 * b * (y - x * x)])

    return gradient


def noisy_quadratic_gradient(seed: int, dims: int, scale: float = 1.0) -> GradFn:
    """2x plus seeded noise: the i-th call adds the i-th draw, so a fresh function per run
    gives the same "stochastic" gradients to torch and to lrcore."""
    noise = np.random.default_rng(seed).standard_normal((10_000, dims)) * scale
    calls = iter(range(len(noise)))
    return lambda x: 2.0 * x + noise[next(calls)]
