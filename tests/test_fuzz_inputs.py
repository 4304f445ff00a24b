"""Fuzzed configs, frames, labels and flags: a clear refusal or a working result, never a
crash. A config that loads must also run: hostile numbers are refused at load, not met
later by the loop.

Examples are bounded for the suite; `scripts/fuzz` raises `ATM_FUZZ_EXAMPLES` for the
figures in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from atm import config as config_mod
from atm.audit import AuditLog
from atm.capture.replay import ReplayCapture
from atm.cli import build_parser
from atm.clock import ReplayClock
from atm.corpus import load_labels
from atm.errors import ConfigError, InputError
from atm.runner import Runner
from atm.sim.corpus import write_corpus
from atm.trial import Inbox
from atm.vision.image_io import read_image
from atm.workspace import Workspace

EXAMPLES = int(os.environ.get("ATM_FUZZ_EXAMPLES", "40"))


def fuzz(scale: float = 1.0) -> settings:
    return settings(
        max_examples=max(5, int(EXAMPLES * scale)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=EXAMPLES <= 40,
    )


numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-310, 1e308, 0.25, 3, 60, 255, 442, 3600]),
)
scalars = st.one_of(numbers, st.booleans(), st.text(max_size=30))
toml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _schema(model: type[Any]) -> dict[str, Any]:
    """Every key of the config models, to aim the fuzzer at real keys as well as typos."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        nested = isinstance(annotation, type) and hasattr(annotation, "model_fields")
        out[field.alias or name] = _schema(annotation) if nested else None
    return out


SCHEMA = _schema(config_mod.Config)


@st.composite
def configs(draw: st.DrawFn, schema: dict[str, Any] = SCHEMA, depth: int = 0) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(sorted(schema)), max_size=5, unique=True))
    out: dict[str, Any] = {}
    for key in keys:
        sub = schema[key]
        if isinstance(sub, dict) and depth < 3 and draw(st.booleans()):
            out[key] = draw(configs(sub, depth + 1))
        else:
            out[key] = draw(toml_values)
    if draw(st.integers(0, 9)) == 0:
        out[draw(st.text(min_size=1, max_size=10))] = draw(toml_values)
    return out


@fuzz()
@given(raw=configs())
def test_a_fuzzed_config_is_loaded_or_refused_with_one_line(raw: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.toml"
        try:
            path.write_text(tomli_w.dumps(raw))
        except (TypeError, ValueError):
            return  # not expressible as TOML
        try:
            config_mod.load(path, env={})
        except ConfigError as exc:
            message = str(exc)
        else:
            return
    assert "\n" not in message and len(message) < 600


@fuzz()
@given(data=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
def test_fuzzed_config_bytes_are_loaded_or_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.toml"
        path.write_bytes(data)
        with contextlib.suppress(ConfigError):
            config_mod.load(path, env={})


# -- a config that loads also runs ---------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fuzzrun") / "corpus"
    write_corpus(out, bars=24, scale=1.0, seed=21, theme="dark")
    return out


KNOBS = {
    "loop": {"interval_s": numbers, "debounce_depth": numbers},
    "chart": {"bar_minutes": numbers},
    "levels": {"timeout_min": numbers, "tick": numbers, "tolerance": numbers},
    "lockout": {"minutes": numbers},
    "heartbeat": {"minutes": numbers},
    "canary": {"every_cycles": numbers, "max_distance": numbers},
}


@st.composite
def knobs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for section in draw(st.lists(st.sampled_from(sorted(KNOBS)), min_size=1, max_size=3)):
        keys = KNOBS[section]
        chosen = draw(st.lists(st.sampled_from(sorted(keys)), min_size=1, unique=True))
        out[section] = {k: draw(keys[k]) for k in chosen}
    return out


@pytest.mark.slow
@fuzz(0.4)
@given(changes=knobs())
def test_a_config_that_loads_runs_a_session_without_a_crash(
    corpus: Path, changes: dict[str, dict[str, Any]]
) -> None:
    raw = tomllib.loads((corpus / "config.toml").read_text())
    for section, values in changes.items():
        raw.setdefault(section, {}).update(values)
    try:
        config = config_mod.from_dict(raw)
    except ConfigError:
        return
    with tempfile.TemporaryDirectory() as tmp:
        ws, clock = Workspace(Path(tmp)), ReplayClock()
        runner = Runner(config, ReplayCapture(corpus, clock), clock, Inbox, ws,
                        AuditLog(ws.logs), pace=False)  # fmt: skip
        stats = runner.run()
    assert stats.cycles == 24


# -- frames, labels, flags ----------------------------------------------------------------

MODES = ["RGB", "RGBA", "L", "LA", "1", "P", "I;16", "CMYK"]


@st.composite
def images(draw: st.DrawFn) -> bytes:
    """A real image in any mode and size, or one with its bytes cut or flipped."""
    mode = draw(st.sampled_from(MODES))
    size = (draw(st.integers(1, 64)), draw(st.integers(1, 64)))
    out = io.BytesIO()
    jpeg = mode == "CMYK" or (mode in ("RGB", "L") and draw(st.booleans()))
    fmt = "JPEG" if jpeg else "PNG"
    Image.new(mode, size).save(out, format=fmt)
    data = bytearray(out.getvalue())
    cut = draw(st.integers(0, len(data)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data[: max(cut, 8)]) if draw(st.booleans()) else bytes(data)


@fuzz()
@given(data=images() | st.binary(max_size=300))
def test_a_fuzzed_frame_is_read_in_colour_or_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.png"
        path.write_bytes(data)
        try:
            image = read_image(path)
        except InputError:
            return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
labels = st.fixed_dictionaries(
    {"frames": st.dictionaries(st.text(max_size=30), json_values | st.fixed_dictionaries(
        {"color": st.sampled_from(["turquoise", "gray", "none", "blue", ""]) | json_values,
         "fire": st.sampled_from(["BUY", "SELL", None, "buy"]) | json_values}), max_size=5)}
) | json_values  # fmt: skip


@fuzz()
@given(data=labels)
def test_fuzzed_labels_are_loaded_or_refused(data: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "labels.json").write_text(json.dumps(data))
        with contextlib.suppress(InputError):
            load_labels(Path(tmp))


HOSTILE_VALUES = ["nan", "-1", "inf", "-inf", "1e309", "", "0", "25:61", "𝟘", "x" * 300,
                  "../../etc/passwd", "/dev/zero", "-0", "1e-310", "0x10", "３"]  # fmt: skip
FLAGS = {
    "run": ["--duration", "--start-at", "--stop-at", "--startup-delay", "--replay", "--config"],
    "debug": ["--delay", "--screenshot", "--config"],
    "sim": ["--bars", "--scale", "--seed", "--theme", "--dot-radius", "--spacing", "--jpeg",
            "--noise", "--drift"],
    "dryrun": ["--min-precision", "--min-recall", "--config"],
    "calibrate": ["--delay", "--screenshot"],
    "demo": ["--seed"],
}  # fmt: skip


@fuzz()
@given(
    command=st.sampled_from(sorted(FLAGS)),
    picks=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(HOSTILE_VALUES)), max_size=4),
)
def test_fuzzed_flags_parse_or_fail_in_one_line(command: str, picks: list[tuple[int, str]]) -> None:
    flags = FLAGS[command]
    argv = [command] + (["DIR"] if command in ("sim", "dryrun") else [])
    for index, value in picks:
        argv += [flags[index % len(flags)], value]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:
            code = exc.code
        else:
            code = None
    if code is not None:
        assert code == 2
        assert len(err.getvalue().strip().splitlines()) == 1
        return
    for name, value in vars(args).items():  # what parsed is finite and in range
        if isinstance(value, float):
            assert math.isfinite(value), name
