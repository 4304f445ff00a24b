"""No secret anywhere: hypothesis places tokens in every config shape and every service
fault, runs the real commands, and greps every output line and every workspace file.

The number of examples is bounded for the suite; `scripts/fuzz` raises it
(`ATM_FUZZ_EXAMPLES`) for the full runs that docs/reliability.md reports.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from atm import config as config_mod
from atm.cli import main
from atm.notify.fanout import RetryPolicy
from atm.tools.notify_test import run_notify_test
from atm.workspace import Workspace
from tests.fakes.discord import WEBHOOK_ID, FakeDiscord
from tests.fakes.http_service import Answer, Fault, Recorded
from tests.fakes.telegram import CHAT_ID, FakeTelegram

EXAMPLES = int(os.environ.get("ATM_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=EXAMPLES <= 40,  # the suite is reproducible; scripts/fuzz explores
)

# A recognisable prefix so a grep hit is the secret, not a coincidence.
secrets = st.text(
    alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_", min_size=16, max_size=48
).map(lambda s: "Zq7" + s)
HOOK = "https://discord.com/api/webhooks/123456789012345678/"
QUICK = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)

#: Every shape a secret can take in a config file: the wrong type, the wrong table, an
#: array of tables, a key, a misplaced value, a syntax error beside it, a valid config.
SHAPES: dict[str, Callable[[str], str]] = {
    "url where [notify] belongs": lambda s: f'notify = "{HOOK}{s}"\n',
    "array of tables": lambda s: f'[[notify.discord]]\nwebhook_url = "{HOOK}{s}"\n',
    "url where a backend table belongs": lambda s: f'[notify]\ndiscord = "{HOOK}{s}"\n',
    "list for a url": lambda s: f'[notify.discord]\nwebhook_url = ["{HOOK}{s}"]\n',
    "bad scheme": lambda s: f'[notify.discord]\nwebhook_url = "ftp://discord.com/{s}"\n',
    "table for a url": lambda s: f'[notify.discord]\nwebhook_url = {{ url = "{HOOK}{s}" }}\n',
    "list for a token": lambda s: f'[notify.telegram]\ntoken = ["123456789:{s}"]\n',
    "token beside a bad chat": lambda s: (
        f'[notify.telegram]\ntoken = "123456789:{s}"\nchat_id = ["{s}"]\n'
    ),
    "token beside a bad api_base": lambda s: (
        f'[notify.telegram]\ntoken = "123456789:{s}"\nchat_id = "1"\napi_base = "ftp://{s}"\n'
    ),
    "apprise string": lambda s: f'[notify.apprise]\nurls = "tgram://123456789:{s}/42"\n',
    "apprise table": lambda s: f'[notify.apprise]\nurls = [{{ u = "tgram://{s}" }}]\n',
    "secret as a key": lambda s: f'[notify.apprise]\n"tgram://{s}" = true\n',
    "secret as a top-level key": lambda s: f'"{HOOK}{s}" = 1\n',
    "secret as a bare key": lambda s: f"[notify.discord]\n{s} = 1\n",
    "misplaced value": lambda s: f'[schedule]\ntimezone = "{HOOK}{s}"\n',
    "unrelated error": lambda s: (
        f'[notify.discord]\nwebhook_url = "{HOOK}{s}"\n[loop]\ninterval_s = -1\n'
    ),
    "syntax error": lambda s: f'[notify.discord]\nwebhook_url = "{HOOK}{s}\n',
    "valid": lambda s: (
        f'[notify.discord]\nwebhook_url = "{HOOK}{s}"\n'
        f'[notify.telegram]\ntoken = "123456789:{s}"\nchat_id = "-100"\n'
        f'[notify.apprise]\nurls = ["tgram://123456789:{s}/42", "json://u:{s}@host/p?token={s}"]\n'
    ),
}  # fmt: skip

ENV_SHAPES: dict[str, Callable[[str], dict[str, str]]] = {
    "env url": lambda s: {"ATM_DISCORD_URL": f"{HOOK}{s}"},
    "env bad url": lambda s: {"ATM_DISCORD_URL": f"ftp://x/{s}"},
    "env token": lambda s: {"ATM_TG_TOKEN": f"123456789:{s}", "ATM_TG_CHAT": "-1"},
    "env over a wrong shape": lambda s: {"ATM_TG_TOKEN": f"123456789:{s}"},
}


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def captured() -> Iterator[io.StringIO]:
    """Everything printed to stdout and stderr, and every log record at any level."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield sink
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run(argv: list[str]) -> str:
    """`atm argv` in this process; everything it printed or logged."""
    with captured() as sink:
        rc = main(argv)
    assert rc in (0, 1, 2)
    assert "Traceback" not in sink.getvalue()
    return sink.getvalue()


def workspace_text(home: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted(home.rglob("*")) if p.is_file()
    )


def assert_nowhere(secret: str, *texts: str) -> None:
    """Not as is, not percent-encoded, in no letter case, not even across a table's fold."""
    forms = {secret.lower(), quote(secret, safe="").lower()}
    for text in texts:
        low = text.lower()
        flat = re.sub(r"[\s│┃|─━]+", "", low)
        for form in forms:
            assert form not in low and form not in flat, f"secret leaked: {text[:300]}"


@contextlib.contextmanager
def home() -> Iterator[Path]:
    """A workspace, and beside it (not in it: the user's own file holds the secret) the
    config file to load, `<home>.toml`."""
    folder = Path(tempfile.mkdtemp(prefix="atm-secrets-"))
    try:
        yield folder / "home"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(secret=secrets, shape=st.sampled_from(sorted(SHAPES)))
def test_config_check_never_shows_a_secret_whatever_its_shape(secret: str, shape: str) -> None:
    with home() as h:
        path = h.with_suffix(".toml")
        path.write_text(SHAPES[shape](secret))
        out = run(["--home", str(h), "config", "check", str(path)])
        assert_nowhere(secret, out, workspace_text(h))


@FUZZ
@given(
    secret=secrets, env=st.sampled_from(sorted(ENV_SHAPES)), shape=st.sampled_from(sorted(SHAPES))
)
def test_secrets_from_the_environment_never_show_either(secret: str, env: str, shape: str) -> None:
    with home() as h, environment(ENV_SHAPES[env](secret)):
        path = h.with_suffix(".toml")
        path.write_text(SHAPES[shape]("Zq7other" + secret[3:]))
        out = run(["--home", str(h), "config", "check", str(path)])
        assert_nowhere(secret, out, workspace_text(h))


class EchoDiscord(FakeDiscord):
    """A hostile service: it echoes the request path (the token) in its error."""

    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        path = request.path.replace("-", "%2d") if fault else request.path
        return Answer(400, {"message": f"bad path {path}", "code": 0})


class EchoTelegram(FakeTelegram):
    def answer(self, request: Recorded, fault: Fault | None) -> Answer:
        path = request.path.replace(":", "%3a")  # lower-case percent-encoding
        return Answer(400, {"ok": False, "error_code": 400, "description": f"bad {path}"})


@pytest.fixture(scope="module")
def echoes() -> Iterator[tuple[FakeDiscord, FakeTelegram]]:
    with EchoDiscord() as discord, EchoTelegram() as telegram:
        yield discord, telegram


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # apprise's plugins import imghdr
@FUZZ
@given(secret=secrets, encode=st.booleans())
def test_a_service_echoing_the_token_leaks_it_nowhere(
    echoes: tuple[FakeDiscord, FakeTelegram], secret: str, encode: bool
) -> None:
    discord, telegram = echoes
    discord.chooser = (lambda: Fault("echo-encoded")) if encode else None
    with home() as h:
        path = h.with_suffix(".toml")
        path.write_text(
            f'[notify.discord]\nwebhook_url = "{discord.base_url}/api/webhooks/{WEBHOOK_ID}/'
            f'{secret}"\n'
            f'[notify.telegram]\ntoken = "123456789:{secret}"\nchat_id = "{CHAT_ID}"\n'
            f'api_base = "{telegram.api_base}"\n'
            f'[notify.apprise]\nurls = ["json://127.0.0.1:{discord.port}/{secret}?k={secret}"]\n'
        )
        with captured() as sink:
            # the command's own code with quick retries (apprise failures are transient)
            config = config_mod.load(path)
            console = Console(file=sink, width=100)
            assert run_notify_test(config, Workspace(h), console, policy=QUICK, wait=10) == 1
        assert "failed" in sink.getvalue()
        assert_nowhere(secret, sink.getvalue(), workspace_text(h))
