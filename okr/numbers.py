"""Numbers as people type them into cells: locales, percentages, error values.

One rule for every reader (xlsx, Google Sheets, uploads, the file connector,
the functions): text is read as a number only when it cannot mean two
numbers, unless the organisation's decimal mark is set.
"""

from __future__ import annotations

import re


class AmbiguousNumber(ValueError):
    """Text that is a number read one way with a decimal point and another with a comma."""


#: The error values a spreadsheet shows for a formula that failed.
ERROR_VALUES = (
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)
_GROUPS = {".": ",", ",": "."}
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")


def parse_number(value: object, decimal: str | None = None) -> float | None:
    """A number from a cell: numbers as is, text like ``1,200.5`` or ``45%``; else raise.

    *decimal* (``.`` or ``,``, from ``[organisation] decimal``) says which mark
    separates decimals in typed text; the other one groups thousands. Without
    it, text is read only when it cannot mean two numbers: ``1,234.5`` and
    ``12.5`` are read, ``12,5`` and ``1.234`` raise, since a European and an
    English reader would take them for different numbers.
    """
    if type(value) is float:  # what readers give for most number cells
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a TRUE/FALSE value")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.upper() in ERROR_VALUES:
        raise ValueError(f"the error {text.upper()}")
    s = text.translate(_SPACES)
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1], 0.01
    number = _plain_number(s, decimal)
    if number is None:
        if decimal is None and _plain_number(s, ",") != _plain_number(s, "."):
            raise AmbiguousNumber(f"'{value}'")
        raise ValueError(f"'{value}'")
    return number * scale


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:G\d{3})+(?:D\d*)?")


def _plain_number(s: str, decimal: str | None) -> float | None:
    if decimal is None:
        if "," in s and "." in s:
            decimal = "." if s.rfind(".") > s.rfind(",") else ","
        elif s.count(",") > 1:
            decimal = "."
        elif s.count(".") > 1:
            decimal = ","
        elif "," in s:
            return None  # 12,5 or 1,200: a decimal comma or a thousands comma
        elif re.fullmatch(r"[+-]?[1-9]\d{0,2}\.\d{3}", s):
            return None  # 1.234: a thousands point or a decimal point
        else:
            decimal = "."
    group = _GROUPS[decimal]
    if group in s:
        pattern = _GROUPED.pattern.replace("G", re.escape(group)).replace("D", re.escape(decimal))
        if not re.fullmatch(pattern, s):
            return None
        s = s.replace(group, "")
    s = s.replace(decimal, ".")
    return float(s) if _NUMBER.fullmatch(s) else None


#: Units that mean percentage points (a Target of 88 is 88 %).
PERCENT_UNITS = frozenset({"%", "percent", "pct", "百分比"})


def is_percent_unit(unit: object) -> bool:
    """True for a Unit that says the numbers are percentage points (``%``)."""
    return isinstance(unit, str) and unit.strip().lower() in PERCENT_UNITS


def typed_percent(value: object) -> bool:
    """True for text typed with a percent sign (``85%``)."""
    return isinstance(value, str) and value.strip().endswith("%")
