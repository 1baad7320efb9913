"""Files that hold students' names, ids and grades are readable by their owner only.

Exports, the roster and the feedback pages name students and their grades. On a shared machine
(a JupyterHub, a department server) a file created with the usual umask (0644 in a 0755
folder) can be read by every account. Everything this module writes is created owner-only
from the start — a file 0600, each folder it creates 0700 — never made private after the fact,
and replaced atomically, so no reader ever sees a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["FILE_MODE", "FOLDER_MODE", "private_folder", "private_writer", "make_private"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> Path:
    """Create `folder` and its missing parents with mode 0700 (existing ones are left as they
    are: an export into /tmp must not change /tmp)."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        with contextlib.suppress(FileExistsError):
            candidate.mkdir(mode=FOLDER_MODE)
        os.chmod(candidate, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return folder


@contextlib.contextmanager
def private_writer(destination: Path, newline: str | None = None) -> Iterator[IO[str]]:
    """A text handle whose content replaces `destination` (mode 0600) when the block ends
    without an error; on an error the destination is left as it was."""
    private_folder(destination.parent)
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent,
                                             prefix=f".{destination.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, FILE_MODE)  # mkstemp's 0600, whatever the umask
        with os.fdopen(descriptor, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def make_private(path: Path) -> bool:
    """Take group and other permissions off an existing file or folder this user owns.
    Returns whether anything changed (False for another owner's file: left alone)."""
    info = path.stat()
    if info.st_uid != os.geteuid():
        return False
    mode = stat.S_IMODE(info.st_mode)
    private = mode & (0o700 if path.is_dir() else 0o600)
    if private != mode:
        os.chmod(path, private)
        return True
    return False
