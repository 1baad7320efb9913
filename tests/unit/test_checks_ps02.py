"""lrchecks.ps02 on plain Python functions: right answers pass, each mistake is named,
hard-coded answers fail the hidden checks, and the references are torch's own numbers."""

from __future__ import annotations

import math
import warnings
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CyclicLR,
    ExponentialLR,
    LinearLR,
    OneCycleLR,
    SequentialLR,
    StepLR,
)

from lrchecks import ps02
from lrchecks.report import CheckFailed
from lrcore import quadratic
from lrcore import schedules as sched

# --- correct answers ---------------------------------------------------------------------------


def make_optimize(first=False, twice=False, read_after=False, never=False, ignored=False,
                  in_loop=False, zero_grad=True, nested_lrs=False):
    """optimize(initial_lr, n, x0, scheduler=None), right or with one loop mistake."""

    def optimize(initial_lr, num_iterations, x0, scheduler=None):
        x = torch.tensor(float(x0), requires_grad=True)
        opt = torch.optim.SGD([x], lr=initial_lr)
        built = scheduler(opt) if scheduler is not None and not (ignored or in_loop) else None
        xs, lrs = [], []
        for _ in range(num_iterations):
            if in_loop and scheduler is not None:
                built = scheduler(opt)
            if zero_grad:
                opt.zero_grad()
            (x**2).backward()
            if first and built:
                built.step()
            if not read_after:
                lrs.append(built.get_last_lr() if nested_lrs and built
                           else opt.param_groups[0]["lr"])
            opt.step()
            xs.append(x.item())
            if built and not (first or never):
                built.step()
                if twice:
                    built.step()
            if read_after:
                lrs.append(opt.param_groups[0]["lr"])
        return xs, lrs

    return optimize


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


def momentum_history(scheduler, num_iterations, initial_lr=1.05, shift=0):
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
        if not shift:
            built.step()
    return seen


def test_right_answers_pass_every_check_and_stay_off_stderr(capsys):
    optimize = make_optimize()
    ps02.check_optimize_with_scheduler(optimize)
    ps02.check_optimize_with_scheduler_unseen(optimize)
    ps02.check_rescue_final_x(RESCUE, optimize)
    for check, function in ((ps02.check_step_decay, step_decay),
                            (ps02.check_exponential_decay, exponential_decay),
                            (ps02.check_cosine_annealing, cosine_annealing),
                            (ps02.check_linear_warmup, linear_warmup),
                            (ps02.check_warmup_cosine, warmup_cosine),
                            (ps02.check_scheduler_first_pitfall, optimize_scheduler_first),
                            (ps02.check_momentum_history, momentum_history)):
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

    ps02.check_optimize_with_scheduler_unseen(tensors)
    ps02.check_cosine_annealing(
        lambda t, base_lr, T_max, eta_min=0.0: torch.tensor(cosine_annealing(t, base_lr, T_max,
                                                                             eta_min)),
        hidden=True)
    ps02.check_linear_warmup(
        lambda t, base_lr, warmup_steps, start_factor: np.interp(
            t, [0, warmup_steps], [start_factor * base_lr, base_lr]), hidden=True)
    ps02.check_rescue_final_x({**RESCUE, "step": partial(StepLR, step_size=5, gamma=0.5)},
                              make_optimize())


# --- optimize with a scheduler ------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"first": True}, "scheduler.step() is called before optimizer.step()"),
    ({"twice": True}, "twice per iteration"),
    ({"read_after": True}, "the lr is read after scheduler.step()"),
    ({"never": True}, "the scheduler is never stepped"),
    ({"ignored": True}, "not used at all"),
    ({"in_loop": True}, "built anew in every iteration"),
    ({"zero_grad": False}, "zero_grad()"),
])
def test_loop_mistakes_are_named(kwargs, words):
    with pytest.raises(CheckFailed, match=words.replace("(", r"\(").replace(")", r"\)")):
        ps02.check_optimize_with_scheduler(make_optimize(**kwargs))


def test_an_ignored_scheduler_that_sets_the_first_lr_is_named():
    """LinearLR sets lr_0 = start_factor·lr when built: ignoring it differs from not stepping it."""
    ps02_case = ps02.UNSEEN_RUNS[2]
    with pytest.raises(CheckFailed, match="the scheduler is not used"):
        ps02._check_optimize_runs(make_optimize(ignored=True), [ps02_case])
    with pytest.raises(CheckFailed, match="the scheduler is never stepped"):
        ps02._check_optimize_runs(make_optimize(never=True), [ps02_case])
    with pytest.raises(CheckFailed, match="a new scheduler is built in every iteration"):
        ps02._check_optimize_runs(make_optimize(in_loop=True), [ps02_case])


def test_loop_mistakes_are_named_on_hidden_cases_too():
    with pytest.raises(CheckFailed, match="before optimizer.step"):
        ps02.check_optimize_with_scheduler_unseen(make_optimize(first=True))
    with pytest.raises(CheckFailed, match="twice per iteration"):
        ps02.check_optimize_with_scheduler_unseen(make_optimize(twice=True))


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
    with pytest.raises(CheckFailed):
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


# --- the rescue figure --------------------------------------------------------------------------


def rescue_figure(log=True, labels=None, absolute=True, runs=None, start=1):
    runs = runs or {"constant": None, **RESCUE}
    fig, (ax_x, ax_lr) = plt.subplots(1, 2)
    for name, factory in runs.items():
        xs, lrs = quadratic.optimize(1.05, 20, 500.0, factory)
        label = (labels or {}).get(name, name)
        steps = np.arange(start, start + 20)
        ax_x.plot(steps, np.abs(xs) if absolute else xs, label=label)
        ax_lr.plot(steps, lrs, label=label)
    ax_x.set(xlabel="iteration", ylabel="|x|", title="x", yscale="log" if log else "linear")
    ax_lr.set(xlabel="iteration", ylabel="learning rate", title="lr")
    ax_x.legend()
    ax_lr.legend()
    return fig


def test_rescue_figure_checks():
    fig = rescue_figure()
    ps02.check_rescue_figure_layout(fig)
    ps02.check_rescue_figure_x(fig)
    ps02.check_rescue_figure_lr(fig)
    ps02.check_rescue_figure_x(rescue_figure(start=0))
    torch_names = {"step": "StepLR", "exponential": "ExponentialLR", "cosine": "Cosine",
                   "warmup": "LinearLR + cosine", "cyclic": "CyclicLR", "one_cycle": "OneCycleLR",
                   "constant": "lr = 1.05 (no scheduler)"}
    ps02.check_rescue_figure_x(rescue_figure(labels=torch_names))
    with pytest.raises(CheckFailed, match="log scale"):
        ps02.check_rescue_figure_layout(rescue_figure(log=False))
    with pytest.raises(CheckFailed, match="not |x|"):
        ps02.check_rescue_figure_x(rescue_figure(absolute=False))
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
    with pytest.raises(CheckFailed, match="'step' line is wrong. It looks like scheduler.step"):
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
     "The warmup part is wrong. Your warmup starts at 0"),
]


@pytest.mark.parametrize(("check", "function", "words"), FORMULA_BUGS)
def test_formula_mistakes_are_named(check, function, words):
    with pytest.raises(CheckFailed, match=words):
        check(function)
        check(function, hidden=True)


def test_a_clamped_cosine_inside_warmup_cosine_is_caught_by_the_hidden_check():
    def clamped(t, b, k, T, sf):
        return warmup_cosine(t, b, k, T, sf) if t - k <= T else 0.0

    ps02.check_warmup_cosine(clamped)  # the visible run stops before T_max
    with pytest.raises(CheckFailed, match="The cosine part is wrong.*not clamped"):
        ps02.check_warmup_cosine(clamped, hidden=True)


def test_hard_coded_visible_values_fail_the_hidden_formula_checks():
    for name, (visible, _) in ps02.FORMULA_CASES.items():
        case = visible[0]
        parameters = ps02._formula_parameters(name, case)
        remembered = ps02._formula_reference(name, parameters)[0].values(case.n)
        check = getattr(ps02, f"check_{name}")

        def hard_coded(t, *args, remembered=remembered, **kwargs):
            return float(remembered[min(t, len(remembered) - 1)])

        if len(visible) == 1:
            check(hard_coded)
        with pytest.raises(CheckFailed):
            check(hard_coded, hidden=True)


def test_every_formula_mistake_is_caught_by_the_visible_or_the_hidden_cases():
    from lrcore.mistakes.schedules import formula_mistake_values

    for name, (visible, hidden) in ps02.FORMULA_CASES.items():
        for mistake in ps02.FORMULA_EXPLANATIONS[name]:
            caught = set()
            for where, cases in (("visible", visible), ("hidden", hidden)):
                for case in cases:
                    parameters = ps02._formula_parameters(name, case)
                    truth = ps02._formula_reference(name, parameters)[0].values(case.n)
                    values = formula_mistake_values(name, case.n, **parameters)[mistake]
                    if not np.allclose(values, truth, rtol=1e-5, atol=1e-12):
                        caught.add(where)
            assert "hidden" in caught, (name, mistake)


def test_the_formula_references_are_torch():
    """The checks compare with lrcore; lrcore's values here are torch's own, case by case."""
    classes = {"step_decay": lambda p: (StepLR, {"step_size": p["step_size"],
                                                 "gamma": p["gamma"]}),
               "exponential_decay": lambda p: (ExponentialLR, {"gamma": p["gamma"]}),
               "cosine_annealing": lambda p: (CosineAnnealingLR, {"T_max": p["T_max"],
                                                                   "eta_min": p["eta_min"]}),
               "linear_warmup": lambda p: (LinearLR, {"start_factor": p["start_factor"],
                                                      "total_iters": p["warmup_steps"]})}
    for name, (visible, hidden) in ps02.FORMULA_CASES.items():
        for case in visible + hidden:
            parameters = ps02._formula_parameters(name, case)
            x = torch.zeros(1, requires_grad=True)
            opt = torch.optim.SGD([x], lr=parameters["base_lr"])
            if name == "warmup_cosine":
                k = parameters["warmup_steps"]
                torch_scheduler = SequentialLR(opt, [
                    LinearLR(opt, start_factor=parameters["start_factor"], total_iters=k),
                    CosineAnnealingLR(opt, T_max=parameters["T_max"])], milestones=[k])
            else:
                cls, kwargs = classes[name](parameters)
                torch_scheduler = cls(opt, **kwargs)
            lrs = []
            for _ in range(case.n):
                lrs.append(opt.param_groups[0]["lr"])
                opt.step()
                torch_scheduler.step()
            reference = ps02._formula_reference(name, parameters)[0].values(case.n)
            np.testing.assert_allclose(reference, lrs, rtol=1e-12, atol=1e-15)


def test_the_scheduler_cases_match_their_lrcore_schedules():
    """Every torch case the checks build has the lrcore twin its diagnosis uses."""
    cases = [(lr, n, case) for lr, n, _, case in ps02.PUBLISHED_RUNS + ps02.UNSEEN_RUNS if case]
    cases += [(1.05, 20, case) for case in ps02.RESCUE_SCHEDULERS.values()]
    cases += [(1.05, 20, case) for case in ps02.MOMENTUM_ON.values()]
    cases += [(1.05, n, case) for case, n in sum(ps02.MOMENTUM_CASES, ())]
    for lr, n, case in cases:
        _, lrs = quadratic.optimize(lr, n, 1.0, case.factory)
        np.testing.assert_allclose(case.schedule(lr).values(n), lrs, rtol=1e-12,
                                   err_msg=case.text)


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


def test_scheduler_first_pitfall_messages():
    with pytest.raises(CheckFailed, match="on purpose"):
        ps02.check_scheduler_first_pitfall(lambda lr, n, x0, s: make_optimize()(lr, n, x0, s))

    def lr_before(initial_lr, n, x0, scheduler):
        x = torch.tensor(float(x0), requires_grad=True)
        opt = torch.optim.SGD([x], lr=initial_lr)
        built = scheduler(opt)
        xs, lrs = [], []
        for _ in range(n):
            opt.zero_grad()
            (x**2).backward()
            lrs.append(opt.param_groups[0]["lr"])
            built.step()
            opt.step()
            xs.append(x.item())
        return xs, lrs

    with pytest.raises(CheckFailed, match="Record the lr each step used"):
        ps02.check_scheduler_first_pitfall(lr_before)
    with pytest.raises(CheckFailed, match="move scheduler.step"):
        ps02.check_scheduler_first_pitfall(make_optimize(twice=True))


def test_momentum_history_messages():
    with pytest.raises(CheckFailed, match="one step ahead"):
        ps02.check_momentum_history(partial(momentum_history, shift=1))
    with pytest.raises(CheckFailed, match="sets the momentum of every step"):
        ps02.check_momentum_history(lambda scheduler, n, initial_lr=1.05: [0.0] * n)
    with pytest.raises(CheckFailed, match="the momentum differs at step 2"):
        ps02.check_momentum_history(lambda scheduler, n, initial_lr=1.05: [0.9] * n,
                                    hidden=True)


def test_the_one_cycle_pitfall_is_the_published_one():
    default = ps02.MOMENTUM_ON["one_cycle"].factory
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs, _ = quadratic.optimize(1.05, 20, 500.0, default)
    assert xs[-1] == pytest.approx(218.0, rel=1e-4)
    assert quadratic.optimize(1.05, 20, 500.0, RESCUE["one_cycle"])[0][-1] == pytest.approx(
        1.66e-07, rel=1e-2)
