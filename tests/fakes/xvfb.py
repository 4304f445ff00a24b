"""A real X display for tests: Xvfb + a tiny window manager, and windows that show images.

`XServer` starts `Xvfb` on a free display number (Xvfb picks it: `-displayfd`) with an
`openbox` window manager, because pywinctl lists windows through `_NET_CLIENT_LIST`,
which only a window manager maintains. `ImageWindow` shows an RGB array in a Tk window
(a child process) at a known position and swaps the picture when `show()` is called,
so tests can put changing frames on the screen and capture them.

Debian packages: xvfb xdotool openbox x11-xserver-utils (pywinctl needs `xrandr`).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage

# Openbox's own config, less the bindings of a press in a client window (Focus/Raise).
# For them openbox holds a synchronous pointer grab: until it wakes up and replays the
# press, the client gets no pointer events, while keys typed by xdotool go straight
# through, so on a busy machine a test's Enter overtook its own drag. Windows get focus
# through _NET_ACTIVE_WINDOW (`xdotool windowactivate`) instead.
OPENBOX_RC = Path("/etc/xdg/openbox/rc.xml")
_CLIENT_BINDINGS = re.compile(r"\s*<context name=\"Client\">.*?</context>", re.DOTALL)
TOOLS = {"Xvfb": "xvfb", "xdotool": "xdotool", "openbox": "openbox", "xrandr": "x11-xserver-utils"}
WIDTH, HEIGHT = 1920, 1080
START_TIMEOUT_S = 10.0


def missing_tools() -> list[str]:
    """`tool (debian-package)` for every program this module needs that is not installed."""
    return [f"{tool} ({pkg})" for tool, pkg in TOOLS.items() if shutil.which(tool) is None]


class XServer:
    """`Xvfb :N -screen 0 1920x1080x24 -nolisten tcp` plus openbox; `display` is ":N"."""

    def __init__(
        self,
        workdir: Path,
        *,
        window_manager: bool = True,
        size: tuple[int, int] = (WIDTH, HEIGHT),
    ) -> None:
        self._workdir = workdir
        self.size = size
        self._window_manager = window_manager
        self._log = open(workdir / "x.log", "wb")  # noqa: SIM115 - closed in stop()
        self._procs: list[subprocess.Popen[bytes]] = []
        self.display = ""
        self.xvfb_pid = 0

    def start(self) -> XServer:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            [
                *("Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"),
                *("-screen", "0", f"{self.size[0]}x{self.size[1]}x24"),
            ],
            pass_fds=(write_fd,),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._procs.append(xvfb)
        self.xvfb_pid = xvfb.pid
        os.close(write_fd)
        with os.fdopen(read_fd) as numbers:
            number = numbers.readline().strip()  # written once the server accepts clients
        if not number:
            self.stop()
            raise RuntimeError(f"Xvfb did not start: {self.log_text()}")
        self.display = f":{number}"
        self._wait("the display to answer", self._display_answers)
        if self._window_manager:
            self._start_openbox()
        return self

    def _start_openbox(self) -> None:
        config_home = self._workdir / "xdg"
        (config_home / "openbox").mkdir(parents=True, exist_ok=True)
        rc = _CLIENT_BINDINGS.sub("", OPENBOX_RC.read_text())
        (config_home / "openbox" / "rc.xml").write_text(rc)
        self._procs.append(
            subprocess.Popen(
                ["openbox", "--sm-disable"],
                env={**self.env(), "XDG_CONFIG_HOME": str(config_home)},
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
        )
        self._wait("openbox to manage the display", self._wm_running)

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def stop(self) -> None:
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        self._log.close()

    def log_text(self) -> str:
        self._log.flush()
        return (self._workdir / "x.log").read_text(errors="replace")[-2000:]

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=10
        )
        if done.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def _display_answers(self) -> bool:
        try:
            return self.xdotool("getdisplaygeometry").split() == [str(n) for n in self.size]
        except RuntimeError:
            return False

    def _wm_running(self) -> bool:
        # The EWMH handshake: a window manager sets _NET_SUPPORTING_WM_CHECK on the root.
        from Xlib import X, display

        conn = display.Display(self.display)
        try:
            atom = conn.intern_atom("_NET_SUPPORTING_WM_CHECK")
            return conn.screen().root.get_full_property(atom, X.AnyPropertyType) is not None
        finally:
            conn.close()

    def _wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self._procs):
                break
            if ready():
                return
            time.sleep(0.05)
        log = self.log_text()
        self.stop()
        raise RuntimeError(f"timed out waiting for {what} on {self.display}: {log}")


# The Tk child: shows argv[1] (a PNG) with its top-left client pixel at argv[2], argv[3],
# titled argv[4]; argv[5] == "1" keeps the window manager's frame. It prints "ready" once
# visible and "shown" after each reload, after `update()` (an XSync), so the pixels are
# on the server when the parent reads the line. The file is polled every 50 ms.
_CHILD = r"""
import os, sys, tkinter as tk
path, x, y, title, decorated = sys.argv[1:6]
root = tk.Tk()
root.title(title)
if decorated != "1":
    root.attributes("-type", "splash")  # EWMH: no frame, yet still a managed, listed window
root.geometry(f"+{int(x)}+{int(y)}")
photo = tk.PhotoImage(file=path)
label = tk.Label(root, image=photo, borderwidth=0, highlightthickness=0)
label.pack()

def signature():
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size

seen = signature()

def say(word):
    root.update()
    print(word, flush=True)

def poll():
    global photo, seen
    try:
        now = signature()
        if now != seen:
            photo = tk.PhotoImage(file=path)
            label.configure(image=photo)
            seen = now
            say("shown")
    except (OSError, tk.TclError):
        pass
    root.after(50, poll)

root.wait_visibility()
say("ready")
root.after(50, poll)
root.mainloop()
"""

Rgb = npt.NDArray[np.uint8]


class ImageWindow:
    """A window on `display` showing an (H, W, 3) uint8 RGB image at (x, y), titled `title`.

    Without `decorated` the window has no frame, so the image's top-left pixel is at
    exactly (x, y) on the screen. With it, the window manager's frame is at (x, y) and
    the image (the client area) is inside it.
    """

    def __init__(
        self,
        display: str,
        image: Rgb,
        *,
        x: int,
        y: int,
        title: str,
        decorated: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.title = title
        self._timeout_s = timeout_s
        self._dir = Path(tempfile.mkdtemp(prefix="atm-imagewindow-"))
        self._path = self._dir / "frame.png"
        self._write(image)
        self._lines: queue.Queue[tuple[str, float]] = queue.Queue()  # and when it came
        self._proc = subprocess.Popen(
            [
                *(sys.executable, "-c", _CHILD, str(self._path), str(x), str(y), title),
                "1" if decorated else "0",
            ],
            env={**os.environ, "DISPLAY": display},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"window-{title}", daemon=True)
        self._reader.start()
        self._expect("ready")

    def show(self, image: Rgb) -> float:
        """Replace the picture and return once the window displays it: since when."""
        self.post(image)
        return self.shown()

    def post(self, image: Rgb) -> None:
        """Replace the picture without waiting (`shown()` waits): several windows that
        change together show their pictures within one poll of each other."""
        self._write(image)

    def shown(self) -> float:
        """Wait until the window displays the picture posted; when it did (monotonic s)."""
        return self._expect("shown")

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reader.join(timeout=5)  # it ends at EOF; closing stdout under it would race
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> ImageWindow:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, image: Rgb) -> None:
        # Written beside the target then renamed: the child never reads half a PNG, and
        # the new inode tells it the file changed even within one mtime tick.
        tmp = self._dir / "next.png"
        picture = PILImage.fromarray(np.ascontiguousarray(image, dtype=np.uint8), "RGB")
        picture.save(tmp, compress_level=1)  # fast: windows that change together stay close
        tmp.replace(self._path)

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put((line.strip(), time.monotonic()))
        self._lines.put(("", time.monotonic()))  # EOF: the child died

    def _expect(self, word: str) -> float:
        try:
            line, at = self._lines.get(timeout=self._timeout_s)
        except queue.Empty:
            line, at = "<timeout>", 0.0
        if line != word:
            self._proc.kill()
            self._proc.wait()
            stderr = self._proc.stderr.read() if self._proc.stderr else ""
            self.close()
            raise RuntimeError(f"window {self.title!r}: wanted {word!r}, got {line!r}: {stderr}")
        return at


ShowImage = Callable[..., ImageWindow]  # the `show_image` fixture


def pattern(h: int = 200, w: int = 300, seed: int = 0) -> Rgb:
    """(h, w, 3) uint8 RGB: pure red, green, blue and grey quadrants, a gradient and noise.

    Pure primaries prove the channel order; the gradient and noise prove every pixel.
    """
    image = np.zeros((h, w, 3), dtype=np.uint8)
    image[: h // 2, : w // 2] = (255, 0, 0)
    image[: h // 2, w // 2 :] = (0, 255, 0)
    image[h // 2 :, : w // 2] = (0, 0, 255)
    image[h // 2 :, w // 2 :] = (10, 20, 30)
    image[h // 4 : h // 4 + 10, :, 0] = np.linspace(0, 255, w).astype(np.uint8)
    rng = np.random.default_rng(seed)
    image[-10:] = rng.integers(0, 256, size=(10, w, 3), dtype=np.uint8)
    return image


def window_origin(display: XServer, window: str) -> tuple[int, int]:
    """The window's top-left pixel on the screen (xdotool's position counts the frame twice)."""
    from Xlib import display as xdisplay

    conn = xdisplay.Display(display.display)
    try:
        root = conn.screen().root
        where = root.translate_coords(conn.create_resource_object("window", int(window)), 0, 0)
        return int(where.x), int(where.y)
    finally:
        conn.close()
