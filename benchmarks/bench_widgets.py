"""Slider change → updated figure: how long? Targets: 30 ms in Python, 250 ms in a browser.

1. **Python** (the ipympl path, `%matplotlib widget`, without a browser): for every slider of
   the quadratic explorer and the schedule gallery, a drag of 40 small moves; each move is timed
   from `slider.value = v` until the figure is updated: the lines' data set and the Agg canvas
   drawn — blitted (background restored, lines drawn) when the axes stay, or fully redrawn when
   an axis limit changes (the frontend's draw request is answered at once). Printed: median and
   p95 with the Agg render only, and with ipympl's PNG encoding of the changed pixels (what
   the kernel then sends), and how many moves needed a full draw.
2. **Browser**: JupyterLab on a copy of the course in headless Chromium (see
   tests/browser/lab_session.py); the playground's first explorer gets 20 ArrowRight presses
   on its lr slider (one slider step each, a pause between presses). Each is timed from the
   key press until the canvas has painted the new image: in the page (keydown event →
   drawImage, `performance.now()`) and as Playwright sees it (press → draw observed).
   Skipped when Playwright or chromium is missing, or with `--python-only`.

No assertions: timings depend on the machine and on its load (printed with the results).

    python benchmarks/bench_widgets.py [--python-only]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib
import numpy as np

REPO = Path(__file__).resolve().parent.parent
PYTHON_TARGET_MS = 30.0
BROWSER_TARGET_MS = 250.0
MOVES = 40
KEY_PRESSES = 20

# ipympl 0.10's toolbar passes an argument traitlets no longer wants; not ours.
warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)


def summary(name: str, times_ms: Sequence[float], target: float, extra: str = "") -> str:
    values = np.asarray(times_ms)
    median, p95 = np.median(values), np.percentile(values, 95)
    verdict = "ok" if median <= target else "over"
    return (f"  {name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {values.max():7.1f} ms   [{verdict} vs {target:.0f} ms]{extra}")


# -- 1. Python --------------------------------------------------------------------------------


def attach_frontend(live, encode_png: bool) -> None:
    """Play JupyterLab's part: the canvas is shown ('initialized': no more data-URL syncing),
    draw requests are answered at once; without `encode_png` nothing is encoded or sent."""
    canvas = live.figure.canvas
    canvas._handle_message(canvas, {"type": "initialized"}, [])
    canvas.draw_idle = canvas.draw
    if not encode_png:
        canvas.manager.refresh_all = lambda: None
    canvas.draw()


def drag(widget_factory: Callable, slider: str, values: Sequence, encode_png: bool):
    """Time each move of `slider` through `values` on a fresh widget; (times ms, full draws)."""
    widget = widget_factory()
    attach_frontend(widget.live, encode_png)
    control = widget.controls[slider]
    control.value = values[0]
    full_before = widget.live.full_draws
    times = []
    for value in values[1:]:
        started = time.perf_counter()
        control.value = value
        times.append((time.perf_counter() - started) * 1e3)
    return times, widget.live.full_draws - full_before


def log_drag(start: float, decades: float) -> np.ndarray:
    return 10 ** np.linspace(np.log10(start), np.log10(start) + decades, MOVES + 1)


def back_and_forth(low: float, high: float, step: float) -> list[float]:
    """MOVES + 1 slider positions, one step apart, bouncing between low and high."""
    grid = [round(v, 10) for v in np.arange(low, high + step / 2, step)]
    cycle = grid + grid[-2:0:-1]
    return [cycle[i % len(cycle)] for i in range(MOVES + 1)]


def python_benchmark() -> None:
    matplotlib.use("module://ipympl.backend_nbagg")
    import matplotlib.pyplot as plt

    from lrcore.widgets.quadratic import QuadraticExplorer
    from lrcore.widgets.schedule_gallery import ScheduleGallery

    drags = [
        ("quadratic: lr (log), constant", lambda: QuadraticExplorer(lr=0.05), "lr",
         log_drag(0.05, 0.4)),
        ("quadratic: lr, one-cycle + momentum",
         lambda: QuadraticExplorer(lr=0.3, steps=60, schedule="one_cycle"), "lr",
         log_drag(0.3, 0.4)),
        ("quadratic: x0", lambda: QuadraticExplorer(), "x0", np.linspace(500, 100, MOVES + 1)),
        ("quadratic: a (log)", lambda: QuadraticExplorer(), "a", log_drag(1.0, 0.4)),
        ("quadratic: steps", lambda: QuadraticExplorer(), "steps", np.arange(20, 21 + MOVES)),
        ("gallery: lr (log)", lambda: ScheduleGallery(lr=0.03), "lr", log_drag(0.03, 0.4)),
        ("gallery: steps", lambda: ScheduleGallery(), "steps", np.arange(100, 101 + MOVES)),
        ("gallery: gamma", lambda: ScheduleGallery(), "gamma", back_and_forth(0.05, 0.95, 0.05)),
    ]
    print(f"Python, ipympl path: {MOVES} moves per slider "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for encode_png, heading in ((False, "set value → lines + Agg render (blit or full draw)"),
                                (True, "… + ipympl's PNG of the changed pixels")):
        print(f" {heading}")
        everything = []
        for name, factory, slider, values in drags:
            times, full = drag(factory, slider, list(values), encode_png)
            everything.extend(times)
            print(summary(name, times, PYTHON_TARGET_MS, f"   full draws {full}/{len(times)}"))
            plt.close("all")
        print(summary("all moves", everything, PYTHON_TARGET_MS))


# -- 2. Browser -------------------------------------------------------------------------------

RECORD_KEYS = """
(() => {
  window.__keyTimes = [];
  window.__drawTimes = [];
  document.addEventListener('keydown', () => window.__keyTimes.push(performance.now()), true);
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    window.__drawTimes.push(performance.now());
    return drawImage.apply(this, args);
  };
})();
"""
FIRST_DRAW_AFTER_LAST_KEY = """() => {
  const key = window.__keyTimes[window.__keyTimes.length - 1];
  const draw = window.__drawTimes.find(t => t > key);
  return draw === undefined ? null : draw - key;
}"""


def browser_benchmark() -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Browser: skipped (pip install playwright)")
        return
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import lab_session as lab

    if lab.chromium_path() is None:
        print("Browser: skipped (no chromium on PATH: make system-deps)")
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        root = lab.make_course_root(tmp / "root")
        with lab.running_lab(root, tmp / "state") as server, sync_playwright() as playwright:
            browser = lab.launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(RECORD_KEYS)
            lab.open_notebook(page, server, "course/playground.ipynb")
            lab.run_all_cells(page)
            lab.wait_for_all_cells_run(page)
            explorer = page.locator(".jp-CodeCell").nth(1)
            explorer.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            handle = explorer.locator(".widget-slider", has_text="lr").first.locator(
                ".noUi-handle")
            handle.focus()
            in_page, observed = [], []
            for _ in range(KEY_PRESSES):
                started = time.perf_counter()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(f"({FIRST_DRAW_AFTER_LAST_KEY})() !== null", polling=5,
                                       timeout=30_000)
                observed.append((time.perf_counter() - started) * 1e3)
                in_page.append(page.evaluate(f"({FIRST_DRAW_AFTER_LAST_KEY})()"))
                lab.wait_for_kernel_idle(page)  # one change at a time: no coalescing
                page.wait_for_timeout(300)
            browser.close()
    print(f"Browser (JupyterLab + headless Chromium), {KEY_PRESSES} lr key presses "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(summary("keydown → canvas painted (in page)", in_page, BROWSER_TARGET_MS))
    print(summary("key press → draw seen (Playwright)", observed, BROWSER_TARGET_MS))


if __name__ == "__main__":
    python_benchmark()
    if "--python-only" not in sys.argv:
        browser_benchmark()
