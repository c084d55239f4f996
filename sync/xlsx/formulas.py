"""The formulas of okr_template.xlsx: Progress, Status and the hidden helper columns.

Each formula mirrors one rule of ``okr/`` (named in its docstring) and uses
only what Excel 2010+, LibreOffice 7.4 and Google Sheets all understand: plain
A1 ranges and defined names, IF/IFERROR/VLOOKUP/MATCH/SUMIFS and text
functions; no structured references, LET, LAMBDA, XLOOKUP or dynamic arrays.
``tests/test_template_recalc.py`` has LibreOffice compute them and compares
with ``okr.scoring`` and ``okr.status``.

Lookups go through defined names that the Lists sheet provides:
``TypeLookup``, ``DirectionLookup``, ``PeriodTable``, ``DoneWords``,
``OnTrackRatio``, ``AtRiskRatio`` and ``AsOfDate``.
"""

from __future__ import annotations

from okr.numbers import PERCENT_UNITS
from okr.schema import COLUMNS, LETTER, STATUS_WORDS, column_letter

FIRST_ROW = 2
ROWS = 500
LAST_ROW = FIRST_ROW + ROWS - 1

#: Hidden helper columns, right of the table after a two-column gap (from V on).
HELPERS = (
    "kind",  # "O" objective, "K" key result, "" otherwise (okr.schema.parse_type)
    "canon_direction",  # English direction word of a key result (parse_direction)
    "eff_weight",  # empty or unreadable -> 1, negative -> 0 (okr.reading)
    "score",  # clamped progress of a key result (okr.scoring.progress)
    "weighted",  # eff_weight x score, summed per parent objective
    "parent_id",  # Parent up to its first space ("CO-O1 · Grow revenue" -> CO-O1)
    "start",  # period start date from PeriodTable
    "end",  # period end date from PeriodTable
    "base_num",  # Baseline as a number, empty -> 0
    "target_num",  # Target as a number, or ""
    "current_num",  # Current as a number, or ""
)
HELPER_START = len(COLUMNS) + 2
HELPER_LETTER = {key: column_letter(HELPER_START + i) for i, key in enumerate(HELPERS)}
#: Header texts of the helper columns; chosen so no reader mistakes them for OKR columns.
HELPER_HEADERS = {key: f"helper: {key}" for key in HELPERS}

# The separators okr.schema.normalise folds into spaces.
_SEPARATORS = ("_", "-", ".", ":", "/")
_EMPTY = '""'


def _in(key: str, row: int) -> str:
    """A cell of the OKR table (an input or formula column)."""
    return f"${LETTER[key]}{row}"


def _h(key: str, row: int) -> str:
    """A helper cell."""
    return f"${HELPER_LETTER[key]}{row}"


def _span(key: str) -> str:
    letter = HELPER_LETTER[key]
    return f"${letter}${FIRST_ROW}:${letter}${LAST_ROW}"


def _normalised(ref: str) -> str:
    """Spreadsheet version of okr.schema.normalise (case is left to the lookups)."""
    text = ref
    for sep in _SEPARATORS:
        text = f'SUBSTITUTE({text},"{sep}"," ")'
    return f"TRIM({text})"


def _number(ref: str, missing: str, unit: str | None = None) -> str:
    """okr.numbers.parse_number: numbers as is, text like 1,200 or 45% converted.

    With *unit* (the row's Unit cell), text typed as ``85%`` in a key result
    measured in % is 85 points, as okr.reading reads it.
    """
    value = f'VALUE(SUBSTITUTE(TRIM({ref}),",",""))'
    if unit is not None:
        u = f"TRIM({unit})"
        percent = ",".join(f'{u}="{word}"' for word in sorted(PERCENT_UNITS))
        value = f'{value}*IF(AND(OR({percent}),RIGHT(TRIM({ref}),1)="%"),100,1)'
    converted = f"IFERROR({value},{missing})"
    return f"IF(ISLOGICAL({ref}),{missing},IF(ISNUMBER({ref}),{ref},{converted}))"


def _id_empty(row: int) -> str:
    return f'TRIM({_in("id", row)})=""'


def helper_formulas(row: int) -> dict[str, str]:
    """The helper formulas of one row (without the leading '='), keyed like HELPERS."""
    kind, direction = _h("kind", row), _h("canon_direction", row)
    base, target, current = _h("base_num", row), _h("target_num", row), _h("current_num", row)
    raw_current = _in("current", row)
    unit = _in("unit", row)
    parent = f"TRIM({_in('parent', row)})"
    period = f"TRIM({_in('period', row)})"
    norm_direction = _normalised(_in("direction", row))
    not_kr = f'{kind}<>"K"'
    # okr.scoring.is_done: TRUE, the number 1, or a done word in any case.
    done = (
        f"IF(ISLOGICAL({raw_current}),{raw_current},IF(ISNUMBER({raw_current}),{raw_current}=1,"
        f"ISNUMBER(MATCH(TRIM({raw_current}),DoneWords,0))))"
    )
    # okr.scoring.achievement, then okr.scoring.clamp.
    achievement = (
        f'IF({direction}="increase",IF({target}>{base},({current}-{base})/({target}-{base}),0),'
        f'IF({direction}="decrease",IF({target}<{base},({base}-{current})/({base}-{target}),0),'
        f'IF({direction}="at least",IF({current}>={target},1,0),'
        f'IF({direction}="at most",IF({current}<={target},1,0),0))))'
    )
    return {
        "kind": (
            f'IF({_id_empty(row)},"",IFERROR(VLOOKUP('
            f'{_normalised(_in("type", row))},TypeLookup,2,FALSE),""))'
        ),
        # parse_direction also retries with the spaces removed.
        "canon_direction": (
            f'IF({not_kr},"",IFERROR(VLOOKUP({norm_direction},DirectionLookup,2,FALSE),'
            f'IFERROR(VLOOKUP(SUBSTITUTE({norm_direction}," ",""),DirectionLookup,2,FALSE),"")))'
        ),
        "eff_weight": f'IF({kind}="","",MAX(0,{_number(_in("weight", row), "1")}))',
        "score": (
            f'IF({not_kr},"",IF({direction}="milestone",IF({done},1,0),'
            f'IF(OR({target}="",{current}=""),0,MIN(1,MAX(0,{achievement})))))'
        ),
        "weighted": f'IF({not_kr},"",{_h("eff_weight", row)}*{_h("score", row)})',
        "parent_id": (
            f'IF(OR({_id_empty(row)},{parent}=""),"",LEFT({parent},FIND(" ",{parent}&" ")-1))'
        ),
        "start": f'IF({_id_empty(row)},"",IFERROR(VLOOKUP({period},PeriodTable,2,FALSE),""))',
        "end": f'IF({_id_empty(row)},"",IFERROR(VLOOKUP({period},PeriodTable,3,FALSE),""))',
        "base_num": f'IF({not_kr},"",{_number(_in("baseline", row), "0", unit)})',
        "target_num": f'IF({not_kr},"",{_number(_in("target", row), _EMPTY, unit)})',
        "current_num": f'IF({not_kr},"",{_number(raw_current, _EMPTY, unit)})',
    }


def progress_formula(row: int) -> str:
    """Progress: a key result's clamped score; an objective's weighted mean of its KRs.

    Mirrors okr.scoring.progress and okr.scoring.weighted_mean. The objective
    case sums helper columns only, never the Progress column itself, so the
    sheet has no circular reference.
    """
    kind, key_id = _h("kind", row), f"TRIM({_in('id', row)})"
    criteria = f'{_span("parent_id")},{key_id},{_span("kind")},"K"'
    total_weight = f"SUMIFS({_span('eff_weight')},{criteria})"
    total = f"SUMIFS({_span('weighted')},{criteria})"
    return (
        f'=IF({_id_empty(row)},"",IF({kind}="K",{_h("score", row)},'
        f'IF({kind}="O",IF({total_weight}>0,{total}/{total_weight},""),"")))'
    )


def status_formula(row: int, lang: str) -> str:
    """Status from progress, period and AsOfDate, as okr.status.status computes it."""
    words = {key: STATUS_WORDS[key][lang] for key in STATUS_WORDS}
    start, end = _h("start", row), _h("end", row)
    progress = _in("progress", row)
    # okr.periods.Period.elapsed
    elapsed = f"MIN(1,MAX(0,(INT(AsOfDate)-{start}+1)/({end}-{start}+1)))"
    return (
        f'=IF(OR({_id_empty(row)},NOT(ISNUMBER({progress})),NOT(ISNUMBER({start}))),"",'
        f'IF(INT(AsOfDate)<{start},"{words["not started"]}",'
        f'IF({progress}>=OnTrackRatio*{elapsed},"{words["on track"]}",'
        f'IF({progress}>=AtRiskRatio*{elapsed},"{words["at risk"]}","{words["off track"]}"))))'
    )


def row_formulas(row: int, lang: str) -> dict[str, str]:
    """Every formula of one sheet row: Progress, Status and the helpers, keyed by column."""
    formulas = {key: f"={text}" for key, text in helper_formulas(row).items()}
    formulas["progress"] = progress_formula(row)
    formulas["status"] = status_formula(row, lang)
    return formulas
