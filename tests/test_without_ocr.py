"""`atm run` where OCR will not load (a broken onnxruntime, a partial install): the install
hint is printed whole, and the levels after each FIRE come from the calibration points only
while the axis column matches its calibration fingerprint; without one, "levels
unavailable" is sent instead of prices that may be stale."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from atm.sim.corpus import write_corpus
from atm.vision.axis_print import fingerprint
from atm.vision.image_io import read_image
from atm.vision.ocr import INSTALL_HINT
from tests.test_runner_levels import expected_outcomes

SEED, BARS = 18, 120  # a full, a partial and a missing set of lines (tests/test_runner_levels)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("no-ocr") / "session"
    write_corpus(out, bars=BARS, scale=1.0, seed=SEED, theme="dark")
    return out


def _run_without_ocr(corpus: Path, home: Path, fingerprinted: bool) -> str:
    """`atm run --replay` in a subprocess where `import rapidocr` fails; its stdout."""
    shim = home / "shim" / "rapidocr"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("onnxruntime: DLL load failed")\n')
    raw = tomllib.loads((corpus / "config.toml").read_text())
    if fingerprinted:  # calibrated on the session's first frame
        roi = raw["y_axis"]["roi"]
        image = read_image(sorted(corpus.glob("*.png"))[0])
        crop = image[roi["y"] : roi["y"] + roi["h"], roi["x"] : roi["x"] + roi["w"]]
        raw["y_axis"]["fingerprint"] = fingerprint(crop)
    config = home / "config.toml"
    config.write_text(tomli_w.dumps(raw))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shim.parent), os.getcwd()])}
    done = subprocess.run(
        [sys.executable, "-m", "atm", "--home", str(home), "run", "--replay", str(corpus),
         "--config", str(config)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.replace("\n", " ")  # rich wraps long lines


@pytest.mark.slow
def test_points_on_an_unmoved_axis_give_the_levels_and_say_so(corpus: Path, tmp_path: Path) -> None:
    out = _run_without_ocr(corpus, tmp_path, fingerprinted=True)
    assert INSTALL_HINT in out
    kinds = [kind for kind, _ in expected_outcomes()]
    full = [p for k, p in expected_outcomes() if k == "full"]
    assert out.count("✅ Levels: SL=") == len(full) >= 1
    assert out.count("(axis from calibration points)") == len(full) + kinds.count("partial")
    for sl, tp1, tp2 in full:
        assert f"✅ Levels: SL={sl:.2f} | TP1={tp1:.2f} | TP2={tp2:.2f}" in out
    assert "Levels unavailable" not in out


@pytest.mark.slow
def test_without_a_fingerprint_levels_are_unavailable_never_guessed(
    corpus: Path, tmp_path: Path
) -> None:
    out = _run_without_ocr(corpus, tmp_path, fingerprinted=False)
    assert INSTALL_HINT in out
    assert "✅ Levels" not in out and "Levels (partial)" not in out
    kinds = [kind for kind, _ in expected_outcomes()]
    unavailable = "⚠️ Levels unavailable — axis unreadable"
    assert out.count(f"{unavailable}: 3 SL/TP lines") == kinds.count("full") >= 1
    assert out.count(f"{unavailable}: 2 SL/TP lines") == kinds.count("partial") >= 1
