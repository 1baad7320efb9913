"""Student ids: made safe when they come from a file name, refused when they come from anyone else.

nbgrader builds paths from a student id and hands them to `glob.glob` (`submitted/{student_id}/
{assignment_id}`), so an id with `*`, `?` or `[` selects other students' folders; one with `/`
or `..` leaves the course directory; one starting with `=`, `+`, `-` or `@` becomes a formula
in a spreadsheet. Two doors let ids in:

- `collect` takes them from the names of the files and folders in an inbox — names the students
  chose. `normalise_student_id` turns such a name into the *safe alphabet* (ASCII letters,
  digits, `_`, `-`, `.`, starting with a letter, digit or `_`): accents are transliterated
  (NFKD, combining marks dropped), spaces and punctuation become `_`, a copy counter such as
  " (1)" and the assignment's name are dropped.
- A roster, JupyterHub, `grade --student` or a folder already in `submitted/` name ids the
  instructor vouches for: `validate_student_id` checks them and says what is wrong, but never
  rewrites them (a changed id would silently be another student). Any script's letters and
  digits are accepted there, with `_`, `-`, `.` and `@` after the first character; every id
  `normalise_student_id` makes passes.

Neither function ever echoes the id in its sentences: ids are student-written text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["MAX_ID_LENGTH", "normalise_student_id", "validate_student_id", "is_safe_id"]

MAX_ID_LENGTH = 64
"""Longer ids are refused (validation) or cut (normalisation)."""

_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_LETTERS_WITHOUT_DECOMPOSITION = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d",
    "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i",
}
"""Latin letters that NFKD does not split into a base letter and a mark."""
_COPY_MARKS = re.compile(r"^copy of\s+|(?:\s*\(\d+\)|[\s_-]+copy(?:[\s_]*\d+)?)+$",
                         re.IGNORECASE)
"""What file managers add to a second copy: 'Copy of x', 'x (1)', 'x - Copy', 'x_copy2'."""
_SEPARATORS = re.compile(r"[^A-Za-z0-9.-]+")
_VALIDATION_PUNCTUATION = frozenset("_-.@")
_LETTER_OR_DIGIT = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def is_safe_id(student: str) -> bool:
    """Whether `student` is in the safe alphabet `normalise_student_id` produces."""
    return len(student) <= MAX_ID_LENGTH and _SAFE.fullmatch(student) is not None


def _transliterate(text: str) -> str:
    """ASCII where a reasonable reading exists ('Chloé' → 'Chloe', 'Straße' → 'Strasse');
    other characters are kept for the caller to replace."""
    text = "".join(_LETTERS_WITHOUT_DECOMPOSITION.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _without_assignment_name(name: str, assignment: str) -> str:
    """'Dave Smith - ps02 (1)' → 'Dave Smith': drops a copy counter and the assignment's id or
    its short form (`ps02`) where they stand as words at either end."""
    name = _COPY_MARKS.sub("", name.strip())
    for token in sorted({assignment, assignment.split("_")[0]}, key=len, reverse=True):
        if not token:
            continue
        edge = re.escape(token)
        trimmed = re.sub(rf"^{edge}(?:[\s_.-]+)|(?:[\s_.-]+){edge}$", "", name,
                         flags=re.IGNORECASE)
        if trimmed.strip(" _.-"):
            name = trimmed
    return _COPY_MARKS.sub("", name.strip())


def normalise_student_id(name: str, assignment: str = "") -> str:
    """The safe student id for a file or folder name found in an inbox.

    >>> normalise_student_id("Dave Smith - ps02 (1)", "ps02_schedulers")
    'Dave_Smith'
    >>> normalise_student_id("Chloé Müller"), normalise_student_id("name[1]")
    ('Chloe_Muller', 'name_1')
    >>> normalise_student_id("=1+2"), normalise_student_id("..secret")
    ('1_2', 'secret')

    A name with no letter or digit left (e.g. written in another script) gets `student_` and
    eight hex digits of its hash, so that it stays distinct and traceable through the mapping
    `collect` keeps.
    """
    cleaned = _without_assignment_name(unicodedata.normalize("NFC", name), assignment)
    ascii_name = _SEPARATORS.sub("_", _transliterate(cleaned))
    ascii_name = re.sub(r"[_.-]*_[_.-]*", "_", ascii_name).strip("_.-")  # 'a_-_b' → 'a_b'
    ascii_name = ascii_name[:MAX_ID_LENGTH].rstrip("_.-")
    if not re.search(r"[A-Za-z0-9]", ascii_name):
        digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode()).hexdigest()
        return f"student_{digest[:8]}"
    return ascii_name


def validate_student_id(student: object) -> str | None:
    """The problem with a student id given by a roster, JupyterHub, the command line or a
    folder in `submitted/`, as one sentence — or None when the id is usable as it is."""
    if not isinstance(student, str) or not student:
        return "The student id is empty."
    if len(student) > MAX_ID_LENGTH:
        return f"The student id is longer than {MAX_ID_LENGTH} characters."
    if unicodedata.normalize("NFC", student) != student:
        return ("The student id is not in composed Unicode form (NFC); "
                "write its accented letters as single characters.")
    first, rest = student[0], student[1:]
    if first != "_" and unicodedata.category(first) not in _LETTER_OR_DIGIT:
        return "The student id must start with a letter, a digit or '_'."
    for ch in rest:
        if ch not in _VALIDATION_PUNCTUATION and unicodedata.category(ch) not in _LETTER_OR_DIGIT:
            return ("The student id contains a character other than letters, digits, '_', '-', "
                    "'.' and '@' (such as a space, '/', '*', '?' or '['); use the id as the "
                    "roster writes it, or let collect name the folder.")
    return None
