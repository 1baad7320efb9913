"""nbgrader preprocessors for the feedback a student receives.

Plain nbgrader feedback shows each test cell as it ran, hidden tests included, with the full
traceback of every failure — so it gives the hidden test source and often the expected values
away, and buries the one useful sentence under a traceback wall. These two preprocessors run in
`GenerateFeedback` (see `nbgrader_config.py`):

- `RedactHiddenTests` replaces the hidden-test region of every grade cell with a one-line note;
- `ShortenErrors` reduces every error output to its last line (`✗ …` for our checks).

The autograded notebooks in `autograded/` keep everything, for the instructor.

Nothing the student wrote is active on the page: nbgrader's HTMLExporter is configured in
`nbgrader_config.py` with the course's sanitising preprocessor, filters and template
(`autograder/safe_notebook_html.py`), for this page and for the Formgrader alike.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

from autograder.interrupts import raise_if_interrupted
from autograder.terminal_text import strip_terminal_controls

__all__ = ["RedactHiddenTests", "ShortenErrors", "HIDDEN_NOTE", "redact_hidden_tests",
           "short_error_lines"]

HIDDEN_NOTE = "# (hidden tests ran here; their verdict is in the output below)"
_BEGIN, _END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def redact_hidden_tests(source: str) -> str:
    """The source with every hidden-test region replaced by `HIDDEN_NOTE` (an unterminated
    region is redacted to the end of the cell)."""
    kept: list[str] = []
    hidden = False
    for line in source.splitlines():
        if _BEGIN in line:
            hidden = True
            kept.append(line[: len(line) - len(line.lstrip())] + HIDDEN_NOTE)
            continue
        if _END in line:
            hidden = False
            continue
        if not hidden:
            kept.append(line)
    return "\n".join(kept)


def short_error_lines(output: NotebookNode) -> list[str]:
    """One line for an error output: ours already is (`✗ …`), others keep `Name: message`."""
    traceback = [strip_terminal_controls(line, keep_colours=False)
                 for line in output.get("traceback", [])]
    if traceback and traceback[-1].startswith("✗"):
        return [traceback[-1]]
    name, value = output.get("ename", "Error"), output.get("evalue", "")
    return [strip_terminal_controls(f"{name}: {value}", keep_colours=False).splitlines()[0]]


class RedactHiddenTests(Preprocessor):
    """Remove hidden tests from grade cells before feedback is rendered."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and _BEGIN in cell.source:
            cell.source = redact_hidden_tests(cell.source)
        return cell, resources


class ShortenErrors(Preprocessor):
    """Keep one line of every traceback in the feedback."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = short_error_lines(output)
        return cell, resources


def generate_feedback(course, assignment: str, students: list[str] | None = None) -> list[str]:  # noqa: ANN001
    """Render HTML feedback for graded students with nbgrader (using the two preprocessors
    above, configured in `nbgrader_config.py`); returns the students it failed for."""
    from autograder.grading_state import grading_state_dir
    from autograder.status import read_all_statuses

    graded = [s.student for s in read_all_statuses(grading_state_dir(course), assignment)
              if not s.failed]
    chosen = [s for s in graded if students is None or s in students]
    failures = []
    for student in chosen:
        result = course.api.generate_feedback(assignment, student, force=True)
        raise_if_interrupted()  # nbgrader's capture_log swallows a Ctrl-C
        if not result.get("success"):
            failures.append(student)
    return failures
