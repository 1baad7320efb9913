"""lrcore — the Learning-Rate Lab's reference package: what is true.

Every value and plot a student submits is compared with what `lrcore` computes:

- `lrcore.schedules` — every `torch.optim.lr_scheduler` policy as a pure function of the step;
- `lrcore.optim` — numpy optimisers with torch's exact update rules;
- `lrcore.quadratic` — gradient descent on f(x) = a·x², the course's opening experiment;
- `lrcore.regression` — the one-feature linear-regression learning-rate sweep;
- `lrcore.noisy_gradient`, `lrcore.curvature` — a noisy gradient's floor and a decaying lr; one
  lr for two curvatures (ps01's limits of a constant lr, ps02's schedule comparison);
- `lrcore.batch_size`, `lrcore.range_test`, `lrcore.digits` — batch-size scaling rules, warmup,
  the LR range test and the small digits task (ps03);
- `lrcore.rl` — FrozenLake value iteration and Q-learning with step-size schedules (ps04);
- `lrcore.optimizer_sweep`, `lrcore.classification`, `lrcore.plateau_challenge` — adaptive
  optimisers on regression, the Gaussian-quantiles classifier, the plateau challenge (ps05);
- `lrcore.widgets` — the exploration widgets.

Submodules are imported on first use so that `import lrcore` stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "schedules", "optim", "quadratic", "regression", "noisy_gradient", "curvature", "batch_size",
    "range_test", "digits", "rl", "optimizer_sweep", "classification", "plateau_challenge",
    "widgets",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lrcore' has no attribute {name!r}")
