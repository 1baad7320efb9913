"""Torch schedulers as test cases, each named once, as plain data.

A scheduler case is JSON: `{"torch": "StepLR", "kwargs": {"step_size": 5, "gamma": 0.5}}`, and
for SequentialLR its children too: `{"torch": "SequentialLR", "schedulers": [case, …],
"kwargs": {"milestones": [5]}}`. From that one description `SchedulerCase` builds

- the torch scheduler, `case.factory(optimizer)` — what a student's code is handed;
- its twin in `lrcore.schedules`, `case.schedule(initial_lr)` — what the checks compare with.
  lrcore has one constructor per torch class, with torch's arguments and names: the optimizer's
  lr comes first, except for CyclicLR and OneCycleLR, which set the lr themselves;
- the constructor call as a student writes it, `case.text` ("StepLR(opt, step_size=5,
  gamma=0.5)").

Being data, a case can travel from the grader to a kernel (a hidden case), be written to a file
and serve as a cache key (`case.key`).

>>> case = SchedulerCase.of("StepLR", step_size=2, gamma=0.5)
>>> case.text
'StepLR(opt, step_size=2, gamma=0.5)'
>>> case.schedule(1.0).values(4).tolist()
[1.0, 1.0, 0.5, 0.5]
>>> SchedulerCase.from_data(case.to_data()).key == case.key
True
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lrcore import schedules as sched

__all__ = ["SchedulerCase", "TORCH_TWINS", "SEQUENTIAL"]

TORCH_TWINS: dict[str, tuple[Callable[..., sched.Schedule], bool]] = {
    "ConstantLR": (sched.constant_lr, True),
    "StepLR": (sched.step_lr, True),
    "MultiStepLR": (sched.multi_step_lr, True),
    "ExponentialLR": (sched.exponential_lr, True),
    "LinearLR": (sched.linear_lr, True),
    "PolynomialLR": (sched.polynomial_lr, True),
    "CosineAnnealingLR": (sched.cosine_annealing_lr, True),
    "CosineAnnealingWarmRestarts": (sched.cosine_annealing_warm_restarts, True),
    "CyclicLR": (sched.cyclic_lr, False),
    "OneCycleLR": (sched.one_cycle_lr, False),
}
"""torch class → (its lrcore constructor, whether the constructor takes the optimizer's lr
first)."""
SEQUENTIAL = "SequentialLR"
MOMENTUM_CYCLERS = ("CyclicLR", "OneCycleLR")
"""The classes that set the optimizer's momentum at every step unless cycle_momentum=False."""


def _plain(value: Any) -> bool:
    """A keyword argument a case may hold: a number, a bool, a string, or a list of those."""
    if isinstance(value, list):
        return all(_plain(item) and not isinstance(item, list) for item in value)
    return value is None or isinstance(value, bool | str | numbers.Real)


@dataclass(frozen=True, eq=False)
class SchedulerCase:
    """One torch scheduler: its class in `torch.optim.lr_scheduler`, its keyword arguments
    (without the optimizer) and, for SequentialLR, the schedulers it runs in turn."""

    torch: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    schedulers: tuple[SchedulerCase, ...] = ()

    @classmethod
    def of(cls, torch: str, *schedulers: SchedulerCase, **kwargs: Any) -> SchedulerCase:
        """`SchedulerCase.of("StepLR", step_size=5, gamma=0.5)`; SequentialLR takes its
        children first: `SchedulerCase.of("SequentialLR", ramp, cosine, milestones=[5])`."""
        return cls.from_data({"torch": torch, "kwargs": kwargs,
                              **({"schedulers": [s.to_data() for s in schedulers]}
                                 if schedulers else {})})

    @classmethod
    def from_data(cls, data: Any) -> SchedulerCase:
        """The case a JSON description holds; ValueError when it is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("torch"), str):
            raise ValueError("a scheduler case is a dict with the torch class in 'torch'")
        name, kwargs = data["torch"], data.get("kwargs", {})
        if name != SEQUENTIAL and name not in TORCH_TWINS:
            raise ValueError(f"{name!r} is not a scheduler the checks know")
        if not isinstance(kwargs, Mapping) or not all(
                isinstance(key, str) and _plain(value) for key, value in kwargs.items()):
            raise ValueError("a scheduler case's kwargs are names and plain values")
        children = data.get("schedulers", [])
        if (name == SEQUENTIAL) != bool(children) or not isinstance(children, list):
            raise ValueError("SequentialLR, and only it, has a list of schedulers")
        built = tuple(cls.from_data(child) for child in children)
        if any(child.torch == SEQUENTIAL for child in built):
            raise ValueError("a SequentialLR case does not nest another one")
        return cls(name, dict(kwargs), built)

    def to_data(self) -> dict[str, Any]:
        """The JSON description (`from_data` reads it back)."""
        data: dict[str, Any] = {"torch": self.torch, "kwargs": dict(self.kwargs)}
        if self.schedulers:
            data["schedulers"] = [child.to_data() for child in self.schedulers]
        return data

    @property
    def key(self) -> str:
        """The description as canonical JSON: equal cases have equal keys."""
        return json.dumps(self.to_data(), sort_keys=True, allow_nan=False)

    @property
    def text(self) -> str:
        """The constructor call as a student writes it, on an optimizer called `opt`."""
        return self.spelled("opt")

    def spelled(self, optimizer: str | None) -> str:
        """The constructor call on an optimizer called `optimizer` (None: left out, as in
        "StepLR(step_size=5, gamma=0.5)")."""
        parts = [] if optimizer is None else [optimizer]
        if self.schedulers:
            parts.append(f"[{', '.join(child.spelled(optimizer) for child in self.schedulers)}]")
        parts += [f"{key}={value!r}" for key, value in self.kwargs.items()]
        return f"{self.torch}({', '.join(parts)})"

    @property
    def lambda_text(self) -> str:
        return f"lambda opt: {self.text}"

    @property
    def cycles_momentum(self) -> bool:
        """Whether torch's scheduler sets the optimizer's momentum at every step."""
        return (self.torch in MOMENTUM_CYCLERS and self.kwargs.get("cycle_momentum", True)
                is not False)

    def factory(self, optimizer: Any) -> Any:
        """The torch scheduler on `optimizer` (SequentialLR's children are built first, on the
        same optimizer, in order)."""
        from torch.optim import lr_scheduler

        cls = getattr(lr_scheduler, self.torch)
        if self.schedulers:
            children = [child.factory(optimizer) for child in self.schedulers]
            return cls(optimizer, children, **self.kwargs)
        return cls(optimizer, **self.kwargs)

    def schedule(self, initial_lr: float) -> sched.Schedule:
        """The equal `lrcore.schedules` schedule for an optimizer whose lr is `initial_lr`."""
        if self.schedulers:
            return sched.sequential_lr([child.schedule(initial_lr) for child in self.schedulers],
                                       **self.kwargs)
        constructor, takes_lr = TORCH_TWINS[self.torch]
        return constructor(initial_lr, **self.kwargs) if takes_lr else constructor(**self.kwargs)
