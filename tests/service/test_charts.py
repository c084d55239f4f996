"""The key result's history chart: check-ins drawn as their own series, server-side."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import openpyxl

from sync.consolidate.run import consolidate
from sync.service.charts import line_chart
from tests.service.test_dashboard import login

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & done'


def _log(path) -> list[tuple[date, str, float, float | None, str]]:
    """The Check-ins sheet of *path* as typed: (day, ID, value, confidence, note)."""
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["Check-ins"].iter_rows(min_row=2, values_only=True))
    book.close()
    return [
        (d.date() if isinstance(d, datetime) else d, i, float(v), c, n or "")
        for d, i, v, c, n in rows
        if d is not None
    ]


def _svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of the page, parsed as XML (so an unescaped note would fail)."""
    found = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    return [ET.fromstring(s.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1)) for s in found]


def test_a_key_results_chart_draws_its_check_ins_at_their_dates_and_values(
    app, client, tokens, workspace
):
    sales = workspace.parent / "departments" / "sales.xlsx"
    book = openpyxl.load_workbook(sales)
    book["Check-ins"]["E3"] = HOSTILE  # the note of SALES-KR1.1's second check-in
    book.save(sales)
    consolidate(app.extensions["okr"].ws)
    expected = [r for r in _log(sales) if r[1] == "SALES-KR1.1"]
    assert len(expected) >= 3
    login(client, tokens["reader"])
    page = client.get("/item/SALES-KR1.1")
    assert page.status_code == 200 and "<script>alert" not in page.text
    svgs = _svgs(page.text)
    dots = [c for s in svgs for c in s.iter(f"{SVG}circle") if "checkins" in c.get("class").split()]
    got = sorted((date.fromisoformat(c.get("data-day")), float(c.get("data-value"))) for c in dots)
    assert got == sorted((d, v) for d, _, v, _, _ in expected)
    titles = {c.get("data-day"): c.find(f"{SVG}title").text for c in dots}
    for day, _, _, confidence, note in expected:
        title = titles[day.isoformat()]
        assert title.startswith(f"check-ins {day:%Y-%m-%d}: ")
        assert f"confidence {confidence:.0%}" in title and title.endswith(note)
        assert dots[0].get("aria-label")
    assert titles[expected[1][0].isoformat()].endswith(HOSTILE)
    legend = [t.text for s in svgs for g in s.iter(f"{SVG}g") for t in g.iter(f"{SVG}text")]
    assert "check-ins" in legend


def test_a_key_result_without_check_ins_draws_no_check_in_series(app, client, tokens):
    consolidate(app.extensions["okr"].ws)
    login(client, tokens["reader"])
    page = client.get("/item/CO-KR1.3")  # the company workbook has no Check-ins sheet
    assert page.status_code == 200 and "<svg" in page.text
    assert "dot checkins" not in page.text


def test_the_chart_escapes_every_text_and_draws_a_legend():
    svg = line_chart(
        [("a<b", "values", [(date(2026, 1, 1), 1.0)]), ("c", "checkins", [])],
        [(date(2026, 1, 2), 'x"&<y>')],
    )
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("text")]
    assert "a<b" in texts and "c" not in texts  # an empty series is not in the legend
    assert next(t.text for t in root.iter("title")) == '2026-01-02: x"&<y>'
