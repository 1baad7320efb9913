"""`make demo` grades in a folder of its own and never touches the course's grading: not its
submissions, gradebook (even one named by LRLAB_DB_URL), ledger, release or pools, nor its
course secret. A small class (two samples of one assignment) keeps this quick; the whole sample
class is graded by tests/grading/test_grading_samples.py."""

from __future__ import annotations

import csv
import dataclasses
import stat
from pathlib import Path

import pytest

import autograder.samples.ps01 as ps01_samples
from autograder.course import Course
from autograder.demo import DEMO_FOLDER, DemoFolderInUse, run_demo, unexpected_grades

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.timeout(900)]
ASSIGNMENT = "ps01_constant_lr"
REAL_SECRET = "the-real-course-secret-0123456789abcdef"
COURSE_STATE = {
    "submitted/alice/ps01_constant_lr/ps01_constant_lr.ipynb": b"alice's real submission",
    "autograded/alice/ps01_constant_lr/ps01_constant_lr.ipynb": b"alice's graded notebook",
    "feedback/alice/ps01_constant_lr/ps01_constant_lr.html": b"alice's feedback",
    "gradebook.db": b"the real course's gradebook",
    ".grading/status/ps01_constant_lr/alice.json": b"alice's ledger entry",
    ".grading/executed/ps01_constant_lr/alice/ps01_constant_lr.ipynb": b"executed",
    "release/ps01_constant_lr/ps01_constant_lr.ipynb": b"the committed release",
    "hidden_cases/ps01_constant_lr.json": b"the committed pools",
    "exports/grades.csv": b"last week's grades",
    "reports/report.html": b"last week's report",
}


def everything_but_the_demo(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != DEMO_FOLDER}


def test_the_demo_grades_in_its_own_folder(course_copy, monkeypatch, capsys):
    root = course_copy.root
    for relative, content in COURSE_STATE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    monkeypatch.setenv("LRLAB_DB_URL", f"sqlite:///{root}/gradebook.db")
    monkeypatch.setenv("LRLAB_COURSE_SECRET", REAL_SECRET)
    samples = ps01_samples.SAMPLES[:2]
    monkeypatch.setattr(ps01_samples, "SAMPLES", samples)
    before = everything_but_the_demo(root)

    code = run_demo(course_copy, assignments=[ASSIGNMENT])

    out = capsys.readouterr().out
    assert code == 0, out
    assert everything_but_the_demo(root) == before
    demo = Course(root / DEMO_FOLDER)
    assert f"Demo course: {demo.root}" in out and "All 2 sample students graded as expected" in out
    assert str(demo.root / "gradebook.db") in out and str(demo.root / "exports") in out
    with (demo.root / "exports" / "grades.csv").open(encoding="utf-8") as handle:
        assert sorted(row["student_id"] for row in csv.DictReader(handle)) == sorted(
            s.student for s in samples)
    for sample in samples:
        assert list((demo.feedback_dir / sample.student / ASSIGNMENT).glob("*.html"))
    assert demo.gradebook_url == f"sqlite:///{demo.root / 'gradebook.db'}"
    secret = demo.root / ".demo-course.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert REAL_SECRET not in secret.read_text()

    wrong = dataclasses.replace(samples[0], failing_tests=frozenset({"test_optimize_unseen_runs"}))
    (problem,) = unexpected_grades(demo, ASSIGNMENT, [wrong])
    assert "s01_solution did not score as its sample expects" in problem


def test_a_demo_folder_the_demo_did_not_make_is_left_alone(course_copy):
    notes = course_copy.root / DEMO_FOLDER / "notes.md"
    notes.parent.mkdir()
    notes.write_text("an instructor's own demo notes")
    with pytest.raises(DemoFolderInUse, match="was not made by the demo"):
        run_demo(course_copy, assignments=[ASSIGNMENT])
    assert notes.read_text() == "an instructor's own demo notes"
    assert sorted(p.name for p in notes.parent.iterdir()) == ["notes.md"]
