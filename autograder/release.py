"""`release`: generate the student version of an assignment with nbgrader.

`nbgrader generate_assignment` clears solutions, removes hidden tests, locks cells, records
checksums and registers the assignment and its grade cells in the gradebook. The result lands in
`release/<assignment>/`, which is committed: students get exactly what the repository holds.

A release that fails keeps the previous one. nbgrader with `force` deletes the release folder
before it starts and again when it fails, so the new version is generated into a staging folder
in the course directory (nbgrader's own `CourseDirectory.release_directory`) and moved into
`release/<assignment>/` only once nbgrader succeeded; the assignment's hidden-case pools
(`hidden_cases/<assignment>.json`, rebuilt by every release) are put back as they were. The
refusal is one sentence: the reason (the course's checks of the source notebook, or nbgrader's)
and what to do — for a graded cell added or removed after submissions were graded, which
nbgrader refuses, the command that handles it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.course import Course
from autograder.interrupts import raise_if_interrupted

__all__ = ["ReleaseError", "NotReleased", "release_assignment", "explain_release_failure",
           "require_released", "STAGING_PREFIX"]

STAGING_PREFIX = ".release-staging-"
"""Folders in the course directory that hold a release while nbgrader generates it."""

_EXCEPTION_LINE = re.compile(r"^\s*(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*(?:Error|Exception)): (.+)$",
                             re.MULTILINE)
_CELLS_AFTER_SUBMISSIONS = ("Cannot add or remove cells for notebook",
                            "Cannot modify existing assignment")
"""nbgrader's refusals to add or remove cells or notebooks once the gradebook holds
submissions (`SaveCells`, `GenerateAssignment._clean_old_notebooks`)."""
_NBGRADER_SUMMARY = "Please see the"
_CANNOT_BE_RELEASED = re.compile(r"^(\S+\.ipynb) cannot be released: ")
_MAX_REASON = 400


class ReleaseError(RuntimeError):
    """nbgrader did not generate an assignment; the message says why and what to do, and the
    previous release is untouched."""


class NotReleased(RuntimeError):
    """An assignment to grade is not in the gradebook: it was never released into it."""


def require_released(course: Course, assignments: Sequence[str]) -> None:
    """Refuse, before anything runs, to grade assignments the gradebook does not hold (a new
    gradebook, e.g. another `--db-url`, gets each assignment from `release` first)."""
    from nbgrader.api import MissingEntry

    from autograder.grading_state import url_without_password

    missing = []
    with course.gradebook() as gradebook:
        for assignment in assignments:
            try:
                gradebook.find_assignment(assignment)
            except MissingEntry:
                missing.append(assignment)
    if missing:
        raise NotReleased(
            f"refusing to grade {', '.join(missing)}: the gradebook "
            f"{url_without_password(course.gradebook_url)} does not hold "
            f"{'it' if len(missing) == 1 else 'them'}; run `release {missing[0]}` with the "
            "same gradebook (--db-url) first.")


def _db_option(course: Course) -> str:
    if not course.db_url:
        return ""
    from autograder.grading_state import url_without_password

    return f" --db '{url_without_password(course.db_url)}'"


def explain_release_failure(result: dict, course: Course, assignment: str,
                            log_path: Path | None = None) -> str:
    """One sentence for a failed `generate_assignment` (`result`: nbgrader's `capture_log`
    dictionary): why, that the previous release is kept, and what to do."""
    text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
    kept = f"release/{assignment}/ is unchanged"
    if any(refusal in text for refusal in _CELLS_AFTER_SUBMISSIONS):
        return (f"{assignment} was not released: nbgrader cannot add or remove a graded or "
                f"locked cell once the gradebook holds graded submissions of {assignment}, so "
                f"{kept} — to grade everyone on the new version, run `nbgrader db assignment "
                f"remove {assignment} --force{_db_option(course)}` in the course directory (it "
                f"deletes {assignment}'s grades, manual ones included), then `release "
                f"{assignment}` and `grade {assignment}` again; to keep the grades, put the new "
                "task in a new assignment instead.")
    reasons = [message.strip() for _name, message in _EXCEPTION_LINE.findall(text)
               if not message.startswith(_NBGRADER_SUMMARY)]
    if reasons:
        reason = _CANNOT_BE_RELEASED.sub(r"\1: ", reasons[0].rstrip("."))
        if len(reason) > _MAX_REASON:
            reason = reason[:_MAX_REASON].rstrip() + "…"
        return (f"{assignment} was not released: {reason}; {kept} — fix "
                f"source/{assignment}/ and run `release {assignment}` again.")
    where = f" (its log: {log_path})" if log_path else ""
    return (f"{assignment} was not released: nbgrader could not generate it{where}; {kept} — "
            f"fix source/{assignment}/ and run `release {assignment}` again.")


def _generate_into(course: Course, assignment: str, staging: Path) -> dict:
    """nbgrader's `generate_assignment` with its release directory pointed at `staging`."""
    coursedir = course.api.coursedir
    previous = coursedir.release_directory
    coursedir.release_directory = staging.name
    try:
        result = course.api.generate_assignment(assignment, force=True, create=True)
    finally:
        coursedir.release_directory = previous
    raise_if_interrupted()  # nbgrader's capture_log swallows a Ctrl-C (autograder/interrupts)
    return result


def _release_folder(course: Course, release_directory: str, assignment: str) -> Path:
    """Where nbgrader puts an assignment's release (its own `directory_structure`)."""
    return Path(course.api.coursedir.format_path(release_directory, ".", assignment))


def _swap_in(staged: Path, target: Path, staging: Path) -> None:
    """Put `staged` where `target` is; the old release goes into `staging` (removed later)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = staging / ".previous"
    if target.exists():
        os.replace(target, previous)
    try:
        os.replace(staged, target)
    except OSError:
        if previous.exists():
            os.replace(previous, target)
        raise


def _keep_log(result: dict, course: Course, assignment: str) -> Path:
    path = course.grading_dir / "logs" / "releases" / f"{assignment}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{result.get('log') or ''}\n{result.get('error') or ''}", encoding="utf-8")
    return path


def release_assignment(course: Course, assignment: str) -> list[str]:
    """Generate `release/<assignment>/` from `source/<assignment>/`; returns the notebook
    paths. Raises `ReleaseError` (one sentence) when nbgrader or the course's checks refuse,
    leaving the previous release and hidden-case pools as they were."""
    from autograder.hidden.pools import pools_path
    from autograder.release_history import record_release

    course.notebooks(assignment)  # a clear error for an unknown assignment
    record_release(course, assignment)  # the release about to be replaced, if not yet known
    pools = pools_path(course.root, assignment)
    pools_before = pools.read_bytes() if pools.is_file() else None
    target = _release_folder(course, course.api.coursedir.release_directory, assignment)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=course.root))
    try:
        result = _generate_into(course, assignment, staging)
        staged = _release_folder(course, staging.name, assignment)
        if not result.get("success") or not staged.is_dir():
            if pools_before is None:
                pools.unlink(missing_ok=True)
            else:
                pools.write_bytes(pools_before)
            log = _keep_log(result, course, assignment)
            raise ReleaseError(explain_release_failure(result, course, assignment,
                                                       log.relative_to(course.root)))
        _swap_in(staged, target, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record_release(course, assignment)
    return sorted(str(p.relative_to(course.root)) for p in target.glob("*.ipynb"))
