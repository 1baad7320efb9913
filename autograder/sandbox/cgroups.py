"""One cgroup per execution: the memory and process limits, their counters, and a clean kill.

Root is not subject to RLIMIT_NPROC, and rlimits are per process anyway, so the limits that
matter for a notebook (all the memory and all the processes of the kernel and its children
together) are set on a cgroup created for the one execution, below the cgroup the grader itself
runs in:

- cgroup v1 (separate `memory` and `pids` hierarchies): `memory.limit_in_bytes` (+ `memsw`),
  `pids.max`; an OOM kill shows in `memory.oom_control` (`oom_kill N`), a refused fork in
  `pids.events` (`max N`);
- cgroup v2 (one unified hierarchy): `memory.max`, `memory.swap.max`, `pids.max`;
  `memory.events` and `pids.events`; `cgroup.kill` kills everything at once.

The launcher moves its child into the group before it execs (`procs_files` → `join`), so every
process the notebook ever starts is inside, and `kill` + `remove` leave nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Cgroup", "cgroup_support"]

PREFIX = "lrlab-"
CONTROLLERS = ("memory", "pids")
KILL_POLL = 0.005
"""Seconds between looks at a group being emptied: SIGKILLed processes are gone within
milliseconds, and each notebook's sandbox is emptied twice."""


def _mounts() -> tuple[dict[str, tuple[Path, str]], tuple[Path, str] | None]:
    """v1 controller → (mount point, hierarchy root), and the v2 (mount point, root)."""
    v1: dict[str, tuple[Path, str]] = {}
    v2 = None
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            head, _, tail = line.partition(" - ")
            parts, rest = head.split(), tail.split()
            if len(parts) < 5 or len(rest) < 3:
                continue
            root, point, fstype = parts[3], Path(parts[4]), rest[0]
            if fstype == "cgroup2" and v2 is None:
                v2 = (point, root)
            elif fstype == "cgroup":
                for option in rest[2].split(","):
                    if option in CONTROLLERS:
                        v1.setdefault(option, (point, root))
    return v1, v2


def _own_paths() -> dict[str, str]:
    """Controller (or "" for v2) → this process's cgroup path, from /proc/self/cgroup."""
    paths = {}
    with contextlib.suppress(OSError), open("/proc/self/cgroup", encoding="utf-8") as own:
        for line in own:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                paths[controller] = path
    return paths


def _below(point: Path, root: str, path: str) -> Path:
    relative = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
    return (point / relative).resolve() if relative != "." else point


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _counter(path: Path, key: str) -> int:
    for line in _read(path).splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
    except OSError:
        return False
    return True


def _sweep_stale(parent: Path) -> None:
    """Remove empty groups left by graders that were killed (named `lrlab-<pid>-…`)."""
    with contextlib.suppress(OSError):
        for child in parent.glob(PREFIX + "*"):
            owner = child.name.removeprefix(PREFIX).split("-")[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                with contextlib.suppress(OSError):
                    child.rmdir()


def _v2_base(v2: tuple[Path, str], own: dict[str, str]) -> Path | None:
    """Where v2 execution groups can go: our own cgroup, with memory and pids delegated."""
    base = _below(*v2, own.get("", "/"))
    enabled = set(_read(base / "cgroup.subtree_control").split())
    if {"memory", "pids"} <= enabled:
        return base
    available = set(_read(base / "cgroup.controllers").split())
    if {"memory", "pids"} <= available and _write(base / "cgroup.subtree_control",
                                                 "+memory +pids"):
        return base
    return None  # e.g. our cgroup holds processes and is not the root: no internal processes


def cgroup_support() -> str:
    """What this machine offers: "v1 (memory, pids)", "v2", or why there is nothing."""
    v1, v2 = _mounts()
    own = _own_paths()
    usable = [c for c in CONTROLLERS if c in v1 and os.access(_below(*v1[c], own.get(c, "/")),
                                                              os.W_OK)]
    if usable:
        return f"v1 ({', '.join(usable)})"
    if v2 and _v2_base(v2, own) is not None:
        return "v2"
    return "none (no writable memory or pids cgroup)"


@dataclass
class Cgroup:
    """The cgroup(s) of one execution: `dirs` maps "memory"/"pids" to a group directory."""

    version: int
    dirs: dict[str, Path]

    @classmethod
    def create(cls, memory_bytes: int, max_processes: int) -> Cgroup | None:
        """A fresh group with both limits set, or None when the machine offers none."""
        v1, v2 = _mounts()
        own = _own_paths()
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        dirs: dict[str, Path] = {}
        if v1:
            for controller in CONTROLLERS:
                if controller not in v1:
                    continue
                parent = _below(*v1[controller], own.get(controller, "/"))
                _sweep_stale(parent)
                with contextlib.suppress(OSError):
                    (parent / name).mkdir()
                    dirs[controller] = parent / name
            group = cls(1, dirs)
        else:
            base = _v2_base(v2, own) if v2 else None
            if base is not None:
                _sweep_stale(base)
                with contextlib.suppress(OSError):
                    (base / name).mkdir()
                    dirs = dict.fromkeys(CONTROLLERS, base / name)
            group = cls(2, dirs)
        if not dirs:
            return None
        group._set_limits(memory_bytes, max_processes)
        return group

    def _set_limits(self, memory_bytes: int, max_processes: int) -> None:
        memory, pids = self.dirs.get("memory"), self.dirs.get("pids")
        if memory is not None and self.version == 1:
            if not _write(memory / "memory.limit_in_bytes", str(memory_bytes)):
                del self.dirs["memory"]
            else:
                _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))  # no swap
        elif memory is not None and not _write(memory / "memory.max", str(memory_bytes)):
            del self.dirs["memory"]
        elif memory is not None:
            _write(memory / "memory.swap.max", "0")
        if pids is not None and not _write(pids / "pids.max", str(max_processes)):
            del self.dirs["pids"]

    @property
    def limits_memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def limits_processes(self) -> bool:
        return "pids" in self.dirs

    def procs_files(self) -> list[bytes]:
        """The files a process writes "0" to in order to join (used before exec)."""
        return [os.fsencode(d / "cgroup.procs") for d in dict.fromkeys(self.dirs.values())]

    def memory_exceeded(self) -> bool:
        """Did the kernel's OOM killer act inside the group (memory limit reached)?"""
        memory = self.dirs.get("memory")
        if memory is None:
            return False
        if self.version == 1:
            return _counter(memory / "memory.oom_control", "oom_kill") > 0
        return _counter(memory / "memory.events", "oom_kill") > 0

    def processes_exceeded(self) -> bool:
        """Was a fork or thread refused because of `pids.max`?"""
        pids = self.dirs.get("pids")
        return pids is not None and _counter(pids / "pids.events", "max") > 0

    def memory_peak(self) -> int | None:
        """Highest memory use in bytes, where the kernel reports it."""
        memory = self.dirs.get("memory")
        if memory is None:
            return None
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        text = _read(memory / name).strip()
        return int(text) if text.isdigit() else None

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in dict.fromkeys(self.dirs.values()):
            found.update(int(p) for p in _read(folder / "cgroup.procs").split() if p.isdigit())
        return found

    def kill(self, timeout: float = 10.0, spare: frozenset[int] = frozenset()) -> bool:
        """SIGKILL every process in the group but `spare` until none is left; returns whether
        none is."""
        deadline = time.monotonic() + timeout
        if not spare:
            for folder in dict.fromkeys(self.dirs.values()):
                _write(folder / "cgroup.kill", "1")  # v2 only; v1 has no such file
        while True:
            remaining = self.pids() - spare
            if not remaining:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in remaining:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(KILL_POLL)

    def remove(self, timeout: float = 10.0) -> bool:
        """Kill what is left and delete the group; returns whether nothing was left behind."""
        empty = self.kill(timeout)
        deadline = time.monotonic() + timeout
        for folder in dict.fromkeys(self.dirs.values()):
            while folder.exists():
                try:
                    folder.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(KILL_POLL)  # exiting processes are still being reaped
        return empty
