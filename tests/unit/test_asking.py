"""Grading mode: a check asks in the kernel and decides in the judge.

While grading, a check split by `lrchecks.asking` stops at `asked` inside the kernel — no
reference computed, nothing printed, its record published — and the judge's replay of that record
gives the verdict and the message Validate gives in the student's own Jupyter, for every kind of
answer: right, wrong, raising, and wrong on an early case while raising on a later one."""

from __future__ import annotations

import pytest

from autograder.judge import JudgedCall, judge_cell
from lrchecks import evidence
from lrchecks.asking import Answer, run_asking_cases
from lrchecks.evidence import EvidenceMismatch, asked, judged, replay_check
from lrchecks.report import CheckFailed, passed
from lrchecks.student_calls import call_student

CASES = (1.0, 2.0, 3.0)
references: list[float] = []
"""The toy check's reference computations, in order: grading must leave them to the judge."""


def reference_square(x: float) -> float:
    references.append(x)
    return x * x


def _decide(x: float, got: float) -> None:
    if got != reference_square(x):
        raise CheckFailed(f"square({x:g}) gave {got:g}; it should be {x * x:g}.")


@judged
def check_square(square, hidden: bool = False) -> None:
    """A toy check in two parts, as the course's checks are."""
    run_asking_cases(lambda x: call_student(square, "square", x), _decide, hidden,
                     "toy.square", CASES, "square x.")
    passed("square squares.")


@judged
def check_square_then_more(square) -> None:
    """A check that calls another: the inner check's `asked` must not stop the outer one."""
    check_square(square)
    references.append(-1.0)
    asked()
    passed("and more.")


@judged
def check_asking_after_asked(square) -> None:
    """Breaks the rule: it calls the student's code while deciding."""
    asked()
    if call_student(square, "square", 4.0) != 16.0:
        raise CheckFailed("square(4) is wrong.")


def right(x):
    return x * x


def wrong_on_two(x):
    return 5.0 if x == 2.0 else x * x


def raises_on_three(x):
    if x == 3.0:
        raise ValueError("no")
    return wrong_on_two(x)


def raises_first(x):
    raise ZeroDivisionError


STUDENTS = [right, wrong_on_two, raises_on_three, raises_first]


@pytest.fixture(autouse=True)
def _fresh_references():
    references.clear()


def _validate(check, student, capsys) -> tuple[str | None, list[str]]:
    """The student's own Jupyter: the whole check runs; (its failure, its printed lines)."""
    try:
        check(student)
        failure = None
    except CheckFailed as error:
        failure = error.message
    return failure, [line for line in capsys.readouterr().out.splitlines() if line.strip()]


def _judge(check, record) -> tuple[str | None, list[str]]:
    try:
        return None, replay_check(check, record, {})
    except CheckFailed as error:
        return error.message, []


@pytest.mark.parametrize("student", STUDENTS, ids=lambda f: f.__name__)
def test_the_grading_kernel_only_asks_and_the_judge_says_what_validate_says(
        student, recorded, capsys, monkeypatch):
    check_square(student)  # a grading kernel: never raises, prints nothing, computes nothing
    assert capsys.readouterr().out == "" and references == []
    (record,) = recorded
    assert record["failed"] is False and record["asked"] and len(record["calls"]) == len(CASES)
    judged_outside = _judge(check_square, record)
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH)
    assert _validate(check_square, student, capsys) == judged_outside


def test_an_early_wrong_answer_is_named_before_a_later_failure(recorded, monkeypatch, capsys):
    check_square(raises_on_three)
    failure, _ = _judge(check_square, recorded[0])
    assert failure == "square(2) gave 5; it should be 4."


def test_validate_still_decides_in_the_kernel(monkeypatch, capsys):
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH, raising=False)
    with pytest.raises(CheckFailed, match="should be 4"):
        check_square(wrong_on_two)
    assert references == [1.0, 2.0]


def test_a_check_called_by_a_check_does_not_stop_its_caller(recorded, capsys):
    check_square_then_more(right)
    assert references == [1.0, 2.0, 3.0, -1.0]  # the outer check went on past the inner's
    assert capsys.readouterr().out.splitlines() == ["✓ square squares."]  # and stopped at its own
    (record,) = recorded
    assert replay_check(check_square_then_more, record, {}) == ["✓ square squares.",
                                                                 "✓ and more."]


def test_a_call_made_while_deciding_is_not_in_the_record_and_the_judge_cannot_confirm(recorded):
    check_asking_after_asked(right)
    with pytest.raises(EvidenceMismatch, match="no answer"):
        replay_check(check_asking_after_asked, recorded[0], {})
    verdict = judge_cell([JudgedCall(check_asking_after_asked, {}, 1)], recorded, [])
    assert verdict.unconfirmed


def test_a_failure_decided_only_by_the_judge_is_not_counted_as_overturned(recorded):
    check_square(wrong_on_two)
    verdict = judge_cell([JudgedCall(check_square, {}, 1)], recorded, [])
    assert verdict.failure == "square(2) gave 5; it should be 4." and verdict.decided_outside


def test_a_failure_while_asking_was_the_kernels_own(recorded):
    """A failure before `asked` (an own-function guard, an unreadable answer) happens in the
    kernel too: the kernel decided it."""

    @judged
    def check_guarded(square) -> None:
        raise CheckFailed("square should be your own function.")

    with pytest.raises(CheckFailed):
        check_guarded(right)
    verdict = judge_cell([JudgedCall(check_guarded, {}, 1)], recorded, [])
    assert verdict.failure and not verdict.decided_outside


def test_an_answer_raises_its_failure_where_it_is_read():
    failure = CheckFailed("it raised.")
    answer = Answer.of(lambda: (_ for _ in ()).throw(failure))
    assert answer.failure is failure
    with pytest.raises(CheckFailed) as raised:
        answer.get()
    assert raised.value is failure
    assert Answer.of(lambda: 3).get() == 3
    with pytest.raises(KeyError):  # only a check's failure is kept: a bug still surfaces
        Answer.of(lambda: {}["x"])
