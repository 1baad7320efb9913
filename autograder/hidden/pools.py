"""Hidden-case pools: computed and validated at release time, stored in the course directory.

A hidden check runs a few edge cases every student gets (`always`) and `draw` cases drawn per
student (`autograder.hidden.draw`) from a pool of candidates. A pool is *built* from its
`PoolSpec` — generated from a fixed seed — and every case in it is *validated* before it is
kept:

- within tolerance on every numerical path a correct student may take (e.g. a float32 torch run
  and a float64 numpy run of the same algorithm), so that no correct answer fails; and
- detecting every modelled mistake of the check that the pool's `always` cases do not already
  detect, so that whichever cases a student draws, every modelled mistake loses the point.

`release` builds the pools of an assignment and writes them to
`hidden_cases/<assignment>.json` in the course directory (grader-only: hidden in the sandbox,
never in the student runtime). Grading draws from that file, so a regrade uses the same pool
even after the grader's code changes, and each pooled case's references can be cached by the
judge (a pool is small).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Case", "PoolSpec", "Pool", "PoolError", "build_pool", "build_pools",
           "write_pools", "read_pools", "pools_path", "POOL_FORMAT"]

POOL_FORMAT = 1
Case = dict[str, Any]
"""{"kind": words a student may read, "params": plain JSON the check reads}."""


class PoolError(RuntimeError):
    """A pool cannot be built (an edge case fails validation, or too few candidates pass)."""


@dataclass(frozen=True)
class PoolSpec:
    """How one check's hidden cases are made.

    `candidate(rng)` proposes a case; `problems(case)` says why a case is unusable (a correct
    path outside tolerance), "" if it is usable; `missed(case)` names the modelled mistakes the
    case does not detect. `size` candidates are kept (generated from `seed`); each student runs
    every `always` case and `draw` candidates.
    """

    name: str
    always: tuple[Case, ...]
    draw: int
    size: int
    seed: int
    candidate: Callable[[np.random.Generator], Case]
    problems: Callable[[Case], str]
    missed: Callable[[Case], set[str]] = field(default=lambda case: set())


@dataclass(frozen=True)
class Pool:
    """A built pool: what grading draws from."""

    name: str
    always: list[Case]
    draw: int
    candidates: list[Case]

    def to_json(self) -> dict[str, Any]:
        return {"always": self.always, "draw": self.draw, "candidates": self.candidates}

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Pool:
        return cls(name, list(data["always"]), int(data["draw"]), list(data["candidates"]))


def _plain(case: Case) -> Case:
    """The case as the JSON round trip will give it back (tuples become lists, …)."""
    return json.loads(json.dumps(case, allow_nan=False))


def build_pool(spec: PoolSpec) -> Pool:
    """Generate and validate `spec.size` candidates (see the module's docstring)."""
    always = [_plain(case) for case in spec.always]
    for case in always:
        problem = spec.problems(case)
        if problem:
            raise PoolError(f"{spec.name}: the edge case {case['kind']!r} is unusable: {problem}")
    # the mistakes no edge case detects: every candidate must detect them
    uncovered = (set.intersection(*(spec.missed(case) for case in always)) if always
                 else None)
    rng = np.random.default_rng(spec.seed)
    candidates: list[Case] = []
    seen: set[str] = set()
    rejected: dict[str, int] = {}
    for _attempt in range(40 * spec.size):
        if len(candidates) == spec.size:
            break
        case = _plain(spec.candidate(rng))
        key = json.dumps(case["params"], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        problem = spec.problems(case)
        missed = spec.missed(case)
        undetected = missed if uncovered is None else missed & uncovered
        if problem or undetected:
            reason = problem or f"misses {sorted(undetected)}"
            rejected[reason] = rejected.get(reason, 0) + 1
            continue
        candidates.append(case)
    if len(candidates) < spec.size:
        common = sorted(rejected.items(), key=lambda item: -item[1])[:3]
        raise PoolError(f"{spec.name}: only {len(candidates)} of {spec.size} candidates are "
                        f"usable; most rejected: {common}")
    if spec.draw > len(candidates):
        raise PoolError(f"{spec.name}: draws {spec.draw} of {len(candidates)} candidates")
    return Pool(spec.name, always, spec.draw, candidates)


def build_pools(specs: Sequence[PoolSpec]) -> dict[str, Pool]:
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise PoolError(f"two pools share a name: {names}")
    return {spec.name: build_pool(spec) for spec in specs}


def pools_path(course_root: Path, assignment: str) -> Path:
    return Path(course_root) / "hidden_cases" / f"{assignment}.json"


def write_pools(path: Path, assignment: str, pools: Mapping[str, Pool]) -> None:
    """Write the pools (stable, reviewable JSON: one case per line would be nicer to diff, but
    the file is regenerated, never edited)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": POOL_FORMAT, "assignment": assignment,
            "pools": {name: pool.to_json() for name, pool in sorted(pools.items())}}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def read_pools(path: Path) -> dict[str, Pool]:
    """The pools of an assignment as `release` wrote them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != POOL_FORMAT:
        raise PoolError(f"{path} has pool format {data.get('format')!r}, not {POOL_FORMAT}: "
                        "release the assignment again")
    return {name: Pool.from_json(name, pool) for name, pool in data["pools"].items()}
