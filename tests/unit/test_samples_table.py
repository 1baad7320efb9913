"""The sample classes read from their tables (autograder/samples/psNN.toml): built by the same
builders as before, with plain messages for a table that names what its module does not define.

(When the tables were converted from Python, every field of all 56 samples was compared with
what the Python tables built, and found equal; since then, what a sample must fail and say is
held by the grading of the sample classes, tests/grading/test_grading_samples.py.)"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from autograder.samples import Sample
from autograder.samples.build import NOT_WRITTEN_YET
from autograder.samples.table import SampleTableError, load_samples

REPO = Path(__file__).resolve().parents[2]

CODE = {"WRITTEN": {"written_answer": "my answer"}, "DIFFERENT": {"f": "def f(): ..."},
        "WRONG": "def f(): return 0", "NOT_CODE": 3}

TABLE = """
[[sample]]
kind = "solution"
written = "WRITTEN"

[[sample]]
kind = "blank"
first_test = "test_f"

[[sample]]
kind = "mistake"
student = "s03_wrong"
shows = "f answers 0"
cells = { f = "WRONG" }
feedback = { test_f = "answers 0" }
also_failing = ["test_g"]

[[sample]]
kind = "written_differently"
student = "s04_different"
cells = ["DIFFERENT", "WRITTEN"]
"""


def _table(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ps09.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_kind_is_built_by_its_builder(tmp_path):
    solution, blank, mistake, different = load_samples(_table(tmp_path, TABLE), CODE)
    assert solution == Sample("s01_solution", "the instructor's solution",
                              cells={"written_answer": "my answer"})
    assert blank.blank and blank.feedback == {"test_f": NOT_WRITTEN_YET}
    assert mistake == Sample("s03_wrong", "f answers 0", cells={"f": "def f(): return 0"},
                             failing_tests=frozenset({"test_f", "test_g"}),
                             feedback={"test_f": "answers 0"})
    assert different.cells == {"f": "def f(): ...", "written_answer": "my answer"}
    assert not different.failing_tests


@pytest.mark.parametrize(("change", "message"), [
    (("WRONG", "MISSING"), "ps09.toml, sample 3 (s03_wrong): ps09.py defines no code "
                           "constant named MISSING"),
    (("WRONG", "NOT_CODE"), "ps09.toml, sample 3 (s03_wrong): NOT_CODE is not code text"),
    (('"WRITTEN"\n', '"WRONG"\n'), "ps09.toml, sample 1 (solution): WRONG is not a dict"),
    (('"blank"', '"empty"'), "ps09.toml, sample 2 (empty): the kind must be one of"),
    (('shows = "f answers 0"', ""), "ps09.toml, sample 3 (s03_wrong): give `shows` as a string"),
])
def test_a_table_that_names_what_the_module_lacks_is_refused_plainly(tmp_path, change, message):
    table = _table(tmp_path, TABLE.replace(*change, 1))
    with pytest.raises(SampleTableError, match="^" + re.escape(message)):
        load_samples(table, CODE)


def test_a_table_that_is_not_toml_is_refused_plainly(tmp_path):
    with pytest.raises(SampleTableError, match="ps09.toml is not valid TOML"):
        load_samples(_table(tmp_path, "[[sample]\n"), CODE)


def test_every_table_ships_with_the_package():
    """The tables are read beside their modules, so an installed grader must carry them."""
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["autograder"]
    tables = sorted((REPO / "autograder" / "samples").glob("*.toml"))
    assert tables
    for table in tables:
        relative = table.relative_to(REPO / "autograder").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in package_data), relative
