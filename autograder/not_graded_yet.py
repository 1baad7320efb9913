"""A written answer nobody has graded yet reads "not graded yet", never "0 / 2".

nbgrader's gradebook gives an answer that still needs manual grading a score of 0 (its
`Grade.score` is the manual score, else the automatic one, else 0), and its feedback and
Formgrader templates print that 0 — to the student as a lost mark, to the grader as a grade.
The preprocessor `MarkAnswersNotGradedYet` (configured on nbgrader's `HTMLExporter` in
`nbgrader_config.py`, so it runs for the feedback pages and the Formgrader's submission view)
asks the gradebook which answers of the rendered submission have no score yet and lists their
grade ids in `resources["lrlab_not_graded"]`; the course's templates
(`nbconvert_templates/*/lrlab.html.j2`) print "not graded yet" there.
"""

from __future__ import annotations

import contextlib
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

__all__ = ["MarkAnswersNotGradedYet", "is_not_graded_yet", "answers_not_graded_yet",
           "RESOURCE_KEY"]

RESOURCE_KEY = "lrlab_not_graded"


def is_not_graded_yet(grade: Any) -> bool:
    """Whether a gradebook `Grade` has no score of its own yet: nobody entered one, and the
    autograder gave none (a written answer) or flagged it for a person."""
    return grade.manual_score is None and (grade.auto_score is None or grade.needs_manual_grade)


def answers_not_graded_yet(submitted_notebook: Any) -> list[str]:
    """The grade ids of a gradebook `SubmittedNotebook`'s answers with no score yet."""
    return sorted(grade.name for grade in submitted_notebook.grades if is_not_graded_yet(grade))


class MarkAnswersNotGradedYet(Preprocessor):
    """`resources["lrlab_not_graded"]`: the grade ids of the rendered submission's answers that
    have no score yet (empty when the rendering is not of a submission in the gradebook)."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def _find(self, gradebook: Any, resources: dict[str, Any]) -> Any:
        submission_id = resources.get("submission_id")
        if isinstance(submission_id, str):  # the Formgrader's view of one submission
            return gradebook.find_submission_notebook_by_id(submission_id)
        ids = resources["nbgrader"]  # GenerateFeedback's resources
        return gradebook.find_submission_notebook(ids["notebook"], ids["assignment"],
                                                  ids["student"])

    def _db_url(self, resources: dict[str, Any]) -> str | None:
        given = resources.get("nbgrader")
        if isinstance(given, dict) and given.get("db_url"):
            return given["db_url"]
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config).db_url or None

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]):
        resources[RESOURCE_KEY] = []
        feedback = isinstance(resources.get("nbgrader"), dict) and "student" in \
            resources["nbgrader"]
        if not feedback and not isinstance(resources.get("submission_id"), str):
            return nb, resources
        db_url = self._db_url(resources)
        if not db_url:
            return nb, resources
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(db_url) as gradebook, contextlib.suppress(MissingEntry):
            resources[RESOURCE_KEY] = answers_not_graded_yet(self._find(gradebook, resources))
        return nb, resources
