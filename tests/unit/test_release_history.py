"""A submission made from an earlier release is recognised and described in counts, never by
what its file says; a student's own change is not blamed on a release."""

from __future__ import annotations

import copy

import nbformat
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import compute_checksum

from autograder.release_history import older_release_note, record_release, release_history

ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = "ps01_constant_lr"


def cell(grade_id: str, source: str, grade: bool = False) -> nbformat.NotebookNode:
    meta = {"grade_id": grade_id, "locked": True, "grade": grade, "solution": False,
            "schema_version": 3, "task": False}
    if grade:
        meta["points"] = 1
    made = new_code_cell(source, metadata={"nbgrader": meta})
    made.metadata.nbgrader.checksum = compute_checksum(made)
    return made


FIRST = new_notebook(cells=[cell("setup", "import numpy as np"),
                            cell("answer_check", "check(answer)", grade=True)])


def release(course, nb) -> None:
    folder = course.release_dir / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    record_release(course, ASSIGNMENT)


def submit(course, nb, student: str = "alice") -> None:
    folder = course.submitted_dir / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")


def note(course, student: str = "alice") -> str:
    return older_release_note(course, ASSIGNMENT, student, [NOTEBOOK])


def test_a_submission_from_the_current_release_gets_no_note(course_copy):
    release(course_copy, FIRST)
    submit(course_copy, FIRST)
    assert note(course_copy) == ""
    assert len(release_history(course_copy, ASSIGNMENT)) == 1
    release(course_copy, FIRST)  # the same release again is not a new one
    assert len(release_history(course_copy, ASSIGNMENT)) == 1


def test_a_locked_cell_changed_by_a_later_release_is_not_blamed_on_the_student(course_copy):
    release(course_copy, FIRST)
    submit(course_copy, FIRST)
    second = copy.deepcopy(FIRST)
    second.cells[0] = cell("setup", "import numpy as np\nimport torch")
    release(course_copy, second)
    assert note(course_copy) == (
        f"{NOTEBOOK}.ipynb was made from an earlier release of the assignment (1 locked cell "
        "changed since) and was graded with the current release's cells")


def test_a_test_cell_added_by_a_later_release_is_named_as_such(course_copy):
    release(course_copy, FIRST)
    submit(course_copy, FIRST)
    second = copy.deepcopy(FIRST)
    second.cells.append(cell("new_check", "check(more)", grade=True))
    release(course_copy, second)
    assert "(1 graded cell added since)" in note(course_copy)


def test_a_student_who_deletes_a_test_cell_is_not_taken_for_an_earlier_release(course_copy):
    release(course_copy, FIRST)
    trimmed = copy.deepcopy(FIRST)
    del trimmed.cells[1]
    submit(course_copy, trimmed)
    assert note(course_copy) == ""  # nbgrader's own restore note says what happened


def test_a_student_edit_on_top_of_an_earlier_release_is_counted_apart(course_copy):
    release(course_copy, FIRST)
    edited = copy.deepcopy(FIRST)
    edited.cells[1].source = "print('all tests passed')"
    submit(course_copy, edited)
    second = copy.deepcopy(FIRST)
    second.cells[0] = cell("setup", "import numpy as np  # seeded")
    release(course_copy, second)
    assert note(course_copy).endswith("; besides, 1 locked cell had been changed by the student "
                                      "and was put back")


def test_forged_metadata_never_reaches_the_note(course_copy):
    release(course_copy, FIRST)
    forged = copy.deepcopy(FIRST)
    forged.cells[0].metadata.nbgrader = "<script>alert(1)</script>"
    forged.cells[1].metadata.nbgrader.grade_id = "<img src=x onerror=alert(1)>"
    forged.cells.append(new_code_cell("x", metadata={"nbgrader": {"grade_id": 7, "locked": 1,
                                                                  "checksum": ["x"]}}))
    submit(course_copy, forged)
    second = copy.deepcopy(FIRST)
    second.cells[0] = cell("setup", "import numpy as np\nimport torch")
    release(course_copy, second)
    text = note(course_copy)
    assert "<" not in text and "alert" not in text
    (course_copy.submitted_dir / "alice" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").write_text("{not json")
    assert note(course_copy) == ""


def test_a_release_file_is_parsed_once_per_content_and_again_when_it_changes(course_copy):
    from autograder.release_history import _released_file_checksums

    _released_file_checksums.cache_clear()
    release(course_copy, FIRST)
    for student in ("alice", "bob", "carol"):
        submit(course_copy, FIRST, student)
        assert note(course_copy, student) == ""
    assert _released_file_checksums.cache_info().misses == 1  # parsed once for 3 submissions
    changed = copy.deepcopy(FIRST)
    changed.cells[0] = cell("setup", "import numpy as nq")  # the same size, at once
    release(course_copy, changed)
    assert "1 locked cell changed" in note(course_copy, "alice")
    assert _released_file_checksums.cache_info().misses == 2
