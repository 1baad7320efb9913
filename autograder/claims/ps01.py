"""The numbers and comparisons ps01's text states, as claims (`autograder.claims`).

Each claim computes its value with `lrcore` — the published x² runs, the regression sweep
(float32 torch: checked on every numerical path), the noisy gradient (numpy, over the noise
seeds 0–4) and the valley — and says what must hold for its sentence to stay true.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from autograder.claims import NUMERICAL_PATHS, SEEDS, Claim, Exemption
from lrchecks.values import DEFAULT_RTOL
from lrcore import curvature, noisy_gradient, quadratic, regression

__all__ = ["CLAIMS", "EXEMPT"]

TORCH_PATHS = tuple(NUMERICAL_PATHS)
PUBLISHED = {1.05: 3363.744384765625, 0.1: 5.764606952667236}
"""The published float32 results of the opening exercise (x0 = 500, 20 iterations)."""


def _arrow(values: tuple[int, ...]) -> str:
    return " → ".join(map(str, values))


def _differences(values: tuple[int, ...]) -> list[int]:
    return [later - earlier for earlier, later in zip(values, values[1:], strict=False)]


# --- §2–4: the x² runs ------------------------------------------------------------------------

def _published_x(lr: float) -> float:
    return quadratic.optimize(lr, 20, 500.0)[0][-1]


def _float32_gap() -> float:
    """|float64 / float32 − 1| of x after 20 steps of lr = 1.05 (the notebook's printout)."""
    return abs(quadratic.gradient_descent(1.05, 20, 500.0)[-1] / _published_x(1.05) - 1)


FLOAT32_GAP_BOUND = 3e-6
"""The text says float32 and float64 differ by less than this (relative) after 20 steps."""
FAR_STARTS = (5.0, 500.0, 50_000.0)


def _far_start_steps() -> tuple[int, ...]:
    return tuple(quadratic.iterations_to_tolerance(0.1, x0) or 0 for x0 in FAR_STARTS)


def _steps_per_hundredfold() -> float:
    """Steps that divide |x| by 100 at lr = 0.1: log(100) / log(1/|1 − 2·0.1|)."""
    return math.log(100) / -math.log(abs(quadratic.contraction_factor(0.1)))


def _same_line() -> tuple[float, float, float]:
    """The factors of lr = 0.1 and lr = 0.9, and how far apart their |x| runs are."""
    slow = np.abs(quadratic.optimize(0.1, 20, 500.0)[0])
    zigzag = np.abs(quadratic.optimize(0.9, 20, 500.0)[0])
    return (quadratic.contraction_factor(0.1), quadratic.contraction_factor(0.9),
            float(np.max(np.abs(zigzag / slow - 1))))


# --- §5: the regression sweep ----------------------------------------------------------------

@cache
def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    return regression.linear_regression_data(seed=seed)


def _least_squares_floor(seed: int = 0) -> float:
    """The mean squared error of the best line through the data (float64 least squares)."""
    X, y = _data(seed)
    design = np.stack([X.reshape(-1).astype(float), np.ones(X.shape[0])], axis=1)
    target = y.reshape(-1).astype(float)
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    return float(np.mean((design @ coefficients - target) ** 2))


@cache
def _final_loss(seed: int, lr: float) -> float:
    X, y = _data(seed)
    return regression.train_linear_regression(X, y, lr, 100)[-1]


def _sweep_hessian_eigenvalues(seed: int = 0) -> tuple[float, float]:
    X, _ = _data(seed)
    low, high = np.linalg.eigvalsh(curvature.least_squares_hessian(X))
    return float(high), float(low)


def _sweep_stable_limit(seed: int = 0) -> float:
    X, _ = _data(seed)
    return curvature.largest_stable_lr(curvature.least_squares_hessian(X))


FLOOR_GAP_BOUND = 1e-3
"""The text says lr = 0.5 ends within this fraction of the least-squares floor."""


def _floor_gap(seed: int = 0) -> float:
    return _final_loss(seed, 0.5) / _least_squares_floor(seed) - 1


# --- §6: the noisy gradient --------------------------------------------------------------------

NOISY: dict[str, Any] = {"x0": 10.0, "std": 1.0, "steps": 1000, "runs": 200}
DECAY = {"lr0": 0.1, "tau": 10.0}


@cache
def _noisy_curve(seed: int, lr: float | None) -> np.ndarray:
    """The mean loss over the runs after each step: a constant lr, or the decaying one (None)."""
    noise = noisy_gradient.gradient_noise(NOISY["steps"], NOISY["runs"], NOISY["std"], seed)
    lrs = (noisy_gradient.inverse_time_lrs(NOISY["steps"], DECAY["lr0"], DECAY["tau"])
           if lr is None else np.full(NOISY["steps"], lr))
    return noisy_gradient.mean_loss_curve(lrs, NOISY["x0"], noise)


def _measured_floor(seed: int, lr: float) -> float:
    """The mean loss over the second half of the run: the floor the run settled at."""
    curve = _noisy_curve(seed, lr)
    return float(curve[curve.size // 2:].mean())


def _steps_to_floor(seed: int, lr: float) -> int:
    """The first step after which the mean loss is within twice the noise floor."""
    curve = _noisy_curve(seed, lr)
    return int(np.argmax(curve < 2 * noisy_gradient.noise_floor(lr))) + 1


def _decay_crossing(seed: int = 0) -> int:
    """The first step at which the decaying run's mean loss is below lr = 0.01's floor."""
    curve = _noisy_curve(seed, None)
    return int(np.argmax(curve < noisy_gradient.noise_floor(0.01))) + 1


def _stays_below_after_crossing(seed: int) -> bool:
    curve = _noisy_curve(seed, None)
    return bool(np.all(curve[_decay_crossing(seed) + 50:] < noisy_gradient.noise_floor(0.01)))


# --- §7: the valley ---------------------------------------------------------------------------

VALLEY: dict[str, Any] = {"curvatures": (1.0, 0.01), "start": (1.0, 1.0), "steps": 100}


def _valley_end(lr: float) -> np.ndarray:
    path = curvature.descent_2d(lr, VALLEY["steps"], VALLEY["start"], VALLEY["curvatures"])
    return np.abs(path[-1])


def _round_to(step: int) -> Callable[[float], str]:
    """How a count is written: rounded to `step` ("about 260 steps")."""
    return lambda value: str(int(round(value / step) * step))


CLAIMS = (
    Claim("ps01.published_x_lr105", "the published result for lr = 1.05 is x = "
          "3363.744384765625 (a run may differ in float32's last digits, within the tolerance)",
          compute=lambda: _published_x(1.05), write=lambda _x: repr(PUBLISHED[1.05]),
          holds=lambda x: math.isclose(x, PUBLISHED[1.05], rel_tol=DEFAULT_RTOL / 10),
          paths=TORCH_PATHS),
    Claim("ps01.published_x_lr01", "the published result for lr = 0.1 is x = 5.764606952667236",
          compute=lambda: _published_x(0.1), write=lambda _x: repr(PUBLISHED[0.1]),
          holds=lambda x: math.isclose(x, PUBLISHED[0.1], rel_tol=DEFAULT_RTOL / 10),
          paths=TORCH_PATHS),
    Claim("ps01.published_bits", "torch reproduces the published values to the last bit on the "
          "default numerical path",
          compute=lambda: (_published_x(1.05), _published_x(0.1)),
          holds=lambda xs: xs == (PUBLISHED[1.05], PUBLISHED[0.1])),
    Claim("ps01.float32_gap_bound", "float32 torch and float64 numpy differ by less than 3 parts "
          "in a million, well inside the grader's tolerance",
          compute=_float32_gap, write=lambda _gap: str(round(FLOAT32_GAP_BOUND * 1e6)),
          holds=lambda gap: gap < FLOAT32_GAP_BOUND < DEFAULT_RTOL, paths=TORCH_PATHS),
    Claim("ps01.relative_tolerance", "the grader compares with a relative tolerance of 1e-5",
          compute=lambda: DEFAULT_RTOL, write=lambda rtol: f"{rtol:.0e}".replace("e-0", "e-"),
          holds=lambda rtol: _float32_gap() < rtol),
    Claim("ps01.far_start_steps", "from 5, 500 and 50 000 the run needs 39 → 59 → 80 steps",
          compute=_far_start_steps, write=_arrow,
          holds=lambda steps: all(abs(d - _steps_per_hundredfold()) < 1
                                  for d in _differences(steps))),
    Claim("ps01.far_start_differences", "the counts grow by 20 and then 21",
          compute=lambda: tuple(_differences(_far_start_steps())),
          write=lambda diffs: " and then ".join(map(str, diffs)),
          holds=lambda diffs: all(abs(d - _steps_per_hundredfold()) < 1 for d in diffs)),
    Claim("ps01.steps_per_hundredfold", "about 20.6 more steps for every factor of 100",
          compute=_steps_per_hundredfold, write=lambda steps: f"{steps:.1f}",
          holds=lambda steps: sorted(set(_differences(_far_start_steps())))
          == [math.floor(steps), math.ceil(steps)]),
    Claim("ps01.factor_pair", "lr = 0.1 and lr = 0.9 draw the same |x| line: factors 0.8 and −0.8",
          compute=_same_line, write=lambda v: f"{v[0]:g} and {v[1]:g}".replace("-", "−"),
          holds=lambda v: v[0] == -v[1] and v[2] < DEFAULT_RTOL),
    Claim("ps01.diverged_x", "lr = 1.05 climbs to 3363.7",
          compute=lambda: _published_x(1.05), write=lambda x: f"{x:.1f}",
          holds=lambda x: math.isclose(x, 500 * 1.1**20, rel_tol=1e-5)),
    Claim("ps01.bounce", "lr = 1.0 bounces between ±500 forever",
          compute=lambda: quadratic.optimize(1.0, 20, 500.0)[0],
          holds=lambda xs: all(abs(x) == 500.0 for x in xs)
          and all(a == -b for a, b in zip(xs, xs[1:], strict=False))),
    Claim("ps01.least_squares_floor", "lr = 0.5 flattens at the least-squares floor, 0.0094, "
          "about the noise variance 0.01",
          compute=_least_squares_floor, write=lambda floor: f"{floor:.4f}",
          holds=lambda floor: 0.85 * 0.01 < floor < 0.01, seeds=SEEDS),
    Claim("ps01.floor_gap", "by epoch 100 the lr = 0.5 run is within 0.1 % of the floor",
          compute=_floor_gap, write=lambda _gap: f"{FLOOR_GAP_BOUND:.1%}".replace("%", " %"),
          holds=lambda gap: 0 <= gap < FLOOR_GAP_BOUND, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps01.sweep_lr01_final", "lr = 0.1 is still at 0.016 at epoch 100, above the floor",
          compute=lambda seed=0: _final_loss(seed, 0.1), write=lambda loss: f"{loss:.3f}",
          holds=lambda loss: loss > 1.5 * 0.0094, seeds=SEEDS, paths=TORCH_PATHS),
    Claim("ps01.sweep_diverges", "lr = 0.85 diverges while lr = 0.5 converges",
          compute=lambda seed=0: (_final_loss(seed, 0.85), _final_loss(seed, 0.5)),
          holds=lambda losses: losses[0] > 1e6 and losses[1] < 0.011, seeds=SEEDS,
          paths=TORCH_PATHS),
    Claim("ps01.sweep_stable_limit", "the sweep's largest stable lr is about 0.76, between 0.5 "
          "and 0.85",
          compute=_sweep_stable_limit, write=lambda limit: f"{limit:.2f}",
          holds=lambda limit: 0.5 < limit < 0.85, seeds=SEEDS),
    Claim("ps01.sweep_curvatures", "the regression's second derivatives along its main "
          "directions are 2.6 and 0.14: a valley",
          compute=_sweep_hessian_eigenvalues,
          write=lambda eig: f"{eig[0]:.1f} and {eig[1]:.2f}",
          holds=lambda eig: eig[0] / eig[1] > 10, seeds=SEEDS),
    Claim("ps01.floor_lr01", "lr = 0.1 stops falling at about 0.028, its noise floor",
          compute=lambda seed=0: _measured_floor(seed, 0.1), write=lambda f: f"{f:.3f}",
          holds=lambda f: math.isclose(f, noisy_gradient.noise_floor(0.1), rel_tol=0.05),
          seeds=SEEDS),
    Claim("ps01.steps_to_floor_lr01", "lr = 0.1 reaches its floor after about 20 steps",
          compute=lambda seed=0: _steps_to_floor(seed, 0.1), write=_round_to(10),
          holds=lambda steps: 10 <= steps < 30, seeds=SEEDS),
    Claim("ps01.floor_formula_lr01", "the noise floor lr·σ²/(4(1 − a·lr)) is 0.028 for lr = 0.1",
          compute=lambda: noisy_gradient.noise_floor(0.1), write=lambda f: f"{f:.3f}",
          holds=lambda f: math.isclose(f, 0.1 / (4 * 0.9))),
    Claim("ps01.floor_ratio", "lr = 0.01 stops about 11 times lower than lr = 0.1",
          compute=lambda seed=0: _measured_floor(seed, 0.1) / _measured_floor(seed, 0.01),
          write=lambda ratio: f"{ratio:.0f}", holds=lambda ratio: 9.5 < ratio < 12.5,
          seeds=SEEDS),
    Claim("ps01.steps_to_floor_lr001", "lr = 0.01 reaches its floor only after about 260 steps",
          compute=lambda seed=0: _steps_to_floor(seed, 0.01), write=_round_to(10),
          holds=lambda steps: 220 <= steps <= 300, seeds=SEEDS),
    Claim("ps01.lr0001_final", "after 1000 steps lr = 0.001's loss is still 1.8, far above its "
          "floor",
          compute=lambda seed=0: float(_noisy_curve(seed, 0.001)[-1]),
          write=lambda loss: f"{loss:.1f}",
          holds=lambda loss: loss > 100 * noisy_gradient.noise_floor(0.001), seeds=SEEDS),
    Claim("ps01.decay_crossing", "the decaying lr goes below lr = 0.01's floor from about step "
          "170 on (and stays below)",
          compute=lambda seed=0: (_decay_crossing(seed), _stays_below_after_crossing(seed)),
          write=lambda value: _round_to(10)(value[0]),
          holds=lambda value: 130 <= value[0] <= 200 and value[1], seeds=SEEDS),
    Claim("ps01.decay_final", "the decaying lr ends at 0.0003",
          compute=lambda seed=0: float(_noisy_curve(seed, None)[-1]),
          write=lambda loss: f"{loss:.1g}",
          holds=lambda loss: 2e-4 < loss < 4.5e-4, seeds=SEEDS),
    Claim("ps01.decay_vs_floor", "… 9 times below lr = 0.01's floor",
          compute=lambda seed=0: noisy_gradient.noise_floor(0.01)
          / float(_noisy_curve(seed, None)[-1]),
          write=lambda ratio: f"{ratio:.0f}", holds=lambda ratio: ratio > 5, seeds=SEEDS),
    Claim("ps01.valley_steep_steps", "with lr = 0.9 x needs 31 steps to |x| < 1e-3",
          compute=lambda: quadratic.iterations_to_tolerance(0.9, 1.0, 1e-3, a=1.0),
          holds=lambda steps: steps is not None and steps < 50),
    Claim("ps01.valley_flat_factor", "y shrinks by a factor 0.982 per step",
          compute=lambda: quadratic.contraction_factor(0.9, 0.01), write=lambda f: f"{f:.3f}",
          holds=lambda f: 0.98 < f < 0.99),
    Claim("ps01.valley_flat_left", "y is still at 0.16 after 100 steps",
          compute=lambda: float(_valley_end(0.9)[1]), write=lambda y: f"{y:.2f}",
          holds=lambda y: y > 0.1 and float(_valley_end(0.9)[0]) < 1e-6),
    Claim("ps01.valley_flat_steps", "y needs 381 steps to reach 1e-3",
          compute=lambda: quadratic.iterations_to_tolerance(0.9, 1.0, 1e-3, a=0.01),
          holds=lambda steps: steps is not None and steps > 10 * 31),
    Claim("ps01.valley_x_diverged", "with lr = 1.05 |x| has grown to 1.4e+04 after 100 steps",
          compute=lambda: float(_valley_end(1.05)[0]), write=lambda x: f"{x:.1e}",
          holds=lambda x: x > 1e3),
    Claim("ps01.valley_y_at_105", "… while y is at 0.12",
          compute=lambda: float(_valley_end(1.05)[1]), write=lambda y: f"{y:.2f}",
          holds=lambda y: 0.05 < y < float(_valley_end(0.9)[1])),
    Claim("ps01.valley_stable_limit", "the largest stable lr on the valley is 1/a_x = 1",
          compute=lambda: curvature.largest_stable_lr(
              curvature.valley_hessian(VALLEY["curvatures"])),
          write=lambda lr: f"{lr:g}", holds=lambda lr: 0.9 < lr < 1.05),
    Claim("ps01.valley_flat_alone", "the flat direction alone would take lr = 50",
          compute=lambda: 1 / (2 * VALLEY["curvatures"][1]), write=lambda lr: f"{lr:g}",
          holds=lambda lr: quadratic.iterations_to_tolerance(lr, 1.0, 1e-3, a=0.01) == 1),
)

EXEMPT = (
    Exemption("1951", "the year of Robbins & Monro's paper (a citation)"),
)
