"""Checks for ps05 "Adaptive optimisers and plateaus on real data" — one line per test cell.

One module per section of the notebook:

- `update_rules` — §1, hand-written RMSprop and Adam steps;
- `regression_sweep` — §2, the regression trained by five optimisers, and its figure;
- `plateau_rule` — §3.1, the ReduceLROnPlateau rule;
- `classifier` — §3.2, the classifier's training loop;
- `runs` — §3.3, the five runs: test accuracies, decision boundaries, the plateau run and its
  constant-lr control;
- `challenge` — §4, the plateau challenge.

References: `lrcore.optim` (Adam, RMSprop: torch's exact updates), `lrcore.optimizer_sweep`
(the regression trained by each optimiser), `lrcore.schedules.reduce_lr_on_plateau` (torch's
ReduceLROnPlateau, decision for decision), `lrcore.classification` (the two-quantiles net) and
`lrcore.plateau_challenge`. The usual mistakes — models, sentences, matchers — are
`lrchecks.diagnosis.optim`.

Tolerances. Update rules and loss curves: rtol 1e-5 (a float32 torch run and a float64 numpy run
of the same algorithm differ by ≤ 4e-6 here). Plateau decisions: rtol 1e-9 (lr·factor is
computed the same way by everyone). The classifier: validation losses rtol 1e-4 over a few
epochs (an equivalent loss — sigmoid then BCE instead of BCE-with-logits — rounds differently,
and Adam carries the difference along), accuracies within one point (a logit at 0 may fall
either way). Visible checks use the cases shown in the notebook; hidden checks (`hidden=True`)
run the cases the grader drew for this student (`lrchecks.hidden`: pools the grader keeps) —
unseen hyperparameters, data, seeds and metric sequences — so hard-coded answers fail; a hidden
case's message names the kind of case and the mistake, never its inputs or expected values.

Nothing the kernel computes with the course's code is taken on trust: a model's accuracy is
computed from its weights, read as data (`lrchecks.model_weights`), and the plateau challenge is
run by the check itself on the config, validated as plain data.
"""

from lrchecks.ps05.challenge import (
    CHALLENGE_ADVICE,
    CHALLENGE_SEED_VISIBLE,
    check_challenge_config,
)
from lrchecks.ps05.classifier import (
    ARCHITECTURE,
    CLASSIFIER_ADVICE,
    CLASSIFIER_CASES_VISIBLE,
    HISTORY_KEYS,
    VAL_LOSS_RTOL,
    check_train_classifier,
)
from lrchecks.ps05.plateau_rule import (
    PLATEAU_ADVICE,
    PLATEAU_CASES_VISIBLE,
    PLATEAU_DEFAULTS,
    check_plateau_rule,
)
from lrchecks.ps05.regression_sweep import (
    REGRESSION_ADVICE,
    REGRESSION_CASES_VISIBLE,
    SWEEP_LRS,
    SWEEP_OPTIMIZERS,
    check_optimizer_sweep_figure,
    check_train_regression,
)
from lrchecks.ps05.runs import (
    ACCURACY_ADVICE,
    ACCURACY_BOUNDS,
    check_boundary_figure,
    check_plateau_figure,
    check_test_accuracies,
)
from lrchecks.ps05.update_rules import (
    ADAM_CASES_VISIBLE,
    RMSPROP_CASES_VISIBLE,
    UPDATE_ADVICE,
    check_adam_step,
    check_rmsprop_step,
)
from lrcore import classification as classification

# `classification` stays reachable here: tests/hostile patches lrcore's accuracy through it.

__all__ = [
    "SWEEP_LRS",
    "SWEEP_OPTIMIZERS",
    "RMSPROP_CASES_VISIBLE",
    "ADAM_CASES_VISIBLE",
    "UPDATE_ADVICE",
    "REGRESSION_CASES_VISIBLE",
    "REGRESSION_ADVICE",
    "PLATEAU_CASES_VISIBLE",
    "PLATEAU_DEFAULTS",
    "PLATEAU_ADVICE",
    "CLASSIFIER_CASES_VISIBLE",
    "VAL_LOSS_RTOL",
    "HISTORY_KEYS",
    "CLASSIFIER_ADVICE",
    "ARCHITECTURE",
    "ACCURACY_BOUNDS",
    "ACCURACY_ADVICE",
    "CHALLENGE_SEED_VISIBLE",
    "CHALLENGE_ADVICE",
    "check_rmsprop_step",
    "check_adam_step",
    "check_train_regression",
    "check_optimizer_sweep_figure",
    "check_plateau_rule",
    "check_train_classifier",
    "check_test_accuracies",
    "check_boundary_figure",
    "check_plateau_figure",
    "check_challenge_config",
]
