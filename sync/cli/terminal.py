"""What the command line prints is text for a terminal, never instructions to it.

IDs, titles and file names come from workbooks anyone can write. An ESC
sequence among them would move the cursor, clear the screen or retitle the
window; a newline would split one problem line in two; a bidi override would
show text in another order than it is. ``printable`` spells all of these as
visible escapes (``\\x1b``, ``\\n``, ``\\u202e``), so one message stays one line.
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls, and the Unicode bidi embeddings,
# overrides and isolates (the "trojan source" characters).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch == "\n":
        return "\\n"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, lines: bool = False) -> str:
    """*text* with control characters shown as escapes; newlines too unless *lines*."""
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE).sub(_escape, str(text))
