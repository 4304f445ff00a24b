"""Audit log: a file per local day, a line per record, a torn line skipped and reported."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from atm.audit import AuditLog, read_jsonl
from atm.jsonl import Problem


def ts(text: str) -> float:
    return datetime.fromisoformat(text).astimezone().timestamp()


def test_rotates_at_local_midnight(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.write(ts("2026-11-20T23:59:58"), {"n": 1})
    log.write(ts("2026-11-21T00:00:01"), {"n": 2})
    log.close()
    assert [r["n"] for r in read_jsonl(tmp_path / "2026-11-20.jsonl")] == [1]
    assert [r["n"] for r in read_jsonl(tmp_path / "2026-11-21.jsonl")] == [2]


def test_each_line_is_on_disk_before_the_next_write(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.write(ts("2026-11-20T10:00:00"), {"n": 1})
    assert log.path is not None
    assert json.loads(log.path.read_text())["n"] == 1  # readable while still open
    log.close()


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b": tr')
    assert [r["a"] for r in read_jsonl(path)] == [1, 2]


def test_corrupt_middle_line_is_skipped_and_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\nnot json\n{"a": 3}\n')
    problems: list[Problem] = []
    assert [r["a"] for r in read_jsonl(path, problems.append)] == [1, 3]
    assert [p.line for p in problems] == [2]
    assert problems[0].describe(path).startswith(f"{path}:2: not a JSON line")


WRITER = """
import sys, time
from pathlib import Path
from atm.audit import AuditLog
log = AuditLog(Path(sys.argv[1]))
i = 0
while True:
    log.write(1_700_000_000 + i, {"i": i, "pad": "x" * 500})
    i += 1
    if i == 200:
        print("ready", flush=True)
"""


def test_sigkill_leaves_every_line_parseable(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.kill()  # SIGKILL
    proc.wait()
    proc.stdout.close()
    files = list(tmp_path.glob("*.jsonl"))
    records = [r for f in files for r in read_jsonl(f)]
    assert len(records) >= 200
    assert [r["i"] for r in records] == list(range(len(records)))
