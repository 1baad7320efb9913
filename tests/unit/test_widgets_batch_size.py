"""lrcore.widgets.batch_size: moving a slider redraws the figure with lrcore's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import digits, range_test
from lrcore.batch_size import linear_scaled_lr, sqrt_scaled_lr
from lrcore.widgets.batch_size import BatchSizeExplorer, RangeTestExplorer


@pytest.mark.parametrize(("batch", "base_lr", "rule", "warmup", "epochs", "seed"), [
    (256, 0.1, "linear", 2, 4, 0),
    (64, 0.05, "sqrt", 0, 3, 1),
    (512, 0.3, "none", 1, 2, 2),
])
def test_sliders_drive_the_training_curves(batch, base_lr, rule, warmup, epochs, seed):
    explorer = BatchSizeExplorer(epochs=2)
    c = explorer.controls
    c["epochs"].value, c["seed"].value, c["warmup_epochs"].value = epochs, seed, warmup
    c["rule"].value, c["batch_size"].value = rule, batch
    c["base_lr"].value = base_lr
    base = c["base_lr"].value  # the log slider rounds to its step
    lr = {"linear": linear_scaled_lr(base, batch, 16), "sqrt": sqrt_scaled_lr(base, batch, 16),
          "none": base}[rule]
    expected = digits.train(batch, lr, epochs, warmup_steps=warmup * digits.steps_per_epoch(batch),
                            seed=seed)
    np.testing.assert_array_equal(explorer.loss_line.get_ydata(), expected.train_loss)
    np.testing.assert_array_equal(explorer.accuracy_line.get_ydata(), expected.test_accuracy)
    np.testing.assert_array_equal(explorer.loss_line.get_xdata(), np.arange(1, epochs + 1))
    reference = digits.train(16, digits.BASE_LR, epochs, seed=seed)
    np.testing.assert_array_equal(explorer.reference_loss_line.get_ydata(), reference.train_loss)
    assert explorer.run == expected
    assert f"lr = <b>{lr:.3g}</b>" in explorer.status.value


def test_learning_rate_slider_is_logarithmic_and_rules_are_validated():
    explorer = BatchSizeExplorer(epochs=1)
    assert type(explorer.controls["base_lr"]).__name__ == "FloatLogSlider"
    with pytest.raises(ValueError):
        BatchSizeExplorer(rule="cubic")
    with pytest.raises(ValueError):
        BatchSizeExplorer(batch_size=100)


@pytest.mark.parametrize(("batch", "beta", "factor"), [(16, 0.98, 4.0), (64, 0.9, 1.5),
                                                        (256, 0.0, 2.0)])
def test_range_test_sliders_resmooth_the_recorded_losses(batch, beta, factor):
    explorer = RangeTestExplorer()
    c = explorer.controls
    c["beta"].value, c["diverge_factor"].value = beta, factor
    c["batch_size"].value = batch
    beta, factor = c["beta"].value, c["diverge_factor"].value
    fresh = range_test.lr_range_test(digits.range_test_step(batch), beta=beta,
                                     diverge_factor=factor, **digits.RANGE_TEST_OPTIONS)
    np.testing.assert_array_equal(explorer.smoothed_line.get_xdata(), fresh.lrs)
    np.testing.assert_array_equal(explorer.smoothed_line.get_ydata(), fresh.smoothed)
    assert explorer.suggestion_line.get_xdata()[0] == pytest.approx(fresh.suggestion)
    assert explorer.raw_line.get_ydata().size == digits.RANGE_TEST_OPTIONS["num_iters"]
    assert ("stopped at step" in explorer.status.value) == fresh.diverged


def test_a_low_stop_factor_stops_the_test():
    explorer = RangeTestExplorer(batch_size=16)
    assert "ran all steps" in explorer.status.value
    explorer.controls["diverge_factor"].value = 1.2
    assert "stopped at step" in explorer.status.value
    assert explorer.result.lrs.size < digits.RANGE_TEST_OPTIONS["num_iters"]


def test_fewer_epochs_are_the_longer_runs_prefix_served_without_training(monkeypatch):
    explorer = BatchSizeExplorer(batch_size=64, base_lr=0.1, rule="linear", epochs=4, seed=1)

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(digits, "train", no_training)
    explorer.controls["epochs"].value = 2
    explorer.controls["epochs"].value = 3
    monkeypatch.undo()
    expected = digits.train(64, 0.4, 3, seed=1)
    assert explorer.run == expected  # the TrainingRun of 3 epochs, field for field
    assert explorer.reference == digits.train(16, digits.BASE_LR, 3, seed=1)
    np.testing.assert_array_equal(explorer.loss_line.get_ydata(), expected.train_loss)


def test_the_lr_is_the_readout_the_student_sees():
    explorer = BatchSizeExplorer(batch_size=32, base_lr=0.1, rule="none", epochs=1)
    explorer.controls["base_lr"].value = 10 ** -0.9000000000000001  # one step up, as JS says
    assert explorer.lr == 0.126
    assert explorer.run == digits.train(32, 0.126, 1)


def test_range_test_settings_of_one_batch_share_its_recorded_losses(monkeypatch):
    explorer = RangeTestExplorer(batch_size=64)

    def no_test(*args, **kwargs):
        raise AssertionError("ran the range test again")

    monkeypatch.setattr(digits, "range_test_losses", no_test)
    for beta in (0.9, 0.95, 0.5):
        explorer.controls["beta"].value = beta
    explorer.controls["diverge_factor"].value = 2.0
    monkeypatch.undo()
    fresh = range_test.lr_range_test(digits.range_test_step(64), beta=0.5, diverge_factor=2.0,
                                     **digits.RANGE_TEST_OPTIONS)
    np.testing.assert_array_equal(explorer.smoothed_line.get_ydata(), fresh.smoothed)
