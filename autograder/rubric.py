"""The rubric of each written answer, from `source/`, beside the answer in the Formgrader.

A written answer's solution cell in the instructor's notebook ends its solution region with its
rubric:

    ### BEGIN SOLUTION
    A model answer …

    Rubric (2 points):
    - 1 point: …
    ### END SOLUTION

nbgrader strips the solution region from the student's release, so the rubric never reaches a
student; the autograded notebook the Formgrader shows holds the student's answer only. The
preprocessor `RubricsForGraders` (configured on nbgrader's `HTMLExporter` in
`nbgrader_config.py`) reads the rubrics of the submission's notebook from `source/`, matched by
grade id, into the rendering's resources — only when the Formgrader renders a submission (its
resources carry a `submission_id`; a feedback page's never do) — and the course's formgrade
template (`nbconvert_templates/formgrade/lrlab.html.j2`) shows each below its answer as a
read-only note. The feedback template never reads them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

__all__ = ["Rubric", "rubric_of", "rubrics_of_notebook", "RubricsForGraders", "RESOURCE_KEY"]

RESOURCE_KEY = "lrlab_rubrics"
"""Where the rubrics go in the rendering's resources: {grade_id: {"points", "text"}}."""

_BEGIN, _END = "BEGIN SOLUTION", "END SOLUTION"
_HEADING = re.compile(r"^\s*Rubric\s*\(\s*(\d+(?:\.\d+)?)\s*points?\s*\)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Rubric:
    """A written answer's rubric: the points its heading announces and its text (Markdown,
    from the heading line to the end of the solution region)."""

    points: float
    text: str


def _solution_lines(source: str) -> list[str]:
    """The lines inside the source's solution regions (nbgrader's delimiters)."""
    inside, kept = False, []
    for line in source.splitlines():
        if _BEGIN in line:
            inside = True
        elif _END in line:
            inside = False
        elif inside:
            kept.append(line)
    return kept


def rubric_of(source: str) -> Rubric | None:
    """The rubric inside a solution cell's source, or None if it has none.

    >>> rubric_of("### BEGIN SOLUTION\\nAn answer.\\n\\nRubric (2 points):\\n- 1 point: x\\n"
    ...           "### END SOLUTION").points
    2.0
    """
    lines = _solution_lines(source)
    for index, line in enumerate(lines):
        match = _HEADING.match(line)
        if match:
            return Rubric(float(match.group(1)), "\n".join(lines[index:]).strip())
    return None


def rubrics_of_notebook(notebook: NotebookNode) -> dict[str, Rubric]:
    """{grade_id: rubric} for every solution cell of an instructor's notebook that has one."""
    found: dict[str, Rubric] = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if meta.get("solution") and isinstance(grade_id, str):
            rubric = rubric_of(cell.get("source", ""))
            if rubric is not None:
                found[grade_id] = rubric
    return found


class RubricsForGraders(Preprocessor):
    """In the Formgrader's rendering of a submission only: the rubrics of its notebook in
    `source/` into `resources["lrlab_rubrics"]`, each with the points of the cell it belongs to
    (a rubric whose heading announces other points says so)."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def _source_notebook(self, assignment: str, notebook: str) -> Path | None:
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        root = Path(coursedir.root or os.getcwd()).resolve()
        folder = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
        path = (root / folder / f"{notebook}.ipynb").resolve()
        if not path.is_relative_to(root / coursedir.source_directory) or not path.is_file():
            return None
        return path

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]):
        if "submission_id" not in resources:  # a feedback page, or any other rendering
            return nb, resources
        assignment, notebook = resources.get("assignment_id"), resources.get("notebook_id")
        if not isinstance(assignment, str) or not isinstance(notebook, str):
            return nb, resources
        path = self._source_notebook(assignment, notebook)
        if path is None:
            return nb, resources
        points = {cell.metadata.nbgrader.get("grade_id"): cell.metadata.nbgrader.get("points")
                  for cell in nb.cells if isinstance(cell.get("metadata", {}).get("nbgrader"),
                                                     dict)}
        rubrics = {}
        for grade_id, rubric in rubrics_of_notebook(nbformat.read(path, as_version=4)).items():
            cell_points = points.get(grade_id)
            note = ""
            if isinstance(cell_points, int | float) and float(cell_points) != rubric.points:
                note = (f"This rubric adds up to {rubric.points:g} points but the answer is "
                        f"worth {float(cell_points):g}; check source/.")
            rubrics[grade_id] = {"points": rubric.points, "text": rubric.text, "note": note}
        resources[RESOURCE_KEY] = rubrics
        return nb, resources
