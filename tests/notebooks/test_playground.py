"""course/playground.ipynb: committed clean, runs headless, shows every explorer lrcore has."""

from __future__ import annotations

import ast
import time

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

PLAYGROUND = REPO / "course" / "playground.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Building blocks, not explorers.
TOOLKIT = {"__init__", "common", "live_figure", "ahead", "frame", "classifier_epochs"}


def playground():
    return nbformat.read(PLAYGROUND, as_version=4)


def test_outputs_are_cleared():
    for cell in playground().cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_every_explorer_module_is_imported_from_its_module_path():
    """Each lrcore/widgets/<name>.py explorer appears as `from lrcore.widgets.<name> import …`."""
    imported = set()
    for cell in playground().cells:
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if not line.startswith("%")]
        for node in ast.walk(ast.parse("\n".join(lines))):
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("lrcore.widgets."):
                imported.add(module.rsplit(".", 1)[1])
    modules = {path.stem for path in (REPO / "lrcore" / "widgets").glob("*.py")} - TOOLKIT
    assert modules <= imported, f"add a playground cell for {sorted(modules - imported)}"


@pytest.mark.notebook
def test_playground_runs_headless_and_shows_its_widgets():
    nb = playground()
    assert nb.cells[1].source.strip() == "%matplotlib widget"
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(PLAYGROUND.parent)}})
    started = time.perf_counter()
    client.execute()
    print(f"playground ran in {time.perf_counter() - started:.1f} s")
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code_cells:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:80]!r}: {errors[0].ename}: {errors[0].evalue}"
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, f"{cell.source[:80]!r} wrote to stderr: {stderr}"
    for cell in code_cells[1:]:  # every explorer cell displays a widget
        assert any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs), cell.source[:80]
