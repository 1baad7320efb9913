"""The course secret: the key that decides which hidden cases each student gets.

Hidden cases are drawn per student from pools that ship with the grader's course directory
(`autograder.hidden.pools`); which cases a student gets is decided by an HMAC of the student's
id, the assignment and the test under this secret (`autograder.hidden.draw`). Whoever holds the
secret can compute every student's cases, so it lives outside the repository and never enters
the sandbox:

- the environment variable `LRLAB_COURSE_SECRET` (the secret itself), or
- a file: `LRLAB_COURSE_SECRET_FILE`, else `c.CourseSecret.file` in nbgrader_config.py, else
  `~/.config/learning-rate-lab/<course_id>.secret` — created by
  `python -m autograder secret --create` with owner-only permissions.

Back it up with the gradebook: without it, a regrade draws other cases. Grading refuses to start
without one (`MissingSecret`).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Any

from traitlets import Unicode
from traitlets.config import Configurable

__all__ = ["CourseSecret", "MissingSecret", "SECRET_VARIABLE", "SECRET_FILE_VARIABLE",
           "load_secret", "create_secret", "secret_path", "MIN_SECRET_BYTES"]

SECRET_VARIABLE = "LRLAB_COURSE_SECRET"
SECRET_FILE_VARIABLE = "LRLAB_COURSE_SECRET_FILE"
MIN_SECRET_BYTES = 16
"""A shorter secret could be guessed, and with it every student's hidden cases."""


class MissingSecret(RuntimeError):
    """No usable course secret: grading refuses (the message says how to make one)."""


class CourseSecret(Configurable):
    """Where the course secret is kept (see `autograder.hidden.secret`)."""

    file = Unicode(
        "", help="File holding the course secret that draws each student's hidden cases "
        "(default: ~/.config/learning-rate-lab/<course_id>.secret). The environment variables "
        "LRLAB_COURSE_SECRET (the secret) and LRLAB_COURSE_SECRET_FILE take precedence.",
    ).tag(config=True)


def secret_path(config: Any, course_id: str) -> Path:
    """Where the secret file is (or would be created) for this course."""
    given = os.environ.get(SECRET_FILE_VARIABLE) or CourseSecret(config=config).file
    if given:
        return Path(given).expanduser()
    return Path.home() / ".config" / "learning-rate-lab" / f"{course_id}.secret"


def _usable(secret: bytes, where: str) -> bytes:
    secret = secret.strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise MissingSecret(f"the course secret in {where} is shorter than "
                            f"{MIN_SECRET_BYTES} characters; create a new one with "
                            "`python -m autograder secret --create`.")
    return secret


def load_secret(config: Any, course_id: str) -> bytes:
    """The course secret, from the environment or its file; `MissingSecret` if there is none."""
    value = os.environ.get(SECRET_VARIABLE)
    if value:
        return _usable(value.encode("utf-8"), f"${SECRET_VARIABLE}")
    path = secret_path(config, course_id)
    try:
        return _usable(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise MissingSecret(
            f"there is no course secret (it decides each student's hidden cases). Create one "
            f"with `python -m autograder secret --create` (it writes {path}) or set "
            f"${SECRET_VARIABLE}, and back it up with the gradebook.") from None
    except OSError as error:
        raise MissingSecret(f"the course secret {path} cannot be read "
                            f"({error.strerror}).") from None


def create_secret(path: Path) -> Path:
    """Write a new random secret to `path` (owner-only), refusing to overwrite one."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, stat.S_IRUSR | stat.S_IWUSR)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; a course keeps its secret for the whole "
                              "term (a new one would change every student's hidden cases)."
                              ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path
