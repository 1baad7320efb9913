"""Explorers for ps03: training curves vs batch size and lr, and a range test re-smoothed.

`BatchSizeExplorer` shows the digits network's training (`lrcore.digits.train`) for the batch
size, lr, scaling rule, warmup, epochs and seed of its sliders. A run of E epochs holds the run
of every shorter length (the epochs are trained in the same order), so a setting seen once —
or a longer run of it — is shown without training. `RangeTestExplorer` records the raw losses
of one 400-step range test per batch size and seed once (`lrcore.digits.range_test_losses`)
and re-smooths them for every β and stop factor (`lrcore.range_test.range_test_from_losses`) —
the same result as a fresh test with those settings, because stopping only cuts the record.

Once on screen, both compute ahead what the next slider moves would ask for (the other batch
sizes, the neighbouring lrs, warmups and seeds; `lrcore.widgets.ahead`).

>>> explorer = BatchSizeExplorer(batch_size=64, base_lr=0.1, rule="linear", epochs=2)
>>> explorer.lr, explorer.run.steps_per_epoch
(0.4, 23)
>>> explorer.controls["rule"].value = "none"
>>> explorer.lr
0.1
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, NamedTuple

import numpy as np

from lrcore import digits, range_test
from lrcore.batch_size import linear_scaled_lr, sqrt_scaled_lr, warmup_steps_for_epochs
from lrcore.widgets.ahead import AheadExplorer, Results
from lrcore.widgets.common import (
    COLORS,
    clip_for_plot,
    log_slider,
    readout_value,
    sized,
    slider_neighbours,
    sticky_limits,
)
from lrcore.widgets.frame import ExplorerFrame

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


LR_STEP = 0.1
"""The lr slider's step, in decades (×1.26 per arrow key)."""
MAX_EPOCHS = 30

BatchSetting = tuple[int, float, str, int, int, int]
"""(batch size, lr at batch 16, rule, warmup epochs, epochs, seed)."""
RunKey = tuple[int, float, int, int]
"""What `digits.train` is keyed by, less the epochs: (batch, lr as float32, warmup steps,
seed)."""


def _run_key(batch: int, lr: float, warmup_steps: int, seed: int) -> RunKey:
    return (batch, float(np.float32(lr)), warmup_steps, seed)


class Curves(NamedTuple):
    """The chosen run and the batch-16 reference, both of `epochs` epochs."""

    run: digits.TrainingRun
    reference: digits.TrainingRun


class DigitsRuns:
    """The longest `digits.train` run of every run key computed so far; a shorter one is its
    prefix (`digits.train(..., epochs=E)` equals the first E epochs of a longer run)."""

    def __init__(self, maxsize: int = 400) -> None:
        self._runs: dict[RunKey, digits.TrainingRun] = {}
        self._maxsize = maxsize
        self._lock = threading.Lock()

    @staticmethod
    def _keys(setting: BatchSetting) -> tuple[RunKey, RunKey, int]:
        batch, base_lr, rule, warmup_epochs, epochs, seed = setting
        lr = _scaled(rule, base_lr, batch)
        warmup = warmup_steps_for_epochs(warmup_epochs, digits.steps_per_epoch(batch))
        reference = _run_key(digits.BASE_BATCH_SIZE, digits.BASE_LR, 0, seed)
        return _run_key(batch, lr, warmup, seed), reference, epochs

    def _prefix(self, key: RunKey, epochs: int) -> digits.TrainingRun | None:
        with self._lock:
            run = self._runs.get(key)
        if run is None or run.epochs < epochs:
            return None
        if run.epochs == epochs:
            return run
        return dataclasses.replace(
            run, epochs=epochs, train_loss=run.train_loss[:epochs],
            test_accuracy=run.test_accuracy[:epochs],
            step_lrs=run.step_lrs[:epochs * run.steps_per_epoch])

    def _train(self, key: RunKey, epochs: int) -> digits.TrainingRun:
        batch, lr, warmup, seed = key
        run = self._prefix(key, epochs)
        if run is None:
            run = digits.train(batch, lr, epochs, warmup_steps=warmup, seed=seed)
            with self._lock:
                if key not in self._runs or self._runs[key].epochs < epochs:
                    self._runs[key] = run
                if len(self._runs) > self._maxsize:
                    del self._runs[next(iter(self._runs))]
        return run

    def get(self, setting: BatchSetting) -> Curves | None:
        key, reference_key, epochs = self._keys(setting)
        run, reference = self._prefix(key, epochs), self._prefix(reference_key, epochs)
        return None if run is None or reference is None else Curves(run, reference)

    def compute(self, setting: BatchSetting) -> Curves:
        key, reference_key, epochs = self._keys(setting)
        return Curves(self._train(key, epochs), self._train(reference_key, epochs))


class BatchSizeExplorer(AheadExplorer, ExplorerFrame):
    """Sliders: batch size, lr at batch 16 (log), rule, warmup epochs, epochs, seed.

    Two panels: the training loss (log) and the test accuracy after each epoch, for the
    chosen run and, in grey, for the reference run (batch 16 at `digits.BASE_LR`, same
    epochs and seed). `explorer.run` and `explorer.reference` are the `TrainingRun`s drawn.
    The lr at batch 16 is the slider's readout (3 significant digits).
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
            "batch_size": sized(widgets.SelectionSlider(options=list(EXPLORER_BATCH_SIZES),
                                                        value=batch_size,
                                                        description="batch size")),
            "base_lr": log_slider("lr at 16", base_lr, 1e-3, 3.0, step=LR_STEP),
            "rule": sized(widgets.Dropdown(options=[(label, key) for key, label in RULES.items()],
                                           value=rule, description="to batch B")),
            "warmup_epochs": sized(widgets.IntSlider(value=warmup_epochs, min=0, max=5,
                                                     description="warmup ep.")),
            "epochs": sized(widgets.IntSlider(value=epochs, min=1, max=MAX_EPOCHS,
                                              description="epochs")),
            "seed": sized(widgets.IntSlider(value=seed, min=0, max=4, description="seed")),
        }
        self.status = widgets.HTML()
        self.runs = DigitsRuns()
        self.results: Results[BatchSetting, Curves] = Results(self.runs.compute,
                                                              lookup=self.runs.get)
        self.run: digits.TrainingRun
        self.reference: digits.TrainingRun
        self.lr = 0.0
        self._frame([("batch_size", "base_lr", "rule"), ("warmup_epochs", "epochs", "seed")],
                    (1, 2), 3.3)
        self.update()
        self.compute_ahead_when_shown()

    def _build_figure(self) -> None:
        ax_loss, ax_acc = self.live.axes
        (self.reference_loss_line,) = ax_loss.plot([], [], color=COLORS["grey"], lw=1.5,
                                                   label="batch 16, lr 0.1")
        (self.loss_line,) = ax_loss.plot([], [], "o-", color=COLORS["vermillion"], ms=3,
                                         label="this run")
        ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log",
                    title="Training loss after each epoch")
        (self.reference_accuracy_line,) = ax_acc.plot([], [], color=COLORS["grey"], lw=1.5,
                                                      label="batch 16, lr 0.1")
        (self.accuracy_line,) = ax_acc.plot([], [], "o-", color=COLORS["vermillion"], ms=3,
                                            label="this run")
        ax_acc.set(xlabel="epoch", ylabel="test accuracy", ylim=(0.0, 1.02),
                   title="Test accuracy after each epoch")
        ax_acc.legend(loc="lower right")
        self.live.figure.tight_layout()
        self.live.animate(self.reference_loss_line, self.loss_line,
                          self.reference_accuracy_line, self.accuracy_line)

    def setting(self) -> BatchSetting:
        c = self.controls
        return (c["batch_size"].value, readout_value(c["base_lr"].value), c["rule"].value,
                c["warmup_epochs"].value, c["epochs"].value, c["seed"].value)

    def neighbours(self, setting: BatchSetting) -> list[BatchSetting]:
        batch, base_lr, rule, warmup, epochs, seed = setting
        c = self.controls
        fields = list(c)  # the order of BatchSetting
        sliders = ["batch_size", "base_lr", "warmup_epochs", "seed"]
        sliders.sort(key=lambda name: c[name] is not self.moved[0])  # the moved one first
        longest = (batch, base_lr, rule, warmup, MAX_EPOCHS, seed)  # holds every epochs value
        found: list[BatchSetting] = [longest] if c["epochs"] is self.moved[0] else []
        for name in sliders:
            for value in self.values_ahead(c[name]):
                changed = list(setting)
                changed[fields.index(name)] = readout_value(value) if name == "base_lr" else value
                found.append(tuple(changed))  # type: ignore[arg-type]
        found += [(batch, base_lr, other, warmup, epochs, seed) for other in RULES if other != rule]
        return [*found, longest]

    def waiting_message(self, setting: BatchSetting) -> str:
        batch, base_lr, rule, _warmup, epochs, _seed = setting
        return (f"training batch {batch} at lr = {_scaled(rule, base_lr, batch):.3g} for "
                f"{epochs} epochs …")

    def show(self, setting: BatchSetting, curves: Curves) -> None:
        """Draw the run and the reference (one image) and write the status line."""
        batch, base_lr, rule, warmup_epochs, epochs, _seed = setting
        self.lr = _scaled(rule, base_lr, batch)
        warmup = warmup_steps_for_epochs(warmup_epochs, digits.steps_per_epoch(batch))
        self.run, self.reference = curves
        epoch_axis = np.arange(1, epochs + 1)
        losses, clipped = clip_for_plot(np.asarray(self.run.train_loss))
        reference_losses, _ = clip_for_plot(np.asarray(self.reference.train_loss))
        self.loss_line.set_data(epoch_axis, losses)
        self.reference_loss_line.set_data(epoch_axis, reference_losses)
        self.accuracy_line.set_data(epoch_axis, self.run.test_accuracy)
        self.reference_accuracy_line.set_data(epoch_axis, self.reference.test_accuracy)
        ax_loss, ax_acc = self.live.axes
        epoch_limits = sticky_limits(0.0, epochs, ax_loss.get_xlim())
        for ax in (ax_loss, ax_acc):
            ax.set_xlim(epoch_limits)
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


RangeSetting = tuple[int, float, float, int]
"""(batch size, β, stop factor, seed)."""


def _raw_range_test(key: tuple[int, int]) -> np.ndarray:
    """The raw losses of the digits range test of (batch size, seed)."""
    options = digits.RANGE_TEST_OPTIONS
    batch, seed = key
    return np.asarray(digits.range_test_losses(batch, seed, options["start_lr"],
                                               options["end_lr"], int(options["num_iters"])))


class RangeTestExplorer(AheadExplorer, ExplorerFrame):
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
            "batch_size": sized(widgets.SelectionSlider(options=list(EXPLORER_BATCH_SIZES),
                                                        value=batch_size,
                                                        description="batch size")),
            "beta": sized(widgets.FloatSlider(value=beta, min=0.0, max=0.995, step=0.005,
                                              description="β", readout_format=".3f")),
            "diverge_factor": sized(widgets.FloatSlider(value=diverge_factor, min=1.1, max=10.0,
                                                        step=0.1, description="stop at ×")),
            "seed": sized(widgets.IntSlider(value=seed, min=0, max=4, description="seed")),
        }
        self.status = widgets.HTML()
        self.results: Results[tuple[int, int], np.ndarray] = Results(_raw_range_test)
        self.result: range_test.RangeTestResult
        self._frame([("batch_size", "seed"), ("beta", "diverge_factor")], (1, 1), 3.4)
        self.update()
        self.compute_ahead_when_shown()

    def _build_figure(self) -> None:
        (ax,) = self.live.axes
        (self.raw_line,) = ax.plot([], [], color=COLORS["grey"], lw=0.8, label="raw loss")
        (self.smoothed_line,) = ax.plot([], [], color=COLORS["blue"], lw=2,
                                        label="smoothed (recorded)")
        self.suggestion_line = ax.axvline(1.0, color=COLORS["vermillion"], ls="--",
                                          label="suggestion: min / 10")
        self.steepest_line = ax.axvline(1.0, color=COLORS["black"], ls=":",
                                        label="steepest descent")
        options = digits.RANGE_TEST_OPTIONS
        ax.set(xscale="log", xlim=(options["start_lr"], options["end_lr"]),
               xlabel="learning rate", ylabel="loss", title="Learning-rate range test")
        ax.legend(loc="upper left")
        self.live.figure.tight_layout()
        self.live.animate(self.raw_line, self.smoothed_line, self.suggestion_line,
                          self.steepest_line)

    def setting(self) -> RangeSetting:
        c = self.controls
        return (c["batch_size"].value, c["beta"].value, c["diverge_factor"].value,
                c["seed"].value)

    def result_key(self, setting: RangeSetting) -> tuple[int, int]:
        batch, _beta, _factor, seed = setting
        return (batch, seed)

    def neighbours(self, setting: RangeSetting) -> list[RangeSetting]:
        batch, beta, factor, seed = setting
        batches = self.controls["batch_size"]
        steps = self.steps_for(batches)
        steps += tuple(step for step in range(-7, 8) if step and step not in steps)
        found = [(other, beta, factor, seed) for other in slider_neighbours(batches, steps)]
        found += [(batch, beta, factor, other)
                  for other in self.values_ahead(self.controls["seed"])]
        return found

    def waiting_message(self, setting: RangeSetting) -> str:
        return f"running the range test at batch {setting[0]}, seed {setting[3]} …"

    def show(self, setting: RangeSetting, raw: np.ndarray) -> None:
        """Re-smooth the recorded losses for β and the stop factor, and draw (one image)."""
        _batch, beta, factor, _seed = setting
        options = digits.RANGE_TEST_OPTIONS
        self.result = range_test.range_test_from_losses(
            raw, options["start_lr"], options["end_lr"], beta, factor)
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
        self.status.value = self._message(factor, clipped)
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
