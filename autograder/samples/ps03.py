'''Sample students of ps03: the solution, a blank notebook, realistic mistakes, and a correct
solution written differently. This module writes their code; ps03.toml lists the class. The
end-to-end tests grade them through real nbgrader and check that each loses exactly the points
of `failing_tests`, with feedback that names the mistake.'''

from __future__ import annotations

from pathlib import Path

from autograder.samples.build import changed
from autograder.samples.table import load_samples

WRITTEN_ANSWER = """The linear rule stops working when the scaled lr gets larger than the largest lr
the network can take: in my fig_batch_size it matches batch 16 up to batch 128 (lr 0.8), fails at
256 (lr 1.6) unless I warm up, and fails at 512 (lr 3.2) even with warmup. My range test has its
minimum near lr 0.8-1.5 for both batch sizes, so no batch can use much more. I would run a range
test at the large batch and compare its minimum with the scaled lr, and measure the gradient noise
scale: once the batch is far above it, a larger batch no longer makes the gradient much better."""
WRITTEN = {"written_linear_scaling_limits": WRITTEN_ANSWER}
"""The written answer cell, as the solution and the different solution fill it in."""

INVERTED_LINEAR_RULE = '''
def linear_scaled_lr(base_lr, batch_size, base_batch_size=256):
    return base_lr * base_batch_size / batch_size


def sqrt_scaled_lr(base_lr, batch_size, base_batch_size=256):
    return base_lr * math.sqrt(batch_size / base_batch_size)
'''

WARMUP_STARTS_AT_ZERO = '''
def warmup_lr(step, target_lr, warmup_steps):
    if step >= warmup_steps:
        return target_lr
    return target_lr * step / warmup_steps
'''

WARMUP_IN_EPOCHS = '''
def batch_size_sweep(batch_sizes, scaling_rule=None, warmup_epochs=0, base_lr=BASE_LR,
                     base_batch_size=BASE_BATCH_SIZE, epochs=EPOCHS, seed=0):
    runs = {}
    for b in batch_sizes:
        lr = base_lr if scaling_rule is None else scaling_rule(base_lr, b, base_batch_size)
        runs[b] = train(b, lr, epochs, warmup_steps=warmup_epochs, seed=seed)
    return runs
'''

# The formula without the case the task names: divides by zero when warmup_steps = 0 (a visible
# case of the check, and a hidden one).
WARMUP_WITHOUT_THE_NO_WARMUP_CASE = '''
def warmup_lr(step, target_lr, warmup_steps):
    return target_lr * min(1.0, (step + 1) / warmup_steps)
'''

EMA_NOT_DEBIASED = '''
def smooth_losses(losses, beta=0.98):
    average, smoothed = 0.0, []
    for loss in losses:
        average = beta * average + (1 - beta) * loss
        smoothed.append(average)
    return smoothed
'''

RANGE_TEST_NEVER_STOPS = '''
def lr_range_test(train_step, start_lr=1e-7, end_lr=10.0, num_iters=100, beta=0.98,
                  diverge_factor=4.0):
    lrs = list(exponential_lrs(start_lr, end_lr, num_iters))
    losses = [train_step(lr) for lr in lrs]
    return lrs, smooth_losses(losses, beta)
'''

_RANGE_TEST = '''
def lr_range_test(train_step, start_lr=1e-7, end_lr=10.0, num_iters=100, beta=0.98,
                  diverge_factor=4.0):
    recorded_lrs, recorded, average, best = [], [], 0.0, None
    for i, lr in enumerate(exponential_lrs(start_lr, end_lr, num_iters).tolist()):
        average = beta * average + (1 - beta) * float(train_step(lr))
        value = average / (1 - beta ** (i + 1))
        best = value if best is None else min(best, value)
        recorded_lrs.append(lr)
        recorded.append(value)
        if value > diverge_factor * best:
            break  # the step that diverged is recorded, then the test ends
    return np.array(recorded_lrs), np.array(recorded)
'''
"""A correct lr_range_test (the one written differently), which records the step it stops on
before it stops."""

# Stops at the right step but leaves that step out of its record (the task records it).
RANGE_TEST_DROPS_THE_STOPPING_STEP = changed(_RANGE_TEST, '''
        recorded_lrs.append(lr)
        recorded.append(value)
        if value > diverge_factor * best:
            break  # the step that diverged is recorded, then the test ends
''', '''
        if value > diverge_factor * best:
            break
        recorded_lrs.append(lr)
        recorded.append(value)
''')

SUGGESTION_AT_MINIMUM = '''
def suggest_lr(lrs, smoothed_losses):
    return lrs[int(np.argmin(smoothed_losses))]
'''

# A correct solution that shares no code with the instructor's: numpy floats, a ceil without
# math, torch for the lrs, a vectorised moving average, a range test that records the step it
# stops on before it stops, accuracy in percent, figure-level legends and vlines.
DIFFERENT_CELLS = {
    "scaling_rules": '''
def linear_scaled_lr(base_lr, batch_size, base_batch_size=256):
    ratio = np.float64(batch_size) / base_batch_size
    return ratio * base_lr


def sqrt_scaled_lr(base_lr, batch_size, base_batch_size=256):
    return base_lr * np.sqrt(np.float64(batch_size) / base_batch_size)
''',
    "warmup_lr": '''
def warmup_lr(step, target_lr, warmup_steps):
    return target_lr * min(1.0, (step + 1) / warmup_steps) if warmup_steps else target_lr
''',
    "batch_size_sweep": '''
def batch_size_sweep(batch_sizes, scaling_rule=None, warmup_epochs=0, base_lr=BASE_LR,
                     base_batch_size=BASE_BATCH_SIZE, epochs=EPOCHS, seed=0):
    rule = scaling_rule or (lambda lr, b, b0: lr)
    return {
        b: train(b, rule(base_lr, b, base_batch_size), epochs,
                 warmup_steps=warmup_epochs * -(-N_TRAIN // b), seed=seed)
        for b in batch_sizes
    }
''',
    "batch_size_figure": '''
results = {}
for name, settings in SWEEPS.items():
    runs = batch_size_sweep(BATCH_SIZES, **settings)
    results[name] = ([runs[b].train_loss[-1] for b in BATCH_SIZES],
                     [100 * runs[b].test_accuracy[-1] for b in BATCH_SIZES])

fig_batch_size = plt.figure(figsize=(10, 4))
left = fig_batch_size.add_subplot(1, 2, 1)
right = fig_batch_size.add_subplot(1, 2, 2)
for name, (loss, accuracy) in results.items():
    left.semilogx(BATCH_SIZES, loss, "s--", base=2, label=name)
    right.semilogx(BATCH_SIZES, accuracy, "s--", base=2)
left.set_xlabel("Batch size")
left.set_ylabel("Training loss (last epoch)")
left.set_title("Loss")
right.set_xlabel("Batch size")
right.set_ylabel("Test accuracy (%)")
right.set_title("Accuracy")
fig_batch_size.legend(loc="upper center", ncol=4)
''',
    "exponential_lrs": '''
def exponential_lrs(start_lr, end_lr, num_iters):
    return torch.logspace(math.log10(start_lr), math.log10(end_lr), num_iters, dtype=torch.float64)
''',
    "smooth_losses": '''
def smooth_losses(losses, beta=0.98):
    values = np.asarray(losses, dtype=float)
    i = np.arange(values.size)
    weights = np.tril(beta ** (i[:, None] - i[None, :]).clip(min=0))
    return (1 - beta) * (weights @ values) / (1 - beta ** (i + 1))
''',
    "lr_range_test": _RANGE_TEST,
    "suggest_lr": '''
def suggest_lr(lrs, smoothed_losses):
    best_loss, best_lr = min(zip(smoothed_losses, lrs))
    return 0.1 * best_lr
''',
    "range_test_figure": '''
fig_range_test = plt.figure(figsize=(7, 4))
ax = fig_range_test.gca()
for b in RANGE_TEST_BATCH_SIZES:
    rates, curve = lr_range_test(range_test_step(b), **RANGE_TEST_OPTIONS)
    line, = ax.plot(rates, curve, label=f"B={b}")
    ax.vlines(suggest_lr(rates, curve), 0.8, 2.4, colors=line.get_color(), linestyles=":")
ax.set_xscale("log")
ax.set_xlabel("lr")
ax.set_ylabel("Loss (smoothed)")
ax.set_title("LR finder")
ax.legend()
''',
}

SAMPLES = load_samples(Path(__file__).with_suffix(".toml"), globals())
"""The sample class, in the order and with the words of ps03.toml."""
