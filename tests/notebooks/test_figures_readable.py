"""Every figure a solution notebook draws reads at 990 px: text ≥ 8 pt on screen, no two texts
overlapping, no legend over more than 2 % of the plotted points (figure_readability.py)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from conftest import REPO
from figure_readability import figure_problems, named_figures
from nbclient import NotebookClient

from autograder.course import Course

COURSE = Course(REPO)
NOTEBOOKS = [(assignment, notebook) for assignment in COURSE.assignments()
             for notebook in COURSE.notebooks(assignment)]
HERE = Path(__file__).resolve().parent
REPORT_MARKER = "FIGURE-READABILITY:"

SHOWN = REPO / "screenshots" / "figures"
"""Where each figure is also written as the column shows it (git-ignored; for a person to look
at, e.g. after changing a figure)."""


def report_cell(assignment: str) -> str:
    """Appended to the executed notebook, where the figures are still bound to their names:
    prints each figure's problems, and writes it as shown to SHOWN/<assignment>/<name>.png."""
    return f"""
import json as _json, pathlib as _pathlib, sys as _sys
_sys.path.insert(0, {str(HERE)!r})
from figure_readability import figure_problems as _problems, named_figures as _figures
from figure_readability import save_as_shown as _save
for _name, _fig in _figures(globals()).items():
    _save(_fig, _pathlib.Path({str(SHOWN / assignment)!r}) / f"{{_name}}.png")
print({REPORT_MARKER!r} + _json.dumps({{_name: _problems(_fig)
                                       for _name, _fig in _figures(globals()).items()}}))
"""


def executed_figure_report(assignment: str, notebook: str) -> dict[str, list[str]]:
    """Run a solution notebook top to bottom in a fresh kernel; its figures' problems by name."""
    from autograder.hidden import cases_for
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE

    folder = REPO / "source" / assignment
    nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(report_cell(assignment)))
    environment = {HIDDEN_CASES_VARIABLE: json.dumps(cases_for(COURSE, assignment, "a-student"))}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(folder)}})
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        client.execute()
    text = "".join(output.get("text", "") for output in nb.cells[-1].outputs)
    return json.loads(text.split(REPORT_MARKER, 1)[1])


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[f"{a}/{n}" for a, n in NOTEBOOKS])
def figure_report(request) -> dict[str, list[str]]:
    """One execution per notebook, shared by the tests of this module."""
    return executed_figure_report(*request.param)


@pytest.mark.notebook
def test_every_solution_figure_reads_at_notebook_width(figure_report):
    assert figure_report, "the notebook binds no figure to a name"
    unreadable = {name: problems for name, problems in figure_report.items() if problems}
    assert not unreadable, "\n".join(f"{name}: {problem}" for name, problems in unreadable.items()
                                     for problem in problems)


# The measurement itself, on synthetic figures (fast, no kernel).

@pytest.fixture
def figure():
    plt.rcParams["figure.dpi"] = 90
    fig, ax = plt.subplots(figsize=(6, 4))
    yield fig, ax
    plt.close(fig)


def test_a_figure_with_default_sizes_reads(figure):
    fig, ax = figure
    ax.plot(np.arange(10), np.arange(10) ** 2, label="squares")
    ax.set(title="a title", xlabel="x", ylabel="y")
    ax.legend(loc="upper left")
    assert figure_problems(fig) == []


def test_small_text_is_reported(figure):
    fig, ax = figure
    ax.plot([0, 1], [0, 1])
    ax.tick_params(labelsize=7)
    assert any("pt on screen" in problem for problem in figure_problems(fig))


def test_a_wide_figure_is_measured_at_its_displayed_size():
    plt.rcParams["figure.dpi"] = 90
    fig, ax = plt.subplots(figsize=(16, 3))  # 1,440 px shown at 990: 10-pt ticks become ~6.4 pt
    ax.plot([0, 1], [0, 1])
    problems = figure_problems(fig)
    plt.close(fig)
    assert any("pt on screen" in problem for problem in problems)


def test_overlapping_titles_are_reported():
    plt.rcParams["figure.dpi"] = 90
    fig, axes = plt.subplots(1, 3, figsize=(8, 3))
    for ax in axes:
        ax.set_title("a long title that runs into its neighbour's")
    problems = figure_problems(fig)
    plt.close(fig)
    assert any("overlaps" in problem and "title" in problem for problem in problems)


def test_crowded_tick_labels_are_reported(figure):
    fig, ax = figure
    ax.plot([0, 1], [0, 1])
    ax.set_xticks(np.linspace(0, 1, 40))
    assert any("tick label" in problem and "overlaps" in problem
               for problem in figure_problems(fig))


def test_a_legend_over_the_data_is_reported(figure):
    fig, ax = figure
    steps = np.arange(200)
    for level in (1.0, 1.05, 1.1):
        ax.plot(steps, np.full(200, level), label=f"level {level}")
    ax.set_ylim(0, 2)
    ax.legend(loc="center")
    assert any("legend" in problem and "covers" in problem for problem in figure_problems(fig))


def test_named_figures_finds_figures_only(figure):
    fig, _ = figure
    assert named_figures({"fig_a": fig, "x": 1, "_hidden": fig}) == {"fig_a": fig}
