"""Evidence and judging outside the kernel: values survive the trip exactly, a genuine record
passes the grader's replay, and every kind of tampering with a record is refused."""

from __future__ import annotations

import copy
import math

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook, new_output
from student_optimize import make_optimize

from autograder.judge import CHECK_FAILED, VERIFICATION_ERROR, judge_notebook
from lrchecks import evidence
from lrchecks.encoding import CallableStandIn, StandIn, decode, digest, encode, is_data
from lrchecks.evidence import EVIDENCE_MIME, EvidenceMismatch, replay_check
from lrchecks.ps01 import check_optimize_published
from lrchecks.report import MESSAGE_CHARS, CheckFailed

matplotlib.use("Agg")


optimize = make_optimize()
"""A correct student answer (float32 torch SGD on x²)."""


def wrong_optimize(initial_lr, num_iterations, x0):
    xs, lrs = optimize(initial_lr, num_iterations, x0)
    return [v * 1.01 for v in xs], lrs


# --- encoding ---------------------------------------------------------------------------------

floats = st.floats(allow_nan=True, allow_infinity=True)
leaves = st.none() | st.booleans() | st.integers() | floats | st.text(max_size=5)
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                      | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3),
                      max_leaves=12)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and type(a) is type(b))
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(values)
def test_plain_values_survive_encoding_exactly(value):
    encoded = encode(value)
    assert is_data(encoded)
    assert same(decode(encoded), value)
    assert digest(encode(decode(encoded))) == digest(encoded)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.bool_])
def test_arrays_keep_dtype_shape_and_bits(dtype):
    rng = np.random.default_rng(1)
    array = (rng.normal(size=(3, 4)) * 1e3).astype(dtype)
    if array.dtype.kind == "f":
        array[0, 0], array[1, 1], array[2, 2] = np.nan, np.inf, -np.inf
    back = decode(encode(array))
    assert back.dtype == array.dtype and back.shape == array.shape
    assert np.array_equal(back, array, equal_nan=array.dtype.kind == "f")
    scalar = array.reshape(-1)[3]
    assert type(decode(encode(scalar))) is type(scalar)


def test_tensors_keep_dtype_bits_and_requires_grad():
    tensor = torch.linspace(-3, 3, 7, dtype=torch.float32).reshape(7, 1) / 3
    back = decode(encode(tensor))
    assert back.dtype == torch.float32 and torch.equal(back, tensor) and not back.requires_grad
    grad = decode(encode(torch.ones(2, requires_grad=True)))
    assert grad.requires_grad


def test_what_is_not_data_is_described_and_never_called():
    described = decode(encode({"f": optimize, "model": torch.nn.Linear(1, 1)}))
    assert isinstance(described["f"], CallableStandIn) and described["f"].__name__ == "optimize"
    assert isinstance(described["model"], CallableStandIn)  # a module is callable
    assert isinstance(decode(encode(object())), StandIn)
    assert not is_data(encode([1, optimize]))
    with pytest.raises(EvidenceMismatch):
        described["f"](0.1, 20, 500)
    assert encode(described) == encode({"f": optimize, "model": torch.nn.Linear(1, 1)})


def test_the_courses_own_result_types_are_data():
    from lrcore.digits import TrainingRun

    run = TrainingRun(batch_size=64, lr=0.4, epochs=2, warmup_steps=23, seed=0,
                      steps_per_epoch=23, train_loss=np.array([2.3, 1.1], dtype=np.float32),
                      test_accuracy=np.array([0.5, 0.9]), step_lrs=np.linspace(0, 0.4, 46))
    encoded = encode({64: run})
    assert is_data(encoded)
    back = decode(encoded)[64]
    assert type(back) is TrainingRun and back.lr == 0.4 and back.warmup_steps == 23
    assert back.train_loss.dtype == np.float32 and np.array_equal(back.step_lrs, run.step_lrs)


@pytest.mark.parametrize("bad", [{"$": "dataclass", "type": "subprocess:Popen", "fields": []},
                                 {"$": "dataclass", "type": "lrcore.digits:TrainingRun",
                                  "fields": [["__class__", 1]]},
                                 {"$": "ndarray", "dtype": "<U3", "shape": [1], "data": ["a"]},
                                 {"$": "pickle", "data": "gASV"}, {"no": "tag"},
                                 {"$": "tensor", "dtype": "Tensor", "shape": [1], "data": [1],
                                  "requires_grad": False}])
def test_decoding_refuses_what_encode_cannot_write(bad):
    with pytest.raises((ValueError, KeyError, TypeError)):
        decode(bad)


def test_a_figure_survives_as_the_data_the_checks_read():
    from matplotlib.figure import Figure

    figure = Figure()
    left, right = figure.subplots(1, 2)
    left.semilogy([0, 1, 2], [500.0, 50.0, 5.0], label="lr = 0.1")
    left.set(title="x", xlabel="iteration", ylabel="|x|")
    left.legend()
    right.contourf([0, 1], [0, 1], [[0.0, 0.25], [0.5, 1.0]])
    right.vlines([0.3], 0, 1)
    right.set_xlim(-2, 2)
    copy_ = decode(encode(figure))
    a, b = copy_.get_axes()
    assert a.get_yscale() == "log" and a.get_title() == "x" and a.get_legend() is not None
    (line,) = a.get_lines()
    assert line.get_label() == "lr = 0.1" and np.array_equal(line.get_ydata(), [500, 50, 5])
    assert b.get_xlim() == (-2.0, 2.0) and b.get_legend() is None
    field = next(c for c in b.collections if getattr(c, "filled", False))
    assert (field.zmin, field.zmax) == (0.0, 1.0)
    segments = [s for c in b.collections if hasattr(c, "get_segments")
                for s in c.get_segments()]
    assert any(np.allclose(np.asarray(s)[:, 0], 0.3) for s in segments)


def test_a_figure_with_a_colorbar_rebuilds():
    from matplotlib.figure import Figure

    figure = Figure()
    axes = figure.subplots(1, 2)
    xs = np.linspace(-1.5, 1.5, 20)
    for ax in axes:
        filled = ax.contourf(xs, xs, np.add.outer(xs, xs) / 3 + 0.5, levels=np.linspace(0, 1, 11))
    figure.colorbar(filled, ax=axes)  # its axis has a "function" scale
    copy_ = decode(encode(figure))
    assert [ax.get_label() for ax in copy_.get_axes()] == ["", "", "<colorbar>"]


# --- recording and replay ---------------------------------------------------------------------

def test_a_genuine_record_passes_the_graders_replay(recorded):
    check_optimize_published(optimize)
    (record,) = recorded
    assert record["check"] == "lrchecks.ps01.gradient_descent.check_optimize_published"
    assert record["calls"] and all("result" in call for call in record["calls"])
    replay_check(check_optimize_published, record, {})


def test_a_record_of_wrong_answers_fails_the_real_check(recorded):
    check_optimize_published(optimize)
    forged = copy.deepcopy(recorded[0])
    first = forged["calls"][0]["result"]["items"][0]
    first[-1] = first[-1] * 1.5 if isinstance(first[-1], float) else 0.0
    with pytest.raises(CheckFailed):
        replay_check(check_optimize_published, forged, {})


def test_a_record_that_skips_or_invents_calls_is_refused(recorded):
    check_optimize_published(optimize)
    short = copy.deepcopy(recorded[0])
    short["calls"].pop()
    with pytest.raises(EvidenceMismatch):
        replay_check(check_optimize_published, short, {})
    extra = copy.deepcopy(recorded[0])
    extra["calls"].append(extra["calls"][0])
    with pytest.raises(EvidenceMismatch):
        replay_check(check_optimize_published, extra, {})
    other_question = copy.deepcopy(recorded[0])
    other_question["calls"][0]["args"] = digest(encode(["optimize", [0.5, 3, 1.0], {}]))
    with pytest.raises(EvidenceMismatch):
        replay_check(check_optimize_published, other_question, {})


def test_a_wrong_answer_is_left_to_the_judge_which_finds_validates_failure(recorded,
                                                                              monkeypatch):
    """Grading mode: the kernel only asks (its record holds the answers, it raises nothing);
    the judge's replay fails with the message Validate gives in the student's own Jupyter."""
    check_optimize_published(wrong_optimize)
    (record,) = recorded
    assert record["asked"] is True and record["failed"] is False and record["calls"]
    with pytest.raises(CheckFailed) as in_grader:
        replay_check(check_optimize_published, record, {})
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH)
    with pytest.raises(CheckFailed) as in_validate:
        check_optimize_published(wrong_optimize)
    assert in_grader.value.message == in_validate.value.message
    assert "x_history" in in_grader.value.message


def test_nothing_is_recorded_outside_grading(monkeypatch):
    published = []
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH, raising=False)
    monkeypatch.setattr(evidence, "_publish", published.append)
    check_optimize_published(optimize)
    assert published == []


# --- judging a notebook -----------------------------------------------------------------------

SOURCE = ("from lrchecks.ps01 import check_optimize_published\n"
          "check_optimize_published(optimize)")


def _test_cell(outputs):
    cell = new_code_cell(SOURCE, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "test_optimize_published_values", "points": 1}
    return cell


def _evidence_output(record):
    return new_output("display_data", data={EVIDENCE_MIME: record, "text/plain": ""})


def _judge(outputs) -> tuple[list[str], list]:
    nb = new_notebook(cells=[_test_cell(outputs)])
    overturned = judge_notebook(nb)
    return overturned, nb.cells[0].outputs


def test_a_genuinely_passed_cell_gets_the_judges_own_verdict_and_no_evidence(recorded):
    check_optimize_published(optimize)
    printed = new_output("stream", name="stdout", text="✓ anything the kernel printed\n")
    overturned, outputs = _judge([printed, _evidence_output(recorded[0])])
    assert overturned == []
    assert [o.output_type for o in outputs] == ["stream"]
    assert outputs[0].text.startswith("✓ optimize gives x = 3363.744")


def test_the_judge_overturns_a_cell_without_evidence():
    overturned, outputs = _judge([new_output("stream", name="stdout", text="✓ passed\n")])
    assert len(overturned) == 1 and outputs[-1].ename == VERIFICATION_ERROR
    assert "could not be confirmed" in outputs[-1].evalue


def test_the_judge_overturns_wrong_answers_and_foreign_records(recorded):
    check_optimize_published(optimize)
    forged = copy.deepcopy(recorded[0])
    forged["calls"][0]["result"]["items"][0][0] = 0.0
    overturned, outputs = _judge([_evidence_output(forged)])
    assert outputs[-1].ename == CHECK_FAILED and "differs at step 1" in outputs[-1].evalue
    foreign = copy.deepcopy(recorded[0])
    foreign["check"] = "lrchecks.ps01.gradient_descent.check_optimize_unseen"
    overturned, outputs = _judge([_evidence_output(foreign)])
    assert "was replaced" in outputs[-1].evalue
    twice = [_evidence_output(recorded[0])] * 2
    overturned, outputs = _judge(twice)
    assert outputs[-1].ename == VERIFICATION_ERROR


def test_a_cell_that_failed_before_recording_gets_a_sentence_for_an_undefined_name():
    error = new_output("error", ename="NameError", evalue="name \x1b[31m'optimize'\x1b[0m is "
                       "not defined", traceback=["\x1b[31mTraceback …", "NameError: …"])
    overturned, outputs = _judge([error])
    assert overturned == []  # the kernel failed it too
    (only,) = outputs
    assert only.ename == CHECK_FAILED
    assert only.evalue == "optimize is not defined yet: run the cell that defines it."
    assert only.traceback == ["✗ optimize is not defined yet: run the cell that defines it."]


def test_a_cell_that_failed_before_recording_never_repeats_the_kernels_words():
    """Another error's text is the student's code's: only the type of a Python error is named."""
    for ename, kind in (("ValueError", "ValueError"), ("Leak_0.37_secret", "an error")):
        error = new_output("error", ename=ename, evalue="the hidden input was 0.37",
                           traceback=["Traceback …"])
        overturned, outputs = _judge([error])
        (only,) = outputs
        assert only.evalue == (f"The cell stopped with {kind} before check_optimize_published "
                               "could run: run the notebook from the top, then this cell.")


def test_a_check_message_from_the_kernel_is_cut_to_one_short_line():
    error = new_output("error", ename=CHECK_FAILED, evalue="x" * 400 + "\nsecond line",
                       traceback=["✗ …"])
    overturned, outputs = _judge([error])
    (only,) = outputs
    assert len(only.evalue) <= MESSAGE_CHARS and "\n" not in only.evalue


def test_answer_cells_are_left_alone():
    answer = new_code_cell("check_optimize_published = print", outputs=[])
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "x"}
    nb = new_notebook(cells=[answer])
    assert judge_notebook(nb) == [] and nb.cells[0].outputs == []


@evidence.judged
def check_doubles_in_place(function):
    """A check whose student function changes its argument, and a counter it reads back."""
    from lrchecks.calls import call_student

    values = np.arange(3.0)
    counter = _Counter()
    call_student(function, "double", values, counter)
    if not np.array_equal(values, [0.0, 2.0, 4.0]) or counter.calls != 1:
        raise CheckFailed("double(values, counter) should double values in place, once.")


class _Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1

    def evidence_state(self) -> int:
        return self.calls

    def restore_evidence_state(self, calls: int) -> None:
        self.calls = calls


def double(values, counter):
    values *= 2
    counter()


def test_changes_made_in_place_are_replayed(recorded):
    check_doubles_in_place(double)
    (record,) = recorded
    replay_check(check_doubles_in_place, record, {})
    untouched = copy.deepcopy(record)
    untouched["calls"][0]["changed"] = []
    with pytest.raises(CheckFailed):
        replay_check(check_doubles_in_place, untouched, {})
    uncounted = copy.deepcopy(record)
    uncounted["calls"][0]["after"] = [0]
    with pytest.raises(CheckFailed):
        replay_check(check_doubles_in_place, uncounted, {})


def test_a_record_cannot_make_the_grader_allocate_what_it_wants():
    for hostile in ({"$": "scalar", "dtype": "V", "v": 10**12},
                    {"$": "scalar", "dtype": "U", "v": 10**9},
                    {"$": "ndarray", "dtype": "V8", "shape": [10**9], "data": []},
                    {"$": "ndarray", "dtype": "<f8", "shape": [10**9], "data": [1.0]}):
        with pytest.raises(ValueError):
            decode(hostile)
