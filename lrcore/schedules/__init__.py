"""Every `torch.optim.lr_scheduler` policy as a pure function of the step.

`s = step_lr(lr=0.1, step_size=30)` is a `Schedule`: `s(t)` is the lr torch's StepLR sets for
optimizer step t (its `get_last_lr()[0]` after t `scheduler.step()` calls, each made after
`optimizer.step()`), `s.values(n)` the first n as a float64 array — equal to torch's to
1e-12 (bit-identical for Python-float lrs, apart from numpy's pow/cos where noted), past the
horizon too. One constructor per torch class, named in snake_case, with torch's arguments,
defaults and ValueErrors; `lr` replaces the optimizer.

- decay: `constant_lr`, `step_lr`, `multi_step_lr`, `exponential_lr`, `linear_lr`,
  `polynomial_lr`
- cosine: `cosine_annealing_lr`, `cosine_annealing_warm_restarts`
- cyclic (also set the momentum: `s.momenta(n)`): `cyclic_lr`, `one_cycle_lr`
- user functions: `lambda_lr`, `multiplicative_lr`
- composition: `sequential_lr`, `chained_scheduler`, `warmup`
- metric-driven (stateful): `reduce_lr_on_plateau`, and its pure view `plateau_lrs`
- `to_torch(schedule, optimizer)`: a real torch scheduler driving an optimizer with it.

>>> from lrcore.schedules import cosine_annealing_lr, warmup
>>> s = warmup(cosine_annealing_lr(lr=0.1, T_max=10), warmup_steps=2)
>>> s.values(4).round(4).tolist()
[0.0333, 0.0667, 0.1, 0.0976]
"""

from .base import Schedule
from .composite import chained_scheduler, sequential_lr, warmup
from .cosine import cosine_annealing_lr, cosine_annealing_warm_restarts
from .cyclic import cyclic_lr, one_cycle_lr
from .decay import constant_lr, exponential_lr, linear_lr, multi_step_lr, polynomial_lr, step_lr
from .lambdas import lambda_lr, multiplicative_lr
from .plateau import PlateauScheduler, plateau_lrs, reduce_lr_on_plateau
from .protocol import LrSchedule
from .torch_bridge import to_torch

__all__ = [
    "LrSchedule",
    "PlateauScheduler",
    "Schedule",
    "chained_scheduler",
    "constant_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "exponential_lr",
    "lambda_lr",
    "linear_lr",
    "multi_step_lr",
    "multiplicative_lr",
    "one_cycle_lr",
    "plateau_lrs",
    "polynomial_lr",
    "reduce_lr_on_plateau",
    "sequential_lr",
    "step_lr",
    "to_torch",
    "warmup",
]
