'''Sample students of ps04: the solution, a blank notebook, eight realistic mistakes, and a
correct solution written differently. This module writes their code; ps04.toml lists the class.
The end-to-end tests grade them through real nbgrader and check that each loses exactly the
points of `failing_tests`, with feedback that names the mistake.'''

from __future__ import annotations

import textwrap
from pathlib import Path

from autograder.samples.table import load_samples

WRITTEN_ANSWER = """A constant α, around 0.05. Every schedule that goes to zero
(1/n, 1/n^ω) eventually stops listening: after thousands of visits a new target only moves Q by
1/n of the way, so when the ice changes the agent keeps acting on the old lake. A constant α
averages over roughly the last 1/α targets and follows the drift. The cost is the noise floor in
my fig_alpha: α = 0.1 never got below about 0.13 while 1/n^0.6 reached 0.025, so on a lake that
never changes I would use 1/n^0.6 instead."""
WRITTEN = {"written_deploy_alpha": WRITTEN_ANSWER}
"""The written answer cell, as the solution and the different solution fill it in."""

_Q_LEARNING = """
def q_learning(env, n_episodes, alpha_at, gamma=0.99, epsilon=0.1, seed=0):
    Q = np.zeros((env.observation_space.n, env.action_space.n))
    counts = np.zeros(Q.shape, dtype=int)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    for episode in range(n_episodes):
{episode_start}        state, _ = env.reset(seed=seed) if episode == 0 else env.reset()
        done = False
        while not done:
            action = epsilon_greedy(Q, state, epsilon, rng, env)
            next_state, reward, terminated, truncated, _ = env.step(action)
{after_the_step}
    return Q, counts
"""


def _q_learning(after_the_step: str, episode_start: str = "") -> str:
    """A q_learning cell that differs from the solution only in what it does with a step's
    outcome (`after_the_step`, the inner loop's lines after env.step) and, optionally, in a
    line at the start of each episode (`episode_start`), both written without indentation."""
    return _Q_LEARNING.format(episode_start=textwrap.indent(episode_start, " " * 8),
                              after_the_step=textwrap.indent(after_the_step, " " * 12).rstrip())


_UPDATE_WITH_ALPHA = """\
counts[state, action] += 1
q_learning_update(Q, state, action, reward, next_state, terminated, alpha, gamma)
state = next_state
done = terminated or truncated
"""
"""The end of a step that updates with an `alpha` computed before it."""

ALPHA_PER_EPISODE = _q_learning(_UPDATE_WITH_ALPHA, episode_start="""\
alpha = alpha_at(episode + 1)  # decays as the agent gains experience
""")

BOOTSTRAP_AT_TERMINAL = '''
def q_learning_update(Q, state, action, reward, next_state, terminated, alpha, gamma):
    td_error = reward + gamma * np.max(Q[next_state]) - Q[state, action]
    Q[state, action] += alpha * td_error
'''

GAMMA_MISSING_IN_VALUE_ITERATION = '''
def value_iteration(P, gamma, tol=1e-10):
    n_states, n_actions = len(P), len(P[0])
    V = np.zeros(n_states)
    while True:
        Q = np.zeros((n_states, n_actions))
        for s in range(n_states):
            for a in range(n_actions):
                for probability, next_state, reward, terminated in P[s][a]:
                    future = 0.0 if terminated else V[next_state]
                    Q[s, a] += probability * (reward + future)
        new_V = Q.max(axis=1)
        if np.max(np.abs(new_V - V)) < tol:
            return Q
        V = new_V
'''

COUNT_AFTER_ALPHA = _q_learning("alpha = alpha_at(counts[state, action])\n" + _UPDATE_WITH_ALPHA)

UPDATE_ON_A_COPY = '''
def q_learning_update(Q, state, action, reward, next_state, terminated, alpha, gamma):
    new_Q = Q.copy()  # "so that the caller's table is safe"
    target = reward if terminated else reward + gamma * np.max(Q[next_state])
    new_Q[state, action] += alpha * (target - Q[state, action])
    return new_Q
'''

TRUNCATED_AS_TERMINAL = _q_learning("""\
done = terminated or truncated
counts[state, action] += 1
q_learning_update(Q, state, action, reward, next_state, done,
                  alpha_at(counts[state, action]), gamma)
state = next_state
""")

DRIFT_AS_SEPARATE_RUNS = '''
def drifting_q_learning(lakes, alpha_at, sweeps_per_lake, gamma=0.99, seed=0):
    # one synchronous run per lake, reusing Task 6.1
    return np.concatenate([synchronous_q_learning(lake, alpha_at, sweeps_per_lake, gamma, seed)
                           for lake in lakes])
'''

SWEEP_INDEX_NOT_NUMBER = '''
def sweeps_to_reach(model, alpha_at, gamma, q_star, tolerance=0.1, max_sweeps=10_000):
    alive = ~model.terminal
    Q = np.zeros((model.n_states, model.n_actions))
    for k in range(max_sweeps):
        target = (model.transition * (model.reward + gamma * alive * Q.max(axis=1))).sum(axis=2)
        Q = Q + alpha_at(k + 1) * (target - Q)
        if np.abs(Q - q_star).max() <= tolerance * np.abs(q_star).max():
            return k
    return None
'''

# A correct solution that shares no code with the instructor's: value iteration on arrays, a
# (1 − α)·Q + α·target update, lambdas, a dict of visit counts, torch for the synchronous
# learner, full-resolution error curves on a figure-level legend, and a comprehension for the
# Monte Carlo rate.
DIFFERENT_CELLS = {
    "value_iteration": '''
def value_iteration(P, gamma, tol=1e-10):
    S, A = len(P), len(P[0])
    T = np.zeros((S, A, S))
    target = np.zeros((S, A, S))
    alive = np.ones((S, A, S))
    for s in P:
        for a in P[s]:
            for p, s2, r, done in P[s][a]:
                T[s, a, s2] += p
                target[s, a, s2] = r
                alive[s, a, s2] = 0.0 if done else 1.0
    V = np.zeros(S)
    delta = np.inf
    while delta >= tol:
        Q = np.einsum("ijk,ijk->ij", T, target + gamma * alive * V)
        delta = np.abs(Q.max(axis=1) - V).max()
        V = Q.max(axis=1)
    return Q
''',
    "q_learning_update": '''
def q_learning_update(Q, state, action, reward, next_state, terminated, alpha, gamma):
    target = reward
    if not terminated:
        target += gamma * max(Q[next_state])
    Q[state][action] = (1 - alpha) * Q[state][action] + alpha * target
    return Q
''',
    "step_sizes": '''
constant_step_size = lambda alpha: (lambda n: alpha)
polynomial_step_size = lambda omega: (lambda n: float(n) ** (-omega))
''',
    "q_learning": '''
from collections import defaultdict

def q_learning(env, n_episodes, alpha_at, gamma=0.99, epsilon=0.1, seed=0):
    n_s, n_a = env.observation_space.n, env.action_space.n
    Q = np.zeros((n_s, n_a))
    visits = defaultdict(int)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    for episode in range(n_episodes):
        s = env.reset(seed=seed)[0] if episode == 0 else env.reset()[0]
        while True:
            a = epsilon_greedy(Q, s, epsilon, rng, env)
            s2, r, terminated, truncated, _ = env.step(a)
            visits[s, a] += 1
            Q = q_learning_update(Q, s, a, r, s2, terminated, alpha_at(visits[s, a]), gamma)
            if terminated or truncated:
                break
            s = s2
    return Q, [[visits[s, a] for a in range(n_a)] for s in range(n_s)]
''',
    "synchronous_q_learning": '''
import torch

def synchronous_q_learning(model, alpha_at, n_sweeps, gamma=0.99, seed=0):
    rng = np.random.default_rng(seed)
    Q = torch.zeros(model.n_states, model.n_actions, dtype=torch.float64)
    out = []
    for k in range(n_sweeps):
        sample = model.sample(rng)
        nxt = torch.as_tensor(sample.next_state)
        done = torch.as_tensor(sample.terminated)
        best = Q[nxt].amax(dim=-1)
        target = torch.as_tensor(sample.reward) + gamma * torch.where(done, 0.0, best)
        alpha = alpha_at(k + 1)
        Q = (1 - alpha) * Q + alpha * target
        out.append(Q)
    return torch.stack(out)
''',
    "alpha_figure": '''
runs = [("constant α=" + str(a), constant_step_size(a)) for a in CONSTANT_ALPHAS]
runs += [("α_n = 1/n", polynomial_step_size(1.0))]
runs += [(f"ω = {w}", polynomial_step_size(w)) for w in OMEGAS[1:]]
fig_alpha = plt.figure(figsize=(12, 4))
left = fig_alpha.add_subplot(1, 2, 1)
right = fig_alpha.add_subplot(1, 2, 2)
final_Q = {}
for name, schedule in runs:
    history = np.asarray(synchronous_q_learning(model, schedule, N_SWEEPS, GAMMA, SWEEP_SEED))
    gap = np.abs(history - Q_star).reshape(N_SWEEPS, -1).max(axis=1)
    left.loglog(np.arange(1, N_SWEEPS + 1), gap, label=name)
    wins = [success_probability(model, history[k - 1].argmax(axis=1)) for k in CHECKPOINTS]
    right.semilogx(CHECKPOINTS, wins, "o-", ms=3, label=name)
    final_Q[name.replace("ω = ", "1/n^").replace("α_n = ", "")] = history[-1]
left.set_xlabel("sweeps")
left.set_ylabel("max |Q - Q*| (sup-norm error)")
left.set_title("Error")
right.set_xlabel("sweeps")
right.set_ylabel("P(success)")
right.set_title("Greedy policy")
fig_alpha.legend(loc="upper center", ncol=6)
''',
    "sweeps_to_reach": '''
def sweeps_to_reach(model, alpha_at, gamma, q_star, tolerance=0.1, max_sweeps=10_000):
    import torch
    T = torch.tensor(model.transition, dtype=torch.float32)
    R = torch.tensor(model.reward, dtype=torch.float32)
    keep = torch.tensor(~model.terminal, dtype=torch.float32)
    best = torch.tensor(q_star, dtype=torch.float32)
    Q = torch.zeros(model.n_states, model.n_actions)
    k = 0
    while k < max_sweeps:
        k += 1
        target = torch.einsum("ijk,ijk->ij", T, R + gamma * keep * Q.max(dim=1).values)
        Q = (1 - alpha_at(k)) * Q + alpha_at(k) * target
        if (Q - best).abs().max() <= tolerance * best.abs().max():
            return k
''',
    "drifting_q_learning": '''
def drifting_q_learning(lakes, alpha_at, sweeps_per_lake, gamma=0.99, seed=0):
    rng = np.random.default_rng(seed)
    Q = np.zeros((lakes[0].n_states, lakes[0].n_actions))
    out = []
    k = 1
    for lake in lakes:
        for _ in range(sweeps_per_lake):
            s2, r, done = lake.sample(rng)
            target = r + gamma * np.where(done, 0.0, Q[s2].max(axis=-1))
            Q = (1 - alpha_at(k)) * Q + alpha_at(k) * target
            out.append(Q)
            k += 1
    return out
''',
    "success_rate": '''
def success_rate(env, policy, n_episodes, seed=0):
    def one_episode(first):
        s = env.reset(seed=seed)[0] if first else env.reset()[0]
        for _ in range(10_000):
            s, r, terminated, truncated, _ = env.step(policy[s])
            if terminated or truncated:
                return r > 0
    return float(np.mean([one_episode(i == 0) for i in range(n_episodes)]))
''',
}

SAMPLES = load_samples(Path(__file__).with_suffix(".toml"), globals())
"""The sample class, in the order and with the words of ps04.toml."""
