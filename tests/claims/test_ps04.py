"""ps04's own claims tests (tests/claims/test_notebooks.py has what every notebook shares): its
random experiments — the online runs, the sweeps and the thaw — are claimed on seeds 0–4, and no
ps04 claim is about a torch-trained run (everything is numpy), so none names a numerical path
but the default one: a future torch claim must bring its path."""

from __future__ import annotations

from autograder.claims import claims_for

CLAIMS = claims_for("ps04_q_learning")


def test_claims_about_seeded_experiments_hold_on_seeds_0_to_4():
    seeded = {claim_id for claim_id, claim in CLAIMS.items() if claim.seeds}
    assert all(CLAIMS[claim_id].seeds == (0, 1, 2, 3, 4) for claim_id in seeded)
    for experiment in ("online_", "alpha_", "poly06_", "drift_"):
        assert any(claim_id.startswith(f"ps04.{experiment}") for claim_id in seeded), experiment


def test_no_claim_is_about_a_torch_trained_run():
    assert {path for claim in CLAIMS.values() for path in claim.paths} == {"default"}
