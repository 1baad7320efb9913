"""The grading ledger: what happened to each (assignment, student), beside nbgrader's gradebook.

nbgrader's gradebook holds scores; it cannot say "grading failed" — a failed run simply leaves
no score, which exports as 0. The ledger records every attempt so that a failure is reported as
a failure, with its reason, and never exported as a zero. One small JSON file per submission under
`status/<assignment>/` in the grading state folder of the gradebook it belongs to
(`autograder.grading_state.grading_state_dir`: `.grading/` for the course's own gradebook.db),
written atomically — so grading into another gradebook (`--db-url`) never changes this one's.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["GradingStatus", "write_status", "read_status", "read_all_statuses"]

GRADED, FAILED = "graded", "failed"


@dataclass
class GradingStatus:
    """The outcome of grading one student's assignment."""

    student: str
    assignment: str
    status: str  # "graded" or "failed"
    score: float | None = None
    max_score: float | None = None
    needs_manual_grade: bool = False
    seconds: float = 0.0
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def _ledger_dir(state_dir: Path, assignment: str) -> Path:
    return Path(state_dir) / "status" / assignment


def write_status(state_dir: Path, status: GradingStatus) -> None:
    """Record `status` in the ledger under `state_dir` (a gradebook's grading state folder)."""
    from autograder.student_ids import validate_student_id

    problem = validate_student_id(status.student)
    if problem:  # a ledger entry is a file named by the id: never a path elsewhere
        raise ValueError(f"no ledger entry written: {problem}")
    folder = _ledger_dir(state_dir, status.assignment)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{status.student}.json"
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(status), handle, ensure_ascii=False, indent=1)
    os.replace(temporary, target)


def read_status(state_dir: Path, assignment: str, student: str) -> GradingStatus | None:
    """The student's entry in the ledger under `state_dir`, None if there is none."""
    path = _ledger_dir(state_dir, assignment) / f"{student}.json"
    if not path.is_file():
        return None
    return GradingStatus(**json.loads(path.read_text(encoding="utf-8")))


def read_all_statuses(state_dir: Path, assignment: str) -> list[GradingStatus]:
    """Every entry of the assignment in the ledger under `state_dir`, by student id."""
    folder = _ledger_dir(state_dir, assignment)
    if not folder.is_dir():
        return []
    return [
        GradingStatus(**json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.json")) if not path.name.startswith(".tmp-")
    ]
