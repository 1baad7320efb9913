"""`autograder.patches.nbgrader_fast_paths`: nbgrader's schema checks and gradebook engines, made
cheaper inside the grading command without changing what they decide."""

from __future__ import annotations

import copy

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.patches.nbgrader_fast_paths import (
    CachedSchemaValidation,
    EngineCache,
    nbgrader_fast_paths,
)


def v3_validator():
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    return MetadataValidatorV3()


def graded_cell(**nbgrader: object) -> nbformat.NotebookNode:
    metadata = {"grade": True, "solution": False, "locked": True, "points": 1,
                "grade_id": "checks", "schema_version": 3, **nbgrader}
    return new_code_cell("assert True", metadata={"nbgrader": metadata})


BAD_CELLS = [
    graded_cell(points="one"),
    graded_cell(grade="yes"),
    graded_cell(unexpected_key=1),
    graded_cell(grade_id=7),
]


@pytest.mark.parametrize("cell", BAD_CELLS, ids=["points", "grade", "extra-key", "grade_id"])
def test_an_invalid_cell_raises_the_same_error_as_jsonschema(cell):
    schema = v3_validator().schema
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(cell.metadata["nbgrader"], schema)
    with pytest.raises(jsonschema.ValidationError) as cached:
        CachedSchemaValidation(jsonschema).validate(cell.metadata["nbgrader"], schema)
    assert (cached.value.message, list(cached.value.path)) == (plain.value.message,
                                                              list(plain.value.path))


def test_the_schema_is_checked_once_and_valid_cells_pass():
    shim = CachedSchemaValidation(jsonschema)
    schema = v3_validator().schema
    for points in range(50):
        shim.validate(graded_cell(points=points).metadata["nbgrader"], copy.deepcopy(schema))
    assert len(shim._validators) == 1
    assert shim.validator(schema) is shim.validator(copy.deepcopy(schema))


def test_a_broken_schema_is_still_refused():
    with pytest.raises(jsonschema.SchemaError):
        CachedSchemaValidation(jsonschema).validate({}, {"type": "no such type"})


def test_nbgrader_refuses_the_same_notebooks_inside_the_block():
    notebook = new_notebook(cells=[graded_cell(), BAD_CELLS[0]])

    def verdict() -> str:
        try:
            v3_validator().validate_nb(notebook)
        except jsonschema.ValidationError as error:
            return error.message
        return "valid"

    outside = verdict()
    with nbgrader_fast_paths():
        inside = verdict()
    assert outside == inside != "valid"


def test_one_engine_per_url_and_gradebooks_still_open_and_close(tmp_path):
    import nbgrader.api
    from nbgrader.api import Gradebook

    from autograder.course import ensure_environment_on_path

    ensure_environment_on_path()  # a new gradebook runs nbgrader's `alembic`
    original = nbgrader.api.create_engine
    first_url = f"sqlite:///{tmp_path / 'first.db'}"
    second_url = f"sqlite:///{tmp_path / 'second.db'}"
    with nbgrader_fast_paths():
        assert isinstance(nbgrader.api.create_engine, EngineCache)
        with Gradebook(first_url) as gradebook:
            gradebook.add_student("ada")
            engine = gradebook.engine
        with Gradebook(first_url) as again, Gradebook(second_url) as other:
            assert again.engine is engine and other.engine is not engine
            assert [s.id for s in again.students] == ["ada"]  # after the first one's dispose
            assert other.students == []
    assert nbgrader.api.create_engine is original
    with Gradebook(first_url) as after:
        assert after.engine is not engine and [s.id for s in after.students] == ["ada"]


def test_the_block_is_reentrant_and_restores_nbgrader_once():
    import nbgrader.api
    import nbgrader.nbgraderformat.common as common

    def current():
        return (common.jsonschema, nbgrader.api.create_engine, nbgrader.api.inspect,
                nbgrader.api.Base.metadata.create_all)

    originals = current()
    with nbgrader_fast_paths():
        patched = current()
        with nbgrader_fast_paths():
            assert current() == patched
        assert current() == patched
    assert current() == originals
    assert "create_all" not in vars(nbgrader.api.Base.metadata)


def test_tables_are_created_once_per_engine_and_a_new_gradebook_still_gets_them(tmp_path):
    import nbgrader.api
    from nbgrader.api import Gradebook
    from sqlalchemy import inspect

    from autograder.course import ensure_environment_on_path

    ensure_environment_on_path()
    metadata = nbgrader.api.Base.metadata
    created = []
    real_create_all = type(metadata).create_all

    def counting_create_all(self, bind, *args, **kwargs):
        created.append(str(bind.url))
        return real_create_all(self, bind, *args, **kwargs)

    type(metadata).create_all = counting_create_all
    try:
        first_url = f"sqlite:///{tmp_path / 'first.db'}"
        second_url = f"sqlite:///{tmp_path / 'second.db'}"
        with nbgrader_fast_paths():
            for _ in range(3):
                with Gradebook(first_url) as gradebook:
                    gradebook.update_or_create_student("ada")
            with Gradebook(second_url) as other:  # a new database gets every table
                assert other.students == []
                tables = set(inspect(other.engine).get_table_names())
        assert created == [first_url, second_url]
        assert {"student", "assignment", "grade", "alembic_version"} <= tables
        with Gradebook(first_url) as after:  # outside the block: nbgrader's own path again
            assert [s.id for s in after.students] == ["ada"]
        assert created == [first_url, second_url, first_url]
    finally:
        type(metadata).create_all = real_create_all
