"""lrcore.widgets: moving a slider redraws the figure with lrcore's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from lrcore import quadratic
from lrcore.widgets import QuadraticExplorer


@pytest.mark.parametrize(("lr", "x0", "a", "steps"), [(0.1, 500.0, 1.0, 20), (0.3, -40.0, 2.0, 7),
                                                      (0.9, 10.0, 1.0, 50)])
def test_sliders_drive_the_lines(lr, x0, a, steps):
    explorer = QuadraticExplorer()
    controls = explorer.controls
    controls["a"].value, controls["x0"].value, controls["steps"].value = a, x0, steps
    controls["lr"].value = lr
    expected = np.concatenate(([x0], quadratic.gradient_descent(lr, steps, x0, a)))
    np.testing.assert_allclose(explorer.trajectory_line.get_xdata(), expected, rtol=1e-12)
    np.testing.assert_allclose(explorer.trajectory_line.get_ydata(), a * expected**2, rtol=1e-12)
    np.testing.assert_allclose(explorer.x_line.get_ydata(), np.abs(expected), rtol=1e-12)
    np.testing.assert_array_equal(explorer.lr_line.get_ydata(), np.full(steps + 1, lr))
    assert quadratic.classify_lr(lr, a) in explorer.status.value


def test_divergence_is_clipped_and_announced():
    explorer = QuadraticExplorer(lr=2.5, x0=1000.0, steps=100)
    assert np.all(np.isfinite(explorer.trajectory_line.get_xdata()))
    assert "clipped" in explorer.status.value
    explorer.controls["lr"].value = 0.1
    assert "clipped" not in explorer.status.value


def test_learning_rate_slider_is_logarithmic():
    explorer = QuadraticExplorer()
    assert type(explorer.controls["lr"]).__name__ == "FloatLogSlider"
