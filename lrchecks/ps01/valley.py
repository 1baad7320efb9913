"""ps01 §7: one learning rate for two curvatures — gradient descent on the valley
f(x, y) = a_x·x² + a_y·y², and the figure of its two coordinates. The checks ask the student's
code (or read the figure) first and then decide (`lrchecks.asking`): while grading, the judge
alone computes the references."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.diagnosis.quadratic import SIGNED_X
from lrchecks.diagnosis.valley import VALLEY, diagnose_valley
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import ExpectedLine, check_lines, iteration_variants
from lrchecks.report import CheckFailed, passed
from lrchecks.values import read_only, result_mismatch, wrong_value_sentence
from lrcore import curvature

__all__ = ["VALLEY_CURVATURES", "VALLEY_START", "VALLEY_ITERATIONS", "VALLEY_LRS",
           "VALLEY_CASES_VISIBLE", "VALLEY_ADVICE", "COORDINATE_ALIASES", "check_descent_2d",
           "check_valley_figure"]

VALLEY_CURVATURES = (1.0, 0.01)
VALLEY_START = (1.0, 1.0)
VALLEY_ITERATIONS = 100
VALLEY_LRS = (0.9, 1.05)
"""The runs of fig_valley: the left panel, then the right one."""
COORDINATE_ALIASES = {"x": ("x", "steep"), "y": ("y", "flat")}
"""What a legend label may call each coordinate's line."""

ValleyCase = tuple[float, int, Any, Any]
"""(lr, num_iterations, start, curvatures) of one descent_2d case."""
VALLEY_CASES_VISIBLE: tuple[ValleyCase, ...] = (
    (0.9, 5, (1.0, 1.0), (1.0, 0.01)),
    (0.3, 4, (2, -3), (0.5, 2.0)),
    (1.05, 6, (1.0, 1.0), (1.0, 0.01)),
)
"""The valley of the notebook; a start of integers with the steep direction second; a
learning rate that diverges along x."""
VALLEY_ADVICE = ("the points differ from gradient descent's on a_x·x² + a_y·y²: each step "
                 "multiplies x by 1 − 2a_x·lr and y by 1 − 2a_y·lr; return one row (x, y) per "
                 "step, after the update.")


def _wrong_shape(call: str, student: np.ndarray, n: int) -> CheckFailed:
    """The failure for points of another shape than one row (x, y) per step."""
    transposed = student.shape == (2, n)
    return CheckFailed(f"{call} returned an array of shape {student.shape}; it should be "
                       f"({n}, 2): one row (x, y) per step"
                       + (" — yours has one row per coordinate." if transposed else "."),
                       diagnosis="the result should have one row (x, y) per step.")


def _ask_valley(descent_2d: Any, case: ValleyCase) -> Any:
    """The student's points for one case."""
    lr, n, start, curvatures = case
    return call_student(descent_2d, "descent_2d", lr, n, start, curvatures)


def _decide_valley(case: ValleyCase, result: Any) -> None:
    """The student's points for one case against lrcore's, the mistake named."""
    lr, n, start, curvatures = case
    call = format_call("descent_2d", (lr, n, start, curvatures), {})
    found = result_mismatch(result, curvature.descent_2d(lr, n, start, curvatures), call,
                            lambda student: _wrong_shape(call, student, n))
    if found is None:
        return
    student, mismatch = found
    assert mismatch.index is not None
    step, coordinate = divmod(mismatch.index, 2)
    sentence = wrong_value_sentence(call, f"{'xy'[coordinate]} after step {step + 1}", mismatch)
    raise CheckFailed.with_diagnosis(sentence, diagnose_valley(student, lr, n, start,
                                                               curvatures))


@judged
def check_descent_2d(descent_2d: Any, hidden: bool = False) -> None:
    """The points (x, y) after each step of gradient descent on a_x·x² + a_y·y²."""
    require_own_function(descent_2d, "descent_2d")
    run_asking_cases(lambda case: _ask_valley(descent_2d, case), _decide_valley, hidden,
                     "ps01.descent_2d", VALLEY_CASES_VISIBLE, VALLEY_ADVICE)
    passed("descent_2d is right" + (" on unseen valleys." if hidden else "."))


@cache
def _coordinate_lines(lr: float) -> tuple[ExpectedLine, ...]:
    """|x| and |y| of the fig_valley run with `lr`, each with the valley mistakes that draw
    another line — the same for every student, so a grading process computes them once."""
    run = read_only(curvature.descent_2d(lr, VALLEY_ITERATIONS, VALLEY_START,
                                         VALLEY_CURVATURES))
    lines = []
    for index, name in enumerate("xy"):
        values = np.abs(run[:, index])

        def mistakes(index: int = index, run: np.ndarray = run) -> dict[str, np.ndarray]:
            found = {SIGNED_X.explanation: run[:, index]}
            for mistake in VALLEY:
                mistaken = mistake.model(lr, VALLEY_ITERATIONS, VALLEY_START, VALLEY_CURVATURES)
                found.setdefault(mistake.explanation, np.abs(mistaken[:, index]))
            return found

        lines.append(ExpectedLine(f"|{name}|", iteration_variants(values,
                                                                  abs(VALLEY_START[index])),
                                  mistakes=mistakes, aliases=COORDINATE_ALIASES[name]))
    return tuple(lines)


@judged
def check_valley_figure(fig_valley: Any) -> None:
    """Two panels, lr = 0.9 then lr = 1.05: |x| and |y| against the iteration on a log axis,
    labelled, with titles and legends."""
    panels = plots.two_panels(fig_valley, "fig_valley")
    asked()
    for side, panel, lr in zip(("left", "right"), panels, VALLEY_LRS, strict=True):
        where = f"the {side} panel of fig_valley (lr = {lr})"
        plots.check_axis_label(panel, "x", ("iteration", "step"), where)
        plots.check_title(panel, where)
        plots.check_log_scale(panel, "y", where)
        check_lines(panel, list(_coordinate_lines(lr)), where, plotted="descent_2d")
    passed("fig_valley shows |x| and |y| of the runs with lr = 0.9 and lr = 1.05.")
