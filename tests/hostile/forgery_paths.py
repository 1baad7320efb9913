"""The forgery corpus's grading paths, and what grading leaves behind to read.

- `nbgrader_autograde`: the real `nbgrader autograde` command line in a subprocess, in a copy of
  the course, with the course secret in a file (`LRLAB_COURSE_SECRET_FILE`);
- `formgrader_autograde`: a Jupyter server with nbgrader's formgrader on 127.0.0.1, with a token,
  as a subprocess (`tests/browser/lab_session.py`), and one POST per student to the endpoint the
  Formgrader's *Autograde* button calls; the course secret in the server's home;
- `scores_per_test`, `cell_output_texts`, `feedback_text`, `files_holding`: the gradebook's scores,
  the autograded notebook's outputs, the feedback page's text, and which files hold a string.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from conftest import REPO

from autograder.course import Course

__all__ = ["PathResult", "nbgrader_autograde", "formgrader_autograde", "new_secret",
           "write_secret_file", "scores_per_test", "cell_output_texts", "feedback_text",
           "files_holding", "grader_environment", "AUTOGRADE_ENDPOINT"]

AUTOGRADE_ENDPOINT = "formgrader/api/submission/{assignment}/{student}/autograde"
"""nbgrader's `AutogradeHandler` (server_extensions/formgrader/apihandlers.py): what the
Formgrader's *Autograde* button POSTs to."""
SECRET_VARIABLES = ("LRLAB_COURSE_SECRET", "LRLAB_COURSE_SECRET_FILE")


@dataclass
class PathResult:
    """What one grading path said: its output (log, responses) and, per student, whether it
    reports success."""

    output: str
    succeeded: dict[str, bool] = field(default_factory=dict)
    returncode: int | None = None


def new_secret(label: str) -> str:
    """A fresh course secret, recognisable in any text it leaks into."""
    return f"lrlab-{label}-secret-{secrets.token_hex(16)}"


def write_secret_file(path: Path, secret: str) -> Path:
    """The secret in an owner-only file, as `python -m autograder secret --create` writes it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return path


def grader_environment(**changes: str | None) -> dict[str, str]:
    """This process's environment without any course secret, the environment's `bin/` first
    on PATH (nbgrader runs `alembic`; kernels start from this Python), then `changes` (None
    removes a variable)."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def nbgrader_autograde(course: Course, assignment: str, env: Mapping[str, str],
                       timeout: float = 1800) -> PathResult:
    """`nbgrader autograde <assignment> --force` in the course, as an instructor types it."""
    command = [str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--force"]
    result = subprocess.run(command, cwd=course.root, env=dict(env), capture_output=True,
                            text=True, timeout=timeout)
    return PathResult(result.stdout + "\n" + result.stderr, returncode=result.returncode)


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """This process's environment replaced by `env` (the lab copies it when it starts)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _lab_session():  # noqa: ANN202 - a module
    folder = str(REPO / "tests" / "browser")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import lab_session

    return lab_session


def formgrader_autograde(course: Course, assignment: str, students: Sequence[str],
                         state: Path, env: Mapping[str, str],
                         timeout: float = 1800) -> PathResult:
    """Start JupyterLab (nbgrader's formgrader server extension) on 127.0.0.1 with a token in
    the course, POST the Formgrader's autograde request for each student in turn, stop it."""
    lab_session = _lab_session()
    responses, succeeded = [], {}
    with _environment(env):
        running = lab_session.running_lab(course.root, state)
        lab = running.__enter__()
    try:
        for student in students:
            path = AUTOGRADE_ENDPOINT.format(assignment=assignment, student=student)
            request = urllib.request.Request(
                f"http://127.0.0.1:{lab.port}/{path}", data=b"", method="POST",
                headers={"Authorization": f"token {lab.token}"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read().decode("utf-8")
            responses.append(body)
            succeeded[student] = bool(json.loads(body).get("success"))
    finally:
        running.__exit__(None, None, None)
    log = lab.log.read_text(encoding="utf-8", errors="replace")
    return PathResult("\n".join([*responses, log]), succeeded)


def scores_per_test(course: Course, assignment: str, student: str) -> dict[str, float | None]:
    """The autograded score of each test cell of the student's submission ({} if nbgrader
    never registered it)."""
    with course.gradebook() as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except Exception:  # never registered
            return {}
        return {grade.name: grade.auto_score for notebook in submission.notebooks
                for grade in notebook.grades if grade.cell.cell_type == "code"}


def _autograded(course: Course, assignment: str, student: str) -> nbformat.NotebookNode | None:
    path = course.autograded_dir / student / assignment / f"{assignment}.ipynb"
    return nbformat.read(path, as_version=4) if path.is_file() else None


def cell_output_texts(course: Course, assignment: str, student: str) -> str:
    """Every text of every output of the student's autograded notebook."""
    nb = _autograded(course, assignment, student)
    if nb is None:
        return ""
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts += [str(output.get("text", "")), str(output.get("ename", "")),
                      str(output.get("evalue", "")), "\n".join(output.get("traceback", [])),
                      json.dumps(output.get("data", {}), ensure_ascii=False)]
    return "\n".join(texts)


def feedback_text(course: Course, assignment: str, student: str) -> str:
    """The text of the student's feedback page, as a browser shows it (tags and
    highlighting removed, entities decoded)."""
    from bs4 import BeautifulSoup

    pages = sorted((course.root / "feedback" / student / assignment).glob("*.html"))
    return "\n".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()
                     for page in pages)


def files_holding(root: Path, needle: str) -> list[str]:
    """The files under `root` whose bytes contain `needle` (as UTF-8), relative to `root`."""
    wanted = needle.encode("utf-8")
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                if wanted in path.read_bytes():
                    found.append(str(path.relative_to(root)))
    return found
