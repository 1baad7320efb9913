"""Checks for ps03 "Learning rate and batch size" — what its test cells call, one line each.

The reference is `lrcore.batch_size`, `lrcore.range_test` and `lrcore.digits`; the models of
the usual mistakes are `lrcore.mistakes.batch_size`; the words are here. Values are compared
with the course's relative tolerance 1e-5 (`values.DEFAULT_RTOL`). The training runs are
`lrcore.digits.train`'s, which students call themselves: a run is identified by its settings
(batch size, lr, epochs, warmup steps, seed), and the sweep's check judges those settings, never
the numbers the kernel trained. Visible checks use the cases printed in the notebook; hidden
checks (`hidden=True`) run the cases the grader drew for this student (`lrchecks.hidden`: pools
the grader keeps), so a hard-coded answer cannot pass. A hidden case's message names
the kind of case and the mistake, never its inputs or expected values.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.encoding import REFERENCE_PACKAGES
from lrchecks.evidence import judged
from lrchecks.hidden import HiddenCase, hidden_case, hidden_cases
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    DEFAULT_RTOL,
    arrays_match,
    describe_number,
    first_mismatch,
    same_pattern,
    to_float,
    to_float_array,
)
from lrcore import batch_size, digits, range_test
from lrcore.mistakes import batch_size as mistakes

__all__ = [
    "SWEEP_SETTINGS",
    "SCALAR_ATOL",
    "SWEEP_RULES",
    "check_linear_scaled_lr",
    "check_sqrt_scaled_lr",
    "check_warmup_lr",
    "check_batch_size_sweep",
    "check_batch_size_figure_layout",
    "check_batch_size_figure_lines",
    "check_exponential_lrs",
    "check_smooth_losses",
    "check_lr_range_test",
    "check_suggest_lr",
    "check_range_test_figure",
]

DIAGNOSIS_RTOL = 1e-4
"""Looser than the grading tolerance: a diagnosis only has to recognise a pattern."""
SCALAR_ATOL = 1e-15
"""The absolute floor of the single-number comparisons (a scaled lr, a warmup lr, a
suggestion), beside the relative tolerance `DEFAULT_RTOL`."""


class _Named:
    """Shows as its name in a message instead of a function's repr."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


def _number(value: Any, what: str) -> float:
    return to_float(value, what)


def _close(a: float, b: float, rtol: float = DEFAULT_RTOL) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=SCALAR_ATOL, equal_nan=False))


def _cases(hidden: bool, pool: str, visible: Sequence[Any],
           read: Callable[[Any], Any]) -> list[tuple[HiddenCase | None, Any]]:
    """The cases a check runs: the visible ones (no hidden case), or this student's drawn cases
    of `pool`, each with its params read into the visible cases' form by `read`."""
    if not hidden:
        return [(None, case) for case in visible]
    return [(case, read(case.params)) for case in hidden_cases(pool)]


def _within(case: HiddenCase | None, advice: str) -> contextlib.AbstractContextManager[None]:
    """A hidden case's failures say only its kind and the diagnosis (`hidden_case`); a
    visible case's say everything."""
    return contextlib.nullcontext() if case is None else hidden_case(case, advice)


# --- scaling rules --------------------------------------------------------------------------

# (base_lr, batch_size, base_batch_size or None for the default 256)
LINEAR_CASES_VISIBLE = ((0.1, 256, None), (0.1, 1024, None), (0.1, 64, None), (0.05, 64, 16))
SQRT_CASES_VISIBLE = ((0.1, 256, None), (0.1, 1024, None), (0.1, 64, None), (0.05, 64, 16))
LINEAR_ADVICE = ("the lr differs from the linear rule, base_lr · batch_size / base_batch_size "
                 "(base_batch_size is 256 only by default).")
SQRT_ADVICE = ("the lr differs from the square-root rule, base_lr · √(batch_size / "
               "base_batch_size) (base_batch_size is 256 only by default).")

LINEAR_EXPLANATIONS = {
    "inverted": "It scales the wrong way round (base_lr · base_batch_size / batch_size): a "
    "larger batch should get a larger lr, lr = base_lr · batch_size / base_batch_size.",
    "integer_division": "It looks like an integer division (batch_size // base_batch_size): "
    "a batch below the base gets lr 0. Use / so the ratio can be a fraction.",
    "square_root_rule": "That is the square-root rule; the linear rule multiplies base_lr by "
    "the ratio batch_size / base_batch_size itself.",
    "base_batch_ignored": "base_batch_size is ignored (the lr is always scaled from 256): use "
    "the base_batch_size argument, 256 is only its default.",
}
SQRT_EXPLANATIONS = {
    "sqrt_of_lr": "The square root is applied to the lr instead of the ratio: the rule is "
    "base_lr · √(batch_size / base_batch_size), base_lr itself is not rooted.",
    "sqrt_of_product": "The square root is applied to the lr too (√(base_lr · ratio)): only the "
    "ratio batch_size / base_batch_size goes under the root.",
    "inverted": "It scales the wrong way round (√(base_batch_size / batch_size)): a larger "
    "batch should get a larger lr.",
    "linear_rule": "That is the linear rule; the square-root rule multiplies base_lr by "
    "√(batch_size / base_batch_size).",
    "integer_division": "It looks like an integer division (batch_size // base_batch_size) "
    "under the root: use / so the ratio can be a fraction.",
    "base_batch_ignored": "base_batch_size is ignored (the lr is always scaled from 256): use "
    "the base_batch_size argument, 256 is only its default.",
}


def _read_scaling(params: Any) -> tuple[float, int, int | None]:
    """Hidden params [base_lr, batch_size, base_batch_size or None for the default 256]."""
    base_lr, batch, base_batch = params
    return base_lr, batch, base_batch


def _check_scaling(
    function: Any,
    name: str,
    cases: Sequence[tuple[HiddenCase | None, tuple[float, int, int | None]]],
    reference: Callable[..., float],
    models: Mapping[str, Callable[[float, float, float], float]],
    explanations: Mapping[str, str],
    formula: str,
    advice: str,
) -> None:
    """Ask for every case, then name the first wrong one; a mistake is named when one model
    explains every answer."""
    require_own_function(function, name)
    calls, results, expected = [], [], []
    for hidden, (base_lr, batch, base_batch) in cases:
        kwargs = {} if base_batch is None else {"base_batch_size": base_batch}
        call = format_call(name, (base_lr, batch), kwargs)
        with _within(hidden, advice):
            result = call_student(function, name, base_lr, batch, **kwargs)
            results.append(_number(result, f"The result of {call}"))
        calls.append(call)
        expected.append(reference(base_lr, batch, **kwargs))
    wrong = [i for i, (r, e) in enumerate(zip(results, expected, strict=True)) if not _close(r, e)]
    if not wrong:
        return
    first = wrong[0]
    with _within(cases[first][0], advice):
        for mistake, model in models.items():
            modelled = [model(lr, b, 256 if b0 is None else b0) for _, (lr, b, b0) in cases]
            if all(_close(r, m, DIAGNOSIS_RTOL) for r, m in zip(results, modelled, strict=True)):
                raise CheckFailed(f"{calls[first]} returned {describe_number(results[first])}, "
                                  f"not {describe_number(expected[first])}. "
                                  f"{explanations[mistake]}", diagnosis=explanations[mistake])
        raise CheckFailed(f"{calls[first]} returned {describe_number(results[first])}; it should "
                          f"be {describe_number(expected[first])} ({formula}).")


@judged
def check_linear_scaled_lr(linear_scaled_lr: Any, hidden: bool = False) -> None:
    """lr = base_lr · batch_size / base_batch_size, with base_batch_size = 256 by default."""
    _check_scaling(linear_scaled_lr, "linear_scaled_lr",
                   _cases(hidden, "ps03.linear_scaled_lr", LINEAR_CASES_VISIBLE, _read_scaling),
                   batch_size.linear_scaled_lr, mistakes.LINEAR_SCALING_MISTAKES,
                   LINEAR_EXPLANATIONS, "base_lr · batch_size / base_batch_size", LINEAR_ADVICE)
    passed("linear_scaled_lr follows the linear scaling rule"
           + (" on unseen lrs and batch sizes." if hidden else "."))


@judged
def check_sqrt_scaled_lr(sqrt_scaled_lr: Any, hidden: bool = False) -> None:
    """lr = base_lr · √(batch_size / base_batch_size), with base_batch_size = 256 by default."""
    _check_scaling(sqrt_scaled_lr, "sqrt_scaled_lr",
                   _cases(hidden, "ps03.sqrt_scaled_lr", SQRT_CASES_VISIBLE, _read_scaling),
                   batch_size.sqrt_scaled_lr, mistakes.SQRT_SCALING_MISTAKES,
                   SQRT_EXPLANATIONS, "base_lr · √(batch_size / base_batch_size)", SQRT_ADVICE)
    passed("sqrt_scaled_lr follows the square-root scaling rule"
           + (" on unseen lrs and batch sizes." if hidden else "."))


# --- gradual warmup -------------------------------------------------------------------------

# (target_lr, warmup_steps, steps)
WARMUP_CASES_VISIBLE = ((0.4, 4, tuple(range(8))), (0.1, 1, (0, 1, 2)))
WARMUP_ADVICE = ("the lr differs from the warmup's: step t < k uses target · (t + 1) / k, every "
                 "later step the target, and warmup_steps = 0 means no warmup at all.")
NO_WARMUP_FIX = "With warmup_steps = 0 there is no warmup: return target_lr."

WARMUP_EXPLANATIONS = {
    "starts_at_zero": "Your warmup starts at lr 0 (target · t / k): that first step is wasted. "
    "Step t of the warmup uses target · (t + 1) / k, so step 0 uses target / k.",
    "one_step_late": "Your ramp is one step too long (target · (t + 1) / (k + 1)): it should "
    "reach the target at step k − 1, with target · (t + 1) / k.",
    "overshoots_at_the_end": "At step t = warmup_steps your lr overshoots the target "
    "(target · (k + 1) / k): the ramp covers steps 0 … k − 1, so the test is t < k, not t ≤ k.",
    "never_stops_growing": "Your lr keeps growing after the warmup: from step k − 1 on it "
    "should stay at the target (min(1, (t + 1) / k)).",
}


def _read_warmup(params: Any) -> tuple[float, int, tuple[int, ...]]:
    """Hidden params [target_lr, warmup_steps, [steps asked, in the order asked]]."""
    target, k, steps = params
    return target, k, tuple(steps)


def _warmup_call(warmup_lr: Any, t: int, target: float, k: int) -> Any:
    try:
        return call_student(warmup_lr, "warmup_lr", t, target, k)
    except CheckFailed as failure:
        if k == 0 and "ZeroDivisionError" in failure.message:
            raise CheckFailed(f"{failure.message} {NO_WARMUP_FIX}",
                              diagnosis=f"your function raised ZeroDivisionError. "
                              f"{NO_WARMUP_FIX}") from None
        raise


def _check_warmup_case(warmup_lr: Any, target: float, k: int, steps: Sequence[int]) -> None:
    results, calls = [], []
    for t in steps:
        call = format_call("warmup_lr", (t, target, k), {})
        result = _warmup_call(warmup_lr, t, target, k)
        results.append(_number(result, f"The result of {call}"))
        calls.append(call)
    expected = [batch_size.gradual_warmup_lr(t, target, k) for t in steps]
    wrong = [i for i, (r, e) in enumerate(zip(results, expected, strict=True))
             if not _close(r, e)]
    if not wrong:
        return
    first = wrong[0]
    sentence = (f"{calls[first]} returned {describe_number(results[first])}; it should be "
                f"{describe_number(expected[first])}.")
    for mistake, model in mistakes.WARMUP_MISTAKES.items():
        modelled = [model(t, target, k) for t in steps]
        if all(_close(r, m, DIAGNOSIS_RTOL) for r, m in zip(results, modelled, strict=True)):
            raise CheckFailed(f"{sentence} {WARMUP_EXPLANATIONS[mistake]}",
                              diagnosis=WARMUP_EXPLANATIONS[mistake])
    raise CheckFailed(f"{sentence} Step t < k uses target · (t + 1) / k, later steps the "
                      "target.")


@judged
def check_warmup_lr(warmup_lr: Any, hidden: bool = False) -> None:
    """warmup_lr(step, target_lr, warmup_steps) = target · min(1, (step + 1) / warmup_steps)."""
    require_own_function(warmup_lr, "warmup_lr")
    for case, (target, k, steps) in _cases(hidden, "ps03.warmup_lr", WARMUP_CASES_VISIBLE,
                                           _read_warmup):
        with _within(case, WARMUP_ADVICE):
            _check_warmup_case(warmup_lr, target, k, steps)
    passed("warmup_lr ramps up from target/k to the target over k steps"
           + (", also for unseen targets, lengths and k = 0 or 1." if hidden else "."))


# --- the batch-size sweep -------------------------------------------------------------------

SWEEP_RULES = {"linear_scaled_lr": batch_size.linear_scaled_lr,
               "sqrt_scaled_lr": batch_size.sqrt_scaled_lr}
"""The scaling rules a sweep case names (by the name a hidden case's params give)."""
# (batch_sizes, rule name or None, warmup_epochs, base_lr, base_batch_size, epochs, seed)
SWEEP_CASES_VISIBLE = (((64, 256), "linear_scaled_lr", 1, 0.1, 16, 2, 0),)
SWEEP_ADVICE = ("the runs differ from train(B, scaling_rule(base_lr, B, base_batch_size), epochs, "
                "warmup_steps=warmup_epochs · ⌈N_TRAIN / B⌉, seed=seed) for each batch size B.")

SWEEP_EXPLANATIONS = {
    "rule_not_applied": "The lr is base_lr for every batch size: scale it with "
    "scaling_rule(base_lr, batch_size, base_batch_size).",
    "batch_and_base_swapped": "The batch size and the base batch size are swapped in the call "
    "of the rule: scaling_rule(base_lr, batch_size, base_batch_size).",
    "warmup_in_epochs": "warmup_steps is given in epochs: train counts the warmup in optimizer "
    "steps, so multiply warmup_epochs by the steps per epoch, ⌈N_TRAIN / batch_size⌉.",
    "warmup_floor_steps": "An epoch has ⌈N_TRAIN / batch_size⌉ steps, not N_TRAIN // batch_size: "
    "the last, smaller batch is a step too (math.ceil).",
    "warmup_of_base_batch": "The warmup steps are those of the base batch size: count the "
    "steps per epoch of each run's own batch size.",
}
REFERENCE_SWEEP = ("batch_size_sweep uses lrcore's reference sweep; the exercise is to write it "
                   "with train(...) yourself.")


def _read_sweep(params: Any) -> tuple[tuple[int, ...], str | None, float, float, int, int, int]:
    """Hidden params {"batch_sizes", "rule" (a name of SWEEP_RULES or None), "warmup_epochs",
    "base_lr", "base_batch_size", "epochs", "seed"}."""
    return (tuple(params["batch_sizes"]), params["rule"], params["warmup_epochs"],
            params["base_lr"], params["base_batch_size"], params["epochs"], params["seed"])


def _inner_functions(function: Any) -> Iterator[Any]:
    """`function` and what it wraps: a partial's function, a bound method's function, a
    decorator's `__wrapped__` (a student may hand over any of these)."""
    seen: set[int] = set()
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        yield function
        if isinstance(function, functools.partial):
            function = function.func
        elif inspect.ismethod(function):
            function = function.__func__
        else:
            function = inspect.getattr_static(function, "__wrapped__", None)


def _code_objects(code: Any) -> Iterator[Any]:
    yield code
    for const in code.co_consts:
        if inspect.iscode(const):
            yield from _code_objects(const)


def _reference_module(value: Any) -> bool:
    return inspect.ismodule(value) and value.__name__.split(".")[0] in REFERENCE_PACKAGES


def _uses_reference_sweep(function: Any) -> bool:
    """Whether `function` is lrcore's sweep, wraps it, or reaches it from its code (a global,
    a closure, or `batch_size_sweep` read from a module of the course's code)."""
    for inner in _inner_functions(function):
        module = getattr(inner, "__module__", None)
        if isinstance(module, str) and module.split(".")[0] in REFERENCE_PACKAGES:
            return True
        code = getattr(inner, "__code__", None)
        if not inspect.iscode(code):
            continue
        namespace = getattr(inner, "__globals__", None)
        namespace = namespace if isinstance(namespace, dict) else {}
        names = {name for part in _code_objects(code) for name in part.co_names}
        values = [namespace.get(name) for name in names]
        for cell in getattr(inner, "__closure__", None) or ():
            with contextlib.suppress(ValueError):  # an empty cell
                values.append(cell.cell_contents)
        if any(value is digits.batch_size_sweep for value in values):
            return True
        if "batch_size_sweep" in names and any(_reference_module(value) for value in values):
            return True
    return False


def _refuse_reference_sweep(function: Any) -> None:
    if not callable(function):
        raise CheckFailed("batch_size_sweep should be a function, but it is a "
                          f"{type(function).__name__}.")
    if _uses_reference_sweep(function):
        raise CheckFailed(REFERENCE_SWEEP, diagnosis=REFERENCE_SWEEP)


@judged
def check_batch_size_sweep(batch_size_sweep: Any, hidden: bool = False) -> None:
    """{batch: train(batch, rule(base_lr, batch, base_batch), epochs, warmup steps, seed)}."""
    _refuse_reference_sweep(batch_size_sweep)
    for case, settings in _cases(hidden, "ps03.batch_size_sweep", SWEEP_CASES_VISIBLE,
                                 _read_sweep):
        with _within(case, SWEEP_ADVICE):
            _check_sweep_case(batch_size_sweep, *settings)
    passed("batch_size_sweep trains every batch size with the scaled lr and the warmup in steps"
           + (" (unseen settings too)." if hidden else "."))


def _check_sweep_case(batch_size_sweep: Any, sizes: tuple[int, ...], rule_name: str | None,
                      warmup: float, base_lr: float, base_batch: int, epochs: int,
                      seed: int) -> None:
    rule = SWEEP_RULES[rule_name] if rule_name else None
    kwargs = {"scaling_rule": _Named(rule_name) if rule_name else None,
              "warmup_epochs": warmup, "base_lr": base_lr, "base_batch_size": base_batch,
              "epochs": epochs, "seed": seed}
    call = format_call("batch_size_sweep", (sizes,), kwargs)
    kwargs["scaling_rule"] = rule
    result = call_student(batch_size_sweep, "batch_size_sweep", sizes, **kwargs)
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


def _f32(value: float) -> float:
    return float(np.float32(value))


def _compare_sweep(call: str, runs: dict[int, Any], sizes: Sequence[int], rule: Any,
                   warmup: float, base_lr: float, base_batch: int, epochs: int,
                   seed: int) -> None:
    """Judge the settings each run was trained with (what the student chose), not the
    numbers of the training (the kernel's computation)."""
    settings = {b: (_f32(runs[b].lr), runs[b].warmup_steps) for b in sizes}
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
    expected = {b: (_f32(base_lr if rule is None else rule(base_lr, b, base_batch)),
                    batch_size.warmup_steps_for_epochs(warmup, digits.steps_per_epoch(b)))
                for b in sizes}
    if settings == expected:
        return
    for mistake, model in mistakes.SWEEP_MISTAKES.items():
        modelled = {}
        for b in sizes:
            lr, steps = model(b, rule, base_lr, base_batch, warmup)
            modelled[b] = (_f32(lr), steps)
        if modelled == settings and modelled != expected:
            raise CheckFailed(f"{call} is not right. {SWEEP_EXPLANATIONS[mistake]}",
                              diagnosis=SWEEP_EXPLANATIONS[mistake])
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


# --- the submitted figure of the sweeps -----------------------------------------------------

SWEEP_SETTINGS: dict[str, tuple[Any, int]] = {
    "no scaling": (None, 0),
    "linear": (batch_size.linear_scaled_lr, 0),
    "linear + warmup": (batch_size.linear_scaled_lr, digits.WARMUP_EPOCHS),
    "square root": (batch_size.sqrt_scaled_lr, 0),
}
"""The four sweeps of fig_batch_size: name → (scaling rule, warmup epochs)."""


def _reference_sweeps() -> dict[str, dict[int, Any]]:
    return {name: digits.batch_size_sweep(digits.BATCH_SIZES, rule, warmup)
            for name, (rule, warmup) in SWEEP_SETTINGS.items()}


def _sweep_panels(fig_batch_size: Any) -> list[Any]:
    panels = plots.panels_of(fig_batch_size, "fig_batch_size")
    plots.check_panel_count(panels, 2, "fig_batch_size")
    return panels


@judged
def check_batch_size_figure_layout(fig_batch_size: Any) -> None:
    """Two panels; batch size on a log x-axis; final loss and final accuracy; titles; legends."""
    left, right = _sweep_panels(fig_batch_size)
    for panel, where in ((left, "the left panel"), (right, "the right panel")):
        plots.check_axis_label(panel, "x", ("batch",), where)
        plots.check_title(panel, where)
        plots.check_log_scale(panel, "x", where + " (batch size)")
        plots.check_legend(panel, where, "label each line (e.g. label='linear')")
    plots.check_axis_label(left, "y", ("loss",), "the left panel")
    plots.check_axis_label(right, "y", ("acc",), "the right panel")
    passed("fig_batch_size has two labelled panels with the batch size on a log axis.")


def _line_data(panel: Any) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    data = []
    for line in panel.get_lines():
        try:
            x = np.asarray(line.get_xdata(), dtype=np.float64)
            y = np.asarray(line.get_ydata(), dtype=np.float64)
        except (TypeError, ValueError):
            continue
        data.append((line, x, y))
    return data


def _find_line(panel_lines: list[tuple[Any, np.ndarray, np.ndarray]], x_ref: np.ndarray,
               candidates: Sequence[np.ndarray]) -> Any | None:
    for line, x, y in panel_lines:
        if not arrays_match(x, x_ref):
            continue
        if any(arrays_match(y, c) for c in candidates):
            return line
    return None


@judged
def check_batch_size_figure_lines(fig_batch_size: Any) -> None:
    """Left: the final training loss of each sweep vs batch size; right: the final test
    accuracy (as a fraction or in %); one labelled line per sweep of SWEEP_SETTINGS."""
    left, right = _sweep_panels(fig_batch_size)
    x_ref = np.asarray(digits.BATCH_SIZES, dtype=np.float64)
    left_lines, right_lines = _line_data(left), _line_data(right)
    for name, runs in _reference_sweeps().items():
        losses = np.array([runs[b].final_train_loss for b in digits.BATCH_SIZES])
        accuracy = np.array([runs[b].final_test_accuracy for b in digits.BATCH_SIZES])
        first_losses = np.array([runs[b].train_loss[0] for b in digits.BATCH_SIZES])
        first_accuracy = np.array([runs[b].test_accuracy[0] for b in digits.BATCH_SIZES])
        rule, warmup = SWEEP_SETTINGS[name]
        describe = (f"the '{name}' sweep ("
                    + ("lr = BASE_LR" if rule is None else f"{rule.__name__}")
                    + (f", warmup {warmup} epochs" if warmup else "") + ")")
        for panel_lines, alternatives, other, first, where, what in (
            (left_lines, [losses], [accuracy, 100 * accuracy], first_losses,
             "the left panel", "final training loss"),
            (right_lines, [accuracy, 100 * accuracy], [losses], first_accuracy,
             "the right panel", "final test accuracy"),
        ):
            line = _find_line(panel_lines, x_ref, alternatives)
            if line is not None:
                if line.get_label().startswith("_") and not line.figure.legends:
                    raise CheckFailed(f"The line of {describe} on {where} has no label: "
                                      "label it (e.g. label='linear') so the legend names it.")
                continue
            if _find_line(panel_lines, x_ref, other) is not None:
                raise CheckFailed(f"{where.capitalize()} shows the wrong quantity for {describe}"
                                  f": it should show the {what} — are the panels swapped?")
            if _find_line(panel_lines, x_ref, [first, 100 * first]) is not None:
                raise CheckFailed(f"On {where}, {describe} shows the first epoch; plot the "
                                  f"{what}, the value after the last epoch (run.train_loss[-1] "
                                  "or run.test_accuracy[-1]).")
            raise CheckFailed(f"No line on {where} shows the {what} of {describe} against "
                              "the batch sizes BATCH_SIZES. Plot "
                              + ("[runs[b].train_loss[-1] for b in BATCH_SIZES]" if
                                 what.endswith("loss") else
                                 "[runs[b].test_accuracy[-1] for b in BATCH_SIZES]")
                              + " against BATCH_SIZES for each of the four sweeps (they "
                              "use your scaling rules and batch_size_sweep: make their tests "
                              "pass first).")
    passed("fig_batch_size shows the final loss and accuracy of the four sweeps.")


# --- the range test: exponential lrs ---------------------------------------------------------

EXPONENTIAL_CASES_VISIBLE = ((1e-7, 10.0, 100), (1e-3, 1.0, 4))
EXPONENTIAL_ADVICE = ("the lrs differ from start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)) "
                      "for i = 0 … num_iters − 1 (end_lr may be below start_lr).")
EXPONENTIAL_EXPLANATIONS = {
    "linear_spacing": "Your lrs are evenly spaced (np.linspace); they should grow by the same "
    "factor at every step: start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)).",
    "endpoint_excluded": "Your last lr stops one factor short of end_lr (exponent i / "
    "num_iters): the exponent is i / (num_iters − 1), so the last lr is end_lr.",
    "exponents_not_lrs": "You returned the exponents (log10 of the lrs); return the lrs "
    "themselves, 10 ** exponent.",
}


def _read_exponential(params: Any) -> tuple[float, float, int]:
    """Hidden params [start_lr, end_lr, num_iters]."""
    start, end, n = params
    return start, end, n


def _check_exponential_case(exponential_lrs: Any, start: float, end: float, n: int) -> None:
    call = format_call("exponential_lrs", (start, end, n), {})
    student = to_float_array(call_student(exponential_lrs, "exponential_lrs", start, end, n),
                             f"The result of {call}")
    expected = range_test.exponential_lrs(start, end, n)
    mismatch = first_mismatch(student.reshape(-1), expected)
    if mismatch is None:
        return
    for mistake, model in mistakes.EXPONENTIAL_LRS_MISTAKES.items():
        if same_pattern(student.reshape(-1), model(start, end, n), DIAGNOSIS_RTOL):
            raise CheckFailed(f"{call} is not right. {EXPONENTIAL_EXPLANATIONS[mistake]}",
                              diagnosis=EXPONENTIAL_EXPLANATIONS[mistake])
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} lrs; it should return {n}.",
                          diagnosis="the result should hold num_iters lrs.")
    raise CheckFailed(f"{call}: lr number {mismatch.index} is "
                      f"{describe_number(mismatch.student)}, it should be "
                      f"{describe_number(mismatch.expected)}.")


@judged
def check_exponential_lrs(exponential_lrs: Any, hidden: bool = False) -> None:
    """start_lr · (end_lr/start_lr)^(i/(num_iters − 1)) for i = 0 … num_iters − 1."""
    require_own_function(exponential_lrs, "exponential_lrs")
    for case, (start, end, n) in _cases(hidden, "ps03.exponential_lrs",
                                        EXPONENTIAL_CASES_VISIBLE, _read_exponential):
        with _within(case, EXPONENTIAL_ADVICE):
            _check_exponential_case(exponential_lrs, start, end, n)
    passed("exponential_lrs spaces the lrs evenly on a log scale, from start_lr to end_lr"
           + (" (unseen ranges too)." if hidden else "."))


# --- smoothing ------------------------------------------------------------------------------

def _losses_visible() -> list[tuple[list[float], float | None]]:
    noisy = (2.3 + 0.2 * np.random.default_rng(0).standard_normal(30)).round(3).tolist()
    return [([2.0, 1.0, 3.0, 0.5, 0.5], 0.9), (noisy, None)]


SMOOTHING_ADVICE = ("the values differ from the debiased moving average: avg = β·avg + "
                    "(1 − β)·loss, divided by 1 − β ** (i + 1), with the β given (0.98 only by "
                    "default).")
SMOOTHING_EXPLANATIONS = {
    "not_debiased": "Your average is not debiased: it starts near 0 ((1 − β)·loss_0) and "
    "creeps up. Divide the moving average of step i by 1 − β ** (i + 1).",
    "weights_swapped": "β and 1 − β are swapped: the average keeps β of the old value and adds "
    "(1 − β) of the new loss, avg = β·avg + (1 − β)·loss.",
    "running_mean": "That is the plain mean of all losses so far; use the exponential moving "
    "average avg = β·avg + (1 − β)·loss, debiased by 1 − β ** (i + 1).",
}


def _read_smoothing(params: Any) -> tuple[list[float], float | None]:
    """Hidden params [losses, β or None for the default]."""
    losses, beta = params
    return list(losses), beta


def _modelled(model: Callable[..., Any], *args: Any) -> Any:
    """What a mistake's model computes, or None where the mistaken code would raise itself
    (swapped weights divide by 1 − 1 = 0 when β = 0)."""
    try:
        return model(*args)
    except ArithmeticError:
        return None


def _check_smoothing_case(smooth_losses: Any, losses: list[float], beta: float | None) -> None:
    kwargs = {} if beta is None else {"beta": beta}
    shown = losses if len(losses) <= 6 else _Named(f"<{len(losses)} losses>")
    call = format_call("smooth_losses", (shown,), kwargs)
    result = call_student(smooth_losses, "smooth_losses", list(losses), **kwargs)
    student = to_float_array(result, f"The result of {call}").reshape(-1)
    used_beta = range_test.BETA if beta is None else beta
    expected = range_test.smooth_losses(losses, used_beta)
    mismatch = first_mismatch(student, expected)
    if mismatch is None:
        return
    values = np.asarray(losses, dtype=np.float64)
    for mistake, model in mistakes.SMOOTHING_MISTAKES.items():
        modelled = _modelled(model, values, used_beta)
        if modelled is not None and not arrays_match(modelled, expected) and same_pattern(
                student, modelled, DIAGNOSIS_RTOL):
            raise CheckFailed(f"{call} is not right. {SMOOTHING_EXPLANATIONS[mistake]}",
                              diagnosis=SMOOTHING_EXPLANATIONS[mistake])
    if mismatch.shape_differs:
        raise CheckFailed(f"{call} returned {student.size} values; it should return one "
                          f"per loss ({len(losses)}).",
                          diagnosis="the result should hold one value per loss.")
    raise CheckFailed(f"{call}: value {mismatch.index} is {describe_number(mismatch.student)}"
                      f", it should be {describe_number(mismatch.expected)}.")


@judged
def check_smooth_losses(smooth_losses: Any, hidden: bool = False) -> None:
    """The debiased EMA: a_i = β·a_{i−1} + (1 − β)·loss_i, smoothed_i = a_i / (1 − β^(i+1))."""
    require_own_function(smooth_losses, "smooth_losses")
    for case, (losses, beta) in _cases(hidden, "ps03.smooth_losses", _losses_visible(),
                                       _read_smoothing):
        with _within(case, SMOOTHING_ADVICE):
            _check_smoothing_case(smooth_losses, losses, beta)
    passed("smooth_losses is the debiased exponential moving average"
           + (" (unseen β and losses too)." if hidden else "."))


# --- the range test itself ------------------------------------------------------------------

class _CountingStep:
    """A toy training run (`noisy_quadratic_step`) that counts its calls; repr: its settings."""

    def __init__(self, **settings: Any) -> None:
        self.settings = settings
        self._step = range_test.noisy_quadratic_step(**settings)
        self.calls = 0

    def __call__(self, lr: float) -> float:
        self.calls += 1
        return self._step(float(lr))

    def fresh(self) -> Callable[[float], float]:
        return range_test.noisy_quadratic_step(**self.settings)

    def evidence_state(self) -> int:
        """What the student's code changed: the number of calls (`checks.evidence`)."""
        return self.calls

    def restore_evidence_state(self, calls: int) -> None:
        self.calls = int(calls)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"train_step (a toy run: noisy_quadratic_step({inner}))"


# (toy settings, range-test keyword arguments)
RANGE_CASES_VISIBLE: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
    ({"a": 1.0, "w0": 3.0, "seed": 0}, {}),
)
RANGE_ADVICE = ("the record differs from the range test's: exponentially spaced lrs, the debiased "
                "moving average of the losses train_step returns, and a stop at the first "
                "smoothed loss above diverge_factor × the best so far, with the settings given.")

RANGE_EXPLANATIONS = {
    "never_stops": "Your test never stops early: stop at the first step whose smoothed loss "
    "exceeds diverge_factor × the best (lowest) smoothed loss so far.",
    "stops_against_first_loss": "Your test compares the smoothed loss with diverge_factor × the "
    "first loss; compare it with diverge_factor × the best (lowest) smoothed loss so far.",
    "stops_on_raw_loss": "Your test stops on the raw loss; the stopping rule compares the "
    "smoothed loss with diverge_factor × the best smoothed loss (a single raw loss is noisy).",
    "not_debiased": "Your smoothed losses are not debiased: divide the moving average of step i "
    "by 1 − β ** (i + 1) (the average starts at 0 and would trigger or hide the stop).",
    "weights_swapped": "β and 1 − β are swapped in the moving average: avg = β·avg + "
    "(1 − β)·loss.",
    "linear_spacing": "Your lrs are evenly spaced; in a range test they grow exponentially: "
    "start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)).",
    "endpoint_excluded": "Your lrs stop one factor short of end_lr: the exponent is i / "
    "(num_iters − 1).",
}


def _read_range(params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Hidden params {"toy": noisy_quadratic_step's settings, "options": lr_range_test's
    keyword arguments}."""
    return dict(params["toy"]), dict(params["options"])


def _pair(result: Any, call: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (lrs, smoothed_losses), got "
                          f"{type(result).__name__}.",
                          diagnosis="the result should be a pair (lrs, smoothed_losses).")
    lrs = to_float_array(result[0], f"The lrs of {call}").reshape(-1)
    smoothed = to_float_array(result[1], f"The smoothed losses of {call}").reshape(-1)
    if lrs.size != smoothed.size:
        raise CheckFailed(f"{call} returned {lrs.size} lrs but {smoothed.size} smoothed losses; "
                          "record one of each per step.",
                          diagnosis="the numbers of lrs and of smoothed losses differ: record "
                          "one of each per step.")
    return lrs, smoothed


def _matches_record(lrs: np.ndarray, smoothed: np.ndarray, ref_lrs: np.ndarray,
                    ref_smoothed: np.ndarray, rtol: float = 1e-5) -> bool:
    return arrays_match(lrs, ref_lrs, rtol) and arrays_match(smoothed, ref_smoothed, rtol)


def _check_range_case(lr_range_test: Any, toy: dict[str, Any], options: dict[str, Any]) -> None:
    step = _CountingStep(**toy)
    call = format_call("lr_range_test", (_Named("train_step"),), options)
    result = call_student(lr_range_test, "lr_range_test", step, **options)
    lrs, smoothed = _pair(result, call)
    reference = range_test.lr_range_test(step.fresh(), **options)
    ref_lrs, ref_smoothed = np.asarray(reference.lrs), np.asarray(reference.smoothed)
    taken = ref_lrs.size
    recorded_all = _matches_record(lrs, smoothed, ref_lrs, ref_smoothed)
    left_out_last = reference.diverged and _matches_record(lrs, smoothed, ref_lrs[:-1],
                                                           ref_smoothed[:-1])
    if (recorded_all or left_out_last) and step.calls == taken:
        return
    if recorded_all or left_out_last:
        raise CheckFailed(f"{call} called train_step {step.calls} times; it should take "
                          f"exactly the {taken} steps it records"
                          + (" and stop right after the step that diverged."
                             if step.calls > taken else "."),
                          diagnosis="train_step was called "
                          + ("more often than the steps recorded: stop right after the step "
                             "that diverged." if step.calls > taken else
                             "fewer times than the steps recorded: one call per step."))
    message, diagnosis = _range_test_message(call, step, lrs, smoothed, options, reference)
    raise CheckFailed(message, diagnosis=diagnosis)


@judged
def check_lr_range_test(lr_range_test: Any, hidden: bool = False) -> None:
    """(lrs, smoothed) of the steps taken, stopping at the first smoothed loss above
    diverge_factor × the best; the stopping step may be recorded or left out."""
    require_own_function(lr_range_test, "lr_range_test")
    for case, (toy, options) in _cases(hidden, "ps03.lr_range_test", RANGE_CASES_VISIBLE,
                                       _read_range):
        with _within(case, RANGE_ADVICE):
            _check_range_case(lr_range_test, toy, options)
    passed("lr_range_test sweeps the lrs, smooths the loss and stops on divergence"
           + (" (unseen runs and settings too)." if hidden else "."))


STOP_RULE = ("the first step whose smoothed loss exceeds diverge_factor × the best smoothed "
             "loss so far")


def _range_test_message(call: str, step: _CountingStep, lrs: np.ndarray, smoothed: np.ndarray,
                        options: dict[str, Any], reference: Any) -> tuple[str, str]:
    """What is wrong with a range test's record: the message, and its diagnosis (the same
    without the case's values)."""
    settings = {"start_lr": range_test.START_LR, "end_lr": range_test.END_LR,
                "num_iters": range_test.NUM_ITERS, "beta": range_test.BETA,
                "diverge_factor": range_test.DIVERGE_FACTOR} | options
    for mistake, choices in mistakes.RANGE_TEST_MISTAKES.items():
        model_lrs, model_smoothed = mistakes.range_test_variant(
            step.fresh(), settings["start_lr"], settings["end_lr"], settings["num_iters"],
            settings["beta"], settings["diverge_factor"], **choices)
        for cut in (model_lrs.size, model_lrs.size - 1):
            if cut > 0 and _matches_record(lrs, smoothed, model_lrs[:cut], model_smoothed[:cut],
                                           DIAGNOSIS_RTOL):
                return (f"{call} is not right. {RANGE_EXPLANATIONS[mistake]}",
                        RANGE_EXPLANATIONS[mistake])
    taken = reference.lrs.size
    common = min(lrs.size, taken)
    lr_mismatch = first_mismatch(lrs[:common], np.asarray(reference.lrs)[:common])
    if lr_mismatch is not None:
        return (f"{call}: the lr of step {lr_mismatch.index} is "
                f"{describe_number(lr_mismatch.student)}, it should be "
                f"{describe_number(lr_mismatch.expected)} (exponentially spaced lrs).",
                "the lrs differ from start_lr · (end_lr / start_lr) ** (i / (num_iters − 1)) "
                "with the settings given.")
    loss_mismatch = first_mismatch(smoothed[:common], np.asarray(reference.smoothed)[:common])
    if loss_mismatch is not None:
        return (f"{call}: the smoothed loss of step {loss_mismatch.index} is "
                f"{describe_number(loss_mismatch.student)}, it should be "
                f"{describe_number(loss_mismatch.expected)} (the debiased moving average of "
                "the losses train_step returned).",
                "the smoothed losses differ from the debiased moving average of the losses "
                "train_step returned, with the β given.")
    if lrs.size < taken - (1 if reference.diverged else 0):
        return (f"{call} stopped after {lrs.size} steps, too early: the smoothed loss first "
                f"exceeds diverge_factor × its best at step {taken - 1}.",
                f"the test stops too early: stop at {STOP_RULE}.")
    return (f"{call} recorded {lrs.size} steps; it should stop after {taken}: at the first "
            "step whose smoothed loss exceeds diverge_factor × the best smoothed loss so far.",
            f"the test does not stop where it should: stop at {STOP_RULE}.")


# --- the suggestion -------------------------------------------------------------------------

def _suggestion_cases(hidden: bool) -> list[tuple[HiddenCase | None, tuple[np.ndarray,
                                                                          np.ndarray]]]:
    """The visible curves (a short one and the visible range test's), or this student's drawn
    curves (hidden params [lrs, smoothed losses])."""
    if not hidden:
        toy, options = RANGE_CASES_VISIBLE[0]
        result = range_test.lr_range_test(range_test.noisy_quadratic_step(**toy), **options)
        return [(None, (np.array([0.01, 0.1, 1.0, 10.0]), np.array([2.0, 1.0, 0.5, 3.0]))),
                (None, (np.asarray(result.lrs), np.asarray(result.smoothed)))]
    return [(case, (np.asarray(case.params[0], dtype=np.float64),
                    np.asarray(case.params[1], dtype=np.float64)))
            for case in hidden_cases("ps03.suggest_lr")]


SUGGESTION_ADVICE = "the suggestion differs from the lr at the minimum of the smoothed losses / 10."
SUGGESTION_EXPLANATIONS = {
    "at_minimum": "That is the lr at the minimum of the loss; the suggestion is ten times "
    "smaller (min / 10): at the minimum the loss is already about to blow up.",
    "times_ten": "That is ten times the lr at the minimum; the suggestion divides it by 10.",
    "loss_not_lr": "That is the minimum loss / 10 — a loss, not a learning rate: return the lr "
    "at which the smoothed loss is lowest, divided by 10.",
    "last_lr": "That is the last lr / 10; take the lr at the minimum of the smoothed loss.",
    "steepest": "That is the steepest-descent suggestion; this task asks for the lr at the "
    "minimum of the smoothed loss divided by 10.",
}


@judged
def check_suggest_lr(suggest_lr: Any, hidden: bool = False) -> None:
    """The lr at the minimum of the smoothed loss, divided by 10."""
    require_own_function(suggest_lr, "suggest_lr")
    cases = _suggestion_cases(hidden)
    calls, values, expected = [], [], []
    for case, (lrs, losses) in cases:
        shown = (lrs.tolist(), losses.tolist()) if lrs.size <= 4 else (
            _Named(f"<{lrs.size} lrs>"), _Named(f"<{lrs.size} smoothed losses>"))
        call = format_call("suggest_lr", shown, {})
        calls.append(call)
        with _within(case, SUGGESTION_ADVICE):
            values.append(_number(call_student(suggest_lr, "suggest_lr", lrs.tolist(),
                                               losses.tolist()), f"The result of {call}"))
        expected.append(range_test.suggest_lr(lrs, losses))
    wrong = [i for i, (v, e) in enumerate(zip(values, expected, strict=True)) if not _close(v, e)]
    if not wrong:
        passed("suggest_lr takes the lr at the minimum of the smoothed loss / 10"
               + (" (unseen curves too)." if hidden else "."))
        return
    first = wrong[0]
    with _within(cases[first][0], SUGGESTION_ADVICE):
        for mistake, model in mistakes.SUGGESTION_MISTAKES.items():
            modelled = [model(lrs, losses) for _, (lrs, losses) in cases]
            if all(_close(v, m, DIAGNOSIS_RTOL) for v, m in zip(values, modelled, strict=True)):
                raise CheckFailed(f"{calls[first]} returned {describe_number(values[first])}. "
                                  f"{SUGGESTION_EXPLANATIONS[mistake]}",
                                  diagnosis=SUGGESTION_EXPLANATIONS[mistake])
        raise CheckFailed(f"{calls[first]} returned {describe_number(values[first])}; it should "
                          f"be {describe_number(expected[first])}, the lr at the minimum of the "
                          "smoothed loss divided by 10.")


# --- the range-test figure ------------------------------------------------------------------

def _vertical_positions(panel: Any) -> list[float]:
    """x of every vertical line: axvline (a Line2D with two equal x) or vlines (a collection)."""
    positions = []
    for _, x, y in _line_data(panel):
        if x.size >= 2 and np.all(x == x[0]) and np.ptp(y) > 0:
            positions.append(float(x[0]))
    for collection in panel.collections:
        for segment in getattr(collection, "get_segments", lambda: [])():
            segment = np.asarray(segment, dtype=np.float64)
            if segment.shape[0] >= 2 and np.all(segment[:, 0] == segment[0, 0]):
                positions.append(float(segment[0, 0]))
    return positions


@judged
def check_range_test_figure(fig_range_test: Any) -> None:
    """One panel: the smoothed loss against the lr (log x) of the range test at each batch size
    of RANGE_TEST_BATCH_SIZES, labelled with it, and a vertical line at each suggestion."""
    panels = plots.panels_of(fig_range_test, "fig_range_test")
    plots.check_panel_count(panels, 1, "fig_range_test")
    (panel,) = panels
    plots.check_axis_label(panel, "x", ("lr", "learning rate", "η"), "fig_range_test")
    plots.check_axis_label(panel, "y", ("loss",), "fig_range_test")
    plots.check_title(panel, "fig_range_test")
    plots.check_legend(panel, "fig_range_test", "label each curve with its batch size")
    lines = _line_data(panel)
    logs = [line for line, x, _ in lines if x.size > 2 and np.all(x < 2) and np.all(x > -8)
            and np.any(x < 0)]
    if panel.get_xscale() != "log":
        if logs:
            raise CheckFailed("fig_range_test plots log10(lr) on a linear axis; plot the lrs "
                              "themselves and set `ax.set_xscale('log')`.")
        plots.check_log_scale(panel, "x", "fig_range_test (lr)")
    verticals = _vertical_positions(panel)
    for b in digits.RANGE_TEST_BATCH_SIZES:
        result = digits.digits_range_test(b, **digits.RANGE_TEST_OPTIONS)
        lrs, smoothed = np.asarray(result.lrs), np.asarray(result.smoothed)
        curve = None
        for line, x, y in lines:
            if _matches_record(x, y, lrs, smoothed) or (
                    result.diverged and _matches_record(x, y, lrs[:-1], smoothed[:-1])):
                curve = line
        if curve is None:
            if any(_matches_record(x, y, lrs, np.asarray(result.losses)) for _, x, y in lines):
                raise CheckFailed(f"fig_range_test shows the raw losses of batch size {b}; plot "
                                  "the smoothed losses your lr_range_test returns.")
            raise CheckFailed(
                f"No line of fig_range_test shows the smoothed loss against the lr of the range "
                f"test at batch size {b} (lr_range_test(range_test_step({b}), "
                "**RANGE_TEST_OPTIONS)). If lr_range_test passed its test, plot what it returns.")
        if not plots.numbers_in(curve.get_label()) or not any(
                np.isclose(v, b) for v in plots.numbers_in(curve.get_label())):
            raise CheckFailed(f"The curve of batch size {b} should name it in its label, e.g. "
                              f"label=f'batch {{batch_size}}' (it is '{curve.get_label()}').")
        suggestion = result.suggestion
        if not any(_close(v, suggestion) for v in verticals):
            if any(_close(v, result.best_lr) for v in verticals):
                raise CheckFailed(f"The vertical line of batch size {b} is at the minimum of "
                                  "the loss; put it at the suggestion, the minimum's lr / 10.")
            raise CheckFailed(f"fig_range_test should mark the suggested lr of batch size {b} "
                              "with a vertical line: ax.axvline(suggest_lr(lrs, smoothed)).")
    passed("fig_range_test shows both range tests on a log lr axis with their suggestions.")

