"""The OKRs of Northwind Components, a fictional mid-size B2B manufacturer.

Plain data only: ``examples.build`` writes it into workbooks made from the
template, so edit here and rebuild, never the generated ``examples/org/*.xlsx``.

The pyramid: a company workbook (objectives for 2026, some key results for
2026-Q4), four department workbooks for 2026-Q4 whose objectives serve a
company objective or key result, and one team workbook (Sales EMEA) whose
objectives serve Sales, so drill-down goes three levels deep. The HR team
works in Chinese, so ``hr.xlsx`` is a zh-CN template with Chinese titles.

Deliberate problems, so that ``okr check`` has something honest to find
(kept in ``PLANTED`` below, which the tests hold the check to):

=================  ===============  ================  ========================================
code               ID               workbook          why
=================  ===============  ================  ========================================
unknown-parent     OPS-O3           operations.xlsx   Parent CO-O5 is last year's company cost
                                                      objective; 2026 only has CO-O1..CO-O4
target             FIN-KR3.2        finance.xlsx      cash conversion cycle: 'increase' picked,
                                                      but the target 85 is below baseline 104
no-krs             HR-O3            hr.xlsx           employer-brand objective whose key
                                                      results are still being agreed
no-owner           OPS-KR2.3        operations.xlsx   complaints key result with Owner empty
too-many-krs       SALES-O2         sales.xlsx        top-50 accounts objective with six key
                                                      results (the limit is five)
orphan             SALES-EMEA-O2    sales-emea.xlsx   Nordics partner objective proposed
                                                      bottom-up, no Parent chosen yet
=================  ===============  ================  ========================================

There are no duplicate IDs and no cycles: those are tested on their own files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ORGANISATION = "Northwind Components"
#: The day the hand-typed Current values were read; the templates' Status formulas use it.
AS_OF = date(2026, 11, 16)
DOMAIN = "northwind.example"


@dataclass(frozen=True)
class Row:
    """One objective or key result row of an OKR sheet.

    ``kind`` is ``"objective"`` or ``"key result"``; ``direction`` one of
    ``okr.schema.DIRECTIONS``. ``period`` and ``department`` default to the
    workbook's. ``metric`` names a metric of the future registry; the builder
    writes it only when asked (``--with-metrics``).
    """

    id: str
    kind: str
    parent: str | None
    title: str
    owner: str = ""
    direction: str | None = None
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    weight: float | None = None
    confidence: float | None = None
    metric: str = ""
    notes: str = ""
    period: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class CheckIn:
    """One row of a workbook's check-in log: a value reported for a key result on a day."""

    on: date
    kr: str
    value: float
    confidence: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Workbook:
    """One workbook of the example organisation, in build order."""

    filename: str
    department: str
    period: str
    prefix: str
    rows: tuple[Row, ...]
    lang: str = "en"
    #: file names of the workbooks one level up, whose IDs feed the Parent dropdown
    parents: tuple[str, ...] = ()
    checkins: tuple[CheckIn, ...] = ()


@dataclass(frozen=True)
class Planted:
    """A deliberate problem: the code ``okr check`` must report at this ID."""

    code: str
    id: str
    workbook: str
    why: str


def owner(name: str) -> str:
    """The e-mail address of a Northwind employee, ``first.last@northwind.example``."""
    return f"{name}@{DOMAIN}"


def objective(
    id: str,
    parent: str | None,
    title: str,
    who: str,
    *,
    notes: str = "",
    period: str | None = None,
) -> Row:
    """An objective row; *who* is the local part of the owner's e-mail."""
    return Row(id, "objective", parent, title, owner(who), notes=notes, period=period)


def kr(
    id: str,
    parent: str,
    title: str,
    who: str | None,
    direction: str,
    unit: str,
    baseline: float | None,
    target: float | None,
    current: float | None,
    *,
    confidence: float | None = None,
    weight: float | None = None,
    metric: str = "",
    notes: str = "",
    period: str | None = None,
) -> Row:
    """A key result row; *who* None leaves the Owner empty."""
    return Row(
        id,
        "key result",
        parent,
        title,
        owner(who) if who else "",
        direction,
        unit,
        baseline,
        target,
        current,
        weight,
        confidence,
        metric,
        notes,
        period,
    )


# ---------------------------------------------------------------------------
# Company: annual objectives, the finance ones measured for Q4.

COMPANY = Workbook(
    filename="company.xlsx",
    department="Company",
    period="2026",
    prefix="CO",
    rows=(
        objective("CO-O1", None, "Grow revenue profitably to EUR 180 M", "martina.brandt"),
        kr("CO-KR1.1", "CO-O1", "Revenue, rolling 12 months (EUR M)", "samir.haddad",
           "increase", "EUR M", 152, 180, 172, confidence=0.6, metric="company_revenue_eur_m"),
        kr("CO-KR1.2", "CO-O1", "New-logo bookings (EUR)", "joy.okafor",
           "increase", "EUR", 0, 9_000_000, 6_150_000, confidence=0.5),
        kr("CO-KR1.3", "CO-O1", "Gross margin (%)", "samir.haddad",
           "at least", "%", 31.5, 34, 34.2, confidence=0.7),
        objective("CO-O2", None, "Be the supplier our customers can count on", "rui.silva"),
        kr("CO-KR2.1", "CO-O2", "On-time-in-full delivery (%)", "rui.silva",
           "increase", "%", 88, 95, 91.6, confidence=0.6),
        kr("CO-KR2.2", "CO-O2", "Net promoter score", "joy.okafor",
           "increase", "points", 31, 45, 43, confidence=0.7),
        kr("CO-KR2.3", "CO-O2", "Customer complaints per 1,000 orders", "rui.silva",
           "decrease", "per 1,000", 6.2, 3.5, 4.4, confidence=0.6),
        objective("CO-O3", None, "Run a tight, cash-generative business", "samir.haddad"),
        kr("CO-KR3.1", "CO-O3", "Free cash flow, rolling 12 months (EUR M)", "samir.haddad",
           "at least", "EUR M", 9.8, 14, 14.6, confidence=0.6),
        kr("CO-KR3.2", "CO-O3", "Days sales outstanding", "samir.haddad",
           "decrease", "days", 58, 45, 51, confidence=0.7, period="2026-Q4",
           metric="company_dso_days"),
        kr("CO-KR3.3", "CO-O3", "Month-end close (working days)", "samir.haddad",
           "at most", "days", 8, 5, 7, confidence=0.5, period="2026-Q4"),
        objective("CO-O4", None, "Make Northwind a place where good people stay and grow",
                  "li.na"),
        kr("CO-KR4.1", "CO-O4", "Voluntary attrition (%, rolling 12 months)", "li.na",
           "at most", "%", 11.5, 9, 10.8, confidence=0.5, metric="company_attrition_pct"),
        kr("CO-KR4.2", "CO-O4", "Employee engagement score", "li.na",
           "increase", "points", 68, 75, 73, confidence=0.7),
        kr("CO-KR4.3", "CO-O4", "Leadership roles filled internally (%)", "martina.brandt",
           "at least", "%", 35, 50, 52, confidence=0.8),
    ),
)  # fmt: skip

# ---------------------------------------------------------------------------
# Departments: 2026-Q4, each objective serving a company objective or key result.

SALES = Workbook(
    filename="sales.xlsx",
    department="Sales",
    period="2026-Q4",
    prefix="SALES",
    parents=("company.xlsx",),
    rows=(
        objective("SALES-O1", "CO-KR1.2", "Grow new-logo revenue in EMEA", "joy.okafor"),
        kr("SALES-KR1.1", "SALES-O1", "New bookings (EUR)", "lena.fischer",
           "increase", "EUR", 0, 2_400_000, 1_450_000, confidence=0.6, weight=2,
           metric="emea_new_bookings_eur", notes="Nov 3: added two SDRs to EMEA"),
        kr("SALES-KR1.2", "SALES-O1", "Win rate (%)", "lena.fischer",
           "increase", "%", 18, 25, 21, confidence=0.6, metric="emea_win_rate_pct"),
        kr("SALES-KR1.3", "SALES-O1", "Sales cycle (days)", "claire.dubois",
           "decrease", "days", 64, 50, 58, confidence=0.5, metric="emea_sales_cycle_days",
           notes="Oct 20: legal pre-approved the standard NDA and MSA"),
        objective("SALES-O2", "CO-O1", "Deepen relationships with our top-50 accounts",
                  "arjun.mehta"),
        kr("SALES-KR2.1", "SALES-O2", "Revenue from top-50 accounts (EUR)", "arjun.mehta",
           "increase", "EUR", 11_800_000, 13_000_000, 12_350_000, confidence=0.7),
        kr("SALES-KR2.2", "SALES-O2", "Top-50 accounts with a signed frame agreement",
           "arjun.mehta", "increase", "accounts", 21, 35, 27, confidence=0.6),
        kr("SALES-KR2.3", "SALES-O2", "Quarterly business reviews held", "arjun.mehta",
           "increase", "reviews", 0, 50, 31, confidence=0.7),
        kr("SALES-KR2.4", "SALES-O2", "Cross-sell attach rate (%)", "tomas.novak",
           "increase", "%", 12, 18, 13.5, confidence=0.4,
           notes="Nov 9: bundle pricing for seals + housings agreed with product management"),
        kr("SALES-KR2.5", "SALES-O2", "Price realisation on renewals (%)", "tomas.novak",
           "at least", "%", 2.1, 3.5, 2.9, confidence=0.6),
        kr("SALES-KR2.6", "SALES-O2", "Key-account NPS", "arjun.mehta",
           "increase", "points", 34, 45, 39, confidence=0.7),
        objective("SALES-O3", "CO-O2", "Make quoting fast and accurate", "tomas.novak"),
        kr("SALES-KR3.1", "SALES-O3", "Median quote turnaround (hours)", "tomas.novak",
           "decrease", "hours", 52, 24, 30, confidence=0.7),
        kr("SALES-KR3.2", "SALES-O3", "Quotes re-issued for pricing errors (%)", "tomas.novak",
           "decrease", "%", 9, 3, 5.5, confidence=0.5),
    ),
    checkins=(
        CheckIn(date(2026, 10, 6), "SALES-KR1.1", 310_000, 0.5),
        CheckIn(date(2026, 10, 20), "SALES-KR1.1", 720_000, 0.5),
        CheckIn(date(2026, 11, 3), "SALES-KR1.1", 1_050_000, 0.55,
                "Added two SDRs to EMEA; pipeline review weekly"),
        CheckIn(date(2026, 11, 13), "SALES-KR1.1", 1_450_000, 0.6),
        CheckIn(date(2026, 10, 13), "SALES-KR1.3", 62, 0.5),
        CheckIn(date(2026, 11, 10), "SALES-KR1.3", 58, 0.5,
                "Standard NDA and MSA no longer go to legal"),
    ),
)  # fmt: skip

FINANCE = Workbook(
    filename="finance.xlsx",
    department="Finance",
    period="2026-Q4",
    prefix="FIN",
    parents=("company.xlsx",),
    rows=(
        objective("FIN-O1", "CO-KR3.2", "Turn receivables into cash faster", "eva.lindqvist"),
        kr("FIN-KR1.1", "FIN-O1", "Days sales outstanding", "eva.lindqvist",
           "decrease", "days", 58, 45, 51, confidence=0.7, weight=2, metric="dso_days",
           notes="Oct 15: dunning moved from day 30 to day 7; weekly calls to the top 40 "
                 "overdue accounts"),
        kr("FIN-KR1.2", "FIN-O1", "Receivables overdue more than 60 days (EUR)",
           "eva.lindqvist", "decrease", "EUR", 3_100_000, 1_500_000, 2_200_000,
           confidence=0.6, metric="ar_overdue_60_eur"),
        kr("FIN-KR1.3", "FIN-O1", "Invoices sent electronically (%)", "eva.lindqvist",
           "increase", "%", 62, 90, 81, confidence=0.8, metric="einvoice_share_pct"),
        objective("FIN-O2", "CO-KR3.3", "Close the books fast and clean", "marco.rossi"),
        kr("FIN-KR2.1", "FIN-O2", "Close the books within 5 working days", "marco.rossi",
           "at most", "days", 8, 5, 7, confidence=0.5, metric="close_working_days",
           notes="Nov 6: October close took 7 days; intercompany reconciliation moved to "
                 "working day 1"),
        kr("FIN-KR2.2", "FIN-O2", "Manual journal entries per close", "marco.rossi",
           "decrease", "entries", 420, 150, 260, confidence=0.6),
        kr("FIN-KR2.3", "FIN-O2", "Audit adjustments found in the Q3 review", "marco.rossi",
           "at most", "adjustments", 5, 2, 1, confidence=0.9),
        objective("FIN-O3", "CO-KR3.1", "Free up working capital tied in inventory",
                  "hannah.weber"),
        kr("FIN-KR3.1", "FIN-O3", "Inventory days on hand", "hannah.weber",
           "decrease", "days", 96, 80, 88, confidence=0.6),
        # Planted `target`: 'increase' picked for a number that should go down.
        kr("FIN-KR3.2", "FIN-O3", "Cash conversion cycle (days)", "hannah.weber",
           "increase", "days", 104, 85, 97, confidence=0.5),
    ),
    checkins=(
        CheckIn(date(2026, 10, 1), "FIN-KR1.1", 57, 0.6),
        CheckIn(date(2026, 10, 15), "FIN-KR1.1", 55, 0.6, "Dunning moved to day 7"),
        CheckIn(date(2026, 11, 2), "FIN-KR1.1", 53, 0.7),
        CheckIn(date(2026, 11, 13), "FIN-KR1.1", 51, 0.7),
        CheckIn(date(2026, 10, 7), "FIN-KR2.1", 8, 0.5, "September close"),
        CheckIn(date(2026, 11, 6), "FIN-KR2.1", 7, 0.5,
                "October close; intercompany reconciliation moved to day 1"),
    ),
)  # fmt: skip

HR = Workbook(
    filename="hr.xlsx",
    department="HR",
    period="2026-Q4",
    prefix="HR",
    lang="zh-CN",
    parents=("company.xlsx",),
    rows=(
        objective("HR-O1", "CO-KR4.1", "留住关键人才", "li.na"),
        kr("HR-KR1.1", "HR-O1", "主动离职率（%，滚动12个月）", "li.na",
           "at most", "%", 11.5, 9, 10.8, confidence=0.5, metric="voluntary_attrition_pct",
           notes="11月5日：已与高流失风险岗位的员工完成留任面谈"),
        kr("HR-KR1.2", "HR-O1", "关键岗位继任者覆盖率（%）", "zhang.min",
           "increase", "%", 40, 75, 60, confidence=0.6),
        kr("HR-KR1.3", "HR-O1", "上线职业发展通道", "zhang.min",
           "milestone", "", 0, 1, 0, confidence=0.7,
           notes="11月10日：职级标准已与各部门负责人确认，计划12月1日上线"),
        objective("HR-O2", "CO-O4", "更快地招到合适的人", "wang.wei"),
        kr("HR-KR2.1", "HR-O2", "平均招聘周期（天）", "wang.wei",
           "decrease", "天", 52, 38, 44, confidence=0.6, metric="time_to_hire_days"),
        kr("HR-KR2.2", "HR-O2", "新员工90天留存率（%）", "wang.wei",
           "at least", "%", 88, 92, 94, confidence=0.8),
        kr("HR-KR2.3", "HR-O2", "内部推荐录用占比（%）", "chen.jie",
           "increase", "%", 15, 30, 22, confidence=0.5),
        # Planted `no-krs`: the key results are still being agreed.
        objective("HR-O3", "CO-O4", "打造制造业雇主品牌", "chen.jie",
                  notes="关键结果待与市场部商定（12月初）"),
    ),
    checkins=(
        CheckIn(date(2026, 10, 8), "HR-KR2.1", 50, 0.6),
        CheckIn(date(2026, 11, 5), "HR-KR2.1", 44, 0.6, "启用新的面试排期工具"),
        CheckIn(date(2026, 10, 31), "HR-KR1.1", 11.2, 0.5),
        CheckIn(date(2026, 11, 14), "HR-KR1.1", 10.8, 0.5, "留任面谈完成"),
    ),
)  # fmt: skip

OPERATIONS = Workbook(
    filename="operations.xlsx",
    department="Operations",
    period="2026-Q4",
    prefix="OPS",
    parents=("company.xlsx",),
    rows=(
        objective("OPS-O1", "CO-KR2.1", "Deliver on time, every time", "ana.costa"),
        kr("OPS-KR1.1", "OPS-O1", "On-time delivery (%)", "ana.costa",
           "at least", "%", 88, 95, 92.8, confidence=0.6, weight=2,
           metric="on_time_delivery_pct",
           notes="Oct 28: second shift on line 3 to clear the backlog"),
        kr("OPS-KR1.2", "OPS-O1", "Orders in backlog for more than 10 days", "ana.costa",
           "decrease", "orders", 340, 100, 180, confidence=0.6),
        kr("OPS-KR1.3", "OPS-O1", "Supplier on-time rate (%)", "ana.costa",
           "increase", "%", 84, 93, 88, confidence=0.5),
        objective("OPS-O2", "CO-KR2.3", "Fix customer issues at the first contact",
                  "david.kim"),
        kr("OPS-KR2.1", "OPS-O2", "Open support tickets", "david.kim",
           "decrease", "tickets", 410, 150, 236, confidence=0.6,
           metric="open_support_tickets",
           notes="Nov 10: triage rota, every new ticket answered within 4 hours"),
        kr("OPS-KR2.2", "OPS-O2", "First-contact resolution (%)", "david.kim",
           "increase", "%", 58, 75, 66, confidence=0.6),
        # Planted `no-owner`.
        kr("OPS-KR2.3", "OPS-O2", "Customer complaints per 1,000 orders", None,
           "decrease", "per 1,000", 6.2, 3.5, 4.4, confidence=0.5),
        # Planted `unknown-parent`: CO-O5 was the 2025 company cost objective.
        objective("OPS-O3", "CO-O5", "Lower the cost per unit in the Brno plant",
                  "petra.dvorak", notes="Aligned to the company cost objective"),
        kr("OPS-KR3.1", "OPS-O3", "Scrap rate (%)", "petra.dvorak",
           "decrease", "%", 3.8, 2.5, 3.1, confidence=0.6, metric="scrap_rate_pct"),
        kr("OPS-KR3.2", "OPS-O3", "Overall equipment effectiveness (%)", "petra.dvorak",
           "increase", "%", 61, 70, 64, confidence=0.5),
        kr("OPS-KR3.3", "OPS-O3", "ISO 9001 recertification audit passed", "petra.dvorak",
           "milestone", "", 0, 1, 1, confidence=1.0, notes="Oct 22: passed, no major findings"),
    ),
    checkins=(
        CheckIn(date(2026, 10, 6), "OPS-KR1.1", 89.5, 0.5),
        CheckIn(date(2026, 10, 27), "OPS-KR1.1", 90.4, 0.5),
        CheckIn(date(2026, 11, 3), "OPS-KR1.1", 91.9, 0.6, "Second shift on line 3 running"),
        CheckIn(date(2026, 11, 13), "OPS-KR1.1", 92.8, 0.6),
        CheckIn(date(2026, 10, 27), "OPS-KR2.1", 300, 0.5),
        CheckIn(date(2026, 11, 10), "OPS-KR2.1", 262, 0.6, "Triage rota started"),
        CheckIn(date(2026, 11, 14), "OPS-KR2.1", 236, 0.6),
    ),
)  # fmt: skip

# ---------------------------------------------------------------------------
# Team: Sales EMEA, serving the Sales objectives and key results.

SALES_EMEA = Workbook(
    filename="sales-emea.xlsx",
    department="Sales EMEA",
    period="2026-Q4",
    prefix="SALES-EMEA",
    parents=("sales.xlsx",),
    rows=(
        objective("SALES-EMEA-O1", "SALES-KR1.1",
                  "Break into the DACH automotive tier-2 segment", "lena.fischer"),
        kr("SALES-EMEA-KR1.1", "SALES-EMEA-O1", "Qualified opportunities in DACH automotive",
           "claire.dubois", "increase", "opportunities", 4, 20, 13, confidence=0.6),
        kr("SALES-EMEA-KR1.2", "SALES-EMEA-O1", "DACH automotive bookings (EUR)",
           "lena.fischer", "increase", "EUR", 0, 900_000, 420_000, confidence=0.5),
        kr("SALES-EMEA-KR1.3", "SALES-EMEA-O1", "First meetings converted to proposals (%)",
           "claire.dubois", "at least", "%", 22, 35, 31, confidence=0.6),
        # Planted `orphan`: proposed bottom-up, Parent not chosen yet.
        objective("SALES-EMEA-O2", None, "Build a repeatable partner channel in the Nordics",
                  "mikael.berg", notes="Proposed by the Nordics team; parent to agree with Sales"),
        kr("SALES-EMEA-KR2.1", "SALES-EMEA-O2", "Signed distribution partners", "mikael.berg",
           "increase", "partners", 0, 3, 1, confidence=0.5),
        kr("SALES-EMEA-KR2.2", "SALES-EMEA-O2", "Partner-sourced pipeline (EUR)", "mikael.berg",
           "increase", "EUR", 0, 600_000, 150_000, confidence=0.4),
        objective("SALES-EMEA-O3", "SALES-KR1.3", "Shorten the EMEA sales cycle",
                  "claire.dubois"),
        kr("SALES-EMEA-KR3.1", "SALES-EMEA-O3", "Deals with a mutual action plan (%)",
           "claire.dubois", "increase", "%", 20, 80, 55, confidence=0.7),
        kr("SALES-EMEA-KR3.2", "SALES-EMEA-O3", "Legal review turnaround (days)",
           "claire.dubois", "decrease", "days", 12, 5, 8, confidence=0.6),
    ),
    checkins=(
        CheckIn(date(2026, 10, 15), "SALES-EMEA-KR1.2", 120_000, 0.5),
        CheckIn(date(2026, 11, 12), "SALES-EMEA-KR1.2", 420_000, 0.5, "Two tier-2 pilots signed"),
    ),
)  # fmt: skip

#: Every workbook in build order: each one's parents come before it.
WORKBOOKS: tuple[Workbook, ...] = (COMPANY, SALES, FINANCE, HR, OPERATIONS, SALES_EMEA)

#: The deliberate problems; ``okr check`` over the built org reports exactly these.
PLANTED: tuple[Planted, ...] = (
    Planted("too-many-krs", "SALES-O2", "sales.xlsx",
            "six key results under one objective (the limit is five)"),
    Planted("target", "FIN-KR3.2", "finance.xlsx",
            "'increase' picked for the cash conversion cycle, target below baseline"),
    Planted("no-krs", "HR-O3", "hr.xlsx", "key results still being agreed"),
    Planted("no-owner", "OPS-KR2.3", "operations.xlsx", "Owner left empty"),
    Planted("unknown-parent", "OPS-O3", "operations.xlsx",
            "Parent CO-O5 was last year's company objective"),
    Planted("orphan", "SALES-EMEA-O2", "sales-emea.xlsx",
            "team objective proposed bottom-up, no Parent yet"),
)  # fmt: skip


def workbook(filename: str) -> Workbook:
    """The workbook named *filename* (``"sales.xlsx"``); KeyError when there is none."""
    for book in WORKBOOKS:
        if book.filename == filename:
            return book
    raise KeyError(filename)
