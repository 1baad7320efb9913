"""ps05 §3.1: the plateau rule — a PlateauRule class that takes torch's ReduceLROnPlateau
decisions, epoch for epoch."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrchecks.asking import run_asking_cases
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.optim import PLATEAU
from lrchecks.encoding import StandIn
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, first_mismatch, to_float
from lrcore.schedules import reduce_lr_on_plateau

__all__ = ["PlateauCase", "PLATEAU_CASES_VISIBLE", "PLATEAU_DEFAULTS", "PLATEAU_ADVICE",
           "check_plateau_rule"]

PlateauCase = tuple[dict[str, Any], tuple[float, ...]]

PLATEAU_CASES_VISIBLE: tuple[PlateauCase, ...] = (
    ({"lr": 0.1, "factor": 0.5, "patience": 1}, (1.0, 0.9, 0.95, 0.95, 0.95, 0.8)),
    ({"lr": 1.0, "factor": 0.5, "patience": 2, "threshold": 0.1, "cooldown": 1, "min_lr": 0.2},
     (1.0, 0.95, 0.92, 0.9, 0.8, 0.79, 0.78, 0.77, 0.76, 0.75, 0.74, 0.73, 0.72, 0.71, 0.70,
      0.69, 0.68, 0.67)),
    ({"lr": 0.01, "mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.02,
      "threshold_mode": "abs", "min_lr": 1e-6},
     (0.5, 0.6, 0.61, 0.615, 0.64, 0.645, 0.65, 0.7, 0.69, 0.71, 0.71, 0.72)),
    ({"lr": 4e-8, "factor": 0.5, "patience": 0, "eps": 1e-8}, (1.0, 2.0, 3.0, 4.0, 5.0)),
)

PLATEAU_DEFAULTS: dict[str, Any] = {
    "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
    "cooldown": 0, "min_lr": 0.0, "eps": 1e-8,
}

PLATEAU_ADVICE = ("the lrs differ from torch's ReduceLROnPlateau: follow the rule step by step "
                  "— compare with the best metric (threshold), count bad epochs, handle the "
                  "cooldown, cut with factor and min_lr.")


def _class_methods_are_own(rule_class: Any) -> None:
    if isinstance(rule_class, StandIn):
        return  # judged again outside the kernel: the class's code was read in the kernel
    if not inspect.isclass(rule_class):
        raise CheckFailed(f"PlateauRule should be a class, but it is a "
                          f"{type(rule_class).__name__}.")
    require_own_function(rule_class, "PlateauRule")
    for method in ("__init__", "step"):
        function = getattr(rule_class, method, None)
        if function is None or not callable(function):
            raise CheckFailed(f"PlateauRule has no method {method}.")
        if method == "__init__" and function is object.__init__:
            raise CheckFailed("PlateauRule has no __init__ taking the options.")
        require_own_function(function, f"PlateauRule.{method}")


def _student_decisions(rule_class: Any, options: dict[str, Any],
                       metrics: Sequence[float]) -> tuple[list[float], str]:
    arguments = {"lr": options["lr"], **{k: options.get(k, v)
                                         for k, v in PLATEAU_DEFAULTS.items()}}
    shown = format_call("PlateauRule", (), arguments)
    rule = call_student(rule_class, "PlateauRule", **arguments)
    decisions = []
    for index, metric in enumerate(metrics):
        result = call_student(rule.step, "PlateauRule.step", float(metric))
        if result is None:
            raise CheckFailed(f"{shown}.step({metric}) returned None; step(metric) must return "
                              "the lr of the next epoch.",
                              diagnosis="step(metric) returned None; it must return the lr of "
                              "the next epoch.")
        decisions.append(to_float(result, f"The value of {shown}.step({metric}) "
                                          f"(metric #{index})"))
    return decisions, shown


def _decide_plateau_case(case: PlateauCase, answer: tuple[list[float], str]) -> None:
    """The student's decisions on one case (`_student_decisions`) against torch's."""
    options, metrics = case
    student, shown = answer
    scheduler = reduce_lr_on_plateau(**options)
    expected = [scheduler.step(metric) for metric in metrics]
    mismatch = first_mismatch(np.asarray(student), np.asarray(expected), 1e-9, 0.0)
    if mismatch is None:
        return
    where = f"{shown}, stepped with the metrics {list(metrics)}"
    full = {k: options.get(k, v) for k, v in PLATEAU_DEFAULTS.items()}
    raise_first_fitting(PLATEAU, lambda mistake: mistake.fits(
        student, expected, mistake.model(metrics, options["lr"], **full)), f"{where}:")
    index = mismatch.index or 0
    raise CheckFailed(
        f"{where}: after metric #{index} ({metrics[index]}) your rule returns lr "
        f"{describe_number(student[index])}; torch's ReduceLROnPlateau returns "
        f"{describe_number(expected[index])}. Follow the rule step by step: compare with "
        "the best metric (threshold), count bad epochs, handle the cooldown, cut with factor "
        "and min_lr."
    )


@judged
def check_plateau_rule(PlateauRule: Any, hidden: bool = False) -> None:  # noqa: N803
    """PlateauRule(lr, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr,
    eps).step(metric) returns torch's ReduceLROnPlateau lr after every metric."""
    _class_methods_are_own(PlateauRule)
    run_asking_cases(lambda case: _student_decisions(PlateauRule, *case), _decide_plateau_case,
                     hidden, "ps05.plateau_rule", PLATEAU_CASES_VISIBLE, PLATEAU_ADVICE,
                     lambda params: (dict(params["options"]), tuple(params["metrics"])))
    passed("PlateauRule takes torch's decisions, epoch for epoch"
           + (" — also on unseen metric sequences and options." if hidden else "."))
