"""jsonschema's optional IRI grammar, kept out of a process.

jsonschema compiles an IRI grammar at import when `rfc3987_syntax` is importable (≈1.5 s of
CPU). No schema the grader checks — nbformat's notebook schema, nbgrader's cell metadata — has
an IRI format, so no grading process needs it: the worker and the kernel template call
`skip_iri_grammar` before they import nbformat, and the local pool's fork server imports
`autograder.without_iri_grammar` first. It lives in `autograder/sandbox/` because the worker
runs inside the sandbox, which binds only this folder and `patches/` of the grader's package.
"""

from __future__ import annotations

import sys

__all__ = ["skip_iri_grammar"]


def skip_iri_grammar() -> None:
    """Block the import of `rfc3987_syntax` in this process (its grammar is never compiled)."""
    # None blocks the import (importlib's documented rule); typeshed's sys.modules omits it
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
