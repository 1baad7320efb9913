"""What hidden and visible test cells call: checks against `lrcore` that name the mistake.

Importing this package in a Jupyter kernel makes a failed check show as one line (`✗ …`)
instead of a traceback.

- `lrchecks.psNN` — one package per assignment, one module per section of its notebook; its
  `__init__` exports every check a test cell imports;
- `lrchecks.diagnosis` — the modelled mistakes, one object each (model, sentence, matcher);
- the generic layer a new assignment starts from: `values` (numbers and tolerances), `calls`
  (calling the student's code, refusing the reference), `shown` (a value as a message
  writes it: an array by its shape, never a repr), `plots` and `plot_lines` (figures),
  `histories` and `quadratic` (runs and their figures), `scheduler_cases` (torch schedulers
  as data), `hidden` (hidden cases), `model_weights`;
- what lets the grader judge again outside the kernel: `evidence`, `encoding`, `figure_data`,
  `recorded_figure`.
"""

from lrchecks.report import CheckFailed, install_short_errors, passed

__all__ = ["CheckFailed", "passed", "install_short_errors"]

install_short_errors()
