"""Mistakes in gradient descent with a noisy gradient (ps01's `noisy_descent`, ps02's
`noisy_loss_curve`), one object each: model, sentence, matcher.

The correct run is x_{t+1} = x_t − lr_t·(2a·x_t + ξ_t), recorded after each step
(`lrcore.noisy_gradient`). A `NoisyRunMistake` models a wrong update (the noise outside the
lr, its sign, no noise at all, …) and returns the x history; a `LossCurveMistake` models a
wrong average of the runs' losses (the square of the mean x, one run only, …) and returns the
curve. A student's values are recognised as a mistake when they follow the model's
(`same_pattern`, rtol 1e-4).

>>> runs = noisy_mistake_runs([0.5, 0.5], 1.0, [1.0, 1.0])
>>> runs["noise_not_scaled"].tolist(), runs["noise_ignored"].tolist()
([-1.0, -1.0], [0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lrchecks.diagnosis.mistake import (
    DIAGNOSIS_RTOL,
    Mistake,
    explanations,
    first_fitting_explanation,
    models,
)
from lrchecks.values import same_pattern

__all__ = ["NoisyRunMistake", "LossCurveMistake", "NOISY_RUNS", "NOISY_RUN_MISTAKES",
           "NOISY_RUN_EXPLANATIONS", "LOSS_CURVES", "LOSS_CURVE_MISTAKES",
           "noisy_mistake_runs", "diagnose_noisy_run", "diagnose_loss_curve"]

Update = Callable[[np.ndarray, float, np.ndarray, float], np.ndarray]
"""(x, lr, ξ, a) → the next x."""


def _run(update: Update, lrs: Sequence[float] | np.ndarray, x0: float,
         noise: Sequence[float] | np.ndarray, a: float) -> np.ndarray:
    kicks = np.asarray(noise, dtype=np.float64)
    rates = np.asarray(lrs, dtype=np.float64)
    history = np.empty(kicks.shape, dtype=np.float64)
    x = np.full(kicks.shape[1:], float(x0))
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(kicks.shape[0]):
            x = update(x, float(rates[step]), kicks[step], a)
            history[step] = x
    return history


def _correct(x: np.ndarray, lr: float, kick: np.ndarray, a: float) -> np.ndarray:
    return x - lr * (2 * a * x + kick)


def noise_not_scaled(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                     ) -> np.ndarray:
    """x ← x − lr·2a·x − ξ: the noise added outside the lr."""
    return _run(lambda x, lr, kick, a: x - lr * 2 * a * x - kick, lrs, x0, noise, a)


def noise_sign_flipped(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                       ) -> np.ndarray:
    """x ← x − lr·(2a·x − ξ): the gradient taken as 2a·x − ξ."""
    return _run(lambda x, lr, kick, a: x - lr * (2 * a * x - kick), lrs, x0, noise, a)


def noise_ignored(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                  ) -> np.ndarray:
    """x ← x − lr·2a·x: the exact gradient, the noise left out (one column per run kept)."""
    return _run(lambda x, lr, kick, a: x - lr * 2 * a * x + 0 * kick, lrs, x0, noise, a)


def gradient_without_factor_two(lrs: Sequence[float], x0: float, noise: np.ndarray,
                                a: float = 1.0) -> np.ndarray:
    """x ← x − lr·(a·x + ξ): the derivative of a·x² taken as a·x."""
    return _run(lambda x, lr, kick, a: x - lr * (a * x + kick), lrs, x0, noise, a)


def sign_flipped(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                 ) -> np.ndarray:
    """x ← x + lr·(2a·x + ξ): gradient ascent."""
    return _run(lambda x, lr, kick, a: x + lr * (2 * a * x + kick), lrs, x0, noise, a)


def history_before_step(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                        ) -> np.ndarray:
    """x recorded before each update: x0 first, the last x missing."""
    runs = _run(_correct, lrs, x0, noise, a)
    if runs.shape[0] == 0:
        return runs
    return np.concatenate((np.full((1, *runs.shape[1:]), float(x0)), runs[:-1]))


@dataclass(frozen=True)
class NoisyMistake(Mistake):
    """A mistake on the noisy runs: `model(lrs, x0, noise, a)` computes what the wrong code
    returns; recognised when the student's answer follows it (`same_pattern`, within
    DIAGNOSIS_RTOL)."""

    def fits(self, student: np.ndarray, lrs: Sequence[float], x0: float, noise: np.ndarray,
             a: float) -> bool:
        return same_pattern(student, self.model(lrs, x0, noise, a), DIAGNOSIS_RTOL)


def _first_fitting(mistakes: Sequence[NoisyMistake], student: np.ndarray, lrs: Sequence[float],
                   x0: float, noise: Sequence[float] | np.ndarray, a: float) -> str | None:
    """The explanation of the first of `mistakes` the student's answer follows on this case."""
    kicks = np.asarray(noise, dtype=np.float64)
    return first_fitting_explanation(mistakes, lambda mistake: mistake.fits(
        student, lrs, x0, kicks, a))


@dataclass(frozen=True)
class NoisyRunMistake(NoisyMistake):
    """A wrong update: `model(lrs, x0, noise, a) -> x history`; recognised when the student's
    x history follows it."""


NOISY_RUNS: tuple[NoisyRunMistake, ...] = (
    NoisyRunMistake("noise_not_scaled", 'The noise is added outside the '
                                        'learning rate: the step subtracts lr '
                                        'times the whole noisy gradient, x ← x '
                                        '− lr·(2a·x + noise).', noise_not_scaled),
    NoisyRunMistake("noise_sign_flipped", "The noise enters with the wrong sign: the gradient is "
                    "2a·x + noise, so x ← x − lr·(2a·x + noise).", noise_sign_flipped),
    NoisyRunMistake("noise_ignored", "Your run ignores the noise: each step's gradient is "
                    "2a·x plus that step's noise value.", noise_ignored),
    NoisyRunMistake("gradient_without_factor_two", "Your steps are half as long as they should "
                    "be: the derivative of a·x² is 2a·x.", gradient_without_factor_two),
    NoisyRunMistake("sign_flipped", "It looks like the gradient's sign is flipped: gradient "
                    "descent subtracts lr times the gradient.", sign_flipped),
    NoisyRunMistake("history_before_step", 'Your history is shifted by one step '
                                           '(it starts with x0 and misses the '
                                           'last value): record x after the '
                                           'update.',
                    history_before_step),
)
"""The modelled mistakes of a noisy run, in the order a diagnosis tries them."""

NOISY_RUN_MISTAKES = models(NOISY_RUNS)
NOISY_RUN_EXPLANATIONS = explanations(NOISY_RUNS)


def noisy_mistake_runs(lrs: Sequence[float], x0: float, noise: Sequence[float] | np.ndarray,
                       a: float = 1.0) -> dict[str, np.ndarray]:
    """The x history of every modelled mistake for one case."""
    kicks = np.asarray(noise, dtype=np.float64)
    return {mistake.name: mistake.model(lrs, x0, kicks, a) for mistake in NOISY_RUNS}


def diagnose_noisy_run(student: np.ndarray, lrs: Sequence[float], x0: float,
                       noise: Sequence[float] | np.ndarray, a: float = 1.0) -> str | None:
    """The explanation of the first modelled mistake whose x history equals the student's."""
    return _first_fitting(NOISY_RUNS, student, lrs, x0, noise, a)


# --- the average of the runs' losses ------------------------------------------------------------

def _mean_over_runs(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=1) if values.ndim == 2 else values


def square_of_mean(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                   ) -> np.ndarray:
    """a·(mean of x over the runs)²: the runs averaged before the square."""
    runs = _run(_correct, lrs, x0, noise, a)
    return a * _mean_over_runs(runs) ** 2


def first_run_only(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                   ) -> np.ndarray:
    """The loss of the first run (column 0) only: no average."""
    runs = _run(_correct, lrs, x0, noise, a)
    return a * (runs[:, 0] if runs.ndim == 2 else runs) ** 2


def summed_over_runs(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                     ) -> np.ndarray:
    """The runs' losses summed instead of averaged."""
    runs = _run(_correct, lrs, x0, noise, a)
    return (a * runs**2).sum(axis=1) if runs.ndim == 2 else a * runs**2


def loss_before_step(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
                     ) -> np.ndarray:
    """The mean loss recorded before each update: a·x0² first, the last loss missing."""
    runs = history_before_step(lrs, x0, noise, a)
    return _mean_over_runs(a * runs**2)


def _averaged(run_mistake: NoisyRunMistake) -> Callable[..., np.ndarray]:
    def model(lrs: Sequence[float], x0: float, noise: np.ndarray, a: float = 1.0
              ) -> np.ndarray:
        return _mean_over_runs(a * run_mistake.model(lrs, x0, noise, a) ** 2)

    return model


@dataclass(frozen=True)
class LossCurveMistake(NoisyMistake):
    """A wrong loss curve: `model(lrs, x0, noise, a) -> curve`; recognised when the student's
    curve follows it."""


LOSS_CURVES: tuple[LossCurveMistake, ...] = (
    LossCurveMistake("square_of_mean", "The curve is the square of the runs' "
                                       'mean x, which is near 0 even when every '
                                       "run is far from it: average the runs' "
                                       'losses, np.mean(x**2, axis=1).', square_of_mean),
    LossCurveMistake("first_run_only", "The curve follows a single run: average the loss over "
                     "all the runs (the columns), np.mean(x**2, axis=1).", first_run_only),
    LossCurveMistake("summed_over_runs", "The curve is the sum of the runs' losses: take their "
                     "mean.", summed_over_runs),
    LossCurveMistake("loss_before_step", 'Your curve is shifted by one step (it '
                                         'starts with the loss at x0): record '
                                         'the loss after each update.', loss_before_step),
    *(LossCurveMistake(m.name, m.explanation, _averaged(m)) for m in NOISY_RUNS
      if m.name != "history_before_step"),
)
"""The modelled mistakes of a mean loss curve over many noisy runs, in the order a diagnosis
tries them (the wrong updates of `NOISY_RUNS`, averaged, come last)."""

LOSS_CURVE_MISTAKES = models(LOSS_CURVES)


def diagnose_loss_curve(student: np.ndarray, lrs: Sequence[float], x0: float,
                        noise: Sequence[float] | np.ndarray, a: float = 1.0) -> str | None:
    """The explanation of the first modelled mistake whose curve equals the student's."""
    return _first_fitting(LOSS_CURVES, student, lrs, x0, noise, a)
