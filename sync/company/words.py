"""The company workbook's words in one language: sheet names, titles, notes, column headings.

They come from ``templates/strings.toml`` (``[<lang>.company]``); headings
that are OKR columns (ID, Title, Owner...) and the type and status words
come from ``okr.schema``, so no word has two homes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from okr.schema import COLUMN_BY_KEY, LANGUAGES, STATUS_WORDS, TYPE_WORDS, sheet_name
from sync.xlsx.template_sheets import strings

#: The fixed sheets, in order (keys of ``[<lang>.company.sheets]``); department sheets follow.
FIXED_KEYS = ("dashboard", "company", "problems", "metrics", "trend", "changes")
#: Every sheet the workbook itself names (History and Data come after Changes).
SHEET_KEYS = (*FIXED_KEYS, "history", "data")


@dataclass(frozen=True)
class Words:
    """The company workbook's texts in *lang*."""

    lang: str
    text: dict[str, str]
    sheets: dict[str, str]
    columns: dict[str, str]

    def __getitem__(self, key: str) -> str:
        """The text *key* (a ``str.format`` pattern where it has ``{fields}``)."""
        return self.text[key]

    def sheet(self, key: str) -> str:
        """The name of the fixed sheet *key* (``company``, ``problems``...)."""
        return self.sheets[key]

    def heading(self, key: str) -> str:
        """A column heading: an OKR column's header, or one of the workbook's own."""
        column = COLUMN_BY_KEY.get(key)
        return column.header(self.lang) if column else self.columns[key]

    def type_word(self, kind: str) -> str:
        """``Objective`` / ``Key Result`` in this language."""
        return TYPE_WORDS[kind][self.lang]

    def status(self, key: str) -> str:
        """A status word (``on track``...) in this language."""
        return STATUS_WORDS[key][self.lang]

    def template_sheet(self, key: str) -> str:
        """The department template's tab *key* (``okrs``, ``checkins``) in this language."""
        return sheet_name(key, self.lang)


@cache
def words(lang: str = "en") -> Words:
    """The company workbook's words in *lang* (``en`` or ``zh-CN``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: use {' or '.join(LANGUAGES)}")
    table = dict(strings(lang)["company"])
    sheets, columns = table.pop("sheets"), table.pop("columns")
    return Words(lang, table, sheets, columns)


def every_sheet_name(key: str) -> tuple[str, ...]:
    """The names fixed sheet *key* has in every language (readers accept each)."""
    return tuple(words(lang).sheet(key) for lang in LANGUAGES)
