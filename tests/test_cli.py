"""The command line: every command the parser has is documented, and honest."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from atm import __version__
from atm.cli import build_parser, main

README = Path(__file__).parents[1] / "README.md"
#: SPEC §2's commands, as paths through the parser: proof that the walk below reaches them.
SPEC_COMMANDS = [
    "calibrate", "debug", "label", "dryrun", "run", "demo", "sim", "notify test",
    "config check", "journal", "report",
]  # fmt: skip


def walk(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, str | None]]:
    """(`config use`, its help) for every subcommand at every depth, in the parser's order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # one per command, aliases excluded
                name = f"{path} {choice.dest}".strip()
                yield name, choice.help
                yield from walk(action.choices[choice.dest], name)


def command_table() -> str:
    """The rows of the README's table under `## Commands`."""
    section = README.read_text(encoding="utf-8").split("\n## Commands\n", 1)[1]
    rows = section.split("\n## ", 1)[0].splitlines()
    return "\n".join(row for row in rows if row.startswith("|"))


COMMANDS = dict(walk(build_parser()))


def test_the_walk_reaches_every_spec_command_and_the_config_versions() -> None:
    assert set(SPEC_COMMANDS) | {"config list", "config use", "config rollback"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    assert COMMANDS[command], f"atm {command} has no help text"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme_table(command: str) -> None:
    assert re.search(rf"`atm {re.escape(command)}[ `]", command_table()), (
        f"`atm {command}` is missing from the README's command table"
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"atm {__version__}"


def test_python_dash_m_atm_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "atm", "--help"], capture_output=True, text=True, check=True
    )
    assert "calibrate" in out.stdout and "demo" in out.stdout
