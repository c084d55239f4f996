"""The Google stand-in answers as Google does: gspread's recorded exchanges, replayed.

tests/data/gspread-cassettes holds real requests gspread 6.2.1 made to the
Sheets v4 and Drive v3 APIs and Google's real answers (MIT, from gspread's own
test suite; LICENSE.txt beside them). Each is replayed against the stand-in:
every answer must have Google's status and the same keys and JSON types.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gsheets_replay import differences, replay, shape, supported
from tests.gsheets_standin import GoogleStandin

CASSETTES = sorted((Path(__file__).parent / "data" / "gspread-cassettes").glob("*.json"))
ACCOUNT = "recorder@gspread-tests.iam.gserviceaccount.com"


@pytest.fixture
def live() -> GoogleStandin:
    """A stand-in with one account already holding a token."""
    server = GoogleStandin().start()
    server.keys[ACCOUNT] = None
    server.tokens["ya29.replay"] = ACCOUNT
    yield server
    server.stop()


def test_the_recorded_calls_cover_every_endpoint_we_use() -> None:
    kinds = set()
    for path in CASSETTES:
        for it in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            uri = it["request"]["uri"].split("?")[0]
            kinds.add((it["request"]["method"], uri.rsplit("/", 1)[-1].split(":")[-1]))
    for needed in ("batchGet", "batchUpdate", "append", "clear", "batchClear", "files"):
        assert any(k[1] == needed for k in kinds), needed


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_stand_in_answers_like_google(path: Path, live: GoogleStandin) -> None:
    cassette = json.loads(path.read_text(encoding="utf-8"))
    assert supported(cassette)
    assert replay(cassette, live, "ya29.replay") == []


def test_shape_comparison_notices_a_missing_key_and_a_wrong_type() -> None:
    google = shape({"range": "A1", "values": [[1]]})
    assert differences(google, shape({"range": "A1"})) == [".values: missing"]
    assert differences(google, shape({"range": "A1", "values": [["1"]]})) == [
        ".values[0][0]: Google number, stand-in string"
    ]
