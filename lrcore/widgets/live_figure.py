"""A figure that explorers update in place: one image per change.

When ipympl is installed (the student runtime requires it) the figure is shown as ipympl's
canvas widget, whatever `%matplotlib` says — assignments keep their inline backend for the
figures they grade, and their explorers still update in place. The figure is made without
pyplot and never registered with it: nothing but the explorer asks it to draw (pyplot would
redraw a "stale" figure after every message the kernel handles, which sent a second, identical
image 200–500 ms after each change). Without ipympl, or with `interactive=False`, the figure is
rendered into an `Output` widget after each change.

`refresh()` sends one image per call. Redrawing a whole figure costs tens of milliseconds
(tick labels and text layout dominate), so an explorer registers the artists that move with
`animate(...)` and a refresh *blits*: it restores the saved background (axes, ticks, labels)
and draws only those artists. When the background of some axes changed (their limits, scales,
labels or titles), only the region those axes occupy — before and after the change — is
cleared and drawn again, with every other axes reaching into it; a full draw — done at once,
not requested through the browser — is left for changes of most of the figure or of its size.
Explorers keep their limits "sticky" (`common.sticky_limits`) so that most changes blit.
Before a browser has shown the canvas nothing is drawn: the browser asks for the first image
when it shows it.

`lock` serialises everything that touches the figure and the explorer's widgets: the slider
callbacks (kernel's main thread) and results delivered by the background worker
(`lrcore.widgets.ahead`).
"""

from __future__ import annotations

import itertools
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from lrcore.widgets.common import FONT_SIZE, explorer_style

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["LiveFigure", "ipympl_available", "is_interactive_backend"]

_figure_numbers = itertools.count(1)


def ipympl_available() -> bool:
    """True when ipympl's widget canvas can be imported."""
    try:
        import ipympl.backend_nbagg  # noqa: F401
    except Exception:  # noqa: BLE001 - any failure to import means: not available
        return False
    return True


def is_interactive_backend() -> bool:
    """True under ipympl (`%matplotlib widget` / `%matplotlib ipympl`)."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend.endswith("widget")


def png_image(rgba: np.ndarray) -> bytes:
    """An (h, w, 4) uint8 image as PNG: no row filters, zlib's fastest level. ipympl's images
    are mostly transparent (only the changed pixels), and Pillow's encoder, which filters every
    row, took most of a blit's time."""
    height, width, _ = rgba.shape
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:] = rgba.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b""))


_WEBAGG_DIFF_IMAGE = ((3, 8), (3, 9), (3, 10), (3, 11))
"""matplotlib versions whose `FigureCanvasWebAggCore.get_diff_image` ExplorerCanvas repeats
(with `png_image` for the encoding); with any other, matplotlib's own is used."""


@cache
def _canvas_class() -> type:
    """ipympl's canvas widget, drawing under its explorer's lock (the browser's draw requests
    are handled on the kernel's main thread, results computed ahead are drawn on the
    worker's), and encoding its images with `png_image`."""
    import matplotlib
    from ipympl.backend_nbagg import Canvas

    class ExplorerCanvas(Canvas):
        lock: Any = threading.RLock()  # replaced by the LiveFigure's own

        def draw(self) -> None:
            with self.lock:
                super().draw()

        def _handle_message(self, object: Any, content: dict, buffers: list) -> None:
            with self.lock:  # a resize or a draw request from the browser
                super()._handle_message(object, content, buffers)

    if tuple(matplotlib.__version_info__[:2]) in _WEBAGG_DIFF_IMAGE:

        def get_diff_image(self: Any) -> bytes | None:
            """matplotlib's: the whole image, or only the pixels that changed since the last
            one (the others transparent); encoded by `png_image`."""
            if not self._png_is_old:
                return None
            pixels = np.asarray(self.get_renderer().buffer_rgba())
            buffer = pixels.view(np.uint32).squeeze(2)
            if (self._force_full or buffer.shape != self._last_buff.shape
                    or (pixels[:, :, 3] != 255).any()):
                self.set_image_mode("full")
                output = buffer
            else:
                self.set_image_mode("diff")
                output = np.where(buffer != self._last_buff, buffer, 0)
            self._last_buff = buffer.copy()
            self._force_full = False
            self._png_is_old = False
            return png_image(output.view(np.uint8).reshape((*output.shape, 4)))

        ExplorerCanvas.get_diff_image = get_diff_image  # type: ignore[attr-defined]
    return ExplorerCanvas


def _ipympl_canvas(figure: Any, lock: Any) -> Any:
    """An ipympl canvas (and its manager) for `figure`, without pyplot: no figure number in
    pyplot's registry, no stale-figure callback, no `plt.show` bookkeeping."""
    from ipympl.backend_nbagg import FigureManager

    with warnings.catch_warnings():
        # ipympl 0.10's toolbar passes an argument traitlets no longer wants; not ours.
        warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
        canvas = _canvas_class()(figure)
        canvas.lock = lock
        FigureManager(canvas, next(_figure_numbers))
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False  # no resize handle: the figure keeps the column's width
    return canvas


MAX_AXES_FOR_PARTIAL = 6
"""Figures with more axes (the gallery's 16, which share their limits) are always drawn in
full when their background changes."""
MAX_PARTIAL_AREA = 0.6
"""A partial redraw covering more of the figure than this is done as a full draw."""

Box = tuple[int, int, int, int]
"""A pixel rectangle (x0, y0, x1, y1) in display coordinates (origin at the bottom left)."""


def _pixel_box(bbox: Any, pad: int = 2) -> Box | None:
    """The pixels of a matplotlib Bbox, rounded outwards and padded (None: nothing drawn)."""
    if bbox is None or not np.isfinite(bbox.bounds).all():
        return None
    return (int(np.floor(bbox.x0)) - pad, int(np.floor(bbox.y0)) - pad,
            int(np.ceil(bbox.x1)) + pad, int(np.ceil(bbox.y1)) + pad)


def _union(boxes: list[Box | None]) -> Box | None:
    present = [b for b in boxes if b is not None]
    if not present:
        return None
    return (min(b[0] for b in present), min(b[1] for b in present),
            max(b[2] for b in present), max(b[3] for b in present))


def _intersection(a: Box | None, b: Box | None) -> Box | None:
    if a is None or b is None:
        return None
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _overlap(a: Box | None, b: Box | None) -> bool:
    if a is None or b is None:
        return False
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _area(box: Box | None) -> int:
    return 0 if box is None else max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def _clear(figure: Any, renderer: Any, box: Box) -> None:
    """Paint `box` with the figure's background colour (what a full draw starts from)."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import IdentityTransform

    x0, y0, x1, y1 = box
    patch = Rectangle((x0, y0), x1 - x0, y1 - y0, transform=IdentityTransform(),
                      facecolor=figure.patch.get_facecolor(), edgecolor="none", linewidth=0,
                      antialiased=False, snap=True)
    patch.set_figure(figure)
    patch.draw(renderer)


class LiveFigure:
    """Owns one matplotlib figure and the widget that shows it.

    Attributes:
        figure: the matplotlib figure.
        axes: its axes as a flat list (row by row).
        widget: what to put in a widget layout — the ipympl canvas, or an `Output`.
        interactive: True when the widget is ipympl's canvas.
        lock: held while the figure or the explorer's widgets change (see the module notes).
        full_draws / axes_draws / blits: how many refreshes drew the whole figure / drew the
            axes that changed / blitted (benchmarks and tests read them).
    """

    def __init__(
        self,
        nrows: int = 1,
        ncols: int = 1,
        figsize: tuple[float, float] = (9.6, 3.4),
        *,
        dpi: float | None = None,
        sharex: bool | Literal["none", "all", "row", "col"] = False,
        sharey: bool | Literal["none", "all", "row", "col"] = False,
        interactive: bool | None = None,
    ):
        import ipywidgets as widgets
        from matplotlib.figure import Figure

        self.interactive = ipympl_available() if interactive is None else interactive
        with explorer_style():
            self.figure = Figure(figsize=figsize, dpi=dpi)
            self.axes = (
                self.figure.subplots(nrows, ncols, squeeze=False, sharex=sharex, sharey=sharey)
                .ravel()
                .tolist()
            )
        for ax in self.axes:
            self.style_axes(ax)
        self.lock = threading.RLock()
        if self.interactive:
            self.widget: Any = _ipympl_canvas(self.figure, self.lock)
            self.widget.on_msg(self._on_frontend_message)
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(self.figure)
            self.widget = widgets.Output()
        self._animated: list[Any] = []
        self._background: Any = None
        self._drawn_layout: tuple | None = None
        self._shown_callbacks: list[Callable[[], None]] = []
        self._shown_announced = False
        self._boxes: dict[Any, Any] = {}
        self.full_draws = 0
        self.axes_draws = 0
        self.blits = 0
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)

    @staticmethod
    def style_axes(ax: Any) -> None:
        """Screen-sized tick labels on `ax` (ticks are made at draw time, so the size is set on
        the axes rather than taken from the style in force then)."""
        ax.tick_params(labelsize=FONT_SIZE["tick"])

    # -- the browser ------------------------------------------------------------------------

    @property
    def shown(self) -> bool:
        """True once a browser has shown the canvas (ipympl's 'initialized' message)."""
        return self.interactive and not getattr(self.widget, "syncing_data_url", True)

    def when_shown(self, callback: Callable[[], None]) -> None:
        """Call `callback` once a browser shows the canvas (at once if one already has).
        Never called without a browser — executing the notebook to grade it, or in tests."""
        if self.shown:
            callback()
        else:
            self._shown_callbacks.append(callback)

    def _on_frontend_message(self, _widget: Any, content: dict, _buffers: list) -> None:
        if content.get("type") == "initialized" and not self._shown_announced:
            self._shown_announced = True
            callbacks, self._shown_callbacks = self._shown_callbacks, []
            for callback in callbacks:
                callback()

    # -- drawing ----------------------------------------------------------------------------

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
        """Show the figure's current state: one image (blitted when only animated artists
        changed), or nothing while no browser shows the canvas."""
        if self.interactive:
            if not self.shown:
                return  # the browser asks for its first image when it shows the canvas
            layout = None if full else self._layout()
            if layout is not None and self._can_blit(layout):
                self._blit()
            elif layout is not None and self._draw_changed_axes(layout):
                self.axes_draws += 1
            else:
                self.full_draws += 1
                self.figure.canvas.draw()  # → draw_event: background saved, one image sent
            return
        self.full_draws += 1
        from IPython import get_ipython
        from IPython.display import clear_output, display

        if get_ipython() is None:  # plain Python (tests, scripts): nothing to show it on
            return
        with self.widget:
            clear_output(wait=True)
            display(self.figure)

    def _layout(self) -> tuple:
        """What the saved background depends on: the figure's size, then each axes' state."""
        parts: list[Any] = [tuple(self.figure.bbox.bounds)]
        with self._staleness_kept():
            for ax in self.figure.axes:
                parts.append((
                    ax.get_visible(), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
                    ax.get_yscale(), ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                    tuple(ax.get_position().bounds),
                ))
        return tuple(parts)

    def _can_blit(self, layout: tuple) -> bool:
        return (
            bool(self._animated)
            and self._background is not None
            and self._drawn_layout == layout
        )

    def _draw_changed_axes(self, layout: tuple) -> bool:
        """Redraw only the axes whose background changed, and every axes reaching into the
        region they occupy before and after: the pixels a full draw gives. False (nothing
        done) when that region is most of the figure, or the figure itself changed."""
        drawn, axes = self._drawn_layout, self.figure.axes
        if (not self._animated or self._background is None or drawn is None
                or len(drawn) != len(layout) or drawn[0] != layout[0]
                or any(ax not in self._boxes for ax in axes)):
            return False
        redraw = {i for i, (old, new) in enumerate(zip(drawn[1:], layout[1:], strict=True))
                  if old != new}
        renderer = self._agg_canvas().get_renderer()
        with self._staleness_kept():
            new_boxes = {i: _pixel_box(axes[i].get_tightbbox(renderer)) for i in redraw}
            region = _union([*new_boxes.values(), *(self._boxes[axes[i]] for i in redraw)])
            grown = True
            while grown:  # every axes whose pixels reach into the region is redrawn too
                grown = False
                for i, ax in enumerate(axes):
                    if i not in redraw and _overlap(self._boxes[ax], region):
                        redraw.add(i)
                        new_boxes[i] = _pixel_box(ax.get_tightbbox(renderer))
                        region = _union([region, new_boxes[i], self._boxes[ax]])
                        grown = True
            figure_box = _pixel_box(self.figure.bbox, pad=0)
            region = _intersection(region, figure_box)
            if _area(region) > MAX_PARTIAL_AREA * _area(figure_box):
                return False
            canvas = self._agg_canvas()
            canvas.restore_region(self._background)
            if region is not None:
                _clear(self.figure, renderer, region)
            for i in sorted(redraw):  # the figure's drawing order
                axes[i].draw(renderer)
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._drawn_layout = layout
            self._boxes.update({axes[i]: box for i, box in new_boxes.items()})
        self._draw_animated()
        canvas.blit(self.figure.bbox)
        return True

    def _agg_canvas(self) -> FigureCanvasAgg:
        """The figure's canvas where blitting happens (interactive: ipympl's, an Agg canvas
        with the renderer and the saved regions blitting uses)."""
        return cast("FigureCanvasAgg", self.figure.canvas)

    def _on_draw(self, _event: object) -> None:
        """After a full draw (ours, or one the browser asked for): save the background, then
        draw the animated artists on top."""
        canvas = self._agg_canvas()
        # Saving (downloads, static images) draws animated artists itself.
        if not (self.interactive and self._animated) or canvas.is_saving():
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._drawn_layout = self._layout()
        self._boxes = {}
        if len(self.figure.axes) <= MAX_AXES_FOR_PARTIAL:
            renderer = canvas.get_renderer()
            with self._staleness_kept():
                self._boxes = {ax: _pixel_box(ax.get_tightbbox(renderer))
                               for ax in self.figure.axes}
        self._draw_animated()

    def _draw_animated(self) -> None:
        with self._staleness_kept():
            for artist in self._animated:
                if artist.get_visible():
                    self.figure.draw_artist(artist)

    @contextmanager
    def _staleness_kept(self) -> Iterator[None]:
        """Leave the figure and its axes as stale or as clean as they were: reading an axes'
        position and drawing a text mark them stale although nothing on screen changed. (The
        figure is not pyplot's, so staleness triggers no draw; this keeps a figure that a
        student hands to pyplot from redrawing itself in a loop.)"""
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
        canvas = self._agg_canvas()
        canvas.restore_region(self._background)
        self._draw_animated()
        canvas.blit(self.figure.bbox)
        self.blits += 1
