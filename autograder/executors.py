"""Where notebooks execute: in this process, in a local process pool, or on Dask.

The grading pipeline hands every executor the same picklable tasks and the same function, one
task at a time as each submission is prepared, and collects outcomes as they finish; executors
differ only in where the function runs:

- `workers <= 1` — here, one after another (what `nbgrader autograde` does);
- `workers > 1` — a local `ProcessPoolExecutor` (forkserver: workers do not inherit the parent's
  gradebook connections; the fork server imports the grading libraries once, and each worker
  freezes them out of the garbage collector's sight, see `autograder.preload`);
- Dask distributed — `LocalCluster(n_workers=workers)` with `use_dask=True`, or an existing cluster
  with `scheduler="tls://host:port"` and the certificates in `tls_dir`
  (`autograder.dask_tls`). Dask re-runs the task of a worker that dies; executing a notebook
  twice is harmless because the gradebook is written only by the caller, once per student,
  after its outcome arrives. Each worker imports the grading libraries once when the client
  connects.

On Dask, every connection is TLS with certificates of the cluster's own authority — our
`LocalCluster` on 127.0.0.1 included, with certificates made in memory for the one command —
so no other process can submit work to the workers. What a worker sends back is read as msgpack
only (`Client(deserializers=["msgpack"])`): `function` must return plain data (strings,
numbers, bytes, lists, dicts), and a worker that returns anything else — an object that would
be unpickled, running code in the grading process — gets an error instead. `decode(task,
result)` turns that data into the outcome `collect` returns, knowing which task it answers.

One `Executor` serves a whole grading command: its workers (and each worker's kernel template,
`autograder.sandbox.zygote`) start once, not once per assignment, and a worker that finishes the
last notebook of one assignment goes straight on to the next assignment's first.

Nothing outlives the grading command. Leaving the `with` block because of an exception or an
interruption (Ctrl-C, SIGTERM: `autograder.cli.main`) kills the workers at once instead of
waiting for their notebooks (`Executor.abort`). A grading process that is killed outright
(SIGKILL) runs no code at all, so every process it started watches it instead: a local worker
kills its fork server and itself as soon as the grading process is gone (`_exit_with_grader`;
the fork server would stay up while any worker does), and Dask's worker processes exit with the
process that started them (distributed's own parent watch). Each worker's kernel template,
sandboxes and kernels then die with it (parent-death signals and `bwrap --die-with-parent`, see
`autograder/sandbox/zygote.py`); multiprocessing's resource tracker exits once none of its
clients is left.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Generic, TypeVar

from autograder.preload import freeze_imports, grading_modules, warm_up

__all__ = ["Executor"]

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")


def _forkserver() -> BaseContext:
    """The forkserver context, its server importing the grading libraries once (this takes
    effect when the server starts: the first pool of this process)."""
    context = get_context("forkserver")
    context.set_forkserver_preload(grading_modules())
    return context


ABORT_SECONDS = 5.0
"""How long stopping a Dask cluster may take before its worker processes are killed."""
RESULT_DESERIALIZERS = ["msgpack"]
"""How the grading process reads what a Dask worker sends back: plain data, never a pickle."""


def _fork_server_of_this_worker() -> int | None:
    """A descriptor (pidfd) of the fork server this pool worker was forked from, or None."""
    parent = os.getppid()
    try:
        with open(f"/proc/{parent}/cmdline", "rb") as handle:
            if b"multiprocessing.forkserver" not in handle.read():
                return None
        server = os.pidfd_open(parent)
    except (OSError, AttributeError):
        return None
    if os.getppid() != parent:  # it died before we held it: the pid may be someone else's now
        os.close(server)
        return None
    return server


def _exit_with_grader() -> None:
    """Kill this pool worker — and its fork server — as soon as the grading process is gone,
    however that ended.

    A forkserver worker's `parent_process()` is the grading process (its real parent is the
    fork server), and its sentinel is the end of a pipe only the grading process writes to: it
    becomes readable — end of file — when that process exits or is killed. The fork server
    would otherwise stay up as long as any worker does, and then spend seconds tearing down the
    libraries it imported (torch, matplotlib) before it exits."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel, server = parent.sentinel, _fork_server_of_this_worker()

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        if server is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(server, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="exit-with-grader", daemon=True).start()


def _start_local_worker() -> None:
    """Every local pool worker, once: Ctrl-C in a terminal reaches the whole process group,
    but only the grading command decides what it means (it stops the workers); exit with the
    grading process; keep the imported grading libraries out of the garbage collector's walks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_grader()
    freeze_imports()


def _start_dask_worker() -> int:
    """Every Dask worker of our LocalCluster, once (`Client.run`): Ctrl-C is the grading
    command's to handle, as for a local worker; then import the grading libraries."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return warm_up()


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kill a process pool's workers and this process's fork server now, then release the pool.

    Private parts of multiprocessing, fenced here: the workers are the pool's `_processes`
    (Python 3.14 has `ProcessPoolExecutor.kill_workers`), the fork server is
    `multiprocessing.forkserver._forkserver` (its `_stop` reaps it and lets a later pool start
    a new one). Left alone, the fork server would exit only after the grading process, and
    then spend seconds tearing down the libraries it imported."""
    kill_workers = getattr(pool, "kill_workers", None)
    if kill_workers is not None:
        kill_workers()
    else:
        for pid in list(getattr(pool, "_processes", None) or {}):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    pool.shutdown(wait=True, cancel_futures=True)
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if server is not None and pid is not None and hasattr(server, "_stop"):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            server._stop()


def _kill_dask_workers(cluster: Any) -> None:
    """Kill the worker processes of our LocalCluster now (closing it would give each one 4 s
    to finish the notebook it is executing). Each nanny is told first that its worker is going
    away on purpose (`Nanny.close_gracefully`), so that it does not start a new one."""
    for nanny in list(getattr(cluster, "workers", {}).values()):
        with contextlib.suppress(Exception):
            nanny.close_gracefully(reason="lrlab-interrupted")
        pid = getattr(nanny, "pid", None)
        if isinstance(pid, int):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _quiet_distributed() -> None:
    """Silence Dask's own log for the rest of the process once we abort on purpose.

    `LocalCluster` keeps distributed's log at WARNING only until it closes; the comms we have
    just cut then report, at INFO and with a traceback ("Batched Comm Closed …
    CommClosedError"), from the event-loop thread after the cluster has gone. An abort ends
    the command (Ctrl-C, SIGTERM or an error raised in its own words), so nothing distributed
    says about the teardown is news to the instructor."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)


class Executor(Generic[Task, Outcome]):
    """Runs `function(task)` for each submitted task; `collect` returns the outcomes that have
    finished, in completion order — `decode(task, function(task))` when `decode` is given.

        with Executor(execute, workers=2) as executor:
            executor.submit(task)
            for outcome in executor.collect(block=False): ...
            while executor.pending: for outcome in executor.collect(block=True): ...

    Workers start at the first `submit` and stop when the `with` block ends: after the pending
    notebooks when it ends normally, at once (`abort`) when an exception or an interruption
    ends it. An exception raised by `function` (or a worker lost beyond Dask's retries) is
    raised by `collect`."""

    def __init__(self, function: Callable[[Task], Any], workers: int = 1,
                 use_dask: bool = False, scheduler: str | None = None,
                 tls_dir: Path | None = None,
                 decode: Callable[[Task, Any], Outcome] | None = None) -> None:
        self.function, self.workers = function, workers
        self.distributed = bool(use_dask or scheduler)
        self.scheduler, self.tls_dir = scheduler, tls_dir
        self.decode: Callable[[Task, Any], Any] = decode or (lambda _task, result: result)
        self._done: list[Outcome] = []  # serial: finished at submit
        self._futures: dict[Any, Task] = {}  # future → the task it runs
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._completed: Any = None  # Dask's as_completed, fed as tasks are submitted

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self) -> Executor[Task, Outcome]:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def abort(self) -> None:
        """Stop now: kill the workers — their kernel templates, sandboxes and kernels die with
        them — and forget what is pending."""
        self._futures.clear()
        self._done.clear()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            _kill_pool(pool)
        if self._client is not None or self._cluster is not None:
            _quiet_distributed()
        if self._cluster is not None:
            _kill_dask_workers(self._cluster)
        if self._client is not None:
            client, self._client = self._client, None
            with contextlib.suppress(Exception):
                client.close(timeout=ABORT_SECONDS)
        if self._cluster is not None:
            cluster, self._cluster = self._cluster, None
            with contextlib.suppress(Exception):
                cluster.close(timeout=ABORT_SECONDS)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _start(self) -> None:
        if self.distributed:
            from distributed import Client, LocalCluster, as_completed

            from autograder.dask_tls import client_security, local_security

            security = client_security(self.tls_dir) if self.tls_dir is not None else None
            if self.scheduler is None:
                # one single-threaded worker process per notebook slot: kernels are processes
                security = local_security()
                self._cluster = LocalCluster(
                    n_workers=max(self.workers, 1), threads_per_worker=1, processes=True,
                    dashboard_address=None, host="127.0.0.1", protocol="tls://",
                    security=security)
            try:
                self._client = Client(self.scheduler or self._cluster, security=security,
                                      deserializers=RESULT_DESERIALIZERS)
            except OSError as error:  # unreachable, or the TLS handshake failed
                raise RuntimeError(
                    f"could not connect to the Dask scheduler at {self.scheduler} "
                    f"({type(error).__name__}); check that it runs and that --tls-dir holds "
                    "this cluster's certificates") from None
            self._client.run(_start_dask_worker if self._cluster is not None else warm_up)
            self._completed = as_completed()
        elif self.workers > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_forkserver(),
                                             initializer=_start_local_worker)

    # -- work -----------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Tasks submitted whose outcome has not been collected yet."""
        return len(self._done) + len(self._futures)

    def submit(self, task: Task) -> None:
        if self._pool is None and self._client is None and (self.distributed or self.workers > 1):
            self._start()
        if self._client is not None:
            future = self._client.submit(self.function, task, pure=False, retries=2)
            self._futures[future] = task
            self._completed.add(future)
        elif self._pool is not None:
            self._futures[self._pool.submit(self.function, task)] = task
        else:
            self._done.append(self.decode(task, self.function(task)))

    def collect(self, block: bool) -> list[Outcome]:
        """The outcomes finished since the last call; with `block`, waits for at least one
        if any task is pending."""
        if self._done:
            done, self._done = self._done, []
            return done
        if not self._futures:
            return []
        if self._client is not None:
            if not block and not self._completed.has_ready():
                return []
            finished = self._completed.next_batch(block=True)
        else:
            finished, _ = wait(self._futures, timeout=None if block else 0,
                               return_when=FIRST_COMPLETED)
        return [self.decode(self._futures.pop(future), future.result()) for future in finished]

