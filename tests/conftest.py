"""Shared fixtures: the repository's course, and throw-away copies of it for grading."""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def make_course_copy(target: Path) -> Path:
    """A fresh course directory with the repository's source/ and configuration (no release,
    no gradebook), so a test can release and grade without touching the repository."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


@pytest.fixture
def course_copy(tmp_path: Path):
    from autograder.course import Course

    return Course(make_course_copy(tmp_path / "course"))
