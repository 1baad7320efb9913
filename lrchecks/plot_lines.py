"""Checks on the lines of a student's matplotlib panel: each run drawn once, labelled, with
the right data — and, when it is wrong, which modelled mistake it looks like.

A panel's lines are matched to the reference runs in any order; a run is identified by the
number in its legend label (`"lr = 0.1"`, `"η=0.10"` and `"0.1"` all name the run with lr 0.1),
or by one of its names (`aliases`: `"StepLR"` and `"step decay"` both name the run called
'step').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrchecks.plots import check_legend
from lrchecks.report import CheckFailed
from lrchecks.values import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    arrays_match,
    describe_number,
    same_pattern,
)

__all__ = [
    "ExpectedLine",
    "check_lines",
    "labelled_lines",
    "line_data",
    "numbers_in",
    "names_by_alias",
    "iteration_variants",
]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


Mistakes = Mapping[str, np.ndarray]


@dataclass
class ExpectedLine:
    """One reference run on a panel.

    `variants` lists the acceptable (x, y) data — e.g. x from 0 or from 1, with or without the
    starting point; `x=None` in a variant accepts any x data of the right length. `run_value` is
    the number the legend label must contain; `name` is how messages refer to the run ("the line
    for lr = 0.1"). A run named by words instead gives `aliases`, the names a label may use
    (messages then call it "the 'step' line"). `mistakes` maps a sentence naming a modelled
    mistake to the y data that mistake would draw — or is a function giving that mapping, called
    only when the line is wrong.
    """

    name: str
    variants: Sequence[tuple[np.ndarray | None, np.ndarray]]
    run_value: float | None = None
    mistakes: Mistakes | Callable[[], Mistakes] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    def named_by(self, label: str) -> bool:
        """Whether a legend label names this run (by an alias, or by its number)."""
        if self.aliases:
            return names_by_alias(label, self.aliases)
        return self.run_value is not None and _names_run(label, self.run_value)

    @property
    def identified_by_label(self) -> bool:
        return bool(self.aliases) or self.run_value is not None

    @property
    def line(self) -> str:
        """How messages call the run's line."""
        return f"the {self.name!r} line" if self.aliases else f"the line for {self.name}"

    def unlabelled(self, shown: str) -> str:
        """What a message says when no line is labelled with the run."""
        if self.aliases:
            return (f"no line is labelled as the {self.name!r} run (labels found: {shown}). "
                    "Label each line with its name, e.g. label=name.")
        return (f"no line is labelled with {self.name} (labels found: {shown}). Put the value in "
                "the label, e.g. label=f'lr = {lr}'.")

    @property
    def wrong_x(self) -> str:
        """What a message says of the line with the right values at the wrong x."""
        where = "at the wrong x positions" if self.aliases else "but the wrong x positions"
        return (f"{self.line} has the right values {where}; plot them against the iteration "
                "number.")

    def modelled_mistakes(self) -> Mistakes:
        return self.mistakes() if callable(self.mistakes) else self.mistakes


def iteration_variants(values: np.ndarray, first: float | None = None
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The x data a student may plot one value per step against: steps 1..n, 0..n−1 — and,
    when the run's starting value `first` is given, 0..n with it in front."""
    n = values.size
    variants = [(np.arange(1, n + 1, dtype=float), values), (np.arange(0, n, dtype=float), values)]
    if first is not None:
        variants.append((np.arange(0, n + 1, dtype=float), np.concatenate(([first], values))))
    return variants


def numbers_in(label: str) -> list[float]:
    """Every number written in a label, e.g. 'lr = 1e-3 (x0=500)' → [0.001, 500.0]."""
    numbers = []
    for token in _NUMBER.findall(label):
        try:
            numbers.append(float(token))
        except ValueError:
            continue
    return numbers


def line_data(panel: Any) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    """Every line of a panel with its x and y data as float arrays (lines whose data are not
    numbers — strings, dates — are left out)."""
    data = []
    for line in panel.get_lines():
        try:
            x = np.asarray(line.get_xdata(), dtype=np.float64)
            y = np.asarray(line.get_ydata(), dtype=np.float64)
        except (TypeError, ValueError):
            continue
        data.append((line, x, y))
    return data


def labelled_lines(panel: Any) -> list[Any]:
    """Lines with a legend label (matplotlib gives unlabelled lines names starting with '_')."""
    return [line for line in panel.get_lines() if not line.get_label().startswith("_")]


def names_by_alias(label: str, aliases: Iterable[str]) -> bool:
    """Whether a legend label names a run by one of its aliases (case-insensitive, '-' and
    spaces read as '_'; an alias inside a longer word does not count)."""
    normalised = re.sub(r"[\s\-]+", "_", label.strip().lower())
    return any(re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z])", normalised)
               for alias in aliases)


def _line_matches(line: Any, expected: ExpectedLine, rtol: float, atol: float) -> bool:
    x_data = np.asarray(line.get_xdata(), dtype=np.float64)
    y_data = np.asarray(line.get_ydata(), dtype=np.float64)
    for x_ref, y_ref in expected.variants:
        if not arrays_match(y_data, y_ref, rtol, atol):
            continue
        if x_ref is None or arrays_match(x_data, x_ref, rtol, atol):
            return True
    return False


def _names_run(label: str, value: float) -> bool:
    return any(np.isclose(number, value, rtol=1e-9, atol=0) for number in numbers_in(label))


def check_lines(
    panel: Any,
    expected: Sequence[ExpectedLine],
    where: str,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    require_legend: bool = True,
    plotted: str = "your function",
) -> None:
    """Every expected run is drawn once, labelled with its run value (or name), with the right
    data.

    The message names the first run that is missing, mislabelled or wrong, and — when its data
    equal one of the run's modelled mistakes — which mistake it looks like; otherwise it tells
    to plot the values `plotted` (what computes them) returns.
    """
    lines = list(panel.get_lines())
    if not lines:
        raise CheckFailed(f"{where} has no lines; draw one line per run with `ax.plot(...)`.")
    labelled = labelled_lines(panel)
    if require_legend:
        check_legend(panel, where, "label each line (`label=...`)")
    for run in expected:
        candidates = lines
        if run.identified_by_label:
            candidates = [ln for ln in labelled if run.named_by(ln.get_label())]
            if not candidates:
                shown = ", ".join(repr(ln.get_label()) for ln in labelled) or "none"
                raise CheckFailed(f"{where}: {run.unlabelled(shown)}")
        if any(_line_matches(line, run, rtol, atol) for line in candidates):
            continue
        raise CheckFailed(_wrong_line_message(where, run, candidates, rtol, atol, plotted))
    if len(labelled) > len(expected) and all(r.run_value is not None for r in expected):
        extra = [ln.get_label() for ln in labelled
                 if not any(r.run_value is not None and _names_run(ln.get_label(), r.run_value)
                            for r in expected)]
        if extra:
            raise CheckFailed(f"{where} has lines that are not among the asked runs: "
                              f"{', '.join(map(repr, extra))}. Plot exactly the asked runs.")


def _wrong_line_message(where: str, run: ExpectedLine, candidates: Sequence[Any], rtol: float,
                        atol: float, plotted: str) -> str:
    line = candidates[0] if candidates else None
    if line is None:
        return f"{where}: {run.line} is missing."
    y_data = np.asarray(line.get_ydata(), dtype=np.float64)
    if any(arrays_match(y_data, y_ref, rtol, atol) for _, y_ref in run.variants):
        return f"{where}: {run.wrong_x}"
    for mistake_message, y_mistake in run.modelled_mistakes().items():
        if same_pattern(y_data, y_mistake):
            return f"{where}: {run.line} is wrong. {mistake_message}"
    _, y_ref = run.variants[0]
    if y_data.shape != y_ref.shape:
        return (f"{where}: {run.line} has {y_data.size} points; it should have {y_ref.size} "
                "(one per iteration).")
    mismatch = int(np.argmin(np.isclose(y_data, y_ref, rtol=rtol, atol=atol)))
    return (f"{where}: {run.line} differs from the correct run at point {mismatch}: it shows "
            f"{describe_number(y_data[mismatch])}, the run gives "
            f"{describe_number(y_ref[mismatch])}. Plot the values {plotted} returns.")
