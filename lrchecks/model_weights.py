"""A student's torch model as data: its weights, read through a recorded call.

A model is code, so it cannot leave the kernel, and what it computes there (an accuracy) is the
student's to alter. Its weights are numbers. A check that needs what a student's model computes
reads the model's `state_dict()` through `call_student` — recorded while grading, answered from
the record when the grader judges again — then loads those numbers into the grader's own copy of
the architecture the task fixes and computes the answer itself (`weights_in`). Weights that do
not fit that architecture are refused in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrchecks.calls import call_student
from lrchecks.report import CheckFailed
from lrchecks.values import to_float_array

__all__ = ["recorded_weights", "weights_in"]

STATE_CALL = "model.state_dict"
"""The name of the recorded call (the same for every case: it names no case's values)."""


def recorded_weights(model: Any, what: str, architecture: str) -> Any:
    """`model.state_dict()` of the student's `model`, as the record holds it (a dict of
    tensors); `what` names the model in a message, `architecture` describes the net the task
    builds ("the 2 → 32 → 32 → 1 net make_classifier(seed) builds")."""
    import torch

    try:
        return call_student(torch.nn.Module.state_dict, STATE_CALL, model)
    except CheckFailed:
        fix = (f"it should be {architecture}, trained: the grader reads its weights with "
               "state_dict() and could not.")
        raise CheckFailed(f"{what[:1].upper()}{what[1:]} is not a torch model: {fix}",
                          diagnosis=f"the model returned is not a torch model: {fix}") from None


def weights_in(state: Any, make_architecture: Callable[[], Any], what: str,
               architecture: str) -> Any:
    """A fresh net from `make_architecture()` with the weights `state` (name → array or
    tensor): the grader's own model of the student's. Refuses weights whose names or shapes
    differ from the architecture's."""
    import torch

    net = make_architecture()
    expected = net.state_dict()
    fix = f"do not fit {architecture}: return that model, trained, not a net of your own design."
    refusal = CheckFailed(f"The weights of {what} {fix}",
                          diagnosis=f"the weights of the model returned {fix}")
    if not isinstance(state, Mapping) or set(state) != set(expected):
        raise refusal
    loaded = {}
    for name, tensor in expected.items():
        values = to_float_array(state[name], f"The weight {name} of {what}")
        if values.shape != tuple(tensor.shape):
            raise refusal
        loaded[name] = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
    net.load_state_dict(loaded)
    return net
