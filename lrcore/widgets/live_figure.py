"""A figure that widgets update in place.

With the ipympl backend (`%matplotlib widget`) the figure is created once, shown as a canvas
widget, and each change only sets line data and redraws (`draw_idle`). With any other backend
(inline, or no frontend at all while grading) the same figure is rendered into an `Output`
widget after each change — slower, but it works everywhere.
"""

from __future__ import annotations

from typing import Any

import matplotlib

__all__ = ["LiveFigure", "is_interactive_backend"]


def is_interactive_backend() -> bool:
    """True under ipympl (`%matplotlib widget` / `%matplotlib ipympl`)."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend.endswith("widget")


class LiveFigure:
    """Owns one matplotlib figure and the widget that shows it."""

    def __init__(self, nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (10, 3.6)):
        import ipywidgets as widgets

        self.interactive = is_interactive_backend()
        if self.interactive:
            import matplotlib.pyplot as plt

            with plt.ioff():
                self.figure = plt.figure(figsize=figsize)
            self.figure.canvas.header_visible = False
            self.figure.canvas.toolbar_visible = False
            self.widget: Any = self.figure.canvas
        else:
            from matplotlib.figure import Figure

            self.figure = Figure(figsize=figsize)
            self.widget = widgets.Output()
        self.axes = self.figure.subplots(nrows, ncols, squeeze=False).ravel().tolist()

    def refresh(self) -> None:
        """Show the figure's current state."""
        if self.interactive:
            self.figure.canvas.draw_idle()
            return
        from IPython import get_ipython
        from IPython.display import clear_output, display

        if get_ipython() is None:  # plain Python (tests, scripts): nothing to show it on
            return
        with self.widget:
            clear_output(wait=True)
            display(self.figure)
