"""Where notebooks execute: in this process, in a local process pool, or on Dask.

The grading pipeline hands every executor the same picklable tasks and the same function, one
task at a time as each submission is prepared, and collects outcomes as they finish; executors
differ only in where the function runs:

- `workers <= 1` — here, one after another (what `nbgrader autograde` does);
- `workers > 1` — a local `ProcessPoolExecutor` (forkserver: workers do not inherit the parent's
  gradebook connections; the fork server imports the grading libraries once, and each worker
  freezes them out of the garbage collector's sight, see `autograder.preload`);
- Dask distributed — `LocalCluster(n_workers=workers)` with `use_dask=True`, or an existing cluster
  with `scheduler="tcp://host:port"`. Dask re-runs the task of a worker that dies; executing a
  notebook twice is harmless because the gradebook is written only by the caller, once per
  student, after its outcome arrives. Each worker imports the grading libraries once when the
  client connects.

One `Executor` serves a whole grading command: its workers (and each worker's kernel template,
`autograder.sandbox.zygote`) start once, not once per assignment, and a worker that finishes the
last notebook of one assignment goes straight on to the next assignment's first.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from multiprocessing.context import BaseContext
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


class Executor(Generic[Task, Outcome]):
    """Runs `function(task)` for each submitted task; `collect` returns the outcomes that have
    finished, in completion order.

        with Executor(execute, workers=2) as executor:
            executor.submit(task)
            for outcome in executor.collect(block=False): ...
            while executor.pending: for outcome in executor.collect(block=True): ...

    Workers start at the first `submit` and stop when the `with` block ends. An exception
    raised by `function` (or a worker lost beyond Dask's retries) is raised by `collect`."""

    def __init__(self, function: Callable[[Task], Outcome], workers: int = 1,
                 use_dask: bool = False, scheduler: str | None = None) -> None:
        self.function, self.workers = function, workers
        self.distributed = bool(use_dask or scheduler)
        self.scheduler = scheduler
        self._done: list[Outcome] = []  # serial: finished at submit
        self._futures: set[Any] = set()
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._completed: Any = None  # Dask's as_completed, fed as tasks are submitted

    # -- lifetime -------------------------------------------------------------------------
    def __enter__(self) -> Executor[Task, Outcome]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

            if self.scheduler is None:
                # one single-threaded worker process per notebook slot: kernels are processes
                self._cluster = LocalCluster(
                    n_workers=max(self.workers, 1), threads_per_worker=1, processes=True,
                    dashboard_address=None, host="127.0.0.1")
            self._client = Client(self.scheduler or self._cluster)
            self._client.run(warm_up)
            self._completed = as_completed()
        elif self.workers > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_forkserver(),
                                             initializer=freeze_imports)

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
            self._futures.add(future)
            self._completed.add(future)
        elif self._pool is not None:
            self._futures.add(self._pool.submit(self.function, task))
        else:
            self._done.append(self.function(task))

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
        self._futures.difference_update(finished)
        return [future.result() for future in finished]

