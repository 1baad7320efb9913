"""`grader_signature`: what an execution's result depends on besides the notebook.

An executed notebook carries the signature of the grader that executed it (`GRADER_KEY` in its
metadata): a hash of the `autograder`, `lrchecks` and `lrcore` sources and of the sandbox
policy it ran under. A resumed batch reuses an execution only under the same signature
(`autograder.resume`), and the grading process refuses an outcome from a worker whose sources
differ from its own (`autograder.execution.receive_outcome`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache
from pathlib import Path

from autograder.sandbox import SandboxSettings

__all__ = ["GRADER_KEY", "grader_signature"]

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


def grader_signature(policy: SandboxSettings, fresh: bool = False) -> str:
    """What an execution's result depends on besides the notebook: the grader's code and the
    limits it ran under. The sources are read once per process, or again when `fresh` (a
    long-lived process comparing itself with workers started since)."""
    if fresh:
        _sources_digest.cache_clear()
    limits = json.dumps(dataclasses.asdict(policy), sort_keys=True, default=str)
    return hashlib.sha256(f"{_sources_digest()}|{limits}".encode()).hexdigest()[:32]
