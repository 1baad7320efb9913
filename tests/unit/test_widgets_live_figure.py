"""LiveFigure: ipympl's canvas whatever the backend, one image per change (blitted when only
the lines move, drawn at once when limits change), the pixels a full draw would give."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

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


@contextlib.contextmanager
def pyplot_backend(backend: str) -> Iterator[None]:
    """pyplot switched to `backend` for the block; its figures closed and the previous backend
    restored after."""
    previous = matplotlib.get_backend()
    plt.switch_backend(backend)
    try:
        yield
    finally:
        plt.close("all")
        plt.switch_backend(previous)


@pytest.fixture
def ipympl_backend():
    """`%matplotlib widget` without a kernel; the frontend's side is played by the test."""
    with pyplot_backend("module://ipympl.backend_nbagg"):
        yield


def attach_frontend(live) -> None:
    """What JupyterLab does when it shows the canvas: says it is there, then asks for draws,
    which we answer at once instead of over the comm."""
    canvas = live.figure.canvas
    canvas._handle_custom_msg({"type": "initialized"}, [])
    canvas.draw_idle = canvas.draw
    canvas.draw()


class Browser:
    """Records what the kernel sends the browser for one canvas: images, and draw requests
    (ipympl's 'draw' event, which the browser answers with a full draw: another image)."""

    def __init__(self, live) -> None:
        canvas = live.figure.canvas
        self.images = 0
        self.draw_requests = 0
        self.last_image = b""
        send_binary, send_json = canvas.send_binary, canvas.send_json

        def image(data):
            self.images += 1
            self.last_image = data
            send_binary(data)

        def message(content):
            if content.get("type") == "draw":
                self.draw_requests += 1
                canvas.draw()  # the browser's answer
            send_json(content)

        canvas.send_binary, canvas.send_json = image, message
        canvas._handle_custom_msg({"type": "initialized"}, [])
        canvas.draw()
        self.images = self.draw_requests = 0


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


def redraws(live) -> int:
    """Refreshes that drew more than the animated artists: in full, or the changed axes."""
    return live.full_draws + live.axes_draws


def test_a_change_of_limits_or_layout_redraws_the_background(ipympl_backend):
    explorer = QuadraticExplorer(lr=0.05, x0=500.0, steps=20)
    live = explorer.live
    attach_frontend(live)
    before, blits = redraws(live), live.blits
    explorer.controls["steps"].value = 40  # the step axes change
    assert redraws(live) == before + 1
    explorer.controls["schedule"].value = "one_cycle"  # the title and momentum axis appear
    assert redraws(live) == before + 2 and live.blits == blits
    assert explorer.momentum_axes.get_visible()


@pytest.mark.parametrize(("slider", "values"), [
    ("lr", [1.2, 1.5, 2.1, 2.4, 2.8]),  # the |x| and lr axes grow now and then
    ("steps", [40, 70]),  # the two step axes
    ("schedule", ["cosine", "one_cycle", "constant"]),  # titles, the momentum axis
    ("x0", [100.0, -900.0]),  # the parabola's axes
])
def test_redrawing_only_the_changed_axes_gives_the_pixels_of_a_full_draw(slider, values):
    explorer = QuadraticExplorer(lr=1.0, x0=500.0, steps=20, schedule="one_cycle")
    live = explorer.live
    attach_frontend(live)
    for value in values:
        explorer.controls[slider].value = value
        shown = pixels(live)
        live.figure.canvas.draw()
        np.testing.assert_array_equal(pixels(live), shown, err_msg=f"{slider} = {value}")
    assert redraws(live) >= 1
    if slider in ("lr", "x0"):  # one or two panels changed: only they were redrawn
        assert live.axes_draws >= 1


def test_a_change_of_most_of_the_figure_is_drawn_in_full():
    gallery = ScheduleGallery(lr=0.06, steps=100)
    attach_frontend(gallery.live)
    full = gallery.live.full_draws
    gallery.controls["steps"].value = 300  # every panel's step axis
    assert gallery.live.full_draws == full + 1 and gallery.live.axes_draws == 0


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


@pytest.fixture
def inline_backend():
    """An assignment's `%matplotlib inline` (Agg without a kernel)."""
    with pyplot_backend("agg"):
        yield


def test_explorers_use_ipympl_whatever_the_notebook_backend(inline_backend):
    from ipympl.backend_nbagg import Canvas

    explorer = QuadraticExplorer(lr=0.05)
    assert explorer.live.interactive
    assert isinstance(explorer.live.widget, Canvas)
    assert explorer.live.widget in explorer.widget.children
    # Not pyplot's: the notebook's figures (plt.gcf(), what it grades) are left alone.
    assert plt.get_fignums() == []
    assert matplotlib.get_backend().lower() == "agg"


def test_without_ipympl_the_figure_is_rendered_into_an_output(inline_backend):
    import ipywidgets

    explorer = QuadraticExplorer(lr=0.05)
    fallback = type(explorer.live)(1, 1, interactive=False)
    assert not fallback.interactive and isinstance(fallback.widget, ipywidgets.Output)
    fallback.refresh()  # no kernel: nothing to show it on, and no error


@pytest.mark.parametrize(("slider", "values"), [
    ("lr", [0.0525, 0.055, 0.0575, 0.06]),  # the lines move: blitted
    ("steps", [40, 70, 100]),  # the step axis changes: drawn in full
])
def test_one_image_per_change_and_no_draw_request(ipympl_backend, slider, values):
    """Under pyplot (interactive mode on, as `%matplotlib widget` sets it) a figure asked for
    a draw whenever its lines changed: the browser answered with a full draw, a second image
    identical to the first, 200–500 ms later."""
    plt.ion()
    try:
        explorer = QuadraticExplorer(lr=0.05, x0=500.0, steps=20)
        browser = Browser(explorer.live)
        for count, value in enumerate(values, start=1):
            explorer.controls[slider].value = value
            plt.draw_all()  # what the kernel runs after each message
            assert (browser.images, browser.draw_requests) == (count, 0)
    finally:
        plt.ioff()


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_explorer_sends_one_image_per_slider_step(name):
    from lrcore.widgets import ahead

    explorer = EXPLORERS[name]()
    browser = Browser(explorer.live)
    slider = next(c for c in explorer.controls.values() if hasattr(c, "min") or
                  type(c).__name__ == "SelectionSlider")
    if type(slider).__name__ == "SelectionSlider":
        options = [value for _label, value in slider._options_full]
        new = options[(options.index(slider.value) + 1) % len(options)]
    elif type(slider).__name__ == "FloatLogSlider":
        new = slider.value * slider.base ** slider.step
        new = new if new <= slider.base ** slider.max else slider.value / slider.base ** slider.step
    else:
        new = slider.value + slider.step
        new = new if new <= slider.max else slider.value - slider.step
    slider.value = new
    deadline = time.monotonic() + 120
    while browser.images == 0 and time.monotonic() < deadline:  # maybe computed in the worker
        time.sleep(0.01)
    while not ahead.worker_idle():
        time.sleep(0.01)
    assert (browser.images, browser.draw_requests) == (1, 0)


def test_nothing_is_drawn_before_a_browser_shows_the_canvas():
    """Before a browser shows the canvas (a notebook executed for grading) nothing is drawn."""
    explorer = QuadraticExplorer(lr=0.05)
    explorer.controls["lr"].value = 0.06
    explorer.controls["steps"].value = 60
    assert (explorer.live.blits, explorer.live.full_draws) == (0, 0)


def test_the_images_sent_decode_to_matplotlibs_own():
    """The canvas encodes its images itself (no row filters, fastest zlib: several times
    faster than Pillow's encoder); they decode to the pixels matplotlib's encoder sends."""
    from io import BytesIO

    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
    from PIL import Image

    explorer = QuadraticExplorer(lr=0.05, x0=500.0, steps=20)
    browser = Browser(explorer.live)
    canvas = explorer.live.figure.canvas
    assert type(canvas).get_diff_image is not FigureCanvasWebAggCore.get_diff_image
    for slider, value in (("lr", 0.06), ("steps", 50)):  # a blit, then a full draw
        previous = canvas._last_buff.copy()
        explorer.controls[slider].value = value
        ours = np.asarray(Image.open(BytesIO(browser.last_image)))
        canvas._last_buff, canvas._png_is_old = previous, True
        theirs = FigureCanvasWebAggCore.get_diff_image(canvas)
        np.testing.assert_array_equal(ours, np.asarray(Image.open(BytesIO(theirs))))
