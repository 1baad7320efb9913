"""lrcore.optim's interface: argument checks, shapes, edge cases, the one-step classes."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from torch_optim_reference import (
    TORCH_OPTIMIZERS,
    assert_matches_torch,
    quadratic_gradient,
    rosenbrock_gradient,
    torch_trajectory,
)

import lrcore.optim as optim
from lrcore.optim import OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop, run

ALL = ["sgd", "adagrad", "rmsprop", "adam", "adamw"]
X0 = np.array([1.0, -2.0, 0.5])
GRAD = quadratic_gradient([1.0, 2.0, 3.0])


# ---- argument validation, message for message with torch -----------------------------------

INVALID = [
    ("sgd", {"lr": -0.1}),
    ("sgd", {"momentum": -0.5}),
    ("sgd", {"weight_decay": -1e-4}),
    ("sgd", {"nesterov": True}),
    ("sgd", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("adagrad", {"lr": -1}),
    ("adagrad", {"lr_decay": -0.1}),
    ("adagrad", {"weight_decay": -0.1}),
    ("adagrad", {"initial_accumulator_value": -0.1}),
    ("adagrad", {"eps": -1e-10}),
    ("rmsprop", {"lr": -0.01}),
    ("rmsprop", {"eps": -1e-8}),
    ("rmsprop", {"momentum": -0.9}),
    ("rmsprop", {"weight_decay": -0.1}),
    ("rmsprop", {"alpha": -0.99}),
    ("adam", {"lr": -1e-3}),
    ("adam", {"eps": -1e-8}),
    ("adam", {"betas": (1.0, 0.999)}),
    ("adam", {"betas": (-0.1, 0.999)}),
    ("adam", {"betas": (0.9, 1.0)}),
    ("adam", {"weight_decay": -0.1}),
    ("adamw", {"betas": (0.9, 1.5)}),
    ("adamw", {"lr": -1.0, "eps": -1.0}),  # the first failing check wins, as in torch
]


@pytest.mark.parametrize(("name", "options"), INVALID, ids=str)
def test_invalid_options_raise_torchs_value_error(name: str, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as torch_error:
        TORCH_OPTIMIZERS[name]([torch.zeros(1, requires_grad=True)], **options)
    cls = OPTIMIZERS[name]
    with pytest.raises(ValueError, match=f"^{re.escape(str(torch_error.value))}$"):
        cls(X0, **options)
    lr = options.pop("lr", 0.1)
    with pytest.raises(ValueError, match=f"^{re.escape(str(torch_error.value))}$"):
        run(name, X0, GRAD, 5, lr, **options)


def test_nan_hyperparameters_are_rejected() -> None:
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        SGD(X0, lr=float("nan"))
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: nan"):
        Adam(X0, betas=(float("nan"), 0.9))


def test_non_numeric_hyperparameters_raise_type_error() -> None:
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD(X0, lr="0.1")
    with pytest.raises(TypeError, match="momentum must be a real number"):
        SGD(X0, lr=0.1, momentum=None)


def test_defaults_are_torchs() -> None:
    for name in ALL:
        ours = OPTIMIZERS[name](X0)
        theirs = TORCH_OPTIMIZERS[name]([torch.zeros(1)]).defaults
        for option in ours.hyperparameter_names:
            if option in theirs:
                assert getattr(ours, option) == theirs[option], (name, option)


def test_unknown_optimizer_name_lists_the_valid_ones() -> None:
    with pytest.raises(
        ValueError,
        match="unknown optimiser 'adamax'; valid names are sgd, adagrad, rmsprop, adam, adamw",
    ):
        run("adamax", X0, GRAD, 3, 0.1)
    with pytest.raises(TypeError, match="must be a string"):
        run(torch.optim.SGD, X0, GRAD, 3, 0.1)


@pytest.mark.parametrize("spelling", ["SGD", "Sgd", "sgd"])
def test_names_are_case_insensitive(spelling: str) -> None:
    np.testing.assert_array_equal(run(spelling, X0, GRAD, 4, 0.1), run("sgd", X0, GRAD, 4, 0.1))
    assert optim.optimizer_class("ADAMW") is AdamW


@pytest.mark.parametrize(
    ("steps", "error", "message"),
    [
        (-1, ValueError, "steps must be >= 0, got -1"),
        (2.0, TypeError, "steps must be an int"),
        (True, TypeError, "steps must be an int"),
        ("3", TypeError, "steps must be an int"),
    ],
)
def test_steps_must_be_a_non_negative_int(steps: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        run("sgd", X0, GRAD, steps, 0.1)


def test_numpy_integer_steps_are_accepted() -> None:
    assert run("adam", X0, GRAD, np.int64(3), 0.1).shape == (3, 3)


@pytest.mark.parametrize("x0", [[1.0, np.nan], [np.inf], -np.inf])
def test_non_finite_x0_is_rejected(x0: Any) -> None:
    with pytest.raises(ValueError, match="x0 must be finite"):
        run("sgd", x0, lambda x: x, 3, 0.1)


@pytest.mark.parametrize("x0", [[1 + 2j], ["a", "b"], [[1.0], [2.0, 3.0]]])
def test_non_real_x0_is_rejected(x0: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        run("sgd", x0, lambda x: x, 3, 0.1)


def test_gradient_of_the_wrong_shape_is_reported_with_its_step() -> None:
    calls = iter(range(100))

    def gradient(x: np.ndarray) -> np.ndarray:
        return 2 * x if next(calls) < 2 else np.zeros(2)

    with pytest.raises(
        ValueError,
        match=r"grad_fn returned shape \(2,\) at step 2; "
        r"expected \(3,\), the shape of x0",
    ):
        run("sgd", X0, gradient, 5, 0.1)
    with pytest.raises(TypeError, match="grad_fn returned None at step 0"):
        run("sgd", X0, lambda x: None, 5, 0.1)
    with pytest.raises(TypeError, match="grad_fn must return an array of real numbers"):
        run("sgd", X0, lambda x: "steep", 5, 0.1)
    with pytest.raises(TypeError, match="grad_fn must be callable"):
        run("sgd", X0, np.ones(3), 5, 0.1)


def test_unknown_and_implementation_options() -> None:
    with pytest.raises(TypeError, match="sgd has no option 'betas'; its options are momentum"):
        run("sgd", X0, GRAD, 3, 0.1, betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="fused=True selects a torch implementation"):
        run("adam", X0, GRAD, 3, 0.1, fused=True)
    with pytest.raises(ValueError, match="capturable=True"):
        run("adam", X0, GRAD, 3, 0.1, capturable=True)
    plain = run("adam", X0, GRAD, 3, 0.1)
    np.testing.assert_array_equal(run("adam", X0, GRAD, 3, 0.1, foreach=False, fused=None), plain)


def test_lr_arguments() -> None:
    with pytest.raises(ValueError, match=r"the lr sequence has shape \(2,\); expected \(3,\)"):
        run("sgd", X0, GRAD, 3, [0.1, 0.2])
    with pytest.raises(TypeError, match="a bare function is ambiguous"):
        run("sgd", X0, GRAD, 3, lambda t: 0.1)
    np.testing.assert_array_equal(
        run("sgd", X0, GRAD, 3, np.float64(0.1)), run("sgd", X0, GRAD, 3, np.array(0.1))
    )


class WrongLengthSchedule:
    def values(self, n: int) -> np.ndarray:
        return np.full(n + 1, 0.1)

    def __call__(self, t: int) -> float:
        return 0.1


def test_schedule_of_the_wrong_length_is_reported() -> None:
    with pytest.raises(ValueError, match=r"values\(4\) has shape \(5,\); expected \(4,\)"):
        run("sgd", X0, GRAD, 4, WrongLengthSchedule())


class OneCycleLike:
    cycle_momentum = True

    def values(self, n: int) -> np.ndarray:
        return np.linspace(0.01, 0.1, n)

    def __call__(self, t: int) -> float:
        return float(self.values(t + 1)[-1])

    def momenta(self, n: int) -> np.ndarray:
        return np.linspace(0.95, 0.85, n)


def test_momentum_cycling_schedule_on_adagrad_is_an_error_as_in_torch() -> None:
    with pytest.raises(ValueError, match="adagrad has no momentum or beta1"):
        run("adagrad", X0, GRAD, 4, OneCycleLike())
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        torch.optim.lr_scheduler.OneCycleLR(
            torch.optim.Adagrad([torch.zeros(1)]), max_lr=0.1, total_steps=4
        )
    with pytest.raises(ValueError, match="adagrad has no momentum"):
        Adagrad(X0).set_momentum(0.9)


@pytest.mark.parametrize("name", ALL)
def test_cycled_momentum_follows_torchs_rule(name: str) -> None:
    # torch's CyclicLR/OneCycleLR drive "momentum" if the optimiser has one, else betas[0].
    defaults = TORCH_OPTIMIZERS[name]([torch.zeros(1)]).defaults
    expected = "momentum" if "momentum" in defaults else "beta1" if "betas" in defaults else None
    assert OPTIMIZERS[name].cycled_momentum == expected


@pytest.mark.parametrize("name", ALL)
def test_state_keys_are_torchs_after_a_step(name: str) -> None:
    options = {"momentum": 0.9} if name in ("sgd", "rmsprop") else {}
    ours = OPTIMIZERS[name](X0, lr=0.1, **options)
    ours.step(X0, GRAD(X0))
    param = torch.tensor(X0, requires_grad=True)
    theirs = TORCH_OPTIMIZERS[name]([param], lr=0.1, **options)
    param.grad = torch.tensor(GRAD(X0))
    theirs.step()
    assert set(ours.state) == set(theirs.state[param])
    for key, value in theirs.state[param].items():
        np.testing.assert_array_equal(ours.state[key], value.numpy() if key != "step" else value)


def test_cycled_momentum_is_beta1_for_adam() -> None:
    optimizer = Adam(X0, lr=0.1)
    optimizer.set_momentum(0.85)
    assert optimizer.betas == (0.85, 0.999)


# ---- shapes and edge cases ---------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_scalar_x0_gives_one_value_per_step_like_a_0d_tensor(name: str) -> None:
    ours = run(name, 500.0, lambda x: 2 * x, 20, 0.1)
    assert ours.shape == (20,)
    assert_matches_torch(ours, torch_trajectory(name, 500.0, lambda x: 2 * x, 20, [0.1] * 20))


def test_scalar_x0_reproduces_the_opening_exercise_in_float64() -> None:
    # x ← x·(1 − 2·lr) on f = x²: 500·0.8²⁰
    ours = run("sgd", 500.0, lambda x: 2 * x, 20, 0.1)
    assert ours[-1] == pytest.approx(500 * 0.8**20, rel=1e-13)


@pytest.mark.parametrize("name", ALL)
def test_zero_steps_give_an_empty_trajectory(name: str) -> None:
    assert run(name, X0, GRAD, 0, 0.1).shape == (0, 3)
    assert run(name, 2.0, GRAD, 0, 0.1).shape == (0,)
    schedule = OneCycleLike() if name != "adagrad" else np.array([])
    assert run(name, X0, GRAD, 0, schedule).shape == (0, 3)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        run(name, X0, GRAD, 0, -0.1)  # still validated


def test_matrix_parameters_keep_their_shape() -> None:
    x0 = np.arange(6.0).reshape(2, 3) - 2.5
    ours = run("adam", x0, lambda x: 2 * x, 10, 0.1)
    assert ours.shape == (10, 2, 3)
    assert_matches_torch(ours, torch_trajectory("adam", x0, lambda x: 2 * x, 10, [0.1] * 10))


def test_integer_x0_is_promoted_to_float64() -> None:
    assert run("sgd", [1, 2], lambda x: x, 2, 0.5).dtype == np.float64
    np.testing.assert_array_equal(run("sgd", [1, 2], lambda x: x, 1, 0.5), [[0.5, 1.0]])


@pytest.mark.parametrize("name", ALL)
def test_divergence_gives_inf_and_nan_silently_like_torch(name: str) -> None:
    x0 = np.array([-1.2, 1.0])
    lr = 1e6 if name == "sgd" else 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = run(
            name, x0, rosenbrock_gradient(), 60, lr, **({"momentum": 0.9} if name == "sgd" else {})
        )
    theirs = torch_trajectory(
        name,
        x0,
        rosenbrock_gradient(),
        60,
        [lr] * 60,
        **({"momentum": 0.9} if name == "sgd" else {}),
    )
    assert not np.all(np.isfinite(ours))
    assert_matches_torch(ours, theirs)  # the same infs and nans in the same places


def test_grad_fn_gets_a_copy_it_may_modify() -> None:
    def destructive(x: np.ndarray) -> np.ndarray:
        gradient = 2 * x
        x[:] = 1e9
        return gradient

    np.testing.assert_array_equal(
        run("sgd", X0, destructive, 5, 0.1), run("sgd", X0, lambda x: 2 * x, 5, 0.1)
    )


# ---- the one-step classes -----------------------------------------------------------------

CLASS_OPTIONS = {
    "sgd": {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "adagrad": {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
    "rmsprop": {"momentum": 0.5, "centered": True},
    "adam": {"amsgrad": True, "weight_decay": 0.01},
    "adamw": {"amsgrad": True},
}


@pytest.mark.parametrize("name", ALL)
def test_stepping_a_class_by_hand_equals_run(name: str) -> None:
    cls = OPTIMIZERS[name]
    optimizer = cls(X0, lr=0.05, **CLASS_OPTIONS[name])
    x = X0.copy()
    by_hand = []
    for _ in range(30):
        x = optimizer.step(x, GRAD(x))
        by_hand.append(x)
    np.testing.assert_array_equal(
        np.array(by_hand), run(name, X0, GRAD, 30, 0.05, **CLASS_OPTIONS[name])
    )


@pytest.mark.parametrize("name", ALL)
def test_state_matches_torchs_optimizer_state(name: str) -> None:
    ours = OPTIMIZERS[name](X0.shape, lr=0.05, **CLASS_OPTIONS[name])
    param = torch.tensor(X0)
    theirs = TORCH_OPTIMIZERS[name]([param], lr=0.05, **CLASS_OPTIONS[name])
    x = X0.copy()
    for _ in range(7):
        gradient = GRAD(x)
        x = ours.step(x, gradient)
        param.grad = torch.from_numpy(gradient)
        theirs.step()
    torch_state = theirs.state[param]
    assert set(torch_state) <= set(ours.state)
    for key, value in torch_state.items():
        assert_matches_torch(np.asarray(ours.state[key], dtype=float), value.numpy())


def test_step_lr_overrides_for_one_step_only() -> None:
    optimizer = SGD(X0, lr=0.1)
    np.testing.assert_array_equal(optimizer.step(X0, np.ones(3), lr=0.5), X0 - 0.5)
    assert optimizer.lr == 0.1
    np.testing.assert_array_equal(optimizer.step(X0, np.ones(3)), X0 - 0.1)


def test_step_checks_shapes_and_leaves_its_inputs_alone() -> None:
    optimizer = RMSprop((3,), lr=0.01, momentum=0.9)
    x, gradient = X0.copy(), np.ones(3)
    new_x = optimizer.step(x, gradient)
    np.testing.assert_array_equal(x, X0)
    np.testing.assert_array_equal(gradient, np.ones(3))
    assert new_x is not x
    with pytest.raises(
        ValueError,
        match=r"grad has shape \(2,\), but this RMSprop was built "
        r"for parameters of shape \(3,\)",
    ):
        optimizer.step(x, np.ones(2))
    with pytest.raises(ValueError, match="x has shape"):
        optimizer.step(np.ones((3, 1)), np.ones(3))


def test_shape_or_x0_build_the_same_optimizer() -> None:
    assert SGD((2, 3)).shape == SGD(np.zeros((2, 3))).shape == (2, 3)
    assert SGD(5.0).shape == SGD(()).shape == ()
    assert Adagrad([1.0, 2.0]).state["sum"].shape == (2,)
    with pytest.raises(ValueError, match="negative dimensions"):
        SGD((-1, 2))


def test_hyperparameters_can_change_between_steps_like_param_groups() -> None:
    optimizer = SGD(X0, lr=0.1, momentum=0.0)
    x = optimizer.step(X0, GRAD(X0))
    assert "momentum_buffer" not in optimizer.state  # torch creates it only with momentum
    optimizer.momentum = 0.9
    optimizer.step(x, GRAD(x))
    np.testing.assert_array_equal(optimizer.state["momentum_buffer"], GRAD(x))


def test_repr_names_the_settings() -> None:
    assert repr(AdamW((2,), lr=0.01)) == (
        "AdamW(shape=(2,), lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, "
        "amsgrad=False, maximize=False)"
    )


def test_pure_update_functions_do_not_modify_their_inputs() -> None:
    param, grad = X0.copy(), np.array([0.3, -0.2, 0.1])
    m, v, v_max = np.full(3, 0.1), np.full(3, 0.01), np.full(3, 0.02)
    optim.adam_update(
        param,
        grad,
        m,
        v,
        3,
        lr=0.1,
        amsgrad=True,
        max_exp_avg_sq=v_max,
        weight_decay=0.1,
        decoupled=True,
    )
    optim.rmsprop_update(
        param, grad, v, lr=0.1, centered=True, grad_avg=m, momentum=0.9, momentum_buffer=v_max
    )
    optim.sgd_update(param, grad, m, lr=0.1, momentum=0.9, weight_decay=0.1)
    optim.adagrad_update(param, grad, v, 2, lr=0.1, weight_decay=0.1)
    for array, expected in [
        (param, X0),
        (grad, [0.3, -0.2, 0.1]),
        (m, 0.1),
        (v, 0.01),
        (v_max, 0.02),
    ]:
        np.testing.assert_array_equal(array, np.broadcast_to(expected, (3,)))


def test_public_names() -> None:
    assert set(OPTIMIZERS) == set(ALL)
    for name in optim.__all__:
        assert getattr(optim, name) is not None
    for cls in (SGD, Adagrad, RMSprop, Adam, AdamW):
        assert "torch.optim." in cls.__doc__ and ">>>" in cls.__doc__
