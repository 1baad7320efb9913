"""ps04 §7: the experiment — which α? ‖Q − Q*‖∞ and the greedy policy's success probability of
six step sizes, sweep by sweep."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.diagnosis.rl import ERROR_CURVES, SWEEP_LATE
from lrchecks.evidence import asked, judged
from lrchecks.plot_lines import numbers_in
from lrchecks.ps04.lakes import GAMMA, model_of, q_star
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, describe_number, read_only, same_pattern
from lrcore import rl

__all__ = ["CONSTANT_ALPHAS", "OMEGAS", "N_SWEEPS", "SWEEP_SEED", "CHECKPOINTS",
           "check_alpha_figure_layout", "check_alpha_figure_errors",
           "check_alpha_figure_success"]

CONSTANT_ALPHAS: tuple[float, ...] = (0.5, 0.1, 0.01)
OMEGAS: tuple[float, ...] = (1.0, 0.8, 0.6)
N_SWEEPS = 10_000
SWEEP_SEED = 0
CHECKPOINTS = np.unique(np.geomspace(1, N_SWEEPS, 30).astype(int))
"""The experiment of the submitted figure (given to the students in the notebook)."""


def _schedules() -> list[rl.StepSize]:
    return ([rl.constant_step_size(alpha) for alpha in CONSTANT_ALPHAS]
            + [rl.polynomial_step_size(omega) for omega in OMEGAS])


@cache
def _reference_curves() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """label → (‖Q − Q*‖∞ after every sweep, success probability at CHECKPOINTS)."""
    model, best = model_of(), q_star(GAMMA)
    steps = _schedules()
    # all six on the same samples at once: each run equals its own synchronous_q_learning
    histories = rl.synchronous_q_learning_many(model, steps, N_SWEEPS, GAMMA, SWEEP_SEED)
    curves = {}
    for step, history in zip(steps, histories, strict=True):
        errors = np.asarray(rl.sup_norm_error(history, best))
        _, successes = rl.learning_curves(history[CHECKPOINTS - 1], best, model)
        curves[step.label] = (errors, successes)
    return curves


@cache
def _mistaken_error_curves(step: rl.StepSize) -> dict[str, np.ndarray]:
    """Sentence → the ‖Q − Q*‖∞ curve (every sweep) a usual mistake draws; computed only when
    a line is wrong, once per process (read-only; the caller only reads the dict)."""
    model, best = model_of(), q_star(GAMMA)
    history = rl.synchronous_q_learning(model, step, N_SWEEPS, GAMMA, SWEEP_SEED)
    curves = {mistake.explanation: read_only(np.asarray(mistake.model(history, best, model)))
              for mistake in ERROR_CURVES}
    if step.omega:
        late = SWEEP_LATE.model(model, step, N_SWEEPS, GAMMA, SWEEP_SEED)
        curves[SWEEP_LATE.explanation] = read_only(np.asarray(rl.sup_norm_error(late, best)))
    return curves


_EXPONENT = re.compile(r"(?:\^|\*\*)\s*[{(]?\s*-?\s*(\d*\.?\d+)")
_OMEGA = re.compile(r"(?:ω|omega|\bw(?=\s*=))\s*=?\s*(\d*\.?\d+)", re.IGNORECASE)


def _label_names(label: str, step: rl.StepSize) -> bool:
    """Whether a legend label names this schedule: 'α = 0.1', '0.1', '1/n', '1/n^0.6',
    'n**-0.6', 'ω = 0.6' …"""
    text = label.replace(" ", "")
    exponent = _EXPONENT.search(text) or _OMEGA.search(label)
    decaying = bool(exponent) or re.search(r"/\s*n|n\^|n\*\*|ω|omega", label, re.IGNORECASE)
    if step.omega == 0:
        return not decaying and any(np.isclose(v, step.alpha, rtol=1e-9, atol=0)
                                    for v in numbers_in(label))
    if not decaying:
        return False
    omega = float(exponent.group(1)) if exponent else 1.0
    return bool(np.isclose(omega, step.omega, rtol=1e-9, atol=0))


@judged
def check_alpha_figure_layout(fig_alpha: Any) -> None:
    """Two panels against the sweep: ‖Q − Q*‖∞ on log-log axes, success probability; titles,
    labels and a legend."""
    left, right = plots.two_panels(fig_alpha, "fig_alpha")
    asked()  # a figure: nothing of the student's to call, the judge decides
    plots.check_labelled_panels(((left, "the left panel"), (right, "the right panel")),
                                ("sweep",))
    plots.check_axis_label(left, "y", ("Q*", "Q^*", "error", "‖", "||", "norm", "distance"),
                           "the left panel")
    plots.check_axis_label(right, "y", ("success", "goal", "win"), "the right panel")
    plots.check_log_scale(left, "y", "the left panel (‖Q − Q*‖∞)")
    plots.check_log_scale(left, "x", "the left panel (sweeps)")
    passed("fig_alpha has two labelled panels against the sweep, log-log for ‖Q − Q*‖∞.")


def _check_schedule_lines(
    panel: Any,
    where: str,
    expected: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    mistaken: Callable[[rl.StepSize], dict[str, np.ndarray]] | None = None,
) -> None:
    """expected: label → list of acceptable (x, y). Lines are matched by data, in any order; a
    matched line must be labelled with its schedule. `mistaken(step)` gives the per-sweep y of
    modelled mistakes, tried on a wrong line."""
    # Two-point lines are reference lines (ax.axhline for the optimum), not runs.
    lines = [line for line in panel.get_lines() if np.asarray(line.get_xdata()).size > 2]
    if not lines:
        raise CheckFailed(f"{where} has no lines; draw one line per schedule.")
    steps = {step.label: step for step in _schedules()}

    def matches(line: Any, variants: list[tuple[np.ndarray, np.ndarray]]) -> bool:
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        return any(arrays_match(y, y_ref) and arrays_match(x, x_ref) for x_ref, y_ref in variants)

    used: set[int] = set()  # ids of the lines matched so far
    for label, variants in expected.items():
        step = steps[label]
        found = [line for line in lines if matches(line, variants)]
        named = [line for line in lines if _label_names(line.get_label(), step)]
        if found:
            if not any(_label_names(line.get_label(), step) for line in found):
                shown = found[0].get_label()
                raise CheckFailed(f"{where}: the line of {label} is labelled "
                                  f"{shown if not shown.startswith('_') else 'nothing'}; put "
                                  f"the schedule in its label, e.g. label='{label}'.")
            used.update(id(line) for line in found)
            continue
        if not named:
            shown = ", ".join(repr(ln.get_label()) for ln in lines
                              if not ln.get_label().startswith("_")) or "none"
            raise CheckFailed(f"{where}: no line shows the run of {label} (labels found: "
                              f"{shown}). Draw every schedule, labelled e.g. '{label}'.")
        y = np.asarray(named[0].get_ydata(), dtype=float)
        x_ref, y_ref = variants[0]
        for sentence, y_mistake in (mistaken(step) if mistaken else {}).items():
            for x_variant, _ in variants:
                if y.shape == x_variant.shape:
                    index = (x_variant - 1).astype(int)
                    if same_pattern(y, y_mistake[index]):
                        raise CheckFailed(f"{where}: the line of {label} is wrong. {sentence}")
        for x_variant, y_variant in variants:
            if y.shape == y_variant.shape:
                x = np.asarray(named[0].get_xdata(), dtype=float)
                if arrays_match(y, y_variant):
                    raise CheckFailed(f"{where}: the line of {label} has the right values at "
                                      "the wrong x: plot them against the sweep number "
                                      "(CHECKPOINTS).")
                if arrays_match(x, x_variant):
                    point = int(np.argmin(np.isclose(y, y_variant, rtol=1e-5, atol=1e-12)))
                    raise CheckFailed(
                        f"{where}: the line of {label} differs from the run at sweep "
                        f"{int(x_variant[point])}: it shows {describe_number(y[point])}, the run "
                        f"gives {describe_number(y_variant[point])}.")
        raise CheckFailed(f"{where}: the line of {label} has {y.size} points; plot the value at "
                          f"each of the {x_ref.size} CHECKPOINTS.")
    extra = [line.get_label() for line in lines
             if id(line) not in used and not line.get_label().startswith("_")]
    if extra:
        raise CheckFailed(f"{where} has lines that are not among the schedules asked for: "
                          f"{', '.join(map(repr, extra))}.")


@judged
def check_alpha_figure_errors(fig_alpha: Any) -> None:
    """The left panel: ‖Q − Q*‖∞ of each schedule at CHECKPOINTS (or after every sweep)."""
    left, _ = plots.two_panels(fig_alpha, "fig_alpha")
    asked()  # the reference runs are the judge's alone
    every_sweep = np.arange(1, N_SWEEPS + 1, dtype=float)
    expected = {}
    for label, (errors, _) in _reference_curves().items():
        expected[label] = [(CHECKPOINTS.astype(float), errors[CHECKPOINTS - 1]),
                           (every_sweep, errors)]
    _check_schedule_lines(left, "The left panel of fig_alpha", expected, _mistaken_error_curves)
    passed("The left panel shows ‖Q − Q*‖∞ of all six schedules.")


@judged
def check_alpha_figure_success(fig_alpha: Any) -> None:
    """The right panel: the greedy policy's success probability at CHECKPOINTS."""
    _, right = plots.two_panels(fig_alpha, "fig_alpha")
    asked()  # the reference runs are the judge's alone
    expected = {label: [(CHECKPOINTS.astype(float), successes)]
                for label, (_, successes) in _reference_curves().items()}
    _check_schedule_lines(right, "The right panel of fig_alpha", expected)
    passed("The right panel shows the greedy policies' success probability for all six "
           "schedules.")
