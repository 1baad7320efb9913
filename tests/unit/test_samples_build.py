"""The builders of the sample students (autograder.samples.build): a mistake written as the
one change it makes to correct code, and a mistake's failing tests."""

from __future__ import annotations

import pytest

from autograder.samples.build import blank, changed, mistake

CODE = "def f(x):\n    y = x + 1\n    return y\n"


def test_a_change_replaces_its_one_place():
    assert changed(CODE, "x + 1", "x - 1") == "def f(x):\n    y = x - 1\n    return y\n"


@pytest.mark.parametrize("old", ["x * 2", "y"])
def test_a_change_that_is_not_in_one_place_is_refused(old):
    with pytest.raises(ValueError, match="stands [02] times"):
        changed(CODE, old, "z")


def test_a_mistake_fails_the_tests_of_its_feedback_and_the_others_it_names():
    sample = mistake("s03_x", "a mistake", {"cell": CODE}, {"test_a": "words"},
                     also_failing=("test_b",))
    assert sample.failing_tests == frozenset({"test_a", "test_b"})
    assert sample.feedback == {"test_a": "words"} and sample.cells == {"cell": CODE}


def test_a_blank_notebook_fails_everything_and_says_so():
    sample = blank("test_a")
    assert sample.blank and sample.feedback == {"test_a": "you have not written this function yet"}
