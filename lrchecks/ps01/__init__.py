"""Checks for ps01 "Constant learning rate on x²" — what its test cells call, one line each.

One module per section of the notebook:

- `gradient_descent` — §1–2, gradient descent by hand (numpy) and with `torch.optim.SGD`;
- `divergence` — §3, the divergence threshold (on paper, by experiment) and the iterations a
  run needs;
- `runs_figure` — §4, the figure of six learning rates and the parabola;
- `regression_sweep` — §5, the linear-regression sweep and its figure.

Visible checks use the published runs (a student can reproduce them); hidden checks
(`hidden=True`, or the `_unseen` checks) run the cases the grader drew for this student
(`lrchecks.hidden`: pools the grader keeps), so a hard-coded answer cannot pass.
Every check names the mistake when it recognises one (`lrchecks.diagnosis.quadratic`,
`lrchecks.diagnosis.regression`); a hidden case's message names the kind of case and the
mistake, never its inputs or expected values.
"""

from lrchecks.ps01.divergence import (
    CURVATURES_VISIBLE,
    ITERATION_CASES_VISIBLE,
    check_divergence_threshold_by_experiment,
    check_divergence_threshold_on_paper,
    check_iterations_needed,
)
from lrchecks.ps01.gradient_descent import (
    PUBLISHED_RUNS,
    RUN_ADVICE,
    check_gradient_descent_numpy,
    check_gradient_descent_numpy_unseen,
    check_optimize_published,
    check_optimize_unseen,
)
from lrchecks.ps01.gradient_descent import _check_numpy_run as _check_numpy_run
from lrchecks.ps01.regression_sweep import (
    REGRESSION_ADVICE,
    REGRESSION_CASES_VISIBLE,
    check_sweep_figure,
    check_train_linear_regression,
)
from lrchecks.ps01.runs_figure import (
    PARABOLA_LR,
    RUN_ITERATIONS,
    RUN_LRS,
    RUN_X0,
    check_parabola_figure,
    check_runs_figure_layout,
    check_runs_figure_lr,
    check_runs_figure_x,
)

# `_check_numpy_run` stays reachable here: tests/hostile swaps its code object in a kernel.

__all__ = [
    "RUN_LRS",
    "RUN_X0",
    "RUN_ITERATIONS",
    "PARABOLA_LR",
    "PUBLISHED_RUNS",
    "RUN_ADVICE",
    "CURVATURES_VISIBLE",
    "ITERATION_CASES_VISIBLE",
    "REGRESSION_CASES_VISIBLE",
    "REGRESSION_ADVICE",
    "check_gradient_descent_numpy",
    "check_gradient_descent_numpy_unseen",
    "check_optimize_published",
    "check_optimize_unseen",
    "check_divergence_threshold_on_paper",
    "check_divergence_threshold_by_experiment",
    "check_iterations_needed",
    "check_runs_figure_layout",
    "check_runs_figure_x",
    "check_runs_figure_lr",
    "check_parabola_figure",
    "check_train_linear_regression",
    "check_sweep_figure",
]
