"""Resuming a batch: an execution is reused only when nothing it depends on has changed.

Grading is idempotent — every step rewrites its outputs whole (nbgrader's autograde with
`force`, atomic renames of executed notebooks and ledger entries, one transaction per
submission in the gradebook) — so a batch killed at any point can simply be run again. To make
the second run cheap, `grade` skips the execution of a notebook whose executed copy is still
valid: same prepared notebook (the fingerprint of its cells, tests included), with the same
drawn hidden cases, executed by the same grader (a hash of the `autograder`, `lrchecks` and
`lrcore` sources and the sandbox policy). A new submission, changed tests, changed checks or
references, other hidden cases, or other limits all mean a fresh execution; `grade --fresh`
forces one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache
from pathlib import Path

import nbformat

from autograder.execution import (
    CASES_KEY,
    FINGERPRINT_KEY,
    ExecutionTask,
    cases_digest,
    notebook_fingerprint,
)
from autograder.sandbox import SandboxPolicy

__all__ = ["GRADER_KEY", "grader_signature", "reusable"]

GRADER_KEY = "lrlab_grader_signature"
PACKAGES = ("autograder", "lrchecks", "lrcore")


@cache
def _sources_digest() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def grader_signature(policy: SandboxPolicy, fresh: bool = False) -> str:
    """What an execution's result depends on besides the notebook: the grader's code and the
    limits it ran under. The sources are read once per process, or again when `fresh` (a
    long-lived process comparing itself with workers started since)."""
    if fresh:
        _sources_digest.cache_clear()
    limits = json.dumps(dataclasses.asdict(policy), sort_keys=True, default=str)
    return hashlib.sha256(f"{_sources_digest()}|{limits}".encode()).hexdigest()[:32]


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
