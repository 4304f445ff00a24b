"""The corpus format: names carry the time, labels are validated and written atomically."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from atm.corpus import Label, frame_name, frame_time, list_frames, load_labels, save_labels
from atm.errors import InputError


def test_frame_time_reads_local_time_with_or_without_extra() -> None:
    expected = datetime(2026, 11, 21, 22, 47, 3).astimezone().timestamp()
    assert frame_time(Path("20261121_224703.png")) == expected
    assert frame_time(Path("20261121_224703_light_green.png")) == expected
    assert frame_name(expected, "gray") == "20261121_224703_gray.png"


@pytest.mark.parametrize("name", ["shot.png", "20261121-224703.png", "20261341_224703.png"])
def test_bad_frame_names_are_input_errors(name: str) -> None:
    with pytest.raises(InputError, match=name.split(".")[0]):
        frame_time(Path(name))


def test_frames_are_listed_in_name_order(tmp_path: Path) -> None:
    for name in ("20261121_220010.png", "20261121_220000.jpg", "notes.txt", "labels.json"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_frames(tmp_path)] == ["20261121_220000.jpg", "20261121_220010.png"]


def test_labels_round_trip(tmp_path: Path) -> None:
    labels = {"a.png": Label("gray"), "b.png": Label("light_green", "BUY"), "c.png": Label("none")}
    save_labels(tmp_path, labels)
    assert load_labels(tmp_path) == labels
    data = json.loads((tmp_path / "labels.json").read_text())
    assert data == {
        "schema": 1,
        "frames": {
            "a.png": {"color": "gray"},
            "b.png": {"color": "light_green", "fire": "BUY"},
            "c.png": {"color": "none"},
        },
    }
    assert [p.name for p in tmp_path.iterdir()] == ["labels.json"]  # no temp file left


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("{not json", "not readable JSON"),
        ('{"schema": 1}', "frames"),
        ('{"schema": 1, "frames": {"x.png": {"color": "pink"}}}', "frames.x.png.color"),
        ('{"schema": 1, "frames": {"x.png": {"color": "gray", "fire": "HOLD"}}}', "fire"),
    ],
)
def test_bad_labels_name_file_and_frame(tmp_path: Path, content: str, hint: str) -> None:
    (tmp_path / "labels.json").write_text(content)
    with pytest.raises(InputError, match=r"labels\.json") as info:
        load_labels(tmp_path)
    assert hint in str(info.value)
