"""Several charts in one `atm run`: two simulator charts side by side (different symbols,
scales and themes) replayed as one screen, against the fake Discord and Telegram."""

from __future__ import annotations

import itertools
import tomllib
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from atm import config as config_mod
from atm.audit import AuditLog, read_jsonl
from atm.cli import main
from atm.clock import ReplayClock
from atm.corpus import frame_time, load_labels
from atm.frame import Frame
from atm.geometry import Rect
from atm.runner import Runner, Watched
from atm.trial import Inbox
from atm.types import Image
from atm.vision.image_io import decode, read_image
from atm.workspace import Workspace
from tests.fakes.discord import FakeDiscord
from tests.fakes.live_charts import charts_data, place, screen_size
from tests.fakes.live_session import LAYOUT, LiveChart, frame
from tests.fakes.telegram import CHAT_ID, FakeTelegram
from tests.fakes.two_charts import CHARTS, build_screen, combine
from tests.test_runner import keep_in

T0 = 1_700_000_000.0


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
    charts = {c.name: c for c in config_mod.each_chart(config_mod.load(cfg, store=False))}
    for signal in signals:  # each fire's screenshot is its own chart, its own strip boxed
        fires, chart = tmp_path / "logs" / "fires", charts[signal["chart"]]
        regions = (chart.dot_roi, chart.chart_roi, chart.y_axis.roi, chart.canary.roi)
        own = Rect.union([Rect.of(r) for r in regions])
        raw = read_image(fires / signal["frame"])[own.y : own.bottom, own.x : own.right]
        shot = read_image(fires / signal["screenshot"])
        assert shot.shape == raw.shape, signal
        xs = own.x + np.flatnonzero((shot != raw).any(axis=(0, 2)))
        roi = chart.dot_roi
        assert roi.x - 20 <= xs.min() and xs.max() <= roi.x + roi.w + 20, signal
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


class Screen:
    """A live capture over a picture in memory (the four quarters of a 4K screen): what
    each grab read is recorded."""

    def __init__(self, image: Image, clock: ReplayClock) -> None:
        self.image, self._clock = image, clock
        self.rects: list[Rect] = []
        self.whole = 0

    def grab(self) -> Frame:
        self.whole += 1
        return Frame(self.image, self._clock.time())

    def grab_rect(self, x: int, y: int, w: int, h: int) -> Image:
        self.rects.append(Rect(x, y, w, h))
        return self.image[y : y + h, x : x + w].copy()

    def close(self) -> None:
        return None


def charts_on_screen(count: int, dots: list[str], dark: int = 0) -> tuple[list[LiveChart], Image]:
    """`count` charts placed as `place` puts them, each showing `dots`; the first `dark`
    windows black."""
    charts = [LiveChart(f"C{i}", f"S{i}", (), x, y) for i, (x, y) in enumerate(place(count))]
    width, height = screen_size(count)
    image = np.zeros((height, width, 3), np.uint8)
    for chart in charts[dark:]:
        image[chart.y : chart.y + LAYOUT.height, chart.x : chart.x + LAYOUT.width] = frame(dots)
    return charts, image


def test_a_watch_tick_grabs_a_row_of_strips_at_once_and_a_whole_frame_once(
    tmp_path: Path,
) -> None:
    """Four charts as the quarters of a 4K screen: a watch tick grabs each row's strips in
    one rectangle, not the whole screen between them; when every chart changes colour in
    one tick, the four charts' screenshots and samples come from one whole grab, and each
    screenshot shows its own chart."""
    charts, still = charts_on_screen(4, ["gray"] * 6)
    _, armed = charts_on_screen(4, ["gray"] * 5 + ["turquoise"])
    keys = {
        "loop": {"interval_s": 5.0, "watch_interval_s": 0.1},
        "lockout": {"minutes": 0},
        "alerts": {"attach_screenshots": True},
    }
    config = config_mod.from_dict(charts_data(charts, keys))
    clock = ReplayClock(T0)
    screen = Screen(still, clock)
    watched = Watched(screen, tuple((c, None) for c in config_mod.each_chart(config)), screen)
    ws, inbox = Workspace(tmp_path), list[Inbox]()
    runner = Runner(config, [watched], clock, keep_in(inbox), ws, AuditLog(ws.logs),
                    save_samples=True)  # fmt: skip
    wholes: list[int] = []

    def tick_done() -> bool:
        wholes.append(screen.whole)
        if len(wholes) == 4:
            screen.image = armed
        return len(wholes) > 12

    runner.run(should_stop=tick_done)
    rows = [Rect(60, 930, 3620, 40), Rect(60, 2010, 3620, 40)]
    assert set(screen.rects) == set(rows)
    per_tick = [b - a for a, b in itertools.pairwise(wholes)]  # asked before each tick
    assert per_tick[0] == 1 and max(per_tick) == 1 and sum(per_tick[3:]) >= 1
    arms = [m for m in inbox[0].messages if m.kind == "arm"]
    assert {m.text.split(" | ")[0] for m in arms} == {f"⏳ Armed BUY S{i}" for i in range(4)}
    own = Rect.union([LAYOUT.strip, LAYOUT.chart, LAYOUT.axis, LAYOUT.canary])
    for m in arms:  # each screenshot is its chart alone, not the 4K screen
        assert m.image_png is not None and decode(m.image_png).shape == (own.h, own.w, 3)
    samples = sorted(ws.samples.glob("*_turquoise.png"))
    assert [p.name.split("_")[-2] for p in samples] == ["C0", "C1", "C2", "C3"]
    assert len({p.read_bytes() for p in samples}) == 1  # one frame, encoded once


def two_charts_alerts(tmp_path: Path, dark: bool) -> list[str]:
    """Two charts on one screen for a bar and a half; C1's candles move every cycle, C0's
    feed has stalled — or, `dark`, C0's window shows black. What the runner alerted."""
    charts, image = charts_on_screen(2, ["gray"] * 6, dark=int(dark))
    keys = {"loop": {"interval_s": 5.0}, "lockout": {"minutes": 0}}
    config = config_mod.from_dict(charts_data(charts, keys))
    clock = ReplayClock(T0)
    screen = Screen(image, clock)
    watched = Watched(screen, tuple((c, None) for c in config_mod.each_chart(config)))
    ws, inbox = Workspace(tmp_path), list[Inbox]()
    runner = Runner(config, [watched], clock, keep_in(inbox), ws, AuditLog(ws.logs))
    candles = Rect.of(config.charts[1].chart_roi)
    ticks = itertools.count()

    def moving() -> bool:  # C1's live candle changes between every two cycles
        screen.image = screen.image.copy()
        shade = 40 + next(ticks) % 2 * 80
        screen.image[candles.y : candles.bottom, candles.x : candles.right] = shade
        return clock.time() > T0 + 3 * 60 + 90  # the bar period, the margin, and some

    runner.run(should_stop=moving)
    return [m.text for m in inbox[0].messages if m.kind == "health"]


@pytest.mark.parametrize(("dark", "episode"), [(False, "Chart frozen"), (True, "Black frame")])
def test_a_chart_frozen_or_black_beside_a_moving_one_is_reported(
    tmp_path: Path, dark: bool, episode: str
) -> None:
    """Each chart's health is judged on its own part of the screen: the screen as a whole
    changing, or lit, must not hide the one chart that is not."""
    alerts = two_charts_alerts(tmp_path, dark)
    assert any(t.startswith(f"S0: ⚠️ {episode}") for t in alerts), alerts
    assert not any(t.startswith("S1: ") for t in alerts), alerts
