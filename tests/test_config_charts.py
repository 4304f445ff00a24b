"""`[[charts]]`: several charts in one config; today's single-chart files load unchanged."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from atm import config
from atm.cli import main
from atm.errors import ConfigError

TWO = """
symbol_label = "shared"
[colors]
yellow = { rgb = [250, 210, 10], tolerance = 50 }
[levels]
tick = 0.01
sl_rgb = [200, 0, 0]

[[charts]]
name = "DIA"
symbol_label = "DIA→US30"
window_title = "TradeStation - DIA"
dot_roi = { x = 60, y = 930, w = 800, h = 40 }

[[charts]]
name = "GLD"
symbol_label = "GLD→XAUUSD"
dot_roi = { x = 1000, y = 930, w = 800, h = 40 }
canary = { roi = { x = 1000, y = 0, w = 100, h = 30 } }
[charts.colors]
gray = { rgb = [90, 90, 90], tolerance = 40 }
[charts.levels]
tick = 0.05
"""


def load_text(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path, env={}, store=None)


def test_each_chart_is_the_shared_config_with_its_own_keys_laid_over(tmp_path: Path) -> None:
    cfg = load_text(tmp_path, TWO)
    dia, gld = config.each_chart(cfg)
    assert (dia.name, gld.name) == ("DIA", "GLD")
    assert (dia.symbol_label, gld.symbol_label) == ("DIA→US30", "GLD→XAUUSD")
    assert dia.dot_roi.x == 60 and gld.dot_roi.x == 1000
    assert dia.window_title == "TradeStation - DIA" and gld.window_title == "TradeStation"
    # tables merge key by key: GLD's gray is its own, its yellow the shared one
    assert gld.colors.gray.rgb == (90, 90, 90) and dia.colors.gray.rgb == (128, 128, 128)
    assert gld.colors.yellow.rgb == dia.colors.yellow.rgb == (250, 210, 10)
    assert gld.levels.tick == 0.05 and gld.levels.sl_rgb == (200, 0, 0)
    assert dia.levels.tick == 0.01 and gld.canary.roi.x == 1000
    assert dia.notify == gld.notify == cfg.notify


def test_a_single_chart_config_is_one_chart_as_before() -> None:
    cfg = config.from_dict({"symbol_label": "DIA", "dot_roi": {"x": 1, "y": 2, "w": 30, "h": 9}})
    assert config.each_chart(cfg) == (cfg,)
    assert cfg.charts == () and cfg.name == ""


def test_every_config_in_the_repo_still_loads_as_one_chart(tmp_path: Path) -> None:
    """The simulator's corpus configs and the demo's: today's single-chart files."""
    assert main(["--home", str(tmp_path), "sim", str(tmp_path / "c"), "--bars", "3"]) == 0
    for path in [tmp_path / "c" / "config.toml"]:
        cfg = config.load(path, env={}, store=None)
        assert len(config.each_chart(cfg)) == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("DIA", "name", '"DIA"', '"GLD"'), "charts[1].name: 'GLD' is already charts[0]"),
        (("", "", "", ""), ""),  # no edit: valid
        (("GLD", "dot_roi", "x = 1000", "x = 1900"), "charts[1].dot_roi: 1900,930"),
        (("GLD", "levels", "tick = 0.05", 'tick = "big"'), "charts[1].levels.tick"),
        (("DIA", "window", 'window_title = "TradeStation - DIA"', "loop = { interval_s = 1 }"),
         "charts[0].loop: not a per-chart key"),
        (("GLD", "name", 'name = "GLD"', 'name = "G L D"'), "charts[1].name: expected a short"),
        (("DIA", "name", 'name = "DIA"', ""), "charts[0].name: missing"),
    ],
)  # fmt: skip
def test_errors_name_the_chart(
    tmp_path: Path, edit: tuple[str, str, str, str], message: str
) -> None:
    text = TWO.replace(edit[2], edit[3], 1) if edit[2] else TWO
    if not message:
        load_text(tmp_path, text)
        return
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, text)
    assert message in str(caught.value) and "c.toml" in str(caught.value)


def test_a_shared_key_error_is_not_blamed_on_a_chart(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"c\.toml: levels\.tick: .*greater than or equal"):
        load_text(tmp_path, TWO.replace("[levels]\ntick = 0.01", "[levels]\ntick = -1"))


@pytest.mark.parametrize("bad", ['charts = "DIA"', "charts = []", "charts = [1, 2]"])
def test_charts_must_be_tables(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match=r"charts: expected one or more \[\[charts\]\] tables"):
        load_text(tmp_path, bad + "\n")


def test_migrate_rewrites_a_single_chart_config_as_one_chart_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert main(["--home", str(home), "sim", str(tmp_path / "c"), "--bars", "3"]) == 0
    old_path = tmp_path / "c" / "config.toml"
    old = config.load(old_path, env={}, store=None)
    assert main(["--home", str(home), "config", "migrate", str(old_path), "--name", "DIA"]) == 0
    written = Path(capsys.readouterr().out.strip().splitlines()[-1].split()[-1])
    raw = tomllib.loads(written.read_text(encoding="utf-8"))
    assert [t["name"] for t in raw["charts"]] == ["DIA"] and "dot_roi" not in raw
    (new,) = config.each_chart(config.load(written, env={}, store=None))
    assert new.model_dump(exclude={"name"}) == old.model_dump(exclude={"name"})
    assert (home / "configs" / "current.txt").read_text().strip() == written.name
    # a second migration has nothing to do
    assert main(["--home", str(home), "config", "migrate", str(written), "--name", "X"]) == 2


def test_config_check_prints_each_charts_settings_in_effect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.toml"
    token = "123456:SECRETSECRETSECRET"
    path.write_text(TWO + f'\n[notify.telegram]\ntoken = "{token}"\nchat_id = "1"\n')
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert token not in out
    printed = tomllib.loads(out)  # the comments aside, the output is TOML again
    assert "dot_roi" not in printed  # a shared default no chart uses would mislead
    dia, gld = printed["charts"]
    assert (dia["name"], gld["name"]) == ("DIA", "GLD")
    assert gld["levels"]["tick"] == 0.05 and dia["levels"]["tick"] == 0.01
    assert gld["colors"]["gray"]["tolerance"] == 40
    assert dia["colors"]["yellow"]["rgb"] == [250, 210, 10]
    assert printed["notify"]["telegram"]["token"] == "***"
