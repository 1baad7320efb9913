"""The template process every notebook's worker and kernel are forked from.

Why: a worker started with `python -m autograder.sandbox.worker` and a kernel started with
`python -m ipykernel_launcher` import, for every notebook, nbgrader, jupyter_client, IPython,
numpy, torch, matplotlib and `torch._dynamo` again — ≈ 5 s of CPU per notebook, more than
many notebooks' own compute. This process imports them once; each notebook then gets a fork.

How a notebook runs (`Zygote.launch`, called by `autograder.sandbox.notebook_runner`):

1. the runner starts the notebook's sandbox as today — bubblewrap with its own mount, pid,
   network, IPC, UTS and cgroup namespaces, the course hidden, the system read-only, a private
   /tmp with the submission's files — but with a placeholder as its pid 1 (`HOLDER`: it reaps
   orphans and, being pid 1, cannot be signalled from inside);
2. it sends this process the placeholder's pid, the notebook's cgroup and rlimits, and three
   file descriptors (the task, the result file, the log); the task is never read here, so no
   student's notebook ever enters this process's memory and hence no later fork;
3. the fork joins the notebook's cgroup, applies the rlimits, enters the sandbox's namespaces
   (`setns`; entering the mount namespace makes the sandbox's root its root) and forks once
   more to become a member of its pid namespace; that process — pid 2 inside — starts a new
   session, takes the sandbox user's ids and drops every capability (bounding, ambient,
   effective, permitted, inheritable; `autograder.sandbox.identity`), sets no-new-privileges,
   closes every descriptor but its own three, takes the sandbox's clean environment and runs
   the worker (`autograder.sandbox.worker.serve`), whose kernel is
   forked from it in turn (`autograder.patches.kernel_fork`).

The runner then watches and stops everything exactly as before: the wall limit, the cgroup's
memory and process limits, and one kill of the whole cgroup at the end. This process runs no
student code and keeps nothing between notebooks but its imports; it dies with the grader.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from autograder.patches.kernel_fork import TEMPLATE_DIRECTORY
from autograder.sandbox.identity import become_sandbox_user, drop_capabilities

__all__ = ["Zygote", "HOLDER", "enter_namespaces", "drop_capabilities"]

PRELOADED = (
    "numpy", "torch", "torch.optim", "torch._dynamo", "matplotlib", "matplotlib.figure",
    "sklearn.datasets", "gymnasium", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel",
    "ipykernel.zmqshell", "nbformat", "jupyter_client.manager", "nbclient", "traitlets.config",
    # what `IPKernelApp.initialize` imports on the way (its debugger, debugpy, the shell's
    # completer, inspector, magics and history): 0.14 → 0.04 s of CPU per kernel
    "ipykernel.debugger", "IPython.core.completerlib", "IPython.core.debugger",
    "IPython.core.oinspect", "IPython.extensions.storemagic", "IPython.utils.wildcard", "pdb",
    "sqlite3", "tornado.platform.asyncio",
    "nbgrader.utils",  # the worker's `setenv` (it imports setuptools: 0.05 s per notebook)
)
"""What a notebook's worker and kernel import (matplotlib's pyplot and inline backend are left
to the kernel: the backend hooks itself into the kernel's shell when it is imported)."""
QUIET_IMPORTS = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}
"""debugpy warns at import that Python's frozen modules may hide breakpoints; nobody debugs a
graded kernel. Set in the template only: each kernel gets the environment it is given."""
NAMESPACES = ("cgroup", "ipc", "uts", "net", "pid", "mnt")
"""Entered in this order: the mount namespace last (it changes the root)."""
MUST_DIFFER = ("ipc", "uts", "net", "pid", "mnt")
HOLDER = (
    "import os, select, signal, sys\n"
    "lifeline = int(sys.argv[1])\n"
    "def reap(*_):\n"
    "    try:\n"
    "        while os.waitpid(-1, os.WNOHANG)[0] > 0:\n"
    "            pass\n"
    "    except ChildProcessError:\n"
    "        pass\n"
    "signal.signal(signal.SIGCHLD, reap)\n"
    "os.write(lifeline, b'R')\n"
    "watch = select.poll()\n"
    "watch.register(lifeline, 0)\n"
    "while not watch.poll():\n"  # a SIGCHLD runs `reap` and the poll goes on (PEP 475)
    "    pass\n"
    "os._exit(0)\n"
)
"""The sandbox's pid 1: says it is ready on its lifeline (the sandbox is fully built once it
runs), reaps orphans for the notebook's processes as they end (on SIGCHLD, every child that
has ended: signals that arrive together are not lost), and exits as soon as the runner
that started it has closed the lifeline's other end — or died. Its exit, as pid 1, kills every
process of the sandbox.

The lifeline is what stops a sandbox whose grader was killed outright (SIGKILL) at any moment:
bwrap's `--die-with-parent` takes effect only once bwrap has run that far, so a grader killed in
the instant between starting bwrap and bwrap's own `prctl` would leave the sandbox running
(`tests/grading/test_clean_stops.py` met that race on a loaded machine). A pipe's write end
reports POLLERR once no reader is left, whoever held it and however it ended."""

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
START_SECONDS = 120.0
"""How long the template may take to import everything before it counts as broken."""

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def enter_namespaces(pid: int) -> None:
    """Join the namespaces of process `pid` (the sandbox's pid 1); refuses when one of them is
    this process's own — that would mean the sandbox was not there."""
    for name in NAMESPACES:
        path = f"/proc/{pid}/ns/{name}"
        if not os.path.exists(path):
            continue
        if os.readlink(path) == os.readlink(f"/proc/self/ns/{name}"):
            if name in MUST_DIFFER:
                raise RuntimeError(f"the sandbox has no {name} namespace of its own")
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            _check(_libc.setns(fd, 0), f"setns {name}")
        finally:
            os.close(fd)


def _close_all_but(keep: set[int]) -> None:
    last = 2
    for fd in sorted(keep | {65536}):
        if fd > last + 1:
            os.closerange(last + 1, fd)
        last = max(last, fd)


def _become_worker(request: dict[str, Any], task_fd: int, result_fd: int) -> None:
    """Pid 2 of the sandbox: confine this process for good — the sandbox user's ids (when the
    grader is root) and no capability —, then run the worker."""
    clock = {"started": time.monotonic()}
    _close_all_but({task_fd, result_fd})
    os.setsid()
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if request.get("run_as") is None:
        drop_capabilities()
    become_sandbox_user(request.get("run_as"), request.get("home"))
    os.chdir("/tmp")
    os.environ.clear()
    os.environ.update(request["env"])
    with os.fdopen(task_fd, "rb") as task:
        payload = task.read()
    from autograder.patches.gate import enabled
    from autograder.patches.kernel_fork import prefork
    from autograder.sandbox.worker import grading_kernel_manager, serve

    manager = grading_kernel_manager(prefork() if enabled("kernel_fork") else None)
    clock["imported"] = time.monotonic()
    serve(payload, result_fd, clock, manager)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _notebook_process(request: dict[str, Any], fds: list[int]) -> None:
    """The fork for one notebook (outside the sandbox until `enter_namespaces`)."""
    status = 70
    try:
        task_fd, result_fd, log_fd = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        for fd in (devnull, log_fd):
            os.close(fd)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        for path in request["procs"]:  # the notebook's cgroup, before anything else happens
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
        for which, soft, hard in request["rlimits"]:
            resource.setrlimit(which, (soft, hard))
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        enter_namespaces(int(request["sandbox_pid"]))
        child = os.fork()  # the child is in the sandbox's pid namespace
        if child == 0:
            try:
                _become_worker(request, task_fd, result_fd)
                status = 0
            finally:
                os._exit(status)
        os.close(task_fd)
        os.close(result_fd)
        _, child_status = os.waitpid(child, 0)
        status = _exit_code(child_status)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(status)


def _preload() -> int:
    from autograder.patches.gate import WORKER_PATCHES, enabled
    from autograder.preload import (
        OWN_PACKAGES,
        compile_notebook_schemas,
        freeze_imports,
        import_all,
        submodules,
    )
    from autograder.sandbox.iri_grammar import skip_iri_grammar
    from autograder.sandbox.worker import execute_class

    for patch in WORKER_PATCHES:  # decided once here, inherited by every worker's fork
        enabled(patch)
    skip_iri_grammar()
    execute_class()
    os.environ.update(QUIET_IMPORTS)
    names = list(PRELOADED)
    for package in OWN_PACKAGES:
        names += submodules(package)
    imported = import_all([*names, "autograder.sandbox.worker",
                           "autograder.patches.kernel_fork", "autograder.patches.kernel_client",
                           "autograder.patches.kernel_wait"])
    compile_notebook_schemas()  # the worker reads and writes a notebook
    freeze_imports()  # every worker's and kernel's collections skip (and do not copy) these
    return imported


def _matplotlib_dir() -> Path:
    """matplotlib's configuration and font cache for the templates: private to the grader and
    kept between runs (the kernels inside the sandbox never write there)."""
    folder = Path.home() / ".cache" / "lrlab" / "matplotlib"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _send(channel: socket.socket, message: dict[str, Any]) -> None:
    channel.send(json.dumps(message).encode("utf-8"))


def main() -> int:
    """Serve fork requests on the socket given as the first argument, one at a time."""
    channel = socket.socket(fileno=int(sys.argv[1]))
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _send(channel, {"ready": _preload()})
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(channel, 1 << 20, 4)
        except OSError:
            return 0
        if not data:
            return 0
        request = json.loads(data.decode("utf-8"))
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            _send(channel, {"id": request.get("id"), "exit": 70, "error": "bad request"})
            continue
        child = os.fork()
        if child == 0:
            channel.close()
            _notebook_process(request, fds)
        for fd in fds:
            os.close(fd)
        _send(channel, {"id": request["id"], "child": child})
        _, status = os.waitpid(child, 0)
        _send(channel, {"id": request["id"], "exit": _exit_code(status)})


class Zygote:
    """The grader's handle on one template process (one per grading process, reused)."""

    _shared: dict[tuple, Zygote] = {}

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**env, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
               "MPLCONFIGDIR": str(_matplotlib_dir())}
        self.process = subprocess.Popen(
            # started like the kernels it stands for (`python -m`), but without the user's
            # site-packages: the environment is the sandbox's, its HOME a path on the host
            [sys.executable, "-s", "-m", "autograder.sandbox.zygote", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), env=env, cwd=TEMPLATE_DIRECTORY, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=lambda: _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0),
        )
        theirs.close()
        self.channel = ours
        self.next_id = 0
        self.channel.settimeout(START_SECONDS)
        try:
            ready = json.loads(self.channel.recv(1 << 16) or b"{}")
        except (OSError, ValueError):
            ready = {}
        self.channel.settimeout(None)
        if "ready" not in ready:
            self.close()
            raise RuntimeError("the kernel template did not start")

    @classmethod
    def shared(cls, env: dict[str, str]) -> Zygote | None:
        """This process's template for `env`, started on first use (None if it cannot start:
        the caller then starts worker and kernel the ordinary way)."""
        key = tuple(sorted(env.items()))
        zygote = cls._shared.get(key)
        if zygote is not None and zygote.process.poll() is None:
            return zygote
        try:
            zygote = cls(env)
        except (OSError, RuntimeError):
            return None
        cls._shared[key] = zygote
        return zygote

    def launch(self, sandbox_pid: int, procs: list[str], rlimits: list, env: dict[str, str],
               fds: list[int], run_as: list[int] | None = None,
               home: str | None = None) -> ForkedNotebook:
        """Fork a worker into the sandbox whose pid 1 is `sandbox_pid`: in the cgroups whose
        `procs` files are given, under `rlimits`, with `env`, as `run_as` (uid, gid; None: the
        grader's user, without capabilities), with its home folder `home` created; `fds` are
        the task, the result and the log."""
        self.next_id += 1
        request = {"id": self.next_id, "sandbox_pid": sandbox_pid, "procs": procs,
                   "rlimits": rlimits, "env": env, "run_as": run_as, "home": home}
        socket.send_fds(self.channel, [json.dumps(request).encode("utf-8")], fds)
        return ForkedNotebook(self, self.next_id)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class ForkedNotebook:
    """The `Popen` interface the runner watches, for one notebook forked from the template."""

    def __init__(self, zygote: Zygote, request_id: int) -> None:
        self.zygote = zygote
        self.request_id = request_id
        self.returncode: int | None = None
        self.pid: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            self.zygote.channel.settimeout(remaining)
            try:
                data = self.zygote.channel.recv(1 << 16)
            except TimeoutError:
                raise subprocess.TimeoutExpired("notebook", timeout or 0) from None
            finally:
                self.zygote.channel.settimeout(None)
            if not data:  # the template died: the notebook cannot have finished properly
                self.returncode = 71
                break
            message = json.loads(data.decode("utf-8"))
            if message.get("id") != self.request_id:
                continue  # news of an earlier notebook, stopped before it was read
            if "child" in message:
                self.pid = message["child"]
            if "exit" in message:
                self.returncode = int(message["exit"])
        return self.returncode

    def poll(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.wait(0)
        return None


if __name__ == "__main__":
    sys.exit(main())
