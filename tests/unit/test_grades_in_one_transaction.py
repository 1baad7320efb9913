"""`autograder.patches.grades_in_one_transaction`: nbgrader's `SaveAutoGrades` with one gradebook
commit per notebook — the same rows and values as nbgrader's own, nothing half-written."""

from __future__ import annotations

import shutil

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import SaveAutoGrades
from sqlalchemy import event

from autograder.patches import gate
from autograder.patches import grades_in_one_transaction as once
from autograder.patches.grades_in_one_transaction import SaveAutoGradesAtOnce
from autograder.preprocessors import scoring_preprocessors

GRADES = ("passes", "fails", "written", "written_passes")
COMMENTS = ("answer", "written")


def _meta(grade_id: str, *, grade: bool, solution: bool, points: int = 0) -> dict:
    return {"nbgrader": {"grade": grade, "solution": solution, "locked": not solution,
                         "grade_id": grade_id, "points": points, "schema_version": 3}}


def scored_notebook():
    """A submission after execution: a passing and a failing test cell, an answer cell, a
    manually graded written answer, and a task-free markdown cell."""
    error = new_output("error", ename="AssertionError", evalue="", traceback=[])
    return new_notebook(cells=[
        new_markdown_cell("Read me."),
        new_code_cell("answer = 1", metadata=_meta("answer", grade=False, solution=True)),
        new_code_cell("check(answer)", metadata=_meta("passes", grade=True, solution=False,
                                                      points=2)),
        new_code_cell("check(answer)", metadata=_meta("fails", grade=True, solution=False,
                                                      points=3), outputs=[error]),
        new_markdown_cell("Because…", metadata=_meta("written", grade=True, solution=True,
                                                     points=4)),
        new_code_cell("check(answer)", metadata=_meta("written_passes", grade=True,
                                                      solution=False, points=1)),
    ])


@pytest.fixture
def gradebook_url(tmp_path):
    """A gradebook with assignment ps, notebook nb and student s's submission of it."""
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("ps")
        gradebook.add_notebook("nb", "ps")
        for cell in scored_notebook().cells:
            info = cell.metadata.get("nbgrader")
            if not info:
                continue
            if info["grade"]:
                gradebook.add_grade_cell(info["grade_id"], "nb", "ps",
                                         max_score=info["points"], cell_type=cell.cell_type)
            if info["solution"]:
                gradebook.add_solution_cell(info["grade_id"], "nb", "ps")
        gradebook.add_student("s")
        gradebook.add_submission("ps", "s")
    return url


def _copy(url: str, name: str) -> str:
    source = url.removeprefix("sqlite:///")
    target = source.replace("gradebook.db", name)
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def _resources(url: str) -> dict:
    return {"nbgrader": {"notebook": "nb", "assignment": "ps", "student": "s", "db_url": url}}


def _rows(url: str) -> dict:
    with Gradebook(url) as gradebook:
        notebook = gradebook.find_submission_notebook("nb", "ps", "s")
        grades = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                  for g in notebook.grades}
        comments = {c.name: c.auto_comment for c in notebook.comments}
        return {"grades": grades, "comments": comments,
                "score": (notebook.score, notebook.needs_manual_grade)}


def _commits(url: str, work) -> int:
    """How many times `work()` commits to a gradebook."""
    from sqlalchemy.engine import Engine

    counted = []

    def count(connection) -> None:
        counted.append(connection)

    event.listen(Engine, "commit", count)
    try:
        work()
    finally:
        event.remove(Engine, "commit", count)
    return len(counted)


def _scoring_commits(url: str, preprocessor) -> int:
    """How many times the preprocessor commits beyond opening and closing the gradebook."""
    opening = _commits(url, lambda: Gradebook(url).close())
    return _commits(url, lambda: preprocessor.preprocess(scored_notebook(), _resources(url))
                    ) - opening


def test_it_writes_the_rows_nbgraders_saveautogrades_writes_in_one_commit(gradebook_url):
    nbgraders, ours = _copy(gradebook_url, "nbgrader.db"), _copy(gradebook_url, "ours.db")
    commits_nbgrader = _scoring_commits(nbgraders, SaveAutoGrades())
    commits_ours = _scoring_commits(ours, SaveAutoGradesAtOnce())
    assert _rows(ours) == _rows(nbgraders)
    written = _rows(ours)
    assert set(written["grades"]) == set(GRADES) and set(written["comments"]) == set(COMMENTS)
    assert written["grades"]["passes"][0] == 2 and written["grades"]["fails"][0] == 0
    assert written["grades"]["written"][2] is True  # a written answer waits for its grader
    assert written["comments"]["answer"] is None  # changed from the release: no "No response."
    assert commits_ours == 1
    assert commits_nbgrader == len(GRADES) + len(COMMENTS)  # one per grade, one per comment


def test_a_grader_s_manual_score_is_kept_and_flagged_as_nbgrader_does(gradebook_url):
    with Gradebook(gradebook_url) as gradebook:
        gradebook.find_grade("fails", "nb", "ps", "s").manual_score = 1.5
        gradebook.db.commit()
    nbgraders, ours = _copy(gradebook_url, "nbgrader.db"), _copy(gradebook_url, "ours.db")
    SaveAutoGrades().preprocess(scored_notebook(), _resources(nbgraders))
    SaveAutoGradesAtOnce().preprocess(scored_notebook(), _resources(ours))
    assert _rows(ours) == _rows(nbgraders)
    assert _rows(ours)["grades"]["fails"] == (0, 1.5, True)


def test_a_notebook_whose_scoring_fails_leaves_none_of_its_grades_written(gradebook_url,
                                                                          monkeypatch):
    from nbgrader import utils

    before = _rows(gradebook_url)
    real = utils.determine_grade
    scored: list[str] = []

    def fails_on_the_second_grade(cell, log=None):
        scored.append(cell.metadata.nbgrader.grade_id)
        if len(scored) == 2:
            raise RuntimeError("the gradebook went away")
        return real(cell, log)

    monkeypatch.setattr(utils, "determine_grade", fails_on_the_second_grade)
    with pytest.raises(RuntimeError, match="went away"):
        SaveAutoGradesAtOnce().preprocess(scored_notebook(), _resources(gradebook_url))
    assert scored == ["passes", "fails"]  # the first grade was recorded before the failure
    assert _rows(gradebook_url) == before


def test_grade_scores_with_it_and_falls_back_to_nbgraders_outside_its_versions(monkeypatch):
    gate.enabled.cache_clear()
    try:
        assert once.OURS in scoring_preprocessors()
        assert once.NBGRADERS not in scoring_preprocessors()
        real = gate.installed_version
        monkeypatch.setattr(gate, "installed_version",
                            lambda package: "0.10.0" if package == "nbgrader" else real(package))
        gate.enabled.cache_clear()
        assert not gate.enabled(once.PATCH.name)
        assert once.NBGRADERS in scoring_preprocessors()
        assert once.OURS not in scoring_preprocessors()
    finally:
        gate.enabled.cache_clear()
