"""lrcore.classification: the quantiles split, the net, the batches, and the trainer against a
loop written here with torch's own ReduceLROnPlateau."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import make_gaussian_quantiles
from sklearn.model_selection import train_test_split

from lrcore import classification as C


def test_split_is_the_published_one():
    split = C.quantiles_split()
    X, y = make_gaussian_quantiles(n_samples=2000, n_features=2, n_classes=2, random_state=3,
                                   cov=0.1)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.2,
                                                      random_state=0)
    for ours, theirs in ((split.X_train, X_train), (split.X_val, X_val), (split.X_test, X_test),
                         (split.y_train, y_train), (split.y_val, y_val), (split.y_test, y_test)):
        assert ours.dtype == np.float32
        np.testing.assert_array_equal(ours, theirs.astype(np.float32))
    assert (len(split.X_train), len(split.X_val), len(split.X_test)) == (1120, 280, 600)
    assert set(np.unique(split.y_train)) == {0.0, 1.0}


def test_split_arrays_are_fresh_copies():
    split = C.quantiles_split()
    split.X_train[:] = 0.0  # a student's mistake must not change the reference
    assert np.abs(C.quantiles_split().X_train).max() > 1.0
    torch.from_numpy(split.X_val)  # writable: no warning


def test_classifier_initialisation_is_seeded_and_leaves_the_global_state_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a, b, c = C.make_classifier(0), C.make_classifier(0), C.make_classifier(1)
    assert torch.rand(1) == expected_next
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert torch.equal(p, q) and not torch.equal(p, r)
    torch.manual_seed(1)
    reference = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.Sigmoid(),
                                    torch.nn.Linear(32, 32), torch.nn.Sigmoid(),
                                    torch.nn.Linear(32, 1))
    for p, q in zip(reference.parameters(), c.parameters(), strict=True):
        assert torch.equal(p, q)


def test_epoch_batches_partition_the_training_set_in_a_seeded_order():
    for seed, epoch in ((0, 0), (1, 7)):
        batches = C.epoch_batches(epoch, seed)
        assert [len(b) for b in batches] == [50] * 22 + [20]
        order = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(order), np.arange(1120))
        np.testing.assert_array_equal(order, np.random.default_rng([seed, epoch]).permutation(1120))
    assert not np.array_equal(C.epoch_batches(0, 1)[0], C.epoch_batches(1, 1)[0])
    with pytest.raises(ValueError, match="epoch"):
        C.epoch_batches(-1)


def torch_loop(lr, epochs, plateau, seed, optimizer_class=torch.optim.Adam):
    """The module docstring's loop, with torch's own ReduceLROnPlateau."""
    split = C.quantiles_split()
    X, y = torch.from_numpy(split.X_train), torch.from_numpy(split.y_train)
    X_val, y_val = torch.from_numpy(split.X_val), torch.from_numpy(split.y_val)
    model = C.make_classifier(seed)
    optimizer = optimizer_class(model.parameters(), lr=lr)
    scheduler = (None if plateau is None
                 else torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **plateau))
    lrs, losses = [], []
    for epoch in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        for batch in C.epoch_batches(epoch, seed):
            optimizer.zero_grad()
            F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(1), y[batch]).backward()
            optimizer.step()
        with torch.no_grad():
            losses.append(F.binary_cross_entropy_with_logits(model(X_val).squeeze(1), y_val).item())
        if scheduler is not None:
            scheduler.step(losses[-1])
    return lrs, losses, model


@pytest.mark.parametrize(("lr", "epochs", "plateau", "seed"), [
    (0.005, 3, None, 1),
    (0.05, 8, {"factor": 0.5, "patience": 0, "threshold": 0.2}, 1),
    (0.02, 6, {"factor": 0.3, "patience": 1, "threshold": 0.1, "cooldown": 1}, 3),
])
def test_train_classifier_is_the_torch_loop_with_torchs_scheduler(lr, epochs, plateau, seed):
    run = C.train_classifier(lr, epochs, plateau=plateau, seed=seed)
    lrs, losses, model = torch_loop(lr, epochs, plateau, seed)
    assert list(run.lrs) == lrs
    assert list(run.val_loss) == losses  # the same operations: bit for bit
    if plateau is not None:
        assert len(set(lrs)) > 1  # the cases do cut the lr
    split = C.quantiles_split()
    assert run.test_accuracy == C.accuracy(model, split.X_test, split.y_test)
    rebuilt = run.model()
    for p, q in zip(rebuilt.parameters(), model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_other_optimisers_are_torchs():
    run = C.train_classifier(0.1, 2, optimizer="momentum", seed=2)
    _, losses, _ = torch_loop(0.1, 2, None, 2,
                              lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9))
    assert list(run.val_loss) == losses


@pytest.mark.slow
def test_the_four_course_runs_have_the_published_shape():
    """≈ 0.5 for lr 0.5 and 1e-5, ≥ 0.95 for lr 0.005, ≥ 0.98 with the plateau rule (seed 1)."""
    accuracy = {name: C.train_classifier(seed=1, **settings).test_accuracy
                for name, settings in C.COURSE_RUNS.items()}
    assert accuracy["lr 0.5"] <= 0.55 and accuracy["lr 1e-05"] <= 0.55
    assert accuracy["lr 0.005"] >= 0.96
    assert accuracy["plateau from 0.05"] >= 0.99
    plateau = C.train_classifier(seed=1, **C.COURSE_RUNS["plateau from 0.05"])
    assert plateau.lrs[0] == 0.05 and min(plateau.lrs) < 0.05  # it did cut
    assert all(a >= b for a, b in zip(plateau.lrs, plateau.lrs[1:], strict=False))


def test_mistake_variants_change_what_they_say():
    plateau = {"factor": 0.5, "patience": 0, "threshold": 0.1}
    right = C.train_classifier(0.05, 5, plateau=plateau, seed=2)
    unapplied = C.train_classifier_variant(0.05, 5, plateau, 2, apply_lr=False)
    constant = C.train_classifier(0.05, 5, seed=2)
    assert unapplied.lrs == right.lrs and unapplied.val_loss == constant.val_loss
    by_accuracy = C.train_classifier_variant(0.05, 5, plateau, 2, plateau_metric="val_accuracy")
    assert by_accuracy.lrs != right.lrs
    no_zero_grad = C.train_classifier_variant(0.05, 5, None, 2, zero_grad=False)
    assert no_zero_grad.val_loss != constant.val_loss
    with pytest.raises(ValueError, match="plateau_metric"):
        C.train_classifier_variant(0.05, 1, plateau_metric="loss")


def test_probability_grid_orientation_and_range():
    model = C.train_classifier(0.005, 2, seed=1).model()
    xs, ys, P = C.probability_grid(model, resolution=7)
    np.testing.assert_allclose(xs, np.linspace(-1.5, 1.5, 7))
    i, j = 1, 5  # P[i, j] is the point (xs[j], ys[i])
    with torch.no_grad():
        logit = model(torch.tensor([[xs[j], ys[i]]], dtype=torch.float32)).item()
    assert P[i, j] == pytest.approx(1 / (1 + np.exp(-logit)), rel=1e-5)  # float32 logits
    assert ((P >= 0) & (P <= 1)).all()


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="lr"):
        C.train_classifier(-1.0, 2)
    with pytest.raises(TypeError, match="epochs"):
        C.train_classifier(0.1, 2.5)
    with pytest.raises(ValueError, match="unknown optimiser"):
        C.train_classifier(0.1, 1, optimizer="lbfgs")
    with pytest.raises(ValueError, match="'lr'"):
        C.train_classifier(0.1, 1, plateau={"lr": 0.1})
    with pytest.raises(TypeError, match="plateau"):
        C.train_classifier(0.1, 1, plateau=[("factor", 0.5)])
    with pytest.raises(ValueError, match="resolution"):
        C.probability_grid(C.make_classifier(), resolution=1)
