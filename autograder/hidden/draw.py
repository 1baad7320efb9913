"""Drawing a student's hidden cases: the same submission of a student always gets the same
cases (a regrade changes nothing); two students — or two different submissions of one student —
almost always get different ones.

For each pool, every candidate gets a rank `HMAC-SHA256(secret, course ∥ assignment ∥ pool ∥
student ∥ submission ∥ index)`; the student gets the pool's `always` cases (edge cases every
student runs) and the `draw` candidates of lowest rank, in the pool's order. `submission` is a
fingerprint of what the student handed in (its cells' sources, not its outputs): a notebook can
print the cases it was given into its own feedback, and a lookup table of them in the next
submission meets other cases. Only the standard library's HMAC is involved, so the draw does not
depend on a random generator's implementation.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from autograder.hidden.pools import Pool

__all__ = ["draw_cases", "draw_pool"]


def _rank(secret: bytes, *parts: str) -> bytes:
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def draw_pool(pool: Pool, secret: bytes, course_id: str, assignment: str, student: str,
              submission: str = "") -> list[dict[str, Any]]:
    """This submission's cases of one pool: its `always` cases, then `draw` candidates."""
    ranked = sorted(range(len(pool.candidates)), key=lambda index: _rank(
        secret, course_id, assignment, pool.name, student, submission, str(index)))
    chosen = sorted(ranked[: pool.draw])
    return [*pool.always, *(pool.candidates[index] for index in chosen)]


def draw_cases(pools: Mapping[str, Pool], secret: bytes, course_id: str, assignment: str,
               student: str, submission: str = "") -> dict[str, list[dict[str, Any]]]:
    """This submission's cases of every pool of the assignment: `{pool: [case, …]}`."""
    return {name: draw_pool(pool, secret, course_id, assignment, student, submission)
            for name, pool in pools.items()}
