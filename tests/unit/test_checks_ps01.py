"""lrchecks.ps01 on plain Python functions: right answers pass, each mistake is named."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import REPO
from hidden_case_helpers import every_pooled_case
from named_mistakes import mistakes_named_by
from run_figures import assert_figure_checks_pass_and_name_mistakes, x_and_lr_figure
from student_optimize import make_optimize

from autograder.hidden import course_pools
from lrchecks import evidence, ps01
from lrchecks.hidden import drawn_cases
from lrchecks.report import CheckFailed
from lrcore import quadratic, regression

POOLS = course_pools(REPO, "ps01_constant_lr")
EVERY_POOLED_CASE = every_pooled_case("ps01_constant_lr")


@pytest.fixture(autouse=True)
def every_hidden_case():
    """The hidden checks run every case of the committed pools (a student gets a few)."""
    with drawn_cases(EVERY_POOLED_CASE):
        yield


def gd_numpy(lr, num_iterations, x0, a=1.0):
    x, history = float(x0), []
    for _ in range(num_iterations):
        x = x - lr * 2 * a * x
        history.append(x)
    return np.array(history)


def test_correct_numpy_and_torch_pass(capsys):
    ps01.check_gradient_descent_numpy(gd_numpy)
    ps01.check_gradient_descent_numpy_unseen(gd_numpy)
    ps01.check_optimize_published(make_optimize())
    ps01.check_optimize_unseen(make_optimize())
    assert capsys.readouterr().out.count("✓") == 4


def test_numpy_function_passes_the_torch_check_too():
    def numpy_optimize(lr, n, x0):
        xs = gd_numpy(lr, n, x0)
        return xs, np.full(n, lr)

    ps01.check_optimize_published(numpy_optimize)
    ps01.check_optimize_unseen(numpy_optimize)


test_numpy_mistakes_are_named = mistakes_named_by(ps01.check_gradient_descent_numpy, [
    (lambda lr, n, x0, a=1.0: gd_numpy(-lr, n, x0, a), "sign is flipped"),
    (lambda lr, n, x0, a=1.0: gd_numpy(lr / 2, n, x0, a), re.escape("f'(x) = a·x")),
    (lambda lr, n, x0, a=1.0: gd_numpy(lr, n + 1, x0, a), "one step too many"),
    (lambda lr, n, x0, a=1.0: gd_numpy(lr, n - 1, x0, a), "one step too few"),
    (lambda lr, n, x0, a=1.0: np.trunc(gd_numpy(lr, n, x0, a)), "whole numbers"),
    (lambda lr, n, x0, a=1.0: np.concatenate(([x0], gd_numpy(lr, n - 1, x0, a))), "shifted"),
    (lambda lr, n, x0, a=1.0: None, "forget to `return`"),
])


test_torch_mistakes_are_named = mistakes_named_by(ps01.check_optimize_published, [
    ({"zero_grad": False}, "zero_grad"),
    ({"record_before": True}, "shifted by one step"),
    ({"integer": True}, "x0 was an integer"),
    ({"extra_step": True}, "one step too many"),
], student=lambda kwargs: make_optimize(**kwargs))


def test_hard_coded_published_answers_fail_the_hidden_check():
    published = {lr: quadratic.optimize(lr, 20, 500.0) for lr in (1.05, 0.1)}

    def hard_coded(lr, n, x0):
        return published[lr]

    ps01.check_optimize_published(hard_coded)
    with pytest.raises(CheckFailed):
        ps01.check_optimize_unseen(hard_coded)


def test_the_reference_itself_is_not_accepted():
    with pytest.raises(CheckFailed, match="yourself"):
        ps01.check_optimize_published(quadratic.optimize)


def test_thresholds():
    ps01.check_divergence_threshold_on_paper(lambda a: 1 / a, hidden=True)
    with pytest.raises(CheckFailed, match="1 − 2a·lr"):
        ps01.check_divergence_threshold_on_paper(lambda a: 1 / (2 * a))
    with pytest.raises(CheckFailed, match="0.1 %"):
        ps01.check_divergence_threshold_by_experiment(lambda a: 1.0, hidden=True)
    ps01.check_divergence_threshold_by_experiment(lambda a: 1 / a * (1 + 5e-4), hidden=True)


def test_iterations_needed():
    def simulate(lr, x0, tol=1e-3, a=1.0):
        return quadratic.iterations_to_tolerance(lr, x0, tol, a)

    ps01.check_iterations_needed(simulate)
    ps01.check_iterations_needed(simulate, hidden=True)
    with pytest.raises(CheckFailed, match="Off by one"):
        ps01.check_iterations_needed(lambda lr, x0, tol=1e-3, a=1.0: (simulate(lr, x0, tol, a)
                                                                       or 0) + 1)
    def infinite_for_never(lr, x0, tol=1e-3, a=1.0):
        steps = simulate(lr, x0, tol, a)
        return math.inf if steps is None else steps

    with pytest.raises(CheckFailed, match="return None"):
        ps01.check_iterations_needed(infinite_for_never)


def test_hidden_iteration_cases_are_far_from_rounding_boundaries():
    """A closed-form ceil() and a simulation must agree on every graded case."""
    hidden = [tuple(case["params"]) for case in EVERY_POOLED_CASE["ps01.iterations_needed"]]
    for lr, x0, tol, a in list(ps01.ITERATION_CASES_VISIBLE) + hidden:
        q = abs(1 - 2 * a * lr)
        if abs(x0) < tol or q >= 1 or q == 0:
            continue
        exact = math.log(tol / abs(x0)) / math.log(q)
        assert abs(exact - round(exact)) > 1e-6
        assert quadratic.iterations_to_tolerance(lr, x0, tol, a) == math.floor(exact) + 1


def runs_figure(log=True, absolute=True, labels=True, start=1):
    runs = [(f"lr = {lr}" if labels else None, *quadratic.optimize(lr, 20, 500.0))
            for lr in ps01.RUN_LRS]
    return x_and_lr_figure(runs, start=start, log=log, absolute=absolute)


def test_runs_figure_checks():
    fig = assert_figure_checks_pass_and_name_mistakes(
        ps01.check_runs_figure_layout, ps01.check_runs_figure_x, ps01.check_runs_figure_lr,
        runs_figure)
    with pytest.raises(CheckFailed, match="no legend"):
        ps01.check_runs_figure_layout(runs_figure(labels=False))
    with pytest.raises(CheckFailed, match="labelled with lr = 0.01"):
        ps01.check_runs_figure_x(runs_figure(labels=False))
    with pytest.raises(CheckFailed, match="2 panels"):
        ps01.check_parabola_figure(fig)
    with pytest.raises(CheckFailed, match="Figure"):
        ps01.check_runs_figure_layout("fig")
    plt.close("all")


def test_missing_run_and_extra_run_are_named():
    fig, (ax_x, ax_lr) = plt.subplots(1, 2)
    for lr in ps01.RUN_LRS[:-1] + (0.7,):
        xs, _ = quadratic.optimize(lr, 20, 500.0)
        ax_x.plot(np.arange(1, 21), np.abs(xs), label=f"lr={lr}")
    ax_x.legend()
    with pytest.raises(CheckFailed, match="lr = 1.05"):
        ps01.check_runs_figure_x(fig)
    plt.close("all")


def parabola_figure(trajectory=True):
    """fig_parabola: the parabola, and (`trajectory`) the points of the lr = 0.9 run."""
    fig, ax = plt.subplots()
    grid = np.linspace(-600, 600, 50)
    ax.plot(grid, grid**2)
    ax.set(xlabel="x", ylabel="f(x)")
    if trajectory:
        xs = np.array([500.0] + quadratic.optimize(0.9, 20, 500.0)[0])
        ax.plot(xs, xs**2, "o-")
    return fig


def test_parabola_figure():
    with pytest.raises(CheckFailed, match="points"):
        ps01.check_parabola_figure(parabola_figure(trajectory=False))
    ps01.check_parabola_figure(parabola_figure())
    plt.close("all")


def torch_regression(X, y, lr, epochs=100):
    return regression.train_linear_regression(X, y, lr, epochs)


def regression_numpy(X, y, lr, epochs=100, loss_after_step=False):
    """Full-batch SGD on the MSE from w = b = 0 (float64 numpy); `loss_after_step`: the loss
    recorded after the update, one epoch late (a sample student's mistake)."""
    w = b = 0.0
    X, y = np.ravel(X).astype(float), np.ravel(y).astype(float)
    out = []
    for _ in range(epochs):
        err = w * X + b - y
        if not loss_after_step:
            out.append(np.mean(err**2))
        w, b = w - lr * 2 * np.mean(err * X), b - lr * 2 * np.mean(err)
        if loss_after_step:
            out.append(np.mean((w * X + b - y) ** 2))
    return out


def sweep_figure(train=regression_numpy, lrs=ps01.REGRESSION_LRS):
    """fig_sweep as the solution draws it: the loss of every lr of `lrs` (REGRESSION_LRS)."""
    fig, ax = plt.subplots()
    X, y = regression.linear_regression_data()
    for lr in lrs:
        ax.plot(train(X, y, lr), label=f"lr {lr}")
    ax.set(xlabel="epoch", ylabel="loss", title="sweep", yscale="log")
    ax.legend()
    return fig


def test_regression_and_sweep_figure():
    own = regression_numpy
    ps01.check_train_linear_regression(own)
    ps01.check_train_linear_regression(own, hidden=True)

    def summed(X, y, lr, epochs=100):
        return own(X, y, lr * len(np.ravel(X)), epochs)

    with pytest.raises(CheckFailed, match="summed"):
        ps01.check_train_linear_regression(lambda X, y, lr, epochs=100: [
            v * len(np.ravel(X)) for v in summed(X, y, lr, epochs)])

    fig = sweep_figure(own, regression.SWEEP_LRS)
    ax, (X, y) = fig.axes[0], regression.linear_regression_data()
    with pytest.raises(CheckFailed, match="lr = 0.85"):
        ps01.check_sweep_figure(fig)  # the published four without the diverging lr
    ax.plot(own(X, y, 0.85), label="lr 0.85")  # float64 numpy, diverging: within tolerance
    ps01.check_sweep_figure(fig)
    plt.close("all")


STUDENTS = ("ada", "grace", "linus", "margaret")
BY_HAND_MISTAKES = {
    "sign flipped": lambda lr, n, x0, a=1.0: gd_numpy(-lr, n, x0, a),
    "half the gradient": lambda lr, n, x0, a=1.0: gd_numpy(lr / 2, n, x0, a),
    "one step too many": lambda lr, n, x0, a=1.0: gd_numpy(lr, n + 1, x0, a),
    "one step too few": lambda lr, n, x0, a=1.0: gd_numpy(lr, n - 1, x0, a),
    "recorded before the step": lambda lr, n, x0, a=1.0: np.concatenate(
        ([x0], gd_numpy(lr, n - 1, x0, a)))[:n],
    "integer x": lambda lr, n, x0, a=1.0: np.array(
        [float(math.trunc(v)) for v in _integer_run(lr, n, x0, a)]),
    "a ignored": lambda lr, n, x0, a=1.0: gd_numpy(lr, n, x0),
}


def _integer_run(lr, n, x0, a):
    x, out = math.trunc(x0), []
    for _ in range(n):
        x = math.trunc(x - lr * 2 * a * x)
        out.append(x)
    return out


def _drawn(student):
    from autograder.hidden.draw import draw_cases
    from autograder.hidden.secret import load_secret

    secret = load_secret(None, "learning-rate-lab")
    return draw_cases(POOLS, secret, "learning-rate-lab", "ps01_constant_lr", student)


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("mistake", list(BY_HAND_MISTAKES), ids=list(BY_HAND_MISTAKES))
def test_each_mistake_fails_every_students_hidden_cases_without_revealing_them(student,
                                                                               mistake):
    cases = _drawn(student)
    with drawn_cases(cases), pytest.raises(CheckFailed) as failure:
        ps01.check_gradient_descent_numpy_unseen(BY_HAND_MISTAKES[mistake])
    message = failure.value.message
    assert message.startswith("A hidden case fails (")
    for case in cases["ps01.gradient_descent_numpy"]:
        for value in case["params"][:3]:
            assert f"{value}" not in message.replace("2a", "").replace("·", " ")


def test_two_students_draw_different_cases_and_a_regrade_the_same():
    assert _drawn("ada") == _drawn("ada")
    assert _drawn("ada") != _drawn("grace")


# --- §6: the noisy gradient -----------------------------------------------------------------------

def noisy_numpy(lrs, x0, noise, a=1.0):
    x, history = x0, []
    for lr, kick in zip(lrs, noise, strict=True):
        x = x - lr * (2 * a * x + kick)
        history.append(x)
    return np.array(history)


def noisy_torch_float32(lrs, x0, noise, a=1.0):
    kicks = torch.as_tensor(np.asarray(noise), dtype=torch.float32)
    x, history = torch.full(kicks.shape[1:], float(x0)), []
    for lr, kick in zip(lrs, kicks, strict=True):
        x = x - lr * (2 * a * x + kick)
        history.append(x)
    return torch.stack(history)


def _one_run_only(lrs, x0, noise, a=1.0):
    x, history = float(x0), np.empty(len(lrs))
    for t, lr in enumerate(lrs):
        x = x - lr * (2 * a * x + noise[t])
        history[t] = x
    return history


test_noisy_mistakes_are_named = mistakes_named_by(ps01.check_noisy_descent, [
    (lambda lrs, x0, noise, a=1.0: noisy_numpy(lrs, x0, np.zeros_like(np.asarray(noise)), a)
     - 0, "ignores the noise"),
    (lambda lrs, x0, noise, a=1.0: noisy_numpy(lrs, x0, -np.asarray(noise), a), "wrong sign"),
    (lambda lrs, x0, noise, a=1.0: noisy_numpy(lrs, x0, np.asarray(noise), a / 2),
     "half as long"),
    (lambda lrs, x0, noise, a=1.0: np.concatenate(
        ([np.full(np.shape(noise)[1:], float(x0))], noisy_numpy(lrs, x0, noise, a)[:-1])),
     "shifted by one step"),
    (_one_run_only, "one value per run"),
])


def test_noise_added_outside_the_lr_is_named_without_revealing_a_hidden_case():
    outside = noise_outside_lr
    with pytest.raises(CheckFailed, match="outside the learning rate"):
        ps01.check_noisy_descent(outside)
    with pytest.raises(CheckFailed) as failure:
        ps01.check_noisy_descent(outside, hidden=True)
    message = failure.value.message
    assert message.startswith("A hidden case fails (") and "outside the learning rate" in message
    assert "[" not in message and "array" not in message


def noise_figure(average="losses", log_x=True, decaying_label="decaying", start=False):
    noise = ps01.NOISE_STD * np.random.default_rng(ps01.NOISE_SEED).standard_normal(
        (ps01.NOISY_ITERATIONS, ps01.NOISY_RUNS))
    decaying = ps01.DECAY_LR0 / (1 + np.arange(ps01.NOISY_ITERATIONS) / ps01.DECAY_TAU)
    runs = {f"lr = {lr}": np.full(ps01.NOISY_ITERATIONS, lr) for lr in ps01.NOISY_LRS}
    runs[decaying_label] = decaying
    fig, ax = plt.subplots()
    for label, lrs in runs.items():
        xs = noisy_numpy(lrs, ps01.NOISY_X0, noise)
        curve = np.mean(xs**2, axis=1) if average == "losses" else np.mean(xs, axis=1) ** 2
        steps = np.arange(1, ps01.NOISY_ITERATIONS + 1)
        if start:
            steps, curve = np.arange(ps01.NOISY_ITERATIONS + 1), [ps01.NOISY_X0**2, *curve]
        ax.plot(steps, curve, label=label)
    ax.set(xscale="log" if log_x else "linear", yscale="log", xlabel="step", ylabel="loss",
           title="noise floors")
    ax.legend()
    return fig


def test_noise_figure_checks():
    ps01.check_noise_figure(noise_figure())
    ps01.check_noise_figure(noise_figure(start=True, decaying_label="1/t decay"))
    with pytest.raises(CheckFailed, match="square of the runs' mean x"):
        ps01.check_noise_figure(noise_figure(average="x"))
    with pytest.raises(CheckFailed, match="x-axis of fig_noise should use a log scale"):
        ps01.check_noise_figure(noise_figure(log_x=False))
    with pytest.raises(CheckFailed, match="'decaying' run"):
        ps01.check_noise_figure(noise_figure(decaying_label="schedule"))
    plt.close("all")


# --- §7: the valley -------------------------------------------------------------------------------

def valley_numpy(lr, n, start, curvatures):
    point, a, history = np.array(start, float), np.array(curvatures, float), []
    for _ in range(n):
        point = point - lr * 2 * a * point
        history.append(point)
    return np.array(history)


def valley_torch_float32(lr, n, start, curvatures):
    point = torch.tensor([float(v) for v in start])
    a = torch.tensor([float(v) for v in curvatures])
    history = []
    for _ in range(n):
        point = point - lr * 2 * a * point
        history.append(point)
    return torch.stack(history)


@pytest.mark.parametrize(("check", "function"), [
    (ps01.check_noisy_descent, noisy_numpy),
    (ps01.check_noisy_descent, noisy_torch_float32),
    (ps01.check_descent_2d, valley_numpy),
    (ps01.check_descent_2d, valley_torch_float32),
])
def test_noisy_and_2d_descent_right_in_float64_and_float32_on_every_pooled_case(check, function):
    check(function)
    check(function, hidden=True)


test_valley_mistakes_are_named = mistakes_named_by(ps01.check_descent_2d, [
    (lambda lr, n, s, c: valley_numpy(lr, n, s, tuple(c)[::-1]), "curvatures are swapped"),
    (lambda lr, n, s, c: valley_numpy(lr, n, s, (c[0], c[0])), "first curvature"),
    (lambda lr, n, s, c: valley_numpy(lr, n, s, c).T, "one row per coordinate"),
    (lambda lr, n, s, c: valley_numpy(-lr, n, s, c), "sign is flipped"),
])


def valley_figure(lrs=ps01.VALLEY_LRS, absolute=True, swapped=False):
    fig, axes = plt.subplots(1, 2)
    curvatures = ps01.VALLEY_CURVATURES[::-1] if swapped else ps01.VALLEY_CURVATURES
    for ax, lr in zip(axes, lrs, strict=True):
        path = valley_numpy(lr, ps01.VALLEY_ITERATIONS, ps01.VALLEY_START, curvatures)
        shown = np.abs(path) if absolute else path
        ax.plot(np.arange(1, 101), shown[:, 0], label="|x| (steep)")
        ax.plot(np.arange(1, 101), shown[:, 1], label="|y| (flat)")
        ax.set(yscale="log", xlabel="iteration", title=f"lr = {lr}")
        ax.legend()
    return fig


def test_valley_figure_checks():
    ps01.check_valley_figure(valley_figure())
    with pytest.raises(CheckFailed, match="left panel"):
        ps01.check_valley_figure(valley_figure(lrs=ps01.VALLEY_LRS[::-1]))
    with pytest.raises(CheckFailed, match="not |x|"):
        ps01.check_valley_figure(valley_figure(absolute=False))
    with pytest.raises(CheckFailed, match="curvatures are swapped"):
        ps01.check_valley_figure(valley_figure(swapped=True))
    plt.close("all")


# --- grading mode: the kernel asks, the judge decides -------------------------------------------

def noise_outside_lr(lrs, x0, noise, a=1.0):
    """A sample student's mistake: the noise added outside the learning rate."""
    x, history = x0, []
    for lr, kick in zip(lrs, noise, strict=True):
        x = x - lr * 2 * a * x - kick
        history.append(x)
    return np.array(history)


def curvatures_swapped(lr, n, start, curvatures):
    """A sample student's mistake: a_x and a_y swapped."""
    return valley_numpy(lr, n, start, tuple(curvatures)[::-1])


def wrong_first_then_raising(lr, n, x0, a=1.0):
    """Wrong (the sign flipped) on the first published run (lr = 1.05), raising on the second
    (lr = 0.1): Validate names the first run's mistake, and so must the judge."""
    if lr == 0.1:
        raise ValueError("boom")
    return gd_numpy(-lr, n, x0, a)


def iterations_by_simulation(lr, x0, tol=1e-3, a=1.0):
    return quadratic.iterations_to_tolerance(lr, x0, tol, a)


def solution_calls():
    """(check, the solution's answer, keyword arguments): every judged check of ps01, each
    hidden check on every pooled case."""
    optimize = make_optimize()
    with_hidden = [
        (ps01.check_divergence_threshold_on_paper, lambda a: 1 / a),
        (ps01.check_divergence_threshold_by_experiment, lambda a: 1 / a * (1 + 5e-4)),
        (ps01.check_iterations_needed, iterations_by_simulation),
        (ps01.check_train_linear_regression, regression_numpy),
        (ps01.check_noisy_descent, noisy_numpy),
        (ps01.check_descent_2d, valley_numpy),
    ]
    runs = runs_figure()
    return [
        (ps01.check_gradient_descent_numpy, gd_numpy, {}),
        (ps01.check_gradient_descent_numpy_unseen, gd_numpy, {}),
        (ps01.check_optimize_published, optimize, {}),
        (ps01.check_optimize_unseen, optimize, {}),
        *[(check, answer, kwargs) for check, answer in with_hidden
          for kwargs in ({}, {"hidden": True})],
        (ps01.check_runs_figure_layout, runs, {}),
        (ps01.check_runs_figure_x, runs, {}),
        (ps01.check_runs_figure_lr, runs, {}),
        (ps01.check_parabola_figure, parabola_figure(), {}),
        (ps01.check_sweep_figure, sweep_figure(), {}),
        (ps01.check_noise_figure, noise_figure(), {}),
        (ps01.check_valley_figure, valley_figure(), {}),
    ]


def test_a_grading_kernel_only_asks_every_check_and_the_judge_passes_the_solution(recorded,
                                                                                   capsys):
    calls = solution_calls()
    judged_checks = {getattr(ps01, name) for name in ps01.__all__
                     if getattr(getattr(ps01, name), "__lrlab_judged__", False)}
    assert {check for check, _, _ in calls} == judged_checks
    for check, answer, kwargs in calls:
        check(answer, **kwargs)
    assert capsys.readouterr().out == ""  # no verdict in the kernel: nothing decided there
    assert len(recorded) == len(calls)
    for record, (check, _, kwargs) in zip(recorded, calls, strict=True):
        assert record["asked"] is True and record["failed"] is False, check.__name__
        printed = evidence.replay_check(check, record, kwargs)
        assert printed and printed[0].startswith("✓"), check.__name__
    plt.close("all")


WRONG_ANSWERS = [
    # (check, the wrong answer, keyword arguments, words of Validate's message)
    (ps01.check_gradient_descent_numpy, BY_HAND_MISTAKES["sign flipped"], {}, "sign is flipped"),
    (ps01.check_gradient_descent_numpy, wrong_first_then_raising, {},
     "gradient_descent_numpy(1.05, 20, 500.0)"),
    (ps01.check_gradient_descent_numpy_unseen, BY_HAND_MISTAKES["one step too many"], {},
     "A hidden case fails ("),
    (ps01.check_optimize_published, make_optimize(zero_grad=False), {}, "zero_grad"),
    (ps01.check_divergence_threshold_on_paper, lambda a: 1 / (2 * a), {}, "1 − 2a·lr"),
    (ps01.check_iterations_needed,
     lambda lr, x0, tol=1e-3, a=1.0: (iterations_by_simulation(lr, x0, tol, a) or 0) + 1, {},
     "Off by one"),
    (ps01.check_train_linear_regression,
     lambda X, y, lr, epochs=100: regression_numpy(X, y, lr, epochs, loss_after_step=True),
     {"hidden": True}, "one epoch late"),
    (ps01.check_noisy_descent, noise_outside_lr, {}, "outside the learning rate"),
    (ps01.check_descent_2d, curvatures_swapped, {}, "curvatures are swapped"),
]


@pytest.mark.parametrize(("check", "answer", "kwargs", "words"), WRONG_ANSWERS,
                         ids=[f"{check.__name__}-{number}"
                              for number, (check, *_) in enumerate(WRONG_ANSWERS)])
def test_a_wrong_answer_gets_validates_message_from_the_judge(check, answer, kwargs, words,
                                                              recorded, monkeypatch):
    check(answer, **kwargs)  # grading: the kernel asks and raises nothing
    (record,) = recorded
    assert record["asked"] is True and record["failed"] is False
    with pytest.raises(evidence.Replayed) as judged:
        evidence.replay_check(check, record, kwargs)
    assert judged.value.decided_outside
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH)
    with pytest.raises(CheckFailed) as validate:
        check(answer, **kwargs)
    assert judged.value.message == validate.value.message
    assert words in validate.value.message


@pytest.mark.parametrize(("check", "figure", "words"), [
    (ps01.check_runs_figure_x, lambda: runs_figure(absolute=False), "not |x|"),
    (ps01.check_parabola_figure, lambda: parabola_figure(trajectory=False), "points"),
    (ps01.check_valley_figure, lambda: valley_figure(swapped=True), "curvatures are swapped"),
], ids=["runs_x", "parabola", "valley"])
def test_a_wrong_figure_gets_validates_message_from_the_judge(check, figure, words, recorded,
                                                              monkeypatch):
    check(figure())
    (record,) = recorded
    assert record["asked"] is True and record["failed"] is False
    with pytest.raises(evidence.Replayed) as judged:
        evidence.replay_check(check, record, {})
    monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH)
    with pytest.raises(CheckFailed) as validate:
        check(figure())
    assert judged.value.message == validate.value.message and words in validate.value.message
    plt.close("all")
