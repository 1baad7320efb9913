"""Starting the notebook's kernel by forking the worker instead of executing a new Python.

A kernel started the ordinary way (`python -m ipykernel_launcher -f <connection file>`) spends
its first seconds importing IPython, then the notebook's first cell imports numpy, torch and
matplotlib, and the first `torch.optim` step imports `torch._dynamo` — ≈ 4 s of CPU per
notebook that is not the student's. When the worker is itself a fork of the template process
(`autograder.sandbox.zygote`), those modules are already imported in it, so the kernel is a
fork of the worker:

1. `prefork()` forks the kernel process at the worker's very start, before any event loop,
   thread or ZMQ socket exists; the child waits on a pipe;
2. when nbgrader's `Execute` asks jupyter_client to launch `python -m ipykernel_launcher …`,
   `ForkingKernelManager` sends the child that command line, the environment and the working
   directory instead; the child becomes exactly what `ipykernel_launcher` would have run
   (`ipykernel.kernelapp.launch_new_instance`, its own session, the given environment);
3. the kernel manager then watches, signals and kills the child as it would a `Popen`.

Each kernel still serves exactly one notebook: the forked child is new for every notebook,
and the process it is forked from has never run student code. Any other kernel command (a
kernelspec that is not this Python's ipykernel) is launched the ordinary way.

`ForkingKernelManager` overrides jupyter_client's private `_async_launch_kernel`, sets the
local provisioner's `process`, `pid`, `pgid` and `cwd`, and calls `_reconcile_connection_info`;
the child starts ipykernel's `IPKernelApp` as `ipykernel_launcher` does. A speed patch
(`PATCH`): outside its tested versions no kernel is pre-forked and every kernel is launched
the ordinary way.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "ForkedKernel", "PendingKernel", "ForkingKernelManager", "prefork"]

PATCH = Patch(
    name="kernel_fork",
    title="the forked kernel launch",
    patches="the kernel launch by fork (jupyter_client's KernelManager._async_launch_kernel, "
            "the local provisioner's process, pid and pgid, ipykernel's IPKernelApp start-up)",
    why="a kernel launched as a new Python spends about 4 s of CPU importing what the worker "
        "has already imported",
    kind=SPEED,
    tested=(TestedRange("jupyter_client", "8.10.0", "8.11"),
            TestedRange("ipykernel", "7.4.0", "7.5")),
)

KERNEL_MODULE = "ipykernel_launcher"
TEMPLATE_DIRECTORY = "/"
"""The template's working directory (`python -m` puts it first on its path)."""
SHELL_INTEGRATIONS = ("lrchecks.report:install_short_errors",)
"""Import-time set-up that needs the kernel's shell, done by modules the template imported
before any shell existed: run again once the kernel's shell exists."""


class ForkedKernel:
    """The `Popen` interface jupyter_client's local provisioner uses, for a forked child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(KERNEL_MODULE, timeout or 0)
            time.sleep(0.005)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(9)

    def terminate(self) -> None:
        self.send_signal(15)


class PendingKernel:
    """A forked child waiting for its kernel command line (see `prefork`)."""

    def __init__(self, pid: int, channel: int) -> None:
        self.pid = pid
        self.channel = channel

    def start(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        payload = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode("utf-8")
        try:
            os.write(self.channel, payload)  # small: the pipe buffer holds it whole
        finally:
            os.close(self.channel)
        return ForkedKernel(self.pid)

    def cancel(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.channel)  # the child reads an empty message and exits
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _integrate_with_shell() -> None:
    for target in SHELL_INTEGRATIONS:
        module_name, function = target.split(":")
        module = sys.modules.get(module_name)
        if module is not None:
            getattr(module, function)()


def _become_kernel(channel: int) -> None:
    """In the forked child: wait for the command line, then run ipykernel as its launcher
    would. Never returns."""
    status = 1
    try:
        message = _read_all(channel)
        os.close(channel)
        if not message:
            status = 0
            return
        spec = json.loads(message.decode("utf-8"))
        os.closerange(3, 65536)  # nothing of the worker's: result channel, task, sockets
        os.setsid()  # its own session, as jupyter_client gives a launched kernel
        os.chdir(spec["cwd"])
        os.environ.clear()
        os.environ.update(spec["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits with the worker
        numpy = sys.modules.get("numpy")
        if numpy is not None:  # a fresh process draws a fresh global seed
            numpy.random.seed()
        # ipykernel_launcher removes the directory `python -m` put first on the path (here:
        # the template's); IPython then adds the working directory after the standard library
        if sys.path and sys.path[0] in ("", TEMPLATE_DIRECTORY):
            del sys.path[0]
        sys.argv = [KERNEL_MODULE, *spec["argv"]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()  # what ipykernel_launcher's launch_new_instance does
        app.initialize()
        _integrate_with_shell()
        app.start()
        status = 0
    except BaseException:  # reported on the worker's log; the kernel manager sees it die
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def prefork() -> PendingKernel:
    """Fork the future kernel now, while this process has no threads, loops or sockets."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write_end)
        _become_kernel(read_end)
    os.close(read_end)
    return PendingKernel(pid, write_end)


def _is_this_ipykernel(command: list[str]) -> bool:
    return (len(command) >= 3 and command[1:3] == ["-m", KERNEL_MODULE]
            and Path(command[0]).resolve() == Path(sys.executable).resolve())


class ForkingKernelManager(AsyncKernelManager):
    """Launches this Python's ipykernel as the pre-forked child (`pending`), anything else the
    ordinary way (combined with the worker's manager by
    `autograder.sandbox.worker.grading_kernel_manager`)."""

    pending: PendingKernel | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        pending, type(self).pending = type(self).pending, None
        if pending is None or not _is_this_ipykernel(kernel_cmd) or self.provisioner is None:
            if pending is not None:
                pending.cancel()
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        env = dict(kw.get("env") or os.environ)
        cwd = str(kw.get("cwd") or os.getcwd())
        process = pending.start(kernel_cmd[3:], env, cwd)
        provisioner: Any = self.provisioner
        provisioner.process = process
        provisioner.pid = provisioner.pgid = process.pid  # the child calls setsid()
        provisioner.cwd = cwd
        self._reconcile_connection_info(provisioner.connection_info)
