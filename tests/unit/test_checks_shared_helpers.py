"""The helpers that give the checks' shared logic one home (issue 19): each says exactly what
the checks it replaced said, in the same order."""

from __future__ import annotations

import numpy as np
import pytest

from lrchecks import evidence, plots, ps01
from lrchecks.diagnosis.rl import mistaken_drifting_q_learning, mistaken_synchronous_q_learning
from lrchecks.ps04.lakes import case_reader, lake, step_size
from lrchecks.ps04.sweeps import require_sweeps_shape
from lrchecks.report import CheckFailed
from lrchecks.values import result_mismatch, wrong_value_sentence
from lrcore import rl


class Panel:
    """A panel whose title reads are counted."""

    def __init__(self, title: str, reads: list[str]) -> None:
        self.title, self.reads = title, reads

    def get_title(self) -> str:
        self.reads.append(self.title)
        return self.title


def _name(title: str) -> str | None:
    return title.lower() if title in ("A", "B", "a") else None


def _named(titles: list[str]) -> tuple[list[Panel], list[str]]:
    reads: list[str] = []
    return [Panel(title, reads) for title in titles], reads


def test_panels_by_title_reads_one_title_at_a_time():
    panels, reads = _named(["A", "nothing"])
    with pytest.raises(ValueError, match="the first panel's own check"):
        for name, _ in plots.panels_by_title(panels, _name, str, str):
            assert name == "a"
            raise ValueError("the first panel's own check")
    assert reads == ["A"]


@pytest.mark.parametrize(("titles", "message"), [
    (["A", "nothing"], "untitled 'nothing'"),
    (["A", "B", "a"], "twice 'a'"),
])
def test_panels_by_title_refuses_a_title_naming_nothing_or_a_name_given_twice(titles, message):
    panels, _ = _named(titles)
    with pytest.raises(CheckFailed) as raised:
        list(plots.panels_by_title(panels, _name, lambda title: f"untitled {title!r}",
                                   lambda name: f"twice {name!r}"))
    assert raised.value.message == message
    assert raised.value.diagnosis is None


def test_panels_by_title_gives_each_panel_its_name():
    panels, _ = _named(["B", "A"])
    assert [(name, panel.title) for name, panel in
            plots.panels_by_title(panels, _name, str, str)] == [("b", "B"), ("a", "A")]


EXPECTED = np.zeros((3, 2, 2))


@pytest.mark.parametrize(("student", "message", "diagnosis"), [
    (np.zeros((2, 2)), "f(…) returned one table; advice A",
     "f returned one table; advice B"),
    (np.zeros((4, 2, 2)), "f(…) returned 4 tables: leave out the initial zeros, the first entry "
     "is Q after sweep 1.", "f returned one table too many: leave out the initial zeros, the "
     "first entry is Q after sweep 1."),
    (np.zeros((2, 2, 2)), "f(…) has shape (2, 2, 2); it should be (3, 2, 2): rows C",
     "the result has the wrong shape: return rows D"),
])
def test_require_sweeps_shape_names_the_shape_of_a_wrong_run(student, message, diagnosis):
    with pytest.raises(CheckFailed) as raised:
        require_sweeps_shape(student, EXPECTED, "f(…)", "f", ("advice A", "advice B"),
                             ("rows C", "rows D"))
    assert (raised.value.message, raised.value.diagnosis) == (message, diagnosis)


def test_require_sweeps_shape_returns_for_one_table_per_sweep():
    require_sweeps_shape(EXPECTED + 1, EXPECTED, "f(…)", "f", ("", ""), ("", ""))


def _record(**changes):
    check = ps01.check_descent_2d
    return {"version": evidence.RECORD_VERSION, "check": evidence.check_id(check), "args": [1],
            "calls": [], **changes}


@pytest.mark.parametrize(("record", "problem"), [
    (None, "the record of check_descent_2d is not one the checks write."),
    (_record(version=0), "the record of check_descent_2d is not one the checks write."),
    (_record(check="lrchecks.other"), "the cell calls check_descent_2d, but its record comes "
     "from another check — the check was replaced while the notebook ran."),
    (_record(args=[]), "the record of check_descent_2d does not hold the arguments the cell "
     "passes."),
    (_record(calls=None), "the record of check_descent_2d has no calls."),
    (_record(), None),
])
def test_record_problem_says_why_a_record_is_not_the_checks(record, problem):
    assert evidence.record_problem(ps01.check_descent_2d, record, 1) == problem


def _refuse(student: np.ndarray) -> CheckFailed:
    return CheckFailed(f"{student.size} values", diagnosis="another shape")


def test_result_mismatch_reads_compares_and_refuses_another_shape():
    assert result_mismatch([1.0, 2.0], np.array([1.0, 2.0]), "f(1)", _refuse) is None
    student, mismatch = result_mismatch([1.0, 2.5], np.array([1.0, 2.0]), "f(1)", _refuse)
    np.testing.assert_array_equal(student, [1.0, 2.5])
    assert (mismatch.index, mismatch.student, mismatch.expected) == (1, 2.5, 2.0)
    assert wrong_value_sentence("f(1)", "x after step 2", mismatch) == (
        "f(1): x after step 2 is 2.5, it should be 2.")
    with pytest.raises(CheckFailed, match="^3 values$"):
        result_mismatch([1.0, 2.0, 3.0], np.array([1.0, 2.0]), "f(1)", _refuse)
    with pytest.raises(CheckFailed, match="^The result of f\\(1\\) should be"):
        result_mismatch("text", np.array([1.0, 2.0]), "f(1)", _refuse)


def test_with_advice_ends_the_message_and_the_diagnosis_in_the_same_advice():
    failure = CheckFailed.with_advice("f(3) returned 4, a count:", "f returned a count:",
                                      "return a fraction.")
    assert failure.message == "f(3) returned 4, a count: return a fraction."
    assert failure.diagnosis == "f returned a count: return a fraction."


def test_case_reader_reads_the_fields_in_order():
    read = case_reader(("sweeps", int), ("step", step_size), ("map", lake))
    sweeps, step, desc = read({"map": ["SF", "HG"], "step": ["constant", "0.5"], "sweeps": 3.0})
    assert (sweeps, step(7), desc) == (3, 0.5, ("SF", "HG"))
    with pytest.raises(KeyError, match="step"):
        read({"sweeps": 3, "map": None})


def _synchronous(model, step, n, gamma, seed, offset=0, discount=True, axis=-1):
    """The synchronous learner written out, with the three modelled mistakes."""
    rng = np.random.default_rng(seed)
    q, history = np.zeros((model.n_states, model.n_actions)), []
    for k in range(1, n + 1):
        sample = model.sample(rng)
        best = q[sample.next_state].max(axis=axis)
        bootstrap = np.where(sample.terminated, 0.0, (gamma if discount else 1.0) * best)
        q = q + step(k + offset) * (sample.reward + bootstrap - q)
        history.append(q)
    return np.array(history)


@pytest.mark.parametrize(("switches", "written_out"), [
    ({}, {}),
    ({"sweep_offset": 1}, {"offset": 1}),
    ({"discount": False}, {"discount": False}),
    ({"max_axis": 1}, {"axis": 1}),
])
def test_the_synchronous_mistakes_are_the_drifting_learner_on_one_lake(switches, written_out):
    model, step = rl.frozen_lake_model(), rl.polynomial_step_size(0.7)
    modelled = mistaken_synchronous_q_learning(model, step, 40, 0.9, 3, **switches)
    np.testing.assert_array_equal(modelled, _synchronous(model, step, 40, 0.9, 3, **written_out))
    np.testing.assert_array_equal(
        modelled, mistaken_drifting_q_learning([model], step, 40, 0.9, 3, **switches))
