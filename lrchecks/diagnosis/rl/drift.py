"""Mistakes of the learner on a drifting lake (ps04 §10): `DRIFT[i].model(lakes, step_size,
sweeps_per_lake, gamma, seed) -> Q after every sweep`, recognised like the synchronous
learner's mistakes (`SynchronousMistake`: the history follows the model's).

The agent does not know that the ice changed, so nothing restarts at a new lake; the usual
mistakes restart something there — the sweep count of α, Q, the random generator, or all three
(each lake run as a run of its own) — or switch lakes one sweep early.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.mistake import explanations, models, switched
from lrchecks.diagnosis.rl.learners import SynchronousMistake
from lrcore.rl.frozen_lake import TransitionModel

__all__ = ["DRIFT", "DRIFT_MISTAKES", "DRIFT_EXPLANATIONS", "mistaken_drifting_q_learning"]

FloatArray = npt.NDArray[np.float64]


def mistaken_drifting_q_learning(
    lakes: Sequence[TransitionModel],
    step_size: Callable[[int], float],
    sweeps_per_lake: int,
    gamma: float = 0.99,
    seed: int = 0,
    *,
    restart_count: bool = False,
    restart_q: bool = False,
    restart_rng: bool = False,
    switch_early: bool = False,
    discount: bool = True,
) -> FloatArray:
    """`lrcore.rl.drifting_q_learning` with switches for the usual mistakes (all off: the
    reference). At the first sweep of each lake: `restart_count` counts α from alpha_at(1)
    again, `restart_q` sets Q back to 0, `restart_rng` makes a new default_rng(seed).
    `switch_early`: sweep k samples lakes[k // sweeps_per_lake] (the last sweep of each lake
    already on the next one). `discount=False`: γ left out of the target."""
    rng = np.random.default_rng(seed)
    q = np.zeros((lakes[0].n_states, lakes[0].n_actions))
    total = sweeps_per_lake * len(lakes)
    history = np.empty((total, *q.shape))
    factor = gamma if discount else 1.0
    for sweep in range(1, total + 1):
        index, position = divmod(sweep - 1, sweeps_per_lake)
        if position == 0 and sweep > 1:
            q = np.zeros_like(q) if restart_q else q
            rng = np.random.default_rng(seed) if restart_rng else rng
        lake = lakes[min(sweep // sweeps_per_lake, len(lakes) - 1)] if switch_early \
            else lakes[index]
        sample = lake.sample(rng)
        bootstrap = np.where(sample.terminated, 0.0, factor * q.max(axis=1)[sample.next_state])
        alpha = step_size(position + 1 if restart_count else sweep)
        q = q + alpha * (sample.reward + bootstrap - q)
        history[sweep - 1] = q
    return history


_drift = switched(SynchronousMistake, mistaken_drifting_q_learning)
"""`mistaken_drifting_q_learning(lakes, step_size, sweeps_per_lake, gamma, seed, **switches)`."""


DRIFT: tuple[SynchronousMistake, ...] = (
    _drift("separate_runs", 'Each lake is learned as a run of its own, starting '
                            'again at every lake: carry Q, the sweep count k '
                            'and the one rng over from lake to lake.',
           restart_count=True, restart_q=True, restart_rng=True),
    _drift("count_restarts", "α starts again at alpha_at(1) on every lake: the agent does not "
           "know the ice changed, so sweep k of the whole run uses alpha_at(k).",
           restart_count=True),
    _drift("q_restarts", "Q starts again at 0 on every lake: the agent does not know the ice "
           "changed, so Q carries over from one lake to the next.", restart_q=True),
    _drift("rng_restarts", "The random generator is made again for every lake: make one rng = "
           "np.random.default_rng(seed) for the whole run.", restart_rng=True),
    _drift("switch_early", "The lake changes one sweep early: sweep k = 1, 2, … samples "
           "lakes[(k − 1) // sweeps_per_lake].", switch_early=True),
    _drift("gamma_missing", "It looks like γ is missing from the target R + γ·max_a' Q(S', a').",
           discount=False),
)

DRIFT_MISTAKES: dict[str, Callable[..., FloatArray]] = models(DRIFT)
DRIFT_EXPLANATIONS = explanations(DRIFT)
