"""Where a gradebook's grading state lives: its ledger and its executed notebooks.

nbgrader's gradebook holds the scores; beside it `grade` keeps its own state — the ledger
(`autograder.status`: graded or failed, and why) and the executed notebooks that the scoring
step reads (`autograder.replay_execution`) and a resumed batch reuses (`autograder.resume`).
That state belongs to one gradebook: grading with `--db-url postgresql://…` must not overwrite what
grading into the course's `gradebook.db` recorded, and `export`, `report` and `feedback` must read
the ledger of the gradebook they read the scores from. So each gradebook has its own folder:

- the course's own SQLite gradebook (`gradebook.db` in the course directory, what
  `nbgrader_config.py` names by default): `.grading/` itself, where it has always been;
- any other gradebook: `.grading/gradebooks/<kind>-<hash>/`, the hash taken from its URL
  without the password (a changed password keeps the ledger; the folder name tells nothing),
  with `gradebook.txt` naming that URL for the instructor.

A SQLite gradebook elsewhere in the course directory is named by its path inside the course,
so the course folder can move without losing the ledger.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

__all__ = ["COURSE_GRADEBOOK", "gradebook_key", "grading_state_dir", "executed_dir",
           "label_grading_state", "url_without_password", "copy_grading_state"]

COURSE_GRADEBOOK = "gradebook.db"
"""The course's own SQLite gradebook, in the course directory (nbgrader_config.py's default)."""
GRADEBOOKS = "gradebooks"
LABEL = "gradebook.txt"
_SECRET_QUERY_KEYS = {"password", "passfile", "sslpassword"}


def url_without_password(db_url: str) -> str:
    """The gradebook URL with its password (in the URL or its query) left out."""
    url = make_url(db_url)
    query = {key: value for key, value in url.query.items()
             if key.lower() not in _SECRET_QUERY_KEYS}
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      query).render_as_string(hide_password=False)


def _sqlite_file(db_url: str) -> Path | None:
    """The file of a SQLite gradebook (relative paths as SQLAlchemy reads them: from the
    working directory), None for another database or an in-memory one."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().resolve()


def _is_course_gradebook(db_url: str, course_root: Path) -> bool:
    return _sqlite_file(db_url) == (Path(course_root) / COURSE_GRADEBOOK).resolve()


def gradebook_key(db_url: str, course_root: Path) -> str:
    """A short folder name for a gradebook: its kind and a hash of its URL without password.

    >>> gradebook_key("postgresql://grader:one@db/lrlab", Path("/c")) == \\
    ...     gradebook_key("postgresql://grader:two@db/lrlab", Path("/c"))
    True
    >>> gradebook_key("postgresql://grader@db/lrlab", Path("/c")).startswith("postgresql-")
    True
    """
    url = make_url(db_url)
    identity = url_without_password(db_url)
    sqlite_file = _sqlite_file(db_url)
    root = Path(course_root).resolve()
    if sqlite_file is not None and sqlite_file.is_relative_to(root):
        identity = f"sqlite:///<course>/{sqlite_file.relative_to(root).as_posix()}"
    elif sqlite_file is not None:
        identity = f"sqlite:///{sqlite_file.as_posix()}"
    kind = re.sub(r"[^a-z0-9]+", "", url.get_backend_name().lower()) or "db"
    return f"{kind}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:12]}"


def grading_state_dir(course: Any) -> Path:
    """The folder of the grading state of the gradebook `course` uses (see the module's
    docstring): `.grading/` for the course's own gradebook.db, else
    `.grading/gradebooks/<key>/`."""
    url = course.gradebook_url
    if _is_course_gradebook(url, course.root):
        return Path(course.grading_dir)
    return Path(course.grading_dir) / GRADEBOOKS / gradebook_key(url, course.root)


def executed_dir(course: Any) -> Path:
    """Where `grade` keeps the executed notebooks of the gradebook `course` uses."""
    return grading_state_dir(course) / "executed"


def label_grading_state(course: Any) -> Path:
    """Create the gradebook's state folder and, for a gradebook other than the course's own,
    write `gradebook.txt` naming its URL (without password); returns the folder."""
    folder = grading_state_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    if folder != Path(course.grading_dir):
        label = folder / LABEL
        text = (f"The grading state (ledger, executed notebooks) of the gradebook "
                f"{url_without_password(course.gradebook_url)}\n")
        if not label.is_file() or label.read_text(encoding="utf-8") != text:
            label.write_text(text, encoding="utf-8")
    return folder


def copy_grading_state(source: Any, target: Any) -> Path:
    """Give the gradebook of `target` the ledger and executed notebooks of the gradebook of
    `source`, once its records were copied into it (moving a course's gradebook, e.g. SQLite to
    PostgreSQL); returns the target's folder. Entries the target already has are overwritten."""
    origin, destination = grading_state_dir(source), label_grading_state(target)
    for part in ("status", "executed"):
        if (origin / part).is_dir():
            shutil.copytree(origin / part, destination / part, dirs_exist_ok=True)
    return destination
