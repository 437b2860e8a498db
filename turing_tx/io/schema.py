"""The JSON Schemas shipped in ``turing_tx/schemas``, and validation whose first error is one line.

:func:`validate` checks a parsed document against one schema (draft 2020-12, with the format
``turing-tx-rational``: an exact rational in its one canonical spelling) and raises the caller's error
class with ``<source>: <JSON pointer>: <problem>``, the same shape as every other JSON error of the
project. Of several violations it reports the outermost (shortest path), so a missing part is named
before a bad number inside another part; inside ``anyOf`` it follows the branch whose type the value has.

:func:`check_plain` runs first, over the whole document, for what a schema cannot say: no NaN or
infinity, no integer longer than :data:`MAX_DIGITS` digits, no string that is not valid Unicode, no
nesting deeper than :data:`MAX_DEPTH` levels (a document built in Python has no parser to stop it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from fractions import Fraction
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from turing_tx.errors import ModelFormatError, TuringTxError
from turing_tx.io.rationals import parse_rational
from turing_tx.io.strict_json import json_pointer

#: the documents with a shipped schema, ``turing_tx/schemas/<name>.schema.json``
SCHEMAS = ("model", "rnn", "run-report", "proof-report", "ablation-report")
#: digits allowed in an integer, or in a rational's numerator or denominator: more than any weight rounded
#: to float64 needs (a 17-digit mantissa over a power of two of at most 324 digits), and below Python's
#: 4300-digit limit on reading integers, so that 10**5000 is refused with its path rather than a traceback
MAX_DIGITS = 1000
#: nesting levels allowed anywhere (a compiled model nests 9 deep, its metadata 5)
MAX_DEPTH = 64
RATIONAL = "turing-tx-rational"
_DIGIT_LIMIT = 10 ** MAX_DIGITS
_SHOWN = 40

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

Path = tuple[object, ...]


# -- the schemas ----------------------------------------------------------------------------------
@cache
def schema(name: str) -> dict[str, Any]:
    """The shipped schema ``name`` (one of :data:`SCHEMAS`) as parsed JSON."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema named {name!r} (expected {', '.join(SCHEMAS)})")
    text = files("turing_tx.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _check_rational(value: object) -> bool:
    """The format ``turing-tx-rational``: a canonical ``"p/q"``/``"p"`` string or an integer, of at
    most :data:`MAX_DIGITS` digits each; ValueError with the reason otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        hint = f"; write it as a string such as \"{Fraction(value).limit_denominator()}\"" if (
            isinstance(value, float) and math.isfinite(value)) else ""
        raise ValueError(f"{show(value)} is not an exact rational{hint}")
    if isinstance(value, int):
        if abs(value) >= _DIGIT_LIMIT:
            raise ValueError(f"an integer of more than {MAX_DIGITS} digits")
        return True
    numerator, _, denominator = value.removeprefix("-").partition("/")
    if max(len(numerator), len(denominator)) > MAX_DIGITS:
        raise ValueError(f"{show(value)} has more than {MAX_DIGITS} digits in its numerator or denominator")
    parse_rational(value)
    return True


_ANNOTATIONS = frozenset({"title", "description", "$comment"})


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every local ``{"$ref": "#/$defs/x", ...}`` replaced by definition x merged with the
    keywords beside the reference (these win for annotations such as ``title``). The shipped schemas are
    not recursive, and a validator that follows no references runs about twice as fast on a large model."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    inlined = {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}
    reference = inlined.pop("$ref", None)
    if reference is None:
        return inlined
    target = _inline(defs[reference.removeprefix("#/$defs/")], defs)
    clash = (set(target) & set(inlined)) - _ANNOTATIONS
    if clash:
        raise ValueError(f"schema: keywords {sorted(clash)} both beside and inside {reference}")
    return {**target, **inlined}


@cache
def _validator(name: str) -> Draft202012Validator:
    """The validator of schema ``name``, built on first use: importing jsonschema costs about 0.1 s, which
    a command that reads no JSON document should not pay."""
    from jsonschema import Draft202012Validator, FormatChecker

    formats = FormatChecker(formats=())
    formats.checks(RATIONAL, raises=ValueError)(_check_rational)
    document = schema(name)
    return Draft202012Validator(_inline(document, document.get("$defs", {})), format_checker=formats)


# -- what a schema cannot say ---------------------------------------------------------------------
def _valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain_problem(value: Any, depth: int) -> str | None:
    """Why the single value ``value`` (at nesting ``depth``) is not plain, finite JSON, if it is not."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{json.dumps(value)} is not a JSON number (NaN and infinities are not allowed)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _DIGIT_LIMIT:
        return f"an integer of more than {MAX_DIGITS} digits"
    if isinstance(value, str) and not _valid_unicode(value):
        return f"{json.dumps(value)[:_SHOWN]} is not valid Unicode (it holds a lone surrogate)"
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, dict):
        bad = next((key for key in value if not _valid_unicode(key)), None)
        if bad is not None:
            return f"the key {json.dumps(bad)[:_SHOWN]} is not valid Unicode (it holds a lone surrogate)"
    return None


def check_plain(document: Any, source: str, error: type[TuringTxError] = ModelFormatError) -> None:
    """Raise ``error`` at the first value, in document order, that is not plain JSON (see the module
    docstring). Iterative, so any depth is walked without recursion."""
    stack: list[tuple[Path, Any, int]] = [((), document, 0)]
    while stack:
        path, value, depth = stack.pop()
        problem = _plain_problem(value, depth)
        if problem is not None:
            raise error(f"{source}: {pointer(path)}: {problem}")
        items: Iterable[tuple[object, Any]] = (
            value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ())
        stack.extend(reversed([((*path, key), item, depth + 1) for key, item in items]))


# -- the first error as one line ------------------------------------------------------------------
def _printable(text: str) -> str:
    """``text`` with every unprintable character (line breaks included) written as its JSON escape, so
    that a message stays one line whatever the names in a document hold."""
    return text if text.isprintable() else "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


def pointer(path: Iterable[object]) -> str:
    """The JSON pointer of ``path`` (keys and indices), printable on one line."""
    return _printable(json_pointer(*path))


def show(value: Any) -> str:
    """A short rendering of a JSON value for a message: containers by kind, scalars as JSON, cut short."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    text = _printable(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


_NOUNS = {"object": "a JSON object", "array": "a list", "string": "a string", "integer": "an integer",
          "number": "a number", "boolean": "true or false", "null": "null"}


def _expected(error: ValidationError) -> str:
    """``expected <what>, got <value>``, <what> from the failing schema's title, else from its type."""
    what = error.schema.get("title") if isinstance(error.schema, dict) else None
    if what is None:
        kinds = error.validator_value if error.validator == "type" else error.schema.get("type", "object")
        what = " or ".join(_NOUNS[k] for k in ([kinds] if isinstance(kinds, str) else kinds))
    return f"expected {what}, got {show(error.instance)}"


def _first_duplicate(items: list[Any]) -> int:
    """The index of the first item whose JSON text repeats an earlier one's (else the last index: to
    jsonschema 1 and 1.0 are equal, though their texts differ)."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        text = json.dumps(item, sort_keys=True)
        if text in seen:
            return index
        seen.add(text)
    return len(items) - 1


def _describe(error: ValidationError) -> tuple[Path, str]:
    """The JSON path and one-line problem of ``error`` (descending into the branch of an ``anyOf``)."""
    path, kind, value = tuple(error.absolute_path), error.validator, error.validator_value
    if "propertyNames" in error.absolute_schema_path:
        _, problem = _describe_plain(error, kind, value)
        return (*path, error.instance), f"invalid key: {problem}"
    if kind in ("anyOf", "oneOf"):
        return _describe_branches(error)
    if kind == "required":
        missing = next(key for key in value if key not in error.instance)
        return (*path, missing), "missing"
    if kind == "additionalProperties":
        known = tuple(error.schema.get("properties", {}))
        extra = next(key for key in error.instance if key not in known)
        return (*path, extra), f"unknown key {extra!r} (expected {', '.join(known)})"
    if kind == "uniqueItems":
        index = _first_duplicate(error.instance)
        item = error.instance[index]
        return (*path, index), f"duplicate name {item!r}" if isinstance(item, str) else f"duplicate item {show(item)}"
    return _describe_plain(error, kind, value)


def _describe_plain(error: ValidationError, kind: str, value: Any) -> tuple[Path, str]:
    """The problem of an error on a single value (type, size, bound, enumeration, format)."""
    path, instance = tuple(error.absolute_path), error.instance
    titled = isinstance(error.schema, dict) and "title" in error.schema
    if kind == "type" or (kind in ("minItems", "minLength") and (titled or value == 1)):
        return path, _expected(error)
    if kind == "format":
        return path, str(error.cause) if error.cause is not None else f"{show(instance)} is not a {value}"
    messages = {
        "const": lambda: f"expected {json.dumps(value)}, got {show(instance)}",
        "enum": lambda: f"expected one of {', '.join(json.dumps(v) for v in value)}, got {show(instance)}",
        "minItems": lambda: f"{len(instance)} items, at least {value} needed",
        "maxItems": lambda: f"{len(instance)} items, more than the {value} allowed",
        "minLength": lambda: f"{show(instance)} is shorter than {value} characters",
        "maxLength": lambda: f"a string of {len(instance)} characters, more than the {value} allowed",
        "minimum": lambda: f"{show(instance)} is below the minimum {value}",
        "maximum": lambda: f"{show(instance)} is above the maximum {value}",
        "pattern": lambda: f"{show(instance)} does not match {value}",
    }
    if kind in messages:
        return path, messages[kind]()
    return path, _printable(error.message)[:200]


def _describe_branches(error: ValidationError) -> tuple[Path, str]:
    """An ``anyOf``/``oneOf`` failure: the first error of the branches the value's type fits, or, if it
    fits none, ``expected <title>``."""
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [group for group in branches.values()
               if not any(e.validator == "type" and not e.relative_path for e in group)]
    if not fitting:
        return tuple(error.absolute_path), _expected(error)
    return _describe(_first(e for group in fitting for e in group))


def _first(errors: Iterable[ValidationError]) -> ValidationError:
    """The outermost error (shortest path); on a path, a format error (it says why) before the rest."""
    return min(errors, key=lambda e: (len(e.absolute_path), e.validator != "format"))


def errors(document: Any, name: str) -> Iterator[ValidationError]:
    """Every violation of schema ``name`` by ``document`` (jsonschema's own errors)."""
    return _validator(name).iter_errors(document)


def validate(document: Any, name: str, source: str, error: type[TuringTxError] = ModelFormatError) -> None:
    """Raise ``error`` (``<source>: <path>: <problem>``) unless ``document`` satisfies schema ``name``."""
    found = list(errors(document, name))
    if found:
        path, problem = _describe(_first(found))
        raise error(f"{source}: {pointer(path)}: {problem}")
