"""Claims on another numerical path: recomputed in a fresh Python whose torch and MKL take it.

torch reads `ATEN_CPU_CAPABILITY` and MKL reads `MKL_CBWR` once, when they load, so a claim about
a torch-trained run is recomputed on another path in a new process started with that path's
environment (`autograder.claims.NUMERICAL_PATHS`). `claims_on_path` runs every claim of an
assignment that names the path, on its seeds (or on the ones asked for), and returns for each
claim and seed whether it holds, how the release would write it, and its value as plain JSON —
so a test can check that the text is the same on every path and compare values across paths.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from autograder.claims import NUMERICAL_PATHS, claims_for, evaluate

__all__ = ["claims_on_path", "seed_key", "plain"]

PATH_VARIABLES = frozenset(name for variables in NUMERICAL_PATHS.values() for name in variables)
"""Every environment variable a numerical path sets (cleared before a path's own are set)."""
PROBE = ("import sys; from autograder.claims.paths import _report; "
         "_report(sys.argv[1], sys.argv[2], sys.argv[3])")
REPOSITORY = Path(__file__).resolve().parents[2]


def seed_key(seed: int | None) -> str:
    """How a seed is keyed in a report ("-" for a claim without seeds)."""
    return "-" if seed is None else str(seed)


def plain(value: Any) -> Any:
    """A claim's value as JSON data: numbers (numpy's too), strings, booleans, lists for
    sequences, string-keyed dicts; anything else as its repr."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = value.item() if hasattr(value, "item") else value
        return number if not isinstance(number, float) or math.isfinite(number) else repr(number)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return repr(value)


def _chosen_seeds(claim_seeds: tuple[int, ...], asked: Iterable[int] | None) -> list[int | None]:
    if not claim_seeds:
        return [None]
    if asked is None:
        return list(claim_seeds)
    chosen: list[int | None] = [seed for seed in claim_seeds if seed in set(asked)]
    return chosen or [claim_seeds[0]]


def _report(assignment: str, path: str, seeds: str) -> None:
    """(In the fresh process.) Print the report of `claims_on_path` as one line of JSON."""
    asked = json.loads(seeds)
    report: dict[str, dict[str, Any]] = {}
    for claim in claims_for(assignment).values():
        if path not in claim.paths:
            continue
        report[claim.id] = {}
        for seed in _chosen_seeds(claim.seeds, asked):
            value = evaluate(claim, seed)
            report[claim.id][seed_key(seed)] = {
                "holds": bool(claim.holds(value)), "written": claim.write(value),
                "value": plain(value)}
    print(json.dumps(report))


def claims_on_path(assignment: str, path: str, seeds: Iterable[int] | None = None,
                   timeout: float = 900) -> dict[str, dict[str, dict[str, Any]]]:
    """{claim id: {seed key: {"holds", "written", "value"}}} for every claim of `assignment`
    whose paths include `path`, computed in a fresh Python with the path's environment; on the
    claim's seeds, or on those of `seeds` it has (its first seed if it has none of them)."""
    if path not in NUMERICAL_PATHS:
        raise ValueError(f"unknown numerical path {path!r}: one of {', '.join(NUMERICAL_PATHS)}")
    environment = {name: value for name, value in os.environ.items()
                   if name not in PATH_VARIABLES} | NUMERICAL_PATHS[path]
    asked = None if seeds is None else sorted(set(seeds))
    done = subprocess.run([sys.executable, "-c", PROBE, assignment, path, json.dumps(asked)],
                          cwd=REPOSITORY, env=environment, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the claims of {assignment} failed on the path {path!r}:\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])
