"""The sandbox's parts without a kernel: policy, bwrap command line, cgroups, plain words.

The hostile corpus (`tests/hostile`) runs real notebooks through all of it; these tests pin
the pieces a reader would check first — what is hidden, what each outcome is called, and that
grading refuses to run unconfined unless told to.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import run_in_fresh_python
from traitlets.config import Config

from autograder import cli
from autograder.diagnose import describe_unreadable_submission
from autograder.sandbox import SandboxPolicy, SandboxUnavailable, bwrap, require_sandbox
from autograder.sandbox.cgroups import Cgroup, cgroup_support
from autograder.sandbox.outcome import completion_note, failure_message, kernel_death
from autograder.sandbox.runner import (
    SandboxRun,
    _before_exec,
    confined_command,
    worker_environment,
)
from autograder.sandbox.worker import truncate_outputs

REPO = Path(__file__).resolve().parents[2]


def test_policy_from_nbgrader_config_and_sizes_in_words():
    config = Config()
    config.SandboxPolicy.memory_bytes = "1.5 GiB"
    config.SandboxPolicy.wall_seconds = 40
    policy = SandboxPolicy.from_config(config)
    assert policy.memory_bytes == 3 * 512 * 1024**2 and policy.wall_seconds == 40
    assert policy.enabled and policy.cell_timeout_for(60) == 60
    assert policy.replace(cell_timeout=20).cell_timeout_for(60) == 20
    config.SandboxPolicy.memroy = 1
    with pytest.raises(ValueError, match="unknown SandboxPolicy setting"):
        SandboxPolicy.from_config(config)
    with pytest.raises(ValueError):
        SandboxPolicy(max_processes=0)


def test_the_course_checkout_and_home_are_hidden_and_the_environment_bound_back(tmp_path):
    command = bwrap.bwrap_command(["python"], REPO, tmp_path, {"PATH": "/usr/bin"}, 2**30)
    pairs = list(zip(command, command[1:], strict=False))
    tmpfs = {b for a, b in pairs if a == "--tmpfs"}
    bound = {b for a, b in pairs if a == "--ro-bind"}
    assert {"/tmp", "/run", str(REPO), str(Path.home())} <= tmpfs
    assert {str(REPO / "lrcore"), str(REPO / "autograder"), sys.prefix} <= bound
    assert str(REPO / "source") not in bound and str(REPO / "gradebook.db") not in bound
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
                 "--new-session", "--clearenv"):
        assert flag in command
    assert ("--cap-drop", "ALL") in pairs and ("--ro-bind", "/") in pairs
    assert command.index(str(REPO)) < command.index(str(REPO / "lrcore"))  # hide, then bind back
    # a course under /tmp needs no mount of its own: the private /tmp hides it
    assert tmp_path / "course" not in bwrap.hidden_paths(tmp_path / "course")


def test_an_environment_under_tmp_is_bound_back_into_the_private_tmp(monkeypatch, tmp_path):
    venv = Path("/tmp/a-clone/.venv")
    monkeypatch.setattr(bwrap, "exposed_paths", lambda: [venv])
    command = bwrap.bwrap_command(["python"], tmp_path / "course", tmp_path, {}, 2**20)
    pairs = list(zip(command, command[1:], command[2:], strict=False))
    assert ("--ro-bind", str(venv), str(venv)) in pairs
    assert command.index(str(venv)) > command.index("/tmp")  # after the tmpfs that hides it


def test_a_checkout_under_tmp_gets_a_read_only_tmpfs_not_a_writable_folder(monkeypatch, tmp_path):
    """bwrap creates the folders leading to a bound-back path; in the private /tmp those would
    be writable (a student could write `<checkout>/pwned.txt` there): the checkout is hidden by
    a tmpfs of its own, remounted read-only after the environment is bound back."""
    checkout = Path("/tmp/a-clone")
    monkeypatch.setattr(bwrap, "exposed_paths", lambda: [checkout / ".venv", checkout / "lrcore"])
    monkeypatch.setattr(bwrap, "_package_dirs", lambda: [checkout / "lrcore"])
    assert checkout in bwrap.hidden_paths(tmp_path / "course")
    assert tmp_path / "course" not in bwrap.hidden_paths(tmp_path / "course")
    command = bwrap.bwrap_command(["python"], tmp_path / "course", tmp_path, {}, 2**20)
    pairs = list(zip(command, command[1:], strict=False))
    tmpfs = command.index(str(checkout), command.index("/tmp") + 1)
    assert command[tmpfs - 1] == "--tmpfs"
    assert tmpfs < command.index(str(checkout / ".venv")) < command.index("--remount-ro")
    assert ("--remount-ro", str(checkout)) in pairs


def test_the_sandbox_environment_keeps_no_secrets(monkeypatch):
    monkeypatch.setenv("LRLAB_DB_URL", "postgresql://teacher:secret@localhost/grades")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "1")  # the grader's own choice is passed through
    inside = worker_environment(SandboxPolicy())
    assert "LRLAB_DB_URL" not in inside and inside["HOME"] == bwrap.HOME_DIR
    assert inside["OMP_NUM_THREADS"] == "2" and inside["MKL_NUM_THREADS"] == "1"
    assert inside.get("OMP_WAIT_POLICY") in ("PASSIVE", os.environ.get("OMP_WAIT_POLICY"))
    outside = worker_environment(SandboxPolicy(enabled=False))
    assert outside["LRLAB_DB_URL"].startswith("postgresql://")


def test_grading_refuses_without_a_sandbox_unless_told(monkeypatch, course_copy, capsys):
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    bwrap.probe_bwrap.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="bubblewrap .* is not installed"):
            require_sandbox(SandboxPolicy())
        require_sandbox(SandboxPolicy(enabled=False))
        code = cli.main(["--course", str(course_copy.root), "grade", "ps01_constant_lr",
                         "--quiet"])
        assert code == 2
        assert "--no-sandbox" in capsys.readouterr().err
    finally:
        bwrap.probe_bwrap.cache_clear()


@pytest.mark.skipif(bwrap.probe_bwrap() is not None, reason="no bubblewrap here")
def test_bwrap_starts_on_this_machine():
    require_sandbox(SandboxPolicy())


@pytest.mark.skipif(not cgroup_support().startswith("v"), reason="no writable cgroup")
def test_a_cgroup_per_execution_is_created_limited_and_removed():
    group = Cgroup.create(512 * 1024**2, 64)
    assert group is not None and group.limits_memory and group.limits_processes
    assert not group.memory_exceeded() and not group.processes_exceeded()
    assert group.pids() == set()
    assert group.remove()
    assert not any(folder.exists() for folder in group.dirs.values())


LIMITS_PROBE = (
    "import resource\n"
    "print(open('/proc/self/cgroup').read().strip())\n"
    "for name in ('RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_AS'):\n"
    "    print(name, *resource.getrlimit(getattr(resource, name)))\n"
)


@pytest.mark.skipif(not cgroup_support().startswith("v"), reason="no writable cgroup")
def test_a_started_process_is_in_its_cgroup_and_under_its_limits_from_its_first_instruction():
    """The sandbox is started through /bin/sh and prlimit rather than a pre-exec hook (which
    made Python fork the whole grading process, ≈ 26 ms per notebook); the process it starts is
    where the hook put it, under the same limits."""
    group = Cgroup.create(512 * 1024**2, 64)
    assert group is not None
    limits = [(resource.RLIMIT_CORE, (0, 0)), (resource.RLIMIT_CPU, (30, 35)),
              (resource.RLIMIT_FSIZE, (10**6, 10**6)),
              (resource.RLIMIT_AS, (2 * 1024**3, resource.RLIM_INFINITY))]
    command = [sys.executable, "-I", "-c", LIMITS_PROBE]
    try:
        confined = confined_command(command, group, limits)
        assert confined is not None and confined[-len(command):] == command
        started = subprocess.run(confined, capture_output=True, text=True, timeout=60)
        hooked = subprocess.run(command, preexec_fn=_before_exec(group, limits),
                                capture_output=True, text=True, timeout=60)
    finally:
        assert group.remove()
    assert started.returncode == 0, started.stderr
    assert started.stdout == hooked.stdout
    lines = started.stdout.splitlines()
    cgroups = {line.split(":", 2)[2] for line in lines if not line.startswith("RLIMIT")}
    assert all(any(str(folder).endswith(path) for path in cgroups if path != "/")
               for folder in group.dirs.values())  # in the group: every controller of it
    assert [line for line in lines if line.startswith("RLIMIT")] == [
        "RLIMIT_CORE 0 0", "RLIMIT_CPU 30 35", "RLIMIT_FSIZE 1000000 1000000",
        f"RLIMIT_AS {2 * 1024**3} -1"]


@pytest.mark.parametrize(("status", "words"), [
    (-11, "the kernel died (segmentation fault)"),
    (-6, "the kernel died (aborted)"),
    (-9, "the kernel was killed (SIGKILL)"),
    (-24, "more than 600 s of CPU time"),
    (1, "the kernel exited with status 1"),
    (0, "shut down by the notebook"),
])
def test_a_dead_kernel_is_named_by_its_exit_status(status, words):
    assert words in kernel_death(status, SandboxPolicy())


def test_failure_messages_put_the_limit_first():
    policy = SandboxPolicy()
    limit = SandboxRun(None, "the notebook used more than 2 GiB of memory", -9, "", 1.0)
    assert failure_message(limit, policy, 60) == limit.limit
    crashed = SandboxRun(None, None, 1, "Traceback …\nImportError: no module x\n", 1.0)
    assert "stopped unexpectedly (exit status 1): ImportError" in failure_message(
        crashed, policy, 60)
    dead = SandboxRun({"error": {"type": "DeadKernelError", "exit_status": -11,
                                 "cell": "cell 'optimize'"}}, None, 0, "", 1.0)
    assert failure_message(dead, policy, 60) == (
        "the kernel died (segmentation fault) in cell 'optimize'")
    ran = {"notebook": "{}", "timed_out_cells": ["cell 4, `while True:`"], "outputs_cut": 1}
    assert failure_message(SandboxRun(ran, None, 0, "", 1.0), policy, 60) == ""
    note = completion_note(ran, 60, policy)
    assert "a cell ran longer than 60 s and was stopped (cell 4, `while True:`)" in note
    assert "were cut" in note


def test_long_outputs_are_cut():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('x' * 10)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 50),
                           nbformat.v4.new_output("execute_result", data={"text/plain": "ok"})]
    assert truncate_outputs(nb, 20) == 1
    assert nb.cells[0].outputs[0].text.startswith("x" * 20 + "\n[output cut by the grader")
    assert nb.cells[0].outputs[1].data["text/plain"] == "ok"


def test_unreadable_submissions_are_described(tmp_path):
    folder = tmp_path / "alice" / "ps01"
    assert describe_unreadable_submission(folder, ["ps01"]) == "nothing was submitted"
    folder.mkdir(parents=True)
    assert describe_unreadable_submission(folder, ["ps01"]) == "the submission folder is empty"
    (folder / "mine.ipynb").write_text("{}")
    assert "no notebook named ps01.ipynb was submitted (found mine.ipynb)" in (
        describe_unreadable_submission(folder, ["ps01"]))
    (folder / "ps01.ipynb").write_bytes(b'{"cells": [\xff]}')
    assert "is not UTF-8 text" in describe_unreadable_submission(folder, ["ps01"])
    (folder / "ps01.ipynb").write_text('{"cells": [')
    assert "is not valid JSON" in describe_unreadable_submission(folder, ["ps01"])
    cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "test_a"}}}
    (folder / "ps01.ipynb").write_text(json.dumps({"cells": [cell, cell]}))
    assert "several cells with the grade id test_a" in describe_unreadable_submission(
        folder, ["ps01"])


def test_huge_json_outputs_are_dropped_small_ones_kept():
    small = {"application/vnd.lrlab.evidence+json": {"calls": [1.0] * 10}, "text/plain": ""}
    huge = {"application/json": {"numbers": list(range(2000))}}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("display(...)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=small),
                           nbformat.v4.new_output("display_data", data=huge)]
    assert truncate_outputs(nb, 20) == 1
    assert nb.cells[0].outputs[0].data == small
    kept = nb.cells[0].outputs[1].data
    assert "application/json" not in kept and "dropped by the grader" in kept["text/plain"]


def test_the_worker_runs_nbgraders_own_execute_without_loading_the_rest_of_nbgrader():
    """The worker imports only `Execute` (its import time is paid per notebook); the class is
    the one `nbgrader autograde` runs, and the gradebook code never enters the sandbox."""
    probe = (
        "import sys\n"
        "from autograder.sandbox.worker import nbgrader_execute\n"
        "Execute = nbgrader_execute()\n"
        "import nbgrader.preprocessors.execute as module\n"
        "from nbconvert.preprocessors import ExecutePreprocessor\n"
        "assert Execute is module.Execute and issubclass(Execute, ExecutePreprocessor)\n"
        "assert Execute.__mro__[1].__module__ == 'nbgrader.preprocessors.base'\n"
        "print(sorted(m for m in ('nbgrader.api', 'nbgrader.apps', 'sqlalchemy',\n"
        "                         'nbgrader.server_extensions') if m in sys.modules))\n"
    )
    assert run_in_fresh_python(probe, timeout=120).strip() == "[]"


def test_execute_is_the_ordinary_class_when_nbgrader_is_already_imported():
    from nbgrader.preprocessors import Execute

    from autograder.sandbox.worker import nbgrader_execute

    assert nbgrader_execute() is Execute
