"""ps04's text is true: every claim recomputed on every seed it names (the online runs, the
sweeps and the thaw: seeds 0–4); every placeholder a claim; every number in the text a claim, a
parameter of the notebook's code or exempt with its reason; the release states the values.

No ps04 claim is about a torch-trained run (everything is numpy), so none names a numerical path
other than the default one — asserted below, so that a future torch claim gets its path test.
"""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO

from autograder.claims import (
    PLACEHOLDER,
    claims_for,
    evaluate,
    exemptions_for,
    uncovered_numbers,
    value_of,
)

ASSIGNMENT = "ps04_q_learning"
CLAIMS = claims_for(ASSIGNMENT)
SOURCE = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
RELEASE = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


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


def test_claims_about_seeded_experiments_hold_on_seeds_0_to_4():
    seeded = {claim_id for claim_id, claim in CLAIMS.items() if claim.seeds}
    assert all(CLAIMS[claim_id].seeds == (0, 1, 2, 3, 4) for claim_id in seeded)
    for experiment in ("online_", "alpha_", "poly06_", "drift_"):
        assert any(claim_id.startswith(f"ps04.{experiment}") for claim_id in seeded), experiment


def test_no_claim_is_about_a_torch_trained_run():
    assert {path for claim in CLAIMS.values() for path in claim.paths} == {"default"}


def test_the_release_states_every_claim_and_no_placeholder():
    text = "\n".join(cell.source for cell in RELEASE.cells if cell.cell_type == "markdown")
    assert "{{claim" not in text
    for claim_id in _placeholders(SOURCE):
        assert value_of(ASSIGNMENT, claim_id) in text, claim_id
