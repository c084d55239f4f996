"""``okr.toml``: defaults, parsing, secrets from the environment, clear errors."""

from __future__ import annotations

import pytest

from okr.settings import Settings
from sync.config import load_config
from sync.errors import ConfigError
from sync.secrets import resolve_secrets

GOOD = """
[organisation]
name = "Northwind"
period = "2026-Q4"

[store]
url = "sqlite:///state/okr.db"

[[sources]]
kind = "folder"
path = "departments"

[output]
path = "out/company.xlsx"
keep = 3

[settings]
stale_days = 7
rollup_mode = "krs"

[connections.erp]
kind = "sql"
url = "postgresql://reader:${ERP_PASSWORD}@db/erp"

[metrics.bookings]
connection = "erp"
query = "SELECT 1"
unit = "EUR"
"""


def test_no_file_means_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ws = load_config()
    assert ws.settings == Settings()
    assert ws.store_url == f"sqlite:///{tmp_path / '.okr' / 'okr.db'}"


def test_a_full_file_is_read_with_paths_relative_to_it(tmp_path):
    cfg = tmp_path / "okr.toml"
    cfg.write_text(GOOD)
    ws = load_config(cfg)
    assert ws.organisation == "Northwind" and ws.period == "2026-Q4"
    assert ws.settings.stale_days == 7 and ws.settings.rollup_mode == "krs"
    assert ws.output == tmp_path / "out" / "company.xlsx" and ws.keep_copies == 3
    assert ws.sources[0].kind == "folder" and ws.resolve(ws.sources[0].path).name == "departments"
    assert ws.metrics["bookings"]["unit"] == "EUR"
    # secrets stay references until a connection is opened
    assert "${ERP_PASSWORD}" in ws.connections["erp"]["url"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[settings\n", "not valid TOML"),
        ("[setings]\n", "unknown section [setings]; did you mean `settings`?"),
        ("[settings]\nrollup_mode = 'up'\n", "rollup_mode must be"),
        ("[metrics.x]\nconnection = 'nope'\n", "names connection 'nope'"),
        ("[[sources]]\npath = 'x'\n", "needs a kind"),
        ("settings = 3\n", "[settings] must be a table"),
        ("[organization]\nname = 'x'\n", "did you mean `organisation`?"),
        ("[organisation]\nperiod = 'Q4-2026'\n", "period is 'Q4-2026'"),
        (
            "[organisation]\nnmae = 'x'\n",
            "unknown key `nmae` in [organisation]; did you mean `name`?",
        ),
        ("[settings]\nstale_day = 3\n", "did you mean `stale_days`?"),
        ("[[sources]]\nkind = 'folder'\nglobe = '*.xlsx'\n", "did you mean `glob`?"),
        ("[[sources]]\nkind = 'foldr'\n", "kind 'foldr' is unknown; did you mean `folder`?"),
        ("[organisation]\ndecimal = ';'\n", "decimal is ';'"),
        (
            "[google]\nrequests_per_minut = 30\n",
            "unknown key `requests_per_minut` in [google]; did you mean `requests_per_minute`?",
        ),
        ("[google]\nrequests_per_minute = 0\n", "requests_per_minute is 0"),
        ("[google]\nrequests_per_minute = '60'\n", "requests_per_minute is '60'"),
        ("[google]\nrequests_per_minute = 1.5\n", "requests_per_minute is 1.5"),
        ("[google]\ntimeout = 'long'\n", "timeout is 'long'"),
        ("[organisation]\nlang = 'zh-cn'\n", "lang is 'zh-cn': use 'en' or 'zh-CN'; did you mean"),
        ("[organisation]\nlang = 'fr'\n", "lang is 'fr': use 'en' or 'zh-CN'"),
        (
            "[organisation]\nlnag = 'en'\n",
            "unknown key `lnag` in [organisation]; did you mean `lang`?",
        ),
    ],
)
def test_config_errors_are_one_clear_line(tmp_path, text, fragment):
    cfg = tmp_path / "okr.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert fragment in str(err.value) and str(cfg) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_secrets_resolve_from_the_environment_only_when_asked():
    conn = {"url": "postgresql://u:${PW}@h/db", "headers": ["Bearer ${TOKEN}"]}
    got = resolve_secrets(conn, {"PW": "s3cret", "TOKEN": "t"})
    assert got == {"url": "postgresql://u:s3cret@h/db", "headers": ["Bearer t"]}
    with pytest.raises(ConfigError, match="environment variable PW is not set"):
        resolve_secrets(conn, {})


def test_settings_reject_unknown_names():
    with pytest.raises(ValueError, match="unknown setting"):
        Settings.from_mapping({"nope": 1})


def test_organisation_lang_picks_the_company_workbooks_language(tmp_path):
    cfg = tmp_path / "okr.toml"
    cfg.write_text("[organisation]\nlang = 'zh-CN'\n")
    assert load_config(cfg).lang == "zh-CN"
    cfg.write_text("[organisation]\nname = 'x'\n")
    assert load_config(cfg).lang == "en"
