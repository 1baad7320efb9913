"""The grading benchmark's memory measurement (`benchmarks/tree_memory.py`): every process of
the tree told apart by what it is, its memory read from `/proc/<pid>/smaps_rollup`."""

from __future__ import annotations

import operator
import os
import sys
from pathlib import Path

import psutil

from autograder.executors import Executor

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from tree_memory import PeakMemory, process_kind, read_memory  # noqa: E402


def pool_worker_pid(executor: Executor) -> int:
    """A pid of one of the grading pool's workers (the pool, and its fork server, start here:
    multiprocessing has one fork server per process, started with the grading preload)."""
    executor.submit(os.getpid)
    pids: list[int] = []
    while executor.pending:
        pids += executor.collect(block=True)
    return pids[0]


def test_the_fork_server_and_the_pool_workers_it_forks_are_told_apart():
    """A pool worker keeps its fork server's command line: only the parent tells them apart
    (counting the workers as "fork server" hid what the workers themselves hold)."""
    me = os.getpid()
    with Executor(operator.call, workers=2) as executor:
        worker = psutil.Process(pool_worker_pid(executor))
        server = worker.parent()
        assert server is not None and server.pid != me
        assert process_kind(worker, me) == "pool worker"
        assert process_kind(server, me) == "fork server"
    assert process_kind(psutil.Process(), me) == "main"


def test_a_process_memory_splits_its_pss_into_heap_and_files():
    memory = read_memory(os.getpid(), "main")
    assert 0 < memory.pss <= memory.rss
    assert memory.pss_anon > 0 and memory.pss_file > 0
    assert abs(memory.pss_anon + memory.pss_file - memory.pss) <= 64 * 1024  # + shmem, rounding
    assert 0 < memory.private <= memory.rss


def test_the_peak_keeps_every_process_of_the_tree_at_that_moment():
    with Executor(operator.call, workers=2) as executor:
        pool_worker_pid(executor)
        memory = PeakMemory()
        memory.sample()
    kinds = memory.peak_kinds
    assert {"main", "fork server", "pool worker"} <= set(kinds)
    assert memory.peak == sum(kinds.values()) == sum(p.pss for p in memory.peak_processes)
    assert memory.peak_rss >= memory.peak
