"""lrchecks.ps04 on plain Python functions: right answers pass (written in several
ways), each diagnosis is triggered by the buggy code it names, hard-coded answers fail the
hidden checks.

The hidden checks run as in grading, on cases drawn for a student from the pools of
`autograder.hidden.ps04` (built once here, and compared with the released file): every modelled
mistake fails a drawn case of every student, and a hidden case's message names only its kind
and the mistake."""

from __future__ import annotations

import json
import re

import gymnasium
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from conftest import REPO, TEST_COURSE_SECRET
from named_mistakes import mistakes_named_by

from autograder.hidden import ps04 as ps04_pools
from autograder.hidden.draw import draw_cases
from autograder.hidden.pools import build_pools, pools_path, read_pools
from lrchecks import evidence, ps04
from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases
from lrchecks.ps04 import lakes
from lrchecks.report import CheckFailed
from lrcore import rl

ASSIGNMENT = "ps04_q_learning"
STUDENTS = ("ada", "grace", "alan")


@pytest.fixture(scope="module")
def pools():
    """The assignment's pools, built and validated as `release` builds them."""
    return build_pools(ps04_pools.SPECS)


def cases_of(pools, student):
    """A student's drawn cases, as grading draws them (`{pool: [case, …]}`)."""
    return draw_cases(pools, TEST_COURSE_SECRET.encode(), "lrlab", ASSIGNMENT, student)


@pytest.fixture
def graded(pools):
    """Hidden checks run with the cases the grader drew for one student."""
    with drawn_cases(cases_of(pools, STUDENTS[0])):
        yield

# --- a correct solution, as a student writes it ------------------------------------------------


def value_iteration(P, gamma, tol=1e-10, discount=True, combine=np.max, skip_terminal=False):
    n_states, n_actions = len(P), len(P[0])
    V = np.zeros(n_states)
    while True:
        Q = np.zeros((n_states, n_actions))
        for s in range(n_states):
            for a in range(n_actions):
                for p, s2, r, done in P[s][a]:
                    if skip_terminal and done:
                        continue
                    future = 0.0 if done else (gamma if discount else 1.0) * V[s2]
                    Q[s, a] += p * (r + future)
        new_V = combine(Q, axis=1)
        if np.max(np.abs(new_V - V)) < tol:
            return Q
        V = new_V


def q_learning_update(Q, state, action, reward, next_state, terminated, alpha, gamma):
    target = reward if terminated else reward + gamma * np.max(Q[next_state])
    Q[state, action] += alpha * (target - Q[state, action])


def constant_step_size(alpha):
    return lambda n: alpha


def polynomial_step_size(omega):
    return lambda n: 1.0 / n**omega


def epsilon_greedy(Q, state, epsilon, rng, env):
    if rng.random() < epsilon:
        return int(env.action_space.sample())
    best = np.flatnonzero(Q[state] == Q[state].max())
    return int(best[0]) if len(best) == 1 else int(best[rng.integers(len(best))])


def make_q_learning(alpha_count="visit", sarsa=False, reseed=False, stop_on_truncation=False,
                    discount=True, counts_from_one=False, seed_actions=True, update=None):
    def q_learning(env, n_episodes, alpha_at, gamma=0.99, epsilon=0.1, seed=0):
        Q = np.zeros((env.observation_space.n, env.action_space.n))
        counts = np.full(Q.shape, 1 if counts_from_one else 0)
        if seed_actions:
            env.action_space.seed(seed)
        rng = np.random.default_rng(seed)
        factor = gamma if discount else 1.0
        for episode in range(n_episodes):
            state, _ = env.reset(seed=seed) if episode == 0 or reseed else env.reset()
            action = epsilon_greedy(Q, state, epsilon, rng, env)
            while True:
                next_state, reward, terminated, truncated, _ = env.step(action)
                if alpha_count == "before_increment":
                    alpha = alpha_at(counts[state, action])
                counts[state, action] += 1
                if alpha_count == "visit":
                    alpha = alpha_at(counts[state, action] - counts_from_one)
                elif alpha_count == "episode":
                    alpha = alpha_at(episode + 1)
                elif alpha_count == "plus_one":
                    alpha = alpha_at(counts[state, action] + 1)
                ends = terminated or (stop_on_truncation and truncated)
                if sarsa:
                    next_action = epsilon_greedy(Q, next_state, epsilon, rng, env)
                    future = 0.0 if ends else factor * Q[next_state, next_action]
                else:
                    future = 0.0 if ends else factor * np.max(Q[next_state])
                if update is not None:  # the student's update function, called for its effect
                    update(Q, state, action, reward, next_state, ends, alpha, factor)
                else:
                    Q[state, action] += alpha * (reward + future - Q[state, action])
                if terminated or truncated:
                    break
                state = next_state
                action = next_action if sarsa else epsilon_greedy(Q, state, epsilon, rng, env)
        return Q, counts
    return q_learning


def sweep(Q, model, rng, alpha, gamma, discount=True, axis=-1, torch_backend=False):
    """One synchronous sweep as a student writes it: a sample of every (s, a) from `model`, then
    Q + α·(target − Q), or (1 − α)·Q + α·target on the torch backend; `discount=False` leaves γ
    out and `axis` is the axis of Q[s'] the max runs over (-1 is right)."""
    next_state, reward, terminated = model.sample(rng)
    best = Q[next_state].max(axis=axis)
    target = reward + (gamma if discount else 1.0) * np.where(terminated, 0.0, best)
    return (1 - alpha) * Q + alpha * target if torch_backend else Q + alpha * (target - Q)


def returned(Q, history, final_only, torch_backend):
    """What a student's learner returns: every table of `history` (a tensor on the torch
    backend) or, with `final_only`, the last table `Q` alone."""
    if final_only:
        return Q
    return torch.tensor(np.array(history)) if torch_backend else np.array(history)


def make_synchronous(offset=0, discount=True, axis=-1, keep_initial=False, final_only=False,
                     torch_backend=False):
    def synchronous_q_learning(model, alpha_at, n_sweeps, gamma=0.99, seed=0):
        rng = np.random.default_rng(seed)
        Q = np.zeros((model.n_states, model.n_actions))
        history = [Q] if keep_initial else []
        for k in range(1 + offset, n_sweeps + 1 + offset):
            Q = sweep(Q, model, rng, alpha_at(k), gamma, discount, axis, torch_backend)
            history.append(Q)
        return returned(Q, history, final_only, torch_backend)
    return synchronous_q_learning


def make_success_rate(reseed=False, scale=None):
    def success_rate(env, policy, n_episodes, seed=0):
        wins = 0
        for episode in range(n_episodes):
            state, _ = env.reset(seed=seed) if episode == 0 or reseed else env.reset()
            while True:
                state, reward, terminated, truncated, _ = env.step(int(policy[state]))
                if terminated or truncated:
                    wins += reward > 0
                    break
        return wins if scale == "count" else wins / n_episodes * (100 if scale == "%" else 1)
    return success_rate


# --- value iteration ---------------------------------------------------------------------------

def test_value_iteration_passes(capsys, graded):
    ps04.check_value_iteration_published(value_iteration)
    ps04.check_value_iteration_unseen(value_iteration)
    ps04.check_value_iteration_published(lambda P, gamma: value_iteration(P, gamma, tol=1e-13))
    assert capsys.readouterr().out.count("✓") == 3


test_value_iteration_mistakes_are_named = mistakes_named_by(ps04.check_value_iteration_published, [
    (lambda P, gamma: value_iteration(P, gamma, discount=False), "discount is missing"),
    (lambda P, gamma: value_iteration(P, gamma, combine=np.mean), "random policy"),
    (lambda P, gamma: value_iteration(P, gamma, skip_terminal=True), "Q is 0 everywhere"),
    (lambda P, gamma: value_iteration(P, gamma, tol=10.0), "one backup only"),
    (lambda P, gamma: value_iteration(P, gamma, tol=1e-5), "not converged"),
    (lambda P, gamma: value_iteration(P, gamma).max(axis=1), "one value per state"),
    (lambda P, gamma: value_iteration(P, gamma).T, "shape"),
    (rl.value_iteration, "yourself"),
])


def test_hard_coded_q_star_fails_the_hidden_check(graded):
    table = value_iteration(rl.make_frozen_lake().unwrapped.P, 0.99)
    ps04.check_value_iteration_published(lambda P, gamma: table)
    with pytest.raises(CheckFailed, match="A hidden case fails"):
        ps04.check_value_iteration_unseen(lambda P, gamma: table)


# --- the update ------------------------------------------------------------------------------

def test_update_passes_in_place_and_in_place_returning_q(capsys, graded):
    def returns_q_too(Q, state, action, reward, next_state, terminated, alpha, gamma):
        target = reward + (0 if terminated else gamma * max(Q[next_state]))
        Q[state][action] = (1 - alpha) * Q[state][action] + alpha * target
        return Q

    for function in (q_learning_update, returns_q_too):
        ps04.check_q_learning_update(function)
        ps04.check_q_learning_update(function, hidden=True)
    assert capsys.readouterr().out.count("✓") == 4


def update_on_a_copy(Q, state, action, reward, next_state, terminated, alpha, gamma):
    """Right numbers, on a copy: the learners that call it for its effect never learn."""
    new = Q.copy()
    target = reward + (0 if terminated else gamma * max(Q[next_state]))
    new[state][action] = (1 - alpha) * Q[state][action] + alpha * target
    return new


def test_an_update_that_returns_a_copy_is_named_where_it_is_made(graded):
    with pytest.raises(CheckFailed, match="returns an updated copy and leaves the Q"):
        ps04.check_q_learning_update(update_on_a_copy)
    with pytest.raises(CheckFailed, match="^A hidden case fails .*returns an updated copy"):
        ps04.check_q_learning_update(update_on_a_copy, hidden=True)


def test_a_learner_whose_update_never_reaches_q_is_not_called_a_seeding_problem():
    """The copy-returning update, called for its effect by an otherwise right learner: Q stays
    0. The learner's check names the update, not the seeding protocol."""
    learner = make_q_learning(update=update_on_a_copy)
    with pytest.raises(CheckFailed, match="Q is still all zeros") as failure:
        ps04.check_q_learning_seeded(learner)
    assert "seeding protocol" not in str(failure.value)


def _update(target_rule):
    def update(Q, state, action, reward, next_state, terminated, alpha, gamma):
        Q[state, action] = target_rule(Q, state, action, reward, next_state, terminated, alpha,
                                       gamma)
    return update


test_update_mistakes_are_named = mistakes_named_by(ps04.check_q_learning_update, [
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else np.max(Q[s2])) - Q[s, a]),
     "γ is missing"),
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + g * np.max(Q[s2]) - Q[s, a]),
     "bootstrap at a terminal"),
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * Q[s2, a]) - Q[s, a]),
     "SARSA"),
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * np.max(Q[s2]))),
     "misses − Q"),
    (lambda Q, s, a, r, s2, t, al, g: al * (r + (0 if t else g * np.max(Q[s2]))),
     "overwritten"),
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * np.max(Q[s])) - Q[s, a]),
     "current state"),
    (lambda Q, s, a, r, s2, t, al, g: Q[s, a] - al * (r + (0 if t else g * np.max(Q[s2]))
                                                      - Q[s, a]), "should become"),
], student=_update)


def test_update_that_changes_nothing_or_too_much():
    with pytest.raises(CheckFailed, match="unchanged"):
        ps04.check_q_learning_update(lambda Q, *args: Q.copy() * 1.0 if False else None)

    def everywhere(Q, state, action, reward, next_state, terminated, alpha, gamma):
        Q += alpha * (reward - Q)

    with pytest.raises(CheckFailed, match="other than"):
        ps04.check_q_learning_update(everywhere)


# --- step sizes -----------------------------------------------------------------------------

def test_step_sizes_pass(capsys, graded):
    ps04.check_step_sizes(constant_step_size, polynomial_step_size)
    ps04.check_step_sizes(constant_step_size, polynomial_step_size, hidden=True)
    ps04.check_step_sizes(constant_step_size, lambda omega: (lambda n: np.power(n, -omega)),
                          hidden=True)
    assert capsys.readouterr().out.count("✓") == 3


@pytest.mark.parametrize(("polynomial", "words"), [
    (lambda omega: (lambda n: 1 / (n + 1) ** omega), "first visit"),
    (lambda omega: (lambda n: omega / n), "ω/n"),
    (lambda omega: (lambda n: 1 / (n * omega)), "1/\\(n·ω\\)"),
    (lambda omega: 1.0, "should return a function"),
])
def test_step_size_mistakes_are_named(polynomial, words):
    with pytest.raises(CheckFailed, match=words):
        ps04.check_step_sizes(constant_step_size, polynomial)


def test_hard_coded_omega_fails_the_hidden_check(graded):
    def only_visible(omega):
        return (lambda n: 1 / n) if omega == 1.0 else (lambda n: 1 / n**0.6)

    ps04.check_step_sizes(constant_step_size, only_visible)
    with pytest.raises(CheckFailed, match="polynomial_step_size"):
        ps04.check_step_sizes(constant_step_size, only_visible, hidden=True)


# --- the online learner ----------------------------------------------------------------------

def test_q_learning_passes(capsys, graded):
    ps04.check_q_learning_seeded(make_q_learning())
    ps04.check_q_learning_seeded(make_q_learning(), hidden=True)
    assert capsys.readouterr().out.count("✓") == 2


test_q_learning_mistakes_are_named = mistakes_named_by(ps04.check_q_learning_seeded, [
    ({"alpha_count": "episode"}, "per episode, not per visit"),
    ({"alpha_count": "plus_one"}, "one visit late"),
    ({"alpha_count": "before_increment"}, "increment counts\\[s, a\\] first"),
    ({"sarsa": True}, "SARSA"),
    ({"reseed": True}, "replays the same slips"),
    ({"discount": False}, "γ is missing"),
    ({"counts_from_one": True}, "one more than the visits"),
    ({"seed_actions": False}, "seeding protocol"),
], student=lambda kwargs: make_q_learning(**kwargs))


def test_terminated_or_truncated_passed_to_the_update_is_caught_by_a_visible_run(graded):
    learner = make_q_learning(stop_on_truncation=True)
    with pytest.raises(CheckFailed, match="truncated still bootstraps.*terminated or truncated"):
        ps04.check_q_learning_seeded(learner)
    with pytest.raises(CheckFailed, match="truncated still bootstraps"):
        ps04.check_q_learning_seeded(learner, hidden=True)


class CutOffCounter(gymnasium.Wrapper):
    """An env that counts the episodes the step limit cuts off (truncated, not terminated)."""

    def __init__(self, env):
        super().__init__(env)
        self.cut_off = 0

    def step(self, action):
        outcome = super().step(action)
        _, _, terminated, truncated, _ = outcome
        self.cut_off += bool(truncated and not terminated)
        return outcome


def test_the_visible_runs_include_episodes_cut_off_at_the_step_limit():
    """The task names the truncated case: a visible run must contain it (the last one does)."""
    cut = []
    for n, step, gamma, epsilon, seed, desc in ps04.LEARNER_CASES_VISIBLE:
        env = CutOffCounter(rl.make_frozen_lake(desc))
        rl.q_learning(env, n, step, gamma=gamma, epsilon=epsilon, seed=seed)
        cut.append(env.cut_off)
    assert cut[-1] > 0, cut


def test_q_learning_output_shapes():
    with pytest.raises(CheckFailed, match="pair \\(Q, counts\\)"):
        ps04.check_q_learning_seeded(lambda env, n, alpha_at, **kw: make_q_learning()(
            env, n, alpha_at, **kw)[0])
    with pytest.raises(CheckFailed, match="counts"):
        ps04.check_q_learning_seeded(lambda env, n, alpha_at, **kw: (make_q_learning()(
            env, n, alpha_at, **kw)[0], 0))


def test_hard_coded_runs_fail_the_hidden_check(graded):
    visible = {(n, step.label, seed): make_q_learning()(rl.make_frozen_lake(), n, step, seed=seed)
               for n, step, _, _, seed, _ in ps04.LEARNER_CASES_VISIBLE}

    def replay(env, n, alpha_at, gamma=0.99, epsilon=0.1, seed=0):
        return visible.get((n, alpha_at.label, seed))

    ps04.check_q_learning_seeded(replay)
    with pytest.raises(CheckFailed):
        ps04.check_q_learning_seeded(replay, hidden=True)


# --- the synchronous learner -------------------------------------------------------------------

def test_synchronous_passes(capsys, graded):
    for function in (make_synchronous(), make_synchronous(torch_backend=True)):
        ps04.check_synchronous_q_learning(function)
        ps04.check_synchronous_q_learning(function, hidden=True)
    assert capsys.readouterr().out.count("✓") == 4


test_synchronous_mistakes_are_named = mistakes_named_by(ps04.check_synchronous_q_learning, [
    ({"offset": 1}, "one sweep late"),
    ({"offset": -1}, "first sweep uses alpha_at\\(1\\)"),
    ({"discount": False}, "γ is missing"),
    ({"axis": 1}, "wrong axis"),
    ({"keep_initial": True}, "initial zeros"),
    ({"final_only": True}, "one table"),
], student=lambda kwargs: make_synchronous(**kwargs))


# --- the figure ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs():
    """label → Q after every sweep, computed here with the test's own learner."""
    model = rl.frozen_lake_model()
    schedules = {f"α = {a}": constant_step_size(a) for a in ps04.CONSTANT_ALPHAS}
    schedules.update({("1/n" if w == 1 else f"1/n^{w}"): polynomial_step_size(w)
                      for w in ps04.OMEGAS})
    learner = make_synchronous()
    return {label: learner(model, step, ps04.N_SWEEPS, 0.99, ps04.SWEEP_SEED)
            for label, step in schedules.items()}


def alpha_figure(runs, q_star=None, measure=None, labels=None, skip=(), extra=False, log=True,
                 every_sweep=False):
    model = rl.frozen_lake_model()
    q_star = rl.value_iteration(model, 0.99) if q_star is None else q_star
    measure = measure or (lambda history: np.abs(history - q_star).max(axis=(1, 2)))
    fig, (left, right) = plt.subplots(1, 2)
    marks = ps04.CHECKPOINTS
    for label, history in runs.items():
        if label in skip:
            continue
        shown = (labels or {}).get(label, label)
        x = np.arange(1, ps04.N_SWEEPS + 1) if every_sweep else marks
        errors = measure(history if every_sweep else history[marks - 1])
        left.plot(x, errors, label=shown)
        right.plot(marks, [rl.success_probability(model, q.argmax(axis=1))
                           for q in history[marks - 1]], label=shown)
    if extra:
        left.plot(marks, np.ones(marks.size), label="α = 0.2")
    right.axhline(0.74, ls=":")
    left.set(xscale="log", yscale="log" if log else "linear", xlabel="sweep",
             ylabel="‖Q − Q*‖∞", title="error")
    right.set(xscale="log", xlabel="sweep", ylabel="success probability", title="policy")
    left.legend()
    right.legend()
    return fig


def test_figure_passes(runs, capsys):
    for fig in (alpha_figure(runs), alpha_figure(runs, every_sweep=True),
                alpha_figure(runs, labels={"α = 0.5": "alpha=0.5", "1/n^0.6": "ω = 0.6",
                                           "1/n^0.8": "n**-0.8", "1/n": "α_n = 1/n"})):
        ps04.check_alpha_figure_layout(fig)
        ps04.check_alpha_figure_errors(fig)
        ps04.check_alpha_figure_success(fig)
    assert capsys.readouterr().out.count("✓") == 9
    plt.close("all")


def test_figure_mistakes_are_named(runs):
    q_star = rl.value_iteration(rl.frozen_lake_model(), 0.99)
    with pytest.raises(CheckFailed, match="log scale"):
        ps04.check_alpha_figure_layout(alpha_figure(runs, log=False))
    with pytest.raises(CheckFailed, match="mean of \\|Q − Q\\*\\|"):
        ps04.check_alpha_figure_errors(alpha_figure(
            runs, measure=lambda h: np.abs(h - q_star).mean(axis=(1, 2))))
    gamma_one = rl.value_iteration(rl.frozen_lake_model(), 1.0)
    with pytest.raises(CheckFailed, match="γ = 1 solution"):
        ps04.check_alpha_figure_errors(alpha_figure(runs, q_star=gamma_one))
    with pytest.raises(CheckFailed, match="no line shows the run of 1/n\\^0.8"):
        ps04.check_alpha_figure_errors(alpha_figure(runs, skip=("1/n^0.8",)))
    with pytest.raises(CheckFailed, match="not among the schedules"):
        ps04.check_alpha_figure_errors(alpha_figure(runs, extra=True))
    with pytest.raises(CheckFailed, match="labelled"):
        ps04.check_alpha_figure_errors(alpha_figure(runs, labels={"1/n^0.6": "best"}))
    with pytest.raises(CheckFailed, match="should have 2"):
        ps04.check_alpha_figure_layout(plt.subplots()[0])
    plt.close("all")


def test_figure_of_a_learner_one_sweep_late_is_diagnosed(runs):
    late = make_synchronous(offset=1)(rl.frozen_lake_model(), polynomial_step_size(0.6),
                                      ps04.N_SWEEPS, 0.99, 0)
    with pytest.raises(CheckFailed, match="the line of 1/n\\^0.6 is wrong.*one sweep late"):
        ps04.check_alpha_figure_errors(alpha_figure({**runs, "1/n^0.6": late}))
    plt.close("all")


# --- the discount: sweeps of the noise-free learner ----------------------------------------------

def make_sweeps_to_reach(answer="sweep", before_update=False, relative=True, error=np.max,
                         discount=True, never=None, backend="numpy"):
    def sweeps_to_reach(model, alpha_at, gamma, q_star, tolerance=0.1, max_sweeps=10_000):
        factor = gamma if discount else 1.0
        if backend == "torch":  # float32, the blend form, a Python loop over the next states
            T = torch.tensor(model.transition, dtype=torch.float32)
            R = torch.tensor(model.reward, dtype=torch.float32)
            alive = torch.tensor(~model.terminal, dtype=torch.float32)
            target_q = torch.tensor(q_star, dtype=torch.float32)
            Q = torch.zeros(model.n_states, model.n_actions)
            goal = tolerance * float(target_q.abs().max())
            for k in range(1, max_sweeps + 1):
                target = (T * (R + factor * alive * Q.max(dim=1).values)).sum(dim=-1)
                Q = (1 - alpha_at(k)) * Q + alpha_at(k) * target
                if float((Q - target_q).abs().max()) <= goal:
                    return k
            return never
        goal = tolerance * (np.abs(q_star).max() if relative else 1.0)
        Q = np.zeros((model.n_states, model.n_actions))
        for k in range(1, max_sweeps + 1):
            if before_update and error(np.abs(Q - q_star)) <= goal:
                return k
            V = Q.max(axis=1)
            target = np.einsum("ijk,ijk->ij", model.transition,
                               model.reward + factor * np.where(model.terminal, 0.0, V))
            Q = Q + alpha_at(k) * (target - Q)
            if not before_update and error(np.abs(Q - q_star)) <= goal:
                return k - 1 if answer == "index" else np.int64(k)
        return never
    return sweeps_to_reach


def test_sweeps_to_reach_passes(capsys, graded):
    for function in (make_sweeps_to_reach(), make_sweeps_to_reach(backend="torch")):
        ps04.check_sweeps_to_reach(function)
        ps04.check_sweeps_to_reach(function, hidden=True)
    assert capsys.readouterr().out.count("✓") == 4


test_sweeps_to_reach_mistakes_are_named = mistakes_named_by(ps04.check_sweeps_to_reach, [
    ({"answer": "index"}, "one less than the sweep"),
    ({"before_update": True}, "one sweep late"),
    ({"relative": False}, "tolerance is relative"),
    ({"error": np.mean}, "mean of \\|Q − Q\\*\\|"),
    ({"discount": False}, "γ is missing"),
    ({"never": 300}, "return None when no sweep"),
    ({"never": -1}, "return None when no sweep"),
], student=lambda kwargs: make_sweeps_to_reach(**kwargs))


def test_sweeps_to_reach_answers_that_are_no_sweep_number():
    with pytest.raises(CheckFailed, match="number of a sweep"):
        ps04.check_sweeps_to_reach(lambda *args, **kwargs: 3.5)
    with pytest.raises(CheckFailed, match="number of a sweep"):
        ps04.check_sweeps_to_reach(lambda *args, **kwargs: "134")


def test_the_visible_sweep_counts_do_not_hang_on_the_last_digit():
    """Each visible case's error is well away from the goal at every sweep that decides the
    answer, so float32 and float64 students count the same sweep."""
    for step, gamma, tolerance, max_sweeps, desc in ps04.REACH_CASES_VISIBLE:
        model = rl.frozen_lake_model(desc)
        q_star = rl.value_iteration(model, gamma)
        goal = tolerance * np.abs(q_star).max()
        errors = rl.sup_norm_error(rl.expected_q_learning(model, step, max_sweeps, gamma), q_star)
        reached = np.flatnonzero(errors <= goal)
        decided = errors if not reached.size else errors[:reached[0] + 1]
        assert np.all(np.abs(decided - goal) > 1e-4 * goal)


def test_the_visible_sweep_counts_include_the_edges_the_task_names():
    answers = [rl.sweeps_to_reach(rl.frozen_lake_model(d), step, g, rl.value_iteration(
        rl.frozen_lake_model(d), g), tol, most) for step, g, tol, most, d in
        ps04.REACH_CASES_VISIBLE]
    assert 1 in answers and None in answers


# --- the drifting lake ---------------------------------------------------------------------------

def make_drifting(restart_count=False, restart_q=False, restart_rng=False, early=False,
                  discount=True, one_lake=False, final_only=False, keep_initial=False,
                  torch_backend=False):
    def drifting_q_learning(lakes, alpha_at, sweeps_per_lake, gamma=0.99, seed=0):
        rng = np.random.default_rng(seed)
        Q = np.zeros((lakes[0].n_states, lakes[0].n_actions))
        history = [Q] if keep_initial else []
        k = 0
        for index, lake in enumerate(lakes[:1] if one_lake else lakes):
            if index and restart_q:
                Q = np.zeros_like(Q)
            if index and restart_rng:
                rng = np.random.default_rng(seed)
            for j in range(1, sweeps_per_lake + 1):
                k += 1
                now = lakes[min(k // sweeps_per_lake, len(lakes) - 1)] if early else lake
                alpha = alpha_at(j if restart_count else k)
                Q = sweep(Q, now, rng, alpha, gamma, discount, torch_backend=torch_backend)
                history.append(Q)
        return returned(Q, history, final_only, torch_backend)
    return drifting_q_learning


def test_drifting_q_learning_passes(capsys, graded):
    for function in (make_drifting(), make_drifting(torch_backend=True)):
        ps04.check_drifting_q_learning(function)
        ps04.check_drifting_q_learning(function, hidden=True)
    assert capsys.readouterr().out.count("✓") == 4


def test_the_drift_of_one_lake_is_the_synchronous_learner():
    lake = rl.frozen_lake_model()
    np.testing.assert_array_equal(
        make_drifting()([lake], polynomial_step_size(0.7), 40, 0.9, 3),
        make_synchronous()(lake, polynomial_step_size(0.7), 40, 0.9, 3))


test_drifting_q_learning_mistakes_are_named = mistakes_named_by(ps04.check_drifting_q_learning, [
    ({"restart_count": True, "restart_q": True, "restart_rng": True}, "run of its own"),
    ({"restart_count": True}, "α starts again at alpha_at\\(1\\)"),
    ({"restart_q": True}, "Q starts again at 0"),
    ({"restart_rng": True}, "random generator is made again"),
    ({"early": True}, "one sweep early"),
    ({"discount": False}, "γ is missing"),
    ({"one_lake": True}, "one lake only"),
    ({"final_only": True}, "one table"),
    ({"keep_initial": True}, "initial zeros"),
], student=lambda kwargs: make_drifting(**kwargs))


# --- Monte Carlo evaluation ---------------------------------------------------------------------

def test_success_rate_passes(capsys, graded):
    ps04.check_success_rate(make_success_rate())
    ps04.check_success_rate(make_success_rate(), hidden=True)
    assert capsys.readouterr().out.count("✓") == 2


test_success_rate_mistakes_are_named = mistakes_named_by(ps04.check_success_rate, [
    (make_success_rate(reseed=True), "same episode"),
    (make_success_rate(scale="count"), "number of successes"),
    (make_success_rate(scale="%"), "percentage"),
    (lambda env, policy, n, seed=0: make_success_rate()(env, policy, n, seed + 1),
     "seeded episodes give"),
])


def test_settings_match_the_notebook():
    import nbformat
    from conftest import REPO

    nb = nbformat.read(REPO / "source" / "ps04_q_learning" / "ps04_q_learning.ipynb", 4)
    (settings,) = [c for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("grade_id") == "experiment_settings"]
    namespace = {"np": np}
    exec(settings.source, namespace)
    assert namespace["CONSTANT_ALPHAS"] == ps04.CONSTANT_ALPHAS
    assert namespace["OMEGAS"] == ps04.OMEGAS
    assert namespace["N_SWEEPS"] == ps04.N_SWEEPS and namespace["SWEEP_SEED"] == ps04.SWEEP_SEED
    np.testing.assert_array_equal(namespace["CHECKPOINTS"], ps04.CHECKPOINTS)
    for grade_id, names in (("discount_settings", ("GAMMAS", "TOLERANCE", "MAX_SWEEPS")),
                            ("drift_settings", ("DRIFT_GAMMA", "ROUGH_ICE", "SWEEPS_PER_LAKE",
                                                "DRIFT_SEED"))):
        (cell,) = [c for c in nb.cells
                   if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
        namespace = {}
        exec(cell.source, namespace)
        assert {name: namespace[name] for name in names} == {
            name: getattr(ps04, name) for name in names}


# --- hidden cases: pools, draws and what a failure may say --------------------------------------

HIDDEN_NAMES = ("HIDDEN_MAP", "LEARNER_CASES_HIDDEN", "SYNC_CASES_HIDDEN", "SUCCESS_CASES_HIDDEN",
                "_update_cases_hidden")


def test_the_student_runtime_holds_no_hidden_case():
    """The checks ship to students: no hidden constant, and no lake map at all."""
    assert not [name for name in HIDDEN_NAMES if hasattr(ps04, name)]
    source = "".join(path.read_text(encoding="utf-8")
                     for path in sorted((REPO / "lrchecks" / "ps04").glob("*.py")))
    assert "check_success_rate" in source
    assert not re.findall(r"[\"'][SFHG]{4,}[\"']", source)


def test_the_released_pools_are_what_the_specifications_build(pools):
    stored = read_pools(pools_path(REPO, ASSIGNMENT))
    assert {name: pool.to_json() for name, pool in stored.items()} == {
        name: pool.to_json() for name, pool in pools.items()}
    assert set(pools) == {"ps04.value_iteration", "ps04.q_learning_update", "ps04.step_sizes",
                          "ps04.q_learning", "ps04.synchronous_q_learning", "ps04.success_rate",
                          "ps04.sweeps_to_reach", "ps04.drifting_q_learning"}
    for pool in pools.values():
        assert pool.always or pool.draw
        assert len(pool.candidates) >= pool.draw


def test_students_draw_different_cases_and_the_same_ones_again(pools):
    drawn = [cases_of(pools, student) for student in STUDENTS]
    assert drawn[0] == cases_of(pools, STUDENTS[0])
    assert drawn[0]["ps04.q_learning_update"] != drawn[1]["ps04.q_learning_update"]


MISTAKES = {
    "value_iteration": [
        lambda P, gamma: value_iteration(P, gamma, discount=False),
        lambda P, gamma: value_iteration(P, gamma, combine=np.mean),
        lambda P, gamma: value_iteration(P, gamma, skip_terminal=True),
        lambda P, gamma: value_iteration(P, gamma, tol=10.0),
    ],
    "q_learning_update": [_update(rule) for rule in (
        lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else np.max(Q[s2])) - Q[s, a]),
        lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + g * np.max(Q[s2]) - Q[s, a]),
        lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * Q[s2, a]) - Q[s, a]),
        lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * np.max(Q[s2]))),
        lambda Q, s, a, r, s2, t, al, g: al * (r + (0 if t else g * np.max(Q[s2]))),
        lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + (0 if t else g * np.max(Q[s]))
                                                          - Q[s, a]),
    )] + [update_on_a_copy],
    "step_sizes": [
        (constant_step_size, lambda omega: (lambda n: 1 / (n + 1) ** omega)),
        (constant_step_size, lambda omega: (lambda n: omega / n)),
        (constant_step_size, lambda omega: (lambda n: 1 / (n * omega))),
        (constant_step_size, lambda omega: (lambda n: 1 / n)),
        (constant_step_size, lambda omega: (lambda n: n ** -0.6)),  # the visible ω
        (lambda alpha: (lambda n: alpha / n), polynomial_step_size),
        (lambda alpha: (lambda n: 0.1), polynomial_step_size),  # the visible α
    ],
    "q_learning": [make_q_learning(**kwargs) for kwargs in (
        {"alpha_count": "episode"}, {"alpha_count": "plus_one"}, {"sarsa": True},
        {"reseed": True}, {"stop_on_truncation": True}, {"discount": False},
        {"update": update_on_a_copy})],
    "synchronous_q_learning": [make_synchronous(**kwargs) for kwargs in (
        {"offset": 1}, {"discount": False}, {"axis": 1})],
    "success_rate": [make_success_rate(reseed=True), make_success_rate(scale="count"),
                     make_success_rate(scale="%")],
    "sweeps_to_reach": [make_sweeps_to_reach(**kwargs) for kwargs in (
        {"answer": "index"}, {"before_update": True}, {"relative": False}, {"error": np.mean},
        {"discount": False}, {"never": 0})],
    "drifting_q_learning": [make_drifting(**kwargs) for kwargs in (
        {"restart_count": True, "restart_q": True, "restart_rng": True}, {"restart_count": True},
        {"restart_q": True}, {"restart_rng": True}, {"early": True}, {"discount": False})],
}
"""Students' code with each modelled mistake, for each hidden check."""


def _run_hidden(check, student):
    """Run a hidden check on a student's function(s)."""
    if check == "value_iteration":
        ps04.check_value_iteration_unseen(student)
    elif check == "step_sizes":
        ps04.check_step_sizes(*student, hidden=True)
    else:
        getattr(ps04, f"check_{check}" if check != "q_learning" else "check_q_learning_seeded")(
            student, hidden=True)


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize(("check", "index"), [(check, index) for check, functions in
                                              MISTAKES.items() for index in range(len(functions))])
def test_each_modelled_mistake_fails_a_drawn_case_of_every_student(pools, student, check, index):
    with drawn_cases(cases_of(pools, student)), pytest.raises(CheckFailed,
                                                               match="^A hidden case fails"):
        _run_hidden(check, MISTAKES[check][index])


class LeakyResult:
    """What an attacker returns to see what the grader prints of it."""

    def __repr__(self):
        return "LEAKED-REPR"


def _raises_leaky_text(*args, **kwargs):
    raise ValueError("LEAKED-TEXT 0.4321")


WRONG = {
    "value_iteration": [
        lambda P, gamma: value_iteration(P, gamma) + 0.01,  # no modelled mistake
        lambda P, gamma: value_iteration(P, gamma, tol=1e-4),  # not converged
        lambda P, gamma: value_iteration(P, gamma).max(axis=1),
        _raises_leaky_text,
    ],
    "q_learning_update": [
        _update(lambda Q, s, a, r, s2, t, al, g: Q[s, a] - al * (r - Q[s, a])),
        _raises_leaky_text,
    ],
    "step_sizes": [
        (constant_step_size, lambda omega: (lambda n: 0.5 / n ** omega)),
        (lambda alpha: (lambda n: alpha * 1.01), polynomial_step_size),
        (constant_step_size, lambda omega: LeakyResult()),
        (constant_step_size, lambda omega: _raises_leaky_text),
    ],
    "q_learning": [
        lambda env, n, alpha_at, gamma=0.99, epsilon=0.1, seed=0: make_q_learning()(
            env, n, alpha_at, gamma, epsilon, seed + 1),
        lambda env, n, alpha_at, gamma=0.99, epsilon=0.1, seed=0: LeakyResult(),
        lambda env, n, alpha_at, gamma=0.99, epsilon=0.1, seed=0: (lambda q, c: (q * 1.01, c))(
            *make_q_learning()(env, n, alpha_at, gamma, epsilon, seed)),
    ],
    "synchronous_q_learning": [
        lambda model, alpha_at, n, gamma=0.99, seed=0: make_synchronous()(
            model, alpha_at, n, gamma, seed + 1),
        lambda model, alpha_at, n, gamma=0.99, seed=0: make_synchronous(keep_initial=True)(
            model, alpha_at, n, gamma, seed),
    ],
    "success_rate": [
        lambda env, policy, n, seed=0: make_success_rate()(env, policy, n, seed + 1),
        lambda env, policy, n, seed=0: LeakyResult(),
        _raises_leaky_text,
    ],
    "sweeps_to_reach": [
        lambda *args, **kwargs: 7,  # a number no mistake explains (or one for a case never met)
        lambda *args, **kwargs: LeakyResult(),
        _raises_leaky_text,
    ],
    "drifting_q_learning": [
        lambda lakes, alpha_at, n, gamma=0.99, seed=0: make_drifting()(
            lakes, alpha_at, n, gamma, seed + 1),
        lambda lakes, alpha_at, n, gamma=0.99, seed=0: LeakyResult(),
        _raises_leaky_text,
    ],
}
"""Wrong answers of every sort: numbers no mistake explains, wrong shapes, a student's
exception and a student's object — each in a message a student may read."""
VALUE_FREE_NUMBERS = {"0", "1", "2", "100", "1e-10"}
"""The numbers the checks' own advice uses (n = 1, 2, …; the 100-step limit; tol = 1e-10)."""


@pytest.mark.parametrize("student", STUDENTS[:2])
@pytest.mark.parametrize(("check", "index"), [(check, index) for check, functions in
                                              WRONG.items() for index in range(len(functions))])
def test_a_hidden_failure_names_the_kind_of_case_and_the_mistake_only(pools, student, check,
                                                                       index):
    cases = cases_of(pools, student)
    with drawn_cases(cases), pytest.raises(CheckFailed) as failure:
        _run_hidden(check, WRONG[check][index])
    message = str(failure.value)
    kinds = [case["kind"] for pool in cases.values() for case in pool]
    kind = next(kind for kind in kinds if message.startswith(f"A hidden case fails ({kind}): "))
    said = message.removeprefix(f"A hidden case fails ({kind}): ")
    assert "LEAKED" not in message and "0.4321" not in message
    assert set(re.findall(r"\d+(?:\.\d+)?(?:e-?\d+)?", said)) <= VALUE_FREE_NUMBERS, said


def _values_of(params):
    """The numbers of a case's params."""
    if isinstance(params, dict):
        return [value for item in params.values() for value in _values_of(item)]
    if isinstance(params, list):
        return [value for item in params for value in _values_of(item)]
    return [params] if isinstance(params, int | float) and not isinstance(params, bool) else []


def test_the_kinds_of_case_do_not_give_away_their_values(pools):
    for pool in pools.values():
        for case in [*pool.always, *pool.candidates]:
            kind = case["kind"]
            shown = {f"{value:g}" for value in _values_of(case["params"]) if value not in (0, 1)}
            assert not [text for text in shown if re.search(rf"(?<![\d.]){re.escape(text)}"
                                                            rf"(?![\d.])", kind)], kind


# --- no check trusts course code run on a student's objects -------------------------------------

def test_no_check_calls_course_code_through_the_student_call_path(monkeypatch, graded):
    """The judge replays what the kernel recorded of every student call; a call of lrcore's own
    code is judged as data only if its arguments are data. No ps04 check makes such a call:
    everything it calls on the student's behalf is the student's code."""
    called = []
    call_student = lakes.call_student

    def spy(function, name, *args, **kwargs):
        called.append((function, name))
        return call_student(function, name, *args, **kwargs)

    monkeypatch.setattr(lakes, "call_student", spy)
    ps04.check_value_iteration_published(value_iteration)
    ps04.check_value_iteration_unseen(value_iteration)
    for hidden in (False, True):
        ps04.check_q_learning_update(q_learning_update, hidden=hidden)
        ps04.check_step_sizes(constant_step_size, polynomial_step_size, hidden=hidden)
        ps04.check_q_learning_seeded(make_q_learning(), hidden=hidden)
        ps04.check_synchronous_q_learning(make_synchronous(), hidden=hidden)
        ps04.check_success_rate(make_success_rate(), hidden=hidden)
        ps04.check_sweeps_to_reach(make_sweeps_to_reach(), hidden=hidden)
        ps04.check_drifting_q_learning(make_drifting(), hidden=hidden)
    assert called and not [name for function, name in called if evidence._is_reference(function)]


def _importing_lrcore(alpha):
    """An attacker's factory: lrcore's own schedule, fetched where require_own_function does not
    look."""
    import importlib

    return importlib.import_module("lrcore" + ".rl").constant_step_size(alpha)


def test_lrcores_own_step_size_is_no_answer_in_the_kernel_or_in_the_judge(monkeypatch):
    with pytest.raises(CheckFailed, match="reference implementation"):
        ps04.check_step_sizes(_importing_lrcore, polynomial_step_size)
    records = []
    monkeypatch.setenv(evidence.ENVIRONMENT_SWITCH, "1")
    monkeypatch.setattr(evidence, "_publish", records.append)
    ps04.check_step_sizes(_importing_lrcore, polynomial_step_size)  # grading: asks, decides not
    (record,) = records
    assert record["asked"] and not record["failed"]
    with pytest.raises(CheckFailed, match="reference implementation"):
        evidence.replay_check(ps04.check_step_sizes, record, {})


# --- grading mode: the kernel asks, the judge decides ------------------------------------------

def _every_check(fig_alpha):
    """(check, its arguments, its keywords) of every judged check of ps04 on the solution, in
    the order of the notebook, visible and hidden."""
    learners = {ps04.check_q_learning_update: q_learning_update,
                ps04.check_q_learning_seeded: make_q_learning(),
                ps04.check_synchronous_q_learning: make_synchronous(),
                ps04.check_success_rate: make_success_rate(),
                ps04.check_sweeps_to_reach: make_sweeps_to_reach(),
                ps04.check_drifting_q_learning: make_drifting()}
    return [(ps04.check_value_iteration_published, (value_iteration,), {}),
            (ps04.check_value_iteration_unseen, (value_iteration,), {}),
            *((ps04.check_step_sizes, (constant_step_size, polynomial_step_size),
               {"hidden": hidden}) for hidden in (False, True)),
            *((check, (function,), {"hidden": hidden}) for check, function in learners.items()
              for hidden in (False, True)),
            *((check, (fig_alpha,), {}) for check in (ps04.check_alpha_figure_layout,
                                                      ps04.check_alpha_figure_errors,
                                                      ps04.check_alpha_figure_success))]


def test_a_grading_kernel_only_asks_and_the_judge_confirms_every_check(pools, runs, recorded,
                                                                      monkeypatch, capsys):
    """Every judged check of ps04, on the solution in a grading kernel: it stops once it has
    asked the student's code (`asked` in its record), prints nothing — no reference computed,
    no verdict — and the judge, replaying the record with its own drawn cases, confirms it."""
    cases = cases_of(pools, STUDENTS[0])
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    checks = _every_check(alpha_figure(runs))
    for check, args, kwargs in checks:
        assert check(*args, **kwargs) is None
    assert capsys.readouterr().out == ""
    assert len(recorded) == len(checks)
    assert all(record["asked"] and not record["failed"] for record in recorded)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, "{}")  # the judge does not read the kernel's
    with drawn_cases(cases):
        for record, (check, _, kwargs) in zip(recorded, checks, strict=True):
            (said,) = evidence.replay_check(check, record, kwargs)
            assert said.startswith("✓")
    plt.close("all")


def _order_of_answers(omega):
    """α_n right at n = 1, wrong at n = 2, raising at n = 3: the wrong value comes first."""
    def alpha_at(n):
        if n >= 3:
            raise ZeroDivisionError("division by zero")
        return 1.0 if n == 1 else 0.3
    return alpha_at


def _raising_after_a_wrong_case(Q, state, action, reward, next_state, terminated, alpha, gamma):
    """Right on the first visible transition but for its sign, raising on the next ones."""
    if terminated:
        raise ValueError("no terminal transitions here")
    Q[state, action] -= alpha * (reward + gamma * np.max(Q[next_state]) - Q[state, action])


def _wrong_answers(runs):
    """(check, arguments, keywords) of wrong answers: the sample class's mistakes and the order
    of a later failure after an earlier wrong answer."""
    gamma_one = rl.value_iteration(rl.frozen_lake_model(), 1.0)
    return [
        (ps04.check_value_iteration_published,
         (lambda P, gamma: value_iteration(P, gamma, discount=False),), {}),
        (ps04.check_value_iteration_unseen,
         (lambda P, gamma: value_iteration(P, gamma, discount=False),), {}),
        (ps04.check_q_learning_update, (_update(
            lambda Q, s, a, r, s2, t, al, g: Q[s, a] + al * (r + g * np.max(Q[s2]) - Q[s, a])),),
         {}),
        (ps04.check_q_learning_update, (update_on_a_copy,), {"hidden": True}),
        (ps04.check_q_learning_update, (_raising_after_a_wrong_case,), {}),
        (ps04.check_step_sizes, (constant_step_size, _order_of_answers), {}),
        (ps04.check_step_sizes, (constant_step_size, lambda omega: 1.0), {}),
        (ps04.check_q_learning_seeded, (make_q_learning(alpha_count="episode"),), {}),
        (ps04.check_synchronous_q_learning, (make_synchronous(keep_initial=True),), {}),
        (ps04.check_success_rate, (make_success_rate(scale="%"),), {}),
        (ps04.check_sweeps_to_reach, (make_sweeps_to_reach(before_update=True),), {}),
        (ps04.check_drifting_q_learning, (make_drifting(restart_q=True),), {"hidden": True}),
        (ps04.check_alpha_figure_errors, (alpha_figure(runs, q_star=gamma_one),), {}),
        (ps04.check_alpha_figure_layout, (alpha_figure(runs, log=False),), {}),
    ]


def test_the_judge_fails_a_wrong_answer_with_the_message_validate_gives(pools, runs,
                                                                        monkeypatch):
    """A wrong answer in a grading kernel: the kernel asks, raises nothing and leaves the
    verdict to the judge, whose message is the one Validate (no switch) gives — also when a
    later case fails after an earlier wrong one."""
    cases = cases_of(pools, STUDENTS[0])
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    records = []
    monkeypatch.setattr(evidence, "_publish", records.append)
    for check, args, kwargs in _wrong_answers(runs):
        monkeypatch.delenv(evidence.ENVIRONMENT_SWITCH, raising=False)
        with pytest.raises(CheckFailed) as validate:
            check(*args, **kwargs)
        monkeypatch.setenv(evidence.ENVIRONMENT_SWITCH, "1")
        assert check(*args, **kwargs) is None
        record = records.pop()
        assert record["asked"] and not record["failed"] and not records
        with drawn_cases(cases), pytest.raises(evidence.Replayed) as judge:
            evidence.replay_check(check, record, kwargs)
        assert judge.value.decided_outside
        assert (judge.value.message, judge.value.diagnosis) == (validate.value.message,
                                                                validate.value.diagnosis)
    plt.close("all")


def test_a_later_failure_never_comes_before_an_earlier_wrong_answer(monkeypatch):
    """α_n wrong at n = 2 and raising at n = 3; an update wrong on the first transition and
    raising on the next: the wrong value is what both Validate and the judge report."""
    with pytest.raises(CheckFailed, match="polynomial_step_size\\(1\\)\\(2\\) is 0.3"):
        ps04.check_step_sizes(constant_step_size, _order_of_answers)
    with pytest.raises(CheckFailed, match="^q_learning_update\\(Q, state=14, action=1"):
        ps04.check_q_learning_update(_raising_after_a_wrong_case)
