"""The step-size explorer for Q-learning: pick α_n = α/n^ω and watch synchronous Q-learning on
the slippery 4×4 FrozenLake approach Q* (or not).

Three panels, redrawn in place: ‖Q − Q*‖∞ against the sweep (log-log, with α = 0.1 and 1/n drawn
faintly for comparison), the greedy policy's success probability, and the schedule α_n itself.
The numbers are `lrcore.rl.synchronous_q_learning` and `lrcore.rl.learning_curves`.

>>> explorer = QLearningExplorer(schedule="1/n^ω", omega=0.6, sweeps=200)
>>> explorer.controls["omega"].value = 1.0
>>> float(explorer.alpha_line.get_ydata()[1])  # α_2 of 1/n
0.5
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from lrcore import rl
from lrcore.widgets.common import clip_for_plot, log_slider
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["QLearningExplorer", "q_learning_explorer", "SCHEDULE_KINDS", "checkpoints"]

SCHEDULE_KINDS = ("constant α", "1/n^ω")
"""ω = 0 (a constant step) or the slider's ω; α scales both: α_n = α/n^ω."""
GAMMA = 0.99
COMPARISON = (rl.constant_step_size(0.1), rl.polynomial_step_size(1.0))


def checkpoints(sweeps: int, points: int = 60) -> np.ndarray:
    """About `points` log-spaced sweep numbers from 1 to `sweeps` (integers, no repeats)."""
    return np.unique(np.geomspace(1, sweeps, points).astype(np.int64))


@lru_cache(maxsize=1)
def _lake() -> tuple[rl.TransitionModel, np.ndarray]:
    model = rl.frozen_lake_model()
    return model, rl.value_iteration(model, GAMMA)


@lru_cache(maxsize=32)
def _curves(alpha: float, omega: float, sweeps: int, seed: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(checkpoints, ‖Q − Q*‖∞, greedy success probability) of one synchronous run."""
    model, q_star = _lake()
    step = rl.StepSize(alpha=alpha, omega=omega)
    marks = checkpoints(sweeps)
    history = rl.synchronous_q_learning(model, step, sweeps, GAMMA, seed, marks)
    errors, successes = rl.learning_curves(history, q_star, model)
    return marks, errors, successes


class QLearningExplorer:
    """Sliders for the schedule kind, α (log scale), ω, the number of sweeps and the seed."""

    def __init__(self, schedule: str = "1/n^ω", alpha: float = 1.0, omega: float = 0.7,
                 sweeps: int = 3000, seed: int = 0):
        import ipywidgets as widgets

        if schedule not in SCHEDULE_KINDS:
            raise ValueError(f"schedule must be one of {SCHEDULE_KINDS}, got {schedule!r}")
        self.controls = {
            "schedule": widgets.ToggleButtons(options=list(SCHEDULE_KINDS), value=schedule,
                                              description="α_n"),
            "alpha": log_slider("α", alpha, 1e-3, 1.0),
            "omega": widgets.FloatSlider(value=omega, min=0.3, max=1.0, step=0.05,
                                         description="ω"),
            "sweeps": widgets.IntSlider(value=sweeps, min=100, max=20_000, step=100,
                                        description="sweeps"),
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description="seed"),
        }
        for control in self.controls.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = False  # one run per release, not per pixel
        self.status = widgets.HTML()
        self.live = LiveFigure(1, 3, figsize=(13, 3.8))
        ax_error, ax_success, ax_alpha = self.live.axes
        self.comparison_lines = [
            ax_error.plot([], [], color="0.7", lw=1, ls=style, label=step.label)[0]
            for step, style in zip(COMPARISON, ("-", "--"), strict=True)
        ]
        (self.error_line,) = ax_error.plot([], [], color="C3", lw=2)
        ax_error.set(xscale="log", yscale="log", xlabel="sweep", ylabel="‖Q − Q*‖∞",
                     title="Distance to Q*", xlim=(1, 1e4), ylim=(1e-3, 1))
        (self.success_line,) = ax_success.plot([], [], color="C3", lw=2)
        self.optimum_line = ax_success.axhline(0.0, color="k", ls=":", lw=1)
        ax_success.set(xscale="log", xlabel="sweep", ylabel="success probability",
                       xlim=(1, 1e4), ylim=(-0.02, 0.8), title="Greedy policy reaches the goal")
        (self.alpha_line,) = ax_alpha.plot([], [], color="C0")
        ax_alpha.set(xscale="log", yscale="log", xlabel="visit n", ylabel="α_n",
                     title="Step size", xlim=(1, 1e4), ylim=(1e-4, 1.5))
        self.live.figure.tight_layout()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.controls["schedule"], self.controls["alpha"]]),
            widgets.HBox([self.controls["omega"], self.controls["sweeps"], self.controls["seed"]]),
            self.status,
            self.live.widget,
        ])
        self.update()

    def _on_change(self, _change: object) -> None:
        self.update()

    @property
    def step_size(self) -> rl.StepSize:
        """The schedule the controls describe."""
        constant = self.controls["schedule"].value == SCHEDULE_KINDS[0]
        omega = 0.0 if constant else round(float(self.controls["omega"].value), 10)
        return rl.StepSize(alpha=float(self.controls["alpha"].value), omega=omega)

    def update(self) -> None:
        """Rerun the synchronous learner for the current controls and redraw."""
        step = self.step_size
        sweeps, seed = int(self.controls["sweeps"].value), int(self.controls["seed"].value)
        self.controls["omega"].disabled = step.omega == 0
        marks, errors, successes = _curves(step.alpha, step.omega, sweeps, seed)
        shown, clipped = clip_for_plot(errors)
        self.error_line.set_data(marks, np.maximum(shown, 1e-12))
        self.success_line.set_data(marks, successes)
        for line, reference in zip(self.comparison_lines, COMPARISON, strict=True):
            reference_marks, reference_errors, _ = _curves(reference.alpha, reference.omega,
                                                           sweeps, seed)
            line.set_data(reference_marks, reference_errors)
        model, q_star = _lake()
        self.optimum_line.set_ydata([rl.success_probability(model, rl.greedy_policy(q_star))] * 2)
        visits = np.arange(1, sweeps + 1)
        self.alpha_line.set_data(visits, step.values(sweeps))
        ax_error, ax_success, ax_alpha = self.live.axes
        for ax in self.live.axes:
            ax.set_xlim(1, sweeps)
        lowest = min(float(np.min(shown)), *(float(np.min(line.get_ydata()))
                                              for line in self.comparison_lines))
        ax_error.set_ylim(max(lowest, 1e-12) / 1.5, 1.5)
        ax_alpha.set_ylim(float(step.values(sweeps)[-1]) / 2, 2 * step.alpha)
        self.error_line.set_label(step.label)
        ax_error.legend(fontsize=8, loc="lower left")
        if step.omega == 0:
            rule = "constant: Σα = ∞ but Σα² = ∞ — Q never settles, it keeps a noise floor"
        elif step.robbins_monro:
            rule = "Σα = ∞ and Σα² < ∞ — the Robbins–Monro conditions hold"
        else:
            rule = "ω ≤ ½: Σα² = ∞ — the noise is not averaged away"
        message = (f"{step.label}: {rule}. After {sweeps} sweeps ‖Q − Q*‖∞ = "
                   f"<b>{errors[-1]:.3g}</b>, success probability {successes[-1]:.3f}.")
        if clipped:
            message += " — <span style='color:#b00'>Q overflowed; values clipped for drawing</span>"
        self.status.value = message
        self.live.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def q_learning_explorer(**initial: object) -> QLearningExplorer:
    """Create and return the explorer (display it by leaving it last in a cell)."""
    return QLearningExplorer(**initial)  # type: ignore[arg-type]
