"""nbgrader's `Execute` preprocessor, imported without the rest of nbgrader.

`import nbgrader` loads its server extensions, exchange, apps and gradebook (SQLAlchemy), and
`nbgrader.preprocessors` every preprocessor: ≈ 0.4 s of CPU per notebook that the worker never
uses. `nbgrader_execute` registers the two packages as bare namespaces in `sys.modules` (their
modules still load from nbgrader's own files), so only `Execute`, its base class and
`nbgrader.utils` are imported — the same class `nbgrader autograde` runs. Should nbgrader's
layout change, the ordinary import is used. A speed patch (`PATCH`): outside its tested
versions the worker imports `nbgrader.preprocessors` the ordinary way.
"""

from __future__ import annotations

import importlib.util
import sys
import types

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "nbgrader_execute"]

PATCH = Patch(
    name="nbgrader_execute_import",
    title="the worker's import of nbgrader's Execute",
    patches="the worker's import of nbgrader's Execute (nbgrader and nbgrader.preprocessors "
            "registered as bare namespaces in sys.modules)",
    why="importing nbgrader whole costs the worker about 0.4 s of CPU per notebook",
    kind=SPEED,
    tested=(TestedRange("nbgrader", "0.9.6", "0.10"),),
)


def nbgrader_execute() -> type:
    """nbgrader's `Execute` class, imported without the rest of nbgrader (see the module)."""
    loaded = sys.modules.get("nbgrader.preprocessors.execute")
    if loaded is not None:  # imported before, either way
        return loaded.Execute
    if "nbgrader.preprocessors" in sys.modules:  # imported the ordinary way
        from nbgrader.preprocessors import Execute
        return Execute
    stubs = []
    try:
        for name in ("nbgrader", "nbgrader.preprocessors"):
            spec = importlib.util.find_spec(name)
            if spec is None or not spec.submodule_search_locations:
                raise ImportError(name)
            package = types.ModuleType(name)
            package.__path__ = list(spec.submodule_search_locations)
            package.__spec__ = spec
            sys.modules[name] = package
            stubs.append(name)
        from nbgrader.preprocessors.base import NbGraderPreprocessor

        sys.modules["nbgrader.preprocessors"].__dict__["NbGraderPreprocessor"] = (
            NbGraderPreprocessor)
        from nbgrader.preprocessors.execute import Execute
    except ImportError:
        for name in [*stubs, *(m for m in list(sys.modules) if m.startswith("nbgrader."))]:
            sys.modules.pop(name, None)
        from nbgrader.preprocessors import Execute
    return Execute
