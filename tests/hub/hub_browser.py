"""Pages of the hub in Debian's headless Chromium: log in, watch for errors, take screenshots.

Every page records its console errors and uncaught exceptions (`Watched.errors`);
`visible_error_banners` lists what a person would see as an error on the page: nbgrader's
alerts (the Formgrader's yellow and red banners, the Assignment List's "Error …" lines) and
JupyterLab's error toasts.
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from lab_session import launch_chromium  # noqa: E402  (tests/browser: Debian's Chromium)

SCREENSHOTS = REPO / "screenshots" / "hub"
ERROR_BANNERS = (
    ".alert-danger:visible, .alert-warning:visible, .Toastify__toast--error:visible, "
    ".jp-Dialog:has-text('Error'):visible"
)


@dataclass
class Watched:
    """A browser context (one person's cookies) and its page, with what went wrong on it."""

    name: str
    context: object
    page: object
    errors: list[str] = field(default_factory=list)
    step: int = 0

    def screenshot(self, label: str) -> Path:
        """screenshots/hub/<person>-<nn>-<label>.png, numbered in the order taken."""
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


def watch(browser, name: str) -> Watched:
    context = browser.new_context(viewport={"width": 1440, "height": 900},
                                  device_scale_factor=1)
    page = context.new_page()
    watched = Watched(name, context, page)

    def on_console(message) -> None:
        if message.type == "error":
            watched.errors.append(f"{page.url}: console: {message.text[:300]}")

    def on_response(response) -> None:
        if response.status >= 400:
            watched.errors.append(f"{page.url}: HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(f"{page.url}: {error}"[:400]))
    page.on("response", on_response)
    def on_request_failed(request) -> None:
        if request.failure != "net::ERR_ABORTED":  # cancelled by leaving the page: not a failure
            watched.errors.append(f"{page.url}: request failed: {request.url[:200]} "
                                  f"({request.failure})")

    page.on("requestfailed", on_request_failed)
    return watched


def visible_error_banners(page) -> list[str]:
    """The text of every error banner, toast or dialog a person sees on the page now (in the
    page and its same-origin frames)."""
    found = []
    for frame in page.frames:
        with contextlib.suppress(Exception):
            for element in frame.locator(ERROR_BANNERS).all():
                found.append(f"{frame.url}: {element.inner_text().strip()[:300]}")
    return found


def log_in(watched: Watched, url: str, name: str, password: str) -> None:
    """The hub's login form, as a person fills it in."""
    page = watched.page
    page.goto(url + "hub/login", wait_until="domcontentloaded")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout:.0f} s")
        time.sleep(interval)


__all__ = ["SCREENSHOTS", "Watched", "launch_chromium", "log_in", "visible_error_banners",
           "wait_until", "watch"]
