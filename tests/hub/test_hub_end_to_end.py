"""The course as people run it: `make hub`, then a whole assignment in a real browser.

`make hub` starts the course's JupyterHub on 127.0.0.1 with an instructor and two students
(system accounts `lrlab-e2e-*`, made by it and removed by `make hub-clean` at the end, also when a
test fails). In Debian's headless Chromium:

1. the instructor opens the Formgrader (a hub service only the instructor may open), generates
   and releases ps01;
2. alice logs in, fetches it from *Assignment List*, types her answers into the cells, runs them,
   presses *Validate* and submits;
3. mallory, the hostile student, types code that looks for everything she must not read and
   forges a score in front of every test cell, runs it and submits;
4. the instructor collects, autogrades each submission (sandboxed and judged: the course's
   nbgrader_config.py), gives alice's written answer its 2 points, generates and releases
   feedback;
5. alice fetches her feedback and reads it.

Every page is watched for error banners and console errors; each step leaves a screenshot in
screenshots/hub/ (git-ignored). Finally SIGINT, as Ctrl-C, must stop every process the hub
started, and `make hub-clean` must remove the accounts and the hub's folder.

Needs root (system accounts), Debian's chromium and configurable-http-proxy, and the students'
environment .venv-student, which `make hub` builds when its inputs changed (minutes, once).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import hub_session
import nbformat
import pytest
from hostile_student import hostile_cell
from hub_browser import SCREENSHOTS, launch_chromium, log_in, visible_error_banners, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(3600)]

REPO = hub_session.REPO
ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
WRITTEN_ANSWER = "written_constant_lr_limits"
CELL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell"
SQLITE_HEADER = "SQLite format 3"


def _requirements() -> None:
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from lab_session import chromium_path

    missing = []
    if os.geteuid() != 0:
        missing.append("root (the hub creates system accounts)")
    if chromium_path() is None:
        missing.append("chromium (make system-deps)")
    if missing:
        message = "the hub's end-to-end test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the run: one hub, one browser, the whole assignment ---------------------------------------


class CourseRun:
    """Everything the steps saw, for the tests to check."""

    def __init__(self, hub: hub_session.Hub, browser):
        self.hub = hub
        self.browser = browser
        self.people: dict[str, object] = {}
        self.banners: list[str] = []
        self.modals: dict[str, str] = {}
        self.validation = ""
        self.mallory_outputs = ""
        self.alice_feedback_page = ""
        self.grading_view_answer = ""
        self.canaries: dict[str, str] = {}
        self.durations: dict[str, float] = {}
        self.screenshots: list[Path] = []

    @property
    def alice(self) -> str:
        return self.hub.student("alice")

    @property
    def mallory(self) -> str:
        return self.hub.student("mallory")

    def person(self, name: str):
        if name not in self.people:
            watched = watch(self.browser, name.removeprefix(hub_session.PREFIX))
            log_in(watched, self.hub.url, name, self.hub.passwords[name])
            self.people[name] = watched
        return self.people[name]

    def snap(self, watched, label: str) -> None:
        """A screenshot of the step, and whatever error the page shows now."""
        time.sleep(0.3)
        self.screenshots.append(watched.screenshot(label))
        self.banners += [f"{watched.name}/{label}: {text}"
                         for text in visible_error_banners(watched.page)]

    # -- the Formgrader ----------------------------------------------------------------------

    def formgrader(self, path: str = "") -> object:
        teacher = self.person(self.hub.instructor)
        teacher.page.goto(f"{self.hub.url}services/formgrader/formgrader/{path}",
                          wait_until="networkidle")
        return teacher

    def assignment_action(self, column: str, label: str, timeout: float = 600) -> None:
        """Press the button of ps01's row in *Manage Assignments*; keep the dialog's text."""
        teacher = self.formgrader("manage_assignments")
        row = teacher.page.locator(f"tr:has(td.name:has-text('{ASSIGNMENT}'))")
        started = time.monotonic()
        row.locator(f"td.{column} a").first.click()
        self._close_result_dialog(teacher, label, timeout)
        self.durations[label] = time.monotonic() - started

    def _close_result_dialog(self, teacher, label: str, timeout: float) -> None:
        modal = teacher.page.locator("#success-modal, #error-modal").first
        modal.wait_for(state="visible", timeout=timeout * 1000)
        self.modals[label] = modal.inner_text()
        self.snap(teacher, label)
        modal.locator("button.close").first.click()
        modal.wait_for(state="detached", timeout=30_000)

    def autograde(self, student: str) -> None:
        teacher = self.formgrader(f"manage_submissions/{ASSIGNMENT}")
        row = teacher.page.locator(f"tr:has(td.student-id:has-text('{student}'))")
        started = time.monotonic()
        row.locator("td.autograde a").first.click()
        self._close_result_dialog(teacher, f"autograde-{student}", 900)
        self.durations[f"autograde {student}"] = time.monotonic() - started

    def grade_written_answer(self, student: str, points: int) -> None:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.hub.course / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            submission_id = submission.id
        teacher = self.formgrader(f"submissions/{submission_id}/")
        score = teacher.page.locator(f"input.score#{WRITTEN_ANSWER}")
        score.scroll_into_view_if_needed()
        score.fill(str(points))
        score.press("Tab")
        cell = teacher.page.locator(f".nbgrader_cell:has(input.score#{WRITTEN_ANSWER})")
        cell.locator(".score-saved").first.wait_for(state="visible", timeout=30_000)
        self.grading_view_answer = cell.inner_text()
        self.snap(teacher, "manual-grade")

    # -- a student's JupyterLab --------------------------------------------------------------

    def lab(self, name: str):
        student = self.person(name)
        student.page.wait_for_url(f"**/user/{name}/lab**", timeout=240_000)
        student.page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=240_000)
        return student

    def assignment_list(self, student) -> object:
        page = student.page
        if not page.locator("#nbgrader-assignment-list").count():
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Assignment List").first.click()
        else:
            page.locator(".lm-TabBar-tab", has_text="Assignments").first.click()
            page.locator("#refresh_assignments_list").first.click()
        listing = page.locator("#nbgrader-assignment-list")
        listing.wait_for(timeout=60_000)
        return listing

    def fetch(self, name: str) -> None:
        student = self.lab(name)
        listing = self.assignment_list(student)
        released = listing.locator("#released_assignments_list")
        released.locator("button", has_text="Fetch").first.click(timeout=60_000)
        listing.locator("#fetched_assignments_list").get_by_text(ASSIGNMENT).first.wait_for(
            timeout=60_000)
        self.snap(student, "fetched")

    def open_notebook(self, student) -> None:
        import lab_session

        page = student.page
        page.goto(f"{self.hub.url}user/{self.people_name(student)}/lab/tree/{NOTEBOOK}",
                  wait_until="domcontentloaded")
        page.wait_for_selector(f"{CELL}", timeout=120_000)
        lab_session.wait_for_kernel_idle(page, 180_000)

    def people_name(self, student) -> str:
        return next(name for name, watched in self.people.items() if watched is student)

    def type_into_cell(self, student, index: int, text: str, markdown: bool = False) -> None:
        """Click into the cell's editor, select everything and type `text` over it."""
        page = student.page
        cell = page.locator(CELL).nth(index)
        cell.scroll_into_view_if_needed()
        if markdown:
            cell.dblclick()
        editor = cell.locator(".jp-InputArea-editor .cm-content").first
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(text)

    def run_all_and_save(self, student) -> None:
        """Run → Run All Cells, until no cell is queued or running and the kernel is idle
        (Run All stops at a cell that fails); then save."""
        import lab_session

        page = student.page
        lab_session.run_all_cells(page)
        page.wait_for_function(
            """selector => {
                const prompts = Array.from(document.querySelectorAll(
                    selector + '.jp-CodeCell .jp-InputArea-prompt'));
                return prompts.some(p => /\\[\\d+\\]/.test(p.textContent))
                    && !prompts.some(p => /\\[\\*\\]/.test(p.textContent));
            }""",
            arg=".jp-NotebookPanel:not(.lm-mod-hidden) ", timeout=600_000)
        lab_session.wait_for_kernel_idle(page, 600_000)
        student.page.keyboard.press("Control+s")
        student.page.locator(".jp-mod-current.jp-mod-dirty").wait_for(state="detached",
                                                                      timeout=30_000)

    def validate(self, student) -> str:
        page = student.page
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first.click()
        dialog = page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=300_000)
        message = dialog.locator("#validation-message")
        verdict = f"{message.get_attribute('class')}\n{message.inner_text()}"
        self.snap(student, "validated")
        dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()
        dialog.wait_for(state="detached")
        return verdict

    def submit(self, name: str) -> None:
        student = self.people[name]
        listing = self.assignment_list(student)
        fetched = listing.locator("#fetched_assignments_list")
        fetched.locator("button", has_text="Submit").first.click()
        listing.locator("#submitted_assignments_list").get_by_text(ASSIGNMENT).first.wait_for(
            timeout=120_000)
        self.snap(student, "submitted")


def solved_answers(course: Path) -> list[tuple[int, str, str]]:
    """alice's answers — the first sample student's (the instructor's solution) — for the
    release the hub's Formgrader generated: (cell index, cell type, text) of every answer cell."""
    from autograder.course import Course
    from autograder.samples.build import build_notebook, samples_for

    solution = next(s for s in samples_for(ASSIGNMENT) if not s.blank and not s.failing_tests)
    notebook = build_notebook(Course(course), ASSIGNMENT, ASSIGNMENT, solution)
    return [(index, cell.cell_type, cell.source) for index, cell in enumerate(notebook.cells)
            if cell.metadata.get("nbgrader", {}).get("solution")]


def prepare_home(name: str, canary: str | None) -> None:
    """The student's own JupyterLab settings (every cell stays in the page while the test
    scrolls; a notebook starts its kernel without asking) and, for alice, a private note."""
    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
    if canary:
        (home / "private-note.txt").write_text(canary)
        (home / "private-note.txt").chmod(0o600)
    subprocess.run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(home)], check=True)


def play_the_course(run: CourseRun) -> None:
    hub = run.hub
    run.canaries = {"note": "note-" + secrets.token_hex(12),
                    "answer": "answer-" + secrets.token_hex(12)}
    prepare_home(run.alice, run.canaries["note"])
    prepare_home(run.mallory, None)

    # 1. the instructor generates and releases ps01 in the Formgrader
    teacher = run.formgrader()
    run.snap(teacher, "formgrader")
    run.assignment_action("assign", "generate")
    run.assignment_action("release", "release")
    answers = solved_answers(hub.course)

    # 2. alice: fetch, type her answers, run, Validate, submit
    run.fetch(run.alice)
    alice = run.people[run.alice]
    run.open_notebook(alice)
    for index, cell_type, text in answers:
        if cell_type == "markdown":
            text += f"\n\n(my reference: {run.canaries['answer']})"
        run.type_into_cell(alice, index, text, markdown=cell_type == "markdown")
    run.run_all_and_save(alice)
    run.snap(alice, "answered")
    run.validation = run.validate(alice)
    run.submit(run.alice)

    # 3. mallory: fetch, type the hostile cell, run, submit
    run.fetch(run.mallory)
    mallory = run.people[run.mallory]
    run.open_notebook(mallory)
    first_code = next(index for index, kind, _ in answers if kind == "code")
    classmate_home = pwd.getpwnam(run.alice).pw_dir
    run.type_into_cell(mallory, first_code, hostile_cell(str(hub.hub_dir), classmate_home))
    run.run_all_and_save(mallory)
    hostile = mallory.page.locator(CELL).nth(first_code)
    run.mallory_outputs = hostile.locator(".jp-OutputArea").first.inner_text()
    hostile.locator(".jp-OutputArea").first.scroll_into_view_if_needed()
    run.snap(mallory, "hostile-run")
    run.submit(run.mallory)

    # 4. the instructor collects, autogrades, grades by hand, releases feedback
    run.assignment_action("collect", "collect")
    for student in (run.alice, run.mallory):
        run.autograde(student)
    run.grade_written_answer(run.alice, 2)
    run.assignment_action("generate-feedback", "generate-feedback")
    run.assignment_action("release-feedback", "release-feedback")

    # 5. alice fetches her feedback and reads it
    listing = run.assignment_list(alice)
    listing.locator("button", has_text="Fetch Feedback").first.click()
    listing.get_by_text("(view feedback)").first.wait_for(timeout=60_000)
    run.snap(alice, "feedback-fetched")
    feedback = next(Path(pwd.getpwnam(run.alice).pw_dir, ASSIGNMENT, "feedback").rglob(
        f"{ASSIGNMENT}.html"))
    # the feedback page as JupyterLab's "Open in New Browser Tab" shows it: a page of its own,
    # under its own Content-Security-Policy (JupyterLab's HTML viewer would run no script)
    relative = feedback.relative_to(pwd.getpwnam(run.alice).pw_dir)
    alice.page.goto(f"{hub.url}user/{run.alice}/files/{quote(str(relative))}",
                    wait_until="load")
    run.alice_feedback_page = alice.page.locator("body").inner_text()
    run.snap(alice, "feedback-read")


@pytest.fixture(scope="module")
def course_run():
    _requirements()
    from playwright.sync_api import sync_playwright

    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    started = time.monotonic()
    with hub_session.running_hub(_free_port()) as hub, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        run = CourseRun(hub, browser)
        try:
            play_the_course(run)
            yield run
        finally:
            for watched in run.people.values():
                with contextlib.suppress(Exception):  # closed already by the Ctrl-C test
                    watched.context.close()
            browser.close()
            run.durations["the whole run"] = time.monotonic() - started
            print(f"\nmake hub → login page: {hub.seconds_to_login_page:.1f} s; "
                  + "; ".join(f"{k}: {v:.1f} s" for k, v in run.durations.items()))
            for watched in run.people.values():
                print(*(f"  {watched.name}: {error[:300]}" for error in watched.errors),
                      sep="\n")


# -- what the run must show ------------------------------------------------------------------


def _score(course: Path, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return submission.score, submission.max_score


def test_every_formgrader_step_succeeds(course_run):
    for step in ("generate", "release", "collect", "generate-feedback", "release-feedback",
                 f"autograde-{course_run.alice}", f"autograde-{course_run.mallory}"):
        assert course_run.modals[step].splitlines()[1:2] == ["Success"], \
            f"{step}: {course_run.modals[step][:2000]}"


def test_alice_validates_submits_and_reads_her_full_marks(course_run):
    assert "validation-success" in course_run.validation, course_run.validation
    score, max_score = _score(course_run.hub.course, course_run.alice)
    assert max_score > 0 and score == max_score
    page = course_run.alice_feedback_page
    shown = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", page)
    assert shown, page[:2000]
    assert (float(shown.group(1)), float(shown.group(2))) == (score, max_score)
    assert "✓" in page


def test_the_rubric_is_beside_the_answer_and_never_in_the_feedback(course_run):
    """The grading view shows the written answer's rubric from source/ (issue 20 item 3's
    Formgrader); alice's feedback shows none of it."""
    shown = course_run.grading_view_answer
    assert course_run.canaries["answer"] in shown  # her answer …
    assert "Rubric" in shown, shown  # … with the rubric beside it
    rubric = shown[shown.index("Rubric"):]
    lines = [line.strip() for line in rubric.splitlines() if len(line.strip()) >= 40]
    assert lines, rubric
    leaked = [line for line in lines if line in course_run.alice_feedback_page]
    assert leaked == []


def test_grading_ran_sandboxed_and_judged(course_run):
    """The Formgrader's autograde went through the course's pipeline: mallory's cells ran as
    the sandbox's user, and no test cell of her autograded notebook keeps the execute_result her
    kernel forged (the judge writes those cells' outputs)."""
    from autograder.sandbox import SandboxSettings

    autograded = nbformat.read(course_run.hub.course / "autograded" / course_run.mallory
                               / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    printed = "\n".join(output.get("text", "") for cell in autograded.cells
                        for output in cell.get("outputs", []))
    assert f"RUNNING AS uid {SandboxSettings().sandbox_uid}" in printed, printed[:3000]
    forged = [cell.metadata["nbgrader"]["grade_id"] for cell in autograded.cells
              if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"
              and any(output.output_type == "execute_result" for output in cell.outputs)]
    assert forged == []


def _secrets(run: CourseRun) -> dict[str, str]:
    hub_dir = run.hub.hub_dir
    return {
        "course secret": (hub_dir / "grader" / "course.secret").read_text().strip(),
        "cookie secret": (hub_dir / "hub" / "jupyterhub_cookie_secret").read_text().strip(),
        "alice's note": run.canaries["note"],
        "alice's answer": run.canaries["answer"],
        "a database's header": SQLITE_HEADER,
        "a database's header (hex)": SQLITE_HEADER.encode().hex(),
    }


def test_the_hostile_student_earns_nothing(course_run):
    score, _ = _score(course_run.hub.course, course_run.mallory)
    assert score == 0


def test_the_hostile_student_learns_nothing(course_run):
    """Neither her own run (as her user) nor the grader's (in the sandbox) read anything, and
    her feedback holds none of the secrets."""
    assert "DENIED" in course_run.mallory_outputs
    assert "FOUND" not in course_run.mallory_outputs, course_run.mallory_outputs
    feedback = (course_run.hub.course / "feedback" / course_run.mallory / ASSIGNMENT
                / f"{ASSIGNMENT}.html").read_text()
    assert "DENIED" in feedback  # her cell ran in the grader's sandbox, and read nothing
    assert "FOUND" not in feedback
    for what, secret in _secrets(course_run).items():
        for seen, text in (("her run", course_run.mallory_outputs), ("her feedback", feedback)):
            assert secret not in text, f"{what} in {seen}"


GRADER_RENDERED = ("/formgrader/submissions/", "/feedback/")
"""The pages the course's own nbconvert templates render (autograder/nbconvert_templates/: the
Formgrader's grading view and the feedback page), checked on their own below."""


def _errors(run: CourseRun, grader_rendered: bool) -> list[str]:
    return [error for watched in run.people.values() for error in watched.errors
            if any(part in error.split(": ")[0] for part in GRADER_RENDERED) == grader_rendered]


def test_no_page_shows_an_error(course_run):
    """No error banner on any page; no console error, failed request or HTTP error on the
    hub's, JupyterLab's and nbgrader's own pages."""
    assert course_run.banners == [], "\n".join(course_run.banners)
    errors = _errors(course_run, grader_rendered=False)
    assert errors == [], "\n".join(errors)


def test_the_grading_view_and_the_feedback_page_log_no_error(course_run):
    errors = _errors(course_run, grader_rendered=True)
    assert errors == [], "\n".join(errors)


def test_students_cannot_read_the_course_the_inbox_or_each_other(course_run):
    """As each student's own user, on the machine (what a terminal or a kernel could do)."""
    hub_dir = course_run.hub.hub_dir
    alice_home = pwd.getpwnam(course_run.alice).pw_dir
    forbidden = [hub_dir / "course" / "source", hub_dir / "course" / "gradebook.db",
                 hub_dir / "exchange" / "learning-rate-lab" / "inbound", hub_dir / "hub",
                 hub_dir / "grader" / "course.secret", Path(alice_home) / "private-note.txt"]
    probe = ("import os, sys\nfor path in sys.argv[1:]:\n    try:\n"
             "        os.listdir(path) if os.path.isdir(path) else open(path).read()\n"
             "        print('READ', path)\n    except OSError:\n        pass\n")
    result = subprocess.run(["/usr/bin/python3", "-c", probe, *map(str, forbidden)],
                            user=course_run.mallory, group=course_run.mallory, extra_groups=[],
                            capture_output=True, text=True, cwd="/", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_only_the_instructor_opens_the_formgrader(course_run):
    """alice, logged in, asks for the Formgrader (with her cookies, outside her page)."""
    alice = course_run.people[course_run.alice]
    response = alice.context.request.get(f"{course_run.hub.url}services/formgrader/formgrader")
    assert response.status == 403
    assert "Manage Assignments" not in response.text()


def test_a_screenshot_of_every_step(course_run):
    names = sorted(path.name for path in course_run.screenshots)
    assert len(names) >= 15 and all(path.exists() for path in course_run.screenshots), names


def test_ctrl_c_stops_everything_and_hub_clean_removes_it(course_run):
    """Last: stop the hub as Ctrl-C does, then clean up as `make hub-clean` does."""
    hub = course_run.hub
    for watched in course_run.people.values():
        watched.context.close()  # the pages would report the hub going away
    hub_session.stop(hub.process)
    assert hub_session.processes_of_hub(hub.hub_dir) == []
    assert hub_session.processes_of_accounts() == []
    result = hub_session.clean(hub.hub_dir)
    assert result.returncode == 0, result.stderr
    for name in hub_session.account_names():
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
    assert not hub.hub_dir.exists()
