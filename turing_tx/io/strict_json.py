"""Strict JSON for every JSON file a user hands to turing-tx (model, RNN, automata-lib DTM).

``json.loads`` silently keeps the last of two equal keys and reports syntax errors as exceptions
with positions. :func:`load_json` turns both into one-line errors of the caller's class:

- ``<source>:<line>:<column>: invalid JSON: <reason>`` for syntax errors (and absurd nesting);
- ``<source>: <JSON pointer>: duplicate key '<k>'`` for the first duplicate key, depth first in
  file order, so the message says where the repeated key is.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from turing_tx.errors import TuringTxError


class _Object(dict):
    """A parsed JSON object that remembers its first duplicate key."""

    duplicate: str | None = None


def _remember_duplicates(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def json_pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) built from keys and indices; the root is shown as ``/``."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "/" + "/".join(escaped) if parts else "/"


def _first_duplicate(value: Any, path: tuple[object, ...] = ()) -> tuple[tuple[object, ...], str] | None:
    if isinstance(value, _Object):
        if value.duplicate is not None:
            return path, value.duplicate
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _first_duplicate(item, (*path, key))
        if found is not None:
            return found
    return None


def load_json(text: str, source: str, error: type[TuringTxError]) -> Any:
    """The JSON document ``text`` (objects as dicts), or ``error`` with a one-line located message."""
    try:
        document = json.loads(text, object_pairs_hook=_remember_duplicates)
    except json.JSONDecodeError as exc:
        raise error(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise error(f"{source}: invalid JSON: nesting too deep") from None
    except ValueError:  # an integer past Python's digit limit for int(str)
        raise error(f"{source}: invalid JSON: an integer of more than {sys.get_int_max_str_digits()} "
                    "digits") from None
    try:
        duplicate = _first_duplicate(document)
    except RecursionError:
        raise error(f"{source}: invalid JSON: nesting too deep") from None
    if duplicate is not None:
        path, key = duplicate
        raise error(f"{source}: {json_pointer(*path)}: duplicate key {key!r}")
    return document


class JsonReader:
    """Typed access to a parsed JSON document whose errors (of ``error``, the caller's class) carry the
    source and the JSON-pointer path of the culprit."""

    def __init__(self, source: str, error: type[TuringTxError]) -> None:
        self.source = source
        self.error = error

    def fail(self, path: str, problem: str) -> TuringTxError:
        return self.error(f"{self.source}: {path or '/'}: {problem}")

    def get(self, obj: Any, key: str, path: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        """``obj[key]`` checked to be of ``kind`` (``optional``: a missing key or null gives None)."""
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object")
        if key not in obj:
            if optional:
                return None
            raise self.fail(f"{path}/{key}", "missing")
        value = obj[key]
        if optional and value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(f"{path}/{key}", f"expected {names}, got {type(value).__name__}")
        return value
