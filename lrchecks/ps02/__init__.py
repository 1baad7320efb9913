"""Checks for ps02 "Learning-rate schedulers" — what its test cells call, one line each.

One module per section of the notebook (`runs` holds what they share):

- `optimize` — §2, a scheduler inside `optimize`;
- `rescue`, `rescue_figure` — §3, six ways to rescue lr = 1.05, and their figure;
- `formulas`, `gallery` — §4, schedules as functions of the step, and the gallery of shapes;
- `pitfalls` — §5, scheduler.step() first, the momentum of the cyclical schedulers,
  SequentialLR's restart (warmup then cosine);
- `noisy_comparison` — §6, schedules compared on x² with a noisy gradient: the mean loss curve
  of many runs, the tuned constant-lr control, and the figure.

The reference is `lrcore` (`lrcore.quadratic.optimize` with a real torch scheduler, and the
pure schedules of `lrcore.schedules`, both equal to torch); the usual mistakes — models,
sentences, matchers — are `lrchecks.diagnosis.schedules` and `lrchecks.diagnosis.quadratic`.
Values are compared with the course's rtol 1e-5 (`lrchecks.values`): a float32 torch run and a
float64 formula agree to a few parts in a million.

Visible checks use the runs and parameters the notebook shows. Hidden checks (`hidden=True`,
or the `_unseen` check) run the cases the grader drew for this student (`lrchecks.hidden`:
pools the grader keeps, of which this package holds none), so a hard-coded answer cannot pass;
a hidden case's message names the kind of case and the mistake, never its inputs or expected
values. Every torch scheduler a check uses is a `SchedulerCase`: named once, as data, from
which both the torch scheduler and its lrcore twin are built.

What a check records in the kernel for the grader to judge again (`lrchecks.evidence`) is only
what the student's code answered — never a result of lrcore's code computed in the kernel.
"""

from lrchecks.ps02.formulas import (
    FORMULA_ADVICE,
    FORMULA_CASES,
    FORMULA_DEFAULTS,
    FORMULA_PARAMETERS,
    FormulaCase,
    check_cosine_annealing,
    check_exponential_decay,
    check_linear_warmup,
    check_step_decay,
    formula_scheduler,
)
from lrchecks.ps02.gallery import GALLERY, GALLERY_STEPS, check_gallery_figure
from lrchecks.ps02.noisy_comparison import (
    COMPARE_ITERATIONS,
    COMPARE_LR,
    COMPARE_RUNS,
    COMPARE_SEED,
    COMPARE_STD,
    COMPARE_X0,
    COMPARED_SCHEDULERS,
    CONSTANT_LRS,
    CURVE_ADVICE,
    CURVE_CASES_VISIBLE,
    check_compare_figure,
    check_constant_sweep,
    check_noisy_loss_curve,
)
from lrchecks.ps02.optimize import (
    PUBLISHED_RUNS,
    RUN_ADVICE,
    check_optimize_with_scheduler,
    check_optimize_with_scheduler_unseen,
)
from lrchecks.ps02.pitfalls import (
    CORRECT_ON_PURPOSE,
    FIRST_PITFALL_ADVICE,
    FIRST_PITFALL_RUNS,
    MOMENTUM_ADVICE,
    MOMENTUM_RUNS,
    MOVE_THE_STEP,
    RECORD_USED_LR,
    check_momentum_history,
    check_scheduler_first_pitfall,
    check_warmup_cosine,
)
from lrchecks.ps02.rescue import MOMENTUM_ON, RESCUE_SCHEDULERS, check_rescue_final_x
from lrchecks.ps02.rescue_figure import (
    RUN_NAMES,
    check_rescue_figure_layout,
    check_rescue_figure_lr,
    check_rescue_figure_x,
)
from lrchecks.ps02.runs import (
    EXPONENTIAL_09,
    RESCUE_ITERATIONS,
    RESCUE_LR,
    RESCUE_X0,
    STEP_5_HALF,
)
from lrchecks.scheduler_cases import SchedulerCase

__all__ = [
    "RESCUE_LR",
    "RESCUE_ITERATIONS",
    "RESCUE_X0",
    "RESCUE_SCHEDULERS",
    "MOMENTUM_ON",
    "STEP_5_HALF",
    "EXPONENTIAL_09",
    "PUBLISHED_RUNS",
    "RUN_ADVICE",
    "RUN_NAMES",
    "GALLERY_STEPS",
    "GALLERY",
    "FormulaCase",
    "FORMULA_PARAMETERS",
    "FORMULA_DEFAULTS",
    "FORMULA_CASES",
    "FORMULA_ADVICE",
    "formula_scheduler",
    "FIRST_PITFALL_RUNS",
    "FIRST_PITFALL_ADVICE",
    "RECORD_USED_LR",
    "MOVE_THE_STEP",
    "CORRECT_ON_PURPOSE",
    "MOMENTUM_RUNS",
    "MOMENTUM_ADVICE",
    "SchedulerCase",
    "COMPARE_LR",
    "COMPARE_X0",
    "COMPARE_STD",
    "COMPARE_SEED",
    "COMPARE_ITERATIONS",
    "COMPARE_RUNS",
    "CONSTANT_LRS",
    "COMPARED_SCHEDULERS",
    "CURVE_CASES_VISIBLE",
    "CURVE_ADVICE",
    "check_optimize_with_scheduler",
    "check_optimize_with_scheduler_unseen",
    "check_rescue_final_x",
    "check_rescue_figure_layout",
    "check_rescue_figure_x",
    "check_rescue_figure_lr",
    "check_step_decay",
    "check_exponential_decay",
    "check_cosine_annealing",
    "check_linear_warmup",
    "check_gallery_figure",
    "check_scheduler_first_pitfall",
    "check_momentum_history",
    "check_warmup_cosine",
    "check_noisy_loss_curve",
    "check_constant_sweep",
    "check_compare_figure",
]
