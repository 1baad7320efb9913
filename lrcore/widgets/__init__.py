"""Exploration widgets: sliders that redraw a learning-rate experiment in place.

One toolkit and one explorer per topic, each also importable from its own module. The toolkit:
`live_figure.LiveFigure` (ipympl's canvas whatever the notebook's backend, one image per change,
blitted when only the lines move), `ahead` (results kept by setting, and computed ahead in the
background once the explorer is on screen), `common` (clipping, sticky axis limits, sliders the
arrow keys drive, the colour-blind-safe palette, sizes that fit a notebook column), `frame` (the
figure, wiring and layout every explorer shares). The explorers:

- `quadratic_explorer` — gradient descent on a·x² with a scheduler selector (ps01, ps02);
- `schedule_gallery` — every torch scheduler policy side by side (ps02);
- `batch_size_explorer`, `range_test_explorer` — batch size vs lr, the LR range test (ps03);
- `q_learning_explorer` — constant vs 1/n^ω step sizes on FrozenLake (ps04);
- `optimizer_explorer` — optimisers and lrs on regression and the classifier (ps05).

Every number an explorer draws is lrcore's. Explorers are imported on first use, so that
`import lrcore.widgets` stays cheap.
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
