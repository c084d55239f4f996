"""okr remind against a real local SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import socket
from datetime import date
from email import message_from_bytes, policy

import pytest

from sync.cli import main
from tests.okrdata import kr, obj
from tests.orgbuild import write_workbook

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is in the dev extra")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

CO = dict(department="Company", period="2026")
TODAY = "2026-11-27"


class Inbox:
    """Collects every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"okr", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(),
                            authenticator=_auth, auth_require_tls=False)  # fmt: skip
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def workspace(tmp_path, smtp, store_url, monkeypatch):
    controller, _ = smtp
    rows = [
        obj("CO-O1", **CO),
        kr("CO-KR1.1", "CO-O1", title="Revenue", owner="ana@example.org", **CO),
        kr("CO-KR1.2", "CO-O1", title="Margin", owner="ana@example.org", **CO),
        kr("CO-KR1.3", "CO-O1", title="NPS", owner="bo@example.org", **CO),
        kr("CO-KR1.4", "CO-O1", title="Cash", owner="Team Finance", **CO),
    ]
    log = [(date(2026, 11, 1), "CO-KR1.1", 30), (date(2026, 11, 25), "CO-KR1.3", 5)]
    write_workbook(tmp_path / "departments" / "company.xlsx", rows, "en", log)
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    (tmp_path / "okr.toml").write_text(
        '[organisation]\nname = "Test Org"\n\n'
        f'[store]\nurl = "{store_url}"\n\n'
        '[[sources]]\nkind = "folder"\npath = "departments"\n\n'
        f'[mail]\nhost = "127.0.0.1"\nport = {controller.port}\nfrom = "okr@example.org"\n'
        'starttls = false\ntimeout = 3\nuser = "okr"\npassword = "${SMTP_PASSWORD}"\n'
        "remind_days = 7\n",
        encoding="utf-8",
    )
    return tmp_path / "okr.toml"


def test_each_owner_gets_one_message_listing_sheet_and_cell(workspace, smtp, capsys):
    _, inbox = smtp
    assert main(["remind", "--config", str(workspace), "--as-of", TODAY]) == 0
    assert [to for to, _ in inbox.messages] == [["ana@example.org"]]
    msg = inbox.messages[0][1]
    assert msg["Subject"] == "Test Org: 2 key result(s) to update"
    body = msg.get_content()
    assert "CO-KR1.1 Revenue (last updated 2026-11-01): company.xlsx, sheet OKRs, cell L3" in body
    assert "CO-KR1.2 Margin (never updated)" in body
    out = capsys.readouterr().out
    assert "owner Team Finance: not an e-mail address" in out and "1 reminder(s) sent" in out


def test_at_most_once_per_remind_days(workspace, smtp, capsys):
    _, inbox = smtp
    assert main(["remind", "--config", str(workspace), "--as-of", TODAY]) == 0
    assert main(["remind", "--config", str(workspace), "--as-of", "2026-11-30"]) == 0
    assert len(inbox.messages) == 1
    assert "ana@example.org: reminded on 2026-11-27" in capsys.readouterr().out
    assert main(["remind", "--config", str(workspace), "--as-of", "2026-12-05"]) == 0
    assert len(inbox.messages) == 2


def test_dry_run_prints_and_sends_nothing(workspace, smtp, capsys):
    _, inbox = smtp
    assert main(["remind", "--config", str(workspace), "--as-of", TODAY, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "To: ana@example.org" in out and "1 message(s) not sent (--dry-run)" in out
    assert inbox.messages == []
    assert main(["remind", "--config", str(workspace), "--as-of", TODAY]) == 0
    assert len(inbox.messages) == 1  # a dry run is not a reminder


def test_a_wrong_password_is_one_line_without_the_secret(workspace, monkeypatch, capsys):
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-one")
    assert (
        main(["remind", "--config", str(workspace), "--as-of", TODAY]) == 3
    )  # the mail server failed: operational, not the data
    err = capsys.readouterr().err
    assert err.startswith("okr: cannot send mail through 127.0.0.1:") and "wrong-one" not in err


def test_a_written_password_is_refused(workspace, capsys):
    text = workspace.read_text().replace('"${SMTP_PASSWORD}"', '"hunter2"')
    workspace.write_text(text)
    assert main(["remind", "--config", str(workspace), "--dry-run"]) == 2
    assert "password is written in the file" in capsys.readouterr().err
