"""Terminal control sequences out of text a student's code printed.

A kernel's stream and error text is written by the student's code. In a terminal (an instructor
who `cat`s an output, a log) escape sequences act: OSC 8 makes a hyperlink, OSC 52 writes the
clipboard, CSI sequences move the cursor and erase what was printed before. On a page they are
at best noise. `strip_terminal_controls` keeps the text and its line breaks, and at most the
colour codes (SGR, `ESC [ digits;… m`) that nbconvert's `ansi2html` turns into `<span>` classes.
"""

from __future__ import annotations

import re

__all__ = ["strip_terminal_controls"]

_SEQUENCE = re.compile(
    # control strings — OSC (ESC ] or 0x9d), DCS (ESC P, 0x90), SOS (ESC X, 0x98), PM (ESC ^,
    # 0x9e), APC (ESC _, 0x9f) — up to their terminator, BEL or ST (ESC \ or 0x9c)
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    # CSI (ESC [ or 0x9b) parameters intermediates final: cursor movement, erasing, colours, …
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    # any other escape, or an unterminated one's introducer: ESC intermediates final
    r"|\x1b[ -/]*[0-~]?"
    # C0 controls but tab and newline, DEL, C1 controls (8-bit CSI 0x9b, OSC 0x9d, …)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def strip_terminal_controls(text: str, keep_colours: bool = True) -> str:
    """`text` without terminal control sequences or control characters; a carriage return
    becomes a line break. With `keep_colours`, colour codes `ESC [ digits;… m` stay.

    >>> strip_terminal_controls("\\x1b]8;;https://x.example\\x07link\\x1b]8;;\\x07 \\x1b[2Jok")
    'link ok'
    >>> strip_terminal_controls("\\x1b[31mred\\x1b[0m\\r\\n", keep_colours=False)
    'red\\n'
    """

    def replace(match: re.Match) -> str:
        sequence = match.group(0)
        return sequence if keep_colours and _COLOUR.fullmatch(sequence) else ""

    return _SEQUENCE.sub(replace, text.replace("\r\n", "\n").replace("\r", "\n"))
