"""A submission's files as bytes: gathered where the course is, written out where it executes.

An execution task carries the notebook nbgrader prepared and the files handed in with it
(data files, images…) as bytes, so that the machine executing it needs no access to the course
(`autograder.execution`). `gather_files` reads them on the grading machine: regular files only,
never through a symbolic link (a link would name a path of the grading machine), with the
assignment's notebooks left out — they hold the hidden tests, and the kernel gets only the
cells it executes — and refuses, in one sentence, a submission larger than
`SubmissionLimits.max_submission_bytes` before reading any of it. `write_files` puts them back
under a folder of the executing machine, accepting only plain relative paths.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath

from autograder.sandbox.policy import format_size

__all__ = ["SubmissionFiles", "SubmissionTooLarge", "gather_files", "write_files",
           "read_regular_file"]

SubmissionFiles = tuple[tuple[str, bytes], ...]
"""(path relative to the submission's folder, POSIX style; the file's bytes), sorted by path."""


class SubmissionTooLarge(ValueError):
    """A submission over the size limit; the message is one sentence for the instructor."""

    def __init__(self, size: int, limit: int) -> None:
        shown, allowed = format_size(size), format_size(limit)
        if shown == allowed:  # just over: rounding would show the same size twice
            shown, allowed = f"{size:,} bytes", f"{limit:,}-byte"
        super().__init__(
            f"the submission (its notebook and the files handed in with it) is {shown}, over "
            f"the {allowed} limit for what grading sends to a worker; ask for it again without "
            "large data files, or raise c.SubmissionLimits.max_submission_bytes.")


def _regular_files(folder: Path, leave_out: Collection[str]) -> Iterator[tuple[str, int]]:
    """(relative path, size) of every regular file under `folder`, not following links;
    top-level entries named in `leave_out` are skipped."""
    pending = [(Path(folder), PurePosixPath())]
    while pending:
        directory, relative = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if not relative.parts and entry.name in leave_out:
                    continue
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    pending.append((Path(entry.path), relative / entry.name))
                elif stat.S_ISREG(info.st_mode):
                    yield str(relative / entry.name), info.st_size


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file, never through a symbolic link."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        return handle.read()


def gather_files(folder: Path, leave_out: Collection[str], limit: int,
                 counted: int = 0) -> SubmissionFiles:
    """The regular files under `folder` but those named in `leave_out` at its top, with their
    bytes. `counted` bytes (the notebook sent beside them) count towards `limit`; raises
    `SubmissionTooLarge` before reading anything when the total is over it."""
    found = sorted(_regular_files(Path(folder), set(leave_out)))
    total = counted + sum(size for _, size in found)
    if total > limit:
        raise SubmissionTooLarge(total, limit)
    return tuple((name, read_regular_file(Path(folder) / name)) for name in
                 (name for name, _ in found))


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (not name or path.is_absolute() or "\\" in name or "\0" in name
            or any(part in ("", ".", "..") for part in name.split("/"))):
        raise ValueError("a task names a submission file outside its folder")
    return path


def write_files(files: SubmissionFiles, target: Path) -> None:
    """Write `files` under the existing folder `target` (new files only, never through a
    link); a name that is not a plain relative path is refused (`ValueError`)."""
    target = Path(target)
    for name, content in files:
        relative = _safe_relative(name)
        path = target.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
