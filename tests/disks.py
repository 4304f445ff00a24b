"""Real disk faults for tests: a small filesystem to fill, folders made read-only, and a
replay that springs them at chosen frames.

A full disk is a 16 MiB tmpfs mounted for the test (root only), or the small filesystem
`.ci/run` mounts and names in `ATM_TEST_TMPFS`. Read-only is a read-only bind mount (root;
chmod does not stop root) or, without root, a folder whose write permission is removed.
A test that cannot have its fault is skipped, and says why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from atm import config as config_mod
from atm.audit import AuditLog
from atm.capture.replay import ReplayCapture
from atm.clock import ReplayClock
from atm.frame import Frame
from atm.notify import factory
from atm.runner import Runner
from atm.workspace import Workspace
from tests.fakes.discord import FakeDiscord
from tests.fakes.telegram import CHAT_ID, FakeTelegram

#: Filled to the last byte by `fill`; big enough that, once freed, a session's own
#: samples and FIRE frames (a few MB) do not fill it again.
SMALL = "16m"


def _mount(*args: str) -> str | None:
    """None when `mount args` worked; else why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "mounting needs root"
    if shutil.which("mount") is None:
        return "no mount command"
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stderr.strip() or "mount failed")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextlib.contextmanager
def small_disk(base: Path, size: str = SMALL) -> Iterator[Path]:
    """An empty folder on a small filesystem of its own (skips when there is none)."""
    shared = os.environ.get("ATM_TEST_TMPFS")
    if shared:
        folder = Path(shared) / uuid.uuid4().hex
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    mountpoint = base / "small-disk"
    mountpoint.mkdir()
    why = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint))
    if why is not None:
        pytest.skip(f"no small disk to fill: {why}; set ATM_TEST_TMPFS to a small mounted fs")
    try:
        yield mountpoint
    finally:
        _umount(mountpoint)


def fill(folder: Path) -> Path:
    """Fill the filesystem of `folder` to the last byte; returns the filler to delete."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as f:
        for chunk in (1 << 16, 1 << 12, 1 << 8, 1):
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * chunk)
    probe = folder / "probe.bin"
    try:
        with pytest.raises(OSError, match="No space") as refused:
            probe.write_bytes(b"\0" * 8192)
        assert refused.value.errno == errno.ENOSPC
    finally:
        probe.unlink(missing_ok=True)
    return filler


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` refuses writes for the duration (a read-only bind mount, or chmod)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        why = _mount("--bind", str(folder), str(folder))
        if why is None:
            why = _mount("-o", "remount,bind,ro", str(folder))
            if why is not None:
                _umount(folder)
        if why is not None:
            pytest.skip(f"cannot make {folder} read-only: {why}")
        try:
            yield
        finally:
            _umount(folder)
        return
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
    for path in modes:
        path.chmod(0o555)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


class Hooked:
    """A replay that does something to the disk just before chosen frames are seen."""

    def __init__(self, capture: ReplayCapture, hooks: dict[str, Callable[[], Any]]) -> None:
        self._capture, self._hooks = capture, hooks

    def grab(self) -> Frame | None:
        frame = self._capture.grab()
        if frame is not None and frame.name in self._hooks:
            self._hooks.pop(frame.name)()
        return frame

    def close(self) -> None:
        self._capture.close()


def run_with_hooks(
    corpus: Path,
    home: Path,
    discord: FakeDiscord,
    telegram: FakeTelegram,
    hooks: dict[str, Callable[[], Any]],
    console: Console | None = None,
) -> Runner:
    """Replay `corpus` into the workspace `home` through the real fanout and outbox to the
    fake services, calling `hooks[name]` just before the frame `name` is seen."""
    raw = tomllib.loads((corpus / "config.toml").read_text())
    raw["notify"] = {
        "discord": {"webhook_url": discord.webhook_url},
        "telegram": {"token": telegram.token, "chat_id": CHAT_ID, "api_base": telegram.api_base},
    }
    config = config_mod.from_dict(raw)
    ws = Workspace(home)
    clock = ReplayClock()
    runner = Runner(
        config,
        Hooked(ReplayCapture(corpus, clock), hooks),
        clock,
        factory.builder(config.notify, ws.dead_letter, outbox=ws.outbox, console=console),
        ws,
        AuditLog(ws.logs),
        pace=False,
        save_samples=True,  # more files to refuse
    )
    runner.run()
    return runner
