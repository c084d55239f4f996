"""The demo workspace file: ``okr.toml`` wiring the example workbooks to the demo ERP.

``write_demo_config(folder)`` writes ``folder/okr.toml`` for a folder holding
the example department workbooks (``python -m examples.build --out folder
--with-metrics``) and the demo data (``examples.erp.build_erp(folder, ...)``):
the store is SQLite under ``folder/.okr/``, the sources are the folder's
workbooks, and three connections feed the metrics the example key results name:
``erp`` (the SQLite ERP, read-only), ``accounting`` (the AR open-items CSV
export) and ``hr`` (the HR system's XLSX export of hires).
"""

from __future__ import annotations

from pathlib import Path

from examples.content import ORGANISATION

# Department and company metrics share these: the company's DSO and attrition
# are the same measures over the whole organisation.
DSO_QUERY = """query = '''
SELECT 90.0 *
  (SELECT SUM(amount_eur) FROM invoices
    WHERE issued_on <= :end AND (paid_on IS NULL OR paid_on > :end))
  / (SELECT SUM(amount_eur) FROM invoices
    WHERE issued_on > date(:end, '-90 days') AND issued_on <= :end)'''"""
OVERDUE_DETAIL = """detail = '''
SELECT i.number AS invoice, c.name AS customer, c.country, i.issued_on, i.due_on,
  CAST(julianday(:end) - julianday(i.due_on) AS INTEGER) AS days_overdue, i.amount_eur
FROM invoices i JOIN customers c ON c.id = i.customer_id
WHERE i.issued_on <= :end AND (i.paid_on IS NULL OR i.paid_on > :end) AND i.due_on < :end
ORDER BY days_overdue DESC, i.amount_eur DESC'''"""
ATTRITION_QUERY = """query = '''
SELECT 100.0 *
  (SELECT COUNT(*) FROM employees WHERE leave_reason = 'voluntary'
    AND left_on > date(:end, '-12 months') AND left_on <= :end)
  / (SELECT COUNT(*) FROM employees
    WHERE hired_on <= :end AND (left_on IS NULL OR left_on > :end))'''"""
LEAVERS_DETAIL = """detail = '''
SELECT name, department, hired_on, left_on FROM employees
WHERE leave_reason = 'voluntary' AND left_on > date(:end, '-12 months') AND left_on <= :end
ORDER BY left_on'''"""

CONFIG = f"""# okr.toml of the {ORGANISATION} demo (written by examples/okr_toml.py).
# Paths are relative to this file. The store defaults to SQLite in .okr/okr.db.

[organisation]
name = "{ORGANISATION}"
period = "2026-Q4"

[[sources]]
kind = "folder"
path = "."
glob = "*.xlsx"

[output]
path = "consolidated/company.xlsx"

# ---------------------------------------------------------------- connections

[connections.erp]
kind = "sql"
url = "sqlite:///data/erp.sqlite"      # opened read-only (mode=ro)
timeout = 20

[connections.accounting]
kind = "file"
folder = "data/exports/accounting"
glob = "ar_open_items_*.csv"

[connections.hr]
kind = "file"
folder = "data/exports/hr"
glob = "hires_*.xlsx"
sheet = "Hires"

# -------------------------------------------------------------------- metrics
# Each query receives the key result's period as :start and :end (dates).

[metrics.emea_new_bookings_eur]
connection = "erp"
unit = "EUR"
owner = "lena.fischer@northwind.example"
description = "Won new-logo deals in EMEA, by close date"
query = '''
SELECT COALESCE(SUM(amount_eur), 0) FROM opportunities
WHERE region = 'EMEA' AND stage = 'won' AND new_logo = 1
  AND closed_on BETWEEN :start AND :end'''
# The deals behind the number: they must add up to it.
detail = '''
SELECT o.id AS deal, c.name AS customer, c.country, o.closed_on, o.amount_eur
FROM opportunities o JOIN customers c ON c.id = o.customer_id
WHERE o.region = 'EMEA' AND o.stage = 'won' AND o.new_logo = 1
  AND o.closed_on BETWEEN :start AND :end
ORDER BY o.closed_on'''
detail_total = "amount_eur"

[metrics.emea_win_rate_pct]
connection = "erp"
unit = "%"
owner = "lena.fischer@northwind.example"
description = "Won / (won + lost) EMEA opportunities closed in the period"
query = '''
SELECT 100.0 * SUM(stage = 'won') / COUNT(*) FROM opportunities
WHERE region = 'EMEA' AND stage IN ('won', 'lost') AND closed_on BETWEEN :start AND :end'''

[metrics.emea_sales_cycle_days]
connection = "erp"
unit = "days"
owner = "claire.dubois@northwind.example"
description = "Mean days from creation to close of EMEA deals won in the period"
query = '''
SELECT AVG(julianday(closed_on) - julianday(created_on)) FROM opportunities
WHERE region = 'EMEA' AND stage = 'won' AND closed_on BETWEEN :start AND :end'''

[metrics.dso_days]
connection = "erp"
unit = "days"
lag_days = 3
owner = "eva.lindqvist@northwind.example"
description = "Days sales outstanding: open receivables / last 90 days' invoicing x 90"
{DSO_QUERY}
# The overdue invoices behind DSO, most overdue first (a ratio: nothing to add up).
{OVERDUE_DETAIL}

[metrics.ar_overdue_60_eur]
connection = "accounting"
unit = "EUR"
owner = "eva.lindqvist@northwind.example"
description = "Open receivables more than 60 days past due (latest AR export)"
column = "amount_open"
aggregate = "sum"
where = {{ bucket = "over 60" }}
detail_columns = ["invoice_no", "customer", "due_on", "days_overdue", "amount_open"]
detail_total = "amount_open"

[metrics.einvoice_share_pct]
connection = "erp"
unit = "%"
owner = "eva.lindqvist@northwind.example"
description = "Share of invoices issued in the period that were sent electronically"
query = '''
SELECT 100.0 * SUM(channel = 'e-invoice') / COUNT(*) FROM invoices
WHERE issued_on BETWEEN :start AND :end'''

[metrics.close_working_days]
connection = "erp"
unit = "days"
owner = "marco.rossi@northwind.example"
description = "Working days the latest month-end close completed in the period took"
query = '''
SELECT working_days FROM month_end_closes
WHERE closed_on BETWEEN :start AND :end
ORDER BY month_end DESC LIMIT 1'''

[metrics.voluntary_attrition_pct]
connection = "erp"
unit = "%"
owner = "li.na@northwind.example"
description = "Voluntary leavers in the 12 months to the period's end / headcount then"
{ATTRITION_QUERY}
# The leavers behind the rate.
{LEAVERS_DETAIL}

[metrics.time_to_hire_days]
connection = "hr"
unit = "天"
owner = "wang.wei@northwind.example"
description = "Mean days from requisition opened to offer accepted (HR export)"
column = "days_to_hire"
aggregate = "mean"
date_column = "offer_accepted_on"

[metrics.on_time_delivery_pct]
connection = "erp"
unit = "%"
owner = "ana.costa@northwind.example"
description = "Deliveries in the period delivered on or before the promised date"
query = '''
SELECT 100.0 * SUM(delivered_on <= promised_on) / COUNT(*) FROM deliveries
WHERE delivered_on BETWEEN :start AND :end'''

[metrics.open_support_tickets]
connection = "erp"
unit = "tickets"
owner = "david.kim@northwind.example"
description = "Support tickets open at the end of the window"
query = '''
SELECT COUNT(*) FROM support_tickets
WHERE opened_on <= :end AND (closed_on IS NULL OR closed_on > :end)'''
detail = '''
SELECT t.id AS ticket, c.name AS customer, t.opened_on, t.priority, t.channel
FROM support_tickets t LEFT JOIN customers c ON c.id = t.customer_id
WHERE t.opened_on <= :end AND (t.closed_on IS NULL OR t.closed_on > :end)
ORDER BY t.opened_on'''
detail_total = "count"

[metrics.scrap_rate_pct]
connection = "erp"
unit = "%"
owner = "petra.dvorak@northwind.example"
description = "Scrapped units / units produced in the Brno plant"
query = '''
SELECT 100.0 * SUM(units_scrapped) / SUM(units_good + units_scrapped) FROM production_lots
WHERE produced_on BETWEEN :start AND :end'''

# The top of the pyramid is fed by its base: company key results from the ERP.

[metrics.company_revenue_eur_m]
connection = "erp"
unit = "EUR M"
owner = "samir.haddad@northwind.example"
description = "Invoiced revenue in the 12 months to the window's end, EUR millions"
query = '''
SELECT SUM(amount_eur) / 1000000.0 FROM invoices
WHERE issued_on > date(:end, '-12 months') AND issued_on <= :end'''

[metrics.company_dso_days]
connection = "erp"
unit = "days"
lag_days = 3
owner = "samir.haddad@northwind.example"
description = "Company days sales outstanding (as dso_days), with its overdue invoices"
{DSO_QUERY}
{OVERDUE_DETAIL}

[metrics.company_attrition_pct]
connection = "erp"
unit = "%"
owner = "li.na@northwind.example"
description = "Company voluntary attrition, rolling 12 months, with its leavers"
{ATTRITION_QUERY}
{LEAVERS_DETAIL}

[metrics.travel_expenses_eur]
connection = "erp"
unit = "EUR"
lag_days = 5
owner = "samir.haddad@northwind.example"
description = "Travel expenses booked in the period (not bound to a key result yet)"
query = '''
SELECT COALESCE(SUM(amount_eur), 0) FROM expenses
WHERE category = 'travel' AND booked_on BETWEEN :start AND :end'''
"""


def write_demo_config(folder: Path) -> Path:
    """Write ``folder/okr.toml`` for the demo and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "okr.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path
