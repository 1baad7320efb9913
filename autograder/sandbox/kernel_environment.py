"""The environment variables the grader sets for a notebook's kernel, by name.

The sandbox starts the kernel and the checks inside it (`lrchecks`, the student runtime) read
these variables. The sandbox names them here rather than importing the checks it runs: it
depends on no check. `tests/unit/test_import_graph.py` keeps both sides' names equal.
"""

from __future__ import annotations

__all__ = ["EVIDENCE_SWITCH", "HIDDEN_CASES_VARIABLE"]

EVIDENCE_SWITCH = "LRLAB_EVIDENCE"
"""Set to "1": the checks record their evidence for the judge (`lrchecks.evidence`)."""
HIDDEN_CASES_VARIABLE = "LRLAB_HIDDEN_CASES"
"""The student's drawn hidden cases, as JSON (`lrchecks.hidden`)."""
