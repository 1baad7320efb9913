"""The modelled mistakes of the course, one object each: what the wrong code computes (the
model), the sentence that names it (the explanation), and how a student's answer is recognised
as it (the matcher) — see `lrchecks.diagnosis.mistake`.

"Where is the message for X?" has one answer: the mistake's object, in the module of its topic:

- `quadratic` — gradient descent on a·x² (ps01, ps02's runs);
- `regression` — the linear-regression loop (ps01);
- `schedules` — schedule formulas and scheduler loops (ps02);
- `batch_size` — scaling rules, warmup, the batch-size sweep, the LR range test (ps03);
- `rl` — value iteration, the update rule, the Q-learners, the evaluation (ps04);
- `optim` — Adam and RMSprop steps, the optimiser sweep, ReduceLROnPlateau, the classifier
  (ps05).

The checks (`lrchecks.psNN`) ask a family for the first mistake that fits; the grader's
hidden-case pools check that every drawn case tells each mistake apart (the `*_MISTAKES`
views: name → model).
"""

from lrchecks.diagnosis.mistake import DIAGNOSIS_RTOL, Mistake, raise_first_fitting

__all__ = ["DIAGNOSIS_RTOL", "Mistake", "raise_first_fitting"]
