"""ps02's text is true: every claim recomputed, on every seed and numerical path it names; every
placeholder a claim; every number in the text accounted for; the release states the values."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest
from conftest import REPO

from autograder.claims import (
    NUMERICAL_PATHS,
    PLACEHOLDER,
    claims_for,
    evaluate,
    exemptions_for,
    uncovered_numbers,
    value_of,
)

ASSIGNMENT = "ps02_schedulers"
CLAIMS = claims_for(ASSIGNMENT)
SOURCE = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
RELEASE = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)

PATH_PROBE = """
import json, sys
from autograder.claims import claims_for, evaluate
failures = []
for claim in claims_for(sys.argv[1]).values():
    if sys.argv[2] not in claim.paths:
        continue
    for seed in claim.seeds or (None,):
        value = evaluate(claim, seed)
        if not claim.holds(value):
            failures.append(f"{claim.id} (seed {seed}): {claim.write(value)}")
print(json.dumps(failures))
"""


def _placeholders(nb) -> set[str]:
    return {name for cell in nb.cells if cell.cell_type == "markdown"
            for name in PLACEHOLDER.findall(cell.source)}


def test_every_placeholder_names_a_claim():
    assert _placeholders(SOURCE) - set(CLAIMS) == set()


def test_every_number_in_the_text_is_a_claim_a_parameter_or_exempt():
    assert uncovered_numbers(SOURCE, exemptions_for(ASSIGNMENT)) == []


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_claim_holds_on_every_seed(claim_id):
    claim = CLAIMS[claim_id]
    for seed in claim.seeds or (None,):
        value = evaluate(claim, seed)
        assert claim.holds(value), f"{claim.sentence!r} fails on seed {seed}: {value!r}"


@pytest.mark.parametrize("path", [name for name in NUMERICAL_PATHS if name != "default"])
def test_torch_claims_hold_on_every_numerical_path(path):
    """Claims about torch-trained runs, recomputed in a fresh Python whose torch and MKL take
    another numerical path (the environment is set before torch is imported)."""
    assert any(path in claim.paths for claim in CLAIMS.values())
    environment = {**os.environ, **NUMERICAL_PATHS[path]}
    result = subprocess.run([sys.executable, "-c", PATH_PROBE, ASSIGNMENT, path], cwd=REPO,
                            env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_the_release_states_every_claim_and_no_placeholder():
    text = "\n".join(cell.source for cell in RELEASE.cells if cell.cell_type == "markdown")
    assert "{{claim" not in text
    for claim_id in _placeholders(SOURCE):
        assert value_of(ASSIGNMENT, claim_id) in text, claim_id
