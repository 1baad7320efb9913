"""The optimiser explorer: pick an optimiser and a learning rate, see what they do to the
regression's loss curve, to the two-quantiles classifier's losses and to its decision boundary.

Three panels, redrawn in place: the full-batch regression loss (`lrcore.optimizer_sweep`, 100
epochs, log scale), the classifier's training and validation loss per epoch and P(y = 1) over
[−1.5, 1.5]² with the validation points (`lrcore.classification`, batch 50, seed 1). Runs are
cached, so going back to a setting is instant; a new classifier run takes about a second.

The sigmoid net starts on a flat stretch (loss ≈ ln 2) where the gradients are tiny: plain SGD
and momentum stay there for every lr of the slider within 20 epochs, while AdaGrad, RMSprop
and Adam, which rescale each coordinate's gradient, escape it.

>>> explorer = OptimizerExplorer(optimizer="adam", lr=0.005, epochs=5)
>>> explorer.controls["optimizer"].value = "rmsprop"
>>> len(explorer.regression_line.get_ydata()), len(explorer.val_line.get_ydata())
(100, 5)
"""

from __future__ import annotations

import numpy as np

from lrcore import classification, optimizer_sweep
from lrcore.regression import linear_regression_data
from lrcore.widgets.common import clip_for_plot, log_slider, sticky_limits
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["OptimizerExplorer", "optimizer_explorer", "REGRESSION_EPOCHS", "SEED"]

REGRESSION_EPOCHS = 100
SEED = classification.COURSE_SEED
"""The classifier's seed: the one the assignment's four runs use."""
GRID_RESOLUTION = 81
LABELS = {
    "sgd": "SGD",
    "momentum": "SGD + momentum 0.9",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}


class OptimizerExplorer:
    """A dropdown for the optimiser, a log slider for lr and a slider for the classifier's
    epochs. `regression_line`, `train_line`, `val_line` and `image` hold lrcore's numbers for
    the current setting; `classifier_run` is the `lrcore.classification.ClassifierRun`."""

    def __init__(self, optimizer: str = "adam", lr: float = 0.02, epochs: int = 20):
        import ipywidgets as widgets

        if optimizer not in LABELS:
            raise ValueError(f"optimizer must be one of {', '.join(LABELS)}, got {optimizer!r}")
        self.controls = {
            "optimizer": widgets.Dropdown(options=[(label, key) for key, label in LABELS.items()],
                                          value=optimizer, description="optimiser"),
            "lr": log_slider("lr", lr, 1e-5, 1.0),
            "epochs": widgets.IntSlider(value=epochs, min=1, max=100, step=1,
                                        description="epochs", continuous_update=False),
        }
        self.controls["lr"].continuous_update = False  # a classifier run takes ~1 s
        self.status = widgets.HTML()
        self.live = LiveFigure(1, 3, figsize=(13, 3.8), dpi=80)
        ax_regression, ax_losses, ax_boundary = self.live.axes
        (self.regression_line,) = ax_regression.plot([], [], color="C0")
        ax_regression.set(xlabel="epoch", ylabel="loss (MSE)", yscale="log",
                          title="Regression, full batch")
        (self.train_line,) = ax_losses.plot([], [], color="C0", label="training")
        (self.val_line,) = ax_losses.plot([], [], color="C1", label="validation")
        ax_losses.set(xlabel="epoch", ylabel="loss (BCE)", yscale="log",
                      title="Quantiles classifier")
        ax_losses.legend(loc="upper right", fontsize=8)
        limit = classification.GRID_LIMIT
        self.image = ax_boundary.imshow(np.full((2, 2), 0.5), extent=(-limit, limit, -limit, limit),
                                        origin="lower", vmin=0.0, vmax=1.0, cmap="RdBu_r",
                                        aspect="equal", interpolation="bilinear")
        split = classification.quantiles_split()
        ax_boundary.scatter(split.X_val[:, 0], split.X_val[:, 1], c=split.y_val, s=6,
                            cmap="RdBu_r", vmin=-0.5, vmax=1.5, edgecolors="k", linewidths=0.2)
        ax_boundary.set(xlim=(-limit, limit), ylim=(-limit, limit), xlabel="x₁", ylabel="x₂",
                        title="P(y = 1)")
        self.live.figure.colorbar(self.image, ax=ax_boundary, fraction=0.046, pad=0.04)
        self.live.figure.tight_layout()
        self.live.animate(self.regression_line, self.train_line, self.val_line, self.image)
        self.classifier_run: classification.ClassifierRun | None = None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.controls["optimizer"], self.controls["lr"],
                          self.controls["epochs"]]),
            self.status,
            self.live.widget,
        ])
        self.update()

    def _on_change(self, _change: object) -> None:
        self.update()

    def update(self) -> None:
        """Train (or fetch from the cache) and redraw for the current controls."""
        name = self.controls["optimizer"].value
        lr = float(self.controls["lr"].value)
        epochs = int(self.controls["epochs"].value)
        X, y = linear_regression_data()
        regression = np.asarray(optimizer_sweep.train_regression(X, y, name, lr,
                                                                 REGRESSION_EPOCHS))
        run = classification.train_classifier(lr, epochs, optimizer=name, seed=SEED)
        self.classifier_run = run
        regression_shown, regression_clipped = clip_for_plot(regression)
        train_shown, train_clipped = clip_for_plot(np.asarray(run.train_loss))
        val_shown, val_clipped = clip_for_plot(np.asarray(run.val_loss))
        regression_epochs = np.arange(REGRESSION_EPOCHS)
        classifier_epochs = np.arange(1, epochs + 1)
        self.regression_line.set_data(regression_epochs, regression_shown)
        self.train_line.set_data(classifier_epochs, train_shown)
        self.val_line.set_data(classifier_epochs, val_shown)
        _, _, probabilities = classification.probability_grid(run.model(), GRID_RESOLUTION)
        self.image.set_data(probabilities)

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
        ax_losses.set_xlim(0.5, max(epochs, 2) + 0.5)
        ax_regression.set_title(f"Regression, {LABELS[name]}")
        self.status.value = self._message(name, lr, run,
                                          regression_clipped or train_clipped or val_clipped)
        self.live.refresh()

    @staticmethod
    def _message(name: str, lr: float, run: classification.ClassifierRun,
                 clipped: bool) -> str:
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

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def optimizer_explorer(**initial: float | int | str) -> OptimizerExplorer:
    """Create and return the explorer (display it by leaving it last in a cell).

    Keywords: optimizer (sgd, momentum, adagrad, rmsprop, adam), lr, epochs.
    """
    return OptimizerExplorer(**initial)  # type: ignore[arg-type]
