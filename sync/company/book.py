"""Write the company workbook: the whole pyramid, one sheet per department, and the reports.

Values only, with xlsxwriter: no formula from a department file is ever
copied, and outside text is never turned into a formula or a link
(``strings_to_formulas`` and ``strings_to_urls`` are off). Drill-down works
with internal links and Excel outline levels (+/- buttons on the left).

Sheets: ``Dashboard``, ``Company``, ``Problems``, ``Metrics``, ``Trend``,
``Changes``, ``History``, ``Data`` (when a metric has detail rows), then one sheet
per department workbook; in Chinese (``lang="zh-CN"``) the sheet names, titles
and headings are those of ``sync.company.words``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from pathlib import Path

from sync.company.changes import write_changes
from sync.company.dashboard import write_dashboard
from sync.company.data import plan as plan_data
from sync.company.data import write_data
from sync.company.department import write_department
from sync.company.history import write_history
from sync.company.metrics import write_metrics
from sync.company.problems import problem_items, problem_order, write_problems
from sync.company.report import Report, WorkbookView
from sync.company.style import FIRST, HEADER, formats, link, sheet_names
from sync.company.tree import write_company
from sync.company.trend import write_trend
from sync.company.words import words
from sync.xlsx.fast_book import FastWorkbook
from sync.xlsx.fast_sheet import FastWorksheet, InternalLink
from sync.xlsx.links import may_link
from sync.xlsx.safe_values import xml_legal


class Book:
    """The open workbook, its formats, and where every row lands (for links)."""

    def __init__(
        self, path: Path, report: Report, parts: Path | None = None, lang: str = "en"
    ) -> None:
        """Open *path* for writing (xlsxwriter's part files in *parts*) and plan every row.

        *lang* (``en`` or ``zh-CN``) picks the words of sheet names, titles and headings.
        """
        self.report = report
        self.w = words(lang)
        self.wb = FastWorkbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                # Rows stream to disk as they are written, so memory does not
                # grow with the organisation (the fast writer keeps it quick).
                "constant_memory": True,
                "default_date_format": "yyyy-mm-dd",
                **({"tmpdir": str(parts)} if parts else {}),
            },
        )
        self.wb.set_properties(
            {
                "title": self.w["workbook_title"].format(
                    organisation=report.organisation, as_of=f"{report.as_of:%Y-%m-%d}"
                ),
                "subject": "Company OKR workbook",
                "comments": "Written by okr consolidate (okr-sheets); values only.",
            }
        )
        self.wb.set_custom_property("okr_as_of", report.as_of.isoformat())
        self.f = formats(self.wb)
        self.sheets = sheet_names(report.workbooks, lang)
        # Where every row lands, one number per item or problem: arrays, not
        # dicts of boxed ints, as a big organisation has hundreds of thousands.
        #: item index -> 0-based row in its department sheet; workbook -> its item indexes
        self.dept_row = array("l", bytes(8 * len(report.owner)))
        self.rows_of = [array("l") for _ in report.workbooks]
        for index, w in enumerate(report.owner):
            self.dept_row[index] = FIRST + len(self.rows_of[w])
            self.rows_of[w].append(index)
        #: item index -> 0-based row in Company (a shared objective's first appearance), or -1
        self.company_row = array("l", [-1]) * len(report.items)
        for r, n in enumerate(report.tree.nodes):
            if n.index >= 0 and self.company_row[n.index] < 0:
                self.company_row[n.index] = FIRST + r
        #: item index -> 0-based row of its block on the Data sheet
        self.data_row = plan_data(report.data)
        #: item index -> 0-based row in Metrics
        self.metric_row = {m.index: FIRST + r for r, m in enumerate(report.metrics)}
        #: problem position -> the index of the item on its row, or -1
        self.problem_item = problem_items(report)
        #: item index -> the position of its first problem, or -1; the further ones
        self._first_problem = array("l", [-1]) * len(report.items)
        self._more_problems: dict[int, tuple[int, ...]] = {}
        for p, index in enumerate(self.problem_item):
            if index < 0:
                continue
            if self._first_problem[index] < 0:
                self._first_problem[index] = p
            else:
                self._more_problems[index] = (*self._more_problems.get(index, ()), p)
        self.problem_order = problem_order(report)
        #: problem position -> its 0-based row in Problems
        self.problem_at = array("l", bytes(8 * len(self.problem_order)))
        for r, p in enumerate(self.problem_order):
            self.problem_at[p] = FIRST + r

    def item_link(self, index: int) -> InternalLink | None:
        """Internal link to an item's row in its department sheet."""
        sheet = self.sheets[self.report.owner[index]]
        return link(sheet, self.dept_row[index]) if sheet else None

    def data_link(self, index: int) -> InternalLink | None:
        """Internal link to an item's block of detail rows on the Data sheet, if it has one."""
        row = self.data_row.get(index)
        if row is None:
            return None
        return link(self.w.sheet("data"), row, text=self.w["data_down"])

    def visible_company_row(self, index: int) -> int | None:
        """The Company row a link to item *index* should land on: its own when shown,
        else that of the nearest row above it in the tree that is not folded away."""
        row = self.company_of(index)
        if row is None:
            return None
        pos = row - FIRST
        nodes, hidden = self.report.tree.nodes, self.report.hidden
        while hidden[pos] and nodes.up_of(pos) >= 0:
            pos = nodes.up_of(pos)
        return FIRST + pos

    def state_of(self, index: int) -> WorkbookView:
        """The workbook view an item comes from."""
        return self.report.workbooks[self.report.owner[index]]

    def company_of(self, index: int) -> int | None:
        """The 0-based Company row of item *index* (its first appearance), or None."""
        row = self.company_row[index]
        return row if row >= 0 else None

    def problems_of(self, index: int) -> tuple[int, ...]:
        """Positions in ``report.problems`` of the problems on item *index*'s row."""
        first = self._first_problem[index]
        if first < 0:
            return ()
        return (first, *self._more_problems[index]) if index in self._more_problems else (first,)

    def add_sheet(
        self,
        name: str,
        title: str,
        note: str = "",
        columns: Sequence[tuple[str, float]] = (),
        *,
        stale: bool = False,
        up: bool = False,
    ) -> FastWorksheet:
        """Add sheet *name*: *title* on row 1, a note or stale banner on row 2, the header row.

        *up* adds a link up to Company beside the title. With *columns*
        (title, width pairs) the header row is written and the panes frozen
        under it. Rows go in order, as constant-memory mode needs. The sheet
        added before is finished: its files stay closed until the workbook is closed.
        """
        done = self.wb.worksheets()
        if done:
            done[-1].finish()
        ws = self.wb.add_worksheet(name, worksheet_class=FastWorksheet)
        self.page_setup(ws, one_page=not columns, header_rows=bool(columns))
        ws.write_string(0, 0, title, self.f["title"])
        if up:
            company = self.w.sheet("company")
            ws.write_url(
                0, 8, link(company, 0, text=self.w["up"].format(company=company)), self.f["link"]
            )
        if note:
            ws.write_string(1, 0, note, self.f["banner" if stale else "note"])
        if columns:
            self.header(ws, columns)
            ws.freeze_panes(FIRST, 0)
        return ws

    def page_setup(self, ws: FastWorksheet, *, one_page: bool, header_rows: bool) -> None:
        """Print landscape on A4, one page wide (a whole page for a sheet without a table),
        the header row on every page, and a footer with the organisation, date and page."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.fit_to_pages(1, 1 if one_page else 0)
        if header_rows:
            ws.repeat_rows(0, HEADER)
        org = xml_legal(self.report.organisation).replace("&", "&&")[:100]
        ws.set_footer(f"&L{org}&C{self.report.as_of:%Y-%m-%d}&R{self.w['footer_page']}")

    def header(
        self, ws: FastWorksheet, columns: Sequence[tuple[str, float]], row: int = HEADER
    ) -> None:
        """Write the column titles on *row* and set the column widths.

        A column is at least as wide as its title (bold, plus the filter
        button), so no title is cut on screen or on paper.
        """
        for c, (title, width) in enumerate(columns):
            ws.set_column(c, c, max(width, len(title) * 1.2 + 3))
            ws.write_string(row, c, title, self.f["header"])

    def link_or_text(
        self, ws: FastWorksheet, row: int, col: int, target: InternalLink | None, text: str
    ) -> None:
        """*text* as a link to *target*; as text without one or once the sheet is out of links."""
        if target and may_link(ws):
            target.text = text
            ws.write_url(row, col, target, self.f["link"])
        else:
            ws.write_string(row, col, text)


def write_company_workbook(
    report: Report, path: Path, parts: Path | None = None, lang: str = "en"
) -> Path:
    """Write the company workbook for *report* to *path* (the caller renames it into place).

    *parts* is the folder for xlsxwriter's temporary part files (default: the
    system's temp folder); *lang* the language of its sheet names and headings.
    """
    book = Book(Path(path), report, parts, lang)
    write_dashboard(book)
    write_company(book)
    write_problems(book)
    write_metrics(book)
    write_trend(book)
    write_changes(book)
    write_history(book)
    if report.data:
        write_data(book)
    for w, view in enumerate(report.workbooks):
        if book.sheets[w]:
            write_department(book, w, view)
    book.wb.get_worksheet_by_name(book.w.sheet("dashboard")).activate()
    book.wb.close()
    return Path(path)
