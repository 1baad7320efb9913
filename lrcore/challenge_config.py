"""What a plateau-challenge config may hold: plain data, each option within a stated range.

A config names a `torch.optim` optimiser and, optionally, a `torch.optim.lr_scheduler` class, and
gives their options as numbers (a few as words, such as mode="max", or True/False). Nothing in
it is code: a function (LambdaLR's lr_lambda, CyclicLR's scale_fn) is refused. So a config can be
checked before anything runs, stored, and run again by the grader, and every run takes the same
bounded time (the challenge fixes the model, the data, the batches and the 10 epochs; the ranges
below bound what each option can ask of torch).

`validate_config` returns the config with its defaults filled in and its values as plain Python
numbers, lists and strings; it raises a ValueError that names the key and its allowed values
otherwise (never repeating what the config holds).

>>> validate_config({"optimizer": "sgd", "optimizer_options": {"lr": 0.1}})["optimizer"]
'SGD'
>>> validate_config({"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
...                  "scheduler": "StepLR", "scheduler_options": {"step_size": 5.0}}
...                 )["scheduler_options"]
{'step_size': 5}
>>> validate_config({"optimizer": "SGD", "optimizer_options": {"lr": 50}})
Traceback (most recent call last):
...
ValueError: config['optimizer_options']['lr'] must be a number from 0 to 10
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OPTIMIZERS", "SCHEDULERS", "OPTIMIZER_OPTIONS", "SCHEDULER_OPTIONS", "CONFIG_KEYS",
           "Option", "validate_config", "allowed_options"]

MAX_STEPS = 450
"""Optimiser steps in a challenge run (10 epochs of 45 batches): the largest useful period."""
MAX_MILESTONES = 20


@dataclass(frozen=True)
class Option:
    """One option's allowed values: a number (`kind` "number") or an int ("int") in
    [low, high] — `high` excluded when `high_open` —, True/False ("bool"), one of `words`
    ("word"), a list of up to MAX_MILESTONES ints in [low, high] ("ints"), or a pair of numbers
    in [low, high) ("pair")."""

    kind: str
    low: float = 0.0
    high: float = 1.0
    high_open: bool = False
    words: tuple[str, ...] = ()

    def describe(self) -> str:
        """The allowed values in words: "a number from 0 to 1", "'min' or 'max'", …"""
        span = f"from {_shown(self.low)} to {_shown(self.high)}" + (
            f" ({_shown(self.high)} excluded)" if self.high_open else "")
        return {
            "number": f"a number {span}",
            "int": f"an int {span}",
            "bool": "True or False",
            "word": " or ".join(repr(word) for word in self.words),
            "ints": f"a list of at most {MAX_MILESTONES} ints {span}",
            "pair": f"a pair of numbers {span}",
        }[self.kind]

    def read(self, value: Any) -> Any:
        """The value as plain Python data; ValueError (without a message) if it is not allowed."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError
            return value
        if self.kind == "word":
            if not isinstance(value, str) or value not in self.words:
                raise ValueError
            return value
        if self.kind == "ints":
            if isinstance(value, str | bytes | Mapping) or not _is_sequence(value):
                raise ValueError
            items = list(value)
            if len(items) > MAX_MILESTONES:
                raise ValueError
            return [self._in_range(_integer(item)) for item in items]
        if self.kind == "pair":
            if isinstance(value, str | bytes | Mapping) or not _is_sequence(value):
                raise ValueError
            items = list(value)
            if len(items) != 2:
                raise ValueError
            return [self._in_range(_number(item)) for item in items]
        if self.kind == "int":
            return self._in_range(_integer(value))
        return self._in_range(_number(value))

    def _in_range(self, number: Any) -> Any:
        if not self.low <= number <= self.high or (self.high_open and number == self.high):
            raise ValueError
        return number


def _shown(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() and abs(bound) < 1e15 else f"{bound:g}"


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence | np.ndarray)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError
    return int(number)


def _unit(high_open: bool = False) -> Option:
    return Option("number", 0.0, 1.0, high_open)


def _up_to(high: float) -> Option:
    return Option("number", 0.0, high)


def _steps(low: int = 1, high: int = MAX_STEPS) -> Option:
    return Option("int", low, high)


LR = _up_to(10.0)
BOOL = Option("bool")
_ADAM = {"lr": LR, "betas": Option("pair", 0.0, 1.0, high_open=True), "eps": _unit(),
         "weight_decay": _unit(), "amsgrad": BOOL}
OPTIMIZER_OPTIONS: dict[str, dict[str, Option]] = {
    "SGD": {"lr": LR, "momentum": _unit(), "dampening": _unit(), "weight_decay": _unit(),
            "nesterov": BOOL},
    "Adam": _ADAM,
    "AdamW": _ADAM,
    "RMSprop": {"lr": LR, "alpha": _unit(), "eps": _unit(), "weight_decay": _unit(),
                "momentum": _unit(), "centered": BOOL},
    "Adagrad": {"lr": LR, "lr_decay": _unit(), "weight_decay": _unit(),
                "initial_accumulator_value": _up_to(10.0), "eps": _unit()},
}
"""optimiser → its options a config may set (`lr` is required)."""

_MOMENTA = {"cycle_momentum": BOOL, "base_momentum": _unit(), "max_momentum": _unit()}
SCHEDULER_OPTIONS: dict[str, tuple[dict[str, Option], tuple[str, ...]]] = {
    "StepLR": ({"step_size": _steps(), "gamma": _unit()}, ("step_size",)),
    "MultiStepLR": ({"milestones": Option("ints", 1, MAX_STEPS), "gamma": _unit()},
                    ("milestones",)),
    "ExponentialLR": ({"gamma": _unit()}, ("gamma",)),
    "CosineAnnealingLR": ({"T_max": _steps(), "eta_min": _up_to(10.0)}, ("T_max",)),
    "CosineAnnealingWarmRestarts": ({"T_0": _steps(), "T_mult": Option("int", 1, 10),
                                     "eta_min": _up_to(10.0)}, ("T_0",)),
    "LinearLR": ({"start_factor": Option("number", 1e-6, 1.0), "end_factor": _unit(),
                  "total_iters": _steps()}, ()),
    "ConstantLR": ({"factor": _unit(), "total_iters": _steps()}, ()),
    "PolynomialLR": ({"total_iters": _steps(), "power": _up_to(10.0)}, ()),
    "CyclicLR": ({"base_lr": LR, "max_lr": LR, "step_size_up": _steps(),
                  "step_size_down": _steps(),
                  "mode": Option("word", words=("triangular", "triangular2", "exp_range")),
                  "gamma": _unit(), "scale_mode": Option("word", words=("cycle", "iterations")),
                  **_MOMENTA}, ("base_lr", "max_lr")),
    "OneCycleLR": ({"max_lr": LR, "total_steps": _steps(high=10 * MAX_STEPS),
                    "epochs": Option("int", 1, 100), "steps_per_epoch": Option("int", 1, 1000),
                    "pct_start": _unit(), "anneal_strategy": Option("word", words=("cos",
                                                                                   "linear")),
                    "div_factor": Option("number", 1.0, 1e6),
                    "final_div_factor": Option("number", 1.0, 1e8), "three_phase": BOOL,
                    **_MOMENTA}, ("max_lr",)),
    "ReduceLROnPlateau": ({"mode": Option("word", words=("min", "max")),
                           "factor": _unit(high_open=True), "patience": Option("int", 0, 10),
                           "threshold": _unit(),
                           "threshold_mode": Option("word", words=("rel", "abs")),
                           "cooldown": Option("int", 0, 10), "min_lr": _up_to(10.0),
                           "eps": _unit()}, ()),
}
"""scheduler → (its options a config may set, the ones it must set)."""

OPTIMIZERS = tuple(OPTIMIZER_OPTIONS)
"""The torch.optim classes a config may use."""
SCHEDULERS = tuple(SCHEDULER_OPTIONS)
"""The torch.optim.lr_scheduler classes a config may use (none that takes a function)."""
CONFIG_KEYS = ("optimizer", "optimizer_options", "scheduler", "scheduler_options",
               "scheduler_interval")
_FIXED = {"batch_size": "the batch size", "epochs": "the number of epochs",
          "model": "the model", "seed": "the seed", "hidden_units": "the model"}
_CODE = ("the challenge takes plain data only — name the scheduler and give its options as "
         "numbers (a function such as LambdaLR's lr_lambda is not allowed)")


def _allowed(name: str, options: Mapping[str, Option]) -> str:
    return f"{name} takes " + "; ".join(f"{key} ({option.describe()})"
                                        for key, option in options.items())


def allowed_options() -> str:
    """Every optimiser and scheduler a config may name, each with the options it may set and
    their ranges — one paragraph each, required options marked (what `validate_config`
    enforces).

    >>> text = allowed_options()
    >>> text.splitlines()[1].split("; ")[:2]
    ['  SGD: lr (a number from 0 to 10)', 'momentum (a number from 0 to 1)']
    >>> "patience (an int from 0 to 10)" in text, "step_size* (an int from 1 to 450)" in text
    (True, True)
    """
    lines = ["optimizer (config['optimizer'], with config['optimizer_options']; lr is "
             "required):"]
    lines += [f"  {_allowed(name, options).replace(' takes ', ': ', 1)}"
              for name, options in OPTIMIZER_OPTIONS.items()]
    lines.append("scheduler (config['scheduler'], or None, with config['scheduler_options']; "
                 "required options are marked *):")
    for name, (options, required) in SCHEDULER_OPTIONS.items():
        marked = {(f"{key}*" if key in required else key): option
                  for key, option in options.items()}
        lines.append(f"  {_allowed(name, marked).replace(' takes ', ': ', 1)}")
    lines.append("scheduler_interval: 'epoch' (the default; ReduceLROnPlateau must use it) or "
                 "'batch'")
    return "\n".join(lines)


def _options(config: Mapping[str, Any], key: str, name: str | None,
             allowed: Mapping[str, Option], required: Sequence[str]) -> dict[str, Any]:
    options = config.get(key)
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise ValueError(f"config[{key!r}] must be a dict of keyword arguments")
    if name is None:
        if options:
            raise ValueError(f"config[{key!r}] must be empty when config['scheduler'] is None")
        return {}
    if "optimizer" in options and key == "scheduler_options":
        raise ValueError("config['scheduler_options'] must not contain 'optimizer': the "
                         "challenge creates the optimizer and passes it")
    checked = {}
    for option, value in options.items():
        if not isinstance(option, str) or option not in allowed:
            raise ValueError(f"config[{key!r}] has an option the challenge does not allow: "
                             f"{_allowed(name, allowed)}")
        try:
            checked[option] = allowed[option].read(value)
        except ValueError:
            raise ValueError(f"config[{key!r}][{option!r}] must be "
                             f"{allowed[option].describe()}") from None
    missing = [option for option in required if option not in checked]
    if missing:
        raise ValueError(f"config[{key!r}] must set {' and '.join(map(repr, missing))}: "
                         f"{_allowed(name, allowed)}")
    return checked


def _name(config: Mapping[str, Any], key: str, names: Sequence[str], default: str | None,
          none_allowed: bool) -> str | None:
    value = config.get(key, default)
    if value is None and none_allowed:
        return None
    by_lower = {name.lower(): name for name in names}
    if not isinstance(value, str) or value.lower() not in by_lower:
        choices = ("None or " if none_allowed else "") + "one of " + ", ".join(names)
        raise ValueError(f"config[{key!r}] must be {choices}")
    return by_lower[value.lower()]


FUNCTION_SCHEDULERS = ("LambdaLR", "MultiplicativeLR")
"""torch schedulers driven by a function: not allowed (a config is plain data)."""


def _holds_function(value: Any, depth: int = 0) -> bool:
    if callable(value):
        return True
    if depth > 8:
        return False
    if isinstance(value, Mapping):
        return any(_holds_function(item, depth + 1) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_function(item, depth + 1) for item in value)
    return False


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with its defaults filled in, as plain data (see the module's docstring).

    Raises ValueError naming the first key that is not allowed and what it may hold.

    >>> validate_config({"optimizer": "SGD", "batch_size": 64})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the challenge fixes the batch size: remove 'batch_size' from the config ...
    """
    if callable(config) or _holds_function(config):
        raise ValueError(f"the config holds a function: {_CODE}")
    if not isinstance(config, Mapping):
        raise ValueError("the config must be a dict")
    keys = ", ".join(CONFIG_KEYS)
    for key in config:
        if isinstance(key, str) and key in _FIXED:
            raise ValueError(f"the challenge fixes {_FIXED[key]}: remove {key!r} from the config "
                             f"(only {keys} may be set)")
        if not isinstance(key, str) or key not in CONFIG_KEYS:
            raise ValueError(f"unknown config key: the keys are {keys}")
    optimizer = _name(config, "optimizer", OPTIMIZERS, "SGD", none_allowed=False)
    assert optimizer is not None
    optimizer_options = _options(config, "optimizer_options", optimizer,
                                 OPTIMIZER_OPTIONS[optimizer], ())
    if "lr" not in optimizer_options:
        raise ValueError("config['optimizer_options'] must set the initial 'lr'")
    named = config.get("scheduler")
    if isinstance(named, str) and named.lower() in {n.lower() for n in FUNCTION_SCHEDULERS}:
        raise ValueError(f"config['scheduler'] names a scheduler driven by a function: {_CODE}")
    scheduler = _name(config, "scheduler", SCHEDULERS, None, none_allowed=True)
    allowed, required = SCHEDULER_OPTIONS[scheduler] if scheduler else ({}, ())
    scheduler_options = _options(config, "scheduler_options", scheduler, allowed, required)
    interval = config.get("scheduler_interval", "epoch")
    if not isinstance(interval, str) or interval not in {"epoch", "batch"}:
        raise ValueError("config['scheduler_interval'] must be 'epoch' or 'batch'")
    if scheduler == "ReduceLROnPlateau" and interval != "epoch":
        raise ValueError("ReduceLROnPlateau watches the validation loss, which is measured "
                         "once per epoch: use scheduler_interval='epoch'")
    return {
        "optimizer": optimizer,
        "optimizer_options": optimizer_options,
        "scheduler": scheduler,
        "scheduler_options": scheduler_options,
        "scheduler_interval": interval,
    }
