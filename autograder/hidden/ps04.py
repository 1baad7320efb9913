"""Hidden-case pools of ps04 "The step size α of Q-learning".

Each pool names the check that reads it (`lrchecks.ps04`) and the keys of its params; the check
rebuilds lakes, step-size schedules and policies from that data (`lrchecks.ps04.lake`,
`step_size`, `policy`, `update_table`). The edge cases every student runs are the ones the task
names — a smaller discount, a slip into a hole, a step against a wall, a step size of 1, the
ends of the step-size ranges, a run whose episodes reach the 100-step limit, a policy that
repeats one action, a first sweep already close enough and a run that never gets there, ice
that changes at every sweep —; the drawn cases are other discounts, random lakes
(`rl.random_lake_map`), transitions, step sizes, seeds, policies, tolerances and ice.

A case is kept only if the other correct numerical paths (`autograder.hidden.rl_paths`: float32
torch, float64 numpy, the (1 − α)·Q + α·target form of the update; for the sweep count a float32
learner, and an error that stays clear of the goal at every sweep that decides the answer) agree
with lrcore within the check's tolerance, and if it detects every modelled mistake
(`lrchecks.diagnosis.rl`, and the step sizes' below) that no edge case detects. The online
learner's runs (gymnasium episodes) are the expensive ones, so its pool is small.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from autograder.hidden.pools import Case, PoolSpec
from autograder.hidden.rl_paths import (
    online_q_learning,
    synchronous_torch,
    update_by_blend,
    update_float32,
    value_iteration_numpy,
    value_iteration_torch,
)
from autograder.hidden.validate import matches
from lrchecks import ps04
from lrchecks.diagnosis import rl as mistakes
from lrcore import rl

__all__ = ["SPECS"]

STEP_LIMITED_RUN = {"episodes": 200, "step": ["constant", 0.5], "gamma": 0.99, "epsilon": 0.1,
                    "seed": 5, "map": None}
"""A run of the 4×4 lake in which episodes reach the 100-step limit (only there does a
truncation that stops the bootstrap show) — another than the visible one."""


def _round(value: float, digits: int = 3) -> float:
    """`value` to `digits` significant digits (cases read like numbers a person writes)."""
    return float(f"{value:.{digits}g}")


def _random_lake(rng: np.random.Generator, sizes: tuple[int, ...]) -> list[str]:
    """A random lake with a path from S to G (gymnasium's generator, from a drawn seed)."""
    return rl.random_lake_map(int(rng.choice(sizes)), int(rng.integers(100_000)))


def _on(rows: list[str] | None) -> str:
    return "the 4×4 lake" if rows is None else f"a random {len(rows)}×{len(rows)} lake"


@cache
def _model(desc: ps04.Lake) -> rl.TransitionModel:
    return rl.frozen_lake_model(desc)


@cache
def _q_star(gamma: float, desc: ps04.Lake) -> np.ndarray:
    return rl.value_iteration(_model(desc), gamma)


# --- value_iteration(P, gamma): params {"gamma", "map"} -----------------------------------------

def _value_iteration_candidate(rng: np.random.Generator) -> Case:
    gamma = _round(rng.uniform(0.8, 0.985))
    rows = None if rng.random() < 1 / 3 else _random_lake(rng, (4, 5, 6))
    return {"kind": f"another discount on {_on(rows)}", "params": {"gamma": gamma, "map": rows}}


def _value_iteration_problems(case: Case) -> str:
    gamma, desc = case["params"]["gamma"], ps04.lake(case["params"]["map"])
    if not 0 < gamma <= 0.99:
        # below, tol = 1e-10 bounds the error of every iteration (in place too) by 1e-8
        return "γ is outside (0, 0.99]: stopping at tol no longer guarantees the tolerance"
    model, expected = _model(desc), _q_star(gamma, desc)
    if expected[model.start].max() < 0.01:
        return "the goal is almost out of reach from the start"
    if not matches(value_iteration_numpy(model, gamma), expected, 0.0, ps04.VI_ATOL):
        return "float64 numpy sweeps differ from the reference beyond the tolerance"
    if not matches(value_iteration_torch(model, gamma), expected, 0.0, ps04.VI_ATOL):
        return "float32 torch sweeps differ from the reference beyond the tolerance"
    return ""


def _value_iteration_missed(case: Case) -> set[str]:
    gamma, desc = case["params"]["gamma"], ps04.lake(case["params"]["map"])
    expected = _q_star(gamma, desc)
    return {name for name, mistake in mistakes.VALUE_ITERATION_MISTAKES.items()
            if matches(mistake(_model(desc), gamma), expected, 0.0, ps04.VI_ATOL)}


VALUE_ITERATION = PoolSpec(
    name="ps04.value_iteration",
    always=({"kind": "a smaller discount on the 4×4 lake", "params": {"gamma": 0.9, "map": None}},),
    draw=2, size=16, seed=401,
    candidate=_value_iteration_candidate, problems=_value_iteration_problems,
    missed=_value_iteration_missed)

# --- q_learning_update(Q, s, a, r, s', terminated, alpha, gamma) on update_table(table) ----------

def _update(state: int, action: int, reward: float, next_state: int, terminated: bool,
            alpha: float, gamma: float, table: int) -> dict[str, Any]:
    return {"state": state, "action": action, "reward": reward, "next_state": next_state,
            "terminated": terminated, "alpha": alpha, "gamma": gamma, "table": table}


def _update_candidate(rng: np.random.Generator) -> Case:
    model = _model(None)
    state, action = int(rng.integers(model.n_states)), int(rng.integers(model.n_actions))
    next_state = int(rng.choice(model.n_states, p=model.transition[state, action]))
    terminated = bool(rng.random() < 0.4)
    kind = ("a transition that ends the episode" if terminated
            else "a step that does not end the episode")
    return {"kind": kind, "params": _update(
        state, action, float(model.reward[state, action, next_state]), next_state, terminated,
        _round(rng.uniform(0.02, 0.95), 2), _round(rng.uniform(0.5, 0.99), 2),
        int(rng.integers(1_000_000)))}


def _update_arguments(case: Case) -> tuple[np.ndarray, tuple[Any, ...]]:
    params = case["params"]
    return ps04.update_table(params["table"]), tuple(params[key] for key in ps04.UPDATE_PARAMS)


def _update_reference(table: np.ndarray, arguments: tuple[Any, ...]) -> np.ndarray:
    expected = table.copy()
    rl.q_learning_update(expected, *arguments)
    return expected


def _update_problems(case: Case) -> str:
    table, arguments = _update_arguments(case)
    expected = _update_reference(table, arguments)
    for name, path in (("float32", update_float32), ("(1 − α)·Q + α·target", update_by_blend)):
        if not matches(path(table, *arguments), expected, ps04.Q_RTOL, ps04.Q_ATOL):
            return f"the {name} update differs from the reference beyond the tolerance"
    return ""


def _update_missed(case: Case) -> set[str]:
    table, arguments = _update_arguments(case)
    expected = _update_reference(table, arguments)
    return {name for name, mistake in mistakes.UPDATE_MISTAKES.items()
            if matches(mistake(table, *arguments), expected, ps04.Q_RTOL, ps04.Q_ATOL)}


UPDATE = PoolSpec(
    name="ps04.q_learning_update",
    always=(
        {"kind": "a slip into a hole",
         "params": _update(4, rl.RIGHT, 0.0, 5, True, 0.5, 0.95, 2001)},
        {"kind": "a step against a wall, which stays in the same state",
         "params": _update(0, rl.UP, 0.0, 0, False, 0.3, 0.9, 2002)},
        {"kind": "a step size of 1",
         "params": _update(9, rl.DOWN, 0.0, 13, False, 1.0, 0.8, 2003)},
    ),
    draw=4, size=20, seed=402,
    candidate=_update_candidate, problems=_update_problems, missed=_update_missed)

# --- constant_step_size(α), polynomial_step_size(ω): params {"schedule", "counts"} ---------------

STEP_SIZE_MISTAKES = {
    "constant": {
        "α/n": lambda alpha, n: alpha / n,
        "the visible α": lambda alpha, n: 0.1,
    },
    "polynomial": {
        "α_{n+1}": lambda omega, n: (n + 1.0) ** -omega,
        "ω/n": lambda omega, n: omega / n,
        "1/(n·ω)": lambda omega, n: 1 / (n * omega),
        "1/n": lambda omega, n: 1 / n,
        "a visible ω": lambda omega, n: n ** -0.6,
    },
}
"""What a wrong schedule returns for the n-th visit (the check names the first three)."""
EDGE_COUNTS = [["int", 1], ["int", 2], ["int", 7], ["numpy.int64", 30], ["float", 5.0],
               ["numpy.float64", 1000.0], ["int", 12345]]


def _counts(case: Case) -> list[float]:
    return [float(n) for _, n in case["params"]["counts"]]


def _step_size_candidate(rng: np.random.Generator) -> Case:
    counts = [["int", 1], ["int", int(rng.integers(2, 20))],
              ["numpy.int64", int(rng.integers(20, 500))], ["float", float(rng.integers(3, 60))],
              ["numpy.float64", float(rng.integers(100, 5000))],
              ["int", int(rng.integers(10_000, 1_000_000))]]
    if rng.random() < 0.4:
        return {"kind": "a constant step size, with counts of several types", "params": {
            "schedule": ["constant", _round(rng.uniform(0.01, 0.99), 2)], "counts": counts}}
    return {"kind": "a polynomial step size 1/n^ω, with counts of several types", "params": {
        "schedule": ["polynomial", _round(rng.uniform(0.51, 0.99), 2)], "counts": counts}}


def _step_size_problems(case: Case) -> str:
    kind, parameter = case["params"]["schedule"]
    expected = ps04.step_size([kind, parameter])
    counts = _counts(case)
    if min(counts) < 1 or any(n != int(n) for n in counts):
        return "a count is not a visit count n = 1, 2, …"
    if kind == "polynomial":  # n ** -ω and exp(−ω·log n) are correct too
        others = [[n ** -parameter for n in counts], np.exp(-parameter * np.log(counts))]
        reference = [float(expected(n)) for n in counts]
        if not all(matches(values, reference, ps04.STEP_SIZE_RTOL, 0.0) for values in others):
            return "n ** -ω differs from 1/n^ω beyond the tolerance"
    return ""


def _step_size_missed(case: Case) -> set[str]:
    kind, parameter = case["params"]["schedule"]
    expected = ps04.step_size([kind, parameter])
    counts = _counts(case)
    reference = [float(expected(n)) for n in counts]
    other_kinds = {name for other, models in STEP_SIZE_MISTAKES.items() if other != kind
                   for name in models}
    return other_kinds | {
        name for name, model in STEP_SIZE_MISTAKES[kind].items()
        if matches([model(parameter, n) for n in counts], reference, ps04.STEP_SIZE_RTOL, 0.0)}


STEP_SIZES = PoolSpec(
    name="ps04.step_sizes",
    always=(
        {"kind": "the largest constant step size",
         "params": {"schedule": ["constant", 1.0], "counts": EDGE_COUNTS}},
        {"kind": "the edge of the Robbins–Monro range of ω",
         "params": {"schedule": ["polynomial", 0.5], "counts": EDGE_COUNTS}},
    ),
    draw=3, size=16, seed=403,
    candidate=_step_size_candidate, problems=_step_size_problems, missed=_step_size_missed)

# --- q_learning(env, n, alpha_at, gamma, epsilon, seed): params as ps04.learner_case ------------

@cache
def _learner_reference(case: ps04.LearnerCase) -> rl.QLearningRun:
    n, step, gamma, epsilon, seed, desc = case
    return rl.q_learning(rl.make_frozen_lake(desc), n, step, gamma, epsilon, seed)


def _learner_candidate(rng: np.random.Generator) -> Case:
    rows = None if rng.random() < 0.5 else _random_lake(rng, (4, 5))
    return {"kind": f"a polynomial step size on {_on(rows)}", "params": {
        "episodes": int(rng.integers(80, 151)),
        "step": ["polynomial", _round(rng.uniform(0.55, 1.0), 2)],
        "gamma": _round(rng.uniform(0.9, 0.99), 2), "epsilon": _round(rng.uniform(0.05, 0.3), 2),
        "seed": int(rng.integers(10_000)), "map": rows}}


def _same_run(q: np.ndarray, counts: np.ndarray, reference: rl.QLearningRun) -> bool:
    return (np.array_equal(counts, reference.counts)
            and matches(q, reference.q, ps04.Q_RTOL, ps04.Q_ATOL))


def _learner_problems(case: Case) -> str:
    run = ps04.learner_case(case["params"])
    n, step, gamma, epsilon, seed, desc = run
    # float32 and the (1 − α)·Q + α·target form at once: the path farthest from lrcore's
    q, counts = online_q_learning(rl.make_frozen_lake(desc), n, step, gamma, epsilon, seed,
                                  dtype=np.float32, blend=True)
    if not _same_run(q, counts, _learner_reference(run)):
        return "a float32 run differs from the float64 reference beyond the tolerance"
    return ""


def _learner_missed(case: Case) -> set[str]:
    run = ps04.learner_case(case["params"])
    n, step, gamma, epsilon, seed, desc = run
    reference = _learner_reference(run)
    return {name for name, mistake in mistakes.LEARNER_MISTAKES.items()
            if _same_run(*mistake(rl.make_frozen_lake(desc), n, step, gamma, epsilon, seed),
                         reference)}


LEARNER = PoolSpec(
    name="ps04.q_learning",
    always=({"kind": "a run whose episodes reach the 100-step limit",
             "params": STEP_LIMITED_RUN},),
    draw=2, size=6, seed=414,
    candidate=_learner_candidate, problems=_learner_problems, missed=_learner_missed)

# --- synchronous_q_learning(model, alpha_at, n, gamma, seed): params as ps04.synchronous_case --

def _synchronous_candidate(rng: np.random.Generator) -> Case:
    rows = None if rng.random() < 0.5 else _random_lake(rng, (4, 5, 6))
    return {"kind": f"a polynomial step size on {_on(rows)}", "params": {
        "sweeps": int(rng.integers(100, 251)),
        "step": ["polynomial", _round(rng.uniform(0.55, 1.0), 2)],
        "gamma": _round(rng.uniform(0.9, 0.99), 2), "seed": int(rng.integers(10_000)),
        "map": rows}}


def _synchronous_reference(case: Case) -> tuple[ps04.SyncCase, np.ndarray]:
    run = ps04.synchronous_case(case["params"])
    n, step, gamma, seed, desc = run
    return run, rl.synchronous_q_learning(_model(desc), step, n, gamma, seed)


def _synchronous_problems(case: Case) -> str:
    (n, step, gamma, seed, desc), expected = _synchronous_reference(case)
    for dtype in ("float32", "float64"):
        if not matches(synchronous_torch(_model(desc), step, n, gamma, seed, dtype), expected,
                       ps04.Q_RTOL, ps04.Q_ATOL):
            return f"a {dtype} torch run differs from the reference beyond the tolerance"
    return ""


def _synchronous_missed(case: Case) -> set[str]:
    (n, step, gamma, seed, desc), expected = _synchronous_reference(case)
    return {name for name, mistake in mistakes.SYNCHRONOUS_MISTAKES.items()
            if matches(mistake(_model(desc), step, n, gamma, seed), expected,
                       ps04.Q_RTOL, ps04.Q_ATOL)}


SYNCHRONOUS = PoolSpec(
    name="ps04.synchronous_q_learning",
    always=({"kind": "a constant step size on the 4×4 lake", "params": {
        "sweeps": 120, "step": ["constant", 0.5], "gamma": 0.9, "seed": 2, "map": None}},),
    draw=2, size=16, seed=405,
    candidate=_synchronous_candidate, problems=_synchronous_problems,
    missed=_synchronous_missed)

# --- success_rate(env, policy, n, seed): params as ps04.success_case ----------------------------

def _success_candidate(rng: np.random.Generator) -> Case:
    rows = None if rng.random() < 0.5 else _random_lake(rng, (4, 5))
    return {"kind": f"the greedy policy of another discount on {_on(rows)}", "params": {
        "policy": ["greedy", _round(rng.uniform(0.8, 0.99), 2)],
        "episodes": int(rng.integers(100, 151)), "seed": int(rng.integers(10_000)), "map": rows}}


@cache
def _success_reference(case: ps04.SuccessCase) -> float:
    _, spec, n, seed, desc = case
    return rl.success_rate(rl.make_frozen_lake(desc), ps04.policy(spec, desc), n, seed)


def _success_problems(case: Case) -> str:
    # every correct path counts the same seeded episodes: successes / n is exact
    rate = _success_reference(ps04.success_case(case["kind"], case["params"]))
    if rate in (0.0, 1.0):
        return "the rate is 0 or 1: a constant answer would pass"
    return ""


def _success_missed(case: Case) -> set[str]:
    run = ps04.success_case(case["kind"], case["params"])
    _, spec, n, seed, desc = run
    expected = _success_reference(run)
    mistaken = {name: model(rl.make_frozen_lake(desc), ps04.policy(spec, desc), n, seed)
                for name, model in mistakes.SUCCESS_RATE_MISTAKES.items()}
    mistaken |= {"a number of successes": expected * n, "a percentage": expected * 100}
    return {name for name, value in mistaken.items()
            if matches(value, expected, ps04.SUCCESS_RTOL, ps04.SUCCESS_ATOL)}


SUCCESS = PoolSpec(
    name="ps04.success_rate",
    always=({"kind": "a policy that takes the same action in every state", "params": {
        "policy": ["constant", rl.DOWN], "episodes": 200, "seed": 3, "map": None}},),
    draw=2, size=12, seed=406,
    candidate=_success_candidate, problems=_success_problems, missed=_success_missed)

# --- sweeps_to_reach(model, alpha_at, gamma, q_star, tolerance, max_sweeps): ps04.reach_case --

REACH_MARGIN = 1e-4
"""How far (relatively) the error must stay from the goal at the sweeps that decide the answer:
float32 and float64 students then count the same sweep."""


def _reach_candidate(rng: np.random.Generator) -> Case:
    rows = None if rng.random() < 0.4 else _random_lake(rng, (4, 5, 6))
    if rng.random() < 0.6:
        step, kind = ["polynomial", _round(rng.uniform(0.55, 1.0), 2)], "a polynomial step size"
    else:
        step, kind = ["constant", _round(rng.uniform(0.05, 1.0), 2)], "a constant step size"
    return {"kind": f"{kind} on {_on(rows)}", "params": {
        "step": step, "gamma": _round(rng.uniform(0.5, 0.97), 2),
        "tolerance": _round(rng.uniform(0.02, 0.3), 2),
        "max_sweeps": int(rng.integers(200, 1501)), "map": rows}}


def _reach_arguments(case: Case) -> tuple[rl.TransitionModel, rl.StepSize, float, np.ndarray,
                                          float, int]:
    step, gamma, tolerance, max_sweeps, desc = ps04.reach_case(case["params"])
    return _model(desc), step, gamma, _q_star(gamma, desc), tolerance, max_sweeps


def _reach_problems(case: Case) -> str:
    model, step, gamma, q_star, tolerance, max_sweeps = _reach_arguments(case)
    if not np.abs(q_star).max() > 0:
        return "Q* is 0: the goal is out of reach"
    goal = tolerance * np.abs(q_star).max()
    errors = np.asarray(  # one error per sweep
        rl.sup_norm_error(rl.expected_q_learning(model, step, max_sweeps, gamma), q_star))
    reached = np.flatnonzero(errors <= goal)
    decided = errors if not reached.size else errors[:reached[0] + 1]
    if np.any(np.abs(decided - goal) <= REACH_MARGIN * goal):
        return "the error comes too close to the goal: float32 may count another sweep"
    answer = rl.sweeps_to_reach(model, step, gamma, q_star, tolerance, max_sweeps)
    if answer != _float32_answer(model, step, gamma, q_star, tolerance, max_sweeps):
        return "a float32 learner counts another sweep"
    return ""


def _float32_answer(model: rl.TransitionModel, step: rl.StepSize, gamma: float,
                    q_star: np.ndarray, tolerance: float, max_sweeps: int) -> int | None:
    """The answer of a float32 student (torch's default dtype) who writes the update
    (1 − α)·Q + α·target."""
    transition = model.transition.astype(np.float32)
    reward = model.reward.astype(np.float32)
    alive = (~model.terminal).astype(np.float32)
    target_q = q_star.astype(np.float32)
    goal = np.float32(tolerance) * np.abs(target_q).max()
    discount = np.float32(gamma)
    q = np.zeros(target_q.shape, dtype=np.float32)
    for sweep in range(1, max_sweeps + 1):
        target = (transition * (reward + discount * alive * q.max(axis=1))).sum(axis=-1)
        alpha = np.float32(step(sweep))
        q = (1 - alpha) * q + alpha * target
        if np.abs(q - target_q).max() <= goal:
            return sweep
    return None


def _reach_missed(case: Case) -> set[str]:
    arguments = _reach_arguments(case)
    expected = rl.sweeps_to_reach(*arguments)
    return {name for name, mistake in mistakes.SWEEPS_MISTAKES.items()
            if mistake(*arguments) == expected}


REACH_FIRST_SWEEP_MAP = rl.random_lake_map(5, seed=3)

REACH = PoolSpec(
    name="ps04.sweeps_to_reach",
    always=(
        {"kind": "a first sweep that is already close enough", "params": {
            "step": ["polynomial", 1.0], "gamma": 0.0, "tolerance": 0.05, "max_sweeps": 50,
            "map": REACH_FIRST_SWEEP_MAP}},
        {"kind": "a run that never gets close enough", "params": {
            "step": ["polynomial", 1.0], "gamma": 0.95, "tolerance": 0.1, "max_sweeps": 400,
            "map": None}},
    ),
    draw=2, size=16, seed=407,
    candidate=_reach_candidate, problems=_reach_problems, missed=_reach_missed)

# --- drifting_q_learning(lakes, alpha_at, sweeps_per_lake, gamma, seed): ps04.drift_case -------


class _LakesInTurn:
    """The lakes of a drifting run as one model whose k-th `sample` comes from the lake in force
    (what `synchronous_torch` needs to run the drift)."""

    def __init__(self, lakes: list[rl.TransitionModel], sweeps_per_lake: int) -> None:
        self.lakes, self.sweeps_per_lake, self.sweeps = lakes, sweeps_per_lake, 0
        self.n_states, self.n_actions = lakes[0].n_states, lakes[0].n_actions

    def sample(self, rng: np.random.Generator) -> rl.SweepSample:
        self.sweeps += 1
        return self.lakes[(self.sweeps - 1) // self.sweeps_per_lake].sample(rng)


def _drift_candidate(rng: np.random.Generator) -> Case:
    rows = None if rng.random() < 0.5 else _random_lake(rng, (4, 5))
    ice: list[float | None] = [_round(rng.uniform(0.2, 0.95), 2)
                               for _ in range(int(rng.integers(2, 4)))]
    if rng.random() < 0.6:
        step = ["polynomial", _round(rng.uniform(0.55, 1.0), 2)]
    else:
        step = ["constant", _round(rng.uniform(0.05, 0.5), 2)]
    return {"kind": f"ice that changes during the run on {_on(rows)}", "params": {
        "ice": ice, "step": step, "sweeps_per_lake": int(rng.integers(20, 121)),
        "gamma": _round(rng.uniform(0.8, 0.99), 2), "seed": int(rng.integers(10, 10_000)),
        "map": rows}}


def _drift_reference(case: Case) -> tuple[ps04.DriftCase, np.ndarray]:
    run = ps04.drift_case(case["params"])
    ice, step, per_lake, gamma, seed, desc = run
    return run, rl.drifting_q_learning(ps04.lakes_of(ice, desc), step, per_lake, gamma, seed)


def _drift_problems(case: Case) -> str:
    (ice, step, per_lake, gamma, seed, desc), expected = _drift_reference(case)
    if len(set(ice)) < 2:
        return "the ice never changes"
    for dtype in ("float32", "float64"):
        lakes = _LakesInTurn(ps04.lakes_of(ice, desc), per_lake)
        path = synchronous_torch(lakes, step, len(ice) * per_lake, gamma, seed, dtype)
        if not matches(path, expected, ps04.Q_RTOL, ps04.Q_ATOL):
            return f"a {dtype} torch run differs from the reference beyond the tolerance"
    return ""


def _drift_missed(case: Case) -> set[str]:
    (ice, step, per_lake, gamma, seed, desc), expected = _drift_reference(case)
    lakes = ps04.lakes_of(ice, desc)
    return {name for name, mistake in mistakes.DRIFT_MISTAKES.items()
            if matches(mistake(lakes, step, per_lake, gamma, seed), expected,
                       ps04.Q_RTOL, ps04.Q_ATOL)}


DRIFT = PoolSpec(
    name="ps04.drifting_q_learning",
    always=({"kind": "ice that changes at every sweep", "params": {
        "ice": [ps04.ROUGH_ICE, None, 0.5, None, ps04.ROUGH_ICE, None], "step": ["polynomial", 0.7],
        "sweeps_per_lake": 1, "gamma": 0.95, "seed": 7, "map": None}},),
    draw=2, size=12, seed=408,
    candidate=_drift_candidate, problems=_drift_problems, missed=_drift_missed)

SPECS = (VALUE_ITERATION, UPDATE, STEP_SIZES, LEARNER, SYNCHRONOUS, SUCCESS, REACH, DRIFT)
