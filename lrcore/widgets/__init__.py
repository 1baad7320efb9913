"""Exploration widgets: sliders that redraw a learning-rate experiment in place."""

from lrcore.widgets.quadratic import QuadraticExplorer, quadratic_explorer

__all__ = ["QuadraticExplorer", "quadratic_explorer"]
