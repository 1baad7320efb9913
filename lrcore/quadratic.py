"""Gradient descent on f(x) = a·x², the course's opening experiment.

The update with learning rate lr_t is

    x_{t+1} = x_t − lr_t · f'(x_t) = x_t · (1 − 2a·lr_t),

so after T steps x_T = x0 · ∏_{t<T} (1 − 2a·lr_t). With a constant lr the run converges iff
0 < lr < 1/a: lr = 1/(2a) lands on the minimum in one step, lr = 1/a oscillates between ±x0
forever and any larger lr diverges with alternating sign.

`optimize` reproduces the published float32 torch results exactly:

>>> x_history, lr_history = optimize(initial_lr=1.05, num_iterations=20, x0=500.0)
>>> x_history[-1]
3363.744384765625
>>> optimize(initial_lr=0.1)[0][-1]
5.764606952667236
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, cast, overload

import numpy as np

from lrcore.schedules.protocol import LrSchedule

__all__ = [
    "LrSchedule",
    "optimize",
    "gradient_descent",
    "closed_form_trajectory",
    "closed_form_final_x",
    "contraction_factor",
    "stability_bound",
    "divergence_threshold",
    "classify_lr",
    "iterations_to_tolerance",
]


TorchSchedulerFactory = Callable[[Any], Any]


def _check_run_arguments(initial_lr: float, num_iterations: int, x0: float, a: float) -> None:
    if isinstance(num_iterations, bool) or not isinstance(num_iterations, (int, np.integer)):
        raise TypeError(f"num_iterations must be an int, got {type(num_iterations).__name__}")
    if num_iterations < 0:
        raise ValueError(f"num_iterations must be >= 0, got {num_iterations}")
    for name, value in (("initial_lr", initial_lr), ("x0", x0), ("a", a)):
        if not math.isfinite(float(value)):
            raise ValueError(f"{name} must be a finite number, got {value!r}")


def optimize(
    initial_lr: float = 1.05,
    num_iterations: int = 20,
    x0: float = 500.0,
    scheduler: TorchSchedulerFactory | LrSchedule | None = None,
    a: float = 1.0,
) -> tuple[list[float], list[float]]:
    """Minimise f(x) = a·x² with `torch.optim.SGD` on a float32 tensor, as the exercise does.

    Returns `(x_history, lr_history)` where `x_history[i]` is x after step i+1 and
    `lr_history[i]` the learning rate used by step i+1 (read before `optimizer.step()`).

    `scheduler` is either
    - a factory `optimizer -> torch scheduler` (what students write, e.g.
      `lambda opt: torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)`), stepped after every
      `optimizer.step()` — the right order; or
    - an lrcore schedule `s`, in which case step t uses lr `s(t)` (and its momentum, when the
      schedule cycles momentum like torch's CyclicLR/OneCycleLR do).

    Torch equivalent (the loop itself)::

        x = torch.tensor(x0, dtype=torch.float32, requires_grad=True)
        opt = torch.optim.SGD([x], lr=initial_lr)
        for _ in range(num_iterations):
            opt.zero_grad(); (a * x ** 2).backward(); opt.step(); sched.step()

    >>> xs, lrs = optimize(0.25, 3, 8.0)
    >>> xs, lrs
    ([4.0, 2.0, 1.0], [0.25, 0.25, 0.25])
    """
    import torch

    _check_run_arguments(initial_lr, num_iterations, x0, a)
    x = torch.tensor(float(x0), dtype=torch.float32, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    group = optimizer.param_groups[0]
    torch_scheduler = None
    planned_lrs = planned_momenta = None
    if isinstance(scheduler, LrSchedule):
        planned_lrs = scheduler.values(num_iterations)
        if getattr(scheduler, "cycle_momentum", False):
            # an LrSchedule with cycle_momentum also has momenta(n) (LrSchedule's docstring)
            planned_momenta = cast(Any, scheduler).momenta(num_iterations)
    elif scheduler is not None:
        if not callable(scheduler):
            raise TypeError(
                "scheduler must be a function optimizer -> torch scheduler or an lrcore "
                f"schedule, got {type(scheduler).__name__}"
            )
        torch_scheduler = scheduler(optimizer)

    x_history: list[float] = []
    lr_history: list[float] = []
    for step in range(num_iterations):
        if planned_lrs is not None:
            group["lr"] = float(planned_lrs[step])
        if planned_momenta is not None:
            group["momentum"] = float(planned_momenta[step])
        optimizer.zero_grad()
        loss = a * x**2 if a != 1.0 else x**2
        loss.backward()
        lr_history.append(float(group["lr"]))
        optimizer.step()
        x_history.append(x.item())
        if torch_scheduler is not None:
            torch_scheduler.step()
    return x_history, lr_history


def gradient_descent(
    lr: float | Sequence[float] | np.ndarray,
    num_iterations: int,
    x0: float,
    a: float = 1.0,
) -> np.ndarray:
    """Gradient descent on a·x² by hand in float64 numpy: x ← x − lr_t·2a·x.

    `lr` is a constant or one lr per step. Returns x after each step (length num_iterations).

    >>> gradient_descent(0.25, 3, 8.0)
    array([4., 2., 1.])
    """
    lrs = _per_step(lr, num_iterations)
    _check_run_arguments(float(lrs[0]) if num_iterations else 0.0, num_iterations, x0, a)
    xs = np.empty(num_iterations, dtype=np.float64)
    x = float(x0)
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(num_iterations):
            x = x - lrs[step] * (2.0 * a * x)
            xs[step] = x
    return xs


def _per_step(lr: float | Sequence[float] | np.ndarray, num_iterations: int) -> np.ndarray:
    if isinstance(lr, LrSchedule):
        return np.asarray(lr.values(num_iterations), dtype=np.float64)
    lrs = np.asarray(lr, dtype=np.float64)
    if lrs.ndim == 0:
        return np.full(num_iterations, float(lrs))
    if lrs.shape != (num_iterations,):
        raise ValueError(f"expected {num_iterations} learning rates, got {lrs.shape[0]}")
    return lrs


@overload
def contraction_factor(lr: float, a: float = 1.0) -> float: ...
@overload
def contraction_factor(lr: np.ndarray, a: float = 1.0) -> np.ndarray: ...
def contraction_factor(lr: float | np.ndarray, a: float = 1.0) -> float | np.ndarray:
    """The factor one step multiplies x by: 1 − 2a·lr.

    >>> contraction_factor(0.1), contraction_factor(0.9)
    (0.8, -0.8)
    """
    return 1.0 - 2.0 * a * lr


def closed_form_trajectory(
    lr: float | Sequence[float] | np.ndarray, num_iterations: int, x0: float, a: float = 1.0
) -> np.ndarray:
    """x after each step from the product formula x_T = x0·∏(1 − 2a·lr_t), float64.

    >>> closed_form_trajectory(0.75, 3, 8.0)
    array([-4.,  2., -1.])
    """
    factors = contraction_factor(_per_step(lr, num_iterations), a)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(x0) * np.cumprod(factors)


def closed_form_final_x(
    lr: float | Sequence[float] | np.ndarray, num_iterations: int, x0: float, a: float = 1.0
) -> float:
    """x_T = x0·∏_{t<T}(1 − 2a·lr_t).

    >>> closed_form_final_x(1.05, 20, 500.0)  # float64; float32 torch gives 3363.744384765625
    3363.749974...
    """
    if num_iterations == 0:
        return float(x0)
    return float(closed_form_trajectory(lr, num_iterations, x0, a)[-1])


def stability_bound(a: float = 1.0) -> float:
    """The largest stable constant lr on a·x² (exclusive): gradient descent converges iff
    0 < lr < 1/a, because |1 − 2a·lr| < 1 exactly there.

    >>> stability_bound(1.0), stability_bound(4.0)
    (1.0, 0.25)
    """
    if a <= 0:
        raise ValueError(f"f(x) = a·x² has a minimum only for a > 0, got a={a}")
    return 1.0 / a


divergence_threshold = stability_bound


def classify_lr(lr: float, a: float = 1.0) -> str:
    """Name the regime of a constant lr on a·x².

    >>> [classify_lr(lr) for lr in (0.1, 0.5, 0.9, 1.0, 1.05, -0.1)]
    ['monotone convergence', 'one step', 'oscillating convergence', 'oscillates forever', \
'divergence', 'divergence']
    """
    factor = contraction_factor(lr, a)
    if factor == 0:
        return "one step"
    if abs(factor) == 1:
        return "oscillates forever" if factor < 0 else "stuck"
    if abs(factor) > 1:
        return "divergence"
    return "monotone convergence" if factor > 0 else "oscillating convergence"


def iterations_to_tolerance(
    lr: float, x0: float, tol: float = 1e-3, a: float = 1.0, max_iterations: int = 100_000
) -> int | None:
    """Smallest T with |x_T| < tol for a constant lr, simulated in float64; `None` if the run
    never gets there (lr outside (0, 1/a), or more than `max_iterations` steps needed).

    Roughly T = ⌈log(tol/|x0|) / log|1 − 2a·lr|⌉: the cost of a far start grows only with log|x0|.

    >>> iterations_to_tolerance(0.25, 8.0, tol=1.5)
    3
    >>> iterations_to_tolerance(1.05, 8.0) is None
    True
    """
    if tol <= 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    x = float(x0)
    if abs(x) < tol:
        return 0
    if abs(contraction_factor(lr, a)) >= 1:
        return None
    for step in range(1, max_iterations + 1):
        x = x - lr * (2.0 * a * x)
        if abs(x) < tol:
            return step
    return None
