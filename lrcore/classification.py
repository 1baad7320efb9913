"""Two Gaussian quantiles: a small dense net trained with Adam, with or without ReduceLROnPlateau.

Data (`quantiles_split`): `sklearn.datasets.make_gaussian_quantiles(n_samples=2000,
n_features=2, n_classes=2, random_state=3, cov=0.1)` — class 0 inside a circle, class 1
around it — split with `sklearn.model_selection.train_test_split(random_state=0)` into 70/30,
then the 70 % into 80/20: 1120 training, 280 validation and 600 test points. Nothing is
downloaded; X is float32, the labels y are float32 zeros and ones (what the loss wants).

Model (`make_classifier`): 2 → 32 → 32 → 1 with sigmoid hidden units; the output is the logit
of P(y = 1), so the loss is `F.binary_cross_entropy_with_logits`. Weights are torch's default
initialisation after `torch.manual_seed(seed)` (in a forked random state, so the caller's is
left alone).

Training (`train_classifier`): Adam (or another optimiser of `lrcore.optimizer_sweep`),
minibatches of 50 in the order `epoch_batches(epoch, seed)` gives (23 steps an epoch, the last
batch has 20 points). After each epoch the validation loss and accuracy are recorded and, with a
plateau rule, `scheduler.step(val_loss)` sets the lr of the next epoch:

    model = make_classifier(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = lrcore.schedules.reduce_lr_on_plateau(lr, **plateau)   # optional
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])                      # this epoch's lr
        for batch in epoch_batches(epoch, seed):
            optimizer.zero_grad()
            F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch]).backward()
            optimizer.step()
        val_loss = F.binary_cross_entropy_with_logits(model(X_val).squeeze(1), y_val).item()
        new_lr = scheduler.step(val_loss)                                # optional
        for group in optimizer.param_groups:
            group["lr"] = new_lr

(torch's own `ReduceLROnPlateau(optimizer, ...)` stepped with `val_loss` does the same.) Runs
are on one CPU thread, bit-for-bit reproducible, and cached.

The course's runs (`COURSE_RUNS`, seed `COURSE_SEED` = 1): Adam at a constant lr of 0.5 (every
step overshoots, the sigmoids saturate and the net predicts one class everywhere), 0.005 and
1e-5 (it barely moves in 50 epochs) for 50 epochs; ReduceLROnPlateau from 0.05 (factor 0.5,
patience 10, min_lr 1e-5) for 100 epochs, and its control, a constant 0.05 for the same 100
epochs — what the plateau's cuts change is measured against it. What the runs reach, over seeds
0–4, is stated and tested in `autograder/claims/ps05.py`.

>>> split = quantiles_split()
>>> split.X_train.shape, split.X_val.shape, split.X_test.shape
((1120, 2), (280, 2), (600, 2))
>>> run = train_classifier(lr=0.005, epochs=3)
>>> len(run.lrs), run.lrs[0], run.val_loss[-1] < run.val_loss[0]
(3, 0.005, True)
>>> xs, ys, p = probability_grid(run.model(), resolution=5)
>>> xs.tolist(), p.shape, bool(((0 <= p) & (p <= 1)).all())
([-1.5, -0.75, 0.0, 0.75, 1.5], (5, 5), True)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np

from lrcore.arguments import integer_at_least, non_negative_number, one_thread

__all__ = [
    "N_TRAIN",
    "N_VAL",
    "N_TEST",
    "BATCH_SIZE",
    "HIDDEN_UNITS",
    "GRID_LIMIT",
    "PLATEAU_SETTINGS",
    "COURSE_RUNS",
    "COURSE_SEED",
    "CONTROL_RUN",
    "PLATEAU_RUN",
    "QuantilesSplit",
    "ClassifierRun",
    "quantiles_split",
    "make_classifier",
    "epoch_batches",
    "accuracy",
    "split_tensors",
    "classifier_with_weights",
    "frozen_weights",
    "train_epoch",
    "epoch_metrics",
    "train_classifier",
    "probability_grid",
]

N_TRAIN, N_VAL, N_TEST = 1120, 280, 600
BATCH_SIZE = 50
HIDDEN_UNITS = 32
GRID_LIMIT = 1.5
"""Decision boundaries are drawn over [−GRID_LIMIT, GRID_LIMIT]²."""
SPLIT_SEED = 0
"""`random_state` of both `train_test_split` calls."""

PLATEAU_SETTINGS: Mapping[str, float] = MappingProxyType(
    {"factor": 0.5, "patience": 10, "min_lr": 1e-5}
)
"""The course's ReduceLROnPlateau (every other option is torch's default)."""

COURSE_RUNS: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    "lr 0.5": MappingProxyType({"lr": 0.5, "epochs": 50, "plateau": None}),
    "lr 0.005": MappingProxyType({"lr": 0.005, "epochs": 50, "plateau": None}),
    "lr 1e-05": MappingProxyType({"lr": 1e-5, "epochs": 50, "plateau": None}),
    "lr 0.05": MappingProxyType({"lr": 0.05, "epochs": 100, "plateau": None}),
    "plateau from 0.05": MappingProxyType({"lr": 0.05, "epochs": 100,
                                           "plateau": PLATEAU_SETTINGS}),
})
"""The runs of the assignment: name → arguments of `train_classifier` (with `COURSE_SEED`).
"lr 0.05" is the plateau run's control: the same start and length without the cuts."""
CONTROL_RUN = "lr 0.05"
"""The constant-lr run the plateau run is compared with."""
PLATEAU_RUN = "plateau from 0.05"
"""The run with ReduceLROnPlateau."""
COURSE_SEED = 1
"""The seed of the assignment's runs (initialisation and batch order)."""


@dataclass(frozen=True)
class QuantilesSplit:
    """The fixed split: float32 points (n×2) and float32 labels 0/1 (n,)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def quantiles_split() -> QuantilesSplit:
    """make_gaussian_quantiles(2000, 2 features, 2 classes, random_state=3, cov=0.1), split
    70/30 then 80/20 by train_test_split(random_state=0); fresh, writable copies on each call
    (so `torch.from_numpy` takes them without a warning)."""
    return QuantilesSplit(*(np.array(a) for a in _split_arrays()))


@cache
def _split_arrays() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import make_gaussian_quantiles
    from sklearn.model_selection import train_test_split

    X, y = make_gaussian_quantiles(n_samples=2000, n_features=2, n_classes=2, random_state=3,
                                   cov=0.1)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.3,
                                                      random_state=SPLIT_SEED)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2,
                                                      random_state=SPLIT_SEED)
    arrays = []
    for array in (X_train, y_train, X_val, y_val, X_test, y_test):
        array = np.ascontiguousarray(array, dtype=np.float32)
        array.setflags(write=False)
        arrays.append(array)
    return tuple(arrays)


@cache
def split_tensors() -> tuple[Any, ...]:
    """The split as float32 torch tensors: (X, y, X_val, y_val, X_test, y_test)."""
    import torch

    return tuple(torch.from_numpy(np.array(a)) for a in _split_arrays())


def make_classifier(seed: int = 0) -> Any:
    """The 2 → 32 → 32 → 1 sigmoid net (output: the logit of P(y = 1)), initialised by torch
    after `torch.manual_seed(seed)`; the global random state is restored afterwards.

    >>> model = make_classifier(0)
    >>> [tuple(p.shape) for p in model.parameters()]
    [(32, 2), (32,), (32, 32), (32,), (1, 32), (1,)]
    """
    import torch

    integer_at_least("seed", seed, 0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(
            torch.nn.Linear(2, HIDDEN_UNITS), torch.nn.Sigmoid(),
            torch.nn.Linear(HIDDEN_UNITS, HIDDEN_UNITS), torch.nn.Sigmoid(),
            torch.nn.Linear(HIDDEN_UNITS, 1),
        )


def epoch_batches(epoch: int, seed: int = 0, batch_size: int = BATCH_SIZE) -> list[np.ndarray]:
    """The minibatches of one epoch: `default_rng([seed, epoch]).permutation(1120)` cut into
    index arrays of `batch_size` (the last one shorter). Any epoch can be asked for directly.

    >>> batches = epoch_batches(0)
    >>> len(batches), len(batches[0]), len(batches[-1])
    (23, 50, 20)
    >>> bool((np.sort(np.concatenate(batches)) == np.arange(1120)).all())
    True
    """
    order = np.random.default_rng([integer_at_least("seed", seed, 0),
                                   integer_at_least("epoch", epoch, 0)])
    permutation = order.permutation(N_TRAIN)
    size = integer_at_least("batch_size", batch_size, 1)
    return [permutation[start:start + size] for start in range(0, N_TRAIN, size)]


def accuracy(model: Any, X: Any, y: Any) -> float:
    """The fraction of points whose predicted class (logit > 0, i.e. P(y = 1) > 0.5) is y."""
    import torch

    inputs = torch.as_tensor(np.asarray(X, dtype=np.float32))
    labels = np.asarray(y).reshape(-1) > 0.5
    with torch.no_grad():
        predicted = (model(inputs).reshape(-1) > 0).numpy()
    return int((predicted == labels).sum()) / labels.size


@dataclass(frozen=True)
class ClassifierRun:
    """One run of `train_classifier`.

    Attributes:
        lr, epochs, optimizer, plateau, seed, batch_size: the arguments.
        lrs: the lr every epoch trained with (lrs[0] = lr).
        next_lr: the lr the scheduler set after the last epoch (= lrs[-1] without one).
        train_loss: the loss on the whole training set after each epoch.
        val_loss: the loss on the validation set after each epoch (what the plateau rule sees).
        val_accuracy: the validation accuracy after each epoch.
        test_accuracy: the accuracy of the final model on the 600 test points.
        state: the final weights (name → float32 array); `model()` rebuilds the net.
    """

    lr: float
    epochs: int
    optimizer: str
    plateau: tuple[tuple[str, Any], ...] | None
    seed: int
    batch_size: int
    lrs: tuple[float, ...]
    next_lr: float
    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    val_accuracy: tuple[float, ...]
    test_accuracy: float
    state: Mapping[str, np.ndarray]

    def model(self) -> Any:
        """A fresh copy of the trained net."""
        return classifier_with_weights(self.seed, self.state)


def classifier_with_weights(seed: int, state: Mapping[str, np.ndarray]) -> Any:
    """`make_classifier(seed)` with the weights `state` (name → array) loaded: a fresh copy.

    Torch equivalent: `model.load_state_dict({name: torch.from_numpy(array), …})`.
    """
    import torch

    model = make_classifier(seed)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    return model


def frozen_weights(model: Any) -> dict[str, np.ndarray]:
    """A read-only copy of the model's weights, name → float32 array (its `state_dict()`)."""
    state = {name: tensor.detach().numpy().copy() for name, tensor in model.state_dict().items()}
    for array in state.values():
        array.setflags(write=False)
    return state


def train_epoch(
    model: Any,
    optimizer: Any,
    epoch: int,
    seed: int,
    batch_size: int = BATCH_SIZE,
    *,
    zero_grad: bool = True,
    pause: Callable[[], None] | None = None,
) -> None:
    """One epoch of minibatch steps on the loss L = BCE(σ(f(x)), y) of the training set.

    The batches are `epoch_batches(epoch, seed, batch_size)`; `pause()` (if given) is called
    before each step. Torch equivalent, per batch: `optimizer.zero_grad()`,
    `F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch]).backward()`,
    `optimizer.step()` (`zero_grad=False` leaves out the first, to model that mistake).
    """
    import torch
    import torch.nn.functional as F

    X, y = split_tensors()[:2]
    for batch in epoch_batches(epoch, seed, batch_size):
        if pause is not None:
            pause()
        index = torch.from_numpy(batch)
        if zero_grad:
            optimizer.zero_grad()
        logits = model(X[index]).squeeze(1)
        F.binary_cross_entropy_with_logits(logits, y[index]).backward()
        optimizer.step()


def epoch_metrics(model: Any) -> tuple[float, float, float]:
    """(training loss, validation loss, validation accuracy) of the model, without gradients.

    The losses are `F.binary_cross_entropy_with_logits` on the whole set; a validation point
    is right when its logit > 0 exactly when its label is 1.
    """
    import torch
    import torch.nn.functional as F

    X, y, X_val, y_val = split_tensors()[:4]
    with torch.no_grad():
        train_loss = F.binary_cross_entropy_with_logits(model(X).squeeze(1), y).item()
        val_logits = model(X_val).squeeze(1)
        val_loss = F.binary_cross_entropy_with_logits(val_logits, y_val).item()
        correct = int(((val_logits > 0) == (y_val > 0.5)).sum())
    return train_loss, val_loss, correct / N_VAL


def _plateau_key(plateau: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    if plateau is None:
        return None
    if not isinstance(plateau, Mapping):
        raise TypeError("plateau must be None or a dict of reduce_lr_on_plateau options, got "
                        f"{type(plateau).__name__}")
    if "lr" in plateau:
        raise ValueError("plateau must not contain 'lr': the run's lr is the initial lr")
    return tuple(sorted((str(k), v) for k, v in plateau.items()))


def train_classifier(
    lr: float,
    epochs: int,
    optimizer: str = "adam",
    plateau: Mapping[str, Any] | None = None,
    seed: int = 0,
    batch_size: int = BATCH_SIZE,
) -> ClassifierRun:
    """Train `make_classifier(seed)` on the quantiles (see the module docstring).

    Args:
        lr: the initial learning rate, ≥ 0.
        epochs: passes over the 1120 training points, ≥ 0.
        optimizer: a name of `lrcore.optimizer_sweep.SWEEP_OPTIMIZERS` ("adam", "sgd", …).
        plateau: None (constant lr) or options of `lrcore.schedules.reduce_lr_on_plateau`
            (factor, patience, threshold, threshold_mode, cooldown, min_lr, eps; mode "min"),
            stepped with the validation loss after every epoch.
        seed: the initialisation and the batch order.
        batch_size: points per step (50).

    A diverging run is recorded as it is (nan losses), without a warning.
    """
    return _train(
        non_negative_number("lr", lr), integer_at_least("epochs", epochs, 0),
        str(optimizer).lower(), _plateau_key(plateau), integer_at_least("seed", seed, 0),
        integer_at_least("batch_size", batch_size, 1),
    )


def train_classifier_variant(
    lr: float,
    epochs: int,
    plateau: Mapping[str, Any] | None = None,
    seed: int = 0,
    *,
    apply_lr: bool = True,
    zero_grad: bool = True,
    plateau_metric: str = "val_loss",
) -> ClassifierRun:
    """`train_classifier` (Adam, batch 50) with one thing done wrong, to model a mistake:
    `apply_lr=False` records the scheduler's lrs but never gives them to the optimiser,
    `zero_grad=False` lets gradients accumulate, `plateau_metric="val_accuracy"` steps the
    (mode "min") scheduler with the validation accuracy instead of the loss."""
    if plateau_metric not in {"val_loss", "val_accuracy"}:
        raise ValueError(f"plateau_metric must be 'val_loss' or 'val_accuracy', got "
                         f"{plateau_metric!r}")
    return _train(non_negative_number("lr", lr), integer_at_least("epochs", epochs, 0), "adam",
                  _plateau_key(plateau), integer_at_least("seed", seed, 0), BATCH_SIZE,
                  apply_lr, zero_grad, plateau_metric)


@lru_cache(maxsize=128)
def _train(
    lr: float,
    epochs: int,
    optimizer_name: str,
    plateau: tuple[tuple[str, Any], ...] | None,
    seed: int,
    batch_size: int,
    apply_lr: bool = True,
    zero_grad: bool = True,
    plateau_metric: str = "val_loss",
) -> ClassifierRun:

    from lrcore.optimizer_sweep import torch_optimizer
    from lrcore.schedules import reduce_lr_on_plateau

    X_test, y_test = split_tensors()[4:]
    model = make_classifier(seed)
    optimizer = torch_optimizer(optimizer_name, model.parameters(), lr)
    scheduler = None if plateau is None else reduce_lr_on_plateau(lr, **dict(plateau))
    lrs: list[float] = []
    train_loss: list[float] = []
    val_loss: list[float] = []
    val_accuracy: list[float] = []
    current_lr = lr
    with one_thread():
        for epoch in range(epochs):
            lrs.append(current_lr)
            train_epoch(model, optimizer, epoch, seed, batch_size, zero_grad=zero_grad)
            epoch_train_loss, epoch_val_loss, epoch_val_accuracy = epoch_metrics(model)
            train_loss.append(epoch_train_loss)
            val_loss.append(epoch_val_loss)
            val_accuracy.append(epoch_val_accuracy)
            if scheduler is not None:
                metric = val_loss[-1] if plateau_metric == "val_loss" else val_accuracy[-1]
                current_lr = scheduler.step(metric)
                if apply_lr:
                    for group in optimizer.param_groups:
                        group["lr"] = current_lr
        test_accuracy = accuracy(model, X_test, y_test)
    state = frozen_weights(model)
    return ClassifierRun(lr, epochs, optimizer_name, plateau, seed, batch_size, tuple(lrs),
                         current_lr, tuple(train_loss), tuple(val_loss), tuple(val_accuracy),
                         test_accuracy, MappingProxyType(state))


def probability_grid(
    model: Any, resolution: int = 121, limit: float = GRID_LIMIT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, P) with P[i, j] = P(y = 1) at the point (xs[j], ys[i]) of the square
    [−limit, limit]², on a `resolution` × `resolution` grid — ready for
    `ax.contourf(xs, ys, P)`.

    P = sigmoid(logit) in float64 from the net's float32 logits.
    """
    import torch

    size = integer_at_least("resolution", resolution, 2)
    if not (isinstance(limit, numbers.Real) and limit > 0):
        raise ValueError(f"limit must be a positive number, got {limit!r}")
    xs = np.linspace(-float(limit), float(limit), size)
    grid_x, grid_y = np.meshgrid(xs, xs)
    points = torch.from_numpy(np.column_stack([grid_x.ravel(), grid_y.ravel()])
                              .astype(np.float32))
    with torch.no_grad():
        logits = model(points).reshape(-1).numpy().astype(np.float64)
    probabilities = 1.0 / (1.0 + np.exp(-np.clip(logits, -700, 700)))
    return xs, xs.copy(), probabilities.reshape(size, size)
