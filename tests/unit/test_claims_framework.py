"""autograder.claims: numbers in a notebook's text come from claims, or are accounted for."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.claims import Claim, Exemption, uncovered_numbers


def _notebook(*markdown: str, code: str = "lr = 1.05\nx0 = 500.0\n"):
    return new_notebook(cells=[new_code_cell(code), *map(new_markdown_cell, markdown)])


def test_a_number_no_claim_accounts_for_is_reported_with_its_context():
    nb = _notebook("## 3. Where does it diverge?\n\nlr = 1.05 climbs to 3363.7 after 20 steps.")
    found = uncovered_numbers(nb, ())
    assert [entry.split(",")[0] for entry in found] == ["3363.7", "20"]
    assert "climbs to 3363.7" in found[0]


def test_placeholders_parameters_structure_math_and_exemptions_are_accounted_for():
    nb = _notebook(
        "## 3. Where it diverges\n\n**Task 3.1 (2 points).** From x0 = 500 with lr = 1.05, x "
        "reaches {{claim ps01.final_x}} — the factor $1 - 2\\cdot 1.05 = -1.1$ in `range(20)`, "
        "over 20 steps.")
    assert [e.split(",")[0] for e in uncovered_numbers(nb, ())] == ["20"]
    assert uncovered_numbers(nb, (Exemption("20", "the number of steps, named in the task"),)) \
        == []


def test_a_claim_is_data_about_its_sentence():
    claim = Claim("ps01.steps", "a start 100× farther costs +20 then +21 steps",
                  compute=lambda: (39, 59, 80), write=lambda v: " → ".join(map(str, v)),
                  holds=lambda v: [b - a for a, b in zip(v, v[1:], strict=False)] == [20, 21])
    assert claim.write(claim.compute()) == "39 → 59 → 80" and claim.holds(claim.compute())


@pytest.mark.parametrize("text", ["−0.8", "-0.8"])
def test_minus_signs_of_both_kinds_match_the_code(text):
    nb = _notebook(f"the factor is {text}", code="factor = -0.8\n")
    assert uncovered_numbers(nb, ()) == []
