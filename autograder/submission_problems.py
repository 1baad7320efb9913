"""Plain words for a submission the grader will not, or nbgrader could not, read.

Two moments:

- before nbgrader sees a submission, `describe_unsafe_submission` refuses what must never reach
  it: a folder whose name is not a usable student id (nbgrader globs `submitted/{student}/…`,
  so `*` or `name[1]` would select classmates' folders), a symbolic link or special file
  anywhere in the folder (nbgrader follows links when it reads and copies), a notebook over
  the size limit;
- when `nbgrader autograde` refuses a submission, its log ends in lines such as "Removing failed
  assignment: /abs/path" — true, but not a reason. `describe_unreadable_submission` looks at the
  submitted files the way nbgrader reads them and says what is wrong: nothing submitted, no
  notebook of that name, not UTF-8, not JSON, nested too deeply, another notebook format,
  grade ids missing or repeated.

Every answer is one sentence from the grader's own words and the file names the grader gave;
nothing written by the student (file contents, other files' names) is ever repeated.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Collection
from pathlib import Path

from autograder.notebook_file import (
    RefusedFile,
    SubmissionLimits,
    notebook_problem,
    read_submitted_file,
)
from autograder.student_ids import validate_student_id

__all__ = ["describe_refused_folder", "describe_unreadable_submission",
           "describe_unsafe_submission", "source_grade_ids"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _link_or_special_file(folder: Path) -> str | None:
    """Why the submission folder cannot be handed to nbgrader (it reads and copies through
    links), or None."""
    for current, directories, files in os.walk(folder, followlinks=False):
        for name in directories + files:
            mode = os.lstat(os.path.join(current, name)).st_mode
            if stat.S_ISLNK(mode):
                return ("the submission folder holds a symbolic link, and links are never "
                        "followed; collect the submission again from the student's files.")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                return ("the submission folder holds a special file (a device, pipe or socket); "
                        "collect the submission again from the student's files.")
    return None


def describe_refused_folder(student: str) -> str | None:
    """Why a folder of `submitted/` whose name is no student id is refused, or None."""
    problem = validate_student_id(student)
    if problem:
        return f"the submission folder's name is refused: {problem[0].lower()}{problem[1:]}"
    return None


def describe_unsafe_submission(submitted_dir: Path, student: str, assignment: str,
                               notebooks: list[str], limits: SubmissionLimits) -> str | None:
    """Why `submitted/<student>/<assignment>/` must not be handed to nbgrader at all, in one
    sentence, or None. Nothing is read but the folder's entries and the notebooks' sizes."""
    refused = describe_refused_folder(student)
    if refused:
        return refused
    try:
        for path in (submitted_dir / student, submitted_dir / student / assignment):
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                return ("the submission folder is a symbolic link, and links are never "
                        "followed; collect the submission again from the student's files.")
            if not stat.S_ISDIR(mode):
                return "nothing was submitted (the submission folder is not a folder)."
        folder = submitted_dir / student / assignment
        problem = _link_or_special_file(folder)
        if problem:
            return problem
        for name in notebooks:
            path = folder / f"{name}.ipynb"
            if path.is_file() and path.stat().st_size > limits.max_notebook_bytes:
                return limits.too_large(path.name, path.stat().st_size)
    except FileNotFoundError:
        return None  # nothing submitted: nbgrader's own run reports it
    except OSError as error:
        return f"the submission folder could not be read ({error.strerror or 'error'})."
    return None


def source_grade_ids(source_dir: Path, assignment: str) -> set[str]:
    """The grade ids of the instructor's notebooks: the only grade ids a reason may name."""
    grade_ids = set()
    for path in sorted((source_dir / assignment).glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if isinstance(grade_id, str):
                grade_ids.add(grade_id)
    return grade_ids


def _missing_notebook(name: str, files: list[Path]) -> str:
    notebooks = [f for f in files if f.suffix == ".ipynb"]
    if notebooks:
        return (f"no notebook named {name}.ipynb was submitted, only "
                f"{_plural(len(notebooks), 'notebook')} under another name; "
                "collect it again (collect renames it).")
    return (f"no notebook named {name}.ipynb was submitted (the folder holds "
            f"{_plural(len(files), 'other file')}, none a notebook).")


def describe_unreadable_submission(folder: Path, notebooks: list[str],
                                   limits: SubmissionLimits | None = None,
                                   known_grade_ids: Collection[str] = ()) -> str | None:
    """What is wrong with the submission in `folder` (submitted/<student>/<assignment>/),
    given the assignment's notebook names, in one sentence; None if nothing obvious. Grade ids
    are named only when they are among `known_grade_ids` (see `source_grade_ids`)."""
    limits = limits or SubmissionLimits()
    try:
        if not folder.is_dir() or folder.is_symlink():
            return "nothing was submitted."
        files = sorted(p for p in folder.iterdir() if p.name != "timestamp.txt")
        if not files:
            return "the submission folder is empty."
        for name in notebooks:
            if not (folder / f"{name}.ipynb").exists():
                return _missing_notebook(name, files)
            try:
                data = read_submitted_file(f"{name}.ipynb", limits, path=folder / f"{name}.ipynb")
            except RefusedFile as refused:
                return str(refused)
            problem = notebook_problem(data, f"{name}.ipynb", limits, known_grade_ids)
            if problem:
                return problem
    except OSError as error:
        return f"the submission folder could not be read ({error.strerror or 'error'})."
    return None
