"""Button presses from Telegram: one worker thread long-polling `getUpdates` while `atm run` runs.

No public server is needed: the bot asks Telegram for its updates (`getUpdates` with a
`timeout` holds the request open until a press arrives). For each `callback_query`:

1. refuse it unless its message is in the configured chat (a bot can be added anywhere);
2. hand it to the press handler (the journal), which returns the answer and the choice;
3. `answerCallbackQuery` (the phone stops its spinner and shows the answer), then
   `editMessageReplyMarkup` (the keyboard shows the tick);
4. store `offset` = update_id + 1 in the workspace (atomically).

Telegram forgets an update once `getUpdates` is called with a higher offset, and we store
that offset only after the press is in the journal: a crash loses no press. A crash between
2 and 4 replays the press after a restart, and the handler is idempotent, so it is recorded
once. If the handler fails (disk full) the offset stays, and the press is retried.

409 Conflict means another program is polling the same token (or a webhook is set). A
single one is an overlap (`atm doctor` checks the token with a getUpdates of its own, which
ends ours) and is retried at once; two in a row are reported once per episode as a health
alert and retried every `conflict_wait` seconds.
Stopping does one last poll with `timeout=0`: it ends our own pending long poll (Telegram
answers the older request with 409) and picks up the presses made in the last moments.
The bot token is in every URL; `HttpPoster` keeps it out of errors and logs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from atm.errors import AtmError, NotifyError
from atm.fileio import write_atomic
from atm.journal.choices import Answer, Choice, Press
from atm.notify.http import HttpPoster
from atm.notify.telegram_keyboard import keyboard, parse

OFFSET_FILE = "telegram_offset.json"
_FINAL_POLLS = 5  # at most this many batches are handled at stop
_OVERLAP_RETRY_S = 0.5  # after a first 409, poll again this soon
_NOT_MODIFIED = "message is not modified"


class Conflict(NotifyError):
    """409: another getUpdates consumer (or a webhook) holds this bot's updates."""


Handler = Callable[[Press], Answer]
Emit = Callable[[dict[str, Any]], None]


class PressPoller:
    def __init__(
        self,
        token: SecretStr,
        chat_id: str,
        offset_file: Path,
        handle: Handler,
        *,
        api_base: str = "https://api.telegram.org",
        on_event: Emit = lambda event: None,
        on_health: Callable[[str], None] = lambda text: None,
        poll_s: int = 20,
        conflict_wait: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._base = f"{api_base.rstrip('/')}/bot{token.get_secret_value()}"
        self._chat_id = str(chat_id)
        self._offset_file = offset_file
        self._handle = handle
        self._emit, self._health = on_event, on_health
        self._poll_s, self._conflict_wait = poll_s, conflict_wait
        # 10 s per call; a long poll gets its own wait on top (see `_call`)
        self._http = HttpPoster(
            "telegram-buttons", (token.get_secret_value(),), timeout=10.0, transport=transport
        )
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one batch handled at a time (worker or final drain)
        self._trouble: str | None = None  # the kind of failure being reported, if any
        self._offset = self._load_offset()
        self._thread = threading.Thread(target=self._run, name="atm-telegram-poll", daemon=True)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> PressPoller:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling: last short polls handle the presses made until now (the final,
        empty one tells Telegram they are done), then join."""
        self._stop.set()
        try:
            for _ in range(_FINAL_POLLS):
                if not self.poll_once(0):
                    break
        except AtmError as exc:
            self._emit({"event": "telegram_poll_failed", "error": str(exc), "final": True})
        self._thread.join(timeout=timeout)
        self._http.close()

    def _run(self) -> None:
        failures = conflicts = 0
        while not self._stop.is_set():
            try:
                self.poll_once(self._poll_s, worker=True)
            except Conflict as exc:
                # one 409 is a one-off overlap (`atm doctor` checking the token); two in a
                # row are another program polling it
                conflicts += 1
                if conflicts > 1:
                    self._report("conflict", str(exc))
                self._stop.wait(self._conflict_wait if conflicts > 1 else _OVERLAP_RETRY_S)
                continue
            except Exception as exc:  # a worker never dies: network, 5xx, bad token, a
                # journal that cannot be written (the press stays and is retried)
                failures += 1
                self._report("error", str(exc))
                self._stop.wait(min(60.0, 2.0**failures))
                continue
            failures = conflicts = 0
            self._recovered()

    # -- one poll -------------------------------------------------------------------------

    def poll_once(self, wait: int, *, worker: bool = False) -> int:
        """Fetch and handle the pending presses (waiting up to `wait` s for one); returns
        how many updates Telegram sent. A worker's batch fetched after `stop()` is left to
        the final poll, so no press is handled twice at the same time."""
        payload: dict[str, Any] = {"timeout": wait, "allowed_updates": ["callback_query"]}
        if self._offset is not None:
            payload["offset"] = self._offset
        try:
            updates = self._call("getUpdates", payload, wait)
        except Conflict:
            if worker and self._stop.is_set():
                return 0  # our own final poll ended this one
            raise
        if not isinstance(updates, list):
            raise NotifyError("telegram-buttons: getUpdates did not return a list")
        with self._lock:
            if worker and self._stop.is_set():
                return 0
            # a batch fetched while another was being handled may repeat some of it
            fresh = [u for u in updates if _update_id(u) >= (self._offset or 0)]
            for update in fresh:
                self._update(update)
        return len(updates)

    def _update(self, update: object) -> None:
        update_id = _update_id(update)
        if update_id < 0:
            return
        assert isinstance(update, dict)
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._query(update_id, query)
        self._save_offset(update_id + 1)

    def _query(self, update_id: int, query: dict[str, Any]) -> None:
        query_id = str(query.get("id", ""))
        message = _dict(query.get("message"))
        chat_id = str(_dict(message.get("chat")).get("id", ""))
        user = _user(query.get("from"))
        if chat_id != self._chat_id:
            self._emit({"event": "press_refused", "reason": "other chat", "user": user})
            self._answer(query_id, "This chat is not the one ATM reports to.")
            return
        parsed = parse(query.get("data"))
        if parsed is None:
            self._emit({"event": "press_refused", "reason": "unknown button", "user": user})
            self._answer(query_id, "Unknown button.")
            return
        message_id = message.get("message_id")
        press = Press(
            parsed[1], parsed[0], user, chat_id, message_id if isinstance(message_id, int) else None
        )
        answer = self._handle(press)  # a failure propagates: the offset stays, retried later
        self._answer(query_id, answer.text)
        if press.message_id is not None:
            self._tick(press, answer.tick)

    # -- Bot API calls --------------------------------------------------------------------

    def _call(self, method: str, payload: dict[str, Any], wait: float = 0.0) -> Any:
        """One Bot API call; `wait` is how long Telegram may hold it (a long poll)."""
        limit = self._http.timeout + wait
        reply = self._http.post(f"{self._base}/{method}", json=payload, timeout=limit)
        body = reply.body if isinstance(reply.body, dict) else {}
        if reply.ok and body.get("ok") is True:
            return body.get("result")
        said = self._http.redact(str(body.get("description") or reply.snippet or "no detail"))
        code = body.get("error_code", reply.status)
        if code == 409 or reply.status == 409:
            raise Conflict(f"telegram-buttons: {said} (HTTP 409)")
        raise NotifyError(f"telegram-buttons: {method}: {said} (HTTP {reply.status})")

    def _answer(self, query_id: str, text: str) -> None:
        """Answer the press; a too-old query (answered late) is no reason to stop."""
        try:
            self._call("answerCallbackQuery", {"callback_query_id": query_id, "text": text[:200]})
        except NotifyError as exc:
            self._emit({"event": "press_answer_failed", "error": str(exc)})

    def _tick(self, press: Press, chosen: Choice | None) -> None:
        payload = {
            "chat_id": press.chat_id,
            "message_id": press.message_id,
            "reply_markup": keyboard(press.signal, chosen),
        }
        try:
            self._call("editMessageReplyMarkup", payload)
        except NotifyError as exc:
            if _NOT_MODIFIED not in str(exc):
                self._emit({"event": "press_edit_failed", "error": str(exc)})

    # -- offset and trouble -----------------------------------------------------------------

    def _load_offset(self) -> int | None:
        try:
            data = json.loads(self._offset_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            self._emit({"event": "telegram_offset_unreadable", "path": str(self._offset_file)})
            return None
        offset = data.get("offset") if isinstance(data, dict) else None
        return offset if isinstance(offset, int) and not isinstance(offset, bool) else None

    def _save_offset(self, offset: int) -> None:
        if self._offset is not None and offset <= self._offset:
            return
        self._offset = offset
        try:
            write_atomic(self._offset_file, json.dumps({"offset": offset}) + "\n")
        except OSError as exc:  # the press is recorded; a replay after restart is idempotent
            self._emit({"event": "telegram_offset_unwritable", "error": exc.strerror or str(exc)})

    def _report(self, kind: str, error: str) -> None:
        """Once per episode: an audit line, and for a conflict a health alert."""
        if self._trouble == kind:
            return
        self._trouble = kind
        self._emit({"event": "telegram_poll_failed", "kind": kind, "error": error})
        if kind == "conflict":
            self._health(
                "⚠️ Telegram buttons: another program is reading this bot's updates "
                "(409 Conflict); presses are not received until it stops"
            )

    def _recovered(self) -> None:
        if self._trouble is not None:
            self._emit({"event": "telegram_poll_recovered", "after": self._trouble})
            self._trouble = None


def _update_id(update: object) -> int:
    """An update's id; -1 for anything that is not an update."""
    found = update.get("update_id") if isinstance(update, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else -1


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _user(sender: object) -> str:
    if not isinstance(sender, dict):
        return "?"
    return str(sender.get("username") or sender.get("id") or "?")
