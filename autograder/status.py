"""The grading ledger: what happened to each (assignment, student), beside nbgrader's gradebook.

nbgrader's gradebook holds scores; it cannot say "grading failed" — a failed run simply leaves
no score, which exports as 0. The ledger records every attempt so that a failure is reported as
a failure, with its reason, and never exported as a zero. One small JSON file per submission
under `.grading/status/<assignment>/` in the course directory, written atomically.
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


def _ledger_dir(grading_dir: Path, assignment: str) -> Path:
    return grading_dir / "status" / assignment


def write_status(grading_dir: Path, status: GradingStatus) -> None:
    from autograder.student_ids import validate_student_id

    problem = validate_student_id(status.student)
    if problem:  # a ledger entry is a file named by the id: never a path elsewhere
        raise ValueError(f"no ledger entry written: {problem}")
    folder = _ledger_dir(grading_dir, status.assignment)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{status.student}.json"
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(status), handle, ensure_ascii=False, indent=1)
    os.replace(temporary, target)


def read_status(grading_dir: Path, assignment: str, student: str) -> GradingStatus | None:
    path = _ledger_dir(grading_dir, assignment) / f"{student}.json"
    if not path.is_file():
        return None
    return GradingStatus(**json.loads(path.read_text(encoding="utf-8")))


def read_all_statuses(grading_dir: Path, assignment: str) -> list[GradingStatus]:
    folder = _ledger_dir(grading_dir, assignment)
    if not folder.is_dir():
        return []
    return [
        GradingStatus(**json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.json")) if not path.name.startswith(".tmp-")
    ]
