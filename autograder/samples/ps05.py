'''Sample students of ps05: the solution, a blank notebook, realistic mistakes, and a correct
solution written differently. This module writes their code; ps05.toml lists the class. The
end-to-end tests grade them through real nbgrader and check that each loses exactly the points
of `failing_tests`, with feedback that names the mistake.'''

from __future__ import annotations

from pathlib import Path

from autograder.samples.table import load_samples

WRITTEN_ANSWER = """The lr stayed at 0.05 for 46 epochs: the validation loss dropped from 0.69 to
about 0.03 by epoch 15 and then jumped between 0.02 and 0.12 without a new best. After eleven
epochs in a row without improvement (patience 10) the rule halved the lr to 0.025 at epoch 47,
and again to 0.0125 at epoch 72. Until epoch 47 it is the same run as the control; after the
cuts its loss stopped jumping and settled near 0.02, while the control kept jumping: the smaller
steps no longer overshoot. Both classify the test points equally well, so the cuts bought a
steadier loss, not a better model."""
WRITTEN = {"written_plateau_explanation": WRITTEN_ANSWER}
"""The written answer cell, as the solution and the different solution fill it in."""

ADAM_WITHOUT_BIAS_CORRECTION = '''
def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2
    return param - lr * exp_avg / (np.sqrt(exp_avg_sq) + eps), exp_avg, exp_avg_sq
'''

RMSPROP_BIAS_CORRECTED = '''
def rmsprop_step(param, grad, square_avg, step, lr, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    corrected = square_avg / (1 - alpha**step)
    return param - lr * grad / (np.sqrt(corrected) + eps), square_avg
'''

KERAS_PATIENCE = '''
class PlateauRule:
    """Cuts when the number of bad epochs reaches patience (as Keras counts)."""

    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        self.lr, self.mode, self.factor, self.patience = lr, mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = float("inf") if mode == "min" else float("-inf")
        self.wait = 0
        self.cooldown_counter = 0

    def is_better(self, metric):
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < self.best * (1 - self.threshold)
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (1 + self.threshold)
        return metric > self.best + self.threshold

    def step(self, metric):
        if self.is_better(metric):
            self.best = metric
            self.wait = 0
        else:
            self.wait += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.wait >= self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.wait = 0
        return self.lr
'''

LR_RECORDED_AFTER_THE_SCHEDULER = '''
def train_classifier(lr, epochs, scheduler=None, seed=0):
    data = quantiles_split()
    X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    X_val, y_val = torch.from_numpy(data.X_val), torch.from_numpy(data.y_val)
    model = make_classifier(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"lr": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        for batch in epoch_batches(epoch, seed):
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch])
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            logits = model(X_val).squeeze(1)
            val_loss = F.binary_cross_entropy_with_logits(logits, y_val).item()
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(((logits > 0).float() == y_val).float().mean().item())
        if scheduler is not None:
            new_lr = scheduler.step(val_loss)
            for group in optimizer.param_groups:
                group["lr"] = new_lr
        history["lr"].append(optimizer.param_groups[0]["lr"])
    return model, history
'''

# The boundary figure draws the model left over from the training loop in every panel.
SAME_MODEL_IN_EVERY_PANEL = '''
fig_boundaries, axes = plt.subplots(1, 5, figsize=(20, 4.6))
model = runs["plateau from 0.05"][0]
for ax, name in zip(axes, runs):
    xs, ys, P = probability_grid(model)
    ax.contourf(xs, ys, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
    ax.set(title=name, aspect="equal")
'''

# The plateau figure without the control's loss: the cuts are not compared with anything.
PLATEAU_FIGURE_WITHOUT_CONTROL = '''
plateau_run = runs["plateau from 0.05"]
control_run = runs["lr 0.05"]
history = plateau_run[1]
epochs = np.arange(1, len(history["lr"]) + 1)
fig_plateau, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(11, 3.8))
ax_loss.plot(epochs, history["val_loss"], label="plateau")
ax_loss.set(yscale="log", xlabel="epoch", ylabel="validation loss", title="Validation loss")
ax_loss.legend()
ax_lr.plot(epochs, history["lr"], drawstyle="steps-post")
ax_lr.set(yscale="log", xlabel="epoch", ylabel="learning rate", title="Learning rate")
'''

CONSTANT_LR_CHALLENGE = '''
challenge_config = {"optimizer": "SGD", "optimizer_options": {"lr": 0.1}, "scheduler": None}
'''

# A correct solution that shares no code with the instructor's: torch tensors out of the update
# rules, torch's own form of Adam's denominator, a float64 regression with a lookup table, a
# different plateau class, sigmoid + BCE in the loop, pcolormesh panels on a 2 × 3 grid at
# another resolution, a steps plot from epoch 0 with a figure-level legend, and a StepLR
# challenge given as a function with lower-case names.
DIFFERENT_CELLS = {
    "rmsprop_step": '''
def rmsprop_step(param, grad, square_avg, step, lr, alpha=0.99, eps=1e-8):
    g = torch.as_tensor(grad)
    v = torch.as_tensor(square_avg).mul(alpha).addcmul(g, g, value=1 - alpha)
    return torch.as_tensor(param).addcdiv(g, v.sqrt().add(eps), value=-lr), v
''',
    "adam_step": '''
import math

def adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = [beta1 * mi + (1 - beta1) * gi for mi, gi in zip(exp_avg, grad)]
    v = [beta2 * vi + (1 - beta2) * gi * gi for vi, gi in zip(exp_avg_sq, grad)]
    step_size = lr / (1 - beta1**step)
    root_correction = math.sqrt(1 - beta2**step)
    new = [p - step_size * mi / (math.sqrt(vi) / root_correction + eps)
           for p, mi, vi in zip(param, m, v)]
    return new, m, v
''',
    "train_regression": '''
MAKERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr, momentum=0.9),
    "adagrad": lambda params, lr: torch.optim.Adagrad(params, lr),
    "rmsprop": lambda params, lr: torch.optim.RMSprop(params, lr),
    "adam": lambda params, lr: torch.optim.Adam(params, lr),
}

def train_regression(X, y, optimizer_name, lr, epochs=100):
    x = torch.tensor(np.ravel(X), dtype=torch.float64)
    t = torch.tensor(np.ravel(y), dtype=torch.float64)
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = MAKERS[optimizer_name.lower()]([w, b], lr)
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = torch.mean((w * x + b - t) ** 2)
        loss.backward()
        losses[epoch] = loss.item()
        optimizer.step()
    return losses
''',
    "sweep_figure": '''
fig_optimizers, grid = plt.subplots(2, 3, figsize=(12, 7))
grid[1, 2].remove()
names = {"sgd": "SGD", "momentum": "SGD + momentum", "adagrad": "AdaGrad",
         "rmsprop": "RMSprop", "adam": "Adam"}
for ax, key in zip(grid.ravel(), OPTIMIZER_NAMES):
    for lr in SWEEP_LRS:
        ax.semilogy(train_regression(X, y, key, lr), label=f"η={lr:g}")
    ax.set_title(names[key])
    ax.set_xlabel("Epoch")
    ax.set_ylabel("MSE loss")
fig_optimizers.legend(*grid[0, 0].get_legend_handles_labels(), loc="lower right")
''',
    "plateau_rule": '''
class PlateauRule:
    def __init__(self, lr, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        sign = 1.0 if mode == "min" else -1.0
        if threshold_mode == "rel":
            self.improves = lambda m, best: sign * m < sign * best * (1 - sign * threshold)
        else:
            self.improves = lambda m, best: sign * m < sign * best - threshold
        self.state = {"lr": lr, "best": sign * float("inf"), "bad": 0, "cool": 0}
        self.options = (factor, patience, cooldown, min_lr, eps)

    def step(self, metric):
        factor, patience, cooldown, min_lr, eps = self.options
        s = self.state
        s["bad"] = 0 if self.improves(metric, s["best"]) else s["bad"] + 1
        if s["bad"] == 0:
            s["best"] = metric
        if s["cool"]:
            s["cool"], s["bad"] = s["cool"] - 1, 0
        if s["bad"] > patience:
            candidate = max(s["lr"] * factor, min_lr)
            s["lr"] = candidate if s["lr"] - candidate > eps else s["lr"]
            s["cool"], s["bad"] = cooldown, 0
        return s["lr"]
''',
    "train_classifier": '''
def train_classifier(lr, epochs, scheduler=None, seed=0):
    data = quantiles_split()
    X_val = torch.tensor(data.X_val)
    model = make_classifier(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    lrs, losses, accuracies = [], [], []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        for batch in epoch_batches(epoch, seed):
            optimizer.zero_grad()
            p = torch.sigmoid(model(torch.tensor(data.X_train[batch]))).flatten()
            F.binary_cross_entropy(p, torch.tensor(data.y_train[batch])).backward()
            optimizer.step()
        with torch.no_grad():
            p_val = torch.sigmoid(model(X_val)).flatten()
            losses.append(F.binary_cross_entropy(p_val, torch.tensor(data.y_val)).item())
        accuracies.append(float(np.mean((p_val.numpy() > 0.5) == (data.y_val > 0.5))))
        if scheduler:
            lr_next = scheduler.step(losses[-1])
            for group in optimizer.param_groups:
                group.update(lr=lr_next)
    return model, dict(lr=lrs, val_loss=losses, val_accuracy=accuracies)
''',
    "four_runs": '''
runs = {
    name: train_classifier(
        s["lr"], s["epochs"],
        PlateauRule(s["lr"], **s["plateau"]) if s["plateau"] else None, seed=SEED)
    for name, s in CLASSIFIER_RUNS.items()
}
with torch.no_grad():
    test_accuracy = {
        name: float(np.mean((model(torch.tensor(split.X_test)).numpy().ravel() > 0)
                            == (split.y_test == 1)))
        for name, (model, _) in runs.items()
    }
test_accuracy
''',
    "boundary_figure": '''
fig_boundaries, grid = plt.subplots(2, 3, figsize=(12, 8))
grid[1, 2].remove()
titles = ["Adam, lr=0.5", "Adam, lr=0.005", "Adam, lr=1e-5", "Adam, lr=0.05 (constant)",
          "Adam + ReduceLROnPlateau"]
for ax, title, (model, _) in zip(grid.ravel(), titles, runs.values()):
    xs, ys, P = probability_grid(model, resolution=61)
    ax.pcolormesh(xs, ys, P, vmin=0, vmax=1, cmap="coolwarm", shading="auto")
    ax.set_title(title)
''',
    "plateau_figure": '''
plateau_run, control_run = runs["plateau from 0.05"], runs["lr 0.05"]
_, hist = plateau_run
fig_plateau = plt.figure(figsize=(10, 3.5))
left = fig_plateau.add_subplot(1, 2, 1)
right = fig_plateau.add_subplot(1, 2, 2)
left.plot(range(len(hist["val_loss"])), hist["val_loss"], "o-", ms=2, label="with cuts")
left.plot(range(len(hist["val_loss"])), control_run[1]["val_loss"], ":", label="constant lr")
left.set_xlabel("Epoch"); left.set_ylabel("Validation loss (BCE)"); left.set_title("Val loss")
fig_plateau.legend(loc="upper center")
right.step(range(len(hist["lr"]) + 1), hist["lr"] + hist["lr"][-1:], where="post")
right.set_yscale("log")
right.set_xlabel("Epoch"); right.set_ylabel("lr"); right.set_title("lr per epoch")
''',
    "challenge_config": '''
def challenge_config():
    return {"optimizer": "sgd", "optimizer_options": dict(lr=0.5),
            "scheduler": "steplr", "scheduler_options": dict(step_size=5, gamma=0.1)}
''',
}

SAMPLES = load_samples(Path(__file__).with_suffix(".toml"), globals())
"""The sample class, in the order and with the words of ps05.toml."""
