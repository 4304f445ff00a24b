"""Pydantic's validation errors as one line a user can act on: file, dotted key, fix.

Secrets are never echoed back, whatever shape the file gives them: nothing under
`[notify]` is ever quoted (a URL string where a table belongs, an array of tables, a
token as a key), nor any value of a secret-named key, nor a key that does not look like
one of ours (a URL or token typed where a key belongs). Other values are quoted only when
they are short and cannot be a credential, and cut to `ECHO_LIMIT` characters.
"""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

# Keys whose values are secrets, wherever they appear.
_SECRET_KEYS = {"webhook_url", "token", "urls", "url"}
# Sections whose every value and key may be a secret.
_SECRET_SECTIONS = {"notify", "healthcheck"}
# Fields of the config object that are not TOML keys.
_NOT_KEYS = {"source", "secret_sources"}
#: An echoed value is cut to this many characters.
ECHO_LIMIT = 80
#: A text longer than this, or with a URL or token shape, is described, not quoted:
#: real setting values that fail validation are short words and numbers.
_SHORT_TEXT = 24
_CREDENTIAL = re.compile(r"://|\d{5,}:|[%@/\\]")


def describe(source: str, exc: ValidationError, root: type[BaseModel], prefix: str = "") -> str:
    """One line for the first error: file, dotted key, what is expected, what was found.
    `prefix` goes before the key (`charts[1].` for a chart's own key)."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int) or p >= 0]
    secret = (bool(loc) and loc[0] in _SECRET_SECTIONS) or any(p in _SECRET_KEYS for p in loc)
    if err["type"] == "extra_forbidden":
        expected = _known_keys(root, loc[:-1])
        what = "unknown colour" if loc[:1] == ["colors"] else "unknown key"
        where = _dotted(err["loc"][:-1], _all_keys(root, set()) if secret else None)
        key = loc[-1] if loc and not secret and _plain_key(loc[-1]) else "<key>"
        name = f"{where}.{key}" if where != "<top level>" else key
        return f"{source}: {prefix}{name}: {what}; expected one of: {', '.join(expected)}"
    message = err["msg"].replace("Value error, ", "")
    key = prefix + _dotted(err["loc"], _all_keys(root, set()) if secret else None)
    if secret:
        return f"{source}: {key}: {message}"
    return f"{source}: {key}: {message} (got {shown(err.get('input'))})"


def shown(value: Any) -> str:
    """How an invalid value is quoted in an error: short plain values as they are, the
    rest described (`a 68-character text`), so no credential is ever repeated back."""
    if isinstance(value, bool | int | float) or value is None:
        return _cut(repr(value))
    if isinstance(value, str):
        if len(value) <= _SHORT_TEXT and not _CREDENTIAL.search(value):
            return repr(value)
        return f"a {len(value)}-character text"
    if isinstance(value, list | tuple):
        return _cut("[" + ", ".join(shown(v) for v in value[:8]) + "]")
    if isinstance(value, dict):
        return f"a table of {len(value)} keys"
    return type(value).__name__


def _plain_key(key: str) -> bool:
    """A key short and plain enough to print: ours, or a symbol name like DIA→US30."""
    return len(key) <= _SHORT_TEXT and key.isprintable() and not _CREDENTIAL.search(key)


def _cut(text: str) -> str:
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def _dotted(loc: tuple[int | str, ...], ours: set[str] | None = None) -> str:
    """`notify.discord.webhook_url`; with `ours`, a key not in it shows as `<key>`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part == "bool":
            continue  # pydantic's union-branch labels are noise to a user
        else:
            name = "schema" if part == "schema_" else part
            if not _plain_key(name) or (ours is not None and name not in ours):
                name = "<key>"  # a key that may itself be a credential
            out += f".{name}" if out else name
    return out or "<top level>"


def _known_keys(root: type[BaseModel], path: list[str]) -> list[str]:
    model = root
    parts = iter(path)
    for part in parts:
        annotation = getattr(model.model_fields.get(part), "annotation", None)
        if get_origin(annotation) is dict:  # a table of tables: the next part is its key
            next(parts, None)
            annotation = get_args(annotation)[1]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [f.alias or name for name, f in model.model_fields.items() if name not in _NOT_KEYS]


def _all_keys(model: type[BaseModel], seen: set[str]) -> set[str]:
    """Every key name the config models define: those are safe to print."""
    for name, field in model.model_fields.items():
        seen.add(field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _all_keys(annotation, seen)
    return seen
