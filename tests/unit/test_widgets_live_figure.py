"""LiveFigure under ipympl: slider moves blit, limit changes redraw, the pixels are right."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lrcore.widgets.batch_size import BatchSizeExplorer, RangeTestExplorer
from lrcore.widgets.common import sticky_limits
from lrcore.widgets.optimizers import OptimizerExplorer
from lrcore.widgets.q_learning import QLearningExplorer
from lrcore.widgets.quadratic import QuadraticExplorer
from lrcore.widgets.schedule_gallery import ScheduleGallery

# ipympl 0.10's toolbar passes an argument traitlets no longer wants; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")


@pytest.fixture
def ipympl_backend():
    """`%matplotlib widget` without a kernel; the frontend's side is played by the test."""
    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        yield
    finally:
        plt.close("all")
        plt.switch_backend(previous)


def attach_frontend(live) -> None:
    """What JupyterLab does when it shows the canvas: says it is there, then asks for draws,
    which we answer at once instead of over the comm."""
    canvas = live.figure.canvas
    canvas._handle_message(canvas, {"type": "initialized"}, [])
    canvas.draw_idle = canvas.draw
    canvas.draw()


def pixels(live) -> np.ndarray:
    return np.asarray(live.figure.canvas.buffer_rgba()).copy()


def test_a_small_lr_change_blits_and_shows_what_a_full_draw_shows(ipympl_backend):
    explorer = QuadraticExplorer(lr=0.05, x0=500.0, steps=20)
    live = explorer.live
    assert live.interactive
    attach_frontend(live)
    before = pixels(live)
    blits, full = live.blits, live.full_draws
    explorer.controls["lr"].value = 0.055  # same axis limits: only the lines move
    assert (live.blits, live.full_draws) == (blits + 1, full)
    blitted = pixels(live)
    assert not np.array_equal(blitted, before)
    live.figure.canvas.draw()  # a full draw of the same state draws the same pixels
    np.testing.assert_array_equal(pixels(live), blitted)


def test_a_change_of_limits_or_layout_asks_for_a_full_draw(ipympl_backend):
    explorer = QuadraticExplorer(lr=0.05, x0=500.0, steps=20)
    live = explorer.live
    attach_frontend(live)
    full = live.full_draws
    explorer.controls["steps"].value = 40  # the step axes change
    assert live.full_draws == full + 1
    explorer.controls["schedule"].value = "one_cycle"  # the title and momentum axis appear
    assert live.full_draws == full + 2
    assert explorer.momentum_axes.get_visible()


def test_before_the_first_draw_nothing_is_blitted(ipympl_backend):
    explorer = QuadraticExplorer(lr=0.05)
    explorer.controls["lr"].value = 0.06
    assert explorer.live.blits == 0


def test_gallery_blits_an_lr_change_within_its_limits(ipympl_backend):
    gallery = ScheduleGallery(lr=0.06, steps=100)
    attach_frontend(gallery.live)
    blits = gallery.live.blits
    gallery.controls["lr"].value = 0.07
    assert gallery.live.blits == blits + 1
    before = pixels(gallery.live)
    gallery.live.figure.canvas.draw()
    np.testing.assert_array_equal(pixels(gallery.live), before)


@pytest.mark.parametrize(("low", "high", "log"), [
    (0.0, 0.37, False), (-5.0, 120.0, False), (3.0, 3.0, False), (1e-9, 2e3, True),
    (5.0, 5.0, True),
])
def test_sticky_limits_contain_the_data_and_keep_still(low, high, log):
    lo, hi = sticky_limits(low, high, log=log)
    assert lo < low <= high < hi
    # A small move inside keeps the limits; leaving them recomputes.
    assert sticky_limits(low, high - 0.01 * (high - low), (lo, hi), log=log) == (lo, hi)
    new_lo, new_hi = sticky_limits(low, hi * 3, (lo, hi), log=log)
    assert new_hi >= hi * 3


def test_sticky_limits_shrink_when_far_too_wide():
    assert sticky_limits(0.0, 0.01, (-0.04, 1.04)) == (-0.0004, 0.0104)


def _requested_draws(live) -> list[int]:
    """Count the canvas's draw requests from now on (each one is a "draw" message to the
    browser, which answers with a draw request of its own)."""
    requests = [0]
    answer = live.figure.canvas.draw_idle

    def counted() -> None:
        requests[0] += 1
        answer()

    live.figure.canvas.draw_idle = counted
    return requests


EXPLORERS = {
    "quadratic": lambda: QuadraticExplorer(lr=0.05, x0=500.0, steps=20),
    "gallery": lambda: ScheduleGallery(),
    "batch size": lambda: BatchSizeExplorer(epochs=2),
    "range test": lambda: RangeTestExplorer(),
    "optimizers": lambda: OptimizerExplorer(epochs=2),
    "q-learning": lambda: QLearningExplorer(sweeps=200),
}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_a_drawn_figure_is_not_stale_so_the_kernel_goes_idle(ipympl_backend, name):
    """Every comm message a kernel handles ends with IPython's post_execute, where pyplot asks
    every *stale* figure for a draw. Drawing an animated text marks its figure stale again
    (matplotlib sets and restores the text while drawing it), so before this was fixed the
    browser's answer to one draw request produced the next one: the playground's kernel stayed
    busy with ~50 redraws a second for as long as the page was open."""
    explorer = EXPLORERS[name]()
    live = explorer.live
    attach_frontend(live)
    requests = _requested_draws(live)
    plt.draw_all()  # what the kernel runs after every message
    assert not live.figure.stale
    assert requests[0] == 0, "a drawn figure asked to be drawn again"
    live.refresh()  # a slider move: blitted (or drawn), then nothing is left to draw
    live.figure.canvas.draw()
    requests[0] = 0
    plt.draw_all()
    assert requests[0] == 0
