"""The frame every explorer shares: its figure, its controls wired up, its widget laid out.

An explorer subclasses `ExplorerFrame`, fills `controls` (name → ipywidget) and `status` (an
HTML widget), and calls `_frame(...)` once: the figure is built in the explorers' style
(`common.explorer_style`), every control calls `_on_change` when its value changes, and
`widget` stacks the rows of controls, anything below them, the status line and the figure.
Displaying the explorer displays `widget`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrcore.widgets.common import FIGURE_WIDTH_IN, control_row, explorer_style
from lrcore.widgets.live_figure import LiveFigure

__all__ = ["ExplorerFrame"]


class ExplorerFrame:
    """Base class of the explorers: the figure, the wiring and the layout (see the module)."""

    controls: dict[str, Any]
    status: Any
    live: LiveFigure
    widget: Any

    def _build_figure(self) -> None:
        """Create the axes' artists on `self.live` (called once, in the explorers' style)."""
        raise NotImplementedError

    def _on_change(self, change: dict) -> None:
        """React to a control's new value."""
        raise NotImplementedError

    def _frame(
        self,
        rows: Sequence[Sequence[str]],
        panels: tuple[int, int],
        height_in: float,
        *below_rows: Any,
        **figure_options: Any,
    ) -> None:
        """Build `live` (panels = (rows, columns) of axes, `height_in` inches high, the full
        column wide), observe every control, and lay out `widget`: one `control_row` per row
        of control names, then `below_rows`, the status line and the figure."""
        import ipywidgets as widgets

        with explorer_style():
            self.live = LiveFigure(*panels, figsize=(FIGURE_WIDTH_IN, height_in),
                                   **figure_options)
            self._build_figure()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            *(control_row(*(self.controls[name] for name in row)) for row in rows),
            *below_rows,
            self.status,
            self.live.widget,
        ])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
