"""The learning-rate explorer on f(x) = a·x²: trajectory on the parabola, x and lr vs step.

>>> explorer = QuadraticExplorer(lr=0.9, x0=500.0, a=1.0, steps=20)
>>> explorer.controls["lr"].value = 0.1
>>> float(explorer.trajectory_line.get_xdata()[-1])  # x after 20 steps of lr = 0.1, float64
5.764607523034...
"""

from __future__ import annotations

import numpy as np

from lrcore import quadratic
from lrcore.widgets.common import clip_for_plot, log_slider
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["QuadraticExplorer", "quadratic_explorer"]


class QuadraticExplorer:
    """Sliders for lr (log scale), x0, a and steps; three panels redrawn in place.

    The trajectory is the closed form x_t = x0·(1 − 2a·lr)^t in float64 — the same numbers as
    `lrcore.quadratic.gradient_descent`, computed without a Python loop.
    """

    def __init__(self, lr: float = 0.1, x0: float = 500.0, a: float = 1.0, steps: int = 20):
        import ipywidgets as widgets

        self.controls = {
            "lr": log_slider("lr", lr, 1e-3, 3.0),
            "x0": widgets.FloatSlider(value=x0, min=-1000, max=1000, step=10, description="x0"),
            "a": log_slider("a", a, 0.1, 10.0),
            "steps": widgets.IntSlider(value=steps, min=1, max=100, description="steps"),
        }
        self.status = widgets.HTML()
        self.live = LiveFigure(1, 3, figsize=(12, 3.6))
        ax_parabola, ax_x, ax_lr = self.live.axes
        (self.parabola_line,) = ax_parabola.plot([], [], color="0.7", label="f(x) = a·x²")
        (self.trajectory_line,) = ax_parabola.plot([], [], "o-", color="C1", ms=3,
                                                   label="trajectory")
        ax_parabola.set(xlabel="x", ylabel="f(x)", title="Steps on the parabola")
        (self.x_line,) = ax_x.plot([], [], "o-", ms=3)
        ax_x.set(xlabel="step", ylabel="|x|", yscale="log", title="Distance to the minimum")
        (self.lr_line,) = ax_lr.plot([], [], drawstyle="steps-post")
        ax_lr.set(xlabel="step", ylabel="learning rate", title="Learning rate")
        self.live.figure.tight_layout()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.controls["lr"], self.controls["x0"]]),
            widgets.HBox([self.controls["a"], self.controls["steps"]]),
            self.status,
            self.live.widget,
        ])
        self.update()

    def _on_change(self, _change: object) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the run for the current slider values and redraw."""
        lr = self.controls["lr"].value
        x0 = self.controls["x0"].value
        a = self.controls["a"].value
        steps = self.controls["steps"].value
        xs = np.concatenate(([x0], quadratic.closed_form_trajectory(lr, steps, x0, a)))
        shown, clipped = clip_for_plot(xs)
        span = max(abs(x0), 1.0) * 1.1
        grid = np.linspace(-span, span, 201)
        self.parabola_line.set_data(grid, a * grid**2)
        self.trajectory_line.set_data(shown, a * shown**2)
        magnitude = np.maximum(np.abs(shown), 1e-300)
        self.x_line.set_data(np.arange(steps + 1), magnitude)
        self.lr_line.set_data(np.arange(steps + 1), np.full(steps + 1, lr))
        ax_parabola, ax_x, ax_lr = self.live.axes
        ax_parabola.set_xlim(-span, span)
        ax_parabola.set_ylim(-0.05 * a * span**2, a * span**2)
        for ax in (ax_x, ax_lr):
            ax.relim()
            ax.autoscale_view()
        regime = quadratic.classify_lr(lr, a)
        bound = quadratic.stability_bound(a)
        message = f"lr = {lr:.3g}, 1/a = {bound:.3g}: <b>{regime}</b>"
        if clipped:
            message += " — <span style='color:#b00'>x overflowed; values clipped for drawing</span>"
        self.status.value = message
        self.live.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def quadratic_explorer(**initial: float) -> QuadraticExplorer:
    """Create and return the explorer (display it by leaving it last in a cell)."""
    return QuadraticExplorer(**initial)
