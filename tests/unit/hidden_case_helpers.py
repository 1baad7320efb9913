"""The hidden cases of an assignment as the tests see them: every pooled case, the cases drawn
for a student with the tests' course secret, and a scan of the student runtime for them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import REPO

from autograder.hidden import course_pools
from autograder.hidden.draw import draw_cases


def every_pooled_case(assignment: str) -> dict[str, list[dict]]:
    """Every case of every hidden pool of the assignment's committed pools file: what no student
    runs at once, and every correct answer must pass."""
    return {name: [*pool.always, *pool.candidates]
            for name, pool in course_pools(REPO, assignment).items()}


def cases_drawn_for(assignment: str, student: str,
                    course_id: str = "lrlab") -> dict[str, list[dict]]:
    """The hidden cases the grader draws for `student` in a course named `course_id`, with the
    tests' course secret."""
    secret = os.environ["LRLAB_COURSE_SECRET"].encode()
    return draw_cases(course_pools(REPO, assignment), secret, course_id, assignment, student)


def package_source(module) -> str:
    """The text of every module of the package `module` belongs to (what ships to students for
    an assignment's checks: `lrchecks.psNN`)."""
    return "".join(path.read_text(encoding="utf-8")
                   for path in sorted(Path(module.__file__).parent.glob("*.py")))


def assert_no_case_written_in(source: str, cases: dict[str, list[dict]], *,
                              each_named_value: bool = True) -> None:
    """No parameters of a hidden case ({pool: cases}) are written in `source` as JSON — nor,
    with `each_named_value`, any one value of parameters given by name — where the JSON is long
    enough (over 12 characters) not to stand there by chance."""
    for name, pool_cases in cases.items():
        for case in pool_cases:
            params = case["params"]
            pieces = ([json.dumps(value) for value in params.values()]
                      if each_named_value and isinstance(params, dict) else [json.dumps(params)])
            for text in pieces:
                if len(text) > 12:
                    assert text[1:-1] not in source, name
