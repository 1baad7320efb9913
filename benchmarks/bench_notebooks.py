"""How long each solution notebook takes: Run All in a fresh kernel, and nbgrader's Validate.

For every assignment (or those named on the command line) this runs, `--repeats` times (default
3), the source notebook top to bottom in a fresh kernel (nbclient, as JupyterLab's Run All) and
`nbgrader validate` on the release notebook filled with the solution (as a student's Validate
button), and prints the medians: the kernel's start, the setup cell, every cell's sum and the
whole Run All, Validate's wall time, then the slowest cells of each notebook (median seconds).

    .venv/bin/python benchmarks/bench_notebooks.py [ps01_constant_lr …] [--repeats 3] [--top 5]

`--course DIR` measures another course directory (e.g. an earlier commit's source/, release/,
hidden_cases/ and nbgrader_config.py, from `git archive`) for a before/after comparison.

A benchmark, not a test: it prints, it never fails on a time. The targets (issue 22) are Run All
≤ 20 s, Validate ≤ 25 s and the setup cell < 2 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# the hidden test cells draw cases with the course secret; any secret times the same
os.environ.setdefault("LRLAB_COURSE_SECRET", "bench-notebooks-secret-0123456789abcdef")

from autograder.course import Course  # noqa: E402
from autograder.samples.build import Sample, build_notebook  # noqa: E402


@dataclass
class RunAll:
    """One Run All: the kernel's start and every code cell's seconds (with a short name)."""

    kernel_start: float
    total: float
    cells: list[tuple[str, float]]


def cell_name(cell: nbformat.NotebookNode, index: int) -> str:
    """The grade id of a cell, or its index and first line."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    if grade_id:
        return grade_id
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"[{index}] {first[:40]}"


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def run_all(course: Course, assignment: str, notebook: str) -> RunAll:
    """Execute the source notebook once in a fresh kernel; per-cell times from nbclient."""
    from autograder.hidden import cases_for
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE

    os.environ[HIDDEN_CASES_VARIABLE] = json.dumps(cases_for(course, assignment, "a-student"))
    folder = course.source_dir / assignment
    nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(folder)}})
    started = time.perf_counter()
    with client.setup_kernel():
        kernel_ready = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    finished = time.perf_counter()
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            seconds = _seconds(timing["iopub.execute_input"], timing["shell.execute_reply"])
            cells.append((cell_name(cell, index), seconds))
    return RunAll(kernel_ready - started, finished - kernel_ready, cells)


def validate(course: Course, assignment: str, notebook: str) -> float:
    """Seconds of `nbgrader validate` on the release notebook filled with the solution."""
    solved = build_notebook(course, assignment, notebook, Sample("solved", "the solution"))
    with tempfile.TemporaryDirectory(dir=course.release_dir / assignment) as folder:
        path = Path(folder) / f"{notebook}.ipynb"
        nbformat.write(solved, path)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)],
                                cwd=course.root, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
    if "Success!" not in result.stdout:
        print(f"   (validate of {assignment} did not succeed: {result.stdout[-200:]!r})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--top", type=int, default=5, help="slowest cells shown per notebook")
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--course", type=Path, default=REPO, help="the course directory")
    args = parser.parse_args()
    course = Course(args.course.resolve())
    assignments = args.assignments or course.assignments()
    rows, slowest = [], {}
    for assignment in assignments:
        for notebook in course.notebooks(assignment):
            runs = [run_all(course, assignment, notebook) for _ in range(args.repeats)]
            validations = ([] if args.no_validate else
                           [validate(course, assignment, notebook) for _ in range(args.repeats)])
            median = statistics.median
            per_cell = {name: median(run.cells[i][1] for run in runs)
                        for i, (name, _) in enumerate(runs[0].cells)}
            setup = per_cell.get("setup", next(iter(per_cell.values()), 0.0))
            rows.append((notebook, median(r.kernel_start for r in runs), setup,
                         median(sum(s for _, s in r.cells) for r in runs),
                         median(r.total for r in runs),
                         median(validations) if validations else float("nan")))
            slowest[notebook] = sorted(per_cell.items(), key=lambda item: -item[1])[:args.top]
            print(f"{notebook}: done", file=sys.stderr)
    print(f"median of {args.repeats} runs, seconds")
    print(f"{'notebook':28} {'kernel':>7} {'setup':>6} {'cells':>7} {'Run All':>8} {'Validate':>9}")
    for notebook, kernel, setup, cells, total, validation in rows:
        print(f"{notebook:28} {kernel:7.2f} {setup:6.2f} {cells:7.2f} {total:8.2f} "
              f"{validation:9.2f}")
    for notebook, cells in slowest.items():
        print(f"\nslowest cells of {notebook}:")
        for name, seconds in cells:
            print(f"  {seconds:6.2f}  {name}")


if __name__ == "__main__":
    main()
