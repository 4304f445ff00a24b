"""The command line: every SPEC command is registered, documented, and honest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from atm import __version__
from atm.cli import build_parser, main

SPEC_COMMANDS = [
    "calibrate", "debug", "label", "dryrun", "run", "demo", "sim", "notify", "config",
    "journal", "report",
]  # fmt: skip
#: Commands added after the spec (issue 14): documented and helped the same way.
LATER_COMMANDS = ["doctor", "schedule", "secrets"]
README = Path(__file__).parents[1] / "README.md"


def test_every_spec_command_is_registered_with_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    helps = {a.dest: a.help for a in sub._choices_actions}  # type: ignore[attr-defined]
    for command in SPEC_COMMANDS + LATER_COMMANDS:
        assert helps.get(command), f"{command} has no help text"


@pytest.mark.parametrize("command", SPEC_COMMANDS + LATER_COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"atm {command}" in README.read_text(encoding="utf-8")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"atm {__version__}"


@pytest.mark.parametrize("command", [["journal"], ["report"]])
def test_pending_commands_say_so_in_one_line_and_exit_2(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not available yet" in err


def test_python_dash_m_atm_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "atm", "--help"], capture_output=True, text=True, check=True
    )
    assert "calibrate" in out.stdout and "demo" in out.stdout
