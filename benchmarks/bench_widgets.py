"""Slider change → redrawn explorer: how long, per explorer, in the kernel and in a browser.

Targets (issue 22): in the browser, median ≤ 100 ms and p95 ≤ 250 ms from the input event to
the first changed frame; in the kernel, the callback's median ≤ 50 ms; one repaint per change.
A benchmark, not a gate: nothing is asserted, and the load average is printed with the table.

Every explorer of course/playground.ipynb (and the ps01 release's explorer, which runs under
the assignment's inline backend) gets 3 warm-up changes and 50 measured changes of one slider,
made as a student makes them with the keyboard: one slider step per change, onwards to the
slider's end, then back (so some settings come back, and should come from the cache).

1. **Kernel** (this process, no browser): each explorer on ipympl's canvas, with JupyterLab's
   part played by the benchmark — it says 'initialized' (so explorers that compute ahead
   start), answers draw requests at once, and pauses between changes as the browser run does
   (until the explorers' background worker is idle, at most 1 s). Timed for each change:
   *callback* — `slider.value = v` until it returns (the kernel's work for the message,
   including the image ipympl encodes) — and *drawn* — until the figure has been redrawn for
   the new setting (later than the callback when the setting is computed in the background).
   Counted: *axes drawn*, the changes that redrew axes (new limits) rather than only lines.
2. **Browser**: JupyterLab + Debian's headless Chromium (window 1440×900, device pixel ratio
   1), the playground run with Run All. Each change is an ArrowRight/ArrowLeft key press on the
   slider's focused handle, timed in the page from the keydown event to the first animation
   frame in which the explorer's canvas pixels differ from before the key; after it the
   benchmark waits until the kernel is idle and the canvas has been still for 0.6 s, and
   counts the canvas repaints (images drawn) the change caused.

    python benchmarks/bench_widgets.py [--kernel-only | --browser-only] [--only NAME ...]

Run it on the code before a change by putting that code first on PYTHONPATH (the kernel and
JupyterLab's kernels import `lrcore` from there).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
WARM_UP = 3
CHANGES = 50
BROWSER_TARGETS = (100.0, 250.0)  # median, p95 (ms)
KERNEL_TARGET = 50.0  # median (ms)

# ipympl 0.10's toolbar passes an argument traitlets no longer wants; not ours.
warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)


@dataclass
class Case:
    """One explorer and the slider the benchmark moves."""

    name: str
    factory: Callable[[], Any]  # builds the explorer in this process
    control: str  # its key in `explorer.controls`
    label: str  # the slider's description, as the browser shows it
    cell: str  # a piece of the code cell that shows it
    notebook: str = "course/playground.ipynb"
    kernel: bool = True  # measured in this process too


def _cases() -> list[Case]:
    from lrcore.widgets.batch_size import batch_size_explorer, range_test_explorer
    from lrcore.widgets.optimizers import optimizer_explorer
    from lrcore.widgets.q_learning import q_learning_explorer
    from lrcore.widgets.quadratic import quadratic_explorer
    from lrcore.widgets.schedule_gallery import schedule_gallery

    return [
        Case("ps01 release (inline backend)", lambda: quadratic_explorer(lr=0.9), "lr", "lr",
             "quadratic_explorer(lr=0.9", notebook="release/ps01_constant_lr/"
             "ps01_constant_lr.ipynb", kernel=False),
        Case("quadratic", lambda: quadratic_explorer(lr=0.1, x0=500.0, a=1.0, steps=20), "lr",
             "lr", "quadratic_explorer(lr=0.1"),
        Case("quadratic, one-cycle", lambda: quadratic_explorer(
            lr=1.0, x0=500.0, a=1.0, steps=20, schedule="one_cycle"), "lr", "lr",
             'schedule="one_cycle"'),
        Case("schedule gallery", lambda: schedule_gallery(
            lr=0.1, steps=100, gamma=0.5, cycles=2, warmup_fraction=0.1), "lr", "lr",
             "schedule_gallery("),
        Case("batch size: batch", batch_size_explorer, "batch_size", "batch size",
             "batch_size_explorer("),
        Case("batch size: lr", batch_size_explorer, "base_lr", "lr at 16",
             "batch_size_explorer("),
        Case("range test: β", range_test_explorer, "beta", "β", "range_test_explorer("),
        Case("range test: batch", range_test_explorer, "batch_size", "batch size",
             "range_test_explorer("),
        Case("Q-learning: α", q_learning_explorer, "alpha", "α", "q_learning_explorer("),
        Case("optimisers: lr", optimizer_explorer, "lr", "lr", "optimizer_explorer("),
    ]


def load_average() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def stats(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (math.nan,) * 3
    array = np.asarray(values)
    return float(np.median(array)), float(np.percentile(array, 95)), float(array.max())


# -- slider steps, as the arrow keys make them ------------------------------------------------


def slider_positions(control: Any) -> list[Any]:
    """Every value a slider's arrow keys reach, in order: its options, or min + k·step up to
    max (exponents of `base` for a log slider)."""
    if type(control).__name__ == "SelectionSlider":
        return [value for _label, value in control._options_full]
    steps = round((control.max - control.min) / control.step)
    grid = [min(control.min + k * control.step, control.max) for k in range(steps + 1)]
    if type(control).__name__ == "FloatLogSlider":
        return [float(control.base ** exponent) for exponent in grid]
    return [type(control.value)(round(value, 10)) for value in grid]


def slider_index(control: Any, positions: list[Any]) -> int:
    """Where the slider's value stands among its positions (the nearest one)."""
    if type(control).__name__ == "SelectionSlider":
        return positions.index(control.value)
    if type(control).__name__ == "FloatLogSlider":
        at = math.log(control.value, control.base)
    else:
        at = control.value
    return min(max(round((at - control.min) / control.step), 0), len(positions) - 1)


def key_presses(control: Any, count: int) -> list[Any]:
    """The values of `count` arrow-key presses: onwards to the end of the range, then back."""
    positions = slider_positions(control)
    index, values, direction = slider_index(control, positions), [], 1
    while len(values) < count and len(positions) > 1:
        if not 0 <= index + direction < len(positions):
            direction = -direction
            continue
        index += direction
        values.append(positions[index])
    return values


# -- 1. Kernel --------------------------------------------------------------------------------


@dataclass
class KernelResult:
    callback_ms: list[float] = field(default_factory=list)
    drawn_ms: list[float] = field(default_factory=list)
    images: list[int] = field(default_factory=list)
    full_draws: int = 0


def _worker_idle() -> bool:
    try:
        from lrcore.widgets.ahead import worker_idle
    except ImportError:  # code without a background worker
        return True
    return worker_idle()


def _wait_for_worker(limit: float) -> None:
    deadline = time.monotonic() + limit
    while not _worker_idle() and time.monotonic() < deadline:
        time.sleep(0.01)


def _attach_frontend(live: Any) -> list[int]:
    """Play JupyterLab: the canvas is shown, draw requests are answered at once, and every
    image sent is counted (the returned one-element list)."""
    canvas = live.figure.canvas
    sent = [0]
    send_binary = canvas.send_binary

    def counted(data: bytes) -> None:
        sent[0] += 1
        send_binary(data)

    canvas.send_binary = counted
    canvas.draw_idle = canvas.draw
    canvas._handle_custom_msg({"type": "initialized"}, [])
    canvas.draw()
    return sent


def _refreshes(live: Any) -> int:
    """How many times the figure has been refreshed (blitted, or redrawn in part or in full)."""
    return live.blits + live.full_draws + getattr(live, "axes_draws", 0)


def _full_draws(live: Any) -> int:
    """Refreshes that redrew more than the moving lines (in full, or the changed axes)."""
    return live.full_draws + getattr(live, "axes_draws", 0)


def kernel_case(case: Case) -> KernelResult:
    explorer = case.factory()
    live = explorer.live
    images = _attach_frontend(live)
    _wait_for_worker(30.0)  # the student reads the cell before touching it
    control = explorer.controls[case.control]
    result = KernelResult()
    for index, value in enumerate(key_presses(control, WARM_UP + CHANGES)):
        refreshes = _refreshes(live)
        full_before = _full_draws(live)
        sent = images[0]
        started = time.perf_counter()
        control.value = value
        callback = time.perf_counter() - started
        deadline = time.monotonic() + 60
        while _refreshes(live) == refreshes and time.monotonic() < deadline:
            time.sleep(0.0005)
        drawn = time.perf_counter() - started
        _wait_for_worker(1.0)
        if index >= WARM_UP:
            result.callback_ms.append(callback * 1e3)
            result.drawn_ms.append(drawn * 1e3)
            result.images.append(images[0] - sent)
            result.full_draws += _full_draws(live) - full_before
    return result


def kernel_benchmark(cases: list[Case]) -> dict[str, KernelResult]:
    import matplotlib

    matplotlib.use("module://ipympl.backend_nbagg")  # explorers that follow pyplot's choice
    results = {}
    for case in cases:
        if case.kernel:
            results[case.name] = kernel_case(case)
            print(f"  kernel: {case.name} done", flush=True)
    return results


# -- 2. Browser -------------------------------------------------------------------------------

# In the page: count drawImage calls per canvas, and on a key press watch the animation frames
# for the first one in which the watched canvas's pixels differ from before the key.
PAGE_PROBE = """
(() => {
  const draws = new WeakMap();
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    draws.set(this.canvas, (draws.get(this.canvas) || 0) + 1);
    return drawImage.apply(this, args);
  };
  // What is watched: an ipympl canvas (its pixels), or — an explorer under the inline
  // backend — the <img> its Output widget shows (its source).
  const probe = window.__probe = {canvas: null, cell: null, images: 0, before: null,
                                  keyTime: null, firstChange: null, drawsAtKey: 0,
                                  lastDraw: 0, seen: 0, lastCount: 0};
  probe.draws = () => probe.canvas ? (draws.get(probe.canvas) || 0) : probe.images;
  probe.image = () => { const img = probe.cell.querySelector('.widget-output img');
                        return img && img.complete && img.naturalWidth > 0 ? img.src : null; };
  probe.snapshot = () => {
    if (!probe.canvas) return probe.image();
    const c = probe.canvas;
    return new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
  };
  probe.differs = (now) => {
    if (!probe.canvas) return now !== null && now !== probe.before;
    if (now.length !== probe.before.length) return true;
    for (let i = 0; i < now.length; i++) if (now[i] !== probe.before[i]) return true;
    return false;
  };
  probe.watch = (canvas, cell) => {
    probe.canvas = canvas; probe.cell = cell; probe.seen = probe.draws();
    if (!canvas) new MutationObserver(() => { probe.images += 1; })
      .observe(cell, {childList: true, subtree: true, attributes: true,
                      attributeFilter: ['src']});
  };
  document.addEventListener('keydown', () => {
    if (!probe.cell) return;
    probe.keyTime = performance.now();
    probe.before = probe.snapshot();
    probe.firstChange = null;
    probe.drawsAtKey = probe.draws();
    probe.seen = probe.drawsAtKey;
    const frame = () => {
      if (probe.firstChange !== null) return;
      const count = probe.draws();
      if (count !== probe.seen || !probe.canvas) {
        probe.seen = count;
        if (probe.differs(probe.snapshot())) {
          probe.firstChange = performance.now() - probe.keyTime; return;
        }
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, true);
  setInterval(() => {
    if (probe.cell) { const n = probe.draws(); if (n !== probe.lastCount) {
      probe.lastCount = n; probe.lastDraw = performance.now(); } }
  }, 20);
})();
"""


@dataclass
class BrowserResult:
    first_change_ms: list[float] = field(default_factory=list)
    repaints: list[int] = field(default_factory=list)
    no_change: int = 0


def _slider_handle(page: Any, cell: Any, label: str) -> Any:
    slider = cell.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=label))
    for index in range(slider.count()):
        if slider.nth(index).locator(".widget-label").first.inner_text().strip() == label:
            return slider.nth(index).locator(".noUi-handle").first
    raise LookupError(f"no slider labelled {label!r}")


def _run_cells_for(page: Any, lab: Any, case: Case) -> None:
    """Run the notebook's setup cell (an assignment) or all cells (the playground)."""
    if "playground" in case.notebook:
        lab.run_all_cells(page)
        lab.wait_for_all_cells_run(page)
        return
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    for index in (0, cells.count() - 1):  # the setup cell, then the explorer cell
        cells.nth(index).locator(".jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        lab.wait_for_kernel_idle(page)
    page.wait_for_function(
        "() => document.querySelector('.jupyter-matplotlib canvas, .widget-output img')",
        timeout=60_000)


def browser_case(page: Any, lab: Any, case: Case) -> BrowserResult:
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has_text=case.cell).first
    cell.scroll_into_view_if_needed()
    figure = cell.locator(".jupyter-matplotlib-canvas-div canvas, .widget-output img").first
    figure.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)  # the student reads the cell; explorers compute ahead
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas")
    page.evaluate("([c, cell]) => window.__probe.watch(c, cell)",
                  [canvas.first.element_handle() if canvas.count() else None,
                   cell.element_handle()])
    handle = _slider_handle(page, cell, case.label)
    handle.focus()
    direction, result = 1, BrowserResult()
    for index in range(WARM_UP + CHANGES):
        now = float(handle.get_attribute("aria-valuenow"))
        low, high = (float(handle.get_attribute(f"aria-value{end}")) for end in ("min", "max"))
        if (direction > 0 and now >= high - 1e-9) or (direction < 0 and now <= low + 1e-9):
            direction = -direction
        page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        try:
            page.wait_for_function("() => window.__probe.firstChange !== null", timeout=20_000,
                                   polling=10)
            latency = page.evaluate("() => window.__probe.firstChange")
        except Exception:  # noqa: BLE001 - no change within the time: counted, not fatal
            latency = None
        lab.wait_for_kernel_idle(page)
        page.wait_for_function(
            "() => performance.now() - Math.max(window.__probe.lastDraw,"
            " window.__probe.keyTime) > 600", timeout=30_000, polling=50)
        repaints = page.evaluate("() => window.__probe.draws() - window.__probe.drawsAtKey")
        if index >= WARM_UP:
            if latency is None:
                result.no_change += 1
            else:
                result.first_change_ms.append(latency)
            result.repaints.append(repaints)
    return result


def browser_benchmark(cases: list[Case]) -> dict[str, BrowserResult]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("Browser: skipped (pip install playwright)")
        return {}
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import lab_session as lab

    if lab.chromium_path() is None:
        print("Browser: skipped (no chromium on PATH: make system-deps)")
        return {}
    results: dict[str, BrowserResult] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        root = lab.make_course_root(tmp / "root")
        with lab.running_lab(root, tmp / "state") as server, sync_playwright() as playwright:
            browser = lab.launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1440, "height": 900},
                                    device_scale_factor=1)
            page.add_init_script(PAGE_PROBE)
            opened = None
            for case in cases:
                if case.notebook != opened:
                    lab.open_notebook(page, server, case.notebook)
                    _run_cells_for(page, lab, case)
                    opened = case.notebook
                results[case.name] = browser_case(page, lab, case)
                print(f"  browser: {case.name} done", flush=True)
            browser.close()
    return results


# -- the table --------------------------------------------------------------------------------


def table(cases: list[Case], kernel: dict[str, KernelResult],
          browser: dict[str, BrowserResult]) -> str:
    header = (f"{'explorer: slider':<30} {'kernel callback':>17} {'kernel drawn':>17} "
              f"{'axes':>5} {'browser first frame':>26} {'repaints':>9}")
    units = (f"{'':<30} {'median    p95':>17} {'median    p95':>17} {'drawn':>5} "
             f"{'median    p95     max':>26} {'/change':>9}")
    lines = [header, units]
    for case in cases:
        k, b = kernel.get(case.name), browser.get(case.name)
        cells = [f"{case.name:<30}"]
        if k:
            cells.append("{:>8.0f} {:>8.0f}".format(*stats(k.callback_ms)[:2]))
            cells.append("{:>8.0f} {:>8.0f}".format(*stats(k.drawn_ms)[:2]))
            cells.append(f"{k.full_draws:>5}")
        else:
            cells += [f"{'—':>17}", f"{'—':>17}", f"{'—':>5}"]
        if b:
            median, p95, worst = stats(b.first_change_ms)
            verdict = "ok" if median <= BROWSER_TARGETS[0] and p95 <= BROWSER_TARGETS[1] else "OVER"
            cells.append(f"{median:>7.0f} {p95:>7.0f} {worst:>7.0f} {verdict:>4}")
            extra = f"  ({b.no_change} changes not seen)" if b.no_change else ""
            cells.append(f"{np.mean(b.repaints):>9.2f}{extra}")
        else:
            cells += [f"{'—':>26}", f"{'—':>9}"]
        lines.append(" ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel-only", action="store_true")
    parser.add_argument("--browser-only", action="store_true")
    parser.add_argument("--only", nargs="*", help="names of the cases to run (prefixes)")
    args = parser.parse_args(argv)
    cases = _cases()
    if args.only:
        cases = [c for c in cases if any(c.name.startswith(prefix) for prefix in args.only)]
    print(f"Explorers: {WARM_UP} warm-up + {CHANGES} changes each ({load_average()})",
          flush=True)
    kernel = {} if args.browser_only else kernel_benchmark(cases)
    browser = {} if args.kernel_only else browser_benchmark(cases)
    print(f"\nSlider change → redrawn explorer, ms ({load_average()}; targets: browser median "
          f"≤ {BROWSER_TARGETS[0]:.0f}, p95 ≤ {BROWSER_TARGETS[1]:.0f}; kernel callback median "
          f"≤ {KERNEL_TARGET:.0f}; one repaint per change)")
    print(table(cases, kernel, browser))


if __name__ == "__main__":
    main()
