"""ps03 §4: the batch-size sweep — `batch_size_sweep` trains each batch size with the scaled lr
and the warmup counted in steps; the check judges the settings each run was trained with (what
the student chose), never the numbers the kernel trained."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lrchecks.asking import run_asking_cases
from lrchecks.calls import (
    Shown,
    call_student,
    format_call,
    from_reference,
    reaches,
    wrapped_chain,
)
from lrchecks.diagnosis.batch_size import SWEEP, f32
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.evidence import judged
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number
from lrcore import batch_size, digits

__all__ = ["SWEEP_RULES", "SWEEP_CASES_VISIBLE", "check_batch_size_sweep"]

SWEEP_RULES = {"linear_scaled_lr": batch_size.linear_scaled_lr,
               "sqrt_scaled_lr": batch_size.sqrt_scaled_lr}
"""The scaling rules a sweep case names (by the name a hidden case's params give)."""
# (batch_sizes, rule name or None, warmup_epochs, base_lr, base_batch_size, epochs, seed): the
# linear rule with a warmup, and no rule at all (the task's scaling_rule=None: lr = base_lr)
SweepCase = tuple[tuple[int, ...], str | None, float, float, int, int, int]
SWEEP_CASES_VISIBLE: tuple[SweepCase, ...] = (
    ((64, 256), "linear_scaled_lr", 1, 0.1, 16, 2, 0), ((128,), None, 0, 0.1, 16, 1, 0))
SWEEP_ADVICE = ("the runs differ from train(B, scaling_rule(base_lr, B, base_batch_size), epochs, "
                "warmup_steps=warmup_epochs · ⌈N_TRAIN / B⌉, seed=seed) for each batch size B.")
REFERENCE_SWEEP = ("batch_size_sweep uses lrcore's reference sweep; the exercise is to write it "
                   "with train(...) yourself.")


def _read_sweep(params: Any) -> SweepCase:
    """Hidden params {"batch_sizes", "rule" (a name of SWEEP_RULES or None), "warmup_epochs",
    "base_lr", "base_batch_size", "epochs", "seed"}."""
    return (tuple(params["batch_sizes"]), params["rule"], params["warmup_epochs"],
            params["base_lr"], params["base_batch_size"], params["epochs"], params["seed"])


def _refuse_reference_sweep(function: Any) -> None:
    """batch_size_sweep may call lrcore's `train`, not lrcore's sweep: refuse a function that
    is (or wraps) the course's code, or reaches `lrcore.digits.batch_size_sweep`."""
    if not callable(function):
        raise CheckFailed("batch_size_sweep should be a function, but it is a "
                          f"{type(function).__name__}.")
    if (any(from_reference(inner) for inner in wrapped_chain(function))
            or reaches(function, (digits.batch_size_sweep,))):
        raise CheckFailed(REFERENCE_SWEEP, diagnosis=REFERENCE_SWEEP)


@judged
def check_batch_size_sweep(batch_size_sweep: Any, hidden: bool = False) -> None:
    """{batch: train(batch, rule(base_lr, batch, base_batch), epochs, warmup steps, seed)}."""
    _refuse_reference_sweep(batch_size_sweep)
    run_asking_cases(lambda case: _ask_sweep(batch_size_sweep, case), _decide_sweep, hidden,
                     "ps03.batch_size_sweep", SWEEP_CASES_VISIBLE, SWEEP_ADVICE, _read_sweep)
    passed("batch_size_sweep trains every batch size with the scaled lr and the warmup in steps"
           + (" (unseen settings too)." if hidden else "."))


def _sweep_call(case: SweepCase) -> tuple[str, dict[str, Any]]:
    """The call of one case as a message shows it, and its keyword arguments."""
    sizes, rule_name, warmup, base_lr, base_batch, epochs, seed = case
    kwargs: dict[str, Any] = {
        "scaling_rule": Shown(rule_name) if rule_name else None, "warmup_epochs": warmup,
        "base_lr": base_lr, "base_batch_size": base_batch, "epochs": epochs, "seed": seed}
    call = format_call("batch_size_sweep", (sizes,), kwargs)
    kwargs["scaling_rule"] = SWEEP_RULES[rule_name] if rule_name else None
    return call, kwargs


def _ask_sweep(batch_size_sweep: Any, case: SweepCase) -> Any:
    """What the student's sweep of one case returns."""
    _, kwargs = _sweep_call(case)
    return call_student(batch_size_sweep, "batch_size_sweep", case[0], **kwargs)


def _decide_sweep(case: SweepCase, result: Any) -> None:
    """The runs the student's sweep of one case returned: their form, then their settings."""
    sizes, rule_name, warmup, base_lr, base_batch, epochs, seed = case
    rule = SWEEP_RULES[rule_name] if rule_name else None
    call, _ = _sweep_call(case)
    if not isinstance(result, Mapping):
        raise CheckFailed(f"{call} should return a dict {{batch_size: run}} with the run "
                          f"train(...) returns, not a {type(result).__name__}.",
                          diagnosis="the result should be a dict {batch_size: run} with the run "
                          "train(...) returns.")
    try:
        keys = sorted(int(k) for k in result)
    except (TypeError, ValueError, OverflowError):
        raise CheckFailed(f"The keys of the dict {call} returned should be the batch sizes.",
                          diagnosis="the keys of the dict should be the batch sizes.") from None
    if keys != sorted(sizes):
        raise CheckFailed(f"{call} returned runs for the batch sizes {keys}; it should "
                          f"return one run per batch size in {list(sizes)}.",
                          diagnosis="the result should hold one run per batch size asked for, "
                          "keyed by the batch size.")
    runs = {int(k): v for k, v in result.items()}
    for b in sizes:
        if not isinstance(runs[b], digits.TrainingRun):
            raise CheckFailed(f"{call}[{b}] should be the run that train(...) returns, not "
                              f"a {type(runs[b]).__name__}.",
                              diagnosis="each value should be the run that train(...) returns.")
    _compare_sweep(call, runs, sizes, rule, warmup, base_lr, base_batch, epochs, seed)


def _compare_sweep(call: str, runs: dict[int, Any], sizes: Sequence[int], rule: Any,
                   warmup: float, base_lr: float, base_batch: int, epochs: int,
                   seed: int) -> None:
    """Judge the settings each run was trained with (what the student chose), not the
    numbers of the training (the kernel's computation)."""
    settings = {b: (f32(runs[b].lr), runs[b].warmup_steps) for b in sizes}
    for b in sizes:
        run = runs[b]
        if run.batch_size != b:
            raise CheckFailed(f"{call}[{b}] was trained with batch size {run.batch_size}.",
                              diagnosis="a run was trained with another batch size than its "
                              "key: train each batch size of batch_sizes once.")
        if run.epochs != epochs or run.seed != seed:
            raise CheckFailed(f"{call}[{b}] was trained for {run.epochs} epochs with seed "
                              f"{run.seed}; pass epochs={epochs} and seed={seed} on to train.",
                              diagnosis="a run was trained with other epochs or another seed "
                              "than asked: pass epochs=epochs and seed=seed on to train.")
    expected = {b: (f32(base_lr if rule is None else rule(base_lr, b, base_batch)),
                    batch_size.warmup_steps_for_epochs(warmup, digits.steps_per_epoch(b)))
                for b in sizes}
    if settings == expected:
        return
    raise_first_fitting(SWEEP, lambda mistake: mistake.fits(
        settings, expected, sizes, rule, base_lr, base_batch, warmup), f"{call} is not right.")
    for b in sizes:
        (lr, steps), (lr_expected, steps_expected) = settings[b], expected[b]
        if lr != lr_expected:
            raise CheckFailed(f"{call}: the run of batch size {b} used lr "
                              f"{describe_number(lr)}; it should be "
                              f"{describe_number(lr_expected)} = scaling_rule(base_lr, {b}, "
                              f"base_batch_size).",
                              diagnosis="a run used another lr than scaling_rule(base_lr, "
                              "batch_size, base_batch_size) (base_lr when there is no rule).")
        if steps != steps_expected:
            raise CheckFailed(f"{call}: the run of batch size {b} warmed up for {steps} steps; "
                              f"{warmup} epochs of ⌈N_TRAIN / {b}⌉ = "
                              f"{digits.steps_per_epoch(b)} steps make {steps_expected}.",
                              diagnosis="a run's warmup is not warmup_epochs epochs of its own "
                              "⌈N_TRAIN / batch_size⌉ steps.")
