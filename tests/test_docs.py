"""The README documents every command, setting and problem code."""

from __future__ import annotations

import click
import pytest

from okr.problems import CODES
from okr.settings import SETTINGS
from sync.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "okr") -> list[str]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        out.append(f"{prefix} {name}")
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix} {name}")
    return out


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_in_the_readme(command):
    assert command in README


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_in_the_readme(setting):
    assert f"`{setting}`" in README


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_problem_code_is_in_the_readme(code):
    assert f"`{code}`" in README


def test_readme_opens_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head
