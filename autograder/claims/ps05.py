"""The numbers and comparisons ps05's text states, as claims (`autograder.claims`).

Each claim computes its value with `lrcore` — Adam's first step and the regression sweep, the
classifier's runs on the two quantiles (float32 torch: over seeds 0–4 and on every numerical
path), the flat start the optimiser explorer shows, and the plateau challenge (its data, its
stalled baseline, its example config and the ranges a config may use) — and says what must hold
for its sentence to stay true.

The notebook's classifier runs use `SEED` = 1 (`lrcore.classification.COURSE_SEED`), so a claim
about them lists seed 1 first: the release writes the first seed's value. A claim about a
torch-trained run is written in a form that is the same on every numerical path (a rounded
value, or the bound the sentence states): `release` writes the text on whatever CPU it runs on.
`SETTINGS` holds the exemptions that are settings of the course, each with where its value
comes from (the claims tests compare them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from autograder.claims import NUMERICAL_PATHS, SEEDS, Claim, Exemption
from autograder.hidden.ps05 import CHALLENGE
from lrchecks.ps05 import CHALLENGE_SEED_VISIBLE
from lrcore import challenge_config, classification, optim, plateau_challenge
from lrcore.optimizer_sweep import optimizer_lr_sweep
from lrcore.regression import SWEEP_LRS, linear_regression_data

__all__ = ["CLAIMS", "EXEMPT", "SETTINGS", "PATH_SEEDS"]

TORCH_PATHS = tuple(NUMERICAL_PATHS)
NOTEBOOK_SEED = classification.COURSE_SEED
RUN_SEEDS = (NOTEBOOK_SEED, *(seed for seed in SEEDS if seed != NOTEBOOK_SEED))
"""Seeds 0–4, the notebook's first: the release quotes the notebook's run."""
RUNS = classification.COURSE_RUNS
PLATEAU, CONTROL = classification.PLATEAU_RUN, classification.CONTROL_RUN


# --- §1: Adam's first step --------------------------------------------------------------------

def _adam_first_step() -> tuple[float, ...]:
    """How far Adam's first step (lr 0.1) moves each coordinate of the bowl from (1, 1)."""
    curvature = np.array([1.0, 100.0])
    start = np.array([1.0, 1.0])
    after = optim.run("adam", start, lambda x: curvature * x, steps=1, lr=0.1)[0]
    return tuple(float(d) for d in np.abs(after - start))


# --- §2: the regression sweep -----------------------------------------------------------------

@cache
def _sweep() -> dict[str, dict[float, list[float]]]:
    return optimizer_lr_sweep(epochs=100)


def _final(name: str, lr: float) -> float:
    return _sweep()[name][lr][-1]


SMALLEST_LR = min(SWEEP_LRS)
ADAM_STILL_ABOVE = 4.0
"""The text says Adam's loss at the smallest lr is still above this after 100 epochs."""


def _adam_weight_after(lr: float = SMALLEST_LR, epochs: int = 100) -> float:
    """|w| after `epochs` full-batch Adam steps on the regression (float64, torch's rule)."""
    X, y = linear_regression_data()
    x, t = np.asarray(X, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()

    def gradient(parameters: np.ndarray) -> np.ndarray:
        w, b = parameters
        error = w * x + b - t
        return np.array([2.0 * np.mean(error * x), 2.0 * np.mean(error)])

    return float(abs(optim.run("adam", [0.0, 0.0], gradient, epochs, lr)[-1, 0]))


def _momentum_alone() -> bool:
    """At the smallest lr, momentum's final loss is the lowest, by more than a factor 10."""
    finals = {name: _final(name, SMALLEST_LR) for name in _sweep()}
    others = [loss for name, loss in finals.items() if name != "momentum"]
    return finals["momentum"] < min(others) / 10


def _no_optimizer_good_everywhere() -> bool:
    """Every optimiser ends more than twice the best final loss at some lr of the sweep."""
    best = min(_final(name, lr) for name in _sweep() for lr in SWEEP_LRS)
    return all(max(_final(name, lr) for lr in SWEEP_LRS) > 2 * best for name in _sweep())


# --- §3: the classifier's runs ------------------------------------------------------------------

@cache
def _run(name: str, seed: int) -> classification.ClassifierRun:
    settings = RUNS[name]
    return classification.train_classifier(settings["lr"], settings["epochs"],
                                           plateau=settings["plateau"], seed=seed)


@cache
def _probability_range(name: str, seed: int) -> tuple[float, float]:
    _, _, probabilities = classification.probability_grid(_run(name, seed).model())
    return float(probabilities.min()), float(probabilities.max())


FLAT_SPREAD = 0.01
"""The lr 0.5 run's P(y = 1) varies by less than this over the square: one colour."""
START_BAND = (0.4, 0.6)
"""The lr 1e-5 run's P(y = 1) stays inside this band everywhere: it has barely left its start."""
GAP_BOUND = 0.02
"""Over seeds 0–4, the plateau run's and its control's test accuracies differ by at most this."""
TAIL_EPOCHS = 50
"""What the cuts change is measured over the last this-many epochs."""


def _tail(name: str, seed: int) -> np.ndarray:
    return np.asarray(_run(name, seed).val_loss[-TAIL_EPOCHS:])


def _first_cut(seed: int = NOTEBOOK_SEED) -> int:
    """The first epoch (from 1) that trains with a cut lr."""
    lrs = _run(PLATEAU, seed).lrs
    return next(epoch for epoch, lr in enumerate(lrs, 1) if lr < lrs[0])


def _identical_until_cut(seed: int = NOTEBOOK_SEED) -> bool:
    """Until the first cut the plateau run is its control: the same validation losses."""
    before = _first_cut(seed) - 1
    return _run(PLATEAU, seed).val_loss[:before] == _run(CONTROL, seed).val_loss[:before]


def _steadier(seed: int = NOTEBOOK_SEED) -> tuple[float, float, float, float]:
    """(mean, std) of the last TAIL_EPOCHS validation losses: plateau run, then control."""
    plateau, control = _tail(PLATEAU, seed), _tail(CONTROL, seed)
    return float(plateau.mean()), float(control.mean()), float(plateau.std()), float(
        control.std())


def _gap(seed: int = NOTEBOOK_SEED) -> float:
    return abs(_run(PLATEAU, seed).test_accuracy - _run(CONTROL, seed).test_accuracy)


def _per_mille(value: float) -> str:
    return f"{value:.3f}"


def _steadier_claim(claim: str, sentence: str, index: int, seeds: tuple[int, ...] = ()) -> Claim:
    """The claim that writes `_steadier()[index]` (0 and 1: the plateau run's and the control's
    tail mean; 2 and 3: their spread) and holds when the plateau run's is the smaller."""
    plateau = index - index % 2
    return Claim(claim, sentence, compute=_steadier, write=lambda v: _per_mille(v[index]),
                 holds=lambda v: v[plateau] < v[plateau + 1], seeds=seeds, paths=TORCH_PATHS)


# --- §5: the explorer's flat start --------------------------------------------------------------

EXPLORER_EPOCHS = 20
FLAT_LRS = (SMALLEST_LR, 0.1, 1.0)
"""The lrs at which the text says plain SGD and momentum stay on the flat start …"""
ESCAPE_LR = 0.1
"""… and the lr at which the adaptive optimisers escape it."""
ESCAPED = 0.5
"""A validation loss below this is off the flat start (ln 2 ≈ 0.69)."""


def _lowest_val_loss(optimizer: str, lr: float) -> float:
    run = classification.train_classifier(lr, EXPLORER_EPOCHS, optimizer=optimizer,
                                          seed=NOTEBOOK_SEED)
    return min(run.val_loss)


# --- §4: the plateau challenge -------------------------------------------------------------------

GRADER_SEEDS = (CHALLENGE_SEED_VISIBLE, *(int(case["params"]) for case in CHALLENGE.always))
"""The seeds the grader runs a challenge config with: the visible check's and the hidden
test's (the same for every student)."""
VAL_MARGIN, TRAIN_MARGIN = 0.005, 0.02
"""The example passes with a margin: ≥ 2 validation images above the target, and the training
accuracy clearly under the ceiling (as the hidden pool asks of every solution)."""


@cache
def _challenge(config_name: str, seed: int) -> plateau_challenge.ChallengeRun:
    config = {"baseline": plateau_challenge.BASELINE_CONFIG,
              "example": plateau_challenge.EXAMPLE_CONFIG}[config_name]
    return plateau_challenge.run_challenge(config, seed=seed)


def _example_passes(seed: int) -> bool:
    run = _challenge("example", seed)
    return (run.passed and run.final_val_accuracy >= plateau_challenge.VAL_TARGET + VAL_MARGIN
            and run.final_train_accuracy <= plateau_challenge.TRAIN_CEILING - TRAIN_MARGIN)


def _baseline_stalls(seed: int = 0) -> bool:
    """The baseline climbs over its first four epochs, then moves up and down without
    settling, and ends below the target."""
    accuracy = _challenge("baseline", seed).val_accuracy
    later = np.diff(accuracy[4:])
    return (accuracy[3] > accuracy[0] + 0.1 and bool(np.any(later < 0))
            and accuracy[-1] < plateau_challenge.VAL_TARGET)


def _clean_labels() -> float:
    data = plateau_challenge.challenge_data()
    return float(np.mean(data.y_train == data.y_train_clean))


CLAIMS = (
    # §1
    Claim("ps05.adam_first_step", "both coordinates move by 0.1 on Adam's first step, whatever "
          "the size of their gradient", compute=_adam_first_step,
          write=lambda moves: f"{moves[0]:.1g}",
          holds=lambda moves: all(math.isclose(m, 0.1, rel_tol=1e-6) for m in moves)),
    # §2
    Claim("ps05.regression_points", "the regression of ps01 has 100 points",
          compute=lambda: linear_regression_data()[0].shape[0]),
    Claim("ps05.smallest_lr", "the sweep's smallest lr is 0.001", compute=lambda: SMALLEST_LR,
          write=lambda lr: f"{lr:g}", holds=lambda lr: lr in SWEEP_LRS),
    Claim("ps05.no_optimizer_good_everywhere", "no optimiser is good at every lr",
          compute=_no_optimizer_good_everywhere, holds=bool, paths=TORCH_PATHS),
    Claim("ps05.adam_still_above", "with lr 0.001 Adam's loss is still above 4 after 100 epochs",
          compute=lambda: _final("adam", SMALLEST_LR), write=lambda _l: f"{ADAM_STILL_ABOVE:g}",
          holds=lambda loss: loss > ADAM_STILL_ABOVE, paths=TORCH_PATHS),
    Claim("ps05.adam_weight_bound", "100 steps of at most 0.001 take w less than 0.1 from 0",
          compute=_adam_weight_after, write=lambda _w: f"{100 * SMALLEST_LR:g}",
          holds=lambda w: w < 100 * SMALLEST_LR),
    Claim("ps05.momentum_gets_somewhere", "at lr 0.001 SGD with momentum is the one that gets "
          "somewhere", compute=_momentum_alone, holds=bool, paths=TORCH_PATHS),
    # §3: the data and the net
    Claim("ps05.n_points", "2000 points", compute=lambda: sum(
        getattr(classification, n) for n in ("N_TRAIN", "N_VAL", "N_TEST")),
          holds=lambda n: n == sum(len(a) for a in (classification.quantiles_split().y_train,
                                                    classification.quantiles_split().y_val,
                                                    classification.quantiles_split().y_test))),
    Claim("ps05.n_train", "1120 points to train on", compute=lambda: classification.N_TRAIN,
          holds=lambda n: n == len(classification.quantiles_split().y_train)),
    Claim("ps05.n_val", "280 to watch during training", compute=lambda: classification.N_VAL,
          holds=lambda n: n == len(classification.quantiles_split().y_val)),
    Claim("ps05.n_test", "600 to test at the end", compute=lambda: classification.N_TEST,
          holds=lambda n: n == len(classification.quantiles_split().y_test)),
    # §3.4: reading fig_boundaries
    Claim("ps05.flat_colour", "with lr 0.5 the net predicts one class everywhere: a flat colour",
          compute=lambda seed=NOTEBOOK_SEED: _probability_range("lr 0.5", seed),
          holds=lambda r: r[1] - r[0] < FLAT_SPREAD, seeds=RUN_SEEDS, paths=TORCH_PATHS),
    Claim("ps05.start_band_low", "with lr 1e-5 P(y = 1) stays between 0.4 and 0.6 everywhere",
          compute=lambda seed=NOTEBOOK_SEED: _probability_range("lr 1e-05", seed),
          write=lambda _r: f"{START_BAND[0]:g}",
          holds=lambda r: START_BAND[0] < r[0] and r[1] < START_BAND[1], seeds=RUN_SEEDS,
          paths=TORCH_PATHS),
    Claim("ps05.start_band_high", "… and 0.6", compute=lambda: START_BAND[1],
          write=lambda high: f"{high:g}"),
    Claim("ps05.small_lr_accuracy", "with lr 0.005 it finds the circle: 98 % of the test points",
          compute=lambda seed=NOTEBOOK_SEED: _run("lr 0.005", seed).test_accuracy,
          write=lambda accuracy: f"{round(100 * accuracy)} %",
          holds=lambda accuracy: accuracy > 0.93, seeds=RUN_SEEDS, paths=TORCH_PATHS),
    Claim("ps05.plateau_accuracy", "the plateau run classifies 0.998 of the test points",
          compute=lambda: _run(PLATEAU, NOTEBOOK_SEED).test_accuracy, write=_per_mille,
          holds=lambda accuracy: accuracy > 0.99, paths=TORCH_PATHS),
    Claim("ps05.control_accuracy", "its control classifies the same share, 0.998",
          compute=lambda: _run(CONTROL, NOTEBOOK_SEED).test_accuracy, write=_per_mille,
          holds=lambda accuracy: accuracy == _run(PLATEAU, NOTEBOOK_SEED).test_accuracy,
          paths=TORCH_PATHS),
    Claim("ps05.plateau_control_gap", "over seeds 0–4 the two differ by at most 2 points",
          compute=_gap, write=lambda _gap: f"{round(100 * GAP_BOUND)}",
          holds=lambda gap: gap <= GAP_BOUND, seeds=RUN_SEEDS, paths=TORCH_PATHS),
    # §3.5: what the cuts change
    Claim("ps05.first_cut", "the plateau rule first cuts the lr at epoch 47",
          compute=_first_cut, holds=lambda epoch: 40 < epoch < 60, paths=TORCH_PATHS),
    Claim("ps05.same_run_until_cut", "until the first cut the two runs are the same run",
          compute=_identical_until_cut, holds=bool, seeds=RUN_SEEDS, paths=TORCH_PATHS),
    Claim("ps05.tail_epochs", "over the last 50 epochs", compute=lambda: TAIL_EPOCHS,
          holds=lambda n: n < RUNS[PLATEAU]["epochs"] - _first_cut()),
    _steadier_claim("ps05.tail_mean_plateau", "over the last 50 epochs the plateau run's "
                    "validation loss averages 0.022, less than its control's on every seed 0–4",
                    0, seeds=RUN_SEEDS),
    _steadier_claim("ps05.tail_mean_control", "… against 0.039 for the control", 1),
    _steadier_claim("ps05.tail_spread_plateau", "its spread (standard deviation) is 0.006, "
                    "smaller than the control's on every seed 0–4", 2, seeds=RUN_SEEDS),
    _steadier_claim("ps05.tail_spread_control", "… against 0.022 for the control", 3),
    # §4: the challenge
    Claim("ps05.noisy_fraction", "30 % of the training labels were replaced by a random digit",
          compute=lambda: plateau_challenge.NOISE_FRACTION, write=lambda f: f"{round(100 * f)}",
          holds=lambda f: abs(1 - _clean_labels() - f * 0.9) < 0.02),
    Claim("ps05.clean_fraction", "about 72 % of the training labels are right",
          compute=_clean_labels, write=lambda f: f"{round(100 * f)} %",
          holds=lambda f: 0.7 < f < 0.75),
    Claim("ps05.val_target", "VAL_TARGET = 0.95", compute=lambda: plateau_challenge.VAL_TARGET,
          write=lambda v: f"{v:g}"),
    Claim("ps05.train_ceiling", "TRAIN_CEILING = 0.78",
          compute=lambda: plateau_challenge.TRAIN_CEILING, write=lambda v: f"{v:g}",
          holds=lambda ceiling: ceiling > _clean_labels()),
    Claim("ps05.baseline_stalls", "the baseline's validation accuracy climbs for the first "
          "epochs, then moves up and down without settling, and ends below the target",
          compute=_baseline_stalls, holds=bool, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps05.visible_seed", "the check runs your configuration with seed 0",
          compute=lambda: CHALLENGE_SEED_VISIBLE),
    Claim("ps05.example_config_passes", "the example config of help(lrcore.plateau_challenge) "
          "passes with every seed the grader runs, with a margin",
          compute=lambda: all(_example_passes(seed) for seed in GRADER_SEEDS), holds=bool,
          paths=TORCH_PATHS),
    Claim("ps05.baseline_fails_graded_seeds", "the constant-lr baseline fails with every seed "
          "the grader runs", compute=lambda: [_challenge("baseline", s).passed
                                              for s in GRADER_SEEDS],
          holds=lambda passed: not any(passed), paths=TORCH_PATHS),
    Claim("ps05.max_lr", "an lr from 0 to 10", compute=lambda: challenge_config.LR.high,
          write=lambda high: f"{high:g}"),
    Claim("ps05.max_patience", "ReduceLROnPlateau's patience and cooldown from 0 to 10",
          compute=lambda: challenge_config.SCHEDULER_OPTIONS["ReduceLROnPlateau"][0]
          ["patience"].high, write=lambda high: f"{high:g}",
          holds=lambda high: high == challenge_config.SCHEDULER_OPTIONS["ReduceLROnPlateau"]
          [0]["cooldown"].high),
    Claim("ps05.max_steps", "step sizes and periods from 1 to 450",
          compute=lambda: challenge_config.MAX_STEPS,
          holds=lambda steps: steps == plateau_challenge.EPOCHS
          * plateau_challenge.STEPS_PER_EPOCH),
    # §5: the explorer
    Claim("ps05.flat_start_loss", "the flat start's loss ln 2 ≈ 0.69",
          compute=lambda: math.log(2), write=lambda loss: f"{loss:.2f}"),
    Claim("ps05.flat_start", "plain SGD and momentum stay on the flat start for 20 epochs at "
          "lr 0.001, 0.1 and 1", compute=lambda: min(
              _lowest_val_loss(optimizer, lr) for optimizer in ("sgd", "momentum")
              for lr in FLAT_LRS), write=lambda _l: f"{FLAT_LRS[-1]:g}",
          holds=lambda lowest: lowest > math.log(2) - 0.02, paths=TORCH_PATHS),
    Claim("ps05.adaptive_escape", "at lr 0.1 AdaGrad, RMSprop and Adam escape it",
          compute=lambda: max(_lowest_val_loss(optimizer, ESCAPE_LR)
                              for optimizer in ("adagrad", "rmsprop", "adam")),
          write=lambda _l: f"{ESCAPE_LR:g}", holds=lambda highest: highest < ESCAPED,
          paths=TORCH_PATHS),
)

PATH_SEEDS = (NOTEBOOK_SEED,)
"""The seeds on which the other numerical paths recompute a claim over seeds: every run of
ps05 a student's CPU computes — the notebook's and the optimiser explorer's — uses seed 1; the
other seeds are checked on the default path."""

SETTINGS: tuple[tuple[Exemption, Callable[[], Any]], ...] = (
    (Exemption("0.001", "the sweep's smallest lr, min(SWEEP_LRS)"), lambda: SMALLEST_LR),
    (Exemption("0.005", "the lr of the run 'lr 0.005' of CLASSIFIER_RUNS"),
     lambda: RUNS["lr 0.005"]["lr"]),
    (Exemption("1e-5", "the lr of the run 'lr 1e-05' of CLASSIFIER_RUNS"),
     lambda: RUNS["lr 1e-05"]["lr"]),
    (Exemption("0.05", "the lr of the plateau run and of its control"),
     lambda: RUNS[CONTROL]["lr"] if RUNS[CONTROL]["lr"] == RUNS[PLATEAU]["lr"] else None),
    (Exemption("50", "the epochs of the three constant-lr runs of 50 epochs"),
     lambda: RUNS["lr 0.5"]["epochs"]),
    (Exemption("1.5", "the half-width of the square the boundaries are drawn on, GRID_LIMIT"),
     lambda: classification.GRID_LIMIT),
    (Exemption("32", "the hidden units of both nets and the challenge's batch size"),
     lambda: 32 if classification.HIDDEN_UNITS == plateau_challenge.HIDDEN_UNITS
     == plateau_challenge.BATCH_SIZE == 32 else None),
    (Exemption("64", "the challenge net's inputs, the 8×8 pixels of a digit"),
     lambda: plateau_challenge.challenge_data().X_train.shape[1]),
)
"""Exemptions that are settings of the course, with where each value comes from."""

EXEMPT = (*(exemption for exemption, _source in SETTINGS),)
