"""What a grading process imports once, before its first notebook.

The judge (`autograder.judge`) replays the checks in the process that received the executed
notebook: a process-pool worker or a Dask worker. Its first notebook used to pay for every
import the checks make lazily — torch (≈ 1.5 s), `torch._dynamo` (≈ 1.3 s, imported by the
first `torch.optim` step), scikit-learn's datasets (≈ 1 s), gymnasium — about 5 s of CPU per
worker process and per assignment. Importing them once where the workers come from removes
that cost from every notebook:

- the local pool's fork server imports `grading_modules()` once and forks every worker from
  that state (`multiprocessing` forkserver preload);
- every Dask worker imports them once when the client connects (`warm_up`, via `Client.run`).

Each of those processes then freezes what it imported out of the garbage collector's sight
(`freeze_imports`), as does the kernel template (`autograder.sandbox.zygote`), which also
compiles the notebook schemas its forks validate against (`compile_notebook_schemas`).

Nothing here runs student code or keeps state between notebooks: these are module imports.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import pkgutil

__all__ = ["compile_notebook_schemas", "freeze_imports", "grading_modules", "import_all",
           "submodules", "warm_up", "OWN_PACKAGES", "WITHOUT_IRI_GRAMMAR"]

THIRD_PARTY = ("numpy", "torch", "torch.optim", "torch._dynamo", "matplotlib.figure",
               "sklearn.datasets", "gymnasium", "nbformat", "nbgrader.preprocessors")
"""The heavy libraries the checks and the pipeline import lazily."""
OWN_PACKAGES = ("lrcore", "lrchecks")
SKIPPED = ("lrcore.widgets",)
"""Interactive parts (ipywidgets, ipympl) that grading never uses."""


def submodules(package_name: str, path: list[str] | None = None) -> list[str]:
    """The package and all its modules, found on disk without importing any of them."""
    if path is None:
        spec = importlib.util.find_spec(package_name)
        if spec is None or not spec.submodule_search_locations:
            return []
        path = list(spec.submodule_search_locations)
    names = [package_name]
    for module in pkgutil.iter_modules(path, prefix=f"{package_name}."):
        if module.name.startswith(SKIPPED):
            continue
        if module.ispkg:
            folder = getattr(module.module_finder, "path", None)
            inner = [f"{folder}/{module.name.rsplit('.', 1)[1]}"] if folder else []
            names += submodules(module.name, inner) if inner else [module.name]
        else:
            names.append(module.name)
    return names


WITHOUT_IRI_GRAMMAR = "autograder.without_iri_grammar"
"""A module whose import keeps jsonschema's IRI grammar out (`autograder.sandbox.iri_grammar`):
a fork server's preload can only import."""


def grading_modules() -> list[str]:
    """Every module worth importing before the first notebook: first the one that keeps
    jsonschema's IRI grammar out, then the heavy libraries."""
    names = [WITHOUT_IRI_GRAMMAR, *THIRD_PARTY, "autograder.judge", "autograder.execution"]
    for package in OWN_PACKAGES:
        with contextlib.suppress(ImportError):
            names += submodules(package)
    return list(dict.fromkeys(names))


def import_all(names: list[str]) -> int:
    """Import every module named; returns how many imported (a missing optional library is
    skipped: the check that needs it reports its absence when it runs)."""
    imported = 0
    for name in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
            imported += 1
    return imported


def compile_notebook_schemas() -> int:
    """Compile nbformat's (strict) validator for every minor version of the current notebook
    format — `nbformat.validator.get_validator` keeps each for the process; returns how many.
    The first `nbformat.reads` or `writes` of a process compiles the schema of its notebook's
    version: ≈ 0.04 s of CPU and 4,000 page faults, which every fork of the kernel template
    paid once per notebook. Compiling all six costs ≈ 0.8 s, once per template."""
    import nbformat
    from nbformat.validator import get_validator

    return sum(get_validator(nbformat.current_nbformat, minor) is not None
               for minor in range(nbformat.current_nbformat_minor + 1))


def freeze_imports() -> int:
    """Move every object this process holds now out of the garbage collector's sight
    (`gc.freeze`); returns how many.

    A grading process holds ≈ 600,000 objects once torch, matplotlib and nbgrader are
    imported, and each full collection walks them all — about half the time the judge spends
    rebuilding a student's figure went to collections. Imported modules live until the process
    ends, so nothing is lost by never collecting them. In a process that forks (the kernel
    template), it also keeps the children's collections from writing to the pages they share
    with it, which would copy those pages (the use `gc.freeze`'s documentation describes).
    Objects created afterwards are collected as usual."""
    gc.freeze()
    return gc.get_freeze_count()


def warm_up() -> int:
    """Import `grading_modules()` here, then `freeze_imports()`; returns how many modules
    were imported."""
    imported = import_all(grading_modules())
    freeze_imports()
    return imported
