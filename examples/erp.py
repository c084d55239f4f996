"""A small, deterministic "ERP" for Northwind Components, plus two exports.

``build_erp(folder, today=...)`` writes, under ``folder/data/``:

- ``erp.sqlite``: customers, opportunities, invoices, expenses, employees
  (hire and leave dates), support tickets, deliveries, production lots and
  month-end closes, from 2025-01-01 up to *today*;
- ``exports/accounting/ar_open_items_<today>.csv``: the accounts-receivable
  open items as the accounting system exports them (aging buckets);
- ``exports/hr/hires_<today>.xlsx``: the HR system's export of accepted offers.

Everything is drawn from a seeded generator in date order and only what has
happened by *today* is kept, so the history is the same whatever day it is
built, and the Q4 2026 figures land near the Current values typed in
``examples/content.py`` (the improvements the notes there describe show up
as trends from October 2026).
"""

from __future__ import annotations

import csv
import itertools
import math
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 1, 1)
SEED = 20261116
REGIONS = (("EMEA", 4.0), ("Americas", 1.8), ("APAC", 1.0))
COUNTRIES = {
    "EMEA": ("DE", "FR", "IT", "CZ", "SE", "NL", "PL", "ES"),
    "Americas": ("US", "CA", "MX", "BR"),
    "APAC": ("CN", "JP", "KR", "IN"),
}
DEPARTMENTS = (("Operations", 0.55), ("Sales", 0.15), ("Finance", 0.08), ("HR", 0.05),
               ("Engineering", 0.12), ("IT", 0.05))  # fmt: skip
SCHEMA = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, country TEXT, region TEXT,
    segment TEXT, created_on DATE);
CREATE TABLE opportunities (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers,
    region TEXT, amount_eur REAL, stage TEXT, new_logo INTEGER, created_on DATE, closed_on DATE);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, number TEXT, customer_id INTEGER,
    issued_on DATE, due_on DATE, paid_on DATE, amount_eur REAL, channel TEXT);
CREATE TABLE expenses (id INTEGER PRIMARY KEY, booked_on DATE, category TEXT,
    cost_center TEXT, amount_eur REAL);
CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, department TEXT, hired_on DATE,
    left_on DATE, leave_reason TEXT);
CREATE TABLE support_tickets (id INTEGER PRIMARY KEY, customer_id INTEGER, opened_on DATE,
    closed_on DATE, priority TEXT, channel TEXT);
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, customer_id INTEGER, order_no TEXT,
    promised_on DATE, delivered_on DATE, quantity INTEGER);
CREATE TABLE production_lots (id INTEGER PRIMARY KEY, line TEXT, produced_on DATE,
    units_good INTEGER, units_scrapped INTEGER);
CREATE TABLE month_end_closes (month_end DATE PRIMARY KEY, closed_on DATE, working_days INTEGER);
"""


def _days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _ramp(d: date, points: tuple[tuple[date, float], ...]) -> float:
    """Piecewise-linear trend through (date, value) points, flat outside them."""
    if d <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if d <= d1:
            return v0 + (v1 - v0) * (d - d0).days / max(1, (d1 - d0).days)
    return points[-1][1]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _workday(d: date) -> bool:
    return d.weekday() < 5


def _nth_workday_after(month_end: date, n: int) -> date:
    d, count = month_end, 0
    while count < n:
        d += timedelta(days=1)
        count += _workday(d)
    return d


Q4 = date(2026, 10, 1)


def _customers(rng: random.Random) -> list[tuple]:
    rows = []
    for i in range(1, 321):
        region = rng.choices([r for r, _ in REGIONS], [w for _, w in REGIONS])[0]
        segment = rng.choice(("automotive tier-2", "industrial", "energy", "medical", "rail"))
        rows.append((i, f"Customer {i:03d}", rng.choice(COUNTRIES[region]), region, segment,
                     (START - timedelta(days=rng.randint(30, 3000))).isoformat()))  # fmt: skip
    return rows


def _opportunities(rng: random.Random, customers: list[tuple], today: date) -> list[tuple]:
    by_region = {r: [c[0] for c in customers if c[3] == r] for r, _ in REGIONS}
    rows: list[tuple] = []
    for d in _days(START, today):
        if not _workday(d):
            continue
        win = _ramp(d, ((START, 0.18), (date(2026, 6, 30), 0.19), (Q4, 0.205),
                        (date(2026, 12, 31), 0.225)))  # fmt: skip
        cycle = _ramp(d, ((START, 64), (date(2026, 9, 30), 63), (date(2026, 12, 31), 55)))
        for region, rate in REGIONS:
            for _ in range(_poisson(rng, rate)):
                won = rng.random() < win
                new_logo = int(rng.random() < 0.6)
                amount = round(rng.lognormvariate(math.log(70_000), 0.45), -2)
                length = max(7, int(rng.gauss(cycle, 14)))
                rows.append((len(rows) + 1, rng.choice(by_region[region]), region, amount,
                             "won" if won else "lost", new_logo,
                             (d - timedelta(days=length)).isoformat(), d.isoformat()))  # fmt: skip
    return rows


def _invoices(rng: random.Random, today: date) -> tuple[list[tuple], list[tuple]]:
    rows, open_items = [], []
    for d in _days(START, today):
        if not _workday(d):
            continue
        mean_delay = _ramp(d, ((START, 50), (date(2026, 8, 31), 49), (date(2026, 10, 15), 47),
                               (date(2026, 11, 30), 42)))  # fmt: skip
        e_share = _ramp(d, ((START, 0.52), (date(2026, 9, 30), 0.62), (Q4, 0.78),
                            (date(2026, 12, 31), 0.88)))  # fmt: skip
        for _ in range(_poisson(rng, 38)):
            customer = rng.randint(1, 320)
            amount = round(rng.lognormvariate(math.log(13_500), 0.7), 2)
            if rng.random() < 0.025:
                delay = rng.randint(95, 450)  # disputed or struggling customers
            else:
                delay = max(3, int(rng.gauss(mean_delay, 12)))
            channel = "e-invoice" if rng.random() < e_share else rng.choice(("pdf", "paper"))
            paid = d + timedelta(days=delay)
            number = f"INV-{d:%y%m}-{len(rows) + 1:06d}"
            due = d + timedelta(days=30)
            paid_on = paid.isoformat() if paid <= today else None
            rows.append((len(rows) + 1, number, customer, d.isoformat(), due.isoformat(), paid_on,
                         amount, channel))  # fmt: skip
            if paid_on is None:
                open_items.append((number, customer, d, due, amount))
    return rows, open_items


def _employees(rng: random.Random, today: date) -> tuple[list[tuple], list[tuple]]:
    names = ("Anna", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jana",
             "Karl", "Lena", "Mei", "Nils", "Olga", "Pavel", "Rui", "Sara", "Tomas",
             "Wei")  # fmt: skip
    people: list[list] = []
    hires: list[tuple] = []

    def hire(on: date, opened: date | None = None, accepted: date | None = None) -> None:
        dept = rng.choices([d for d, _ in DEPARTMENTS], [w for _, w in DEPARTMENTS])[0]
        name = f"{rng.choice(names)} {chr(65 + rng.randint(0, 25))}."
        people.append([len(people) + 1, name, dept, on, None, None])
        if opened is not None and accepted is not None:
            hires.append((f"REQ-{len(hires) + 1:05d}", dept, opened, accepted, on))

    for _ in range(400):
        hire(START - timedelta(days=rng.randint(60, 4000)))
    for d in _days(START, today):
        rate = _ramp(d, ((START, 0.128), (date(2026, 3, 31), 0.123), (date(2026, 12, 31), 0.115)))
        active = [p for p in people if p[4] is None and p[3] <= d]
        for p in active:
            if rng.random() < rate / 365:
                p[4], p[5] = d, "voluntary"
            elif rng.random() < 0.025 / 365:
                p[4], p[5] = d, "involuntary"
        if _workday(d) and rng.random() < 0.235:
            mean = _ramp(d, ((START, 53), (date(2026, 9, 30), 50), (date(2026, 12, 31), 40)))
            days_to_hire = max(12, int(rng.gauss(mean, 9)))
            start_on = d + timedelta(days=rng.randint(14, 35))
            hire(start_on, d - timedelta(days=days_to_hire), d)
    employees = [
        (p[0], p[1], p[2], p[3].isoformat(), p[4].isoformat() if p[4] and p[4] <= today else None,
         p[5] if p[4] and p[4] <= today else None)
        for p in people
        if p[3] <= today
    ]  # fmt: skip
    return employees, [h for h in hires if h[3] <= today]


def _operations(rng: random.Random, today: date) -> tuple[list[tuple], list[tuple], list[tuple]]:
    tickets, deliveries, lots = [], [], []
    for d in _days(START, today):
        resolve = _ramp(d, ((START, 17.0), (date(2026, 9, 30), 14.0), (date(2026, 11, 10), 11.5),
                            (date(2026, 12, 31), 7.0)))  # fmt: skip
        for _ in range(_poisson(rng, 30 if _workday(d) else 8)):
            closed = d + timedelta(days=int(rng.expovariate(1 / resolve)))
            priority = rng.choices(("low", "normal", "high"), (3, 6, 1))[0]
            tickets.append((len(tickets) + 1, rng.randint(1, 320), d.isoformat(),
                            closed.isoformat() if closed <= today else None, priority,
                            rng.choice(("e-mail", "phone", "portal"))))  # fmt: skip
        if not _workday(d):
            continue
        on_time = _ramp(d, ((START, 0.875), (date(2026, 9, 30), 0.9), (date(2026, 10, 27), 0.915),
                            (date(2026, 11, 3), 0.95), (date(2026, 12, 31), 0.955)))  # fmt: skip
        for _ in range(_poisson(rng, 55)):
            promised = d
            late = 0 if rng.random() < on_time else rng.randint(1, 10)
            deliveries.append((len(deliveries) + 1, rng.randint(1, 320),
                               f"SO-{len(deliveries) + 1:07d}", promised.isoformat(),
                               (promised + timedelta(days=late)).isoformat(),
                               rng.randint(50, 5000)))  # fmt: skip
        scrap = _ramp(d, ((START, 0.039), (date(2026, 9, 30), 0.035), (date(2026, 12, 31), 0.027)))
        for line in ("Brno-1", "Brno-2", "Brno-3"):
            units = rng.randint(1600, 2400)
            scrapped = max(0, int(rng.gauss(units * scrap, units * 0.006)))
            lots.append((len(lots) + 1, line, d.isoformat(), units - scrapped, scrapped))
    return tickets, [x for x in deliveries if x[4] <= today.isoformat()], lots


def _finance(rng: random.Random, today: date) -> tuple[list[tuple], list[tuple]]:
    expenses, closes = [], []
    month = START
    while month <= today:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        for category, base in (("travel", 42_000), ("software", 65_000), ("facilities", 120_000),
                               ("training", 18_000), ("logistics", 210_000)):  # fmt: skip
            for cost_center in ("CC-100", "CC-200", "CC-300"):
                booked = month + timedelta(days=rng.randint(0, 27))
                if booked <= today:
                    amount = round(base / 3 * rng.uniform(0.8, 1.2), 2)
                    expenses.append((len(expenses) + 1, booked.isoformat(), category,
                                     cost_center, amount))  # fmt: skip
        month_end = nxt - timedelta(days=1)
        days = 8 if month_end < date(2026, 10, 1) else (7 if month_end < date(2026, 11, 1) else 6)
        closed = _nth_workday_after(month_end, days)
        if closed <= today:
            closes.append((month_end.isoformat(), closed.isoformat(), days))
        month = nxt
    return expenses, closes


def build_erp(folder: Path, *, today: date) -> None:
    """Write the demo ERP database and the accounting and HR exports under ``folder/data``."""
    rng = random.Random(SEED)
    data = Path(folder) / "data"
    data.mkdir(parents=True, exist_ok=True)
    customers = _customers(rng)
    opportunities = _opportunities(random.Random(SEED + 1), customers, today)
    invoices, open_items = _invoices(random.Random(SEED + 2), today)
    employees, hires = _employees(random.Random(SEED + 3), today)
    tickets, deliveries, lots = _operations(random.Random(SEED + 4), today)
    expenses, closes = _finance(random.Random(SEED + 5), today)
    db = data / "erp.sqlite"
    db.unlink(missing_ok=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA)
        for table, rows in (
            ("customers", customers),
            ("opportunities", opportunities),
            ("invoices", invoices),
            ("expenses", expenses),
            ("employees", employees),
            ("support_tickets", tickets),
            ("deliveries", deliveries),
            ("production_lots", lots),
            ("month_end_closes", closes),
        ):
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.close()
    _write_ar_export(data / "exports" / "accounting", open_items, customers, today)
    _write_hr_export(data / "exports" / "hr", hires, today)


def _bucket(days_overdue: int) -> str:
    if days_overdue <= 0:
        return "current"
    return "1-30" if days_overdue <= 30 else ("31-60" if days_overdue <= 60 else "over 60")


def _write_ar_export(folder: Path, items: list[tuple], customers: list[tuple], today: date) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("ar_open_items_*.csv"):
        old.unlink()
    names = {c[0]: c[1] for c in customers}
    with (folder / f"ar_open_items_{today:%Y-%m-%d}.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["invoice_no", "customer", "issued_on", "due_on", "amount_eur",
                      "amount_open", "days_overdue", "bucket"])  # fmt: skip
        for number, customer, issued, due, amount in items:
            overdue = (today - due).days
            money = f"{amount:.2f}"
            out.writerow([number, names[customer], issued.isoformat(), due.isoformat(),
                          money, money, max(0, overdue), _bucket(overdue)])  # fmt: skip


def _write_hr_export(folder: Path, hires: list[tuple], today: date) -> None:
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("hires_*.xlsx"):
        old.unlink()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Hires")
    ws.append(["requisition_id", "department", "opened_on", "offer_accepted_on", "start_on",
               "days_to_hire"])  # fmt: skip
    for req, dept, opened, accepted, start_on in hires:
        ws.append([req, dept, opened, accepted, start_on, (accepted - opened).days])
    wb.save(folder / f"hires_{today:%Y-%m-%d}.xlsx")
