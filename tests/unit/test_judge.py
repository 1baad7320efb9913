"""autograder.judge: only the judge's verdict scores — whatever the kernel left in a test cell.

Each test builds a test cell as a hostile kernel would leave it (outputs forged, checks patched,
records missing, altered or for other hidden cases), lets the judge decide, and asks nbgrader's
own `determine_grade` what the cell is worth.
"""

from __future__ import annotations

import copy
import logging

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade
from student_optimize import make_optimize

from autograder.judge import (
    CHECK_FAILED,
    VERIFICATION_ERROR,
    expected_calls,
    judge_notebook,
)
from lrchecks.evidence import ENVIRONMENT_SWITCH, EVIDENCE_MIME
from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases, hidden_cases
from lrchecks.ps01 import check_gradient_descent_numpy_unseen, check_optimize_published
from lrchecks.report import CheckFailed

POINTS = 2.0
VISIBLE = ("from lrchecks.ps01 import check_optimize_published\n"
           "check_optimize_published(optimize)")
HIDDEN = ("from lrchecks.ps01 import check_gradient_descent_numpy_unseen\n"
          "check_gradient_descent_numpy_unseen(gradient_descent_numpy)")
CASES = {"ps01.gradient_descent_numpy": [
    {"kind": "a learning rate of 0", "params": [0.0, 5, 7.0, 1.0]},
    {"kind": "a diverging run", "params": [1.2, 6, -3.0, 1.0]},
]}
OTHER_CASES = {"ps01.gradient_descent_numpy": [
    {"kind": "a learning rate of 0", "params": [0.0, 5, 7.0, 1.0]},
    {"kind": "a run that shrinks x step by step", "params": [0.1, 6, 2.0, 1.0]},
]}


optimize = make_optimize()


def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    import numpy as np

    x, history = float(x0), np.empty(num_iterations)
    for step in range(num_iterations):
        x = x - lr * 2 * a * x
        history[step] = x
    return history


def _cell(source, outputs):
    cell = new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "test_x", "points": POINTS}
    return cell


def _evidence(record):
    return new_output("display_data", data={EVIDENCE_MIME: record, "text/plain": ""})


def _forged_credit(value):
    """What an IPython hook, an input transformer or a raw iopub message leaves in a cell."""
    return new_output("execute_result", data={"text/plain": repr(value)}, execution_count=1)


def judged(source, outputs, cases=None):
    """(points nbgrader gives, outputs) after the judge decided the cell."""
    nb = new_notebook(cells=[_cell(source, outputs)])
    judge_notebook(nb, cases)
    cell = nb.cells[0]
    score, _ = determine_grade(cell, logging.getLogger("test"))
    return score, cell.outputs


@pytest.mark.parametrize("credit", [POINTS, 1.0, -1.0, 99.0, True])
def test_a_forged_partial_credit_on_a_blank_answer_earns_nothing(credit):
    """The audit's four-line blank notebook: no check ran (NotImplementedError), but an
    execute_result with a number reached the test cell."""
    error = new_output("error", ename="CheckFailed", evalue="optimize(…) raised "
                       "NotImplementedError", traceback=["✗ …"])
    score, outputs = judged(VISIBLE, [_forged_credit(credit), error])
    assert score == 0
    assert [o.output_type for o in outputs] == ["error"]


@pytest.mark.parametrize("credit", [POINTS, -1.0, 0.5])
def test_a_forged_credit_beside_a_check_patched_to_pass_earns_nothing(credit):
    """The check was replaced by `lambda f: True` (or one that prints ✓): no record."""
    printed = new_output("stream", name="stdout", text="✓ optimize gives x = 3363.744\n")
    score, outputs = judged(VISIBLE, [printed, _forged_credit(credit)])
    assert score == 0
    assert outputs[-1].ename == VERIFICATION_ERROR


def test_a_genuine_pass_scores_full_marks_without_anything_the_kernel_added(recorded):
    check_optimize_published(optimize)
    score, outputs = judged(VISIBLE, [_forged_credit(0.0), _evidence(recorded[0]),
                                      new_output("stream", name="stderr", text="noise\n")])
    assert score == POINTS
    assert [o.output_type for o in outputs] == ["stream"] and outputs[0].name == "stdout"
    assert outputs[0].text.startswith("✓ ")


def test_a_genuine_failure_scores_zero_with_the_judges_message(recorded, monkeypatch):
    def wrong(lr, n, x0):
        xs, lrs = optimize(lr, n, x0)
        return [2 * x for x in xs], lrs

    check_optimize_published(wrong)  # grading: the kernel only asks, the judge decides
    assert recorded[0]["asked"] is True
    score, outputs = judged(VISIBLE, [new_output("error", ename="CheckFailed",
                                                 evalue="<b>whatever the kernel said</b>",
                                                 traceback=["✗ …"]), _evidence(recorded[0])])
    monkeypatch.delenv(ENVIRONMENT_SWITCH)
    with pytest.raises(CheckFailed) as in_validate:
        check_optimize_published(wrong)
    assert score == 0
    assert outputs[-1].ename == CHECK_FAILED and outputs[-1].evalue == in_validate.value.message


def test_a_record_whose_answers_fail_the_real_check_scores_zero_even_if_the_kernel_passed(
        recorded):
    check_optimize_published(optimize)
    forged = copy.deepcopy(recorded[0])
    forged["calls"][0]["result"]["items"][0][0] = 0.0
    score, outputs = judged(VISIBLE, [new_output("stream", name="stdout", text="✓\n"),
                                      _evidence(forged)])
    assert score == 0 and outputs[-1].ename == CHECK_FAILED


def test_two_records_for_one_check_score_zero(recorded):
    check_optimize_published(optimize)
    score, outputs = judged(VISIBLE, [_evidence(recorded[0])] * 2)
    assert score == 0 and outputs[-1].ename == VERIFICATION_ERROR


def test_a_record_made_with_easier_hidden_cases_than_the_drawn_ones_scores_zero(
        recorded, monkeypatch):
    """The kernel's cases were swapped (its environment is the student's): the judge asks the
    questions of the cases the grader drew."""
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, __import__("json").dumps(OTHER_CASES))
    check_gradient_descent_numpy_unseen(gradient_descent_numpy)
    score, outputs = judged(HIDDEN, [_evidence(recorded[0])], CASES)
    assert score == 0 and outputs[-1].ename == VERIFICATION_ERROR
    score, _ = judged(HIDDEN, [_evidence(recorded[0])], OTHER_CASES)
    assert score == POINTS


def test_a_hidden_case_message_names_the_kind_and_the_mistake_never_the_values(
        recorded, monkeypatch):
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, __import__("json").dumps(CASES))

    def flipped(lr, n, x0, a=1.0):
        import numpy as np

        x, history = float(x0), np.empty(n)
        for step in range(n):
            x = x + lr * 2 * a * x
            history[step] = x
        return history

    check_gradient_descent_numpy_unseen(flipped)  # grading: the judge alone decides
    assert recorded[0]["asked"] is True
    score, outputs = judged(HIDDEN, [_evidence(recorded[0])], CASES)
    message = outputs[-1].evalue
    assert score == 0
    assert message.startswith("A hidden case fails (a diverging run): It looks like the "
                              "gradient's sign is flipped")
    for revealing in ("1.2", "-3", "6,", "should be", "you have"):
        assert revealing not in message


def test_hidden_cases_exist_only_while_graded(monkeypatch):
    monkeypatch.delenv(HIDDEN_CASES_VARIABLE, raising=False)
    with pytest.raises(CheckFailed, match="only when your notebook is graded"):
        hidden_cases("ps01.gradient_descent_numpy")
    with drawn_cases(CASES):
        assert [case.kind for case in hidden_cases("ps01.gradient_descent_numpy")] == [
            "a learning rate of 0", "a diverging run"]


def test_a_test_cell_that_calls_no_check_scores_zero():
    score, outputs = judged("assert optimize(1.05, 20, 500.0)[0][-1] > 3000",
                            [new_output("stream", name="stdout", text="")])
    assert score == 0 and "calls no check" in outputs[-1].evalue


def test_the_kernels_message_reaches_the_cell_as_one_plain_line():
    error = new_output("error", ename="Value\x1b]8;;http://x\x07Error",
                       evalue="line one\n\x1b[2Jline two " + "x" * 1000, traceback=[])
    score, outputs = judged(VISIBLE, [error])
    (only,) = outputs
    assert score == 0
    assert "\x1b" not in only.evalue and "\n" not in only.evalue and len(only.evalue) <= 400
    assert only.evalue.startswith("The cell stopped with ValueError before")
    assert "line one" not in only.evalue  # the kernel's words are the student's code's


def test_the_calls_of_a_cell_come_from_its_source_in_order():
    calls = expected_calls(VISIBLE + "\n" + HIDDEN)
    assert [c.check.__name__ for c in calls] == ["check_optimize_published",
                                                 "check_gradient_descent_numpy_unseen"]


def test_cells_the_judge_reaches_after_its_time_score_zero(recorded, monkeypatch):
    import autograder.judge as judge

    check_optimize_published(optimize)
    monkeypatch.setattr(judge, "JUDGE_SECONDS", -1.0)
    score, outputs = judged(VISIBLE, [_evidence(recorded[0])])
    assert score == 0 and "took longer than" in outputs[-1].evalue


def test_a_function_that_reaches_the_reference_fails_though_the_kernels_guard_was_off(
        recorded, monkeypatch):
    """The kernel's require_own_function can be switched off by the student; the judge
    follows the function through the notebook's sources instead."""
    import lrchecks.calls

    monkeypatch.setattr(lrchecks.calls, "reachable_reference", lambda function: None)
    check_optimize_published(optimize)  # passes in the "kernel"
    student_cell = new_code_cell("import importlib\n"
                                 "def optimize(lr, n, x0):\n"
                                 "    m = importlib.import_module('lrcore.' + 'quadratic')\n"
                                 "    return m.optimize(lr, n, x0)\n")
    nb = new_notebook(cells=[student_cell, _cell(VISIBLE, [_evidence(recorded[0])])])
    judge_notebook(nb, {}, instructor=[])
    cell = nb.cells[1]
    assert determine_grade(cell, logging.getLogger("test"))[0] == 0
    assert "optimize imports importlib" in cell.outputs[-1].evalue
    honest = new_code_cell("def optimize(lr, n, x0):\n    return helper(lr, n, x0)\n")
    nb = new_notebook(cells=[honest, _cell(VISIBLE, [_evidence(recorded[0])])])
    judge_notebook(nb, {}, instructor=[])
    assert determine_grade(nb.cells[1], logging.getLogger("test"))[0] == POINTS
