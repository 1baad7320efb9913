"""The numbers and comparisons ps03's text states, as claims (`autograder.claims`).

Each claim computes its value with `lrcore` — the gradient noise at the initial weights (numpy,
over seeds 0–4), the four batch-size sweeps and the two range tests of the digits network
(float32 torch, over seeds 0–4 and on every numerical path) — and says what must hold for its
sentence to stay true. The notebook's runs use seed 0 (`NOTEBOOK_SEED`), so a claim over seeds
quotes seed 0's value and holds on all five; a claim about "every seed" or about which seeds do
what computes all five at once.

A claim about a torch-trained run is written in a form that is the same on every numerical path
(a rounded value, or the bound the sentence states): `release` writes the text on whatever CPU
it runs on. `ACROSS_PATHS` holds the sentences about reproducibility itself — what must agree
between the numerical paths — and `SETTINGS` the exemptions that are settings of the experiment,
each with where its value comes from (the claims tests compare them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from autograder.claims import NUMERICAL_PATHS, SEEDS, Claim, Exemption
from lrchecks.ps03.sweep_figure import SWEEP_SETTINGS
from lrcore import batch_size, digits

__all__ = ["CLAIMS", "EXEMPT", "SETTINGS", "ACROSS_PATHS"]

TORCH_PATHS = tuple(NUMERICAL_PATHS)
NOTEBOOK_SEED = 0
"""The seed of every run the notebook shows (`train`'s default)."""
BATCHES = digits.BATCH_SIZES
BASE = digits.BASE_BATCH_SIZE


def _percent(value: float) -> str:
    return f"{round(100 * value)} %"


def _lr(rule: Callable[..., float], batch: int) -> float:
    return rule(digits.BASE_LR, batch, BASE)


def _written_lr(value: float) -> str:
    return f"{value:.2g}"


def _scaled_lr(claim: str, sentence: str, rule: Callable[..., float], batch: int,
               written: float) -> Claim:
    """The claim that `rule` scales the notebook's base lr to `written` at `batch`."""
    return Claim(claim, sentence, compute=lambda: _lr(rule, batch), write=_written_lr,
                 holds=lambda lr: math.isclose(lr, written))


def _seeds(seeds: Sequence[int]) -> str:
    """Seeds as the text names them: "4", "0 and 1", "2–4"."""
    ordered = [str(seed) for seed in sorted(seeds)]
    if len(ordered) > 2 and sorted(seeds) == list(range(min(seeds), max(seeds) + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return " and ".join([", ".join(ordered[:-1]), ordered[-1]]) if len(ordered) > 1 else (
        ordered[0])


# --- §1: gradient noise at the initial weights ------------------------------------------------

@cache
def _noise(seed: int) -> digits.GradientNoise:
    return digits.gradient_noise(BATCHES, seed=seed)


def _ratio_16_256(values: Sequence[float]) -> float:
    return values[BATCHES.index(16)] / values[BATCHES.index(256)]


NOISE_RATIO_SPREAD = 0.15
"""The text says a measurement of the 16 → 256 ratio lies within this of the formula's."""


def _measured_vs_predicted(seed: int = NOTEBOOK_SEED) -> float:
    noise = _noise(seed)
    return abs(_ratio_16_256(noise.measured) / _ratio_16_256(noise.predicted) - 1)


# --- §4: the four sweeps ----------------------------------------------------------------------

@cache
def _sweeps(seed: int) -> dict[str, dict[int, Any]]:
    """{sweep name: {batch: run}}: the four sweeps of fig_batch_size on `seed`."""
    return {name: digits.batch_size_sweep(BATCHES, rule, warmup, seed=seed)
            for name, (rule, warmup) in SWEEP_SETTINGS.items()}


def _loss(seed: int, sweep: str, batch: int) -> float:
    return _sweeps(seed)[sweep][batch].final_train_loss


def _accuracy(seed: int, sweep: str, batch: int) -> float:
    return _sweeps(seed)[sweep][batch].final_test_accuracy


def _loss_ratio(seed: int, sweep: str, batch: int) -> float:
    """A final loss against batch 16's without scaling (the run the others are compared with)."""
    return _loss(seed, sweep, batch) / _loss(seed, "no scaling", BASE)


def _by_seed(function: Callable[[int], Any]) -> dict[int, Any]:
    return {seed: function(seed) for seed in SEEDS}


def _distinct_runs() -> int:
    """The runs the four sweeps train: (batch, lr as torch applies it, warmup steps), each once."""
    return len({(b, run.lr, run.warmup_steps) for runs in _sweeps(NOTEBOOK_SEED).values()
                for b, run in runs.items()})


def _rising(values: Sequence[float]) -> bool:
    return all(a < b for a, b in zip(values, values[1:], strict=False))


LINEAR_HOLDS_UP_TO = 64
"""The largest batch at which the text says the linear rule matches batch 16 on every seed."""
LINEAR_MATCH_FACTOR = 1.7
"""… within this factor of batch 16's final loss."""
SLIP_FACTOR = 2.0
"""A final loss more than this factor above batch 16's: the rule has slipped."""
BROKEN_ACCURACY = 0.6
"""At batch 256 the linear rule ends below this test accuracy on every seed."""
RESCUED_ACCURACY = 0.85
"""A warmed-up run at batch 256 above this test accuracy is rescued; below `NOT_RESCUED`,
it is not."""
NOT_RESCUED = 0.5
CHANCE_BOUND = 0.15
"""At batch 512 the linear rule, with or without warmup, ends below this (chance: 0.1)."""
SQRT_FLOOR = 0.75
"""At batch 256 and 512 the square-root rule stays above this test accuracy on every seed."""


def _rescued() -> dict[int, float]:
    """The warmed-up linear run at batch 256: its test accuracy on each seed."""
    return _by_seed(lambda s: _accuracy(s, "linear + warmup", 256))


def _rescued_seeds(accuracies: Mapping[int, float]) -> tuple[int, ...]:
    return tuple(s for s, a in accuracies.items() if a > RESCUED_ACCURACY)


def _not_rescued_seeds(accuracies: Mapping[int, float]) -> tuple[int, ...]:
    return tuple(s for s, a in accuracies.items() if a < NOT_RESCUED)


def _warmup_worse_seeds() -> tuple[int, ...]:
    """Seeds on which the warmed-up run at batch 256 ends below the run without warmup."""
    return tuple(s for s in SEEDS if _accuracy(s, "linear + warmup", 256)
                 < _accuracy(s, "linear", 256))


def _slipping_at_128() -> dict[int, float]:
    return {s: _loss_ratio(s, "linear", 128) for s in SEEDS
            if _loss_ratio(s, "linear", 128) > SLIP_FACTOR}


def _sqrt_only_one_above_floor() -> bool:
    """At batch 256 and 512 the square-root sweep stays above SQRT_FLOOR on every seed, and each
    other sweep falls below it on some seed."""
    def lowest(sweep: str) -> float:
        return min(_accuracy(s, sweep, b) for s in SEEDS for b in (256, 512))

    return lowest("square root") > SQRT_FLOOR and all(
        lowest(sweep) < SQRT_FLOOR for sweep in SWEEP_SETTINGS if sweep != "square root")


# --- §4: the two runs at batch 256 (cell after the figure) ------------------------------------

def _run_256(seed: int, warmed: bool) -> Any:
    return _sweeps(seed)["linear + warmup" if warmed else "linear"][256]


def _rises(values: Sequence[float]) -> int:
    return sum(b > a for a, b in zip(values, values[1:], strict=False))


BOUNCE_LOW, BOUNCE_HIGH = 1.0, 2.0
"""Without warmup the seed-0 run at batch 256 stays above 1 and reaches a little over 2."""
AGREEING_EPOCHS = 6
"""The unstable run agrees on every numerical path for this many epochs."""


def _unstable_agrees(values_by_path: Mapping[str, Sequence[float]]) -> bool:
    losses = np.array(list(values_by_path.values()), dtype=float)
    return bool(np.ptp(losses[:, :AGREEING_EPOCHS], axis=0).max() < 0.01)


def _settled_agrees(values_by_path: Mapping[str, Sequence[float]]) -> bool:
    losses = np.array(list(values_by_path.values()), dtype=float)
    return bool(np.ptp(losses, axis=0).max() < 0.02)


# --- §5: the range tests ------------------------------------------------------------------------

@cache
def _range_test(seed: int, batch: int) -> Any:
    return digits.digits_range_test(batch, seed, **digits.RANGE_TEST_OPTIONS)


FLAT_UP_TO = 0.05
"""The lr up to which the text says both range-test curves stay flat …"""
FLAT_WITHIN = 0.10
"""… within this fraction of their first smoothed loss."""
RANGE_BATCHES = digits.RANGE_TEST_BATCH_SIZES


def _flatness(seed: int = NOTEBOOK_SEED) -> float:
    """How far (relative) either curve moves from its start while lr ≤ FLAT_UP_TO."""
    moves = []
    for batch in RANGE_BATCHES:
        result = _range_test(seed, batch)
        early = np.asarray(result.smoothed)[np.asarray(result.lrs) <= FLAT_UP_TO]
        moves.append(float(np.max(np.abs(early / early[0] - 1))))
    return max(moves)


def _minima(seed: int = NOTEBOOK_SEED) -> tuple[float, ...]:
    return tuple(_range_test(seed, batch).best_lr for batch in RANGE_BATCHES)


def _all_minima() -> list[float]:
    return [lr for seed in SEEDS for lr in _minima(seed)]


def _climbs_back(seed: int = NOTEBOOK_SEED) -> bool:
    """Neither test stops, and both end well above their minimum, near ln 10."""
    return all(not (r := _range_test(seed, b)).diverged and r.smoothed[-1] > 1.9
               and r.smoothed[-1] - np.min(r.smoothed) > 0.8
               and np.max(r.smoothed) < 4 * np.min(r.smoothed) for b in RANGE_BATCHES)


CLAIMS = (
    # §0–1: the data and the gradient noise
    Claim("ps03.n_train", "1437 training images", compute=lambda: digits.N_TRAIN,
          holds=lambda n: n == digits.digits_split().X_train.shape[0]),
    Claim("ps03.n_test", "360 test images", compute=lambda: digits.N_TEST,
          holds=lambda n: n == digits.digits_split().X_test.shape[0]),
    Claim("ps03.noise_ratio_predicted", "16 times the batch gives about 1/19 of the error, "
          "a little better than 1/16",
          compute=lambda: _ratio_16_256(_noise(NOTEBOOK_SEED).predicted),
          write=lambda ratio: f"{ratio:.0f}", holds=lambda ratio: 16 < ratio < 20),
    Claim("ps03.noise_ratio_spread", "your measurement lies within 15 % of the formula's ratio",
          compute=_measured_vs_predicted, write=lambda _v: f"{round(100 * NOISE_RATIO_SPREAD)}",
          holds=lambda deviation: deviation < NOISE_RATIO_SPREAD, seeds=SEEDS),
    Claim("ps03.noise_scale_start", "B_simple ≈ 79 at the initial weights, so batches 256 and "
          "512 are well above it (at least three times)",
          compute=lambda seed=NOTEBOOK_SEED: _noise(seed).noise_scale,
          write=lambda scale: f"{scale:.0f}",
          holds=lambda scale: scale > 40 and 3 * scale <= 256, seeds=SEEDS),
    # §3–4: the scaled lrs and the steps they take
    _scaled_lr("ps03.linear_lr_64", "the linear rule's lr at batch 64",
               batch_size.linear_scaled_lr, 64, 0.4),
    _scaled_lr("ps03.linear_lr_128", "the linear rule's lr at batch 128",
               batch_size.linear_scaled_lr, 128, 0.8),
    _scaled_lr("ps03.linear_lr_256", "the linear rule's lr at batch 256",
               batch_size.linear_scaled_lr, 256, 1.6),
    _scaled_lr("ps03.linear_lr_512", "a scaled learning rate can be large: 3.2 at batch 512",
               batch_size.linear_scaled_lr, 512, 3.2),
    _scaled_lr("ps03.sqrt_lr_256", "the square-root rule's lr at batch 256",
               batch_size.sqrt_scaled_lr, 256, 0.4),
    Claim("ps03.steps_512", "batch 512 takes 30 steps in the 10 epochs",
          compute=lambda: digits.EPOCHS * digits.steps_per_epoch(512),
          holds=lambda steps: steps == len(_sweeps(NOTEBOOK_SEED)["no scaling"][512].step_lrs)),
    Claim("ps03.steps_16", "batch 16 takes 900 steps in the 10 epochs",
          compute=lambda: digits.EPOCHS * digits.steps_per_epoch(16),
          holds=lambda steps: steps == len(_sweeps(NOTEBOOK_SEED)["no scaling"][16].step_lrs)),
    Claim("ps03.step_ratio_512", "batch 512 takes 30 times fewer steps than batch 16",
          compute=lambda: digits.steps_per_epoch(16) / digits.steps_per_epoch(512),
          write=lambda ratio: f"{ratio:.0f}", holds=lambda ratio: ratio == 30),
    Claim("ps03.sqrt_lr_ratio_512", "the square-root rule's lr at 512 is only 5.7 times "
          "batch 16's",
          compute=lambda: _lr(batch_size.sqrt_scaled_lr, 512) / digits.BASE_LR,
          write=lambda ratio: f"{ratio:.1f}", holds=lambda ratio: ratio < 30),
    Claim("ps03.warmup_steps_256", "the 2-epoch warmup at batch 256 lasts 12 steps",
          compute=lambda: _run_256(NOTEBOOK_SEED, warmed=True).warmup_steps,
          holds=lambda steps: steps == digits.WARMUP_EPOCHS * math.ceil(digits.N_TRAIN / 256)),
    Claim("ps03.distinct_runs", "the four sweeps train 22 different runs; the batch-16 run at "
          "lr 0.1 without warmup is shared by three of them",
          compute=_distinct_runs, holds=lambda n: n == 4 * len(BATCHES) - 2),
    # §4: reading fig_batch_size
    Claim("ps03.no_scaling_climbs", "without scaling, every doubling of the batch makes the "
          "final loss climb", compute=lambda seed=0: [_loss(seed, "no scaling", b)
                                                      for b in BATCHES],
          holds=_rising, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.no_scaling_512_accuracy", "without scaling, batch 512 ends at 44 % test "
          "accuracy", compute=lambda seed=0: _accuracy(seed, "no scaling", 512),
          write=_percent, holds=lambda accuracy: 0.25 < accuracy < 0.6, seeds=SEEDS,
          paths=TORCH_PATHS),
    Claim("ps03.linear_match_factor", "with the linear rule the final loss stays within 1.7 "
          "times batch 16's up to batch 64, on every seed",
          compute=lambda seed=0: max(_loss_ratio(seed, "linear", b) for b in BATCHES
                                     if b <= LINEAR_HOLDS_UP_TO),
          write=lambda _ratio: f"{LINEAR_MATCH_FACTOR:g}",
          holds=lambda ratio: ratio < LINEAR_MATCH_FACTOR, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.linear_128_this_seed", "at batch 128 the linear rule still holds on this seed",
          compute=lambda: _loss_ratio(NOTEBOOK_SEED, "linear", 128),
          holds=lambda ratio: ratio < 1.5, paths=TORCH_PATHS),
    Claim("ps03.linear_128_slips", "at batch 128 the linear rule slips on seeds 3 and 4",
          compute=lambda: tuple(_slipping_at_128()), write=_seeds,
          holds=lambda seeds: seeds == (3, 4), paths=TORCH_PATHS),
    Claim("ps03.linear_128_ratio", "on those seeds the loss at batch 128 is 2.6 and 3.9 times "
          "batch 16's", compute=lambda: tuple(_slipping_at_128().values()),
          write=lambda ratios: " and ".join(f"{ratio:.1f}" for ratio in ratios),
          holds=lambda ratios: all(2 < r < 4 for r in ratios), paths=TORCH_PATHS),
    Claim("ps03.linear_256_broken", "at batch 256 the linear rule breaks on every seed: test "
          "accuracy below 60 %",
          compute=lambda seed=0: _accuracy(seed, "linear", 256),
          write=lambda _a: _percent(BROKEN_ACCURACY),
          holds=lambda accuracy: accuracy < BROKEN_ACCURACY, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.warmup_256_accuracy", "a warmup rescues batch 256 on this seed: 89 %",
          compute=lambda: _accuracy(NOTEBOOK_SEED, "linear + warmup", 256), write=_percent,
          holds=lambda accuracy: accuracy > RESCUED_ACCURACY, paths=TORCH_PATHS),
    Claim("ps03.warmup_256_rescued", "over seeds 0–4 the warmup rescues batch 256 on seeds 0 "
          "and 1 only", compute=lambda: _rescued_seeds(_rescued()), write=_seeds,
          holds=lambda seeds: seeds == (0, 1), paths=TORCH_PATHS),
    Claim("ps03.warmup_256_not_rescued", "on seeds 2–4 the warmed-up run ends below 50 %",
          compute=lambda: _not_rescued_seeds(_rescued()), write=_seeds,
          holds=lambda seeds: seeds == (2, 3, 4), paths=TORCH_PATHS),
    Claim("ps03.warmup_256_not_rescued_bound", "… below 50 %",
          compute=lambda: max(_rescued()[s] for s in _not_rescued_seeds(_rescued())),
          write=lambda _a: _percent(NOT_RESCUED), holds=lambda a: a < NOT_RESCUED,
          paths=TORCH_PATHS),
    Claim("ps03.warmup_256_worse", "on seeds 3 and 4 the warmed-up run ends lower than the "
          "run without warmup", compute=_warmup_worse_seeds, write=_seeds,
          holds=lambda seeds: seeds == (3, 4), paths=TORCH_PATHS),
    Claim("ps03.batch_512_chance", "at batch 512 nothing saves the linear rule: below 15 % "
          "test accuracy, chance level, with or without warmup, on every seed",
          compute=lambda seed=0: max(_accuracy(seed, sweep, 512)
                                     for sweep in ("linear", "linear + warmup")),
          write=lambda _a: _percent(CHANCE_BOUND), holds=lambda a: a < CHANCE_BOUND,
          seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.sqrt_floor", "at batch 256 and 512 the square-root rule is the only sweep "
          "above 75 % test accuracy on every seed",
          compute=_sqrt_only_one_above_floor, write=lambda _v: _percent(SQRT_FLOOR),
          holds=lambda only: only, paths=TORCH_PATHS),
    Claim("ps03.sqrt_loss_grows", "the square-root rule's final loss grows with the batch; at "
          "512 it is 5 times batch 16's",
          compute=lambda seed=0: [_loss(seed, "square root", b) for b in BATCHES],
          write=lambda losses: f"{losses[-1] / losses[0]:.0f}",
          holds=lambda losses: _rising(losses) and losses[-1] > 3 * losses[0],
          seeds=SEEDS, paths=TORCH_PATHS),
    # §4: the two runs at batch 256, epoch by epoch (seed 0, printed by the notebook)
    Claim("ps03.bounce_low", "without warmup the loss stays above 1 from the first epoch on "
          "and is still above it after ten epochs",
          compute=lambda: list(_run_256(NOTEBOOK_SEED, warmed=False).train_loss),
          write=lambda _l: f"{BOUNCE_LOW:g}", holds=lambda losses: min(losses) > BOUNCE_LOW,
          paths=TORCH_PATHS),
    Claim("ps03.bounce_high", "… and reaches a little over 2",
          compute=lambda: max(_run_256(NOTEBOOK_SEED, warmed=False).train_loss),
          write=lambda _l: f"{BOUNCE_HIGH:g}",
          holds=lambda highest: BOUNCE_HIGH < highest < BOUNCE_HIGH + 0.3, paths=TORCH_PATHS),
    Claim("ps03.warmup_rises", "with warmup the loss falls, but rises twice on the way",
          compute=lambda: _rises(_run_256(NOTEBOOK_SEED, warmed=True).train_loss),
          write=lambda n: {1: "once", 2: "twice"}.get(n, f"{n} times"),
          holds=lambda n: n == 2, paths=TORCH_PATHS),
    Claim("ps03.warmup_final_loss", "with warmup the loss ends at 0.28",
          compute=lambda: _run_256(NOTEBOOK_SEED, warmed=True).final_train_loss,
          write=lambda loss: f"{loss:.2f}",
          holds=lambda loss: loss < 0.35 and loss == min(
              _run_256(NOTEBOOK_SEED, warmed=True).train_loss), paths=TORCH_PATHS),
    Claim("ps03.unstable_agrees_until", "your run without warmup may differ from a classmate's "
          "after epoch 6; the warmed-up run agrees to two digits everywhere",
          compute=lambda: AGREEING_EPOCHS),
    Claim("ps03.unstable_run_losses", "the run without warmup at batch 256, epoch by epoch "
          "(compared across the numerical paths by ACROSS_PATHS)",
          compute=lambda: list(_run_256(NOTEBOOK_SEED, warmed=False).train_loss),
          holds=lambda losses: len(losses) == digits.EPOCHS, paths=TORCH_PATHS),
    Claim("ps03.settled_run_losses", "the warmed-up run at batch 256, epoch by epoch (compared "
          "across the numerical paths by ACROSS_PATHS)",
          compute=lambda: list(_run_256(NOTEBOOK_SEED, warmed=True).train_loss),
          holds=lambda losses: len(losses) == digits.EPOCHS, paths=TORCH_PATHS),
    # §5: the range tests
    Claim("ps03.range_flat", "both curves stay within 10 % of their start up to lr 0.05",
          compute=_flatness, write=lambda _v: f"{round(100 * FLAT_WITHIN)}",
          holds=lambda move: move < FLAT_WITHIN, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.range_min_16", "the batch-16 curve reaches its minimum at lr ≈ 0.8",
          compute=lambda: _minima()[0], write=lambda lr: f"{lr:.1f}",
          holds=lambda lr: 0.7 < lr < 0.9, paths=TORCH_PATHS),
    Claim("ps03.range_min_256", "the batch-256 curve reaches its minimum at lr ≈ 1.5",
          compute=lambda: _minima()[1], write=lambda lr: f"{lr:.1f}",
          holds=lambda lr: 1.4 < lr < 1.6, paths=TORCH_PATHS),
    Claim("ps03.range_climbs_back", "both curves climb back towards ln 10 and never reach 4× "
          "their best, so the tests run to the end", compute=_climbs_back,
          holds=lambda climbs: climbs, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps03.uniform_loss", "ln 10 ≈ 2.3, the loss of a network that guesses uniformly",
          compute=lambda: math.log(10), write=lambda loss: f"{loss:.1f}",
          holds=lambda loss: math.isclose(loss, -math.log(1 / 10))),
    Claim("ps03.range_suggestion_16", "the batch-16 suggestion is 0.08",
          compute=lambda: _range_test(NOTEBOOK_SEED, 16).suggestion,
          write=lambda lr: f"{lr:.2f}", holds=lambda lr: 0.07 < lr < 0.09, paths=TORCH_PATHS),
    Claim("ps03.range_suggestion_256", "the batch-256 suggestion is 0.15",
          compute=lambda: _range_test(NOTEBOOK_SEED, 256).suggestion,
          write=lambda lr: f"{lr:.2f}", holds=lambda lr: 0.14 < lr < 0.16, paths=TORCH_PATHS),
    Claim("ps03.range_minima_low", "on seeds 0–4 the minima lie between lr 0.8 and 1.6",
          compute=lambda: min(_all_minima()), write=lambda lr: f"{lr:.1f}",
          holds=lambda lr: lr >= 0.75, paths=TORCH_PATHS),
    Claim("ps03.range_minima_high", "… up to 1.6, about the lr at which the linear rule broke "
          "at batch 256", compute=lambda: max(_all_minima()),
          write=lambda lr: f"{lr:.1f}",
          holds=lambda lr: lr <= 1.65 and f"{lr:.1f}" == _written_lr(
              _lr(batch_size.linear_scaled_lr, 256)), paths=TORCH_PATHS),
)

ACROSS_PATHS: Mapping[str, Callable[[Mapping[str, Any]], bool]] = {
    "ps03.unstable_run_losses": _unstable_agrees,
    "ps03.settled_run_losses": _settled_agrees,
}
"""Claims whose values must agree between the numerical paths (path → value): the run without
warmup for its first AGREEING_EPOCHS epochs (to 0.01), the warmed-up run everywhere (to 0.02)."""

SETTINGS: tuple[tuple[Exemption, Callable[[], Any]], ...] = (
    (Exemption("512", "the largest batch of the experiment, BATCH_SIZES[-1]"),
     lambda: max(BATCHES)),
    (Exemption("128", "a batch size of BATCH_SIZES"), lambda: 128 if 128 in BATCHES else None),
    (Exemption("64", "a batch size of BATCH_SIZES"), lambda: 64 if 64 in BATCHES else None),
    (Exemption("1e-3", "RANGE_TEST_OPTIONS' start_lr"),
     lambda: digits.RANGE_TEST_OPTIONS["start_lr"]),
    (Exemption("400", "RANGE_TEST_OPTIONS' num_iters, the length of the range tests"),
     lambda: digits.RANGE_TEST_OPTIONS["num_iters"]),
    (Exemption("0.05", "the lr up to which ps03.range_flat says the curves stay flat"),
     lambda: FLAT_UP_TO),
)
"""Exemptions that are settings of the experiment, with where each value comes from."""

EXEMPT = (
    *(exemption for exemption, _source in SETTINGS),
    Exemption("2015", "the year of Smith's paper on the range test (a citation)"),
    Exemption("2017", "the year of Goyal et al.'s paper (a citation)"),
    Exemption("2018", "the year of McCandlish et al.'s paper (a citation)"),
    Exemption("2022", "the year of Malladi et al.'s paper (a citation)"),
    Exemption("8192", "Goyal et al.'s largest batch, a figure from their paper"),
    Exemption("3.1", "a task's number (\"the formula of Task 3.1\")"),
    Exemption("7", "a section's number (\"the explorer of §7\")"),
    Exemption("5", "the number of a learning goal and of a step of the range test's recipe"),
    Exemption("1.5", "a stop factor to try in the range-test explorer"),
)
