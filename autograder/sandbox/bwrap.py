"""The bubblewrap command line that confines one notebook execution.

The sandbox's file system is an allowlist: bubblewrap starts from an empty root and mounts only
what a notebook's worker and kernel need — not the host's `/` with holes punched in it. Inside,
they see:

- the system's programs and libraries, read-only: `/usr` and the top-level links or folders
  leading into it (`/bin`, `/lib`, `/lib64`, `/sbin`, as they are on the host), and of `/etc`
  only what a Python + torch + matplotlib kernel reads (`ETC_ENTRIES`: the dynamic linker's
  cache, the time zone, fontconfig's configuration);
- the environment, read-only (`exposed_paths`): the virtual environment, the Python
  installation it was made from, the student runtime (`lrcore`, `lrchecks`), and of the
  grader's package only what the worker runs (`GRADER_PARTS`: `autograder/__init__.py`,
  `autograder/sandbox/`, `autograder/patches/`) — not its samples (complete solutions),
  hidden-case generators, judge or commands. Where one of those lies inside a folder bound
  whole (the grader installed in site-packages; a course or home folder inside the
  environment), it is masked by an empty read-only folder in which only the allowed parts are
  bound back (`masked_paths`);
- their own `/proc`, a minimal `/dev`, and private, size-limited tmpfs at `/tmp` and
  `/dev/shm` that vanish with the sandbox;
- the submission's files read-only at `INPUT_DIR` (the worker copies them to `WORK_DIR`, on
  the private /tmp, and runs the notebook there).

Nothing else exists there: not the course directory (`source/`, `gradebook.db`, `submitted/`,
`.grading/`, the hidden-case pools), not the grader's home (its course secret, keys, caches),
not `/var`, `/run`, `/sys`, `/home`, the rest of `/etc`, or any host socket. Folders created to
reach a bound path are empty, owned by root and read-only, and so is the root itself. Add to
that no network (a namespace with only loopback, where the kernel's ZMQ sockets live), their
own process, IPC and UTS namespaces, a new session, no capabilities, death with the grader —
and a user that owns nothing on the host (`autograder.sandbox.identity`).
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

__all__ = ["INPUT_DIR", "WORK_DIR", "HOME_DIR", "GRADER_PARTS", "ETC_ENTRIES", "SYSTEM_ROOTS",
           "bwrap_command", "probe_bwrap", "exposed_paths", "grader_parts", "masked_paths",
           "PRIVILEGE_DROP_CAPABILITIES"]

INPUT_DIR = "/tmp/.lrlab-input"
WORK_DIR = "/tmp/submission"
HOME_DIR = "/tmp/home"
"""The notebook's home: created by the worker as the sandbox user (`become_sandbox_user`)."""
SYSTEM_ROOTS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""Bound as on the host where they exist: a folder read-only, a link (merged /usr) as a link."""
ETC_ENTRIES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts")
"""What a kernel reads from /etc: where the shared libraries are (without it the dynamic linker
does not look in /usr/lib/<arch>), the local time zone, and fontconfig's configuration
(matplotlib's backends probe fonts through it and complain on stderr without it). Not the user
database (the sandbox user is in none: `USER`/`LOGNAME` name it), not the network's or the
certificates' files (there is no network)."""
GRADER_PARTS = ("__init__.py", "sandbox", "patches")
"""What the worker imports from the grader's package (`autograder.sandbox.worker`, `identity`,
and the worker's patches of `autograder.patches`: `kernel_fork`, `kernel_client`, …); the kernel
imports only the student runtime."""
PRIVATE_TMP = ("/tmp", "/dev/shm")
"""Writable by everyone (sticky), size-limited, private to the sandbox."""
NAMESPACE_ARGS = (
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "sandbox",
    "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
)
PRIVILEGE_DROP_CAPABILITIES = ("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                               "--cap-add", "CAP_SETPCAP")
"""What a worker started by bwrap (as root) keeps until it drops to the sandbox user — its
first action (`autograder.sandbox.identity.drop_privileges`), before it reads anything of the
notebook's; a forked worker gets the same done by the template's fork."""


def _package_dirs(names: Iterable[str] = ("lrcore", "lrchecks")) -> list[Path]:
    """Where the packages are imported from (an editable install may make one a namespace
    package, without `__file__`)."""
    found = []
    for name in names:
        module = importlib.import_module(name)
        found += [Path(p).resolve() for p in module.__path__ if Path(p).is_dir()]
    return found


def grader_parts() -> list[Path]:
    """The grader's files the worker needs, wherever the grader is installed."""
    return [folder / part for folder in _package_dirs(["autograder"]) for part in GRADER_PARTS
            if (folder / part).exists()]


def exposed_paths() -> list[Path]:
    """What the kernel and the worker need from the host besides the system, outermost first:
    the environment, the Python installation, the student runtime and the grader's parts."""
    found = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent, *_package_dirs(), *grader_parts()]
    return sorted(set(found), key=lambda p: (len(p.parts), str(p)))


def _inside(path: Path, folders: Iterable[Path]) -> bool:
    return any(path != folder and path.is_relative_to(folder) for folder in folders)


def _outermost(paths: Iterable[Path]) -> list[Path]:
    paths = sorted(set(paths), key=lambda p: (len(p.parts), str(p)))
    return [p for p in paths if not _inside(p, paths)]


def masked_paths(course_root: Path, exposed: list[Path] | None = None) -> list[Path]:
    """Folders inside a bound folder that must not be seen there: the course directory, the
    grader's home and the grader's package (in site-packages it comes with the environment;
    only `GRADER_PARTS` of it are bound back)."""
    exposed = exposed_paths() if exposed is None else exposed
    bound = [*_outermost(exposed), *(Path(p) for p in SYSTEM_ROOTS)]
    candidates = [Path(course_root).resolve(), Path.home().resolve(),
                  *_package_dirs(["autograder"])]
    return _outermost(p for p in candidates if _inside(p, bound))


def _system_mounts() -> list[str]:
    """The system's programs and libraries and `ETC_ENTRIES`, as they are on the host."""
    args: list[str] = []
    for entry in (*SYSTEM_ROOTS, *ETC_ENTRIES):
        if os.path.islink(entry):
            args += ["--symlink", os.readlink(entry), entry]
        elif os.path.exists(entry):
            args += ["--ro-bind", entry, entry]
    return args


def _folders_leading_to(path: Path, created: list[Path], bound: list[Path]) -> list[str]:
    """`--dir` for every folder on the way to `path` that the sandbox does not have yet: empty,
    0755 (bwrap would make them 0700, closed to the sandbox user), read-only once the root is
    remounted (or, inside the private /tmp, owned by root and so closed to the sandbox user)."""
    args: list[str] = []
    for folder in reversed(path.parents):
        if folder == Path("/") or folder in created or any(
                folder == tree or folder.is_relative_to(tree) for tree in bound):
            continue
        args += ["--perms", "0755", "--dir", str(folder)]
        created.append(folder)
    return args


def _mounts(course_root: Path, input_dir: Path | None, tmp_bytes: int) -> list[str]:
    args = ["--perms", "0755", "--dir", "/etc", *_system_mounts(), "--proc", "/proc",
            "--dev", "/dev"]
    for folder in PRIVATE_TMP:
        args += ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", folder]
    created = [Path(p) for p in ("/etc", "/proc", "/dev", *PRIVATE_TMP)]
    bound = [Path(p) for p in SYSTEM_ROOTS]
    exposed = exposed_paths()
    for path in _outermost(exposed):
        if not _inside(path, bound):
            args += [*_folders_leading_to(path, created, bound),
                     "--ro-bind", str(path), str(path)]
            bound.append(path)
    for mask in masked_paths(course_root, exposed):
        # an empty read-only folder over it, with only what is allowed bound back
        args += ["--perms", "0755", "--tmpfs", str(mask)]
        inner = [mask, *mask.parents]
        for path in _outermost(p for p in exposed if _inside(p, [mask])):
            args += [*_folders_leading_to(path, inner, []),
                     "--ro-bind", str(path), str(path)]
        args += ["--remount-ro", str(mask)]
    if input_dir is not None:
        args += ["--ro-bind", str(input_dir), INPUT_DIR]
    return [*args, "--remount-ro", "/"]


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
            [bwrap, *NAMESPACE_ARGS, *_system_mounts(), "--proc", "/proc", "--dev", "/dev",
             "--tmpfs", "/tmp", "--", "/bin/sh", "-c", "exit 0"],
            capture_output=True, text=True, timeout=30, env={"PATH": os.defpath},
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not be run ({error})"
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        return f"bwrap cannot create namespaces here ({detail[0]})"
    return None
