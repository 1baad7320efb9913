"""Where a graded notebook's kernel time goes: the student's cells, and inside the test cells the
student's functions, the reference (lrcore) and the checks' own code.

Issue 23 asks for this split before grading moves the references out of the kernel. For each
assignment (or those named), the source notebook — the solution, with its hidden tests and a
student's drawn hidden cases — runs `--repeats` times (default 3) top to bottom, each time in a
fresh process (as each graded notebook gets a fresh kernel: the checks' caches start empty), in
an IPython shell as a kernel would run it, while a sampling thread looks at the
running stack every `--interval` seconds (default 1 ms). A sample taken in a test cell is
charged to the innermost frame it recognises:

- **student's functions**: a function defined in a notebook cell (the checks call the
  student's `optimize`, `train_classifier` … on their cases);
- **reference**: a frame in `lrcore/` — the checks' reference computations (with the torch and
  numpy work under it);
- **checks**: a frame in `lrchecks/`, or the test cell's own lines — comparisons, evidence
  records, diagnosis of mistakes (torch or numpy called by lrchecks directly counts here).

The other cells are charged whole: **student's cells** (nbgrader solution cells) and **given
cells** (setup, demonstrations, figures; torch and matplotlib are imported before the first
notebook, so that no notebook's setup cell pays for them). Printed: median seconds per part and
per assignment, and the test cells' share of each part. Sampling costs a little: the parts add
up to the cells' wall time, measured with the sampler running.

`--grading` runs the test cells as a grading kernel does (`LRLAB_EVIDENCE=1`): each check asks
the student's code, records the answers and stops at `lrchecks.evidence.asked`, leaving the
references and the verdict to the judge outside the kernel — the reference part should fall to
about nothing.

    .venv/bin/python benchmarks/bench_kernel_split.py [ps01_constant_lr …] [--repeats 3] [--grading]

A benchmark, not a test: it prints, it never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import chdir, redirect_stdout
from io import StringIO
from pathlib import Path
from types import FrameType

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# the hidden test cells draw cases with the course secret; any secret times the same
os.environ.setdefault("LRLAB_COURSE_SECRET", "bench-kernel-split-secret-0123456789abcdef")
os.environ.setdefault("MPLBACKEND", "Agg")

from sampling import PeriodicSampler  # noqa: E402 - benchmarks/sampling.py

import lrchecks  # noqa: E402
import lrcore  # noqa: E402
from autograder.course import Course  # noqa: E402

PARTS = ("given cells", "student's cells", "student's functions", "reference", "checks")
LRCORE = str(Path(lrcore.__file__).parent) + os.sep
LRCHECKS = str(Path(lrchecks.__file__).parent) + os.sep
CELL_FILE_PREFIX = "<ipython-input-"
"""IPython compiles each cell under this file name (`CachingCompiler.get_code_name`)."""


def part_of_frame(frame: FrameType | None) -> str:
    """The part a sample taken in a test cell is charged to: the innermost recognised frame."""
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(LRCORE):
            return "reference"
        if code.co_filename.startswith(LRCHECKS):
            return "checks"
        if code.co_filename.startswith(CELL_FILE_PREFIX):
            return "checks" if code.co_name == "<module>" else "student's functions"
        frame = frame.f_back
    return "checks"


class StackSampler(PeriodicSampler):
    """Counts, every `interval` seconds, which part the main thread's stack is in."""

    def __init__(self, interval: float) -> None:
        super().__init__(interval)
        self.counts: Counter[str] = Counter()
        self._main = threading.main_thread().ident

    def sample(self) -> None:
        frame = sys._current_frames().get(self._main)  # the sampler reads the stack
        self.counts[part_of_frame(frame)] += 1


def cell_kind(cell: nbformat.NotebookNode) -> str:
    """'test' for an nbgrader test cell, 'solution' for a student's cell, 'given' otherwise."""
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    return "given"


def run_once(course: Course, assignment: str, notebook: str, interval: float) -> dict[str, float]:
    """Run the source notebook once in a fresh IPython shell; seconds per part."""
    from IPython.core.interactiveshell import InteractiveShell

    from autograder.hidden import cases_for
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE

    os.environ[HIDDEN_CASES_VARIABLE] = json.dumps(cases_for(course, assignment, "a-student"))
    folder = course.source_dir / assignment
    nb = nbformat.read(folder / f"{notebook}.ipynb", as_version=4)
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    seconds = dict.fromkeys(PARTS, 0.0)
    with chdir(folder):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.lstrip().startswith("%matplotlib"))
            kind = cell_kind(cell)
            with redirect_stdout(StringIO()), StackSampler(interval) as sampler:
                started = time.perf_counter()
                result = shell.run_cell(source, silent=True)
                elapsed = time.perf_counter() - started
            if not result.success:
                raise RuntimeError(f"{notebook}: a cell failed ({result.error_in_exec!r})")
            if kind == "test":
                total = sum(sampler.counts.values()) or 1
                for part, count in sampler.counts.items():
                    seconds[part] += elapsed * count / total
            else:
                seconds["student's cells" if kind == "solution" else "given cells"] += elapsed
    import matplotlib.pyplot as plt

    plt.close("all")
    return seconds


def run_in_fresh_process(assignment: str, notebook: str, interval: float,
                         grading: bool) -> dict[str, float]:
    """`run_once` in a new Python process, which prints its parts as JSON; `grading`: with the
    evidence switch a grading sandbox sets."""
    from lrchecks.evidence import ENVIRONMENT_SWITCH

    environment = {**os.environ, ENVIRONMENT_SWITCH: "1" if grading else "0"}
    result = subprocess.run(
        [sys.executable, __file__, assignment, "--one", notebook, "--interval", str(interval)],
        capture_output=True, text=True, check=True, env=environment)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.001, help="sampling period (s)")
    parser.add_argument("--grading", action="store_true",
                        help="run the test cells as a grading kernel does (checks only ask)")
    parser.add_argument("--one", metavar="NOTEBOOK", help=argparse.SUPPRESS)
    args = parser.parse_args()
    course = Course(REPO)
    if args.one:  # a child: one run of one notebook, its parts as JSON on the last line
        import matplotlib.pyplot  # noqa: F401 - imported first, so that the notebook's setup
        import torch  # noqa: F401 - cell is not charged for the process's first imports
        print(json.dumps(run_once(course, args.assignments[0], args.one, args.interval)))
        return
    rows = []
    for assignment in args.assignments or course.assignments():
        for notebook in course.notebooks(assignment):
            runs = [run_in_fresh_process(assignment, notebook, args.interval, args.grading)
                    for _ in range(args.repeats)]
            rows.append((notebook, {part: statistics.median(run[part] for run in runs)
                                    for part in PARTS}))
            print(f"{notebook}: done", file=sys.stderr)
    mode = "as a grading kernel (checks ask; the judge decides)" if args.grading else (
        "as Validate (checks ask and decide)")
    print(f"median of {args.repeats} runs, each in a fresh process, {mode}, seconds "
          "(test cells: student's functions + reference + checks)")
    print(f"{'notebook':28}" + "".join(f"{part:>21}" for part in PARTS) + f"{'total':>8}")
    for notebook, parts in rows:
        total = sum(parts.values())
        print(f"{notebook:28}" + "".join(f"{parts[part]:21.2f}" for part in PARTS)
              + f"{total:8.2f}")
    sums = {part: sum(parts[part] for _, parts in rows) for part in PARTS}
    tests = sum(sums[part] for part in PARTS[2:]) or 1.0
    print("share of the test cells' time: " + ", ".join(
        f"{part} {100 * sums[part] / tests:.0f} %" for part in PARTS[2:]))


if __name__ == "__main__":
    main()
