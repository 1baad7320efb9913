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
