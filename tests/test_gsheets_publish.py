# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
"""The company view published to a Google Sheet (the stand-in) beside the .xlsx."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from sync.cli import cli
from sync.gsheets.publish import _chunks, read_sheets, row_groups
from tests.gsheets_fixtures import key_file_data, key_path, standin  # noqa: F401
from tests.gsheets_model import parse_range, read_values
from tests.orgbuild import make_org

D1 = date(2026, 11, 1)


def setup_org(tmp_path, standin, key_path, target: str = "") -> tuple:
    make_org(tmp_path / "departments")
    book = standin.new_book("Company view")
    (tmp_path / "okr.toml").write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "okr.db"}"\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n'
        f'[output]\npath = "out/company.xlsx"\ngoogle_sheet = "{target or book.id}"\n'
        f'[google]\ncredentials = "{key_path}"\napi_root = "{standin.url}"\n',
        encoding="utf-8",
    )
    return book, tmp_path / "okr.toml"


def run(config, *extra):
    return CliRunner().invoke(
        cli,
        ["consolidate", "--config", str(config), "--as-of", D1.isoformat(), *extra],
        standalone_mode=False,
    )


def test_the_company_view_is_the_workbooks_sheets_as_values(tmp_path, standin, key_path):
    book, config = setup_org(tmp_path, standin, key_path)
    out = run(config)
    assert out.return_value == 1, out.output  # the test organisation has one data error
    assert "Published" in out.output and book.id in out.output
    want = read_sheets(tmp_path / "out" / "company.xlsx")
    assert list(want) == ["Company", "Problems", "Metrics", "Trend", "History", "Changes"]
    for title, rows in want.items():
        got = read_values(parse_range(book, f"'{title}'"), "UNFORMATTED_VALUE")
        trimmed = [[v for v in r] for r in rows]
        for r in trimmed:
            while r and r[-1] in ("", None):
                r.pop()
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        assert got == trimmed, title
    company = book.sheet("Company")
    assert company.row_groups and all(g["depth"] >= 1 for g in company.row_groups)
    assert standin.counts() == {
        "spreadsheets.get": 1,
        "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1,
    }
    bodies = [b for k, b in standin.bodies if k == "values.batchUpdate"]
    assert all(b["valueInputOption"] == "RAW" for b in bodies)


def test_publishing_again_replaces_the_old_view(tmp_path, standin, key_path):
    book, config = setup_org(tmp_path, standin, key_path)
    run(config)
    standin.put_sheet(book, "Company", [["stale"]] * 5000)
    groups = len(book.sheet("Company").row_groups)
    run(config)
    company = read_values(parse_range(book, "'Company'"))
    assert company[0][0] != "stale" and len(company) < 100
    assert len(book.sheet("Company").row_groups) == groups


def test_a_failed_publish_keeps_the_xlsx_and_exits_3(tmp_path, standin, key_path):
    _, config = setup_org(tmp_path, standin, key_path, target="1NoSuchSheet")
    out = run(config, "--quiet")
    assert out.return_value == 3
    assert (
        "publishing to Google Sheets failed" in out.output and "no such Google Sheet" in out.output
    )
    assert (tmp_path / "out" / "company.xlsx").exists()


def test_the_option_overrides_the_setting(tmp_path, standin, key_path):
    _, config = setup_org(tmp_path, standin, key_path, target="1NoSuchSheet")
    other = standin.new_book("other")
    out = run(config, "--google-sheet", f"https://docs.google.com/spreadsheets/d/{other.id}/edit")
    assert out.return_value == 1 and other.sheet("Company") is not None


def test_row_groups_follow_the_tree():
    # depths of rows: O1 (0) > KR (1), O2 (1) > KR (2); O3 (0)
    assert row_groups([0, 1, 1, 2, 0], first=0) == [(1, 4), (3, 4)]
    # too many groups: only rows with grandchildren keep theirs
    assert row_groups([0, 1, 1, 2, 0], first=0, most=1) == [(1, 4)]


def test_values_are_chunked_under_the_limit():
    rows = [["x" * 100, i] for i in range(1000)]
    parts = _chunks({"Company": rows}, limit=20_000)
    assert len(parts) > 5
    import json

    assert all(len(json.dumps(p)) < 25_000 for p in parts)
    assert sum(len(d["values"]) for p in parts for d in p) == 1000


def _resolved(book) -> dict[str, dict[tuple[int, int], tuple[str, int]]]:
    """Every link of every tab of the stand-in's *book*: tab -> cell -> (tab, row) it opens."""
    import re

    by_gid = {s.sheet_id: s.title for s in book.sheets}
    out = {}
    for sheet in book.sheets:
        found = {}
        for cell, uri in sheet.links.items():
            m = re.fullmatch(r"#gid=(\d+)&range=A(\d+)", uri)
            assert m, uri
            found[cell] = (by_gid[int(m[1])], int(m[2]) - 1)
        out[sheet.title] = found
    return out


def test_the_company_view_links_rows_like_the_workbook(tmp_path, standin, key_path):
    from tests.orgbuild import org_rows

    book, config = setup_org(tmp_path, standin, key_path)
    assert run(config).return_value == 1
    parent_of = {}
    for rows in org_rows().values():
        for r in rows:
            text = str(r.get("parent") or "")
            parent_of[r["id"]] = {p.split()[0] for p in text.split(";") if p.strip()}
    values = {s.title: read_values(parse_range(book, f"'{s.title}'")) for s in book.sheets}
    company = values["Company"]
    links = _resolved(book)
    ids = links["Company"]
    checked = {"parent": 0, "repeat": 0, "problems": 0, "up": 0}
    for (row, col), (tab, to) in ids.items():
        text = company[row][col]
        if col == 0:
            assert tab == "Company"
            title = company[row][1]
            if "→ row" in title:  # a shared objective's repeat: its first appearance
                assert to == int(title.rsplit("→ row", 1)[1]) - 1 and company[to][0] == text
                checked["repeat"] += 1
            else:  # the row of its parent
                # under a parent that exists nowhere: the Unaligned branch row
                assert company[to][0] in parent_of[text] or company[to][0] == "Unaligned"
                checked["parent"] += 1
        elif col == 8:  # the problem count: the item's first problem
            assert tab == "Problems" and values["Problems"][to][2] == company[row][0]
            checked["problems"] += 1
        else:
            assert col == 11 and tab == "Data"
    for (row, col), (tab, to) in links["Problems"].items():
        assert tab == "Company" and company[to][0] == values["Problems"][row][col]
        checked["up"] += 1
    assert checked["parent"] > 10 and checked["problems"] >= 1 and checked["up"] >= 1, checked
    # every row with a parent in the tree links to it
    children = sum(1 for r in company[3:] if r and r[0] and r[0] in parent_of and parent_of[r[0]])
    assert checked["parent"] + checked["repeat"] >= children
    # links are formats only: the values went RAW and no formula was sent
    assert all(
        not (isinstance(v, str) and v.startswith("="))
        for b in (b for k, b in standin.bodies if k == "values.batchUpdate")
        for d in b["data"]
        for row in d["values"]
        for v in row
    )
    assert standin.count("spreadsheets.batchUpdate") == 1


def test_publishing_again_moves_the_links_with_the_rows(tmp_path, standin, key_path):
    book, config = setup_org(tmp_path, standin, key_path)
    run(config)
    first = dict(book.sheet("Company").links)
    book.sheet("Company").links[(900, 0)] = "#gid=1&range=A1"  # a stale link far below
    run(config)
    assert book.sheet("Company").links == first


def test_link_requests_stay_small_for_a_large_company_sheet():
    import json

    from sync.gsheets.links import link_requests, parents, resolve
    from sync.gsheets.publish import MAX_REQUEST, _split

    depths = [0] + [1, 2, 2, 2] * 15_000
    company = [["t"], ["n"], ["ID"]] + [[f"X{i}"] for i in range(len(depths))]
    targets = resolve({"Company": []}, {"Company": company}, depths, 3)
    assert len(targets["Company"]) == len(depths) - 1  # every row but the root
    assert targets["Company"][(4, 0)] == ("Company", 3)
    assert parents([0, 1, 2, 1], 0) == {1: 0, 2: 1, 3: 0}
    parts = _split(link_requests(targets, {"Company": 7}))
    sizes = [len(json.dumps(p, separators=(",", ":"))) for p in parts]
    assert max(sizes) < MAX_REQUEST and len(parts) <= 3, sizes


def test_a_chinese_company_view_links_its_rows_as_the_english_one():
    from sync.company.words import words
    from sync.gsheets.links import resolve

    name = words("zh-CN").sheet("company")
    company = [["t"], ["n"], ["ID"], ["CO-O1"], ["S-O1"], ["S-KR1"]]
    targets = resolve({name: []}, {name: company}, [0, 1, 2], 3)
    assert targets == {name: {(4, 0): (name, 3), (5, 0): (name, 4)}}
