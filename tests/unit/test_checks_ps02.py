"""lrchecks.ps02 on plain Python functions: right answers pass, each mistake is named, hard-coded
answers fail the hidden checks, the references are torch's own numbers; the hidden cases come
from validated pools (autograder.hidden.ps02), drawn per student, and a hidden case's message
names its kind and the mistake, never its values; what a check records is only what the
student's code answered."""

from __future__ import annotations

import json
import math
import re
import warnings
from functools import cache, partial
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import REPO, TEST_COURSE_SECRET, assert_a_grading_kernel_only_asks
from named_mistakes import mistakes_named_by
from run_figures import assert_figure_checks_pass_and_name_mistakes, x_and_lr_figure
from student_optimize import make_optimize
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CyclicLR,
    ExponentialLR,
    LinearLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)

from autograder.hidden import stale_pools
from autograder.hidden.draw import draw_cases
from autograder.hidden.pools import pools_path, read_pools
from autograder.samples.ps02 import MOMENTUM_SGD
from lrchecks import evidence, histories, ps02
from lrchecks.diagnosis.noisy import LOSS_CURVES
from lrchecks.diagnosis.quadratic import MISTAKE_EXPLANATIONS
from lrchecks.diagnosis.schedules import (
    FORMULA_EXPLANATIONS,
    FORMULA_MISTAKES,
    LOOP_EXPLANATIONS,
    MOMENTA_AHEAD,
    MOMENTA_MISSING,
    MOMENTA_OF_OPTIMIZER,
)
from lrchecks.hidden import HIDDEN_CASES_VARIABLE, NotGraded, drawn_cases
from lrchecks.ps02 import formulas, rescue
from lrchecks.ps02 import optimize as optimize_section
from lrchecks.report import CheckFailed
from lrchecks.scheduler_cases import SchedulerCase
from lrcore import quadratic
from lrcore import schedules as sched

ASSIGNMENT = "ps02_schedulers"
STUDENTS = ("alice", "bob", "chloe", "dmitri", "eve")

# --- the pools and the cases drawn from them ----------------------------------------------------


@cache
def pools():
    """The pools grading draws from: the committed file (release writes it)."""
    return read_pools(pools_path(REPO, ASSIGNMENT))


@cache
def every_case():
    """Every pooled case at once: a right answer must pass them all."""
    return {name: pool.always + pool.candidates for name, pool in pools().items()}


def drawn_for(student):
    return draw_cases(pools(), TEST_COURSE_SECRET.encode(), "lrlab-test", ASSIGNMENT, student)


def cases_of(pool):
    return every_case()[pool]


# --- correct answers ---------------------------------------------------------------------------


RESCUE = {
    "step": lambda opt: StepLR(opt, step_size=5, gamma=0.5),
    "exponential": lambda opt: ExponentialLR(opt, gamma=0.9),
    "cosine": lambda opt: CosineAnnealingLR(opt, T_max=20),
    "warmup": lambda opt: SequentialLR(
        opt, [LinearLR(opt, start_factor=0.1, total_iters=5), CosineAnnealingLR(opt, T_max=15)],
        milestones=[5]),
    "cyclic": lambda opt: CyclicLR(opt, base_lr=0.05, max_lr=1.05, step_size_up=5,
                                   cycle_momentum=False),
    "one_cycle": lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20, cycle_momentum=False),
}


def step_decay(t, base_lr, step_size, gamma):
    return base_lr * gamma ** (t // step_size)


def exponential_decay(t, base_lr, gamma):
    return base_lr * gamma**t


def cosine_annealing(t, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def linear_warmup(t, base_lr, warmup_steps, start_factor):
    return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)


def warmup_cosine(t, base_lr, warmup_steps, T_max, start_factor):
    if t < warmup_steps:
        return linear_warmup(t, base_lr, warmup_steps, start_factor)
    return cosine_annealing(t - warmup_steps, base_lr, T_max)


def optimize_scheduler_first(initial_lr, num_iterations, x0, scheduler):
    return make_optimize(first=True)(initial_lr, num_iterations, x0, scheduler)


def momentum_history(scheduler, num_iterations, initial_lr=1.05, shift=0, stepped=True):
    x = torch.tensor(500.0, requires_grad=True)
    opt = torch.optim.SGD([x], lr=initial_lr)
    built = scheduler(opt)
    seen = []
    for _ in range(num_iterations):
        opt.zero_grad()
        (x**2).backward()
        if shift:
            built.step()
        seen.append(opt.param_groups[0]["momentum"])
        opt.step()
        if not shift and stepped:
            built.step()
    return seen


FUNCTION_CHECKS = ((ps02.check_step_decay, step_decay),
                   (ps02.check_exponential_decay, exponential_decay),
                   (ps02.check_cosine_annealing, cosine_annealing),
                   (ps02.check_linear_warmup, linear_warmup),
                   (ps02.check_warmup_cosine, warmup_cosine),
                   (ps02.check_scheduler_first_pitfall, optimize_scheduler_first),
                   (ps02.check_momentum_history, momentum_history))
"""The checks of a student's function, each with the right answer (visible and hidden)."""

FORMULAS = {"step_decay": step_decay, "exponential_decay": exponential_decay,
            "cosine_annealing": cosine_annealing, "linear_warmup": linear_warmup,
            "warmup_cosine": warmup_cosine}


def test_right_answers_pass_every_check_and_every_pooled_case_and_stay_off_stderr(capsys):
    optimize = make_optimize()
    with drawn_cases(every_case()):
        ps02.check_optimize_with_scheduler(optimize)
        ps02.check_optimize_with_scheduler_unseen(optimize)
        ps02.check_rescue_final_x(RESCUE, optimize)
        for check, function in FUNCTION_CHECKS:
            check(function)
            check(function, hidden=True)
    captured = capsys.readouterr()
    assert captured.out.count("✓") == 17
    assert captured.err == ""  # torch's "scheduler.step() before optimizer.step()" is captured


def test_other_containers_pass():
    """Tensors, numpy scalars and get_last_lr()'s one-element lists are all accepted."""
    nested = make_optimize(nested_lrs=True)
    ps02.check_optimize_with_scheduler(nested)

    def tensors(initial_lr, num_iterations, x0, scheduler=None):
        xs, lrs = make_optimize()(initial_lr, num_iterations, x0, scheduler)
        return torch.tensor(xs), np.array(lrs)

    with drawn_cases(every_case()):
        ps02.check_optimize_with_scheduler_unseen(tensors)
        ps02.check_cosine_annealing(
            lambda t, base_lr, T_max, eta_min=0.0: torch.tensor(
                cosine_annealing(t, base_lr, T_max, eta_min)), hidden=True)
        ps02.check_linear_warmup(
            lambda t, base_lr, warmup_steps, start_factor: np.interp(
                t, [0, warmup_steps], [start_factor * base_lr, base_lr]), hidden=True)
    ps02.check_rescue_final_x({**RESCUE, "step": partial(StepLR, step_size=5, gamma=0.5)},
                              make_optimize())


def test_formulas_in_float32_pass_every_pooled_case():
    """A correct student who computes in float32 (torch's default dtype) passes too: the pools
    keep only cases where float32 arithmetic stays within the tolerance."""

    def in_float32(function):
        def wrapped(t, *args, **kwargs):
            cast = [np.float32(a) for a in args]
            return float(np.float32(function(np.float32(t), *cast, **{
                key: np.float32(value) for key, value in kwargs.items()})))
        return wrapped

    float32_formulas = {
        "step_decay": lambda t, b, s, g: b * g ** np.floor(t / s),
        "exponential_decay": lambda t, b, g: b * g**t,
        "cosine_annealing": lambda t, b, T, eta_min=0.0:
            eta_min + (b - eta_min) * (1 + np.cos(np.float32(np.pi) * t / T)) / 2,
        "linear_warmup": lambda t, b, k, sf: b * (sf + (1 - sf) * min(t, k) / k),
    }
    with drawn_cases(every_case()):
        for name, formula in float32_formulas.items():
            getattr(ps02, f"check_{name}")(in_float32(formula), hidden=True)


# --- optimize with a scheduler ------------------------------------------------------------------


test_loop_mistakes_are_named = mistakes_named_by(ps02.check_optimize_with_scheduler, [
    ({"first": True}, "scheduler.step() is called before optimizer.step()"),
    ({"twice": True}, "twice per iteration"),
    ({"read_after": True}, "the lr is read after scheduler.step()"),
    ({"never": True}, "the scheduler is never stepped"),
    ({"ignored": True}, "not used at all"),
    ({"in_loop": True}, "built anew in every iteration"),
    ({"zero_grad": False}, "zero_grad()"),
], student=lambda kwargs: make_optimize(**kwargs), literal=True)


def test_an_ignored_scheduler_that_sets_the_first_lr_is_named():
    """LinearLR sets lr_0 = start_factor·lr when built: ignoring it differs from not stepping it."""
    run = (1.1, 9, 3.0, SchedulerCase.of("LinearLR", start_factor=0.3, end_factor=0.6,
                                         total_iters=5))
    with pytest.raises(CheckFailed, match="the scheduler is not used"):
        optimize_section._check_optimize_runs(make_optimize(ignored=True), [run])
    with pytest.raises(CheckFailed, match="the scheduler is never stepped"):
        optimize_section._check_optimize_runs(make_optimize(never=True), [run])
    with pytest.raises(CheckFailed, match="a new scheduler is built in every iteration"):
        optimize_section._check_optimize_runs(make_optimize(in_loop=True), [run])


def test_the_message_names_the_run_and_the_step():
    with pytest.raises(CheckFailed) as failure:
        ps02.check_optimize_with_scheduler(make_optimize(first=True))
    message = str(failure.value)
    assert message.startswith("For optimize(1.05, 20, 500.0, scheduler=lambda opt: "
                              "StepLR(opt, step_size=5, gamma=0.5)), x_history differs at step")


def test_hard_coded_published_runs_fail_the_hidden_check():
    published = {None: quadratic.optimize(1.05, 20, 500.0)}

    def hard_coded(initial_lr, num_iterations, x0, scheduler=None):
        if scheduler is None:
            return published[None]
        return make_optimize()(initial_lr, num_iterations, x0, scheduler)

    ps02.check_optimize_with_scheduler(hard_coded)
    for student in STUDENTS:
        with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed, match="hidden case"):
            ps02.check_optimize_with_scheduler_unseen(hard_coded)


def test_the_reference_itself_is_not_accepted():
    with pytest.raises(CheckFailed, match="yourself"):
        ps02.check_optimize_with_scheduler(quadratic.optimize)
    with pytest.raises(CheckFailed, match="yourself"):
        ps02.check_step_decay(lambda t, base_lr, step_size, gamma:
                              sched.step_lr(base_lr, step_size, gamma)(t))


def test_a_wrong_return_shape_is_named():
    with pytest.raises(CheckFailed, match="pair"):
        ps02.check_optimize_with_scheduler(lambda lr, n, x0, scheduler=None: [1.0] * n)


# --- the rescue ---------------------------------------------------------------------------------


def test_rescue_missing_names_and_wrong_parameters():
    with pytest.raises(CheckFailed, match="'one_cycle'"):
        ps02.check_rescue_final_x({k: v for k, v in RESCUE.items() if k != "one_cycle"},
                                  make_optimize())
    with pytest.raises(CheckFailed, match="should be a dict"):
        ps02.check_rescue_final_x(list(RESCUE.values()), make_optimize())
    wrong = {**RESCUE, "exponential": lambda opt: ExponentialLR(opt, gamma=0.5)}
    with pytest.raises(CheckFailed, match=r"rescue_schedulers\['exponential'\] does not give"):
        ps02.check_rescue_final_x(wrong, make_optimize())
    broken = {**RESCUE, "step": lambda opt: StepLR(step_size=5)}
    with pytest.raises(CheckFailed, match="function of the optimizer"):
        ps02.check_rescue_final_x(broken, make_optimize())


@pytest.mark.parametrize(("key", "factory"), [
    ("cyclic", lambda opt: CyclicLR(opt, base_lr=0.05, max_lr=1.05, step_size_up=5)),
    ("one_cycle", lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20)),
])
def test_rescue_with_momentum_left_on_is_named(key, factory):
    with pytest.raises(CheckFailed, match="cycle_momentum=False"):
        ps02.check_rescue_final_x({**RESCUE, key: factory}, make_optimize())


def test_rescue_with_a_wrong_optimize_names_the_loop_mistake():
    with pytest.raises(CheckFailed, match=r"rescue_schedulers\['step'\].*before optimizer.step"):
        ps02.check_rescue_final_x(RESCUE, make_optimize(first=True))


def test_the_rescue_final_x_are_the_published_ones():
    finals = {key: quadratic.optimize(1.05, 20, 500.0, factory)[0][-1]
              for key, factory in RESCUE.items()}
    assert finals["exponential"] == pytest.approx(1.51e-07, rel=1e-2)
    assert finals["step"] == pytest.approx(1.33e-06, rel=1e-2)
    assert finals["one_cycle"] == pytest.approx(1.66e-07, rel=1e-2)


# --- the grader judges the rescue from the student's own values ---------------------------------


@pytest.fixture
def recorded(monkeypatch):
    """Run checks as in a grading kernel; returns the records they published (as JSON, the way
    they leave the kernel)."""
    published = []
    monkeypatch.setenv(evidence.ENVIRONMENT_SWITCH, "1")
    monkeypatch.setattr(evidence, "_publish",
                        lambda record: published.append(json.loads(json.dumps(record))))
    return published


def judge_again(check, record):
    """What the grader's judge does: replay the check outside the kernel on the record."""
    return evidence.replay_check(check, record, {})


def test_the_rescue_record_holds_only_the_students_answers_and_the_grader_agrees(recorded):
    """The grader refuses an answer the course's code computed inside the kernel (lrcore's run
    driven by the student's factory, as the check used to record): the record must hold only
    what the student's code answered, from which the grader computes the runs itself."""
    ps02.check_rescue_final_x(RESCUE, make_optimize())
    (record,) = recorded
    assert not record["failed"]
    lines = judge_again(ps02.check_rescue_final_x, record)
    assert lines and lines[0].startswith("✓ All six schedules rescue lr = 1.05")


def test_the_rescue_record_reads_each_step_of_the_students_scheduler(recorded):
    ps02.check_rescue_final_x(RESCUE, make_optimize())
    names = [call["name"] for call in recorded[0]["calls"]]
    for key in RESCUE:
        name = f"rescue_schedulers[{key!r}]"
        assert names.count(name) == 1  # the factory, once
        assert names.count(f"{name}(optimizer).step") == ps02.RESCUE_ITERATIONS
        assert names.count(f"the optimizer under {name}") == ps02.RESCUE_ITERATIONS


def test_a_kernel_that_patches_lrcore_cannot_rescue_wrong_schedulers(recorded, monkeypatch):
    """An attack on the old check, which recorded lrcore's run as computed in the kernel: patch
    lrcore's optimize there to return the right run whatever the factory (and the kernel's
    comparisons to agree). The kernel's check passes; the grader, which computes the runs from
    the lrs the student's schedulers set, refuses."""
    right = quadratic.optimize(1.05, 20, 500.0, RESCUE["step"])
    wrong = dict.fromkeys(RESCUE, lambda opt: ExponentialLR(opt, gamma=0.5))
    genuine = quadratic.optimize
    with monkeypatch.context() as kernel:
        kernel.setattr(quadratic, "optimize", lambda lr, n, x0, scheduler=None, a=1.0: (
            right if scheduler is not None else genuine(lr, n, x0)))
        kernel.setattr(rescue, "first_mismatch", lambda *args, **kwargs: None)
        kernel.setattr(rescue, "arrays_match", lambda *args, **kwargs: True)
        kernel.setattr(histories, "first_mismatch", lambda *args, **kwargs: None)
        ps02.check_rescue_final_x(wrong, make_optimize())  # the kernel only asks: silent
    (record,) = recorded
    assert not record["failed"] and record["asked"]
    with pytest.raises(CheckFailed, match=r"rescue_schedulers\['step'\] does not give the "
                                          r"learning rates of StepLR"):
        judge_again(ps02.check_rescue_final_x, record)


def judged_as_validate_judges(check, args, recorded, monkeypatch, hidden=None):
    """Grade `check(*args)` as a grading kernel does — it asks the student's code, publishes its
    record (`asked`) and raises nothing — then replay the record as the judge does; the judge's
    message is the one Validate (no switch) raises. Returns that message."""
    recorded.clear()
    kwargs = {} if hidden is None else {"hidden": hidden}
    check(*args, **kwargs)
    (record,) = recorded
    assert record["asked"] and not record["failed"]
    with pytest.raises(CheckFailed) as grader:
        evidence.replay_check(check, record, kwargs)
    with monkeypatch.context() as validate:
        validate.delenv(evidence.ENVIRONMENT_SWITCH)
        with pytest.raises(CheckFailed) as validated:
            check(*args, **kwargs)
    assert str(grader.value) == str(validated.value)
    return str(validated.value)


def test_a_factory_that_returns_no_scheduler_is_judged_like_one_that_never_steps(recorded,
                                                                                 monkeypatch):
    message = judged_as_validate_judges(ps02.check_rescue_final_x, (
        {**RESCUE, "step": lambda opt: None}, make_optimize()), recorded, monkeypatch)
    assert re.search(r"does not give the learning rates", message)


def test_a_factory_that_raises_is_judged_with_the_same_message(recorded, monkeypatch):
    def raising(opt):
        raise RuntimeError("no scheduler today")

    message = judged_as_validate_judges(ps02.check_rescue_final_x, (
        {**RESCUE, "cosine": raising}, make_optimize()), recorded, monkeypatch)
    assert "raised RuntimeError" in message


def test_momentum_left_on_is_named_by_the_grader_too(recorded, monkeypatch):
    factory = lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20)  # noqa: E731
    message = judged_as_validate_judges(ps02.check_rescue_final_x, (
        {**RESCUE, "one_cycle": factory}, make_optimize()), recorded, monkeypatch)
    assert re.search("ends at x = 218 .*OneCycleLR switches.*cycle_momentum=False", message)


def test_a_later_factory_that_raises_does_not_hide_an_earlier_wrong_one(recorded, monkeypatch):
    """Order: every factory is asked before anything is decided; the first one wrong is still
    the one the message names, not a later one whose call failed."""
    def raising(opt):
        raise RuntimeError("no scheduler today")

    wrong = {**RESCUE, "step": lambda opt: ExponentialLR(opt, gamma=0.5), "one_cycle": raising}
    message = judged_as_validate_judges(ps02.check_rescue_final_x, (wrong, make_optimize()),
                                        recorded, monkeypatch)
    assert message.startswith("rescue_schedulers['step'] does not give the learning rates")


def test_the_run_from_the_students_values_is_the_reference_run_bit_for_bit():
    """lrcore runs x² with the lrs and momenta the student's scheduler set: the same float32
    torch loop as the reference, so a right scheduler gives exactly the reference's x."""
    for key, factory in {**RESCUE, "one_cycle_momentum": ps02.MOMENTUM_ON["one_cycle"].factory,
                         "cyclic_momentum": ps02.MOMENTUM_ON["cyclic"].factory}.items():
        lrs, momenta = rescue._scheduled_values(factory, key, ps02.STEP_5_HALF)
        expected_x, expected_lrs = quadratic.optimize(1.05, 20, 500.0, factory)
        np.testing.assert_array_equal(lrs, expected_lrs)
        np.testing.assert_array_equal(rescue._rescue_run_with(lrs, momenta), expected_x)


# --- the rescue figure --------------------------------------------------------------------------


def rescue_figure(log=True, labels=None, absolute=True, runs=None, start=1):
    runs = runs or {"constant": None, **RESCUE}
    lines = [((labels or {}).get(name, name), *quadratic.optimize(1.05, 20, 500.0, factory))
             for name, factory in runs.items()]
    return x_and_lr_figure(lines, start=start, log=log, absolute=absolute)


def test_rescue_figure_checks():
    fig = assert_figure_checks_pass_and_name_mistakes(
        ps02.check_rescue_figure_layout, ps02.check_rescue_figure_x, ps02.check_rescue_figure_lr,
        rescue_figure)
    torch_names = {"step": "StepLR", "exponential": "ExponentialLR", "cosine": "Cosine",
                   "warmup": "LinearLR + cosine", "cyclic": "CyclicLR", "one_cycle": "OneCycleLR",
                   "constant": "lr = 1.05 (no scheduler)"}
    ps02.check_rescue_figure_x(rescue_figure(labels=torch_names))
    with pytest.raises(CheckFailed, match="no line is labelled as the 'constant' run"):
        ps02.check_rescue_figure_x(rescue_figure(labels={"constant": "lr"}))
    with pytest.raises(CheckFailed, match="2 panels"):
        ps02.check_gallery_figure(fig)
    plt.close("all")


@pytest.mark.filterwarnings("ignore:Detected call of:UserWarning")
def test_rescue_figure_names_the_momentum_and_the_order():
    runs = {"constant": None, **RESCUE,
            "one_cycle": lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20)}
    with pytest.raises(CheckFailed, match="'one_cycle' line is wrong. OneCycleLR switches"):
        ps02.check_rescue_figure_x(rescue_figure(runs=runs))
    fig, (ax_x, ax_lr) = plt.subplots(1, 2)
    for name, factory in {"constant": None, **RESCUE}.items():
        xs, lrs = make_optimize(first=True)(1.05, 20, 500.0, factory)
        ax_lr.plot(np.arange(1, 21), lrs, label=name)
    with pytest.raises(CheckFailed, match="'step' line is wrong. It seems scheduler.step"):
        ps02.check_rescue_figure_lr(fig)
    plt.close("all")


# --- formulas -----------------------------------------------------------------------------------

FORMULA_BUGS = [
    (ps02.check_step_decay, lambda t, b, s, g: b * g ** (t / s), "without the floor"),
    (ps02.check_step_decay, lambda t, b, s, g: b * g ** math.ceil(t / s), "rounded up"),
    (ps02.check_step_decay, lambda t, b, s, g: b * g ** ((t + 1) // s), "one step early"),
    (ps02.check_exponential_decay, lambda t, b, g: b * g ** (t + 1), "one step ahead"),
    (ps02.check_exponential_decay, lambda t, b, g: b * math.exp(-g * t), "exp"),
    (ps02.check_exponential_decay, lambda t, b, g: b * (1 - g) ** t, r"\(1 − gamma\)"),
    (ps02.check_cosine_annealing,
     lambda t, b, T, eta_min=0.0: cosine_annealing(min(t, T), b, T, eta_min), "not clamped"),
    (ps02.check_cosine_annealing,
     lambda t, b, T, eta_min=0.0: cosine_annealing(t, b, T + 1, eta_min), "off by one"),
    (ps02.check_cosine_annealing,
     lambda t, b, T, eta_min=0.0: cosine_annealing(t, b, T - 1, eta_min), "off by one"),
    (ps02.check_cosine_annealing,
     lambda t, b, T, eta_min=0.0: cosine_annealing(t, b, T), "instead of eta_min"),
    (ps02.check_cosine_annealing,
     lambda t, b, T, eta_min=0.0: eta_min + (b - eta_min) * math.cos(math.pi * t / T),
     "goes negative"),
    (ps02.check_linear_warmup, lambda t, b, k, sf: b * min(t, k) / k, "starts at 0"),
    (ps02.check_linear_warmup, lambda t, b, k, sf: linear_warmup(t, b, k + 1, sf),
     "one step late"),
    (ps02.check_linear_warmup, lambda t, b, k, sf: linear_warmup(t + 1, b, k, sf),
     "one step ahead"),
    (ps02.check_linear_warmup, lambda t, b, k, sf: b * (sf + (1 - sf) * t / k),
     "keeps growing"),
    (ps02.check_warmup_cosine,
     lambda t, b, k, T, sf: linear_warmup(t, b, k, sf) if t < k else cosine_annealing(t, b, T),
     "restarts the next scheduler"),
    (ps02.check_warmup_cosine,
     lambda t, b, k, T, sf: linear_warmup(t, b, k, sf) if t <= k
     else cosine_annealing(t - k - 1, b, T), "held for two steps"),
    (ps02.check_warmup_cosine,
     lambda t, b, k, T, sf: b * min(t, k) / k if t < k else cosine_annealing(t - k, b, T),
     "The warmup part is wrong: your warmup starts at 0"),
]


@pytest.mark.parametrize(("check", "function", "words"), FORMULA_BUGS)
def test_formula_mistakes_are_named_on_visible_and_hidden_cases(check, function, words):
    with pytest.raises(CheckFailed, match=words):
        check(function)
    name = check.__name__.removeprefix("check_")
    named = {*FORMULA_EXPLANATIONS[name].values()}
    for student in STUDENTS[:2]:
        with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed) as failure:
            check(function, hidden=True)
        kind_and_words = re.fullmatch(r"A hidden case fails \((.+?)\): (.+)", str(failure.value))
        assert kind_and_words, str(failure.value)
        assert (kind_and_words.group(2) in named  # or it raises (T_max − 1 = 0: a division)
                or kind_and_words.group(2).startswith("your function raised")), str(failure.value)


def test_a_clamped_cosine_inside_warmup_cosine_is_caught_by_the_hidden_check():
    def clamped(t, b, k, T, sf):
        return warmup_cosine(t, b, k, T, sf) if t - k <= T else 0.0

    ps02.check_warmup_cosine(clamped)  # the visible run stops before T_max
    for student in STUDENTS:
        with drawn_cases(drawn_for(student)), pytest.raises(
                CheckFailed, match="The cosine part is wrong.*not clamped"):
            ps02.check_warmup_cosine(clamped, hidden=True)


def test_hard_coded_visible_values_fail_the_hidden_formula_checks():
    for name, visible in ps02.FORMULA_CASES.items():
        case = visible[0]
        parameters = formulas.formula_parameters(name, case)
        remembered = formulas.formula_reference(name, parameters)[0].values(case.n)
        check = getattr(ps02, f"check_{name}")

        def hard_coded(t, *args, remembered=remembered, **kwargs):
            return float(remembered[min(t, len(remembered) - 1)])

        if len(visible) == 1:
            check(hard_coded)
        for student in STUDENTS:
            with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed):
                check(hard_coded, hidden=True)


def test_the_formula_references_are_torch():
    """The checks compare with lrcore; lrcore's values here are torch's own, case by case (the
    visible cases and every pooled one)."""
    for name, visible in ps02.FORMULA_CASES.items():
        cases = [formulas.formula_parameters(name, case) | {"n": case.n} for case in visible]
        cases += [dict(ps02.FORMULA_DEFAULTS.get(name, {})) | case["params"]
                  for case in cases_of(f"ps02.{name}")]
        for parameters in cases:
            scheduler = ps02.formula_scheduler(name, parameters)
            _, lrs = quadratic.optimize(parameters["base_lr"], parameters["n"], 1.0,
                                        scheduler.factory)
            reference = formulas.formula_reference(name, parameters)[0].values(parameters["n"])
            np.testing.assert_allclose(reference, lrs, rtol=1e-12, atol=1e-15,
                                       err_msg=scheduler.text)


def test_the_formula_texts_name_torchs_scheduler_as_before():
    p = {"base_lr": 1.05, "warmup_steps": 5, "T_max": 15, "start_factor": 0.1}
    assert formulas.formula_reference("warmup_cosine", p)[1] == (
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=15)], "
        "milestones=[5])")
    assert formulas.formula_reference("cosine_annealing", {"base_lr": 1.0, "T_max": 10,
                                                        "eta_min": 0.0})[1] == (
        "CosineAnnealingLR(T_max=10, eta_min=0.0)")


# --- the scheduler cases -------------------------------------------------------------------------


def _pooled_schedulers():
    found = []
    for pool, extra in (("ps02.optimize", 0), ("ps02.scheduler_first", 1)):
        for case in cases_of(pool):  # the pitfall reads one lr more: it steps first
            params = case["params"]
            if params["scheduler"] is not None:
                found.append((params["initial_lr"], params["num_iterations"] + extra,
                              SchedulerCase.from_data(params["scheduler"])))
    for case in cases_of("ps02.momentum_history"):
        found.append((1.05, case["params"]["num_iterations"],
                      SchedulerCase.from_data(case["params"]["scheduler"])))
    return found


def test_the_scheduler_cases_match_their_lrcore_schedules():
    """Every torch case the checks build has the lrcore twin the checks compare with: the same
    lrs and momenta as torch's scheduler on a plain SGD."""
    cases = [(lr, n, case) for lr, n, _, case in ps02.PUBLISHED_RUNS if case]
    cases += [(1.05, 20, case) for case in ps02.RESCUE_SCHEDULERS.values()]
    cases += [(1.05, 20, case) for case in ps02.MOMENTUM_ON.values()]
    cases += [(1.05, n, case) for case, n in ps02.MOMENTUM_RUNS]
    cases += _pooled_schedulers()
    for lr, n, case in cases:
        x = torch.tensor(1.0, requires_grad=True)
        opt = torch.optim.SGD([x], lr=lr)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = case.factory(opt)
            lrs, momenta = [], []
            for _ in range(n):
                lrs.append(opt.param_groups[0]["lr"])
                momenta.append(opt.param_groups[0]["momentum"])
                opt.step()
                scheduler.step()
        schedule = case.schedule(lr)
        np.testing.assert_allclose(schedule.values(n), lrs, rtol=1e-12, err_msg=case.text)
        planned = schedule.momenta(n)
        np.testing.assert_allclose(np.zeros(n) if planned is None else planned, momenta,
                                   rtol=1e-12, err_msg=case.text)


def test_a_scheduler_case_is_named_once_and_read_back_from_its_data():
    warmup = ps02.RESCUE_SCHEDULERS["warmup"]
    assert warmup.text == ("SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=5), "
                           "CosineAnnealingLR(opt, T_max=15)], milestones=[5])")
    again = SchedulerCase.from_data(json.loads(json.dumps(warmup.to_data())))
    assert again.key == warmup.key and again.text == warmup.text
    assert ps02.MOMENTUM_ON["cyclic"].cycles_momentum
    assert not ps02.RESCUE_SCHEDULERS["cyclic"].cycles_momentum
    for bad in (None, [], {"torch": "os.system"}, {"torch": "StepLR", "kwargs": {"f": object}},
                {"torch": "StepLR", "kwargs": {"step_size": {"nested": 1}}},
                {"torch": "SequentialLR", "kwargs": {"milestones": [1]}},
                {"torch": "StepLR", "schedulers": [{"torch": "StepLR"}]}):
        with pytest.raises(ValueError):
            SchedulerCase.from_data(bad)


# --- the gallery --------------------------------------------------------------------------------


def gallery(cosine=cosine_annealing, panels=4, titles=True):
    fig, axes = plt.subplots(1, panels)
    curves = [lambda t: step_decay(t, 1.0, 15, 0.5), lambda t: exponential_decay(t, 1.0, 0.95),
              lambda t: cosine(t, 1.0, 40), lambda t: linear_warmup(t, 1.0, 10, 0.1)]
    for ax, curve in zip(np.ravel(axes), curves, strict=False):
        ax.plot(range(60), [curve(t) for t in range(60)])
        ax.set(xlabel="step", title="a schedule" if titles else "")
    return fig


def test_gallery_checks():
    ps02.check_gallery_figure(gallery())
    with pytest.raises(CheckFailed, match="should have 4"):
        ps02.check_gallery_figure(gallery(panels=3))
    with pytest.raises(CheckFailed, match="title"):
        ps02.check_gallery_figure(gallery(titles=False))
    clamped = lambda t, b, T, eta_min=0.0: cosine_annealing(min(t, T), b, T)  # noqa: E731
    with pytest.raises(CheckFailed, match="climbs back up"):
        ps02.check_gallery_figure(gallery(cosine=clamped))
    with pytest.raises(CheckFailed, match="no curve of cosine_annealing"):
        ps02.check_gallery_figure(gallery(cosine=lambda t, b, T: 0.5))
    plt.close("all")


# --- pitfalls -----------------------------------------------------------------------------------


lr_before = make_optimize(first=True, lr_read_first=True)
"""The stepped-first loop that records the lr before scheduler.step() changes it."""


def test_scheduler_first_pitfall_messages():
    with pytest.raises(CheckFailed, match="on purpose"):
        ps02.check_scheduler_first_pitfall(lambda lr, n, x0, s: make_optimize()(lr, n, x0, s))
    with pytest.raises(CheckFailed, match="Record the lr each step used"):
        ps02.check_scheduler_first_pitfall(lr_before)
    with pytest.raises(CheckFailed, match="move scheduler.step"):
        ps02.check_scheduler_first_pitfall(make_optimize(twice=True))


def test_momentum_history_messages():
    with pytest.raises(CheckFailed, match="one step ahead"):
        ps02.check_momentum_history(partial(momentum_history, shift=1))
    with pytest.raises(CheckFailed, match="sets the momentum of every step"):
        ps02.check_momentum_history(lambda scheduler, n, initial_lr=1.05: [0.0] * n)
    for student in STUDENTS:
        with drawn_cases(drawn_for(student)), pytest.raises(
                CheckFailed, match="momentum of its own"):
            ps02.check_momentum_history(lambda scheduler, n, initial_lr=1.05: [0.9] * n,
                                        hidden=True)


def test_momentum_history_on_an_sgd_with_momentum_fails_the_visible_check():
    """The task names the case 'the scheduler leaves the momentum alone': a visible case (the
    sample student s11_momentum_sgd's momentum_history, on an SGD with momentum=0.9)."""
    namespace = {"torch": torch}
    exec(MOMENTUM_SGD, namespace)  # noqa: S102 - the sample student's own code
    with pytest.raises(CheckFailed, match="momentum of its own"):
        ps02.check_momentum_history(namespace["momentum_history"])


def test_the_one_cycle_pitfall_is_the_published_one():
    default = ps02.MOMENTUM_ON["one_cycle"].factory
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs, _ = quadratic.optimize(1.05, 20, 500.0, default)
    assert xs[-1] == pytest.approx(218.0, rel=1e-4)
    assert quadratic.optimize(1.05, 20, 500.0, RESCUE["one_cycle"])[0][-1] == pytest.approx(
        1.66e-07, rel=1e-2)


# --- hidden cases: pools, draws, messages -------------------------------------------------------


def test_the_committed_pools_are_what_the_specifications_build():
    """release built hidden_cases/ps02_schedulers.json from autograder.hidden.ps02: building
    again (every case validated) gives the same pools."""
    assert stale_pools(REPO, ASSIGNMENT) == []
    names = set(pools())
    assert names == {"ps02.optimize", "ps02.step_decay", "ps02.exponential_decay",
                     "ps02.cosine_annealing", "ps02.linear_warmup", "ps02.warmup_cosine",
                     "ps02.scheduler_first", "ps02.momentum_history", "ps02.noisy_loss_curve"}
    for pool in pools().values():
        assert 2 <= pool.draw <= 5 and 12 <= len(pool.candidates) <= 24


def test_students_draw_different_cases_and_a_regrade_draws_the_same():
    draws = [json.dumps(drawn_for(student), sort_keys=True) for student in STUDENTS]
    assert len(set(draws)) == len(STUDENTS)
    assert json.dumps(drawn_for("alice"), sort_keys=True) == draws[0]


OPTIMIZE_MISTAKES = {
    "scheduler.step() first": {"first": True}, "scheduler stepped twice": {"twice": True},
    "lr read after scheduler.step()": {"read_after": True}, "never stepped": {"never": True},
    "scheduler ignored": {"ignored": True}, "built in the loop": {"in_loop": True},
    "no zero_grad": {"zero_grad": False}, "gradient ascent": {"maximize": True},
    "f'(x) = x": {"half_gradient": True}, "one step too many": {"extra_step": True},
    "one step too few": {"missing_step": True}, "x recorded before the step":
    {"record_before": True},
}


def fails_a_hidden_case(call, mistake):
    try:
        call()
    except CheckFailed as failure:
        assert str(failure).startswith("A hidden case fails ("), (mistake, str(failure))
        return
    pytest.fail(f"{mistake} passes every hidden case drawn")


@pytest.mark.parametrize("student", STUDENTS)
def test_every_modelled_mistake_fails_the_cases_each_student_draws(student, monkeypatch):
    # the formula mistakes are lrcore's own models, which a student's function may not call:
    # here they stand for the student's code, so the check's refusal of the reference is off
    monkeypatch.setattr(formulas, "require_own_function", lambda function, name: None)
    with drawn_cases(drawn_for(student)):
        for mistake, kwargs in OPTIMIZE_MISTAKES.items():
            fails_a_hidden_case(partial(ps02.check_optimize_with_scheduler_unseen,
                                        make_optimize(**kwargs)), mistake)
        for name, models in FORMULA_MISTAKES.items():
            check = getattr(ps02, f"check_{name}")
            for mistake, model in models.items():
                def mistaken(t, *args, model=model, name=name, **kwargs):
                    parameters = dict(zip(ps02.FORMULA_PARAMETERS[name], args, strict=False))
                    return float(model(np.array([t]), **parameters, **kwargs)[0])

                fails_a_hidden_case(partial(check, mistaken, hidden=True), f"{name}: {mistake}")
        for mistake, function in {
                "the right order": lambda lr, n, x0, s: make_optimize()(lr, n, x0, s),
                "the lr read before scheduler.step()": lr_before,
                "scheduler stepped twice": make_optimize(twice=True),
                "never stepped": make_optimize(never=True),
                "scheduler ignored": make_optimize(ignored=True)}.items():
            fails_a_hidden_case(partial(ps02.check_scheduler_first_pitfall, function,
                                        hidden=True), mistake)
        for mistake, function in {
                "one step ahead": partial(momentum_history, shift=1),
                "never stepped": partial(momentum_history, stepped=False),
                "no momentum read": lambda scheduler, n, initial_lr=1.05: [0.0] * n}.items():
            fails_a_hidden_case(partial(ps02.check_momentum_history, function, hidden=True),
                                mistake)


def _value_texts(case):
    """How a case's numbers could appear in a message: repr and the checks' describe_number."""
    from lrchecks.values import describe_number

    numbers = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append(value)

    walk(case["params"])
    return {text for number in numbers if abs(number) not in (0, 1, 2)
            for text in (repr(number), describe_number(float(number)))}


VOCABULARY = {
    *LOOP_EXPLANATIONS.values(), *MISTAKE_EXPLANATIONS.values(),
    *(text for words in FORMULA_EXPLANATIONS.values() for text in words.values()),
    ps02.RUN_ADVICE, *ps02.FORMULA_ADVICE.values(), ps02.FIRST_PITFALL_ADVICE,
    ps02.RECORD_USED_LR, ps02.MOVE_THE_STEP,
    f"your function gives the correct run: {ps02.CORRECT_ON_PURPOSE}",
    ps02.MOMENTUM_ADVICE, MOMENTA_AHEAD.explanation, MOMENTA_MISSING.explanation,
    MOMENTA_OF_OPTIMIZER.explanation, ps02.CURVE_ADVICE,
    *(mistake.explanation for mistake in LOSS_CURVES),
    "the function should return a pair (x_history, lr_history).",
}
"""Every sentence a hidden case may say after its kind: the checks' own, value-free words."""

FAILING = [
    (ps02.check_optimize_with_scheduler_unseen, make_optimize(first=True)),
    (ps02.check_optimize_with_scheduler_unseen, make_optimize(zero_grad=False)),
    (ps02.check_optimize_with_scheduler_unseen,
     lambda lr, n, x0, scheduler=None: (list(np.linspace(x0, 0, n)), [lr] * n)),
    (ps02.check_optimize_with_scheduler_unseen, lambda lr, n, x0, scheduler=None: 42),
    (partial(ps02.check_step_decay, hidden=True), lambda t, b, s, g: b * g ** (t / s)),
    (partial(ps02.check_cosine_annealing, hidden=True),
     lambda t, b, T, eta_min=0.0: 0.5 * b),
    (partial(ps02.check_warmup_cosine, hidden=True),
     lambda t, b, k, T, sf: linear_warmup(t, b, k, sf) if t < k else cosine_annealing(t, b, T)),
    (partial(ps02.check_scheduler_first_pitfall, hidden=True), lr_before),
    (partial(ps02.check_scheduler_first_pitfall, hidden=True),
     lambda lr, n, x0, s: make_optimize()(lr, n, x0, s)),
    (partial(ps02.check_momentum_history, hidden=True), partial(momentum_history, shift=1)),
    (partial(ps02.check_momentum_history, hidden=True),
     lambda scheduler, n, initial_lr=1.05: [0.5] * n),
    (partial(ps02.check_noisy_loss_curve, hidden=True),
     lambda lrs, x0, noise: np.sum(_runs_of(lrs, x0, noise) ** 2, axis=1)),
]


@pytest.mark.parametrize(("check", "function"), FAILING)
def test_a_hidden_case_message_names_the_kind_and_the_mistake_never_the_values(check, function):
    for student in STUDENTS[:3]:
        drawn = drawn_for(student)
        with drawn_cases(drawn), pytest.raises(CheckFailed) as failure:
            check(function)
        message = str(failure.value)
        match = re.fullmatch(r"A hidden case fails \((.+?)\): (.+)", message, re.S)
        assert match, message
        kinds = {case["kind"] for cases in drawn.values() for case in cases}
        assert match.group(1) in kinds
        assert (match.group(2) in VOCABULARY or match.group(2).startswith(
            ("the result should", "your function raised"))), message
        for cases in drawn.values():
            for case in cases:
                for text in _value_texts(case):
                    assert not re.search(rf"(?<![\w.]){re.escape(text)}(?![\w])",
                                         match.group(2)), (text, message)


def test_a_student_exception_text_never_reaches_a_hidden_message():
    def raising(lr, n, x0, scheduler=None):
        raise ValueError(f"the hidden lr is {lr}")

    with drawn_cases(drawn_for("alice")), pytest.raises(CheckFailed) as failure:
        ps02.check_optimize_with_scheduler_unseen(raising)
    assert str(failure.value).endswith("your function raised ValueError.")


def test_hidden_checks_outside_grading_say_so():
    with pytest.raises(NotGraded, match="only when your notebook is graded"):
        ps02.check_step_decay(step_decay, hidden=True)
    with pytest.raises(NotGraded, match="only when your notebook is graded"):
        ps02.check_optimize_with_scheduler_unseen(make_optimize())


@pytest.mark.parametrize("params", [
    None, [], {"initial_lr": 0.5}, {"initial_lr": "0.5", "num_iterations": 5, "x0": 1.0,
                                    "scheduler": None},
    {"initial_lr": 0.5, "num_iterations": 5, "x0": 1.0, "scheduler": {"torch": "eval"}},
])
def test_unreadable_hidden_cases_are_refused(params):
    with drawn_cases({"ps02.optimize": [{"kind": "a case", "params": params}]}), pytest.raises(
            NotGraded, match="not readable"):
        ps02.check_optimize_with_scheduler_unseen(make_optimize())


def test_the_checks_hold_no_hidden_case():
    """lrchecks ships to students: no pooled case may appear in its source, nor a constant
    named like a hidden one (what the student-wheel scan looks for, on ps02's files)."""
    sources = {path.relative_to(REPO / "lrchecks").as_posix(): path.read_text(encoding="utf-8")
               for path in (REPO / "lrchecks").rglob("*.py")}
    for pool, cases in every_case().items():
        for case in cases:
            params = case["params"]
            if pool == "ps02.noisy_loss_curve":
                texts = [repr(params[0])[1:-1], repr(params[2][0])[1:-1]]
            elif pool.startswith("ps02.") and "scheduler" not in params:
                name = pool.removeprefix("ps02.")
                spelled = ", ".join(repr(params[key]) for key in ps02.FORMULA_PARAMETERS[name]
                                    if key in params and key != "eta_min")
                texts = [f"({spelled})", f"{spelled}, {params['n']}"]
            elif "initial_lr" in params:
                texts = [f"{params['initial_lr']!r}, {params['num_iterations']!r}, "
                         f"{params['x0']!r}"]
            else:
                texts = [json.dumps(params["scheduler"]["kwargs"])]
            for text in texts:
                assert not any(text in source for source in sources.values()), (pool, text)
    ps02_sources = [name for name in sources
                    if name.startswith("ps02/") or name == "scheduler_cases.py"]
    assert len(ps02_sources) > 2
    for name in ps02_sources:
        assert not re.search(r"\b\w*(HIDDEN|UNSEEN)\w*\s*(:[^=\n]*)?=", sources[name])
        assert "autograder." not in sources[name]


def test_the_pool_file_is_plain_json_with_kinds_that_hold_no_number():
    data = json.loads(Path(pools_path(REPO, ASSIGNMENT)).read_text(encoding="utf-8"))
    for pool in data["pools"].values():
        for case in pool["always"] + pool["candidates"]:
            assert not re.search(r"\d", case["kind"]), case["kind"]



# --- §2: an integer x0 ----------------------------------------------------------------------------

def test_an_integer_x0_is_a_visible_case_of_optimize():
    tensor_of_x0 = make_optimize(integer=True)  # torch.tensor(x0) fails for an integer x0

    assert any(isinstance(x0, int) for _, _, x0, _ in ps02.PUBLISHED_RUNS)
    with pytest.raises(CheckFailed, match="x0 was an integer"):
        ps02.check_optimize_with_scheduler(tensor_of_x0)


# --- §6: schedules on a noisy problem ------------------------------------------------------------

def noisy_loss_curve(lrs, x0, noise):
    x, curve = np.full(np.shape(noise)[1], float(x0)), []
    for lr, kick in zip(lrs, noise, strict=True):
        x = x - lr * (2 * x + kick)
        curve.append(np.mean(x**2))
    return np.array(curve)


def noisy_loss_curve_float32(lrs, x0, noise):
    kicks = torch.as_tensor(np.asarray(noise), dtype=torch.float32)
    x, curve = torch.full((kicks.shape[1],), float(x0)), []
    for lr, kick in zip(lrs, kicks, strict=True):
        x = (1 - 2 * float(lr)) * x - float(lr) * kick
        curve.append((x**2).mean())
    return torch.stack(curve)


def _runs_of(lrs, x0, noise):
    x, runs = np.full(np.shape(noise)[1], float(x0)), []
    for lr, kick in zip(lrs, np.asarray(noise), strict=True):
        x = x - lr * (2 * x + kick)
        runs.append(x)
    return np.array(runs)


@pytest.mark.parametrize("function", [noisy_loss_curve, noisy_loss_curve_float32])
def test_noisy_loss_curve_right_in_float64_and_float32_on_every_pooled_case(function):
    ps02.check_noisy_loss_curve(function)
    with drawn_cases(every_case()):
        ps02.check_noisy_loss_curve(function, hidden=True)


test_noisy_loss_curve_mistakes_are_named = mistakes_named_by(ps02.check_noisy_loss_curve, [
    (lambda lrs, x0, noise: np.mean(_runs_of(lrs, x0, noise), axis=1) ** 2,
     "square of the runs' mean x"),
    (lambda lrs, x0, noise: _runs_of(lrs, x0, noise)[:, 0] ** 2, "single run"),
    (lambda lrs, x0, noise: np.sum(_runs_of(lrs, x0, noise) ** 2, axis=1), "sum"),
    (lambda lrs, x0, noise: np.concatenate(([float(x0) ** 2],
                                            noisy_loss_curve(lrs, x0, noise)[:-1])),
     "shifted by one step"),
    (lambda lrs, x0, noise: noisy_loss_curve(np.zeros(len(lrs)), x0, noise) * 0
     + np.mean(_runs_of(lrs, x0, np.zeros(np.shape(noise))) ** 2, axis=1), "ignores the noise"),
])


def test_a_hidden_noisy_curve_case_names_the_mistake_never_the_values():
    def square_of_mean(lrs, x0, noise):
        return np.mean(_runs_of(lrs, x0, noise), axis=1) ** 2

    for student in STUDENTS:
        with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed) as failure:
            ps02.check_noisy_loss_curve(square_of_mean, hidden=True)
        message = failure.value.message
        assert message.startswith("A hidden case fails (") and "square of the runs" in message
        assert "[" not in message and not re.search(r"\d\.\d", message)


def compare_noise():
    return ps02.COMPARE_STD * np.random.default_rng(ps02.COMPARE_SEED).standard_normal(
        (ps02.COMPARE_ITERATIONS, ps02.COMPARE_RUNS))


def final_losses(curve=noisy_loss_curve, last=-1):
    return {lr: float(curve([lr] * ps02.COMPARE_ITERATIONS, ps02.COMPARE_X0,
                            compare_noise())[last]) for lr in ps02.CONSTANT_LRS}


def test_constant_sweep_checks():
    losses = final_losses()
    best = min(losses, key=losses.get)
    ps02.check_constant_sweep(losses, best)
    ps02.check_constant_sweep(final_losses(noisy_loss_curve_float32), best)
    with pytest.raises(CheckFailed, match="best_constant_lr"):
        ps02.check_constant_sweep(losses, losses[best])
    with pytest.raises(CheckFailed, match="before the last step"):
        ps02.check_constant_sweep(final_losses(last=-2), best)
    with pytest.raises(CheckFailed, match="no entry for lr = 0.4"):
        ps02.check_constant_sweep({lr: v for lr, v in losses.items() if lr != 0.4}, best)


def compare_figure(curve=noisy_loss_curve, without=None):
    noise = compare_noise()
    losses = final_losses()
    best = min(losses, key=losses.get)
    steps = range(ps02.COMPARE_ITERATIONS)
    lr0, n = ps02.COMPARE_LR, ps02.COMPARE_ITERATIONS
    runs = {"constant": [lr0] * n, "best constant": [best] * n,
            "step": [step_decay(t, lr0, 25, 0.5) for t in steps],
            "exponential": [exponential_decay(t, lr0, 0.95) for t in steps],
            "cosine": [cosine_annealing(t, lr0, n) for t in steps],
            "short cosine": [cosine_annealing(t, lr0, n // 2) for t in steps]}
    fig, (left, right) = plt.subplots(1, 2)
    for name, lrs in runs.items():
        if name == without:
            continue
        left.plot(np.arange(1, n + 1), np.asarray(curve(lrs, ps02.COMPARE_X0, noise)), label=name)
        right.plot(np.arange(1, n + 1), lrs, label=name)
    left.set(yscale="log", xlabel="step", title="loss")
    right.set(xlabel="step", title="lr")
    left.legend()
    right.legend()
    return fig


def test_compare_figure_checks():
    ps02.check_compare_figure(compare_figure())
    ps02.check_compare_figure(compare_figure(noisy_loss_curve_float32))
    with pytest.raises(CheckFailed, match="square of the runs' mean x"):
        ps02.check_compare_figure(compare_figure(
            lambda lrs, x0, noise: np.mean(_runs_of(lrs, x0, noise), axis=1) ** 2))
    with pytest.raises(CheckFailed, match="'short cosine'"):
        ps02.check_compare_figure(compare_figure(without="short cosine"))
    plt.close("all")


# --- grading mode: the kernel asks, the judge decides --------------------------------------------


def _solution_calls():
    """Every judged check of ps02 with the right answers: (check, args, kwargs)."""
    optimize = make_optimize()
    losses = final_losses()
    calls = [(ps02.check_optimize_with_scheduler, (optimize,), {}),
             (ps02.check_optimize_with_scheduler_unseen, (optimize,), {}),
             (ps02.check_rescue_final_x, (RESCUE, optimize), {}),
             (ps02.check_gallery_figure, (gallery(),), {}),
             (ps02.check_constant_sweep, (losses, min(losses, key=losses.get)), {}),
             (ps02.check_compare_figure, (compare_figure(),), {})]
    calls += [(check, (rescue_figure(),), {}) for check in (
        ps02.check_rescue_figure_layout, ps02.check_rescue_figure_x, ps02.check_rescue_figure_lr)]
    for check, function in (*FUNCTION_CHECKS, (ps02.check_noisy_loss_curve, noisy_loss_curve)):
        calls += [(check, (function,), {"hidden": False}), (check, (function,), {"hidden": True})]
    return calls


def test_a_grading_kernel_only_asks_every_check_and_the_judge_confirms_them(recorded,
                                                                           monkeypatch, capsys):
    """Grading mode for every judged check of ps02, on the right answers and a student's drawn
    cases: the kernel stops each check at `asked` (no reference computed, nothing printed) and
    the judge's replay of each record passes it."""
    calls = _solution_calls()
    judged_checks = {getattr(ps02, name) for name in dir(ps02)
                     if getattr(getattr(ps02, name), "__lrlab_judged__", False)}
    assert {check for check, _, _ in calls} == judged_checks
    assert_a_grading_kernel_only_asks(calls, drawn_for("alice"), recorded, monkeypatch, capsys)


def test_the_judge_gives_validates_message_for_wrong_answers(recorded, monkeypatch):
    """Wrong answers of the sample class and the tests: what the judge decides from the kernel's
    record is word for word what Validate says, visible and hidden."""
    without_floor = lambda t, b, s, g: b * g ** (t / s)  # noqa: E731
    clamped = lambda t, b, T, eta_min=0.0: cosine_annealing(min(t, T), b, T)  # noqa: E731
    square_of_mean = lambda lrs, x0, noise: np.mean(_runs_of(lrs, x0, noise), axis=1) ** 2  # noqa: E731
    losses = final_losses()
    best = min(losses, key=losses.get)
    wrong = [
        (ps02.check_step_decay, (without_floor,), False, "without the floor"),
        (ps02.check_cosine_annealing, (clamped,), True, "not clamped"),
        (ps02.check_optimize_with_scheduler, (make_optimize(first=True),), None,
         "scheduler.step() is called before optimizer.step()"),
        (ps02.check_optimize_with_scheduler_unseen, (make_optimize(first=True),), None,
         "A hidden case fails"),
        (ps02.check_noisy_loss_curve, (square_of_mean,), True, "square of the runs' mean x"),
        (ps02.check_constant_sweep, (final_losses(last=-2), best), None, "before the last step"),
        (ps02.check_scheduler_first_pitfall, (lr_before,), False, "Record the lr each step used"),
        (ps02.check_momentum_history, (partial(momentum_history, shift=1),), False,
         "one step ahead"),
        (ps02.check_gallery_figure, (gallery(cosine=clamped),), None, "climbs back up"),
        (ps02.check_compare_figure, (compare_figure(square_of_mean),), None,
         "square of the runs' mean x"),
        (ps02.check_rescue_figure_lr, (rescue_figure(runs={"constant": None}),), None,
         "'step'"),
    ]
    cases = drawn_for("bob")
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    with drawn_cases(cases):
        for check, args, hidden, words in wrong:
            message = judged_as_validate_judges(check, args, recorded, monkeypatch, hidden)
            assert words in message, (check.__name__, message)
    plt.close("all")
