"""lrcore.widgets.optimizers: moving the controls redraws the panels with lrcore's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import classification, optimizer_sweep
from lrcore.regression import linear_regression_data
from lrcore.widgets.optimizers import SEED, OptimizerExplorer


@pytest.mark.parametrize(("optimizer", "lr", "epochs"), [("adam", 0.005, 4), ("rmsprop", 0.02, 3),
                                                         ("momentum", 0.3, 2)])
def test_controls_drive_the_panels(optimizer, lr, epochs):
    explorer = OptimizerExplorer(optimizer="sgd", lr=0.1, epochs=2)
    explorer.controls["epochs"].value = epochs
    explorer.controls["optimizer"].value = optimizer
    explorer.controls["lr"].value = lr
    lr = explorer.controls["lr"].value  # the slider's own rounding of the value
    X, y = linear_regression_data()
    np.testing.assert_array_equal(explorer.regression_line.get_ydata(),
                                  optimizer_sweep.train_regression(X, y, optimizer, lr, 100))
    run = classification.train_classifier(lr, epochs, optimizer=optimizer, seed=SEED)
    assert explorer.classifier_run == run
    np.testing.assert_array_equal(explorer.val_line.get_ydata(), run.val_loss)
    np.testing.assert_array_equal(explorer.train_line.get_ydata(), run.train_loss)
    np.testing.assert_array_equal(explorer.val_line.get_xdata(), np.arange(1, epochs + 1))
    _, _, probabilities = classification.probability_grid(run.model(), 81)
    np.testing.assert_array_equal(explorer.image.get_array(), probabilities)
    assert f"{run.test_accuracy:.3f}" in explorer.status.value


def test_divergence_is_clipped_and_announced():
    explorer = OptimizerExplorer(optimizer="sgd", lr=1.0, epochs=1)
    regression = np.asarray(explorer.regression_line.get_ydata())
    assert np.all(np.isfinite(regression))
    assert "clipped" in explorer.status.value
    explorer.controls["lr"].value = 0.1
    assert "clipped" not in explorer.status.value


def test_lr_slider_is_logarithmic_and_the_names_are_checked():
    explorer = OptimizerExplorer(epochs=1)
    assert type(explorer.controls["lr"]).__name__ == "FloatLogSlider"
    with pytest.raises(ValueError, match="optimizer"):
        OptimizerExplorer(optimizer="lbfgs")


@pytest.mark.parametrize(("optimizer", "lr"), [("adam", 0.005), ("momentum", 0.3),
                                               ("rmsprop", 0.02), ("adagrad", 0.05),
                                               ("sgd", 1.0)])
def test_the_epoch_record_is_lrcores_run_bit_for_bit(optimizer, lr):
    """The explorer records a run after every epoch and extends it on demand; its first E epochs
    are `train_classifier(lr, E)`: losses, accuracies and weights."""
    from lrcore.widgets.classifier_epochs import EpochRecord

    record = EpochRecord(optimizer, lr, SEED).extend(2).extend(5)  # extended, not restarted
    for epochs in (1, 2, 5):
        run = classification.train_classifier(lr, epochs, optimizer=optimizer, seed=SEED)
        view = record.view(epochs)
        np.testing.assert_array_equal(view.train_loss, run.train_loss)
        np.testing.assert_array_equal(view.val_loss, run.val_loss)
        assert view.val_accuracy == run.val_accuracy
        assert view.test_accuracy == run.test_accuracy
        assert (view.plateau, view.batch_size, view.lrs, view.next_lr) == (
            run.plateau, run.batch_size, run.lrs, run.next_lr)
        for name, weights in run.state.items():
            np.testing.assert_array_equal(view.state[name], weights, err_msg=name)


def test_a_setting_seen_once_and_fewer_epochs_are_served_without_training(monkeypatch):
    explorer = OptimizerExplorer(optimizer="adam", lr=0.02, epochs=6)
    explorer.controls["lr"].value = 0.05
    computed = explorer.results.computed

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(classification, "epoch_batches", no_training)
    explorer.controls["lr"].value = 0.02  # seen: served as it was, nothing computed
    assert explorer.results.computed == computed
    explorer.controls["epochs"].value = 3  # fewer epochs of a recorded run: only its boundary
    assert explorer.results.computed == computed + 1
    monkeypatch.undo()
    run = classification.train_classifier(0.02, 3, optimizer="adam", seed=SEED)
    np.testing.assert_array_equal(explorer.val_line.get_ydata(), run.val_loss)
    _, _, probabilities = classification.probability_grid(run.model(), 81)
    np.testing.assert_array_equal(explorer.image.get_array(), probabilities)
    assert f"{run.test_accuracy:.3f}" in explorer.status.value


def test_the_lr_is_the_readout_the_student_sees():
    explorer = OptimizerExplorer(optimizer="adam", lr=0.02, epochs=2)
    explorer.controls["lr"].value = 10 ** -1.3  # what the browser sends one step from 0.0398
    assert explorer.setting()[1] == 0.0501
    assert "lr = 0.0501" in explorer.status.value
    assert explorer.classifier_run.lr == 0.0501
