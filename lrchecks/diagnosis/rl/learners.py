"""Mistakes of the Q-learners and of the Monte Carlo evaluation on FrozenLake (ps04).

Each model recomputes what the mistaken code returns, with the same seeds and the same order of
random draws as the reference in `lrcore.rl`:

- `LEARNER[i].model(env, n_episodes, step_size, gamma, epsilon, seed) -> (Q, counts)` for the
  online ε-greedy learner (pass a fresh environment): recognised when the visit counts are
  equal and Q follows the model's (`same_pattern`, rtol 1e-4);
- `SYNCHRONOUS[i].model(model, step_size, n_sweeps, gamma, seed) -> Q after every sweep`:
  recognised when the history follows the model's;
- `SUCCESS_RATE[i].model(env, policy, n_episodes, seed) -> success rate`: recognised when
  equal at the check's tolerance;
- `ERROR_CURVES`: the ‖Q − Q*‖∞ curve of a synchronous run measured the wrong way;
- `STEP_SIZE[i].model(step_size, n) -> α_n` of a mistaken polynomial step size 1/n^ω.

With Q initialised to 0 a terminal state's row stays 0, so bootstrapping at a terminal changes
nothing in the learners; it is modelled (and caught) in the update rule alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lrchecks.diagnosis.mistake import Mistake, explanations, models, switched
from lrchecks.diagnosis.rl.runs import mistaken_q_learning, mistaken_synchronous_q_learning
from lrchecks.values import arrays_match, same_pattern
from lrcore.rl.evaluation import success_rate, sup_norm_error
from lrcore.rl.value_iteration import value_iteration

__all__ = ["LearnerMistake", "SynchronousMistake", "LEARNER", "SYNCHRONOUS", "SUCCESS_RATE",
           "ERROR_CURVES", "SWEEP_LATE", "STEP_SIZE", "LEARNER_MISTAKES", "SYNCHRONOUS_MISTAKES",
           "SUCCESS_RATE_MISTAKES", "LEARNER_EXPLANATIONS", "SYNCHRONOUS_EXPLANATIONS",
           "SUCCESS_EXPLANATIONS"]

FloatArray = npt.NDArray[np.float64]
StepSizeFunction = Callable[[float], float]
Tolerance = tuple[float, float]


@dataclass(frozen=True)
class LearnerMistake(Mistake):
    """A mistaken online learner: recognised when the student's visit counts equal the model's
    and Q follows it — unless the model's Q is the right one (at the check's tolerance)."""

    def fits(self, student_q: np.ndarray, student_counts: np.ndarray, modelled: tuple[Any, Any],
             expected_q: np.ndarray, tolerance: Tolerance) -> bool:
        model_q, model_counts = modelled
        if arrays_match(model_q, expected_q, *tolerance):
            return False
        return arrays_match(student_counts, model_counts, 0.0, 0.0) and same_pattern(
            student_q, model_q)


_learner = switched(LearnerMistake, mistaken_q_learning)
"""`mistaken_q_learning(env, n_episodes, step_size, gamma, epsilon, seed, **switches)`."""


_GAMMA_MISSING = "It looks like γ is missing from the target "

LEARNER: tuple[LearnerMistake, ...] = (
    _learner("alpha_per_episode", "α decays per episode, not per visit: count the visits of each "
             "pair, counts[s, a] += 1, and use α = alpha_at(counts[s, a]).",
             alpha_count="episode"),
    _learner("alpha_count_plus_one", 'Your α is one visit late: the first visit '
                                     'of a pair uses alpha_at(1), so increment '
                                     'counts[s, a] once, from 0, then compute '
                                     'α.', alpha_count="visit_plus_one"),
    _learner("sarsa", 'The target uses the Q of the next action you take, which '
                      "is SARSA: Q-learning bootstraps with max_a' Q(s', a'), "
                      'whatever the next action is.',
             sarsa=True),
    _learner("reseed_every_episode", 'Every episode calls env.reset(seed=seed), '
                                     'which replays the same slips: seed the '
                                     'first reset only, then call env.reset().',
             reseed_every_episode=True),
    _learner("truncation_ends_bootstrap", 'You stop bootstrapping at the '
                                          '100-step limit, but truncated still '
                                          'bootstraps: pass terminated to the '
                                          'update, and terminated or truncated '
                                          'only ends the episode.',
             truncation_ends_bootstrap=True),
    _learner("gamma_missing", _GAMMA_MISSING + "r + γ·max_a' Q(s', a').", discount=False),
    _learner("update_not_in_place", 'Q is still all zeros after the run: does '
                                    'your q_learning_update return a copy '
                                    'instead of changing Q[state, action] in '
                                    'place?',
             update_in_place=False),
)


@dataclass(frozen=True)
class SynchronousMistake(Mistake):
    """A mistaken synchronous learner: recognised when the student's history follows the
    model's — unless the model's is the right one (at the check's tolerance)."""

    def fits(self, student: np.ndarray, modelled: np.ndarray, expected: np.ndarray,
             tolerance: Tolerance) -> bool:
        return not arrays_match(modelled, expected, *tolerance) and same_pattern(
            student, modelled)


_synchronous = switched(SynchronousMistake, mistaken_synchronous_q_learning)
"""`mistaken_synchronous_q_learning(model, step_size, n_sweeps, gamma, seed, **switches)`."""


SWEEP_LATE = _synchronous("alpha_count_plus_one", "Your α is one sweep late: sweep k = 1, 2, … "
                          "uses alpha_at(k), so the first sweep uses alpha_at(1).",
                          sweep_offset=1)

SYNCHRONOUS: tuple[SynchronousMistake, ...] = (
    SWEEP_LATE,
    _synchronous("gamma_missing", _GAMMA_MISSING + "R + γ·max_a' Q(S', a').", discount=False),
    _synchronous("max_over_wrong_axis", "The max is over the wrong axis: Q[next_state] has shape "
                 "(S, A, A'); take the max over the last axis (the next actions), axis=-1.",
                 max_axis=1),
)

ERROR_CURVES: tuple[Mistake, ...] = (
    Mistake("mean_not_max", "It is the mean of |Q − Q*|, not the max: ‖Q − Q*‖∞ = "
            "np.max(np.abs(Q - Q_star)).",
            lambda history, q_star, model: np.abs(history - q_star).mean(axis=(1, 2))),
    Mistake("undiscounted_target", "It is measured against the γ = 1 solution: compute Q* with "
            "value_iteration(P, GAMMA) (is γ missing in value_iteration?).",
            lambda history, q_star, model: np.asarray(
                sup_norm_error(history, value_iteration(model, 1.0)))),
)
"""The ‖Q − Q*‖∞ curve drawn wrong: `model(history, q_star, transition_model)`, compared with a
figure's line at the plotted sweeps (`same_pattern`)."""


STEP_SIZE: tuple[Mistake, ...] = (
    Mistake("next_count", "It is α_{n+1}: the first visit (n = 1) should use α = 1.",
            lambda step, n: step(n + 1)),
    Mistake("omega_over_n", "That is ω/n; the step size is 1/n^ω (n ** -omega).",
            lambda step, n: step.omega / n),
    Mistake("one_over_n_omega", "That is 1/(n·ω); the step size is 1/n^ω (n ** -omega).",
            lambda step, n: 1 / (n * step.omega)),
)
"""Mistaken polynomial step sizes: `model(step_size, n)` with the count n as a float, compared
with the student's α_n at the check's tolerance."""


def success_rate_reseeded(env: Any, policy: Any, n_episodes: int, seed: int = 0) -> float:
    """`env.reset(seed=seed)` at every episode: all episodes are the same episode, so the
    "rate" is 0 or 1 — lrcore's evaluation on an environment whose every reset takes the seed."""
    import gymnasium as gym

    class ReseededEveryEpisode(gym.Wrapper):
        def reset(self, *, seed: int | None = None, options: Any = None) -> Any:
            return self.env.reset(seed=fixed_seed, options=options)

    fixed_seed = seed
    return success_rate(ReseededEveryEpisode(env), policy, n_episodes, seed)


SUCCESS_RATE: tuple[Mistake, ...] = (
    Mistake("reseed_every_episode", "Every episode calls env.reset(seed=seed), so all episodes "
            "are the same episode: seed the first reset only, then call env.reset().",
            success_rate_reseeded),
)
"""Recognised when the student's rate equals the model's at the check's tolerance."""

LEARNER_MISTAKES: dict[str, Callable[..., tuple[FloatArray, Any]]] = models(LEARNER)
SYNCHRONOUS_MISTAKES: dict[str, Callable[..., FloatArray]] = models(SYNCHRONOUS)
SUCCESS_RATE_MISTAKES: dict[str, Callable[..., float]] = models(SUCCESS_RATE)
LEARNER_EXPLANATIONS = explanations(LEARNER)
SYNCHRONOUS_EXPLANATIONS = explanations(SYNCHRONOUS)
SUCCESS_EXPLANATIONS = explanations(SUCCESS_RATE)
