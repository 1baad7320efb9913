"""Every sentence true: the numbers and comparisons a notebook's text states, as code.

A course that teaches measurement must not state what its own plots contradict. So a notebook's
quantitative text is not typed in: each number or comparison is a `Claim` in
`autograder/claims/<psNN>.py` — how it is computed (with `lrcore`, the same reference the
checks use), how it is written, and what must hold for the sentence to stay true (over seeds
0–4 where randomness enters, and on the CPU's numerical paths for torch-trained runs). The
source notebook's markdown writes `{{claim ps01.far_start_steps}}` where the number goes;
`release` fills it in (the nbgrader preprocessor `FillClaims`), and the tests
(`tests/claims/`) recompute every claim, check what must hold, and fail on any number in the
text that neither a claim, the notebook's own code (its parameters), nor an explicit
exemption with its reason accounts for.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nbformat import NotebookNode

__all__ = ["Claim", "Exemption", "claims_for", "exemptions_for", "value_of", "fill_claims",
           "uncovered_numbers", "PLACEHOLDER", "NUMERICAL_PATHS", "SEEDS"]

PLACEHOLDER = re.compile(r"\{\{claim ([a-z0-9_.]+)\}\}")
SEEDS = (0, 1, 2, 3, 4)
"""The seeds a claim about a random experiment must hold on."""
NUMERICAL_PATHS: dict[str, dict[str, str]] = {
    "default": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"},
    "no-simd": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},
}
"""Environments that change torch's and MKL's rounding (set before torch is imported): a claim
about a torch-trained run must hold on each (`tests/claims` runs them in fresh processes)."""


@dataclass(frozen=True)
class Claim:
    """One quantitative sentence of a notebook.

    `compute()` gives the value the text quotes (any data); `write(value)` how it appears in
    the text ("39", "0.85", "89 %"); `holds(value)` what must be true of it for the sentence to
    be true ("the three counts grow by +20 and +21": a comparison with its control), checked on
    every seed of `seeds` (passed to `compute` as `seed=` when there is more than one) and every
    numerical path of `paths`."""

    id: str
    sentence: str
    compute: Callable[..., Any]
    write: Callable[[Any], str] = str
    holds: Callable[[Any], bool] = lambda value: True
    seeds: tuple[int, ...] = ()
    paths: tuple[str, ...] = ("default",)


@dataclass(frozen=True)
class Exemption:
    """A number the text may state without a claim, and why (a definition, a parameter the
    notebook's code does not spell, a section number…)."""

    number: str
    reason: str


def _module(assignment: str) -> Any | None:
    try:
        return importlib.import_module(f"autograder.claims.{assignment.split('_')[0]}")
    except ModuleNotFoundError:
        return None


def claims_for(assignment: str) -> dict[str, Claim]:
    module = _module(assignment)
    claims = list(getattr(module, "CLAIMS", ())) if module else []
    return {claim.id: claim for claim in claims}


def exemptions_for(assignment: str) -> tuple[Exemption, ...]:
    module = _module(assignment)
    return tuple(getattr(module, "EXEMPT", ())) if module else ()


def evaluate(claim: Claim, seed: int | None = None) -> Any:
    """The claim's value (on `seed` when it has seeds)."""
    if seed is None:
        return claim.compute()
    return claim.compute(seed=seed)


@cache
def _cached(assignment: str, claim_id: str) -> Any:
    claim = claims_for(assignment)[claim_id]
    return evaluate(claim, claim.seeds[0] if claim.seeds else None)


def value_of(assignment: str, claim_id: str) -> str:
    """The claim's text, as the release writes it (on its first seed)."""
    claim = claims_for(assignment)[claim_id]
    return claim.write(_cached(assignment, claim_id))


def fill_claims(text: str, assignment: str) -> str:
    """`text` with every `{{claim id}}` replaced by the claim's written value."""
    return PLACEHOLDER.sub(lambda match: value_of(assignment, match.group(1)), text)


NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)*(?:e[-−+]?\d+)?")
STRUCTURE = (re.compile(r"^#+\s*\d+(\.\d+)*\.?", re.M),                  # section numbers
             re.compile(r"\*\*Task \d+(\.\d+)* \(\d+(\.\d+)? points?"),    # task numbers, points
             re.compile(r"\(\d+(\.\d+)? points?\)"),                       # "(20 points)"
             re.compile(r"\$[^$]*\$"), re.compile(r"`[^`]*`"))             # math and code
MARKDOWN_LINK = re.compile(r"\]\([^)]*\)")


def _value(number: str) -> float | str:
    """A number as a value ("500" and "500.0" are the same parameter), else its text."""
    try:
        return float(number.replace("−", "-").replace(",", ""))
    except ValueError:
        return number


def _code_numbers(nb: NotebookNode) -> set[float | str]:
    """Every number the notebook's code cells spell (its parameters: lr = 1.05, x0 = 500)."""
    return {_value(match.group(0)) for cell in nb.cells if cell.cell_type == "code"
            for match in NUMBER.finditer(cell.source)}


def uncovered_numbers(nb: NotebookNode, exempt: Mapping[str, str] | tuple[Exemption, ...]
                      ) -> list[str]:
    """Numbers in the notebook's markdown (solutions and rubrics aside) that no claim
    placeholder, code cell, structure (section, task, points, math, code spans) or exemption
    accounts for — each as "the number, in: …context…"."""
    allowed = _code_numbers(nb) | {
        _value(e.number if isinstance(e, Exemption) else e) for e in
        (exempt.keys() if isinstance(exempt, Mapping) else exempt)}
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        text = PLACEHOLDER.sub(" ", cell.source)
        for pattern in (*STRUCTURE, MARKDOWN_LINK):
            text = pattern.sub(" ", text)
        for match in NUMBER.finditer(text):
            number = match.group(0).replace("−", "-")
            value = _value(number)
            magnitude = abs(value) if isinstance(value, float) else value
            if value not in allowed and magnitude not in allowed:
                start = max(0, match.start() - 40)
                found.append(f"{number}, in: …{text[start:match.end() + 30]!r}…")
    return found


@dataclass
class ClaimReport:
    """What the claims tests saw of one claim: its value per seed and path, and whether it held."""

    claim: Claim
    values: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
