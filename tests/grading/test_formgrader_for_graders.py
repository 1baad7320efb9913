"""A Formgrader graders can use, end to end (issue 20, item 3).

A ps01 class of two is set up with the instructor's commands — `roster import`, `release`,
`due`, `collect` (ada handed in before the due date, bob after it), `grade` (sandboxed and
judged), `feedback` — and then a real Jupyter server with nbgrader's Formgrader, started on
127.0.0.1, is driven in Debian's headless Chromium, as a grader would use it:

- *Manage Students* shows the roster's names and emails (not "None, None");
- *Manage Assignments* shows the due date (not "None");
- the manual grading view of ada's notebook: her LaTeX typeset by the MathJax the Jupyter server
  serves itself; the rubric of the written answer below it; "not graded yet" beside its empty
  score box, gone once the grader types a score (saved through the Formgrader); the explorer
  cell as a one-line note, never `VBox(children=…`;
- the feedback page, opened from disk: its LaTeX typeset by the inline MathJax its policy allows,
  no other script, "not graded yet" for the answer, no rubric;
- no page asked anything of a host other than 127.0.0.1;
- the exports: bob flagged late, Canvas's and Moodle's columns, ada's hand-given points in them;
  exports and feedback owner-only.

Screenshots of each page go to `screenshots/formgrader/` (git-ignored).
"""

from __future__ import annotations

import csv
import os
import re
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from conftest import REPO, lab_session_with_chromium, make_course_copy

from autograder.cli import main
from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.explorer_outputs import EXPLORER_NOTE, WIDGET_VIEW
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, grade_assignment
from autograder.samples import Sample, build_notebook

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.browser,
              pytest.mark.timeout(1500)]

ASSIGNMENT = NOTEBOOK = "ps01_constant_lr"
WRITTEN = "written_constant_lr_limits"
ANSWER = ("A constant learning rate must stay below $1/a$ for the steepest direction, so it is "
          "slow where the curvature is small: $$x_{t+1} = (1 - 2a\\,lr)\\,x_t.$$ In fig_runs, "
          "lr = 1.05 diverges while lr = 0.01 is still far from 0. "
          # what MathJax itself could be made to do with a student's TeX (its Safe extension)
          "$\\href{javascript:window.__pwned='PWNED-math-link'}{\\text{a math link}}$ "
          "$\\style{position:fixed;top:0;left:0;width:100%;height:100%;background:red}"
          "{\\text{a cover}}$")
ROSTER = ("id,first name,last name,email\n"
          "ada,Ada,Lovelace,ada@uni.example\n"
          "bob,Bob,Byte,bob@uni.example\n")
DUE = "2027-02-01 17:00 Europe/Berlin"
HANDED_IN = {"ada": datetime(2027, 2, 1, 12, 0, tzinfo=UTC),  # 4 hours early
             "bob": datetime(2027, 2, 2, 9, 0, tzinfo=UTC)}  # 17 hours late
SHOTS = REPO / "screenshots" / "formgrader"


@dataclass
class GradedClass:
    course: Course
    feedback_page: Path
    autograded: nbformat.NotebookNode


def _command(course: Course, *args: str) -> int:
    return main(["--course", str(course.root), *args])


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> GradedClass:
    root = tmp_path_factory.mktemp("formgrader-for-graders")
    course = Course(make_course_copy(root / "course"))
    roster = root / "roster.csv"
    roster.write_text(ROSTER)
    assert _command(course, "roster", "import", str(roster)) == 0
    assert _command(course, "release", ASSIGNMENT) == 0
    assert _command(course, "due", ASSIGNMENT, DUE) == 0
    inbox = root / "inbox"
    for student, when in HANDED_IN.items():
        (inbox / student).mkdir(parents=True)
        path = inbox / student / f"{NOTEBOOK}.ipynb"
        nbformat.write(build_notebook(course, ASSIGNMENT, NOTEBOOK,
                                      Sample(student, "", cells={WRITTEN: ANSWER})), path)
        os.utime(path, (when.timestamp(), when.timestamp()))
    assert not collect_submissions(course, ASSIGNMENT, inbox).skipped
    results = grade_assignment(course, ASSIGNMENT, list(HANDED_IN),
                               options=GradingOptions(workers=1, progress=False))
    assert [r.status for r in results] == ["graded", "graded"], [r.message for r in results]
    assert not generate_feedback(course, ASSIGNMENT)
    (page,) = (course.feedback_dir / "ada" / ASSIGNMENT).glob("*.html")
    autograded = nbformat.read(course.autograded_dir / "ada" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
                               as_version=4)
    return GradedClass(course, page, autograded)


@dataclass
class Browsed:
    """What each page showed, and every URL any page asked for."""

    students: str
    assignments: str
    view: dict
    view_after_grading: dict
    feedback: dict
    requested: list[str]
    refused: list[str]


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""
ACTIVE_MATH = """pwned: window.__pwned === undefined ? null : String(window.__pwned),
        math_links: Array.from(document.querySelectorAll('#notebook-container a'))
            .map(a => a.getAttribute('href') || '').filter(h => /^\\s*javascript:/i.test(h)),
        covers: Array.from(document.querySelectorAll('#notebook-container *'))
            .filter(e => getComputedStyle(e).position === 'fixed').length,"""
VIEW_STATE = """() => {
    const answer = document.getElementById('WRITTEN').closest('.nbgrader_cell');
    const note = answer.querySelector('.lrlab-not-graded');
    return {
        text: document.body.innerText,
        math: document.querySelectorAll('#notebook-container .MathJax, '
                                        + '#notebook-container .MathJax_Display').length,
        math_errors: document.querySelectorAll('.MathJax_Error, merror').length,
        rubric: (answer.querySelector('.lrlab-rubric') || {}).innerText || '',
        answer: answer.querySelector('.text_cell_render').innerText,
        not_graded_shown: !!note && getComputedStyle(note).display !== 'none',
        score: answer.querySelector('input.score').value,
        ACTIVE_MATH
    };
}""".replace("WRITTEN", WRITTEN).replace("ACTIVE_MATH", ACTIVE_MATH)
FEEDBACK_STATE = """() => ({
    text: document.body.innerText,
    math: document.querySelectorAll('mjx-container').length,
    math_errors: document.querySelectorAll('mjx-merror').length,
    violations: window.__violations,
    scripts: Array.from(document.scripts).map(s => s.src),
    ACTIVE_MATH
})""".replace("ACTIVE_MATH", ACTIVE_MATH)


def _submission_id(course: Course, student: str) -> str:
    with course.gradebook() as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).id


@pytest.fixture(scope="module")
def browsed(graded, tmp_path_factory) -> Browsed:
    lab_session = lab_session_with_chromium()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    requested: list[str] = []
    refused: list[str] = []

    def refuse(route):
        refused.append(route.request.url)
        route.abort()

    with lab_session.running_lab(graded.course.root,
                                 tmp_path_factory.mktemp("formgrader-state")) as lab, \
            sync_playwright() as playwright:
        browser = lab_session.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), refuse)
        page.add_init_script(RECORD_VIOLATIONS)

        page.goto(lab.url("formgrader/manage_students"))
        page.wait_for_selector("td.name a", timeout=60_000)
        page.screenshot(path=str(SHOTS / "manage_students.png"), full_page=True)
        students = page.inner_text("body")

        page.goto(lab.url("formgrader/manage_assignments"))
        page.wait_for_selector("td.duedate", timeout=60_000)
        page.wait_for_function("() => document.querySelector('td.duedate').innerText.trim()")
        page.screenshot(path=str(SHOTS / "manage_assignments.png"), full_page=True)
        assignments = page.inner_text("body")

        page.goto(lab.url(f"formgrader/submissions/{_submission_id(graded.course, 'ada')}/"))
        page.wait_for_function("() => document.querySelectorAll('#notebook-container "
                               ".MathJax_Display').length >= 1", timeout=60_000)
        page.wait_for_timeout(1000)  # the rest of the typesetting; the grades from the API
        view = page.evaluate(VIEW_STATE)
        page.screenshot(path=str(SHOTS / "manual_grading.png"), full_page=True)
        answer = page.locator(".nbgrader_cell", has=page.locator(f"input.score#{WRITTEN}"))
        answer.screenshot(path=str(SHOTS / "written_answer_with_rubric.png"))
        explorer = page.locator(".output_area", has_text=EXPLORER_NOTE).first
        explorer.screenshot(path=str(SHOTS / "explorer_cell.png"))
        box = page.locator(f"input.score#{WRITTEN}")
        box.fill("1.5")
        box.press("Tab")  # the Formgrader saves the score on change
        page.wait_for_selector(f"#{WRITTEN} ~ .lrlab-not-graded", state="hidden")
        page.wait_for_timeout(1000)
        view_after = page.evaluate(VIEW_STATE)
        page.screenshot(path=str(SHOTS / "manual_grading_scored.png"), full_page=True)

        page.goto(graded.feedback_page.as_uri())
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length",
                               timeout=60_000)
        feedback = page.evaluate(FEEDBACK_STATE)
        page.screenshot(path=str(SHOTS / "feedback.png"), full_page=True)
        browser.close()
    return Browsed(students, assignments, view, view_after, feedback, requested, refused)


# --- the Formgrader --------------------------------------------------------------------------


def test_the_roster_names_and_emails_show_in_manage_students(browsed):
    assert "Lovelace, Ada" in browsed.students and "Byte, Bob" in browsed.students
    assert "ada@uni.example" in browsed.students
    assert "None, None" not in browsed.students


def test_the_due_date_shows_in_manage_assignments(browsed):
    assert "2027-02-01 16:00:00 UTC" in browsed.assignments


def _first_rubric_point(course: Course) -> str:
    from autograder.rubric import rubrics_of_notebook

    source = course.source_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    rubric = rubrics_of_notebook(nbformat.read(source, as_version=4))[WRITTEN]
    point = next(line for line in rubric.text.splitlines() if line.startswith("- "))
    return " ".join(point[2:].split())[:60]


def test_the_rubric_shows_below_the_written_answer(browsed, graded):
    assert "Rubric (2 points):" in browsed.view["rubric"]
    assert _first_rubric_point(graded.course) in " ".join(browsed.view["rubric"].split())
    assert "slow where the curvature is small" in browsed.view["answer"]


def test_an_ungraded_answer_reads_not_graded_yet_until_a_score_is_typed(browsed, graded):
    assert browsed.view["score"] == "" and browsed.view["not_graded_shown"]
    assert "not graded yet" in browsed.view["text"]
    assert browsed.view_after_grading["score"] == "1.5"
    assert not browsed.view_after_grading["not_graded_shown"]
    with graded.course.gradebook() as gradebook:  # saved through the Formgrader's API
        grade = gradebook.find_grade(WRITTEN, NOTEBOOK, ASSIGNMENT, "ada")
        assert grade.manual_score == 1.5


def test_the_explorer_cell_is_a_note_never_a_widget_repr(browsed, graded):
    kinds = [set(output.get("data", {})) for cell in graded.autograded.cells
             if cell.cell_type == "code" for output in cell.outputs]
    assert any(WIDGET_VIEW in kind for kind in kinds), "the explorer left no widget output"
    assert EXPLORER_NOTE in browsed.view["text"]
    assert "VBox(" not in browsed.view["text"] and "HBox(" not in browsed.view["text"]


def test_latex_is_typeset_by_the_local_mathjax(browsed):
    assert browsed.view["math"] >= 2 and browsed.view["math_errors"] == 0
    mathjax = [url for url in browsed.requested if "MathJax.js" in url]
    assert mathjax and all(urlsplit(url).path == "/static/jupyter_server_mathjax/MathJax.js"
                           for url in mathjax)


@pytest.mark.parametrize("page", ["view", "feedback"])
def test_mathjax_makes_no_link_or_cover_from_a_students_tex(browsed, page):
    state = getattr(browsed, page)
    assert state["math_links"] == [] and state["covers"] == 0 and state["pwned"] is None
    assert state["math_errors"] == 0


def test_no_page_asked_anything_of_another_host(browsed):
    assert browsed.refused == []
    hosts = {urlsplit(url).hostname for url in browsed.requested
             if urlsplit(url).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}


# --- the feedback page --------------------------------------------------------------------


def test_the_feedback_page_typesets_latex_with_its_inline_mathjax_only(browsed):
    feedback = browsed.feedback
    assert feedback["math"] >= 2 and feedback["math_errors"] == 0
    assert feedback["scripts"] == ["", ""]  # two inline scripts, none loaded
    # the policy refuses nothing: not even nbgrader's Bootstrap icon font (autograder/icon_font.py)
    assert feedback["violations"] == []


def test_the_feedback_page_says_not_graded_yet_and_shows_no_rubric(browsed, graded):
    text = browsed.feedback["text"]
    assert "not graded yet" in text and "Rubric" not in text
    assert _first_rubric_point(graded.course) not in " ".join(text.split())
    assert EXPLORER_NOTE in text and "VBox(" not in text


def test_feedback_is_owner_only(graded):
    page = graded.feedback_page
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    for folder in (page.parent, page.parent.parent, graded.course.feedback_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# --- exports -------------------------------------------------------------------------------


def _export(course: Course, fmt: str, tmp_path: Path) -> list[dict]:
    out = tmp_path / f"{fmt}.csv"
    assert _command(course, "export", ASSIGNMENT, "--format", fmt, "--to", str(out)) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_bob_is_flagged_late_and_ada_is_not(browsed, graded, tmp_path):
    header, *rows = _export(graded.course, "table", tmp_path)
    late = {row[header.index("student_id")]: (row[header.index("late")],
                                              row[header.index("hours_late")]) for row in rows}
    assert late == {"ada": ("no", "0"), "bob": ("yes", "17")}


def test_lms_exports_carry_the_grade_given_in_the_formgrader(browsed, graded, tmp_path):
    header, points, *rows = _export(graded.course, "canvas", tmp_path)
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5:] == [ASSIGNMENT] and points[0] == "Points Possible"
    canvas = {row[3]: row for row in rows}
    assert canvas["ada"][0] == "Lovelace, Ada"
    assert float(canvas["ada"][5]) > 1.5  # tests and her written answer's 1.5
    assert canvas["bob"][5] == ""  # his written answer is not graded yet
    header, *rows = _export(graded.course, "moodle", tmp_path)
    assert header == ["First name", "Last name", "ID number", "Email address", ASSIGNMENT]
    moodle = {row[2]: row for row in rows}
    assert moodle["ada"][:4] == ["Ada", "Lovelace", "ada", "ada@uni.example"]
    assert moodle["ada"][4] == canvas["ada"][5]
