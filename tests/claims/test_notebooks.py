"""Every notebook's text is true: each claim recomputed on every seed it names, and on every
numerical path it names, where it must hold and be written as on the default path (the text
does not depend on the CPU it is released on); every placeholder a claim; every number in the
text a claim, a parameter of the notebook's code or exempt with its reason; the release states
the values. What only one notebook has is in its test_psNN.py."""

from __future__ import annotations

import pytest
from notebook_claims import ASSIGNMENTS, here, notebook, on_path, paths_of, placeholders

from autograder.claims import (
    claims_for,
    evaluate,
    exemptions_for,
    uncovered_numbers,
    value_of,
)
from autograder.claims.paths import seed_key

CLAIMS = [(assignment, claim_id) for assignment in ASSIGNMENTS
          for claim_id in sorted(claims_for(assignment))]
PATHS = [(assignment, path) for assignment in ASSIGNMENTS for path in paths_of(assignment)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_placeholder_names_a_claim(assignment):
    assert placeholders(assignment) - set(claims_for(assignment)) == set()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_number_in_the_text_is_a_claim_a_parameter_or_exempt(assignment):
    assert uncovered_numbers(notebook(assignment, "source"), exemptions_for(assignment)) == []


@pytest.mark.parametrize(("assignment", "claim_id"), CLAIMS, ids=[c for _, c in CLAIMS])
def test_claim_holds_on_every_seed(assignment, claim_id):
    claim = claims_for(assignment)[claim_id]
    for seed in claim.seeds or (None,):
        value = evaluate(claim, seed)
        assert claim.holds(value), f"{claim.sentence!r} fails on seed {seed}: {value!r}"


@pytest.mark.parametrize(("assignment", "path"), PATHS,
                         ids=[f"{a.split('_')[0]}-{p}" for a, p in PATHS])
def test_claims_hold_and_read_the_same_on_every_numerical_path(assignment, path):
    claims = claims_for(assignment)
    report = on_path(assignment, path)
    assert set(report) == {claim.id for claim in claims.values() if path in claim.paths}
    failures = [f"{claim_id} (seed {key}): {result['value']}"
                for claim_id, by_seed in report.items() for key, result in by_seed.items()
                if not result["holds"]]
    for claim_id in sorted(placeholders(assignment) & set(report)):
        seeds = claims[claim_id].seeds
        first = seeds[0] if seeds else None
        written = report[claim_id][seed_key(first)]["written"]
        default = here(assignment, claim_id, first)["written"]
        if written != default:
            failures.append(f"{claim_id} is written {written!r} on {path}, {default!r} on "
                            "the default path")
    assert failures == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_release_states_every_claim_and_no_placeholder(assignment):
    text = "\n".join(cell.source for cell in notebook(assignment, "release").cells
                     if cell.cell_type == "markdown")
    assert "{{claim" not in text
    for claim_id in placeholders(assignment):
        assert value_of(assignment, claim_id) in text, claim_id
