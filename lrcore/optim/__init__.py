"""Numpy optimisers with torch's exact float64 update rules.

`run(name, x0, grad_fn, steps, lr, **torch_kwargs)` returns a whole trajectory; the classes
(`SGD`, `Adagrad`, `RMSprop`, `Adam`, `AdamW`) take one step at a time; the pure functions
(`sgd_update`, `adam_update`, …) are the updates themselves, for building variants.

Every update follows torch's single-tensor (CPU) code path operation by operation, including
its fused multiply–adds (`lrcore.optim.kernels`), so on AVX2/AVX512 CPUs the trajectories are
bit-identical to `torch.optim` on float64 tensors. One kernel is borrowed rather than
replicated: torch's float64 square root (MKL's, not correctly rounded), see `kernels.sqrt`.

>>> from lrcore.optim import run
>>> run("sgd", [4.0, -2.0], lambda x: 2 * x, steps=2, lr=0.25, momentum=0.5)
array([[ 2., -1.],
       [ 0.,  0.]])
"""

from lrcore.optim.adagrad import Adagrad, AdagradUpdate, adagrad_update
from lrcore.optim.adam import (
    Adam,
    AdamMoments,
    AdamUpdate,
    AdamW,
    adam_bias_corrections,
    adam_moments,
    adam_update,
)
from lrcore.optim.base import Optimizer
from lrcore.optim.rmsprop import RMSprop, RMSpropUpdate, rmsprop_denominator, rmsprop_update
from lrcore.optim.runner import OPTIMIZERS, LrSchedule, optimizer_class, run
from lrcore.optim.sgd import SGD, SGDUpdate, sgd_update

__all__ = [
    "run",
    "OPTIMIZERS",
    "optimizer_class",
    "LrSchedule",
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "sgd_update",
    "adagrad_update",
    "rmsprop_update",
    "rmsprop_denominator",
    "adam_update",
    "adam_moments",
    "adam_bias_corrections",
    "SGDUpdate",
    "AdagradUpdate",
    "RMSpropUpdate",
    "AdamUpdate",
    "AdamMoments",
]
