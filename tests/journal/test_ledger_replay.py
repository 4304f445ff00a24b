"""The whole ledger: a replayed session against the fake Discord and Telegram, presses
scripted on the fake Telegram, a restart, trades completed by hand, `atm report --json`
against an independent computation, and the HTML page in a real Chromium."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from atm.cli import main
from atm.corpus import load_labels
from atm.journal import store
from atm.journal.choices import LABELS
from atm.journal.record import Trade
from atm.journal.signals import Signal, load
from atm.sim.corpus import write_corpus
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import CHAT_ID, FakeTelegram, Sent
from tests.report.browser import dom, ink, screenshot
from tests.report.expected import Hand, figures

pytestmark = pytest.mark.slow

#: What the trader presses under each trigger, in order; the last one only while ATM is
#: off (a restart collects it). Trigger 1 is first pressed False signal, then corrected.
PRESSES = ["taken", "taken", "skipped", "taken", "false", "taken", "taken", "taken", "skipped",
           "taken", "taken", "taken", "taken"]  # fmt: skip
#: The taken trades as typed afterwards: entry, points moved (+ in the trade's favour),
#: size, points risked to the stop, fees, seconds from the alert to the entry.
TYPED = [(48410, 60, 2, 30, 2.5, 35), (48520, -22, 1, 20, 2.5, 50), (48300, -20, 3, 30, 4.0, 20),
         (48350, 95, 1, 30, 2.5, 70), (48600, 60, 2, 30, 2.5, 45), (48610, -30, 1, 30, 2.5, 25),
         (48200, -30, 2, 30, 2.5, 90), (48250, 1, 1, 25, 1.0, 15), (48700, 90, 1, 35, 2.5, 40),
         (48500, 85, 2, 30, 5.0, 60)]  # fmt: skip


@dataclass(frozen=True)
class Session:
    home: Path
    telegram: FakeTelegram
    triggers: list[Sent]
    signals: list[Signal]
    before_restart: dict[str, Trade]
    hand: list[Hand]


def records(home: Path) -> dict[str, Trade]:
    return store.read(home / "trades.jsonl").by_signal()


def _config(corpus: Path, home: Path, discord: FakeDiscord, telegram: FakeTelegram) -> None:
    data: dict[str, Any] = tomllib.loads((corpus / "config.toml").read_text())
    data["notify"] = {
        "discord": {"webhook_url": discord.webhook_url},
        "telegram": {"token": telegram.token, "chat_id": CHAT_ID,
                     "api_base": telegram.api_base, "buttons": True},
    }  # fmt: skip
    data["journal"] = {"symbols": {"DIA→US30": {"instrument": "US30", "point_value": 1.0,
                                                "tick_size": 1.0, "fee": 2.5}}}  # fmt: skip
    (home / "configs").mkdir(parents=True)
    (home / "configs" / "session.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    (home / "configs" / "current.txt").write_text("session.toml", encoding="utf-8")


def _script(telegram: FakeTelegram) -> None:
    """Press as each trigger arrives, as the trader would; the last one is left for later."""
    seen: list[str] = []

    def press(sent: Sent) -> list[str]:
        sid = sent.buttons()[0].split(":", 1)[1]
        seen.append(sid)
        n = len(seen) - 1
        if n == len(PRESSES) - 1:
            return []
        first = [f"false:{sid}"] if n == 1 else []
        return [*first, f"{PRESSES[n]}:{sid}"]

    telegram.auto_press = press


def _restart(home: Path, corpus: Path, telegram: FakeTelegram, last: Sent, signal: Signal) -> None:
    """While ATM is off, the trader presses the last trigger's button and someone taps from
    another chat; then a short run (one frame) starts and stops."""
    telegram.press(last.message_id, f"taken:{signal.id}")
    telegram.press(last.message_id, f"skipped:{signal.id}", chat_id="-100999")
    restart = home / "restart"
    restart.mkdir()
    shutil.copy(sorted(corpus.glob("*.png"))[0], restart)
    assert main(["--home", str(home), "run", "--replay", str(restart)]) == 0


def _type_trades(home: Path, signals: list[Signal]) -> list[Hand]:
    """Complete each Taken stub with `atm journal add`, as the trader would after the day."""
    taken = [s for s, c in zip(signals, PRESSES, strict=True) if c == "taken"]
    hand = []
    for signal, (entry, move, size, risk, fees, delay) in zip(taken, TYPED, strict=True):
        buy = signal.direction == "BUY"
        exit_, sl = (entry + move, entry - risk) if buy else (entry - move, entry + risk)
        hand.append(Hand(signal.direction, entry, exit_, size, sl, fees))
        at = signal.ts + timedelta(seconds=delay)
        args = ["--home", str(home), "journal", "add", "--signal", signal.id, "--taken",
                "--entry", str(entry), "--exit", str(exit_), "--size", str(size), "--sl", str(sl),
                "--fees", str(fees), "--entry-time", at.isoformat(),
                "--exit-time", (at + timedelta(minutes=15)).isoformat()]  # fmt: skip
        assert main(args) == 0
    return hand


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    corpus = tmp_path_factory.mktemp("corpus") / "session"
    write_corpus(corpus, bars=140, scale=1.0, seed=36, theme="dark")  # 13 FIREs
    home = tmp_path_factory.mktemp("home")
    discord, telegram = FakeDiscord(), FakeTelegram()
    try:
        _config(corpus, home, discord, telegram)
        _script(telegram)
        assert main(["--home", str(home), "run", "--replay", str(corpus)]) == 0
        triggers = [s for s in telegram.sent if " signal " in s.text]
        signals = load(home / "logs")
        before = records(home)
        _restart(home, corpus, telegram, triggers[-1], signals[-1])
        hand = _type_trades(home, signals)
        yield Session(home, telegram, triggers, signals, before, hand)
    finally:
        discord.close()
        telegram.close()


def test_every_trigger_carries_the_buttons_and_its_signal_id(session: Session) -> None:
    signals = session.signals
    assert len(session.triggers) == len(PRESSES) == len(signals)
    assert [s.id[:6] for s in signals] == [t.text.rsplit("#", 1)[1] for t in session.triggers]
    for trigger, signal in zip(session.triggers, signals, strict=True):
        assert trigger.buttons() == [f"{c}:{signal.id}" for c in ("taken", "skipped", "false")]
        assert signal.screenshot and Path(signal.screenshot).is_file()
        assert signal.id in Path(signal.screenshot).name


def test_the_journal_matches_the_presses_and_a_restart_loses_none(session: Session) -> None:
    signals, before = session.signals, session.before_restart
    assert signals[-1].id not in before  # pressed while ATM was off
    want = {
        "taken": ("taken", ""),
        "skipped": ("skipped", ""),
        "false": ("skipped", "false_signal"),
    }
    for signal, choice in zip(signals[:-1], PRESSES[:-1], strict=True):
        record = before[signal.id]
        assert (record.decision, record.reason, record.source) == (*want[choice], "telegram")
        assert not record.closed  # a stub or a skip; prices are typed later
    assert records(session.home)[signals[-1].id].decision == "taken"  # after the restart
    assert len(records(session.home)) == len(PRESSES)
    assert session.telegram.pending_updates() == []  # every press confirmed
    for trigger, choice in zip(session.triggers, PRESSES, strict=True):
        rows = session.telegram.markup_of(trigger.message_id)["inline_keyboard"]  # type: ignore[index]
        assert [b["text"] for b in rows[0] if "✅" in b["text"]] == [f"✅ {LABELS[choice]}"]  # type: ignore[index]
    refused = [a for a in session.telegram.answers if "not the one" in a["text"]]
    assert len(refused) == 1


def test_the_false_signal_frame_is_a_labelled_sample(session: Session) -> None:
    false = session.signals[PRESSES.index("false")]
    labels = load_labels(session.home / "samples")
    name = f"{false.ts:%Y%m%d_%H%M%S}_{false.color}.png"
    # trigger 1's False press was corrected to Taken: its frame is labelled no more
    assert [(n, lab.not_fire) for n, lab in labels.items() if lab.not_fire] == [(name, True)]
    assert false.frame is not None
    assert (session.home / "samples" / name).read_bytes() == Path(false.frame).read_bytes()


def test_report_figures_equal_an_independent_computation(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    signals = session.signals
    span = ["--from", str(signals[0].ts.date()), "--to", str(signals[-1].ts.date())]
    capsys.readouterr()
    assert main(["--home", str(session.home), "report", *span, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = figures(session.hand)
    assert (got["trades"], got["wins"], got["losses"]) == (10, want["wins"], want["losses"])
    for key in ("win_rate", "avg_r", "expectancy_r", "profit_factor", "pnl", "max_drawdown_r",
                "max_drawdown_money", "longest_losing_streak", "sqn"):  # fmt: skip
        assert got[key] == {"value": pytest.approx(want[key]), "n": 10}, key
    assert got["signals"] == {"fired": 13, "acknowledged": 13, "taken": 10, "skipped": 2,
                              "false": 1}  # fmt: skip
    assert got["entry_delay_s"]["p50"] == pytest.approx(statistics.median(t[5] for t in TYPED))
    assert got["go_no_go"]["verdict"] == "insufficient data"


def test_the_html_page_renders_with_thumbnails(session: Session, tmp_path: Path) -> None:
    page = session.home / "report.html"
    signals = session.signals
    span = ["--from", str(signals[0].ts.date()), "--to", str(signals[-1].ts.date())]
    assert main(["--home", str(session.home), "report", *span, "--html", str(page)]) == 0
    html = dom(page)
    assert len(re.findall(r'<img class="thumb"', html)) == len(PRESSES)  # each signal's shot
    assert 'href="logs/fires/' in html  # the full screenshots, relative to the page
    assert ink(screenshot(page, tmp_path / "report.png")) > 0.05
