"""A refused `release` keeps the previous release and says what to do; a submission made from an
earlier release is graded, with a note saying so — through the real commands.

nbgrader's `generate_assignment --force` deletes `release/<assignment>/` first, and again when it
fails; once the gradebook holds graded submissions it refuses to add or remove a graded cell
("Cannot add or remove cells … because there are submissions associated with it"), and
`nbgrader db assignment remove <assignment> --force` is what lets it release again.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import run_cli
from nbformat.v4 import new_code_cell

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.grading_state import grading_state_dir
from autograder.release import STAGING_PREFIX
from autograder.samples import build_notebook, samples_for
from autograder.status import read_status

pytestmark = [pytest.mark.grading, pytest.mark.slow, pytest.mark.timeout(900)]
ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = "ps01_constant_lr"
NEW_TEST = "test_added_after_release"


def released_files(course: Course) -> dict[str, bytes]:
    files = {str(p.relative_to(course.root)): p.read_bytes()
             for p in (course.release_dir / ASSIGNMENT).rglob("*") if p.is_file()}
    pools = course.root / "hidden_cases" / f"{ASSIGNMENT}.json"
    return {**files, "pools": pools.read_bytes()}


def edit_source(course: Course, change) -> None:
    path = course.source_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def add_test_cell(nb) -> None:
    """A second, judged test cell: a new task after the release."""
    (model,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "test_divergence_threshold_on_paper"]
    added = copy.deepcopy(model)
    added.id = "added-after-release"
    added.metadata.nbgrader.grade_id = NEW_TEST
    nb.cells.insert(nb.cells.index(model) + 1, added)


def hand_in_solution(course: Course, student: str = "alice") -> None:
    inbox = course.root / "inbox" / student
    inbox.mkdir(parents=True)
    solution = samples_for(ASSIGNMENT)[0]
    nbformat.write(build_notebook(course, ASSIGNMENT, NOTEBOOK, solution),
                   inbox / f"{NOTEBOOK}.ipynb")
    assert collect_submissions(course, ASSIGNMENT, course.root / "inbox").collected


def assert_one_plain_line(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "Removing" not in err


def test_a_refused_release_keeps_the_previous_release(course_copy, capsys):
    assert run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    before = released_files(course_copy)
    edit_source(course_copy, lambda nb: nb.cells.append(new_code_cell(
        "assert True", metadata={"nbgrader": {"grade": True, "grade_id": "test_plain_assert",
                                              "locked": True, "points": 1, "solution": False,
                                              "schema_version": 3, "task": False}})))

    code, _out, err = run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)

    assert code == 2
    assert_one_plain_line(err)
    assert "test_plain_assert" in err
    assert f"release/{ASSIGNMENT}/ is unchanged" in err and f"fix source/{ASSIGNMENT}/" in err
    assert released_files(course_copy) == before
    assert not list(course_copy.root.glob(f"{STAGING_PREFIX}*"))


def assert_released_and_graded_with_a_note(course: Course, capsys, change: str) -> None:
    """`release` then `grade` succeed, and alice's submission, made from the earlier release, is
    graded with a note naming the `change` since ("1 locked cell changed")."""
    assert run_cli(course, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    code, out, err = run_cli(course, "grade", ASSIGNMENT, "--quiet", capsys=capsys)
    assert code == 0 and "FAILED" not in out and "Removing failed assignment" not in out + err
    status = read_status(grading_state_dir(course), ASSIGNMENT, "alice")
    assert status.status == "graded"
    assert status.message == (f"{NOTEBOOK}.ipynb was made from an earlier release of the "
                              f"assignment ({change} since) and was graded with the "
                              "current release's cells")


def test_a_task_added_after_grading_is_refused_with_the_command_that_handles_it(course_copy,
                                                                                capsys):
    assert run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    hand_in_solution(course_copy)
    assert run_cli(course_copy, "grade", ASSIGNMENT, "--quiet", capsys=capsys)[0] == 0
    before = released_files(course_copy)
    edit_source(course_copy, add_test_cell)

    code, _out, err = run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)

    assert code == 2
    assert_one_plain_line(err)
    command = f"nbgrader db assignment remove {ASSIGNMENT} --force"
    assert f"`{command}`" in err and f"release/{ASSIGNMENT}/ is unchanged" in err
    assert released_files(course_copy) == before

    # the command it names does let the new version out, and the old submission is graded on it
    nbgrader = Path(sys.executable).with_name("nbgrader")
    subprocess.run([str(nbgrader), *command.split()[1:]], cwd=course_copy.root, check=True,
                   capture_output=True, timeout=300)
    assert_released_and_graded_with_a_note(course_copy, capsys, "1 graded cell added")
    with course_copy.gradebook() as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "alice")
        scores = {grade.name: grade.auto_score for notebook in submission.notebooks
                  for grade in notebook.grades}
    assert scores[NEW_TEST] == 1.0  # the new task was put in, run and judged


def test_a_submission_made_before_a_locked_cell_changed_is_graded_with_a_plain_note(
        course_copy, capsys):
    assert run_cli(course_copy, "release", ASSIGNMENT, capsys=capsys)[0] == 0
    hand_in_solution(course_copy)

    def change_setup(nb) -> None:
        (setup,) = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
        setup.source += "\n# seeded once for the whole notebook"

    edit_source(course_copy, change_setup)

    assert_released_and_graded_with_a_note(course_copy, capsys, "1 locked cell changed")
    assert run_cli(course_copy, "export", "--to", str(course_copy.root / "g.csv"),
               capsys=capsys)[0] == 0
    assert "made from an earlier release" in (course_copy.root / "g.csv").read_text()
