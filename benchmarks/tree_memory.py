"""The memory of a process tree, measured honestly: the sum of its processes' proportional set
sizes (PSS), split by what each process is.

A page shared by n processes counts 1/n in each process's PSS, so the sum over the tree is the
memory the tree really holds — a sum of resident sizes (RSS) counts the pages a kernel template
shares with its forks once per fork. `/proc/<pid>/smaps_rollup` also splits PSS into anonymous
memory (the heap: Python objects, arrays — what a fork shares with its parent until either
writes to a page) and file-backed memory (the mapped libraries, shared by every process that
maps them), and tells the private pages from the shared ones.

    with PeakMemory() as memory:
        work()
    print_memory({"ours": memory}, detail=True)

Used by `bench_grading.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import psutil
from sampling import PeriodicSampler

MIB = 2**20
MEMORY_KINDS = ("main", "fork server", "pool worker", "kernel template",
                "notebook (worker + kernel)", "sandbox (bwrap, pid 1)", "other")
SMAPS_FIELDS = {"Rss": "rss", "Pss": "pss", "Pss_Anon": "pss_anon", "Pss_File": "pss_file",
                "Private_Clean": "private_clean", "Private_Dirty": "private_dirty"}
"""The fields of `/proc/<pid>/smaps_rollup` kept (in kB there, in bytes here)."""


def _command_line(process: psutil.Process | None) -> str:
    return " ".join(process.cmdline()) if process is not None else ""


def process_kind(process: psutil.Process, main_pid: int) -> str:
    """What a process of the grading command is, from its command line and its parent's.

    multiprocessing's fork server runs `from multiprocessing.forkserver import main; …`, and
    the pool workers it forks keep that command line: the fork server is the one whose parent
    is not a fork server. The kernel template is `python -m autograder.sandbox.zygote`; a
    notebook's worker and kernel are forks of it (same command line, a template or a fork as
    parent)."""
    if process.pid == main_pid:
        return "main"
    command = _command_line(process)
    if "multiprocessing.forkserver" in command:
        return ("pool worker" if "multiprocessing.forkserver" in _command_line(process.parent())
                else "fork server")
    if process.name() == "bwrap" or "lifeline" in command:
        return "sandbox (bwrap, pid 1)"
    if "autograder.sandbox.zygote" in command:
        return ("notebook (worker + kernel)"
                if "autograder.sandbox.zygote" in _command_line(process.parent())
                else "kernel template")
    if "autograder.sandbox.worker" in command or "ipykernel" in command:
        return "notebook (worker + kernel)"
    return "other"


@dataclass(frozen=True)
class ProcessMemory:
    """One process's memory at one moment, in bytes (`SMAPS_FIELDS`)."""

    pid: int
    kind: str
    rss: int = 0
    pss: int = 0
    pss_anon: int = 0
    pss_file: int = 0
    private_clean: int = 0
    private_dirty: int = 0

    @property
    def private(self) -> int:
        """Pages no other process maps (its USS): what ending it would free."""
        return self.private_clean + self.private_dirty


def read_memory(pid: int, kind: str) -> ProcessMemory:
    """A process's `smaps_rollup` (raises OSError when it is gone or cannot be read)."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            name, _, rest = line.partition(":")
            if name in SMAPS_FIELDS:
                values[SMAPS_FIELDS[name]] = int(rest.split()[0]) * 1024
    if "pss" not in values:
        raise OSError(f"no PSS for process {pid}")
    return ProcessMemory(pid, kind, **values)


class PeakMemory(PeriodicSampler):
    """Samples the memory of this process and all its children every 0.2 s.

    Kept: the peak of the PSS sum, with every process's memory at that moment, and the peak
    of the RSS sum (the figure earlier runs printed)."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(interval)
        self._me = psutil.Process()
        self.peak = 0  # PSS
        self.peak_rss = 0
        self.peak_processes: list[ProcessMemory] = []
        self.unreadable = 0  # samples of a process whose PSS could not be read (RSS used)

    @property
    def peak_kinds(self) -> dict[str, int]:
        """PSS by process kind at the peak."""
        kinds: Counter[str] = Counter()
        for process in self.peak_processes:
            kinds[process.kind] += process.pss
        return dict(kinds)

    def snapshot(self) -> list[ProcessMemory]:
        """The memory of every process of the tree now."""
        me, processes = self._me, []
        for process in [me, *me.children(recursive=True)]:
            try:
                kind = process_kind(process, me.pid)
                try:
                    processes.append(read_memory(process.pid, kind))
                except PermissionError:
                    self.unreadable += 1
                    rss = process.memory_info().rss
                    processes.append(ProcessMemory(process.pid, kind, rss=rss, pss=rss))
            except (psutil.Error, OSError):
                continue  # it ended between the listing and the reading
        return processes

    def sample(self) -> None:
        processes = self.snapshot()
        total = sum(process.pss for process in processes)
        if total > self.peak:
            self.peak, self.peak_processes = total, processes
        self.peak_rss = max(self.peak_rss, sum(process.rss for process in processes))


def print_memory(memories: dict[str, PeakMemory], detail: bool = False) -> None:
    """The peak PSS of each run, split by process kind at that moment, and the peak RSS sum;
    with `detail`, every process at the peak (PSS anonymous / file-backed, private pages)."""
    print("\npeak memory (MiB): proportional set size (PSS) by process kind at the peak; "
          "the RSS sum counts shared pages once per process")
    for name, memory in memories.items():
        kinds = memory.peak_kinds
        split = ", ".join(f"{kind} {kinds[kind] / MIB:.0f}"
                          for kind in MEMORY_KINDS if kinds.get(kind))
        print(f"  {name:<26} PSS {memory.peak / MIB:>6.0f}   RSS sum "
              f"{memory.peak_rss / MIB:>6.0f}   ({split})")
        if memory.unreadable:
            print(f"    ({memory.unreadable} samples without PSS: their RSS counted)")
        if detail:
            print(f"    {'process at the peak':<28}{'PSS':>7}{'anon':>7}{'file':>7}"
                  f"{'private':>9}{'RSS':>7}")
            order = {kind: index for index, kind in enumerate(MEMORY_KINDS)}
            for process in sorted(memory.peak_processes,
                                  key=lambda p: (order.get(p.kind, len(order)), p.pid)):
                print(f"    {process.kind:<28}{process.pss / MIB:>7.0f}"
                      f"{process.pss_anon / MIB:>7.0f}{process.pss_file / MIB:>7.0f}"
                      f"{process.private / MIB:>9.0f}{process.rss / MIB:>7.0f}")
