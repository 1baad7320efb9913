"""autograder.notebook_file and autograder.submission_problems on files a student shaped: each
problem is named in one sentence of the grader's, and nothing is read through a link or past the
limit."""

from __future__ import annotations

import json
import os

import pytest
from traitlets import TraitError
from traitlets.config import Config

from autograder.notebook_file import (
    RefusedFile,
    SubmissionLimits,
    json_depth_exceeds,
    notebook_problem,
    read_submitted_file,
)
from autograder.submission_problems import (
    describe_unreadable_submission,
    describe_unsafe_submission,
)

LIMITS = SubmissionLimits(max_notebook_bytes=256 * 1024)
MARK = "STUDENT-WROTE-THIS"


def cell(grade_id=None, **flags):
    meta = {"grade": False, "solution": False, "locked": False, **flags}
    if grade_id is not None:
        meta["grade_id"] = grade_id
    return {"cell_type": "code", "source": MARK, "metadata": {"nbgrader": meta}, "outputs": []}


def notebook(*cells, version=4) -> bytes:
    return json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {},
                       "cells": list(cells)}).encode()


@pytest.mark.parametrize(("data", "words"), [
    (b"\xff" + notebook(), "is not UTF-8 text"),
    (notebook()[:-5], "is not valid JSON (line 1)"),
    (b"null", "is JSON but not a notebook"),
    (b"[" * 50_000 + b"]" * 50_000, "nests its JSON more than 100 levels deep"),
    (json.dumps({"nbformat": 4, "cells": [], "metadata": {"x": [[[[[[[[1]]]]]]]] * 2}}).encode()
     .replace(b"1", b"[" * 120 + b"1" + b"]" * 120), "nests its JSON more than 100 levels deep"),
    (notebook(version=5), "is saved in notebook format 5"),
    (notebook(version=10**9), "is saved in an unknown format"),
    (json.dumps({"nbformat": "4", "cells": []}).encode(), "has no notebook format number"),
    (notebook(cell(grade=True, points=1)), "has a cell marked for grading without a grade id"),
    (notebook(cell("test_x", grade=True, points=1), cell("test_x", grade=True, points=1)),
     "has several cells with the grade id test_x"),
    (notebook(cell(MARK, grade=True, points=1), cell(MARK, grade=True, points=1)),
     "has several cells with one grade id"),
    (b" " * 300_000, "is 292.97 KiB, over the 256 KiB limit"),
])
def test_each_problem_is_one_sentence_of_the_graders(data, words):
    problem = notebook_problem(data, "hw.ipynb", LIMITS, known_grade_ids={"test_x"})
    assert problem and problem.startswith("hw.ipynb ") and words in problem, problem
    assert MARK not in problem and "\n" not in problem and problem.endswith(".")


def test_a_good_notebook_and_an_old_format_have_no_problem():
    assert notebook_problem(notebook(cell("a", locked=True)), "hw.ipynb", LIMITS) is None
    v3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                     "worksheets": [{"cells": [cell("a", locked=True)]}]}).encode()
    assert notebook_problem(v3, "hw.ipynb", LIMITS) is None


def test_depth_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth_exceeds(deep, 100)
    assert not json_depth_exceeds({"a": [{"b": 1}]}, 3)


def test_links_special_files_and_large_files_are_never_read(tmp_path):
    (tmp_path / "link.ipynb").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "fifo.ipynb")
    with (tmp_path / "sparse.ipynb").open("wb") as sparse:
        sparse.truncate(10**12)  # a terabyte of nothing: refused from its size alone
    for name, words in (("link.ipynb", "is a symbolic link"), ("fifo.ipynb", "not a regular file"),
                        ("sparse.ipynb", "over the 256 KiB limit")):
        with pytest.raises(RefusedFile, match=words):
            read_submitted_file(name, LIMITS, path=tmp_path / name)
    (tmp_path / "ok.ipynb").write_bytes(b"{}")
    assert read_submitted_file("ok.ipynb", LIMITS, path=tmp_path / "ok.ipynb") == b"{}"


def test_the_limit_is_set_in_one_place():
    config = Config()
    config.SubmissionLimits.max_notebook_bytes = 1234
    assert SubmissionLimits.from_config(config).max_notebook_bytes == 1234
    assert SubmissionLimits().max_notebook_bytes == 50 * 1024**2
    with pytest.raises(TraitError):
        SubmissionLimits(max_notebook_bytes=0)


def test_a_submission_folder_is_refused_before_nbgrader_sees_it(tmp_path):
    submitted = tmp_path / "submitted"
    honest = submitted / "alice" / "hw"
    honest.mkdir(parents=True)
    (honest / "hw.ipynb").write_bytes(notebook())
    assert describe_unsafe_submission(submitted, "alice", "hw", ["hw"], LIMITS) is None
    (submitted / "a[lice]" / "hw").mkdir(parents=True)
    assert "name is refused" in describe_unsafe_submission(submitted, "a[lice]", "hw", ["hw"],
                                                           LIMITS)
    (submitted / "mallory").symlink_to(submitted / "alice")
    assert "is a symbolic link" in describe_unsafe_submission(submitted, "mallory", "hw", ["hw"],
                                                              LIMITS)
    linker = submitted / "eve" / "hw"
    linker.mkdir(parents=True)
    (linker / "hw.ipynb").symlink_to(honest / "hw.ipynb")
    assert "holds a symbolic link" in describe_unsafe_submission(submitted, "eve", "hw", ["hw"],
                                                                 LIMITS)
    big = submitted / "bob" / "hw"
    big.mkdir(parents=True)
    with (big / "hw.ipynb").open("wb") as sparse:
        sparse.truncate(256 * 1024 + 1)
    assert "262,145 bytes, over the 262,144-byte limit" in describe_unsafe_submission(
        submitted, "bob", "hw", ["hw"], LIMITS)


def test_a_missing_notebook_is_described_without_the_students_file_names(tmp_path):
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / f"{MARK}.ipynb").write_bytes(notebook())
    (folder / f"{MARK}.txt").write_text("notes")
    problem = describe_unreadable_submission(folder, ["hw"])
    assert problem.startswith("no notebook named hw.ipynb was submitted, only 1 notebook")
    assert MARK not in problem
