"""The grading ledger and the executed notebooks belong to one gradebook: a command with another
`--db-url` can neither change nor reuse what grading into this one recorded — through the real
commands."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat
import pytest
from conftest import run_cli

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.grading_state import executed_dir, grading_state_dir
from autograder.samples import build_notebook, samples_for
from autograder.status import read_status

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.timeout(900)]
ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = "ps01_constant_lr"


def exported(course: Course, capsys, *db: str) -> dict[str, dict[str, str]]:
    target = course.root / "exports" / "grades.csv"
    assert run_cli(course, *db, "export", "--to", str(target), capsys=capsys)[0] == 0
    with target.open(encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_grading_into_another_gradebook_leaves_this_ones_records(course_copy, tmp_path, capsys):
    other = ("--db-url", f"sqlite:///{tmp_path}/other.db")
    assert run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    inbox = tmp_path / "inbox" / "alice"
    inbox.mkdir(parents=True)
    submitted = inbox / f"{NOTEBOOK}.ipynb"
    nbformat.write(build_notebook(course_copy, ASSIGNMENT, NOTEBOOK, samples_for(ASSIGNMENT)[0]),
                   submitted)
    collect_submissions(course_copy, ASSIGNMENT, tmp_path / "inbox")
    assert run_cli(course_copy, "grade", ASSIGNMENT, "--quiet", capsys=capsys)[0] == 0
    graded = exported(course_copy, capsys)["alice"]
    assert graded["status"] in {"graded", "needs manual grading"} and float(graded["score"]) > 0
    executed = executed_dir(course_copy) / ASSIGNMENT / "alice" / f"{NOTEBOOK}.ipynb"
    executed_before = (executed.read_bytes(), executed.stat().st_mtime_ns)

    # a gradebook that never had the assignment released into it: one sentence, nothing run
    code, _out, err = run_cli(course_copy, *other, "grade", ASSIGNMENT, "--quiet", capsys=capsys)
    assert code == 2 and "run `release ps01_constant_lr` with the same gradebook" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1

    # graded into the other gradebook: its own execution, its own ledger
    assert run_cli(course_copy, *other, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    assert run_cli(course_copy, *other, "grade", ASSIGNMENT, "--quiet", capsys=capsys)[0] == 0
    other_course = Course(course_copy.root, db_url=other[1])
    assert grading_state_dir(other_course) != grading_state_dir(course_copy)
    assert (executed_dir(other_course) / ASSIGNMENT / "alice" / f"{NOTEBOOK}.ipynb").is_file()
    assert (executed.read_bytes(), executed.stat().st_mtime_ns) == executed_before

    # a failure there is that gradebook's only
    damaged = course_copy.submitted_dir / "alice" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    damaged.write_bytes(b"{not json")
    os.utime(damaged)
    code, out, _err = run_cli(course_copy, *other, "grade", ASSIGNMENT, "--quiet", capsys=capsys)
    assert code == 0 and "FAILED ps01_constant_lr/alice" in out
    assert exported(course_copy, capsys, *other)["alice"]["status"] == "failed"
    assert exported(course_copy, capsys)["alice"] == graded
    kept = read_status(grading_state_dir(course_copy), ASSIGNMENT, "alice")
    assert kept is not None and not kept.failed
    assert Path(grading_state_dir(other_course) / "gradebook.txt").is_file()
