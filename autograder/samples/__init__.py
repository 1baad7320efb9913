"""Sample submissions: the demo's class and the end-to-end tests' fixtures.

Each assignment module (`autograder.samples.ps01`, …) lists `SAMPLES`: students whose notebook
is the release with some cells filled in — the instructor's solution, nothing at all, a
realistic mistake, or a correct solution written differently — and what grading must make of
it: which tests fail and which words the feedback must contain. The module writes the samples'
code; its table (`psNN.toml`, read by `autograder.samples.table`) lists the class.
"""

from autograder.samples.build import Sample, build_notebook, samples_for, write_inbox

__all__ = ["Sample", "build_notebook", "samples_for", "write_inbox"]
