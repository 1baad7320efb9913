"""lrchecks.ps05 on plain Python code: right answers pass (written in several ways), each
diagnosis is triggered by the buggy code it names, hard-coded answers fail hidden checks. The
hidden checks run the cases the grader draws per student (`autograder.hidden.ps05`): every
correct style passes every pooled case, every modelled mistake fails a drawn case of every
student, and a hidden failure names the kind of case and the mistake — never its values.
Nothing the kernel computes with the course's code is trusted: accuracies come from the models'
weights, the plateau challenge is run by the check on a config validated as plain data."""

from __future__ import annotations

import functools
import json
import math
import re

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import REPO, assert_the_judge_confirms
from hidden_case_helpers import (
    assert_no_case_written_in,
    cases_drawn_for,
    every_pooled_case,
    package_source,
)
from named_mistakes import mistakes_named_by

from autograder.hidden import course_pools, pool_specs, stale_pools
from autograder.hidden.ps05 import CHALLENGE
from autograder.samples.ps05 import DIFFERENT_CELLS
from lrchecks import evidence, ps05
from lrchecks.diagnosis import optim as mistakes
from lrchecks.diagnosis.optim import CONSTANT_LR, SAME_MODEL_EVERYWHERE
from lrchecks.encoding import is_data
from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases
from lrchecks.report import CheckFailed
from lrcore import classification as C
from lrcore import plateau_challenge
from lrcore.regression import SWEEP_LRS, linear_regression_data

ASSIGNMENT = "ps05_adaptive_optimizers"
POOLS = course_pools(REPO, ASSIGNMENT)
SOURCE_NOTEBOOK = nbformat.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                                as_version=4)
STUDENTS = ("alice", "bob", "chen", "dana")


every_case = functools.partial(every_pooled_case, ASSIGNMENT)
drawn_for = functools.partial(cases_drawn_for, ASSIGNMENT)


def hidden_failure(check, answer, student="alice") -> str:
    """The message of `check(answer, hidden=True)` on the student's drawn cases (it must fail)."""
    with drawn_cases(drawn_for(student)), pytest.raises(CheckFailed) as raised:
        check(answer, hidden=True)
    return raised.value.message


def assert_names_only_kind_and(message: str, pool: str, diagnoses) -> None:
    """A hidden case's message: its kind (one of the pool's) and one of the known value-free
    diagnoses — nothing else, so no input or expected value."""
    kinds = {case["kind"] for case in every_case()[pool]}
    match = re.fullmatch(r"A hidden case fails \((.+?)\): (.+)", message, flags=re.S)
    assert match, message
    assert match.group(1) in kinds, message
    assert match.group(2) in set(diagnoses), message


def notebook_cell(name: str, **extra) -> dict:
    """The names a cell of DIFFERENT_CELLS defines, run with the notebook's imports."""
    namespace = {"np": np, "torch": torch, "F": F, "math": math,
                 "quantiles_split": C.quantiles_split, "make_classifier": C.make_classifier,
                 "epoch_batches": C.epoch_batches, **extra}
    exec(DIFFERENT_CELLS[name], namespace)  # noqa: S102 - the sample student's own code
    return namespace

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
    ps05.check_adam_step(make_adam())
    tensors = notebook_cell("rmsprop_step")["rmsprop_step"]
    lists = notebook_cell("adam_step")["adam_step"]
    with drawn_cases(every_case()):
        for rmsprop_step in (make_rmsprop(), tensors):
            ps05.check_rmsprop_step(rmsprop_step, hidden=True)
        for adam_step in (make_adam(), torch_adam_step, lists):
            ps05.check_adam_step(adam_step, hidden=True)
    assert capsys.readouterr().out.count("✓") == 7


@pytest.mark.parametrize(("check", "rule", "kind", "explanation"), [
    (ps05.check_rmsprop_step, make_rmsprop, "bias_corrected", "bias_corrected"),
    (ps05.check_rmsprop_step, make_rmsprop, "eps_inside", "eps_inside_sqrt"),
    (ps05.check_rmsprop_step, make_rmsprop, "alpha_swapped", "alpha_swapped"),
    (ps05.check_rmsprop_step, make_rmsprop, "no_sqrt", None),
    (ps05.check_adam_step, make_adam, "no_correction", "no_bias_correction"),
    (ps05.check_adam_step, make_adam, "v_uncorrected", "second_moment_not_corrected"),
    (ps05.check_adam_step, make_adam, "eps_inside", "eps_inside_sqrt"),
    (ps05.check_adam_step, make_adam, "keras", "keras_eps"),
    (ps05.check_adam_step, make_adam, "from_zero", "step_counted_from_zero"),
    (ps05.check_adam_step, make_adam, "returns_corrected", None),
])
def test_every_update_mistake_fails_a_drawn_case_of_every_student(check, rule, kind,
                                                                  explanation):
    explanations = (mistakes.ADAM_EXPLANATIONS if rule is make_adam
                    else mistakes.RMSPROP_EXPLANATIONS)
    pool = "ps05.adam_step" if rule is make_adam else "ps05.rmsprop_step"
    state = ("the parameters are right but the returned", "the first step is right, but the")
    for student in STUDENTS:
        message = hidden_failure(check, rule(kind), student)
        if explanation is not None:
            assert_names_only_kind_and(message, pool, [explanations[explanation]])
        elif kind == "returns_corrected":
            assert any(words in message for words in state), message
            assert "[" not in message, message  # no state values
        else:
            assert_names_only_kind_and(message, pool, [ps05.UPDATE_ADVICE])


test_rmsprop_mistakes_are_named = mistakes_named_by(ps05.check_rmsprop_step, [
    ("bias_corrected", "does not need `step`"),
    ("eps_inside", "inside the square root"),
    ("alpha_swapped", "weights swapped"),
    ("no_sqrt", "coordinate"),
], student=make_rmsprop)


test_adam_mistakes_are_named = mistakes_named_by(ps05.check_adam_step, [
    ("no_correction", "without bias correction"),
    ("v_uncorrected", "only m is bias-corrected"),
    ("eps_inside", "inside the square root"),
    ("keras", "Keras"),
    ("from_zero", "t \\+ 1"),
    ("returns_corrected", "raw running average"),
], student=make_adam)


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
    for student in STUDENTS:
        assert hidden_failure(ps05.check_adam_step, replay, student).startswith(
            "A hidden case fails (")


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
    lookup_table = notebook_cell("train_regression")["train_regression"]
    with drawn_cases(every_case()):
        for train_regression in (make_train_regression(), make_train_regression(numpy=True),
                                 lookup_table):
            ps05.check_train_regression(train_regression, hidden=True)


REGRESSION_MISTAKES = [
    # (make_train_regression's switches, the hidden case's explanation, the visible check's words
    # or None where only the hidden cases are tested)
    ({"mapping": {"momentum": (torch.optim.SGD, {})}}, None, "losses of 'sgd', not of 'momentum'"),
    ({"mapping": {"adam": (torch.optim.RMSprop, {})}}, None, None),
    ({"after_step": True}, "loss_after_update", "one epoch late"),
    ({"rmsprop_alpha": 0.9}, "keras_rmsprop_rho", "Keras"),
    ({"mapping": {"momentum": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True})}},
     "nesterov", "Nesterov"),
    ({"mapping": {"adagrad": (torch.optim.Adagrad, {"initial_accumulator_value": 0.1})}},
     "advice", "torch.optim.Adagrad"),
]
"""The mistakes of a student's train_regression, each as the hidden and the visible check name
it."""


@pytest.mark.parametrize(("kwargs", "explanation"),
                         [(kwargs, explanation) for kwargs, explanation, _ in REGRESSION_MISTAKES])
def test_every_regression_mistake_fails_a_drawn_case_of_every_student(kwargs, explanation):
    other = ("these are the losses of another optimiser of the sweep: check which torch.optim "
             "class (and options) each name stands for.")
    diagnosis = {None: other, "advice": ps05.REGRESSION_ADVICE}.get(
        explanation, mistakes.REGRESSION_EXPLANATIONS.get(explanation))
    for student in STUDENTS:
        message = hidden_failure(ps05.check_train_regression, make_train_regression(**kwargs),
                                 student)
        assert_names_only_kind_and(message, "ps05.train_regression", [diagnosis])


test_train_regression_mistakes_are_named = mistakes_named_by(
    ps05.check_train_regression,
    [(kwargs, words) for kwargs, _, words in REGRESSION_MISTAKES if words is not None],
    student=lambda kwargs: make_train_regression(**kwargs))


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


class TorchPlateauRule:
    """A student who wraps torch's own ReduceLROnPlateau around an optimiser."""

    def __init__(self, lr, **options):
        self.optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(self.optimizer, **options)

    def step(self, metric):
        self.scheduler.step(metric)
        return self.optimizer.param_groups[0]["lr"]


def test_right_plateau_rule_passes():
    ps05.check_plateau_rule(make_plateau_rule())
    with drawn_cases(every_case()):
        for rule in (make_plateau_rule(), TorchPlateauRule,
                     notebook_cell("plateau_rule")["PlateauRule"]):
            ps05.check_plateau_rule(rule, hidden=True)


@pytest.mark.parametrize("mistake", [
    "keras_patience", "no_reset_after_cut", "ignores_threshold", "ignores_threshold_mode",
    "ignores_mode", "ignores_cooldown", "ignores_min_lr", "ignores_eps", "returns_none"])
def test_every_plateau_mistake_fails_a_drawn_case_of_every_student(mistake):
    diagnoses = [*mistakes.PLATEAU_EXPLANATIONS.values(), ps05.PLATEAU_ADVICE,
                 "step(metric) returned None; it must return the lr of the next epoch."]
    for student in STUDENTS:
        message = hidden_failure(ps05.check_plateau_rule, make_plateau_rule(mistake), student)
        assert_names_only_kind_and(message, "ps05.plateau_rule", diagnoses)
        if mistake in mistakes.PLATEAU_EXPLANATIONS:
            assert message.endswith(mistakes.PLATEAU_EXPLANATIONS[mistake]), message


test_plateau_mistakes_are_named = mistakes_named_by(ps05.check_plateau_rule, [
    ("keras_patience", "Keras"),
    ("no_reset_after_cut", "set the count back to 0"),
    ("ignores_threshold", "more than the threshold"),
    ("ignores_threshold_mode", "threshold_mode='abs'"),
    ("ignores_mode", "mode='max'"),
    ("ignores_cooldown", "cooldown"),
    ("ignores_min_lr", "min_lr"),
    ("ignores_eps", "eps"),
    ("returns_none", "returned None"),
], student=make_plateau_rule)


def test_lrcores_trainer_is_refused_wherever_train_classifier_keeps_it():
    """An attacker's train_classifier hands the work to lrcore's trainer kept in a default
    argument or a closure: refused like a direct call (the check walks what the function
    reaches, as require_own_function does); the old check looked only at globals."""
    from lrcore import classification as reference

    def by_default(lr, epochs, scheduler=None, seed=0, _trainer=reference.train_classifier):
        return _trainer(lr, epochs, seed=seed)

    def closing_over(trainer):
        def by_closure(lr, epochs, scheduler=None, seed=0):
            return trainer(lr, epochs, seed=seed)
        return by_closure

    for cheat in (by_default, closing_over(reference.train_classifier_variant)):
        with pytest.raises(CheckFailed, match="calls lrcore's train_classifier"):
            ps05.check_train_classifier(cheat)


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
    for student in STUDENTS:
        hidden_failure(ps05.check_plateau_rule, Replay, student)


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
    different = notebook_cell("train_classifier")["train_classifier"]
    with drawn_cases(every_case()):
        for train_classifier in (make_train_classifier(), make_train_classifier("sigmoid_bce"),
                                 different):
            ps05.check_train_classifier(train_classifier, hidden=True)


@pytest.mark.parametrize("mistake", ["lr_after", "lr_not_applied", "accuracy_metric",
                                     "no_zero_grad", "own_shuffle", "untrained_model"])
def test_every_training_loop_mistake_fails_the_hidden_runs(mistake):
    """The training runs are the same for everyone (`always`): each mistake fails one of them,
    and the message names the run's kind and the mistake, not its lr, epochs or seed."""
    diagnoses = {
        "lr_after": "Your lr list is one epoch ahead",
        "lr_not_applied": "never reaches the optimiser",
        "accuracy_metric": "stepped with the validation accuracy",
        "no_zero_grad": "gradients accumulate",
        "own_shuffle": "the validation losses differ from the reference. Already after the "
                       "first epoch",
        "untrained_model": "the model returned is not the one the history describes",
    }
    message = hidden_failure(ps05.check_train_classifier, make_train_classifier(mistake))
    assert message.startswith("A hidden case fails (a ") and diagnoses[mistake] in message
    kinds = {case["kind"] for case in every_case()["ps05.train_classifier"]}
    kind, said = message.removeprefix("A hidden case fails (").split("): ", 1)
    assert kind in kinds
    for revealing in ("lr=", "epochs=", "seed=", "should be", "history['", "0.0"):
        assert revealing not in said, message


test_training_loop_mistakes_are_named = mistakes_named_by(ps05.check_train_classifier, [
    ("lr_after", "one epoch ahead"),
    ("lr_not_applied", "never reaches the optimiser"),
    ("accuracy_metric", "validation accuracy"),
    ("no_zero_grad", "zero_grad"),
    ("own_shuffle", "epoch_batches"),
    ("untrained_model", "return the trained model"),
], student=make_train_classifier)


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
    hidden = [(p["lr"], p["epochs"], p["plateau"], p["seed"])
              for p in (case["params"] for case in every_case()["ps05.train_classifier"])]
    for lr, epochs, plateau, seed in (*ps05.CLASSIFIER_CASES_VISIBLE, *hidden):
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


def boundary_figure(runs, logits=False, titles=None, kind="contourf", drawn=None):
    """One panel per run; `drawn` names the run whose model every panel draws (a mistake)."""
    fig, axes = plt.subplots(1, len(runs))
    for i, (ax, (name, (model, _))) in enumerate(zip(axes.ravel(), runs.items(), strict=True)):
        if drawn is not None:
            model = runs[drawn][0]
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
    ps05.check_boundary_figure(boundary_figure(runs), runs)
    ps05.check_boundary_figure(boundary_figure(runs, kind="mesh", titles=[
        "Adam, lr=0.5: 0.480", "Adam, lr=0.005", "Adam, lr=1e-5: accuracy 0.5",
        "lr=0.05 without cuts", "ReduceLROnPlateau"]), runs)
    with pytest.raises(CheckFailed, match=r"\[0, 1\]"):
        ps05.check_boundary_figure(boundary_figure(runs, logits=True), runs)
    with pytest.raises(CheckFailed, match="name its run"):
        ps05.check_boundary_figure(boundary_figure(runs, titles=["a", "b", "c", "d", "e"]), runs)
    fig = boundary_figure(runs)
    fig.axes[0].collections[0].remove()
    fig.axes[0].plot([0, 1], [0, 1])
    with pytest.raises(CheckFailed, match="no filled contour"):
        ps05.check_boundary_figure(fig, runs)
    plt.close("all")


@pytest.mark.slow
@pytest.mark.parametrize("drawn", ["plateau from 0.05", "lr 0.5"])
def test_one_model_drawn_in_every_panel_is_named(course_runs, drawn):
    """The issue's "four identical models in fig_boundaries": the visible check let it pass."""
    runs, _ = course_runs
    with pytest.raises(CheckFailed) as raised:
        ps05.check_boundary_figure(boundary_figure(runs, drawn=drawn), runs)
    assert raised.value.message.endswith(SAME_MODEL_EVERYWHERE.explanation)
    plt.close("all")


@pytest.mark.slow
def test_a_panel_drawn_from_another_runs_model_is_named(course_runs):
    runs, _ = course_runs
    swapped = dict(runs)
    swapped["lr 0.5"], swapped["lr 1e-05"] = runs["lr 1e-05"], runs["lr 0.5"]
    figure = boundary_figure(swapped, titles=list(runs))
    with pytest.raises(CheckFailed, match="'lr 0.5' panel .* draw each panel from its own"):
        ps05.check_boundary_figure(figure, runs)
    plt.close("all")


def control_of(history):
    """A stand-in for the control run: the constant lr of CONTROL_RUN for its epochs."""
    settings = C.COURSE_RUNS[C.CONTROL_RUN]
    epochs = settings["epochs"]
    losses = list(np.linspace(0.7, 0.05, epochs))
    return {"lr": [settings["lr"]] * epochs, "val_loss": losses, "val_accuracy": [0.5] * epochs}


def plateau_figure(history, lr_values=None, steps=False, control=None, legend=True):
    fig, (left, right) = plt.subplots(1, 2)
    n = len(history["lr"])
    left.plot(np.arange(n), history["val_loss"], label="plateau")
    if control is not None:
        left.plot(np.arange(1, len(control["lr"]) + 1), control["val_loss"], label="control")
    if legend:
        left.legend()
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
    control = control_of(history)
    control_run = (run.model(), control)
    ps05.check_plateau_figure(plateau_figure(history, control=control), plateau_run, control_run)
    ps05.check_plateau_figure(plateau_figure(history, steps=True, control=control), plateau_run,
                              control_run)
    with pytest.raises(CheckFailed, match="learning rate"):
        ps05.check_plateau_figure(plateau_figure(history, lr_values=[0.05] * 6, control=control),
                                  plateau_run, control_run)
    with pytest.raises(CheckFailed, match="2"):
        ps05.check_plateau_figure(plt.figure(), plateau_run, control_run)
    with pytest.raises(CheckFailed, match="legend"):
        ps05.check_plateau_figure(plateau_figure(history, control=control, legend=False),
                                  plateau_run, control_run)
    plt.close("all")


def test_the_plateau_figure_needs_its_control():
    """Task 3.5 compares the plateau run with its constant-lr control: a figure without the
    control's loss, or a control that is not CONTROL_RUN, fails."""
    run = C.train_classifier(0.05, 6, plateau={"factor": 0.3, "patience": 1, "threshold": 0.1},
                             seed=2)
    history = {"lr": list(run.lrs), "val_loss": list(run.val_loss),
               "val_accuracy": list(run.val_accuracy)}
    plateau_run, control = (run.model(), history), control_of(history)
    with pytest.raises(CheckFailed, match="also draw the validation loss of control_run"):
        ps05.check_plateau_figure(plateau_figure(history), plateau_run,
                                  (run.model(), control))
    with pytest.raises(CheckFailed, match="control_run should be runs\\['lr 0.05'\\]"):
        ps05.check_plateau_figure(plateau_figure(history, control=history), plateau_run,
                                  plateau_run)
    plt.close("all")


# --- the challenge ------------------------------------------------------------------------------

SOLUTION = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
            "scheduler": "ReduceLROnPlateau", "scheduler_options": {"factor": 0.2, "patience": 0}}


def test_challenge_check(capsys):
    ps05.check_challenge_config(SOLUTION)
    with drawn_cases(every_case()):
        ps05.check_challenge_config(lambda: SOLUTION, hidden=True)
        ps05.check_challenge_config(notebook_cell("challenge_config")["challenge_config"],
                                    hidden=True)
    out = capsys.readouterr().out
    assert "Challenge passed with seed 0" in out
    assert out.count("Challenge passed with another seed too") == 2
    with pytest.raises(CheckFailed, match="target is 0.95. The lr never changes"):
        ps05.check_challenge_config({"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
                                     "scheduler": None})
    with pytest.raises(CheckFailed, match="not a valid config: the challenge fixes"):
        ps05.check_challenge_config({**SOLUTION, "epochs": 30})
    with pytest.raises(CheckFailed, match="has an option the challenge does not allow: StepLR "
                                          "takes step_size \\(an int from 1 to 450\\)"):
        ps05.check_challenge_config({**SOLUTION, "scheduler": "StepLR"})
    with pytest.raises(CheckFailed, match="target"):
        ps05.check_challenge_config({"optimizer": "SGD", "optimizer_options": {"lr": 5.0}})


def test_a_hidden_challenge_failure_names_neither_the_seed_nor_the_accuracies():
    message = hidden_failure(ps05.check_challenge_config,
                             {"optimizer": "SGD", "optimizer_options": {"lr": 0.1}})
    assert message.startswith("A hidden case fails (another seed): the final validation "
                              "accuracy stays under the target 0.95.")
    assert not re.search(r"seed \d|0\.9[0-46-9]|0\.[0-8]\d", message), message


@pytest.mark.parametrize("scheduler", [
    {"scheduler": None},
    # a scheduler that never changes the lr within the 10 epochs is a constant lr too
    {"scheduler": "StepLR", "scheduler_options": {"step_size": 20}},
])
def test_a_constant_lr_that_reaches_the_target_is_still_refused(scheduler):
    """Constant Adam at lr 0.01 reaches the accuracy target, but the task (which now says so)
    asks for an lr that changes during the run."""
    config = {"optimizer": "Adam", "optimizer_options": {"lr": 0.01}, **scheduler}
    assert plateau_challenge.run_challenge(config).meets_target
    with pytest.raises(CheckFailed) as raised:
        ps05.check_challenge_config(config)
    assert raised.value.message.endswith(CONSTANT_LR.explanation)


def test_the_task_states_the_rules_the_challenge_check_enforces():
    """A schedule is required, the ranges are named and listed: the task text says so."""
    task = next(cell.source for cell in SOURCE_NOTEBOOK.cells
                if cell.source.startswith("**Task 4.1"))
    assert "the lr changes during the run" in task and "does not pass" in task
    assert "allowed_options()" in task and "{{claim ps05.max_lr}}" in task


def test_the_example_config_passes_with_every_seed_the_grader_runs():
    """help(lrcore.plateau_challenge)'s example used to fail with seeds 3 and 7; now the claims
    test checks it on every numerical path, and the hidden pool validates it too."""
    from autograder.hidden.ps05 import CHALLENGE_SOLUTIONS

    assert plateau_challenge.EXAMPLE_CONFIG in CHALLENGE_SOLUTIONS
    for seed in (ps05.CHALLENGE_SEED_VISIBLE, *(case["params"] for case in CHALLENGE.always)):
        assert plateau_challenge.run_challenge(plateau_challenge.EXAMPLE_CONFIG, seed=seed).passed


def test_a_config_holding_a_function_earns_nothing_in_the_kernel_or_the_judge():
    lam = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5}, "scheduler": "LambdaLR",
           "scheduler_options": {"lr_lambda": lambda epoch: 0.1 ** (epoch >= 5)}}
    for config in (lam, lambda: lam, {**SOLUTION, "scheduler_options": {
            "factor": 0.2, "patience": 0, "min_lr": lambda: 0.0}}):
        with pytest.raises(CheckFailed, match="holds a function: the challenge takes plain "
                                              "data only"):
            ps05.check_challenge_config(config)
    with pytest.raises(CheckFailed, match="driven by a function"):
        ps05.check_challenge_config({**lam, "scheduler_options": {}})


@pytest.mark.parametrize(("change", "words"), [
    ({"optimizer_options": {"lr": 50}}, r"\['lr'\] must be a number from 0 to 10\.$"),
    ({"optimizer_options": {"lr": 0.5, "foreach": True}}, "SGD takes lr"),
    ({"scheduler": "MultiStepLR", "scheduler_options": {"milestones": list(range(1, 40))}},
     "a list of at most 20 ints from 1 to 450"),
    ({"scheduler": "ReduceLROnPlateau", "scheduler_options": {"factor": 1.0}},
     r"a number from 0 to 1 \(1 excluded\)"),
    ({"scheduler": "StepLR", "scheduler_options": {"step_size": 5, "last_epoch": 3}},
     "does not allow"),
    ({"scheduler": "CosineAnnealingLR", "scheduler_options": {"T_max": 10 ** 9}},
     "an int from 1 to 450"),
])
def test_every_option_is_a_number_within_its_stated_range(change, words):
    with pytest.raises(CheckFailed, match=f"^challenge_config is not a valid config: .*{words}"):
        ps05.check_challenge_config({**SOLUTION, **change})


def test_a_config_torch_refuses_gets_a_sentence():
    config = {"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler": "OneCycleLR",
              "scheduler_options": {"max_lr": 0.5, "total_steps": 100},
              "scheduler_interval": "batch"}
    with pytest.raises(CheckFailed, match=r"^torch could not run challenge_config \(ValueError"):
        ps05.check_challenge_config(config)


def forged_challenge_run(config, seed=0):
    """What a notebook's patched `run_challenge` returns: a run that passes."""
    return plateau_challenge.ChallengeRun(
        config=dict(config), seed=seed, lrs=(0.5,) * 5 + (0.05,) * 5,
        train_accuracy=(0.7,) * 10, val_loss=(0.2,) * 10, val_accuracy=(0.96,) * 10)


def test_a_patched_run_challenge_earns_nothing(recorded, monkeypatch):
    """The audit's exploit: a kernel whose run_challenge is patched shows "✓ Challenge passed";
    the judge runs the challenge itself, on the config it validates as data."""
    with monkeypatch.context() as kernel:
        kernel.setattr(plateau_challenge, "run_challenge", forged_challenge_run)
        stalled = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
                   "scheduler": "StepLR", "scheduler_options": {"step_size": 9, "gamma": 0.9}}
        ps05.check_challenge_config(stalled)  # passes in the kernel
        lam = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5}, "scheduler": "LambdaLR",
               "scheduler_options": {"lr_lambda": lambda epoch: 1.0}}
        with pytest.raises(CheckFailed):
            ps05.check_challenge_config(lam)
    with pytest.raises(CheckFailed, match="the target is 0.95"):
        evidence.replay_check(ps05.check_challenge_config, recorded[0], {})
    with pytest.raises(CheckFailed, match="holds a function"):
        evidence.replay_check(ps05.check_challenge_config, recorded[1], {})


def test_a_config_the_judge_cannot_read_as_data_is_refused_in_the_kernel_too(recorded):
    from types import MappingProxyType

    proxy = MappingProxyType(SOLUTION)
    with pytest.raises(CheckFailed) as in_kernel:
        ps05.check_challenge_config(proxy)
    with pytest.raises(CheckFailed) as in_judge:
        evidence.replay_check(ps05.check_challenge_config, recorded[0], {})
    assert in_kernel.value.message == in_judge.value.message
    assert in_kernel.value.message.startswith("challenge_config is not plain data: the grader "
                                              "reads only dicts, lists, strings and numbers")
    with pytest.raises(CheckFailed, match="not plain data"):  # its inner dict is read-only
        ps05.check_challenge_config(dict(plateau_challenge.BASELINE_CONFIG))


def own_design_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))


def test_weights_that_do_not_fit_the_architecture_are_refused():
    right = make_train_classifier()

    def returns(model_of):
        def train_classifier(lr, epochs, scheduler=None, seed=0):
            _, history = right(lr, epochs, scheduler, seed)
            return model_of(seed), history
        return train_classifier

    with pytest.raises(CheckFailed, match="do not fit the 2 → 32 → 32 → 1 net "
                                          "make_classifier\\(seed\\) builds"):
        ps05.check_train_classifier(returns(own_design_model))
    with pytest.raises(CheckFailed, match="is not a torch model"):
        ps05.check_train_classifier(returns(lambda seed: (lambda X: X[:, :1])))


@pytest.mark.slow
def test_accuracies_come_from_the_models_weights_not_from_the_kernel(course_runs, recorded,
                                                                       monkeypatch):
    """The audit's exploit: untrained models and a patched `accuracy` earned the points. The
    kernel now records each model's weights (data) and the judge computes the accuracies."""
    runs, accuracy = course_runs
    untrained = {name: (C.make_classifier(1), history) for name, (_, history) in runs.items()}
    claimed = iter([accuracy[name] for name in C.COURSE_RUNS])
    with monkeypatch.context() as kernel:
        kernel.setattr(C, "accuracy", lambda model, X, y: next(claimed))
        ps05.check_test_accuracies(accuracy, untrained)  # passes in the kernel
    record = recorded[0]
    assert [call["name"] for call in record["calls"]] == ["model.state_dict"] * len(C.COURSE_RUNS)
    assert all(is_data(call["result"]) for call in record["calls"])
    with pytest.raises(CheckFailed, match="classifies"):
        evidence.replay_check(ps05.check_test_accuracies, record, {})


# --- hidden cases: pools, draws, the student runtime -------------------------------------------

POOL_NAMES = {"ps05.rmsprop_step", "ps05.adam_step", "ps05.train_regression",
              "ps05.plateau_rule", "ps05.train_classifier", "ps05.challenge_config"}


@pytest.mark.slow
def test_the_pools_are_those_the_specifications_build():
    """hidden_cases/ps05_adaptive_optimizers.json is what `release` builds now."""
    assert stale_pools(REPO, ASSIGNMENT) == []
    specs = {spec.name: spec for spec in pool_specs(ASSIGNMENT)}
    assert set(POOLS) == set(specs) == POOL_NAMES
    for name, pool in POOLS.items():
        assert len(pool.candidates) == specs[name].size and pool.draw <= len(pool.candidates)
        assert json.loads(json.dumps(pool.to_json())) == pool.to_json()  # plain JSON
    # training runs and the challenge's seed are the same for everyone
    assert POOLS["ps05.train_classifier"].draw == POOLS["ps05.challenge_config"].draw == 0


def test_every_modelled_mistake_fails_a_drawn_case_of_every_student():
    """By the specifications' own models: for each student, the drawn cases together detect
    every modelled mistake of each check (the edge cases every student runs included)."""
    specs = {spec.name: spec for spec in pool_specs(ASSIGNMENT)}
    modelled = {"ps05.rmsprop_step": set(mistakes.RMSPROP_MISTAKES),
                "ps05.adam_step": set(mistakes.ADAM_MISTAKES),
                "ps05.plateau_rule": set(mistakes.PLATEAU_MISTAKES),
                "ps05.train_regression": {"loss_after_update", "keras_rmsprop_rho", "nesterov"},
                "ps05.train_classifier": {"lr_one_epoch_ahead", "no_zero_grad",
                                          "lr_not_applied", "plateau_on_accuracy"},
                "ps05.challenge_config": {"constant lr"}}
    for student in STUDENTS[:3]:
        for pool, cases in drawn_for(student).items():
            missed = set.intersection(*(specs[pool].missed(case) for case in cases))
            assert not missed & modelled[pool], (student, pool, missed)
            assert all(specs[pool].problems(case) == "" for case in cases[:2]), pool


def test_students_draw_different_cases_and_a_regrade_the_same():
    assert drawn_for("alice") == drawn_for("alice")
    for name in ("ps05.rmsprop_step", "ps05.adam_step", "ps05.plateau_rule",
                 "ps05.train_regression"):
        draws = {json.dumps(drawn_for(student)[name]) for student in STUDENTS}
        assert len(draws) > 1, name
    for name in ("ps05.train_classifier", "ps05.challenge_config"):
        draws = {json.dumps(drawn_for(student)[name]) for student in STUDENTS}
        assert len(draws) == 1, name


def test_the_student_runtime_holds_no_hidden_case():
    """The checks read their cases from the grader; none is a constant of lrchecks.ps05."""
    source = package_source(ps05)
    assert "check_challenge_config" in source
    assert not re.search(r"CASES_HIDDEN|_hidden\(\)|SEED_HIDDEN|hidden=True\)", source)
    assert_no_case_written_in(source, every_case())


def test_hidden_checks_run_only_while_graded(monkeypatch):
    monkeypatch.delenv(HIDDEN_CASES_VARIABLE, raising=False)
    with pytest.raises(CheckFailed, match="only when your notebook is graded"):
        ps05.check_challenge_config(SOLUTION, hidden=True)


def test_the_judge_confirms_the_solution_from_its_records_and_no_check_asks_lrcore(
        monkeypatch, recorded):
    """Record every function check of a correct solution as a graded kernel does, replay it
    as the judge does (its own code, its own drawn cases): every check is confirmed — and no
    check calls the course's code on the student's behalf with something that is not data."""
    solution = {ps05.check_rmsprop_step: make_rmsprop(), ps05.check_adam_step: make_adam(),
                ps05.check_train_regression: make_train_regression(),
                ps05.check_plateau_rule: make_plateau_rule(),
                ps05.check_train_classifier: make_train_classifier(),
                ps05.check_challenge_config: SOLUTION}
    assert_the_judge_confirms(solution, drawn_for("chen"), recorded, monkeypatch)


# --- grading mode: the kernel asks, the judge decides --------------------------------------------

KERNEL_FORBIDDEN = {
    "lrchecks.ps05.update_rules": ("update_trajectory", "_final_state"),
    "lrchecks.ps05.plateau_rule": ("reduce_lr_on_plateau",),
    "lrchecks.ps05.regression_sweep": ("_regression_losses", "_regression_mistakes"),
    "lrchecks.ps05.classifier": ("_classifier_run", "net_of", "diagnose_classifier"),
    "lrchecks.ps05.runs": ("net_of",),
    "lrchecks.ps05.challenge": ("_challenge_run",),
}
"""The references, comparisons and diagnoses of ps05's checks: a grading kernel computes none."""


def forbid_references(context) -> None:
    """Make every reference computation of ps05's checks fail the test if the kernel calls it."""
    import importlib

    def refused(*args, **kwargs):
        raise AssertionError("a grading kernel computed a reference")

    for module, names in KERNEL_FORBIDDEN.items():
        for name in names:
            context.setattr(importlib.import_module(module), name, refused, raising=False)


def solution_calls(course_runs) -> list:
    """Every judged check of ps05 with the solution's answers: (check, args, kwargs) — each
    function check visible and hidden, each figure and run check once."""
    runs, accuracy = course_runs
    plateau_run, control_run = runs[C.PLATEAU_RUN], runs[C.CONTROL_RUN]
    functions = {ps05.check_rmsprop_step: make_rmsprop(), ps05.check_adam_step: make_adam(),
                 ps05.check_train_regression: make_train_regression(),
                 ps05.check_plateau_rule: make_plateau_rule(),
                 ps05.check_train_classifier: make_train_classifier(),
                 ps05.check_challenge_config: SOLUTION}
    calls = [(check, (answer,), {"hidden": hidden})
             for check, answer in functions.items() for hidden in (False, True)]
    return calls + [
        (ps05.check_optimizer_sweep_figure, (sweep_figure(),), {}),
        (ps05.check_test_accuracies, (accuracy, runs), {}),
        (ps05.check_boundary_figure, (boundary_figure(runs), runs), {}),
        (ps05.check_plateau_figure, (plateau_figure(plateau_run[1], control=control_run[1]),
                                     plateau_run, control_run), {}),
    ]


@pytest.mark.slow
def test_a_grading_kernel_only_asks_and_the_judge_confirms_the_solution(course_runs, recorded,
                                                                          monkeypatch, capsys):
    """Grading the solution: every check stops at `asked` — no reference computed, nothing
    printed, its record published — and the judge's replay of each record passes."""
    calls = solution_calls(course_runs)
    assert {check.__name__ for check, _, _ in calls} == {
        name for name in ps05.__all__ if name.startswith("check_")}
    cases = drawn_for("chen")
    with monkeypatch.context() as kernel:
        kernel.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
        forbid_references(kernel)
        for check, args, kwargs in calls:
            check(*args, **kwargs)
    assert capsys.readouterr().out == ""
    assert [record["check"] for record in recorded] == [evidence.check_id(check)
                                                        for check, _, _ in calls]
    assert all(record["asked"] and not record["failed"] for record in recorded)
    with drawn_cases(cases):
        for record, (check, _, kwargs) in zip(recorded, calls, strict=True):
            assert evidence.replay_check(check, record, kwargs)
    plt.close("all")


def wrong_early_raising_late(param, grad, exp_avg, exp_avg_sq, step, lr, **options):
    """Adam without bias correction on the first visible case, raising on the second: the
    first case's message must come first."""
    if lr == 0.05:
        raise ValueError("not yet written")
    return make_adam("no_correction")(param, grad, exp_avg, exp_avg_sq, step, lr, **options)


def doubled_square_avg(param, grad, square_avg, step, lr, alpha=0.99, eps=1e-8):
    """RMSprop whose first step is right but which returns twice the running average: only a
    second call of the first step (asked with the rest) can name it."""
    new, v = make_rmsprop()(param, grad, square_avg, step, lr, alpha, eps)
    return new, 2 * v


WRONG_ANSWERS = [
    (ps05.check_adam_step, lambda: make_adam("eps_inside"), False, "eps"),
    (ps05.check_adam_step, lambda: wrong_early_raising_late, False, "bias"),
    (ps05.check_rmsprop_step, lambda: doubled_square_avg, False,
     "the first step is right, but the square_avg it returns"),
    (ps05.check_rmsprop_step, lambda: make_rmsprop("bias_corrected"), True, "hidden case"),
    (ps05.check_plateau_rule, lambda: make_plateau_rule("ignores_cooldown"), False, "cooldown"),
    (ps05.check_plateau_rule, lambda: make_plateau_rule("returns_none"), True, "None"),
    (ps05.check_train_regression, lambda: make_train_regression(after_step=True), False,
     "one epoch late"),
    (ps05.check_train_regression, lambda: make_train_regression(rmsprop_alpha=0.9), True,
     "Keras"),
    (ps05.check_train_classifier, lambda: make_train_classifier("untrained_model"), False,
     "return the trained model"),
    (ps05.check_optimizer_sweep_figure,
     lambda: sweep_figure(train=make_train_regression(after_step=True)), False,
     "one epoch late"),
]
"""Wrong answers of the sample class's kinds: (check, the answer, hidden, words of the
message)."""


@pytest.mark.parametrize(("check", "answer", "hidden", "words"), WRONG_ANSWERS,
                         ids=lambda value: getattr(value, "__name__", str(value))[:30])
def test_the_judge_says_what_validate_says(check, answer, hidden, words, recorded, monkeypatch,
                                           capsys):
    """A wrong answer in a grading kernel: nothing raised, nothing printed, a record that only
    asked; the judge's replay of it fails with the message Validate gives in the kernel."""
    kwargs = {"hidden": True} if hidden else {}
    student = answer()
    with drawn_cases(drawn_for("dana")):
        check(student, **kwargs)
        assert capsys.readouterr().out == ""
        (record,) = recorded
        assert record["asked"] and not record["failed"]
        with pytest.raises(CheckFailed) as judged_outside:
            evidence.replay_check(check, record, kwargs)
        monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH)
        with pytest.raises(CheckFailed) as validated:
            check(student, **kwargs)
    assert judged_outside.value.message == validated.value.message
    assert words in validated.value.message
    plt.close("all")
