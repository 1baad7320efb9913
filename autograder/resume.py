"""Resuming a batch: an execution is reused only when nothing it depends on has changed.

Grading is idempotent — every step rewrites its outputs whole (nbgrader's autograde with
`force`, atomic renames of executed notebooks and ledger entries, one transaction per
submission in the gradebook) — so a batch killed at any point can simply be run again. To make
the second run cheap, `grade` skips the execution of a notebook whose executed copy is still
valid: same prepared notebook (the fingerprint of its cells, tests included), with the same
drawn hidden cases, executed by the same grader (`autograder.grader_signature`: a hash of the
`autograder`, `lrchecks` and `lrcore` sources and the sandbox policy). A new submission, changed
tests, changed checks or references, other hidden cases, or other limits all mean a fresh
execution; `grade --fresh` forces one.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.execution import (
    CASES_KEY,
    FINGERPRINT_KEY,
    ExecutionTask,
    cases_digest,
    notebook_fingerprint,
)
from autograder.grader_signature import GRADER_KEY, grader_signature

__all__ = ["reusable"]


def reusable(task: ExecutionTask, output: Path) -> bool:
    """Whether `output` already holds the task's very notebook executed by this grader."""
    output = Path(output)
    if not output.is_file():
        return False
    try:
        executed = nbformat.read(output, as_version=4)
        prepared = nbformat.reads(task.prepared.decode("utf-8"), as_version=4)
    except Exception:  # a half-written or foreign file: execute again
        return False
    return (executed.metadata.get(GRADER_KEY) == grader_signature(task.sandbox)
            and executed.metadata.get(FINGERPRINT_KEY) == notebook_fingerprint(prepared)
            and executed.metadata.get(CASES_KEY) == cases_digest(task.hidden_cases))
