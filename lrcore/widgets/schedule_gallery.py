"""A gallery of every learning-rate schedule policy, side by side, driven by shared sliders.

Sixteen small panels — no scheduler and each `torch.optim.lr_scheduler` policy, computed by
`lrcore.schedules` — share five sliders, from which each policy's own arguments are derived:

- `lr`: the base (or peak) lr of every schedule; CyclicLR cycles between lr/10 and lr;
- `steps` T: the length of the run; one *stage* is s = max(T // 4, 1) steps;
- `γ`: the factor of one stage — StepLR(step_size=s), MultiStepLR at T/2 and 3T/4,
  ExponentialLR with γ^(1/s) per step (it meets StepLR at every stage boundary),
  ReduceLROnPlateau's factor;
- `cycles`: the cycles of CyclicLR (step_size_up = T / (2·cycles)) and of
  CosineAnnealingWarmRestarts (T_0 = T / cycles);
- `warm-up`: the fraction w of T spent warming up, k = round(w·T) steps — ConstantLR's and
  LinearLR's total_iters, the warmup of the SequentialLR and ChainedScheduler examples,
  OneCycleLR's pct_start (at least 0.05).

>>> gallery = ScheduleGallery(lr=0.1, steps=100)
>>> gallery.controls["gamma"].value = 0.5
>>> gallery.lines["step_lr"].get_ydata()[[0, 24, 25, 50]].tolist()
[0.1, 0.1, 0.05, 0.025]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lrcore import schedules as sched
from lrcore.widgets.ahead import Results
from lrcore.widgets.common import (
    COLORS,
    FONT_SIZE,
    log_slider,
    sized,
    sticky_limits,
)
from lrcore.widgets.frame import ExplorerFrame

__all__ = ["GALLERY", "GalleryParameters", "ScheduleGallery", "schedule_gallery"]


@dataclass(frozen=True)
class GalleryParameters:
    """The shared slider values and what each policy derives from them."""

    lr: float
    steps: int
    gamma: float
    cycles: int
    warmup_fraction: float

    @property
    def stage(self) -> int:
        """s = max(T // 4, 1): StepLR's step_size, ExponentialLR's γ^(1/s), LambdaLR's scale."""
        return max(self.steps // 4, 1)

    @property
    def warmup_steps(self) -> int:
        """k = round(w·T)."""
        return int(round(self.warmup_fraction * self.steps))

    @property
    def gamma_per_step(self) -> float:
        return self.gamma ** (1.0 / self.stage)

    def loss_curve(self) -> np.ndarray:
        """The synthetic validation loss ReduceLROnPlateau watches: fast progress, then a
        noisy plateau (seeded)."""
        t = np.arange(self.steps, dtype=np.float64)
        noise = np.random.default_rng(0).standard_normal(self.steps)
        return 0.3 + 0.7 * np.exp(-t / max(self.steps / 6, 1.0)) + 0.01 * noise


def _plateau(p: GalleryParameters) -> np.ndarray:
    return sched.plateau_lrs(p.loss_curve(), p.lr, factor=p.gamma, patience=max(p.steps // 20, 1))


def _inverse_time_factor(stage: int) -> Callable[[int], float]:
    # 1/(1 + t/s): LambdaLR's classic inverse-time decay.
    return lambda t: 1.0 / (1.0 + t / stage)


def _linear_decay_factor(total: int) -> Callable[[int], float]:
    # ∏_{s=1..t} (T−s)/(T−s+1) = (T−t)/T: MultiplicativeLR can draw a straight line.
    return lambda t: max(total - t, 0) / max(total - t + 1, 1)


GALLERY: dict[str, tuple[str, Callable[[GalleryParameters], sched.Schedule | np.ndarray]]] = {
    "none": ("no scheduler", lambda p: sched.constant_lr(p.lr, factor=1.0, total_iters=0)),
    "constant_lr": ("constant_lr (×1/3 for k)",
                    lambda p: sched.constant_lr(p.lr, factor=1 / 3, total_iters=p.warmup_steps)),
    "linear_lr": ("linear_lr (warm-up over k)",
                  lambda p: sched.linear_lr(p.lr, start_factor=0.1, end_factor=1.0,
                                            total_iters=p.warmup_steps)),
    "step_lr": ("step_lr (×γ every s)",
                lambda p: sched.step_lr(p.lr, step_size=p.stage, gamma=p.gamma)),
    "multi_step_lr": ("multi_step_lr (T/2, 3T/4)",
                      lambda p: sched.multi_step_lr(
                          p.lr, milestones=[p.steps // 2, 3 * p.steps // 4], gamma=p.gamma)),
    "exponential_lr": ("exponential_lr (γ^(1/s))",
                       lambda p: sched.exponential_lr(p.lr, gamma=p.gamma_per_step)),
    "polynomial_lr": ("polynomial_lr (power 2)",
                      lambda p: sched.polynomial_lr(p.lr, total_iters=p.steps, power=2.0)),
    "cosine_annealing_lr": ("cosine_annealing_lr",
                            lambda p: sched.cosine_annealing_lr(p.lr, T_max=p.steps)),
    "cosine_annealing_warm_restarts": (
        "cosine_annealing_warm_restarts",
        lambda p: sched.cosine_annealing_warm_restarts(p.lr, T_0=max(p.steps // p.cycles, 1)),
    ),
    "cyclic_lr": ("cyclic_lr (lr/10 ↔ lr)",
                  lambda p: sched.cyclic_lr(p.lr / 10, p.lr,
                                            step_size_up=max(p.steps // (2 * p.cycles), 1),
                                            cycle_momentum=False)),
    "one_cycle_lr": ("one_cycle_lr",
                     lambda p: sched.one_cycle_lr(
                         p.lr, total_steps=p.steps,
                         pct_start=float(np.clip(p.warmup_fraction, 0.05, 0.95)),
                         cycle_momentum=False)),
    "lambda_lr": ("lambda_lr (1/(1+t/s))",
                  lambda p: sched.lambda_lr(p.lr, _inverse_time_factor(p.stage))),
    "multiplicative_lr": ("multiplicative_lr (linear)",
                          lambda p: sched.multiplicative_lr(p.lr, _linear_decay_factor(p.steps))),
    "sequential_lr": ("sequential_lr: warm-up, cosine",
                      lambda p: sched.warmup(
                          sched.cosine_annealing_lr(p.lr, T_max=max(p.steps - p.warmup_steps, 1)),
                          p.warmup_steps, start_factor=0.1)),
    "chained_scheduler": ("chained: warm-up × exp",
                          lambda p: sched.chained_scheduler([
                              sched.linear_lr(p.lr, start_factor=0.1, end_factor=1.0,
                                              total_iters=p.warmup_steps),
                              sched.exponential_lr(p.lr, gamma=p.gamma_per_step),
                          ])),
    "reduce_lr_on_plateau": ("reduce_lr_on_plateau", _plateau),
}
"""Panel key → (title, parameters → lrcore schedule, or the lrs themselves for the plateau)."""


def gallery_lrs(parameters: GalleryParameters) -> dict[str, np.ndarray]:
    """The lrs of steps 0..T−1 of every panel."""
    out = {}
    for key, (_title, build) in GALLERY.items():
        made = build(parameters)
        out[key] = made if isinstance(made, np.ndarray) else made.values(parameters.steps)
    return out


class ScheduleGallery(ExplorerFrame):
    """Small multiples of every schedule policy; five shared sliders, lines updated in place."""

    def __init__(self, lr: float = 0.1, steps: int = 100, gamma: float = 0.5, cycles: int = 2,
                 warmup_fraction: float = 0.1):
        import ipywidgets as widgets

        self.controls = {
            "lr": log_slider("lr", lr, 1e-4, 1.0),
            "steps": sized(widgets.IntSlider(value=steps, min=8, max=400,
                                             description="steps T")),
            "gamma": sized(widgets.FloatSlider(value=gamma, min=0.05, max=0.95, step=0.05,
                                               description="γ per stage")),
            "cycles": sized(widgets.IntSlider(value=cycles, min=1, max=8, description="cycles")),
            "warmup_fraction": sized(widgets.FloatSlider(value=warmup_fraction, min=0.0,
                                                         max=0.5, step=0.05,
                                                         description="warm-up w")),
        }
        self.status = widgets.HTML()
        self.results: Results[GalleryParameters, dict[str, np.ndarray]] = Results(gallery_lrs)
        self._frame([("lr", "steps", "gamma"), ("cycles", "warmup_fraction")], (4, 4), 6.1,
                    sharex=True, sharey=True)
        self.update()

    def _build_figure(self) -> None:
        self.lines = {}
        for ax, (key, (title, _build)) in zip(self.live.axes, GALLERY.items(), strict=True):
            (self.lines[key],) = ax.plot([], [], drawstyle="steps-post", color=COLORS["blue"])
            ax.set_title(title, fontsize=FONT_SIZE["small_title"], y=1.0)
            ax.label_outer()
        for ax in self.live.axes[-4:]:
            ax.set_xlabel("step")
        for ax in self.live.axes[::4]:
            ax.set_ylabel("lr")
        self.live.figure.tight_layout(h_pad=0.5, w_pad=0.3)
        self.live.animate(*self.lines.values())

    @property
    def parameters(self) -> GalleryParameters:
        c = self.controls
        return GalleryParameters(c["lr"].value, c["steps"].value, c["gamma"].value,
                                 c["cycles"].value, c["warmup_fraction"].value)

    def _on_change(self, _change: object) -> None:
        self.update()

    def update(self) -> None:
        """Show every schedule for the current slider values (computed once per setting)."""
        with self.live.lock:
            p = self.parameters
            lrs = self.results(p)
            step_axis = np.arange(p.steps + 1)
            top = 0.0
            for key, values in lrs.items():
                # steps-post: lr_t spans step t to t+1; the last value repeated closes it.
                self.lines[key].set_data(step_axis, np.append(values, values[-1]))
                top = max(top, float(values.max()))
            ax = self.live.axes[0]  # shared: one call sets every panel
            # Sticky limits: most slider moves keep the axes, so only the lines are blitted.
            ax.set_xlim(sticky_limits(0.0, p.steps, ax.get_xlim()))
            ax.set_ylim(sticky_limits(0.0, top, ax.get_ylim()))
            self.status.value = (
                f"stage s = {p.stage} steps (γ = {p.gamma:.2f} per stage, "
                f"{p.gamma_per_step:.4f} per step); warm-up k = {p.warmup_steps} steps; "
                f"CyclicLR: lr/10 ↔ lr, up {max(p.steps // (2 * p.cycles), 1)} steps; "
                f"warm restarts every {max(p.steps // p.cycles, 1)} steps"
            )
            self.live.refresh()


def schedule_gallery(**initial: float | int) -> ScheduleGallery:
    """Create and return the gallery (display it by leaving it last in a cell).

    Keywords: lr, steps, gamma, cycles, warmup_fraction.
    """
    return ScheduleGallery(**initial)  # type: ignore[arg-type]
