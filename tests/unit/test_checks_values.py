"""lrchecks.values and calls: any numeric container is accepted, errors are sentences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lrchecks.calls import call_student, require_own_function
from lrchecks.report import CheckFailed
from lrchecks.values import describe_number, first_mismatch, to_float, to_float_array


@pytest.mark.parametrize("value", [
    [1.0, 2.0, 3.0], (1, 2, 3), np.array([1.0, 2.0, 3.0], dtype=np.float32),
    torch.tensor([1.0, 2.0, 3.0]), [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(3.0)],
    [np.float32(1), np.int64(2), 3.0], torch.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1,
])
def test_every_numeric_container_is_accepted(value):
    np.testing.assert_array_equal(to_float_array(value, "x_history"), [1.0, 2.0, 3.0])


@pytest.mark.parametrize(("value", "words"), [
    (None, "forget to `return`"), ("1, 2", "not a str"), ({"a": 1}, "not a dict"),
    ([1.0, "two"], "only numbers"), ([[1.0], [1.0, 2.0]], "only numbers"),
])
def test_non_numbers_get_a_sentence(value, words):
    with pytest.raises(CheckFailed, match=words):
        to_float_array(value, "x_history")


def test_to_float_refuses_bools_and_lists():
    assert to_float(torch.tensor(2.5), "x") == 2.5
    with pytest.raises(CheckFailed, match="not True"):
        to_float(True, "x")
    with pytest.raises(CheckFailed, match="single number"):
        to_float([1.0, 2.0], "x")


def test_first_mismatch_reports_index_and_values():
    assert first_mismatch(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])) is None
    mismatch = first_mismatch(np.array([1.0, 2.0, 5.0]), np.array([1.0, 2.0, 3.0]))
    assert (mismatch.index, mismatch.student, mismatch.expected) == (2, 5.0, 3.0)
    assert first_mismatch(np.array([1.0]), np.array([1.0, 2.0])).shape_differs
    assert first_mismatch(np.array([np.nan]), np.array([np.nan])) is not None
    assert first_mismatch(np.array([np.inf]), np.array([np.inf])) is None


def test_tolerance_admits_float32_vs_float64_but_not_a_real_error():
    assert first_mismatch(np.array([3363.744384765625]), np.array([3363.749974662805])) is None
    assert first_mismatch(np.array([3363.7]), np.array([3363.749974662805])) is not None


def test_describe_number():
    assert describe_number(5.764606952667236) == "5.76461"
    assert describe_number(1.51e-7) == "1.510e-07"
    assert describe_number(float("nan")) == "nan"


def test_call_student_turns_errors_into_hints():
    def not_written(*_args):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not written this function yet"):
        call_student(not_written, "optimize", 0.1, 20, 500.0)

    def integer_tensor(lr, n, x0):
        return torch.tensor(x0, requires_grad=True)

    with pytest.raises(CheckFailed, match=r"optimize\(0.1, 20, 500\) raised RuntimeError.*float"):
        call_student(integer_tensor, "optimize", 0.1, 20, 500)
    with pytest.raises(CheckFailed, match="should be a function"):
        call_student(3.0, "optimize")


def test_call_student_keeps_stderr_and_warnings_quiet(capsys):
    import sys
    import warnings

    def noisy():
        print("to stderr", file=sys.stderr)
        warnings.warn("careful", UserWarning, stacklevel=1)
        return 1

    assert call_student(noisy, "noisy") == 1
    assert capsys.readouterr().err == ""


def test_reference_implementations_are_refused():
    from lrcore.quadratic import optimize

    with pytest.raises(CheckFailed, match="reference implementation"):
        require_own_function(optimize, "optimize")

    def wrapper(lr, n, x0):
        return optimize(lr, n, x0)

    with pytest.raises(CheckFailed, match="uses lrcore.quadratic.optimize"):
        require_own_function(wrapper, "optimize")

    namespace = {"reference": optimize}
    exec("def global_wrapper(lr, n, x0):\n    return reference(lr, n, x0)", namespace)
    with pytest.raises(CheckFailed, match="uses lrcore.quadratic.optimize"):
        require_own_function(namespace["global_wrapper"], "optimize")

    def importer(lr, n, x0):
        import lrcore.quadratic

        return lrcore.quadratic.optimize(lr, n, x0)

    with pytest.raises(CheckFailed, match="lrcore"):
        require_own_function(importer, "optimize")

    def honest(lr, n, x0):
        return [x0 * (1 - 2 * lr) ** (t + 1) for t in range(n)], [lr] * n

    require_own_function(honest, "optimize")
