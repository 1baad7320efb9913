"""Importing this module keeps jsonschema's optional IRI grammar out of the process
(`autograder.sandbox.iri_grammar`, ≈1.5 s of CPU at jsonschema's import).

The fork server of `grade`'s local pool can run no code before it imports its preload list, only
imports: `autograder.preload.grading_modules` names this module first, so the server — and every
pool worker forked from it — imports nbformat and nbgrader without compiling the grammar.
"""

from autograder.sandbox.iri_grammar import skip_iri_grammar

skip_iri_grammar()
