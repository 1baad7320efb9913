"""Gradient descent on f(x) = a·x² with a noisy gradient: what a minibatch does to a constant
learning rate.

A minibatch gradient is the full gradient plus zero-mean noise. The model of this module is

    g_t = 2a·x_t + ξ_t,        x_{t+1} = x_t − lr_t·g_t,

with the noise ξ_t given (σ·N(0, 1) draws from `gradient_noise`). With a constant lr the run
never settles at 0: x keeps being kicked, and the mean loss E[a·x²] tends to the *noise floor*

    E[a·x_∞²] = lr·σ² / (4·(1 − a·lr))        (0 < lr < 1/a),

the fixed point of Var_{t+1} = (1 − 2a·lr)²·Var_t + lr²·σ² — proportional to lr when lr is
small. A smaller constant lr has a lower floor but takes proportionally longer to get there. A
learning rate that decays like 1/t (`inverse_time_lrs`: lr_t = lr_0 / (1 + t/τ)) keeps going
below every constant floor, because it satisfies the conditions of Robbins & Monro (1951):
Σ lr_t = ∞ (it can still travel any distance) and Σ lr_t² < ∞ (the noise it lets in stays
finite).

Every function takes one run (noise of shape (n,)) or many runs at once (noise of shape
(n, runs): column r is run r), in float64 numpy.

Torch equivalent of `noisy_descent` (one run, constant lr)::

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr)
    for xi in noise:
        opt.zero_grad(); (a * x ** 2).backward(); x.grad += xi; opt.step()

>>> noisy_descent([0.25, 0.25], 8.0, [1.0, -2.0])
array([3.75 , 2.375])
>>> round(noise_floor(0.1), 5), round(noise_floor(0.01), 5)
(0.02778, 0.00253)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lrcore.arguments import integer_at_least, non_negative_number, positive_number

__all__ = ["gradient_noise", "noisy_descent", "mean_loss_curve", "noise_floor",
           "inverse_time_lrs"]


def gradient_noise(num_iterations: int, runs: int | None = None, std: float = 1.0,
                   seed: int = 0) -> np.ndarray:
    """σ·N(0, 1) draws from `numpy.random.default_rng(seed)`: shape (num_iterations,) for one
    run, (num_iterations, runs) for many.

    >>> gradient_noise(3, runs=2, seed=1).shape
    (3, 2)
    """
    integer_at_least("num_iterations", num_iterations, 0)
    non_negative_number("std", std)
    shape = (num_iterations,) if runs is None else (num_iterations,
                                                    integer_at_least("runs", runs, 1))
    return std * np.random.default_rng(seed).standard_normal(shape)


def _lrs_and_noise(lrs: Sequence[float] | np.ndarray, noise: Sequence[float] | np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    rates = np.asarray(lrs, dtype=np.float64)
    kicks = np.asarray(noise, dtype=np.float64)
    if rates.ndim != 1:
        raise ValueError(f"lrs must be one learning rate per step, got shape {rates.shape}")
    if kicks.ndim not in (1, 2) or kicks.shape[0] != rates.size:
        raise ValueError(f"noise must have one row per step ({rates.size}), got shape "
                         f"{kicks.shape}")
    return rates, kicks


def noisy_descent(lrs: Sequence[float] | np.ndarray, x0: float,
                  noise: Sequence[float] | np.ndarray, a: float = 1.0) -> np.ndarray:
    """x after each step of x ← x − lr_t·(2a·x + ξ_t), for one run or many (see the module).

    Returns an array of noise's shape: row t is x after step t+1.

    >>> noisy_descent([0.1, 0.1, 0.1], 1.0, [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]]).round(4)
    array([[0.8  , 0.7  ],
           [0.64 , 0.46 ],
           [0.512, 0.268]])
    """
    rates, kicks = _lrs_and_noise(lrs, noise)
    history = np.empty(kicks.shape, dtype=np.float64)
    x = np.full(kicks.shape[1:], float(x0))
    with np.errstate(over="ignore", invalid="ignore"):
        for step, (lr, kick) in enumerate(zip(rates, kicks, strict=True)):
            x = x - lr * (2.0 * a * x + kick)
            history[step] = x
    return history


def mean_loss_curve(lrs: Sequence[float] | np.ndarray, x0: float,
                    noise: Sequence[float] | np.ndarray, a: float = 1.0) -> np.ndarray:
    """The loss a·x² after each step, averaged over the runs (the columns of `noise`; one run
    when it is 1-d): what a plot of "the loss" of a noisy run shows.

    >>> mean_loss_curve([0.1, 0.1], 1.0, [[0.0, 1.0], [0.0, 1.0]]).round(4)
    array([0.565 , 0.3106])
    """
    runs = noisy_descent(lrs, x0, noise, a)
    losses = a * runs**2
    return losses.mean(axis=1) if losses.ndim == 2 else losses


def noise_floor(lr: float, std: float = 1.0, a: float = 1.0) -> float:
    """The mean loss a constant lr settles at: lr·σ²/(4·(1 − a·lr)), for 0 < lr < 1/a.

    >>> noise_floor(0.25, std=2.0)
    0.3333333333333333
    """
    lr = positive_number("lr", lr)
    if lr >= 1.0 / positive_number("a", a):
        raise ValueError(f"a constant lr has a noise floor only below 1/a = {1.0 / a:g}")
    return lr * std**2 / (4.0 * (1.0 - a * lr))


def inverse_time_lrs(num_iterations: int, lr0: float, tau: float) -> np.ndarray:
    """lr_t = lr0 / (1 + t/τ) for t = 0 … num_iterations − 1: it starts at lr0 and halves by
    t = τ, then falls like 1/t (Robbins–Monro: Σ lr_t = ∞, Σ lr_t² < ∞).

    Torch equivalent: `LambdaLR(optimizer, lambda t: 1 / (1 + t / tau))` from lr = lr0.

    >>> inverse_time_lrs(4, 0.1, 2.0)
    array([0.1       , 0.06666667, 0.05      , 0.04      ])
    """
    integer_at_least("num_iterations", num_iterations, 0)
    tau = positive_number("tau", tau)
    steps = np.arange(num_iterations, dtype=np.float64)
    return non_negative_number("lr0", lr0) / (1.0 + steps / tau)
