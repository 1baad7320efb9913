"""nbgrader's `Autograde` converter, split into the two stages `grade` runs apart.

`nbgrader autograde` converts each submitted notebook twice, in one process:

1. the *sanitising* stage (`Autograde.sanitize_preprocessors`: outputs cleared, cell ids
   deduplicated, kernelspec, locked and test cells restored from the gradebook, metadata
   checked) reads `submitted/<student>/<assignment>/` and writes `autograded/…`; before it,
   `init_assignment` registers the student and the submission (with its timestamp) and copies
   the submission's other files;
2. the *autograding* stage (`Autograde.autograde_preprocessors`: `Execute`, then scoring)
   reads that sanitised notebook back from `autograded/` and writes it again, graded.

`grade` executes the notebook between the two, in a sandboxed worker, so it runs them as two
converters: `SanitiseSubmission` is stage 1 exactly (nbgrader's own `init_destination`,
`init_assignment` and sanitising preprocessors), without the autograding stage (it would only
read, validate and write the same notebook again with no preprocessors); `ScoreSanitised` is
stage 2 exactly, on the notebook stage 1 left in `autograded/`, without redoing stage 1 (which
would sanitise the same submission again, write the same notebook, re-register the same
submission and copy the same files — about half the scoring time). `Execute` is replaced by
`autograder.replay_execution.ReplayExecution`, which checks that the executed notebook is the
one stage 1 wrote before taking its outputs.

Both are `Autograde` subclasses: configuration, logging, error handling (a failed submission's
`autograded/` folder removed) and every preprocessor are nbgrader's. They lean on `Autograde`'s
private state (`_sanitizing`, `_init_preprocessors`, `_format_dest`), and the judged scoring
rests on them: an integrity patch (`PATCH`) — outside its tested versions `grade` refuses.
"""

from __future__ import annotations

import os

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter, NbGraderException
from nbgrader.utils import setenv

from autograder.patches.gate import INTEGRITY, Patch, TestedRange

__all__ = ["PATCH", "SanitiseSubmission", "ScoreSanitised"]

PATCH = Patch(
    name="autograde_stages",
    title="the scoring stages",
    patches="the split of nbgrader's Autograde into its two stages (Autograde._sanitizing, "
            "_init_preprocessors, _format_dest)",
    why="grade executes each notebook in the sandbox between nbgrader's sanitising and scoring "
        "stages, so the stages must run apart and exactly as nbgrader runs them",
    kind=INTEGRITY,
    tested=(TestedRange("nbgrader", "0.9.6", "0.10"),),
)


class SanitiseSubmission(Autograde):
    """Stage 1 of `nbgrader autograde`: register the submission and write the sanitised
    notebooks to `autograded/` (`Autograde` with the autograding stage left out)."""

    def convert_single_notebook(self, notebook_filename: str) -> None:
        self.log.info("Sanitizing %s", notebook_filename)
        self._sanitizing = True
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)


class ScoreSanitised(Autograde):
    """Stage 2 of `nbgrader autograde`: the autograde preprocessors on the sanitised notebooks
    that `SanitiseSubmission` wrote to `autograded/` — the submission is already registered
    and its files copied, so neither is done again."""

    notebooks: list[str]  # nbgrader's `notebooks` List trait, narrowed by init_assignment

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        """Keep the sanitised folder (nbgrader's `--force` would delete it); a submission that
        was never sanitised is an error, not a silent skip."""
        dest = os.path.normpath(self._format_dest(assignment_id, student_id))
        if not os.path.isdir(dest):
            raise NbGraderException(f"{assignment_id} of {student_id} was not sanitised: no {dest}")
        return True

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        """Only the notebooks stage 1 sanitised (those of the submission the gradebook knows),
        as nbgrader's `Autograde.init_assignment` selects them."""
        dest = self._format_dest(assignment_id, student_id)
        notebooks: list[str] = []
        with Gradebook(
self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            for notebook in self.notebooks:
                name = os.path.splitext(os.path.basename(notebook))[0]
                try:
                    gradebook.find_notebook(name, assignment_id)
                except MissingEntry:
                    continue
                if os.path.isfile(os.path.join(dest, f"{name}.ipynb")):
                    notebooks.append(notebook)
        if not notebooks:
            raise NbGraderException(f"no sanitised notebook of {assignment_id} for {student_id}")
        self.notebooks = notebooks
        self._sanitised_dir = dest

    def convert_single_notebook(self, notebook_filename: str) -> None:
        notebook_filename = os.path.join(self._sanitised_dir, os.path.basename(notebook_filename))
        self.log.info("Autograding %s", notebook_filename)
        self._sanitizing = False
        self._init_preprocessors()
        try:
            with setenv(NBGRADER_EXECUTION="autograde"):
                BaseConverter.convert_single_notebook(self, notebook_filename)
        finally:
            self._sanitizing = True
