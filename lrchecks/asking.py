"""A check in two parts: asking the student's code, then deciding — so grading asks in the kernel
and decides only in the judge.

A check that computes its references in the kernel computes them twice while grading: the
judge replays the whole check outside anyway, and only its verdict scores.
So a check first *asks*: it calls the student's code on every case it will need (each answer
kept as an `Answer`: the value, or the failure the call raised), then calls
`lrchecks.evidence.asked`, then *decides*: the references, the comparisons, the diagnosis of a
mistake. While grading, the kernel stops at `asked` and publishes the record; the judge replays
the asking part on that record and runs the deciding part alone, with its references cached in
the grading worker (they are the same for every student who drew the same case). Validate, in
the student's own Jupyter, runs both parts, so the student sees the same verdict.

Two rules keep the verdict and the message the same as a check that asks and decides case by
case:

- **order**: a failure of the student's code on a later case must not come before a wrong
  answer on an earlier one, so an answer's failure is raised again where the deciding part
  reads it (`Answer.get`), in the cases' order;
- **every call in the asking part**: a diagnosis that needs the student's code again (another
  input, to name the mistake) asks for it in the asking part — the judge can only replay
  calls the kernel made; one it did not make leaves the cell unconfirmed.

    run_asking_cases(ask, decide, hidden, pool, visible, advice, read)

does both for a check whose cases are independent: `ask(case)` calls the student's code on one
case, `decide(case, answer)` judges that answer; hidden cases keep their value-free messages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from lrchecks.evidence import asked
from lrchecks.hidden import visible_or_drawn, within
from lrchecks.report import CheckFailed

__all__ = ["Answer", "asked", "ask_each", "run_asking_cases"]

T = TypeVar("T")
Case = TypeVar("Case")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """What one question to the student's code gave: its value, or the failure it raised."""

    value: T | None = None
    failure: CheckFailed | None = None

    @classmethod
    def of(cls, ask: Callable[[], T]) -> Answer[T]:
        """Ask now; a `CheckFailed` (the student's code raised, or its answer has the wrong
        form) is kept, to be raised again when the answer is read."""
        try:
            return cls(ask())
        except CheckFailed as failure:
            return cls(failure=failure)

    def get(self) -> T:
        """The value, or the failure raised again here, where the check reads the answer."""
        if self.failure is not None:
            raise self.failure
        return self.value  # type: ignore[return-value]  # None only when failure is set


def ask_each(ask: Callable[[Case], T], cases: Sequence[tuple[Any, Case]],
             advice: str) -> list[Answer[T]]:
    """`ask(case)` for each (hidden case or None, case) of `visible_or_drawn`, in order, each
    within its hidden case; the failures are kept in the answers."""
    answers: list[Answer[T]] = []
    for hidden_case, case in cases:
        with within(hidden_case, advice):
            answers.append(Answer.of(functools.partial(ask, case)))
    return answers


def run_asking_cases(ask: Callable[[Case], T], decide: Callable[[Case, T], None], hidden: bool,
                     pool: str, visible: Sequence[Case], advice: str,
                     read: Callable[[Any], Case] = lambda params: params) -> None:
    """Ask the student's code on every case (the visible ones, or this student's drawn cases
    of `pool`, read by `read`), mark the asking done (`asked`), then `decide(case, answer)`
    for each in order, each hidden case within its value-free messages (`advice`).

    The same verdict and message as deciding each case as soon as it is asked, in order."""
    cases = visible_or_drawn(hidden, pool, visible, read)
    answers = ask_each(ask, cases, advice)
    asked()
    for (hidden_case, case), answer in zip(cases, answers, strict=True):
        with within(hidden_case, advice):
            decide(case, answer.get())
