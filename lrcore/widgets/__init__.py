"""Exploration widgets: sliders that redraw a learning-rate experiment in place.

One toolkit (`live_figure.LiveFigure`: figure created once, line data updated in place under
ipympl, re-rendered under the inline backend; `common`: clipping and log sliders) and one
explorer per topic, each also importable from its own module:

- `quadratic_explorer` — gradient descent on a·x² with a scheduler selector (ps01, ps02);
- `schedule_gallery` — every torch scheduler policy side by side (ps02);
- `batch_size_explorer`, `range_test_explorer` — batch size vs lr, the LR range test (ps03);
- `q_learning_explorer` — constant vs 1/n^ω step sizes on FrozenLake (ps04);
- `optimizer_explorer` — optimisers and lrs on regression and the classifier (ps05).

Explorers are imported on first use, so that `import lrcore.widgets` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "QuadraticExplorer": "quadratic",
    "quadratic_explorer": "quadratic",
    "ScheduleGallery": "schedule_gallery",
    "schedule_gallery": "schedule_gallery",
    "BatchSizeExplorer": "batch_size",
    "batch_size_explorer": "batch_size",
    "RangeTestExplorer": "batch_size",
    "range_test_explorer": "batch_size",
    "QLearningExplorer": "q_learning",
    "q_learning_explorer": "q_learning",
    "OptimizerExplorer": "optimizers",
    "optimizer_explorer": "optimizers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'lrcore.widgets' has no attribute {name!r}")
