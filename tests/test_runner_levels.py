"""Phase B inside `atm run`: a replayed session whose trader drew full, partial or no
SL/TP lines after each FIRE gets exactly the matching levels alerts, prices within a tick."""

from __future__ import annotations

from pathlib import Path

import pytest

from atm.audit import read_jsonl
from atm.cli import main
from atm.sim.corpus import write_corpus
from atm.sim.scenario import generate

SEED, BARS = 18, 120


def expected_outcomes() -> list[tuple[str, tuple[float | None, ...]]]:
    session = generate(BARS, SEED)
    out: list[tuple[str, tuple[float | None, ...]]] = []
    for i, _direction in session.fires():
        drawn = session.bars[i + 1].levels
        if drawn is None:
            out.append(("timeout", ()))
        elif drawn.tp2 is None:
            out += [("partial", (drawn.sl, drawn.tp1, None)), ("expired", ())]
        else:
            out.append(("full", (drawn.sl, drawn.tp1, drawn.tp2)))
    return out


@pytest.mark.slow
def test_full_partial_and_timeout_in_a_replayed_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "session"
    write_corpus(corpus, bars=BARS, scale=1.0, seed=SEED, theme="dark")
    args = ["--home", str(tmp_path), "run", "--replay", str(corpus),
            "--config", str(corpus / "config.toml")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    records = [r for f in sorted((tmp_path / "logs").glob("2*.jsonl")) for r in read_jsonl(f)]
    events = [r for r in records if str(r.get("event", "")).startswith("levels_")]
    expected = expected_outcomes()
    assert [e["event"].removeprefix("levels_") for e in events] == [k for k, _ in expected]
    assert {k for k, _ in expected} >= {"full", "partial", "timeout"}
    for event, (kind, prices) in zip(events, expected, strict=True):
        if kind in ("full", "partial"):
            got = (event["levels"]["sl"], event["levels"]["tp1"], event["levels"]["tp2"])
            for seen, truth in zip(got, prices, strict=True):
                assert (seen is None) == (truth is None)
                if truth is not None:
                    assert abs(seen - truth) <= 0.01 + 1e-9
    assert out.count("✅ Levels: SL=") == sum(k == "full" for k, _ in expected)
    assert out.count("⚠️ Levels (partial): SL=") == sum(k == "partial" for k, _ in expected)
