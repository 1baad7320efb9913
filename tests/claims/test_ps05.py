"""ps05's own claims tests (tests/claims/test_notebooks.py has what every notebook shares): the
course settings the text states are the course's. On the other numerical paths a claim over
seeds is recomputed on `PATH_SEEDS` — seed 1, the seed of every run a student's CPU computes in
ps05 (the notebook's and the explorer's); the five seeds are checked on the default path."""

from __future__ import annotations

import pytest

from autograder.claims import ps05 as module


@pytest.mark.parametrize(("exemption", "source"), module.SETTINGS,
                         ids=[exemption.number for exemption, _ in module.SETTINGS])
def test_a_setting_the_text_states_is_the_experiments(exemption, source):
    assert float(exemption.number) == source()

