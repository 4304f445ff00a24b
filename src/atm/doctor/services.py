"""Doctor checks of the services ATM talks to, without posting anything anywhere.

- Discord: GET on the webhook URL returns the webhook object (name, channel) and posts
  nothing; 401/404 mean a wrong token or a deleted webhook.
- Telegram: `getMe` (the token), `getChat` (the chat id, and that the bot is in it), and
  `getUpdates` with `timeout=0`: it answers 409 Conflict when a webhook is set on the token
  or when another program's getUpdates overlaps ours. ATM reads updates only for the
  Telegram buttons (`[notify.telegram] buttons`, while `atm run` runs: this check ends its
  long poll once, which it takes in its stride); a second program on the same token (an
  old build, a chat bot) is worth knowing about.
  A long-polling program is seen only when its request overlaps ours: a ✓ here is a good
  sign, not a proof.
- The dead-man's switch: Healthchecks' `/log` endpoint records an entry without changing
  the check's state; an Uptime Kuma push URL cannot be called without counting as a beat,
  so for Kuma only the server is asked (GET on its root).
- Clock skew: the `Date` header of those replies against this machine's clock.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

from atm.deadman import flavor
from atm.deadman import poster as deadman_poster
from atm.doctor import Check, Context, Family, fail, ok, skip, warn
from atm.errors import NotifyError
from atm.notify.http import HttpPoster, Reply
from atm.redact import url_secrets

SKEW_WARN_S: Final = 5.0  # Date has one-second resolution; a few seconds is harmless
SKEW_FAIL_S: Final = 60.0  # alert times and session starts would be a minute off
TELEGRAM_ROWS: Final = ("telegram bot", "telegram chat", "telegram poller")


def families() -> list[Family]:
    return [
        Family(("discord",), lambda ctx: [discord(ctx)]),
        Family(TELEGRAM_ROWS, telegram),
        Family(("dead-man's switch",), lambda ctx: [healthcheck(ctx)]),
    ]


def fetch(ctx: Context, poster: HttpPoster, method: str, url: str, **kwargs: Any) -> Reply:
    """One request; its Date header is kept for the clock-skew check."""
    sent = ctx.clock.time()
    reply = poster.request(method, url, **kwargs)
    if "date" in reply.headers:
        with ctx.lock:
            ctx.dates.append((sent, ctx.clock.time(), reply.headers["date"]))
    return reply


def discord(ctx: Context) -> Check:
    config = ctx.config
    url = config.notify.discord.webhook_url.get_secret_value() if config else ""
    if not url:
        return skip("discord", "no webhook configured")
    poster = HttpPoster("discord", url_secrets(url), timeout=ctx.timeout)
    try:
        reply = fetch(ctx, poster, "GET", url)
    except NotifyError as exc:
        return fail("discord", str(exc), "check the network; is discord.com reachable?")
    finally:
        poster.close()
    body = reply.body if isinstance(reply.body, dict) else {}
    if reply.ok and body.get("id"):
        return ok("discord", f"webhook {body.get('name')!r} → channel {body.get('channel_id')}")
    said = body.get("message") or reply.snippet or "no reason given"
    fix = "the webhook was deleted or mistyped: new one, then `atm secrets set discord`"
    return fail("discord", f"HTTP {reply.status}: {said}", fix)


def telegram(ctx: Context) -> list[Check]:
    config = ctx.config
    tg = config.notify.telegram if config else None
    token = tg.token.get_secret_value() if tg else ""
    if tg is None or not token:
        return [skip(row, "no bot token configured") for row in TELEGRAM_ROWS]
    poster = HttpPoster("telegram", [token], timeout=ctx.timeout)
    base = f"{tg.api_base}/bot{token}"
    try:
        me = _call(ctx, poster, f"{base}/getMe", {}, "telegram bot")
        if me.status != "ok":
            return [me, *(skip(r, "the bot token was not accepted") for r in TELEGRAM_ROWS[1:])]
        chat = _call(ctx, poster, f"{base}/getChat", {"chat_id": tg.chat_id}, "telegram chat")
        updates = {"timeout": 0, "limit": 1}
        poller = _call(ctx, poster, f"{base}/getUpdates", updates, "telegram poller")
    finally:
        poster.close()
    return [me, chat, poller]


def _call(ctx: Context, poster: HttpPoster, url: str, args: dict[str, Any], name: str) -> Check:
    try:
        reply = fetch(ctx, poster, "POST", url, json=args)
    except NotifyError as exc:
        return fail(name, str(exc), "check the network; is api.telegram.org reachable?")
    body = reply.body if isinstance(reply.body, dict) else {}
    if body.get("ok") is True:
        return ok(name, _describe(name, body.get("result")))
    said = body.get("description") or reply.snippet or f"HTTP {reply.status}"
    return fail(name, f"{body.get('error_code', reply.status)}: {said}", _TELEGRAM_FIX[name])


_TELEGRAM_FIX: Final = {
    "telegram bot": "token revoked or mistyped: ask @BotFather, then `atm secrets set telegram`",
    "telegram chat": "add the bot to the chat and check notify.telegram.chat_id",
    "telegram poller": "stop the other program using this bot token (or deleteWebhook), "
    "or give ATM its own bot",
}


def _describe(name: str, result: Any) -> str:
    result = result if isinstance(result, dict) else {}
    if name == "telegram bot":
        return f"@{result.get('username', '?')}"
    if name == "telegram chat":
        return f"{result.get('title') or result.get('username') or '?'} ({result.get('type')})"
    return "no other poller or webhook on this token"


def healthcheck(ctx: Context) -> Check:
    config = ctx.config
    url = config.healthcheck.url.get_secret_value() if config else ""
    if not url:
        fix = "set [healthcheck] url (Healthchecks or Uptime Kuma): see README"
        return warn("dead-man's switch", "not configured: nothing notices if ATM dies", fix)
    poster = deadman_poster(url, ctx.timeout)
    kuma = flavor(url) == "uptime_kuma"
    try:
        if kuma:
            parts = urlsplit(url)
            reply = fetch(ctx, poster, "GET", f"{parts.scheme}://{parts.netloc}/")
        else:
            reply = fetch(ctx, poster, "POST", url.rstrip("/") + "/log", content=b"atm doctor")
    except NotifyError as exc:
        return fail("dead-man's switch", str(exc), "check the URL and the network")
    finally:
        poster.close()
    if kuma and reply.status < 500:
        return ok("dead-man's switch", "Uptime Kuma answers (a push would count as a beat)")
    if reply.ok:
        return ok("dead-man's switch", "Healthchecks accepted a log entry (state unchanged)")
    fix = "copy the ping URL again from the check's page"
    return fail("dead-man's switch", f"HTTP {reply.status} {reply.snippet}".rstrip(), fix)


def clock_skew(ctx: Context) -> Check:
    """The largest gap between a reply's Date and this clock at the request's midpoint."""
    with ctx.lock:
        dates = list(ctx.dates)
    skews = []
    for sent, received, header in dates:
        try:
            stamp = parsedate_to_datetime(header).timestamp()
        except (TypeError, ValueError):
            continue
        # Date is truncated to the second: compare with the midpoint, allow the rounding
        skews.append(stamp + 0.5 - (sent + received) / 2)
    if not skews:
        return skip("clock", "no service answered with a Date header")
    skew = max(skews, key=abs)
    detail = f"{round(skew):+d} s against the services' clocks"
    fix = "sync the clock (Windows: Settings → Time & language → Sync now)"
    if abs(skew) >= SKEW_FAIL_S:
        return fail("clock", detail, fix)
    if abs(skew) >= SKEW_WARN_S:
        return warn("clock", detail, fix)
    return ok("clock", detail)
