"""Why 1/n is slow when γ is close to 1: Q-learning with the noise taken out.

Synchronous Q-learning with the *expected* target instead of a sampled one,

    Q_k = Q_{k−1} + α_k · ( T Q_{k−1} − Q_{k−1} ),
    T Q (s, a) = Σ_s' P(s'|s,a) · [ R(s,a,s') + γ · (1 − T(s,a,s')) · max_a' Q(s', a') ],

is deterministic: what is left of Q-learning's slowness is the step size's alone. With α = 1 it
is value iteration. A constant α < 1 still contracts by (1 − α(1 − γ)) per sweep; α_k = 1/k
makes Q_k the plain average of the k bootstrapped targets, whose early ones were built on
Q = 0; where a state bootstraps on itself its error shrinks only like k^−(1−γ). Even-Dar &
Mansour (JMLR 2003) show a time exponential in 1/(1 − γ) for 1/k, polynomial for 1/k^ω with
½ < ω < 1.

`sweeps_to_reach` counts the sweeps until ‖Q_k − Q*‖∞ ≤ tolerance · ‖Q*‖∞ (relative, so that
discounts with Q* of different sizes compare). There is no torch equivalent: T is dynamic
programming on the known model.

On the slippery 4×4 lake at γ = 0.8, 1/n needs 134 sweeps to come within 10 % of Q*, 1/n^0.6
needs 14:

>>> from lrcore.rl.frozen_lake import frozen_lake_model
>>> from lrcore.rl.q_learning import polynomial_step_size
>>> from lrcore.rl.value_iteration import value_iteration
>>> lake = frozen_lake_model()
>>> [sweeps_to_reach(lake, polynomial_step_size(w), 0.8, value_iteration(lake, 0.8))
...  for w in (1.0, 0.6)]
[134, 14]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lrcore.rl.frozen_lake import TransitionModel
from lrcore.rl.q_learning import StepSizeFunction
from lrcore.rl.value_iteration import bellman_backup

__all__ = ["expected_q_learning", "sweeps_to_reach"]

FloatArray = npt.NDArray[np.float64]


def _check(gamma: float, n: int, what: str) -> None:
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {n!r}")


def expected_q_learning(model: TransitionModel, step_size: StepSizeFunction, n_sweeps: int,
                        gamma: float = 0.99) -> FloatArray:
    """Q after each sweep of Q_k = Q_{k−1} + α_k·(T Q_{k−1} − Q_{k−1}) from Q_0 = 0: shape
    (n_sweeps, S, A), row k − 1 = Q after sweep k (see the module notes).

    >>> from lrcore.rl.frozen_lake import RIGHT, frozen_lake_model
    >>> from lrcore.rl.q_learning import constant_step_size
    >>> history = expected_q_learning(frozen_lake_model(), constant_step_size(1.0), 2, 0.9)
    >>> history[:, 14, RIGHT].round(4).tolist()  # α = 1: value iteration
    [0.3333, 0.4333]
    """
    _check(gamma, n_sweeps, "n_sweeps")
    q = np.zeros((model.n_states, model.n_actions))
    history = np.empty((n_sweeps, *q.shape))
    for sweep in range(1, n_sweeps + 1):
        q = q + float(step_size(sweep)) * (bellman_backup(model, q.max(axis=1), gamma) - q)
        history[sweep - 1] = q
    return history


def sweeps_to_reach(model: TransitionModel, step_size: StepSizeFunction, gamma: float,
                    q_star: npt.ArrayLike, tolerance: float = 0.1,
                    max_sweeps: int = 10_000) -> int | None:
    """The first sweep k ≤ max_sweeps after which ‖Q_k − Q*‖∞ ≤ tolerance·‖Q*‖∞ in
    `expected_q_learning`, or None if there is none.

    >>> from lrcore.rl.frozen_lake import frozen_lake_model
    >>> from lrcore.rl.q_learning import constant_step_size, polynomial_step_size
    >>> from lrcore.rl.value_iteration import value_iteration
    >>> lake = frozen_lake_model()
    >>> sweeps_to_reach(lake, constant_step_size(1.0), 0.0, value_iteration(lake, 0.0))
    1
    >>> print(sweeps_to_reach(lake, polynomial_step_size(1.0), 0.9, value_iteration(lake, 0.9),
    ...                       max_sweeps=100))
    None
    """
    _check(gamma, max_sweeps, "max_sweeps")
    target = np.asarray(q_star, dtype=np.float64)
    if target.shape != (model.n_states, model.n_actions):
        raise ValueError(f"q_star must have shape ({model.n_states}, {model.n_actions})")
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance}")
    goal = tolerance * float(np.abs(target).max())
    q = np.zeros(target.shape)
    for sweep in range(1, max_sweeps + 1):
        q = q + float(step_size(sweep)) * (bellman_backup(model, q.max(axis=1), gamma) - q)
        if float(np.abs(q - target).max()) <= goal:
            return sweep
    return None
