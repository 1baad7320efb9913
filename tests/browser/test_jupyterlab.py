"""The course in a real JupyterLab in a real (headless) Chromium, as a student meets it.

JupyterLab serves a copy of the course (nbgrader_config.py, course/, release/) on 127.0.0.1
with a token. Chromium — Debian's, through Playwright — opens the playground, runs all cells,
moves a slider with the keyboard and checks that the plot on screen changed; then it opens
the ps01 release and presses nbgrader's **Validate** button: the blank notebook fails, a
solved one passes. At the end JupyterLab is shut down and no process is left behind.
Screenshots go to screenshots/ (git-ignored).
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
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 1000})
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


def test_shutdown_leaves_no_process_behind(session):
    lab = session.lab_module
    server = session.lab.process
    session.stop()
    assert server.poll() is not None, "JupyterLab is still running"
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)  # its process group is gone too
    assert lab.leftover_processes(session.processes_before) == []
