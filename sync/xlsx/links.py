"""Links within a workbook for the fast writer: the link objects and their spooled XML.

A company workbook has a link on nearly every row, about 200,000 at 2,000
departments. ``FastLink`` is what ``Url("internal:" + location)`` parses
to, built without parsing; ``LinkSpool`` keeps a sheet's ``<hyperlink>``
elements in a file until the sheet is assembled, written as xlsxwriter's
``_write_hyperlink_internal`` writes them. ``StockLink`` is the same link
for xlsxwriter's public API (``sync.xlsx.fast_sheet`` picks one of them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from sync.xlsx.deflate import Stream
from sync.xlsx.safe_values import xml_legal

try:
    from xlsxwriter.url import Url, UrlTypes
except ImportError:  # an xlsxwriter without them: only StockLink is used
    Url, UrlTypes = object, None  # type: ignore[assignment,misc]


#: Links Excel keeps in one sheet: xlsxwriter refuses the cell of any link past them.
MAX_LINKS = 65_530


def may_link(ws: Any) -> bool:
    """True while worksheet *ws* may take another link; past that, write cells as text."""
    return ws.hlink_count < MAX_LINKS


def escape_attribute(text: str) -> str:
    """*text* escaped as xlsxwriter escapes an XML attribute value (``& " < >`` and newline)."""
    if not ("&" in text or '"' in text or "<" in text or ">" in text or "\n" in text):
        return text
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "&#xA;")
    )


class FastLink(Url):  # type: ignore[misc,valid-type]
    """A link to a place in this workbook: what ``Url("internal:" + location)`` parses to.

    It keeps only the location and the text; the other strings xlsxwriter
    reads are made from them when it reads them.
    """

    __slots__ = ("_anchor", "_text")

    def __init__(self, location: str, text: str = "") -> None:
        """A link to *location* (``'Sheet'!A5``) shown as *text* (default: the location)."""
        self._anchor = location
        # The display text is an XML attribute, which xlsxwriter does not escape
        # for control characters: keep only what XML can carry.
        self._text = xml_legal(text or location)

    @property
    def text(self) -> str:
        """The text shown for the link."""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = xml_legal(value)

    _link_type = UrlTypes.INTERNAL if UrlTypes is not None else None
    _tip = ""
    _is_object_link = False
    _rel_index = 0

    @property
    def _link(self) -> str:
        return self._anchor

    @property
    def _original_url(self) -> str:
        return "internal:" + self._anchor

    @property
    def _relationship_link(self) -> str:
        return "#" + self._anchor


class StockLink:
    """A link to a place in this workbook, for the stock writer: the location and its text."""

    def __init__(self, location: str, text: str = "") -> None:
        """A link to *location* (``'Sheet'!A5``) shown as *text* (default: the location)."""
        self.location = location
        self.text = text or location


class LinkSpool:
    """A sheet's ``<hyperlink>`` elements, in row order, until the sheet is assembled.

    They go to a file, or to a ``Stream`` that compresses them as they come.
    The file is closed while the workbook writes other sheets (``pause``) and
    opened again to append, so a workbook of thousands of sheets does not
    hold a buffer and a descriptor per sheet.
    """

    def __init__(self, folder: str | None, stream: Stream | None = None) -> None:
        """A new, empty spool file in *folder* (the system's temp folder when None), or *stream*."""
        self.stream = stream
        if stream is not None:
            self.path, self.fh = "", stream
            return
        fd, self.path = tempfile.mkstemp(suffix=".links", dir=folder)
        self.fh = os.fdopen(fd, "w", encoding="utf-8")

    def add(self, ref: str, location: str, text: str) -> None:
        """Add the element of a link in cell *ref* to *location*, shown as *text*."""
        if self.fh is None:
            self.fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by pause
        self.fh.write(
            f'<hyperlink ref="{ref}" location="{escape_attribute(location)}" '
            f'display="{escape_attribute(text)}"/>'
        )

    def pause(self) -> None:
        """Close the file until the next ``add`` (a stream hands over what it gathered)."""
        if self.stream is not None:
            self.stream.flush()
        elif self.fh is not None:
            self.fh.close()
            self.fh = None

    def copy_to(self, out) -> None:
        """Write everything spooled to the file object *out*, then delete the spool."""
        self.pause()
        try:
            with open(self.path, encoding="utf-8") as fh:
                shutil.copyfileobj(fh, out)
        finally:
            os.unlink(self.path)


class NoTags:
    """A file that drops xlsxwriter's own ``<hyperlinks>`` tags (they are written already)."""

    def __init__(self, fh) -> None:
        """Write through to *fh*."""
        self._fh = fh

    def write(self, text: str) -> None:
        """Write *text* unless it is the opening or closing hyperlinks tag."""
        if text not in ("<hyperlinks>", "</hyperlinks>"):
            self._fh.write(text)
