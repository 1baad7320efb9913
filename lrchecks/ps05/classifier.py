"""ps05 §3.2: the training loop of the Gaussian-quantiles classifier, with an optional
ReduceLROnPlateau — compared with lrcore's run, epoch for epoch."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import Answer, run_asking_cases
from lrchecks.calls import call_student, format_call, from_reference, reaches
from lrchecks.diagnosis.optim import VAL_LOSS_RTOL, diagnose_classifier
from lrchecks.evidence import judged
from lrchecks.model_weights import recorded_weights, weights_in
from lrchecks.report import CheckFailed, passed
from lrchecks.values import arrays_match, describe_number, first_mismatch, to_float_array
from lrcore import classification
from lrcore.schedules import reduce_lr_on_plateau

__all__ = ["ClassifierCase", "CLASSIFIER_CASES_VISIBLE", "VAL_LOSS_RTOL", "HISTORY_KEYS",
           "CLASSIFIER_ADVICE", "ARCHITECTURE", "history_of", "net_of",
           "check_train_classifier"]

# (lr, epochs, plateau options or None, seed)
ClassifierCase = tuple[float, int, dict[str, Any] | None, int]
CLASSIFIER_CASES_VISIBLE: tuple[ClassifierCase, ...] = (
    (0.005, 3, None, 1),
    (0.05, 5, {"factor": 0.5, "patience": 0, "threshold": 0.1}, 2),
)
HISTORY_KEYS = ("lr", "val_loss", "val_accuracy")
CLASSIFIER_ADVICE = ("the run differs from the reference loop: build the model with "
                     "make_classifier(seed), use Adam with lr, the batches of "
                     "epoch_batches(epoch, seed) in order, record the lr each epoch trains "
                     "with, and give the optimiser the lr scheduler.step(val_loss) returns.")
ARCHITECTURE = "the 2 → 32 → 32 → 1 net make_classifier(seed) builds"
REFERENCE_TRAINERS = (classification.train_classifier, classification.train_classifier_variant,
                      classification._train)
"""What train_classifier may not use: lrcore's data, model and batches are allowed."""


def _frozen(mapping: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    return None if mapping is None else tuple(sorted(mapping.items()))


@cache
def _classifier_run(lr: float, epochs: int, plateau: tuple[tuple[str, Any], ...] | None,
                    seed: int) -> classification.ClassifierRun:
    """`classification.train_classifier` for one test case: the same for every student, so a
    grading process trains it once (a frozen record, only read by the checks)."""
    return classification.train_classifier(lr, epochs, plateau=None if plateau is None
                                           else dict(plateau), seed=seed)


def _forbid_reference_trainer(function: Any) -> None:
    """train_classifier may use lrcore's data, model and batches, not lrcore's trainer."""
    if not callable(function):
        raise CheckFailed(f"train_classifier should be a function, but it is a "
                          f"{type(function).__name__}.")
    if any(function is trainer for trainer in REFERENCE_TRAINERS) or from_reference(function):
        raise CheckFailed("train_classifier is lrcore's reference; the exercise is to write the "
                          "training loop yourself.")
    if reaches(function, REFERENCE_TRAINERS):
        raise CheckFailed("train_classifier calls lrcore's train_classifier; the exercise "
                          "is to write the training loop yourself.")


def history_of(result: Any, call: str) -> tuple[Any, dict[str, np.ndarray]]:
    """The (model, history) a training loop returned, the history's lists as arrays."""
    keys = ", ".join(map(repr, HISTORY_KEYS))
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{call} should return a pair (model, history), got "
                          f"{type(result).__name__}.",
                          diagnosis="the function should return a pair (model, history).")
    model, history = result
    if not isinstance(history, Mapping):
        raise CheckFailed(f"The history returned by {call} should be a dict with the keys "
                          f"{keys}, got {type(history).__name__}.",
                          diagnosis=f"the history should be a dict with the keys {keys}.")
    missing = [key for key in HISTORY_KEYS if key not in history]
    if missing:
        raise CheckFailed(f"The history returned by {call} has no {', '.join(map(repr, missing))}"
                          f"; it needs one value per epoch for each of {keys}.",
                          diagnosis=f"the history needs one value per epoch for each of {keys}.")
    return model, {key: to_float_array(history[key], f"history[{key!r}] of {call}")
                   for key in HISTORY_KEYS}


def net_of(weights: Answer[Any], what: str) -> Any:
    """The grader's own copy of the architecture holding the weights of the student's model
    `what` (read as data through a recorded call, `recorded_weights`, asked in the kernel)."""
    return weights_in(weights.get(), lambda: classification.make_classifier(0), what,
                      ARCHITECTURE)


def _read_classifier_case(params: Any) -> ClassifierCase:
    """Hidden params {"lr", "epochs", "plateau" (options or None), "seed"}."""
    plateau = None if params["plateau"] is None else dict(params["plateau"])
    return params["lr"], int(params["epochs"]), plateau, int(params["seed"])


def _classifier_call(case: ClassifierCase) -> str:
    """How a case's call of train_classifier is shown in a message."""
    lr, epochs, plateau, seed = case
    shown_scheduler = ("None" if plateau is None else
                       format_call("reduce_lr_on_plateau", (lr,), plateau))
    return (f"train_classifier(lr={lr}, epochs={epochs}, scheduler={shown_scheduler}, "
            f"seed={seed})")


# The history a case's run returned, and its model's weights (read as data, `recorded_weights`):
# the deciding part needs them only when the history is right, but it can ask nothing more.
ClassifierAnswer = tuple[dict[str, np.ndarray], Answer[Any]]


def _ask_classifier_case(train_classifier: Any, case: ClassifierCase) -> ClassifierAnswer:
    """The student's run of one case: its history, and its model's weights."""
    lr, epochs, plateau, seed = case
    scheduler = None if plateau is None else reduce_lr_on_plateau(lr, **plateau)
    call = _classifier_call(case)
    result = call_student(train_classifier, "train_classifier", lr, epochs,
                          scheduler=scheduler, seed=seed)
    model, history = history_of(result, call)
    return history, Answer.of(lambda: recorded_weights(model, f"the model returned by {call}",
                                                       ARCHITECTURE))


def _decide_classifier_case(case: ClassifierCase, answer: ClassifierAnswer) -> None:
    """The student's run of one case against lrcore's, its mistake named."""
    lr, epochs, plateau, seed = case
    call = _classifier_call(case)
    history, weights = answer
    reference = _classifier_run(lr, epochs, _frozen(plateau), seed)
    for key, values in history.items():
        if values.shape != (epochs,):
            raise CheckFailed(f"history[{key!r}] of {call} has {values.size} values; it "
                              f"should have one per epoch ({epochs}).",
                              diagnosis=f"history[{key!r}] should have one value per epoch.")
    lrs_right = arrays_match(history["lr"], np.array(reference.lrs), 1e-9, 0.0)
    loss_mismatch = first_mismatch(history["val_loss"], np.array(reference.val_loss),
                                   VAL_LOSS_RTOL, 1e-9)
    accuracy_right = bool(np.all(np.abs(history["val_accuracy"]
                                        - np.array(reference.val_accuracy))
                                 <= 1.01 / classification.N_VAL))
    if lrs_right and loss_mismatch is None and accuracy_right:
        split = classification.quantiles_split()
        own = classification.accuracy(net_of(weights, f"the model returned by {call}"),
                                      split.X_val, split.y_val)
        if abs(own - history["val_accuracy"][-1]) > 1.01 / classification.N_VAL:
            last = describe_number(history["val_accuracy"][-1])
            raise CheckFailed(f"The model returned by {call} classifies "
                              f"{describe_number(own)} of the validation points right, but "
                              f"its history ends at {last}: return the trained model.",
                              diagnosis="the model returned is not the one the history "
                              "describes: return the trained model.")
        return
    diagnosis = diagnose_classifier(history, case, reference)
    if diagnosis:
        raise CheckFailed(f"{call}: {diagnosis}", diagnosis=diagnosis)
    if not lrs_right and loss_mismatch is None:
        epoch = int(np.argmin(np.isclose(history["lr"], reference.lrs, rtol=1e-9, atol=0)))
        fix = ("Record the lr each epoch trains with, and after each epoch set the lr returned "
               "by scheduler.step(val_loss).")
        raise CheckFailed(
            f"{call}: history['lr'][{epoch}] is {describe_number(history['lr'][epoch])}, it "
            f"should be {describe_number(reference.lrs[epoch])}. {fix}",
            diagnosis=f"the lrs of the history are wrong. {fix}")
    if loss_mismatch is not None:
        epoch = loss_mismatch.index or 0
        advice = ("Already after the first epoch: build the model with "
                  "make_classifier(seed), use Adam with lr, the batches of "
                  "epoch_batches(epoch, seed) in order, and the mean "
                  "binary_cross_entropy_with_logits of model(X).squeeze(1)."
                  if epoch == 0 else
                  "The first epochs agree: check what changes from one epoch to the next "
                  "(the lr from the scheduler, the batches of each epoch).")
        raise CheckFailed(
            f"{call}: the validation loss after epoch {epoch} is "
            f"{describe_number(history['val_loss'][epoch])}, it should be "
            f"{describe_number(reference.val_loss[epoch])}. {advice}",
            diagnosis=f"the validation losses differ from the reference. {advice}")
    fix = "count a point as class 1 when its logit is > 0 and divide by the number of points."
    raise CheckFailed(f"{call}: the validation accuracies are "
                      f"{np.round(history['val_accuracy'], 4).tolist()}, they should be "
                      f"{np.round(reference.val_accuracy, 4).tolist()}: {fix}",
                      diagnosis=f"the validation accuracies are wrong: {fix}")


@judged
def check_train_classifier(train_classifier: Any, hidden: bool = False) -> None:
    """train_classifier(lr, epochs, scheduler=None, seed=0) → (model, history) equal to
    lrcore.classification.train_classifier: same lrs, val losses (rtol 1e-4), accuracies; the
    returned model is the trained one (its accuracy, computed from its weights, ends the
    history)."""
    _forbid_reference_trainer(train_classifier)
    run_asking_cases(lambda case: _ask_classifier_case(train_classifier, case),
                     _decide_classifier_case, hidden, "ps05.train_classifier",
                     CLASSIFIER_CASES_VISIBLE, CLASSIFIER_ADVICE, _read_classifier_case)
    passed("train_classifier reproduces the reference runs (lrs, validation losses, accuracies)"
           + (" for unseen lrs, schedules and seeds." if hidden else "."))
