"""ps02 §4: the gallery of schedule shapes, one panel per schedule function."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import iteration_variants
from lrchecks.ps02.formulas import (
    FormulaCase,
    diagnose_formula,
    formula_call,
    formula_parameters,
    formula_reference,
)
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match

__all__ = ["GALLERY_STEPS", "GALLERY", "check_gallery_figure"]

GALLERY_STEPS = 60
GALLERY: dict[str, FormulaCase] = {
    "step_decay": FormulaCase((1.0, 15, 0.5), {}, GALLERY_STEPS),
    "exponential_decay": FormulaCase((1.0, 0.95), {}, GALLERY_STEPS),
    "cosine_annealing": FormulaCase((1.0, 40), {}, GALLERY_STEPS),
    "linear_warmup": FormulaCase((1.0, 10, 0.1), {}, GALLERY_STEPS),
}
"""The four curves of fig_gallery: name → parameters, over steps 0..GALLERY_STEPS−1."""


def _line_data(line: Any) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float))


def _drawn(line: Any, variants: list[tuple[np.ndarray, np.ndarray]]) -> bool:
    x_data, y_data = _line_data(line)
    return any(arrays_match(y_data, y_ref) and arrays_match(x_data, x_ref)
               for x_ref, y_ref in variants)


@judged
def check_gallery_figure(fig_gallery: Any) -> None:
    """One panel per schedule of GALLERY (any order), each with a title and an x label, showing
    the schedule's lr over steps 0..59 (the curves are compared after `asked`)."""
    panels = plots.panels_of(fig_gallery, "fig_gallery")
    plots.check_panel_count(panels, len(GALLERY), "fig_gallery")
    for index, panel in enumerate(panels):
        where = f"panel {index + 1} of fig_gallery"
        plots.check_title(panel, where)
        plots.check_axis_label(panel, "x", ("step", "iteration", "t"), where)
    asked()  # no call of the student's code: the curves are judged outside the kernel
    lines = [line for panel in panels for line in panel.get_lines()]
    for name, case in GALLERY.items():
        parameters = formula_parameters(name, case)
        expected = formula_reference(name, parameters)[0].values(case.n)
        variants = iteration_variants(expected)
        if any(_drawn(line, variants) for line in lines):
            continue
        call = formula_call(name, case)
        for line in lines:
            diagnosis = diagnose_formula(name, _line_data(line)[1], parameters)
            if _line_data(line)[1].size == case.n and diagnosis:
                raise CheckFailed(f"fig_gallery: the curve of {call} is wrong. {diagnosis}")
        raise CheckFailed(f"fig_gallery has no curve of {call} for t = 0 … {case.n - 1}; "
                          f"draw it in its own panel, e.g. ax.plot(steps, [{call} for t in "
                          "steps]).")
    passed("fig_gallery shows the four schedule shapes.")
