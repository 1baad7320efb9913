"""Turning a student's answer into numbers, and comparing numbers with a reference.

Tolerances follow the float semantics of the course: a student's float32 torch run and a float64
numpy run of the same algorithm differ in the last bits (3363.744384765625 vs 3363.7499… for
lr = 1.05 on x², a relative difference of 1.7e-6), so values are compared with a relative
tolerance `DEFAULT_RTOL = 1e-5` and a tiny absolute floor for values that reach zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrchecks.report import CheckFailed

__all__ = [
    "DEFAULT_RTOL",
    "DEFAULT_ATOL",
    "SCALAR_ATOL",
    "Mismatch",
    "to_float_array",
    "to_float",
    "first_mismatch",
    "result_mismatch",
    "wrong_value_sentence",
    "arrays_match",
    "numbers_close",
    "same_pattern",
    "describe_number",
    "read_only",
]

DEFAULT_RTOL = 1e-5
"""Relative tolerance for float32-vs-float64 implementations of the same computation."""
DEFAULT_ATOL = 1e-12
"""Absolute floor, so that values which reach (almost) zero compare sensibly."""
SCALAR_ATOL = 1e-15
"""The absolute floor of single-number comparisons (a scaled lr, a warmup lr, a suggestion)
beside the relative tolerance (`numbers_close`)."""


def read_only(values: Any) -> np.ndarray:
    """`values` as a numpy array that cannot be written (the same array if it already is one):
    a reference kept for the whole grading process (`functools.cache`) must not be altered by
    the check that reads it."""
    array = np.asarray(values)
    array.setflags(write=False)
    return array


def _scalarise(item: Any) -> Any:
    """A 0-d tensor/array or numpy scalar as a Python number; anything else unchanged."""
    if hasattr(item, "detach"):  # torch tensor, without importing torch
        item = item.detach().cpu().numpy()
    if isinstance(item, np.ndarray | np.generic) and np.ndim(item) == 0:
        return item.item()
    return item


def to_float_array(value: Any, what: str) -> np.ndarray:
    """`value` (list, tuple, numpy array, torch tensor, or a list of 0-d tensors) as a float64
    array; a `CheckFailed` naming `what` if it is not numbers."""
    if value is None:
        raise CheckFailed(f"{what} is None — did the function forget to `return` it?",
                          diagnosis="the result is None — did the function forget to "
                          "`return` it?")
    if isinstance(value, str | bytes | dict | set):
        raise CheckFailed(
            f"{what} should be a list or array of numbers, not a {type(value).__name__}.",
            diagnosis=f"the result should be a list or array of numbers, not a "
            f"{type(value).__name__}.")
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    elif isinstance(value, Sequence) and not isinstance(value, np.ndarray):
        value = [_scalarise(item) for item in value]
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CheckFailed(
            f"{what} should contain only numbers (one per step); converting it to numbers "
            f"failed: {error}.",
            diagnosis="the result should contain only numbers (one per step).") from None
    return array


def to_float(value: Any, what: str) -> float:
    """A single number from a float, int, numpy scalar or 0-d tensor."""
    if isinstance(value, bool):
        raise CheckFailed(f"{what} should be a number, not {value!r}.",
                          diagnosis="the result should be a number, not True or False.")
    array = to_float_array(value, what)
    if array.size != 1:
        raise CheckFailed(f"{what} should be a single number, got {array.size} values.",
                          diagnosis="the result should be a single number.")
    return float(array.reshape(()))


@dataclass(frozen=True)
class Mismatch:
    """Where a student's array first differs from the reference."""

    index: int | None  # None when the shapes differ
    student: float | None
    expected: float | None
    student_shape: tuple[int, ...]
    expected_shape: tuple[int, ...]

    @property
    def shape_differs(self) -> bool:
        return self.index is None


def first_mismatch(
    student: np.ndarray,
    expected: np.ndarray,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> Mismatch | None:
    """None if the arrays agree within |s − e| ≤ atol + rtol·|e| everywhere (NaN never agrees,
    ±inf agrees only with the same inf); else the first place they differ."""
    student = np.asarray(student, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if student.shape != expected.shape:
        return Mismatch(None, None, None, student.shape, expected.shape)
    close = np.isclose(student, expected, rtol=rtol, atol=atol, equal_nan=False)
    if close.all():
        return None
    flat_index = int(np.argmin(close.reshape(-1)))
    return Mismatch(
        flat_index,
        float(student.reshape(-1)[flat_index]),
        float(expected.reshape(-1)[flat_index]),
        student.shape,
        expected.shape,
    )


def result_mismatch(result: Any, expected: np.ndarray, call: str,
                    wrong_shape: Callable[[np.ndarray], CheckFailed]
                    ) -> tuple[np.ndarray, Mismatch] | None:
    """The student's `result` of `call` as a float array and its first difference from
    `expected` (`first_mismatch` at the default tolerances, whose index, student and expected
    values are set); None when they agree. A result of another shape raises
    `wrong_shape(student_array)`."""
    student = to_float_array(result, f"The result of {call}")
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return None
    if mismatch.shape_differs:
        raise wrong_shape(student)
    return student, mismatch


def wrong_value_sentence(call: str, what: str, mismatch: Mismatch) -> str:
    """"{call}: {what} is 0.25, it should be 0.5." — the first differing value of a result, as
    `describe_number` writes it (`what` names the value: "x after step 3")."""
    assert mismatch.student is not None and mismatch.expected is not None
    return (f"{call}: {what} is {describe_number(mismatch.student)}, it should be "
            f"{describe_number(float(mismatch.expected))}.")


def arrays_match(
    student: np.ndarray,
    expected: np.ndarray,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> bool:
    """Same shape and equal within tolerance."""
    return first_mismatch(student, expected, rtol, atol) is None


def numbers_close(a: float, b: float, rtol: float = DEFAULT_RTOL,
                  atol: float = SCALAR_ATOL) -> bool:
    """Two single numbers within |a − b| ≤ atol + rtol·|b| (NaN never agrees)."""
    return bool(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=False))


FLOAT32_MAX = 3.4028234663852886e38


def same_pattern(student: np.ndarray, model: np.ndarray, rtol: float = 1e-4) -> bool:
    """Whether a student's values follow a model of a mistake: equal within `rtol` where both
    are ordinary numbers, and overflowed (inf, nan or beyond float32's range) at the same places —
    a diverging float32 run and its float64 model overflow at slightly different values."""
    student = np.asarray(student, dtype=np.float64)
    model = np.asarray(model, dtype=np.float64)
    if student.shape != model.shape:
        return False
    with np.errstate(invalid="ignore"):
        student_over = ~np.isfinite(student) | (np.abs(student) > FLOAT32_MAX / 10)
        model_over = ~np.isfinite(model) | (np.abs(model) > FLOAT32_MAX / 10)
    if not np.array_equal(student_over, model_over):
        return False
    ordinary = ~student_over
    return bool(np.allclose(student[ordinary], model[ordinary], rtol=rtol, atol=DEFAULT_ATOL))


def describe_number(value: float) -> str:
    """A number as a student reads it: 5.7646, 3363.7444, 1.51e-07, nan, inf."""
    if not np.isfinite(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return f"{value:.6g}"
    return f"{value:.3e}"
