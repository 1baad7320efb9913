"""JupyterLab on a throw-away copy of the course, driven by Debian's Chromium through Playwright.

Used by the browser test and by `benchmarks/bench_widgets.py`. Nothing is downloaded: the
browser is the `chromium` on PATH (`make system-deps` installs it), never Playwright's own.
Every process started here is ended here, by its process id.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Counts every drawImage on a canvas: ipympl paints each image it receives with drawImage, so
# a change of this counter is "the figure on screen changed".
COUNT_CANVAS_DRAWS = """
(() => {
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  window.__canvasDraws = 0;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    window.__canvasDraws += 1;
    return drawImage.apply(this, args);
  };
})();
"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def make_course_root(target: Path) -> Path:
    """What the lab serves: nbgrader_config.py, course/ and release/ — a copy, so the
    repository stays clean whatever the browser saves."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("course", "release"):
        shutil.copytree(REPO / folder, target / folder, ignore=ignore)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its address, token and process."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{separator}token={self.token}"


LAB_SETTINGS = {
    # No news, no update check: JupyterLab would otherwise ask in a toast (and go online).
    ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
    # Every cell stays in the page (off-screen cells are not detached while the test
    # scrolls), and a notebook starts its own kernel without asking which.
    ("notebook-extension", "tracker"): {"windowingMode": "none", "autoStartDefaultKernel": True},
}


def _write_lab_settings(settings_dir: Path) -> None:
    for (plugin, name), values in LAB_SETTINGS.items():
        folder = settings_dir / "@jupyterlab" / plugin
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))


def _wait_until_ready(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{lab.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(lab.url("api/status"), timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"JupyterLab did not answer in {timeout} s:\n{lab.log.read_text()[-3000:]}")


@contextlib.contextmanager
def running_lab(root: Path, state: Path, timeout: float = 90.0) -> Iterator[Lab]:
    """Start JupyterLab on 127.0.0.1 serving `root`, with its own config/settings/runtime
    folders under `state`; on exit shut it down and end every process it started."""
    token = secrets.token_hex(16)
    port = free_port()
    settings = state / "lab-settings"
    _write_lab_settings(settings)
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
        "IPYTHONDIR": str(state / "ipython"),
    })
    env.pop("MPLBACKEND", None)  # the notebooks choose (%matplotlib widget)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = state / "jupyterlab.log"
    state.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        # Its own session and process group; cwd = root so nbgrader's Validate reads the
        # course's nbgrader_config.py.
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(root, port, token, process, log)
    try:
        _wait_until_ready(lab, timeout)
        yield lab
    finally:
        stop_lab(lab)


def stop_lab(lab: Lab, grace: float = 15.0) -> None:
    """SIGTERM (JupyterLab then shuts its kernels down), then SIGKILL whatever is left of
    the server's process group and of its descendants (kernels run in sessions of their own)."""
    try:
        descendants = psutil.Process(lab.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(lab.process.pid, signal.SIGTERM)
    try:
        lab.process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(lab.process.pid, signal.SIGKILL)
        lab.process.wait(timeout=grace)
    _, alive = psutil.wait_procs(descendants, timeout=grace)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=grace)


def launch_chromium(playwright):
    """Debian's headless Chromium (never a downloaded browser)."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("no chromium on PATH: run `make system-deps`")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def leftover_processes(before: set[int]) -> list[str]:
    """Descendants of this process, not there at `before`, that are JupyterLab, a kernel or a
    browser — after a clean shutdown there are none."""
    found = []
    for child in psutil.Process().children(recursive=True):
        if child.pid in before:
            continue
        with contextlib.suppress(psutil.NoSuchProcess):
            command = " ".join(child.cmdline()).lower()
            if child.is_running() and child.status() != psutil.STATUS_ZOMBIE and any(
                word in command for word in ("jupyter", "ipykernel", "chrom", "playwright")
            ):
                found.append(f"{child.pid}: {command[:120]}")
    return found


def children_now() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


# -- JupyterLab in the page -----------------------------------------------------------------


def open_notebook(page, lab: Lab, path: str, timeout: float = 90_000) -> None:
    """Open `path` in a fresh workspace and wait for its kernel to be idle."""
    page.goto(lab.url(f"lab/tree/{path}?reset"), wait_until="domcontentloaded")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout)
    dismiss_notifications(page)
    wait_for_kernel_idle(page, timeout)


def accept_kernel_dialog(page) -> None:
    """If JupyterLab still asks which kernel to start, take the notebook's own."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator("button", has_text="Select").first.click()


def dismiss_notifications(page) -> None:
    """Close a news/update toast if one shows up anyway."""
    for label in ("No", "Dismiss"):
        button = page.locator(".jp-Notification-Toast button", has_text=label)
        if button.count():
            with contextlib.suppress(Exception):
                button.first.click(timeout=2000)


def wait_for_kernel_idle(page, timeout: float = 90_000) -> None:
    """Until the visible notebook has a kernel (not "No Kernel") and it is idle."""
    panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    deadline = time.monotonic() + timeout / 1000
    while True:
        accept_kernel_dialog(page)
        ready = page.evaluate(
            f"""() => {{
                const panel = document.querySelector({json.dumps(panel)});
                if (!panel) return false;
                const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
                const name = panel.querySelector('.jp-KernelName');
                return !!status && status.getAttribute('data-status') === 'idle'
                    && !!name && !/No Kernel/.test(name.textContent);
            }}"""
        )
        if ready:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the notebook's kernel was not idle within {timeout / 1000} s;"
                               f" the notebook shows:\n{describe_notebook(page)}")
        time.sleep(0.2)


def wait_for_all_cells_run(page, timeout: float = 120_000) -> None:
    """Until every code cell of the visible notebook has an execution count, and the kernel
    is idle again."""
    page.wait_for_function(
        """() => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const prompts = panel ? panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')
                                  : [];
            return prompts.length > 0
                && Array.from(prompts).every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout,
    )
    wait_for_kernel_idle(page, timeout)


NOTEBOOK_STATE = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return {cells: [], figures: []};
    const cells = Array.from(panel.querySelectorAll('.jp-CodeCell')).map(cell => ({
        prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
        outputs: Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(o =>
            (o.getAttribute('data-mime-type') || '?') + ': '
            + (o.textContent || '').trim().slice(0, 160)),
    }));
    const figures = Array.from(panel.querySelectorAll('.jupyter-matplotlib')).map(f => {
        const c = f.querySelector('canvas');
        return c ? `${c.width}x${c.height}` : 'no canvas';
    });
    const status = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return {kernel: status ? status.getAttribute('data-status') : null, cells, figures};
}"""


def describe_notebook(page) -> str:
    """What the visible notebook shows, for a failure message: every code cell's prompt and
    outputs (mime type and the start of its text), every ipympl canvas's size, the kernel's
    status. Never raises: a page that cannot be read is described as such."""
    try:
        state = page.evaluate(NOTEBOOK_STATE)
    except Exception as error:  # noqa: BLE001 - a diagnostic must not hide the real failure
        return f"(the page could not be read: {error})"
    lines = [f"kernel: {state.get('kernel')}; ipympl canvases: {state['figures']}"]
    for index, cell in enumerate(state["cells"]):
        lines.append(f"cell {index} {cell['prompt'].strip()}")
        lines.extend(f"    {output}" for output in cell["outputs"])
    return "\n".join(lines)


def run_all_cells(page) -> None:
    """Menu Run → Run All Cells, as a student would."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
