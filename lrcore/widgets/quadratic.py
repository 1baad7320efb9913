"""The learning-rate explorer on f(x) = a·x²: trajectory on the parabola, |x| and lr vs step.

A scheduler selector picks the lr of every step from `lrcore.schedules` (constant, step,
exponential, cosine, linear warmup, cyclic triangular, one-cycle), each with its own
sliders. Without momentum each step multiplies x by 1 − 2a·lr_t; the cyclic and one-cycle
schedules also cycle SGD's momentum μ_t by default, as torch's do, and then the run is torch's
SGD with a momentum buffer (b = μ_t·b + g, x ← x − lr_t·b), computed by `lrcore.optim`.

>>> explorer = QuadraticExplorer(lr=0.9, x0=500.0, a=1.0, steps=20)
>>> explorer.controls["lr"].value = 0.1
>>> float(explorer.trajectory_line.get_xdata()[-1])  # x after 20 steps of lr = 0.1, float64
5.764607523034...
>>> explorer.controls["schedule"].value = "one_cycle"
>>> explorer.controls["lr"].value = 1.0  # OneCycleLR(max_lr=1.0, total_steps=20), momentum on
>>> round(float(explorer.trajectory_line.get_xdata()[-1]), 3)
218.001
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from lrcore import optim, quadratic
from lrcore import schedules as sched
from lrcore.widgets.ahead import Results
from lrcore.widgets.common import (
    COLORS,
    FONT_SIZE,
    clip_for_plot,
    control_row,
    log_slider,
    sized,
    sticky_limits,
)
from lrcore.widgets.frame import ExplorerFrame
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["SCHEDULES", "QuadraticExplorer", "quadratic_explorer"]

SCHEDULES = {
    "constant": "constant",
    "step": "step (StepLR)",
    "exponential": "exponential (ExponentialLR)",
    "cosine": "cosine (CosineAnnealingLR)",
    "warmup": "linear warmup (LinearLR)",
    "cyclic": "cyclic, triangular (CyclicLR)",
    "one_cycle": "one-cycle (OneCycleLR)",
}
"""The schedules the selector offers: value → label."""

_MOMENTUM_SCHEDULES = ("cyclic", "one_cycle")

Setting = tuple[tuple[str, Any], ...]
"""Every control's (name, value)."""


class QuadraticRun(NamedTuple):
    """One setting's schedule, lrs, momenta (None without cycled momentum) and x_0 … x_T."""

    schedule: sched.Schedule
    lrs: np.ndarray
    momenta: np.ndarray | None
    xs: np.ndarray


class QuadraticExplorer(ExplorerFrame):
    """Sliders for lr (log scale), x0, a, steps and a schedule; three panels redrawn in place.

    `lr` is the schedule's peak: the base lr of the constant, step, exponential, cosine and
    warmup schedules, `max_lr` of the cyclic and one-cycle ones. Without momentum the
    trajectory is the closed form x_t = x0·∏(1 − 2a·lr_s) in float64 — the numbers of
    `lrcore.quadratic.gradient_descent` with the same lrs. `explorer.schedule` is the lrcore
    schedule of the current slider values.
    """

    def __init__(
        self,
        lr: float = 0.1,
        x0: float = 500.0,
        a: float = 1.0,
        steps: int = 20,
        schedule: str = "constant",
    ):
        import ipywidgets as widgets

        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
        self.controls = {
            "lr": log_slider("lr", lr, 1e-3, 3.0),
            "x0": widgets.FloatSlider(value=x0, min=-1000, max=1000, step=10,
                                      description="x0"),
            "a": log_slider("a", a, 0.1, 10.0),
            "steps": widgets.IntSlider(value=steps, min=1, max=100, description="steps"),
            "schedule": widgets.Dropdown(
                options=[(label, key) for key, label in SCHEDULES.items()], value=schedule,
                description="schedule",
            ),
            # step
            "step_size": widgets.IntSlider(value=5, min=1, max=50, description="step_size"),
            "step_gamma": widgets.FloatSlider(value=0.5, min=0.05, max=1.0, step=0.05,
                                              description="γ per stage"),
            # exponential
            "exp_gamma": widgets.FloatSlider(value=0.9, min=0.5, max=1.0, step=0.01,
                                             description="γ per step"),
            # cosine
            "T_max": widgets.IntSlider(value=20, min=1, max=100, description="T_max"),
            "eta_min_ratio": widgets.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.01,
                                                 description="η_min / lr"),
            # linear warmup
            "warmup_steps": widgets.IntSlider(value=5, min=0, max=50, description="warmup"),
            "start_factor": widgets.FloatSlider(value=0.1, min=0.01, max=1.0, step=0.01,
                                                description="start ×"),
            "then": widgets.Dropdown(options=[("then constant", "constant"),
                                              ("then cosine to 0", "cosine")],
                                     value="constant", description="after"),
            # cyclic
            "base_lr": log_slider("base_lr", 0.01, 1e-4, 3.0),
            "step_size_up": widgets.IntSlider(value=5, min=1, max=50, description="step up"),
            # one-cycle
            "pct_start": widgets.FloatSlider(value=0.3, min=0.05, max=0.95, step=0.05,
                                             description="pct_start"),
            "div_factor": log_slider("div_factor", 25.0, 1.0, 1e3),
            # cyclic and one-cycle
            "cycle_momentum": widgets.Checkbox(value=True, description="cycle momentum (torch)",
                                               indent=False),
        }
        controls = self.controls
        self._parameters = {
            "constant": [],
            "step": [controls["step_size"], controls["step_gamma"]],
            "exponential": [controls["exp_gamma"]],
            "cosine": [controls["T_max"], controls["eta_min_ratio"]],
            "warmup": [controls["warmup_steps"], controls["start_factor"], controls["then"]],
            "cyclic": [controls["base_lr"], controls["step_size_up"],
                       controls["cycle_momentum"]],
            "one_cycle": [controls["pct_start"], controls["div_factor"],
                          controls["cycle_momentum"]],
        }
        for name, control in controls.items():
            if name != "lr" and not isinstance(control, widgets.Checkbox):
                sized(control)
        self.parameter_box = control_row()
        self.parameter_box.layout.min_height = "34px"
        self.status = widgets.HTML()
        self.results: Results[Setting, QuadraticRun] = Results(self._compute, maxsize=512)
        self.schedule: sched.Schedule = sched.constant_lr(lr, factor=1.0, total_iters=0)
        self._x_extent: tuple[float, float] | None = None
        self._frame([("lr", "x0", "a"), ("steps", "schedule")], (1, 3), 3.1,
                    self.parameter_box)
        self.update()

    def _build_figure(self) -> None:
        ax_parabola, ax_x, ax_lr = self.live.axes
        (self.parabola_line,) = ax_parabola.plot([], [], color=COLORS["grey"],
                                                 label="f(x) = a·x²")
        (self.trajectory_line,) = ax_parabola.plot([], [], "o-", color=COLORS["vermillion"],
                                                   ms=3, label="trajectory")
        ax_parabola.set(xlabel="x", ylabel="f(x)", title="Steps on the parabola")
        (self.x_line,) = ax_x.plot([], [], "o-", color=COLORS["blue"], ms=3)
        ax_x.set(xlabel="step", ylabel="|x|", yscale="log", title="Distance to the minimum")
        (self.lr_line,) = ax_lr.plot([], [], drawstyle="steps-post", color=COLORS["blue"],
                                     label="lr")
        ax_lr.set(xlabel="step", ylabel="learning rate", title="Learning rate")
        self.momentum_axes = ax_lr.twinx()
        LiveFigure.style_axes(self.momentum_axes)
        (self.momentum_line,) = self.momentum_axes.plot([], [], drawstyle="steps-post",
                                                        color=COLORS["orange"], ls="--",
                                                        label="momentum μ")
        self.momentum_axes.set(ylim=(0.0, 1.0), ylabel="momentum μ (dashed)")
        self.live.figure.tight_layout(w_pad=0.6)  # room for the momentum axis, shown when used
        self.momentum_axes.set_visible(False)
        self.live.animate(self.parabola_line, self.trajectory_line, self.x_line, self.lr_line,
                          self.momentum_line)

    def _on_change(self, _change: object) -> None:
        self.update()

    def setting(self) -> Setting:
        """The current value of every control."""
        return tuple((name, control.value) for name, control in self.controls.items())

    def build_schedule(self) -> sched.Schedule:
        """The lrcore schedule of the current slider values (for `steps` steps)."""
        return _schedule(dict(self.setting()))

    @staticmethod
    def _compute(setting: Setting) -> QuadraticRun:
        values = dict(setting)
        x0, a, steps = values["x0"], values["a"], values["steps"]
        schedule = _schedule(values)
        lrs = schedule.values(steps)
        momenta = schedule.momenta(steps)
        if momenta is None:
            trajectory = quadratic.closed_form_trajectory(lrs, steps, x0, a)
        else:  # torch's SGD with the schedule's momentum: a buffer, not a product formula
            trajectory = optim.run("sgd", x0, lambda x: 2.0 * a * x, steps, schedule)
        return QuadraticRun(schedule, lrs, momenta, np.concatenate(([x0], trajectory)))

    def update(self) -> None:
        """Show the run of the current slider values (computed once per setting) in place."""
        with self.live.lock:
            c = self.controls
            x0, a, steps = c["x0"].value, c["a"].value, c["steps"].value
            name = c["schedule"].value
            self.parameter_box.children = self._parameters[name]
            run = self.results(self.setting())
            self.schedule = run.schedule
            lrs, momenta, xs = run.lrs, run.momenta, run.xs
            shown, clipped = clip_for_plot(xs)
            step_axis = np.arange(steps + 1)

            # Axis limits are sticky (`sticky_limits`): most slider moves leave every axis as
            # it was, so only the lines are redrawn (blitted).
            self._x_extent = sticky_limits(0.0, max(abs(x0), 1e-3), self._x_extent)
            half_width = self._x_extent[1]
            grid = np.linspace(-half_width, half_width, 201)
            self.parabola_line.set_data(grid, a * grid**2)
            self.trajectory_line.set_data(shown, a * shown**2)
            magnitude = np.maximum(np.abs(shown), 1e-300)
            self.x_line.set_data(step_axis, magnitude)
            # steps-post: lr_t is drawn from step t to t+1; the last value repeated closes it.
            self.lr_line.set_data(step_axis, np.append(lrs, lrs[-1]))
            self.momentum_axes.set_visible(momenta is not None)
            if momenta is not None:
                self.momentum_line.set_data(step_axis, np.append(momenta, momenta[-1]))
            self.momentum_line.set_visible(momenta is not None)

            ax_parabola, ax_x, ax_lr = self.live.axes
            ax_parabola.set_xlim(-half_width, half_width)
            ax_parabola.set_ylim(sticky_limits(0.0, a * half_width**2, ax_parabola.get_ylim()))
            step_limits = sticky_limits(0.0, steps, ax_x.get_xlim())
            for ax in (ax_x, ax_lr):
                ax.set_xlim(step_limits)
            visible_floor = max(abs(x0), 1.0) * 1e-16
            ax_x.set_ylim(sticky_limits(max(magnitude.min(), visible_floor), magnitude.max(),
                                        ax_x.get_ylim(), log=True, headroom=2))
            ax_lr.set_ylim(sticky_limits(min(0.0, lrs.min()), lrs.max(), ax_lr.get_ylim()))
            ax_lr.set_title(f"Learning rate: {name.replace('_', '-')}",
                            fontsize=FONT_SIZE["title"])
            self.status.value = self._message(name, lrs, momenta, xs, a, clipped)
            self.live.refresh()

    def _message(self, name: str, lrs: np.ndarray, momenta: np.ndarray | None, xs: np.ndarray,
                 a: float, clipped: bool) -> str:
        bound = quadratic.stability_bound(a)
        if name == "constant":
            lr = float(lrs[0])
            message = f"lr = {lr:.3g}, 1/a = {bound:.3g}: <b>{quadratic.classify_lr(lr, a)}</b>"
        else:
            growing = int(np.count_nonzero(np.abs(quadratic.contraction_factor(lrs, a)) > 1))
            message = (f"lr from {lrs.min():.3g} to {lrs.max():.3g}, 1/a = {bound:.3g}: "
                       f"{growing} of {lrs.size} steps have lr &gt; 1/a")
        if momenta is not None:
            message += (f"; SGD momentum μ cycles {momenta.min():.2f}–{momenta.max():.2f} "
                        "(torch's default for this scheduler)")
        final = xs[-1]
        message += f"; final x = {final:.4g}" if np.isfinite(final) else "; final x overflowed"
        if clipped:
            message += " — <span style='color:#b00'>x overflowed; values clipped for drawing</span>"
        return message


def _schedule(c: dict[str, Any]) -> sched.Schedule:
    """The lrcore schedule that the control values `c` describe."""
    lr, steps, name = c["lr"], c["steps"], c["schedule"]
    if name == "step":
        return sched.step_lr(lr, step_size=c["step_size"], gamma=c["step_gamma"])
    if name == "exponential":
        return sched.exponential_lr(lr, gamma=c["exp_gamma"])
    if name == "cosine":
        return sched.cosine_annealing_lr(lr, T_max=c["T_max"],
                                         eta_min=c["eta_min_ratio"] * lr)
    if name == "warmup":
        warmup_steps = c["warmup_steps"]
        if c["then"] == "cosine":
            after = sched.cosine_annealing_lr(lr, T_max=max(steps - warmup_steps, 1))
            return sched.warmup(after, warmup_steps, start_factor=c["start_factor"])
        return sched.linear_lr(lr, start_factor=c["start_factor"], end_factor=1.0,
                               total_iters=warmup_steps)
    if name == "cyclic":
        return sched.cyclic_lr(c["base_lr"], lr, step_size_up=c["step_size_up"],
                               mode="triangular", cycle_momentum=c["cycle_momentum"])
    if name == "one_cycle":
        return sched.one_cycle_lr(lr, total_steps=steps, pct_start=c["pct_start"],
                                  div_factor=c["div_factor"],
                                  cycle_momentum=c["cycle_momentum"])
    # A constant lr, exactly: torch's ConstantLR with factor 1 never changes it.
    return sched.constant_lr(lr, factor=1.0, total_iters=0)


def quadratic_explorer(**initial: float | int | str) -> QuadraticExplorer:
    """Create and return the explorer (display it by leaving it last in a cell).

    Keywords: lr, x0, a, steps, schedule (one of `SCHEDULES`).
    """
    return QuadraticExplorer(**initial)  # type: ignore[arg-type]
