"""The course's page templates extend nbgrader's and repeat the blocks they change
(autograder/nbconvert_templates/*/lrlab.html.j2). They were adapted from nbgrader 0.9's
templates with these hashes: a new nbgrader with changed templates fails here, so the blocks
are compared with the new ones before the pin is moved. Also: what an explorer output becomes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbgrader
import pytest
from nbformat.v4 import new_output

from autograder.explorer_outputs import EXPLORER_NOTE, WIDGET_VIEW, static_explorer_outputs

ADAPTED_FROM = {
    "formgrade/index.html.j2": "7a7a2c7539d2327c381f44cd7b37aa8965716d5c5bee5e98b38abaaccb65564f",
    "feedback/index.html.j2": "7814929190d8decfcaaeb1e381baefc4de6f77da9afc3cbed25cb8f141265688",
}
TEMPLATES = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"


@pytest.mark.parametrize("name", sorted(ADAPTED_FROM))
def test_nbgraders_templates_are_the_ones_the_course_adapted(name):
    digest = hashlib.sha256((TEMPLATES / name).read_bytes()).hexdigest()
    assert digest == ADAPTED_FROM[name], (
        f"nbgrader {nbgrader.__version__} changed {name}: compare it with "
        f"autograder/nbconvert_templates/{name.split('/')[0]}/lrlab.html.j2, then update the pin")


def test_the_course_renders_nbgraders_pages_through_its_own_templates(course_copy):
    assert course_copy.config.HTMLExporter.template_file == "lrlab.html.j2"
    folder = Path(course_copy.config.HTMLExporter.extra_template_basedirs[0])
    for view in ("feedback", "formgrade"):
        text = (folder / view / "lrlab.html.j2").read_text()
        assert text.startswith("{%- extends 'index.html.j2' -%}")


WIDGET = {"output_type": "display_data", "metadata": {},
          "data": {WIDGET_VIEW: {"model_id": "m"}, "text/plain": "VBox(children=(HBox("}}


def test_a_widget_view_becomes_one_note_per_cell():
    outputs = static_explorer_outputs([WIDGET, WIDGET, new_output("stream", text="hi")])
    assert [o.get("data", {}).get("text/plain") for o in outputs] == [EXPLORER_NOTE, None]


def test_a_widget_view_with_its_figure_becomes_the_figure():
    drawn = {**WIDGET, "data": {**WIDGET["data"], "image/png": "iVBORw0KGgo="}}
    (figure,) = static_explorer_outputs([drawn])
    assert dict(figure.data) == {"image/png": "iVBORw0KGgo="}


def test_a_widget_beside_a_figure_of_its_cell_leaves_only_the_figure():
    figure = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "F"})
    assert static_explorer_outputs([WIDGET, figure]) == [figure]


@pytest.mark.parametrize("outputs", [None, "VBox(", {"a": WIDGET}, [None, 3, "x"],
                                     [{"output_type": "display_data", "data": "VBox("}]])
def test_outputs_of_any_shape_never_raise(outputs):
    kept = static_explorer_outputs(outputs)
    assert all(o is not WIDGET for o in kept)
