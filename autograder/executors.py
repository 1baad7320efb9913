"""Where notebooks execute: in this process, in a local process pool, or on Dask.

The grading pipeline hands every executor the same picklable tasks and the same function, and
consumes outcomes as they finish; executors differ only in where the function runs:

- `workers <= 1` — here, one after another (what `nbgrader autograde` does);
- `workers > 1` — a local `ProcessPoolExecutor` (forkserver: workers do not inherit the parent's
  gradebook connections; the fork server imports the grading libraries once, see
  `autograder.preload`);
- Dask distributed — `LocalCluster(n_workers=workers)` with `use_dask=True`, or an existing cluster
  with `scheduler="tcp://host:port"`. Dask re-runs the task of a worker that dies; executing a
  notebook twice is harmless because the gradebook is written only by the caller, once per
  student, after its outcome arrives. Each worker imports the grading libraries once when the
  client connects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from typing import TypeVar

from autograder.preload import grading_modules, warm_up

__all__ = ["run_tasks"]

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")


def _serial(function: Callable[[Task], Outcome], tasks: Sequence[Task]) -> Iterator[Outcome]:
    for task in tasks:
        yield function(task)


def _forkserver() -> BaseContext:
    """The forkserver context, its server importing the grading libraries once (this takes
    effect when the server starts: the first pool of this process)."""
    context = get_context("forkserver")
    context.set_forkserver_preload(grading_modules())
    return context


def _process_pool(
    function: Callable[[Task], Outcome], tasks: Sequence[Task], workers: int
) -> Iterator[Outcome]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver()) as pool:
        futures = [pool.submit(function, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()


def _dask(
    function: Callable[[Task], Outcome],
    tasks: Sequence[Task],
    workers: int,
    scheduler: str | None,
) -> Iterator[Outcome]:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        # one single-threaded worker process per notebook slot: kernels are processes anyway
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
    client = Client(scheduler or cluster)
    try:
        client.run(warm_up)
        futures = [client.submit(function, task, pure=False, retries=2) for task in tasks]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_tasks(
    function: Callable[[Task], Outcome],
    tasks: Iterable[Task],
    workers: int = 1,
    use_dask: bool = False,
    scheduler: str | None = None,
) -> Iterator[Outcome]:
    """Run `function` on every task; yield outcomes in completion order."""
    chosen = list(tasks)
    if not chosen:
        return iter(())
    if use_dask or scheduler:
        return _dask(function, chosen, workers, scheduler)
    if workers <= 1 or len(chosen) == 1:
        return _serial(function, chosen)
    return _process_pool(function, chosen, workers)
