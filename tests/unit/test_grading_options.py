"""`GradingOptions`: how a batch is graded, one frozen object taken by `grade_assignment` and
`grade_assignments` alike (they once repeated a ten-parameter signature)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from autograder import grade
from autograder.cli import main
from autograder.grade import GradingOptions, grade_assignment, grade_assignments
from autograder.sandbox import sandbox_settings


def test_both_grading_functions_take_the_same_options_object():
    single = inspect.signature(grade_assignment).parameters
    batch = inspect.signature(grade_assignments).parameters
    assert list(single)[2:] == list(batch)[2:] == ["students", "options", "phases"]
    assert single["options"].default == batch["options"].default == GradingOptions()
    for parameters in (single, batch):  # a positional options object would be taken as students
        assert {parameters["options"].kind, parameters["phases"].kind} == {
            inspect.Parameter.KEYWORD_ONLY}


def test_the_options_are_frozen_with_the_old_defaults():
    options = GradingOptions()
    assert (options.workers, options.progress, options.use_dask, options.scheduler,
            options.tls_dir, options.sandbox, options.fresh) == (1, True, False, None, None,
                                                                 None, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.workers = 4  # type: ignore[misc]


def test_the_grade_command_passes_its_flags_as_one_options_object(course_copy, monkeypatch):
    received = {}

    def record(course, assignments, students=None, options=None, phases=None):
        received.update(assignments=assignments, students=students, options=options)
        return {}

    monkeypatch.setattr(grade, "grade_assignments", record)
    assert main(["--course", str(course_copy.root), "grade", "ps01_constant_lr", "--workers",
                 "3", "--quiet", "--fresh", "--no-sandbox", "--student", "ada"]) == 0
    assert received == {
        "assignments": ["ps01_constant_lr"], "students": ["ada"],
        "options": GradingOptions(workers=3, progress=False, fresh=True,
                                  sandbox=sandbox_settings(course_copy.config).replace(
                                      enabled=False))}
