"""An execution task and its outcome are plain data, and the grader trusts neither blindly.

A task carries the prepared notebook and the files handed in with it as bytes (never a path
the worker would read), refuses a submission over the size limit before reading it, and a
worker writes the files only below its own folder. What a worker sends back is checked field
by field and attributed to the task the grader sent, whatever it claims.
"""

from __future__ import annotations

import os

import msgpack
import nbformat
import pytest

from autograder.execution import (
    OTHER_GRADER,
    OTHER_SOURCES,
    UNREADABLE_RESULT,
    ExecutionOutcome,
    ExecutionTask,
    build_task,
    receive_outcome,
    save_executed,
)
from autograder.notebook_file import SubmissionLimits
from autograder.sandbox import SandboxSettings
from autograder.submission_files import SubmissionTooLarge, gather_files, write_files

NOTEBOOKS = {"ps01_constant_lr.ipynb", "ps01_other.ipynb"}


@pytest.fixture
def prepared(tmp_path):
    """A prepared submission's folder: its notebook, another notebook of the assignment (it
    holds hidden tests), data files, a link to a secret and a FIFO."""
    folder = tmp_path / "autograded" / "alice" / "ps01_constant_lr"
    (folder / "data").mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, folder / "ps01_constant_lr.ipynb")
    nbformat.write(nb, folder / "ps01_other.ipynb")
    (folder / "notes.txt").write_text("mine")
    (folder / "data" / "points.csv").write_bytes(b"1,2\n3,4\n")
    (tmp_path / "secret").write_text("the course secret")
    (folder / "link.txt").symlink_to(tmp_path / "secret")
    (folder / "data" / "linked").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe")
    return folder


def test_a_task_carries_the_notebook_and_the_files_as_bytes_never_a_path(prepared, tmp_path):
    cases = {"pool": [{"lr": 0.1}]}
    task = build_task("alice", "ps01_constant_lr", "ps01_constant_lr", prepared, NOTEBOOKS,
                      {}, SandboxSettings(), cases, ["import lrchecks"], 10**6, tmp_path)
    assert task.prepared == (prepared / "ps01_constant_lr.ipynb").read_bytes()
    # the assignment's notebooks, links and special files are not sent; nested files are
    assert task.files == (("data/points.csv", b"1,2\n3,4\n"), ("notes.txt", b"mine"))
    assert task.hidden_cases == cases and task.instructor_cells == ("import lrchecks",)
    assert task.execute_config["Execute"]["timeout"] == 30  # nbgrader's default, as data
    assert str(prepared) not in repr(task)  # the worker is given no path to read


def test_a_submission_over_the_limit_is_refused_in_one_sentence_before_it_is_read(prepared):
    big = prepared / "data" / "huge.bin"
    with big.open("wb") as handle:  # sparse: 3 MiB that reading would have to go through
        handle.truncate(3 * 2**20)
    with pytest.raises(SubmissionTooLarge) as refused:
        gather_files(prepared, NOTEBOOKS, 2 * 2**20)
    message = str(refused.value)
    assert "over the 2 MiB limit" in message and "huge.bin" not in message
    assert message.count(".") <= 3 and "\n" not in message
    big.unlink()
    files = len(b"1,2\n3,4\n") + len(b"mine")
    assert gather_files(prepared, NOTEBOOKS, files + 500, counted=500)  # exactly the limit
    with pytest.raises(SubmissionTooLarge):  # the notebook sent beside the files counts too
        gather_files(prepared, NOTEBOOKS, files + 500, counted=501)


def test_the_default_limit_is_configurable_like_the_other_submission_limits():
    from traitlets.config import Config

    config = Config()
    config.SubmissionLimits.max_submission_bytes = 1234
    assert SubmissionLimits.from_config(config).max_submission_bytes == 1234
    assert SubmissionLimits().max_submission_bytes == 100 * 2**20


@pytest.mark.parametrize("name", ["../escaped.txt", "/etc/cron.d/job", "data/../../x", "",
                                  "./x", "a//b", "dir\\..\\x"])
def test_a_worker_writes_files_only_below_its_folder(tmp_path, name):
    target = tmp_path / "work"
    target.mkdir()
    with pytest.raises(ValueError, match="outside its folder"):
        write_files(((name, b"owned"),), target)
    assert not list(target.rglob("*")) and not (tmp_path / "escaped.txt").exists()


def test_a_worker_never_writes_through_a_link(tmp_path):
    target = tmp_path / "work"
    target.mkdir()
    (target / "notes.txt").symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(FileExistsError):
        write_files((("notes.txt", b"owned"),), target)
    assert not (tmp_path / "elsewhere.txt").exists()
    write_files((("data/points.csv", b"1,2"), ("a.txt", b"a")), target)
    assert (target / "data" / "points.csv").read_bytes() == b"1,2"


def task() -> ExecutionTask:
    return ExecutionTask("alice", "ps01_constant_lr", "ps01_constant_lr", b"{}")


def test_an_outcome_travels_as_plain_data_and_comes_back_equal():
    outcome = ExecutionOutcome("alice", "ps01_constant_lr", "ps01_constant_lr", True, 1.5,
                               "a note", {"cells": 1.0, "judge": 0.25}, b'{"cells": []}', "g1",
                               "learning-rate-lab==0.2.0")
    wire = msgpack.unpackb(msgpack.packb(outcome.to_data()), use_list=False)  # no pickle
    assert receive_outcome(task(), wire) == outcome
    assert receive_outcome(task(), wire, expected_grader="g1",
                           expected_versions="learning-rate-lab==0.2.0") == outcome


def test_an_outcome_is_the_task_it_answers_whatever_the_worker_claims():
    data = {"ok": True, "seconds": 1.0, "message": "", "phases": {}, "executed": b"{}",
            "grader": "g", "versions": "v", "student": "bob", "assignment": "ps02",
            "notebook": "../x"}
    outcome = receive_outcome(task(), data)
    assert (outcome.student, outcome.assignment, outcome.notebook) == (
        "alice", "ps01_constant_lr", "ps01_constant_lr")


@pytest.mark.parametrize("change", [
    {"ok": "yes"}, {"seconds": float("nan")}, {"seconds": True}, {"message": ["text"]},
    {"executed": "not bytes"}, {"executed": b""}, {"phases": {"cells": -1.0}},
    {"phases": {"rm -rf": 1.0}}, {"phases": [1.0]}, {"grader": None}, {"versions": 2},
])
def test_a_malformed_result_fails_the_notebook_in_the_graders_words(change):
    data = {"ok": True, "seconds": 1.0, "message": "", "phases": {"cells": 1.0},
            "executed": b"{}", "grader": "g", "versions": "v", **change}
    outcome = receive_outcome(task(), data)
    assert not outcome.ok and outcome.message == UNREADABLE_RESULT
    assert receive_outcome(task(), ["not", "a", "dict"]).message == UNREADABLE_RESULT


def test_an_execution_by_another_version_of_the_grader_is_failed():
    data = {"ok": True, "seconds": 1.0, "message": "", "phases": {}, "executed": b"{}",
            "grader": "mine", "versions": "learning-rate-lab==0.1.0"}
    outcome = receive_outcome(task(), data, expected_grader="mine",
                              expected_versions="learning-rate-lab==0.2.0")
    assert not outcome.ok and outcome.message == OTHER_GRADER and not outcome.executed


def test_an_execution_by_the_same_version_with_other_sources_says_so():
    data = {"ok": True, "seconds": 1.0, "message": "a cell was cut", "phases": {},
            "executed": b"{}", "grader": "edited", "versions": "v"}
    outcome = receive_outcome(task(), data, expected_grader="mine", expected_versions="v")
    assert outcome.ok and outcome.message == f"a cell was cut; {OTHER_SOURCES}"


def test_the_executed_notebook_is_written_whole(tmp_path):
    outcome = ExecutionOutcome("alice", "a", "n", True, 1.0, executed=b'{"cells": []}')
    path = tmp_path / "executed" / "a" / "alice" / "n.ipynb"
    save_executed(outcome, path)
    assert path.read_bytes() == b'{"cells": []}'
    assert [p.name for p in path.parent.iterdir()] == ["n.ipynb"]
