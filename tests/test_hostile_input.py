"""Every bad input is one line naming what is wrong, exit 2, no traceback and no hang —
or is accepted where a user would expect it (a config saved by Notepad with a BOM)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from atm.cli import main
from atm.sim.corpus import write_corpus
from tests.hostile import fifo, grey, jpeg_bomb, nested_json, nested_toml, png_bomb, resized


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus, its config, and a hostile file of every kind beside them."""
    w = tmp_path_factory.mktemp("hostile")
    write_corpus(w / "corpus", bars=12, scale=1.0, seed=5, theme="dark")
    frames = sorted((w / "corpus").glob("*.png"))
    cfg = (w / "corpus" / "config.toml").read_text()
    (w / "cfg.toml").write_text(cfg)
    (w / "bom.toml").write_bytes(b"\xef\xbb\xbf" + cfg.encode())
    (w / "deep.toml").write_text(nested_toml(5000))
    (w / "binary.toml").write_bytes(bytes(range(256)) * 4)
    (w / "huge.toml").write_text("# padding\n" * 200_000)
    (w / "emptydir").mkdir()
    png_bomb(w / "bomb.png")
    jpeg_bomb(w / "bomb.jpg")
    grey(w / "grey.png", frames[3])
    (w / "text.png").write_text("not an image")
    fifo(w / "fifo.toml")
    fifo(w / "fifo.png")
    corruptions: dict[str, Callable[[Path], Path]] = {
        "bombs": lambda d: png_bomb(d / frames[4].name),
        "greys": lambda d: grey(d / frames[4].name, frames[4]),
        "sizes": lambda d: resized(d / frames[4].name, frames[4]),
    }
    for name, corrupt in corruptions.items():
        folder = w / name
        folder.mkdir()
        for f in [*frames, w / "corpus" / "labels.json"]:
            (folder / f.name).write_bytes(f.read_bytes())
        corrupt(folder)  # frame 4 of 12: the BUY after it is still seen in the strip's history
    (w / "deeplabels").mkdir()
    (w / "deeplabels" / frames[0].name).write_bytes(frames[0].read_bytes())
    (w / "deeplabels" / "labels.json").write_text(nested_json(100_000))
    (w / "allsmall").mkdir()
    for f in frames[:3]:
        resized(w / "allsmall" / f.name, f)
    return w


def home_with(world: Path, tmp: Path, current: Callable[[Path], object]) -> Path:
    """A workspace whose configs/current.txt is whatever `current` makes of it."""
    (tmp / "configs").mkdir()
    (tmp / "configs" / "a.toml").write_text((world / "cfg.toml").read_text())
    current(tmp / "configs" / "current.txt")
    return tmp


REFUSED: dict[str, tuple[list[str], str]] = {
    # configs
    "config deep": (["config", "check", "{w}/deep.toml"], "nested more than 32"),
    "config binary": (["config", "check", "{w}/binary.toml"], "not UTF-8"),
    "config huge": (["config", "check", "{w}/huge.toml"], "more than a config file may have"),
    "config folder": (["config", "check", "{w}/emptydir"], "is a folder"),
    "config missing": (["config", "check", "{w}/nope.toml"], "no such config file"),
    # frames and screenshots
    "debug png bomb": (["debug", "--screenshot", "{w}/bomb.png", "--config", "{w}/cfg.toml"],
                       "100000x100000"),
    "debug jpeg bomb": (["debug", "--screenshot", "{w}/bomb.jpg", "--config", "{w}/cfg.toml"],
                        "65000x65000"),
    "debug grey": (["debug", "--screenshot", "{w}/grey.png", "--config", "{w}/cfg.toml"],
                   "not colour"),
    "debug not an image": (["debug", "--screenshot", "{w}/text.png", "--config", "{w}/cfg.toml"],
                           "not a readable PNG/JPEG"),
    "calibrate bomb": (["calibrate", "--screenshot", "{w}/bomb.png", "--auto", "--yes"],
                       "not decoded"),
    # corpora and replays
    "dryrun deep labels": (["dryrun", "{w}/deeplabels", "--config", "{w}/cfg.toml"],
                           "nested more than 32"),
    "dryrun empty": (["dryrun", "{w}/emptydir", "--config", "{w}/cfg.toml"], "no frames"),
    "dryrun all wrong size": (["dryrun", "{w}/allsmall", "--config", "{w}/cfg.toml"],
                              "none of its 3 frames"),
    "run empty replay": (["run", "--replay", "{w}/emptydir", "--config", "{w}/cfg.toml"],
                         "no frames"),
    "run replay outside the session": (
        ["run", "--replay", "{w}/corpus", "--config", "{w}/cfg.toml", "--start-at", "09:00",
         "--stop-at", "10:00"],
        "no frames in the session"),
    # flags
    "sim negative seed": (["sim", "{w}/s1", "--seed", "-1"], "--seed"),
    "sim nan radius": (["sim", "{w}/s2", "--dot-radius", "nan"], "--dot-radius"),
    "sim zero bars": (["sim", "{w}/s3", "--bars", "0"], "--bars"),
    "sim inf scale": (["sim", "{w}/s4", "--scale", "inf"], "--scale"),
    "sim huge drift": (["sim", "{w}/s5", "--drift", "999"], "--drift"),
    "sim negative noise": (["sim", "{w}/s6", "--noise", "-1"], "--noise"),
    "sim bad theme": (["sim", "{w}/s7", "--theme", "neon"], "--theme"),
    "run nan duration": (["run", "--replay", "{w}/corpus", "--config", "{w}/cfg.toml",
                          "--duration", "nan"], "--duration"),
    "run bad stop": (["run", "--replay", "{w}/corpus", "--config", "{w}/cfg.toml",
                      "--stop-at", "25:61"], "--stop-at"),
    "debug nan delay": (["debug", "--delay", "nan"], "--delay"),
    "dryrun precision 2": (["dryrun", "{w}/corpus", "--min-precision", "2"], "--min-precision"),
    "unknown flag": (["run", "--bogus"], "unrecognized arguments"),
}  # fmt: skip


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line(rc: int, err: str, fragment: str) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0]


@pytest.mark.parametrize("case", REFUSED.values(), ids=list(REFUSED))
def test_bad_input_is_one_line_and_exit_2(
    case: tuple[list[str], str], world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, fragment = case
    argv = ["--home", str(tmp_path), *(a.format(w=world) for a in args)]
    rc, _, err = run_main(argv, capsys)
    assert_one_line(rc, err, fragment)


BAD_VALUES = {
    "tick too fine": "[levels]\ntick = 1e-310\n",
    "tick too coarse": "[levels]\ntick = 1e308\n",
    "tick wider than the axis": "[levels]\ntick = 50.0\n",
    "timeout inf": "[levels]\ntimeout_min = inf\n",
    "timeout hours": "[levels]\ntimeout_min = 6000\n",
    "price nan": "[y_axis]\npoints = [{y = 100, price = nan}, {y = 800, price = 480.0}]\n",
    "price negative": "[y_axis]\npoints = [{y = 100, price = -4.0}, {y = 800, price = 480.0}]\n",
    "price huge": "[y_axis]\npoints = [{y = 100, price = 1e300}, {y = 800, price = 480.0}]\n",
    "interval nan": "[loop]\ninterval_s = nan\n",
    "bar minutes inf": "[chart]\nbar_minutes = inf\n",
    "heartbeat inf": "[heartbeat]\nminutes = inf\n",
    "lockout inf": "[lockout]\nminutes = inf\n",
    "roi huge": "dot_roi = { x = 0, y = 0, w = 1000000000000, h = 40 }\n",
    "symbol too long": f'symbol_label = "{"X" * 500}"\n',
}


@pytest.mark.parametrize("toml", BAD_VALUES.values(), ids=list(BAD_VALUES))
def test_configs_that_would_crash_a_run_later_are_refused_at_load(
    toml: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml)
    rc, _, err = run_main(["config", "check", str(path)], capsys)
    assert_one_line(rc, err, str(path))
    assert len(err) < 400


CURRENT: dict[str, tuple[Callable[[Path], object], str]] = {
    "a folder": (lambda p: p.mkdir(), "is a folder"),
    "binary": (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "not UTF-8"),
    "a path outside": (lambda p: p.write_text("../../etc/passwd\n"), "not a config file"),
    "a missing file": (lambda p: p.write_text("gone.toml\n"), "not a config file"),
    "empty": (lambda p: p.write_text("\n"), "not a config file"),
}


@pytest.mark.parametrize("case", CURRENT.values(), ids=list(CURRENT))
def test_a_broken_current_txt_is_one_line(
    case: tuple[Callable[[Path], object], str],
    world: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, fragment = case
    home = home_with(world, tmp_path, make)
    rc, _, err = run_main(["--home", str(home), "config", "check"], capsys)
    assert_one_line(rc, err, fragment)


def test_a_config_saved_with_a_byte_order_mark_is_accepted(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run_main(["config", "check", str(world / "bom.toml")], capsys)
    assert rc == 0 and ": valid" in out


@pytest.mark.parametrize(
    ("folder", "why"),
    [("bombs", "not decoded"), ("greys", "not colour"), ("sizes", "capture.region")],
)
@pytest.mark.slow
def test_a_bad_frame_is_skipped_with_a_warning_and_counted(
    folder: str, why: str, world: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--home", str(tmp_path), "run", "--replay", str(world / folder),
            "--config", str(world / "cfg.toml")]  # fmt: skip
    rc, out, err = run_main(argv, capsys)
    assert rc == 0, err
    text = " ".join(out.split())
    assert f"skipped {world / folder}" in text and why in text
    assert "1 frames skipped" in text
    rc, out, _ = run_main(["dryrun", str(world / folder), "--config", str(world / "cfg.toml")],
                          capsys)  # fmt: skip
    assert rc == 0 and "1 skipped" in out


NOT_REGULAR = {
    "config FIFO": ["config", "check", "{w}/fifo.toml"],
    "config device": ["config", "check", "/dev/zero"],
    "screenshot FIFO": ["debug", "--screenshot", "{w}/fifo.png", "--config", "{w}/cfg.toml"],
    "screenshot device": ["debug", "--screenshot", "/dev/zero", "--config", "{w}/cfg.toml"],
    "calibrate FIFO": ["calibrate", "--screenshot", "{w}/fifo.png", "--auto", "--yes"],
}


@pytest.mark.slow
@pytest.mark.parametrize("args", NOT_REGULAR.values(), ids=list(NOT_REGULAR))
def test_fifos_and_devices_are_refused_before_reading(
    args: list[str], world: Path, tmp_path: Path
) -> None:
    argv = [
        sys.executable,
        "-m",
        "atm",
        "--home",
        str(tmp_path),
        *(a.format(w=world) for a in args),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert_one_line(done.returncode, done.stderr, "is a pipe or a device")


@pytest.mark.slow
def test_a_fifo_among_the_frames_does_not_hang_a_replay(world: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    frames = sorted((world / "corpus").glob("*.png"))
    for f in frames[:4]:
        (corpus / f.name).write_bytes(f.read_bytes())
    fifo(corpus / frames[4].name)
    argv = [sys.executable, "-m", "atm", "--home", str(tmp_path), "run", "--replay", str(corpus),
            "--config", str(world / "cfg.toml")]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "is a pipe or a device" in " ".join(done.stdout.split())


@pytest.mark.slow
@pytest.mark.parametrize(("command", "rc"), [(["config", "check"], 2), (["config", "list"], 0)])
def test_a_fifo_as_current_txt_hangs_nothing(
    command: list[str], rc: int, world: Path, tmp_path: Path
) -> None:
    home = home_with(world, tmp_path, fifo)
    argv = [sys.executable, "-m", "atm", "--home", str(home), *command]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == rc, done.stderr
    assert "Traceback" not in done.stderr
