"""`ReplayExecution`: nbgrader's scoring pipeline on a notebook executed elsewhere.

`grade` runs the two stages of `nbgrader autograde` apart
(`autograder.patches.autograde_stages`): the sanitising stage (nbgrader's sanitised notebook:
outputs cleared, locked and test cells restored from the gradebook), and — after that
notebook has been executed in a worker — the autograding stage with `Execute` replaced by this
preprocessor. It copies the executed outputs into the sanitised notebook, after checking that
both are the same notebook (same cells, same sources), so everything else — `SaveAutoGrades`,
late penalties, `LimitOutput` — is nbgrader's own code, and only one process ever writes the
gradebook.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode
from traitlets import Unicode

from autograder.execution import FINGERPRINT_KEY, notebook_fingerprint

try:  # nbgrader's base class: enabled by default, configurable like its own steps
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - nbgrader is a dependency
    NbGraderPreprocessor = object  # type: ignore[assignment,misc]

__all__ = ["ReplayExecution", "ReplayError", "executed_path"]


class ReplayError(RuntimeError):
    """The executed notebook is missing or does not belong to this submission."""


def executed_path(executed_dir: Path, assignment: str, student: str, notebook: str) -> Path:
    return Path(executed_dir) / assignment / student / f"{notebook}.ipynb"


class ReplayExecution(NbGraderPreprocessor):
    """Take the outputs of each cell from the executed copy of this very notebook."""

    executed_dir = Unicode("", help="folder of the gradebook's executed notebooks "
                           "(`autograder.grading_state.executed_dir`)").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        info = resources["nbgrader"]
        path = executed_path(Path(self.executed_dir), info["assignment"], info["student"],
                             info["notebook"])
        if not path.is_file():
            raise ReplayError(f"no executed notebook at {path}")
        executed = nbformat.read(path, as_version=4)
        if executed.metadata.get(FINGERPRINT_KEY) != notebook_fingerprint(nb):
            raise ReplayError(f"{path} was executed from a different version of the submission")
        for cell, ran in zip(nb.cells, executed.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = ran.get("outputs", [])
                cell.execution_count = ran.get("execution_count")
        return nb, resources
