"""autograder.preprocessors: nbgrader's own pipelines, with the sandbox, the judge and the
release-time checks in place — on every nbgrader entry point."""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO
from nbformat.v4 import new_code_cell, new_notebook

from autograder.course import Course
from autograder.preprocessors import (
    autograde_preprocessors,
    generate_assignment_preprocessors,
    runtime_note,
    scoring_preprocessors,
    student_runtime_version,
    undecidable_test_cells,
)
from autograder.release import ReleaseError, release_assignment

EXECUTE = "nbgrader.preprocessors.execute.Execute"


def _dotted(preprocessor):
    return preprocessor if isinstance(preprocessor, str) else (
        f"{preprocessor.__module__}.{preprocessor.__qualname__}")


def test_the_pipelines_are_nbgraders_own_with_execute_replaced():
    from nbgrader.converters import Autograde, GenerateAssignment

    nbgraders = [_dotted(p) for p in
                 Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default()]
    assert EXECUTE in nbgraders
    swapped = autograde_preprocessors()
    assert swapped == [("autograder.preprocessors.SandboxedExecute" if p == EXECUTE else p)
                       for p in nbgraders]
    replay = "autograder.replay_execution.ReplayExecution"
    saved_at_once = {"nbgrader.preprocessors.saveautogrades.SaveAutoGrades":
                     "autograder.patches.grades_in_one_transaction.SaveAutoGradesAtOnce"}
    assert scoring_preprocessors() == [replay if p == EXECUTE else saved_at_once.get(p, p)
                                       for p in nbgraders]
    generate = [_dotted(p) for p in
                GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()]
    assert generate_assignment_preprocessors()[-len(generate):] == generate


def test_the_course_configuration_installs_them_for_nbgraders_own_commands():
    config = Course(REPO).config
    assert list(config.Autograde.autograde_preprocessors) == autograde_preprocessors()
    assert list(config.GenerateAssignment.preprocessors) == generate_assignment_preprocessors()


def _test_cell(source, grade_id="test_x"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": grade_id, "points": 1, "schema_version": 3}
    return cell


GOOD = ("from lrchecks.ps01 import check_optimize_published\n"
        "check_optimize_published(optimize)\n"
        "### BEGIN HIDDEN TESTS\n"
        "from lrchecks.ps01 import check_iterations_needed\n"
        "check_iterations_needed(iterations_needed, hidden=True)\n"
        "### END HIDDEN TESTS")


@pytest.mark.parametrize("source, words", [
    ("assert optimize(1.05, 20, 500.0)[0][-1] > 3000", "is not a call of a check"),
    ("print(optimize(1.05, 20, 500.0))", "`print(…)` is not a check"),
    (GOOD + "\nx = 1", "`x = 1` is not a call of a check"),
    ("import numpy as np\n" + GOOD, "imports a module other than lrchecks"),
    ("from lrcore.quadratic import optimize as o\n" + GOOD, "imports something other"),
    ("from lrchecks.ps01 import check_optimize_published\n"
     "check_optimize_published(optimize, hidden=HIDDEN)", "not a literal value"),
    ("# only a comment", "calls no check"),
])
def test_a_test_cell_the_judge_cannot_decide_is_named(source, words):
    problems = undecidable_test_cells(new_notebook(cells=[_test_cell(source)]))
    assert len(problems) == 1 and words in problems[0] and "'test_x'" in problems[0]


def test_the_courses_own_test_cells_can_all_be_judged():
    for path in sorted((REPO / "source").glob("*/*.ipynb")):
        assert undecidable_test_cells(nbformat.read(path, as_version=4)) == [], path.name


@pytest.mark.slow
def test_release_refuses_an_assert_test_cell_and_leaves_nothing_half_written(course_copy):
    assignment = "ps01_constant_lr"
    path = course_copy.source_dir / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(_test_cell("assert True", "test_plain_assert"))
    nbformat.write(nb, path)
    with pytest.raises(ReleaseError, match="test_plain_assert"):
        release_assignment(course_copy, assignment)
    assert not (course_copy.release_dir / assignment / f"{assignment}.ipynb").exists()


def test_a_submission_from_another_release_is_flagged_without_quoting_the_file():
    nb = new_notebook()
    assert runtime_note(nb, "ps01") == (f"ps01.ipynb does not say which student runtime it was "
                                        f"released for (graded with {student_runtime_version()})")
    nb.metadata["lrlab"] = {"student_runtime": "0.1.0"}
    assert "released for student runtime 0.1.0" in runtime_note(nb, "ps01")
    nb.metadata["lrlab"] = {"student_runtime": "<script>alert(1)</script>"}
    assert "script" not in runtime_note(nb, "ps01")
    nb.metadata["lrlab"] = {"student_runtime": student_runtime_version()}
    assert runtime_note(nb, "ps01") == ""


def test_a_constant_the_notebook_and_its_checks_disagree_on_is_named_in_both_places():
    from autograder.preprocessors import shared_constant_problems

    path = REPO / "source" / "ps01_constant_lr" / "ps01_constant_lr.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert shared_constant_problems(nb, "ps01_constant_lr", "ps01_constant_lr") == []
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
               == "run_settings"]
    cell.source = cell.source.replace("RUN_LRS = (0.01,", "RUN_LRS = (0.02,")
    (problem,) = shared_constant_problems(nb, "ps01_constant_lr", "ps01_constant_lr")
    assert problem.startswith("RUN_LRS is (0.02, 0.1")
    assert "'run_settings' of ps01_constant_lr.ipynb" in problem and "lrchecks.ps01" in problem
