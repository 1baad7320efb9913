"""The claims of ps04 "The step size α of Q-learning": every number and comparison its text
states, computed with `lrcore.rl` as the notebook's cells compute it.

The experiments are those of the notebook (its constants come from `lrchecks.ps04`, which the
release checks against the notebook's cells). A claim about a seeded experiment is written with
the notebook's seed (seed 0) and must hold on seeds 0–4 (`SEEDS`): the online runs of §5 (their
`seed`), the sweeps of §7 (`SWEEP_SEED`) and the thaw of §10 (`DRIFT_SEED`). The noise-free
learner of §9, the lake and the step-size sums are deterministic. Nothing here is trained with
torch, so no claim needs the numerical paths.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from autograder.claims import SEEDS, Claim, Exemption
from lrchecks import ps04 as settings
from lrcore import rl

__all__ = ["CLAIMS", "EXEMPT"]

GAMMA = settings.GAMMA
MONTE_CARLO_EPISODES = 1000
"""The episodes of the Monte Carlo evaluation after Task 8.1."""
ONLINE_EPISODES = 1500
ONLINE_STEPS = {"α = 0.1": rl.constant_step_size(0.1), "1/n^0.7": rl.polynomial_step_size(0.7),
                "1/n": rl.polynomial_step_size(1.0)}
"""The online runs after Task 5.1."""
DRIFT_STEPS = {"α = 0.1": rl.constant_step_size(0.1), "1/n^0.6": rl.polynomial_step_size(0.6),
               "1/n": rl.polynomial_step_size(1.0)}
"""The step sizes of the thaw (§10) and of the discount experiment (§9)."""
SUM_COUNTS = (100, 10_000, 100_000)
"""The partial sums printed in §4."""


def _three(value: float) -> str:
    return f"{value:.3f}"


def _two(value: float) -> str:
    return f"{value:.2f}"


# --- the lake (§1, §2) -------------------------------------------------------------------------

@cache
def _lake() -> rl.TransitionModel:
    return rl.frozen_lake_model()


@cache
def _q_star(gamma: float = GAMMA) -> np.ndarray:
    return rl.value_iteration(_lake(), gamma)


def _goal_state() -> int:
    env = rl.make_frozen_lake()
    return int(np.flatnonzero(env.unwrapped.desc.ravel() == b"G")[0])


def _move_probabilities() -> tuple[Fraction, Fraction, Fraction]:
    """(intended, one sideways, the other sideways) of RIGHT at state 10, whose three moves all
    lead to different states, as fractions."""
    row = _lake().transition[10, rl.RIGHT]
    return tuple(Fraction(float(p)).limit_denominator(100)  # type: ignore[return-value]
                 for p in (row[11], row[6], row[14]))


def _slips_from_14() -> dict[str, Any]:
    """Where RIGHT from state 14 leads: the next states with their probability, reward, end."""
    P = rl.make_frozen_lake().unwrapped.P
    return {"entries": {int(s): (float(p), float(r), bool(t)) for p, s, r, t in P[14][rl.RIGHT]}}


def _first_move() -> dict[str, Any]:
    q = _q_star()
    start = _lake().start
    return {"best": rl.ACTION_NAMES[int(q[start].argmax())],
            "left_leads_to": set(np.flatnonzero(_lake().transition[start, rl.LEFT]).tolist())}


def _unseeded_actions_differ() -> bool:
    """Two runs of the notebook's `first_random_actions(False)`: reset(seed=0) alone."""
    def actions(seed_the_action_space: bool) -> list[int]:
        env = rl.make_frozen_lake()
        env.reset(seed=0)
        if seed_the_action_space:
            env.action_space.seed(0)
        return [int(env.action_space.sample()) for _ in range(12)]

    return actions(False) != actions(False) and actions(True) == actions(True)


# --- the step sizes (§4) -----------------------------------------------------------------------

def _partial_sums(omega: float) -> list[float]:
    """Σ_{n ≤ N} 1/n^ω for the printed N."""
    terms = 1.0 / np.arange(1, SUM_COUNTS[-1] + 1, dtype=np.float64) ** omega
    sums = np.cumsum(terms)
    return [float(sums[n - 1]) for n in SUM_COUNTS]


def _zeta(s: float, n: int = 1000) -> float:
    """ζ(s) for s > 1: the sum to n with the Euler–Maclaurin tail (error far below 1e-9)."""
    head = float(np.sum(1.0 / np.arange(1, n + 1, dtype=np.float64) ** s))
    return head + n ** (1 - s) / (s - 1) - n ** -s / 2 + s * n ** (-s - 1) / 12


def _slow_limit() -> dict[str, Any]:
    return {"limit": _zeta(1.2), "sums": _partial_sums(1.2)}


def _growth() -> dict[str, Any]:
    """Σ 1/n^0.8 between the last two printed N, against 5·N^0.2."""
    sums = _partial_sums(0.8)
    return {"grown": sums[2] - sums[1],
            "power": 5 * (SUM_COUNTS[2] ** 0.2 - SUM_COUNTS[1] ** 0.2)}


# --- online Q-learning (§5) ----------------------------------------------------------------------

@dataclass(frozen=True)
class OnlineRun:
    success: float
    error: float
    worst_visits: int
    most_visits: int
    start_error: float
    start_is_most_visited: bool


@cache
def _online(seed: int) -> dict[str, OnlineRun]:
    runs = {}
    for label, step in ONLINE_STEPS.items():
        run = rl.q_learning(rl.make_frozen_lake(), ONLINE_EPISODES, step, GAMMA, 0.1, seed)
        error = np.abs(run.q - _q_star())
        worst = np.unravel_index(error.argmax(), error.shape)
        per_state = run.counts.sum(axis=1)
        runs[label] = OnlineRun(
            success=rl.success_probability(_lake(), rl.greedy_policy(run.q)),
            error=float(error.max()), worst_visits=int(run.counts[worst]),
            most_visits=int(run.counts.max()), start_error=float(error[_lake().start].max()),
            start_is_most_visited=bool(per_state[_lake().start] == per_state.max()))
    return runs


def _online_successes(seed: int) -> tuple[float, float, float]:
    runs = _online(seed)
    return tuple(runs[label].success for label in ONLINE_STEPS)  # type: ignore[return-value]


# --- the sweep experiment (§7, §8) ------------------------------------------------------------

@dataclass(frozen=True)
class SweepRun:
    errors: np.ndarray  # ‖Q − Q*‖∞ after every sweep
    successes: np.ndarray  # at CHECKPOINTS
    final_success: float


def _sweep_steps() -> dict[str, rl.StepSize]:
    steps = [rl.constant_step_size(a) for a in settings.CONSTANT_ALPHAS] + [
        rl.polynomial_step_size(w) for w in settings.OMEGAS]
    return {step.label: step for step in steps}


@cache
def _sweeps(seed: int) -> dict[str, SweepRun]:
    """The six schedules of Task 7.1, with the sweep seed `seed` (the notebook: SWEEP_SEED)."""
    steps = _sweep_steps()
    histories = rl.synchronous_q_learning_many(_lake(), list(steps.values()), settings.N_SWEEPS,
                                               GAMMA, seed)
    runs = {}
    for label, history in zip(steps, histories, strict=True):
        errors, successes = rl.learning_curves(history[settings.CHECKPOINTS - 1], _q_star(),
                                               _lake())
        runs[label] = SweepRun(np.asarray(rl.sup_norm_error(history, _q_star())), successes,
                               float(successes[-1]))
    return runs


@cache
def _optimum() -> float:
    return rl.success_probability(_lake(), rl.greedy_policy(_q_star()))


def _late(errors: np.ndarray) -> np.ndarray:
    """The errors after the first 1000 sweeps."""
    return errors[1000:]


def _last_thousand(errors: np.ndarray) -> np.ndarray:
    return errors[-1000:]


def _optimal_from(run: SweepRun) -> dict[str, float]:
    """The first checkpoint from which the greedy policy stays optimal, and the error there."""
    optimal = np.isclose(run.successes, _optimum(), rtol=0, atol=1e-12)
    stays = np.flatnonzero(~optimal)
    first = 0 if not stays.size else int(stays[-1]) + 1
    if first >= len(run.successes):
        return {"sweep": math.inf, "error": math.nan, "final": float(run.errors[-1])}
    sweep = int(settings.CHECKPOINTS[first])
    return {"sweep": sweep, "error": float(run.errors[sweep - 1]),
            "final": float(run.errors[-1])}


def _tenth_range(seed: int) -> dict[str, Any]:
    runs = _sweeps(seed)
    last = {label: _last_thousand(run.errors) for label, run in runs.items()}
    return {"low": float(last["α = 0.1"].min()), "high": float(last["α = 0.1"].max()),
            "medians": [float(np.median(last[label])) for label in ("α = 0.5", "α = 0.1")],
            "final_hundredth": float(runs["α = 0.01"].errors[-1])}


def _final_errors(seed: int) -> dict[str, float]:
    return {label: float(run.errors[-1]) for label, run in _sweeps(seed).items()}


def _distinct_late_policies(seed: int) -> dict[str, int]:
    """How many different success probabilities each schedule shows at the checkpoints after
    sweep 2000."""
    late = settings.CHECKPOINTS > 2000
    return {label: len(np.unique(np.round(run.successes[late], 12)))
            for label, run in _sweeps(seed).items()}


# --- the noise-free learner across discounts (§9) -------------------------------------------------

@cache
def _needed() -> dict[str, list[int | None]]:
    """label → sweeps to come within TOLERANCE of Q* at each of GAMMAS (None: not within
    MAX_SWEEPS)."""
    steps = {"1/n": DRIFT_STEPS["1/n"], "1/n^0.6": DRIFT_STEPS["1/n^0.6"],
             "α = 0.1": DRIFT_STEPS["α = 0.1"]}
    return {label: [rl.sweeps_to_reach(_lake(), step, gamma, _q_star(gamma), settings.TOLERANCE,
                                       settings.MAX_SWEEPS) for gamma in settings.GAMMAS]
            for label, step in steps.items()}


def _at(label: str, gamma: float) -> int | None:
    return _needed()[label][settings.GAMMAS.index(gamma)]


def _harmonic_discount() -> dict[str, Any]:
    return {"counts": _needed()["1/n"], "gammas": settings.GAMMAS}


def _harmonic_bends_up(counts: list[int | None]) -> bool:
    """Reached up to some γ, then never; and on log–log axes each segment steeper than the
    last."""
    horizons = 1 / (1 - np.asarray(settings.GAMMAS))
    reached = [i for i, k in enumerate(counts) if k is not None]
    if reached != list(range(len(reached))) or len(reached) < 3:
        return False
    slopes = np.diff(np.log([k for k in counts if k is not None])) / np.diff(
        np.log(horizons[reached]))
    return bool(np.all(np.diff(slopes) > 0))


# --- the thaw (§10) ---------------------------------------------------------------------------

@cache
def _rough() -> rl.TransitionModel:
    return rl.frozen_lake_model(success_rate=settings.ROUGH_ICE)


@cache
def _drift_q_stars() -> tuple[np.ndarray, np.ndarray]:
    return (rl.value_iteration(_rough(), settings.DRIFT_GAMMA),
            rl.value_iteration(_lake(), settings.DRIFT_GAMMA))


@dataclass(frozen=True)
class ThawRun:
    errors: np.ndarray  # against the Q* of the lake in force
    control_errors: np.ndarray  # the same step size on the slippery lake from the start
    final_difference: float  # max |Q_thaw − Q_control| after the last sweep
    success: float  # the greedy policy's, on the slippery lake, after the last sweep
    control_success: float
    keeps_rough_policy: bool


@cache
def _thaw(seed: int) -> dict[str, ThawRun]:
    steps = list(DRIFT_STEPS.values())
    per_lake, gamma = settings.SWEEPS_PER_LAKE, settings.DRIFT_GAMMA
    thaw = rl.drifting_q_learning_many([_rough(), _lake()], steps, per_lake, gamma, seed)
    control = rl.drifting_q_learning_many([_lake(), _lake()], steps, per_lake, gamma, seed)
    rough_star, slippery_star = _drift_q_stars()
    errors = rl.drift_errors(thaw, [rough_star, slippery_star], per_lake)
    control_errors = rl.drift_errors(control, [slippery_star, slippery_star], per_lake)
    rough_policy = rl.greedy_policy(rough_star)
    runs = {}
    for i, label in enumerate(DRIFT_STEPS):
        policy = rl.greedy_policy(thaw[i, -1])
        runs[label] = ThawRun(
            errors[i], control_errors[i], float(np.abs(thaw[i, -1] - control[i, -1]).max()),
            rl.success_probability(_lake(), policy),
            rl.success_probability(_lake(), rl.greedy_policy(control[i, -1])),
            bool(np.array_equal(policy, rough_policy)))
    return runs


def _drift_jump() -> float:
    rough_star, slippery_star = _drift_q_stars()
    return float(np.abs(rough_star - slippery_star).max())


def _jump_seen(seed: int) -> dict[str, float]:
    """The jump, and each schedule's error right after the thaw."""
    first = settings.SWEEPS_PER_LAKE  # row of the first sweep on the slippery lake
    return {"jump": _drift_jump(),
            **{label: float(run.errors[first]) for label, run in _thaw(seed).items()}}


def _memory(n: int, omega: float = 0.6) -> float:
    """1/α_n: roughly how many recent targets carry a 1/n^ω average at visit n."""
    return n ** omega


def _round_to(value: float, digits: int = 1) -> str:
    """'about 40', 'about 4000': one significant digit."""
    return f"{float(f'{value:.{digits}g}'):g}"


# --- the claims -------------------------------------------------------------------------------

Compute = Callable[..., Any]


def _claim(claim_id: str, sentence: str, compute: Compute, write: Callable[[Any], str] = str,
           holds: Callable[[Any], bool] = lambda value: True, seeded: bool = False) -> Claim:
    return Claim(f"ps04.{claim_id}", sentence, compute, write, holds,
                 seeds=SEEDS if seeded else ())


CLAIMS: tuple[Claim, ...] = (
    # §1, §2 — the lake
    _claim("goal_state", "the goal G is state 15", _goal_state,
           holds=lambda s: s == _lake().n_states - 1),
    _claim("intended_move", "the agent moves as it chose with probability 1/3",
           lambda: _move_probabilities()[0], write=str, holds=lambda p: p == Fraction(1, 3)),
    _claim("sideways_slip", "and to each perpendicular direction with probability 1/3",
           lambda: _move_probabilities()[1:], write=lambda v: str(v[0]),
           holds=lambda v: v == (Fraction(1, 3), Fraction(1, 3))),
    _claim("time_limit", "after 100 steps the episode is truncated",
           lambda: int(rl.make_frozen_lake().spec.max_episode_steps),
           holds=lambda n: n == rl.MAX_EPISODE_STEPS),
    _claim("slip_up_from_14", "from 14, RIGHT: one slip goes up to 10, the intended move reaches "
           "the goal (reward 1, terminated), the other slip stays at 14", _slips_from_14,
           write=lambda v: str(min(s for s in v["entries"] if s not in (14, 15))),
           holds=lambda v: v["entries"].get(15, (0, 0, False))[1:] == (1.0, True)
           and v["entries"].get(14, (0, 1, True))[1:] == (0.0, False)
           and set(v["entries"]) == {10, 14, 15}),
    _claim("unseeded_actions_differ", "without action_space.seed, two 'seeded' runs pick "
           "different random actions; with it, the same", _unseeded_actions_differ,
           holds=bool),
    _claim("best_first_move", "LEFT is the best first move: into the wall, the agent stays put "
           "or slips down", _first_move, write=lambda v: v["best"],
           holds=lambda v: v["best"] == "LEFT" and v["left_leads_to"] == {0, 4}),
    # §4 — step sizes
    _claim("ema_recent_weight", "the last 1/α targets carry most of the weight (65 % for "
           "α = 0.1)", lambda: 1 - (1 - 0.1) ** 10, write=lambda w: f"{w:.0%}",
           holds=lambda w: w > 0.5),
    _claim("harmonic_minus_log", "Σ1/n − ln N stays at 0.58 (Euler's constant)",
           lambda: [s - math.log(n) for s, n in zip(_partial_sums(1.0), SUM_COUNTS, strict=True)],
           write=lambda v: _two(v[-1]), holds=lambda v: max(v) - min(v) < 0.01),
    _claim("basel_sum", "Σ1/n² settles at π²/6 ≈ 1.645", lambda: _partial_sums(2.0),
           write=lambda v: _three(math.pi ** 2 / 6),
           holds=lambda v: abs(v[-1] - math.pi ** 2 / 6) < 1e-4),
    _claim("slow_limit", "Σ1/n^1.2 converges to 5.59, and the printout is still climbing",
           _slow_limit, write=lambda v: _two(v["limit"]),
           holds=lambda v: v["sums"] == sorted(v["sums"]) and v["limit"] - v["sums"][-1] > 0.1),
    _claim("growth_like_power", "Σ1/n^0.8 keeps growing, like 5·N^0.2", _growth,
           holds=lambda v: abs(v["grown"] / v["power"] - 1) < 0.01),
    # §5 — online
    _claim("online_success_constant", "on this seed α = 0.1's greedy policy succeeds with 0.730",
           lambda seed: _online(seed)["α = 0.1"].success, write=_three, seeded=True),
    _claim("online_success_polynomial", "1/n^0.7's with 0.511",
           lambda seed: _online(seed)["1/n^0.7"].success, write=_three, seeded=True),
    _claim("online_success_harmonic", "1/n's with only 0.107",
           lambda seed: _online(seed)["1/n"].success, write=_three, seeded=True),
    _claim("online_order", "the order α = 0.1 > 1/n^0.7 > 1/n is the same on seeds 0–4",
           _online_successes, holds=lambda v: v[0] > v[1] > v[2], seeded=True),
    _claim("online_success_constant_lowest", "on one of the seeds α = 0.1's policy succeeds "
           "only 0.166 of the time", lambda: min(_online(s)["α = 0.1"].success for s in SEEDS),
           write=_three, holds=lambda v: v < _online(SEEDS[0])["α = 0.1"].success - 0.2),
    _claim("online_error_floor", "on every seed ‖Q − Q*‖∞ stays above 0.3",
           lambda: min(run.error for s in SEEDS for run in _online(s).values()),
           write=lambda v: f"{math.floor(v * 10) / 10:g}", holds=lambda v: v > 0.3),
    _claim("online_worst_visits", "the worst entry is a pair tried at most 72 times, the usual "
           "path's pairs thousands of times",
           lambda: (max(run.worst_visits for s in SEEDS for run in _online(s).values()),
                    min(run.most_visits for s in SEEDS for run in _online(s).values())),
           write=lambda v: str(v[0]), holds=lambda v: v[0] < 100 and v[1] >= 1000),
    _claim("online_start_error_harmonic", "for 1/n even the start, the most visited state, is "
           "still 0.533 away (more than 0.5 on every seed)",
           lambda seed: _online(seed)["1/n"], write=lambda run: _three(run.start_error),
           holds=lambda run: run.start_error > 0.5 and run.start_is_most_visited, seeded=True),
    # §6
    _claim("pairs", "a sweep updates all 64 entries", lambda: _lake().n_states * _lake().n_actions),
    # §7 — the sweep experiment
    _claim("alpha_half_floor", "after the first 1000 sweeps α = 0.5 never comes closer than 0.32",
           lambda seed: float(_late(_sweeps(seed)["α = 0.5"].errors).min()), write=_two,
           holds=lambda v: v > 0.25, seeded=True),
    _claim("alpha_tenth_low", "α = 0.1 wanders between 0.085 and …", _tenth_range,
           write=lambda v: _two(v["low"]), seeded=True,
           holds=lambda v: v["low"] > 0.05 and v["medians"][0] > v["medians"][1]
           > v["final_hundredth"]),
    _claim("alpha_tenth_high", "… and 0.33 over the last 1000 sweeps", _tenth_range,
           write=lambda v: _two(v["high"]), holds=lambda v: v["high"] < 0.45, seeded=True),
    _claim("alpha_hundredth_final", "α = 0.01, the slowest to start, gets down to 0.047",
           lambda seed: _sweeps(seed), seeded=True,
           write=lambda runs: _three(runs["α = 0.01"].errors[-1]),
           holds=lambda runs: max(runs, key=lambda label: runs[label].errors[99]) == "α = 0.01"
           and runs["α = 0.01"].errors[-1] < 0.1),
    _claim("harmonic_final_error", "1/n crawls: after 10 000 sweeps it is still 0.45 away",
           lambda seed: _sweeps(seed)["1/n"].errors, write=lambda e: _two(e[-1]), seeded=True,
           holds=lambda e: e[-1] > 0.35 and e[999] - e[-1] < 0.1),
    _claim("poly06_final_error", "1/n^0.6 keeps improving at every scale and ends lowest "
           "(0.025); 1/n^0.8 ends in between", _final_errors, seeded=True,
           write=lambda v: _three(v["1/n^0.6"]),
           holds=lambda v: min(v, key=v.get) == "1/n^0.6"
           and v["1/n^0.6"] < v["1/n^0.8"] < v["1/n"]),
    _claim("poly06_keeps_improving", "1/n^0.6 keeps improving at every scale",
           lambda seed: _sweeps(seed)["1/n^0.6"].errors[[99, 999, 9999]], seeded=True,
           holds=lambda e: e[0] > e[1] > e[2]),
    _claim("poly06_optimal_from", "1/n^0.6's greedy policy is optimal from sweep 1082 on",
           lambda seed: _optimal_from(_sweeps(seed)["1/n^0.6"]), seeded=True,
           write=lambda v: str(v["sweep"]), holds=lambda v: v["sweep"] < settings.N_SWEEPS),
    _claim("poly06_error_when_optimal", "… when its Q is still 0.13 away (long before it is "
           "accurate)", lambda seed: _optimal_from(_sweeps(seed)["1/n^0.6"]), seeded=True,
           write=lambda v: _two(v["error"]), holds=lambda v: v["error"] > 2 * v["final"]),
    _claim("alpha_half_jumps", "α = 0.5 keeps jumping between policies", _distinct_late_policies,
           seeded=True, holds=lambda v: v["α = 0.5"] >= 3 and v["1/n^0.6"] == 1),
    _claim("optimal_success", "the best possible success probability is 0.740", _optimum,
           write=_three),
    _claim("poly08_final_success", "1/n^0.8 settles on a slightly worse policy (0.730)",
           lambda seed: _sweeps(seed)["1/n^0.8"].final_success, write=_three, seeded=True,
           holds=lambda v: _optimum() - 0.05 < v < _optimum()),
    _claim("harmonic_final_success_lowest", "so does 1/n on this seed (0.730); on other seeds "
           "1/n ends as low as 0.447", lambda: [_sweeps(s)["1/n"].final_success for s in SEEDS],
           write=lambda v: _three(min(v)),
           holds=lambda v: min(v) < v[0] < _optimum()
           and v[0] == _sweeps(SEEDS[0])["1/n^0.8"].final_success),
    # §8 — Monte Carlo
    _claim("mc_standard_error", "1000 episodes: a standard error of about 0.014, too much to "
           "tell 0.740 from 0.730",
           lambda: math.sqrt(_optimum() * (1 - _optimum()) / MONTE_CARLO_EPISODES), write=_three,
           holds=lambda se: _optimum() - _sweeps(SEEDS[0])["1/n^0.8"].final_success < 2 * se),
    _claim("poly06_learns_optimal", "1/n^0.6 has learned the optimal policy, 1/n a worse one",
           lambda seed: (_sweeps(seed)["1/n^0.6"].final_success,
                         _sweeps(seed)["1/n"].final_success), seeded=True,
           holds=lambda v: math.isclose(v[0], _optimum(), abs_tol=1e-12) and v[1] < v[0]),
    # §9 — the discount
    _claim("discount_harmonic_first", "without noise 1/n needs 5 sweeps at γ = 0.5",
           lambda: _at("1/n", 0.5)),
    _claim("discount_harmonic_at_08", "… and 134 at γ = 0.8", lambda: _at("1/n", 0.8)),
    _claim("discount_harmonic_factor", "doubling the horizon once more multiplies its time by "
           "50, and from γ = 0.95 on it does not get there; its curve bends upward",
           _harmonic_discount,
           write=lambda v: f"{round(_at('1/n', 0.9) / _at('1/n', 0.8))}",  # type: ignore[operator]
           holds=lambda v: _harmonic_bends_up(v["counts"]) and _at("1/n", 0.9) is not None
           and _at("1/n", 0.95) is None and _at("1/n", 0.99) is None),
    _claim("discount_poly_at_09", "1/n^0.6 needs 43 sweeps at γ = 0.9",
           lambda: _at("1/n^0.6", 0.9), holds=lambda k: k is not None),
    _claim("discount_poly_at_099", "… and 4850 at γ = 0.99", lambda: _at("1/n^0.6", 0.99),
           holds=lambda k: k is not None),
    _claim("discount_poly_factor", "ten times the horizon costs it 113 times the sweeps: about "
           "its square, not an exponential",
           lambda: _at("1/n^0.6", 0.99) / _at("1/n^0.6", 0.9),  # type: ignore[operator]
           write=lambda v: f"{round(v)}", holds=lambda v: 10 ** 1.5 < v < 10 ** 2.5),
    _claim("discount_constant_fastest", "the constant α = 0.1 is the fastest at the largest "
           "discounts", lambda: {label: counts[-2:] for label, counts in _needed().items()},
           holds=lambda v: all(v["α = 0.1"][i] < min(k for k in (v["1/n"][i], v["1/n^0.6"][i])
                                                     if k is not None) for i in range(2))),
    # §10 — the thaw
    _claim("drift_jump", "at the thaw every error jumps to about 0.54, the largest change of Q*",
           _jump_seen, seeded=True, write=lambda v: _two(v["jump"]),
           holds=lambda v: all(v[label] > 0.8 * v["jump"] for label in DRIFT_STEPS)),
    _claim("drift_constant_difference", "α = 0.1 forgets the rough ice: at the end its Q differs "
           "from its control's by less than 1e-6 — each sweep shrinks the old lake's share by at "
           "least 1 − α(1 − γ)", lambda: max(_thaw(s)["α = 0.1"].final_difference for s in SEEDS),
           write=lambda v: f"1e{math.ceil(math.log10(v))}",
           holds=lambda v: v < _drift_jump() * (1 - 0.1 * (1 - settings.DRIFT_GAMMA))
           ** settings.SWEEPS_PER_LAKE),
    _claim("drift_poly_factor", "1/n^0.6 recovers too and ends within a factor 1.1 of its "
           "control", lambda seed: _thaw(seed)["1/n^0.6"], seeded=True,
           write=lambda run: f"{_ratio(run):.1f}", holds=lambda run: _ratio(run) < 2),
    _claim("drift_harmonic_error", "1/n does not: it ends 0.416 away",
           lambda seed: _thaw(seed)["1/n"], seeded=True,
           write=lambda run: _three(run.errors[-1]), holds=lambda run: run.errors[-1] > 0.3),
    _claim("drift_harmonic_factor", "… 40 times its control's error",
           lambda seed: _thaw(seed)["1/n"], seeded=True,
           write=lambda run: f"{run.errors[-1] / run.control_errors[-1]:.0f}",
           holds=lambda run: run.errors[-1] > 5 * run.control_errors[-1]),
    _claim("drift_harmonic_success", "its greedy policy is still the rough-ice one, which "
           "reaches the goal on slippery ice with probability 0.045",
           lambda seed: _thaw(seed)["1/n"], seeded=True, write=lambda run: _three(run.success),
           holds=lambda run: run.keeps_rough_policy and run.success < run.control_success / 5),
    _claim("memory_young", "1/n^0.6 remembers about the last 40 targets at n = 500",
           lambda: _memory(settings.SWEEPS_PER_LAKE), write=_round_to),
    _claim("memory_old", "… about 4000 after a million updates", lambda: _memory(10 ** 6),
           write=_round_to),
)


def _ratio(run: ThawRun) -> float:
    """How many times farther from Q* the thawed run ends than its control (≥ 1: the larger
    of the two ratios)."""
    a, b = float(run.errors[-1]), float(run.control_errors[-1])
    return max(a / b, b / a)


EXEMPT: tuple[Exemption, ...] = (
    Exemption("2003", "the year of Even-Dar & Mansour's paper, a citation"),
    Exemption("5", "the number of a learning goal, and section 5 named in Task 3.1"),
    Exemption("7", "section 7, named in section 9"),
    Exemption("7.1", "Task 7.1, named in the introduction"),
    Exemption("6.1", "Task 6.1, named in Task 10.1"),
    Exemption("0.02", "a constant α the explore section suggests trying in the widget"),
    Exemption("20", "20 000 sweeps, a run length the explore section suggests in the widget"),
)
