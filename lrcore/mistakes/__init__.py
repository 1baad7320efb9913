"""Models of the usual student mistakes, computed exactly so a wrong answer can be recognised.

The grader compares a wrong submission with each model here; when one matches, the feedback
names the mistake instead of just saying "wrong". Each model is a small pure function next to
the correct computation it perturbs.
"""

from lrcore.mistakes.quadratic import QUADRATIC_MISTAKES, quadratic_mistake_trajectories
from lrcore.mistakes.regression import REGRESSION_MISTAKES, regression_mistake_losses

__all__ = [
    "QUADRATIC_MISTAKES",
    "quadratic_mistake_trajectories",
    "REGRESSION_MISTAKES",
    "regression_mistake_losses",
]
