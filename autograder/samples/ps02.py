'''Sample students of ps02: the solution, a blank notebook, realistic mistakes, and a correct
solution written differently. This module writes their code; ps02.toml lists the class. The
end-to-end tests grade them through real nbgrader and check that each loses exactly the points
of `failing_tests`, with feedback that names the mistake.'''

from __future__ import annotations

from pathlib import Path

from autograder.samples.table import load_samples

WRITTEN_ANSWER = """My favourite is the exponential decay. It starts at the large lr 0.4, which
brings the runs close to the minimum fast, and shrinks the lr every step, so the noise floor, which
grows with the lr, keeps falling too. In my fig_compare it ends at a mean loss near 0.004, about
half of the tuned constant lr 0.03 and far below the constant 0.4 it starts from. The cosine only
ties with the tuned constant and the step decay ends above it, so the parameters matter. The
rescue's final x cannot rank schedules: it depends on how close a step passes to lr = 0.5."""
WRITTEN = {"written_favourite_scheduler": WRITTEN_ANSWER}
"""The written answer cell, as the solution and the different solution fill it in."""

OPTIMIZE_SCHEDULER_FIRST = '''
def optimize(initial_lr, num_iterations, x0, scheduler=None):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    lr_scheduler = scheduler(optimizer) if scheduler is not None else None
    x_history, lr_history = [], []
    for _ in range(num_iterations):
        optimizer.zero_grad()
        loss = x ** 2
        loss.backward()
        if lr_scheduler is not None:
            lr_scheduler.step()
        lr_history.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        x_history.append(x.item())
    return x_history, lr_history
'''

_FORMULAS = '''
def step_decay(t, base_lr, step_size, gamma):
    return base_lr * gamma ** {step_exponent}


def exponential_decay(t, base_lr, gamma):
    return base_lr * gamma ** t


def cosine_annealing(t, base_lr, T_max, eta_min=0.0):
    {cosine_body}
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def linear_warmup(t, base_lr, warmup_steps, start_factor):
    {warmup_body}
'''
_RIGHT_WARMUP = ("return base_lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) "
                 "/ warmup_steps)")

COSINE_CLAMPED = _FORMULAS.format(
    step_exponent="(t // step_size)",
    cosine_body="t = min(t, T_max)  # the cosine should stop at eta_min",
    warmup_body=_RIGHT_WARMUP,
)

STEP_WITHOUT_FLOOR = _FORMULAS.format(
    step_exponent="(t / step_size)",
    cosine_body="pass",
    warmup_body=_RIGHT_WARMUP,
)

WARMUP_FROM_ZERO = _FORMULAS.format(
    step_exponent="(t // step_size)",
    cosine_body="pass",
    warmup_body="return base_lr * min(t / warmup_steps, 1.0)",
)

MOMENTUM_LEFT_ON = '''
rescue_schedulers = {
    "step": lambda opt: StepLR(opt, step_size=5, gamma=0.5),
    "exponential": lambda opt: ExponentialLR(opt, gamma=0.9),
    "cosine": lambda opt: CosineAnnealingLR(opt, T_max=20),
    "warmup": lambda opt: SequentialLR(
        opt,
        [LinearLR(opt, start_factor=0.1, total_iters=5), CosineAnnealingLR(opt, T_max=15)],
        milestones=[5],
    ),
    "cyclic": lambda opt: CyclicLR(opt, base_lr=0.05, max_lr=1.05, step_size_up=5),
    "one_cycle": lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=20),
}
'''

SQUARE_OF_MEAN = '''
def noisy_loss_curve(lrs, x0, noise):
    x = np.full(np.shape(noise)[1], float(x0))
    curve = []
    for lr, kick in zip(lrs, noise):
        x = x - lr * (2 * x + kick)
        curve.append(np.mean(x) ** 2)
    return np.array(curve)
'''

BEST_LOSS_NOT_LR = '''
final_losses = {lr: noisy_loss_curve([lr] * COMPARE_ITERATIONS, COMPARE_X0, compare_noise)[-1]
                for lr in CONSTANT_LRS}
best_constant_lr = min(final_losses.values())
'''

MOMENTUM_SGD = '''
def momentum_history(scheduler, num_iterations, initial_lr=1.05):
    x = torch.tensor(500.0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr, momentum=0.9)
    lr_scheduler = scheduler(optimizer)
    momenta = []
    for _ in range(num_iterations):
        optimizer.zero_grad()
        (x ** 2).backward()
        momenta.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        lr_scheduler.step()
    return momenta
'''

INTEGER_X0 = '''
def optimize(initial_lr, num_iterations, x0, scheduler=None):
    x = torch.tensor(x0, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=initial_lr)
    lr_scheduler = scheduler(optimizer) if scheduler is not None else None
    x_history, lr_history = [], []
    for _ in range(num_iterations):
        optimizer.zero_grad()
        (x ** 2).backward()
        lr_history.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        x_history.append(x.item())
        if lr_scheduler is not None:
            lr_scheduler.step()
    return x_history, lr_history
'''

# A correct solution that shares no code with the instructor's: a one-element tensor and
# get_last_lr(), a tensor and an array as histories, functools.partial factories, numpy/torch
# formulas returning numpy scalars, np.interp for the warmup, a closure for SGD, a vertical
# figure with a figure-level legend, torch-class labels and axes that start at 0.
DIFFERENT_CELLS = {
    "optimize": '''
def optimize(initial_lr, num_iterations, x0, scheduler=None):
    x = torch.full((1,), float(x0), requires_grad=True)
    opt = torch.optim.SGD([x], lr=initial_lr)
    sched = None if scheduler is None else scheduler(opt)
    xs, lrs = [], []
    step = 0
    while step < num_iterations:
        lrs.append(sched.get_last_lr()[0] if sched else opt.param_groups[0]["lr"])
        opt.zero_grad()
        (x ** 2).sum().backward()
        opt.step()
        xs.append(x.detach().clone())
        if sched:
            sched.step()
        step += 1
    return torch.cat(xs), np.array(lrs)
''',
    "rescue_schedulers": '''
from functools import partial


def warmup_then_cosine(opt):
    ramp = LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=5)
    return SequentialLR(opt, schedulers=[ramp, CosineAnnealingLR(opt, 15)], milestones=[5])


rescue_schedulers = dict(
    step=partial(StepLR, step_size=5, gamma=0.5),
    exponential=partial(ExponentialLR, gamma=0.9),
    cosine=partial(CosineAnnealingLR, T_max=RESCUE_ITERATIONS),
    warmup=warmup_then_cosine,
    cyclic=partial(CyclicLR, base_lr=0.05, max_lr=1.05, step_size_up=5, step_size_down=5,
                   mode="triangular", cycle_momentum=False),
    one_cycle=partial(OneCycleLR, max_lr=1.0, total_steps=RESCUE_ITERATIONS,
                      cycle_momentum=False),
)
''',
    "rescue_figure": '''
labels = {"constant": "constant lr 1.05", "step": "StepLR", "exponential": "ExponentialLR",
          "cosine": "CosineAnnealingLR", "warmup": "warmup + cosine",
          "cyclic": "CyclicLR (triangular)", "one_cycle": "OneCycleLR"}
fig_rescue, axes = plt.subplots(2, 1, figsize=(7, 8), sharex=True)
for name, (xs, lrs) in rescue_runs.items():
    path = np.abs(np.concatenate([[RESCUE_X0], np.ravel(np.asarray(xs, dtype=float))]))
    axes[0].semilogy(np.arange(len(path)), path, label=labels[name])
    axes[1].plot(np.arange(RESCUE_ITERATIONS), np.ravel(np.asarray(lrs, dtype=float)), ".-")
axes[0].set_ylabel("|x_t| (log scale)")
axes[0].set_title("x² from 500 with lr 1.05")
axes[0].set_xlabel("step t")
axes[1].set_ylabel("η_t (learning rate)")
axes[1].set_xlabel("step t")
axes[1].set_title("the schedules")
for line, name in zip(axes[1].get_lines(), rescue_runs):
    line.set_label(labels[name])
fig_rescue.legend(*axes[0].get_legend_handles_labels(), loc="upper right")
''',
    "schedule_functions": '''
def step_decay(t, base_lr, step_size, gamma):
    return np.power(gamma, np.floor(t / step_size)) * base_lr


def exponential_decay(t, base_lr, gamma):
    return np.exp(t * np.log(gamma)) * base_lr


def cosine_annealing(t, base_lr, T_max, eta_min=0.0):
    phase = torch.tensor(math.pi * t / T_max, dtype=torch.float64)
    return np.float64(eta_min + 0.5 * (base_lr - eta_min) * (1 + torch.cos(phase)))


def linear_warmup(t, base_lr, warmup_steps, start_factor):
    return np.interp(t, [0, warmup_steps], [start_factor * base_lr, base_lr])
''',
    "gallery_figure": '''
fig_gallery, axes = plt.subplots(1, 4, figsize=(14, 3))
t_values = range(1, GALLERY_STEPS + 1)
curves = [
    ("StepLR", [step_decay(t - 1, 1.0, 15, 0.5) for t in t_values]),
    ("ExponentialLR", [exponential_decay(t - 1, 1.0, 0.95) for t in t_values]),
    ("CosineAnnealingLR", [float(cosine_annealing(t - 1, 1.0, 40)) for t in t_values]),
    ("LinearLR warmup", [linear_warmup(t - 1, 1.0, 10, 0.1) for t in t_values]),
]
for ax, (title, values) in zip(axes, curves):
    ax.plot(list(t_values), values, "o", markersize=2)
    ax.set_title(title)
    ax.set_xlabel("iteration")
''',
    "optimize_scheduler_first": '''
def optimize_scheduler_first(initial_lr, num_iterations, x0, scheduler):
    x = torch.full((1,), float(x0), requires_grad=True)
    opt = torch.optim.SGD([x], lr=initial_lr)
    sched = scheduler(opt)

    def closure():
        opt.zero_grad()
        loss = (x ** 2).sum()
        loss.backward()
        return loss

    xs, lrs = [], []
    for _ in range(num_iterations):
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        opt.step(closure)
        xs.append(float(x))
    return xs, lrs
''',
    "momentum_history": '''
def momentum_history(scheduler, num_iterations, initial_lr=1.05):
    weight = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([weight], lr=initial_lr)
    sched = scheduler(opt)
    seen = np.zeros(num_iterations)
    for i in range(num_iterations):
        seen[i] = opt.param_groups[0].get("momentum", 0.0)
        opt.zero_grad()
        weight.sum().backward()
        opt.step()
        sched.step()
    return seen
''',
    "warmup_cosine": '''
def warmup_cosine(t, base_lr, warmup_steps, T_max, start_factor):
    since_milestone = t - warmup_steps
    if since_milestone >= 0:
        return cosine_annealing(since_milestone, base_lr, T_max)
    return linear_warmup(t, base_lr, warmup_steps, start_factor)
''',
    "noisy_loss_curve": '''
def noisy_loss_curve(lrs, x0, noise):
    kicks = torch.as_tensor(np.asarray(noise), dtype=torch.float32)
    x = torch.full((kicks.shape[1],), float(x0))
    losses = torch.empty(kicks.shape[0])
    for t, lr in enumerate(lrs):
        x = (1 - 2 * float(lr)) * x - float(lr) * kicks[t]
        losses[t] = (x * x).sum() / kicks.shape[1]
    return losses
''',
    "constant_sweep": '''
final_losses = {}
for lr in CONSTANT_LRS:
    final_losses[lr] = float(noisy_loss_curve(np.full(COMPARE_ITERATIONS, lr), COMPARE_X0,
                                              compare_noise)[-1])
best_constant_lr = sorted(final_losses, key=lambda lr: final_losses[lr])[0]
''',
    "compare_figure": '''
fig_compare = plt.figure(figsize=(7, 8))
top, bottom = fig_compare.subplots(2, 1)
for name, lrs in compare_runs.items():
    curve = noisy_loss_curve(lrs, COMPARE_X0, compare_noise)
    losses = [COMPARE_X0 ** 2] + [float(v) for v in curve]
    top.semilogy(range(COMPARE_ITERATIONS + 1), losses, label=f"{name} schedule")
    bottom.plot(range(COMPARE_ITERATIONS), lrs, ".", label=name.upper())
top.set_title("mean loss")
top.set_xlabel("iteration")
bottom.set_title("lr")
bottom.set_xlabel("step t")
fig_compare.legend(*top.get_legend_handles_labels(), loc="upper right")
''',
}

SAMPLES = load_samples(Path(__file__).with_suffix(".toml"), globals())
"""The sample class, in the order and with the words of ps02.toml."""
