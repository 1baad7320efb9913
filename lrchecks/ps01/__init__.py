"""Checks for ps01 "Constant learning rate on x²" — what its test cells call, one line each.

One module per section of the notebook:

- `gradient_descent` — §1–2, gradient descent by hand (numpy) and with `torch.optim.SGD`;
- `divergence` — §3, the divergence threshold (on paper, by experiment) and the iterations a
  run needs;
- `runs_figure` — §4, the figure of six learning rates and the parabola;
- `regression_sweep` — §5, the linear-regression sweep and its figure;
- `noisy_gradient` — §6, gradient descent with a noisy gradient and the figure of its noise
  floor (constant learning rates against a decaying one);
- `valley` — §7, one learning rate for two curvatures: gradient descent on a valley
  f(x, y) = a_x·x² + a_y·y² and the figure of its two coordinates.

Visible checks use the published runs (a student can reproduce them); hidden checks
(`hidden=True`, or the `_unseen` checks) run the cases the grader drew for this student
(`lrchecks.hidden`: pools the grader keeps), so a hard-coded answer cannot pass.
Every check names the mistake when it recognises one (`lrchecks.diagnosis.quadratic`,
`…regression`, `…noisy`, `…valley`); a hidden case's message names the kind of case and the
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
from lrchecks.ps01.noisy_gradient import (
    DECAY_LR0,
    DECAY_TAU,
    NOISE_SEED,
    NOISE_STD,
    NOISY_ADVICE,
    NOISY_CASES_VISIBLE,
    NOISY_ITERATIONS,
    NOISY_LRS,
    NOISY_RUNS,
    NOISY_X0,
    check_noise_figure,
    check_noisy_descent,
)
from lrchecks.ps01.regression_sweep import (
    REGRESSION_ADVICE,
    REGRESSION_CASES_VISIBLE,
    REGRESSION_LRS,
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
from lrchecks.ps01.valley import (
    VALLEY_ADVICE,
    VALLEY_CASES_VISIBLE,
    VALLEY_CURVATURES,
    VALLEY_ITERATIONS,
    VALLEY_LRS,
    VALLEY_START,
    check_descent_2d,
    check_valley_figure,
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
    "REGRESSION_LRS",
    "NOISY_X0",
    "NOISE_STD",
    "NOISE_SEED",
    "NOISY_ITERATIONS",
    "NOISY_RUNS",
    "NOISY_LRS",
    "DECAY_LR0",
    "DECAY_TAU",
    "NOISY_CASES_VISIBLE",
    "NOISY_ADVICE",
    "VALLEY_CURVATURES",
    "VALLEY_START",
    "VALLEY_ITERATIONS",
    "VALLEY_LRS",
    "VALLEY_CASES_VISIBLE",
    "VALLEY_ADVICE",
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
    "check_noisy_descent",
    "check_noise_figure",
    "check_descent_2d",
    "check_valley_figure",
]
