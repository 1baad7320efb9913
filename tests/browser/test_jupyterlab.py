"""The course in a real JupyterLab in a real (headless) Chromium, as a student meets it.

JupyterLab serves a copy of the course (nbgrader_config.py, course/, release/) on 127.0.0.1
with a token. Chromium — Debian's, through Playwright, in a 1440×900 window at a device pixel
ratio of 1 — opens the playground and runs all cells; every explorer must fit its notebook
column and redraw its figure when its first slider is moved with the arrow keys. Then it opens
the ps01 release and presses nbgrader's **Validate** button: the blank notebook fails, a solved
one passes; and the release's own explorer, under the assignment's inline backend, redraws in
place too. At the end JupyterLab is shut down and no process is left behind. Screenshots go to
screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

SCREENSHOTS = REPO / "screenshots"
ASSIGNMENT = "ps01_constant_lr"
RELEASE_NOTEBOOK = f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
SOLVED_NOTEBOOK = f"release/{ASSIGNMENT}/{ASSIGNMENT}_solved.ipynb"


def _requirements() -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    del playwright
    from lab_session import chromium_path

    if chromium_path() is None:
        message = "no chromium on PATH: run `make system-deps`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Session:
    """One JupyterLab and one browser page for the whole module."""

    def __init__(self, tmp: Path):
        import lab_session as lab
        from playwright.sync_api import sync_playwright

        self.lab_module = lab
        self.processes_before = lab.children_now()
        root = lab.make_course_root(tmp / "root")
        write_solved_notebook(root / SOLVED_NOTEBOOK)
        self._lab_context = lab.running_lab(root, tmp / "state")
        self.lab = self._lab_context.__enter__()
        self._playwright = sync_playwright().start()
        self.browser = lab.launch_chromium(self._playwright)
        self.page = self.browser.new_page(viewport={"width": 1440, "height": 900},
                                          device_scale_factor=1)
        self.page.add_init_script(lab.COUNT_CANVAS_DRAWS)
        self.stopped = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        try:
            self.browser.close()
            self._playwright.stop()
        finally:
            self._lab_context.__exit__(None, None, None)


def write_solved_notebook(path: Path) -> None:
    """The release with the instructor's solution written in (the first sample student)."""
    from autograder.course import Course
    from autograder.samples.build import build_notebook, samples_for

    solution = next(s for s in samples_for(ASSIGNMENT) if not s.blank and not s.failing_tests)
    notebook = build_notebook(Course(REPO), ASSIGNMENT, ASSIGNMENT, solution)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    _requirements()
    SCREENSHOTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    live = Session(tmp_path_factory.mktemp("jupyterlab"))
    yield live
    live.stop()
    print(f"browser session: {time.perf_counter() - started:.1f} s wall time")


def test_widget_messages_reach_the_main_shell_not_a_subshell(session):
    """JupyterLab 4.4+ sends widget comm messages to a kernel subshell by default, which
    ipykernel 7 handles on another thread while the main one runs the next cell: ipympl and
    matplotlib then race (an explorer's figure stayed blank, now and then, after Run All).
    `make setup` installs the course's jupyterlab/overrides.json, which turns that off."""
    url = session.lab.url("lab/api/settings/@jupyterlab/apputils-extension:kernels-settings")
    with urllib.request.urlopen(url, timeout=30) as response:
        settings = json.loads(response.read())
    # the server applies overrides.json to the schema's defaults; no user setting changes it
    assert settings["schema"]["properties"]["commsOverSubshells"]["default"] == "disabled"
    assert "commsOverSubshells" not in settings["settings"]


def test_playground_runs_and_a_slider_redraws_the_plot(session):
    lab, page = session.lab_module, session.page
    lab.open_notebook(page, session.lab, "course/playground.ipynb")
    lab.run_all_cells(page)
    lab.wait_for_all_cells_run(page)
    # Every explorer's figure got its size and first image from the kernel.
    wait_for_figures(page, at_least=3)
    lab.wait_for_kernel_idle(page)
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                        ).count() == 0
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
                        ).count() == 0

    explorer = page.locator(".jp-CodeCell").nth(1)  # quadratic_explorer(lr=0.1, …)
    explorer.scroll_into_view_if_needed()
    figure = explorer.locator(".jupyter-matplotlib-canvas-div").first
    lr_slider = explorer.locator(".widget-slider", has_text="lr").first
    readout = lr_slider.locator(".widget-readout")
    status = explorer.locator(".widget-html-content").first
    assert readout.inner_text() == "0.100"
    assert "monotone convergence" in status.inner_text()
    page.wait_for_timeout(500)  # let the first image settle
    before = figure.screenshot(path=str(SCREENSHOTS / "playground_before.png"))

    draws = page.evaluate("() => window.__canvasDraws")
    lr_slider.locator(".noUi-handle").focus()
    page.keyboard.press("PageUp")  # five steps of 0.01 decade up the log slider
    page.wait_for_function(f"() => window.__canvasDraws > {draws}", timeout=30_000)
    page.wait_for_function(
        "el => el.textContent === '0.112'", arg=readout.element_handle(), timeout=30_000
    )
    after = wait_for_new_image(figure, before, SCREENSHOTS / "playground_after.png")
    assert after != before, "the figure did not change after the slider moved"
    assert "monotone convergence" in status.inner_text()  # lr 0.112 < 1/2: same regime

    # The slider's end, lr = 3 > 1/a: divergence, and the clipped overflow is announced.
    page.keyboard.press("End")
    page.wait_for_function(
        "el => /divergence/.test(el.textContent) && /clipped/.test(el.textContent)",
        arg=status.element_handle(), timeout=30_000,
    )
    lab.wait_for_kernel_idle(page)  # the new axis limits need a full draw: let it arrive
    diverging = wait_for_new_image(figure, after, SCREENSHOTS / "playground_diverging_figure.png")
    assert diverging != after
    page.screenshot(path=str(SCREENSHOTS / "playground_diverging.png"))

    # A picture of every explorer, as drawn in the browser.
    cells = page.locator(".jp-CodeCell")
    for index in range(1, cells.count()):
        cell = cells.nth(index)
        cell.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        cell.screenshot(path=str(SCREENSHOTS / f"playground_cell{index}.png"))


EXPLORER_CELLS = {
    "quadratic": "quadratic_explorer(lr=0.1",
    "quadratic_one_cycle": 'schedule="one_cycle"',
    "schedule_gallery": "schedule_gallery(",
    "batch_size": "batch_size_explorer(",
    "range_test": "range_test_explorer(",
    "q_learning": "q_learning_explorer(",
    "optimizers": "optimizer_explorer(",
}
"""Every explorer of the playground: a piece of its cell's code."""


@pytest.mark.parametrize("name", list(EXPLORER_CELLS))
def test_each_explorer_fits_its_column_and_redraws_after_an_arrow_key(session, name):
    lab, page = session.lab_module, session.page
    ensure_playground_ran(session)
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has_text=EXPLORER_CELLS[name]).first
    cell.scroll_into_view_if_needed()
    figure = cell.locator(".jupyter-matplotlib-canvas-div").first
    figure.wait_for(timeout=120_000)
    assert_fits_column(cell, name)

    lab.wait_for_kernel_idle(page)
    page.wait_for_timeout(500)  # the first image settles
    before = figure.screenshot()
    moved = move_first_slider_with_the_keyboard(page, cell)
    after = wait_for_new_image(figure, before, SCREENSHOTS / f"explorer_{name}_figure.png",
                               timeout=120.0)
    assert after != before, f"{name}: the figure did not change after {moved}"
    cell.screenshot(path=str(SCREENSHOTS / f"explorer_{name}.png"))


def ensure_playground_ran(session) -> None:
    """The playground open with every cell run (the test above did it, unless run alone)."""
    lab, page = session.lab_module, session.page
    figures = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-matplotlib")
    if figures.count() >= len(EXPLORER_CELLS):
        return
    lab.open_notebook(page, session.lab, "course/playground.ipynb")
    lab.run_all_cells(page)
    lab.wait_for_all_cells_run(page)
    wait_for_figures(page, at_least=len(EXPLORER_CELLS))


def assert_fits_column(cell, name: str) -> None:
    """The explorer's widget (sliders, status line, figure) is no wider than the notebook's
    output column, and the column has no horizontal scrollbar."""
    column = cell.locator(".jp-OutputArea-output").first
    explorer = column.locator(".widget-vbox").first
    canvas = column.locator(".jupyter-matplotlib-canvas-div").first
    column_width = column.bounding_box()["width"]
    for part, locator in (("widget", explorer), ("figure", canvas)):
        width = locator.bounding_box()["width"]
        assert width <= column_width, f"{name}: its {part} is {width:.0f} px wide in a " \
                                      f"{column_width:.0f}-px column"
    overflow = column.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"{name}: the column scrolls sideways by {overflow} px"


def move_first_slider_with_the_keyboard(page, cell) -> str:
    """Focus the explorer's first slider and press an arrow key (left at the end of its
    range); the readout must change — the slider works without a mouse. Returns what moved."""
    slider = cell.locator(".widget-slider").first
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    label = slider.locator(".widget-label").first.inner_text()
    handle.focus()
    at_end = float(handle.get_attribute("aria-valuenow")) >= float(
        handle.get_attribute("aria-valuemax")) - 1e-9
    key = "ArrowLeft" if at_end else "ArrowRight"
    shown = readout.inner_text()
    page.keyboard.press(key)
    page.wait_for_function("([el, old]) => el.textContent !== old",
                           arg=[readout.element_handle(), shown], timeout=30_000)
    return f"{key} on the {label!r} slider ({shown} → {readout.inner_text()})"


def wait_for_figures(page, at_least: int, timeout: float = 120_000) -> None:
    """Until the notebook shows `at_least` ipympl figures and each canvas has its size (which
    only the kernel's answer to the figure's first message gives it). On timeout the failure
    names what the notebook shows and a screenshot of the page is kept."""
    import lab_session
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            """n => {
                const figures = Array.from(document.querySelectorAll('.jupyter-matplotlib'));
                return figures.length >= n
                    && figures.every(f => { const c = f.querySelector('canvas');
                                            return c && c.width > 0; });
            }""",
            arg=at_least,
            timeout=timeout,
        )
    except PlaywrightTimeout:
        page.screenshot(path=str(SCREENSHOTS / "figures_missing.png"), full_page=True)
        pytest.fail(f"the figures were not drawn within {timeout / 1000:.0f} s; the notebook"
                    f" shows:\n{lab_session.describe_notebook(page)}")


def wait_for_new_image(figure, before: bytes, path: Path, timeout: float = 30.0) -> bytes:
    """Screenshot the figure until it differs from `before` (the image arrives asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        after = figure.screenshot(path=str(path))
        if after != before or time.monotonic() > deadline:
            return after
        time.sleep(0.2)


def validate(session, notebook: str, screenshot: str) -> str:
    """Open `notebook`, press Validate, return the text of nbgrader's verdict."""
    lab, page = session.lab_module, session.page
    lab.open_notebook(page, session.lab, notebook)
    button = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first
    button.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(timeout=240_000)
    message = dialog.locator("#validation-message")
    page.screenshot(path=str(SCREENSHOTS / screenshot))
    text = message.inner_text()
    classes = message.get_attribute("class") or ""
    # each failed cell shows its source, then its error: every error message is one line the
    # dialog wraps, so nothing runs past its right edge
    overflowing = message.evaluate(
        "el => [...el.querySelectorAll('pre')].filter((p, i) => i % 2 === 1)"
        ".filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText.slice(0, 80))")
    assert overflowing == [], overflowing
    dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()
    dialog.wait_for(state="detached")
    return f"{classes}\n{text}"


def test_validate_fails_the_blank_release(session):
    verdict = validate(session, RELEASE_NOTEBOOK, "validate_blank_release.png")
    assert "validation-failed" in verdict
    assert "The following cell failed" in verdict
    assert "NotImplementedError" in verdict


def test_validate_passes_a_solved_notebook(session):
    verdict = validate(session, SOLVED_NOTEBOOK, "validate_solved.png")
    assert "validation-success" in verdict
    assert "Success! Your notebook passes all the tests." in verdict


def test_an_assignment_explorer_redraws_in_place_under_the_inline_backend(session):
    """ps01's setup cell says `%matplotlib inline` (its figures are graded); its explorer
    still draws on ipympl's canvas and updates it in place."""
    lab, page = session.lab_module, session.page
    lab.open_notebook(page, session.lab, RELEASE_NOTEBOOK)
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    assert "%matplotlib inline" in cells.first.inner_text()
    explorer = cells.nth(cells.count() - 1)  # fixed now: Shift+Enter adds a cell below it
    assert "quadratic_explorer(" in explorer.inner_text()
    for cell in (cells.first, explorer):  # the setup cell, then the explorer
        cell.locator(".jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        lab.wait_for_kernel_idle(page)
    figure = explorer.locator(".jupyter-matplotlib-canvas-div").first
    figure.wait_for(timeout=120_000)
    explorer.scroll_into_view_if_needed()
    assert_fits_column(explorer, ASSIGNMENT)
    page.wait_for_timeout(500)
    before = figure.screenshot()
    move_first_slider_with_the_keyboard(page, explorer)
    after = wait_for_new_image(figure, before, SCREENSHOTS / "explorer_ps01_release_figure.png")
    assert after != before
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_ps01_release.png"))


def test_shutdown_leaves_no_process_behind(session):
    lab = session.lab_module
    server = session.lab.process
    session.stop()
    assert server.poll() is not None, "JupyterLab is still running"
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)  # its process group is gone too
    assert lab.leftover_processes(session.processes_before) == []
