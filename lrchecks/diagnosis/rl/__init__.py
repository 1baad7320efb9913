"""Mistakes of ps04, the step size of Q-learning: value iteration and the update rule
(`tables`), the online and synchronous learners and the Monte Carlo evaluation (`learners`, whose
models are the switchable runs of `runs`), the sweeps the noise-free learner needs
(`discount`) and the learner on a drifting lake (`drift`)."""

from lrchecks.diagnosis.rl.discount import (
    SWEEPS,
    SWEEPS_EXPLANATIONS,
    SWEEPS_MISTAKES,
    CountMistake,
    mistaken_sweeps_to_reach,
)
from lrchecks.diagnosis.rl.drift import (
    DRIFT,
    DRIFT_EXPLANATIONS,
    DRIFT_MISTAKES,
    mistaken_drifting_q_learning,
)
from lrchecks.diagnosis.rl.learners import (
    ERROR_CURVES,
    LEARNER,
    LEARNER_EXPLANATIONS,
    LEARNER_MISTAKES,
    STEP_SIZE,
    SUCCESS_EXPLANATIONS,
    SUCCESS_RATE,
    SUCCESS_RATE_MISTAKES,
    SWEEP_LATE,
    SYNCHRONOUS,
    SYNCHRONOUS_EXPLANATIONS,
    SYNCHRONOUS_MISTAKES,
    LearnerMistake,
    SynchronousMistake,
)
from lrchecks.diagnosis.rl.runs import mistaken_q_learning, mistaken_synchronous_q_learning
from lrchecks.diagnosis.rl.tables import (
    UPDATE,
    UPDATE_EXPLANATIONS,
    UPDATE_MISTAKES,
    UPDATE_RETURNS_COPY,
    VALUE_ITERATION,
    VALUE_ITERATION_EXPLANATIONS,
    VALUE_ITERATION_MISTAKES,
    CopyMistake,
    TableMistake,
)

__all__ = [
    "TableMistake", "CopyMistake", "LearnerMistake", "SynchronousMistake", "UPDATE_RETURNS_COPY",
    "VALUE_ITERATION", "UPDATE", "LEARNER", "SYNCHRONOUS", "SWEEP_LATE", "SUCCESS_RATE",
    "STEP_SIZE",
    "ERROR_CURVES",
    "VALUE_ITERATION_MISTAKES", "UPDATE_MISTAKES", "LEARNER_MISTAKES", "SYNCHRONOUS_MISTAKES",
    "SUCCESS_RATE_MISTAKES",
    "VALUE_ITERATION_EXPLANATIONS", "UPDATE_EXPLANATIONS", "LEARNER_EXPLANATIONS",
    "SYNCHRONOUS_EXPLANATIONS", "SUCCESS_EXPLANATIONS",
    "mistaken_q_learning", "mistaken_synchronous_q_learning",
    "CountMistake", "SWEEPS", "SWEEPS_MISTAKES", "SWEEPS_EXPLANATIONS", "mistaken_sweeps_to_reach",
    "DRIFT", "DRIFT_MISTAKES", "DRIFT_EXPLANATIONS", "mistaken_drifting_q_learning",
]
