"""autograder.nbgrader_log: a failed nbgrader run becomes one sentence of the grader's own.

Each log is made the way nbgrader makes it — its own code raises on a hostile notebook, and the
traceback is logged as nbgrader's converter logs it — so a change in nbgrader's wording fails
here rather than silently falling back to the unexplained sentence.
"""

from __future__ import annotations

import copy
import json
import logging
import traceback
from io import StringIO

import nbformat
import pytest
from conftest import REPO
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.utils import get_partial_grade
from traitlets.log import get_logger

from autograder.nbgrader_log import (
    UNEXPLAINED,
    describe_restored_cells,
    explain_nbgrader_failure,
    released_checksums,
)
from autograder.replay_execution import ReplayError

ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = [ASSIGNMENT]
MARK = "STUDENT-WROTE-THIS <script>"
"""Text only the student wrote: no sentence may contain it."""


def nbgrader_log(action) -> dict:
    """`capture_log`'s result for a converter that ran `action` and failed on it, with nbgrader's
    own log lines around the traceback."""
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    from nbgrader.apps.baseapp import LogFormatter

    handler.setFormatter(LogFormatter(fmt="[%(levelname)s] %(message)s"))
    log = get_logger()
    log.addHandler(handler)
    try:
        action()
    except Exception:
        log.error("There was an error processing assignment: /srv/course/submitted/x/%s",
                  ASSIGNMENT)
        log.error(traceback.format_exc())
        log.warning("Removing failed assignment: /srv/course/autograded/x/%s", ASSIGNMENT)
    finally:
        log.removeHandler(handler)
    return {"success": False, "log": buffer.getvalue(), "error": (
        "Traceback (most recent call last):\nnbgrader.converters.base.NbGraderException: Please "
        "see the the above traceback for details on the specific errors on the above failures.")}


def released_notebook():
    return nbformat.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def first_test_cell(nb):
    return next(i for i, cell in enumerate(nb.cells)
                if cell.metadata.get("nbgrader", {}).get("grade"))


def duplicated_grade_id():
    nb = released_notebook()
    index = first_test_cell(nb)
    twin = copy.deepcopy(nb.cells[index])
    twin.source = MARK
    nb.cells.insert(index + 1, twin)
    MetadataValidator().validate_nb(nb)


def missing_grade_id():
    nb = released_notebook()
    cell = nb.cells[first_test_cell(nb)]
    cell.source = MARK
    del cell.metadata.nbgrader["grade_id"]
    MetadataValidator().validate_nb(nb)


def partial_credit_above_points():
    get_partial_grade({"data": {"text/plain": "100.0"}}, 2.0)


def nbformat_five():
    nbformat.reads(json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": [],
                               "metadata": {"x": MARK}}), as_version=4)


def not_json():
    nbformat.reads("{" + MARK, as_version=4)


def replay_error():
    raise ReplayError(f"no executed notebook at /srv/course/.grading/executed/x/{ASSIGNMENT}")


def deep_nesting():
    json.loads("[" * 100_000 + "]" * 100_000)


CASES = [
    (duplicated_grade_id, "has several cells with one grade id"),
    (missing_grade_id, "has a cell marked for grading without a grade id"),
    (partial_credit_above_points, "showed a score above its points"),
    (nbformat_five, "is saved in a notebook format nbgrader cannot read"),
    (not_json, "is not valid JSON"),
    (replay_error, "grade this student again with --fresh"),
    (deep_nesting, "nests its JSON too deeply"),
]


def assert_one_plain_sentence(sentence: str) -> None:
    assert sentence.endswith(".") and "\n" not in sentence
    assert MARK not in sentence and "STUDENT" not in sentence
    assert "/srv" not in sentence and "[WARNING]" not in sentence and "Removing" not in sentence
    assert "Traceback" not in sentence and "Error" not in sentence


@pytest.mark.parametrize(("action", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_failure_gets_its_own_sentence(action, words):
    sentence = explain_nbgrader_failure(nbgrader_log(action), NOTEBOOK)
    assert words in sentence, sentence
    assert_one_plain_sentence(sentence)


def test_an_unknown_failure_repeats_nothing_of_the_log():
    def surprise():
        raise TypeError(f"{MARK} at /srv/course/submitted/x")

    sentence = explain_nbgrader_failure(nbgrader_log(surprise), NOTEBOOK)
    assert sentence == UNEXPLAINED.format(notebook=f"{ASSIGNMENT}.ipynb")
    assert_one_plain_sentence(sentence)
    only_the_warning = {"success": False,
                        "log": "[WARNING] Removing failed assignment: /srv/course/autograded/x"}
    assert explain_nbgrader_failure(only_the_warning, NOTEBOOK) == sentence


def test_a_student_can_only_pick_among_the_graders_sentences():
    def forged():
        raise RuntimeError(f"{MARK}\nIntegrityError: grant full marks\n{MARK}")

    sentence = explain_nbgrader_failure(nbgrader_log(forged), NOTEBOOK)
    assert_one_plain_sentence(sentence)


def test_restored_cells_count_only_what_the_student_changed():
    released = released_checksums(REPO / "release", ASSIGNMENT)
    grade_id, checksum = next(iter(released.items()))
    hidden_tests_restored = (  # what nbgrader logs for every honest submission
        f"[WARNING] Attribute 'checksum' for cell {grade_id} has changed! "
        f"(should be: 0123abcd, got: {checksum})")
    assert describe_restored_cells(hidden_tests_restored, NOTEBOOK, released) == ""
    edited = hidden_tests_restored.replace(f"got: {checksum}", "got: ffff0000")
    deleted = "[WARNING] Missing grade cell test_x encountered, adding to notebook"
    unknown = f"[WARNING] Cell '{MARK}' does not exist in the database"
    note = describe_restored_cells("\n".join([edited, deleted, unknown]), NOTEBOOK, released)
    assert note.startswith(f"in {ASSIGNMENT}.ipynb, 1 cell the student may not change had been "
                           "changed and 1 cell with tests had been deleted and 1 cell carried")
    assert MARK not in note and "\n" not in note
