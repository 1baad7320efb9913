"""`run`: a whole optimisation trajectory from x0, a gradient function and an lr (or schedule).

This is the entry point the graders use. The optimisers are looked up by name in
`OPTIMIZERS`; per-step learning rates come from a constant, a sequence, or an lrcore schedule.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from lrcore.arguments import integer_at_least
from lrcore.optim.adagrad import Adagrad
from lrcore.optim.adam import Adam, AdamW
from lrcore.optim.base import FloatArray, Optimizer, as_parameters
from lrcore.optim.rmsprop import RMSprop
from lrcore.optim.sgd import SGD
from lrcore.schedules.protocol import LrSchedule

__all__ = ["OPTIMIZERS", "LrSchedule", "optimizer_class", "run"]

OPTIMIZERS: Mapping[str, type[Optimizer]] = MappingProxyType(
    {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW)}
)
"""The optimisers `run` knows, by lower-case name."""

# torch options that only choose an implementation. Their defaults on the CPU select the
# single-tensor code path lrcore replicates; other values round differently (fused Adam, the
# capturable branch), so they are refused rather than silently ignored.
_IMPLEMENTATION_OPTIONS: Mapping[str, tuple[object, ...]] = MappingProxyType(
    {
        "foreach": (None, False),
        "fused": (None, False),
        "capturable": (False,),
        "differentiable": (False,),
    }
)


GradientFunction = Callable[[FloatArray], ArrayLike]


def optimizer_class(name: str) -> type[Optimizer]:
    """The optimiser class called `name` (case-insensitive): "sgd", "adagrad", "rmsprop",
    "adam" or "adamw".

    >>> optimizer_class("AdamW").__name__
    'AdamW'
    """
    if not isinstance(name, str):
        raise TypeError(f"the optimiser name must be a string, got {type(name).__name__}")
    try:
        return OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimiser {name!r}; valid names are {', '.join(OPTIMIZERS)}"
        ) from None


def run(
    name: str,
    x0: ArrayLike,
    grad_fn: GradientFunction,
    steps: int,
    lr: float | Sequence[float] | np.ndarray | LrSchedule,
    **torch_kwargs: Any,
) -> FloatArray:
    """Run `steps` updates of optimiser `name` from `x0`; return x after each step.

    Equivalent to this torch loop in float64 (and bit-identical on AVX2/AVX512 CPUs)::

        x = torch.tensor(x0, dtype=torch.float64)
        opt = torch.optim.Adam([x], lr=lr, **torch_kwargs)       # or SGD, Adagrad, …
        for i in range(steps):
            opt.param_groups[0]["lr"] = lr_i                      # what a scheduler does
            x.grad = torch.from_numpy(grad_fn(x.numpy().copy()))
            opt.step(); trajectory[i] = x

    Arguments:
        name: "sgd", "adagrad", "rmsprop", "adam" or "adamw" (any case).
        x0: the initial parameters, finite; a scalar gives a result of shape (steps,).
        grad_fn: gradient at the current parameters, `grad_fn(x) -> array of x's shape`;
            it receives a copy, so it may modify its argument.
        steps: the number of updates, an int ≥ 0.
        lr: a constant; or one lr per step; or an lrcore schedule — anything with
            `values(n)` — where step i uses `lr.values(steps)[i]` (the value torch's
            scheduler sets before step i when stepped after each `optimizer.step()`).
            If the schedule also has `momenta(n)` and does not set `cycle_momentum` false,
            step i also sets the momentum to `momenta(steps)[i]`, as torch's CyclicLR and
            OneCycleLR do: SGD's and RMSprop's `momentum`, Adam's and AdamW's β₁ (β₂ is
            kept). Adagrad has no momentum, so such a schedule is a ValueError, as in torch.
        **torch_kwargs: the optimiser's torch options (momentum=0.9, betas=(0.9, 0.99), …),
            validated as torch does. `foreach`/`fused`/`capturable`/`differentiable` are
            accepted only at values selecting torch's single-tensor CPU path.

    Returns:
        float64 array of shape (steps, *x0.shape): row i holds the parameters after step i+1.
        A diverging run fills with inf/nan instead of raising (no warnings are emitted).

    >>> run("sgd", 1.0, lambda x: 2 * x, steps=3, lr=0.25)  # f(x) = x²: halves each step
    array([0.5  , 0.25 , 0.125])
    >>> run("adam", [1.0, -2.0], lambda x: 2 * x, steps=2, lr=0.1)
    array([[ 0.9       , -1.9       ],
           [ 0.80041223, -1.80016649]])
    """
    optimizer_type = optimizer_class(name)
    steps = integer_at_least("steps", steps, 0)
    x = as_parameters(x0, "x0")
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable, got {type(grad_fn).__name__}")
    options = _checked_options(optimizer_type, torch_kwargs)
    lrs, initial_lr = _per_step_lrs(lr, steps)
    momenta = _per_step_momenta(lr, steps, optimizer_type)
    optimizer = optimizer_type(x.shape, initial_lr, **options)

    trajectory = np.empty((steps, *x.shape), dtype=np.float64)
    # Divergence is an expected outcome, not an error: no warnings from grad_fn or the update.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for i in range(steps):
            if momenta is not None:
                optimizer.set_momentum(float(momenta[i]))
            grad = _gradient(grad_fn, x, i)
            x = optimizer.step(x, grad, lr=float(lrs[i]))
            trajectory[i] = x
    return trajectory


def _checked_options(optimizer_type: type[Optimizer], options: dict[str, Any]) -> dict[str, Any]:
    accepted = {}
    for key, value in options.items():
        if key in _IMPLEMENTATION_OPTIONS:
            if value not in _IMPLEMENTATION_OPTIONS[key]:
                raise ValueError(
                    f"{key}={value!r} selects a torch implementation with a different "
                    "rounding; lrcore.optim replicates the single-tensor CPU path "
                    f"({key} in {_IMPLEMENTATION_OPTIONS[key]})"
                )
            continue
        if key not in optimizer_type.hyperparameter_names:
            valid = ", ".join(n for n in optimizer_type.hyperparameter_names if n != "lr")
            raise TypeError(f"{optimizer_type.name} has no option {key!r}; its options are {valid}")
        accepted[key] = value
    return accepted


def _per_step_lrs(
    lr: float | Sequence[float] | np.ndarray | LrSchedule, steps: int
) -> tuple[FloatArray, float]:
    """The lr of every step, and the lr to build the optimiser with (which validates it)."""
    if isinstance(lr, numbers.Real):
        # lr as given, for torch's error message (a numbers.Real: mypy knows no numeric tower)
        return np.full(steps, float(lr)), cast(float, lr)
    if hasattr(lr, "values"):
        lrs = np.asarray(lr.values(steps), dtype=np.float64)
        source = f"the schedule's values({steps})"
    elif callable(lr):
        raise TypeError(
            "lr must be a number, a sequence of per-step lrs or an lrcore schedule with "
            "values(n); a bare function is ambiguous (torch's LambdaLR multiplies)"
        )
    else:
        lrs = np.asarray(lr, dtype=np.float64)
        if lrs.ndim == 0:
            return np.full(steps, float(lrs)), float(lrs)
        source = "the lr sequence"
    if lrs.shape != (steps,):
        raise ValueError(f"{source} has shape {lrs.shape}; expected ({steps},), one lr per step")
    return lrs, float(lrs[0]) if steps else 0.0


def _per_step_momenta(lr: object, steps: int, optimizer_type: type[Optimizer]) -> FloatArray | None:
    momenta_of = getattr(lr, "momenta", None)
    if momenta_of is None or not getattr(lr, "cycle_momentum", True):
        return None
    if optimizer_type.cycled_momentum is None:
        raise ValueError(
            f"{optimizer_type.name} has no momentum or beta1 for the schedule to cycle; "
            "torch raises 'optimizer must support momentum or beta1 with `cycle_momentum` "
            "option enabled' — build the schedule with cycle_momentum=False"
        )
    planned = momenta_of(steps)
    if planned is None:  # a schedule may answer "no momenta" this way too
        return None
    momenta = np.asarray(planned, dtype=np.float64)
    if momenta.shape != (steps,):
        raise ValueError(
            f"the schedule's momenta({steps}) has shape {momenta.shape}; expected ({steps},)"
        )
    return momenta


def _gradient(grad_fn: GradientFunction, x: FloatArray, step: int) -> FloatArray:
    returned = grad_fn(x.copy())
    if returned is None:
        raise TypeError(f"grad_fn returned None at step {step}; it must return the gradient")
    try:
        grad = np.asarray(returned, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"grad_fn must return an array of real numbers; at step {step} it returned "
            f"{type(returned).__name__}"
        ) from None
    if grad.shape != x.shape:
        raise ValueError(
            f"grad_fn returned shape {grad.shape} at step {step}; expected {x.shape}, "
            "the shape of x0"
        )
    return grad
