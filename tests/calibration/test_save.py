"""Saving a calibration: validated first, versioned, atomic, secrets from the environment,
earlier settings and configs kept; and rolling back to an earlier config from the CLI."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from atm import config as config_mod
from atm.calibration import AxisMark, Calibration
from atm.calibration.save import list_configs, previous_config, save_config, to_toml
from atm.cli import main
from atm.colors import REFERENCE_RGB
from atm.errors import ConfigError
from atm.geometry import Rect

NOW = datetime(2026, 11, 20, 21, 30)
CAL = Calibration(
    width=1920,
    height=1080,
    dot_roi=Rect(60, 940, 1702, 21),
    chart_roi=Rect(60, 41, 1702, 874),
    canary_roi=Rect(1763, 1, 152, 40),
    colors={"light_green": (137, 248, 136), "background": (10, 10, 12)},
    window_title="TradeStation - DIA",
    y_axis_roi=Rect(1763, 41, 152, 874),
    y_axis_points=(AxisMark(83, 488.5), AxisMark(871, 486.75)),
    canary_phash="999966e66681e7a4",
)


def test_writes_a_versioned_config_and_makes_it_current(tmp_path: Path) -> None:
    saved = save_config(tmp_path / "configs", CAL, now=NOW, env={})
    assert saved.path == tmp_path / "configs" / "2026-11-20-2130.toml"
    assert (tmp_path / "configs" / "current.txt").read_text() == "2026-11-20-2130.toml\n"
    loaded = config_mod.load(saved.path, env={})
    assert loaded.dot_roi.x == 60 and loaded.dot_roi.h == 21 and loaded.window_title.endswith("DIA")
    assert loaded.capture.region.w == 1920 and not loaded.capture.follow_window
    assert loaded.colors.light_green.rgb == (137, 248, 136)
    assert loaded.colors.turquoise.rgb == REFERENCE_RGB["turquoise"]  # not calibrated: reference
    assert loaded.colors.background.tolerance == 25 and loaded.colors.gray.tolerance == 60
    assert [(p.y, p.price) for p in loaded.y_axis.points] == [(83, 488.5), (871, 486.75)]
    assert loaded.canary.baseline_phash == "999966e66681e7a4"
    assert saved.secrets == dict.fromkeys(config_mod.ENV_SECRETS, "placeholder")
    assert not list((tmp_path / "configs").glob(".*.tmp"))  # the temp file was renamed


def test_the_file_reads_like_the_spec(tmp_path: Path) -> None:
    text = save_config(tmp_path, CAL, now=NOW, env={}).path.read_text()
    assert text.startswith("# written by `atm calibrate`")
    assert "dot_roi = { x = 60, y = 940, w = 1702, h = 21 }" in text
    assert "light_green = { rgb = [137, 248, 136], tolerance = 60 }" in text
    assert '[notify.discord]\nwebhook_url = ""' in text


def test_secrets_in_the_environment_stay_out_of_the_file(tmp_path: Path) -> None:
    env = {"ATM_DISCORD_URL": "https://discord.com/api/webhooks/1/tok", "ATM_TG_CHAT": "42"}
    saved = save_config(tmp_path, CAL, now=NOW, env=env)
    data = tomllib.loads(saved.path.read_text())
    assert data["notify"]["discord"]["webhook_url"] == ""
    assert data["notify"]["telegram"] == {"token": "", "chat_id": ""}
    loaded = config_mod.load(saved.path, env=env)  # the environment fills them in
    assert loaded.notify.discord.webhook_url.get_secret_value() == env["ATM_DISCORD_URL"]
    assert saved.secrets["ATM_TG_TOKEN"] == "placeholder"
    assert saved.secrets["ATM_DISCORD_URL"] == "environment"


def test_a_recalibration_keeps_settings_and_earlier_configs(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    first = save_config(configs, CAL, now=NOW, env={})
    data = tomllib.loads(first.path.read_text())
    data["lockout"] = {"minutes": 7}
    data["notify"]["telegram"] = {"token": "123:abc", "chat_id": "99"}
    first.path.write_text(to_toml(data))
    moved = replace(CAL, dot_roi=Rect(60, 950, 1700, 20))
    second = save_config(configs, moved, now=NOW, env={}, base=previous_config(configs))
    assert second.path.name == "2026-11-20-2130-2.toml"  # same minute: a new name
    assert first.path.exists() and (configs / "current.txt").read_text().strip() == second.path.name
    loaded = config_mod.load(second.path, env={})
    assert loaded.lockout.minutes == 7 and loaded.notify.telegram.chat_id == "99"
    assert loaded.notify.telegram.token.get_secret_value() == "123:abc"
    assert second.secrets["ATM_TG_TOKEN"] == "previous config"
    assert loaded.dot_roi.y == 950
    assert [f.name for f in list_configs(configs)] == [first.path.name, second.path.name]


def test_a_broken_previous_config_does_not_block_calibration(tmp_path: Path) -> None:
    saved = save_config(tmp_path, CAL, now=NOW, env={}, base={"lockout": {"minutes": "x"}})
    assert saved.notes and "not carried over" in saved.notes[0]
    assert config_mod.load(saved.path, env={}).lockout.minutes == 4


def test_an_invalid_calibration_writes_nothing(tmp_path: Path) -> None:
    outside = replace(CAL, dot_roi=Rect(1900, 940, 100, 20))
    with pytest.raises(ConfigError, match=r"dot_roi: .* lies outside the capture region"):
        save_config(tmp_path / "configs", outside, now=NOW, env={})
    assert not list((tmp_path / "configs").iterdir())


def test_rollback_and_use_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configs = tmp_path / "configs"
    names = [
        save_config(configs, CAL, now=datetime(2026, 11, d, 9, 0), env={}).path.name
        for d in (18, 19, 20)
    ]
    home = ["--home", str(tmp_path)]
    assert main([*home, "config", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"  {names[0]}",
        f"  {names[1]}",
        f"* {names[2]}",
    ]
    assert main([*home, "config", "rollback"]) == 0
    assert names[1] in capsys.readouterr().out
    assert (configs / "current.txt").read_text().strip() == names[1]
    assert main([*home, "config", "rollback"]) == 0
    assert main([*home, "config", "rollback"]) == 2  # nothing older
    assert "nothing to roll back to" in capsys.readouterr().err
    assert main([*home, "config", "use", names[2]]) == 0
    assert (configs / "current.txt").read_text().strip() == names[2]
    assert main([*home, "config", "use", "nope.toml"]) == 2
    assert "no such config" in capsys.readouterr().err
    assert all((configs / n).exists() for n in names)  # nothing is ever deleted


def test_use_refuses_a_config_that_does_not_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configs = tmp_path / "configs"
    good = save_config(configs, CAL, now=NOW, env={}).path.name
    (configs / "mine.toml").write_text("schema = 1\nlockout = { minutes = -1 }\n")
    assert main(["--home", str(tmp_path), "config", "use", "mine.toml"]) == 2
    assert "lockout.minutes" in capsys.readouterr().err
    assert (configs / "current.txt").read_text().strip() == good


def test_to_toml_round_trips() -> None:
    data = {
        "schema": 1,
        "symbol_label": 'DIA→"US30"',
        "y_axis": {"points": [{"y": 1, "price": 2.5}], "roi": {"x": 1, "y": 2, "w": 3, "h": 4}},
        "alerts": {"attach_screenshots": {"trigger": True}, "send": {}},
        "notify": {"apprise": {"urls": ["a", "b"]}},
        "schedule": {"timezone": ""},
    }
    assert tomllib.loads(to_toml(data)) == data
