"""ps03's own claims tests (tests/claims/test_notebooks.py has what every notebook shares): the
experiment's settings the text states are the experiment's, and the reproducibility sentence
holds across the numerical paths (the batch-size sweeps and range tests are float32 torch runs)."""

from __future__ import annotations

import pytest
from notebook_claims import OTHER_PATHS, here, on_path

from autograder.claims import ps03 as module

ASSIGNMENT = "ps03_batch_size"


@pytest.mark.parametrize(("exemption", "source"), module.SETTINGS,
                         ids=[exemption.number for exemption, _ in module.SETTINGS])
def test_a_setting_the_text_states_is_the_experiments(exemption, source):
    assert float(exemption.number) == source()


def test_the_runs_the_reproducibility_sentence_names_agree_across_paths():
    """"Your run without warmup may differ from a classmate's after epoch 6 …; the warmed-up
    run agrees to two digits everywhere.\""""
    for claim_id, agree in module.ACROSS_PATHS.items():
        values = {"default": here(ASSIGNMENT, claim_id, None)["value"],
                  **{path: on_path(ASSIGNMENT, path)[claim_id]["-"]["value"]
                     for path in OTHER_PATHS}}
        assert agree(values), claim_id
