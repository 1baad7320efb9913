"""lrcore.rl — the step size α of Q-learning on gymnasium's FrozenLake-v1.

- `frozen_lake` — the environment (`make_frozen_lake`) and its transition arrays
  (`transition_model`, `frozen_lake_model`) with a one-sweep sampler;
- `value_iteration` — Q* by dynamic programming (V*(start) = 0.5420259320 at γ = 0.99);
- `q_learning` — the update rule, visit-count step sizes α_n = α/n^ω, ε-greedy online
  episodes and the synchronous (generative-model) learner, deterministic for a fixed seed;
- `evaluation` — ‖Q − Q*‖∞ and the greedy policy's success probability (exact, or Monte Carlo
  with gymnasium episodes).
"""

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
    "epsilon_greedy",
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
    "transition_model",
    "value_iteration",
]
