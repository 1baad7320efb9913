"""nbgrader's `SaveAutoGrades`, writing a notebook's grades to the gradebook in one transaction.

nbgrader's `SaveAutoGrades` commits after every grade and every comment it records: about 26
commits per notebook of this course. Each commit is an fsync of the SQLite gradebook (≈ 4 ms
on the grading machine), and it expires every object the session holds, so the next cell's
lookup (`find_grade`, `find_comment`) loads the submission's rows again. Profiled on the
course's samples, `SaveAutoGrades` was two thirds of `grade`'s scoring stage, its commits alone
42 %.

`SaveAutoGradesAtOnce` is the same preprocessor with one difference: while a notebook's cells
are scored, the gradebook session's `commit` only flushes (the rows are written, and the next
lookup sees them), and the notebook's grades and comments are committed together once its last
cell is scored. nbgrader's own code decides every value (`_add_score`, `_add_comment`,
`determine_grade`); what reaches the gradebook is the same rows with the same values. A
notebook whose scoring fails leaves none of its grades half-written: the transaction is rolled
back when nbgrader closes the gradebook.

`grade`'s scoring stage uses it in place of `SaveAutoGrades` (`autograder.preprocessors.
scoring_preprocessors`). A speed patch (`PATCH`): it leans on `SaveAutoGrades` committing
through `self.gradebook.db`; outside its tested versions nbgrader's own class is used.
"""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "NBGRADERS", "OURS", "SaveAutoGradesAtOnce"]

PATCH = Patch(
    name="grades_in_one_transaction",
    title="one gradebook transaction per notebook",
    patches="nbgrader's SaveAutoGrades, subclassed: its gradebook session's commit flushes "
            "until the notebook's last cell is scored (SaveAutoGrades.preprocess, "
            "self.gradebook.db)",
    why="nbgrader's SaveAutoGrades commits (an fsync, and every loaded row expired) after each "
        "of a notebook's grades and comments",
    kind=SPEED,
    tested=(TestedRange("nbgrader", "0.9.6", "0.10"), TestedRange("sqlalchemy", "2.1.9", "2.2")),
)
NBGRADERS = "nbgrader.preprocessors.saveautogrades.SaveAutoGrades"
OURS = "autograder.patches.grades_in_one_transaction.SaveAutoGradesAtOnce"


class _FlushOnCommit:
    """Stands in for the gradebook's session while a notebook's cells are scored: `commit`
    flushes; every other name is the session's."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class SaveAutoGradesAtOnce(SaveAutoGrades):
    """nbgrader's `SaveAutoGrades`, committing a notebook's grades and comments once."""

    def preprocess(self, nb: NotebookNode, resources: Any) -> tuple[NotebookNode, Any]:
        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            session = self.gradebook.db
            self.gradebook.db = _FlushOnCommit(session)  # type: ignore[assignment]
            try:
                # each cell as nbgrader scores it (`SaveAutoGrades.preprocess_cell`)
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:
                self.gradebook.db = session
            session.commit()
        return nb, resources
