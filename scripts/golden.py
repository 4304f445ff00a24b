#!/usr/bin/env python3
"""Prove a refactor changed no behaviour: `atm demo` and `atm dryrun --json` outputs.

    python scripts/golden.py --check    compare with tests/golden/ (exit 1 on a difference)
    python scripts/golden.py --update   rewrite tests/golden/ from this tree

What is compared: the demo's console output and its audit log (wall-clock latencies
removed, the workspace path replaced by <home>), the names of the screenshots it saved,
and the dry run's JSON on simulator corpora (clean, and three robustness cases).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
#: Fields measured in real time: they differ on every run, whatever the code.
WALL_CLOCK_KEYS = {"latency_s", "capture_to_send_s", "attempts", "delay_s"}
#: Events the notifier's worker threads log: their `ts` is when a worker got to them,
#: which races with the replay clock.
WORKER_EVENTS = {"alert_sent", "alert_retry", "alert_failed", "alert_dropped"}
CORPORA = {
    "clean": ["--bars", "80", "--seed", "11"],
    "dpi150-light": ["--bars", "60", "--seed", "3", "--scale", "1.5", "--theme", "light"],
    "jpeg80": ["--bars", "60", "--seed", "5", "--jpeg", "80"],
    "radius2-spacing6": ["--bars", "60", "--seed", "9", "--dot-radius", "2", "--spacing", "6"],
}


def _atm(home: Path, *args: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "TZ": os.environ.get("TZ", "UTC")}
    for var in ("ATM_DISCORD_URL", "ATM_TG_TOKEN", "ATM_TG_CHAT", "ATM_HOME"):
        env.pop(var, None)
    done = subprocess.run(
        [sys.executable, "-m", "atm", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return done.stdout.replace(str(home), "<home>") + f"[exit {done.returncode}]\n"


def _audit(folder: Path, home: Path) -> str:
    """Event lines verbatim; the (many) per-cycle lines as a count and one digest."""
    events, cycles = [], hashlib.sha256()
    n_cycles = 0
    for path in sorted(folder.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            record = {k: v for k, v in json.loads(raw).items() if k not in WALL_CLOCK_KEYS}
            if record.get("event") in WORKER_EVENTS:
                del record["ts"]
            line = json.dumps(record, sort_keys=True).replace(str(home), "<home>")
            if "event" in record:
                events.append(line)
            else:
                n_cycles += 1
                cycles.update(line.encode() + b"\n")
    summary = f"{n_cycles} cycle lines, sha256 {cycles.hexdigest()}"
    return "\n".join([*sorted(events), summary]) + "\n"


def produce(out: Path) -> dict[str, str]:
    """Every golden text, by file name, made by running this tree's `atm`."""
    texts: dict[str, str] = {}
    for seed in ("7", "12"):
        home = out / f"demo{seed}"
        home.mkdir()
        texts[f"demo_{seed}.txt"] = _atm(home, "demo", "--seed", seed)
        logs = home / "demo" / "logs"
        texts[f"demo_{seed}_audit.jsonl"] = _audit(logs, home)
        texts[f"demo_{seed}_fires.txt"] = "\n".join(p.name for p in sorted(logs.glob("fires/*")))
    for name, args in CORPORA.items():
        corpus = out / name
        _atm(out, "sim", str(corpus), *args)
        texts[f"dryrun_{name}.json"] = _atm(out, "dryrun", str(corpus), "--json")
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        texts = produce(Path(tmp))
    if args.update:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(texts)} files to {GOLDEN}")
        return 0
    failed = 0
    for name, text in texts.items():
        path = GOLDEN / name
        want = path.read_text(encoding="utf-8") if path.exists() else ""
        if text != want:
            failed += 1
            diff = difflib.unified_diff(want.splitlines(), text.splitlines(), str(path), "now")
            print("\n".join(list(diff)[:40]))
    print(f"{len(texts) - failed}/{len(texts)} golden outputs identical")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
