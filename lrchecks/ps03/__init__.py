"""Checks for ps03 "Learning rate and batch size" — what its test cells call, one line each.

One module per section of the notebook:

- `scaling` — §2–3, the linear and square-root scaling rules, gradual warmup;
- `sweep`, `sweep_figure` — §4, the batch-size sweep and its figure;
- `range_pieces`, `range_test`, `suggestion` — §5, the range test: exponential lrs and the
  smoothed losses, the test itself, the suggestion and the figure.

The reference is `lrcore.batch_size`, `lrcore.range_test` and `lrcore.digits`; the usual
mistakes — models, sentences, matchers — are `lrchecks.diagnosis.batch_size`. Values are
compared with the course's relative tolerance 1e-5 (`values.DEFAULT_RTOL`), single numbers with
the absolute floor `SCALAR_ATOL`. The training runs are `lrcore.digits.train`'s, which students
call themselves: a run is identified by its settings (batch size, lr, epochs, warmup steps,
seed), and the sweep's check judges those settings, never the numbers the kernel trained.
Visible checks use the cases printed in the notebook; hidden checks (`hidden=True`) run the
cases the grader drew for this student (`lrchecks.hidden`: pools the grader keeps), so a
hard-coded answer cannot pass. A hidden case's message names the kind of case and the mistake,
never its inputs or expected values. Every check asks the student's code first, then decides
after `asked()` (`lrchecks.asking`): while grading, the kernel only asks and the judge computes
the references and the verdict; Validate runs both parts.
"""

from lrchecks.ps03.range_pieces import check_exponential_lrs, check_smooth_losses
from lrchecks.ps03.range_test import check_lr_range_test
from lrchecks.ps03.scaling import check_linear_scaled_lr, check_sqrt_scaled_lr, check_warmup_lr
from lrchecks.ps03.suggestion import check_range_test_figure, check_suggest_lr
from lrchecks.ps03.sweep import SWEEP_RULES, check_batch_size_sweep
from lrchecks.ps03.sweep_figure import (
    SWEEP_SETTINGS,
    check_batch_size_figure_layout,
    check_batch_size_figure_lines,
)
from lrchecks.values import SCALAR_ATOL

__all__ = [
    "SWEEP_SETTINGS",
    "SCALAR_ATOL",
    "SWEEP_RULES",
    "check_linear_scaled_lr",
    "check_sqrt_scaled_lr",
    "check_warmup_lr",
    "check_batch_size_sweep",
    "check_batch_size_figure_layout",
    "check_batch_size_figure_lines",
    "check_exponential_lrs",
    "check_smooth_losses",
    "check_lr_range_test",
    "check_suggest_lr",
    "check_range_test_figure",
]
