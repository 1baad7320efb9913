"""Explorers for ps03: training curves vs batch size and lr, and a range test re-smoothed.

`BatchSizeExplorer` trains the digits network live (`lrcore.digits.train`, cached: a setting
seen once redraws instantly) for the batch size, lr, scaling rule, warmup, epochs and seed of
its sliders. `RangeTestExplorer` records the raw losses of one 400-step range test per batch
size once (`lrcore.digits.range_test_losses`) and re-smooths them for every β and stop factor
(`lrcore.range_test.range_test_from_losses`) — the same result as a fresh test with those
settings, because stopping only cuts the record.

>>> explorer = BatchSizeExplorer(batch_size=64, base_lr=0.1, rule="linear", epochs=2)
>>> explorer.lr, explorer.run.steps_per_epoch
(0.4, 23)
>>> explorer.controls["rule"].value = "none"
>>> explorer.lr
0.1
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrcore import digits, range_test
from lrcore.batch_size import linear_scaled_lr, sqrt_scaled_lr, warmup_steps_for_epochs
from lrcore.widgets.common import clip_for_plot, log_slider, sticky_limits
from lrcore.widgets.live_figure import LiveFigure

__all__ = [
    "RULES",
    "EXPLORER_BATCH_SIZES",
    "BatchSizeExplorer",
    "RangeTestExplorer",
    "batch_size_explorer",
    "range_test_explorer",
]

RULES = {
    "none": "keep the lr",
    "linear": "linear rule",
    "sqrt": "square-root rule",
}
"""How the explorer carries the lr from batch 16 to the chosen batch: value → label."""

EXPLORER_BATCH_SIZES: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512, 1024)


def _scaled(rule: str, base_lr: float, batch: int) -> float:
    if rule == "linear":
        return linear_scaled_lr(base_lr, batch, digits.BASE_BATCH_SIZE)
    if rule == "sqrt":
        return sqrt_scaled_lr(base_lr, batch, digits.BASE_BATCH_SIZE)
    return float(base_lr)


class BatchSizeExplorer:
    """Sliders: batch size, lr at batch 16 (log), rule, warmup epochs, epochs, seed.

    Two panels: the training loss (log) and the test accuracy after each epoch, for the
    chosen run and, in grey, for the reference run (batch 16 at `digits.BASE_LR`, same
    epochs and seed). `explorer.run` and `explorer.reference` are the `TrainingRun`s drawn.
    """

    def __init__(
        self,
        batch_size: int = 256,
        base_lr: float = digits.BASE_LR,
        rule: str = "linear",
        warmup_epochs: int = 0,
        epochs: int = digits.EPOCHS,
        seed: int = 0,
    ) -> None:
        import ipywidgets as widgets

        if rule not in RULES:
            raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
        if batch_size not in EXPLORER_BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {EXPLORER_BATCH_SIZES}, got {batch_size}")
        self.controls = {
            "batch_size": widgets.SelectionSlider(options=list(EXPLORER_BATCH_SIZES),
                                                  value=batch_size, description="batch size",
                                                  continuous_update=False),
            "base_lr": log_slider("lr at 16", base_lr, 1e-3, 3.0),
            "rule": widgets.Dropdown(options=[(label, key) for key, label in RULES.items()],
                                     value=rule, description="to batch B"),
            "warmup_epochs": widgets.IntSlider(value=warmup_epochs, min=0, max=5,
                                               description="warmup ep."),
            "epochs": widgets.IntSlider(value=epochs, min=1, max=30, description="epochs",
                                        continuous_update=False),
            "seed": widgets.IntSlider(value=seed, min=0, max=4, description="seed"),
        }
        self.controls["base_lr"].continuous_update = False
        self.status = widgets.HTML()
        self.live = LiveFigure(1, 2, figsize=(11, 3.6), dpi=80)
        ax_loss, ax_acc = self.live.axes
        (self.reference_loss_line,) = ax_loss.plot([], [], color="0.65", lw=1.5,
                                                   label="batch 16, lr 0.1")
        (self.loss_line,) = ax_loss.plot([], [], "o-", color="C3", ms=3, label="this run")
        ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log",
                    title="Training loss after each epoch")
        (self.reference_accuracy_line,) = ax_acc.plot([], [], color="0.65", lw=1.5,
                                                      label="batch 16, lr 0.1")
        (self.accuracy_line,) = ax_acc.plot([], [], "o-", color="C3", ms=3, label="this run")
        ax_acc.set(xlabel="epoch", ylabel="test accuracy", ylim=(0.0, 1.02),
                   title="Test accuracy after each epoch")
        ax_acc.legend(loc="lower right", fontsize=8)
        self.live.figure.tight_layout()
        self.live.animate(self.reference_loss_line, self.loss_line,
                          self.reference_accuracy_line, self.accuracy_line)
        self.run: digits.TrainingRun
        self.reference: digits.TrainingRun
        self.lr = 0.0
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        c = self.controls
        self.widget = widgets.VBox([
            widgets.HBox([c["batch_size"], c["base_lr"], c["rule"]]),
            widgets.HBox([c["warmup_epochs"], c["epochs"], c["seed"]]),
            self.status,
            self.live.widget,
        ])
        self.update()

    def _on_change(self, _change: object) -> None:
        self.update()

    def update(self) -> None:
        """Train (or fetch from the cache) the run of the current sliders and redraw."""
        c = {name: control.value for name, control in self.controls.items()}
        batch, epochs, seed = c["batch_size"], c["epochs"], c["seed"]
        self.lr = _scaled(c["rule"], c["base_lr"], batch)
        warmup = warmup_steps_for_epochs(c["warmup_epochs"], digits.steps_per_epoch(batch))
        self.run = digits.train(batch, self.lr, epochs, warmup_steps=warmup, seed=seed)
        self.reference = digits.train(digits.BASE_BATCH_SIZE, digits.BASE_LR, epochs, seed=seed)
        epoch_axis = np.arange(1, epochs + 1)
        losses, clipped = clip_for_plot(np.asarray(self.run.train_loss))
        reference_losses, _ = clip_for_plot(np.asarray(self.reference.train_loss))
        self.loss_line.set_data(epoch_axis, losses)
        self.reference_loss_line.set_data(epoch_axis, reference_losses)
        self.accuracy_line.set_data(epoch_axis, self.run.test_accuracy)
        self.reference_accuracy_line.set_data(epoch_axis, self.reference.test_accuracy)
        ax_loss, ax_acc = self.live.axes
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(0.5, epochs + 0.5)
        shown = np.concatenate((losses, reference_losses))
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if shown.size:
            ax_loss.set_ylim(sticky_limits(shown.min(), shown.max(), ax_loss.get_ylim(),
                                           log=True))
        self.status.value = self._message(batch, warmup, clipped)
        self.live.refresh()

    def _message(self, batch: int, warmup: int, clipped: bool) -> str:
        run = self.run
        message = (f"batch {batch}: lr = <b>{self.lr:.3g}</b>, {run.steps_per_epoch} steps per "
                   f"epoch ({run.steps_per_epoch * run.epochs} in all)")
        if warmup:
            message += f", warmup over the first {warmup} steps"
        message += (f"; final loss {run.final_train_loss:.3g}, test accuracy "
                    f"{run.final_test_accuracy:.3f} (batch 16: "
                    f"{self.reference.final_test_accuracy:.3f})")
        if clipped:
            message += (" — <span style='color:#b00'>the loss overflowed; values clipped for "
                        "drawing</span>")
        return message

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class RangeTestExplorer:
    """Sliders: batch size, β and the stop factor (and the seed) of a range test on the
    digits with `digits.RANGE_TEST_OPTIONS`; one panel, loss against lr (log).

    Drawn: the raw losses of all steps (grey), the smoothed losses of the recorded steps,
    and vertical lines at the suggestion (min/10) and the steepest descent. `explorer.result`
    is the `RangeTestResult` drawn.
    """

    def __init__(self, batch_size: int = 16, beta: float = range_test.BETA,
                 diverge_factor: float = range_test.DIVERGE_FACTOR, seed: int = 0) -> None:
        import ipywidgets as widgets

        self.controls = {
            "batch_size": widgets.SelectionSlider(options=list(EXPLORER_BATCH_SIZES),
                                                  value=batch_size, description="batch size",
                                                  continuous_update=False),
            "beta": widgets.FloatSlider(value=beta, min=0.0, max=0.995, step=0.005,
                                        description="β", readout_format=".3f"),
            "diverge_factor": widgets.FloatSlider(value=diverge_factor, min=1.1, max=10.0,
                                                  step=0.1, description="stop at ×"),
            "seed": widgets.IntSlider(value=seed, min=0, max=4, description="seed",
                                      continuous_update=False),
        }
        self.status = widgets.HTML()
        self.live = LiveFigure(1, 1, figsize=(8, 3.8), dpi=80)
        (ax,) = self.live.axes
        (self.raw_line,) = ax.plot([], [], color="0.75", lw=0.8, label="raw loss")
        (self.smoothed_line,) = ax.plot([], [], color="C0", lw=2, label="smoothed (recorded)")
        self.suggestion_line = ax.axvline(1.0, color="C3", ls="--", label="suggestion: min / 10")
        self.steepest_line = ax.axvline(1.0, color="C2", ls=":", label="steepest descent")
        options = digits.RANGE_TEST_OPTIONS
        ax.set(xscale="log", xlim=(options["start_lr"], options["end_lr"]),
               xlabel="learning rate", ylabel="loss", title="Learning-rate range test")
        ax.legend(loc="upper left", fontsize=8)
        self.live.figure.tight_layout()
        self.live.animate(self.raw_line, self.smoothed_line, self.suggestion_line,
                          self.steepest_line)
        self.result: range_test.RangeTestResult
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        c = self.controls
        self.widget = widgets.VBox([
            widgets.HBox([c["batch_size"], c["seed"]]),
            widgets.HBox([c["beta"], c["diverge_factor"]]),
            self.status,
            self.live.widget,
        ])
        self.update()

    def _on_change(self, _change: object) -> None:
        self.update()

    def update(self) -> None:
        """Re-smooth the recorded losses for the current sliders and redraw."""
        c = {name: control.value for name, control in self.controls.items()}
        options = digits.RANGE_TEST_OPTIONS
        raw = np.asarray(digits.range_test_losses(
            c["batch_size"], c["seed"], options["start_lr"], options["end_lr"],
            int(options["num_iters"])))
        self.result = range_test.range_test_from_losses(
            raw, options["start_lr"], options["end_lr"], c["beta"], c["diverge_factor"])
        lrs = range_test.exponential_lrs(options["start_lr"], options["end_lr"], raw.size)
        shown_raw, clipped = clip_for_plot(raw)
        self.raw_line.set_data(lrs, shown_raw)
        self.smoothed_line.set_data(self.result.lrs, self.result.smoothed)
        self.suggestion_line.set_xdata([self.result.suggestion] * 2)
        steepest = (self.result.steepest if self.result.lrs.size >= 4
                    else float(self.result.lrs[0]))
        self.steepest_line.set_xdata([steepest] * 2)
        (ax,) = self.live.axes
        finite = self.result.smoothed[np.isfinite(self.result.smoothed)]
        top = max(float(finite.max()) if finite.size else 3.0, 3.0)
        ax.set_ylim(sticky_limits(0.0, top * 1.05, ax.get_ylim()))
        self.status.value = self._message(c["diverge_factor"], clipped)
        self.live.refresh()

    def _message(self, factor: float, clipped: bool) -> str:
        result = self.result
        if result.diverged:
            message = (f"stopped at step {result.lrs.size - 1} (lr {result.lrs[-1]:.3g}): the "
                       f"smoothed loss passed {factor:.1f}× its best")
        else:
            message = ("ran all steps: the smoothed loss never passed "
                       f"{factor:.1f}× its best")
        message += (f"; minimum at lr {result.best_lr:.3g}, suggestion "
                    f"<b>{result.suggestion:.3g}</b>")
        if result.lrs.size >= 4:
            message += f", steepest descent at {result.steepest:.3g}"
        if clipped:
            message += " — <span style='color:#b00'>huge raw losses clipped for drawing</span>"
        return message

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def batch_size_explorer(**initial: Any) -> BatchSizeExplorer:
    """Create and return the batch-size explorer (display it by leaving it last in a cell).

    Keywords: batch_size (one of EXPLORER_BATCH_SIZES), base_lr (the lr at batch 16), rule
    ("none", "linear", "sqrt"), warmup_epochs, epochs, seed.
    """
    return BatchSizeExplorer(**initial)


def range_test_explorer(**initial: Any) -> RangeTestExplorer:
    """Create and return the range-test explorer. Keywords: batch_size, beta, diverge_factor,
    seed."""
    return RangeTestExplorer(**initial)
