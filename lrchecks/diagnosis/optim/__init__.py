"""Mistakes of ps05, adaptive optimisers and plateaus: hand-written Adam and RMSprop steps
(`adaptive`), the regression trained by each optimiser (`sweep`), the ReduceLROnPlateau rule
(`plateau`), the classifier's training loop (`classifier`), and the figure of its runs and the
challenge's config (`runs`)."""

from lrchecks.diagnosis.optim.adaptive import (
    ADAM,
    ADAM_EXPLANATIONS,
    ADAM_MISTAKES,
    RMSPROP,
    RMSPROP_EXPLANATIONS,
    RMSPROP_MISTAKES,
    UpdateMistake,
    adam_step_reference,
    rmsprop_step_reference,
    update_trajectory,
)
from lrchecks.diagnosis.optim.classifier import (
    CLASSIFIER,
    VAL_LOSS_RTOL,
    ClassifierMistake,
    diagnose_classifier,
)
from lrchecks.diagnosis.optim.plateau import (
    PLATEAU,
    PLATEAU_EXPLANATIONS,
    PLATEAU_MISTAKES,
    PlateauMistake,
    plateau_decisions,
)
from lrchecks.diagnosis.optim.runs import (
    CONSTANT_LR,
    SAME_MODEL_EVERYWHERE,
    BoundaryMistake,
    ChallengeMistake,
    ranges_close,
)
from lrchecks.diagnosis.optim.sweep import (
    REGRESSION_EXPLANATIONS,
    SWEEP,
    SweepCurveMistake,
    regression_optimizer_mistakes,
)

__all__ = [
    "UpdateMistake", "PlateauMistake", "SweepCurveMistake", "ClassifierMistake",
    "BoundaryMistake", "ChallengeMistake", "SAME_MODEL_EVERYWHERE", "CONSTANT_LR", "ranges_close",
    "ADAM", "RMSPROP", "PLATEAU", "SWEEP", "CLASSIFIER",
    "ADAM_MISTAKES", "RMSPROP_MISTAKES", "PLATEAU_MISTAKES",
    "ADAM_EXPLANATIONS", "RMSPROP_EXPLANATIONS", "PLATEAU_EXPLANATIONS",
    "REGRESSION_EXPLANATIONS", "VAL_LOSS_RTOL",
    "adam_step_reference", "rmsprop_step_reference", "update_trajectory", "plateau_decisions",
    "regression_optimizer_mistakes", "diagnose_classifier",
]
