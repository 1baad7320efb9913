"""Checks for ps04 "The step size α of Q-learning" — what its test cells call, one line each.

The reference is `lrcore.rl`; the models of the usual mistakes are `lrcore.mistakes.rl`; the
words are here. Everything is seeded, so the learners are compared exactly: the same visit
counts, and Q-tables equal to rtol 1e-5 (atol 1e-9, for entries that stay near 0).
Value iteration is compared with atol 1e-6: the students stop at tol = 1e-10 (an error below
tol·γ/(1−γ) = 1e-8 for γ ≤ 0.99) and may iterate in place or by sweeps.

Visible checks use the published 4×4 lake. Hidden checks (`hidden=True`, or the `_unseen`
check) run the cases the grader drew for this student (`lrchecks.hidden`: pools the grader
keeps) — other discounts, random lakes, transitions, step sizes, seeds and
policies — whose params are plain data, rebuilt here (`lake`, `step_size`, `policy`,
`update_table`). A hidden case's message names the kind of case and the mistake, never its
inputs or expected values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from lrchecks import plots
from lrchecks.calls import call_student, format_call, require_own_function
from lrchecks.evidence import judged
from lrchecks.hidden import hidden_case, hidden_cases
from lrchecks.report import CheckFailed, passed
from lrchecks.values import (
    arrays_match,
    describe_number,
    first_mismatch,
    read_only,
    same_pattern,
    to_float,
    to_float_array,
)
from lrcore import rl
from lrcore.mistakes import rl as mistakes

__all__ = [
    "GAMMA",
    "CONSTANT_ALPHAS",
    "OMEGAS",
    "N_SWEEPS",
    "SWEEP_SEED",
    "CHECKPOINTS",
    "check_value_iteration_published",
    "check_value_iteration_unseen",
    "check_q_learning_update",
    "check_step_sizes",
    "check_q_learning_seeded",
    "check_synchronous_q_learning",
    "check_alpha_figure_layout",
    "check_alpha_figure_errors",
    "check_alpha_figure_success",
    "check_success_rate",
    "lake",
    "step_size",
    "policy",
    "update_table",
    "learner_case",
    "synchronous_case",
    "success_case",
]

GAMMA = 0.99
V_STAR_START = 0.5420259320
CONSTANT_ALPHAS: tuple[float, ...] = (0.5, 0.1, 0.01)
OMEGAS: tuple[float, ...] = (1.0, 0.8, 0.6)
N_SWEEPS = 10_000
SWEEP_SEED = 0
CHECKPOINTS = np.unique(np.geomspace(1, N_SWEEPS, 30).astype(int))
"""The experiment of the submitted figure (given to the students in the notebook)."""

Q_RTOL, Q_ATOL = 1e-5, 1e-9
VI_ATOL = 1e-6
SUCCESS_RTOL, SUCCESS_ATOL = 1e-9, 1e-12
STEP_SIZE_RTOL = 1e-9

Lake = tuple[str, ...] | None
"""A lake's map, one string per row (None: the published 4×4 lake); a tuple, so that the
references of a lake can be cached."""


def lake(rows: Sequence[str] | None) -> Lake:
    """A hidden case's map (a list of rows, or None for the published 4×4 lake)."""
    return None if rows is None else tuple(str(row) for row in rows)


def _on_lake(desc: Lake) -> str:
    return "" if desc is None else f" on a {len(desc)}×{len(desc[0])} lake"


STEP_SIZES = {"constant": rl.constant_step_size, "polynomial": rl.polynomial_step_size}


def step_size(spec: Sequence[Any]) -> rl.StepSize:
    """A step-size schedule from its data: ["constant", α] or ["polynomial", ω]."""
    kind, parameter = spec
    return STEP_SIZES[kind](float(parameter))


class _Named:
    """Shows as its name in a message instead of a page of numbers."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


class _NamedTransitions(dict):
    """env.unwrapped.P, shown as `P` in messages."""

    def __repr__(self) -> str:
        return "P"


def _env(desc: Sequence[str] | None = None) -> Any:
    """A fresh lake whose repr in messages is `env` (a gymnasium Wrapper passes all through)."""
    import gymnasium as gym

    class NamedEnv(gym.Wrapper):
        def __repr__(self) -> str:
            return "env"

    return NamedEnv(rl.make_frozen_lake(desc))


def _transitions(desc: Sequence[str] | None = None) -> _NamedTransitions:
    env = rl.make_frozen_lake(desc)
    return _NamedTransitions(env.unwrapped.P)


@cache
def _model(desc: tuple[str, ...] | None = None) -> rl.TransitionModel:
    return rl.frozen_lake_model(desc)


@cache
def _q_star(gamma: float, desc: tuple[str, ...] | None = None) -> np.ndarray:
    return rl.value_iteration(_model(desc), gamma)


_VISIT_HINT = (" The n-th visit of a pair uses α_n with n = 1, 2, …: increment counts[s, a] "
               "first, then compute α = alpha_at(counts[s, a]).")
_SWEEP_HINT = " Sweep k = 1, 2, … uses α = alpha_at(k): the first sweep uses alpha_at(1)."
_COUNT_ERRORS = ("the visit count n starts at 1", "ZeroDivisionError")


def _call(function: Any, name: str, shown: str, *args: Any, count_hint: str = "",
          **kwargs: Any) -> Any:
    """call_student, with the call written as `shown`; `count_hint` is added when the student's
    code asked alpha_at for the step size of a count of 0."""
    try:
        return call_student(function, name, *args, **kwargs)
    except CheckFailed as failure:
        message = failure.message.replace(format_call(name, args, kwargs), shown, 1)
        diagnosis = failure.diagnosis
        if count_hint and any(error in message for error in _COUNT_ERRORS):
            message += count_hint
            diagnosis = (diagnosis or "") + count_hint
        raise CheckFailed(message, diagnosis=diagnosis) from None


def _q_array(value: Any, what: str, shape: tuple[int, int]) -> np.ndarray:
    array = to_float_array(value, what)
    if array.shape == (shape[0],):
        raise CheckFailed(f"{what} has one value per state; return Q, one row per state and one "
                          f"column per action, shape {shape}.",
                          diagnosis="the result has one value per state; return Q, one row per "
                          "state and one column per action.")
    if array.shape != shape:
        raise CheckFailed(f"{what} has shape {array.shape}; it should be {shape} (one row per "
                          "state, one column per action).",
                          diagnosis="the result has the wrong shape: it should have one row per "
                          "state and one column per action.")
    if not np.all(np.isfinite(array)):
        raise CheckFailed(f"{what} contains inf or nan.", diagnosis="the result contains inf or "
                          "nan.")
    return array


def _first_difference(student: np.ndarray, expected: np.ndarray, rtol: float,
                      atol: float) -> str:
    mismatch = first_mismatch(student, expected, rtol, atol)
    assert mismatch is not None and mismatch.index is not None
    index = np.unravel_index(mismatch.index, expected.shape)
    where = ", ".join(str(int(i)) for i in index)
    return (f"Q[{where}] is {describe_number(mismatch.student)}, it should be "
            f"{describe_number(mismatch.expected)}")


# --- value iteration -------------------------------------------------------------------------

VALUE_ITERATION_EXPLANATIONS = {
    "gamma_missing": "It looks like the discount is missing: the backup is "
    "Σ p·(r + γ·V(s')), and your values are those of γ = 1.",
    "mean_instead_of_max": "Your values are those of the random policy: V(s) is the max over "
    "the actions of Q(s, ·), not their mean.",
    "terminal_transitions_skipped": "Q is 0 everywhere: the reward of the step into the goal "
    "is lost. For a terminal transition keep r and drop only the γ·V(s') term.",
    "single_backup": "It looks like one backup only: repeat the backup until the largest change "
    "of V is below tol.",
}


VALUE_ITERATION_ADVICE = ("the values differ from Q*: back up Q(s, a) = Σ p·(r + γ·V(s')), "
                          "with no γ·V(s') term for a terminal transition, and V(s) = "
                          "max_a Q(s, a), until the largest change of V is below tol.")


def _check_value_iteration(function: Any, gamma: float, desc: Lake) -> None:
    """One discount on one lake (require_own_function is the caller's)."""
    shown = f"value_iteration(P, {gamma})" + _on_lake(desc)
    P = _transitions(desc)
    model = _model(desc)
    student = _q_array(_call(function, "value_iteration", shown, P, gamma),
                       f"The result of {shown}", (model.n_states, model.n_actions))
    expected = _q_star(gamma, desc)
    if arrays_match(student, expected, 0.0, VI_ATOL):
        return
    for name, mistake in mistakes.VALUE_ITERATION_MISTAKES.items():
        model_q = mistake(model, gamma)
        if not arrays_match(model_q, expected, 0.0, VI_ATOL) and arrays_match(
                student, model_q, 1e-4, 1e-6):
            explanation = VALUE_ITERATION_EXPLANATIONS[name]
            raise CheckFailed(f"{shown} is wrong. {explanation}", diagnosis=explanation)
    start = model.start
    difference = _first_difference(student, expected, 0.0, VI_ATOL)
    if np.max(np.abs(student - expected)) < 1e-3:
        advice = "iterate until the largest change of V is below tol = 1e-10."
        raise CheckFailed(f"{shown} is close but not converged ({difference}): {advice}",
                          diagnosis=f"the values are close but not converged: {advice}")
    raise CheckFailed(f"{shown}: {difference} "
                      f"(V*(start) = max Q[{start}] should be "
                      f"{describe_number(float(expected[start].max()))}).")


@judged
def check_value_iteration_published(value_iteration: Any) -> None:
    """Visible: Q* of the slippery 4×4 lake at γ = 0.99 (V*(start) = 0.5420259320)."""
    require_own_function(value_iteration, "value_iteration")
    _check_value_iteration(value_iteration, GAMMA, None)
    passed(f"value_iteration gives Q* of the 4×4 lake: V*(start) = {V_STAR_START:.10f}, LEFT "
           "is the best first move.")


@judged
def check_value_iteration_unseen(value_iteration: Any) -> None:
    """Hidden: the drawn discounts and lakes (pool "ps04.value_iteration": {"gamma", "map"})."""
    require_own_function(value_iteration, "value_iteration")
    for case in hidden_cases("ps04.value_iteration"):
        with hidden_case(case, VALUE_ITERATION_ADVICE):
            _check_value_iteration(value_iteration, float(case.params["gamma"]),
                                   lake(case.params["map"]))
    passed("value_iteration is right for other discounts and lakes.")


# --- the update rule -------------------------------------------------------------------------

UPDATE_EXPLANATIONS = {
    "gamma_missing": "It looks like γ is missing: the target is r + γ·max_a' Q(s', a').",
    "bootstrap_at_terminal": "It looks like you bootstrap at a terminal transition: when "
    "terminated is True the target is just r (nothing follows the end of an episode).",
    "next_action_not_max": "The target uses Q(s', a) of one action, not the max over the next "
    "actions: Q-learning bootstraps with max_a' Q(s', a') (using the next action's Q is SARSA).",
    "without_minus_q": "The TD error misses − Q(s, a): "
    "Q(s, a) += α·(r + γ·max Q(s', ·) − Q(s, a)).",
    "overwrite_with_alpha_target": "Q(s, a) is overwritten with α·target: the update keeps "
    "(1 − α) of the old value, Q(s, a) += α·(target − Q(s, a)).",
    "max_of_current_state": "The max is taken over Q(s, ·) of the current state: bootstrap from "
    "the next state, max_a' Q(s', a').",
}

UpdateCase = tuple[int, int, float, int, bool, float, float]
UPDATE_CASES_VISIBLE: tuple[UpdateCase, ...] = (
    (14, rl.DOWN, 0.0, 13, False, 0.5, 0.99),
    (14, rl.RIGHT, 1.0, 15, True, 0.1, 0.99),  # into the goal: no bootstrap
    (6, rl.LEFT, 0.0, 5, True, 0.25, 0.9),  # into a hole
)
UPDATE_ADVICE = ("the updated value is wrong: Q(s, a) += α·(r + γ·max_a' Q(s', a') − Q(s, a)), "
                 "without the γ·max term when terminated.")
UPDATE_PARAMS = ("state", "action", "reward", "next_state", "terminated", "alpha", "gamma")
"""The keys of a hidden update case's params, in the order of the call (plus "table": the
seed of its Q-table, `update_table`)."""


def update_table(seed: int) -> np.ndarray:
    """A table with every entry nonzero, also in terminal rows, so that a bootstrap at a
    terminal transition shows."""
    return np.random.default_rng(seed).uniform(0.05, 0.9, size=(16, 4))


def _check_update(function: Any, case: UpdateCase, table_seed: int) -> None:
    """One transition, on the table of `table_seed` (require_own_function is the caller's)."""
    s, a, r, s2, terminated, alpha, gamma = case
    q = update_table(table_seed)
    shown = (f"q_learning_update(Q, state={s}, action={a}, reward={r:g}, next_state={s2}, "
             f"terminated={terminated}, alpha={alpha:g}, gamma={gamma:g})")
    student_q = q.copy()
    result = _call(function, "q_learning_update", shown, student_q, s, a, r, s2,
                   terminated, alpha, gamma)
    if result is not None and np.shape(result) == q.shape:
        student_q = result
    student = _q_array(student_q, f"Q after {shown}", q.shape)
    expected = q.copy()
    rl.q_learning_update(expected, s, a, r, s2, terminated, alpha, gamma)
    if arrays_match(student, expected, Q_RTOL, Q_ATOL):
        return
    if arrays_match(student, q, 0.0, 0.0):
        advice = "update Q[state, action] in place (or return the updated table)."
        raise CheckFailed(f"After {shown} Q is unchanged: {advice}",
                          diagnosis=f"Q is unchanged: {advice}")
    others = np.ones(q.shape, dtype=bool)
    others[s, a] = False
    if not arrays_match(student[others], q[others], 0.0, 0.0):
        raise CheckFailed(f"{shown} changed entries other than Q[{s}, {a}]: an update only "
                          "touches the pair that was visited.",
                          diagnosis="the update changed entries other than Q[state, action]: "
                          "an update only touches the pair that was visited.")
    for name, mistake in mistakes.UPDATE_MISTAKES.items():
        model_q = mistake(q, s, a, r, s2, terminated, alpha, gamma)
        if not arrays_match(model_q, expected, Q_RTOL, Q_ATOL) and arrays_match(
                student, model_q, 1e-6, 1e-12):
            explanation = UPDATE_EXPLANATIONS[name]
            raise CheckFailed(f"{shown} is wrong. {explanation}", diagnosis=explanation)
    raise CheckFailed(f"{shown}: Q[{s}, {a}] becomes {describe_number(student[s, a])}, it "
                      f"should become {describe_number(expected[s, a])}. The update is "
                      "Q(s, a) += α·(r + γ·max_a' Q(s', a') − Q(s, a)), without the γ·max "
                      "term when terminated.")


@judged
def check_q_learning_update(q_learning_update: Any, hidden: bool = False) -> None:
    """The update on tables with every entry nonzero: a step inside the lake, into the goal
    and into a hole (visible); the drawn transitions, α and γ (hidden, pool
    "ps04.q_learning_update")."""
    require_own_function(q_learning_update, "q_learning_update")
    if not hidden:
        for index, case in enumerate(UPDATE_CASES_VISIBLE):
            _check_update(q_learning_update, case, index)
    else:
        for drawn in hidden_cases("ps04.q_learning_update"):
            with hidden_case(drawn, UPDATE_ADVICE):
                params = drawn.params
                s, a, r, s2, terminated, alpha, gamma = (params[key] for key in UPDATE_PARAMS)
                _check_update(q_learning_update, (int(s), int(a), float(r), int(s2),
                                                  bool(terminated), float(alpha), float(gamma)),
                              int(params["table"]))
    passed("q_learning_update is right" + (" on unseen transitions, α and γ." if hidden else
                                           ", with no bootstrap at terminal transitions."))


# --- step sizes -----------------------------------------------------------------------------

STEP_SIZE_ADVICE = ("α_n = α for a constant step size and 1/n^ω for a polynomial one, for "
                    "every kind of count n (int, float, numpy number), from a function that "
                    "computes it.")
COUNT_TYPES: dict[str, Callable[[Any], Any]] = {
    "int": int, "float": float, "numpy.int64": np.int64, "numpy.float64": np.float64}
"""The kinds of count a hidden step-size case passes: params "counts" = [[kind, n], …]."""


def _check_schedule(factory: Any, name: str, parameter: float, expected: rl.StepSize,
                    counts: Sequence[Any]) -> None:
    shown = f"{name}({parameter:g})"
    alpha_at = _call(factory, name, shown, parameter)
    if not callable(alpha_at):
        raise CheckFailed(f"{shown} returned {type(alpha_at).__name__} {alpha_at!r}; it should "
                          "return a function of the visit count n (e.g. `return lambda n: …`).",
                          diagnosis=f"{name} should return a function of the visit count n "
                          "(e.g. `return lambda n: …`).")
    # lrcore's own schedule is no answer (it would be judged as data, i.e. computed correctly)
    require_own_function(alpha_at, f"The result of {shown}")
    for n in counts:
        value = to_float(_call(alpha_at, "alpha_at", f"{shown}({n!r})", n),
                         f"{shown}({n!r})")
        reference = float(expected(n))
        if np.isclose(value, reference, rtol=STEP_SIZE_RTOL, atol=0):
            continue
        hint = ""
        number = float(n)
        if expected.omega and np.isclose(value, expected(number + 1), rtol=STEP_SIZE_RTOL):
            hint = " It is α_{n+1}: the first visit (n = 1) should use α = 1."
        elif expected.omega and np.isclose(value, expected.omega / number,
                                           rtol=STEP_SIZE_RTOL):
            hint = " That is ω/n; the step size is 1/n^ω (n ** -omega)."
        elif expected.omega and np.isclose(value, 1 / (number * expected.omega),
                                           rtol=STEP_SIZE_RTOL):
            hint = " That is 1/(n·ω); the step size is 1/n^ω (n ** -omega)."
        rule = "α_n = 1/n^ω" if expected.omega else "α_n = α"
        raise CheckFailed(f"{shown}({n!r}) is {describe_number(value)}, it should be "
                          f"{describe_number(reference)}.{hint}",
                          diagnosis=f"{name} gives a wrong α_n.{hint}" if hint else
                          f"{name} gives a wrong α_n: {rule} for every kind of count n (int, "
                          "float, numpy number).")


@judged
def check_step_sizes(constant_step_size: Any, polynomial_step_size: Any,
                     hidden: bool = False) -> None:
    """α_n of the constant and polynomial schedules for n = 1, 2, … (visible: ints; hidden:
    the drawn α and ω, with ints, floats and numpy counts — pool "ps04.step_sizes")."""
    require_own_function(constant_step_size, "constant_step_size")
    require_own_function(polynomial_step_size, "polynomial_step_size")
    factories = {"constant": (constant_step_size, "constant_step_size"),
                 "polynomial": (polynomial_step_size, "polynomial_step_size")}
    if not hidden:
        counts = list(range(1, 11)) + [100, 1000]
        for alpha in (0.1,):
            _check_schedule(constant_step_size, "constant_step_size", alpha,
                            rl.constant_step_size(alpha), counts)
        for omega in (1.0, 0.6):
            _check_schedule(polynomial_step_size, "polynomial_step_size", omega,
                            rl.polynomial_step_size(omega), counts)
    else:
        for case in hidden_cases("ps04.step_sizes"):
            with hidden_case(case, STEP_SIZE_ADVICE):
                kind, parameter = case.params["schedule"]
                factory, name = factories[kind]
                _check_schedule(factory, name, float(parameter), step_size([kind, parameter]),
                                [COUNT_TYPES[type_](n) for type_, n in case.params["counts"]])
    passed("The step sizes are right" + (" for unseen α, ω and kinds of count." if hidden
                                         else ": α_n = α and α_n = 1/n^ω."))


# --- the online learner ---------------------------------------------------------------------

LEARNER_EXPLANATIONS = {
    "alpha_per_episode": "α decays per episode, not per visit: count the visits of each pair, "
    "counts[s, a] += 1, and use α = alpha_at(counts[s, a]).",
    "alpha_count_plus_one": "Your α is one visit late: the first visit of a pair must use "
    "alpha_at(1) (= 1 for 1/n^ω). Increment counts[s, a] once, from 0, then compute α.",
    "sarsa": "The target uses the Q of the next action you are going to take — that is SARSA. "
    "Q-learning bootstraps with max_a' Q(s', a'), whatever the next action is.",
    "reseed_every_episode": "Every episode calls env.reset(seed=seed): the lake replays the same "
    "slips each episode. Seed the first reset only, then call env.reset().",
    "truncation_ends_bootstrap": "You stop bootstrapping when the episode is truncated (the "
    "100-step limit): only terminated means there is no future; truncated still bootstraps.",
    "gamma_missing": "It looks like γ is missing from the target r + γ·max_a' Q(s', a').",
}

LearnerCase = tuple[int, rl.StepSize, float, float, int, Lake]
LEARNER_CASES_VISIBLE: tuple[LearnerCase, ...] = (
    (300, rl.polynomial_step_size(0.7), 0.99, 0.1, 0, None),
    (200, rl.constant_step_size(0.1), 0.99, 0.1, 1, None),
)
LEARNER_ADVICE = ("the run differs from the seeded one: follow the seeding protocol "
                  "(env.action_space.seed(seed), rng = np.random.default_rng(seed), "
                  "env.reset(seed=seed) for the first episode only, one epsilon_greedy call per "
                  "step), count each visit before α = alpha_at(counts[s, a]), and bootstrap "
                  "unless terminated.")


def learner_case(params: dict[str, Any]) -> LearnerCase:
    """A hidden case's run: params {"episodes", "step", "gamma", "epsilon", "seed", "map"}."""
    return (int(params["episodes"]), step_size(params["step"]), float(params["gamma"]),
            float(params["epsilon"]), int(params["seed"]), lake(params["map"]))


def _learner_call(n: int, step: rl.StepSize, gamma: float, epsilon: float, seed: int,
                  desc: Lake) -> str:
    return (f"q_learning(env, {n}, alpha_at={step.label}, gamma={gamma:g}, epsilon={epsilon:g}, "
            f"seed={seed}){_on_lake(desc)}")


@cache
def _learner_reference(n: int, step: rl.StepSize, gamma: float, epsilon: float, seed: int,
                       desc: Lake) -> rl.QLearningRun:
    """lrcore's seeded run of one test case: the same for every student who runs it, so a
    grading process computes it once (read-only)."""
    run = rl.q_learning(rl.make_frozen_lake(desc), n, step, gamma, epsilon, seed)
    return rl.QLearningRun(*map(read_only, run))


@cache
def _learner_mistake(name: str, n: int, step: rl.StepSize, gamma: float, epsilon: float,
                     seed: int, desc: Lake) -> tuple[np.ndarray, np.ndarray]:
    """(Q, counts) of the named mistake on one test case, computed once (read-only)."""
    model_q, model_counts = mistakes.LEARNER_MISTAKES[name](rl.make_frozen_lake(desc), n, step,
                                                            gamma, epsilon, seed)
    return read_only(model_q), read_only(model_counts)


def _check_learner(function: Any, case: LearnerCase) -> None:
    """One seeded run (require_own_function is the caller's)."""
    n, step, gamma, epsilon, seed, desc = case
    shown = _learner_call(n, step, gamma, epsilon, seed, desc)
    result = _call(function, "q_learning", shown, _env(desc), n, step, gamma=gamma,
                   epsilon=epsilon, seed=seed, count_hint=_VISIT_HINT)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise CheckFailed(f"{shown} should return a pair (Q, counts), got "
                          f"{type(result).__name__}.",
                          diagnosis="q_learning should return a pair (Q, counts).")
    expected = _learner_reference(n, step, gamma, epsilon, seed, desc)
    shape = expected.q.shape
    student_q = _q_array(result[0], f"Q of {shown}", shape)
    student_counts = to_float_array(result[1], f"counts of {shown}")
    if student_counts.shape != shape:
        raise CheckFailed(f"counts of {shown} has shape {student_counts.shape}; it should be "
                          f"{shape}, the number of visits of each (state, action).",
                          diagnosis="the counts have the wrong shape: return the number of "
                          "visits of each (state, action), shaped like Q.")
    counts_right = arrays_match(student_counts, expected.counts, 0.0, 0.0)
    if counts_right and arrays_match(student_q, expected.q, Q_RTOL, Q_ATOL):
        return
    for name in mistakes.LEARNER_MISTAKES:
        model_q, model_counts = _learner_mistake(name, n, step, gamma, epsilon, seed, desc)
        if arrays_match(model_q, expected.q, Q_RTOL, Q_ATOL):
            continue
        if arrays_match(student_counts, model_counts, 0.0, 0.0) and same_pattern(
                student_q, model_q):
            explanation = LEARNER_EXPLANATIONS[name]
            raise CheckFailed(f"{shown} is wrong. {explanation}", diagnosis=explanation)
    if arrays_match(student_counts, expected.counts + 1, 0.0, 0.0):
        advice = "start the counts at 0."
        raise CheckFailed(f"The counts of {shown} are one more than the visits: {advice}",
                          diagnosis=f"the counts are one more than the visits: {advice}")
    if arrays_match(student_q, expected.q, Q_RTOL, Q_ATOL):
        advice = "return the number of visits of each (state, action)."
        raise CheckFailed(f"The Q of {shown} is right, but the counts are not: {advice}",
                          diagnosis=f"Q is right, but the counts are not: {advice}")
    if counts_right:
        advice = "Check α = alpha_at(counts[s, a]) and the update."
        raise CheckFailed(f"{shown}: the agent visits the right pairs, but "
                          f"{_first_difference(student_q, expected.q, Q_RTOL, Q_ATOL)}. "
                          f"{advice}",
                          diagnosis=f"the agent visits the right pairs, but Q differs. {advice}")
    protocol = ("Follow the seeding protocol: "
                "env.action_space.seed(seed), rng = np.random.default_rng(seed), "
                "env.reset(seed=seed) for the first episode only, one epsilon_greedy call per "
                "step, and end the episode when terminated or truncated.")
    raise CheckFailed(
        f"{shown}: the visit counts differ from the seeded run ({int(student_counts.sum())} "
        f"steps instead of {int(expected.counts.sum())}). {protocol}",
        diagnosis=f"the visit counts differ from the seeded run. {protocol}")


@judged
def check_q_learning_seeded(q_learning: Any, hidden: bool = False) -> None:
    """Exact seeded runs: visible 1/n^0.7 and α = 0.1 on the 4×4 lake; hidden the drawn seeds,
    schedules, γ, ε and lakes, and a run that reaches the 100-step limit (pool
    "ps04.q_learning")."""
    require_own_function(q_learning, "q_learning")
    if not hidden:
        for case in LEARNER_CASES_VISIBLE:
            _check_learner(q_learning, case)
    else:
        for drawn in hidden_cases("ps04.q_learning"):
            with hidden_case(drawn, LEARNER_ADVICE):
                _check_learner(q_learning, learner_case(drawn.params))
    passed("q_learning reproduces the seeded runs exactly"
           + (" for unseen seeds, schedules and lakes." if hidden else "."))


# --- the synchronous learner ---------------------------------------------------------------

SYNCHRONOUS_EXPLANATIONS = {
    "alpha_count_plus_one": "Your α is one sweep late: sweep k = 1, 2, … uses alpha_at(k), so "
    "the first sweep uses alpha_at(1).",
    "gamma_missing": "It looks like γ is missing from the target R + γ·max_a' Q(S', a').",
    "max_over_wrong_axis": "The max is over the wrong axis: Q[next_state] has shape (S, A, A'); "
    "take the max over the last axis (the next actions), axis=-1.",
}

SyncCase = tuple[int, rl.StepSize, float, int, Lake]
SYNC_CASES_VISIBLE: tuple[SyncCase, ...] = (
    (300, rl.polynomial_step_size(0.7), 0.99, 0, None),
    (100, rl.constant_step_size(0.1), 0.99, 1, None),
)
SYNCHRONOUS_ADVICE = ("the sweeps differ from the seeded run: draw one model.sample(rng) per "
                      "sweep with rng = np.random.default_rng(seed), and update all pairs with "
                      "α = alpha_at(k) at sweep k.")


def synchronous_case(params: dict[str, Any]) -> SyncCase:
    """A hidden case's run: params {"sweeps", "step", "gamma", "seed", "map"}."""
    return (int(params["sweeps"]), step_size(params["step"]), float(params["gamma"]),
            int(params["seed"]), lake(params["map"]))


def _check_synchronous(function: Any, case: SyncCase) -> None:
    """One seeded run (require_own_function is the caller's)."""
    n, step, gamma, seed, desc = case
    model = _model(desc)
    shown = (f"synchronous_q_learning(model, alpha_at={step.label}, n_sweeps={n}, "
             f"gamma={gamma:g}, seed={seed}){_on_lake(desc)}")
    result = _call(function, "synchronous_q_learning", shown, model, step, n,
                   gamma=gamma, seed=seed, count_hint=_SWEEP_HINT)
    student = to_float_array(result, f"The result of {shown}")
    expected = rl.synchronous_q_learning(model, step, n, gamma, seed)
    if student.shape == expected.shape[1:]:
        raise CheckFailed(f"{shown} returned one table; return Q after every sweep, an "
                          f"array of shape {expected.shape}.",
                          diagnosis="synchronous_q_learning returned one table; return Q after "
                          "every sweep.")
    if student.shape == (n + 1, *expected.shape[1:]):
        advice = "leave out the initial zeros, the first entry is Q after sweep 1."
        raise CheckFailed(f"{shown} returned {n + 1} tables: {advice}",
                          diagnosis=f"synchronous_q_learning returned one table too many: "
                          f"{advice}")
    if student.shape != expected.shape:
        raise CheckFailed(f"{shown} has shape {student.shape}; it should be "
                          f"{expected.shape}: Q after each sweep.",
                          diagnosis="the result has the wrong shape: return Q after each sweep, "
                          "one table per sweep.")
    if arrays_match(student, expected, Q_RTOL, Q_ATOL):
        return
    for name, mistake in mistakes.SYNCHRONOUS_MISTAKES.items():
        model_history = mistake(model, step, n, gamma, seed)
        if not arrays_match(model_history, expected, Q_RTOL, Q_ATOL) and same_pattern(
                student, model_history):
            explanation = SYNCHRONOUS_EXPLANATIONS[name]
            raise CheckFailed(f"{shown} is wrong. {explanation}", diagnosis=explanation)
    sweep = int(np.argmin([arrays_match(s, e, Q_RTOL, Q_ATOL)
                           for s, e in zip(student, expected, strict=True)]))
    raise CheckFailed(
        f"{shown}: after sweep {sweep + 1}, "
        f"{_first_difference(student[sweep], expected[sweep], Q_RTOL, Q_ATOL)}. Draw one "
        "model.sample(rng) per sweep with rng = np.random.default_rng(seed), and update all "
        "pairs with α = alpha_at(k) at sweep k.")


@judged
def check_synchronous_q_learning(synchronous_q_learning: Any, hidden: bool = False) -> None:
    """Q after every sweep equals lrcore's for fixed seeds (hidden: the drawn seeds,
    schedules, γ and lakes — pool "ps04.synchronous_q_learning")."""
    require_own_function(synchronous_q_learning, "synchronous_q_learning")
    if not hidden:
        for case in SYNC_CASES_VISIBLE:
            _check_synchronous(synchronous_q_learning, case)
    else:
        for drawn in hidden_cases("ps04.synchronous_q_learning"):
            with hidden_case(drawn, SYNCHRONOUS_ADVICE):
                _check_synchronous(synchronous_q_learning, synchronous_case(drawn.params))
    passed("synchronous_q_learning reproduces the seeded sweeps exactly"
           + (" for unseen seeds, schedules, γ and lakes." if hidden else "."))


# --- the submitted figure -------------------------------------------------------------------

def _schedules() -> list[rl.StepSize]:
    return ([rl.constant_step_size(alpha) for alpha in CONSTANT_ALPHAS]
            + [rl.polynomial_step_size(omega) for omega in OMEGAS])


@cache
def _reference_curves() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """label → (‖Q − Q*‖∞ after every sweep, success probability at CHECKPOINTS)."""
    model, q_star = _model(), _q_star(GAMMA)
    curves = {}
    for step in _schedules():
        history = rl.synchronous_q_learning(model, step, N_SWEEPS, GAMMA, SWEEP_SEED)
        errors = np.asarray(rl.sup_norm_error(history, q_star))
        _, successes = rl.learning_curves(history[CHECKPOINTS - 1], q_star, model)
        curves[step.label] = (errors, successes)
    return curves


def _mistaken_error_curves(step: rl.StepSize) -> dict[str, np.ndarray]:
    """Sentence → the ‖Q − Q*‖∞ curve (every sweep) a usual mistake draws; computed only when
    a line is wrong."""
    model, q_star = _model(), _q_star(GAMMA)
    history = rl.synchronous_q_learning(model, step, N_SWEEPS, GAMMA, SWEEP_SEED)
    curves = {
        "It is the mean of |Q − Q*|, not the max: ‖Q − Q*‖∞ = np.max(np.abs(Q - Q_star)).":
            np.abs(history - q_star).mean(axis=(1, 2)),
        "It is measured against the γ = 1 solution: compute Q* with value_iteration(P, GAMMA) "
        "(is γ missing in value_iteration?).":
            np.asarray(rl.sup_norm_error(history, rl.value_iteration(model, 1.0))),
    }
    if step.omega:
        late = mistakes.mistaken_synchronous_q_learning(model, step, N_SWEEPS, GAMMA,
                                                        SWEEP_SEED, sweep_offset=1)
        curves[SYNCHRONOUS_EXPLANATIONS["alpha_count_plus_one"]] = np.asarray(
            rl.sup_norm_error(late, q_star))
    return curves


_EXPONENT = re.compile(r"(?:\^|\*\*)\s*[{(]?\s*-?\s*(\d*\.?\d+)")
_OMEGA = re.compile(r"(?:ω|omega|\bw(?=\s*=))\s*=?\s*(\d*\.?\d+)", re.IGNORECASE)


def _label_names(label: str, step: rl.StepSize) -> bool:
    """Whether a legend label names this schedule: 'α = 0.1', '0.1', '1/n', '1/n^0.6',
    'n**-0.6', 'ω = 0.6' …"""
    text = label.replace(" ", "")
    exponent = _EXPONENT.search(text) or _OMEGA.search(label)
    decaying = bool(exponent) or re.search(r"/\s*n|n\^|n\*\*|ω|omega", label, re.IGNORECASE)
    if step.omega == 0:
        return not decaying and any(np.isclose(v, step.alpha, rtol=1e-9, atol=0)
                                    for v in plots.numbers_in(label))
    if not decaying:
        return False
    omega = float(exponent.group(1)) if exponent else 1.0
    return bool(np.isclose(omega, step.omega, rtol=1e-9, atol=0))


def _alpha_panels(fig_alpha: Any) -> list[Any]:
    panels = plots.panels_of(fig_alpha, "fig_alpha")
    plots.check_panel_count(panels, 2, "fig_alpha")
    return panels


@judged
def check_alpha_figure_layout(fig_alpha: Any) -> None:
    """Two panels against the sweep: ‖Q − Q*‖∞ on log-log axes, success probability; titles,
    labels and a legend."""
    left, right = _alpha_panels(fig_alpha)
    for panel, where in ((left, "the left panel"), (right, "the right panel")):
        plots.check_axis_label(panel, "x", ("sweep",), where)
        plots.check_title(panel, where)
        plots.check_legend(panel, where)
    plots.check_axis_label(left, "y", ("Q*", "Q^*", "error", "‖", "||", "norm", "distance"),
                           "the left panel")
    plots.check_axis_label(right, "y", ("success", "goal", "win"), "the right panel")
    plots.check_log_scale(left, "y", "the left panel (‖Q − Q*‖∞)")
    plots.check_log_scale(left, "x", "the left panel (sweeps)")
    passed("fig_alpha has two labelled panels against the sweep, log-log for ‖Q − Q*‖∞.")


def _check_schedule_lines(
    panel: Any,
    where: str,
    expected: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    mistaken: Callable[[rl.StepSize], dict[str, np.ndarray]] | None = None,
) -> None:
    """expected: label → list of acceptable (x, y). Lines are matched by data, in any order; a
    matched line must be labelled with its schedule. `mistaken(step)` gives the per-sweep y of
    modelled mistakes, tried on a wrong line."""
    # Two-point lines are reference lines (ax.axhline for the optimum), not runs.
    lines = [line for line in panel.get_lines() if np.asarray(line.get_xdata()).size > 2]
    if not lines:
        raise CheckFailed(f"{where} has no lines; draw one line per schedule.")
    steps = {step.label: step for step in _schedules()}

    def matches(line: Any, variants: list[tuple[np.ndarray, np.ndarray]]) -> bool:
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        return any(arrays_match(y, y_ref) and arrays_match(x, x_ref) for x_ref, y_ref in variants)

    used = set()
    for label, variants in expected.items():
        step = steps[label]
        found = [line for line in lines if matches(line, variants)]
        named = [line for line in lines if _label_names(line.get_label(), step)]
        if found:
            if not any(_label_names(line.get_label(), step) for line in found):
                shown = found[0].get_label()
                raise CheckFailed(f"{where}: the line of {label} is labelled "
                                  f"{shown if not shown.startswith('_') else 'nothing'}; put "
                                  f"the schedule in its label, e.g. label='{label}'.")
            used.update(id(line) for line in found)
            continue
        if not named:
            shown = ", ".join(repr(ln.get_label()) for ln in lines
                              if not ln.get_label().startswith("_")) or "none"
            raise CheckFailed(f"{where}: no line shows the run of {label} (labels found: "
                              f"{shown}). Draw every schedule, labelled e.g. '{label}'.")
        y = np.asarray(named[0].get_ydata(), dtype=float)
        x_ref, y_ref = variants[0]
        for sentence, y_mistake in (mistaken(step) if mistaken else {}).items():
            for x_variant, _ in variants:
                if y.shape == x_variant.shape:
                    index = (x_variant - 1).astype(int)
                    if same_pattern(y, y_mistake[index]):
                        raise CheckFailed(f"{where}: the line of {label} is wrong. {sentence}")
        for x_variant, y_variant in variants:
            if y.shape == y_variant.shape:
                x = np.asarray(named[0].get_xdata(), dtype=float)
                if arrays_match(y, y_variant):
                    raise CheckFailed(f"{where}: the line of {label} has the right values at "
                                      "the wrong x: plot them against the sweep number "
                                      "(CHECKPOINTS).")
                if arrays_match(x, x_variant):
                    point = int(np.argmin(np.isclose(y, y_variant, rtol=1e-5, atol=1e-12)))
                    raise CheckFailed(
                        f"{where}: the line of {label} differs from the run at sweep "
                        f"{int(x_variant[point])}: it shows {describe_number(y[point])}, the run "
                        f"gives {describe_number(y_variant[point])}.")
        raise CheckFailed(f"{where}: the line of {label} has {y.size} points; plot the value at "
                          f"each of the {x_ref.size} CHECKPOINTS.")
    extra = [line.get_label() for line in lines
             if id(line) not in used and not line.get_label().startswith("_")]
    if extra:
        raise CheckFailed(f"{where} has lines that are not among the schedules asked for: "
                          f"{', '.join(map(repr, extra))}.")


@judged
def check_alpha_figure_errors(fig_alpha: Any) -> None:
    """The left panel: ‖Q − Q*‖∞ of each schedule at CHECKPOINTS (or after every sweep)."""
    left, _ = _alpha_panels(fig_alpha)
    every_sweep = np.arange(1, N_SWEEPS + 1, dtype=float)
    expected = {}
    for label, (errors, _) in _reference_curves().items():
        expected[label] = [(CHECKPOINTS.astype(float), errors[CHECKPOINTS - 1]),
                           (every_sweep, errors)]
    _check_schedule_lines(left, "The left panel of fig_alpha", expected, _mistaken_error_curves)
    passed("The left panel shows ‖Q − Q*‖∞ of all six schedules.")


@judged
def check_alpha_figure_success(fig_alpha: Any) -> None:
    """The right panel: the greedy policy's success probability at CHECKPOINTS."""
    _, right = _alpha_panels(fig_alpha)
    expected = {label: [(CHECKPOINTS.astype(float), successes)]
                for label, (_, successes) in _reference_curves().items()}
    _check_schedule_lines(right, "The right panel of fig_alpha", expected)
    passed("The right panel shows the greedy policies' success probability for all six "
           "schedules.")


# --- Monte Carlo evaluation of a policy -------------------------------------------------------

SUCCESS_EXPLANATIONS = {
    "reseed_every_episode": "Every episode calls env.reset(seed=seed), so all episodes are the "
    "same episode: seed the first reset only, then call env.reset().",
}

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
        return rl.greedy_policy(_q_star(float(value), desc))
    if kind == "constant":
        return np.full(_model(desc).n_states, int(value), dtype=np.int64)
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
    return float(mistakes.SUCCESS_RATE_MISTAKES[name](rl.make_frozen_lake(desc),
                                                      policy(spec, desc), n, seed))


def _check_success(function: Any, case: SuccessCase) -> float:
    """One case's rate, once it is right (require_own_function is the caller's)."""
    what, spec, n, seed, desc = case
    shown = f"success_rate(env, policy, {n}, seed={seed}) for {what}{_on_lake(desc)}"
    value = to_float(_call(function, "success_rate", shown, _env(desc), policy(spec, desc), n,
                           seed=seed), f"The result of {shown}")
    expected = _success_reference(spec, n, seed, desc)
    if np.isclose(value, expected, rtol=SUCCESS_RTOL, atol=SUCCESS_ATOL):
        return expected
    for name in mistakes.SUCCESS_RATE_MISTAKES:
        if np.isclose(value, _success_mistake(name, spec, n, seed, desc),
                      rtol=SUCCESS_RTOL, atol=SUCCESS_ATOL):
            explanation = SUCCESS_EXPLANATIONS[name]
            raise CheckFailed(f"{shown} is wrong. {explanation}", diagnosis=explanation)
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
    if not hidden:
        for case in SUCCESS_CASES_VISIBLE:
            rate = _check_success(success_rate, case)
    else:
        for drawn in hidden_cases("ps04.success_rate"):
            with hidden_case(drawn, SUCCESS_ADVICE):
                _check_success(success_rate, success_case(drawn.kind, drawn.params))
    passed("success_rate reproduces the seeded episodes"
           + (" for unseen policies, seeds and lakes." if hidden else
              f" (the optimal policy reaches the goal in {rate:.1%} of 500 episodes)."))
