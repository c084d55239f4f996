"""Looks shared by every workbook we write: the template and the company workbook."""

from __future__ import annotations

#: Fill and font colour of each status (Excel's good / neutral / bad palette).
STATUS_COLOURS = {
    "on track": ("#C6EFCE", "#006100"),
    "at risk": ("#FFEB9C", "#9C5700"),
    "off track": ("#FFC7CE", "#9C0006"),
    "not started": ("#EDEDED", "#595959"),
}

#: The progress bar on a 0-100 % column. data_bar_2010 stays off: the 2010
#: bars are an x14 extension that openpyxl drops on load and save.
PROGRESS_BAR = {
    "type": "data_bar",
    "bar_color": "#63BE7B",
    "min_type": "num",
    "min_value": 0,
    "max_type": "num",
    "max_value": 1,
    "data_bar_2010": False,
}
