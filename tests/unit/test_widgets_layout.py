"""Every explorer fits a JupyterLab column, writes at a readable size, and draws with a
colour-blind-safe palette."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.text import Text

from lrcore.widgets.batch_size import BatchSizeExplorer, RangeTestExplorer
from lrcore.widgets.optimizers import OptimizerExplorer
from lrcore.widgets.q_learning import QLearningExplorer
from lrcore.widgets.quadratic import QuadraticExplorer
from lrcore.widgets.schedule_gallery import ScheduleGallery

pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")

EXPLORERS = {
    "quadratic": lambda: QuadraticExplorer(lr=0.05, x0=500.0, steps=20, schedule="one_cycle"),
    "gallery": lambda: ScheduleGallery(),
    "batch size": lambda: BatchSizeExplorer(epochs=2),
    "range test": lambda: RangeTestExplorer(),
    "optimizers": lambda: OptimizerExplorer(epochs=2),
    "q-learning": lambda: QLearningExplorer(sweeps=200),
}
COLUMN_WIDTH_PX = 990
"""A JupyterLab notebook's output column in a 1440-px window."""
SCREEN_PX_PER_PT = 96 / 72
"""CSS pixels per point (at a device pixel ratio of 1)."""
MIN_FONT_PT, MAX_FONT_PT = 8.0, 11.0
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7")
PALETTE = {colour.lower() for colour in OKABE_ITO}
COLOUR_BLIND_SAFE_MAPS = {"RdBu", "RdBu_r", "cividis", "viridis", "PuOr", "PuOr_r"}


@pytest.fixture(scope="module", params=list(EXPLORERS))
def explorer(request):
    explorer = EXPLORERS[request.param]()
    explorer.live.figure.canvas.draw()  # ticks and their labels exist only once drawn
    return explorer


def test_the_figure_fits_the_column(explorer):
    figure = explorer.live.figure
    width_px = figure.get_figwidth() * figure.dpi
    assert width_px <= COLUMN_WIDTH_PX - 40, f"{width_px:.0f} px wide"


def on_screen_points(explorer) -> dict[str, float]:
    """Every visible text of the figure: its size on screen, in points."""
    figure = explorer.live.figure
    return {text.get_text(): text.get_fontsize() * figure.dpi / 72 / SCREEN_PX_PER_PT
            for text in figure.findobj(Text) if text.get_visible() and text.get_text().strip()}


def test_every_text_is_at_least_8_points_on_screen(explorer):
    small = {text: round(size, 1) for text, size in on_screen_points(explorer).items()
             if size < MIN_FONT_PT - 1e-9}
    assert not small, small


def test_texts_rewritten_on_a_change_keep_the_explorers_size(explorer):
    """Titles rewritten on a change (the schedule's, the optimiser's) keep the explorer's
    sizes rather than taking matplotlib's default (12 pt at the figure's dpi)."""
    large = {text: round(size, 1) for text, size in on_screen_points(explorer).items()
             if size > MAX_FONT_PT}
    assert not large, large


def _is_grey(hex_colour: str) -> bool:
    red, green, blue = mcolors.to_rgb(hex_colour)
    return max(red, green, blue) - min(red, green, blue) < 1e-9


def test_lines_use_the_okabe_ito_palette_or_greys(explorer):
    foreign = []
    for ax in explorer.live.figure.axes:
        for line in ax.get_lines():  # the data's lines (not ticks or spines)
            colour = mcolors.to_hex(line.get_color())
            if colour not in PALETTE and not _is_grey(colour):
                foreign.append(f"{ax.get_title()}: {colour}")
    assert not foreign, foreign


def test_no_two_lines_of_a_panel_differ_only_by_red_against_green(explorer):
    red, green = mcolors.to_hex("tab:red"), mcolors.to_hex("tab:green")
    for ax in explorer.live.figure.axes:
        colours = {mcolors.to_hex(line.get_color()) for line in ax.get_lines()}
        assert not {red, green} <= colours


def test_images_and_scatter_use_colour_blind_safe_maps(explorer):
    for artist in explorer.live.figure.findobj(lambda a: isinstance(a, AxesImage | Collection)):
        cmap = getattr(artist, "get_cmap", lambda: None)()
        if cmap is not None and getattr(artist, "get_array", lambda: None)() is not None:
            assert cmap.name in COLOUR_BLIND_SAFE_MAPS, cmap.name


def test_every_control_is_one_the_keyboard_can_operate(explorer):
    keyboard = {"FloatLogSlider", "FloatSlider", "IntSlider", "SelectionSlider", "Dropdown",
                "ToggleButtons", "Checkbox"}
    for name, control in explorer.controls.items():
        assert type(control).__name__ in keyboard, name
        assert not control.disabled or name == "omega", name
