"""Several charts in one `atm run`: two simulator charts side by side (different symbols,
scales and themes) replayed as one screen, against the fake Discord and Telegram."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from atm.audit import read_jsonl
from atm.cli import main
from atm.corpus import frame_time, load_labels
from atm.types import Image
from atm.vision.image_io import read_image
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import CHAT_ID, FakeTelegram
from tests.fakes.two_charts import CHARTS, build_screen, combine


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_screen(tmp_path_factory.mktemp("charts"))


def expected(screen: Path, name: str) -> list[str]:
    symbol = CHARTS[name][0]
    labels = load_labels(screen.parent / name)
    return [
        f"{label.fire} signal {symbol} | {datetime.fromtimestamp(frame_time(Path(f))):%H:%M:%S}"
        for f, label in sorted(labels.items())
        if label.fire
    ]


def with_services(screen: Path, tmp: Path, discord: FakeDiscord, telegram: FakeTelegram) -> Path:
    data = tomllib.loads((screen / "charts.toml").read_text())
    data["notify"] = {
        "discord": {"webhook_url": discord.webhook_url},
        "telegram": {"token": telegram.token, "chat_id": CHAT_ID, "api_base": telegram.api_base},
    }
    path = tmp / "config.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def triggers(discord: FakeDiscord, symbol: str) -> list[str]:
    return [
        p.content.split(" ", 1)[1].rsplit(" | #", 1)[0]
        for p in discord.posted
        if f" signal {symbol} " in p.content
    ]


@pytest.mark.slow
def test_each_chart_alerts_its_own_signals_with_its_symbol(
    screen: Path, tmp_path: Path, discord_server: FakeDiscord, telegram_server: FakeTelegram
) -> None:
    cfg = with_services(screen, tmp_path, discord_server, telegram_server)
    assert (
        main(["--home", str(tmp_path), "run", "--replay", str(screen), "--config", str(cfg)]) == 0
    )
    for name, (symbol, *_rest) in CHARTS.items():
        want = expected(screen, name)
        assert len(want) >= 2, name
        assert triggers(discord_server, symbol) == want
        tg = [s for s in telegram_server.sent if f" signal {symbol} " in s.text]
        assert len(tg) == len(want) and all(s.photo is not None for s in tg)
    assert all(p.files for p in discord_server.posted if " signal " in p.content)
    startup = next(p.content for p in discord_server.posted if "started" in p.content)
    assert "DIA→US30, GLD→XAUUSD" in startup
    beats = [p.content for p in discord_server.posted if " alive " in p.content]
    assert beats and all("DIA→US30 OK · GLD→XAUUSD OK" in b for b in beats)
    records = [r for f in sorted((tmp_path / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    cycles = [r for r in records if "rightmost_dot_color" in r]
    assert {r["chart"] for r in cycles} == {"DIA", "GLD"}
    assert sum(r["chart"] == "DIA" for r in cycles) == sum(r["chart"] == "GLD" for r in cycles)
    signals = [r for r in records if r.get("event") == "signal"]
    assert len({r["signal"] for r in signals}) == len(signals)  # ids unique across charts
    rois = {t["name"]: t["dot_roi"] for t in tomllib.loads(cfg.read_text())["charts"]}
    for signal in signals:  # each fire's screenshot boxes its own chart's strip
        fires = tmp_path / "logs" / "fires"
        marked = read_image(fires / signal["screenshot"]) != read_image(fires / signal["frame"])
        xs = np.flatnonzero(marked.any(axis=(0, 2)))
        roi = rois[signal["chart"]]
        assert roi["x"] - 20 <= xs.min() and xs.max() <= roi["x"] + roi["w"] + 20, signal
    levels = [p.content for p in discord_server.posted if "Levels" in p.content]
    assert levels and all(t.startswith(("DIA→US30: ", "GLD→XAUUSD: ")) for t in levels)


@pytest.mark.slow
def test_a_paused_chart_leaves_the_other_alerting(screen: Path, tmp_path: Path) -> None:
    """From bar 10 on, the layout above GLD changes: GLD pauses (one alert, its own pause
    file); DIA keeps alerting every signal it has."""
    data = tomllib.loads((screen / "charts.toml").read_text())
    gld = data["charts"][1]
    gld["canary"] = {**gld.get("canary", {}), "every_cycles": 1}
    roi = gld["canary"]["roi"]
    folder = tmp_path / "screen"
    folder.mkdir()
    names = sorted(p.name for p in screen.glob("*.png"))

    def moved(name: str, image: Image) -> None:
        if names.index(name) >= 10:
            box = image[roi["y"] : roi["y"] + roi["h"], roi["x"] : roi["x"] + roi["w"]]
            box[:] = np.roll(box, roi["w"] // 3, axis=1)[:, ::-1]

    combine(screen.parent / "DIA", screen.parent / "GLD", folder, moved)
    (folder / "config.toml").write_text(tomli_w.dumps(data))
    home = tmp_path / "home"
    args = [
        "--home",
        str(home),
        "run",
        "--replay",
        str(folder),
        "--config",
        str(folder / "config.toml"),
    ]
    assert main(args) == 0
    records = [r for f in sorted((home / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    queued = [r["text"] for r in records if r.get("event") == "alert_queued"]
    assert sum("GLD→XAUUSD: ⚠️ Layout changed" in t for t in queued) == 1
    paused = [r for r in records if r.get("reason") == "paused"]
    assert paused and {r["chart"] for r in paused} == {"GLD"}
    dia = [t.rsplit(" | #", 1)[0].split(" ", 1)[1] for t in queued if " signal DIA→US30 " in t]
    assert dia == expected(screen, "DIA")
    gld_sent = [t for t in queued if " signal GLD→XAUUSD " in t]
    assert len(gld_sent) < len(expected(screen, "GLD"))
