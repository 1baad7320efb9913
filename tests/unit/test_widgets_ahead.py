"""lrcore.widgets.ahead: settings kept once computed, computed ahead once a browser shows the
explorer, requested settings delivered, and only lrcore's numbers ever drawn."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from lrcore import rl
from lrcore.widgets import ahead
from lrcore.widgets.ahead import Results
from lrcore.widgets.q_learning import SCHEDULE_KINDS, QLearningExplorer, checkpoints

pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")


def wait_until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture(autouse=True)
def worker_left_idle():
    """No test leaves work behind for the next one."""
    yield
    wait_until(ahead.worker_idle)


def drawn(live) -> int:
    """How many times the figure has been refreshed (blitted, or redrawn in part or full)."""
    return live.blits + live.axes_draws + live.full_draws


def show_in_browser(live) -> None:
    """What JupyterLab does when it shows the canvas: 'initialized' (ipympl's message), then
    a draw request, answered at once."""
    canvas = live.figure.canvas
    canvas._handle_custom_msg({"type": "initialized"}, [])
    canvas.draw()


def test_a_setting_is_computed_once_and_then_served():
    calls = []
    results = Results(lambda key: calls.append(key) or key * 2)
    assert results.get(3) is None
    assert results(3) == 6 and results(3) == 6
    assert calls == [3] and results.computed == 1
    assert results.get(3) == 6


def test_the_store_keeps_only_the_most_recently_used_settings():
    results = Results(lambda key: key, maxsize=2)
    for key in (1, 2, 3):
        results(key)
    assert results.get(1) is None and results.get(2) == 2 and results.get(3) == 3


def test_without_a_browser_nothing_is_computed_ahead():
    results = Results(lambda key: key)
    results.prefetch([1, 2])
    time.sleep(0.05)
    assert results.computed == 0
    with pytest.raises(RuntimeError, match="start_ahead"):
        results.request(1, lambda key, value: None)


def test_prefetch_computes_the_wish_list_in_the_background():
    main = threading.get_ident()
    threads = []

    def compute(key):
        threads.append(threading.get_ident())
        return key + 0.5

    results = Results(compute)
    results.start_ahead()
    results.prefetch([1, 2, 3])
    wait_until(lambda: results.get(3) is not None)
    assert [results.get(k) for k in (1, 2, 3)] == [1.5, 2.5, 3.5]
    assert main not in threads


def test_a_newer_wish_list_replaces_the_older_one():
    started, release = threading.Event(), threading.Event()
    computed = []

    def compute(key):
        if key == "slow":
            started.set()
            release.wait(10)
        computed.append(key)
        return key

    results = Results(compute)
    results.start_ahead()
    results.prefetch(["slow", "old 1", "old 2"])
    started.wait(10)
    results.prefetch(["new"])  # the slider moved: the old neighbourhood is not wanted
    release.set()
    wait_until(lambda: results.get("new") is not None)
    wait_until(ahead.worker_idle)
    assert computed == ["slow", "new"]


def test_a_request_is_delivered_and_a_newer_one_supersedes_it():
    started, release = threading.Event(), threading.Event()
    computed, delivered = [], []

    def compute(key):
        if key == "first":
            started.set()
            release.wait(10)
        computed.append(key)
        return key.upper()

    results = Results(compute)
    results.start_ahead()
    results.request("first", lambda key, value: delivered.append((key, value)))
    started.wait(10)
    results.request("second", lambda key, value: delivered.append((key, value)))
    results.request("third", lambda key, value: delivered.append((key, value)))
    release.set()
    wait_until(lambda: len(delivered) == 2)
    wait_until(ahead.worker_idle)
    # "first" was being computed: delivered (the explorer ignores it if it moved on);
    # "second" was superseded by "third" before it started: never computed.
    assert delivered == [("first", "FIRST"), ("third", "THIRD")]
    assert "second" not in computed


def test_a_long_computation_ahead_gives_way_to_a_request():
    steps = []

    def compute(key):
        if key == "long":
            for step in range(400):
                if ahead.preempted():
                    raise ahead.Preempted
                steps.append(step)
                time.sleep(0.005)
        return key

    results = Results(compute)
    results.start_ahead()
    results.prefetch(["long"])
    wait_until(lambda: steps)
    delivered = []
    results.request("now", lambda key, value: delivered.append(value))
    wait_until(lambda: delivered)
    assert delivered == ["now"]
    assert len(steps) < 400 and results.get("long") is None  # it stopped, and said so
    assert not ahead.preempted()  # outside the worker: never


def test_an_error_is_delivered_not_raised_in_the_worker():
    delivered = []

    def compute(key):
        raise ValueError("no")

    results = Results(compute)
    results.start_ahead()
    results.request(1, lambda key, value: delivered.append(value))
    wait_until(lambda: delivered)
    assert isinstance(delivered[0], ValueError)
    results.request(2, lambda key, value: delivered.append(value))  # the worker still runs
    wait_until(lambda: len(delivered) == 2)


def reference_curves(alpha, omega, sweeps, seed):
    model = rl.frozen_lake_model()
    q_star = rl.value_iteration(model, 0.99)
    marks = checkpoints(sweeps)
    history = rl.synchronous_q_learning(model, rl.StepSize(alpha, omega), sweeps, 0.99, seed)
    return (marks, *rl.learning_curves(history[marks - 1], q_star, model))


def test_an_explorer_on_screen_computes_its_neighbours_ahead_and_serves_them():
    explorer = QLearningExplorer(schedule=SCHEDULE_KINDS[1], alpha=0.5, omega=0.7, sweeps=300)
    show_in_browser(explorer.live)
    assert explorer.results.ahead
    wait_until(ahead.worker_idle)
    computed = explorer.results.computed
    assert computed > 0, "nothing was computed ahead"
    images = drawn(explorer.live)
    explorer.controls["alpha"].value = 10 ** -0.2  # one arrow key right: the next 0.1 decade
    # Served from what was computed ahead: drawn at once, nothing computed for it.
    assert drawn(explorer.live) == images + 1
    alpha = explorer.step_size.alpha
    assert alpha == 0.631  # the readout's value
    marks, errors, successes = reference_curves(alpha, 0.7, 300, 0)
    np.testing.assert_array_equal(explorer.error_line.get_xdata(), marks)
    np.testing.assert_array_equal(explorer.error_line.get_ydata(), errors)
    np.testing.assert_array_equal(explorer.success_line.get_ydata(), successes)
    wait_until(ahead.worker_idle)
    assert "running" not in explorer.status.value


def test_a_setting_not_ready_is_computed_in_the_background_and_then_drawn():
    explorer = QLearningExplorer(schedule=SCHEDULE_KINDS[1], alpha=1.0, omega=0.7, sweeps=200)
    show_in_browser(explorer.live)
    wait_until(ahead.worker_idle)
    images = drawn(explorer.live)
    explorer.controls["seed"].value = 17  # far from anything computed ahead
    assert "running 1/n^0.7 for 200 sweeps" in explorer.status.value
    assert drawn(explorer.live) == images  # the old figure stays
    wait_until(lambda: drawn(explorer.live) == images + 1)
    marks, errors, _ = reference_curves(1.0, 0.7, 200, 17)
    np.testing.assert_array_equal(explorer.error_line.get_ydata(), errors)
    assert "After 200 sweeps" in explorer.status.value


def test_moving_on_before_a_setting_is_ready_draws_only_the_latest():
    explorer = QLearningExplorer(schedule=SCHEDULE_KINDS[1], alpha=1.0, omega=0.7, sweeps=200)
    show_in_browser(explorer.live)
    wait_until(ahead.worker_idle)
    images = drawn(explorer.live)
    for seed in (11, 14, 19):  # faster than they compute
        explorer.controls["seed"].value = seed
    wait_until(ahead.worker_idle)
    # Seed 11 was being computed when the slider moved on: computed, not drawn; seed 14 was
    # superseded before it started: not computed; seed 19 is drawn.
    assert drawn(explorer.live) - images == 1
    _, errors, _ = reference_curves(1.0, 0.7, 200, 19)
    np.testing.assert_array_equal(explorer.error_line.get_ydata(), errors)
