"""lrchecks.diagnosis.schedules: each model equals the buggy code it describes, and differs from
the truth (torch's scheduler, through lrcore.schedules)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from student_optimize import make_optimize
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CyclicLR,
    ExponentialLR,
    LinearLR,
    OneCycleLR,
    StepLR,
)

from lrchecks.diagnosis.quadratic import QUADRATIC_MISTAKES
from lrchecks.diagnosis.schedules import (
    FORMULA_MISTAKES,
    LOOP_MISTAKES,
    formula_mistake_values,
    optimize_with_loop_mistake,
)
from lrcore import quadratic
from lrcore import schedules as sched

# --- formula mistakes ---------------------------------------------------------------------------

# (schedule, parameters, n, the correct lrcore schedule)
FORMULA_SETTINGS = {
    "step_decay": ({"base_lr": 0.8, "step_size": 3, "gamma": 0.3}, 13,
                   sched.step_lr(0.8, 3, 0.3)),
    "exponential_decay": ({"base_lr": 0.5, "gamma": 0.7}, 12, sched.exponential_lr(0.5, 0.7)),
    "cosine_annealing": ({"base_lr": 0.3, "T_max": 7, "eta_min": 0.01}, 22,
                         sched.cosine_annealing_lr(0.3, 7, 0.01)),
    "linear_warmup": ({"base_lr": 0.4, "warmup_steps": 3, "start_factor": 0.5}, 8,
                      sched.linear_lr(0.4, 0.5, 1.0, 3)),
    "warmup_cosine": ({"base_lr": 0.6, "warmup_steps": 3, "T_max": 8, "start_factor": 0.2}, 20,
                      sched.warmup(sched.cosine_annealing_lr(0.6, 8), 3, 0.2)),
}

# What the buggy plain-Python code computes, written the way a student writes it.
BUGGY_CODE = {
    ("step_decay", "no_floor"): lambda t, base_lr, step_size, gamma:
        base_lr * gamma ** (t / step_size),
    ("step_decay", "ceil_instead_of_floor"): lambda t, base_lr, step_size, gamma:
        base_lr * gamma ** math.ceil(t / step_size),
    ("step_decay", "decays_one_step_early"): lambda t, base_lr, step_size, gamma:
        base_lr * gamma ** ((t + 1) // step_size),
    ("step_decay", "decays_one_step_late"): lambda t, base_lr, step_size, gamma:
        base_lr * gamma ** (max(t - 1, 0) // step_size),
    ("exponential_decay", "one_step_ahead"): lambda t, base_lr, gamma: base_lr * gamma ** (t + 1),
    ("exponential_decay", "exp_of_minus_gamma_t"): lambda t, base_lr, gamma:
        base_lr * math.exp(-gamma * t),
    ("exponential_decay", "one_minus_gamma"): lambda t, base_lr, gamma:
        base_lr * (1 - gamma) ** t,
    ("cosine_annealing", "t_max_minus_one"): lambda t, base_lr, T_max, eta_min:
        eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / (T_max - 1))) / 2,
    ("cosine_annealing", "t_max_plus_one"): lambda t, base_lr, T_max, eta_min:
        eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / (T_max + 1))) / 2,
    ("cosine_annealing", "clamped"): lambda t, base_lr, T_max, eta_min:
        eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * min(t, T_max) / T_max)) / 2,
    ("cosine_annealing", "eta_min_ignored"): lambda t, base_lr, T_max, eta_min:
        base_lr * (1 + math.cos(math.pi * t / T_max)) / 2,
    ("cosine_annealing", "missing_one_plus_half"): lambda t, base_lr, T_max, eta_min:
        eta_min + (base_lr - eta_min) * math.cos(math.pi * t / T_max),
    ("linear_warmup", "starts_at_zero"): lambda t, base_lr, warmup_steps, start_factor:
        base_lr * min(t / warmup_steps, 1.0),
    ("linear_warmup", "one_step_late"): lambda t, base_lr, warmup_steps, start_factor:
        base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps + 1)
                   / (warmup_steps + 1)),
    ("linear_warmup", "one_step_early"): lambda t, base_lr, warmup_steps, start_factor:
        base_lr * (start_factor + (1 - start_factor) * min(t + 1, warmup_steps) / warmup_steps),
    ("linear_warmup", "not_clamped"): lambda t, base_lr, warmup_steps, start_factor:
        base_lr * (start_factor + (1 - start_factor) * t / warmup_steps),
}


def _warmup(t, base_lr, warmup_steps, start_factor):
    return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)


def _cosine(t, base_lr, T_max):
    return base_lr * (1 + math.cos(math.pi * t / T_max)) / 2


BUGGY_CODE[("warmup_cosine", "cosine_not_restarted")] = (
    lambda t, base_lr, warmup_steps, T_max, start_factor:
    _warmup(t, base_lr, warmup_steps, start_factor) if t < warmup_steps
    else _cosine(t, base_lr, T_max))
BUGGY_CODE[("warmup_cosine", "cosine_starts_one_step_late")] = (
    lambda t, base_lr, warmup_steps, T_max, start_factor:
    _warmup(t, base_lr, warmup_steps, start_factor) if t <= warmup_steps
    else _cosine(t - warmup_steps - 1, base_lr, T_max))


def test_every_formula_mistake_is_listed_and_differs_from_torch():
    for schedule, mistakes in FORMULA_MISTAKES.items():
        parameters, n, truth = FORMULA_SETTINGS[schedule]
        expected = truth.values(n)
        values = formula_mistake_values(schedule, n, **parameters)
        assert list(values) == list(mistakes)
        for name, lrs in values.items():
            assert lrs.shape == (n,), (schedule, name)
            assert not np.allclose(lrs, expected, rtol=1e-4), (schedule, name)


@pytest.mark.parametrize(("schedule", "mistake"), sorted(BUGGY_CODE))
def test_formula_models_equal_the_buggy_code(schedule, mistake):
    parameters, n, _ = FORMULA_SETTINGS[schedule]
    if schedule == "cosine_annealing":
        parameters = dict(parameters)
    buggy = BUGGY_CODE[(schedule, mistake)]
    expected = np.array([buggy(t, **parameters) for t in range(n)])
    model = FORMULA_MISTAKES[schedule][mistake](np.arange(n), **parameters)
    np.testing.assert_allclose(model, expected, rtol=1e-12, atol=1e-15)


def test_warmup_cosine_composes_the_mistakes_of_its_parts():
    parameters, n, truth = FORMULA_SETTINGS["warmup_cosine"]
    k = parameters["warmup_steps"]
    values = formula_mistake_values("warmup_cosine", n, **parameters)
    ramp = formula_mistake_values("linear_warmup", n, base_lr=0.6, warmup_steps=k,
                                  start_factor=0.2)["starts_at_zero"]
    np.testing.assert_allclose(values["warmup_starts_at_zero"][:k], ramp[:k])
    np.testing.assert_allclose(values["warmup_starts_at_zero"][k:], truth.values(n)[k:])
    clamped = values["cosine_clamped"]
    np.testing.assert_allclose(clamped[:k + 9], truth.values(n)[:k + 9])
    assert np.all(clamped[k + 8:] == clamped[k + 8])  # stays at 0 from T_max on


def test_the_correct_closed_forms_of_the_models_equal_torch():
    """The mistakes perturb the right formulas: with the perturbation removed they are torch's."""
    from lrchecks.diagnosis.schedules import formula as models

    t = np.arange(40)
    np.testing.assert_allclose(models.cosine(t, 0.3, 7, 0.01),
                               sched.cosine_annealing_lr(0.3, 7, 0.01).values(40), rtol=1e-12)
    np.testing.assert_allclose(models.warmup(t, 0.4, 3, 0.5),
                               sched.linear_lr(0.4, 0.5, 1.0, 3).values(40), rtol=1e-12)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown schedule"):
        formula_mistake_values("triangle", 3, base_lr=1.0)
    with pytest.raises(ValueError, match="unknown loop mistake"):
        optimize_with_loop_mistake("late", 0.1, 3, 1.0, lambda opt: StepLR(opt, 1))


# --- loop mistakes ------------------------------------------------------------------------------


def buggy_loop(initial_lr, n, x0, factory, **mistake):
    """The mistaken loop written out, the way a student writes it (torch's warning about the
    order of the steps silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_optimize(**mistake)(initial_lr, n, x0, factory)


LOOP_FLAGS = {
    "scheduler_stepped_first": {"first": True},
    "scheduler_stepped_twice": {"twice": True},
    "lr_read_after_scheduler_step": {"read_after": True},
    "scheduler_never_stepped": {"never": True},
    "scheduler_ignored": {"ignored": True},
    "scheduler_built_in_loop": {"in_loop": True},
}

FACTORIES = {
    "step": lambda opt: StepLR(opt, step_size=2, gamma=0.5),
    "linear": lambda opt: LinearLR(opt, start_factor=0.25, total_iters=4),
    "cosine": lambda opt: CosineAnnealingLR(opt, T_max=5),
    "cyclic": lambda opt: CyclicLR(opt, base_lr=0.05, max_lr=0.6, step_size_up=2),
}


@pytest.mark.parametrize("factory", sorted(FACTORIES))
@pytest.mark.parametrize("mistake", sorted(LOOP_FLAGS))
def test_loop_models_equal_the_buggy_torch_code(mistake, factory):
    expected = buggy_loop(0.4, 9, 7.0, FACTORIES[factory], **LOOP_FLAGS[mistake])
    assert optimize_with_loop_mistake(mistake, 0.4, 9, 7.0, FACTORIES[factory]) == expected


def test_stepped_first_with_the_lr_read_before_records_the_schedule_but_uses_the_next():
    factory = FACTORIES["step"]
    xs, lrs = optimize_with_loop_mistake("scheduler_stepped_first_lr_read_before", 0.4, 6, 7.0,
                                         factory)
    first_xs, first_lrs = optimize_with_loop_mistake("scheduler_stepped_first", 0.4, 6, 7.0,
                                                     factory)
    assert xs == first_xs
    assert lrs == sched.step_lr(0.4, 2, 0.5).values(6).tolist()
    assert first_lrs == sched.step_lr(0.4, 2, 0.5).at(np.arange(1, 7)).tolist()


@pytest.mark.parametrize("mistake", LOOP_MISTAKES)
def test_every_loop_mistake_changes_a_scheduled_run(mistake):
    factory = FACTORIES["linear"]
    right = quadratic.optimize(0.4, 9, 7.0, factory)
    assert optimize_with_loop_mistake(mistake, 0.4, 9, 7.0, factory) != right


def test_the_torch_model_agrees_with_the_float64_model_of_the_x_squared_mistakes():
    schedule = sched.step_lr(1.05, 5, 0.5)
    xs, lrs = optimize_with_loop_mistake("scheduler_stepped_first", 1.05, 20, 500.0,
                                         lambda opt: StepLR(opt, 5, 0.5))
    model_xs, model_lrs = QUADRATIC_MISTAKES["scheduler_stepped_first"](schedule, 20, 500.0)
    np.testing.assert_allclose(xs, model_xs, rtol=1e-5)
    np.testing.assert_allclose(lrs, model_lrs, rtol=1e-12)


def test_momentum_cycling_schedulers_are_modelled_with_their_momentum():
    """The loop models run real torch, so a OneCycleLR's momentum is in them."""
    factory = lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20)  # noqa: E731
    xs, _ = optimize_with_loop_mistake("lr_read_after_scheduler_step", 1.05, 20, 500.0, factory)
    assert xs[-1] == pytest.approx(218.0, rel=1e-4)
    exponential = lambda opt: ExponentialLR(opt, 0.9)  # noqa: E731
    xs, lrs = optimize_with_loop_mistake("scheduler_never_stepped", 1.05, 3, 500.0, exponential)
    assert lrs == [1.05, 1.05, 1.05]
