"""An explorer cell on a page: its figure, or one line saying what it is — never a widget repr.

The course's explorers (`lrcore.widgets`) are ipywidgets. A notebook saved with one keeps an
output holding a widget view (`application/vnd.jupyter.widget-view+json`) and, beside it, the
widget's Python repr as `text/plain` — `VBox(children=(HBox(…` — which is all a static page
(the Formgrader's view, a feedback page) could show of it; the widget itself needs a kernel.
`static_explorer_outputs` replaces each such output, before the outputs are rendered: by the
image the output bundle also carries (the figure the explorer drew), by nothing when another
output of the cell already shows a figure, else by `EXPLORER_NOTE`, once per cell.
`autograder.safe_notebook_html.NeutraliseActiveContent` applies it to every code cell.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output

__all__ = ["EXPLORER_NOTE", "WIDGET_VIEW", "static_explorer_outputs", "is_widget_view"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPLORER_NOTE = "An interactive explorer: open the notebook to use it."
_IMAGES = ("image/png", "image/jpeg", "image/svg+xml")


def is_widget_view(output: Any) -> bool:
    """Whether an output (any JSON a notebook holds) displays a widget."""
    return (isinstance(output, dict)
            and output.get("output_type") in ("display_data", "execute_result")
            and isinstance(output.get("data"), dict) and WIDGET_VIEW in output["data"])


def _images(output: Any) -> dict[str, Any]:
    data = output.get("data") if isinstance(output, dict) else None
    return {kind: data[kind] for kind in _IMAGES if isinstance(data, dict) and kind in data}


def static_explorer_outputs(outputs: Any) -> list[Any]:
    """The outputs with every widget view replaced by its figure or the note (see the module's
    docstring); other outputs are kept as they are, for the caller to make inert."""
    if not isinstance(outputs, list):
        return []
    figure_elsewhere = any(_images(output) for output in outputs if not is_widget_view(output))
    kept: list[Any] = []
    noted = False
    for output in outputs:
        if not is_widget_view(output):
            kept.append(output)
            continue
        images = _images(output)
        if images:
            metadata = output.get("metadata")
            kept.append(new_output("display_data", data=images,
                                   metadata=metadata if isinstance(metadata, dict) else {}))
        elif not figure_elsewhere and not noted:
            kept.append(explorer_note())
            noted = True
    return kept


def explorer_note() -> NotebookNode:
    """The output that stands for an explorer on a static page."""
    return new_output("display_data", data={"text/plain": EXPLORER_NOTE})
