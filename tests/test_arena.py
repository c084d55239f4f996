"""The reading threads share one malloc arena with the main thread (glibc)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_one_arena_is_asked_once_and_agreed() -> None:
    code = (
        "from sync.arena import one_arena; from sync import arena; "
        "print(one_arena(), one_arena(), arena._done)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "True", "True"]
