"""`SandboxPolicy`: whether student code is confined, and the limits it runs under.

One frozen dataclass, read from `nbgrader_config.py` (`c.SandboxPolicy.<field> = …`) and
overridable from the command line (`grade --no-sandbox`). The defaults fit this course: a
notebook imports torch (≈ 0.5 GiB resident with matplotlib, numpy and the kernel machinery), runs
in seconds, and never needs more than a handful of processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from autograder.sandbox.identity import SANDBOX_UID

__all__ = ["SandboxPolicy", "parse_size", "format_size", "GiB", "MiB"]

MiB = 1024**2
GiB = 1024**3
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": MiB, "mb": MiB, "mib": MiB,
          "g": GiB, "gb": GiB, "gib": GiB}
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$")


def parse_size(value: int | float | str) -> int:
    """Bytes from `2147483648`, `"2 GiB"`, `"1.5G"` or `"512 MiB"` (binary units throughout).

    >>> parse_size("1.5 GiB") == 3 * 512 * 1024**2
    True
    """
    if isinstance(value, int | float):
        return int(value)
    match = _SIZE.match(value)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"not a size: {value!r} (try '2 GiB' or '512 MiB')")
    return int(float(match.group(1)) * _UNITS[unit])


def format_size(size: int) -> str:
    """`2 GiB`, `1.5 GiB`, `256 MiB`: how limits are shown to people.

    >>> format_size(3 * 512 * 1024**2), format_size(256 * 1024**2)
    ('1.5 GiB', '256 MiB')
    """
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class SandboxPolicy:
    """How each notebook is executed (see `autograder/SANDBOX.md`).

    `enabled` confines the kernel with bubblewrap: no network, a private /tmp and process
    table, the course directory hidden, the system read-only. The limits apply with or without
    it, through a cgroup per execution where the machine has one (otherwise through rlimits):
    `memory_bytes` for the kernel and everything it starts, `max_processes` (processes and
    threads), `wall_seconds` for the whole notebook, `cpu_seconds` and `file_size_bytes` per
    process. `cell_timeout` overrides nbgrader's `Execute.timeout` (per cell) when set.
    `max_output_chars` cuts any single output text beyond that length, and
    `threads_per_notebook` sets OMP/MKL/OpenBLAS thread counts so that torch does not start a
    thread per core of a large grading machine in every kernel. `preforked_kernels` forks each
    notebook's worker and kernel from a template process that has imported the libraries
    already (`autograder.sandbox.zygote`), inside the same sandbox, instead of starting two new
    Pythons per notebook. `sandbox_uid` is the user and group id every notebook process takes
    inside the sandbox when the grader is root: no user database knows it and no host file is
    its (`autograder.sandbox.identity`; change it if yours has a user with that id).
    """

    enabled: bool = True
    memory_bytes: int = 2 * GiB
    max_processes: int = 256
    wall_seconds: float = 300.0
    cell_timeout: int | None = None
    cpu_seconds: int = 600
    file_size_bytes: int = 256 * MiB
    max_output_chars: int = 1_000_000
    threads_per_notebook: int = 2
    preforked_kernels: bool = True
    sandbox_uid: int = SANDBOX_UID

    def __post_init__(self) -> None:
        object.__setattr__(self, "memory_bytes", parse_size(self.memory_bytes))
        object.__setattr__(self, "file_size_bytes", parse_size(self.file_size_bytes))
        for name in ("memory_bytes", "max_processes", "wall_seconds", "cpu_seconds",
                     "file_size_bytes", "max_output_chars", "threads_per_notebook"):
            if getattr(self, name) <= 0:
                raise ValueError(f"SandboxPolicy.{name} must be positive")
        if not 0 < self.sandbox_uid < 2**31:
            raise ValueError("SandboxPolicy.sandbox_uid must be between 1 and 2**31 - 1")
        if self.cell_timeout is not None and self.cell_timeout <= 0:
            raise ValueError("SandboxPolicy.cell_timeout must be positive (or None)")

    @classmethod
    def from_config(cls, config: Any) -> SandboxPolicy:
        """The policy set in `nbgrader_config.py` as `c.SandboxPolicy.<field> = value`."""
        section = dict(config.SandboxPolicy) if "SandboxPolicy" in config else {}
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ValueError(f"unknown SandboxPolicy setting(s) {unknown}; known: {sorted(known)}")
        return cls(**section)

    def replace(self, **changes: Any) -> SandboxPolicy:
        return replace(self, **changes)

    def cell_timeout_for(self, configured: int | None) -> int | None:
        """The per-cell timeout in force: ours when set, else nbgrader's `Execute.timeout`."""
        return self.cell_timeout if self.cell_timeout is not None else configured
