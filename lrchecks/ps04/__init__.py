"""Checks for ps04 "The step size α of Q-learning" — what its test cells call, one line each.

One module per section of the notebook (`lakes` holds what they share):

- `value_iteration` — §2, Q* by value iteration;
- `update` — §3, one Q-learning update;
- `step_sizes` — §4, step sizes that count visits;
- `online` — §5, online ε-greedy Q-learning;
- `synchronous` — §6, synchronous Q-learning;
- `alpha_figure` — §7, the experiment: which α?;
- `evaluation` — §8, the final policy's success rate;
- `discount` — §9, the sweeps a noise-free learner needs, discount by discount;
- `drift` — §10, synchronous Q-learning on a lake whose ice changes.

The reference is `lrcore.rl`; the usual mistakes — models, sentences, matchers — are
`lrchecks.diagnosis.rl`. Everything is seeded, so the learners are compared exactly: the same
visit counts, and Q-tables equal to rtol 1e-5 (atol 1e-9, for entries that stay near 0).
Value iteration is compared with atol 1e-6: the students stop at tol = 1e-10 (an error below
tol·γ/(1−γ) = 1e-8 for γ ≤ 0.99) and may iterate in place or by sweeps.

Visible checks use the published 4×4 lake. Hidden checks (`hidden=True`, or the `_unseen`
check) run the cases the grader drew for this student (`lrchecks.hidden`: pools the grader
keeps) — other discounts, random lakes, transitions, step sizes, seeds and
policies — whose params are plain data, rebuilt here (`lake`, `step_size`, `policy`,
`update_table`). A hidden case's message names the kind of case and the mistake, never its
inputs or expected values.
"""

from lrchecks.ps04.alpha_figure import (
    CHECKPOINTS,
    CONSTANT_ALPHAS,
    N_SWEEPS,
    OMEGAS,
    SWEEP_SEED,
    check_alpha_figure_errors,
    check_alpha_figure_layout,
    check_alpha_figure_success,
)
from lrchecks.ps04.discount import (
    GAMMAS,
    MAX_SWEEPS,
    REACH_CASES_VISIBLE,
    TOLERANCE,
    ReachCase,
    check_sweeps_to_reach,
    reach_case,
)
from lrchecks.ps04.drift import (
    DRIFT_CASES_VISIBLE,
    DRIFT_GAMMA,
    DRIFT_SEED,
    ROUGH_ICE,
    SWEEPS_PER_LAKE,
    DriftCase,
    Ice,
    check_drifting_q_learning,
    drift_case,
    lakes_of,
)
from lrchecks.ps04.evaluation import (
    SUCCESS_CASES_VISIBLE,
    PolicySpec,
    SuccessCase,
    check_success_rate,
    policy,
    success_case,
)
from lrchecks.ps04.lakes import (
    GAMMA,
    Q_ATOL,
    Q_RTOL,
    STEP_SIZE_RTOL,
    SUCCESS_ATOL,
    SUCCESS_RTOL,
    VI_ATOL,
    Lake,
    lake,
    step_size,
)
from lrchecks.ps04.online import (
    LEARNER_CASES_VISIBLE,
    LearnerCase,
    check_q_learning_seeded,
    learner_case,
)
from lrchecks.ps04.step_sizes import check_step_sizes
from lrchecks.ps04.synchronous import (
    SYNC_CASES_VISIBLE,
    SyncCase,
    check_synchronous_q_learning,
    synchronous_case,
)
from lrchecks.ps04.update import (
    UPDATE_CASES_VISIBLE,
    UPDATE_PARAMS,
    UpdateCase,
    check_q_learning_update,
    update_table,
)
from lrchecks.ps04.value_iteration import (
    V_STAR_START,
    check_value_iteration_published,
    check_value_iteration_unseen,
)

__all__ = [
    "GAMMA",
    "V_STAR_START",
    "CONSTANT_ALPHAS",
    "OMEGAS",
    "N_SWEEPS",
    "SWEEP_SEED",
    "CHECKPOINTS",
    "GAMMAS",
    "TOLERANCE",
    "MAX_SWEEPS",
    "DRIFT_GAMMA",
    "ROUGH_ICE",
    "SWEEPS_PER_LAKE",
    "DRIFT_SEED",
    "Q_RTOL",
    "Q_ATOL",
    "VI_ATOL",
    "SUCCESS_RTOL",
    "SUCCESS_ATOL",
    "STEP_SIZE_RTOL",
    "Lake",
    "LearnerCase",
    "SyncCase",
    "SuccessCase",
    "UpdateCase",
    "ReachCase",
    "DriftCase",
    "Ice",
    "PolicySpec",
    "UPDATE_CASES_VISIBLE",
    "UPDATE_PARAMS",
    "LEARNER_CASES_VISIBLE",
    "SYNC_CASES_VISIBLE",
    "SUCCESS_CASES_VISIBLE",
    "REACH_CASES_VISIBLE",
    "DRIFT_CASES_VISIBLE",
    "check_value_iteration_published",
    "check_value_iteration_unseen",
    "check_q_learning_update",
    "check_step_sizes",
    "check_q_learning_seeded",
    "check_synchronous_q_learning",
    "check_alpha_figure_layout",
    "check_alpha_figure_errors",
    "check_alpha_figure_success",
    "check_success_rate",
    "check_sweeps_to_reach",
    "check_drifting_q_learning",
    "lake",
    "step_size",
    "policy",
    "update_table",
    "learner_case",
    "synchronous_case",
    "success_case",
    "reach_case",
    "drift_case",
    "lakes_of",
]
