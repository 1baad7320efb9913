"""reduce_lr_on_plateau and plateau_lrs against torch's ReduceLROnPlateau, decision for
decision: the lr, best, bad-epoch count and cooldown after every metric."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import torch.optim.lr_scheduler as tl
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import hypothesis_settings, make_optimizer

from lrcore.schedules import plateau_lrs, reduce_lr_on_plateau

SETTINGS = hypothesis_settings(100)


def torch_decisions(metrics: list[float], lr: float, **options: Any) -> list[tuple[Any, ...]]:
    """(lr, best, num_bad_epochs, cooldown_counter) after each `step(metric)` in torch."""
    optimizer = make_optimizer(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ReduceLROnPlateau must not warn in the right order
        scheduler = tl.ReduceLROnPlateau(optimizer, **options)
        decisions = []
        for metric in metrics:
            scheduler.step(metric)
            decisions.append(
                (
                    optimizer.param_groups[0]["lr"],
                    scheduler.best,
                    scheduler.num_bad_epochs,
                    scheduler.cooldown_counter,
                )
            )
    return decisions


def lrcore_decisions(metrics: list[float], lr: float, **options: Any) -> list[tuple[Any, ...]]:
    scheduler = reduce_lr_on_plateau(lr, **options)
    decisions = []
    for metric in metrics:
        returned = scheduler.step(metric)
        assert returned == scheduler.lr
        decisions.append(
            (scheduler.lr, scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter)
        )
    return decisions


def same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    def equal(x: Any, y: Any) -> bool:
        return x == y or (
            isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
        )

    return all(
        equal(x, y)
        for row_a, row_b in zip(a, b, strict=True)
        for x, y in zip(row_a, row_b, strict=True)
    )


# Metrics from a small set of values (so that ties, thresholds and plateaus happen), with the
# occasional arbitrary float.
metric_values = st.one_of(
    st.sampled_from([1.0, 0.99995, 0.9999, 0.9, 0.5, 0.49999, 0.1, 0.0, -0.5, 2.0]),
    st.floats(-10.0, 10.0),
)


# Every option of ReduceLROnPlateau, drawn once and passed by name to torch and to lrcore.
plateau_options = st.fixed_dictionaries({
    "mode": st.sampled_from(["min", "max"]),
    "threshold_mode": st.sampled_from(["rel", "abs"]),
    "threshold": st.sampled_from([0.0, 1e-4, 1e-2, 0.5]),
    "factor": st.sampled_from([0.0, 0.1, 0.5, 0.9]),
    "patience": st.integers(0, 5),
    "cooldown": st.integers(0, 4),
    "min_lr": st.sampled_from([0.0, 1e-3, 0.05]),
    "eps": st.sampled_from([1e-8, 0.0, 1e-2]),
})


@SETTINGS
@given(
    metrics=st.lists(metric_values, max_size=80),
    lr=st.floats(1e-4, 10.0),
    options=plateau_options,
)
def test_plateau_decisions_match_torch(
    metrics: list[float], lr: float, options: dict[str, Any]
) -> None:
    expected = torch_decisions(metrics, lr, **options)
    assert same(lrcore_decisions(metrics, lr, **options), expected)
    lrs = plateau_lrs(metrics, lr, **options)
    assert lrs.tolist() == ([lr] + [row[0] for row in expected])[: len(metrics)]


def test_cut_happens_on_the_patience_plus_one_th_bad_epoch() -> None:
    lrs = plateau_lrs([1.0] + [1.0] * 6, lr=0.1, factor=0.5, patience=3)
    # epoch 0 sets best; epochs 1..4 are bad; the 4th bad one (epoch 4) cuts for epoch 5.
    assert lrs.tolist() == [0.1] * 5 + [0.05] * 2


def test_reference_exercise_settings() -> None:
    """The course's ReduceLROnPlateau(0.05, factor 0.5, patience 10, min_lr 1e-5)."""
    metrics = list(np.linspace(1.0, 0.5, 20)) + [0.5] * 80
    options = {"factor": 0.5, "patience": 10, "min_lr": 1e-5}
    expected = torch_decisions(metrics, 0.05, **options)
    assert same(lrcore_decisions(metrics, 0.05, **options), expected)


def test_state_history_and_reset() -> None:
    scheduler = reduce_lr_on_plateau(0.1, factor=0.5, patience=0, cooldown=1)
    for metric in [3.0, 4.0, 4.0, 4.0]:
        scheduler.step(metric)
    assert scheduler.history == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert scheduler.lr == 0.025 and scheduler.best == 3.0 and scheduler.last_epoch == 4
    scheduler.reset()
    assert scheduler.lr == 0.1 and scheduler.history == [0.1] and scheduler.best == math.inf
    assert scheduler.num_bad_epochs == 0 and scheduler.cooldown_counter == 0


def test_nan_metrics_are_bad_epochs_like_torch() -> None:
    metrics = [1.0, math.nan, math.nan, 0.5, math.nan]
    assert same(
        lrcore_decisions(metrics, 0.1, patience=1), torch_decisions(metrics, 0.1, patience=1)
    )


@pytest.mark.parametrize(
    "options",
    [
        {"factor": 1.0},
        {"factor": 2.0},
        {"mode": "minimum"},
        {"threshold_mode": "relative"},
        {"min_lr": [0.1, 0.2]},
    ],
)
def test_invalid_arguments_raise_like_torch(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as theirs:
        tl.ReduceLROnPlateau(make_optimizer(0.1), **options)
    with pytest.raises(ValueError) as ours:
        reduce_lr_on_plateau(0.1, **options)
    assert str(ours.value) == str(theirs.value)
