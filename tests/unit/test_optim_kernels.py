"""lrcore.optim.kernels: the exact fused multiply–add and the torch kernels built on it."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_optim_reference import assert_matches_torch

from lrcore.optim import kernels


def correctly_rounded_fma(a: float, b: float, c: float) -> float:
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    try:
        return float(exact)
    except OverflowError:
        return float("inf") if exact > 0 else float("-inf")


finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(a=finite, b=finite, c=finite)
def test_fma_is_correctly_rounded_over_all_doubles(a: float, b: float, c: float) -> None:
    assert kernels.fma(a, b, c) == correctly_rounded_fma(a, b, c)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(a=moderate, b=moderate, data=st.data())
def test_fma_is_correctly_rounded_under_cancellation(
    a: float, b: float, data: st.DataObject
) -> None:
    # c ≈ −a·b: the twice-rounded a·b + c is then mostly rounding error
    ulps = data.draw(st.integers(-8, 8))
    c = -(a * b) * (1 + ulps * 2.0**-52)
    assert kernels.fma(a, b, c) == correctly_rounded_fma(a, b, c)


def test_fma_rounds_ties_to_even_like_hardware() -> None:
    # products of 27-bit integers have up to 54 bits: a·b + c lands exactly on midpoints
    rng = np.random.default_rng(0)
    a = rng.integers(2**26, 2**27, 2000).astype(float)
    b = rng.integers(2**26, 2**27, 2000).astype(float)
    c = rng.choice([-1.0, 1.0, 0.0, 2.0**53], 2000)
    expected = [correctly_rounded_fma(*abc) for abc in zip(a, b, c, strict=True)]
    np.testing.assert_array_equal(kernels.fma(a, b, c), expected)


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        (np.inf, 2.0, 1.0, np.inf),
        (np.inf, 0.0, 1.0, np.nan),
        (1e308, 10.0, -np.inf, -np.inf),  # the product does not overflow before c is added
        (1e308, 10.0, -1e308, np.inf),
        (1e308, 2.0, -1.7e308, correctly_rounded_fma(1e308, 2.0, -1.7e308)),  # 3e307, not inf
        (np.nan, 1.0, 1.0, np.nan),
        (2.0**1000, 2.0**-1000, 1.0, 2.0),
        (1e-300, 1e-300, 0.0, 0.0),
        (1e-170, 1e-170, 3e-320, 3e-320),
    ],
)
def test_fma_special_values(a: float, b: float, c: float, expected: float) -> None:
    np.testing.assert_array_equal(kernels.fma(a, b, c), expected)


def test_fma_broadcasts_and_keeps_shapes() -> None:
    assert kernels.fma(2.0, np.ones((2, 3)), 1.0).shape == (2, 3)
    assert kernels.fma(2.0, 3.0, 1.0).shape == ()
    np.testing.assert_array_equal(kernels.fma(2.0, np.array([1.0, 2.0]), 1.0), [3.0, 5.0])


# ---- the kernels against the torch operations they replicate -------------------------------

SIZES = [1, 3, 8, 37]  # below, at and above the vector width: torch's scalar tail and SIMD body


def arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(n), rng.uniform(0.5, 3.0, n)


def t(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(x.copy())


@pytest.mark.parametrize("n", SIZES)
def test_add_is_torch_add_with_alpha(n: int) -> None:
    x, y, _ = arrays(n, 1)
    for alpha in (1.0, -0.123456789, 0.7):
        assert_matches_torch(kernels.add(x, y, alpha=alpha), t(x).add(t(y), alpha=alpha).numpy())


@pytest.mark.parametrize("n", SIZES)
def test_addcmul_is_torch_addcmul(n: int) -> None:
    x, y, z = arrays(n, 2)
    for value in (1.0, -1.0, 0.001, 0.123456789):
        theirs = t(x).addcmul_(t(y), t(z), value=value).numpy()
        assert_matches_torch(kernels.addcmul(x, y, z, value), theirs)


@pytest.mark.parametrize("n", SIZES)
def test_addcdiv_is_torch_addcdiv(n: int) -> None:
    x, y, z = arrays(n, 3)
    for value in (1.0, -0.01, -0.123456789):
        theirs = t(x).addcdiv_(t(y), t(z), value=value).numpy()
        assert_matches_torch(kernels.addcdiv(x, y, z, value), theirs)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("weight", [0.0, 0.001, 0.1, 0.49, 0.5, 0.9, 1.0, -0.7, 1.3])
def test_lerp_is_torch_lerp(n: int, weight: float) -> None:
    x, y, _ = arrays(n, 4)
    assert_matches_torch(kernels.lerp(x, y, weight), t(x).lerp_(t(y), weight).numpy())


@pytest.mark.parametrize("n", [1, 37, 5000])
def test_sqrt_is_torch_sqrt_and_within_an_ulp_of_numpy(n: int) -> None:
    x = np.exp(np.random.default_rng(5).uniform(-40, 40, n))
    ours = kernels.sqrt(x)
    np.testing.assert_array_equal(ours, t(x).sqrt().numpy())
    assert np.all(np.abs(ours - np.sqrt(x)) <= np.spacing(np.sqrt(x)))


def test_sqrt_accepts_read_only_and_scalar_input_silently() -> None:
    x = np.array([4.0, 9.0])
    x.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns on read-only numpy arrays
        np.testing.assert_array_equal(kernels.sqrt(x), [2.0, 3.0])
    assert kernels.sqrt(16.0).shape == ()
    assert np.isnan(kernels.sqrt(-1.0))


def test_subnormal_results_match_torch_fused_add() -> None:
    rng = np.random.default_rng(11)
    b = np.ldexp(rng.uniform(1, 2, 500), rng.integers(-1074, -900, 500))
    c = np.ldexp(rng.uniform(1, 2, 500), rng.integers(-1074, -1000, 500)) * rng.choice([-1, 1], 500)
    assert_matches_torch(kernels.add(c, b, alpha=0.3), t(c).add(t(b), alpha=0.3).numpy())
