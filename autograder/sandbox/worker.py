"""`python -m autograder.sandbox.worker`: execute one notebook — the process inside the sandbox.

It reads its task as JSON on stdin (the notebook, nbgrader's `Execute` configuration, where
the submission's files are), copies the files into a fresh working directory, runs nbgrader's
`Execute` there — the kernel is its child, in the same namespaces — and writes one JSON result
to the file descriptor it was given: the executed notebook, or what went wrong in terms the
parent turns into plain words. Before writing, it stops every other process of the sandbox, so
nothing the notebook started can touch the result. It never writes outside its sandbox.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

from autograder.patches.gate import enabled
from autograder.sandbox.identity import become_sandbox_user
from autograder.sandbox.iri_grammar import skip_iri_grammar
from autograder.sandbox.kernel_environment import HIDDEN_CASES_VARIABLE

__all__ = ["main", "WatchedKernelManager", "grading_kernel_manager", "truncate_outputs",
           "execute_class"]

PR_SET_DUMPABLE = 4
KILLED_POLL = 0.005
"""Seconds between checks that the sandbox's other processes have exited."""
TIMEOUT_ENAME = "CellTimeoutError"


class WatchedKernelManager(AsyncKernelManager):
    """A kernel manager that remembers how the kernel process ended (its exit status)."""

    exit_statuses: list[int] = []

    # jupyter_client types AsyncKernelManager.is_alive as KernelManager's synchronous one
    async def is_alive(self) -> bool:  # type: ignore[override]
        if self.has_kernel and self.provisioner is not None:
            status = await self.provisioner.poll()
            if status is not None and not type(self).exit_statuses:
                type(self).exit_statuses.append(status)
        return await super().is_alive()


def _not_dumpable() -> None:
    """Keep the notebook's processes (same uid, no capabilities) out of this one's memory and
    file descriptors (/proc/<pid>/fd, ptrace)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _kill_everything_else() -> None:
    """SIGKILL every other process of this pid namespace (the kernel, anything it started)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)  # all we may signal, except pid 1 and ourselves
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
        alive = []
        for pid in others:
            with contextlib.suppress(OSError):
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    alive.append(pid)
        if not alive:
            return
        time.sleep(KILLED_POLL)


JSON_OUTPUT_FACTOR = 16
"""A JSON output (e.g. a check's evidence) may be this many times `max_chars` long."""


def truncate_outputs(nb: Any, max_chars: int) -> int:
    """Cut every output text longer than `max_chars`, and drop JSON data longer than
    `JSON_OUTPUT_FACTOR × max_chars` (it cannot be cut and stay JSON); returns how many."""
    cut = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            fields = [("text", output)] if "text" in output else []
            fields += [(key, output["data"]) for key in output.get("data", {})
                       if isinstance(output["data"][key], str)]
            for key, holder in fields:
                text = holder[key]
                text = "".join(text) if isinstance(text, list) else text
                if len(text) > max_chars:
                    holder[key] = (text[:max_chars] + f"\n[output cut by the grader: "
                                   f"{len(text):,} characters, more than {max_chars:,}]\n")
                    cut += 1
            data = output.get("data", {})
            for key in [k for k, v in data.items() if not isinstance(v, str | list)]:
                size = len(json.dumps(data[key]))
                if size > JSON_OUTPUT_FACTOR * max_chars:
                    data.pop(key)
                    data["text/plain"] = (f"[output dropped by the grader: {key}, {size:,} "
                                          "characters of JSON]")
                    cut += 1
    return cut


def _cell_number(nb: Any, index: int | None) -> int | None:
    """The cell's position, counted from 1 — how the grader names a cell: never by its
    source or metadata, which the student wrote."""
    return index + 1 if index is not None and 0 <= index < len(nb.cells) else None


def _timed_out_cells(nb: Any) -> list[int]:
    return [i + 1 for i, cell in enumerate(nb.cells)
            if any(o.get("ename") == TIMEOUT_ENAME for o in cell.get("outputs", []))]


def execute_class() -> type:
    """nbgrader's `Execute` preprocessor: imported alone where that patch is enabled
    (`autograder.patches.nbgrader_execute_import`), the ordinary way otherwise."""
    if enabled("nbgrader_execute_import"):
        from autograder.patches.nbgrader_execute_import import nbgrader_execute

        return nbgrader_execute()
    from nbgrader.preprocessors import Execute

    return Execute


def grading_kernel_manager(pending: Any = None) -> type[AsyncKernelManager]:
    """The worker's kernel manager class: `WatchedKernelManager` with each kernel patch of
    `autograder.patches` that is enabled — the sliced-poll client (`kernel_client`), the quick
    reaping (`kernel_wait`) and, given the pre-forked child `pending`, the forked launch
    (`kernel_fork`; the caller forks only where that patch is enabled)."""
    bases: list[type] = []
    namespace: dict[str, Any] = {}
    if pending is not None:
        from autograder.patches.kernel_fork import ForkingKernelManager

        bases.append(ForkingKernelManager)
        namespace["pending"] = pending
    if enabled("kernel_wait"):
        from autograder.patches.kernel_wait import QuickReapKernelManager

        bases.append(QuickReapKernelManager)
    if enabled("kernel_client"):
        from autograder.patches.kernel_client import SlicedPollKernelClient

        namespace["client_class"] = DottedObjectName(
            "autograder.patches.kernel_client.SlicedPollKernelClient")
        namespace["client_factory"] = Type(klass=SlicedPollKernelClient)
    return type("GradingKernelManager", (*bases, WatchedKernelManager), namespace)


def run(task: dict, clock: dict[str, float],
        kernel_manager_class: type[AsyncKernelManager] | None = None) -> dict:
    """Execute the task's notebook; the result for the parent (a failure of the notebook is
    a result; only the worker's own failures raise, and `main` reports those). `clock` gets
    the moments (time.monotonic, one clock for the whole machine) the phases end."""
    import nbformat

    Execute = execute_class()  # noqa: N806 (a class)
    from nbgrader.utils import setenv
    from traitlets.config import Config

    clock["imported"] = time.monotonic()

    nb = nbformat.reads(task["notebook"], as_version=4)
    workdir = Path(task["workdir"])
    shutil.copytree(task["input_dir"], workdir, symlinks=True, dirs_exist_ok=True)
    config = Config(task["config"])
    timeout = task.get("cell_timeout")
    config.Execute.error_on_timeout = {
        "ename": TIMEOUT_ENAME,
        "evalue": f"this cell ran longer than {timeout} s and was stopped by the grader",
        "traceback": [f"{TIMEOUT_ENAME}: this cell ran longer than {timeout} s and was "
                      "stopped by the grader"],
    }
    # the sandbox is torn down right after: no need to wait for the kernel to exit politely
    config.Execute.shutdown_kernel = "immediate"
    manager = kernel_manager_class or grading_kernel_manager()
    executor = Execute(config=config, kernel_manager_class=manager)
    current: dict[str, int] = {}
    executor.on_cell_start = lambda cell, cell_index, **_: current.update(index=cell_index)
    executor.on_notebook_start = lambda **_: clock.update(kernel_ready=time.monotonic())
    record_error = executor.on_cell_executed  # nbgrader's: turns an error reply into an output

    def on_cell_executed(**kwargs: Any) -> None:
        record_error(**kwargs)
        clock["cells_done"] = time.monotonic()

    executor.on_cell_executed = on_cell_executed
    # the student's drawn hidden cases, for the hidden checks the kernel runs (lrchecks.hidden)
    os.environ[HIDDEN_CASES_VARIABLE] = json.dumps(task.get("hidden_cases") or {})
    try:
        with setenv(NBGRADER_EXECUTION="autograde"):
            nb, _ = executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
        clock["kernel_stopped"] = time.monotonic()
    except Exception as error:  # reported to the parent, which decides what it means
        statuses = manager.exit_statuses  # type: ignore[attr-defined]
        text = str(error).strip().splitlines()
        return {"error": {
            "type": type(error).__name__,
            "message": text[-1][:500] if text else "",
            "exit_status": statuses[0] if statuses else None,
            "cell": _cell_number(nb, current.get("index")),
        }}
    outputs_cut = truncate_outputs(nb, task["max_output_chars"])
    return {"notebook": nbformat.writes(nb), "timed_out_cells": _timed_out_cells(nb),
            "outputs_cut": outputs_cut}


def serve(payload: bytes, result_fd: int | None, clock: dict[str, float],
          kernel_manager_class: type[AsyncKernelManager] | None = None) -> None:
    """Execute the task in `payload` and write the result to `result_fd` (the task's
    `result_fd` when None), after stopping every other process of the sandbox."""
    _not_dumpable()
    task = json.loads(payload.decode("utf-8"))
    result_fd = int(task["result_fd"]) if result_fd is None else result_fd
    os.set_inheritable(result_fd, False)  # the kernel must not inherit the result channel
    try:
        result = run(task, clock, kernel_manager_class)
    except Exception as error:
        result = {"error": {"type": type(error).__name__, "message": str(error)[:500]}}
    if task.get("isolated") and os.getpid() == 2:  # pid 1 is the sandbox's init
        _kill_everything_else()
    clock["finished"] = time.monotonic()
    result["clock"] = clock
    with os.fdopen(result_fd, "w", encoding="utf-8") as channel:
        json.dump(result, channel)


def main() -> int:
    """Started by bwrap (as root, with only the capabilities it needs to change user): read the
    task, become the sandbox user, then execute the task."""
    clock = {"started": time.monotonic()}
    skip_iri_grammar()
    payload = sys.stdin.buffer.read()
    task = json.loads(payload.decode("utf-8"))
    become_sandbox_user(task.get("run_as"), task.get("home"))
    serve(payload, None, clock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
