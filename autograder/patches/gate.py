"""The version gate: each patch runs only on the versions of the package it was tested with.

Every module of `autograder.patches` declares a `PATCH` (`Patch`): what it patches, why,
whether it only saves time (`SPEED`) or grading's integrity rests on it (`INTEGRITY`), and the
range of each touched package's versions it was tested with (`TestedRange`). Outside that
range:

- a speed patch is switched off (`enabled` answers False, and the code that uses it takes
  the library's own path); `check_patches` logs one line naming the package and its version;
- an integrity patch makes `check_patches` raise `UntestedVersion`: the grading command refuses
  to grade, in one sentence naming the package, the version found and the tested range.

`check_patches` runs at the start of a grading command (`autograder.grade`); nbgrader's own
`autograde` (and the Formgrader's button) passes the same gate through `check_patches_once`,
which `autograder.preprocessors.SandboxedExecute` asks before each notebook and which decides
once per process. The worker asks `enabled` for the patches it uses (the same installed
packages, so the same answers).
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Final, Literal

__all__ = ["SPEED", "INTEGRITY", "PATCH_MODULES", "WORKER_PATCHES", "Patch", "TestedRange",
           "UntestedVersion", "installed_version", "outside_range", "declared", "enabled",
           "check_patches", "decision", "check_patches_once"]

SPEED: Final = "speed"
INTEGRITY: Final = "integrity"
PATCH_MODULES = ("nbgrader_fast_paths", "autograde_stages", "grades_in_one_transaction",
                 "nbgrader_execute_import", "kernel_client", "kernel_wait", "kernel_fork")
"""Every patch of `autograder.patches`, by module name."""
WORKER_PATCHES = ("nbgrader_execute_import", "kernel_client", "kernel_wait", "kernel_fork")
"""The patches the sandboxed worker uses (it never imports the others)."""

log = logging.getLogger("autograder.patches")


class UntestedVersion(RuntimeError):
    """A package that an integrity patch reaches into is outside the versions it was tested
    with: grading would not be safe."""


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string ("0.9.5" → (0, 9, 5); "0.10.0rc1" → (0, 10, 0))."""
    found = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in found.group(0).split(".")) if found else ()


@dataclass(frozen=True)
class TestedRange:
    """The versions of `package` (its distribution name) a patch was tested with: from
    `lowest` up to, not including, `below`."""

    __test__ = False  # not a pytest test class, despite its name

    package: str
    lowest: str
    below: str

    def holds(self, version: str) -> bool:
        release = _release(version)
        return bool(release) and _release(self.lowest) <= release < _release(self.below)

    def __str__(self) -> str:
        return f"{self.lowest} to below {self.below}"


@dataclass(frozen=True)
class Patch:
    """What one module of `autograder.patches` changes in a library, and on which versions."""

    name: str
    title: str
    """What it is called in a message: a few plain words."""
    patches: str
    """What exactly it replaces, overrides or sets in the library."""
    why: str
    kind: Literal["speed", "integrity"]
    tested: tuple[TestedRange, ...]


@functools.cache
def installed_version(package: str) -> str | None:
    """The installed version of the distribution `package`, or None if it is not installed
    (looked up once per process: each lookup scans the environment's distributions)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def outside_range(patch: Patch) -> tuple[TestedRange, str] | None:
    """The first tested range the installed package leaves, with the version found ("not
    installed" if none), or None when every package is in range."""
    for tested in patch.tested:
        found = installed_version(tested.package)
        if found is None or not tested.holds(found):
            return tested, found or "not installed"
    return None


def declared(name: str) -> Patch:
    """The `PATCH` declared by `autograder.patches.<name>`."""
    return importlib.import_module(f"autograder.patches.{name}").PATCH


@functools.cache
def enabled(name: str) -> bool:
    """Whether the patch `name` may run: every package it touches is in its tested range.
    (An integrity patch out of range never runs either: `check_patches` refuses first.)"""
    return outside_range(declared(name)) is None


def _refusal(patch: Patch, tested: TestedRange, found: str) -> str:
    return (f"refusing to grade: {tested.package} {found} is outside the versions tested for "
            f"{patch.title} ({tested}), so grading would not be safe; install a tested version "
            "(constraints.txt).")


def _switched_off(patch: Patch, tested: TestedRange, found: str) -> str:
    return (f"{tested.package} {found} is outside the versions tested for {patch.title} "
            f"({tested}): that speed-up is switched off.")


def check_patches(names: tuple[str, ...] = PATCH_MODULES) -> None:
    """At the start of a grading command: raise `UntestedVersion` (one sentence) for the first
    integrity patch out of range; otherwise log one line for each speed patch switched off."""
    found = [(patch, outside) for patch in map(declared, names)
             if (outside := outside_range(patch)) is not None]
    for patch, outside in found:
        if patch.kind == INTEGRITY:
            raise UntestedVersion(_refusal(patch, *outside))
    for patch, outside in found:
        log.warning(_switched_off(patch, *outside))


@functools.cache
def decision(names: tuple[str, ...] = PATCH_MODULES) -> str:
    """`check_patches`' decision for `names`, made once per process: "" to grade, or the
    sentence refusing to (the speed patches switched off are logged on this first call only)."""
    try:
        check_patches(names)
    except UntestedVersion as refusal:
        return str(refusal)
    return ""


def check_patches_once(names: tuple[str, ...] = PATCH_MODULES) -> None:
    """`check_patches` for a process that grades notebook after notebook with no command start
    of ours (nbgrader's own `autograde`): the first call logs one line per speed patch switched
    off; every call raises `UntestedVersion` again while an integrity patch is out of range."""
    refusal = decision(names)
    if refusal:
        raise UntestedVersion(refusal)
