"""Mistakes of the learner on a drifting lake (ps04 §10): `DRIFT[i].model(lakes, step_size,
sweeps_per_lake, gamma, seed) -> Q after every sweep` (`runs.mistaken_drifting_q_learning` with
a mistake's switches), recognised like the synchronous learner's mistakes
(`SynchronousMistake`: the history follows the model's).

The agent does not know that the ice changed, so nothing restarts at a new lake; the usual
mistakes restart something there — the sweep count of α, Q, the random generator, or all three
(each lake run as a run of its own) — or switch lakes one sweep early.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.mistake import explanations, models, switched
from lrchecks.diagnosis.rl.learners import SynchronousMistake
from lrchecks.diagnosis.rl.runs import mistaken_drifting_q_learning

__all__ = ["DRIFT", "DRIFT_MISTAKES", "DRIFT_EXPLANATIONS", "mistaken_drifting_q_learning"]

FloatArray = npt.NDArray[np.float64]


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
