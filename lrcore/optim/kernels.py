"""Float64 replicas of the torch CPU kernels the optimisers are built from.

torch's vectorised CPU kernels — the AVX2 and AVX512 code paths it picks on any x86-64 CPU of the
last decade runs (`torch.backends.cpu.get_cpu_capability()`) — evaluate `torch.add(a, b,
alpha=…)`, `addcmul` and `lerp` with a fused multiply–add: the product is *not* rounded before
the addition. numpy has no fused multiply–add, so `fma` emulates a correctly rounded one; with
it the optimisers of `lrcore.optim` reproduce torch's float64 trajectories bit for bit, where
a plain `a + alpha * b` would drift by an ulp per step. (A torch forced to its DEFAULT
capability rounds the product separately and differs from these by about an ulp per step.)
The one kernel that cannot be replicated, MKL's float64 square root, is torch's own: see
`sqrt`.

Each function is named after, and documented with, the torch operation it mirrors:

>>> fma(0.1, 3.0, -0.3)  # 0.1·3 − 0.3 rounded once: the representation error of 0.1 shows
array(2.77555756e-17)
>>> 0.1 * 3.0 - 0.3  # rounded twice
5.551115123125783e-17
>>> lerp(np.array([0.0, 10.0]), np.array([1.0, 20.0]), 0.25)
array([ 0.25, 12.5 ])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["fma", "add", "addcmul", "addcdiv", "lerp", "sqrt"]

FloatArray = NDArray[np.float64]

# Veltkamp's constant 2^27 + 1 splits a double into two 26-bit halves whose products are exact.
_SPLITTER = 134217729.0
# Within these magnitudes the exact-product trick neither overflows nor loses bits to
# underflow; elsewhere (diverging or vanishing runs only) `fma` computes with fractions.
_MAX_FACTOR = 2.0**995
_MIN_PRODUCT = 2.0**-968


def _two_sum(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Knuth's TwoSum: s = fl(a + b) and the exact error e, a + b = s + e."""
    s = a + b
    b_virtual = s - a
    a_virtual = s - b_virtual
    return s, (a - a_virtual) + (b - b_virtual)


def _two_product(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Dekker's TwoProduct: p = fl(a·b) and the exact error e, a·b = p + e."""
    p = a * b
    a_big = _SPLITTER * a
    a_hi = a_big - (a_big - a)
    a_lo = a - a_hi
    b_big = _SPLITTER * b
    b_hi = b_big - (b_big - b)
    b_lo = b - b_hi
    return p, a_lo * b_lo - (((p - a_hi * b_hi) - a_lo * b_hi) - a_hi * b_lo)


def _add_round_to_odd(a: FloatArray, b: FloatArray) -> FloatArray:
    """a + b rounded to odd: exact if representable, else the neighbour with an odd last bit."""
    s, e = _two_sum(a, b)
    even = (np.asarray(s).view(np.int64) & 1) == 0
    towards_error = np.nextafter(s, np.where(e > 0, np.inf, -np.inf))
    return np.where((e != 0) & even, towards_error, s)


def _emulated_fma(a: FloatArray, b: FloatArray,
                  c: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """fl(a·b + c) by Boldo & Melquiond's algorithm, and where its preconditions held."""
    product, product_error = _two_product(a, b)
    high, low = _two_sum(c, product)
    fused = high + _add_round_to_odd(low, product_error)
    valid = (
        (np.abs(a) < _MAX_FACTOR)
        & (np.abs(b) < _MAX_FACTOR)
        & ((np.abs(product) >= _MIN_PRODUCT) | (a == 0) | (b == 0))
        & np.isfinite(fused)
    )
    return fused, valid


def _exact_fma(a: float, b: float, c: float) -> float:
    """fl(a·b + c) for finite floats in rational arithmetic; correctly rounded, also to inf
    and subnormals (Python's int / int division is)."""
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def fma(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> FloatArray:
    """Fused multiply–add: a·b + c with a single rounding (IEEE 754 round to nearest even).

    Emulated exactly with error-free transformations and rounding to odd (Boldo & Melquiond,
    "Emulation of FMA and correctly rounded sums", IEEE Trans. Computers 2008): the exact
    product a·b = p + e and the exact sum c + p = s + t are combined as fl(s + odd(t + e)).
    Inputs broadcast like numpy ufuncs. Infinities and nan follow IEEE fma (a finite product
    cannot overflow before c is added). Factors beyond 2^995, products below 2^-968 and
    results that overflow are computed exactly with `fractions.Fraction` instead, one by one.

    >>> fma([2.0, 1e308, 1e308], [3.0, 10.0, 10.0], [1.0, 0.0, -np.inf])
    array([  7.,  inf, -inf])
    """
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        fused, valid = _emulated_fma(a, b, c)
        if valid.all():
            return np.asarray(fused)  # a 0-d array, not a numpy scalar, for 0-d inputs
        a, b, c = np.broadcast_arrays(a, b, c)
        # IEEE rules for infinities and nan: a finite product is exact, so c = ±inf wins.
        finite_product = np.isfinite(a) & np.isfinite(b)
        special = np.where(finite_product & np.isinf(c), c, a * b + c)
    result = np.where(valid, fused, special)
    slow = ~valid & finite_product & np.isfinite(c)
    flat_result = result.reshape(-1)  # a view: np.where returned a fresh contiguous array
    for i in np.flatnonzero(slow):
        flat_result[i] = _exact_fma(float(a.flat[i]), float(b.flat[i]), float(c.flat[i]))
    return result


def add(input: ArrayLike, other: ArrayLike, alpha: float = 1.0) -> FloatArray:
    """`torch.add(input, other, alpha=alpha)` = input + alpha·other, fused into one rounding.

    >>> add(1.0, 3.0, alpha=0.5)
    array(2.5)
    """
    if alpha == 1:
        return np.asarray(np.add(input, other, dtype=np.float64))
    return fma(alpha, other, input)


def addcmul(input: ArrayLike, tensor1: ArrayLike, tensor2: ArrayLike, value: float) -> FloatArray:
    """`input.addcmul(tensor1, tensor2, value=value)` = fma(value·tensor1, tensor2, input).

    torch rounds value·tensor1 first, then fuses the second product with the addition.

    >>> addcmul(1.0, 2.0, 3.0, value=0.5)
    array(4.)
    """
    scaled = np.multiply(value, tensor1, dtype=np.float64)
    return fma(scaled, tensor2, input)


def addcdiv(input: ArrayLike, tensor1: ArrayLike, tensor2: ArrayLike, value: float) -> FloatArray:
    """`input.addcdiv(tensor1, tensor2, value=value)` = input + (value·tensor1)/tensor2.

    Three roundings in this order: value·tensor1, the division, the addition (a quotient cannot
    be fused). Note it is (value·tensor1)/tensor2, not value·(tensor1/tensor2).

    >>> addcdiv(1.0, 3.0, 4.0, value=-2.0)
    array(-0.5)
    """
    scaled = np.multiply(value, tensor1, dtype=np.float64)
    return np.asarray(np.add(input, np.divide(scaled, tensor2), dtype=np.float64))


def lerp(start: ArrayLike, end: ArrayLike, weight: float) -> FloatArray:
    """`start.lerp(end, weight)` = start + weight·(end − start), evaluated torch's way.

    For |weight| < 0.5 torch computes fma(weight, end − start, start); otherwise
    fma(weight − 1, end − start, end), which is exact at weight = 1 (it returns `end`).

    >>> lerp(2.0, 4.0, 0.1), lerp(2.0, 4.0, 1.0)
    (array(2.2), array(4.))
    """
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    difference = end - start
    if abs(weight) < 0.5:
        return fma(weight, difference, start)
    return fma(weight - 1.0, difference, end)


@functools.cache
def _torch_sqrt() -> Callable[[FloatArray], FloatArray] | None:
    """torch's float64 sqrt kernel, or None where torch is not installed."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency of the course
        return None
    return lambda x: torch.from_numpy(x).sqrt().numpy()


def sqrt(x: ArrayLike) -> FloatArray:
    """`torch.sqrt(x)` for float64: torch's own kernel, since it cannot be replicated.

    torch's CPU builds compute float64 square roots with Intel MKL's vector math (vmdSqrt),
    which is not correctly rounded: for about 1 % of inputs (those whose root lies within
    0.03 ulp of a rounding midpoint) it returns the other neighbour of the true root, 1 ulp
    from `np.sqrt`. Amplified by 200 optimiser steps on a curved loss that ulp can grow to a
    1e-8 relative difference, so the root is delegated to torch (imported on first use, a
    dependency of the course anyway); without torch this falls back to `np.sqrt`.

    >>> sqrt([4.0, 2.0])
    array([2.        , 1.41421356])
    """
    array = np.array(x, dtype=np.float64)  # a fresh, writable, contiguous copy for torch
    torch_sqrt = _torch_sqrt()
    return np.sqrt(array) if torch_sqrt is None else torch_sqrt(array)
