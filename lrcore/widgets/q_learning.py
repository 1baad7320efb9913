"""The step-size explorer for Q-learning: pick α_n = α/n^ω and watch synchronous Q-learning on
the slippery 4×4 FrozenLake approach Q* (or not).

Three panels, redrawn in place: ‖Q − Q*‖∞ against the sweep (log-log, with α = 0.1 and 1/n drawn
faintly for comparison), the greedy policy's success probability, and the schedule α_n itself.
The numbers are `lrcore.rl.synchronous_q_learning` and `lrcore.rl.learning_curves`; a greedy
policy's success probability is computed once per policy (a run's checkpoints share a few
dozen policies). Runs are kept, and once the explorer is on screen the runs of the neighbouring
slider positions are computed ahead (`lrcore.widgets.ahead`).

>>> explorer = QLearningExplorer(schedule="1/n^ω", omega=0.6, sweeps=200)
>>> explorer.controls["omega"].value = 1.0
>>> float(explorer.alpha_line.get_ydata()[1])  # α_2 of 1/n
0.5
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from lrcore import rl
from lrcore.widgets.ahead import AheadExplorer, Results
from lrcore.widgets.common import (
    COLORS,
    clip_for_plot,
    log_slider,
    readout_value,
    sized,
    sticky_limits,
)
from lrcore.widgets.frame import ExplorerFrame

__all__ = ["QLearningExplorer", "q_learning_explorer", "SCHEDULE_KINDS", "checkpoints"]

SCHEDULE_KINDS = ("constant α", "1/n^ω")
"""ω = 0 (a constant step) or the slider's ω; α scales both: α_n = α/n^ω."""
GAMMA = 0.99
COMPARISON = (rl.constant_step_size(0.1), rl.polynomial_step_size(1.0))
ALPHA_STEP = 0.1
"""The α slider's step, in decades."""

Setting = tuple[float, float, int, int]
"""(α, ω, sweeps, seed); ω = 0 for a constant step."""


def checkpoints(sweeps: int, points: int = 60) -> np.ndarray:
    """About `points` log-spaced sweep numbers from 1 to `sweeps` (integers, no repeats)."""
    return np.unique(np.geomspace(1, sweeps, points).astype(np.int64))


@lru_cache(maxsize=1)
def _lake() -> tuple[rl.TransitionModel, np.ndarray]:
    model = rl.frozen_lake_model()
    return model, rl.value_iteration(model, GAMMA)


_successes: dict[bytes, float] = {}
_successes_lock = threading.Lock()


def _success_probability(policy: np.ndarray) -> float:
    """`rl.success_probability` of a greedy policy on the lake, computed once per policy."""
    key = policy.tobytes()
    with _successes_lock:
        known = _successes.get(key)
    if known is None:
        known = rl.success_probability(_lake()[0], policy)
        with _successes_lock:
            _successes[key] = known
    return known


class Curves(NamedTuple):
    """One run's checkpoints, ‖Q − Q*‖∞ and greedy success probability at each of them."""

    marks: np.ndarray
    errors: np.ndarray
    successes: np.ndarray


@lru_cache(maxsize=256)
def _curves(alpha: float, omega: float, sweeps: int, seed: int) -> Curves:
    """The learning curves of one synchronous run: those of `rl.learning_curves`."""
    model, q_star = _lake()
    marks = checkpoints(sweeps)
    history = rl.synchronous_q_learning(model, rl.StepSize(alpha=alpha, omega=omega), sweeps,
                                        GAMMA, seed, marks)
    errors = np.atleast_1d(rl.sup_norm_error(history, q_star))
    successes = np.array([_success_probability(rl.greedy_policy(q)) for q in history])
    return Curves(marks, errors, successes)


class Shown(NamedTuple):
    """The chosen run and the two comparison runs (α = 0.1, 1/n) of the same length and seed."""

    run: Curves
    comparisons: tuple[Curves, ...]


def _shown(setting: Setting) -> Shown:
    alpha, omega, sweeps, seed = setting
    return Shown(_curves(alpha, omega, sweeps, seed),
                 tuple(_curves(step.alpha, step.omega, sweeps, seed) for step in COMPARISON))


class QLearningExplorer(AheadExplorer, ExplorerFrame):
    """Sliders for the schedule kind, α (log scale), ω, the number of sweeps and the seed.

    α is the slider's readout (3 significant digits), the value the student reads.
    """

    def __init__(self, schedule: str = "1/n^ω", alpha: float = 1.0, omega: float = 0.7,
                 sweeps: int = 3000, seed: int = 0):
        import ipywidgets as widgets

        if schedule not in SCHEDULE_KINDS:
            raise ValueError(f"schedule must be one of {SCHEDULE_KINDS}, got {schedule!r}")
        self.controls = {
            "schedule": widgets.ToggleButtons(options=list(SCHEDULE_KINDS), value=schedule,
                                              description="α_n",
                                              layout=widgets.Layout(width="300px"),
                                              style={"button_width": "100px",
                                                     "description_width": "78px"}),
            "alpha": log_slider("α", alpha, 1e-3, 1.0, step=ALPHA_STEP),
            "omega": sized(widgets.FloatSlider(value=omega, min=0.3, max=1.0, step=0.05,
                                               description="ω")),
            "sweeps": sized(widgets.IntSlider(value=sweeps, min=100, max=20_000, step=100,
                                              description="sweeps")),
            "seed": sized(widgets.IntSlider(value=seed, min=0, max=20, description="seed")),
        }
        self.status = widgets.HTML()
        self.results: Results[Setting, Shown] = Results(_shown)
        self._frame([("schedule", "alpha"), ("omega", "sweeps", "seed")], (1, 3), 3.2)
        self.update()
        self.compute_ahead_when_shown()

    def _build_figure(self) -> None:
        ax_error, ax_success, ax_alpha = self.live.axes
        self.comparison_lines = [
            ax_error.plot([], [], color=COLORS["grey"], lw=1, ls=style, label=step.label)[0]
            for step, style in zip(COMPARISON, ("-", "--"), strict=True)
        ]
        (self.error_line,) = ax_error.plot([], [], color=COLORS["vermillion"], lw=2,
                                           label="this run")
        ax_error.set(xscale="log", yscale="log", xlabel="sweep", ylabel="‖Q − Q*‖∞",
                     title="Distance to Q*", xlim=(1, 1e4), ylim=(1e-4, 2))
        ax_error.legend(loc="lower left")
        (self.success_line,) = ax_success.plot([], [], color=COLORS["vermillion"], lw=2)
        model, q_star = _lake()
        optimum = rl.success_probability(model, rl.greedy_policy(q_star))
        self.optimum_line = ax_success.axhline(optimum, color=COLORS["black"], ls=":", lw=1)
        ax_success.set(xscale="log", xlabel="sweep", ylabel="success probability",
                       xlim=(1, 1e4), ylim=(-0.02, 0.8), title="Greedy policy reaches the goal")
        (self.alpha_line,) = ax_alpha.plot([], [], color=COLORS["blue"])
        ax_alpha.set(xscale="log", yscale="log", xlabel="visit n", ylabel="α_n",
                     title="Step size", xlim=(1, 1e4), ylim=(1e-6, 2))
        # Wide limits from the start, kept while the data fit (`sticky_limits`): moving α or ω
        # redraws the lines only.
        self.live.figure.tight_layout(w_pad=0.8)
        self.live.animate(*self.comparison_lines, self.error_line, self.success_line,
                          self.alpha_line)

    @property
    def step_size(self) -> rl.StepSize:
        """The schedule the controls describe."""
        constant = self.controls["schedule"].value == SCHEDULE_KINDS[0]
        omega = 0.0 if constant else round(float(self.controls["omega"].value), 10)
        return rl.StepSize(alpha=readout_value(self.controls["alpha"].value), omega=omega)

    def setting(self) -> Setting:
        step = self.step_size
        return (step.alpha, step.omega, int(self.controls["sweeps"].value),
                int(self.controls["seed"].value))

    def neighbours(self, setting: Setting) -> list[Setting]:
        alpha, omega, sweeps, seed = setting
        c = self.controls
        sliders = ["alpha", "omega", "sweeps", "seed"]
        if omega == 0:
            sliders.remove("omega")
        sliders.sort(key=lambda name: c[name] is not self.moved[0])  # the moved one first
        found: list[Setting] = []
        for name in sliders:
            for value in self.values_ahead(c[name]):
                changed = list(setting)
                if name == "alpha":
                    changed[0] = readout_value(value)
                elif name == "omega":
                    changed[1] = round(float(value), 10)
                else:
                    changed[2 if name == "sweeps" else 3] = int(value)
                found.append(tuple(changed))  # type: ignore[arg-type]
        other_omega = round(float(c["omega"].value), 10) if omega == 0 else 0.0
        found.append((alpha, other_omega, sweeps, seed))  # the other kind of schedule
        return found

    def waiting_message(self, setting: Setting) -> str:
        alpha, omega, sweeps, _seed = setting
        return f"running {rl.StepSize(alpha, omega).label} for {sweeps} sweeps …"

    def show(self, setting: Setting, shown: Shown) -> None:
        """Draw the run, the comparison runs and α_n (one image) and the status line."""
        alpha, omega, sweeps, _seed = setting
        step = rl.StepSize(alpha=alpha, omega=omega)
        self.controls["omega"].disabled = omega == 0
        marks, errors, successes = shown.run
        errors_shown, clipped = clip_for_plot(errors)
        self.error_line.set_data(marks, np.maximum(errors_shown, 1e-12))
        self.success_line.set_data(marks, successes)
        for line, comparison in zip(self.comparison_lines, shown.comparisons, strict=True):
            line.set_data(comparison.marks, comparison.errors)
        alphas = step.values(sweeps)
        self.alpha_line.set_data(np.arange(1, sweeps + 1), alphas)

        ax_error, _ax_success, ax_alpha = self.live.axes
        sweep_limits = sticky_limits(1.0, sweeps, self.live.axes[0].get_xlim(), log=True)
        for ax in self.live.axes:
            ax.set_xlim(sweep_limits)
        every_error = np.concatenate([errors_shown, *(c.errors for c in shown.comparisons)])
        ax_error.set_ylim(sticky_limits(max(float(every_error.min()), 1e-12),
                                        float(every_error.max()), ax_error.get_ylim(), log=True))
        ax_alpha.set_ylim(sticky_limits(float(alphas[-1]), float(alphas[0]), ax_alpha.get_ylim(),
                                        log=True))
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


def q_learning_explorer(**initial: Any) -> QLearningExplorer:
    """Create and return the explorer (display it by leaving it last in a cell)."""
    return QLearningExplorer(**initial)
