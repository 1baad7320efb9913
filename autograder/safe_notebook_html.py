"""nbconvert extension points that keep a student's notebook inert when rendered to HTML.

nbgrader renders a submission with nbconvert's `HTMLExporter` twice: `GenerateFeedback` writes
the page the student receives, and the Formgrader's submission view shows it to the instructor
(in the browser session that can grade, run code and read every notebook). Both are configured
in `nbgrader_config.py` (section `HTMLExporter`), so both get:

- `sanitize_html = True`: nbconvert's templates pass HTML and Markdown outputs through their
  `clean_html` filter and drop JavaScript and widget outputs;
- the filters below, which replace nbconvert's of the same name: `clean_html` with this
  course's stricter policy (`autograder.safe_html`); `markdown2html`, because nbgrader's
  feedback and formgrade templates render Markdown cells — the written answers — without
  `clean_html`; `ansi2html`, which would pass OSC and other terminal sequences through;
- the preprocessor `NeutraliseActiveContent`, which decides what of each output is shown at
  all (see its docstring).
"""

from __future__ import annotations

import html
import re
from typing import Any

import jinja2
from nbconvert import filters as nbconvert_filters
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool
from traitlets.config import Configurable

from autograder.explorer_outputs import static_explorer_outputs
from autograder.safe_html import clean_html, clean_svg
from autograder.terminal_text import strip_terminal_controls

__all__ = ["NeutraliseActiveContent", "SafeMarkdown2HTML", "ansi2html", "inert_output",
           "SHOWN_MIMETYPES"]

SHOWN_MIMETYPES = ("text/plain", "text/latex", "text/markdown", "text/html", "image/png",
                   "image/jpeg", "image/svg+xml")
"""Output data kept on a page; any other type (JavaScript, widgets, PDF, …) is dropped."""
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
_PAGE_HEADER_FIELDS = ("student", "first_name", "last_name", "notebook_path")
"""What the Formgrader hands its template about the submission, which the template writes
into the page as it is (its student name and its link to the notebook)."""
_IMAGE_METADATA = {"width": (int, float), "height": (int, float), "unconfined": (bool,),
                   "alt": (str,)}


def _text(value: Any, keep_colours: bool = False) -> str:
    """A text field of an output as one string (nbformat allows a list of lines), without
    terminal controls; anything else — a number, a dict — becomes empty."""
    if isinstance(value, list):
        value = "".join(part for part in value if isinstance(part, str))
    return strip_terminal_controls(value, keep_colours) if isinstance(value, str) else ""


def _inert_data(data: Any) -> dict[str, str]:
    kept: dict[str, str] = {}
    if not isinstance(data, dict):
        return kept
    for mimetype in SHOWN_MIMETYPES:
        if mimetype not in data:
            continue
        value = data[mimetype]
        if mimetype in ("image/png", "image/jpeg"):
            if isinstance(value, str) and _BASE64.fullmatch(value):
                kept[mimetype] = value
        elif mimetype == "image/svg+xml":
            svg = clean_svg(_text(value))
            if svg is not None:
                kept[mimetype] = svg
        elif mimetype == "text/html":
            kept[mimetype] = clean_html(_text(value))
        else:
            kept[mimetype] = _text(value, keep_colours=mimetype == "text/plain")
    return kept


def _image_metadata(metadata: Any, data: dict[str, str]) -> dict[str, dict]:
    """Only the size, alt text and `unconfined` flag of each image — never `filenames` (a path
    or URL the page would load) or `isolated` (an iframe)."""
    kept: dict[str, dict] = {}
    if not isinstance(metadata, dict):
        return kept
    for mimetype in ("image/png", "image/jpeg", "image/svg+xml"):
        given = metadata.get(mimetype)
        if mimetype not in data or not isinstance(given, dict):
            continue
        kept[mimetype] = {key: value for key, value in given.items()
                          if key in _IMAGE_METADATA and isinstance(value, _IMAGE_METADATA[key])}
    return kept


def inert_output(output: Any) -> NotebookNode | None:
    """A rebuilt copy of one output with only what may be shown (None: nothing may).

    Stream and error text lose terminal controls (colours stay for `ansi2html`); display data
    keeps `SHOWN_MIMETYPES`, with HTML cleaned and SVG figures stripped of scripts; only known
    fields are copied, whatever else the output's JSON holds.
    """
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return new_output("stream", name=name, text=_text(output.get("text"), True))
    if kind == "error":
        traceback = output.get("traceback")
        lines = [_text(line, True) for line in traceback if isinstance(line, str)] \
            if isinstance(traceback, list) else []
        return new_output("error", ename=_text(output.get("ename")),
                          evalue=_text(output.get("evalue")), traceback=lines)
    if kind in ("display_data", "execute_result"):
        data = _inert_data(output.get("data"))
        if not data:
            return None
        fields: dict[str, Any] = {"data": data,
                                  "metadata": _image_metadata(output.get("metadata"), data)}
        if kind == "execute_result":
            count = output.get("execution_count")
            fields["execution_count"] = count if isinstance(count, int) else None
        return new_output(kind, **fields)
    return None


def _inert_attachments(attachments: Any) -> dict[str, dict[str, str]]:
    """Pasted images of a Markdown cell: PNG, JPEG or SVG as base64 (shown through `<img>`)."""
    kept: dict[str, dict[str, str]] = {}
    if not isinstance(attachments, dict):
        return kept
    for name, bundle in attachments.items():
        if not isinstance(name, str) or not isinstance(bundle, dict):
            continue
        images = {mimetype: value for mimetype, value in bundle.items()
                  if mimetype in ("image/png", "image/jpeg", "image/svg+xml")
                  and isinstance(value, str) and _BASE64.fullmatch(value)}
        if images:
            kept[name] = images
    return kept


class NeutraliseActiveContent(Preprocessor):
    """Before a notebook is rendered: every output rebuilt by `inert_output`, explorers (widget
    views) shown as their figure or a one-line note (`autograder.explorer_outputs`), control
    characters out of cell sources, pasted images only, no saved widget state, and the
    Formgrader's page header fields (student id and names) HTML-escaped."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        nb.metadata.pop("widgets", None)
        for field in _PAGE_HEADER_FIELDS:
            if isinstance(resources.get(field), str):
                resources[field] = html.escape(resources[field])
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        cell.source = _text(cell.get("source", ""))
        if cell.cell_type == "code":
            outputs = [inert_output(output)
                       for output in static_explorer_outputs(cell.get("outputs", []))]
            cell.outputs = [output for output in outputs if output is not None]
        if "attachments" in cell:
            cell.attachments = _inert_attachments(cell.attachments)
        return cell, resources


class SafeMarkdown2HTML(Configurable):
    """The `markdown2html` filter: the exporter's own Markdown rendering (math, attachments,
    heading anchors), then `clean_html`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        jinja2.pass_context(self)  # Jinja hands the template context, as to nbconvert's filter

    def __call__(self, context: Any, source: str) -> str:
        source = _text(source)
        render = getattr(self.parent, "markdown2html", None)
        html = render(context, source) if render else nbconvert_filters.markdown2html(source)
        return clean_html(html)


def ansi2html(text: str) -> str:
    """nbconvert's `ansi2html` (HTML-escaped text, colours as classes) on the text without any
    other terminal control."""
    return nbconvert_filters.ansi2html(_text(text, keep_colours=True))
