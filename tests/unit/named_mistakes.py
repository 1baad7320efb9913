"""The "mistakes are named" tests of tests/unit/test_checks_psNN.py, written once: a check
refuses each mistaken student function of a table with a message that names the mistake."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from lrchecks.report import CheckFailed


def _as_written(how: Any) -> Any:
    return how


def mistakes_named_by(check: Callable[[Any], object], cases: Sequence[tuple[Any, str]],
                      student: Callable[[Any], Any] = _as_written,
                      literal: bool = False) -> Callable[[Any, str], None]:
    """A test, parametrised over `cases` — pairs (how, words) —, asserting that
    `check(student(how))` fails with a CheckFailed whose message matches `words`: a regular
    expression, searched for as `pytest.raises(match=…)` does, or, if `literal`, plain text.
    `student` makes the student's code from `how` (a mistake's name, a maker's keyword
    arguments); without it, `how` is the code. Assign the result to a module-level `test_…`
    name for pytest to collect it."""

    @pytest.mark.parametrize(("how", "words"), cases)
    def test(how: Any, words: str) -> None:
        with pytest.raises(CheckFailed, match=re.escape(words) if literal else words):
            check(student(how))

    return test
