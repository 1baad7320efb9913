"""`secret` and `cases`: the instructor's commands for the course secret and the hidden cases.

    python -m autograder secret --create        # once per course; back the file up
    python -m autograder secret                 # where the secret is (never prints it)
    python -m autograder cases ps01_constant_lr --student alice   # a regrade dispute
"""

from __future__ import annotations

import json
from typing import Any

import nbformat

from autograder.course import Course
from autograder.hidden import cases_for, course_pools, pool_specs
from autograder.hidden.secret import SECRET_VARIABLE, create_secret, secret_path

__all__ = ["show_secret", "show_cases"]


def show_secret(course: Course, create: bool) -> int:
    """Create the course secret (`create`) or say where it is; never print it."""
    import os

    course_id = str(course.config.CourseDirectory.course_id)
    path = secret_path(course.config, course_id)
    if create:
        create_secret(path)
        print(f"created the course secret {path} (owner-only). Back it up with the gradebook: "
              "without it a regrade draws other hidden cases.")
        return 0
    if os.environ.get(SECRET_VARIABLE):
        print(f"the course secret comes from ${SECRET_VARIABLE}")
    elif path.is_file():
        print(f"the course secret is {path}")
    else:
        print(f"no course secret yet: `python -m autograder secret --create` writes {path}")
        return 1
    return 0


def _case_line(case: dict[str, Any]) -> str:
    return f"    {case['kind']}: {json.dumps(case['params'], ensure_ascii=False)}"


def show_cases(course: Course, assignment: str, students: list[str]) -> int:
    """Print the hidden cases each student's graded submission ran (the instructor's view:
    values included). The cases depend on the submission, so only a graded one has them."""
    from autograder.execution import notebook_fingerprint

    notebooks = course.notebooks(assignment)
    if not pool_specs(assignment) and not course_pools(course.root, assignment):
        print(f"{assignment} has no hidden cases drawn per student.")
        return 0
    for student in students:
        for notebook in notebooks:
            sanitised = course.autograded_dir / student / assignment / f"{notebook}.ipynb"
            if not sanitised.is_file():
                print(f"{student} — {assignment}: not graded yet (the cases are drawn for the "
                      "submission grading prepares)")
                continue
            key = notebook_fingerprint(nbformat.read(sanitised, as_version=4))
            print(f"{student} — {assignment}/{notebook}.ipynb")
            for pool, cases in cases_for(course, assignment, student, key).items():
                print(f"  {pool}")
                for case in cases:
                    print(_case_line(case))
    return 0
