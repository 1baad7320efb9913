"""Hidden cases: the cases a hidden test runs, drawn for each student by the grader.

A hidden test cell (stripped from the student's notebook by nbgrader) calls a check with
`hidden=True`; the check asks `hidden_cases(pool)` for its cases. This module holds no case: the
grader draws every student's own cases from pools computed at release time, keyed by a course
secret it never shares (in the grader distribution), and hands them

- to the kernel of the notebook being graded, in the environment variable `HIDDEN_CASES_VARIABLE`
  (JSON `{pool: [{"kind": …, "params": …}, …]}`), and
- to its own judge, which replays the check outside the kernel with the same cases
  (`drawn_cases`).

A kernel that alters its cases only makes its answers fit no question the judge asks. Anywhere
else — a student's own JupyterLab — there are no hidden cases, and the check says so.

What a student may learn from a failed hidden case: its *kind* ("an oscillating run") and the
diagnosis of the mistake — never its inputs or the expected values (`hidden_case`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lrchecks.report import CASE_FAILURE_LEAD, CheckFailed

__all__ = ["HIDDEN_CASES_VARIABLE", "HiddenCase", "hidden_cases", "drawn_cases", "hidden_case",
           "NotGraded", "visible_or_drawn", "within"]

HIDDEN_CASES_VARIABLE = "LRLAB_HIDDEN_CASES"


@dataclass(frozen=True)
class HiddenCase:
    """One hidden case: what kind of case it is (words a student may read) and its parameters
    (plain JSON data, read by the check that owns the pool)."""

    kind: str
    params: Any


class NotGraded(CheckFailed):
    """A hidden check was called outside grading: there are no hidden cases here."""


_judge_cases: list[Mapping[str, Any]] = []


@contextlib.contextmanager
def drawn_cases(cases: Mapping[str, Any]) -> Iterator[None]:
    """The grader's judge: replay checks with these drawn cases (`{pool: [case, …]}`)."""
    _judge_cases.append(cases)
    try:
        yield
    finally:
        _judge_cases.pop()


def _from_environment() -> Mapping[str, Any] | None:
    text = os.environ.get(HIDDEN_CASES_VARIABLE)
    if text is None:
        return None
    try:
        cases = json.loads(text)
    except ValueError:
        return None
    return cases if isinstance(cases, dict) else None


def _case(data: Any, pool: str) -> HiddenCase:
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or "params" not in data:
        raise NotGraded(f"The hidden cases of {pool} are not readable.")
    return HiddenCase(data["kind"], data["params"])


def hidden_cases(pool: str) -> list[HiddenCase]:
    """This student's cases of `pool`: the judge's while it replays, else the kernel's."""
    drawn = _judge_cases[-1] if _judge_cases else _from_environment()
    if drawn is None:
        raise NotGraded("Hidden tests run only when your notebook is graded.")
    cases = drawn.get(pool)
    if not isinstance(cases, list):
        raise NotGraded(f"No hidden cases of {pool} were drawn for this notebook.")
    return [_case(case, pool) for case in cases]


@contextlib.contextmanager
def hidden_case(case: HiddenCase, advice: str) -> Iterator[None]:
    """Run one hidden case; a failure names the case's kind and the diagnosis — never the
    inputs or the expected values. `advice` is the check's value-free hint for a mistake it
    cannot name."""
    try:
        yield
    except CheckFailed as failure:
        raise CheckFailed(f"{CASE_FAILURE_LEAD} ({case.kind}): {failure.diagnosis or advice}",
                          diagnosis=failure.diagnosis or advice) from None


def visible_or_drawn(hidden: bool, pool: str, visible: Sequence[Any],
                     read: Callable[[Any], Any] = lambda params: params, *,
                     read_case: Callable[[HiddenCase], Any] | None = None
                     ) -> list[tuple[HiddenCase | None, Any]]:
    """The cases a check runs: the visible ones (no hidden case), or this student's drawn cases
    of `pool`, each with its params read into the visible cases' form by `read` — or, for a
    pool whose cases differ in kind, the whole drawn case read by `read_case`."""
    if not hidden:
        return [(None, case) for case in visible]
    if read_case is not None:
        return [(case, read_case(case)) for case in hidden_cases(pool)]
    return [(case, read(case.params)) for case in hidden_cases(pool)]


def within(case: HiddenCase | None, advice: str) -> contextlib.AbstractContextManager[None]:
    """A hidden case's failures say only its kind and the diagnosis (`hidden_case`); a visible
    case's (None) say everything."""
    return contextlib.nullcontext() if case is None else hidden_case(case, advice)
