"""ps05 §3.3: the runs of the classifier — three constant lrs, the plateau run and its
constant-lr control: their test accuracies, the decision boundaries they draw, and the plateau
run's loss and lr next to the control's."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.asking import Answer
from lrchecks.diagnosis.optim import SAME_MODEL_EVERYWHERE, ranges_close
from lrchecks.evidence import asked, judged
from lrchecks.model_weights import recorded_weights
from lrchecks.plot_lines import numbers_in
from lrchecks.ps05.classifier import ARCHITECTURE, history_of, net_of
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, describe_number, to_float
from lrcore import classification

__all__ = ["ACCURACY_BOUNDS", "ACCURACY_ADVICE", "check_test_accuracies",
           "check_boundary_figure", "check_plateau_figure"]

# The accuracy each run must reach (lower bound) or stay under (upper bound).
ACCURACY_BOUNDS: dict[str, tuple[float, float]] = {
    "lr 0.5": (0.0, 0.6),
    "lr 0.005": (0.95, 1.0),
    "lr 1e-05": (0.0, 0.6),
    "lr 0.05": (0.98, 1.0),
    "plateau from 0.05": (0.98, 1.0),
}
ACCURACY_ADVICE = {
    "lr 0.5": "With lr 0.5 every Adam step overshoots: the run should end near chance (≈ 0.5). "
    "Check that this run really uses lr = 0.5.",
    "lr 1e-05": "With lr 1e-5 the net barely moves in 50 epochs: it should stay near chance "
    "(≈ 0.5). Check that this run really uses lr = 1e-5 and 50 epochs.",
    "lr 0.005": "lr 0.005 for 50 epochs should reach at least 0.95: check the run's settings "
    "(make_classifier(SEED), Adam, 50 epochs, batches of 50).",
    "lr 0.05": "A constant lr of 0.05 for 100 epochs should reach at least 0.98: check the run's "
    "settings (make_classifier(SEED), Adam, 100 epochs, no scheduler).",
    "plateau from 0.05": "ReduceLROnPlateau from 0.05 (factor 0.5, patience 10, min_lr 1e-5, 100 "
    "epochs) should reach at least 0.98: check that the scheduler steps with the validation "
    "loss and that its lr reaches the optimiser.",
}


# A run as the kernel asks it: its history (read by `history_of`), and its model's weights
# (a recorded call, `recorded_weights`) — both kept to be read in the checks' order.
RunAnswers = tuple[Answer[dict[str, np.ndarray]], Answer[Any]]


def _ask_run(run: Any, shown: str) -> RunAnswers:
    """The history of a (model, history) pair and, once it has one, its model's weights."""
    try:
        model, history = history_of(run, shown)
    except CheckFailed as failure:
        return Answer(failure=failure), Answer()
    what = f"the model of {shown}"
    return Answer(history), Answer.of(lambda: recorded_weights(model, what, ARCHITECTURE))


@judged
def check_test_accuracies(test_accuracy: Any, runs: Any) -> None:
    """The runs of CLASSIFIER_RUNS: their models give the stated test accuracies, which are
    ≈ 0.5 (lr 0.5, lr 1e-5), ≥ 0.95 (lr 0.005) and ≥ 0.98 (lr 0.05 and the plateau run); the
    histories have the asked lengths and lrs."""
    names = list(classification.COURSE_RUNS)
    for what, container in (("test_accuracy", test_accuracy), ("runs", runs)):
        if not isinstance(container, Mapping):
            raise CheckFailed(f"{what} should be a dict keyed by the run names "
                              f"{', '.join(map(repr, names))}, got {type(container).__name__}.")
        missing = [n for n in names if n not in container]
        if missing:
            raise CheckFailed(f"{what} has no entry for {', '.join(map(repr, missing))}; use the "
                              "names of CLASSIFIER_RUNS as keys.")
    answers = {name: _ask_run(runs[name], f"runs[{name!r}]") for name in names}
    asked()  # every model's weights are read: the accuracies are the judge's to compute
    split = classification.quantiles_split()
    for name in names:
        settings = classification.COURSE_RUNS[name]
        history_answer, weights = answers[name]
        history = history_answer.get()
        lrs = history["lr"]
        if lrs.size != settings["epochs"]:
            raise CheckFailed(f"runs[{name!r}] has {lrs.size} epochs; this run trains for "
                              f"{settings['epochs']}.")
        if not math.isclose(lrs[0], settings["lr"], rel_tol=1e-9):
            raise CheckFailed(f"runs[{name!r}] starts with lr {describe_number(lrs[0])}; it "
                              f"should start at {settings['lr']}.")
        if settings["plateau"] is None and not np.allclose(lrs, settings["lr"], rtol=1e-9):
            raise CheckFailed(f"runs[{name!r}] should keep its lr constant.")
        stated = to_float(test_accuracy[name], f"test_accuracy[{name!r}]")
        actual = classification.accuracy(net_of(weights, f"the model of runs[{name!r}]"),
                                         split.X_test, split.y_test)
        if abs(stated - actual) > 1.01 / classification.N_TEST:
            raise CheckFailed(f"test_accuracy[{name!r}] is {describe_number(stated)}, but the "
                              f"model of runs[{name!r}] classifies {describe_number(actual)} of "
                              "the test points right: compute it from the model, on X_test.")
        low, high = ACCURACY_BOUNDS[name]
        if not low <= actual <= high:
            bound = f"at least {low}" if low > 0 else f"at most {high}"
            raise CheckFailed(f"The {name!r} run reaches a test accuracy of "
                              f"{describe_number(actual)}; it should be {bound}. "
                              f"{ACCURACY_ADVICE[name]}")
    passed(f"The {len(names)} runs reach the expected test accuracies: ≈ 0.5 for lr 0.5 and "
           "1e-5, ≥ 0.95 for lr 0.005, ≥ 0.98 for lr 0.05 with and without ReduceLROnPlateau.")


def _filled_field(panel: Any) -> Any | None:
    """A filled contour, mesh or image drawn on the panel (what shows P(y = 1))."""
    from matplotlib.collections import QuadMesh
    from matplotlib.contour import ContourSet

    from lrchecks.recorded_figure import RecordedField

    for artist in list(panel.collections) + list(panel.images):
        if isinstance(artist, RecordedField):  # the grader's copy: a field is filled
            return artist
        if isinstance(artist, ContourSet) and getattr(artist, "filled", False):
            return artist
        if isinstance(artist, QuadMesh) or artist in panel.images:
            return artist
    return None


def _field_range(artist: Any) -> tuple[float, float]:
    from matplotlib.contour import ContourSet

    from lrchecks.recorded_figure import RecordedField

    if isinstance(artist, RecordedField) and artist.kind == "contourf":
        return artist.zmin, artist.zmax
    if isinstance(artist, ContourSet):
        # the data's range (its outer levels may round past it: 0 to 1.05 for data in [0, 1])
        if hasattr(artist, "zmin") and hasattr(artist, "zmax"):
            return float(artist.zmin), float(artist.zmax)
        levels = np.asarray(artist.levels, dtype=float)
        return float(levels.min()), float(levels.max())
    values = np.ma.masked_invalid(np.asarray(artist.get_array(), dtype=float))
    return float(values.min()), float(values.max())


def _run_of_title(title: str) -> str | None:
    """The run a panel's title names: 'plateau' for the plateau run, else the first number of
    the title that is a constant run's lr (a test accuracy written after it is not read)."""
    if "plateau" in title.lower():
        return classification.PLATEAU_RUN
    constant_runs = {name: settings["lr"] for name, settings in
                     classification.COURSE_RUNS.items() if settings["plateau"] is None}
    for number in numbers_in(title):
        for name, lr in constant_runs.items():
            if math.isclose(number, lr, rel_tol=1e-9):
                return name
    return None


def _panel_range(panel: Any, where: str) -> tuple[float, float]:
    """The (lowest, highest) P(y = 1) a panel's filled field shows, in [0, 1]."""
    field = _filled_field(panel)
    if field is None:
        raise CheckFailed(f"{where.capitalize()} has no filled contour: draw P(y = 1) with "
                          "ax.contourf(xs, ys, P) (or pcolormesh / imshow).")
    low, high = _field_range(field)
    if low < -1e-6 or high > 1 + 1e-6:
        raise CheckFailed(f"{where.capitalize()} shows values from {describe_number(low)} to "
                          f"{describe_number(high)}; P(y = 1) lies in [0, 1] — apply the "
                          "sigmoid to the logits (probability_grid does).")
    return low, high


def _model_range(answers: RunAnswers, name: str) -> tuple[float, float]:
    """The range of P(y = 1) over the square of the model of runs[name], computed by the
    grader from the model's weights (`_ask_run`)."""
    history, weights = answers
    history.get()
    net = net_of(weights, f"the model of runs[{name!r}]")
    _, _, probabilities = classification.probability_grid(net)
    return float(probabilities.min()), float(probabilities.max())


@judged
def check_boundary_figure(fig_boundaries: Any, runs: Any) -> None:
    """One panel per run (named in the title), each a filled contour (or mesh/image) of
    P(y = 1) in [0, 1] covering [−1.5, 1.5]², drawn from that run's own model: its range of
    P(y = 1) is the range of the model of runs[name] (within RANGE_ATOL)."""
    panels = plots.panels_of(fig_boundaries, "fig_boundaries")
    plots.check_panel_count(panels, len(classification.COURSE_RUNS), "fig_boundaries")
    if not isinstance(runs, Mapping) or set(classification.COURSE_RUNS) - set(runs):
        raise CheckFailed("runs should be the dict of Task 3.3, one (model, history) pair per "
                          "name of CLASSIFIER_RUNS: make its test pass first.")
    shown: dict[str, tuple[float, float]] = {}
    limit = classification.GRID_LIMIT
    lrs = ", ".join(f"{settings['lr']:g}" for settings in classification.COURSE_RUNS.values()
                    if settings["plateau"] is None)
    for name, panel in plots.panels_by_title(
            panels, _run_of_title,
            lambda title: f"A panel of fig_boundaries is titled {title!r}; each title should "
                          f"name its run: its lr ({lrs}) or 'plateau'.",
            lambda name: f"Two panels of fig_boundaries show the run {name!r}."):
        where = f"the {name!r} panel of fig_boundaries"
        shown[name] = _panel_range(panel, where)
        x_low, x_high = sorted(panel.get_xlim())
        y_low, y_high = sorted(panel.get_ylim())
        tolerance = 0.05 * limit
        if (x_low > -limit + tolerance or x_high < limit - tolerance
                or y_low > -limit + tolerance or y_high < limit - tolerance):
            raise CheckFailed(f"{where.capitalize()} covers x ∈ [{x_low:.2f}, {x_high:.2f}], "
                              f"y ∈ [{y_low:.2f}, {y_high:.2f}]; it should cover "
                              f"[−{limit}, {limit}]².")
    answers = {name: _ask_run(runs[name], f"runs[{name!r}]") for name in shown}
    asked()  # the figure is read and every model's weights too: the ranges are the judge's
    expected = {name: _model_range(answers[name], name) for name in shown}
    if SAME_MODEL_EVERYWHERE.fits(shown, expected):
        raise CheckFailed(f"fig_boundaries is not right. {SAME_MODEL_EVERYWHERE.explanation}",
                          diagnosis=SAME_MODEL_EVERYWHERE.explanation)
    for name, (low, high) in shown.items():
        if not ranges_close((low, high), expected[name]):
            model_low, model_high = expected[name]
            raise CheckFailed(f"The {name!r} panel of fig_boundaries shows P(y = 1) from "
                              f"{low:.2f} to {high:.2f}, but the model of runs[{name!r}] gives "
                              f"{model_low:.2f} to {model_high:.2f} over the square: draw each "
                              "panel from its own run's model.")
    passed(f"fig_boundaries shows P(y = 1) of the {len(shown)} runs' own models over "
           "[−1.5, 1.5]².")


def _line_of(panel: Any, values: np.ndarray, steps: bool = False) -> Any | None:
    """The line of `panel` that draws `values` against the epoch (from 0 or from 1); a
    steps-post line may repeat the last value."""
    n = values.size
    epochs = [np.arange(0, n, dtype=float), np.arange(1, n + 1, dtype=float)]
    for line in panel.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        if steps and y.size == n + 1:
            x, y = x[:n], y[:n]
        if arrays_match(y, values) and any(arrays_match(x, e) for e in epochs):
            return line
    return None


def _control_history(control_run: Any) -> dict[str, np.ndarray]:
    """The control run's history, which must be CONTROL_RUN's: the plateau run's start and
    length at a constant lr."""
    name = classification.CONTROL_RUN
    settings = classification.COURSE_RUNS[name]
    _, history = history_of(control_run, "control_run")
    lrs = history["lr"]
    if lrs.size != settings["epochs"] or not np.allclose(lrs, settings["lr"], rtol=1e-9):
        raise CheckFailed(f"control_run should be runs[{name!r}]: the constant lr "
                          f"{settings['lr']} for {settings['epochs']} epochs, the plateau run "
                          "without its cuts.")
    return history


@judged
def check_plateau_figure(fig_plateau: Any, plateau_run: Any, control_run: Any) -> None:
    """Two panels against the epoch: the validation loss of the plateau run and of its
    constant-lr control (two labelled lines, a legend) on the left, the plateau run's lr on the
    right."""
    _, history = history_of(plateau_run, "plateau_run")
    control = _control_history(control_run)
    left, right = plots.two_panels(fig_plateau, "fig_plateau")
    asked()  # plain data, no call of the student's code: the judge reads the figure alone
    plots.check_labelled_panels(((left, "the left panel of fig_plateau"),
                                 (right, "the right panel of fig_plateau")), ("epoch",),
                                legend=None)
    plots.check_axis_label(left, "y", ("loss",), "the left panel of fig_plateau")
    plots.check_axis_label(right, "y", ("learning rate", "lr"), "the right panel of fig_plateau")
    if _line_of(left, history["val_loss"]) is None:
        raise CheckFailed("The left panel of fig_plateau should draw the validation loss of "
                          "plateau_run (history['val_loss']) against the epoch; no line matches "
                          "it.")
    control_line = _line_of(left, control["val_loss"])
    if control_line is None:
        raise CheckFailed("The left panel of fig_plateau should also draw the validation loss of "
                          "control_run against the epoch: the plateau run's cuts are judged "
                          "against the same run without them.")
    plots.check_legend(left, "The left panel of fig_plateau",
                       "label both lines (the plateau run and its control)")
    if _line_of(right, history["lr"], steps=True) is None:
        raise CheckFailed("The right panel of fig_plateau should draw the learning rate of "
                          "plateau_run (history['lr']) against the epoch; no line matches it.")
    passed("fig_plateau shows the plateau run's validation loss next to its constant-lr "
           "control's, and its lr.")
