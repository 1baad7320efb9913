"""ps04 §8: the final policy, evaluated in the real environment — a seeded Monte Carlo success
rate."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from lrchecks.asking import ask_each, asked
from lrchecks.calls import require_own_function
from lrchecks.diagnosis.mistake import raise_first_fitting
from lrchecks.diagnosis.rl import SUCCESS_RATE, SUCCESS_RATE_MISTAKES
from lrchecks.evidence import judged
from lrchecks.hidden import visible_or_drawn, within
from lrchecks.ps04.lakes import (
    GAMMA,
    SUCCESS_ATOL,
    SUCCESS_RTOL,
    Lake,
    call,
    fresh_env,
    lake,
    model_of,
    on_lake,
    q_star,
)
from lrchecks.report import CheckFailed, passed
from lrchecks.values import describe_number, to_float
from lrcore import rl

__all__ = ["PolicySpec", "SuccessCase", "SUCCESS_CASES_VISIBLE", "SUCCESS_ADVICE", "policy",
           "success_case", "check_success_rate"]

PolicySpec = tuple[Any, ...]
"""How a policy is built: ("greedy", γ) — greedy in Q* of the lake at γ — or ("constant",
action)."""
SuccessCase = tuple[str, PolicySpec, int, int, Lake]
SUCCESS_CASES_VISIBLE: tuple[SuccessCase, ...] = (
    ("the optimal policy", ("greedy", GAMMA), 500, 0, None),
)
SUCCESS_ADVICE = ("the rate differs from the seeded episodes': reset with env.reset(seed=seed) "
                  "for the first episode and env.reset() after it, take action policy[state] "
                  "until terminated or truncated, and return the fraction of episodes that end "
                  "with reward 1.")


def policy(spec: Sequence[Any], desc: Lake = None) -> np.ndarray:
    """The policy (one action per state) of a `PolicySpec` on a lake."""
    kind, value = spec
    if kind == "greedy":
        return rl.greedy_policy(q_star(float(value), desc))
    if kind == "constant":
        return np.full(model_of(desc).n_states, int(value), dtype=np.int64)
    raise ValueError(f"unknown kind of policy {kind!r}")


def success_case(kind: str, params: dict[str, Any]) -> SuccessCase:
    """A hidden case: params {"policy": PolicySpec, "episodes", "seed", "map"}."""
    return (kind, tuple(params["policy"]), int(params["episodes"]), int(params["seed"]),
            lake(params["map"]))


@cache
def _success_reference(spec: PolicySpec, n: int, seed: int, desc: Lake) -> float:
    """lrcore's seeded success rate of one test case: the same for every student who runs it,
    so computed once per process."""
    return rl.success_rate(rl.make_frozen_lake(desc), policy(spec, desc), n, seed)


@cache
def _success_mistake(name: str, spec: PolicySpec, n: int, seed: int, desc: Lake) -> float:
    """The rate the named mistake reports on one test case, computed once per process."""
    return float(SUCCESS_RATE_MISTAKES[name](rl.make_frozen_lake(desc), policy(spec, desc), n,
                                             seed))


def _close(value: float, expected: float) -> bool:
    return bool(np.isclose(value, expected, rtol=SUCCESS_RTOL, atol=SUCCESS_ATOL))


def _shown(case: SuccessCase) -> str:
    what, _, n, seed, desc = case
    return f"success_rate(env, policy, {n}, seed={seed}) for {what}{on_lake(desc)}"


def _ask_success(function: Any, case: SuccessCase) -> float:
    """The student's rate of one case (require_own_function is the caller's)."""
    _, spec, n, seed, desc = case
    shown = _shown(case)
    return to_float(call(function, "success_rate", shown, fresh_env(desc), policy(spec, desc),
                         n, seed=seed), f"The result of {shown}")


def _decide_success(case: SuccessCase, value: float) -> float:
    """One case's rate against lrcore's, its mistake named; the rate, once it is right."""
    _, spec, n, seed, desc = case
    shown = _shown(case)
    expected = _success_reference(spec, n, seed, desc)
    if _close(value, expected):
        return expected
    raise_first_fitting(SUCCESS_RATE, lambda mistake: _close(
        value, _success_mistake(mistake.name, spec, n, seed, desc)), f"{shown} is wrong.")
    if np.isclose(value, expected * n, rtol=SUCCESS_RTOL):
        advice = "return the fraction, successes / n_episodes."
        raise CheckFailed(f"{shown} returned {describe_number(value)}, a number of "
                          f"successes: {advice}",
                          diagnosis=f"success_rate returned a number of successes: {advice}")
    if np.isclose(value, expected * 100, rtol=SUCCESS_RTOL):
        advice = "return a fraction in [0, 1]."
        raise CheckFailed(f"{shown} returned a percentage; {advice}",
                          diagnosis=f"success_rate returned a percentage; {advice}")
    raise CheckFailed(
        f"{shown} returned {describe_number(value)}; the seeded episodes give "
        f"{describe_number(expected)}. Reset with env.reset(seed=seed) for the first episode "
        "and env.reset() after it, take action policy[state] until terminated or truncated, "
        "and count the episodes that end with reward 1.")


@judged
def check_success_rate(success_rate: Any, hidden: bool = False) -> None:
    """Monte Carlo success rate with seeded gymnasium episodes, equal to lrcore's (hidden: the
    drawn policies, seeds and lakes — pool "ps04.success_rate")."""
    require_own_function(success_rate, "success_rate")
    cases = visible_or_drawn(hidden, "ps04.success_rate", SUCCESS_CASES_VISIBLE,
                             read_case=lambda drawn: success_case(drawn.kind, drawn.params))
    answers = ask_each(lambda case: _ask_success(success_rate, case), cases, SUCCESS_ADVICE)
    asked()
    for (drawn, case), answer in zip(cases, answers, strict=True):
        with within(drawn, SUCCESS_ADVICE):
            rate = _decide_success(case, answer.get())
    passed("success_rate reproduces the seeded episodes"
           + (" for unseen policies, seeds and lakes." if hidden else
              f" (the optimal policy reaches the goal in {rate:.1%} of 500 episodes)."))
