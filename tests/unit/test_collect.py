"""autograder.collect: folders, flat files and zips land in nbgrader's layout; nothing is lost."""

from __future__ import annotations

import json
import zipfile

import nbformat
import pytest
from nbformat.v4 import new_notebook

from autograder.collect import collect_submissions
from autograder.student_ids import validate_student_id

ASSIGNMENT = "ps01_constant_lr"


def write_notebook(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(), path)


def submitted(course, student):
    return course.submitted_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def test_student_folders_and_flat_names(course_copy, tmp_path):
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "alice" / "my work.ipynb")
    write_notebook(inbox / f"bob_{ASSIGNMENT}.ipynb")
    write_notebook(inbox / "chloé.ipynb")
    (inbox / "notes.txt").write_text("not a notebook")
    report = collect_submissions(course_copy, ASSIGNMENT, inbox)
    assert sorted(s for s, _ in report.collected) == ["alice", "bob", "chloe"]
    for student in ("alice", "bob", "chloe"):
        assert submitted(course_copy, student).is_file()
        assert (submitted(course_copy, student).parent / "timestamp.txt").is_file()
    assert report.skipped == [("notes.txt", "not a .ipynb notebook.")]
    assert report.renamed == {"chloe": "chloé"}


def test_zip_with_path_tricks_and_duplicates(course_copy, tmp_path):
    source = tmp_path / "src"
    write_notebook(source / "dora" / "a.ipynb")
    write_notebook(source / "eve" / "a.ipynb")
    write_notebook(source / "eve" / "b.ipynb")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in source.rglob("*.ipynb"):
            zf.write(path, path.relative_to(source))
        zf.writestr("../escape.ipynb", "{}")
        zf.writestr("__MACOSX/dora/._a.ipynb", "junk")
    report = collect_submissions(course_copy, ASSIGNMENT, archive)
    assert [s for s, _ in report.collected] == ["dora"]
    skipped = dict(report.skipped)
    assert skipped["eve/a.ipynb"].startswith("eve handed in 2 notebooks")
    assert skipped["eve/b.ipynb"].startswith("eve handed in 2 notebooks")
    assert "climbs out" in skipped["../escape.ipynb"]
    assert "__MACOSX" in skipped["__MACOSX/dora/._a.ipynb"]
    assert not (course_copy.root.parent / "escape.ipynb").exists()


def test_broken_notebooks_are_collected_with_a_warning(course_copy, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "frank").mkdir(parents=True)
    (inbox / "frank" / "x.ipynb").write_bytes(b"\xff\xfe not json")
    (inbox / "gina").mkdir()
    (inbox / "gina" / "x.ipynb").write_text(json.dumps({"nbformat": 3, "cells": []}))
    report = collect_submissions(course_copy, ASSIGNMENT, inbox)
    assert [s for s, _ in report.collected] == ["frank", "gina"]
    warnings = dict(report.warnings)
    assert "not UTF-8 text" in warnings["frank/x.ipynb"]
    assert "not a notebook" in warnings["gina/x.ipynb"]


@pytest.mark.parametrize(("student", "ok"), [
    ("alice", True), ("chloé", True), ("李华", True), ("a.b-c_d@x", True),
    (".hidden", False), ("../up", False), ("a/b", False), ("", False), (" pad", False),
])
def test_student_ids(student, ok):
    assert (validate_student_id(student) is None) is ok


def test_unknown_assignment_and_missing_inbox(course_copy, tmp_path):
    with pytest.raises(ValueError, match="Unknown assignment"):
        collect_submissions(course_copy, "ps99_nothing", tmp_path)
    with pytest.raises(FileNotFoundError, match="neither a folder nor a zip"):
        collect_submissions(course_copy, ASSIGNMENT, tmp_path / "missing")
