"""What every optimiser of `lrcore.optim` shares: argument checks and the stateful `Optimizer`.

An `Optimizer` holds hyperparameters and state (momentum buffers, running averages, the step
count) but not the parameters: `step(x, grad)` returns the next parameters and leaves `x`
untouched, so a notebook can show one update at a time. Hyperparameters are plain attributes
that may be changed between steps, like a torch scheduler edits `param_groups`.
"""

from __future__ import annotations

import inspect
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lrcore.optim.kernels import add

__all__ = ["FloatArray", "Optimizer", "as_parameters", "parameter_shape", "regularised_gradient"]

FloatArray = NDArray[np.float64]


def real_number(name: str, value: object) -> float:
    """`value` as a Python float; TypeError for anything that is not a real number."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


TORCH_WORDS: Mapping[str, str] = MappingProxyType({"lr": "learning rate", "eps": "epsilon value"})
"""How torch's error messages call a hyperparameter when not "<name> value" (e.g. "momentum
value")."""


def non_negative(name: str, value: object) -> float:
    """Check `0 <= value` with torch's message, e.g. "Invalid learning rate: -0.1".

    Torch equivalent: the checks at the top of every torch optimiser's constructor,
    `if not 0.0 <= momentum: raise ValueError(f"Invalid momentum value: {momentum}")`.
    Unlike torch (whose SGD accepts lr=nan), nan is always rejected.

    >>> non_negative("eps", -1e-8)
    Traceback (most recent call last):
        ...
    ValueError: Invalid epsilon value: -1e-08
    """
    number = real_number(name, value)
    if not number >= 0.0:  # also rejects nan
        raise ValueError(f"Invalid {TORCH_WORDS.get(name, f'{name} value')}: {value}")
    return number


def regularised_gradient(
    param: FloatArray, grad: FloatArray, *, weight_decay: float, maximize: bool
) -> FloatArray:
    """The gradient an update uses: g = ∇f (−∇f if `maximize`), then g ← g + λ·θ if λ ≠ 0.

    Torch equivalent, the first lines of every `_single_tensor_*` step:
    `grad = grad if not maximize else -grad`, then
    `grad = grad.add(param, alpha=weight_decay)` when weight_decay ≠ 0 (a fused multiply–add,
    see `kernels.add`).

    >>> regularised_gradient(np.array([2.0]), np.array([1.0]), weight_decay=0.5, maximize=True)
    array([0.])
    """
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = add(g, param, alpha=weight_decay)
    return g


def as_parameters(values: ArrayLike, name: str = "x0") -> FloatArray:
    """A float64 copy of real, finite parameters; scalars give a 0-d array."""
    array = _real_float64_array(name, values)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {values!r}")
    return array


def parameter_shape(params: ArrayLike | tuple[int, ...]) -> tuple[int, ...]:
    """The shape of the parameters: `params` itself if it is a tuple of ints, else its shape."""
    if isinstance(params, tuple) and all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in params
    ):
        if any(d < 0 for d in params):
            raise ValueError(f"a shape cannot have negative dimensions, got {params}")
        return tuple(int(d) for d in params)
    return _real_float64_array("params", params).shape


def _real_float64_array(name: str, values: ArrayLike) -> FloatArray:
    array = np.asarray(values)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.floating)
        or np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of real numbers, got dtype {array.dtype}")
    return np.array(array, dtype=np.float64)


class Update(Protocol):
    """What a pure update function returns (`SGDUpdate`, `AdamUpdate`, …): a NamedTuple of the
    new parameters `param` and the new state arrays, named as in torch's `optimizer.state[p]`
    (None for a buffer the settings leave unused)."""

    @property
    def param(self) -> FloatArray: ...

    def _asdict(self) -> dict[str, Any]: ...


class Optimizer(ABC):
    """One optimiser: hyperparameters, per-parameter `state`, and `step(x, grad) -> new x`.

    `params` is the initial parameters x0 (only its shape is used) or, as a tuple of ints,
    the shape itself: `SGD(x0, lr=0.1)` and `SGD(x0.shape, lr=0.1)` are the same optimiser.

    Subclasses implement `_apply`: one call of their pure update function (`sgd_update`, …,
    torch's float64 operation order) with the current state and settings; `_update` does the
    bookkeeping around it. `state` uses the names of torch's `optimizer.state[p]`
    (`"momentum_buffer"`, `"exp_avg"`, …) so the two can be compared side by side; `"step"`
    counts the steps taken, as an int.
    """

    name: ClassVar[str]
    """Registry name used by `lrcore.optim.run`: the class name in lower case, e.g. `"adam"`."""
    cycled_momentum: ClassVar[str | None]
    """The attribute a momentum-cycling schedule sets each step, by torch's rule (CyclicLR,
    OneCycleLR): `"momentum"` if the optimiser takes a momentum, else `"beta1"` if it takes
    betas, else None (torch's schedules then raise)."""
    hyperparameter_names: ClassVar[tuple[str, ...]]
    """The constructor's arguments after `params` (torch's names), read from its signature."""
    state_keys: ClassVar[Mapping[str, str]] = MappingProxyType({})
    """torch's state key of each field of the update's result whose name differs from it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        arguments = list(inspect.signature(cls.__init__).parameters)
        cls.hyperparameter_names = tuple(arguments[arguments.index("params") + 1 :])
        cls.name = cls.__name__.lower()
        if "momentum" in cls.hyperparameter_names:
            cls.cycled_momentum = "momentum"
        elif "betas" in cls.hyperparameter_names:
            cls.cycled_momentum = "beta1"
        else:
            cls.cycled_momentum = None

    def __init__(self, params: ArrayLike | tuple[int, ...], lr: float) -> None:
        self.shape: tuple[int, ...] = parameter_shape(params)
        self.lr: float = non_negative("lr", lr)
        self.state: dict[str, Any] = {}

    def step(self, x: ArrayLike, grad: ArrayLike, lr: float | None = None) -> FloatArray:
        """Return the parameters after one update of `x` with gradient `grad`.

        `lr` overrides `self.lr` for this step only (a schedule's lr_t). Overflow and nan
        propagate silently, like torch: a diverging run yields inf/nan, not an exception.
        """
        x = self._checked_array("x", x)
        grad = self._checked_array("grad", grad)
        step_lr = self.lr if lr is None else real_number("lr", lr)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return np.array(self._update(x, grad, step_lr), dtype=np.float64)

    def set_momentum(self, value: float) -> None:
        """Set the hyperparameter a momentum-cycling schedule drives (see `cycled_momentum`)."""
        if self.cycled_momentum is None:
            raise ValueError(
                f"{self.name} has no momentum or beta1 for a schedule to cycle; torch's "
                "CyclicLR/OneCycleLR raise here too (use cycle_momentum=False)"
            )
        setattr(self, self.cycled_momentum, real_number("momentum", value))

    def _settings(self, *names: str) -> dict[str, Any]:
        """The current values of the named hyperparameters, as keyword arguments for the pure
        update (a schedule may have changed them since the last step)."""
        return {name: getattr(self, name) for name in names}

    def _update(self, x: FloatArray, grad: FloatArray, lr: float) -> FloatArray:
        """One step's bookkeeping, as torch's `step()` does it: count the step (torch's SGD
        keeps no count), apply the update, keep the new state arrays, return the parameters."""
        if "step" in self.state:
            self.state["step"] += 1
        result = self._apply(x, grad, lr)
        for field, value in result._asdict().items():
            if field != "param" and value is not None:
                self.state[self.state_keys.get(field, field)] = value
        return result.param

    @abstractmethod
    def _apply(self, x: FloatArray, grad: FloatArray, lr: float) -> Update:
        """The pure update of `x` with this step's state and settings (x and grad are float64
        copies; `state["step"]` is already this step's 1-based number)."""

    def _checked_array(self, name: str, values: ArrayLike) -> FloatArray:
        array = _real_float64_array(name, values)
        if array.shape != self.shape:
            raise ValueError(
                f"{name} has shape {array.shape}, but this {type(self).__name__} was built "
                f"for parameters of shape {self.shape}"
            )
        return array

    def _state_array(self, key: str, fill: float = 0.0) -> FloatArray:
        """`state[key]`, created as a constant array on first use."""
        if key not in self.state:
            self.state[key] = np.full(self.shape, fill, dtype=np.float64)
        return self.state[key]

    def __repr__(self) -> str:
        settings = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.hyperparameter_names)
        return f"{type(self).__name__}(shape={self.shape}, {settings})"
