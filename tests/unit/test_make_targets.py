"""`make clean-grading` removes everything grading creates and nothing committed; `make help`
lists it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

MADE_BY_GRADING = ["submitted/alice/ps01/ps01.ipynb", "autograded/alice/ps01/ps01.ipynb",
                   "feedback/alice/ps01/ps01.html", "gradebook.db", "gradebook.db-journal",
                   ".grading/status/ps01/alice.json", ".grading/gradebooks/pg-1/status/x.json",
                   ".grading/executed/ps01/alice/ps01.ipynb", "reports/report.html",
                   "exports/grades.csv", "demo/.lrlab-demo", "demo/gradebook.db",
                   "demo_inbox/alice.ipynb", ".release-staging-abc123/ps01/ps01.ipynb"]
COMMITTED = ["source/ps01/ps01.ipynb", "release/ps01/ps01.ipynb", "hidden_cases/ps01.json",
             "nbgrader_config.py", "autograder/demo.py", "course/README.md"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def make(folder: Path, target: str) -> str:
    result = subprocess.run(["make", "--no-print-directory", "-C", str(folder), "-f",
                             str(REPO / "Makefile"), target],
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout


def test_clean_grading_removes_what_grading_made_and_keeps_what_is_committed(tmp_path):
    for relative in MADE_BY_GRADING + COMMITTED:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not the course's")
    (tmp_path / "exports" / "linked").symlink_to(outside)

    output = make(tmp_path, "clean-grading")

    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(COMMITTED)
    assert outside.read_text() == "not the course's"
    assert "removing .grading" in output and "removing demo" in output


def test_help_lists_clean_grading_and_the_demo_folder(tmp_path):
    text = make(tmp_path, "help")
    assert "make clean-grading" in text and ".grading/" in text
    assert "demo/" in text
