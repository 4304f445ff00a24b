"""JSON Lines that survive torn writes: a fragment never merges with the next record.

The half-written line comes from the kernel itself: a child process appends under a file
size limit (RLIMIT_FSIZE), so `write` stops part-way through a record exactly as it
does on a full disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atm.jsonl import JsonlFile, Problem, read_jsonl, read_records


def test_a_torn_last_line_left_by_a_crash_is_repaired_before_the_next_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text('{"n": 1}\n{"n": 2, "pad": "xx')
    log = JsonlFile(path)
    log.append({"n": 3})
    log.close()
    records, problems = read_records(path)
    assert [r["n"] for r in records] == [1, 3]
    assert problems == [Problem(2, "not a JSON line")]


HALF_WRITE = """
import json, os, resource, signal, sys
from pathlib import Path
from atm.jsonl import JsonlFile
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
path = Path(sys.argv[1])
log = JsonlFile(path)
log.append({"n": 1})
size = path.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 20, resource.RLIM_INFINITY))
try:
    log.append({"n": 2, "pad": "x" * 100})
except OSError as exc:
    print("refused:", exc.strerror)
print("torn:", not path.read_bytes().endswith(b"\\n"))
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
log.append({"n": 3})  # the disk has room again
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_refused_half_way_is_repaired_by_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", HALF_WRITE, str(path)], capture_output=True, text=True, check=True
    )
    assert "refused: File too large" in done.stdout
    assert "torn: True" in done.stdout
    problems: list[Problem] = []
    assert [r["n"] for r in read_jsonl(path, problems.append)] == [1, 3]
    assert [p.line for p in problems] == [2]


def test_readers_skip_and_report_every_bad_line_by_number(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n[1, 2]\n\xff\xfe\n\n{"a": 2}\n' + b"[" * 5000 + b"\n")
    records, problems = read_records(path)
    assert [r["a"] for r in records] == [1, 2]
    assert [(p.line, p.message) for p in problems] == [
        (2, "not a JSON object"),
        (3, "not a JSON line"),
        (6, "not a JSON line"),
    ]


def test_records_are_one_line_each_whatever_their_text(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    log = JsonlFile(path, sync=True)
    log.append({"text": "two\nlines and 🟢 ünïcode", "path": Path("p")})
    log.close()
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {"text": "two\nlines and 🟢 ünïcode", "path": "p"}
