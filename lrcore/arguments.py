"""Checking the arguments of lrcore's functions, in the same words everywhere: a `TypeError`
for a value of the wrong kind, a `ValueError` for one out of range, each naming the argument;
and running torch on one thread for the small computations whose sums must always be added in
the same order.

>>> positive_number("batch_size", 64)
64.0
>>> non_negative_number("lr", -0.1)
Traceback (most recent call last):
    ...
ValueError: lr must be a finite number >= 0, got -0.1
>>> integer_at_least("epochs", 2.5, 0)
Traceback (most recent call last):
    ...
TypeError: epochs must be an int, got float 2.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["positive_number", "non_negative_number", "integer_at_least", "one_thread"]


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def positive_number(name: str, value: object) -> float:
    """`value` as a float, which must be finite and > 0."""
    number = _real(name, value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def non_negative_number(name: str, value: object) -> float:
    """`value` as a float, which must be finite and ≥ 0 (a learning rate)."""
    number = _real(name, value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def integer_at_least(name: str, value: object, minimum: int) -> int:
    """`value` as an int (not a bool), which must be ≥ `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


@contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread inside the block (restored after it): tiny matrices run faster on
    one thread, and their sums are then always added in one order."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
