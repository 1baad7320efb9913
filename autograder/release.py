"""`release`: generate the student version of an assignment with nbgrader.

`nbgrader generate_assignment` clears solutions, removes hidden tests, locks cells, records
checksums and registers the assignment and its grade cells in the gradebook. The result lands in
`release/<assignment>/`, which is committed: students get exactly what the repository holds.
"""

from __future__ import annotations

from autograder.course import Course

__all__ = ["ReleaseError", "release_assignment"]


class ReleaseError(RuntimeError):
    """nbgrader could not generate an assignment; the message carries its log."""


def release_assignment(course: Course, assignment: str) -> list[str]:
    """Generate `release/<assignment>/` from `source/<assignment>/`; returns the notebook paths."""
    course.notebooks(assignment)  # a clear error for an unknown assignment
    result = course.api.generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        detail = (result.get("log") or "") + (result.get("error") or "")
        raise ReleaseError(f"nbgrader could not generate {assignment}:\n{detail.strip()}")
    folder = course.release_dir / assignment
    return sorted(str(p.relative_to(course.root)) for p in folder.glob("*.ipynb"))
