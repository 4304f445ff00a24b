"""Atomic writes: the whole new content or the old, no temp file left, safe for two writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from atm.fileio import write_atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_and_bytes_replace_the_file(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text("old\n", encoding="utf-8")
    write_atomic(target, 'window_title = "Café · Ümlaut"\n')
    assert target.read_text(encoding="utf-8") == 'window_title = "Café · Ümlaut"\n'
    write_atomic(target, b"\x89PNG\r\n\x1a\n\x00raw")
    assert target.read_bytes() == b"\x89PNG\r\n\x1a\n\x00raw"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_target_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "labels.json"
    target.mkdir()  # a folder in the way: the rename must fail
    (target / "keep").write_text("x")
    with pytest.raises(OSError, match=r"labels\.json"):
        write_atomic(target, "{}")
    assert (target / "keep").read_text() == "x"
    assert _leftovers(tmp_path) == []


def test_two_writers_of_one_file_never_collide(tmp_path: Path) -> None:
    """Each writer has its own temp file: no one renames the other's away mid-write."""
    target = tmp_path / "current.txt"
    contents = {"a": "a" * 100_000, "b": "b" * 100_000}
    errors: list[BaseException] = []

    def write(text: str) -> None:
        try:
            for _ in range(40):
                write_atomic(target, text)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(text,)) for text in contents.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert target.read_text() in contents.values()
    assert _leftovers(tmp_path) == []
