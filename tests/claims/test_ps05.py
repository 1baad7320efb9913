"""ps05's text is true: every claim recomputed on seeds 0–4 (the classifier's runs, the
challenge's baseline) and on every numerical path it names, written the same on every path;
every placeholder a claim; every number in the text a claim, a setting of the course (with its
value checked) or exempt; the release states the values.

On the other numerical paths a claim over seeds is recomputed on `PATH_SEEDS` — seed 1, the
seed of every run a student's CPU computes in ps05 (the notebook's and the explorer's); the five
seeds are checked on the default path. That keeps the paths to one run of each setting."""

from __future__ import annotations

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
from autograder.claims import ps05 as module
from autograder.claims.paths import claims_on_path, plain, seed_key

ASSIGNMENT = "ps05_adaptive_optimizers"
CLAIMS = claims_for(ASSIGNMENT)
SOURCE = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
RELEASE = nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
OTHER_PATHS = [name for name in NUMERICAL_PATHS if name != "default"]


def _placeholders(nb) -> set[str]:
    return {name for cell in nb.cells if cell.cell_type == "markdown"
            for name in PLACEHOLDER.findall(cell.source)}


def _here(claim_id: str, seed: int | None) -> dict:
    """What the claim gives on this process's (default) path: as a path's report has it."""
    claim = CLAIMS[claim_id]
    value = evaluate(claim, seed)
    return {"holds": bool(claim.holds(value)), "written": claim.write(value),
            "value": plain(value)}


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    """Every claim that names a path, on the seed students run, recomputed on each other path."""
    return {path: claims_on_path(ASSIGNMENT, path, module.PATH_SEEDS) for path in OTHER_PATHS}


def test_every_placeholder_names_a_claim():
    assert _placeholders(SOURCE) - set(CLAIMS) == set()


def test_every_number_in_the_text_is_a_claim_a_setting_or_exempt():
    assert uncovered_numbers(SOURCE, exemptions_for(ASSIGNMENT)) == []


@pytest.mark.parametrize(("exemption", "source"), module.SETTINGS,
                         ids=[exemption.number for exemption, _ in module.SETTINGS])
def test_a_setting_the_text_states_is_the_experiments(exemption, source):
    assert float(exemption.number) == source()


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_claim_holds_on_every_seed(claim_id):
    claim = CLAIMS[claim_id]
    for seed in claim.seeds or (None,):
        value = evaluate(claim, seed)
        assert claim.holds(value), f"{claim.sentence!r} fails on seed {seed}: {value!r}"


@pytest.mark.parametrize("path", OTHER_PATHS)
def test_torch_claims_hold_and_read_the_same_on_every_numerical_path(reports, path):
    """On each path every claim holds on every seed, and the release would write each claim the
    text quotes as on this path (the text does not depend on the CPU it is released on)."""
    report = reports[path]
    assert set(report) == {claim.id for claim in CLAIMS.values() if path in claim.paths}
    failures = [f"{claim_id} (seed {key}): {result['value']}"
                for claim_id, by_seed in report.items() for key, result in by_seed.items()
                if not result["holds"]]
    quoted = _placeholders(SOURCE) & set(report)
    for claim_id in sorted(quoted):
        first = CLAIMS[claim_id].seeds[0] if CLAIMS[claim_id].seeds else None
        written, here = report[claim_id][seed_key(first)]["written"], _here(claim_id, first)
        if written != here["written"]:
            failures.append(f"{claim_id} is written {written!r} here, {here['written']!r} on "
                            "the default path")
    assert failures == []


def test_the_release_states_every_claim_and_no_placeholder():
    text = "\n".join(cell.source for cell in RELEASE.cells if cell.cell_type == "markdown")
    assert "{{claim" not in text
    for claim_id in _placeholders(SOURCE):
        assert value_of(ASSIGNMENT, claim_id) in text, claim_id
