"""Hidden cases, drawn per student: where they come from and who gets which.

- `pools` — each hidden check's pool: edge cases every student runs and candidates validated at
  release time (every correct numerical path within tolerance, every modelled mistake detected),
  written to `hidden_cases/<assignment>.json` in the course directory;
- `psNN` — the pool specifications of each assignment (grader-only: the student runtime holds
  no hidden case), drawing their numbers through `case_numbers` and checking the other correct
  numerical paths of `validate` (and `rl_paths` for ps04);
- `secret` — the course secret, outside the repository and the sandbox;
- `draw` — which cases a student gets: HMAC(secret; course, assignment, pool, student).

The checks read their cases through `lrchecks.hidden.hidden_cases`, fed by the grader: the
kernel gets the student's drawn cases in its environment, the judge the same cases in-process.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

from autograder.hidden.draw import draw_cases
from autograder.hidden.pools import (
    Pool,
    PoolError,
    PoolSpec,
    build_pools,
    pools_path,
    read_pools,
    write_pools,
)
from autograder.hidden.secret import MissingSecret, load_secret

__all__ = ["pool_specs", "release_pools", "course_pools", "cases_for", "MissingPools",
           "MissingSecret", "PoolError", "stale_pools"]


class MissingPools(RuntimeError):
    """An assignment has hidden checks but no pool file: it was not released."""


def pool_specs(assignment: str) -> list[PoolSpec]:
    """The pool specifications of an assignment (`autograder.hidden.<psNN>.SPECS`)."""
    try:
        module = importlib.import_module(f"autograder.hidden.{assignment.split('_')[0]}")
    except ModuleNotFoundError:
        return []
    return list(module.SPECS)


def release_pools(course_root: Path, assignment: str) -> Path | None:
    """Build and validate the assignment's pools and write them (`release` calls this)."""
    specs = pool_specs(assignment)
    if not specs:
        return None
    path = pools_path(course_root, assignment)
    write_pools(path, assignment, build_pools(specs))
    return path


@cache
def _read(path: Path, mtime_ns: int) -> dict[str, Pool]:
    return read_pools(path)


def course_pools(course_root: Path, assignment: str) -> dict[str, Pool]:
    """The pools `release` wrote for the assignment ({} if it has no hidden checks)."""
    path = pools_path(course_root, assignment)
    if not path.is_file():
        if pool_specs(assignment):
            raise MissingPools(f"refusing to grade {assignment}: its hidden cases were never "
                               f"built — run `python -m autograder release {assignment}` first.")
        return {}
    return _read(path, path.stat().st_mtime_ns)


def stale_pools(course_root: Path, assignment: str) -> list[str]:
    """Pools whose file differs from what the specifications build now (names)."""
    built = build_pools(pool_specs(assignment))
    stored = course_pools(course_root, assignment)
    return sorted(name for name in set(built) | set(stored)
                  if name not in stored or name not in built
                  or built[name].to_json() != stored[name].to_json())


def cases_for(course: Any, assignment: str, student: str,
              submission: str = "") -> dict[str, list[dict[str, Any]]]:
    """The hidden cases of the assignment for this student's `submission` (a fingerprint of
    the notebook handed in, `autograder.execution.notebook_fingerprint`), `{pool: [case, …]}`;
    raises `MissingSecret` or `MissingPools` (one sentence each) when grading cannot draw them."""
    pools = course_pools(course.root, assignment)
    if not pools:
        return {}
    course_id = str(course.config.CourseDirectory.course_id)
    secret = load_secret(course.config, course_id)
    return draw_cases(pools, secret, course_id, assignment, student, submission)
