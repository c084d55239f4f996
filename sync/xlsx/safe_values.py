"""The formula-injection guard: values from outside are written as values, never formulas.

A text from a database, an export or an API that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would become a formula (or be taken
for one when a user edits the cell). ``write_value`` stores such text as a
string cell with Excel's quote prefix, exactly as if the user had typed
``'=...``.
"""

from __future__ import annotations

import re
from typing import Any

#: first characters that spreadsheet applications treat as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_value(cell: Any, value: object) -> None:
    """Put *value* into the openpyxl *cell* as a plain value.

    Numbers, dates and None are written as they are; every string is written
    as text (``data_type = "s"``), and one that looks like a formula also gets
    the quote prefix so Excel keeps it text when the cell is edited.
    """
    cell.value = value  # openpyxl turns "=..." into a formula here ...
    if isinstance(value, str):
        cell.data_type = "s"  # ... and this makes it text again
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


# XML 1.0 allows tab, newline, carriage return and everything from U+0020 up,
# except the surrogates and U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_legal(text: str) -> str:
    """*text* with the characters XML 1.0 cannot carry replaced by U+FFFD.

    Cell text is escaped by xlsxwriter itself (``_x001B_``), but attributes
    (a link's display text, a tooltip) and chart labels are not: text from a
    workbook goes there through this.
    """
    if text.isprintable():  # no control character, surrogate or non-character: most text
        return text
    return _XML_ILLEGAL.sub("\ufffd", text)


#: What makes an inline string need xlsxwriter's escaping: XML specials, control
#: characters, text that looks like an _xHHHH_ escape, edge whitespace.
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")


def plain_inline(text: str) -> bool:
    """True when xlsxwriter would write *text* as it is (``_NOT_PLAIN`` finds nothing).

    Most cells are printable text without XML specials: for them a few string
    tests answer, faster than the regular expression (a run has millions of cells).
    """
    if text.isprintable() and not ("&" in text or "<" in text or ">" in text or "_x" in text):
        return not (text[:1].isspace() or text[-1:].isspace())
    return _NOT_PLAIN.search(text) is None
