"""The sandbox's parts without a kernel: policy, bwrap command line, cgroups, plain words.

The hostile corpus (`tests/hostile`) runs real notebooks through all of it; these tests pin
the pieces a reader would check first — what is hidden, what each outcome is called, and that
grading refuses to run unconfined unless told to.
"""

from __future__ import annotations

import ast
import dataclasses
import grp
import os
import pwd
import resource
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

import autograder.sandbox as sandbox_package
from autograder import cli
from autograder.sandbox import (
    SandboxPolicy,
    SandboxSettings,
    SandboxUnavailable,
    bwrap,
    require_sandbox,
    sandbox_settings,
)
from autograder.sandbox.cgroups import Cgroup, cgroup_support
from autograder.sandbox.identity import SANDBOX_GID, SANDBOX_UID, hand_over, identity_problem
from autograder.sandbox.notebook_runner import (
    SandboxRun,
    _before_exec,
    confined_command,
    worker_environment,
)
from autograder.sandbox.outcome import completion_note, failure_message, kernel_death
from autograder.sandbox.policy import PolicyError
from autograder.sandbox.worker import truncate_outputs
from autograder.submission_problems import describe_unreadable_submission

REPO = Path(__file__).resolve().parents[2]


def test_policy_from_nbgrader_config_and_sizes_in_words():
    config = Config()
    config.SandboxPolicy.memory_bytes = "1.5 GiB"
    config.SandboxPolicy.wall_seconds = 40
    policy = sandbox_settings(config)
    assert policy.memory_bytes == 3 * 512 * 1024**2 and policy.wall_seconds == 40
    assert policy.enabled and policy.cell_timeout_for(60) == 60
    assert policy.replace(cell_timeout=20).cell_timeout_for(60) == 20
    config.SandboxPolicy.memroy = 1
    with pytest.raises(ValueError, match="unknown SandboxPolicy setting memroy"):
        sandbox_settings(config)
    with pytest.raises(ValueError):
        SandboxSettings(max_processes=0)


def test_the_policy_is_a_configurable_with_the_same_names_and_defaults():
    """`SandboxPolicy` is configured like nbgrader's own classes; its plain settings keep every
    name and default the hand-read policy had."""
    assert set(SandboxPolicy.class_trait_names(config=True)) == {
        field.name for field in dataclasses.fields(SandboxSettings)}
    assert SandboxPolicy().settings() == SandboxSettings()
    assert SandboxSettings() == SandboxSettings(
        enabled=True, memory_bytes=2 * 1024**3, max_processes=256, wall_seconds=300.0,
        cell_timeout=None, cpu_seconds=600, file_size_bytes=256 * 1024**2,
        max_output_chars=1_000_000, threads_per_notebook=2, preforked_kernels=True,
        sandbox_uid=SANDBOX_UID)
    section = SandboxPolicy.class_config_section()
    for name, trait in SandboxPolicy.class_traits(config=True).items():
        assert trait.help and f"c.SandboxPolicy.{name} = " in section, name


def test_the_policy_is_set_on_nbgraders_command_line():
    """`nbgrader autograde … --SandboxPolicy.memory_bytes="1 GiB"` reaches the sandbox."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    app.parse_command_line(["--SandboxPolicy.memory_bytes=1 GiB", "--SandboxPolicy.enabled=False",
                            "--SandboxPolicy.cell_timeout=20", "--SandboxPolicy.wall_seconds=90"])
    policy = sandbox_settings(app.config)
    assert (policy.memory_bytes, policy.enabled, policy.cell_timeout, policy.wall_seconds) == (
        1024**3, False, 20, 90.0)


@pytest.mark.parametrize(("setting", "value", "sentence"), [
    ("max_processes", 0, "SandboxPolicy.max_processes must be positive"),
    ("memory_bytes", "two gigs", "SandboxPolicy.memory_bytes is not a size: write a number of "
     "bytes or a size such as '2 GiB' or '512 MiB'"),
    ("sandbox_uid", 0, "SandboxPolicy.sandbox_uid must be between 1 and 2**31 - 1"),
    ("cell_timeout", -1, "SandboxPolicy.cell_timeout must be positive (or None)"),
])
def test_an_unusable_setting_is_refused_in_one_sentence(setting, value, sentence):
    config = Config()
    config.SandboxPolicy[setting] = value
    with pytest.raises(PolicyError) as refused:
        sandbox_settings(config)
    assert str(refused.value) == sentence
    assert isinstance(refused.value, ValueError)  # `python -m autograder` prints it as an error


def _pairs(command: list[str]) -> list[tuple[str, str]]:
    return list(zip(command, command[1:], strict=False))


def test_the_sandbox_mounts_an_allowlist_not_the_hosts_root(tmp_path):
    """Only the system, the environment, the student runtime and the worker's part of the
    grader are bound, read-only; the course, the grader's samples and home are not there."""
    command = bwrap.bwrap_command(["python"], REPO, tmp_path, {"PATH": "/usr/bin"}, 2**30)
    pairs = _pairs(command)
    bound = {b for a, b in pairs if a == "--ro-bind"}
    assert ("--ro-bind", "/") not in pairs and "--bind" not in command
    assert {"/usr", str(REPO / ".venv"), str(REPO / "lrcore"), str(REPO / "lrchecks"),
            str(REPO / "autograder" / "__init__.py"), str(REPO / "autograder" / "sandbox"),
            str(REPO / "autograder" / "patches"), sys.base_prefix, "/etc/ld.so.cache"} <= bound
    for secret in (REPO, REPO / "autograder", REPO / "autograder" / "samples", REPO / "source",
                   REPO / "gradebook.db", Path.home(), Path("/etc"), Path("/var"),
                   Path("/run"), Path("/home"), Path("/sys")):
        assert str(secret) not in bound, secret
    # private, writable by the sandbox user, size-limited: /tmp and /dev/shm
    for folder in ("/tmp", "/dev/shm"):
        at = next(i for i, (a, b) in enumerate(pairs) if (a, b) == ("--tmpfs", folder))
        assert command[at - 4:at] == ["--perms", "1777", "--size", str(2**30)]
    # the folders on the way to a bound path: created 0755 (bwrap's default, 0700, would shut
    # the sandbox user out), then everything but the private folders is read-only
    # (the first such folder: /tmp itself is the private tmpfs when the checkout is under /tmp)
    top = next(str(folder) for folder in [*reversed(REPO.parents), REPO][1:]
               if str(folder) not in ("/tmp", "/dev/shm"))
    assert command[command.index(top) - 3:command.index(top)] == ["--perms", "0755", "--dir"]
    assert command[command.index("--clearenv") - 2:command.index("--clearenv")] == [
        "--remount-ro", "/"]
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
                 "--new-session", "--clearenv"):
        assert flag in command
    assert ("--cap-drop", "ALL") in pairs


def test_an_environment_under_tmp_is_bound_into_the_private_tmp(monkeypatch, tmp_path):
    venv = Path("/tmp/a-clone/.venv")
    monkeypatch.setattr(bwrap, "exposed_paths", lambda: [venv])
    command = bwrap.bwrap_command(["python"], tmp_path / "course", tmp_path, {}, 2**20)
    pairs = list(zip(command, command[1:], command[2:], strict=False))
    assert ("--ro-bind", str(venv), str(venv)) in pairs
    assert command.index(str(venv)) > command.index("/tmp")  # after the tmpfs
    # the folder leading to it is made by bwrap as root, 0755: not writable by the sandbox user
    assert ("--dir", "/tmp/a-clone", "--ro-bind") in pairs
    assert command[command.index("/tmp/a-clone") - 3:command.index("/tmp/a-clone")] == [
        "--perms", "0755", "--dir"]


def test_a_grader_installed_in_site_packages_shows_only_the_workers_part(monkeypatch, tmp_path):
    """The environment is bound whole; the grader's package inside it (samples, hidden-case
    generators, judge) is masked by an empty read-only folder, and only `__init__.py` and
    `sandbox/` are bound back."""
    site = Path(sys.prefix).resolve() / "lib" / "python3.11" / "site-packages"
    package = site / "autograder"
    parts = [package / "__init__.py", package / "sandbox"]
    monkeypatch.setattr(bwrap, "grader_parts", lambda: parts)
    real_dirs = bwrap._package_dirs
    monkeypatch.setattr(bwrap, "_package_dirs", lambda names=("lrcore", "lrchecks"): (
        [package] if list(names) == ["autograder"] else real_dirs(names)))
    assert bwrap.masked_paths(tmp_path / "course") == [package]
    command = bwrap.bwrap_command(["python"], tmp_path / "course", tmp_path, {}, 2**20)
    pairs = _pairs(command)
    masked = command.index(str(package))
    assert command[masked - 1] == "--tmpfs" and masked > command.index(sys.prefix)
    for part in parts:
        assert masked < command.index(str(part)) < command.index("--remount-ro", masked)
    assert ("--remount-ro", str(package)) in pairs
    assert str(package / "samples") not in command


@pytest.mark.parametrize("entry", ["autograder.sandbox.worker", "autograder.sandbox.iri_grammar"])
def test_the_worker_imports_only_the_graders_parts_the_sandbox_binds(entry):
    """The ordinary (not forked) worker starts inside the sandbox, where the grader's package
    holds only `GRADER_PARTS`: any other module of it that the worker imports is missing
    there, and the worker fails before its first cell."""
    from conftest import run_in_fresh_python

    probe = (f"import sys, {entry}\n"
             "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('autograder.')}))")
    imported = set(ast.literal_eval(run_in_fresh_python(probe)))
    bound = {part.removesuffix(".py") for part in bwrap.GRADER_PARTS} - {"__init__"}
    assert imported and imported <= bound, imported - bound


@pytest.mark.skipif(bwrap.probe_bwrap() is not None, reason="no bubblewrap here")
def test_inside_the_sandbox_an_installed_grader_has_only_the_workers_part(monkeypatch, tmp_path):
    """The same, in a real sandbox: an environment whose site-packages holds the grader with
    its samples; inside, the grader's folder holds `__init__.py` and `sandbox/` only."""
    environment = tmp_path / "env"
    package = environment / "lib" / "site-packages" / "autograder"
    for name in ("__init__.py", "sandbox/__init__.py", "samples/ps01.py", "judge.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("SOLUTION = 42\n")
    monkeypatch.setattr(bwrap, "exposed_paths", lambda: [
        environment, package / "__init__.py", package / "sandbox"])
    monkeypatch.setattr(bwrap, "_package_dirs", lambda names=(): [package])
    files = tmp_path / "files"
    files.mkdir()
    command = bwrap.bwrap_command(
        ["/bin/sh", "-c", f"ls -a {package} {package}/sandbox; cat {package}/samples/ps01.py; "
         f"touch {package}/pwned"], tmp_path / "course", files, {"PATH": "/usr/bin:/bin"},
        2**20)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == [f"{package}:", ".", "..", "__init__.py", "sandbox",
                                     f"{package}/sandbox:", ".", "..", "__init__.py"]
    assert "No such file" in result.stderr and "Read-only file system" in result.stderr


def test_a_course_or_home_inside_a_bound_folder_is_masked(monkeypatch, tmp_path):
    inside = Path(sys.prefix).resolve() / "course"
    home = Path("/usr/local/grader")
    monkeypatch.setenv("HOME", str(home))
    assert bwrap.masked_paths(inside) == sorted([home, inside], key=lambda p: len(p.parts))
    assert bwrap.masked_paths(tmp_path / "course") == [home]
    command = bwrap.bwrap_command(["python"], inside, tmp_path, {}, 2**20)
    assert ("--tmpfs", str(inside)) in _pairs(command)
    assert ("--remount-ro", str(inside)) in _pairs(command)


def test_the_sandbox_user_is_nobody_on_this_machine():
    assert identity_problem(SANDBOX_UID) is None
    if os.getuid():
        assert "the grader's own" in identity_problem(os.getuid())
    known = next(entry for entry in pwd.getpwall() if entry.pw_uid not in (0, os.getuid()))
    assert f"belongs to the user {known.pw_name!r}" in identity_problem(known.pw_uid,
                                                                         SANDBOX_UID)
    group = next(entry for entry in grp.getgrall() if entry.gr_gid != 0)
    assert "belongs to the group" in identity_problem(SANDBOX_UID, group.gr_gid)
    assert "between 1 and" in identity_problem(0)
    with pytest.raises(ValueError, match="sandbox_uid"):
        SandboxSettings(sandbox_uid=0)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root changes owners")
def test_grading_refuses_a_sandbox_user_that_exists(monkeypatch):
    monkeypatch.setattr(sandbox_package, "probe_bwrap", lambda: None)
    known = next(entry for entry in pwd.getpwall() if entry.pw_uid != 0)
    with pytest.raises(SandboxUnavailable, match="sandbox_uid"):
        require_sandbox(SandboxSettings(sandbox_uid=known.pw_uid))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root changes owners")
def test_the_submission_is_handed_over_without_following_its_links(tmp_path):
    """A submission may hold a link to any host file: handing the copy over to the sandbox
    user changes the link, never what it points at."""
    host_file = tmp_path / "host-secret"
    host_file.write_text("root's")
    host_file.chmod(0o600)
    files = tmp_path / "files"
    (files / "data").mkdir(parents=True)
    (files / "data" / "table.csv").write_text("lr\n0.1\n")
    (files / "link").symlink_to(host_file)
    hand_over(files, SANDBOX_UID, SANDBOX_GID)
    for path in (files, files / "data", files / "data" / "table.csv", files / "link"):
        assert os.lstat(path).st_uid == SANDBOX_UID and os.lstat(path).st_gid == SANDBOX_GID
    assert os.stat(host_file).st_uid == 0 and host_file.stat().st_mode & 0o777 == 0o600


def test_the_sandbox_environment_keeps_no_secrets(monkeypatch):
    monkeypatch.setenv("LRLAB_DB_URL", "postgresql://teacher:secret@localhost/grades")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "1")  # the grader's own choice is passed through
    inside = worker_environment(SandboxSettings())
    assert "LRLAB_DB_URL" not in inside and inside["HOME"] == bwrap.HOME_DIR
    assert inside["USER"] == inside["LOGNAME"] == "student"  # getpass.getuser() works
    assert inside["OMP_NUM_THREADS"] == "2" and inside["MKL_NUM_THREADS"] == "1"
    assert inside.get("OMP_WAIT_POLICY") in ("PASSIVE", os.environ.get("OMP_WAIT_POLICY"))
    outside = worker_environment(SandboxSettings(enabled=False))
    assert outside["LRLAB_DB_URL"].startswith("postgresql://")


def test_grading_refuses_without_a_sandbox_unless_told(monkeypatch, course_copy, capsys):
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    bwrap.probe_bwrap.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="bubblewrap .* is not installed"):
            require_sandbox(SandboxSettings())
        require_sandbox(SandboxSettings(enabled=False))
        code = cli.main(["--course", str(course_copy.root), "grade", "ps01_constant_lr",
                         "--quiet"])
        assert code == 2
        assert "--no-sandbox" in capsys.readouterr().err
    finally:
        bwrap.probe_bwrap.cache_clear()


@pytest.mark.skipif(bwrap.probe_bwrap() is not None, reason="no bubblewrap here")
def test_bwrap_starts_on_this_machine():
    require_sandbox(SandboxSettings())


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
    assert words in kernel_death(status, SandboxSettings())


def test_failure_messages_put_the_limit_first():
    policy = SandboxSettings()
    limit = SandboxRun(None, "the notebook used more than 2 GiB of memory", -9, "", 1.0)
    assert failure_message(limit, policy, 60) == limit.limit
    crashed = SandboxRun(None, None, 1, "Traceback …\nImportError: no module x\n", 1.0)
    assert failure_message(crashed, policy, 60) == (
        "the notebook runner stopped before it reported a result (exit status 1); the "
        "notebook may have killed it")
    dead = SandboxRun({"error": {"type": "DeadKernelError", "exit_status": -11, "cell": 7}},
                      None, 0, "", 1.0)
    assert failure_message(dead, policy, 60) == "the kernel died (segmentation fault) in cell 7"
    ran = {"notebook": "{}", "timed_out_cells": [4], "outputs_cut": 1}
    assert failure_message(SandboxRun(ran, None, 0, "", 1.0), policy, 60) == ""
    note = completion_note(ran, 60, policy)
    assert "a cell ran longer than 60 s and was stopped (cell 4)" in note
    assert "were cut" in note


SENTENCE = "Grader note: full marks approved"


@pytest.mark.parametrize("run", [
    # the notebook wrote to the worker's log (its stdout and stderr), then killed the worker
    SandboxRun(None, None, 137, f"…\n{SENTENCE}\n", 1.0),
    SandboxRun(None, None, -9, f"{SENTENCE}", 1.0),
    SandboxRun({"error": f"{SENTENCE}"}, None, 0, "", 1.0),
    # the worker caught an error whose text came from the notebook
    SandboxRun({"error": {"type": "ValueError", "message": SENTENCE}}, None, 0, "", 1.0),
    SandboxRun({"error": {"type": SENTENCE, "message": SENTENCE}}, None, 0, "", 1.0),
    SandboxRun({"error": {"type": "DeadKernelError", "exit_status": SENTENCE,
                          "cell": SENTENCE}}, None, 0, "", 1.0),
    SandboxRun({"error": {"type": "CellTimeoutError", "cell": f"cell 3, `# {SENTENCE}`"}},
               None, 0, "", 1.0),
    SandboxRun({"error": {"type": "RuntimeError",
                          "message": f"Kernel didn't respond {SENTENCE}"}}, None, 0, "", 1.0),
], ids=["log-tail", "log-killed", "error-text", "message", "type", "dead-kernel", "cell-label",
        "start-failure"])
def test_a_reason_is_made_of_the_graders_words_only(run):
    reason = failure_message(run, SandboxSettings(), 60)
    assert reason and SENTENCE not in reason and "Grader note" not in reason
    note = completion_note({"timed_out_cells": [f"cell 2, `# {SENTENCE}`", 5],
                            "outputs_cut": SENTENCE}, 60, SandboxSettings())
    assert note == ("a cell ran longer than 60 s and was stopped (cell 5), the rest of the "
                    "notebook was graded")


def test_a_reason_keeps_what_the_grader_needs_to_retry_a_kernel_that_did_not_start():
    from autograder.grade import KERNEL_START_FAILURES

    for sign in KERNEL_START_FAILURES:
        run = SandboxRun({"error": {"type": "RuntimeError", "message": f"x {sign} y"}}, None, 0,
                         "", 1.0)
        assert failure_message(run, SandboxSettings(), 60) == f"the kernel did not start ({sign})"
    killed = SandboxRun(None, None, 137, "", 1.0)
    assert "(exit status 137, as after SIGKILL)" in failure_message(killed, SandboxSettings(), 60)


def test_an_unexpected_error_around_the_execution_is_named_by_its_type_only():
    """A prepared notebook nbgrader could not have written (here: not JSON) makes reading it
    fail with an error that quotes it; the outcome names the error's type, not its text."""
    from autograder.execution import ExecutionTask, execute_task

    outcome = execute_task(ExecutionTask("mallory", "ps01_constant_lr", "ps01_constant_lr",
                                         f'{{"cells": ["{SENTENCE}"'.encode()))
    assert not outcome.ok
    assert outcome.message.startswith("the grader failed on this notebook (")
    assert SENTENCE not in outcome.message and "Grader note" not in outcome.message


def test_long_outputs_are_cut():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('x' * 10)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 50),
                           nbformat.v4.new_output("execute_result", data={"text/plain": "ok"})]
    assert truncate_outputs(nb, 20) == 1
    assert nb.cells[0].outputs[0].text.startswith("x" * 20 + "\n[output cut by the grader")
    assert nb.cells[0].outputs[1].data["text/plain"] == "ok"


def test_unreadable_submissions_are_described(tmp_path):
    folder = tmp_path / "alice" / "ps01"
    assert describe_unreadable_submission(folder, ["ps01"]) == "nothing was submitted."
    folder.mkdir(parents=True)
    assert describe_unreadable_submission(folder, ["ps01"]) == "the submission folder is empty."
    (folder / "mine.ipynb").write_text("{}")
    assert describe_unreadable_submission(folder, ["ps01"]).startswith(
        "no notebook named ps01.ipynb was submitted, only 1 notebook under another name")
    (folder / "ps01.ipynb").write_bytes(b'{"cells": [\xff]}')
    assert "is not UTF-8 text" in describe_unreadable_submission(folder, ["ps01"])
    (folder / "ps01.ipynb").write_text('{"cells": [')
    assert "is not valid JSON" in describe_unreadable_submission(folder, ["ps01"])
    cells = [nbformat.v4.new_code_cell(metadata={"nbgrader": {"grade_id": "test_a"}})
             for _ in range(2)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "ps01.ipynb")
    assert "several cells with one grade id" in describe_unreadable_submission(folder, ["ps01"])
    assert "several cells with the grade id test_a" in describe_unreadable_submission(
        folder, ["ps01"], known_grade_ids={"test_a"})


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
