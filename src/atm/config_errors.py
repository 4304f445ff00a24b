"""Pydantic's validation errors as one line a user can act on: file, dotted key, fix.

Secrets are never echoed back: a bad webhook URL is named, not quoted.
"""

from __future__ import annotations

from typing import get_args, get_origin

from pydantic import BaseModel, ValidationError

# Keys whose values are secrets: never echoed back in an error message.
_SECRET_KEYS = {"webhook_url", "token", "urls", "url"}
# Fields of the config object that are not TOML keys.
_NOT_KEYS = {"source", "secret_sources"}


def describe(source: str, exc: ValidationError, root: type[BaseModel], prefix: str = "") -> str:
    """One line for the first error: file, dotted key, what is expected, what was found.
    `prefix` goes before the key (`charts[1].` for a chart's own key)."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not isinstance(p, int) or p >= 0]
    key = prefix + _dotted(err["loc"])
    if err["type"] == "extra_forbidden":
        expected = _known_keys(root, loc[:-1])
        what = "unknown colour" if loc[:1] == ["colors"] else "unknown key"
        return f"{source}: {key}: {what}; expected one of: {', '.join(expected)}"
    message = err["msg"].replace("Value error, ", "")
    if any(p in _SECRET_KEYS for p in loc):
        return f"{source}: {key}: {message}"
    return f"{source}: {key}: {message} (got {err.get('input')!r})"


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part == "bool":
            continue  # pydantic's union-branch labels are noise to a user
        else:
            out += f".{'schema' if part == 'schema_' else part}" if out else str(part)
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
