"""The optimiser explorer: pick an optimiser and a learning rate, see what they do to the
regression's loss curve, to the two-quantiles classifier's losses and to its decision boundary.

Three panels, redrawn in place: the full-batch regression loss (`lrcore.optimizer_sweep`, 100
epochs, log scale), the classifier's training and validation loss per epoch and P(y = 1) over
[−1.5, 1.5]² with the validation points (`lrcore.classification`, batch 50, seed 1).

A classifier run is recorded after every epoch (`classifier_epochs.EpochRecord`, the steps of
`lrcore.classification.train_classifier`), so the epochs slider only picks a prefix, and a
setting seen once is kept. Once the explorer is on screen, the runs the next moves of the
sliders would ask for are trained in the background (`lrcore.widgets.ahead`): the lr slider
moves by a tenth of a decade, so its neighbours are few.

The sigmoid net starts on a flat stretch (loss ≈ ln 2) where the gradients are tiny: plain SGD
and momentum stay there for every lr of the slider within 20 epochs, while AdaGrad, RMSprop
and Adam, which rescale each coordinate's gradient, escape it.

>>> explorer = OptimizerExplorer(optimizer="adam", lr=0.005, epochs=5)
>>> explorer.controls["optimizer"].value = "rmsprop"
>>> len(explorer.regression_line.get_ydata()), len(explorer.val_line.get_ydata())
(100, 5)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np

from lrcore import classification, optimizer_sweep
from lrcore.regression import linear_regression_data
from lrcore.widgets.ahead import AheadExplorer, Preempted, Results, give_way, preempted
from lrcore.widgets.classifier_epochs import EpochRecord, EpochView
from lrcore.widgets.common import (
    COLORS,
    FONT_SIZE,
    clip_for_plot,
    log_slider,
    readout_value,
    sized,
    slider_neighbours,
    sticky_limits,
)
from lrcore.widgets.frame import ExplorerFrame
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["OptimizerExplorer", "optimizer_explorer", "REGRESSION_EPOCHS", "SEED"]

REGRESSION_EPOCHS = 100
SEED = classification.COURSE_SEED
"""The classifier's seed: the one the assignment's runs use."""
GRID_RESOLUTION = 81
LR_STEP = 0.1
"""The lr slider's step, in decades (×1.26 per arrow key)."""
LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum 0.9",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}

Setting = tuple[str, float, int]
"""(optimiser, lr, epochs)."""


class Shown(NamedTuple):
    """What the figure shows for one setting."""

    classifier: EpochView
    regression: tuple[float, ...]
    probabilities: np.ndarray


class ClassifierRuns:
    """Records by (optimiser, lr), regression curves and probability grids, computed on
    demand: the `Results` store of the explorer (`get` serves a setting only when all three
    are ready; `compute` trains only the epochs that are missing)."""

    def __init__(self, max_runs: int = 300, max_grids: int = 600) -> None:
        self._records: OrderedDict[tuple[str, float], EpochRecord] = OrderedDict()
        self._regressions: dict[tuple[str, float], tuple[float, ...]] = {}
        self._grids: OrderedDict[Setting, np.ndarray] = OrderedDict()
        self._max_runs, self._max_grids = max_runs, max_grids
        self._lock = threading.Lock()

    def get(self, setting: Setting) -> Shown | None:
        name, lr, epochs = setting
        with self._lock:
            record = self._records.get((name, lr))
            grid = self._grids.get(setting)
            regression = self._regressions.get((name, lr))
            if record is None or grid is None or regression is None or record.epochs < epochs:
                return None
            self._records.move_to_end((name, lr))
            self._grids.move_to_end(setting)
        return Shown(record.view(epochs), regression, grid)

    def compute(self, setting: Setting) -> Shown:
        name, lr, epochs = setting
        with self._lock:
            record = self._records.get((name, lr))
            if record is None:
                record = self._records[(name, lr)] = EpochRecord(name, lr, SEED)
                while len(self._records) > self._max_runs:
                    old, _ = self._records.popitem(last=False)
                    self._regressions.pop(old, None)
        record.extend(epochs, stop=preempted, pause=give_way)
        if record.epochs < epochs:
            raise Preempted  # a requested setting goes first; the epochs trained are kept
        view = record.view(epochs)
        X, y = linear_regression_data()
        regression = tuple(optimizer_sweep.train_regression(X, y, name, lr, REGRESSION_EPOCHS))
        _, _, grid = classification.probability_grid(view.model(), GRID_RESOLUTION)
        with self._lock:
            self._regressions[(name, lr)] = regression
            self._grids[setting] = grid
            while len(self._grids) > self._max_grids:
                self._grids.popitem(last=False)
        return Shown(view, regression, grid)


class OptimizerExplorer(AheadExplorer, ExplorerFrame):
    """A dropdown for the optimiser, a log slider for lr and a slider for the classifier's
    epochs. `regression_line`, `train_line`, `val_line` and `image` hold lrcore's numbers for
    the current setting; `classifier_run` is lrcore's `ClassifierRun` of it.

    The lr used is the slider's readout (3 significant digits), the value the student reads.
    """

    def __init__(self, optimizer: str = "adam", lr: float = 0.02, epochs: int = 20):
        import ipywidgets as widgets

        if optimizer not in LABELS:
            raise ValueError(f"optimizer must be one of {', '.join(LABELS)}, got {optimizer!r}")
        self.controls = {
            "optimizer": sized(widgets.Dropdown(
                options=[(label, key) for key, label in LABELS.items()], value=optimizer,
                description="optimiser")),
            "lr": log_slider("lr", lr, 1e-5, 1.0, step=LR_STEP),
            "epochs": sized(widgets.IntSlider(value=epochs, min=1, max=100, step=1,
                                              description="epochs")),
        }
        self.status = widgets.HTML()
        self.runs = ClassifierRuns()
        self.results: Results[Setting, Shown] = Results(self.runs.compute, lookup=self.runs.get)
        self._frame([("optimizer", "lr", "epochs")], (1, 3), 3.3)
        self.update()
        self.compute_ahead_when_shown()

    def _build_figure(self) -> None:
        ax_regression, ax_losses, ax_boundary = self.live.axes
        (self.regression_line,) = ax_regression.plot([], [], color=COLORS["blue"])
        ax_regression.set(xlabel="epoch", ylabel="loss (MSE)", yscale="log",
                          title="Regression, full batch")
        (self.train_line,) = ax_losses.plot([], [], color=COLORS["blue"], label="training")
        (self.val_line,) = ax_losses.plot([], [], color=COLORS["orange"], ls="--",
                                          label="validation")
        ax_losses.set(xlabel="epoch", ylabel="loss (BCE)", yscale="log",
                      title="Quantiles classifier")
        ax_losses.legend(loc="upper right")
        limit = classification.GRID_LIMIT
        self.image = ax_boundary.imshow(np.full((2, 2), 0.5), extent=(-limit, limit, -limit, limit),
                                        origin="lower", vmin=0.0, vmax=1.0, cmap="RdBu_r",
                                        aspect="equal", interpolation="bilinear")
        split = classification.quantiles_split()
        ax_boundary.scatter(split.X_val[:, 0], split.X_val[:, 1], c=split.y_val, s=6,
                            cmap="RdBu_r", vmin=-0.5, vmax=1.5, edgecolors="k", linewidths=0.2)
        ax_boundary.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="x₁", ylabel="x₂",
                        title="P(y = 1)")
        colorbar = self.live.figure.colorbar(self.image, ax=ax_boundary, fraction=0.046,
                                             pad=0.04)
        LiveFigure.style_axes(colorbar.ax)
        self.live.figure.tight_layout(w_pad=0.8)
        self.live.animate(self.regression_line, self.train_line, self.val_line, self.image)

    # -- what the controls ask for ------------------------------------------------------------

    def setting(self) -> Setting:
        return (self.controls["optimizer"].value, readout_value(self.controls["lr"].value),
                int(self.controls["epochs"].value))

    @property
    def classifier_run(self) -> classification.ClassifierRun:
        """lrcore's run of the current setting (`train_classifier`, computed on first access;
        the figure shows the same numbers, from the explorer's per-epoch record)."""
        name, lr, epochs = self.setting()
        return classification.train_classifier(lr, epochs, optimizer=name, seed=SEED)

    def neighbours(self, setting: Setting) -> list[Setting]:
        name, lr, epochs = setting
        lr_control, epochs_control = self.controls["lr"], self.controls["epochs"]
        nearest: list[Setting] = [
            (name, readout_value(value), epochs)
            for value in self.values_ahead(lr_control)
        ]
        nearest += [(name, lr, value) for value in self.values_ahead(epochs_control)]
        nearest += [(other, lr, epochs) for other in LABELS if other != name]
        further = [(name, readout_value(value), epochs)
                   for value in slider_neighbours(lr_control, (4, -4, 5, -5, 6, -6))]
        return nearest + further

    def waiting_message(self, setting: Setting) -> str:
        name, lr, epochs = setting
        return f"training {LABELS[name]} at lr = {lr:.3g} for {epochs} epochs …"

    # -- drawing ------------------------------------------------------------------------------

    def show(self, setting: Setting, result: Shown) -> None:
        """Draw the setting's curves, boundary and status (one image)."""
        name, lr, epochs = setting
        run = result.classifier
        regression_shown, regression_clipped = clip_for_plot(np.asarray(result.regression))
        train_shown, train_clipped = clip_for_plot(np.asarray(run.train_loss))
        val_shown, val_clipped = clip_for_plot(np.asarray(run.val_loss))
        classifier_epochs = np.arange(1, epochs + 1)
        self.regression_line.set_data(np.arange(REGRESSION_EPOCHS), regression_shown)
        self.train_line.set_data(classifier_epochs, train_shown)
        self.val_line.set_data(classifier_epochs, val_shown)
        self.image.set_data(result.probabilities)

        ax_regression, ax_losses, _ = self.live.axes
        positive = regression_shown[regression_shown > 0]
        if positive.size:
            ax_regression.set_ylim(sticky_limits(positive.min(), positive.max(),
                                                 ax_regression.get_ylim(), log=True))
        ax_regression.set_xlim(0, REGRESSION_EPOCHS)
        losses = np.concatenate([train_shown, val_shown])
        losses = losses[losses > 0]
        if losses.size:
            ax_losses.set_ylim(sticky_limits(losses.min(), losses.max(), ax_losses.get_ylim(),
                                             log=True))
        ax_losses.set_xlim(sticky_limits(0.0, max(epochs, 2), ax_losses.get_xlim()))
        ax_regression.set_title(f"Regression, {LABELS[name]}", fontsize=FONT_SIZE["title"])
        self.status.value = self._message(name, lr, run,
                                          regression_clipped or train_clipped or val_clipped)
        self.live.refresh()

    @staticmethod
    def _message(name: str, lr: float, run: EpochView, clipped: bool) -> str:
        message = (f"{LABELS[name]}, lr = {lr:.3g}: classifier test accuracy "
                   f"<b>{run.test_accuracy:.3f}</b> after {run.epochs} epochs")
        if run.val_loss and np.isfinite(run.val_loss[-1]):
            message += f", validation loss {run.val_loss[-1]:.3g}"
        if clipped:
            message += (" — <span style='color:#b00'>a loss overflowed (the run diverged); "
                        "values clipped for drawing</span>")
        elif run.test_accuracy < 0.6:
            message += " — near chance: the lr is too large to settle or too small to move"
        return message


def optimizer_explorer(**initial: Any) -> OptimizerExplorer:
    """Create and return the explorer (display it by leaving it last in a cell).

    Keywords: optimizer (sgd, momentum, adagrad, rmsprop, adam), lr, epochs.
    """
    return OptimizerExplorer(**initial)
