"""The course-level texts are true: every claim of the syllabus (course/README.md) and the
instructor guide (course/instructor_guide.md) recomputed and found, with its value, in its
sentence; every other number of their prose a structure or an exemption with its reason."""

from __future__ import annotations

import pytest

from autograder.claims import claims_for, course, evaluate

CLAIMS = claims_for("course")
VALUES = {claim_id: evaluate(claim) for claim_id, claim in CLAIMS.items()}


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_claim_holds(claim_id):
    claim = CLAIMS[claim_id]
    assert claim.holds(VALUES[claim_id]), f"{claim.sentence!r}: {VALUES[claim_id]!r}"


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_claim_stands_in_its_file_with_its_value(claim_id):
    claim = CLAIMS[claim_id]
    (path,) = [path for path in course.FILES if claim in course.claims_in(path)]
    text = (course.ROOT / path).read_text(encoding="utf-8")
    assert course.claim_text(claim, VALUES[claim_id]).search(text), (
        f"{path} should say {claim.sentence.format(claim.write(VALUES[claim_id]))!r}")


@pytest.mark.parametrize("path", course.FILES)
def test_every_number_of_the_prose_is_a_claim_or_exempt(path):
    assert course.uncovered_in(path, VALUES) == []


def test_a_number_the_text_changes_is_caught(monkeypatch):
    """The test can fail: a syllabus whose total no longer matches its table."""
    original = course._text(course.README)
    monkeypatch.setattr(course, "_text", lambda path: original.replace(
        "Plan **14–17 hours**", "Plan **15 hours**") if path == course.README else original)
    claim = CLAIMS["course.total_hours"]
    assert not course.claim_text(claim, VALUES["course.total_hours"]).search(
        course._text(course.README))
    assert [entry.split(",")[0] for entry in course.uncovered_in(course.README, VALUES)] == ["15"]
