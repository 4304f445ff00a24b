"""A chart nobody here drew: TradingView's lightweight-charts in Chromium, fed over HTTP.

`chart_library()` installs the pinned library (`chart_page/package-lock.json`) with
`npm ci` into a cache folder outside the repository, once; nothing from npm is vendored.
`ChartServer` serves the page (`chart_page/index.html`), the library and the bars on
127.0.0.1; the page polls for new bars every 50 ms and reports when each drawing reached
the screen, so a test knows when a dot appeared. `Chromium` shows the page as an app
window on an X display, at a device scale factor (100 %, 125 %, …).

Debian packages: chromium (and npm where the library is not cached yet).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from atm.colors import REFERENCE_RGB, Color

PAGE = Path(__file__).with_name("chart_page")
LIBRARY = "lightweight-charts"
BUNDLE = Path("node_modules", LIBRARY, "dist", f"{LIBRARY}.standalone.production.js")
BROWSERS = ("chromium", "chromium-browser")
# What a test that wants the browser chart needs from Debian, for skip and fail messages.
PACKAGES = "chromium, npm"


class Unavailable(Exception):
    """The library or the browser cannot be had here; the message says why."""


def cache_dir() -> Path:
    """`ATM_TEST_CACHE`, else `$XDG_CACHE_HOME/atm-tests` (`~/.cache/atm-tests`)."""
    if os.environ.get("ATM_TEST_CACHE"):
        return Path(os.environ["ATM_TEST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atm-tests"


def chart_library(cache: Path | None = None) -> Path:
    """The library's standalone bundle, installed by `npm ci` from the lock file on first use.

    Installs into a folder named after the lock file's hash, built beside it and renamed
    into place, so a changed pin gets a fresh install and concurrent test sessions never
    see half an install. Raises `Unavailable` when there is no copy and npm cannot get one.
    """
    lock = (PAGE / "package-lock.json").read_bytes()
    home = (cache or cache_dir()) / f"{LIBRARY}-{hashlib.sha256(lock).hexdigest()[:12]}"
    if (home / BUNDLE).is_file():
        return home / BUNDLE
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable(f"no {LIBRARY} in {home.parent} and no npm to install it")
    work = home.with_name(f"{home.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PAGE / name, work / name)
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
         "--loglevel=error", "--fetch-retries=1", "--fetch-retry-mintimeout=2000",
         "--fetch-retry-maxtimeout=5000"],
        cwd=work, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode != 0 or not (work / BUNDLE).is_file():
        shutil.rmtree(work, ignore_errors=True)
        said = [line for line in done.stderr.splitlines() if "complete log" not in line]
        why = "; ".join(said[:2]) or f"exit {done.returncode}"
        raise Unavailable(f"`npm ci` of {LIBRARY} into {home.parent} failed: {why}")
    try:
        work.rename(home)
    except OSError:  # another session installed it first
        shutil.rmtree(work, ignore_errors=True)
    return home / BUNDLE


@dataclass(frozen=True, slots=True)
class ChartTheme:
    """The chart's colours as CSS: the price pane, the indicator pane, candles."""

    background: str
    text: str
    grid: str
    separator: str
    strip: str | None  # the M2D pane's own background; None: the chart's, grid and all
    up: str
    down: str


_UP, _DOWN = "#26a69a", "#ef5350"
THEMES: dict[str, ChartTheme] = {
    # TradingView's dark and light looks; the indicator pane black as TradeStation draws it
    "dark": ChartTheme("#131722", "#d1d4dc", "#2a2e39", "#2b2b43", "#000000", _UP, _DOWN),
    "light": ChartTheme("#ffffff", "#191919", "#e6e9f0", "#e0e3eb", "#ffffff", _UP, _DOWN),
}


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: OHLC candle and the M2D dot colour under it; `time` in UTC seconds."""

    time: int
    open: float
    high: float
    low: float
    close: float
    color: Color

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "color": "#{:02x}{:02x}{:02x}".format(*REFERENCE_RGB[self.color])}


def make_bars(colors: Sequence[Color], *, start: int, seed: int, price: float = 480.0) -> list[Bar]:
    """A random-walk candle per colour, one minute apart from `start`."""
    rng = random.Random(seed)
    bars = []
    for i, color in enumerate(colors):
        open_, price = price, price + rng.uniform(-0.5, 0.5)
        high = max(open_, price) + rng.uniform(0, 0.3)
        low = min(open_, price) - rng.uniform(0, 0.3)
        bars.append(Bar(start + 60 * i, open_, high, low, price, color))
    return bars


@dataclass(frozen=True, slots=True)
class PageSettings:
    title: str
    theme: ChartTheme
    bar_spacing: float = 10.0  # CSS px between bars
    right_offset: int = 3  # empty bars right of the newest
    dot_radius: float = 3.0  # CSS px
    strip_height: int = 60  # CSS px of the indicator pane
    poll_ms: int = 50

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "theme": asdict(self.theme),
            "barSpacing": self.bar_spacing,
            "rightOffset": self.right_offset,
            "dotRadius": self.dot_radius,
            "stripHeight": self.strip_height,
            "pollMs": self.poll_ms,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser closed while a poll was under way: the test is over
        super().handle_error(request, client_address)


class ChartServer:
    """The page, the library and the bars on 127.0.0.1, served until `close()`; `append`
    adds a bar, `wait_drawn` tells when the page has drawn it."""

    def __init__(self, library: Path, settings: PageSettings, bars: Sequence[Bar]) -> None:
        self._files = {
            "/": ((PAGE / "index.html").read_bytes(), "text/html; charset=utf-8"),
            "/lightweight-charts.js": (library.read_bytes(), "text/javascript"),
            "/config.json": (json.dumps(settings.as_json()).encode(), "application/json"),
        }
        self._bars = list(bars)
        self._drawn: dict[int, float] = {}  # bar count → monotonic time the page drew it
        self._changed = threading.Condition()
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="chart-server")
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def append(self, bar: Bar) -> int:
        """Add `bar`; returns how many bars the chart has now."""
        with self._changed:
            self._bars.append(bar)
            return len(self._bars)

    def wait_drawn(self, count: int, timeout: float) -> float:
        """The monotonic time the page reported drawing `count` bars (or more)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                done = [t for n, t in self._drawn.items() if n >= count]
                if done:
                    return min(done)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the page did not draw {count} bars in {timeout} s")
                self._changed.wait(left)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _bars_from(self, first: int) -> bytes:
        with self._changed:
            return json.dumps([b.as_json() for b in self._bars[first:]]).encode()

    def _mark_drawn(self, count: int) -> None:
        with self._changed:
            self._drawn.setdefault(count, time.monotonic())
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output is not the place for an access log

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/bars":
                    first = int(parse_qs(url.query).get("from", ["0"])[0])
                    self._reply(200, server._bars_from(first), "application/json")
                elif url.path in server._files:
                    self._reply(200, *server._files[url.path])
                else:
                    self._reply(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/drawn":
                    server._mark_drawn(int(parse_qs(url.query)["n"][0]))
                self._reply(204, b"", "text/plain")

            def _reply(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if body:
                    self.wfile.write(body)

        return Handler


def find_browser() -> str:
    """The Chromium executable; `Unavailable` when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path is not None:
            return path
    raise Unavailable("no chromium: apt-get install chromium")


class Chromium:
    """`url` as an app window (no tabs, no address bar) at (0, 0) on `display`.

    `size` is in CSS pixels: at `scale` 1.25 the window is 1.25 times as many screen
    pixels, as on a Windows desktop set to 125 %. The browser runs in its own process
    group, ended by `close()`.
    """

    def __init__(
        self,
        display: str,
        url: str,
        workdir: Path,
        *,
        scale: float = 1.0,
        size: tuple[int, int] = (1400, 820),
    ) -> None:
        profile = workdir / "chromium-profile"
        self._log = open(workdir / "chromium.log", "wb")  # noqa: SIM115 - closed in close()
        self._proc = subprocess.Popen(
            [
                find_browser(),
                # root in a container: no sandbox; --test-type drops the warning bar about it
                *("--no-sandbox", "--test-type", "--disable-gpu"),
                *("--disable-background-networking", "--disable-component-update"),
                *("--disable-sync", "--no-first-run", "--no-default-browser-check"),
                *("--password-store=basic", "--disable-features=Translate"),
                f"--user-data-dir={profile}",
                f"--force-device-scale-factor={scale:g}",
                *("--window-position=0,0", f"--window-size={size[0]},{size[1]}"),
                f"--app={url}",
            ],
            env={**os.environ, "DISPLAY": display},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-2000:]

    def close(self) -> None:
        """SIGTERM to the browser's process group, then SIGKILL to what is left of it.

        The leader is reaped only after both: unreaped, its id (the group's) cannot be
        given to another process in between.
        """
        if self._proc.returncode is None:
            self._signal_group(signal.SIGTERM)
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline and not self._exited():
                time.sleep(0.05)
            self._signal_group(signal.SIGKILL)
            self._proc.wait(timeout=10)
        self._log.close()

    def _signal_group(self, sig: signal.Signals) -> None:
        if sys.platform == "win32":
            raise Unavailable("process groups are POSIX")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, sig)

    def _exited(self) -> bool:
        """Has the leader exited? Leaves it unreaped (WNOWAIT)."""
        if sys.platform == "win32":
            raise Unavailable("waitid is POSIX")
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self._proc.pid, flags) is not None
