"""Shared fixtures: the repository's course, and throw-away copies of it for grading."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
TEST_COURSE_SECRET = "lrlab-test-secret-0123456789abcdef"
"""The course secret every test grades with (grading refuses without one): fixed, so the hidden
cases the tests draw are the same on every run."""
os.environ.setdefault("LRLAB_COURSE_SECRET", TEST_COURSE_SECRET)


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


def run_in_fresh_python(probe: str, timeout: float = 300) -> str:
    """Run `probe` in a new Python (nothing imported yet) from the repository; its stdout.
    Fails the test, with the probe's stderr, if the probe fails."""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def course_copy(tmp_path: Path):
    from autograder.course import Course

    return Course(make_course_copy(tmp_path / "course"))
