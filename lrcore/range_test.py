"""The learning-rate range test (Smith 2015; fastai's LRFinder): one short run, lr growing fast.

Train for at most `num_iters` steps while the lr grows exponentially from `start_lr` to
`end_lr`,

    lr_i = start_lr · (end_lr / start_lr)^(i / (num_iters − 1)),   i = 0 … num_iters − 1,

record the loss of every step (computed before that step's update), smooth it with a
debiased exponential moving average (β = 0.98)

    a_i = β·a_{i−1} + (1 − β)·loss_i  (a_{−1} = 0),    smoothed_i = a_i / (1 − β^(i+1)),

and stop at the first step whose smoothed loss exceeds `diverge_factor` (4) times the best
smoothed loss so far — that step is recorded, then the test ends. Without the division by
1 − β^(i+1) the average starts near 0 and climbs for ~1/(1 − β) = 50 steps, whatever the
losses are.

Suggestions read off the recorded curve: the lr at the minimum of the smoothed loss divided
by 10 (`suggest_lr`) — at the minimum the lr is already about to blow up — and the lr where
the smoothed loss falls fastest against log(lr) (`steepest_lr`).

The pure part (`exponential_lrs`, `smooth_losses`, `divergence_index`, `lr_range_test` on any
`train_step(lr) -> loss`, `range_test_from_losses`) needs no torch; `torch_train_step` and
`torch_lr_range_test` run a torch model.

>>> result = lr_range_test(noisy_quadratic_step(a=1.0, seed=0))  # diverges above lr = 1/a
>>> len(result.lrs), result.diverged, round(float(result.lrs[-1]), 2)
(93, True, 2.72)
>>> round(result.suggestion, 4), round(result.steepest, 4)
(0.1292, 0.0955)
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lrcore.arguments import positive_number

__all__ = [
    "START_LR",
    "END_LR",
    "NUM_ITERS",
    "BETA",
    "DIVERGE_FACTOR",
    "RangeTestResult",
    "exponential_lrs",
    "smooth_losses",
    "divergence_index",
    "suggest_lr",
    "steepest_lr",
    "lr_range_test",
    "range_test_from_losses",
    "noisy_quadratic_step",
    "torch_train_step",
    "torch_lr_range_test",
]

START_LR = 1e-7
END_LR = 10.0
NUM_ITERS = 100
BETA = 0.98
DIVERGE_FACTOR = 4.0

FloatArray = npt.NDArray[np.float64]


def _check_beta(beta: object) -> float:
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"beta must be a number, got {beta!r}")
    if not 0.0 <= float(beta) < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    return float(beta)


def _check_factor(diverge_factor: object) -> float:
    factor = positive_number("diverge_factor", diverge_factor)
    if factor < 1.0:
        raise ValueError(f"diverge_factor must be >= 1, got {diverge_factor!r}")
    return factor


def exponential_lrs(
    start_lr: float = START_LR, end_lr: float = END_LR, num_iters: int = NUM_ITERS
) -> FloatArray:
    """lr_i = start_lr · (end_lr/start_lr)^(i/(num_iters − 1)): from start_lr to end_lr
    inclusive, a constant ratio between neighbours (`np.geomspace(start_lr, end_lr, n)`).

    Args:
        start_lr, end_lr: the first and last lr, both > 0 (end_lr may be below start_lr).
        num_iters: the number of lrs, an int ≥ 2.

    >>> exponential_lrs(1e-3, 1.0, 4).round(12).tolist()
    [0.001, 0.01, 0.1, 1.0]
    """
    start, end = positive_number("start_lr", start_lr), positive_number("end_lr", end_lr)
    if isinstance(num_iters, bool) or not isinstance(num_iters, numbers.Integral):
        raise TypeError(f"num_iters must be an int, got {num_iters!r}")
    if num_iters < 2:
        raise ValueError(f"num_iters must be >= 2, got {num_iters}")
    exponents = np.arange(num_iters, dtype=np.float64) / (num_iters - 1)
    return start * (end / start) ** exponents


def smooth_losses(losses: npt.ArrayLike, beta: float = BETA) -> FloatArray:
    """The debiased exponential moving average of `losses`.

    Formula: a_i = β·a_{i−1} + (1 − β)·loss_i with a_{−1} = 0, smoothed_i = a_i/(1 − β^(i+1)).
    The correction makes smoothed_0 = loss_0 and removes the pull towards 0 of the start; it
    is what fastai's `AvgSmoothLoss` and Adam's bias correction do. β = 0 returns the losses.

    >>> smooth_losses([2.0, 2.0, 2.0]).round(12).tolist()
    [2.0, 2.0, 2.0]
    >>> smooth_losses([1.0, 3.0], beta=0.5).round(12).tolist()  # (0.25 + 1.5) / 0.75
    [1.0, 2.333333333333]
    """
    b = _check_beta(beta)
    values = np.asarray(losses, dtype=np.float64).reshape(-1)
    out = np.empty(values.size, dtype=np.float64)
    average = 0.0
    with np.errstate(all="ignore"):  # an inf loss gives an inf average, silently
        for i, loss in enumerate(values.tolist()):
            average = b * average + (1.0 - b) * loss
            out[i] = average / (1.0 - b ** (i + 1))
    return out


def divergence_index(smoothed: npt.ArrayLike, diverge_factor: float = DIVERGE_FACTOR) -> int | None:
    """The first i with smoothed_i > diverge_factor · min(smoothed_0 … smoothed_i), or with a
    non-finite smoothed_i; None if there is none.

    >>> divergence_index([1.0, 0.5, 0.4, 1.2, 1.7, 9.0])
    4
    """
    factor = _check_factor(diverge_factor)
    best = math.inf
    for i, value in enumerate(np.asarray(smoothed, dtype=np.float64).reshape(-1).tolist()):
        if not math.isfinite(value):
            return i
        best = min(best, value)
        if value > factor * best:
            return i
    return None


def suggest_lr(lrs: npt.ArrayLike, smoothed: npt.ArrayLike) -> float:
    """The lr at the minimum of the smoothed loss, divided by 10 (the first minimum on ties).

    >>> suggest_lr([0.01, 0.1, 1.0, 10.0], [2.0, 1.0, 0.5, 3.0])
    0.1
    """
    rates, values = _curve(lrs, smoothed)
    return float(rates[int(np.argmin(values))] / 10.0)


def steepest_lr(
    lrs: npt.ArrayLike, smoothed: npt.ArrayLike, skip_start: int | None = None
) -> float:
    """The lr where the smoothed loss falls fastest against log(lr): lrs[j] for the j that
    minimises (smoothed_{j+1} − smoothed_j)/(log lr_{j+1} − log lr_j) (fastai's `lr_steep`,
    the left end of the steepest segment), ignoring the first `skip_start` points — by
    default a tenth of them, as fastai does, because the first smoothed values still carry
    the noise of single losses. Needs at least two points after the skip.

    >>> steepest_lr([0.01, 0.1, 1.0, 10.0], [2.0, 1.0, 0.5, 3.0])
    0.01
    >>> steepest_lr([0.01, 0.1, 1.0, 10.0], [2.0, 1.0, 0.5, 3.0], skip_start=1)
    0.1
    """
    rates, values = _curve(lrs, smoothed)
    skip = rates.size // 10 if skip_start is None else int(skip_start)
    if skip < 0:
        raise ValueError(f"skip_start must be >= 0, got {skip_start}")
    rates, values = rates[skip:], values[skip:]
    if rates.size < 2:
        raise ValueError("steepest_lr needs at least two recorded points after skip_start")
    with np.errstate(all="ignore"):
        slopes = np.diff(values) / np.diff(np.log(rates))
    slopes = np.where(np.isnan(slopes), np.inf, slopes)
    return float(rates[int(np.argmin(slopes))])


def _curve(lrs: npt.ArrayLike, smoothed: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    rates = np.asarray(lrs, dtype=np.float64).reshape(-1)
    values = np.asarray(smoothed, dtype=np.float64).reshape(-1)
    if rates.size != values.size or rates.size == 0:
        raise ValueError(f"lrs and smoothed losses must have the same, non-zero length, got "
                         f"{rates.size} and {values.size}")
    if np.any(rates <= 0):
        raise ValueError("lrs must be > 0")
    return rates, np.where(np.isnan(values), np.inf, values)


def _read_only(values: Sequence[float]) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class RangeTestResult:
    """What a range test recorded: one entry per step taken (the diverging step included).

    Attributes:
        lrs: the lr of each recorded step.
        losses: the raw loss of each step (before its update).
        smoothed: the debiased EMA of `losses`.
        diverged: whether the test stopped on divergence (else it ran all `num_iters` steps).
    """

    lrs: FloatArray
    losses: FloatArray
    smoothed: FloatArray
    diverged: bool

    @property
    def suggestion(self) -> float:
        """`suggest_lr`: the lr at the minimum of the smoothed loss / 10."""
        return suggest_lr(self.lrs, self.smoothed)

    @property
    def steepest(self) -> float:
        """`steepest_lr`: where the smoothed loss falls fastest against log(lr)."""
        return steepest_lr(self.lrs, self.smoothed)

    @property
    def best_lr(self) -> float:
        """The lr at the minimum of the smoothed loss."""
        return float(self.lrs[int(np.argmin(np.where(np.isnan(self.smoothed), np.inf,
                                                     self.smoothed)))])


def lr_range_test(
    train_step: Callable[[float], Any],
    start_lr: float = START_LR,
    end_lr: float = END_LR,
    num_iters: int = NUM_ITERS,
    beta: float = BETA,
    diverge_factor: float = DIVERGE_FACTOR,
) -> RangeTestResult:
    """Run the range test on `train_step(lr) -> loss` (one optimizer step at that lr, returning
    the loss computed before the update), stopping on divergence.

    `train_step` is called with lr_0, lr_1, … (`exponential_lrs`) and not once more after the
    step whose smoothed loss exceeds `diverge_factor` × the best smoothed loss so far (that
    step is recorded). A non-finite smoothed loss also stops the test.

    Torch equivalent: fastai's `learn.lr_find(start_lr, end_lr, num_it)` with its
    `AvgSmoothLoss(beta)` (which spaces the lrs by i/num_it instead of i/(num_it − 1)), or
    `torch_lr_range_test` here.

    >>> losses = iter([3.0, 2.0, 1.0, 0.5, 9.0, 50.0, 0.1])
    >>> result = lr_range_test(lambda lr: next(losses), 1e-3, 1e3, num_iters=7, beta=0.0)
    >>> result.lrs.round(9).tolist(), result.diverged
    ([0.001, 0.01, 0.1, 1.0, 10.0], True)
    >>> result.suggestion
    0.1
    """
    if not callable(train_step):
        raise TypeError(f"train_step must be callable, got {type(train_step).__name__}")
    rates = exponential_lrs(start_lr, end_lr, num_iters)
    b, factor = _check_beta(beta), _check_factor(diverge_factor)
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, best, diverged = 0.0, math.inf, False
    for i, lr in enumerate(rates.tolist()):
        loss = float(train_step(lr))
        with np.errstate(all="ignore"):
            average = b * average + (1.0 - b) * loss
            value = average / (1.0 - b ** (i + 1))
        lrs.append(lr)
        losses.append(loss)
        smoothed.append(value)
        best = min(best, value)
        if not math.isfinite(value) or value > factor * best:
            diverged = True
            break
    return RangeTestResult(_read_only(lrs), _read_only(losses), _read_only(smoothed), diverged)


def range_test_from_losses(
    losses: npt.ArrayLike,
    start_lr: float = START_LR,
    end_lr: float = END_LR,
    beta: float = BETA,
    diverge_factor: float = DIVERGE_FACTOR,
) -> RangeTestResult:
    """The range test on raw losses recorded without stopping (`losses[i]` at lr_i of
    `exponential_lrs(start_lr, end_lr, len(losses))`): the same result as `lr_range_test`,
    because stopping only cuts the record. Cheap to redo for another β or factor.

    >>> result = range_test_from_losses([3.0, 2.0, 1.0, 0.5, 9.0, 50.0, 0.1], 1e-3, 1e3, beta=0)
    >>> result.losses.tolist()
    [3.0, 2.0, 1.0, 0.5, 9.0]
    """
    values = np.asarray(losses, dtype=np.float64).reshape(-1)
    iterator = iter(values.tolist())
    return lr_range_test(lambda _lr: next(iterator), start_lr, end_lr, values.size, beta,
                         diverge_factor)


def noisy_quadratic_step(
    a: float = 1.0, w0: float = 1.0, floor: float = 0.1, noise: float = 0.3, seed: int = 0
) -> Callable[[float], float]:
    """A toy training run for range tests: SGD on a·w² with a noisy gradient.

    Each call `step(lr)` returns the loss a·w² + floor, computed before the update
    w ← w − lr·(2a·w + noise·ε) with ε ~ N(0, 1) from `default_rng(seed)` — the noise of a
    minibatch gradient. Small lrs barely move w, medium ones bring the loss down to the noise
    level, and lrs above 1/a make w grow geometrically: a range test on it stops a little
    after lr = 1/a. Deterministic: two steps made with the same arguments give the same losses
    for the same lrs.

    >>> step = noisy_quadratic_step(noise=0.0)
    >>> step(0.25), step(0.25), step(1.5)
    (1.1, 0.35, 0.1625)
    """
    rng = np.random.default_rng(seed)
    curvature, state = float(a), {"w": float(w0)}

    def step(lr: float) -> float:
        w = state["w"]
        loss = curvature * w * w + floor
        state["w"] = w - lr * (2.0 * curvature * w + noise * float(rng.standard_normal()))
        return loss

    return step


def torch_train_step(
    model: Any, optimizer: Any, loss_fn: Callable[..., Any], batches: Iterable[tuple[Any, Any]]
) -> Callable[[float], float]:
    """`step(lr)`: set every param group's lr, take the next (inputs, targets) batch, compute
    the loss, backpropagate, `optimizer.step()`; return the loss (before the update) as a float.

    `batches` is iterated once, lazily: pass a generator that yields as many batches as the
    test may take (e.g. reshuffled epochs, as `lrcore.digits.range_test_step` does).
    """
    iterator = iter(batches)

    def step(lr: float) -> float:
        for group in optimizer.param_groups:
            group["lr"] = lr
        inputs, targets = next(iterator)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return float(loss.item())

    return step


def torch_lr_range_test(
    model: Any,
    optimizer: Any,
    loss_fn: Callable[..., Any],
    batches: Iterable[tuple[Any, Any]],
    *,
    restore: bool = True,
    **options: Any,
) -> RangeTestResult:
    """`lr_range_test` on a torch model; with `restore` (default) the model's and optimizer's
    state are put back afterwards, as fastai's and torch-lr-finder's finders do.

    `options` are `lr_range_test`'s: start_lr, end_lr, num_iters, beta, diverge_factor.
    """
    saved = (copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict()))
    try:
        return lr_range_test(torch_train_step(model, optimizer, loss_fn, batches), **options)
    finally:
        if restore:
            model.load_state_dict(saved[0])
            optimizer.load_state_dict(saved[1])
