"""The sandbox's policy: whether student code is confined, and the limits it runs under.

Two objects, one per job:

- `SandboxPolicy` — the traitlets `Configurable` an instructor sets, like nbgrader's own
  classes: `c.SandboxPolicy.<setting> = …` in `nbgrader_config.py`, or
  `--SandboxPolicy.<setting>=…` on nbgrader's command line; every setting has its help text
  (`SandboxPolicy.class_config_section()`, printed by `python -m autograder settings`);
- `SandboxSettings` — the same values as one frozen dataclass of plain data, which an
  `ExecutionTask` carries to a worker (pickled by a local pool, sent to a Dask worker) and
  which the grader's signature hashes (`autograder.grader_signature`). `sandbox_settings(config)`
  builds it from a course configuration; `grade --no-sandbox` replaces one field.

Both refuse the same values with the same sentence (`PolicyError`). The defaults fit this
course: a notebook imports torch (≈ 0.5 GiB resident with matplotlib, numpy and the kernel
machinery), runs in seconds, and never needs more than a handful of processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from traitlets import Bool, Float, Integer, TraitError, TraitType, validate
from traitlets.config import Configurable

from autograder.sandbox.identity import SANDBOX_UID

__all__ = ["SandboxPolicy", "SandboxSettings", "PolicyError", "sandbox_settings", "parse_size",
           "format_size", "GiB", "MiB"]

MiB = 1024**2
GiB = 1024**3
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": MiB, "mb": MiB, "mib": MiB,
          "g": GiB, "gb": GiB, "gib": GiB}
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$")
POSITIVE = ("memory_bytes", "max_processes", "wall_seconds", "cpu_seconds", "file_size_bytes",
            "max_output_chars", "threads_per_notebook")


class PolicyError(TraitError, ValueError):
    """A sandbox setting that cannot be used; the message is one sentence naming it."""


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


def _problem(name: str, value: Any) -> str | None:
    """Why `SandboxPolicy.<name> = value` cannot be used, in one sentence, or None."""
    if name in POSITIVE and value <= 0:
        return f"SandboxPolicy.{name} must be positive"
    if name == "sandbox_uid" and not 0 < value < 2**31:
        return "SandboxPolicy.sandbox_uid must be between 1 and 2**31 - 1"
    if name == "cell_timeout" and value is not None and value <= 0:
        return "SandboxPolicy.cell_timeout must be positive (or None)"
    return None


class ByteSize(TraitType[int, int | float | str]):
    """A number of bytes, given as a number or as a size in words (`"2 GiB"`, `"512 MiB"`)."""

    info_text = "a number of bytes or a size such as '2 GiB' or '512 MiB'"

    def validate(self, obj: Any, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(obj, value)
        try:
            return parse_size(value)
        except ValueError:
            raise PolicyError(f"SandboxPolicy.{self.name} is not a size: write a number of "
                              "bytes or a size such as '2 GiB' or '512 MiB'") from None

    # traitlets' stub types from_string's result as the get type (int); it is set, so validated
    def from_string(self, s: str) -> str:  # type: ignore[override]
        return s  # validated (and converted) as any other value


class SandboxPolicy(Configurable):
    """How each notebook is executed (see `autograder/SANDBOX.md`), as `nbgrader_config.py`
    and nbgrader's command line set it. `settings()` gives the values as plain data."""

    enabled = Bool(
        True, help="Confine every notebook with bubblewrap: no network, a private /tmp and "
        "process table, the course directory hidden, the system read-only. False (or `grade "
        "--no-sandbox`) runs student code with your permissions; only the limits apply.",
    ).tag(config=True)
    memory_bytes = ByteSize(
        2 * GiB, help="Memory of the kernel and everything it starts, together, in bytes or as "
        "a size such as '2 GiB' (a cgroup per notebook where the machine has one, otherwise an "
        "rlimit).",
    ).tag(config=True)
    max_processes = Integer(
        256, help="Processes and threads a notebook may have at once.",
    ).tag(config=True)
    wall_seconds = Float(
        300.0, help="Seconds the whole notebook may take; the per-cell limit is "
        "Execute.timeout (or cell_timeout).",
    ).tag(config=True)
    cell_timeout = Integer(
        None, allow_none=True, help="Seconds each cell may take, instead of nbgrader's "
        "Execute.timeout, when set.",
    ).tag(config=True)
    cpu_seconds = Integer(
        600, help="CPU seconds each process of a notebook may use.",
    ).tag(config=True)
    file_size_bytes = ByteSize(
        256 * MiB, help="Largest file a notebook's process may write, in bytes or as a size "
        "such as '256 MiB'.",
    ).tag(config=True)
    max_output_chars = Integer(
        1_000_000, help="Characters kept of any single output text; the rest is cut.",
    ).tag(config=True)
    threads_per_notebook = Integer(
        2, help="OMP, MKL and OpenBLAS threads per notebook, so that torch does not start a "
        "thread per core of a large grading machine in every kernel.",
    ).tag(config=True)
    preforked_kernels = Bool(
        True, help="Fork each notebook's worker and kernel from a template process that has "
        "imported the libraries already (autograder.sandbox.zygote), inside the same sandbox, "
        "instead of starting two new Pythons per notebook.",
    ).tag(config=True)
    sandbox_uid = Integer(
        SANDBOX_UID, help="User and group id every notebook process takes inside the sandbox "
        "when the grader runs as root: no user database knows it and no host file is its; "
        "change it if your machine has a user with that id.",
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        config = kwargs.get("config") or getattr(kwargs.get("parent"), "config", None)
        section = config.SandboxPolicy if config is not None and "SandboxPolicy" in config else {}
        known = sorted(self.class_trait_names(config=True))
        unknown = sorted(set(section) - set(known))
        if unknown:  # refused, not ignored: a misspelt limit would silently not apply
            raise PolicyError(f"unknown SandboxPolicy setting {', '.join(unknown)} in the "
                              f"configuration; the settings are {', '.join(known)}")
        super().__init__(**kwargs)

    @validate("max_processes", "wall_seconds", "cell_timeout", "cpu_seconds",
              "max_output_chars", "threads_per_notebook", "sandbox_uid", "memory_bytes",
              "file_size_bytes")
    def _usable(self, proposal: Any) -> Any:
        problem = _problem(proposal["trait"].name, proposal["value"])
        if problem:
            raise PolicyError(problem)
        return proposal["value"]

    def settings(self) -> SandboxSettings:
        """The values in force, as plain frozen data."""
        return SandboxSettings(**{field.name: getattr(self, field.name)
                                  for field in fields(SandboxSettings)})


@dataclass(frozen=True)
class SandboxSettings:
    """The `SandboxPolicy` in force for one execution, as plain data (each field is the
    setting of that name; see `SandboxPolicy`'s help texts and `autograder/SANDBOX.md`).

    `enabled` confines the kernel with bubblewrap. The limits apply with or without it:
    `memory_bytes` for the kernel and everything it starts, `max_processes` (processes and
    threads), `wall_seconds` for the whole notebook, `cpu_seconds` and `file_size_bytes` per
    process; `cell_timeout` overrides nbgrader's `Execute.timeout` (per cell) when set;
    `max_output_chars` cuts any single output text beyond that length; `threads_per_notebook`
    sets OMP/MKL/OpenBLAS thread counts; `preforked_kernels` forks each notebook from a
    template (`autograder.sandbox.zygote`); `sandbox_uid` is the user and group id every
    notebook process takes inside the sandbox when the grader is root
    (`autograder.sandbox.identity`).
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
        for field in fields(self):
            problem = _problem(field.name, getattr(self, field.name))
            if problem:
                raise PolicyError(problem)

    def replace(self, **changes: Any) -> SandboxSettings:
        return replace(self, **changes)

    def cell_timeout_for(self, configured: int | None) -> int | None:
        """The per-cell timeout in force: ours when set, else nbgrader's `Execute.timeout`."""
        return self.cell_timeout if self.cell_timeout is not None else configured


def sandbox_settings(config: Any) -> SandboxSettings:
    """The settings a course configuration (`Course.config`, a converter's `config`) puts in
    force: `c.SandboxPolicy.*` and `--SandboxPolicy.*=` over the defaults."""
    return SandboxPolicy(config=config).settings()
