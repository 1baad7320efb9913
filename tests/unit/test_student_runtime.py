"""The student runtime has nothing to steal.

Students' JupyterLab / JupyterHub images install the student runtime (student/pyproject.toml:
`lrcore` and `lrchecks`). This test builds its wheel the way an image build would and scans
every file outside `lrcore` (public by design, like torch) for what a student must never get:
a solution line of the instructor's notebooks that the release does not contain, a model answer
or rubric line, a hidden case, a grader module's name. It also checks that the grader
distribution (the root pyproject.toml, package `autograder`) shares no top-level package with it
and depends on it at its own version.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from functools import cache
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from autograder.course import Course

pytestmark = pytest.mark.slow
MIN_LINE = 30
MIN_CASE_TEXT = 12
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@cache
def _wheel(project: str, out: Path) -> Path:
    # setuptools reuses its build/ folder: a module deleted since the last build would ship
    shutil.rmtree(REPO / project / "build", ignore_errors=True)
    try:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                        "--no-build-isolation", "--quiet", "-w", str(out), str(REPO / project)],
                       check=True, cwd=REPO, capture_output=True)
    finally:  # leave no copy of the sources in the checkout
        shutil.rmtree(REPO / project / "build", ignore_errors=True)
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, Path]:
    return {"student": _wheel("student", tmp_path_factory.mktemp("student-wheel")),
            "grader": _wheel(".", tmp_path_factory.mktemp("grader-wheel"))}


def _files(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode("utf-8", errors="replace")
                for name in archive.namelist() if not name.endswith("/")}


def _top_level(wheel: Path) -> set[str]:
    return {name.split("/")[0] for name in _files(wheel)
            if "/" in name and ".dist-info" not in name.split("/")[0]}


def _scanned(wheel: Path) -> dict[str, str]:
    return {name: text for name, text in _files(wheel).items()
            if not name.startswith("lrcore/") and ".dist-info/" not in name}


def _released_text(assignment: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8")
                     for p in (REPO / "release" / assignment).glob("*.ipynb"))


def _secret_lines(assignment: str) -> list[str]:
    """Solution and model-answer lines (≥ MIN_LINE characters) the release does not contain."""
    released = _released_text(assignment)
    lines = []
    for path in (REPO / "source" / assignment).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if not cell.metadata.get("nbgrader", {}).get("solution"):
                continue
            regions = SOLUTION_REGION.findall(cell.source + "\n") or [cell.source]
            for region in regions:
                lines += [line.strip() for line in region.splitlines()
                          if len(line.strip()) >= MIN_LINE
                          and json.dumps(line.strip())[1:-1] not in released]
    return lines


def _sample_answers(assignment: str) -> list[str]:
    """Lines of the sample submissions' cells and written answers (autograder.samples): the
    module's string constants and the `cells=` of each sample (not the feedback words a
    sample expects, which are the checks' own sentences)."""
    module = importlib.import_module(f"autograder.samples.{assignment.split('_')[0]}")
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    texts = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
             and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "cells" and isinstance(
                node.value, ast.Dict):
            texts += [v.value for v in node.value.values
                      if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    released = _released_text(assignment)
    return [line.strip() for text in texts for line in text.splitlines()
            if len(line.strip()) >= MIN_LINE and json.dumps(line.strip())[1:-1] not in released]


def _spellings(value: object) -> list[str]:
    """How source code could spell a case's parameters (or any part of them with at least two
    values): JSON, a tuple or list literal, a dict literal, keyword arguments."""
    texts = []
    if isinstance(value, list) and len(value) >= 2:
        spelled = ", ".join(repr(v) for v in value)
        texts += [json.dumps(value), f"({spelled})", f"[{spelled}]"]
    if isinstance(value, dict) and len(value) >= 2:
        texts += [json.dumps(value), repr(value),
                  ", ".join(f"{key}={item!r}" for key, item in value.items())]
    children = value.values() if isinstance(value, dict) else (
        value if isinstance(value, list) else [])
    for child in children:
        texts += _spellings(child)
    return texts


def _hidden_cases(assignment: str) -> list[str]:
    """Each pooled hidden case's params, as source code could spell them."""
    path = REPO / "hidden_cases" / f"{assignment}.json"
    if not path.is_file():
        return []
    texts = []
    for pool in json.loads(path.read_text(encoding="utf-8"))["pools"].values():
        for case in pool["always"] + pool["candidates"]:
            texts += _spellings(case["params"])
    # short spellings ("[1, 2]") are everyday code, not a case
    return sorted({text for text in texts if len(text) >= MIN_CASE_TEXT})


def _grader_module_names() -> list[str]:
    root = REPO / "autograder"
    names = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1:
            names += [".".join(parts), "/".join(parts)]
    return sorted(set(names), key=len, reverse=True)


ASSIGNMENTS = Course(REPO).assignments()


def test_the_two_distributions_share_no_top_level_package(wheels):
    student, grader = _top_level(wheels["student"]), _top_level(wheels["grader"])
    assert student == {"lrcore", "lrchecks"}
    assert grader == {"autograder"}


def test_the_grader_depends_on_the_student_runtime_at_its_own_version():
    grader = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    student = tomllib.loads((REPO / "student" / "pyproject.toml").read_text())["project"]
    assert grader["version"] == student["version"]
    assert f"{student['name']}=={student['version']}" in grader["dependencies"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_student_wheel_holds_no_solution_answer_or_hidden_case(wheels, assignment):
    scanned = _scanned(wheels["student"])
    secrets = {"solution line": _secret_lines(assignment),
               "sample answer line": _sample_answers(assignment),
               "hidden case": _hidden_cases(assignment)}
    assert secrets["solution line"], "the scan found no solution line to look for"
    leaks = [(kind, secret[:60], name) for kind, found in secrets.items() for secret in found
             for name, text in scanned.items() if secret in text]
    assert not leaks, leaks[:10]


def test_the_student_wheel_names_no_grader_module(wheels):
    leaks = [(module, name) for name, text in _scanned(wheels["student"]).items()
             for module in _grader_module_names() if module in text]
    assert not leaks, leaks[:10]


def test_the_student_wheel_holds_no_hidden_case_constant(wheels):
    pattern = re.compile(r"\b\w*(HIDDEN|UNSEEN)\w*\s*(:[^=\n]*)?=")
    allowed = {"HIDDEN_CASES_VARIABLE"}  # the name of the variable the grader fills
    leaks = [(name, match.group(0)) for name, text in _scanned(wheels["student"]).items()
             for match in pattern.finditer(text) if match.group(0).split()[0] not in allowed]
    assert not leaks, leaks[:10]
