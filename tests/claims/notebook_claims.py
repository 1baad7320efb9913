"""What the claims tests of every notebook share: its source and release, its placeholders, a
claim as this process (the default numerical path) computes it, and its claims recomputed on the
other numerical paths (each path once per notebook, in a fresh Python)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import nbformat
from conftest import REPO

from autograder.claims import NUMERICAL_PATHS, PLACEHOLDER, claims_for, evaluate
from autograder.claims.paths import claims_on_path, plain

ASSIGNMENTS = ("ps01_constant_lr", "ps02_schedulers", "ps03_batch_size", "ps04_q_learning",
               "ps05_adaptive_optimizers")
OTHER_PATHS = tuple(name for name in NUMERICAL_PATHS if name != "default")


def claims_module(assignment: str) -> Any:
    return importlib.import_module(f"autograder.claims.{assignment.split('_')[0]}")


@cache
def notebook(assignment: str, folder: str) -> nbformat.NotebookNode:
    """The assignment's notebook in `source` or `release`."""
    return nbformat.read(REPO / folder / assignment / f"{assignment}.ipynb", as_version=4)


def placeholders(assignment: str) -> set[str]:
    """The claim ids the source notebook's markdown writes as `{{claim id}}`."""
    return {name for cell in notebook(assignment, "source").cells
            if cell.cell_type == "markdown" for name in PLACEHOLDER.findall(cell.source)}


def here(assignment: str, claim_id: str, seed: int | None) -> dict[str, Any]:
    """What the claim gives on this process's (default) path, as a path's report has it."""
    claim = claims_for(assignment)[claim_id]
    value = evaluate(claim, seed)
    return {"holds": bool(claim.holds(value)), "written": claim.write(value),
            "value": plain(value)}


def paths_of(assignment: str) -> list[str]:
    """The other numerical paths some claim of the assignment names."""
    named = {path for claim in claims_for(assignment).values() for path in claim.paths}
    return [path for path in OTHER_PATHS if path in named]


@cache
def on_path(assignment: str, path: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The assignment's claims that name `path`, recomputed there (on the module's
    `PATH_SEEDS` when it has them: the seeds a student's CPU computes)."""
    return claims_on_path(assignment, path, getattr(claims_module(assignment), "PATH_SEEDS", None))
