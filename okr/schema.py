"""The template schema: the columns of the OKR sheet and the words users may type.

This is the one place that knows the header texts in every language, their
tolerated variants, and the dropdown words. The template generator, the reader
and the spreadsheet formulas all draw from here, so they cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LANGUAGES = ("en", "zh-CN")
#: The template's tab names in each language (the reader accepts every one of them).
SHEET_NAMES: dict[str, dict[str, str]] = {
    "okrs": {"en": "OKRs", "zh-CN": "目标与关键结果"},
    "checkins": {"en": "Check-ins", "zh-CN": "进展记录"},
    "guide": {"en": "Guide", "zh-CN": "填写说明"},
    "lists": {"en": "Lists", "zh-CN": "列表"},
}
SHEET = SHEET_NAMES["okrs"]["en"]
CHECKINS_SHEET = SHEET_NAMES["checkins"]["en"]
GUIDE_SHEET = SHEET_NAMES["guide"]["en"]
LISTS_SHEET = SHEET_NAMES["lists"]["en"]
TABLE_NAME = "OKRs"
#: Sheet names accepted for the OKR table besides SHEET (compared after normalising).
SHEET_SYNONYMS = ("okrs", "okr", SHEET_NAMES["okrs"]["zh-CN"], "okr表")


def sheet_name(key: str, lang: str) -> str:
    """The template's tab *key* (``okrs``, ``checkins``, ``guide``, ``lists``) in *lang*."""
    return SHEET_NAMES[key]["zh-CN" if lang == "zh-CN" else "en"]


def sheet_ref(name: str) -> str:
    """*name* as a formula writes it before ``!``: plain ASCII words bare, else quoted."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    """One column of the OKR table."""

    key: str
    en: str
    zh: str
    #: extra spellings accepted by the reader, in any language
    synonyms: tuple[str, ...] = ()
    #: "text", "number", "percent", "date" or "formula"
    kind: str = "text"
    width: float = 12
    required: bool = False

    def header(self, lang: str) -> str:
        """Return the header text of this column in *lang*."""
        return self.zh if lang == "zh-CN" else self.en


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", "编号", ("okr id", "key", "code"), width=14, required=True),
    Column("type", "Type", "类型", ("kind", "row type"), width=13, required=True),
    Column("parent", "Parent", "上级", ("parent id", "aligns to", "serves", "上级目标"), width=30),
    Column(
        "title",
        "Title",
        "标题",
        ("name", "objective", "description", "名称"),
        width=44,
        required=True,
    ),
    Column("owner", "Owner", "负责人", ("owner email", "owner e-mail", "responsible", "责任人")),
    Column("department", "Department", "部门", ("dept", "team", "团队"), width=14),
    Column("period", "Period", "周期", ("quarter", "timeframe", "期间"), width=10),
    Column("direction", "Direction", "方向", ("kr direction", "goal type"), width=11),
    Column("unit", "Unit", "单位", ("units", "uom"), width=8),
    Column("baseline", "Baseline", "基线", ("start", "start value", "starting value"), "number"),
    Column("target", "Target", "目标值", ("goal", "target value"), "number"),
    Column("current", "Current", "当前值", ("actual", "current value", "value"), "number"),
    Column("weight", "Weight", "权重", ("wt",), "number", 8),
    Column("confidence", "Confidence", "信心", ("confidence level",), "percent", 11),
    Column("metric", "Metric", "指标", ("metric name", "data source"), width=18),
    Column("as_of", "As of", "更新时间", ("asof", "as at", "updated", "last updated"), "date", 16),
    Column("progress", "Progress", "进度", ("score",), "formula", 11),
    Column("status", "Status", "状态", ("state",), "formula", 12),
    Column(
        "notes", "Notes", "备注", ("note", "comments", "comment", "corrective action"), "text", 40
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)
REQUIRED_KEYS = ("id", "type", "parent", "title", "period", "direction", "target", "current")

TYPE_WORDS: dict[str, dict[str, str]] = {
    "objective": {"en": "Objective", "zh-CN": "目标"},
    "key result": {"en": "Key Result", "zh-CN": "关键结果"},
}
TYPE_SYNONYMS = {
    "objective": ("objective", "obj", "o", "目标"),
    "key result": ("key result", "kr", "keyresult", "key results", "关键结果", "kr关键结果"),
}

DIRECTIONS = ("increase", "decrease", "at least", "at most", "milestone")
DIRECTION_WORDS: dict[str, dict[str, str]] = {
    "increase": {"en": "increase", "zh-CN": "增加"},
    "decrease": {"en": "decrease", "zh-CN": "减少"},
    "at least": {"en": "at least", "zh-CN": "至少"},
    "at most": {"en": "at most", "zh-CN": "至多"},
    "milestone": {"en": "milestone", "zh-CN": "里程碑"},
}
DIRECTION_SYNONYMS = {
    "increase": ("increase", "up", "higher", "grow", "提高", "增长", "增加"),
    "decrease": ("decrease", "down", "lower", "reduce", "降低", "减少"),
    "at least": ("at least", ">=", "minimum", "min", "不低于", "至少"),
    "at most": ("at most", "<=", "maximum", "max", "不高于", "至多"),
    "milestone": ("milestone", "binary", "done/not done", "里程碑"),
}
#: Values of Current that mean a milestone is done (compared case-insensitively).
DONE_WORDS = ("1", "true", "yes", "done", "是", "完成", "已完成")

STATUSES = ("on track", "at risk", "off track", "not started")
STATUS_WORDS: dict[str, dict[str, str]] = {
    "on track": {"en": "on track", "zh-CN": "正常"},
    "at risk": {"en": "at risk", "zh-CN": "有风险"},
    "off track": {"en": "off track", "zh-CN": "落后"},
    "not started": {"en": "not started", "zh-CN": "未开始"},
}


@lru_cache(maxsize=4096)  # the same few words recur on every row
def normalise(text: object) -> str:
    """Fold a header or dropdown word for tolerant matching.

    Case, width (full-width characters), surrounding and repeated whitespace,
    and the separators ``_ - .`` are ignored, so ``Owner_Email`` and
    ``owner email`` meet.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"[\s_\-.:/]+", " ", s)
    return s.strip()


def _index(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(word): key for key, words in pairs.items() for word in words}


HEADER_INDEX: dict[str, str] = {
    normalise(w): c.key for c in COLUMNS for w in (c.key, c.en, c.zh, *c.synonyms)
}
TYPE_INDEX = _index({k: (*v, *TYPE_WORDS[k].values()) for k, v in TYPE_SYNONYMS.items()})
# Spaces are dropped so "atleast" and "at  least" meet "at least".
DIRECTION_INDEX = {
    word.replace(" ", ""): key
    for word, key in _index(
        {k: (*v, *DIRECTION_WORDS[k].values()) for k, v in DIRECTION_SYNONYMS.items()}
    ).items()
}
STATUS_INDEX = _index({k: tuple(v.values()) for k, v in STATUS_WORDS.items()})


def column_for_header(text: object) -> str | None:
    """Return the column key a header cell names, or None if it names none."""
    if text is None:
        return None
    return HEADER_INDEX.get(normalise(text))


def parse_type(text: object) -> str | None:
    """Return ``"objective"`` or ``"key result"`` for a Type cell, else None."""
    return None if text is None else TYPE_INDEX.get(normalise(text))


def parse_direction(text: object) -> str | None:
    """Return the canonical direction for a Direction cell, else None."""
    if text is None:
        return None
    s = normalise(text).replace(" ", "")
    return DIRECTION_INDEX.get(s)


def header_texts(lang: str) -> list[str]:
    """The header row of the OKR table in *lang*."""
    return [c.header(lang) for c in COLUMNS]


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based column index (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


#: Column letter of each key in the template's own layout.
LETTER = {c.key: column_letter(i) for i, c in enumerate(COLUMNS)}
