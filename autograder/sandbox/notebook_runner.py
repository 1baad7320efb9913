"""Launching the worker for one notebook, watching its limits, and leaving nothing behind.

`run_worker` starts `python -m autograder.sandbox.worker` — inside bubblewrap when the policy
enables the sandbox — in a cgroup of its own (joined before exec, so every process the
notebook starts is counted) with rlimits set before exec too (`confined_command`). The task
goes in on stdin; the result comes back through an inherited file descriptor of a private
temporary file, which no process of the notebook can reach. The parent enforces the wall limit
and stops the run as soon as the cgroup reports a refused fork or an OOM kill; at the end it
kills whatever is left in the group and removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from autograder.sandbox.bwrap import (
    HOME_DIR,
    INPUT_DIR,
    PRIVILEGE_DROP_CAPABILITIES,
    WORK_DIR,
    bwrap_command,
)
from autograder.sandbox.cgroups import Cgroup
from autograder.sandbox.identity import SANDBOX_USER, hand_over
from autograder.sandbox.kernel_environment import EVIDENCE_SWITCH
from autograder.sandbox.policy import SandboxSettings, format_size
from autograder.sandbox.zygote import HOLDER, ForkedNotebook, Zygote

__all__ = ["SandboxRun", "run_worker", "worker_environment"]

POLL_SECONDS = 0.2
PASSED_THROUGH = ("LANG", "LANGUAGE", "TZ", "JUPYTER_PLATFORM_DIRS", "PYTHONHASHSEED",
                  "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "OMP_WAIT_POLICY", "KMP_BLOCKTIME")
IDLE_THREADS_SLEEP = {"OMP_WAIT_POLICY": "PASSIVE", "KMP_BLOCKTIME": "0"}
"""OpenMP threads (torch's) otherwise spin after each parallel region, taking the CPU the
notebooks executing beside them and the grader need."""
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class SandboxRun:
    """What happened to one worker: its result (None if it wrote none), the limit that stopped
    it (plain words, or None), and the facts behind them."""

    result: dict | None
    limit: str | None
    returncode: int | None
    log_tail: str
    seconds: float
    memory_peak: int | None = None
    left_behind: bool = False
    launched_at: float = 0.0
    stopped_at: float = 0.0


def worker_environment(policy: SandboxSettings) -> dict[str, str]:
    """The worker's (and so the kernel's) environment: inside the sandbox a clean one — no
    secrets of the grader's (database URLs, tokens) — outside it the grader's own."""
    venv_bin = str(Path(sys.executable).parent)
    if policy.enabled:
        env = {k: v for k, v in os.environ.items() if k in PASSED_THROUGH or k.startswith("LC_")}
        env.update(PATH=os.pathsep.join([venv_bin, "/usr/local/bin", "/usr/bin", "/bin"]),
                   HOME=HOME_DIR, TMPDIR="/tmp", PYTHONDONTWRITEBYTECODE="1",
                   USER=SANDBOX_USER, LOGNAME=SANDBOX_USER)
    else:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([venv_bin, env.get("PATH", os.defpath)])
    for name in THREAD_VARIABLES:
        env.setdefault(name, str(policy.threads_per_notebook))
    for name, value in IDLE_THREADS_SLEEP.items():
        env.setdefault(name, value)
    env[EVIDENCE_SWITCH] = "1"  # the checks record their evidence (autograder.judge)
    return env


def sandbox_identity(policy: SandboxSettings) -> list[int] | None:
    """The uid and gid the notebook's processes take in the sandbox (None: they stay the
    grader's user — without the sandbox, or when the grader is not root and cannot change it)."""
    if not policy.enabled or os.geteuid() != 0:
        return None
    return [policy.sandbox_uid, policy.sandbox_uid]


def _rlimits(policy: SandboxSettings, group: Cgroup | None) -> list[tuple[int, tuple[int, int]]]:
    limits = [
        (resource.RLIMIT_CORE, (0, 0)),  # a crash must not write (or pipe) a core dump
        (resource.RLIMIT_CPU, (policy.cpu_seconds, policy.cpu_seconds + 5)),
        (resource.RLIMIT_FSIZE, (policy.file_size_bytes, policy.file_size_bytes)),
    ]
    if group is None or not group.limits_memory:
        # Address space, not memory: torch maps far more than it touches, hence the margin.
        size = 3 * policy.memory_bytes
        limits.append((resource.RLIMIT_AS, (size, size)))
    if (group is None or not group.limits_processes) and os.getuid() != 0:
        limits.append((resource.RLIMIT_NPROC, (policy.max_processes, policy.max_processes)))
    return limits


def _before_exec(group: Cgroup | None, limits: list) -> Callable[[], None]:
    """Runs in the child between fork and exec: join the cgroup, then set the rlimits (used
    where `confined_command` cannot be: no prlimit)."""
    procs = group.procs_files() if group else []

    def hook() -> None:
        for path in procs:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
        for which, value in limits:
            resource.setrlimit(which, value)

    return hook


JOIN_THEN_EXEC = ('while [ "$1" != -- ]; do printf 0 > "$1" || exit 125; shift; done; '
                  'shift; exec "$@"')
"""/bin/sh: join the cgroups whose `cgroup.procs` files come before `--`, then become the rest."""
PRLIMIT_OPTIONS = {resource.RLIMIT_CORE: "core", resource.RLIMIT_CPU: "cpu",
                   resource.RLIMIT_FSIZE: "fsize", resource.RLIMIT_AS: "as",
                   resource.RLIMIT_NPROC: "nproc"}


def _prlimit_value(value: int) -> str:
    return "unlimited" if value == resource.RLIM_INFINITY else str(value)


def confined_command(command: list[str], group: Cgroup | None,
                     limits: list[tuple[int, tuple[int, int]]]) -> list[str] | None:
    """`command`, run so that it joins `group` and takes `limits` before it starts:
    `/bin/sh` writes to the cgroup's `cgroup.procs`, util-linux's `prlimit` sets the limits,
    each then executes the next. None without prlimit (then `_before_exec` does it).

    Why not a pre-exec hook: Python runs a hook in a full `fork()` of this process — a grading
    process holding torch and matplotlib, whose fork copied ≈ 26 ms of page tables and pages
    per notebook. Without a hook, `subprocess` starts the command with `vfork()` (≈ 0.3 ms)."""
    prlimit = shutil.which("prlimit")
    if prlimit is None or any(which not in PRLIMIT_OPTIONS for which, _ in limits):
        return None
    procs = [os.fsdecode(path) for path in group.procs_files()] if group else []
    options = [f"--{PRLIMIT_OPTIONS[which]}={_prlimit_value(soft)}:{_prlimit_value(hard)}"
               for which, (soft, hard) in limits]
    return ["/bin/sh", "-c", JOIN_THEN_EXEC, "sh", *procs, "--", prlimit, *options, "--",
            *command]


def _start_confined(command: list[str], group: Cgroup | None,
                    limits: list[tuple[int, tuple[int, int]]], **popen: Any) -> subprocess.Popen:
    """`subprocess.Popen(command, **popen)`, in `group` and under `limits` from its start."""
    confined = confined_command(command, group, limits)
    if confined is None:
        return subprocess.Popen(command, preexec_fn=_before_exec(group, limits), **popen)
    return subprocess.Popen(confined, **popen)


def _feed(stream: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(OSError):
        stream.write(data)
    with contextlib.suppress(OSError):
        stream.close()


def _stop(process: subprocess.Popen, group: Cgroup | None, graceful: bool) -> None:
    """Stop the worker and everything it started."""
    if graceful and process.poll() is None:  # no sandbox, no cgroup: let it stop its kernel
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    if group is not None and process.poll() is None:
        # Everything but the launched process first, so that bwrap reaps its own children
        # (orphans would wait for the machine's init to reap them).
        group.kill(timeout=5, spare=frozenset({process.pid}))
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    if group is not None:
        group.kill()
    process.wait()


def _limit_reached(group: Cgroup | None, policy: SandboxSettings) -> str | None:
    if group is None:
        return None
    if group.processes_exceeded():
        return f"the notebook started more than {policy.max_processes} processes"
    if group.memory_exceeded():
        return f"the notebook used more than {format_size(policy.memory_bytes)} of memory"
    return None


def _watch(process: subprocess.Popen | ForkedNotebook, group: Cgroup | None,
           policy: SandboxSettings, deadline: float) -> str | None:
    while True:
        try:
            process.wait(timeout=POLL_SECONDS)
            return None
        except subprocess.TimeoutExpired:
            pass
        limit = _limit_reached(group, policy)
        if limit:
            return limit
        if time.monotonic() > deadline:
            return f"the whole notebook took longer than {policy.wall_seconds:g} s"


def _tail(handle: IO[bytes], size: int = 4000) -> str:
    handle.seek(0, os.SEEK_END)
    handle.seek(max(0, handle.tell() - size))
    return handle.read().decode("utf-8", errors="replace")


def _read_result(handle: IO[bytes]) -> dict | None:
    handle.seek(0)
    try:
        result = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return result if isinstance(result, dict) else None


def _finish(group: Cgroup | None, policy: SandboxSettings, limit: str | None, process: Any,
            result: IO[bytes], log: IO[bytes], started: float) -> SandboxRun:
    """After the run is stopped: what happened — the limit reached (as watched, or as the
    cgroup tells afterwards), the result, the memory peak — and the cgroup removed."""
    limit = limit or _limit_reached(group, policy)
    peak = group.memory_peak() if group else None
    left_behind = group is not None and not group.remove()
    return SandboxRun(_read_result(result), limit, process.returncode, _tail(log),
                      time.monotonic() - started, peak, left_behind, started, time.monotonic())


def _read_ready(fd: int, deadline: float, size: int = 1) -> bytes:
    """Up to `size` bytes from `fd` once some arrive (b"" at end of file or at the deadline)."""
    ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
    return os.read(fd, size) if ready else b""


def _sandbox_pid(ready_fd: int, info_fd: int, deadline: float) -> int:
    """The host pid of the sandbox's pid 1, once the sandbox is fully built: bwrap reports
    the pid on its info descriptor, and the placeholder says "R" when it runs — after every
    mount is in place."""
    if _read_ready(ready_fd, deadline) != b"R":
        raise RuntimeError("the sandbox did not start")
    data = b""
    while chunk := _read_ready(info_fd, deadline, 4096):
        data += chunk
        with contextlib.suppress(ValueError):
            return int(json.loads(data)["child-pid"])
    raise RuntimeError("bwrap did not report the sandbox's pid")


def _abandon(process: Any, group: Cgroup | None) -> None:
    """The grader is being interrupted (Ctrl-C, SIGTERM) while a notebook runs: stop the
    notebook's processes and remove its cgroup at once, then let the interruption go on."""
    with contextlib.suppress(Exception):
        _stop(process, group, graceful=False)
    if group is not None:
        with contextlib.suppress(Exception):
            group.remove()


def _run_forked(zygote: Zygote, env: dict[str, str], task: dict[str, Any], files: Path,
                course_root: Path, policy: SandboxSettings) -> SandboxRun:
    """`run_worker` with worker and kernel forked from the template (`Zygote`) into a sandbox
    built by bwrap around a placeholder pid 1: same namespaces, mounts, cgroup, limits, user."""
    started = time.monotonic()
    group = Cgroup.create(policy.memory_bytes, policy.max_processes)
    limits = _rlimits(policy, group)
    task = {**task, "input_dir": INPUT_DIR, "workdir": WORK_DIR, "isolated": True,
            "result_fd": -1}
    ready_read, ready_write = os.pipe()
    info_read, info_write = os.pipe()
    command = bwrap_command([sys.executable, "-I", "-S", "-c", HOLDER, str(ready_write)],
                            course_root, files, env, policy.memory_bytes,
                            options=("--as-pid-1", "--info-fd", str(info_write)))
    with tempfile.TemporaryFile() as result, tempfile.TemporaryFile() as log, \
            tempfile.TemporaryFile() as task_file:
        task_file.write(json.dumps(task).encode("utf-8"))
        task_file.flush()
        task_file.seek(0)
        try:
            holder = _start_confined(
                command, group, limits, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(ready_write, info_write), cwd="/", start_new_session=True, env=env)
        except BaseException:
            for fd in (ready_read, info_read):
                os.close(fd)
            if group is not None:
                group.remove()
            raise
        finally:
            os.close(ready_write)
            os.close(info_write)
        notebook = None
        try:
            sandbox_pid = _sandbox_pid(ready_read, info_read, time.monotonic() + 60)
            procs = [os.fsdecode(path) for path in group.procs_files()] if group else []
            notebook = zygote.launch(sandbox_pid, procs,
                                     [[which, *values] for which, values in limits], env,
                                     [task_file.fileno(), result.fileno(), log.fileno()],
                                     run_as=sandbox_identity(policy), home=HOME_DIR)
            limit = _watch(notebook, group, policy, started + policy.wall_seconds)
        except (OSError, RuntimeError) as error:
            log.write(f"\nthe sandbox could not be entered: {error}\n".encode())
            limit = None
        except BaseException:
            _abandon(holder, group)
            os.close(ready_read)
            raise
        finally:
            os.close(info_read)
        _stop(holder, group, graceful=False)
        os.close(ready_read)  # the holder's lifeline (`HOLDER`): held until the sandbox is gone
        return _finish(group, policy, limit, notebook if notebook is not None else holder,
                       result, log, started)


def run_worker(task: dict[str, Any], files: Path, course_root: Path,
               policy: SandboxSettings) -> SandboxRun:
    """Run the worker on `task` (see `autograder.sandbox.worker`) with the submission's
    `files`, under `policy`; never leaves a process behind when a cgroup or the sandbox is
    available. With `policy.preforked_kernels`, worker and kernel are forks of this process's
    template (`autograder.sandbox.zygote`) rather than new Pythons, when it can start.

    In the sandbox, worker and kernel run as the sandbox user (`sandbox_identity`), to whom
    the copy of the submission's `files` is handed over first (it is read-only inside)."""
    env = worker_environment(policy)
    run_as = sandbox_identity(policy)
    if run_as is not None:
        hand_over(files, *run_as)
    if policy.enabled and policy.preforked_kernels:
        zygote = Zygote.shared(env)
        if zygote is not None:
            return _run_forked(zygote, env, task, files, course_root, policy)
    started = time.monotonic()
    group = Cgroup.create(policy.memory_bytes, policy.max_processes)
    command = [sys.executable, "-I", "-m", "autograder.sandbox.worker"]
    if policy.enabled:
        task = {**task, "input_dir": INPUT_DIR, "workdir": WORK_DIR, "isolated": True,
                "run_as": run_as, "home": HOME_DIR}
        command = bwrap_command(command, course_root, files, env, policy.memory_bytes,
                                options=PRIVILEGE_DROP_CAPABILITIES if run_as else ())
    unconfined_workdir = (contextlib.nullcontext("") if policy.enabled
                          else tempfile.TemporaryDirectory(prefix="lrlab-work-"))
    with tempfile.TemporaryFile() as result, tempfile.TemporaryFile() as log, \
            unconfined_workdir as scratch:
        if not policy.enabled:
            task = {**task, "input_dir": str(files), "workdir": scratch, "isolated": False}
        payload = json.dumps({**task, "result_fd": result.fileno()}).encode("utf-8")
        try:
            # in the sandbox, bwrap too gets only the clean environment (no grader's secret)
            process = _start_confined(
                command, group, _rlimits(policy, group), stdin=subprocess.PIPE, stdout=log,
                stderr=log, pass_fds=(result.fileno(),), env=env, cwd="/",
                start_new_session=True)
        except BaseException:
            if group is not None:
                group.remove()
            raise
        threading.Thread(target=_feed, args=(process.stdin, payload), daemon=True).start()
        try:
            limit = _watch(process, group, policy, started + policy.wall_seconds)
        except BaseException:
            _abandon(process, group)
            raise
        _stop(process, group, graceful=not policy.enabled and group is None and limit is not None)
        return _finish(group, policy, limit, process, result, log, started)
