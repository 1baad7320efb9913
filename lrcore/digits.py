"""A small real task for batch-size experiments: handwritten digits with a tiny MLP, in seconds.

Data: `sklearn.datasets.load_digits` (1797 8×8 images, shipped with scikit-learn — nothing is
downloaded), pixels scaled to [0, 1] (÷16), split once with `default_rng(0)`: 1437 training
and 360 test images (`digits_split`).

Model: 64 → 32 → 10, ReLU, torch's default initialisation drawn after
`torch.manual_seed(seed)` (inside `torch.random.fork_rng`, so the caller's random state is
left alone). Loss: cross-entropy.

Training (`train`): plain SGD (no momentum; `PlainSGD`, bit-identical to
`torch.optim.SGD(params, lr)`), `epochs` passes over the training set, each in
the order `default_rng(seed).permutation(1437)` draws for that epoch, cut into batches of
`batch_size` (the last one smaller, so an epoch has ⌈1437/B⌉ steps). Step t uses
`gradual_warmup_lr(t, lr, warmup_steps)`. After each epoch the loss on the whole training
set and the accuracy on the test set are recorded. Everything runs on one CPU thread, so a
run is bit-for-bit reproducible, and runs are cached: asking twice costs nothing.

Torch equivalent of one step::

    for group in optimizer.param_groups:
        group["lr"] = lr * min(1.0, (t + 1) / warmup_steps) if warmup_steps else lr
    optimizer.zero_grad()
    F.cross_entropy(model(X[batch]), y[batch]).backward()
    optimizer.step()

>>> run = train(batch_size=64, lr=0.4, epochs=3)
>>> run.steps_per_epoch, len(run.train_loss), len(run.step_lrs)
(23, 3, 69)
>>> run.train_loss[-1] < run.train_loss[0], run.test_accuracy[-1] > 0.8
(True, True)
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from lrcore.arguments import integer_at_least, non_negative_number, one_thread
from lrcore.batch_size import gradual_warmup_lr
from lrcore.range_test import RangeTestResult, lr_range_test, torch_train_step

__all__ = [
    "BATCH_SIZES",
    "BASE_LR",
    "BASE_BATCH_SIZE",
    "EPOCHS",
    "WARMUP_EPOCHS",
    "RANGE_TEST_BATCH_SIZES",
    "RANGE_TEST_OPTIONS",
    "N_TRAIN",
    "N_TEST",
    "HIDDEN_UNITS",
    "DigitsSplit",
    "PlainSGD",
    "TrainingRun",
    "GradientNoise",
    "digits_split",
    "make_model",
    "steps_per_epoch",
    "train",
    "batch_size_sweep",
    "range_test_step",
    "range_test_losses",
    "digits_range_test",
    "gradient_noise",
    "per_example_gradients",
]

N_TEST = 360
N_TRAIN = 1797 - N_TEST
HIDDEN_UNITS = 32
SPLIT_SEED = 0

# The course's batch-size experiment (ps03): lr 0.1 is tuned at batch 16; every run trains
# 10 epochs; the warmup lasts 2 epochs. With these settings the linear rule matches the
# small-batch run up to batch 128, fails at 256 (lr 1.6) unless warmed up, and fails at 512
# (lr 3.2) even with the warmup.
BATCH_SIZES: tuple[int, ...] = (16, 32, 64, 128, 256, 512)
BASE_LR = 0.1
BASE_BATCH_SIZE = 16
EPOCHS = 10
WARMUP_EPOCHS = 2
# The range tests of ps03. fastai's defaults (1e-7 to 10 in 100 steps) suit a model that
# learns in a few dozen steps; this plain-SGD MLP needs a few hundred, so the test starts at
# 1e-3 and takes 400 steps.
RANGE_TEST_BATCH_SIZES: tuple[int, ...] = (16, 256)
RANGE_TEST_OPTIONS: Mapping[str, float] = MappingProxyType(
    {"start_lr": 1e-3, "end_lr": 10.0, "num_iters": 400})


@dataclass(frozen=True)
class DigitsSplit:
    """The fixed train/test split: float32 pixels in [0, 1] (n×64) and int64 labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """load_digits' pixels (1797×64, 0…16) and labels, read straight from the CSV file that
    scikit-learn ships (importing sklearn.datasets costs seconds); `load_digits()` when the file
    is not where scikit-learn 1.x keeps it."""
    spec = importlib.util.find_spec("sklearn")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            table = np.loadtxt(path, delimiter=",")
            return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits  # pragma: no cover (the file is always there)

    digits = load_digits()  # pragma: no cover
    return digits.data, digits.target  # pragma: no cover


@cache
def digits_split() -> DigitsSplit:
    """load_digits, scaled by 1/16, split by `default_rng(0).permutation`: 360 test images
    first, the other 1437 for training (arrays are read-only and shared)."""
    data, target = _load_digits()
    X = (data / 16.0).astype(np.float32)
    y = target.astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(X))
    test, training = order[:N_TEST], order[N_TEST:]
    arrays: list[np.ndarray] = [X[training], y[training], X[test], y[test]]
    for array in arrays:
        array.setflags(write=False)
    return DigitsSplit(*arrays)


@cache
def _tensors() -> tuple[Any, Any, Any, Any]:
    import torch

    split = digits_split()
    return tuple(torch.from_numpy(np.array(a)) for a in
                 (split.X_train, split.y_train, split.X_test, split.y_test))  # type: ignore[return-value]


def make_model(seed: int = 0) -> Any:
    """The 64 → 32 → 10 ReLU MLP with torch's default initialisation after
    `torch.manual_seed(seed)`; the global random state is restored afterwards."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(
            torch.nn.Linear(64, HIDDEN_UNITS), torch.nn.ReLU(), torch.nn.Linear(HIDDEN_UNITS, 10)
        )


class PlainSGD:
    """SGD without momentum or weight decay, bit-identical to `torch.optim.SGD(params, lr)`:
    `step()` does `p.add_(p.grad, alpha=-lr)` for every parameter, as torch's single-tensor
    SGD does on CPU, and `zero_grad()` sets the gradients to None, as torch's does. It has
    `param_groups` (one group) so code that sets `group["lr"]` works unchanged. It exists
    because building the first `torch.optim` optimizer of a process imports torch._dynamo,
    which takes seconds, and because its per-step bookkeeping dominates these tiny steps.
    """

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        self.param_groups: list[dict[str, Any]] = [{"params": list(params), "lr": float(lr)}]

    def zero_grad(self) -> None:
        for p in self.param_groups[0]["params"]:
            p.grad = None

    def step(self) -> None:
        import torch

        group = self.param_groups[0]
        with torch.no_grad():
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-group["lr"])


def steps_per_epoch(batch_size: int) -> int:
    """⌈1437 / batch_size⌉: the last batch of an epoch is smaller, and still a step.

    >>> steps_per_epoch(16), steps_per_epoch(512), steps_per_epoch(2048)
    (90, 3, 1)
    """
    return math.ceil(N_TRAIN / integer_at_least("batch_size", batch_size, 1))


def _epoch_orders(seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    while True:
        yield rng.permutation(N_TRAIN)


def _batches(batch_size: int, seed: int) -> Iterator[tuple[Any, Any]]:
    """Minibatches of the training set, epoch after epoch, each epoch reshuffled."""
    import torch

    X, y, _, _ = _tensors()
    for order in _epoch_orders(seed):
        indices = torch.from_numpy(order)
        for start in range(0, N_TRAIN, batch_size):
            batch = indices[start:start + batch_size]
            yield X[batch], y[batch]


@dataclass(frozen=True)
class TrainingRun:
    """One training run of `train`: its settings and what was recorded.

    Attributes:
        batch_size, lr, epochs, warmup_steps, seed: the arguments of `train`.
        steps_per_epoch: ⌈1437 / batch_size⌉.
        train_loss: the cross-entropy on the whole training set after each epoch.
        test_accuracy: the fraction of the 360 test images classified right after each epoch.
        step_lrs: the lr every optimizer step used (the warmup ramp, then lr).
    """

    batch_size: int
    lr: float
    epochs: int
    warmup_steps: int
    seed: int
    steps_per_epoch: int
    train_loss: tuple[float, ...]
    test_accuracy: tuple[float, ...]
    step_lrs: tuple[float, ...]

    @property
    def final_train_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else math.nan

    @property
    def final_test_accuracy(self) -> float:
        return self.test_accuracy[-1] if self.test_accuracy else math.nan


def train(
    batch_size: int, lr: float, epochs: int, warmup_steps: int = 0, seed: int = 0
) -> TrainingRun:
    """Train the MLP with SGD on the digits (see the module docstring) and return the run.

    Args:
        batch_size: examples per step, ≥ 1.
        lr: the learning rate after the warmup, ≥ 0. torch applies it in float32, so runs are
            cached by lr rounded to float32: lrs that torch cannot tell apart share a run.
        epochs: passes over the 1437 training images, ≥ 0.
        warmup_steps: k ≥ 0; step t < k uses lr·(t + 1)/k (`gradual_warmup_lr`).
        seed: the initialisation (torch) and the shuffling (numpy) of the run.

    A diverging run is recorded as it is (inf or nan losses), without a warning.
    """
    key_lr = float(np.float32(non_negative_number("lr", lr)))
    return _train(integer_at_least("batch_size", batch_size, 1), key_lr,
                  integer_at_least("epochs", epochs, 0),
                  integer_at_least("warmup_steps", warmup_steps, 0),
                  integer_at_least("seed", seed, 0))


@lru_cache(maxsize=512)
def _train(batch_size: int, lr: float, epochs: int, warmup_steps: int, seed: int) -> TrainingRun:
    import torch
    import torch.nn.functional as F

    X, y, X_test, y_test = _tensors()
    per_epoch = steps_per_epoch(batch_size)
    lrs = gradual_warmup_lr(np.arange(epochs * per_epoch), lr, warmup_steps).tolist()
    model = make_model(seed)
    optimizer = PlainSGD(model.parameters(), lr=lr)
    group = optimizer.param_groups[0]
    losses: list[float] = []
    accuracies: list[float] = []
    batches = _batches(batch_size, seed)
    with one_thread():
        for epoch in range(epochs):
            for step in range(epoch * per_epoch, (epoch + 1) * per_epoch):
                inputs, targets = next(batches)
                group["lr"] = lrs[step]
                optimizer.zero_grad()
                F.cross_entropy(model(inputs), targets).backward()
                optimizer.step()
            with torch.no_grad():
                losses.append(F.cross_entropy(model(X), y).item())
                correct = (model(X_test).argmax(dim=1) == y_test).sum().item()
                accuracies.append(correct / N_TEST)
    return TrainingRun(batch_size, lr, epochs, warmup_steps, seed, per_epoch, tuple(losses),
                       tuple(accuracies), tuple(lrs))


def batch_size_sweep(
    batch_sizes: Sequence[int] = BATCH_SIZES,
    scaling_rule: Any = None,
    warmup_epochs: float = 0,
    base_lr: float = BASE_LR,
    base_batch_size: int = BASE_BATCH_SIZE,
    epochs: int = EPOCHS,
    seed: int = 0,
) -> dict[int, TrainingRun]:
    """{B: train(B, lr_B, epochs, warmup_steps_B, seed)} for every batch size B, where
    lr_B = scaling_rule(base_lr, B, base_batch_size) (base_lr itself when scaling_rule is
    None) and warmup_steps_B = round(warmup_epochs · ⌈1437/B⌉).

    >>> from lrcore.batch_size import linear_scaled_lr
    >>> runs = batch_size_sweep((32, 64), linear_scaled_lr, warmup_epochs=1, epochs=1)
    >>> [(b, run.lr, run.warmup_steps) for b, run in runs.items()]
    [(32, 0.20000000298023224, 45), (64, 0.4000000059604645, 23)]
    """
    from lrcore.batch_size import warmup_steps_for_epochs

    runs = {}
    for batch_size in batch_sizes:
        lr = base_lr if scaling_rule is None else scaling_rule(base_lr, batch_size,
                                                               base_batch_size)
        warmup = warmup_steps_for_epochs(warmup_epochs, steps_per_epoch(batch_size))
        runs[batch_size] = train(batch_size, lr, epochs, warmup_steps=warmup, seed=seed)
    return runs


def range_test_step(batch_size: int = 64, seed: int = 0) -> Any:
    """A fresh `step(lr) -> loss` for a range test on the digits: a new MLP (`make_model(seed)`)
    and SGD, one minibatch of `batch_size` per call (reshuffled epochs, as `train`), the loss
    computed before the update. Each call of `range_test_step` starts from scratch, so two
    steps made with the same arguments return the same losses for the same lrs.

    >>> step = range_test_step(batch_size=128)
    >>> round(step(1e-3), 4) == round(step(1e-3), 4)  # two different batches
    False
    """
    import torch.nn.functional as F

    model = make_model(seed)
    optimizer = PlainSGD(model.parameters(), lr=0.0)
    inner = torch_train_step(model, optimizer, F.cross_entropy,
                             _batches(integer_at_least("batch_size", batch_size, 1), seed))

    def step(lr: float) -> float:
        with one_thread():
            return inner(lr)

    return step


@lru_cache(maxsize=64)
def digits_range_test(batch_size: int = 64, seed: int = 0, **options: Any) -> RangeTestResult:
    """`lrcore.range_test.lr_range_test` on `range_test_step(batch_size, seed)` (cached);
    `options` are lr_range_test's (start_lr, end_lr, num_iters, beta, diverge_factor).

    On this network a too-large lr kills the ReLUs instead of blowing the loss up: the loss
    climbs back to about ln 10 ≈ 2.3 and stays there, under 4× the best smoothed loss, so with
    end_lr = 10 the test runs to the end (`diverged` is False).

    >>> result = digits_range_test(batch_size=64, start_lr=1e-3, end_lr=10.0, num_iters=400)
    >>> result.diverged, round(result.best_lr, 2), round(result.suggestion, 3)
    (False, 1.07, 0.107)
    """
    return lr_range_test(range_test_step(batch_size, seed), **options)


@lru_cache(maxsize=64)
def range_test_losses(
    batch_size: int = 64,
    seed: int = 0,
    start_lr: float = RANGE_TEST_OPTIONS["start_lr"],
    end_lr: float = RANGE_TEST_OPTIONS["end_lr"],
    num_iters: int = int(RANGE_TEST_OPTIONS["num_iters"]),
) -> tuple[float, ...]:
    """The raw losses of a range test on the digits that never stops: `num_iters` steps of
    `range_test_step(batch_size, seed)` at `exponential_lrs(start_lr, end_lr, num_iters)`.
    `lrcore.range_test.range_test_from_losses` turns them into any β and factor's result.
    """
    from lrcore.range_test import exponential_lrs

    step = range_test_step(batch_size, seed)
    return tuple(step(lr) for lr in exponential_lrs(start_lr, end_lr, num_iters).tolist())


@dataclass(frozen=True)
class GradientNoise:
    """How far minibatch gradients fall from the full-batch gradient, at one point.

    Attributes:
        batch_sizes: the batch sizes measured.
        measured: mean of ‖g_B − g‖² over the draws, for each batch size (minibatches drawn
            without replacement).
        predicted: tr(Σ)/B · (N − B)/(N − 1), the exact expectation of the same quantity.
        trace_covariance: tr(Σ) = mean over examples of ‖g_i − g‖².
        gradient_norm_sq: ‖g‖², the squared norm of the full-batch gradient.
    """

    batch_sizes: tuple[int, ...]
    measured: tuple[float, ...]
    predicted: tuple[float, ...]
    trace_covariance: float
    gradient_norm_sq: float

    @property
    def noise_scale(self) -> float:
        """B_simple = tr(Σ)/‖g‖² (McCandlish et al. 2018): the batch size at which the
        minibatch noise is as large as the gradient itself. Well below it, a larger batch
        is almost a free larger step; well above it, it buys little."""
        return self.trace_covariance / self.gradient_norm_sq


def per_example_gradients(model: Any, X: Any, y: Any) -> np.ndarray:
    """The gradient of each example's cross-entropy for the 64 → H → 10 ReLU MLP, flattened in
    `model.parameters()` order (W1, b1, W2, b2): an n × (number of parameters) float64 array.

    Backpropagation written out for this network (what autograd computes, example by
    example): with h = relu(W1·x + b1), p = softmax(W2·h + b2) and e_y the one-hot label,
    δ2 = p − e_y, ∂W2 = δ2 hᵀ, ∂b2 = δ2, δ1 = (W2ᵀ δ2) ⊙ 1[W1·x + b1 > 0], ∂W1 = δ1 xᵀ,
    ∂b1 = δ1 — all examples at once, in float64.
    """
    first, _, second = model
    W1, b1 = (first.weight.detach().double().numpy(), first.bias.detach().double().numpy())
    W2, b2 = (second.weight.detach().double().numpy(), second.bias.detach().double().numpy())
    inputs = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y, dtype=np.int64)
    pre = inputs @ W1.T + b1
    hidden = np.maximum(pre, 0.0)
    logits = hidden @ W2.T + b2
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    delta2 = probabilities
    delta2[np.arange(labels.size), labels] -= 1.0
    delta1 = (delta2 @ W2) * (pre > 0)
    n = labels.size
    return np.concatenate([
        np.einsum("ni,nj->nij", delta1, inputs).reshape(n, -1), delta1,
        np.einsum("ni,nj->nij", delta2, hidden).reshape(n, -1), delta2,
    ], axis=1)


def gradient_noise(
    batch_sizes: Sequence[int] = (16, 32, 64, 128, 256, 512),
    draws: int = 50,
    seed: int = 0,
    after_epochs: int = 0,
    lr: float = 0.1,
    batch_size: int = 16,
) -> GradientNoise:
    """Measure the minibatch-gradient noise of the digits MLP at one point of training.

    The point is `make_model(seed)` trained for `after_epochs` epochs with (`batch_size`,
    `lr`) — the initialisation by default. For each B, `draws` minibatches of B distinct
    examples are drawn with `default_rng(seed)`; the mean of ‖g_B − g‖² is compared with its
    exact expectation tr(Σ)/B·(N − B)/(N − 1) (sampling without replacement): the noise falls
    like 1/B.

    >>> noise = gradient_noise((16, 256), draws=100)
    >>> noise.measured[0] / noise.measured[1] > 10  # 16× the batch, ~1/19 of the noise
    True
    """
    sizes = tuple(integer_at_least("batch size", b, 1) for b in batch_sizes)
    if any(b > N_TRAIN for b in sizes):
        raise ValueError(f"batch sizes must be <= {N_TRAIN}, got {max(sizes)}")
    model = make_model(seed)
    if after_epochs:
        _load_trained_weights(model, batch_size, lr, after_epochs, seed)
    split = digits_split()
    grads = per_example_gradients(model, split.X_train, split.y_train)
    full = grads.mean(axis=0)
    trace = float(((grads - full) ** 2).sum(axis=1).mean())
    centred = grads - full
    rng = np.random.default_rng(seed)
    count = integer_at_least("draws", draws, 1)
    measured, predicted = [], []
    for b in sizes:
        errors = [float((centred[rng.choice(N_TRAIN, size=b, replace=False)].mean(axis=0) ** 2)
                        .sum()) for _ in range(count)]
        measured.append(float(np.mean(errors)))
        predicted.append(trace / b * (N_TRAIN - b) / (N_TRAIN - 1))
    return GradientNoise(sizes, tuple(measured), tuple(predicted), trace,
                         float((full**2).sum()))


def _load_trained_weights(model: Any, batch_size: int, lr: float, epochs: int,
                          seed: int) -> None:
    """Train `model` in place exactly as `train` would (same batches, same lrs)."""
    import torch.nn.functional as F

    optimizer = PlainSGD(model.parameters(), lr=lr)
    batches = _batches(batch_size, seed)
    with one_thread():
        for _ in range(epochs * steps_per_epoch(batch_size)):
            inputs, targets = next(batches)
            optimizer.zero_grad()
            F.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
