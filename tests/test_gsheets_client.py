# ruff: noqa: F811 - the fixtures are imported by name from tests.gsheets_fixtures
"""The Google connection: api_root, the JWT exchange, retries, and one line per failure."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.errors import ConfigError, InputError, ServiceError
from sync.gsheets.client import MAX_TRIES, GoogleApi, GoogleConfig, rewrite, sheet_id_of
from sync.gsheets.read import read_ref
from tests.gsheets_fixtures import api, google_cfg, key_file_data, key_path, standin  # noqa: F401
from tests.okrdata import grid, kr, obj


@pytest.fixture
def book(standin):
    b = standin.new_book("sales")
    standin.put_sheet(b, "OKRs", grid([obj("S-O1"), kr("S-KR1", "S-O1", current=40)]))
    standin.put_sheet(b, "Check-ins", [["Date"]])
    return b


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://sheets.googleapis.com/v4/spreadsheets/X/values:batchGet?ranges=A", "/v4/"),
        ("https://www.googleapis.com/drive/v3/files?q=1", "/drive/v3/files"),
        ("https://oauth2.googleapis.com/token", "/token"),
    ],
)
def test_api_root_replaces_googles_hosts_and_keeps_the_path(url, path):
    out = rewrite(url, "http://127.0.0.1:9/proxy")
    assert out.startswith("http://127.0.0.1:9/proxy" + path)
    assert out.endswith(url.split(".com", 1)[1])


def test_other_hosts_are_left_alone():
    assert rewrite("https://example.org/x", "http://127.0.0.1:9") == "https://example.org/x"
    assert rewrite("https://sheets.googleapis.com/v4/x", "") == "https://sheets.googleapis.com/v4/x"


def test_the_service_account_jwt_is_exchanged_at_the_token_endpoint(api, standin, book):
    assert api.batch_get(book.id, ["OKRs"], "sales")[0]["values"][1][0] == "S-O1"
    assert list(standin.tokens.values()) == [api.email]


def test_field_masks_in_both_spellings(api, standin, book):
    for fields in ("sheets.properties.title", "sheets/properties/title"):
        meta = api.http.spreadsheets_get(book.id, params={"fields": fields})
        assert meta == {
            "sheets": [{"properties": {"title": "OKRs"}}, {"properties": {"title": "Check-ins"}}]
        }


def test_okr_check_reads_a_sheet_url(tmp_path, standin, key_path, book):
    (tmp_path / "okr.toml").write_text(
        f'[google]\ncredentials = "{key_path}"\napi_root = "{standin.url}"\n', encoding="utf-8"
    )
    url = f"https://docs.google.com/spreadsheets/d/{book.id}/edit"
    out = CliRunner().invoke(cli, ["check", url, "--config", str(tmp_path / "okr.toml")])
    assert out.exit_code == 0, out.output
    assert "1 workbook(s), 2 row(s)" in out.output
    assert standin.counts() == {"values.batchGet": 1}


def test_403_names_the_account_to_share_with(api, standin, book):
    book.denied.add(api.email)
    with pytest.raises(InputError, match=f"share the sheet with {api.email}"):
        read_ref(api, f"gsheet:{book.id}")


def test_404_names_the_sheet_and_the_fix(api):
    with pytest.raises(InputError, match=r"gsheet:nope: no such Google Sheet .404.; check the ID"):
        read_ref(api, "gsheet:nope")


def test_okr_check_of_a_missing_sheet_is_one_line_and_exit_2(tmp_path, standin, key_path):
    (tmp_path / "okr.toml").write_text(
        f'[google]\ncredentials = "{key_path}"\napi_root = "{standin.url}"\n', encoding="utf-8"
    )
    out = CliRunner().invoke(cli, ["check", "gsheet:nope", "--config", str(tmp_path / "okr.toml")])
    assert out.exit_code == 2
    assert out.output.strip().count("\n") == 0 and "no such Google Sheet" in out.output


@pytest.mark.parametrize("content", [None, "not json", json.dumps({"type": "service_account"})])
def test_missing_or_unreadable_credentials_say_what_to_do(tmp_path, content):
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[google\] credentials: .*key"):
        GoogleApi(GoogleConfig(credentials=str(path)))


def test_credentials_come_from_the_environment(monkeypatch, key_path, standin):
    monkeypatch.setenv("OKR_TEST_KEY", str(key_path))
    api = GoogleApi(GoogleConfig(credentials="${OKR_TEST_KEY}", api_root=standin.url))
    assert api.email.endswith("iam.gserviceaccount.com")
    monkeypatch.delenv("OKR_TEST_KEY")
    with pytest.raises(ConfigError, match="OKR_TEST_KEY is not set"):
        GoogleApi(GoogleConfig(credentials="${OKR_TEST_KEY}"))


def test_unknown_google_keys_are_refused(tmp_path):
    from dataclasses import replace

    from sync.config import parse_config

    with pytest.raises(ConfigError, match=r"unknown key `credential`.*did you mean `credentials`"):
        parse_config({"google": {"credential": "x"}}, tmp_path)
    # a workspace built in code goes through the same check
    ws = replace(parse_config({}, tmp_path), google={"requests_per_minute": -1})
    with pytest.raises(ConfigError, match="requests_per_minute is -1"):
        GoogleConfig.from_workspace(ws)


def test_requests_per_minute_reaches_the_connection(tmp_path, key_path):
    from sync.config import parse_config

    google = {"credentials": str(key_path), "requests_per_minute": 300}
    cfg = GoogleConfig.from_workspace(parse_config({"google": google}, tmp_path))
    assert cfg.requests_per_minute == 300
    assert GoogleConfig().requests_per_minute == 60


# -- pacing ---------------------------------------------------------------------------------


def test_calls_are_paced_to_the_limit_on_a_virtual_clock(standin, google_cfg, book):
    from dataclasses import replace

    now = [1000.0]  # a clock that only sleeping moves

    def sleep(seconds: float) -> None:
        now[0] += seconds

    cfg = replace(google_cfg, requests_per_minute=3)
    api = GoogleApi(cfg, sleep=sleep, clock=lambda: now[0])
    for _ in range(7):
        api.batch_get(book.id, ["OKRs"], "sales")
    assert standin.count("values.batchGet") == 7
    # call 4 waits for the first minute to pass (5 and 6 go with it), call 7 for the next
    assert api.pacer.paused == [60.0, 60.0]
    assert now[0] == 1120.0
    assert api.waits == []  # pacing is not a retry


def test_the_window_slides_on_a_fake_clock():
    from sync.gsheets.pace import Pacer

    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    pacer = Pacer(2, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    now[0] = 10.0
    pacer.wait()
    now[0] = 20.0
    assert pacer.wait() == 40.0  # the third call waits until the first is 60 s old
    assert now[0] == 60.0
    assert pacer.wait() == 10.0  # the fourth until the second (at 10 s) is
    now[0] = 500.0
    assert pacer.wait() == 0.0  # a quiet minute later, no wait
    assert slept == [40.0, 10.0]


def test_threads_together_keep_within_the_limit():
    import threading

    from sync.gsheets.pace import Pacer

    lock = threading.Lock()
    now = [0.0]
    pacer = Pacer(5, clock=lambda: now[0], sleep=lambda s: None)
    threads = [threading.Thread(target=pacer.wait) for _ in range(23)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with lock:
        slots = sorted(pacer.slots)
    # any five consecutive calls span at least the minute
    assert all(slots[i + 5] - slots[i] >= 60.0 for i in range(len(slots) - 5))
    assert slots[-1] == 240.0


def test_a_429_is_still_retried_after_retry_after_when_paced(standin, google_cfg, book):
    from dataclasses import replace

    now = [1000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    cfg = replace(google_cfg, requests_per_minute=2)
    api = GoogleApi(cfg, sleep=sleep, clock=lambda: now[0])
    standin.fail("values.batchGet", 429, retry_after="7")
    assert api.batch_get(book.id, ["OKRs"], "sales")
    assert api.waits == [7.0] and api.pacer.paused == []
    standin.fail("values.batchGet", 429, retry_after="5")
    assert api.batch_get(book.id, ["OKRs"], "sales")  # its tries are paced too
    assert api.waits == [7.0, 5.0]
    # tries at 1000 and 1007; the third waits until 1060, the fourth (1065) until 1067
    assert api.pacer.paused == [53.0, 2.0]
    assert standin.count("values.batchGet") == 4


def test_connections_of_one_account_share_one_real_time_pacer(google_cfg):
    a, b = GoogleApi(google_cfg), GoogleApi(google_cfg)
    assert a.pacer is b.pacer and a.pacer.per_minute == 60


# -- faults ---------------------------------------------------------------------------------


def test_429_is_retried_after_the_time_google_asks(api, standin, book):
    standin.fail("values.batchGet", 429, retry_after="7")
    assert api.batch_get(book.id, ["OKRs"], "sales")
    assert api.waits == [7.0]
    assert standin.count("values.batchGet") == 2


def test_500s_are_retried_with_backoff_then_given_up(api, standin, book):
    standin.fail("values.batchGet", 500, times=MAX_TRIES)
    with pytest.raises(ServiceError, match=f"500 INTERNAL, {MAX_TRIES} tries"):
        api.batch_get(book.id, ["OKRs"], "sales")
    assert api.waits == [0.5, 1.0, 2.0, 4.0]
    assert standin.count("values.batchGet") == MAX_TRIES


def test_retries_stop_at_the_time_budget(api, standin, book):
    standin.fail("values.batchGet", 429, retry_after="30", times=3)
    with pytest.raises(ServiceError, match="2 tries"):
        api.batch_get(book.id, ["OKRs"], "sales", deadline=api.clock() + 45)
    assert api.waits == [30.0]


def test_a_slow_answer_times_out_and_is_retried(standin, google_cfg, book):
    from dataclasses import replace

    api = GoogleApi(replace(google_cfg, timeout=0.3), sleep=lambda s: None)
    standin.fail("values.batchGet", delay=1.0)
    assert api.batch_get(book.id, ["OKRs"], "sales")
    assert len(api.waits) == 1


def test_a_malformed_body_is_one_line(api, standin, book):
    standin.fail("values.batchGet", 200, body="{not json")
    with pytest.raises(ServiceError, match="not valid JSON"):
        api.batch_get(book.id, ["OKRs"], "sales")


def test_a_revoked_key_is_one_line(api, standin, book):
    api.batch_get(book.id, ["OKRs"], "sales")
    standin.revoke(api.email)
    with pytest.raises(ServiceError, match=r"refused the service-account key.*revoked"):
        api.batch_get(book.id, ["OKRs"], "sales")


def test_sheet_ids_from_urls():
    assert sheet_id_of("https://docs.google.com/spreadsheets/d/abc_DEF-1/edit#gid=0") == "abc_DEF-1"
    assert sheet_id_of("gsheet:abc") == "abc"
    with pytest.raises(InputError, match="not a Google Sheets URL"):
        sheet_id_of("https://example.org/x")
