"""The schedule gallery: every panel's line is lrcore's schedule for the shared slider values."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import schedules as S
from lrcore.widgets.schedule_gallery import GALLERY, ScheduleGallery


def references(lr: float, T: int, gamma: float, cycles: int, w: float) -> dict[str, np.ndarray]:
    """Each panel's lrs, spelled out from the gallery's documented parameter mapping."""
    s, k = max(T // 4, 1), int(round(w * T))
    per_step = gamma ** (1 / s)
    loss = (0.3 + 0.7 * np.exp(-np.arange(T) / max(T / 6, 1.0))
            + 0.01 * np.random.default_rng(0).standard_normal(T))
    built = {
        "none": S.constant_lr(lr, factor=1.0, total_iters=0),
        "constant_lr": S.constant_lr(lr, factor=1 / 3, total_iters=k),
        "linear_lr": S.linear_lr(lr, start_factor=0.1, end_factor=1.0, total_iters=k),
        "step_lr": S.step_lr(lr, step_size=s, gamma=gamma),
        "multi_step_lr": S.multi_step_lr(lr, milestones=[T // 2, 3 * T // 4], gamma=gamma),
        "exponential_lr": S.exponential_lr(lr, gamma=per_step),
        "polynomial_lr": S.polynomial_lr(lr, total_iters=T, power=2.0),
        "cosine_annealing_lr": S.cosine_annealing_lr(lr, T_max=T),
        "cosine_annealing_warm_restarts": S.cosine_annealing_warm_restarts(lr, T_0=T // cycles),
        "cyclic_lr": S.cyclic_lr(lr / 10, lr, step_size_up=max(T // (2 * cycles), 1),
                                 cycle_momentum=False),
        "one_cycle_lr": S.one_cycle_lr(lr, total_steps=T, pct_start=max(w, 0.05),
                                       cycle_momentum=False),
        "lambda_lr": S.lambda_lr(lr, lambda t: 1 / (1 + t / s)),
        "multiplicative_lr": S.multiplicative_lr(lr, lambda t: (T - t) / (T - t + 1)),
        "sequential_lr": S.sequential_lr(
            [S.linear_lr(lr, start_factor=0.1, end_factor=1.0, total_iters=k),
             S.cosine_annealing_lr(lr, T_max=T - k)], milestones=[k]),
        "chained_scheduler": S.chained_scheduler(
            [S.linear_lr(lr, start_factor=0.1, end_factor=1.0, total_iters=k),
             S.exponential_lr(lr, gamma=per_step)]),
    }
    out = {key: schedule.values(T) for key, schedule in built.items()}
    out["reduce_lr_on_plateau"] = S.plateau_lrs(loss, lr, factor=gamma, patience=max(T // 20, 1))
    return out


@pytest.mark.parametrize(("lr", "steps", "gamma", "cycles", "warmup_fraction"), [
    (0.1, 100, 0.5, 2, 0.1),
    (0.003, 37, 0.25, 3, 0.3),
    (0.8, 240, 0.9, 5, 0.0),
])
def test_sliders_drive_every_panel(lr, steps, gamma, cycles, warmup_fraction):
    gallery = ScheduleGallery()
    controls = gallery.controls
    controls["steps"].value, controls["gamma"].value = steps, gamma
    controls["cycles"].value, controls["warmup_fraction"].value = cycles, warmup_fraction
    controls["lr"].value = lr
    lr = controls["lr"].value  # the log slider rounds to its step
    expected = references(lr, steps, controls["gamma"].value, cycles,
                          controls["warmup_fraction"].value)
    assert set(gallery.lines) == set(GALLERY) == set(expected)
    for key, lrs in expected.items():
        line = gallery.lines[key]
        np.testing.assert_array_equal(line.get_xdata(), np.arange(steps + 1), err_msg=key)
        np.testing.assert_allclose(line.get_ydata(), np.append(lrs, lrs[-1]), rtol=1e-12,
                                   atol=1e-15, err_msg=key)
    low, high = gallery.live.axes[0].get_ylim()
    top = max(float(lrs.max()) for lrs in expected.values())
    assert low <= 0 and top <= high <= 6 * top  # every line visible, none squashed


def test_one_panel_per_policy_with_shared_axes():
    gallery = ScheduleGallery()
    axes = gallery.live.axes
    assert len(axes) == len(GALLERY) == 16
    assert [ax.get_title() for ax in axes] == [title for title, _ in GALLERY.values()]
    gallery.controls["steps"].value = 60
    low, high = axes[0].get_xlim()
    assert low <= 0 and 60 <= high <= 3 * 60
    assert len({ax.get_xlim() for ax in axes}) == 1
    assert len({ax.get_ylim() for ax in axes}) == 1


def test_step_and_exponential_meet_at_every_stage():
    """ExponentialLR with γ^(1/s) per step equals StepLR's γ per stage at each boundary."""
    gallery = ScheduleGallery(lr=0.1, steps=80, gamma=0.3)
    step, exponential = (gallery.lines[k].get_ydata() for k in ("step_lr", "exponential_lr"))
    boundaries = [0, 20, 40, 60]
    np.testing.assert_allclose(exponential[boundaries], step[boundaries], rtol=1e-12)
