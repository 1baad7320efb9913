"""Who a notebook runs as: a user of its own that owns nothing on the machine.

The grader runs as root (it needs namespaces and cgroups). A notebook must not: root reads every
file whatever its permissions (`/etc/shadow`, a course secret kept with mode 0600, another
user's private files), and a uid that owns host files can read and change them wherever they
are reachable. So every process of a notebook — the worker and its kernel — takes
`SANDBOX_UID`/`SANDBOX_GID` (`SandboxPolicy.sandbox_uid`) once it is inside the sandbox's
namespaces and before it runs anything of the notebook's:

- **2,000,000,000** by default, for both ids: not root, not the grader, and not a user of any
  kind — above the ranges Linux distributions allocate (system users below 1,000, people from
  1,000 to 60,000, `nobody` 65,534, systemd's dynamic users 61,184–65,519 and its per-container
  ranges from 524,288 to 1,879,048,191), and below 2³¹, where some programs misread ids as
  negative numbers. `nobody` (65,534) is not used: on many machines it owns files (NFS, daemons'
  state) and runs processes. Grading refuses to start when the user or group database knows
  the id (`identity_problem`); on this course's machine no file uses it either (`find / -xdev
  -uid 2000000000 -o -gid 2000000000` finds nothing). Set `c.SandboxPolicy.sandbox_uid` to
  another unused id if yours does;
- its only files on the host are the temporary copy of the submission it executes, handed to it
  (`hand_over`) in a folder that only it and root can enter, and removed after the execution;
- a grader that is not root cannot change its uid: the notebook then runs as the grader's user
  (the mounts still hide everything they do not expose; see SANDBOX.md).
"""

from __future__ import annotations

import ctypes
import grp
import os
import pwd
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SANDBOX_UID", "SANDBOX_GID", "SANDBOX_USER", "identity_problem", "drop_privileges",
           "drop_capabilities", "become_sandbox_user", "hand_over"]

SANDBOX_UID = SANDBOX_GID = 2_000_000_000
SANDBOX_USER = "student"
"""The user name in the notebook's environment (`USER`, `LOGNAME`: `getpass.getuser()`); the id
has no entry in any user database, inside or outside."""
HIGHEST_ID = 2**31 - 1

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
LAST_CAPABILITY = 63
KNOWN_CAPABILITIES = 41
"""Capabilities 0–40 exist on every kernel this runs on; dropping a higher one may fail on an
older kernel that does not know it."""

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def identity_problem(uid: int, gid: int | None = None) -> str | None:
    """None when `uid` (and `gid`, by default the same number) can be the notebook's user: not
    root, not this process's user, and unknown to the user and group databases; else why not."""
    gid = uid if gid is None else gid
    if not 0 < uid <= HIGHEST_ID or not 0 < gid <= HIGHEST_ID:
        return f"the sandbox user id {uid}:{gid} must be between 1 and {HIGHEST_ID}"
    if uid in (os.getuid(), os.geteuid()):
        return f"the sandbox user id {uid} is the grader's own"
    name = _known_name(pwd.getpwuid, uid)
    if name is not None:
        return f"the sandbox user id {uid} belongs to the user {name!r}"
    group = _known_name(grp.getgrgid, gid)
    if group is not None:
        return f"the sandbox group id {gid} belongs to the group {group!r}"
    return None


def _known_name(lookup: Callable[[int], Sequence[Any]], number: int) -> str | None:
    """The name the user or group database gives `number` (`lookup` is pwd.getpwuid or
    grp.getgrgid, whose entries start with the name), or None when it has none."""
    try:
        return str(lookup(number)[0])
    except KeyError:
        return None


def _empty_bounding_set() -> None:
    """No capability can be regained by exec (needs CAP_SETPCAP)."""
    for capability in range(LAST_CAPABILITY + 1):
        if (_libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0
                and capability < KNOWN_CAPABILITIES):
            _check(-1, f"dropping capability {capability} from the bounding set")


def _clear_capabilities() -> None:
    """No ambient, effective, permitted or inheritable capability; no privileges from set-uid
    files (no-new-privileges)."""
    _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clearing ambient")
    header, data = _CapHeader(CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no-new-privileges")


def drop_capabilities() -> None:
    """No capability in any set (bounding, ambient, effective, permitted, inheritable) and
    no-new-privileges, keeping this process's user."""
    _empty_bounding_set()
    _clear_capabilities()


def drop_privileges(uid: int, gid: int) -> None:
    """Become `uid`:`gid` with no supplementary group and no capability, for good.

    Needs CAP_SETPCAP, CAP_SETUID and CAP_SETGID (root in the host's user namespace). The
    bounding set is emptied first (that needs CAP_SETPCAP), then the groups and ids change —
    a uid change away from root clears the permitted, effective and ambient sets — and the
    result is checked: an id that did not take, or root regained, raises."""
    _empty_bounding_set()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _clear_capabilities()
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise OSError(f"could not become the sandbox user {uid}:{gid}")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise OSError("the sandbox user could become root again")


def become_sandbox_user(run_as: list[int] | tuple[int, int] | None, home: str | None) -> None:
    """In the sandbox, before anything of the notebook runs: take the sandbox user's ids
    (`run_as`, None: keep this process's user) and create its home folder `home`, which only it
    can write (bubblewrap creates folders as root)."""
    if run_as is not None:
        uid, gid = (int(value) for value in run_as)
        drop_privileges(uid, gid)
    if home:
        os.makedirs(home, mode=0o700, exist_ok=True)


def hand_over(folder: Path, uid: int, gid: int) -> None:
    """Make `folder` and everything in it the sandbox user's, so that it can read them inside
    the sandbox (they are bound read-only there). Symbolic links are changed themselves,
    never followed: a link in a submission may point at any file of the host."""
    os.chown(folder, uid, gid, follow_symlinks=False)
    for parent, folders, files in os.walk(folder, followlinks=False):
        for name in [*folders, *files]:
            os.chown(os.path.join(parent, name), uid, gid, follow_symlinks=False)
