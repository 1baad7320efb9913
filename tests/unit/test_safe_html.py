"""What a student writes stays inert: the HTML and SVG policy, terminal text, the preprocessor
and filters the course configures nbgrader's HTMLExporter with, and the CSV export's cells.

Fast checks of each piece, written as an attacker would write the input; the end-to-end proof
(a graded submission, its feedback page, the Formgrader, the browser) is
tests/grading/test_active_content.py.
"""

from __future__ import annotations

import base64
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.export import csv_record, inert_cell
from autograder.results import NOT_GRADED, GradeRow, format_grade_table, grade_rows
from autograder.safe_html import clean_html, clean_svg
from autograder.safe_notebook_html import NeutraliseActiveContent, inert_output
from autograder.terminal_text import strip_terminal_controls

ATTACKS = {
    "script": "<script>window.__pwned=1</script>",
    "handler": "<img src=x onerror=window.__pwned=1>",
    "handler, upper case": "<IMG SRC=x OnErRoR=window.__pwned=1>",
    "iframe": "<iframe srcdoc='<script>parent.__pwned=1</script>'></iframe>",
    "javascript link": "<a href='javascript:window.__pwned=1'>x</a>",
    "javascript link, entities and tab": "<a href='jav&#x09;a&#115;cript:window.__pwned=1'>x</a>",
    "vbscript link": "<a href='vbscript:msgbox(1)'>x</a>",
    "data: html link": "<a href='data:text/html,<script>window.__pwned=1</script>'>x</a>",
    "svg script": "<svg><script>window.__pwned=1</script></svg>",
    "svg handler": "<svg onload=window.__pwned=1></svg>",
    "object": "<object data='data:text/html,<script>window.__pwned=1</script>'></object>",
    "embed": "<embed src='javascript:window.__pwned=1'>",
    "meta refresh": "<meta http-equiv=refresh content='0;url=javascript:window.__pwned=1'>",
    "base": "<base href='https://evil.example/'>",
    "form": "<form action='https://evil.example/'><button>go</button></form>",
    "style element": "<style>@import url(https://evil.example/x.css)</style>",
    "style attribute": "<div style='position:fixed;top:0;background:url(https://e.example)'>",
    "layout class": "<div class='navbar-fixed-top modal'>x</div>",
    "remote image": "<img src='https://evil.example/pixel.png'>",
    "mathml": "<math><mtext><img src=x onerror=window.__pwned=1></mtext></math>",
    "comment": "<!--><script>window.__pwned=1</script>-->",
    "id clobbering": "<span id='statusmessage' name='submission_id'>x</span>",
}


INERT_TAGS = frozenset({"a", "img", "div", "span", "p", "b", "strong", "i", "em", "code", "pre",
                        "h1", "h2", "h3", "ul", "ol", "li", "table", "tbody", "tr", "th", "td",
                        "br", "hr", "blockquote"})


def active_parts(html: str) -> list[str]:
    """What in `html` a browser would run, load or let cover the page."""
    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        if tag.name not in INERT_TAGS:
            found.append(tag.name)
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if name not in {"href", "src", "alt", "class", "title"}:
                found.append(f"{tag.name}[{name}]")
            elif name in {"href", "src"} and not re.match(r"(https?:|mailto:|#|data:image/)",
                                                          value):
                found.append(f"{tag.name}[{name}={value}]")
            elif name == "src" and not value.startswith("data:image/"):
                found.append(f"{tag.name}[src={value}]")
            elif name == "class" and value not in {"highlight", "anchor-link", "n", "o", "mi"}:
                found.append(f"{tag.name}[class={value}]")
    return found


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_clean_html_leaves_nothing_active(attack):
    cleaned = clean_html(attack)
    assert active_parts(cleaned) == [], cleaned


def test_clean_html_keeps_what_a_written_answer_and_a_figure_need():
    png = "data:image/png;base64,iVBORw0KGgo="
    html = (f"<h1>Title</h1><p><strong>bold</strong> <em>it</em> <code>a&lt;b</code> "
            f"<a href='https://pytorch.org/docs'>docs</a> <a href='#top'>top</a></p>"
            f"<table><tr><th>lr</th></tr><tr><td>0.1</td></tr></table>"
            f"<img src='{png}' alt='figure' width='300'>"
            f"<div class='highlight'><pre><span class='n'>x</span></pre></div>")
    soup = BeautifulSoup(clean_html(html), "html.parser")
    assert [t.name for t in soup.find_all(True)] == [
        "h1", "p", "strong", "em", "code", "a", "a", "table", "tbody", "tr", "th", "tr", "td",
        "img", "div", "pre", "span"]
    assert soup.img["src"] == png and soup.img["width"] == "300"
    assert [a["href"] for a in soup.find_all("a")] == ["https://pytorch.org/docs", "#top"]
    assert soup.span["class"] == ["n"]


def test_a_forbidden_tag_is_shown_as_the_text_the_student_wrote():
    cleaned = clean_html("<p>see <script>alert(1)</script></p>")
    assert BeautifulSoup(cleaned, "html.parser").get_text() == "see <script>alert(1)</script>"


def test_clean_svg_keeps_the_figure_and_drops_what_runs_or_loads():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           'viewBox="0 0 10 10" onload="x()"><script>x()</script>'
           '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:x()"/>'
           '</foreignObject><a xlink:href="javascript:x()"><rect width="5" height="5" '
           'fill="url(#g)" onclick="x()"/></a><image href="https://evil.example/p.png"/>'
           '<set attributeName="href" to="javascript:x()"/>'
           '<style>@import url(https://evil.example/x.css);</style></svg>')
    cleaned = clean_svg(svg)
    assert cleaned is not None
    assert 'viewBox="0 0 10 10"' in cleaned and 'fill="url(#g)"' in cleaned
    for word in ("script", "onload", "onclick", "foreignObject", "javascript", "evil", "<set"):
        assert word not in cleaned, word


@pytest.mark.parametrize("svg", [
    "<svg", "<html><script>x()</script></html>",
    '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
])
def test_clean_svg_refuses_what_is_not_a_plain_svg_document(svg):
    assert clean_svg(svg) is None


def test_terminal_controls_go_and_colours_and_text_stay():
    printed = ("\x1b[1;31mred\x1b[0m \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ "
               "\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\x1b[10;1Hmoved\x1bPq#dcs\x1b\\\x9b6n "
               "\x1b]0;title without end\rback\x08\x00\x7f")
    assert strip_terminal_controls(printed) == "\x1b[1;31mred\x1b[0m link moved 0;title " \
                                               "without end\nback"
    assert strip_terminal_controls(printed, keep_colours=False).startswith("red link moved")


def test_inert_output_rebuilds_each_output_from_known_fields():
    stream = inert_output({"output_type": "stream", "name": "<b>", "text": ["a\x1b]52;c;x\x07",
                                                                         "b"], "extra": "x"})
    assert stream == new_output("stream", name="stdout", text="ab")
    shown = inert_output({
        "output_type": "display_data",
        "data": {"application/javascript": "x()", "text/html": "<b onclick=x()>b</b>",
                 "image/png": "iVBORw0KGgo=", "image/jpeg": "not base64 <script>",
                 "application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                 "text/plain": "\x1b]8;;u\x07plain"},
        "metadata": {"image/png": {"width": 10, "filenames": "https://evil.example/p.png"},
                     "text/html": {"isolated": True}, "filenames": {"image/png": "x"}},
    })
    assert shown.data == {"text/html": "<b>b</b>", "image/png": "iVBORw0KGgo=",
                          "text/plain": "plain"}
    assert shown.metadata == {"image/png": {"width": 10}}
    assert inert_output({"output_type": "display_data",
                         "data": {"application/javascript": "x()"}}) is None
    assert inert_output({"output_type": "unknown"}) is None
    error = inert_output({"output_type": "error", "ename": "E\x1b[2J", "evalue": 3,
                          "traceback": ["\x1b[31mline\x1b[0m", None]})
    assert (error.ename, error.evalue, error.traceback) == ("E", "", ["\x1b[31mline\x1b[0m"])


def hostile_notebook() -> nbformat.NotebookNode:
    answer = new_markdown_cell("Answer <script>window.__pwned=1</script>\n\n"
                               "[link](javascript:window.__pwned=2) <img src=x onerror=x()>")
    answer.metadata.nbgrader = {"grade_id": "answer", "grade": True, "solution": True,
                                "points": 1.0, "score": 0.0}
    answer.attachments = {"p.png": {"image/png": "iVBORw0KGgo=", "text/html": "<script>"}}
    code = new_code_cell("print(1)")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" onload="x()">'
           '<script>x()</script><rect width="4" height="4"/></svg>')
    code.outputs = [
        new_output("display_data", data={"text/html": "<p>ok</p><script>x()</script>",
                                         "text/plain": "h"},
                   metadata={"text/html": {"isolated": True}}),
        new_output("display_data", data={"application/javascript": "x()", "text/plain": "js"}),
        new_output("display_data", data={"image/svg+xml": svg, "text/plain": "svg"}),
        new_output("display_data", data={"text/markdown": "**md** [x](javascript:x())",
                                         "text/plain": "m"}),
        new_output("stream", name="stdout", text="\x1b]8;;https://e.example\x1b\\t\x1b]8;;\x1b\\"),
    ]
    notebook = new_notebook(cells=[answer, code])
    notebook.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def nbgrader_exporter(course, view: str) -> HTMLExporter:
    """The HTMLExporter nbgrader renders with, configured as nbgrader configures it: by
    `GenerateFeedback` ("feedback") or by the Formgrader's server extension ("formgrade": its
    own settings first, then the course's nbgrader_config.py)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    if view == "feedback":
        converter = GenerateFeedback(coursedir=CourseDirectory(config=course.config),
                                     config=course.config)
        return HTMLExporter(parent=converter, config=converter.config)
    config = FormgradeExtension().build_extra_config()
    config.merge(course.config)
    return HTMLExporter(config=config)


@pytest.mark.parametrize("view", ["feedback", "formgrade"])
def test_the_course_configures_nbgraders_exporter_to_render_inertly(course_copy, view):
    """The `HTMLExporter` section of nbgrader_config.py, as GenerateFeedback and the
    Formgrader render with it."""
    exporter = nbgrader_exporter(course_copy, view)
    resources = {"nbgrader": {"notebook": "n", "score": 0, "max_score": 1, "late_penalty": 0},
                 "base_url": "", "index": 0, "total": 1, "student": "<b onclick=x()>eve</b>",
                 "last_name": "<i>", "first_name": None}
    html, _ = exporter.from_notebook_node(hostile_notebook(), resources=resources)
    soup = BeautifulSoup(html, "html.parser")
    regions = soup.select(".text_cell_render, .output_subarea")
    assert regions
    assert [active_parts(str(child)) for region in regions for child in region.find_all(True)
            if active_parts(str(child))] == []
    assert soup.find_all(["iframe", "object", "embed"]) == []
    assert [(tag.name, name) for tag in soup.find_all(True) for name, value in tag.attrs.items()
            if "x()" in str(value) or "__pwned" in str(value)] == []
    svg_image = soup.select_one("img[src^='data:image/svg+xml;base64,']")
    assert "script" not in base64.b64decode(svg_image["src"].split(",", 1)[1]).decode()
    assert "<script>window.__pwned=1</script>" in soup.get_text()
    if view == "formgrade":  # the page header names the student as the gradebook spells it
        assert "<b onclick=x()>eve</b>" in soup.get_text()
    if view == "feedback":  # only the course's inline MathJax, allowed by its hashes
        from autograder.local_mathjax import feedback_scripts, script_hash

        assert [script.string for script in soup.find_all("script")] == list(feedback_scripts())
        policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert f"script-src {' '.join(map(script_hash, feedback_scripts()))};" in \
            policy["content"]


def test_the_preprocessor_drops_saved_widget_state():
    notebook, _ = NeutraliseActiveContent().preprocess(hostile_notebook(), {})
    assert "widgets" not in notebook.metadata
    assert notebook.cells[0].attachments == {"p.png": {"image/png": "iVBORw0KGgo="}}


# --- the CSV export and its rows -------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"https://evil.example\")"])
def test_a_text_cell_that_starts_like_a_formula_is_written_as_text(text):
    assert inert_cell(text) == "'" + text


def test_scores_stay_numbers_negative_ones_included():
    row = GradeRow("-ps", "=1+2", "graded", -1.5, 20.0, -0.25, "@message")
    assert csv_record(row) == ["'-ps", "'=1+2", "graded", "-1.5", "20", "-0.25", "'@message"]
    empty = GradeRow("ps", "alice", NOT_GRADED, None, None, None)
    assert csv_record(empty)[3:6] == ["", "", ""]


def test_a_collected_but_never_graded_student_is_not_graded_not_missing(course_copy):
    folder = course_copy.submitted_dir / "ada" / "ps01_constant_lr"
    folder.mkdir(parents=True)
    (folder / "ps01_constant_lr.ipynb").write_text("{}")
    (row,) = grade_rows(course_copy, ["ps01_constant_lr"])
    assert (row.student, row.status, row.score, row.max_score) == ("ada", NOT_GRADED, None, None)
    assert row.message
    assert "not graded" in format_grade_table([row])


def test_a_folder_whose_name_is_no_student_id_is_listed_as_refused(course_copy):
    """A folder put in submitted/ by hand under a name grading refuses (here a spreadsheet
    formula): listed as failed with grading's reason, never as waiting to be graded."""
    folder = course_copy.submitted_dir / "=1+2" / "ps01_constant_lr"
    folder.mkdir(parents=True)
    (folder / "ps01_constant_lr.ipynb").write_text("{}")
    (row,) = grade_rows(course_copy, ["ps01_constant_lr"])
    assert (row.student, row.status, row.score, row.max_score) == ("=1+2", "failed", None, None)
    assert row.message.startswith("the submission folder's name is refused")
    assert "=1+2" not in row.message
    assert csv_record(row)[1] == "'=1+2"
