"""The course directory and nbgrader's API on it.

The repository root is the nbgrader course directory (it holds `nbgrader_config.py`). Every
command builds one `Course` and asks it for nbgrader's API, so that the configuration is read
from the same file nbgrader's own command line would read.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["Course", "find_course_root", "ensure_environment_on_path"]


def ensure_environment_on_path() -> None:
    """Put this interpreter's `bin/` first on PATH: nbgrader runs `alembic` as a command and
    kernels must start from the same environment, also when called as `.venv/bin/python`."""
    bin_dir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bin_dir]:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in parts if p != bin_dir]])


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory, then this
    package's checkout) that holds `nbgrader_config.py`."""
    candidates = [Path(start or Path.cwd()).resolve()]
    candidates.append(Path(__file__).resolve().parent.parent)
    for candidate in candidates:
        for folder in (candidate, *candidate.parents):
            if (folder / "nbgrader_config.py").is_file():
                return folder
    raise FileNotFoundError(
        "No nbgrader_config.py found here or above; run from the course directory or pass --course."
    )


@dataclass
class Course:
    """One nbgrader course directory."""

    root: Path
    db_url: str | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise FileNotFoundError(f"{self.root} has no nbgrader_config.py")

    # --- folders -------------------------------------------------------------------------------
    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def submitted_dir(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded_dir(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"

    @property
    def grading_dir(self) -> Path:
        """Our own grading state beside nbgrader's: the ledger and executed notebooks."""
        return self.root / ".grading"

    def assignments(self) -> list[str]:
        """Assignment ids: the folders of `source/` named like `psNN_topic`."""
        return sorted(
            p.name for p in self.source_dir.iterdir()
            if p.is_dir() and p.name.startswith("ps") and any(p.glob("*.ipynb"))
        )

    def notebooks(self, assignment: str) -> list[str]:
        """Notebook names (without .ipynb) of an assignment, from its source folder."""
        folder = self.source_dir / assignment
        if not folder.is_dir():
            known = ", ".join(self.assignments()) or "none"
            raise ValueError(f"Unknown assignment {assignment!r} (known: {known}).")
        return sorted(p.stem for p in folder.glob("*.ipynb"))

    def submitted_students(self, assignment: str) -> list[str]:
        """Students with a submitted folder for the assignment, sorted."""
        if not self.submitted_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.submitted_dir.iterdir() if (p / assignment).is_dir()
        )

    # --- nbgrader --------------------------------------------------------------------------------
    @cached_property
    def config(self) -> Any:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        if self.db_url:
            config.CourseDirectory.db_url = self.db_url
        # nbgrader's exchange is for JupyterHub deployments; this course works on folders.
        config.Exchange.root = str(self.root / ".exchange-unused")
        return config

    @property
    def gradebook_url(self) -> str:
        return str(self.config.CourseDirectory.db_url)

    @cached_property
    def api(self) -> Any:
        """nbgrader's `NbGraderAPI` configured for this course (quiet unless LRLAB_DEBUG)."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_environment_on_path()
        level = logging.DEBUG if os.environ.get("LRLAB_DEBUG") else logging.WARNING
        coursedir = CourseDirectory(config=self.config)
        api = NbGraderAPI(coursedir=coursedir, config=self.config)
        api.log.setLevel(level)
        return api

    def gradebook(self) -> Any:
        """nbgrader's `Gradebook` (use as a context manager)."""
        from nbgrader.api import Gradebook

        ensure_environment_on_path()
        return Gradebook(self.gradebook_url, course_id=str(self.config.CourseDirectory.course_id))
