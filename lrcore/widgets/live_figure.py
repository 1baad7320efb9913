"""A figure that widgets update in place.

With the ipympl backend (`%matplotlib widget`) the figure is created once, shown as a canvas
widget, and each change only sets line data and redraws. With any other backend (inline, or
no frontend at all while grading) the same figure is rendered into an `Output` widget after
each change — slower, but it works everywhere.

Redrawing a whole figure with Agg costs 30–150 ms (tick labels and text layout dominate), too
slow for a slider. So an explorer registers the artists that move with `animate(...)`; a
refresh then *blits*: it restores the saved background (axes, ticks, labels) and draws only
those artists (a few ms). The background is saved after every full draw (the `draw_event`),
and a full draw is requested (`draw_idle`) only when something in it changed: axis limits,
scales, labels, titles or the figure's size. Explorers keep their axis limits "sticky" (see
`common.sticky_limits`) so that most slider moves blit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

__all__ = ["LiveFigure", "is_interactive_backend"]


def is_interactive_backend() -> bool:
    """True under ipympl (`%matplotlib widget` / `%matplotlib ipympl`)."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend.endswith("widget")


class LiveFigure:
    """Owns one matplotlib figure and the widget that shows it.

    Attributes:
        figure: the matplotlib figure.
        axes: its axes as a flat list (row by row).
        widget: what to put in a widget layout — the ipympl canvas, or an `Output`.
        interactive: True under ipympl.
        full_draws / blits: how many refreshes asked for a full draw / were blitted (for
            benchmarks and tests).
    """

    def __init__(
        self,
        nrows: int = 1,
        ncols: int = 1,
        figsize: tuple[float, float] = (10, 3.6),
        *,
        dpi: float | None = None,
        sharex: bool | str = False,
        sharey: bool | str = False,
    ):
        import ipywidgets as widgets

        self.interactive = is_interactive_backend()
        if self.interactive:
            import matplotlib.pyplot as plt

            with plt.ioff():
                self.figure = plt.figure(figsize=figsize, dpi=dpi)
            self.figure.canvas.header_visible = False
            self.figure.canvas.toolbar_visible = False
            self.widget: Any = self.figure.canvas
        else:
            from matplotlib.figure import Figure

            self.figure = Figure(figsize=figsize, dpi=dpi)
            self.widget = widgets.Output()
        self.axes = (
            self.figure.subplots(nrows, ncols, squeeze=False, sharex=sharex, sharey=sharey)
            .ravel()
            .tolist()
        )
        self._animated: list[Any] = []
        self._background: Any = None
        self._drawn_layout: tuple | None = None
        self.full_draws = 0
        self.blits = 0
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)

    def animate(self, *artists: Any) -> None:
        """Register artists that change on every update: they are redrawn by blitting.

        Anything else in the figure (limits, labels, titles, legends) is background: change
        it only together with something the layout check sees (limits, scales, labels,
        titles) or call `refresh(full=True)`.
        """
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def refresh(self, full: bool = False) -> None:
        """Show the figure's current state (blitting when only animated artists changed)."""
        if self.interactive:
            if not full and self._can_blit():
                self._blit()
            else:
                self.full_draws += 1
                self.figure.canvas.draw_idle()
            return
        self.full_draws += 1
        from IPython import get_ipython
        from IPython.display import clear_output, display

        if get_ipython() is None:  # plain Python (tests, scripts): nothing to show it on
            return
        with self.widget:
            clear_output(wait=True)
            display(self.figure)

    # -- blitting ---------------------------------------------------------------------------

    def _layout(self) -> tuple:
        """What the saved background depends on; a change means a full draw."""
        parts: list[Any] = [tuple(self.figure.bbox.bounds)]
        with self._staleness_kept():
            for ax in self.figure.axes:
                parts.append((
                    ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
                    ax.get_yscale(), ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                    tuple(ax.get_position().bounds),
                ))
        return tuple(parts)

    def _can_blit(self) -> bool:
        return (
            bool(self._animated)
            and self._background is not None
            and self._drawn_layout == self._layout()
        )

    def _on_draw(self, _event: object) -> None:
        """After a full draw (whoever asked for it): save the background, add the artists."""
        canvas = self.figure.canvas
        # Saving (inline display, downloads) draws animated artists itself.
        if not (self.interactive and self._animated) or canvas.is_saving():
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._drawn_layout = self._layout()
        self._draw_animated()

    def _draw_animated(self) -> None:
        with self._staleness_kept():
            for artist in self._animated:
                if artist.get_visible():
                    self.figure.draw_artist(artist)

    @contextmanager
    def _staleness_kept(self) -> Iterator[None]:
        """Leave the figure and its axes as stale or as clean as they were. Reading an axes'
        position (`apply_aspect`) and drawing a text (matplotlib sets and restores its string)
        mark the axes and the figure stale although nothing on screen changed. Under pyplot a
        stale figure asks for a draw at once (its stale callback) and after every message the
        kernel handles (`draw_all` in IPython's post_execute, which widgets' comm messages
        trigger too): each draw would ask for the next, and the kernel would never go idle."""
        figure = self.figure
        clean = [artist for artist in (figure, *figure.axes) if not artist.stale]
        callback, figure.stale_callback = figure.stale_callback, None
        try:
            yield
        finally:
            figure.stale_callback = callback
            for artist in clean:
                artist.stale = False

    def _blit(self) -> None:
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        self._draw_animated()
        canvas.blit(self.figure.bbox)
        self.blits += 1
