"""One class of ps01, every hostile file of the audit in it, graded as ONE batch — and the honest
students beside them keep every point, their files, and their feedback.

The class is written straight into `submitted/`, as JupyterHub's exchange or an earlier collect
would leave it (collect itself is tested against the same files in
`tests/unit/test_collect_hostile.py`): folders named `name[1]`, `*`, `?`, `=1+2` beside an honest
`name1`; symbolic links to a classmate's notebook, into `source/`, to `/etc/passwd`, and a
student folder that is a link; JSON nested 100,000 and 600 levels deep; a sparse file one byte
over a lowered size limit; bytes that are not UTF-8; nbformat 3 and 5; a duplicated and a
missing grade id; an edited locked cell. The batch is graded once by `grade_assignment`, then the
attackers again alone, then the whole class again through the real commands (`grade`,
`feedback`, `export`, `report`). Every reason must be one plain sentence of the grader's — no
absolute path, no nbgrader warning line, nothing the student wrote.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, make_course_copy

from autograder.cli import main
from autograder.course import Course
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.samples import build_notebook, samples_for
from autograder.status import read_all_statuses

pytestmark = [
    pytest.mark.grading, pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::nbformat.warnings.MissingIDFieldWarning"),
]

ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
LIMIT = 1024 * 1024
MARK = "STUDENT-WROTE-THIS"
"""Written by the hostile students into their files: no reason may ever contain it."""
HONEST = ("name1", "s01_solution")
GLOB_IDS = ("name[1]", "*", "?", "=1+2")
FULL_MARKS = sum(
    float(cell.metadata["nbgrader"]["points"])
    for cell in nbformat.read(REPO / "source" / ASSIGNMENT / NOTEBOOK, 4).cells
    if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"))


@dataclass(frozen=True)
class Expected:
    status: str
    words: str
    score: float | None = None


EXPECTED = {
    "name1": Expected("graded", "", FULL_MARKS),
    "s01_solution": Expected("graded", "", FULL_MARKS),
    **{student: Expected("failed", "the submission folder's name is refused")
       for student in GLOB_IDS},
    "link_to_classmate": Expected("failed", "symbolic link"),
    "link_to_source": Expected("failed", "symbolic link"),
    "link_to_passwd": Expected("failed", "symbolic link"),
    "linked_folder": Expected("failed", "the submission folder is a symbolic link"),
    "deep_100000": Expected("failed", f"{NOTEBOOK} nests its JSON more than 100 levels deep"),
    "deep_600": Expected("failed", f"{NOTEBOOK} nests its JSON more than 100 levels deep"),
    "oversize": Expected("failed", f"{NOTEBOOK} is {LIMIT + 1:,} bytes, over the {LIMIT:,}-byte "
                         "limit for a notebook"),
    "not_utf8": Expected("failed", f"{NOTEBOOK} is not UTF-8 text"),
    "nbformat_3": Expected("graded", "", FULL_MARKS),
    "nbformat_5": Expected("failed", f"{NOTEBOOK} is saved in notebook format 5"),
    "duplicate_grade_id": Expected("failed", f"{NOTEBOOK} has several cells with the grade id "
                                   "test_gradient_descent_numpy"),
    "missing_grade_id": Expected("failed", f"{NOTEBOOK} has a cell marked for grading without a "
                                 "grade id"),
    "edited_locked_cell": Expected("graded", f"in {NOTEBOOK}, 1 cell the student may not change "
                                   "had been changed; nbgrader put the released cells back",
                                   FULL_MARKS),
}


def _index(nb, grade_id: str) -> int:
    return next(i for i, cell in enumerate(nb.cells)
                if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def hostile_files(solution) -> dict[str, bytes]:
    """The notebook bytes of every hostile student whose file is a file."""
    honest = nbformat.writes(solution).encode()
    files = {"deep_100000": b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
             + b"[" * 100_000 + b"]" * 100_000 + b"}"}
    data = json.loads(honest)
    data["metadata"][MARK] = json.loads("[" * 600 + json.dumps(MARK) + "]" * 600)
    files["deep_600"] = json.dumps(data).encode()
    files["not_utf8"] = honest.replace(b"def ", f"def \xff{MARK}".encode("latin-1"), 1)
    files["nbformat_3"] = nbformat.writes(nbformat.convert(copy.deepcopy(solution), 3),
                                          version=3).encode()
    data = json.loads(honest)
    data["nbformat"], data["metadata"][MARK] = 5, MARK
    files["nbformat_5"] = json.dumps(data).encode()
    nb = copy.deepcopy(solution)
    index = _index(nb, "test_gradient_descent_numpy")
    twin = nbformat.v4.new_code_cell(f'print("{MARK}: all good")')
    twin.metadata = copy.deepcopy(nb.cells[index].metadata)
    nb.cells.insert(index + 1, twin)
    files["duplicate_grade_id"] = nbformat.writes(nb).encode()
    nb = copy.deepcopy(solution)
    cell = nb.cells[_index(nb, "test_gradient_descent_numpy")]
    cell.source = f'print("{MARK}")'
    del cell.metadata.nbgrader["grade_id"]
    files["missing_grade_id"] = nbformat.writes(nb).encode()
    nb = copy.deepcopy(solution)
    nb.cells[_index(nb, "setup")].source += f'\nprint("{MARK}")\n'
    files["edited_locked_cell"] = nbformat.writes(nb).encode()
    return files


def write_class(course: Course) -> None:
    solution = next(s for s in samples_for(ASSIGNMENT) if s.student == "s01_solution")
    solution = build_notebook(course, ASSIGNMENT, ASSIGNMENT, solution)

    def folder(student: str) -> Path:
        path = course.submitted_dir / student / ASSIGNMENT
        path.mkdir(parents=True)
        (path / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
        return path

    for student in (*HONEST, *GLOB_IDS):
        nbformat.write(solution, folder(student) / NOTEBOOK)
    for student, data in hostile_files(solution).items():
        (folder(student) / NOTEBOOK).write_bytes(data)
    with (folder("oversize") / NOTEBOOK).open("wb") as sparse:
        sparse.truncate(LIMIT + 1)
    classmate = course.submitted_dir / "s01_solution" / ASSIGNMENT / NOTEBOOK
    (folder("link_to_classmate") / NOTEBOOK).symlink_to(classmate)
    (folder("link_to_source") / NOTEBOOK).symlink_to(course.source_dir / ASSIGNMENT / NOTEBOOK)
    (folder("link_to_passwd") / NOTEBOOK).symlink_to("/etc/passwd")
    (course.submitted_dir / "linked_folder").symlink_to(course.submitted_dir / "name1",
                                                        target_is_directory=True)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The class, graded once as one batch: (course, {student: GradingStatus})."""
    course_dir = make_course_copy(tmp_path_factory.mktemp("batch") / "course")
    with (course_dir / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.SubmissionLimits.max_notebook_bytes = {LIMIT}\n")
    course = Course(course_dir)
    release_assignment(course, ASSIGNMENT)
    write_class(course)
    statuses = grade_assignment(course, ASSIGNMENT,
                                options=GradingOptions(workers=2, progress=False))
    return course, {status.student: status for status in statuses}


def assert_plain_sentence(reason: str, course: Course) -> None:
    """One sentence of the grader's: no path of this machine, no log line, nothing written by
    the student, no traceback."""
    assert reason and "\n" not in reason and len(reason) < 400, reason
    assert str(course.root) not in reason and "/tmp" not in reason and "/etc" not in reason
    assert not re.search(r"(?:^|[\s(:])/\w", reason), reason  # no absolute path
    for never in ("[WARNING]", "[ERROR]", "Removing failed", "Traceback", MARK, "Error:"):
        assert never not in reason, reason
    assert len(re.split(r"(?<=[.;])\s+(?=[A-Z])", reason)) == 1, reason


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_the_whole_class_is_graded_in_one_batch(batch):
    course, statuses = batch
    assert set(statuses) == set(EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_student_gets_its_outcome_in_plain_words(batch, student):
    course, statuses = batch
    status, expected = statuses[student], EXPECTED[student]
    assert status.status == expected.status, status.message
    assert status.score == expected.score
    assert expected.words in status.message
    if status.message:
        assert_plain_sentence(status.message, course)


def test_honest_students_keep_every_point_and_nothing_else_is_scored(batch):
    course, statuses = batch
    with course.gradebook() as gradebook:
        scored = {s.student.id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert {s: scored[s] for s in HONEST} == {s: FULL_MARKS for s in HONEST}
    assert not set(scored) & {*GLOB_IDS, "link_to_classmate", "link_to_source",
                              "link_to_passwd", "linked_folder"}
    for student in ("link_to_classmate", "link_to_source", "link_to_passwd", "linked_folder"):
        assert not (course.autograded_dir / student).exists()


def test_nbgraders_own_log_is_kept_for_the_instructor_only(batch):
    course, statuses = batch
    log = course.grading_dir / "logs" / ASSIGNMENT / "missing_grade_id.log"
    assert "KeyError: 'grade_id'" in log.read_text(encoding="utf-8")
    assert "KeyError" not in statuses["missing_grade_id"].message


def test_glob_ids_never_touch_the_classmate_on_a_second_run(batch):
    course, _ = batch
    assert not generate_feedback(course, ASSIGNMENT, ["name1"])
    autograded = course.autograded_dir / "name1" / ASSIGNMENT / NOTEBOOK
    feedback = course.feedback_dir / "name1" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    before = digest(autograded), digest(feedback)

    again = grade_assignment(course, ASSIGNMENT, list(GLOB_IDS),
                             options=GradingOptions(progress=False))
    assert all(s.failed and "folder's name is refused" in s.message for s in again)
    assert generate_feedback(course, ASSIGNMENT, list(GLOB_IDS)) == []

    assert (digest(autograded), digest(feedback)) == before
    for student in GLOB_IDS:
        assert not (course.autograded_dir / student).exists()
        assert not (course.feedback_dir / student).exists()


def test_the_real_commands_run_through_the_whole_class_again(batch, capsys, tmp_path):
    course, first = batch
    root = str(course.root)
    assert main(["--course", root, "grade", ASSIGNMENT, "--quiet", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    failed_lines = [line for line in out.splitlines() if line.startswith("FAILED ")]
    assert len(failed_lines) == sum(s.failed for s in first.values())
    for line in failed_lines:
        assert_plain_sentence(line.split(": ", 1)[1], course)
    # a folder whose name is refused is reported above, never recorded: a ledger entry is a file
    # named by the id, so the ledger, the export and the report hold the real students only
    recorded = {student: status for student, status in first.items() if student not in GLOB_IDS}
    again = {s.student: s for s in read_all_statuses(course.grading_dir, ASSIGNMENT)}
    assert set(again) == set(recorded)
    assert {s: (again[s].status, again[s].score) for s in recorded} == \
        {s: (first[s].status, first[s].score) for s in recorded}

    assert main(["--course", root, "feedback", ASSIGNMENT]) == 0
    for student, status in first.items():
        page = course.feedback_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page.is_file() == (not status.failed), student

    grades = tmp_path / "grades.csv"
    assert main(["--course", root, "export", ASSIGNMENT, "--to", str(grades)]) == 0
    with grades.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))  # (ids such as =1+2 are escaped for spreadsheets)
    assert len(rows) == len(first)  # the refused folders too, as failed, with their reason
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == sum(s.failed for s in first.values())
    assert all(row["score"] == "" for row in failed)
    scores = {row["student_id"]: row["score"] for row in rows}
    assert all(float(scores[s]) == FULL_MARKS for s in HONEST)

    assert main(["--course", root, "report", ASSIGNMENT, "--to", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert f"{len(first)} submissions" in page and MARK not in page
