"""Messages a student reads at a glance: every check's message, on every wrong answer of the
corpus (`message_corpus`), is one line of at most two short sentences, with no array, no long
list of numbers, no repr, no traceback and nothing the student's code said."""

from __future__ import annotations

import re

import pytest
from hidden_case_helpers import every_pooled_case
from message_corpus import (
    ASSIGNMENTS,
    STUDENT_TEXT,
    Message,
    check_calls,
    generic_messages,
    sample_messages,
    solution_messages,
    timed,
)

from autograder.samples import samples_for
from lrchecks import ps01, ps05
from lrchecks.diagnosis.mistake import Mistake
from lrchecks.diagnosis.regression import BROADCAST_EXPLANATION
from lrchecks.hidden import drawn_cases
from lrchecks.report import MESSAGE_CHARS, CheckFailed

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")
REPR = re.compile(r"<[\w.]+ (?:object )?at 0x|<function |<bound method |<lambda>|array\(|tensor\("
                  r"|Parameter containing|\bTraceback\b|File \"")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
MOST_NUMBERS_IN_A_ROW = 6
NUMBER_LIST = re.compile(rf"(?:{NUMBER.pattern}\s*,\s*){{{MOST_NUMBERS_IN_A_ROW}}}{NUMBER.pattern}")


def problems(text: str) -> list[str]:
    """What breaks the message rules in `text` (empty when it reads at a glance)."""
    found = []
    if len(text) > MESSAGE_CHARS:
        found.append(f"{len(text)} characters")
    if "\n" in text:
        found.append("more than one line")
    if REPR.search(text):
        found.append("a repr or a traceback")
    if re.search(r"\[\s*\[|\[[^\]]*\.\.\.", text):
        found.append("an array")
    if NUMBER_LIST.search(text):
        found.append(f"a list of more than {MOST_NUMBERS_IN_A_ROW} numbers")
    if len(SENTENCE_END.findall(text.replace("e.g.", "eg").replace("i.e.", "ie"))) > 2:
        found.append("more than two sentences")
    if STUDENT_TEXT in text:
        found.append("text the student's code wrote")
    return found


def _report(messages: list[Message]) -> str:
    bad = [(m, problems(m.text)) for m in messages]
    return "\n".join(f"{m.assignment} {m.test} [{m.answer}]: {', '.join(p)} — {m.text!r}"
                     for m, p in bad if p or m.crashed)


def test_the_rules_catch_what_the_issue_saw():
    """The rules flag the messages of issue 22 and pass a plain one."""
    assert problems("train_linear_regression(array([[0.37], [0.95], [0.73]]), ...) returns a")
    assert problems("linear_scaled_lr is <function linear_scaled_lr at 0x7f3a>.")
    assert problems("x should be [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0] but is 0.")
    assert problems("Traceback (most recent call last): NameError")
    assert problems("One. Two. Three.")
    assert problems("x" * (MESSAGE_CHARS + 1))
    assert not problems("fig_runs is not defined yet: run the cell that draws it.")
    assert not problems("optimize(1.05, 20, 500.0) returns x = 3363.7 at step 20; it should be "
                        "3363.744. Is zero_grad() called every iteration?")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_speaks_plainly_on_wrong_answers(assignment):
    """Every check call, on the solution, each sample mistake and each generic wrong answer:
    every message keeps the rules, and no check lets an exception of its own escape."""
    messages = (timed(solution_messages, assignment) + timed(sample_messages, assignment)
                + timed(generic_messages, assignment))
    tested = {message.test for message in messages}
    assert tested == {call.test for call in check_calls(assignment)}
    assert not _report(messages), "\n" + _report(messages)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_sample_mistake_is_named_in_its_own_words(assignment):
    """The words each sample's `feedback` expects are in the message of that test (the corpus
    runs the checks as the kernel does; the end-to-end tests read the graded feedback)."""
    said: dict[tuple[str, str], str] = {}
    for message in sample_messages(assignment):
        said[message.answer, message.test] = said.get((message.answer, message.test), "") + (
            " " + message.text)
    for sample in samples_for(assignment):
        if sample.blank or not sample.cells:
            continue
        for test, words in sample.feedback.items():
            assert words in said.get((sample.student, test), ""), (sample.student, test, words)


def test_an_undefined_figure_gets_a_sentence():
    """The check of an undefined figure says which cell to run, in the kernel's words."""
    messages = [m for m in generic_messages("ps01_constant_lr")
                if m.answer == "fig_runs: undefined"]
    assert messages
    assert {m.text for m in messages} == {
        "fig_runs is not defined yet: run the cell that draws it."}


def test_a_function_not_written_yet_gets_a_clean_sentence():
    messages = [m for m in generic_messages("ps01_constant_lr")
                if m.answer == "optimize: not written"]
    assert messages
    for message in messages:
        assert "NotImplementedError: ." not in message.text
        assert "not written" in message.text


def every_mistake() -> list[Mistake]:
    """Every modelled mistake of `lrchecks.diagnosis`."""
    import importlib
    import pkgutil

    import lrchecks.diagnosis

    found: dict[int, Mistake] = {}
    for info in pkgutil.walk_packages(lrchecks.diagnosis.__path__, "lrchecks.diagnosis."):
        for value in vars(importlib.import_module(info.name)).values():
            items = value if isinstance(value, list | tuple) else [value]
            found.update({id(item): item for item in items if isinstance(item, Mistake)})
    return list(found.values())


EXPLANATION_CHARS = 170
"""A mistake's sentence leaves room for what a message says before it (which case, where)."""


def test_every_mistake_is_named_in_one_short_sentence():
    mistakes = every_mistake()
    assert len(mistakes) > 100
    long = [m.explanation for m in mistakes
            if problems(m.explanation) or len(m.explanation) > EXPLANATION_CHARS
            or len(SENTENCE_END.findall(m.explanation)) > 1]
    assert not long, "\n".join(long)


def _broadcasting_regression(X, y, lr, epochs=100, optimizer_name="sgd"):
    """ŷ of shape (n,) against y of shape (n, 1): the loss broadcasts to n×n."""
    import torch

    features = torch.as_tensor(X, dtype=torch.float32).reshape(-1, 1)
    targets = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
    model = torch.nn.Linear(1, 1)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD,
                 "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
                 "adam": torch.optim.Adam}[optimizer_name.lower()]
    options = {"momentum": 0.9} if optimizer_name.lower() == "momentum" else {}
    trainer = optimizer(model.parameters(), lr=lr, **options)
    losses = []
    for _ in range(epochs):
        trainer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(features).squeeze(), targets)
        loss.backward()
        trainer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("hidden", [False, True])
def test_a_broadcasting_loss_is_named_in_ps01(hidden):
    def train_linear_regression(X, y, lr, epochs=100):
        return _broadcasting_regression(X, y, lr, epochs)

    with drawn_cases(every_pooled_case("ps01_constant_lr")), pytest.raises(CheckFailed) as failure:
        ps01.check_train_linear_regression(train_linear_regression, hidden=hidden)
    assert BROADCAST_EXPLANATION in failure.value.message
    assert not problems(failure.value.message)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_broadcasting_loss_is_named_in_ps05(hidden):
    def train_regression(X, y, optimizer_name, lr, epochs=100):
        return _broadcasting_regression(X, y, lr, epochs, optimizer_name)

    with drawn_cases(every_pooled_case("ps05_adaptive_optimizers")), \
            pytest.raises(CheckFailed) as failure:
        ps05.check_train_regression(train_regression, hidden=hidden)
    assert BROADCAST_EXPLANATION in failure.value.message
    assert not problems(failure.value.message)


@pytest.fixture
def shell():
    """An in-process IPython shell with the checks' short errors installed."""
    from IPython.core.interactiveshell import InteractiveShell

    from lrchecks.report import install_short_errors

    shell = InteractiveShell.instance()
    assert install_short_errors()
    yield shell
    shell.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def _shown(shell, source: str, capsys) -> str:
    result = shell.run_cell(source)
    assert not result.success
    return capsys.readouterr().out


def test_the_kernel_shows_an_undefined_figure_as_a_sentence(shell, capsys):
    shown = _shown(shell, "from lrchecks.ps01 import check_runs_figure_x\n"
                   "check_runs_figure_x(fig_runs)", capsys)
    assert "✗ fig_runs is not defined yet: run the cell that draws it." in shown
    assert "Traceback" not in shown and "NameError" not in shown


def test_the_kernel_keeps_the_traceback_of_a_name_error_elsewhere(shell, capsys):
    """A NameError in the student's own cell, or inside a function, keeps its traceback."""
    assert "NameError" in _shown(shell, "print(undefined_thing)", capsys)
    shown = _shown(shell, "from lrchecks.ps01 import check_optimize_published\n"
                   "def optimize(lr, n, x0):\n    return missing_name\n"
                   "check_optimize_published(optimize)", capsys)
    assert "is not defined yet" not in shown


def test_the_judge_repeats_no_long_name_from_the_students_code():
    from autograder.own_code import NotebookCode, own_code_problem

    module = "lrcore." + "a" * 300
    code = NotebookCode.from_cells([f"import {module}\ndef optimize():\n    return lrcore"], [])
    problem = own_code_problem(code, "optimize")
    assert problem is not None and "lrcore.aaa" in problem and len(problem) < 100


def test_a_long_failure_keeps_its_diagnosis_and_the_most_of_its_lead_that_fits():
    diagnosis = ("The noise is added outside the learning rate: the step subtracts lr times "
                 "the whole noisy gradient.")
    lead = ("noisy_descent([0.1, 0.1, 0.1, 0.1, 0.1], 10.0, [0.5, -1.0, 0.0, 2.0, -0.5, 1.5, "
            "2.5], a=0.5, runs=3): x after step 1 is 7.5, it should be 7.95 instead.")
    message = CheckFailed(f"{lead} {'padding ' * 12}{diagnosis}", diagnosis=diagnosis).message
    assert len(message) <= MESSAGE_CHARS and message.endswith(diagnosis)
    assert CheckFailed(f"{lead} {diagnosis}", diagnosis=diagnosis).message == (
        f"noisy_descent(…): x after step 1 is 7.5, it should be 7.95 instead. {diagnosis}")
    hidden = f"A hidden case fails (a noisy run): {diagnosis}"
    assert CheckFailed(hidden, diagnosis=diagnosis).message == hidden


def test_a_call_shows_arrays_by_their_shape_and_functions_by_their_name():
    import numpy as np
    import torch

    from lrchecks.calls import format_call

    def optimize():
        return None

    shown = format_call("f", (np.zeros((100, 1)), torch.zeros(3), list(range(30)), optimize),
                        {"lr": np.float64(0.5), "xs": [1.0, 2.0]})
    assert shown == "f(a 100×1 array, a 3 tensor, a list of 30, optimize, lr=0.5, xs=[1.0, 2.0])"


def test_a_failure_is_shown_in_lines_that_fit_the_validate_dialog():
    from lrchecks.report import SHOWN_COLUMNS, failure_lines

    message = "word " * 47 + "end."
    shown = failure_lines(message)
    assert shown.startswith("✗ word") and all(len(line) <= SHOWN_COLUMNS
                                             for line in shown.splitlines())
    assert " ".join(shown.removeprefix("✗ ").split()) == message
