"""The bubblewrap command line that confines one notebook execution.

Inside, the notebook's worker and kernel see:

- `/` read-only (the system, Python, the installed packages), with `/proc` and a minimal
  `/dev` of their own, and empty `/tmp` (private, size-limited) and `/run` (no host sockets);
- the course directory, the checkout the packages are installed from and the grader's home
  replaced by empty read-only folders, in which only what the kernel needs is bound back
  read-only: the virtual environment, the Python installation, `lrcore/` and `autograder/`
  — so `source/` (hidden tests), `gradebook.db`, `submitted/`, `autograded/` and `.grading/`
  do not exist there;
- the submission's files read-only at `INPUT_DIR` (the worker copies them to `WORK_DIR`, on
  the private /tmp, and runs the notebook there);
- no network (a namespace with only loopback, where the kernel's ZMQ sockets live), their own
  process and IPC namespaces, a new session, no capabilities, and death with the grader.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["INPUT_DIR", "WORK_DIR", "HOME_DIR", "bwrap_command", "probe_bwrap",
           "hidden_paths", "exposed_paths"]

INPUT_DIR = "/tmp/.lrlab-input"
WORK_DIR = "/tmp/submission"
HOME_DIR = "/tmp/home"
PRIVATE_DIRS = (Path("/tmp"), Path("/run"))
"""Empty in the sandbox (tmpfs); an environment installed below them is bound back."""
NAMESPACE_ARGS = (
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "sandbox",
    "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
)


def _package_dirs() -> list[Path]:
    """Where `lrcore` and `autograder` are imported from (an editable install may make either
    a namespace package, without `__file__`)."""
    found = []
    for name in ("lrcore", "lrchecks", "autograder"):
        module = importlib.import_module(name)
        found += [Path(p).resolve() for p in module.__path__ if Path(p).is_dir()]
    return found


def exposed_paths() -> list[Path]:
    """What the kernel needs from the host, bound back read-only inside hidden folders."""
    found = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent, *_package_dirs()]
    return sorted(set(found), key=lambda p: len(p.parts))


def hidden_paths(course_root: Path) -> list[Path]:
    """Folders replaced by empty ones: the course, the packages' checkout, the grader's home.

    The checkout (the folder holding `autograder/` in an editable install) may be a course
    directory itself, with its own gradebook and submissions; an installed package lives in
    site-packages, which is exposed whole. A folder under /tmp is hidden by the private /tmp,
    and needs a mount of its own only when a path bound back lies inside it.
    """
    prefixes = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    candidates = [Path(course_root).resolve(), Path.home().resolve()]
    for package in _package_dirs():
        if not any(package.is_relative_to(prefix) for prefix in prefixes):
            candidates.append(package.parent)
    # Below /tmp the private /tmp hides a folder already — unless something inside it is bound
    # back (a checkout under /tmp with its environment): bwrap would create the folder in the
    # sandbox's writable /tmp; it gets its read-only tmpfs like any other.
    tmp, exposed = Path("/tmp"), exposed_paths()
    kept = [p for p in candidates if p != Path("/") and (
        not p.is_relative_to(tmp) or any(e.is_relative_to(p) for e in exposed))]
    outermost = [p for p in kept if not any(p != q and p.is_relative_to(q) for q in kept)]
    return sorted(set(outermost), key=lambda p: len(p.parts))


def _mounts(course_root: Path, input_dir: Path, tmp_bytes: int) -> list[str]:
    hidden = hidden_paths(course_root)
    args = ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
            "--size", str(tmp_bytes), "--tmpfs", "/tmp", "--tmpfs", "/run"]
    for path in hidden:
        args += ["--tmpfs", str(path)]
    for path in exposed_paths():  # bound back where a hidden folder or the private /tmp hides it
        if any(path.is_relative_to(h) for h in (*hidden, *PRIVATE_DIRS)):
            args += ["--ro-bind", str(path), str(path)]
    for path in hidden:
        args += ["--remount-ro", str(path)]
    args += ["--ro-bind", str(input_dir), INPUT_DIR, "--dir", HOME_DIR]
    return args


def bwrap_command(
    command: Iterable[str],
    course_root: Path,
    input_dir: Path,
    env: Mapping[str, str],
    tmp_bytes: int,
    options: Iterable[str] = (),
) -> list[str]:
    """`bwrap … -- command`, with a clean environment made of `env` only; `options` are more
    bwrap options (e.g. `--as-pid-1`)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bwrap")
    args = [bwrap, *NAMESPACE_ARGS, *options, *_mounts(course_root, input_dir, tmp_bytes),
            "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return [*args, "--chdir", "/tmp", "--", *command]


@functools.cache
def probe_bwrap() -> str | None:
    """None when a sandbox starts on this machine, else why not (cached per process)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        result = subprocess.run(
            [bwrap, *NAMESPACE_ARGS, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
             "--tmpfs", "/tmp", "--", "/bin/sh", "-c", "exit 0"],
            capture_output=True, text=True, timeout=30, env={"PATH": os.defpath},
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be run ({error})"
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        return f"bwrap cannot create namespaces here ({detail[0]})"
    return None
