"""lrchecks.ps03 on plain Python functions: right answers pass, each mistake is named, and the
hidden checks run the cases the grader draws per student (`autograder.hidden.ps03`): every
correct style passes every pooled case, every modelled mistake fails a drawn case of every
student, and a hidden failure names the kind of case and the mistake — never its values."""

from __future__ import annotations

import functools
import json
import math
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import REPO, assert_a_grading_kernel_only_asks, assert_the_judge_confirms
from hidden_case_helpers import (
    assert_no_case_written_in,
    cases_drawn_for,
    every_pooled_case,
    package_source,
)

from autograder.hidden import course_pools, pool_specs, stale_pools
from autograder.samples.ps03 import DIFFERENT_CELLS
from lrchecks import ps03
from lrchecks.diagnosis import batch_size as mistakes
from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases
from lrchecks.ps03 import range_test
from lrchecks.report import CheckFailed
from lrcore import digits
from lrcore.batch_size import linear_scaled_lr, sqrt_scaled_lr
from lrcore.digits import BATCH_SIZES, N_TRAIN, train

ASSIGNMENT = "ps03_batch_size"
POOLS = course_pools(REPO, ASSIGNMENT)
STUDENTS = ("alice", "bob", "chen", "dana")


every_case = functools.partial(every_pooled_case, ASSIGNMENT)
drawn_for = functools.partial(cases_drawn_for, ASSIGNMENT)


# --- correct student code, in two styles ------------------------------------------------------


def linear(base_lr, batch_size, base_batch_size=256):
    return base_lr * batch_size / base_batch_size


def root(base_lr, batch_size, base_batch_size=256):
    return base_lr * math.sqrt(batch_size / base_batch_size)


def warmup(step, target_lr, warmup_steps):
    if step + 1 >= warmup_steps:
        return target_lr
    return target_lr * (step + 1) / warmup_steps


def make_sweep(lr_of=None, warmup_of=None, *, pass_seed=True, pass_epochs=True):
    """A student's batch_size_sweep; `lr_of(rule, base_lr, b, b0)` and `warmup_of(w, b, b0)`
    replace the right lr and warmup steps (a mistake)."""
    def batch_size_sweep(batch_sizes, scaling_rule=None, warmup_epochs=0, base_lr=digits.BASE_LR,
                         base_batch_size=digits.BASE_BATCH_SIZE, epochs=digits.EPOCHS, seed=0):
        runs = {}
        for b in batch_sizes:
            if lr_of is not None:
                lr = lr_of(scaling_rule, base_lr, b, base_batch_size)
            else:
                lr = base_lr if scaling_rule is None else scaling_rule(base_lr, b,
                                                                       base_batch_size)
            steps = (warmup_epochs * math.ceil(N_TRAIN / b) if warmup_of is None
                     else warmup_of(warmup_epochs, b, base_batch_size))
            runs[b] = train(b, lr, epochs if pass_epochs else 10, warmup_steps=steps,
                            seed=seed if pass_seed else 0)
        return runs
    return batch_size_sweep


sweep = make_sweep()


def exp_lrs(start_lr, end_lr, num_iters):
    return np.geomspace(start_lr, end_lr, num_iters)


def smooth(losses, beta=0.98):
    average, out = 0.0, []
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta ** (i + 1)))
    return out


def make_range_test(*, record_last=True, stop="best", smoother=smooth, lrs=exp_lrs):
    def lr_range_test(train_step, start_lr=1e-7, end_lr=10.0, num_iters=100, beta=0.98,
                      diverge_factor=4.0):
        rates, raw, recorded = [], [], []
        for lr in lrs(start_lr, end_lr, num_iters):
            raw.append(train_step(lr))
            value = smoother(raw, beta)[-1]
            if stop == "raw":
                value, reference = raw[-1], min(raw)
            else:
                reference = {"best": min(smoother(raw, beta)), "first": smoother(raw, beta)[0],
                             "never": math.inf}[stop]
            if value > diverge_factor * reference:
                if record_last:
                    rates.append(lr)
                    recorded.append(smoother(raw, beta)[-1])
                break
            rates.append(lr)
            recorded.append(smoother(raw, beta)[-1])
        return rates, recorded
    return lr_range_test


def suggest(lrs, smoothed_losses):
    return lrs[int(np.argmin(smoothed_losses))] / 10


def test_correct_functions_pass_visible_and_hidden(capsys):
    for hidden in (False, True):
        with drawn_cases(every_case()):
            ps03.check_linear_scaled_lr(linear, hidden=hidden)
            ps03.check_sqrt_scaled_lr(root, hidden=hidden)
            ps03.check_warmup_lr(warmup, hidden=hidden)
            ps03.check_batch_size_sweep(sweep, hidden=hidden)
            ps03.check_exponential_lrs(exp_lrs, hidden=hidden)
            ps03.check_smooth_losses(smooth, hidden=hidden)
            ps03.check_lr_range_test(make_range_test(), hidden=hidden)
            ps03.check_suggest_lr(suggest, hidden=hidden)
    assert capsys.readouterr().out.count("✓") == 16


def test_other_correct_styles_pass_every_pooled_case():
    # torch tensors and numpy scalars.
    with drawn_cases(every_case()):
        ps03.check_linear_scaled_lr(rule(lambda lr, b, b0: torch.tensor(lr) * b / b0),
                                    hidden=True)
        ps03.check_sqrt_scaled_lr(rule(lambda lr, b, b0: np.float64(lr) * (b / b0) ** 0.5),
                                  hidden=True)
        ps03.check_warmup_lr(lambda t, lr, k: lr * min(1.0, (t + 1) / k) if k else lr,
                             hidden=True)
        ps03.check_exponential_lrs(
            lambda s, e, n: torch.logspace(math.log10(s), math.log10(e), n, dtype=torch.float64),
            hidden=True)
        ps03.check_exponential_lrs(  # float32, torch's default
            lambda s, e, n: torch.logspace(math.log10(s), math.log10(e), n), hidden=True)
        ps03.check_smooth_losses(lambda losses, beta=0.98: np.array(smooth(losses, beta)),
                                 hidden=True)
        ps03.check_suggest_lr(lambda lrs, losses: min(zip(losses, lrs, strict=True))[1] * 0.1,
                              hidden=True)


def sample_functions(cells: dict[str, str]) -> dict:
    """The functions a sample student's cells define, run as a notebook would run them."""
    namespace = {"__name__": "__main__", "np": np, "math": math, "torch": torch, "train": train,
                 "N_TRAIN": N_TRAIN, "BASE_LR": digits.BASE_LR, "EPOCHS": digits.EPOCHS,
                 "BASE_BATCH_SIZE": digits.BASE_BATCH_SIZE}
    for name in ("scaling_rules", "warmup_lr", "batch_size_sweep", "exponential_lrs",
                 "smooth_losses", "lr_range_test", "suggest_lr"):
        exec(cells[name], namespace)  # noqa: S102 - the sample's own code
    return namespace


def test_the_sample_written_differently_passes_every_pooled_case(capsys):
    functions = sample_functions(DIFFERENT_CELLS)
    with drawn_cases(every_case()):
        for check, name in ((ps03.check_linear_scaled_lr, "linear_scaled_lr"),
                            (ps03.check_sqrt_scaled_lr, "sqrt_scaled_lr"),
                            (ps03.check_warmup_lr, "warmup_lr"),
                            (ps03.check_batch_size_sweep, "batch_size_sweep"),
                            (ps03.check_exponential_lrs, "exponential_lrs"),
                            (ps03.check_smooth_losses, "smooth_losses"),
                            (ps03.check_lr_range_test, "lr_range_test"),
                            (ps03.check_suggest_lr, "suggest_lr")):
            check(functions[name], hidden=True)
    assert capsys.readouterr().out.count("✓") == 8


def rule(formula):
    """A student's scaling rule with the asked signature, computing formula(lr, b, b0)."""
    def scaled_lr(base_lr, batch_size, base_batch_size=256):
        return formula(base_lr, batch_size, base_batch_size)
    return scaled_lr


def failure(check, function, hidden=False, student="alice") -> str:
    with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed) as raised:
        check(function, hidden=hidden)
    return raised.value.message


# --- hidden cases: pools, draws, messages ------------------------------------------------------


def test_the_pools_are_those_the_specifications_build():
    """hidden_cases/ps03_batch_size.json is what `release` builds now (release was run)."""
    assert stale_pools(REPO, ASSIGNMENT) == []
    specs = {spec.name: spec for spec in pool_specs(ASSIGNMENT)}
    assert set(POOLS) == set(specs) == {
        "ps03.linear_scaled_lr", "ps03.sqrt_scaled_lr", "ps03.warmup_lr",
        "ps03.batch_size_sweep", "ps03.exponential_lrs", "ps03.smooth_losses",
        "ps03.lr_range_test", "ps03.suggest_lr"}
    for name, pool in POOLS.items():
        assert len(pool.candidates) == specs[name].size and pool.draw <= len(pool.candidates)
        assert json.loads(json.dumps(pool.to_json())) == pool.to_json()  # plain JSON


def test_students_draw_different_cases_and_a_regrade_the_same():
    assert drawn_for("alice") == drawn_for("alice")
    for name in ("ps03.linear_scaled_lr", "ps03.lr_range_test", "ps03.batch_size_sweep"):
        draws = {json.dumps(drawn_for(student)[name]) for student in STUDENTS}
        assert len(draws) > 1, name


def test_the_student_runtime_holds_no_hidden_case():
    """The checks read their cases from the grader; none is a constant of lrchecks.ps03."""
    source = package_source(ps03)
    assert "check_lr_range_test" in source
    assert not re.search(r"CASES_HIDDEN|_hidden\(\)|hidden=True\)", source)
    assert_no_case_written_in(source, {name: pool.candidates for name, pool in POOLS.items()},
                              each_named_value=False)


def test_hidden_checks_run_only_while_graded(monkeypatch):
    monkeypatch.delenv(HIDDEN_CASES_VARIABLE, raising=False)
    with pytest.raises(CheckFailed, match="only when your notebook is graded"):
        ps03.check_linear_scaled_lr(linear, hidden=True)


def make_smoother(*, debias=True, swapped=False, mean=False, default_beta=0.98,
                  ignore_beta=False):
    def smooth_losses(losses, beta=default_beta):
        beta = 0.98 if ignore_beta else beta
        keep, take = (1 - beta, beta) if swapped else (beta, 1 - beta)
        average, out = 0.0, []
        for i, loss in enumerate(losses):
            if mean:
                out.append(sum(losses[: i + 1]) / (i + 1))
                continue
            average = keep * average + take * loss
            out.append(average / (1 - keep ** (i + 1)) if debias else average)
        return out
    return smooth_losses


def steepest(lrs, smoothed_losses):
    slopes = np.diff(smoothed_losses) / np.diff(np.log(lrs))
    return lrs[int(np.argmin(slopes))]


STUDENT_MISTAKES = {
    ps03.check_linear_scaled_lr: {
        "inverted": rule(lambda lr, b, b0: lr * b0 / b),
        "integer_division": rule(lambda lr, b, b0: lr * (b // b0)),
        "square_root_rule": rule(lambda lr, b, b0: lr * math.sqrt(b / b0)),
        "base_batch_ignored": rule(lambda lr, b, b0: lr * b / 256),
    },
    ps03.check_sqrt_scaled_lr: {
        "sqrt_of_lr": rule(lambda lr, b, b0: math.sqrt(lr) * b / b0),
        "sqrt_of_product": rule(lambda lr, b, b0: math.sqrt(lr * b / b0)),
        "inverted": rule(lambda lr, b, b0: lr * math.sqrt(b0 / b)),
        "linear_rule": rule(lambda lr, b, b0: lr * b / b0),
        "integer_division": rule(lambda lr, b, b0: lr * math.sqrt(b // b0)),
        "base_batch_ignored": rule(lambda lr, b, b0: lr * math.sqrt(b / 256)),
    },
    ps03.check_warmup_lr: {
        "starts_at_zero": lambda t, lr, k: lr * min(1.0, t / k) if k else lr,
        "one_step_late": lambda t, lr, k: lr * min(1.0, (t + 1) / (k + 1)),
        "overshoots_at_the_end": lambda t, lr, k: lr * (t + 1) / k if t <= k else lr,
        "never_stops_growing": lambda t, lr, k: lr * (t + 1) / k,
    },
    ps03.check_batch_size_sweep: {
        "rule_not_applied": make_sweep(lr_of=lambda rule_, lr, b, b0: lr),
        "batch_and_base_swapped": make_sweep(
            lr_of=lambda rule_, lr, b, b0: lr if rule_ is None else rule_(lr, b0, b)),
        "warmup_in_epochs": make_sweep(warmup_of=lambda w, b, b0: w),
        "warmup_floor_steps": make_sweep(warmup_of=lambda w, b, b0: w * (N_TRAIN // b)),
        "warmup_of_base_batch": make_sweep(
            warmup_of=lambda w, b, b0: w * math.ceil(N_TRAIN / b0)),
        "seed_not_passed_on": make_sweep(pass_seed=False),
        "epochs_not_passed_on": make_sweep(pass_epochs=False),
    },
    ps03.check_exponential_lrs: {
        "linear_spacing": lambda s, e, n: np.linspace(s, e, n),
        "endpoint_excluded": lambda s, e, n: s * (e / s) ** (np.arange(n) / n),
        "exponents_not_lrs": lambda s, e, n: np.linspace(math.log10(s), math.log10(e), n),
    },
    ps03.check_smooth_losses: {
        "not_debiased": make_smoother(debias=False),
        "weights_swapped": make_smoother(swapped=True),
        "running_mean": make_smoother(mean=True),
        "default_beta_of_0.9": make_smoother(default_beta=0.9),
        "beta_ignored": make_smoother(ignore_beta=True),
    },
    ps03.check_lr_range_test: {
        "stopping_step_left_out": make_range_test(record_last=False),
        **{f"{name}{'' if record_last else ' (stopping step left out)'}": make_range_test(
            record_last=record_last, **options)
           for record_last in (True, False)
           for name, options in {
            "never_stops": {"stop": "never"},
            "stops_against_first_loss": {"stop": "first"},
            "stops_on_raw_loss": {"stop": "raw"},
            "not_debiased": {"smoother": make_smoother(debias=False)},
            "weights_swapped": {"smoother": make_smoother(swapped=True)},
            "linear_spacing": {"lrs": lambda s, e, n: np.linspace(s, e, n)},
            "endpoint_excluded": {"lrs": lambda s, e, n: s * (e / s) ** (np.arange(n) / n)},
        }.items()},
    },
    ps03.check_suggest_lr: {
        "at_minimum": lambda lrs, losses: lrs[int(np.argmin(losses))],
        "times_ten": lambda lrs, losses: lrs[int(np.argmin(losses))] * 10,
        "loss_not_lr": lambda lrs, losses: min(losses) / 10,
        "last_lr": lambda lrs, losses: lrs[-1] / 10,
        "steepest": steepest,
    },
}
MODELLED = {
    ps03.check_linear_scaled_lr: mistakes.LINEAR_SCALING_MISTAKES,
    ps03.check_sqrt_scaled_lr: mistakes.SQRT_SCALING_MISTAKES,
    ps03.check_warmup_lr: mistakes.WARMUP_MISTAKES,
    ps03.check_batch_size_sweep: mistakes.SWEEP_MISTAKES,
    ps03.check_exponential_lrs: mistakes.EXPONENTIAL_LRS_MISTAKES,
    ps03.check_smooth_losses: mistakes.SMOOTHING_MISTAKES,
    ps03.check_lr_range_test: mistakes.RANGE_TEST_MISTAKES,
    ps03.check_suggest_lr: mistakes.SUGGESTION_MISTAKES,
}
POOL_OF = {check: f"ps03.{check.__name__.removeprefix('check_')}" for check in MODELLED}
NUMBERS_A_MESSAGE_MAY_HOLD = {"0", "1", "10", "256", "0.98"}
"""Formula constants of the diagnoses (t + 1, 1 − β ** (i + 1), min / 10, the default base
batch 256 and β 0.98); any other number in a hidden failure would be a case's value."""


def assert_names_only_kind_and_mistake(message: str, cases: list[dict]) -> None:
    kinds = {case["kind"] for case in cases}
    prefix = re.match(r"A hidden case fails \((.+?)\): ", message)
    assert prefix and prefix.group(1) in kinds, message
    numbers = set(re.findall(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", message))
    assert numbers <= NUMBERS_A_MESSAGE_MAY_HOLD, message


def test_every_modelled_mistake_has_a_student_version():
    for check, models in MODELLED.items():
        names = {name.removesuffix(" (stopping step left out)")
                 for name in STUDENT_MISTAKES[check]}
        assert set(models) <= names, check.__name__


@pytest.mark.parametrize("check", list(STUDENT_MISTAKES), ids=lambda check: check.__name__)
def test_every_mistake_fails_a_hidden_case_of_every_student_and_the_message_shows_no_value(
        check):
    for student in STUDENTS:
        cases = drawn_for(student)
        for name, function in STUDENT_MISTAKES[check].items():
            with drawn_cases(cases), pytest.raises(CheckFailed) as raised:
                check(function, hidden=True)
            assert_names_only_kind_and_mistake(raised.value.message, cases[POOL_OF[check]])
            assert not raised.value.message.endswith(("reference.", "yourself.")), name


def test_a_modelled_mistake_is_named_in_a_hidden_failure():
    assert failure(ps03.check_sqrt_scaled_lr, STUDENT_MISTAKES[ps03.check_sqrt_scaled_lr][
        "inverted"], hidden=True).endswith(mistakes.SQRT_EXPLANATIONS["inverted"])
    message = failure(ps03.check_lr_range_test, make_range_test(stop="never"), hidden=True)
    assert message.endswith(mistakes.RANGE_EXPLANATIONS["never_stops"])
    assert "a diverging toy run" in message


def test_the_students_exception_text_never_reaches_a_hidden_failure():
    def leaky(base_lr, batch_size, base_batch_size=256):
        raise ValueError(f"SECRET base_lr={base_lr!r} batch_size={batch_size!r}")

    for check in (ps03.check_linear_scaled_lr, ps03.check_sqrt_scaled_lr):
        message = failure(check, leaky, hidden=True)
        assert message.endswith("your function raised ValueError.")
        assert "SECRET" not in message and "=" not in message


def test_the_kernels_cases_are_read_from_the_environment(monkeypatch):
    """In a graded kernel the cases come from the environment the grader sets."""
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(drawn_for("bob")))
    ps03.check_warmup_lr(warmup, hidden=True)
    with pytest.raises(CheckFailed, match="A hidden case fails"):
        ps03.check_warmup_lr(STUDENT_MISTAKES[ps03.check_warmup_lr]["starts_at_zero"],
                             hidden=True)


def test_swapped_weights_at_beta_zero_fail_the_check_instead_of_crashing_it():
    """Swapped EMA weights divide by 1 − 1 = 0 at β = 0: numpy gives nan, and the check's own
    model of the mistake must not raise ZeroDivisionError (it made the check crash)."""
    def swapped(losses, beta=0.98):
        return np.asarray(make_smoother(swapped=True)(np.asarray(losses), np.float64(beta)))

    beta_zero = {"ps03.smooth_losses": [{"kind": "β = 0 (no smoothing)",
                                         "params": [[4.0, 1.0, 2.5, 0.2], 0.0]}]}
    with warnings.catch_warnings(), drawn_cases(beta_zero), pytest.raises(CheckFailed) as raised:
        warnings.simplefilter("ignore")
        ps03.check_smooth_losses(swapped, hidden=True)
    assert raised.value.message.startswith("A hidden case fails (β = 0 (no smoothing)): ")


def test_the_judge_confirms_the_solution_from_its_records_and_no_check_asks_lrcore(
        monkeypatch, recorded):
    """Record every check of a correct solution as a graded kernel does, replay it as the judge
    does (its own code, its own drawn cases): every check is confirmed — and no check calls
    the course's code on the student's behalf with something that is not data (the judge
    refuses such answers)."""
    solution = {ps03.check_linear_scaled_lr: linear, ps03.check_sqrt_scaled_lr: root,
                ps03.check_warmup_lr: warmup, ps03.check_batch_size_sweep: sweep,
                ps03.check_exponential_lrs: exp_lrs, ps03.check_smooth_losses: smooth,
                ps03.check_lr_range_test: make_range_test(),
                ps03.check_suggest_lr: suggest}
    assert_the_judge_confirms(solution, drawn_for("chen"), recorded, monkeypatch)


# --- diagnoses -------------------------------------------------------------------------------


@pytest.mark.parametrize(("function", "words"), [
    (rule(lambda lr, b, b0: lr * b0 / b), "wrong way round"),
    (rule(lambda lr, b, b0: lr * (b // b0)), "integer division"),
    (rule(lambda lr, b, b0: lr * math.sqrt(b / b0)), "square-root rule"),
    (rule(lambda lr, b, b0: lr * b / 256), "base_batch_size is ignored"),
    (rule(lambda lr, b, b0: lr * b / b0 + 0.01), "should be"),
])
def test_linear_rule_mistakes_are_named(function, words):
    assert words in failure(ps03.check_linear_scaled_lr, function)


@pytest.mark.parametrize(("function", "words"), [
    (rule(lambda lr, b, b0: math.sqrt(lr) * b / b0), "applied to the lr instead of the ratio"),
    (rule(lambda lr, b, b0: math.sqrt(lr * b / b0)), "only the ratio"),
    (rule(lambda lr, b, b0: lr * math.sqrt(b0 / b)), "wrong way round"),
    (rule(lambda lr, b, b0: lr * b / b0), "That is the linear rule"),
    (rule(lambda lr, b, b0: lr * math.sqrt(b // b0)), "integer division"),
])
def test_sqrt_rule_mistakes_are_named(function, words):
    assert words in failure(ps03.check_sqrt_scaled_lr, function)


def test_scaling_rule_without_the_default_base_fails_readably():
    def no_default(base_lr, batch_size, base_batch_size):
        return base_lr * batch_size / base_batch_size

    message = failure(ps03.check_linear_scaled_lr, no_default)
    assert "raised TypeError" in message and "base_batch_size" in message


@pytest.mark.parametrize(("function", "words"), [
    (lambda t, lr, k: lr * min(1.0, t / k), "starts at lr 0"),
    (lambda t, lr, k: lr * min(1.0, (t + 1) / (k + 1)), "one step too long"),
    (lambda t, lr, k: lr * (t + 1) / k if t <= k else lr, "overshoots"),
    (lambda t, lr, k: lr * (t + 1) / k, "keeps growing"),
])
def test_warmup_mistakes_are_named(function, words):
    assert words in failure(ps03.check_warmup_lr, function)


@pytest.mark.parametrize("hidden", [False, True])
def test_warmup_dividing_by_zero_is_explained_by_the_visible_check_too(hidden):
    """The task names warmup_steps = 0: the visible check runs it (it used to pass there)."""
    message = failure(ps03.check_warmup_lr,
                      lambda t, lr, k: lr * min(1.0, (t + 1) / k), hidden=hidden)
    assert "ZeroDivisionError" in message
    assert message.endswith(mistakes.NO_WARMUP_DIVISION.explanation)


def test_every_edge_case_the_tasks_name_is_a_visible_case():
    """warmup_steps = 0 (Task 3.1), scaling_rule=None (Task 4.1), a run that diverges and is
    recorded up to the step it stops on (Task 5.3)."""
    from lrchecks.ps03 import range_test as range_check
    from lrchecks.ps03 import scaling, sweep

    assert any(k == 0 for _, k, _ in scaling.WARMUP_CASES_VISIBLE)
    assert any(rule is None for _, rule, *_ in sweep.SWEEP_CASES_VISIBLE)
    toy, options = range_check.RANGE_CASES_VISIBLE[0]
    from lrcore.range_test import lr_range_test, noisy_quadratic_step
    assert lr_range_test(noisy_quadratic_step(**toy), **options).diverged


def test_a_range_test_that_leaves_out_its_stopping_step_fails_the_visible_check():
    """Task 5.3 records the step the test stops on; the check used to accept its absence."""
    message = failure(ps03.check_lr_range_test, make_range_test(record_last=False))
    assert message.endswith(mistakes.RANGE_EXPLANATIONS["stopping_step_left_out"])


def test_a_sweep_without_a_rule_must_use_base_lr_in_the_visible_check():
    wrong = make_sweep(lr_of=lambda rule_, lr, b, b0: lr * b / b0 if rule_ is None
                       else rule_(lr, b, b0))
    assert "lr" in failure(ps03.check_batch_size_sweep, wrong)


@pytest.mark.parametrize(("function", "words"), [
    (lambda sizes, scaling_rule=None, warmup_epochs=0, base_lr=0.1, base_batch_size=16,
     epochs=10, seed=0: {b: train(b, base_lr, epochs, seed=seed,
                                  warmup_steps=warmup_epochs * math.ceil(N_TRAIN / b))
                         for b in sizes},
     "The lr is base_lr"),
    (lambda sizes, scaling_rule=None, warmup_epochs=0, base_lr=0.1, base_batch_size=16,
     epochs=10, seed=0: {b: train(b, scaling_rule(base_lr, b, base_batch_size), epochs,
                                  warmup_steps=warmup_epochs, seed=seed) for b in sizes},
     "counts the warmup in optimizer steps"),
    (lambda sizes, scaling_rule=None, warmup_epochs=0, base_lr=0.1, base_batch_size=16,
     epochs=10, seed=0: {b: train(b, scaling_rule(base_lr, b, base_batch_size), epochs,
                                  warmup_steps=warmup_epochs * (N_TRAIN // b), seed=seed)
                         for b in sizes},
     "math.ceil"),
    (lambda sizes, scaling_rule=None, warmup_epochs=0, base_lr=0.1, base_batch_size=16,
     epochs=10, seed=0: {b: train(b, scaling_rule(base_lr, base_batch_size, b), epochs,
                                  warmup_steps=warmup_epochs * math.ceil(N_TRAIN / b),
                                  seed=seed) for b in sizes},
     "swapped"),
    (make_sweep(pass_seed=False), None),  # seed dropped: only the hidden cases use another seed
    (lambda sizes, **kwargs: [train(b, 0.1, 1) for b in sizes], "should return a dict"),
    (lambda sizes, **kwargs: {b: 0.9 for b in sizes}, "should be the run that train"),
])
def test_sweep_mistakes_are_named(function, words):
    if words is None:
        ps03.check_batch_size_sweep(function)
        assert "seed" in failure(ps03.check_batch_size_sweep, function, hidden=True)
    else:
        assert words in failure(ps03.check_batch_size_sweep, function)


def test_the_reference_sweep_is_refused():
    assert "reference sweep" in failure(ps03.check_batch_size_sweep, digits.batch_size_sweep)


@pytest.mark.parametrize(("function", "words"), [
    (lambda s, e, n: np.linspace(s, e, n), "evenly spaced"),
    (lambda s, e, n: s * (e / s) ** (np.arange(n) / n), "short of end_lr"),
    (lambda s, e, n: np.linspace(math.log10(s), math.log10(e), n), "exponents"),
    (lambda s, e, n: np.geomspace(s, e, n)[:-1], "it should return"),
])
def test_exponential_lrs_mistakes_are_named(function, words):
    assert words in failure(ps03.check_exponential_lrs, function)


def ema(losses, beta=0.98, debias=True, swapped=False):
    keep, take = (1 - beta, beta) if swapped else (beta, 1 - beta)
    average, out = 0.0, []
    for i, loss in enumerate(losses):
        average = keep * average + take * loss
        out.append(average / (1 - keep ** (i + 1)) if debias else average)
    return out


@pytest.mark.parametrize(("function", "words"), [
    (lambda losses, beta=0.98: ema(losses, beta, debias=False), "not debiased"),
    (lambda losses, beta=0.98: ema(losses, beta, swapped=True), "swapped"),
    (lambda losses, beta=0.98: list(np.cumsum(losses) / np.arange(1, len(losses) + 1)),
     "plain mean"),
    (lambda losses, beta=0.9: ema(losses, 0.9), "should be"),  # the default β hard-coded to 0.9
])
def test_smoothing_mistakes_are_named(function, words):
    assert words in failure(ps03.check_smooth_losses, function)


@pytest.mark.parametrize(("function", "words"), [
    (make_range_test(stop="never"), "never stops early"),
    (make_range_test(stop="first"), "first loss"),
    (make_range_test(smoother=lambda losses, beta: ema(losses, beta, debias=False)),
     "not debiased"),
    (make_range_test(lrs=lambda s, e, n: np.linspace(s, e, n)), "evenly spaced"),
    (make_range_test(lrs=lambda s, e, n: s * (e / s) ** (np.arange(n) / n)), "short of end_lr"),
])
def test_range_test_mistakes_are_named(function, words):
    assert words in failure(ps03.check_lr_range_test, function)


def test_range_test_on_the_raw_loss_is_named():
    def raw_stop(train_step, start_lr=1e-7, end_lr=10.0, num_iters=100, beta=0.98,
                 diverge_factor=4.0):
        rates, raw = [], []
        for lr in exp_lrs(start_lr, end_lr, num_iters):
            raw.append(train_step(lr))
            rates.append(lr)
            if raw[-1] > diverge_factor * min(raw):
                break
        return rates, smooth(raw, beta)

    assert "raw loss" in failure(ps03.check_lr_range_test, raw_stop)


def test_range_test_that_calls_the_step_once_more_is_caught():
    inner = make_range_test()

    def extra_call(train_step, **options):
        result = inner(train_step, **options)
        train_step(1.0)
        return result

    assert "called train_step" in failure(ps03.check_lr_range_test, extra_call)


@pytest.mark.parametrize(("function", "words"), [
    (lambda lrs, losses: lrs[int(np.argmin(losses))], "ten times smaller"),
    (lambda lrs, losses: lrs[int(np.argmin(losses))] * 10, "ten times the lr"),
    (lambda lrs, losses: min(losses) / 10, "a loss, not a learning rate"),
    (lambda lrs, losses: lrs[-1] / 10, "last lr"),
])
def test_suggestion_mistakes_are_named(function, words):
    assert words in failure(ps03.check_suggest_lr, function)


def test_hard_coded_answers_fail_the_hidden_checks():
    """A lookup table of the visible cases and of the hidden cases the checks used to hold
    (every student's kernel had them) passes the visible checks and fails every student's
    hidden ones."""
    table = {(0.1, 256, 256): 0.1, (0.1, 1024, 256): 0.4, (0.1, 64, 256): 0.025,
             (0.05, 64, 16): 0.2}
    leaked = ((0.3, 96, 32), (0.02, 8, 256), (1.5, 5, 20), (0.1, 8192, 256), (0.0, 64, 16),
              (0.4, 48, 64))
    table |= {case: linear(*case) for case in leaked}
    hard_coded = rule(lambda lr, b, b0: table.get((lr, b, b0), 0.2))
    ps03.check_linear_scaled_lr(hard_coded)
    visible = [warmup(t, 0.4, 4) for t in range(8)]
    hard = lambda t, lr, k: visible[t] if (lr, k) == (0.4, 4) else lr  # noqa: E731
    recorded = make_range_test()(range_test._CountingStep(a=1.0, w0=3.0, seed=0))

    def replay(train_step, **options):
        for lr in recorded[0]:
            train_step(lr)
        return recorded

    ps03.check_lr_range_test(replay)
    for student in STUDENTS:
        assert failure(ps03.check_linear_scaled_lr, hard_coded, hidden=True, student=student)
        assert failure(ps03.check_warmup_lr, hard, hidden=True, student=student)
        assert failure(ps03.check_lr_range_test, replay, hidden=True, student=student)


def test_the_reference_sweep_is_refused_however_it_is_wrapped():
    from lrcore import digits as reference_digits

    def through_the_module(batch_sizes, **settings):
        return reference_digits.batch_size_sweep(batch_sizes, **settings)

    for wrapped in (functools.partial(digits.batch_size_sweep), through_the_module,
                    functools.wraps(digits.batch_size_sweep)(lambda *a, **k: None)):
        assert "reference sweep" in failure(ps03.check_batch_size_sweep, wrapped)
    sweep(BATCH_SIZES[:1], epochs=1)  # the course's train is fine: the sweep is the exercise
    ps03.check_batch_size_sweep(sweep)


def test_the_reference_sweep_is_refused_from_a_default_argument_or_a_helper():
    """An attacker's sweep keeps lrcore's in a default argument, or in a helper of its own that
    holds it: refused like a direct call (the check walks what the function reaches, as
    require_own_function does); the old check looked only at globals and closures."""
    def by_default(batch_sizes, _sweep=digits.batch_size_sweep, **settings):
        return _sweep(batch_sizes, **settings)

    helpers = {"sweep": digits.batch_size_sweep}

    def by_helper(batch_sizes, **settings):
        return helpers["sweep"](batch_sizes, **settings)

    for cheat in (by_default, by_helper):
        assert "reference sweep" in failure(ps03.check_batch_size_sweep, cheat)


def test_lrcore_answers_are_refused():
    from lrcore import range_test

    assert "reference" in failure(ps03.check_linear_scaled_lr, linear_scaled_lr)
    assert "reference" in failure(ps03.check_sqrt_scaled_lr, sqrt_scaled_lr)
    assert "reference" in failure(ps03.check_smooth_losses, range_test.smooth_losses)


def test_checks_are_silent_on_stderr(capfd):
    def noisy(base_lr, batch_size, base_batch_size=256):
        warnings.warn("student warning", stacklevel=1)
        import sys

        print("to stderr", file=sys.stderr)
        return base_lr * batch_size / base_batch_size

    ps03.check_linear_scaled_lr(noisy)
    assert capfd.readouterr().err == ""


# --- figures ---------------------------------------------------------------------------------

SWEEPS = {
    "no scaling": dict(scaling_rule=None),
    "linear": dict(scaling_rule=linear),
    "linear + warmup": dict(scaling_rule=linear, warmup_epochs=digits.WARMUP_EPOCHS),
    "square root": dict(scaling_rule=root),
}


def batch_figure(metric=lambda run: (run.train_loss[-1], run.test_accuracy[-1]), *,
                 swap=False, log_x=True, legend=True, percent=False):
    runs = {name: sweep(BATCH_SIZES, **s) for name, s in SWEEPS.items()}
    fig, (left, right) = plt.subplots(1, 2)
    for name, sweep_runs in runs.items():
        loss = [metric(sweep_runs[b])[0] for b in BATCH_SIZES]
        accuracy = [metric(sweep_runs[b])[1] * (100 if percent else 1) for b in BATCH_SIZES]
        if swap:
            loss, accuracy = accuracy, loss
        left.plot(BATCH_SIZES, loss, label=name)
        right.plot(BATCH_SIZES, accuracy, label=name)
    left.set(xlabel="batch size", ylabel="final loss", title="loss")
    right.set(xlabel="batch size", ylabel="accuracy", title="accuracy")
    for ax in (left, right):
        if log_x:
            ax.set_xscale("log", base=2)
        if legend:
            ax.legend()
    return fig


@pytest.mark.parametrize(("options", "check", "words"), [
    (dict(log_x=False), ps03.check_batch_size_figure_layout, "log scale"),
    (dict(legend=False), ps03.check_batch_size_figure_layout, "no legend"),
    (dict(swap=True), ps03.check_batch_size_figure_lines, "panels swapped"),
    (dict(metric=lambda run: (run.train_loss[0], run.test_accuracy[0])),
     ps03.check_batch_size_figure_lines, "first epoch"),
])
def test_batch_size_figure_mistakes_are_named(options, check, words):
    fig = batch_figure(**options)
    with pytest.raises(CheckFailed, match=words):
        check(fig)
    plt.close(fig)


def test_batch_size_figure_with_a_wrong_rule_fails():
    fig, (left, right) = plt.subplots(1, 2)
    for name, settings in SWEEPS.items():
        rule = settings.get("scaling_rule")
        if rule is linear:
            settings = dict(settings, scaling_rule=lambda lr, b, b0: lr * b0 / b)
        runs = sweep(BATCH_SIZES, **settings)
        left.plot(BATCH_SIZES, [runs[b].train_loss[-1] for b in BATCH_SIZES], label=name)
        right.plot(BATCH_SIZES, [runs[b].test_accuracy[-1] for b in BATCH_SIZES], label=name)
    with pytest.raises(CheckFailed, match="'linear"):
        ps03.check_batch_size_figure_lines(fig)
    plt.close(fig)


def range_figure(*, raw=False, at_minimum=False, log_x=True, labels=True, vlines=False):
    fig, ax = plt.subplots()
    for b in digits.RANGE_TEST_BATCH_SIZES:
        result = digits.digits_range_test(b, **digits.RANGE_TEST_OPTIONS)
        y = result.losses if raw else result.smoothed
        x = result.lrs if log_x else np.log10(result.lrs)
        ax.plot(x, y, label=f"batch {b}" if labels else "range test")
        position = result.best_lr if at_minimum else result.suggestion
        if vlines:
            ax.vlines(position, 0.5, 2.5)
        else:
            ax.axvline(position if log_x else np.log10(position), ls="--")
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel="learning rate", ylabel="smoothed loss", title="range test")
    ax.legend()
    return fig


BATCH_SIZE_FIGURE_CHECKS = (ps03.check_batch_size_figure_layout,
                            ps03.check_batch_size_figure_lines)


@pytest.mark.parametrize(("figure", "checks"), [
    (batch_figure, BATCH_SIZE_FIGURE_CHECKS),
    (functools.partial(batch_figure, percent=True), BATCH_SIZE_FIGURE_CHECKS),
    (range_figure, (ps03.check_range_test_figure,)),
    (functools.partial(range_figure, vlines=True), (ps03.check_range_test_figure,)),
])
def test_right_figures_pass_with_or_without_percent_and_vertical_lines(figure, checks):
    fig = figure()
    for check in checks:
        check(fig)
    plt.close(fig)


@pytest.mark.parametrize(("options", "words"), [
    (dict(raw=True), "raw losses"),
    (dict(at_minimum=True), "at the minimum"),
    (dict(log_x=False), "log10"),
    (dict(labels=False), "name it in its label"),
])
def test_range_test_figure_mistakes_are_named(options, words):
    fig = range_figure(**options)
    with pytest.raises(CheckFailed, match=words):
        ps03.check_range_test_figure(fig)
    plt.close(fig)


def test_missing_figure_is_a_readable_failure():
    with pytest.raises(CheckFailed, match="None"):
        ps03.check_range_test_figure(None)
    with pytest.raises(CheckFailed, match="2"):
        fig, ax = plt.subplots()
        ps03.check_batch_size_figure_layout(fig)
    plt.close("all")


# --- grading mode: the kernel asks, the judge decides -----------------------------------------


def every_judged_check_on_the_solution() -> list[tuple]:
    """(check, right answer, keyword arguments) for every judged check of ps03: the functions
    visible and hidden, and the figures."""
    functions = ((ps03.check_linear_scaled_lr, linear), (ps03.check_sqrt_scaled_lr, root),
                 (ps03.check_warmup_lr, warmup), (ps03.check_batch_size_sweep, sweep),
                 (ps03.check_exponential_lrs, exp_lrs), (ps03.check_smooth_losses, smooth),
                 (ps03.check_lr_range_test, make_range_test()),
                 (ps03.check_suggest_lr, suggest))
    figures = batch_figure(), range_figure()
    return ([(check, function, {"hidden": hidden}) for check, function in functions
             for hidden in (False, True)]
            + [(check, figures[0], {}) for check in BATCH_SIZE_FIGURE_CHECKS]
            + [(ps03.check_range_test_figure, figures[1], {})])


def test_a_grading_kernel_only_asks_and_the_judge_confirms_every_check(monkeypatch, recorded,
                                                                         capsys):
    """While grading, every check of ps03 stops once it has asked the student's code (its
    record says `asked`) and prints nothing; the judge's replay decides, and passes, each."""
    checks = every_judged_check_on_the_solution()
    assert {check.__name__ for check in vars(ps03).values()
            if getattr(check, "__lrlab_judged__", False)} == {
        check.__name__ for check, _, _ in checks}
    assert_a_grading_kernel_only_asks([(check, (answer,), kwargs)
                                       for check, answer, kwargs in checks],
                                      drawn_for("chen"), recorded, monkeypatch, capsys)
    plt.close("all")


def validated_and_judged(check, answer, kwargs: dict, monkeypatch) -> tuple[str, str]:
    """The message Validate gives for a wrong `answer` (the whole check in the kernel), and
    the judge's, replaying what a grading kernel recorded (which raises nothing: it asked)."""
    from lrchecks import evidence

    cases = drawn_for("alice")
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH, raising=False)
    with drawn_cases(cases), pytest.raises(CheckFailed) as validated:
        check(answer, **kwargs)
    published: list = []
    monkeypatch.setenv(evidence.ENVIRONMENT_SWITCH, "1")
    monkeypatch.setattr(evidence, "_publish", published.append)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    assert check(answer, **kwargs) is None
    (record,) = published
    assert record["asked"] and not record["failed"]
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, "{}")
    with drawn_cases(cases), pytest.raises(evidence.Replayed) as judged:
        evidence.replay_check(check, record, kwargs)
    assert judged.value.decided_outside
    return validated.value.message, judged.value.message


def _wrong_and_then_dividing_by_zero(start_lr, end_lr, num_iters):
    """Evenly spaced lrs on the first visible case, a crash on the second."""
    if num_iters == 4:
        raise ZeroDivisionError("division by zero")
    return np.linspace(start_lr, end_lr, num_iters)


def _counting_once_more(train_step, **options):
    result = make_range_test()(train_step, **options)
    train_step(1.0)
    return result


@pytest.mark.parametrize(("check", "answer", "hidden", "words"), [
    (ps03.check_linear_scaled_lr, rule(lambda lr, b, b0: lr * b0 / b), False, "wrong way round"),
    (ps03.check_sqrt_scaled_lr, rule(lambda lr, b, b0: lr * b / b0), True, "linear rule"),
    # wrong on the first case, ZeroDivisionError on k = 0 later: the wrong answer comes first
    (ps03.check_warmup_lr, lambda t, lr, k: lr * min(1.0, t / k), False, "starts at lr 0"),
    (ps03.check_warmup_lr, lambda t, lr, k: lr * min(1.0, (t + 1) / k), True,
     mistakes.NO_WARMUP_DIVISION.explanation),
    (ps03.check_batch_size_sweep,
     make_sweep(warmup_of=lambda w, b, b0: w * (N_TRAIN // b)), False, "math.ceil"),
    (ps03.check_exponential_lrs, _wrong_and_then_dividing_by_zero, False, "evenly spaced"),
    (ps03.check_smooth_losses, lambda losses, beta=0.98: ema(losses, beta, debias=False), True,
     "not debiased"),
    (ps03.check_lr_range_test, make_range_test(record_last=False), False,
     mistakes.RANGE_EXPLANATIONS["stopping_step_left_out"]),
    (ps03.check_lr_range_test, _counting_once_more, False, "called train_step"),
    (ps03.check_suggest_lr, lambda lrs, losses: lrs[-1] / 10, False, "last lr"),
])
def test_the_judge_gives_the_message_validate_gives(check, answer, hidden, words, monkeypatch):
    """A wrong answer: the grading kernel only asks, and the judge's replay fails it with the
    message Validate shows — the first problem first, even when a later case crashes."""
    validated, judged = validated_and_judged(check, answer, {"hidden": hidden}, monkeypatch)
    assert judged == validated
    assert words in judged


@pytest.mark.parametrize(("check", "figure", "words"), [
    (ps03.check_batch_size_figure_layout, functools.partial(batch_figure, legend=False),
     "no legend"),
    (ps03.check_batch_size_figure_lines, functools.partial(batch_figure, swap=True),
     "panels swapped"),
    (ps03.check_range_test_figure, functools.partial(range_figure, at_minimum=True),
     "at the minimum"),
])
def test_the_judge_gives_the_message_validate_gives_on_a_figure(check, figure, words,
                                                                 monkeypatch):
    fig = figure()
    validated, judged = validated_and_judged(check, fig, {}, monkeypatch)
    plt.close(fig)
    assert judged == validated
    assert words in judged
