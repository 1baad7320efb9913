"""lrchecks.ps03 on plain Python functions: right answers pass, each mistake is named,
hard-coded answers fail the hidden checks."""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from lrchecks import ps03
from lrchecks.report import CheckFailed
from lrcore import digits
from lrcore.batch_size import linear_scaled_lr, sqrt_scaled_lr
from lrcore.digits import BATCH_SIZES, N_TRAIN, train

# --- correct student code, in two styles ------------------------------------------------------


def linear(base_lr, batch_size, base_batch_size=256):
    return base_lr * batch_size / base_batch_size


def root(base_lr, batch_size, base_batch_size=256):
    return base_lr * math.sqrt(batch_size / base_batch_size)


def warmup(step, target_lr, warmup_steps):
    if step + 1 >= warmup_steps:
        return target_lr
    return target_lr * (step + 1) / warmup_steps


def sweep(batch_sizes, scaling_rule=None, warmup_epochs=0, base_lr=digits.BASE_LR,
          base_batch_size=digits.BASE_BATCH_SIZE, epochs=digits.EPOCHS, seed=0):
    runs = {}
    for b in batch_sizes:
        lr = base_lr if scaling_rule is None else scaling_rule(base_lr, b, base_batch_size)
        runs[b] = train(b, lr, epochs, warmup_steps=warmup_epochs * math.ceil(N_TRAIN / b),
                        seed=seed)
    return runs


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
            reference = {"best": min(smoother(raw, beta)), "first": smoother(raw, beta)[0],
                         "never": math.inf}[stop]
            if value > diverge_factor * reference:
                if record_last:
                    rates.append(lr)
                    recorded.append(value)
                break
            rates.append(lr)
            recorded.append(value)
        return rates, recorded
    return lr_range_test


def suggest(lrs, smoothed_losses):
    return lrs[int(np.argmin(smoothed_losses))] / 10


def test_correct_functions_pass_visible_and_hidden(capsys):
    for hidden in (False, True):
        ps03.check_linear_scaled_lr(linear, hidden=hidden)
        ps03.check_sqrt_scaled_lr(root, hidden=hidden)
        ps03.check_warmup_lr(warmup, hidden=hidden)
        ps03.check_batch_size_sweep(sweep, hidden=hidden)
        ps03.check_exponential_lrs(exp_lrs, hidden=hidden)
        ps03.check_smooth_losses(smooth, hidden=hidden)
        ps03.check_lr_range_test(make_range_test(), hidden=hidden)
        ps03.check_suggest_lr(suggest, hidden=hidden)
    assert capsys.readouterr().out.count("✓") == 16


def test_other_correct_styles_pass():
    # torch tensors and numpy scalars; a range test that leaves the diverging step out.
    ps03.check_linear_scaled_lr(rule(lambda lr, b, b0: torch.tensor(lr) * b / b0), hidden=True)
    ps03.check_sqrt_scaled_lr(rule(lambda lr, b, b0: np.float64(lr) * (b / b0) ** 0.5),
                              hidden=True)
    ps03.check_warmup_lr(lambda t, lr, k: lr * min(1.0, (t + 1) / k) if k else lr, hidden=True)
    ps03.check_exponential_lrs(
        lambda s, e, n: torch.logspace(math.log10(s), math.log10(e), n, dtype=torch.float64),
        hidden=True)
    ps03.check_smooth_losses(lambda losses, beta=0.98: np.array(smooth(losses, beta)),
                             hidden=True)
    ps03.check_lr_range_test(make_range_test(record_last=False), hidden=True)
    ps03.check_suggest_lr(lambda lrs, losses: min(zip(losses, lrs, strict=True))[1] * 0.1,
                          hidden=True)


def rule(formula):
    """A student's scaling rule with the asked signature, computing formula(lr, b, b0)."""
    def scaled_lr(base_lr, batch_size, base_batch_size=256):
        return formula(base_lr, batch_size, base_batch_size)
    return scaled_lr


def failure(check, function, hidden=False) -> str:
    with pytest.raises(CheckFailed) as raised:
        check(function, hidden=hidden)
    return raised.value.message


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


def test_warmup_dividing_by_zero_is_explained():
    message = failure(ps03.check_warmup_lr,
                      lambda t, lr, k: lr * min(1.0, (t + 1) / k), hidden=True)
    assert "ZeroDivisionError" in message and "no warmup: return target_lr" in message


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
    (lambda sizes, scaling_rule=None, warmup_epochs=0, base_lr=0.1, base_batch_size=16,
     epochs=10, seed=0: {b: train(b, scaling_rule(base_lr, b, base_batch_size), epochs,
                                  warmup_steps=warmup_epochs * math.ceil(N_TRAIN / b))
                         for b in sizes},
     None),  # seed dropped: only the hidden cases use another seed
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
    table = {(0.1, 256, 256): 0.1, (0.1, 1024, 256): 0.4, (0.1, 64, 256): 0.025,
             (0.05, 64, 16): 0.2}
    hard_coded = rule(lambda lr, b, b0: table.get((lr, b, b0), 0.2))
    ps03.check_linear_scaled_lr(hard_coded)
    assert failure(ps03.check_linear_scaled_lr, hard_coded, hidden=True)
    visible = [warmup(t, 0.4, 4) for t in range(8)]
    hard = lambda t, lr, k: visible[t] if (lr, k) == (0.4, 4) else lr  # noqa: E731
    with pytest.raises(CheckFailed):
        ps03.check_warmup_lr(hard, hidden=True)
    recorded = make_range_test()(ps03._CountingStep(a=1.0, w0=3.0, seed=0))

    def replay(train_step, **options):
        for lr in recorded[0]:
            train_step(lr)
        return recorded

    ps03.check_lr_range_test(replay)
    assert failure(ps03.check_lr_range_test, replay, hidden=True)


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


def test_batch_size_figure_passes_and_accepts_percent():
    for fig in (batch_figure(), batch_figure(percent=True)):
        ps03.check_batch_size_figure_layout(fig)
        ps03.check_batch_size_figure_lines(fig)
        plt.close(fig)


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


def test_range_test_figure_passes():
    for fig in (range_figure(), range_figure(vlines=True)):
        ps03.check_range_test_figure(fig)
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
