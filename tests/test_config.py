"""Config validation: every bad input is one line naming file and key; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from atm import config
from atm.cli import main
from atm.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("toml", "key", "hint"),
    [
        ("schema = 1\n[loop\n", "line 2", "invalid TOML"),
        ('[loop]\ninterval_s = "fast"\n', "loop.interval_s", "valid number"),
        ("[loop]\ninterval_s = -1\n", "loop.interval_s", "greater than 0"),
        ("[colors.gray]\nrgb = [300, 0, 0]\ntolerance = 10\n", "colors.gray.rgb[0]", "255"),
        ("[colors.pink]\nrgb = [1, 2, 3]\ntolerance = 10\n", "colors.pink", "unknown colour"),
        ("dot_roi = { x = 1900, y = 0, w = 100, h = 10 }\n", "dot_roi", "outside the capture"),
        ('[alerts]\nattach_screenshots = "yes"\n', "alerts.attach_screenshots", "true/false"),
        ("[alerts]\nattach_screenshots = { bogus = true }\n", "alerts.attach_screenshots", "kind"),
        ("[capture]\nfollow_window = 1\n", "capture.follow_window", "boolean"),
        ('[canary]\nbaseline_phash = "xyz"\n', "canary.baseline_phash", "16 hex"),
        ('[y_axis]\nfingerprint = "not base64!"\n', "y_axis.fingerprint", "atm calibrate"),
        ('[canary]\nenabled = "no"\n', "canary.enabled", "boolean"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone", "IANA"),
        ("schema = 2\n", "schema", "1"),
        ("[loop]\nspeed = 1\n", "loop.speed", "interval_s"),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, key: str, hint: str
) -> None:
    path = write(tmp_path, toml)
    assert main(["config", "check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err  # one line
    assert str(path) in err and key in err and hint in err
    assert "Traceback" not in err


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such config file" in capsys.readouterr().err


def test_defaults_match_the_spec() -> None:
    cfg = config.from_dict({})
    assert cfg.loop.interval_s == 5.0 and cfg.loop.debounce_depth == 1
    assert cfg.colors.turquoise.rgb == (64, 224, 208) and cfg.colors.background.tolerance == 25
    assert cfg.canary.max_distance == 8 and cfg.lockout.minutes == 4
    assert cfg.alerts.attaches("trigger") and not cfg.alerts.attaches("arm")


def test_attach_screenshots_accepts_a_bool() -> None:
    cfg = config.from_dict({"alerts": {"attach_screenshots": False}})
    assert not cfg.alerts.attaches("trigger")


def test_config_is_frozen() -> None:
    cfg = config.from_dict({})
    with pytest.raises(ValueError, match="frozen"):
        cfg.loop.interval_s = 1


def test_environment_secrets_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[notify.telegram]\ntoken = "from-file"\nchat_id = "1"\n')
    env = {"ATM_TG_TOKEN": "from-env", "ATM_TG_CHAT": "-100", "ATM_DISCORD_URL": "https://d/x/y"}
    cfg = config.load(path, env=env)
    assert cfg.notify.telegram.token.get_secret_value() == "from-env"
    assert cfg.notify.telegram.chat_id == "-100"
    assert cfg.notify.discord.webhook_url.get_secret_value() == "https://d/x/y"


def test_numeric_chat_ids_are_accepted() -> None:
    cfg = config.from_dict({"notify": {"telegram": {"chat_id": -1001, "heartbeat_thread_id": 7}}})
    assert cfg.notify.telegram.chat_id == "-1001"


SENTINEL = "SENTINEL-TOKEN-7f3a9c"


def test_config_check_masks_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATM_DISCORD_URL", f"https://discord.com/api/webhooks/1/{SENTINEL}")
    monkeypatch.setenv("ATM_TG_TOKEN", f"123:{SENTINEL}")
    path = write(tmp_path, "schema = 1\n")
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert SENTINEL not in out
    assert 'webhook_url = "https://discord.com/***"' in out and 'token = "***"' in out
    assert SENTINEL not in repr(config.load(path))


def test_secret_values_are_not_echoed_in_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError) as info:
        config.from_dict({"notify": {"discord": {"webhook_url": f"ftp://{SENTINEL}"}}})
    assert SENTINEL not in str(info.value) and "notify.discord.webhook_url" in str(info.value)


def test_active_config_comes_from_current_txt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "2026-11-21-0900.toml").write_text('symbol_label = "GLD→XAUUSD"\n')
    (tmp_path / "configs" / "current.txt").write_text("2026-11-21-0900.toml\n")
    assert main(["--home", str(tmp_path), "config", "check"]) == 0
    assert 'symbol_label = "GLD→XAUUSD"' in capsys.readouterr().out


def test_no_active_config_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), "config", "check"]) == 2
    assert "atm calibrate" in capsys.readouterr().err
