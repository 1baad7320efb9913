"""Feedback pages readable by the instructor only — until nbgrader's exchange hands each one to
its student.

`GenerateFeedback` writes `feedback/<student>/<assignment>/<notebook>.html`. nbgrader sets the
files' mode from `GenerateFeedback.permissions` (the course sets 600 in `nbgrader_config.py`),
but creates the folders with the process's umask (0755: every account on the machine could read
every student's feedback). `OwnerOnlyFeedbackFolders`, a `GenerateFeedback` preprocessor, makes
the folders of the page being written 0700 before it is written — for `python -m autograder
feedback`, `nbgrader generate_feedback` and the Formgrader's button alike.

nbgrader's exchange releases a page by copying it (mode included) into the exchange under a
secret name, where its student fetches it as another user: a 0600 copy would be unreadable.
`ReleaseFeedbackToStudents` (the course's `ExchangeFactory.release_feedback`) is nbgrader's
`ExchangeReleaseFeedback` that then gives each released copy the mode nbgrader's own would have
had (0644, in the exchange's feedback folder that others may enter but not list).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader.exchange.default import ExchangeReleaseFeedback
from traitlets import Bool

from autograder.private_files import FOLDER_MODE, private_folder

__all__ = ["OwnerOnlyFeedbackFolders", "ReleaseFeedbackToStudents", "RELEASED_FEEDBACK_MODE"]

RELEASED_FEEDBACK_MODE = 0o644


class OwnerOnlyFeedbackFolders(Preprocessor):
    """`feedback/`, `feedback/<student>/` and `feedback/<student>/<assignment>/` of the page
    being rendered: created, or changed, to mode 0700 (folders of this user only)."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]):
        from nbgrader.coursedir import CourseDirectory

        ids = resources.get("nbgrader")
        if not isinstance(ids, dict) or not {"student", "assignment"} <= set(ids):
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        root = Path(coursedir.format_path(coursedir.feedback_directory, ".", ".")).resolve()
        folder = Path(coursedir.format_path(coursedir.feedback_directory, ids["student"],
                                            ids["assignment"])).resolve()
        private_folder(folder)
        for step in (folder, folder.parent, root):
            if step.is_relative_to(root) and step.stat().st_uid == os.geteuid():
                os.chmod(step, FOLDER_MODE)
        return nb, resources


class ReleaseFeedbackToStudents(ExchangeReleaseFeedback):
    """nbgrader's release of feedback, each released page then readable by its student."""

    def copy_files(self) -> None:
        super().copy_files()
        folder = Path(self.dest_path)
        for page in folder.glob("*.html"):
            info = page.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() \
                    and stat.S_IMODE(info.st_mode) != RELEASED_FEEDBACK_MODE:
                os.chmod(page, RELEASED_FEEDBACK_MODE)
