"""Every assignment's source notebook: well-formed for nbgrader, runs clean, release in sync."""

from __future__ import annotations

import ast
import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, make_course_copy
from nbclient import NotebookClient

from autograder.course import Course

COURSE = Course(REPO)
NOTEBOOKS = [
    (assignment, notebook)
    for assignment in COURSE.assignments()
    for notebook in COURSE.notebooks(assignment)
]
IDS = [f"{a}/{n}" for a, n in NOTEBOOKS]


def source_notebook(assignment: str, notebook: str):
    return nbformat.read(REPO / "source" / assignment / f"{notebook}.ipynb", as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS, ids=IDS)
def test_outputs_are_cleared(assignment, notebook):
    for cell in source_notebook(assignment, notebook).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS, ids=IDS)
def test_graded_cells_have_unique_descriptive_ids_and_points_add_up(assignment, notebook):
    nb = source_notebook(assignment, notebook)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "duplicated grade_id"
    graded = [c for c in nb.cells if nbgrader_meta(c).get("grade")]
    assert graded
    for cell in graded:
        grade_id = nbgrader_meta(cell)["grade_id"]
        assert re.fullmatch(r"[a-z][a-z0-9_]{5,}", grade_id), grade_id
        assert not re.fullmatch(r"cell-[0-9a-f]+", grade_id)
        assert nbgrader_meta(cell)["points"] > 0
    total = sum(nbgrader_meta(c)["points"] for c in graded)
    intro = nb.cells[0].source
    assert f"({total} points)" in intro, f"the introduction should state the total, {total}"


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS, ids=IDS)
def test_grade_cells_never_end_in_a_bare_value(assignment, notebook):
    """nbgrader reads a grade cell's last expression value as partial credit."""
    for cell in source_notebook(assignment, notebook).cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        assert meta.get("locked"), meta["grade_id"]
        body = ast.parse(cell.source).body
        assert body, f"{meta['grade_id']} is empty"
        last = body[-1]
        if isinstance(last, ast.Expr):
            assert isinstance(last.value, ast.Call), f"{meta['grade_id']} ends in a value"
            assert getattr(last.value.func, "id", "").startswith("check_"), meta["grade_id"]


@pytest.mark.notebook
@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS, ids=IDS)
def test_solution_runs_top_to_bottom_and_passes_every_check(assignment, notebook, monkeypatch):
    from autograder.hidden import cases_for
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE

    # the hidden tests run the cases the grader would draw for a student (as when graded)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE,
                       json.dumps(cases_for(COURSE, assignment, "a-student")))
    nb = source_notebook(assignment, notebook)
    folder = REPO / "source" / assignment
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    started = time.perf_counter()
    client.execute()
    print(f"{assignment}/{notebook} ran in {time.perf_counter() - started:.1f} s")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:80]!r}: {errors[0].evalue if errors else ''}"
        if nbgrader_meta(cell).get("grade"):
            stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            assert not stderr, f"{nbgrader_meta(cell)['grade_id']} wrote to stderr"
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert "✓" in text, nbgrader_meta(cell)["grade_id"]


@pytest.mark.notebook
def test_release_is_what_nbgrader_generates_from_source(tmp_path: Path):
    from autograder.release import release_assignment

    course = Course(make_course_copy(tmp_path / "course"))
    for assignment in course.assignments():
        release_assignment(course, assignment)
    generated = sorted(p.relative_to(course.root) for p in course.release_dir.rglob("*")
                       if p.is_file())
    committed = sorted(p.relative_to(REPO) for p in (REPO / "release").rglob("*")
                       if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    assert generated == committed, "release/ has missing or extra files: run `make release`"
    pools = sorted(p.name for p in (course.root / "hidden_cases").glob("*.json"))
    assert pools == sorted(p.name for p in (REPO / "hidden_cases").glob("*.json"))
    generated += [Path("hidden_cases") / name for name in pools]
    for relative in generated:
        assert (course.root / relative).read_bytes() == (REPO / relative).read_bytes(), (
            f"{relative} differs from what nbgrader generates: run `make release` and commit"
        )


@pytest.mark.parametrize(("assignment", "notebook"), NOTEBOOKS, ids=IDS)
def test_release_hides_solutions_and_hidden_tests(assignment, notebook):
    text = (REPO / "release" / assignment / f"{notebook}.ipynb").read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "_unseen(",
                   "hidden=True", "Rubric"):
        assert marker not in text
