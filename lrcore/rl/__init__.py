"""lrcore.rl — the step size α of Q-learning on gymnasium's FrozenLake-v1.

- `frozen_lake` — the environment (`make_frozen_lake`) and its transition arrays
  (`transition_model`, `frozen_lake_model`) with a one-sweep sampler;
- `value_iteration` — Q* by dynamic programming (V*(start) = 0.5420259320 at γ = 0.99);
- `q_learning` — the update rule, visit-count step sizes α_n = α/n^ω, ε-greedy online
  episodes and the synchronous (generative-model) learner, deterministic for a fixed seed;
- `discount` — the noise-free (expected-target) learner and the sweeps it needs to come close
  to Q*, for comparing step sizes across discounts;
- `drift` — synchronous Q-learning on a lake whose ice changes during the run;
- `evaluation` — ‖Q − Q*‖∞ and the greedy policy's success probability (exact, or Monte Carlo
  with gymnasium episodes).
"""

from lrcore.rl.discount import expected_q_learning, sweeps_to_reach
from lrcore.rl.drift import drift_errors, drifting_q_learning, drifting_q_learning_many
from lrcore.rl.evaluation import (
    learning_curves,
    success_probability,
    success_rate,
    sup_norm_error,
)
from lrcore.rl.frozen_lake import (
    ACTION_NAMES,
    DOWN,
    ENV_ID,
    LEFT,
    MAX_EPISODE_STEPS,
    RIGHT,
    UP,
    SweepSample,
    TransitionModel,
    frozen_lake_model,
    make_frozen_lake,
    random_lake_map,
    transition_model,
)
from lrcore.rl.q_learning import (
    QLearningRun,
    StepSize,
    constant_step_size,
    epsilon_greedy,
    polynomial_step_size,
    q_learning,
    q_learning_update,
    synchronous_q_learning,
    synchronous_q_learning_many,
)
from lrcore.rl.value_iteration import (
    bellman_backup,
    greedy_policy,
    state_values,
    value_iteration,
)

__all__ = [
    "ACTION_NAMES",
    "DOWN",
    "ENV_ID",
    "LEFT",
    "MAX_EPISODE_STEPS",
    "RIGHT",
    "UP",
    "QLearningRun",
    "StepSize",
    "SweepSample",
    "TransitionModel",
    "bellman_backup",
    "constant_step_size",
    "drift_errors",
    "drifting_q_learning",
    "drifting_q_learning_many",
    "epsilon_greedy",
    "expected_q_learning",
    "frozen_lake_model",
    "greedy_policy",
    "learning_curves",
    "make_frozen_lake",
    "polynomial_step_size",
    "q_learning",
    "q_learning_update",
    "random_lake_map",
    "state_values",
    "success_probability",
    "success_rate",
    "sup_norm_error",
    "synchronous_q_learning",
    "synchronous_q_learning_many",
    "sweeps_to_reach",
    "transition_model",
    "value_iteration",
]
