"""What the Formgrader's submission view and the feedback page show graders and students
(issue 20, item 3): the rubric beside the written answer (Formgrader only), "not graded yet"
instead of 0, explorers as a figure or a note, MathJax from this environment.

Both pages are rendered with nbconvert's HTMLExporter configured exactly as nbgrader
configures it (the course's nbgrader_config.py over nbgrader's own settings), on a gradebook
built through nbgrader's API (`small_gradebook`). The real server and browser:
tests/grading/test_formgrader_for_graders.py.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import small_gradebook as sg
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from small_gradebook import alembic_version_asked_once  # noqa: F401 (an autouse fixture)

from autograder.explorer_outputs import EXPLORER_NOTE, WIDGET_VIEW
from autograder.local_mathjax import feedback_scripts, mathjax2_folder

WIDGET_REPR = "VBox(children=(HBox(children=(FloatSlider(value=0.9"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


def submission_notebook(explorer_png: bool = False):
    """A ps01 submission as the autograded folder holds it: the written answer, a test cell,
    and the explorer cell with what the kernel left (a widget view and its repr)."""
    nbgrader = {"schema_version": 3, "locked": False}
    answer = new_markdown_cell(
        "A constant lr cannot be fast early and stable late: $x_{t+1} = (1 - 2a\\,lr)\\,x_t$.",
        metadata={"nbgrader": {**nbgrader, "grade": True, "solution": True,
                               "grade_id": sg.WRITTEN, "points": sg.WRITTEN_POINTS}})
    test = new_code_cell("check_runs(runs)", metadata={"nbgrader": {
        **nbgrader, "grade": True, "solution": False, "grade_id": sg.TEST,
        "points": sg.TEST_POINTS}}, outputs=[new_output("stream", text="✓ runs\n")])
    data = {WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "text/plain": WIDGET_REPR}
    if explorer_png:
        data["image/png"] = PNG
    explorer = new_code_cell("quadratic_explorer(lr=0.9)", outputs=[
        new_output("execute_result", data=data, execution_count=3)])
    return new_notebook(cells=[answer, test, explorer])


def feedback_page(course, student: str, notebook) -> str:
    """The feedback page as `GenerateFeedback` writes it (its preprocessors, then ours)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades

    converter = GenerateFeedback(coursedir=CourseDirectory(config=course.config),
                                 config=course.config)
    exporter = HTMLExporter(parent=converter, config=converter.config)
    exporter.register_preprocessor(GetGrades(parent=exporter), enabled=True)
    resources = {"nbgrader": {"notebook": sg.NOTEBOOK, "assignment": sg.ASSIGNMENT,
                              "student": student, "db_url": course.gradebook_url}}
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return html


def formgrader_view(course, student: str, submission_id: str, notebook) -> str:
    """The Formgrader's submission view, as its SubmissionHandler renders it."""
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    config = FormgradeExtension().build_extra_config()
    config.merge(course.config)
    resources = {"assignment_id": sg.ASSIGNMENT, "notebook_id": sg.NOTEBOOK,
                 "submission_id": submission_id, "index": 0, "total": 1, "base_url": "/u/x",
                 "student": student, "last_name": "Lovelace", "first_name": "Ada",
                 "notebook_path": "/u/x/autograded/ada/ps01_constant_lr/ps01_constant_lr.ipynb"}
    html, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources=resources)
    return html


def _answer_panel(soup: BeautifulSoup):
    (score_box,) = soup.select(f"input.score#{sg.WRITTEN}")
    return score_box.find_parent(class_="nbgrader_cell")


@pytest.fixture
def ungraded(course_copy):
    """ada's ps01: the test passed, the written answer not graded yet."""
    sg.build(course_copy)
    submission_id = sg.submit(course_copy, "ada", written_score=None)
    return course_copy, submission_id


def ungraded_formgrader_view(ungraded) -> BeautifulSoup:
    """The Formgrader's page for ada's ungraded submission, parsed."""
    course, submission_id = ungraded
    return BeautifulSoup(formgrader_view(course, "ada", submission_id, submission_notebook()),
                         "html.parser")


# --- "not graded yet", never 0 ---------------------------------------------------------------


def test_feedback_says_not_graded_yet_instead_of_zero(ungraded):
    course, _ = ungraded
    soup = BeautifulSoup(feedback_page(course, "ada", submission_notebook()), "html.parser")
    text = " ".join(soup.get_text().split())
    assert "Written response (Score: not graded yet / 2.0)" in text
    assert "Test cell (Score: 3.0 / 3.0)" in text
    assert "Score so far: 3.0 / 5.0; 1 answer is not graded yet" in text
    assert "Score: not graded yet / 2.0" in _answer_panel_text(soup)
    assert "0.0 / 2.0" not in text


def _answer_panel_text(soup: BeautifulSoup) -> str:
    heading = soup.find("span", class_="nbgrader-label", string="Student's answer")
    return " ".join(heading.find_parent(class_="nbgrader_cell").get_text().split())


def test_feedback_shows_the_score_once_the_answer_is_graded(ungraded):
    course, _ = ungraded
    sg.submit(course, "ada", written_score=1.0)
    text = " ".join(BeautifulSoup(feedback_page(course, "ada", submission_notebook()),
                                  "html.parser").get_text().split())
    assert "Written response (Score: 1.0 / 2.0)" in text and "(Score: 4.0 / 5.0)" in text
    assert "not graded yet" not in text


def test_the_formgrader_marks_an_ungraded_answer_until_its_box_holds_a_score(ungraded):
    soup = ungraded_formgrader_view(ungraded)
    panel = _answer_panel(soup)
    (note,) = panel.select(".lrlab-not-graded")
    assert note.get_text() == "not graded yet"
    assert note.find_previous_sibling("input")["class"] == ["score", "tabbable"]
    assert panel.select_one("input.score").has_attr("required")  # CSS hides the note once valid
    style = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "input.score:valid ~ .lrlab-not-graded { display: none; }" in style
    (test_box,) = soup.select(f"input.score#{sg.TEST}")
    assert not test_box.find_parent(class_="nbgrader_cell").select(".lrlab-not-graded")


# --- the rubric, beside the answer in the Formgrader only ------------------------------------


def test_the_rubric_from_source_shows_below_the_answer_in_the_formgrader(ungraded):
    soup = ungraded_formgrader_view(ungraded)
    panel = _answer_panel(soup)
    (rubric,) = panel.select(".lrlab-rubric")
    text = " ".join(rubric.get_text().split())
    assert "Rubric (2 points):" in text and first_rubric_point(ungraded[0]) in text
    assert "not shown to students" in text
    # below the answer, above the grader's comment box, in the answer's own panel
    order = [child.get("class", []) for child in panel.find_all("div", recursive=False)]
    assert order.index(["panel-body"]) < order.index(["panel-footer", "lrlab-rubric"]) \
        < order.index(["panel-footer"])
    assert not rubric.find_all(["script", "iframe"])


def first_rubric_point(course) -> str:
    """The first point of the written answer's rubric in the course's source/ (its words
    change with the course; the test reads them from there)."""
    import nbformat

    from autograder.rubric import rubrics_of_notebook

    source = course.source_dir / sg.ASSIGNMENT / f"{sg.NOTEBOOK}.ipynb"
    rubric = rubrics_of_notebook(nbformat.read(source, as_version=4))[sg.WRITTEN]
    point = next(line for line in rubric.text.splitlines() if line.startswith("- "))
    return " ".join(point[2:].split())[:60]


def test_the_rubric_never_reaches_the_feedback_page(ungraded):
    course, submission_id = ungraded
    html = feedback_page(course, "ada", submission_notebook())
    assert "Rubric" not in html and "lrlab-rubric" not in html
    assert first_rubric_point(course) not in " ".join(html.split())


def test_the_rubric_is_not_in_the_students_release(repo_root):
    import nbformat

    from autograder.rubric import rubrics_of_notebook

    for source in sorted((repo_root / "source").glob("ps*/ps*.ipynb")):
        rubrics = rubrics_of_notebook(nbformat.read(source, as_version=4))
        assert rubrics, f"{source.name} has written answers without a rubric"
        released = (repo_root / "release" / source.parent.name / source.name).read_text()
        for rubric in rubrics.values():
            assert rubric.text.splitlines()[1] not in released
        assert "Rubric (" not in released


def test_a_rubric_that_disagrees_with_the_cells_points_says_so(ungraded):
    course, submission_id = ungraded
    notebook = submission_notebook()
    notebook.cells[0].metadata.nbgrader.points = 3
    html = formgrader_view(course, "ada", submission_id, notebook)
    assert "This rubric adds up to 2 points but the answer is worth 3; check source/." in html


# --- explorers --------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["feedback", "formgrade"])
def test_an_explorer_cell_is_a_note_never_a_widget_repr(ungraded, view):
    course, submission_id = ungraded
    notebook = submission_notebook()
    html = feedback_page(course, "ada", notebook) if view == "feedback" else \
        formgrader_view(course, "ada", submission_id, notebook)
    assert "VBox(" not in html and "FloatSlider" not in html
    assert html.count(EXPLORER_NOTE) == 1


@pytest.mark.parametrize("view", ["feedback", "formgrade"])
def test_an_explorer_that_drew_a_figure_shows_the_figure(ungraded, view):
    course, submission_id = ungraded
    notebook = submission_notebook(explorer_png=True)
    html = feedback_page(course, "ada", notebook) if view == "feedback" else \
        formgrader_view(course, "ada", submission_id, notebook)
    assert "VBox(" not in html and EXPLORER_NOTE not in html
    assert f'src="data:image/png;base64,{PNG}"' in html


# --- MathJax from this environment -----------------------------------------------------------


def test_the_formgrader_loads_mathjax_from_the_jupyter_server_never_a_cdn(ungraded):
    soup = ungraded_formgrader_view(ungraded)
    sources = [script["src"] for script in soup.find_all("script") if script.get("src")]
    mathjax = [src for src in sources if "MathJax" in src]
    assert mathjax == ["/u/x/static/jupyter_server_mathjax/MathJax.js"
                       "?config=TeX-AMS-MML_HTMLorMML-full,Safe"]
    assert all(src.startswith("/u/x/") for src in sources)
    # what jupyter-server-mathjax serves there: the script, its configuration and fonts
    folder = mathjax2_folder()
    for part in ("MathJax.js", "config/TeX-AMS-MML_HTMLorMML-full.js", "extensions/Safe.js",
                 "fonts/HTML-CSS/STIX-Web/woff"):
        assert (folder / part).exists(), part


def test_the_feedback_page_allows_only_its_inline_mathjax_by_hash(ungraded):
    course, _ = ungraded
    soup = BeautifulSoup(feedback_page(course, "ada", submission_notebook()), "html.parser")
    head = soup.find("head")
    policy = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert head.find_all(["meta", "script"])[1] is policy  # before any script (after charset)
    directives = dict(part.strip().split(" ", 1) for part in policy["content"].split(";"))
    assert directives["default-src"] == "'none'" and directives["img-src"] == "data:"
    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == [None, None]  # the settings; MathJax with Safe
    allowed = set(directives["script-src"].split())
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.string.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert len(allowed) == 2 and "'unsafe-inline'" not in allowed
    assert [s.string for s in scripts] == list(feedback_scripts())
    assert "MathJax" in scripts[1].string and "SafeHandler" in scripts[1].string
    assert not soup.find_all(src=re.compile(r"^\s*(https?:)?//", re.IGNORECASE))
