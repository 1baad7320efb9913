"""A submission too large to send to a worker is failed in one sentence, before it is sent.

An execution task carries the submission's files as bytes (`autograder.execution`), so a
student who hands in a huge data file beside the notebook would make grading read and ship it.
`c.SubmissionLimits.max_submission_bytes` bounds that: the submission is reported as failed with
the sizes, nothing of it is executed, and the batch goes on with the next student.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import make_course_copy

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.samples import write_inbox

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"


def test_a_submission_over_the_size_limit_is_refused_before_it_is_sent(tmp_path):
    root = make_course_copy(tmp_path / "course")
    with (root / "nbgrader_config.py").open("a") as config:
        config.write("\nc.SubmissionLimits.max_submission_bytes = 2 * 1024**2\n")
    course = Course(root)
    release_assignment(course, ASSIGNMENT)
    inbox = tmp_path / "inbox"
    write_inbox(course, ASSIGNMENT, inbox)
    for folder in inbox.iterdir():
        if folder.name not in ("s02_blank", "s01_solution"):
            shutil.rmtree(folder)
    collect_submissions(course, ASSIGNMENT, inbox)
    with (course.submitted_dir / "s02_blank" / ASSIGNMENT / "weights.bin").open("wb") as big:
        big.truncate(3 * 2**20)

    statuses = grade_assignment(course, ASSIGNMENT, ["s02_blank", "s01_solution"],
                                options=GradingOptions(progress=False))
    refused, graded = statuses
    assert refused.failed and not graded.failed  # the batch went on
    assert refused.message.startswith(  # the 3 MiB file and the prepared notebook
        "the submission (its notebook and the files handed in with it) is 3.")
    assert refused.message.endswith(
        "MiB, over the 2 MiB limit for what grading sends to a worker; ask for it again without "
        "large data files, or raise c.SubmissionLimits.max_submission_bytes.")
    executed = course.grading_dir / "executed" / ASSIGNMENT
    assert not (executed / "s02_blank").exists() and (executed / "s01_solution").is_dir()
