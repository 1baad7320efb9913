"""No name that means two things: a module of the grader never shares its name with one of the
student runtime, and every class or function `nbgrader_config.py` names by dotted path exists.

`autograder/report.py` (the class report) once stood beside `lrchecks/report.py` (the checks'
pass/fail sentences), and `autograder/sandbox/runner.py` (a notebook's worker) beside
`lrcore/optim/runner.py` (an optimisation run): a reader who knows one finds the other.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[2]


def module_basenames(package: str) -> dict[str, list[str]]:
    """Each module file's name (without `.py`, `__init__` left out) under a top-level package,
    with the paths that carry it."""
    names: dict[str, list[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        if path.name != "__init__.py" and "__pycache__" not in path.parts:
            names.setdefault(path.stem, []).append(str(path.relative_to(REPO)))
    return names


def test_no_grader_module_shares_its_name_with_a_student_runtime_module():
    grader = module_basenames("autograder")
    runtime = {**module_basenames("lrcore")}
    for name, paths in module_basenames("lrchecks").items():
        runtime.setdefault(name, []).extend(paths)
    assert grader and runtime
    shared = {name: grader[name] + runtime[name] for name in sorted(set(grader) & set(runtime))}
    assert shared == {}


def _dotted_names(value: object) -> list[str]:
    """The `autograder.…` dotted paths in one configuration value (a string, list or dict)."""
    if isinstance(value, str):
        return [value] if value.startswith("autograder.") else []
    if isinstance(value, list | tuple):
        return [name for item in value for name in _dotted_names(item)]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _dotted_names(item)]
    return []


def test_every_dotted_name_in_nbgrader_config_resolves():
    """nbgrader imports these by name when it runs: a renamed module must be renamed here too."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    named = [name for section in config.values() if hasattr(section, "values")
             for value in section.values() for name in _dotted_names(value)]
    assert "autograder.feedback_pages.RedactHiddenTests" in named
    for name in named:
        module, _, attribute = name.rpartition(".")
        assert hasattr(importlib.import_module(module), attribute), name
