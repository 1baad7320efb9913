'''Sample students of ps01: the solution, a blank notebook, realistic mistakes, and a correct
solution written differently. This module writes their code; ps01.toml lists the class. The
end-to-end tests grade them through real nbgrader and check that each loses exactly the points
of `failing_tests`, with feedback that names the mistake.'''

from __future__ import annotations

from pathlib import Path

from autograder.samples.build import changed
from autograder.samples.table import load_samples

WRITTEN_ANSWER = """With a noisy gradient a constant learning rate cannot be fast and precise at
once: in my fig_noise lr = 0.1 stops at a loss near 0.03 after about 20 steps, lr = 0.01 goes ten
times lower but needs about 250 steps, and the decaying lr ends below both. It also cannot suit a
steep and a flat direction: in fig_valley lr = 1.05 makes x diverge while y at lr = 0.9 is still at
0.16 after 100 steps."""
WRITTEN = {"written_constant_lr_limits": WRITTEN_ANSWER}
"""The written answer cell, as the solution and the different solution fill it in."""

SIGN_FLIPPED_NUMPY = '''
def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    x = float(x0)
    history = np.empty(num_iterations)
    for step in range(num_iterations):
        x = x + lr * (2 * a * x)
        history[step] = x
    return history
'''

_OPTIMIZE = '''
def optimize(initial_lr, num_iterations, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    x_history, lr_history = [], []
    for _ in range(num_iterations):
        optimizer.zero_grad()
        loss = x ** 2
        loss.backward()
        lr_history.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        x_history.append(x.item())
    return x_history, lr_history
'''
"""A correct optimize, which the mistakes below change in one place."""

NO_ZERO_GRAD = changed(_OPTIMIZE, "        optimizer.zero_grad()\n", "")

HISTORY_BEFORE_STEP = changed(_OPTIMIZE, '''
        lr_history.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        x_history.append(x.item())
''', '''
        x_history.append(x.item())
        lr_history.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
''')

INTEGER_X0 = changed(_OPTIMIZE, "torch.tensor(float(x0),", "torch.tensor(x0,")

NO_LOG_SCALE = '''
fig_runs, (ax_x, ax_lr) = plt.subplots(1, 2, figsize=(11, 4))
steps = np.arange(1, RUN_ITERATIONS + 1)
for lr in RUN_LRS:
    xs, lrs = optimize(lr, RUN_ITERATIONS, RUN_X0)
    ax_x.plot(steps, np.abs(xs), label=f"lr = {lr}")
    ax_lr.plot(steps, lrs, label=f"lr = {lr}")
ax_x.set(xlabel="iteration", ylabel="|x|", title="Distance to the minimum")
ax_lr.set(xlabel="iteration", ylabel="learning rate", title="Learning rate")
ax_x.legend()
ax_lr.legend()

fig_parabola, ax = plt.subplots()
grid = np.linspace(-550, 550, 300)
xs = np.array([RUN_X0] + optimize(0.9, RUN_ITERATIONS, RUN_X0)[0])
ax.plot(grid, grid**2)
ax.plot(xs, xs**2, "o-")
ax.set(xlabel="x", ylabel="f(x)", title="lr = 0.9")
'''

LOSS_AFTER_STEP = '''
def train_linear_regression(X, y, lr, epochs=100):
    features = torch.as_tensor(X).reshape(-1, 1)
    targets = torch.as_tensor(y).reshape(-1, 1)
    model = torch.nn.Linear(1, 1)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(features), targets)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(torch.nn.functional.mse_loss(model(features), targets).item())
    return losses
'''

NOISE_OUTSIDE_LR = '''
def noisy_descent(lrs, x0, noise, a=1.0):
    x = x0
    history = []
    for lr, kick in zip(lrs, noise):
        x = x - lr * 2 * a * x - kick
        history.append(x)
    return np.array(history)
'''

CURVATURES_SWAPPED = '''
def descent_2d(lr, num_iterations, start, curvatures):
    a_x, a_y = curvatures
    x, y = float(start[0]), float(start[1])
    history = []
    for _ in range(num_iterations):
        x, y = x - lr * 2 * a_y * x, y - lr * 2 * a_x * y
        history.append((x, y))
    return np.array(history)
'''

NOISE_SQUARE_OF_MEAN = '''
fig_noise, ax = plt.subplots()
for lr in NOISY_LRS:
    xs = noisy_descent(np.full(NOISY_ITERATIONS, lr), NOISY_X0, noise)
    ax.plot(np.arange(1, NOISY_ITERATIONS + 1), np.mean(xs, axis=1) ** 2, label=f"lr = {lr}")
xs = noisy_descent(decaying_lrs, NOISY_X0, noise)
ax.plot(np.arange(1, NOISY_ITERATIONS + 1), np.mean(xs, axis=1) ** 2, label="decaying")
ax.set(xscale="log", yscale="log", xlabel="step", ylabel="loss", title="noise")
ax.legend()
'''

# A correct solution that shares no code with the instructor's: closed forms, lists and
# tensors instead of arrays, autograd without torch.optim, numpy regression in float64, a
# vertical figure with a figure-level legend and x axes that start at 0.
DIFFERENT_CELLS = {
    "gradient_descent_numpy": '''
def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    factor = 1 - 2 * a * lr
    return [x0 * factor ** (t + 1) for t in range(num_iterations)]
''',
    "optimize": '''
def optimize(initial_lr, num_iterations, x0):
    x = torch.tensor([float(x0)], requires_grad=True)
    xs, lrs = [], []
    for _ in range(num_iterations):
        (grad,) = torch.autograd.grad((x ** 2).sum(), x)
        with torch.no_grad():
            x -= initial_lr * grad
        xs.append(x.detach().clone()[0])
        lrs.append(torch.tensor(initial_lr))
    return torch.stack(xs), lrs
''',
    "divergence_threshold": '''
import math

def divergence_threshold(a):
    return 1 / a

def find_divergence_threshold(a):
    lrs = np.geomspace(1e-3, 1e3, 40_001)
    final = np.abs(1 - 2 * a * lrs) ** 60
    return float(lrs[np.argmax(final >= 1)])

def iterations_needed(lr, x0, tol=1e-3, a=1.0):
    if abs(x0) < tol:
        return 0
    q = abs(1 - 2 * a * lr)
    if q >= 1:
        return None
    if q == 0:
        return 1
    return math.floor(math.log(tol / abs(x0)) / math.log(q)) + 1
''',
    "runs_figure": '''
fig_runs, axes = plt.subplots(2, 1, figsize=(7, 7), sharex=True)
for lr in RUN_LRS:
    xs, lrs = optimize(lr, RUN_ITERATIONS, RUN_X0)
    xs = [RUN_X0] + [float(v) for v in xs]
    axes[0].semilogy(range(len(xs)), [abs(v) for v in xs], label=f"η={lr:g}")
    axes[1].plot(range(len(lrs)), [float(v) for v in lrs], "--", label=f"η={lr:g}")
axes[0].set_ylabel("|x_t| (log)")
axes[0].set_title("How far from 0?")
axes[1].set_ylabel("η (learning rate)")
axes[1].set_xlabel("step")
axes[0].set_xlabel("step")
axes[1].set_title("The learning rate of each run")
fig_runs.legend(loc="center right")

fig_parabola = plt.figure()
ax = fig_parabola.add_subplot()
path = np.array([RUN_X0] + [float(v) for v in optimize(0.9, RUN_ITERATIONS, RUN_X0)[0]])
ax.plot(np.linspace(-600, 600, 101), np.linspace(-600, 600, 101) ** 2, "k-")
ax.plot(path, path ** 2, "r.-")
ax.set_xlabel("x")
ax.set_ylabel("f(x) = x^2")
''',
    "train_linear_regression": '''
def train_linear_regression(X, y, lr, epochs=100):
    X = np.asarray(X, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    w = b = 0.0
    losses = []
    for _ in range(epochs):
        error = w * X + b - y
        losses.append(np.mean(error ** 2))
        w, b = w - lr * 2 * np.mean(error * X), b - lr * 2 * np.mean(error)
    return np.array(losses)
''',
    "sweep_figure": '''
fig_sweep = plt.figure(figsize=(6, 4))
ax = fig_sweep.gca()
for lr in REGRESSION_LRS:
    ax.semilogy(range(1, 101), train_linear_regression(X, y, lr), label=f"lr={lr}")
ax.set_xlabel("Epoch")
ax.set_ylabel("MSE loss")
ax.set_title("Learning-rate sweep")
ax.legend(title="learning rate")
''',
    "noisy_descent": '''
def noisy_descent(lrs, x0, noise, a=1.0):
    kicks = torch.as_tensor(np.asarray(noise), dtype=torch.float32)
    x = torch.full(kicks.shape[1:], float(x0))
    out = torch.empty_like(kicks)
    for t in range(len(lrs)):
        x = (1 - 2 * a * float(lrs[t])) * x - float(lrs[t]) * kicks[t]
        out[t] = x
    return out
''',
    "noise_figure": '''
fig_noise = plt.figure()
ax = fig_noise.add_subplot()
schedules = {f"η={lr:g}": [lr] * NOISY_ITERATIONS for lr in NOISY_LRS}
schedules["1/t decay"] = list(decaying_lrs)
for name, lrs in schedules.items():
    curve = [float(v) for v in (noisy_descent(lrs, NOISY_X0, noise) ** 2).mean(axis=1)]
    ax.loglog(range(NOISY_ITERATIONS + 1), [NOISY_X0 ** 2] + curve, label=name)
ax.set_xlabel("iteration")
ax.set_ylabel("f(x), averaged")
ax.set_title("constant vs decaying")
ax.legend()
''',
    "descent_2d": '''
def descent_2d(lr, num_iterations, start, curvatures):
    factors = 1 - 2 * lr * np.asarray(curvatures, dtype=float)
    steps = np.arange(1, num_iterations + 1).reshape(-1, 1)
    return np.asarray(start, dtype=float) * factors ** steps
''',
    "valley_figure": '''
fig_valley = plt.figure(figsize=(6, 8))
for panel, lr in enumerate(VALLEY_LRS, start=1):
    ax = fig_valley.add_subplot(2, 1, panel)
    path = descent_2d(lr, VALLEY_ITERATIONS, VALLEY_START, VALLEY_CURVATURES)
    ax.semilogy(range(VALLEY_ITERATIONS + 1), np.abs([VALLEY_START[1], *path[:, 1]]), "--",
                label="flat direction y")
    ax.semilogy(range(VALLEY_ITERATIONS + 1), np.abs([VALLEY_START[0], *path[:, 0]]),
                label="steep direction x")
    ax.set_xlabel("step")
    ax.set_title(f"η = {lr}")
    ax.legend()
''',
}

SAMPLES = load_samples(Path(__file__).with_suffix(".toml"), globals())
"""The sample class, in the order and with the words of ps01.toml."""
