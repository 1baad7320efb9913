"""autograder.feedback_pages: hidden tests and traceback walls never reach the student."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.feedback_pages import (
    HIDDEN_NOTE,
    RedactHiddenTests,
    ShortenErrors,
    redact_hidden_tests,
    short_error_lines,
)

GRADE_CELL = """from lrchecks.ps01 import check_optimize_published
check_optimize_published(optimize)
### BEGIN HIDDEN TESTS
from lrchecks.ps01 import check_optimize_unseen
check_optimize_unseen(optimize)  # secret: 0.3, 7, -42.0
### END HIDDEN TESTS
print("after")"""


def test_hidden_region_is_replaced_by_a_note():
    redacted = redact_hidden_tests(GRADE_CELL)
    assert "check_optimize_unseen" not in redacted and "secret" not in redacted
    assert HIDDEN_NOTE in redacted
    assert redacted.splitlines()[0].startswith("from lrchecks")
    assert redacted.splitlines()[-1] == 'print("after")'


def test_unterminated_region_is_redacted_to_the_end():
    assert "secret" not in redact_hidden_tests("a = 1\n### BEGIN HIDDEN TESTS\nsecret = 2")


def test_error_outputs_become_one_line():
    ours = new_output("error", ename="CheckFailed", evalue="x is wrong",
                      traceback=["\x1b[31m✗ x is wrong"])
    theirs = new_output("error", ename="NameError", evalue="name 'optimize' is not defined",
                        traceback=["Traceback (most recent call last)", "  File ...",
                                   "check_optimize_unseen(optimize)  # secret", "NameError: …"])
    assert short_error_lines(ours) == ["✗ x is wrong"]
    assert short_error_lines(theirs) == ["NameError: name 'optimize' is not defined"]


def test_preprocessors_on_a_notebook():
    cell = new_code_cell(GRADE_CELL, metadata={"nbgrader": {"grade": True, "grade_id": "t",
                                                             "points": 1, "solution": False}})
    cell.outputs = [new_output("error", ename="ValueError", evalue="bad",
                               traceback=["frame check_optimize_unseen(...)", "ValueError: bad"])]
    student_cell = new_code_cell("### BEGIN HIDDEN TESTS\nkept = 1  # not a grade cell")
    nb = new_notebook(cells=[cell, student_cell])
    nb, _ = RedactHiddenTests().preprocess(nb, {})
    nb, _ = ShortenErrors().preprocess(nb, {})
    assert "check_optimize_unseen" not in nbformat.writes(nb)
    assert nb.cells[1].source.endswith("kept = 1  # not a grade cell")
    assert nb.cells[0].outputs[0].traceback == ["ValueError: bad"]
