"""lrchecks.ps05 on plain Python code: right answers pass (written in several ways),
each diagnosis is triggered by the buggy code it names, hard-coded answers fail hidden checks."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lrchecks import ps05
from lrchecks.report import CheckFailed
from lrcore import classification as C
from lrcore import plateau_challenge
from lrcore.mistakes import optim as mistakes
from lrcore.regression import SWEEP_LRS, linear_regression_data

# --- the update rules ------------------------------------------------------------------------


def make_rmsprop(kind="right"):
    def rmsprop_step(param, grad, square_avg, step, lr, alpha=0.99, eps=1e-8):
        if kind == "alpha_swapped":
            v = (1 - alpha) * square_avg + alpha * grad**2
        else:
            v = alpha * square_avg + (1 - alpha) * grad**2
        if kind == "bias_corrected":
            denominator = np.sqrt(v / (1 - alpha**step)) + eps
        elif kind == "eps_inside":
            denominator = np.sqrt(v + eps)
        else:
            denominator = np.sqrt(v) + eps
        if kind == "no_sqrt":
            denominator = v + eps
        return param - lr * grad / denominator, v
    return rmsprop_step


def make_adam(kind="right"):
    def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * exp_avg + (1 - beta1) * grad
        v = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
        t = step + 1 if kind == "from_zero" else step
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        if kind == "no_correction":
            new = param - lr * m / (np.sqrt(v) + eps)
        elif kind == "v_uncorrected":
            new = param - lr * m_hat / (np.sqrt(v) + eps)
        elif kind == "eps_inside":
            new = param - lr * m_hat / np.sqrt(v_hat + eps)
        elif kind == "keras":
            new = param - lr * math.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps)
        else:
            new = param - lr * m_hat / (np.sqrt(v_hat) + eps)
        if kind == "returns_corrected":
            return new, m_hat, v_hat
        return new, m, v
    return adam_step


def torch_adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999,
                    eps=1e-8):
    """A student who wraps torch.optim.Adam around tensors and returns tensors."""
    p = torch.tensor(param, requires_grad=True)
    optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    optimizer.step()  # creates the state (no grad yet: nothing happens)
    state = optimizer.state[p]
    state["step"] = torch.tensor(float(step - 1))
    state["exp_avg"] = torch.tensor(exp_avg)
    state["exp_avg_sq"] = torch.tensor(exp_avg_sq)
    p.grad = torch.tensor(grad)
    optimizer.step()
    return p.detach(), state["exp_avg"], state["exp_avg_sq"]


def test_right_update_rules_pass(capsys):
    ps05.check_rmsprop_step(make_rmsprop())
    ps05.check_rmsprop_step(make_rmsprop(), hidden=True)
    ps05.check_adam_step(make_adam())
    ps05.check_adam_step(make_adam(), hidden=True)
    ps05.check_adam_step(torch_adam_step, hidden=True)
    assert capsys.readouterr().out.count("✓") == 5


@pytest.mark.parametrize(("kind", "words"), [
    ("bias_corrected", "does not need `step`"),
    ("eps_inside", "inside the square root"),
    ("alpha_swapped", "weights swapped"),
    ("no_sqrt", "coordinate"),
])
def test_rmsprop_mistakes_are_named(kind, words):
    with pytest.raises(CheckFailed, match=words):
        ps05.check_rmsprop_step(make_rmsprop(kind))


@pytest.mark.parametrize(("kind", "words"), [
    ("no_correction", "without bias correction"),
    ("v_uncorrected", "only m is bias-corrected"),
    ("eps_inside", "inside the square root"),
    ("keras", "Keras"),
    ("from_zero", "t \\+ 1"),
    ("returns_corrected", "raw running average"),
])
def test_adam_mistakes_are_named(kind, words):
    with pytest.raises(CheckFailed, match=words):
        ps05.check_adam_step(make_adam(kind))


def test_update_rule_shapes_and_returns():
    with pytest.raises(CheckFailed, match=r"tuple \(param, exp_avg, exp_avg_sq\)"):
        ps05.check_adam_step(lambda p, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8: p)
    with pytest.raises(CheckFailed, match="shape"):
        ps05.check_rmsprop_step(lambda p, g, v, t, lr, alpha=0.99, eps=1e-8: (p[:1], v))
    with pytest.raises(CheckFailed, match="yourself"):
        ps05.check_adam_step(mistakes.adam_step_reference)


def test_hard_coded_visible_trajectories_fail_the_hidden_check():
    recorded = {}

    def recorder(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        result = make_adam()(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps)
        recorded[(tuple(np.round(param, 12)), step)] = result
        return result

    ps05.check_adam_step(recorder)

    def replay(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return recorded.get((tuple(np.round(param, 12)), step), (param, exp_avg, exp_avg_sq))

    ps05.check_adam_step(replay)
    with pytest.raises(CheckFailed):
        ps05.check_adam_step(replay, hidden=True)


# --- the regression sweep ----------------------------------------------------------------------


def make_train_regression(mapping=None, after_step=False, rmsprop_alpha=None, numpy=False):
    classes = {"sgd": (torch.optim.SGD, {}), "momentum": (torch.optim.SGD, {"momentum": 0.9}),
               "adagrad": (torch.optim.Adagrad, {}), "rmsprop": (torch.optim.RMSprop, {}),
               "adam": (torch.optim.Adam, {})}
    if rmsprop_alpha:
        classes["rmsprop"] = (torch.optim.RMSprop, {"alpha": rmsprop_alpha})
    classes.update(mapping or {})

    def train_regression(X, y, optimizer_name, lr, epochs=100):
        cls, options = classes[optimizer_name.lower()]
        features = torch.tensor(X).reshape(-1, 1)
        targets = torch.tensor(y).reshape(-1, 1)
        if numpy:
            features, targets = features.double(), targets.double()
        w = torch.zeros(1, dtype=features.dtype, requires_grad=True)
        b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
        optimizer = cls([w, b], lr=lr, **options)
        losses = []
        for _ in range(epochs + after_step):
            optimizer.zero_grad()
            loss = ((w * features + b - targets) ** 2).mean()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses[1:] if after_step else np.array(losses)
    return train_regression


def test_train_regression_right_ways_pass():
    ps05.check_train_regression(make_train_regression())
    ps05.check_train_regression(make_train_regression(numpy=True), hidden=True)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"mapping": {"momentum": (torch.optim.SGD, {})}}, "losses of 'sgd', not of 'momentum'"),
    ({"after_step": True}, "one epoch late"),
    ({"rmsprop_alpha": 0.9}, "Keras"),
    ({"mapping": {"momentum": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True})}},
     "Nesterov"),
    ({"mapping": {"adagrad": (torch.optim.Adagrad, {"initial_accumulator_value": 0.1})}},
     "torch.optim.Adagrad"),
])
def test_train_regression_mistakes_are_named(kwargs, words):
    with pytest.raises(CheckFailed, match=words):
        ps05.check_train_regression(make_train_regression(**kwargs))


def sweep_figure(titles=ps05.SWEEP_OPTIMIZERS, log=True, train=None, figure_legend=False):
    train = train or make_train_regression()
    X, y = linear_regression_data()
    fig, axes = plt.subplots(1, len(titles))
    for ax, name in zip(np.atleast_1d(axes), titles, strict=True):
        for lr in SWEEP_LRS:
            losses = train(X, y, name.split()[0] if name != "SGD + momentum" else "momentum", lr)
            ax.plot(np.arange(1, 101), losses, label=f"lr={lr}")
        ax.set(title=name, xlabel="epoch", ylabel="loss", yscale="log" if log else "linear")
        if not figure_legend:
            ax.legend()
    if figure_legend:
        fig.legend(*np.atleast_1d(axes)[0].get_legend_handles_labels())
    return fig


def test_sweep_figure_check():
    ps05.check_optimizer_sweep_figure(sweep_figure())
    ps05.check_optimizer_sweep_figure(sweep_figure(("sgd", "SGD + momentum", "AdaGrad",
                                                    "RMSprop", "Adam"), figure_legend=True))
    with pytest.raises(CheckFailed, match="5"):
        ps05.check_optimizer_sweep_figure(sweep_figure(ps05.SWEEP_OPTIMIZERS[:4]))
    with pytest.raises(CheckFailed, match="log scale"):
        ps05.check_optimizer_sweep_figure(sweep_figure(log=False))
    with pytest.raises(CheckFailed, match="one epoch late"):
        ps05.check_optimizer_sweep_figure(sweep_figure(train=make_train_regression(
            after_step=True)))
    fig = sweep_figure()
    fig.axes[2].set_title("third")
    with pytest.raises(CheckFailed, match="'third'"):
        ps05.check_optimizer_sweep_figure(fig)
    plt.close("all")


# --- the plateau rule ----------------------------------------------------------------------------


def make_plateau_rule(mistake=None):
    class PlateauRule:
        def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4,
                     threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
            self.lr, self.mode, self.factor, self.patience = lr, mode, factor, patience
            self.threshold, self.threshold_mode = threshold, threshold_mode
            self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
            if mistake == "ignores_mode":
                self.mode = "min"
            if mistake == "ignores_threshold_mode":
                self.threshold_mode = "rel"
            self.best = math.inf if self.mode == "min" else -math.inf
            self.bad = self.cool = 0

        def step(self, metric):
            threshold = 0.0 if mistake == "ignores_threshold" else self.threshold
            sign = 1 if self.mode == "min" else -1
            if self.threshold_mode == "rel":
                better = sign * metric < sign * self.best * (1 - sign * threshold)
            else:
                better = sign * metric < sign * self.best - threshold
            if better:
                self.best, self.bad = metric, 0
            else:
                self.bad += 1
            if self.cool > 0 and mistake != "ignores_cooldown":
                self.cool -= 1
                self.bad = 0
            limit = self.patience - 1 if mistake == "keras_patience" else self.patience
            if self.bad > limit:
                new = self.lr * self.factor
                if mistake != "ignores_min_lr":
                    new = max(new, self.min_lr)
                if (new < self.lr) if mistake == "ignores_eps" else (self.lr - new > self.eps):
                    self.lr = new
                self.cool = self.cooldown
                if mistake != "no_reset_after_cut":
                    self.bad = 0
            return None if mistake == "returns_none" else self.lr

    return PlateauRule


def test_right_plateau_rule_passes():
    ps05.check_plateau_rule(make_plateau_rule())
    ps05.check_plateau_rule(make_plateau_rule(), hidden=True)


@pytest.mark.parametrize(("mistake", "words"), [
    ("keras_patience", "Keras"),
    ("no_reset_after_cut", "set the count back to 0"),
    ("ignores_threshold", "more than the threshold"),
    ("ignores_threshold_mode", "threshold_mode='abs'"),
    ("ignores_mode", "mode='max'"),
    ("ignores_cooldown", "cooldown"),
    ("ignores_min_lr", "min_lr"),
    ("ignores_eps", "eps"),
    ("returns_none", "returned None"),
])
def test_plateau_mistakes_are_named(mistake, words):
    with pytest.raises(CheckFailed, match=words):
        ps05.check_plateau_rule(make_plateau_rule(mistake))


def test_plateau_rule_must_be_a_class_of_ones_own():
    from lrcore.schedules import PlateauScheduler

    with pytest.raises(CheckFailed, match="class"):
        ps05.check_plateau_rule(lambda lr, **kw: None)
    with pytest.raises(CheckFailed, match="yourself|reference"):
        ps05.check_plateau_rule(PlateauScheduler)

    class Incomplete:
        def __init__(self, lr, **options):
            raise NotImplementedError()

        def step(self, metric):
            raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not written"):
        ps05.check_plateau_rule(Incomplete)


def test_hard_coded_visible_decisions_fail_the_hidden_check():
    answers = []
    for options, metrics in ps05.PLATEAU_CASES_VISIBLE:
        rule = make_plateau_rule()(**options)
        answers.append((options["lr"], list(metrics), [rule.step(m) for m in metrics]))

    class Replay:
        def __init__(self, lr, **options):
            self.lr, self.seen = lr, []

        def step(self, metric):
            self.seen.append(metric)
            for lr, metrics, lrs in answers:
                if lr == self.lr and metrics[:len(self.seen)] == self.seen:
                    return lrs[len(self.seen) - 1]
            return self.lr

    ps05.check_plateau_rule(Replay)
    with pytest.raises(CheckFailed):
        ps05.check_plateau_rule(Replay, hidden=True)


# --- the classifier ------------------------------------------------------------------------------


def make_train_classifier(mistake=None):
    def train_classifier(lr, epochs, scheduler=None, seed=0):
        data = C.quantiles_split()
        X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
        X_val, y_val = torch.from_numpy(data.X_val), torch.from_numpy(data.y_val)
        model = C.make_classifier(seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        history = {"lr": [], "val_loss": [], "val_accuracy": []}
        for epoch in range(epochs):
            if mistake != "lr_after":
                history["lr"].append(optimizer.param_groups[0]["lr"])
            batches = (C.epoch_batches(epoch, seed) if mistake != "own_shuffle"
                       else np.array_split(np.random.default_rng(epoch).permutation(1120), 23))
            for batch in batches:
                if mistake != "no_zero_grad":
                    optimizer.zero_grad()
                if mistake == "sigmoid_bce":  # right, written differently
                    p = torch.sigmoid(model(X[batch])).reshape(-1)
                    loss = F.binary_cross_entropy(p, y[batch])
                else:
                    loss = F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch])
                loss.backward()
                optimizer.step()
            with torch.no_grad():
                logits = model(X_val).squeeze(1)
                val_loss = F.binary_cross_entropy_with_logits(logits, y_val).item()
                accuracy = int(((logits > 0) == (y_val > 0.5)).sum()) / len(y_val)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(accuracy)
            if scheduler is not None:
                new_lr = scheduler.step(accuracy if mistake == "accuracy_metric" else val_loss)
                if mistake != "lr_not_applied":
                    for group in optimizer.param_groups:
                        group["lr"] = new_lr
            if mistake == "lr_after":
                history["lr"].append(optimizer.param_groups[0]["lr"])
        if mistake == "untrained_model":
            model = C.make_classifier(seed)
        return model, history
    return train_classifier


def test_right_training_loops_pass():
    ps05.check_train_classifier(make_train_classifier())
    ps05.check_train_classifier(make_train_classifier(), hidden=True)
    ps05.check_train_classifier(make_train_classifier("sigmoid_bce"), hidden=True)


@pytest.mark.parametrize(("mistake", "words"), [
    ("lr_after", "one epoch ahead"),
    ("lr_not_applied", "never reaches the optimiser"),
    ("accuracy_metric", "validation accuracy"),
    ("no_zero_grad", "zero_grad"),
    ("own_shuffle", "epoch_batches"),
    ("untrained_model", "return the trained model"),
])
def test_training_loop_mistakes_are_named(mistake, words):
    with pytest.raises(CheckFailed, match=words):
        ps05.check_train_classifier(make_train_classifier(mistake))


def test_the_reference_trainer_is_refused():
    def lazy(lr, epochs, scheduler=None, seed=0):
        return C.train_classifier(lr, epochs, seed=seed)

    with pytest.raises(CheckFailed, match="yourself"):
        ps05.check_train_classifier(lazy)
    with pytest.raises(CheckFailed, match="history"):
        ps05.check_train_classifier(lambda lr, epochs, scheduler=None, seed=0: (None, {}))


def test_classifier_cases_are_far_from_the_plateau_thresholds():
    """A student's val losses may differ by ~1e-6 from the reference: no decision of the graded
    plateau cases may hinge on that."""
    for lr, epochs, plateau, seed in ps05.CLASSIFIER_CASES_VISIBLE + ps05.CLASSIFIER_CASES_HIDDEN:
        if plateau is None:
            continue
        run = C.train_classifier(lr, epochs, plateau=plateau, seed=seed)
        assert len(set(run.lrs)) > 1
        best = math.inf
        for loss in run.val_loss:
            limit = best * (1 - plateau["threshold"])
            if math.isfinite(best):
                assert abs(loss - limit) > 1e-3 * best
            best = loss if loss < limit else best


@pytest.fixture(scope="module")
def course_runs():
    runs, accuracy = {}, {}
    for name, settings in C.COURSE_RUNS.items():
        run = C.train_classifier(seed=1, **settings)
        runs[name] = (run.model(), {"lr": list(run.lrs), "val_loss": list(run.val_loss),
                                    "val_accuracy": list(run.val_accuracy)})
        accuracy[name] = run.test_accuracy
    return runs, accuracy


@pytest.mark.slow
def test_test_accuracies(course_runs):
    runs, accuracy = course_runs
    ps05.check_test_accuracies(accuracy, runs)
    with pytest.raises(CheckFailed, match="compute it from the model"):
        ps05.check_test_accuracies({**accuracy, "lr 0.5": 0.99}, runs)
    swapped = {**runs, "lr 0.005": runs["lr 0.5"]}
    with pytest.raises(CheckFailed, match="starts with lr 0.5; it should start at 0.005"):
        ps05.check_test_accuracies({**accuracy, "lr 0.005": accuracy["lr 0.5"]}, swapped)
    untrained = {**runs, "lr 0.005": (runs["lr 1e-05"][0], runs["lr 0.005"][1])}
    with pytest.raises(CheckFailed, match="at least 0.95"):
        ps05.check_test_accuracies({**accuracy, "lr 0.005": accuracy["lr 1e-05"]}, untrained)
    short = {**runs, "plateau from 0.05": (runs["plateau from 0.05"][0], {
        k: v[:50] for k, v in runs["plateau from 0.05"][1].items()})}
    with pytest.raises(CheckFailed, match="100"):
        ps05.check_test_accuracies(accuracy, short)
    with pytest.raises(CheckFailed, match="no entry"):
        ps05.check_test_accuracies({"lr 0.5": 0.5}, runs)


def boundary_figure(runs, logits=False, titles=None, kind="contourf"):
    fig, axes = plt.subplots(2, 2)
    for i, (ax, (name, (model, _))) in enumerate(zip(axes.ravel(), runs.items(), strict=True)):
        xs, ys, P = C.probability_grid(model, resolution=31)
        values = np.log(P / (1 - P)) if logits else P
        if kind == "contourf":
            ax.contourf(xs, ys, values)
        else:
            ax.pcolormesh(xs, ys, values)
        ax.set_title(titles[i] if titles else name)
    return fig


@pytest.mark.slow
def test_boundary_figure(course_runs):
    runs, _ = course_runs
    ps05.check_boundary_figure(boundary_figure(runs))
    ps05.check_boundary_figure(boundary_figure(runs, kind="mesh", titles=[
        "Adam, lr=0.5", "Adam, lr=0.005", "Adam, lr=1e-5", "ReduceLROnPlateau"]))
    with pytest.raises(CheckFailed, match=r"\[0, 1\]"):
        ps05.check_boundary_figure(boundary_figure(runs, logits=True))
    with pytest.raises(CheckFailed, match="name its run"):
        ps05.check_boundary_figure(boundary_figure(runs, titles=["a", "b", "c", "d"]))
    fig = boundary_figure(runs)
    fig.axes[0].collections[0].remove()
    fig.axes[0].plot([0, 1], [0, 1])
    with pytest.raises(CheckFailed, match="no filled contour"):
        ps05.check_boundary_figure(fig)
    plt.close("all")


def plateau_figure(history, lr_values=None, steps=False):
    fig, (left, right) = plt.subplots(1, 2)
    n = len(history["lr"])
    left.plot(np.arange(n), history["val_loss"])
    lrs = history["lr"] if lr_values is None else lr_values
    if steps:
        right.step(np.arange(1, n + 2), list(lrs) + [lrs[-1]], where="post")
    else:
        right.plot(np.arange(1, n + 1), lrs)
    left.set(xlabel="epoch", ylabel="val loss", title="loss")
    right.set(xlabel="epoch", ylabel="lr", title="lr", yscale="log")
    return fig


def test_plateau_figure():
    run = C.train_classifier(0.05, 6, plateau={"factor": 0.3, "patience": 1, "threshold": 0.1},
                             seed=2)
    history = {"lr": list(run.lrs), "val_loss": list(run.val_loss),
               "val_accuracy": list(run.val_accuracy)}
    plateau_run = (run.model(), history)
    ps05.check_plateau_figure(plateau_figure(history), plateau_run)
    ps05.check_plateau_figure(plateau_figure(history, steps=True), plateau_run)
    with pytest.raises(CheckFailed, match="learning rate"):
        ps05.check_plateau_figure(plateau_figure(history, lr_values=[0.05] * 6), plateau_run)
    with pytest.raises(CheckFailed, match="2"):
        ps05.check_plateau_figure(plt.figure(), plateau_run)
    plt.close("all")


# --- the challenge ------------------------------------------------------------------------------

SOLUTION = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
            "scheduler": "ReduceLROnPlateau", "scheduler_options": {"factor": 0.2, "patience": 0}}


def test_challenge_check(capsys):
    ps05.check_challenge_config(SOLUTION)
    ps05.check_challenge_config(lambda: SOLUTION, hidden=True)
    assert "Challenge passed with seed 1" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="target is 0.95. The lr never changes"):
        ps05.check_challenge_config(dict(plateau_challenge.BASELINE_CONFIG))
    with pytest.raises(CheckFailed, match="not a valid config: the challenge fixes"):
        ps05.check_challenge_config({**SOLUTION, "epochs": 30})
    with pytest.raises(CheckFailed, match="raised TypeError"):
        ps05.check_challenge_config({**SOLUTION, "scheduler": "StepLR"})
    with pytest.raises(CheckFailed, match="target"):
        ps05.check_challenge_config({"optimizer": "SGD", "optimizer_options": {"lr": 5.0}})


def test_a_constant_lr_that_reaches_the_target_is_still_refused():
    """Constant Adam at lr 0.01 reaches the accuracy target, but the task is the schedule."""
    from lrchecks import ps05
    from lrchecks.report import CheckFailed

    config = {"optimizer": "Adam", "optimizer_options": {"lr": 0.01}, "scheduler": None}
    with pytest.raises(CheckFailed, match="this challenge is about the schedule"):
        ps05.check_challenge_config(config)
