"""The JSON file format for a rational σ-RNN (a user's own, or a compiled Siegelmann–Sontag network).

One UTF-8 JSON object (``docs/formats.md``, "RNN JSON"), following the model JSON conventions::

    {"format": "turing-tx-rnn", "version": 1, "name": "toy",
     "units": ["u1", "u2"], "inputs": ["a", "$"],
     "W_h": {"u1": {"u1": "1/2", "u2": "1/3"}, "u2": {"u1": "-1", "u2": "1/4"}},
     "W_x": {"u1": {"a": "1"}, "u2": {"a": "1/2", "$": "1/3"}},
     "b": {"u1": "1/8"}, "h0": {}, "metadata": {}}

- Exact rationals are strings ``"p/q"`` in lowest terms with q > 1, or ``"p"`` when q = 1. JSON
  integers are accepted too (*choice*: they are exact); floats and strings such as ``"0.5"``,
  ``"1/0"``, ``"2/4"`` or ``"3/1"`` are not.
- ``W_h[j][k]`` is the weight from unit k into unit j, ``W_x[j][a]`` from input symbol a into unit j
  (rows are target units, as in :class:`~turing_tx.rnn.network.RNN`). The sparse form omits zero entries.
- The **dense form** is accepted on load because people write matrices by hand: ``W_h`` a list of
  d_h rows of d_h entries, ``W_x`` d_h rows of |inputs| entries, ``b`` and ``h0`` lists of d_h
  entries, all in the order of ``units`` and ``inputs``. The two forms may be mixed per field.
- ``W_x``, ``b``, ``h0``, ``name`` and ``metadata`` are optional (zero, empty). h0 entries lie in [0, 1].
- A document is checked whole before the RNN is built: plain JSON (no NaN, no over-long integer, no
  deep nesting), the header (format, version, required and unknown keys), the schema
  ``turing_tx/schemas/rnn.schema.json`` (types, distinct names, canonical rationals, size bounds), then
  what a schema cannot say (every row and entry names a declared unit or input symbol, dense lists have
  one entry per name, h0 in [0, 1]).
- Errors are :class:`~turing_tx.errors.ModelFormatError` with one line naming the file and the
  JSON-pointer path, e.g. ``rnn.json: /W_h/u1/u3: unknown unit 'u3'``. Duplicate keys, unknown keys
  and unknown versions are errors; nothing is repaired.

:func:`save` writes atomically (a temporary file in the same directory, then ``os.replace``), so a
crash never leaves a half-written model behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

from turing_tx.errors import ModelError, ModelFormatError
from turing_tx.io.atomic import write_atomic
from turing_tx.io.rationals import format_rational, parse_rational
from turing_tx.io.schema import check_plain, pointer, show, validate
from turing_tx.io.strict_json import load_json
from turing_tx.io.textfile import read_text
from turing_tx.rnn.network import RNN

MAX_JSON_BYTES = 64 << 20
FORMAT = "turing-tx-rnn"
VERSION = 1
_KEYS = ("format", "version", "name", "units", "inputs", "W_h", "W_x", "b", "h0", "metadata")
_REQUIRED = ("format", "version", "units", "inputs", "W_h")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _rational(value: int | str) -> Fraction:
    """A rational the schema has accepted: a JSON integer or a canonical ``"p/q"`` string."""
    return Fraction(value) if isinstance(value, int) else parse_rational(value)


@dataclass(frozen=True)
class _Axis:
    """The declared names one index of a vector or matrix runs over (units or input symbols)."""

    names: tuple[str, ...]
    what: str

    @cached_property
    def known(self) -> frozenset[str]:
        return frozenset(self.names)


class _Reader:
    """Checks one parsed document whole, then builds the RNN; every error names the source and the
    JSON-pointer path: the header first, then the schema (``turing_tx/schemas/rnn.schema.json``), then
    what it cannot say (names declared, dense sizes, h0 in [0, 1])."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: tuple[object, ...], problem: str) -> ModelFormatError:
        return ModelFormatError(f"{self.source}: {pointer(path)}: {problem}")

    def vector(self, value: dict[str, Any] | list[Any], axis: _Axis, path: tuple[object, ...]) -> dict[str, Fraction]:
        """A sparse map name → rational, or a dense list in the order of the axis; zeros dropped."""
        if isinstance(value, list):
            if len(value) != len(axis.names):
                size = _count(len(value), "entry", "entries")
                raise self.error(path, f"{size}, expected {len(axis.names)} (one per {axis.what})")
            pairs: Iterable[tuple[str, Any]] = zip(axis.names, value, strict=True)
        else:
            for name in value:
                if name not in axis.known:
                    raise self.error((*path, name), f"unknown {axis.what} {name!r}")
            pairs = value.items()
        return {name: number for name, number in ((n, _rational(v)) for n, v in pairs) if number}

    def matrix(self, value: dict[str, Any] | list[Any], units: _Axis, columns: _Axis,
               key: str) -> dict[str, dict[str, Fraction]]:
        """Rows per target unit: a sparse map of maps, or a dense list of one row per unit."""
        if isinstance(value, list):
            if len(value) != len(units.names):
                rows = _count(len(value), "row", "rows")
                raise self.error((key,), f"{rows}, expected {len(units.names)} (one per unit)")
            indexed = [((key, i), unit, row) for i, (unit, row) in enumerate(zip(units.names, value, strict=True))]
        else:
            for unit in value:
                if unit not in units.known:
                    raise self.error((key, unit), f"unknown unit {unit!r}")
            indexed = [((key, unit), unit, row) for unit, row in value.items()]
        matrix = {unit: self.vector(row, columns, path) for path, unit, row in indexed}
        return {unit: row for unit, row in matrix.items() if row}

    def rnn(self, doc: Any) -> RNN:
        if not isinstance(doc, dict):
            raise self.error((), "expected a JSON object")
        self.header(doc)
        validate(doc, "rnn", self.source)
        units, inputs = _Axis(tuple(doc["units"]), "unit"), _Axis(tuple(doc["inputs"]), "input symbol")
        w_h = self.matrix(doc["W_h"], units, units, "W_h")
        w_x = self.matrix(doc.get("W_x", {}), units, inputs, "W_x")
        bias = self.vector(doc.get("b", {}), units, ("b",))
        h0 = self.vector(doc.get("h0", {}), units, ("h0",))
        for unit, value in h0.items():
            if not 0 <= value <= 1:
                raise self.error(("h0", unit), f"{value} is outside [0, 1]")
        try:
            return RNN(units.names, inputs.names, w_h=w_h, w_x=w_x, bias=bias, h0=h0, name=doc.get("name", ""),
                       metadata=dict(doc.get("metadata", {})))
        except ModelError as exc:  # defensive: every case above should have been caught first
            raise self.error((), str(exc)) from None

    def header(self, doc: Mapping[str, Any]) -> None:
        """The ``format`` and ``version`` fields, required keys present, no unknown keys: which document
        this is, before the schema of its version applies."""
        for key in doc:
            if key not in _KEYS:
                raise self.error((key,), f"unknown key {key!r} (expected {', '.join(_KEYS)})")
        for key in _REQUIRED:
            if key not in doc:
                raise self.error((), f"missing key {key!r}")
        if doc["format"] != FORMAT:
            raise self.error(("format",), f"expected {FORMAT!r}, got {show(doc['format'])}")
        if doc["version"] != VERSION or isinstance(doc["version"], bool):
            raise self.error(("version",), f"unknown version {show(doc['version'])} "
                                           f"(this reader knows version {VERSION})")


def rnn_from_json(doc: Any, source: str = "<string>") -> RNN:
    """The RNN written as the parsed document ``doc``; errors name ``source`` and the JSON-pointer path."""
    check_plain(doc, source)
    return _Reader(source).rnn(doc)


def loads(text: str, source: str = "<string>") -> RNN:
    """The RNN written as JSON ``text``; errors name ``source`` and the JSON-pointer path."""
    return rnn_from_json(load_json(text, source, ModelFormatError), source)


def load(path: str | Path) -> RNN:
    """The RNN stored in the JSON file ``path`` (strict UTF-8, a leading BOM skipped)."""
    return loads(read_text(path, MAX_JSON_BYTES, ModelFormatError), str(path))


def _row(entries: Mapping[str, Fraction], order: Sequence[str]) -> str:
    """One sparse row as compact JSON, zeros omitted, in the declared order of its names."""
    kept = {name: format_rational(entries[name]) for name in order if entries.get(name)}
    return json.dumps(kept, ensure_ascii=False)


def _matrix(rows: Mapping[str, Mapping[str, Fraction]], units: Sequence[str],
            columns: Sequence[str]) -> str:
    lines = [f"    {json.dumps(u, ensure_ascii=False)}: {_row(rows[u], columns)}" for u in units
             if any(rows.get(u, {}).values())]
    return "{\n" + ",\n".join(lines) + "\n  }" if lines else "{}"


def dumps(rnn: RNN) -> str:
    """Canonical sparse JSON of ``rnn``: one matrix row per line, entries in unit/input order."""
    try:
        metadata = json.dumps(dict(rnn.metadata), ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"RNN metadata is not JSON-serialisable: {exc}") from None
    fields = [
        ("format", json.dumps(FORMAT)),
        ("version", json.dumps(VERSION)),
        ("name", json.dumps(rnn.name, ensure_ascii=False)),
        ("units", json.dumps(list(rnn.units), ensure_ascii=False)),
        ("inputs", json.dumps(list(rnn.inputs), ensure_ascii=False)),
        ("W_h", _matrix(rnn.w_h, rnn.units, rnn.units)),
        ("W_x", _matrix(rnn.w_x, rnn.units, rnn.inputs)),
        ("b", _row(rnn.bias, rnn.units)),
        ("h0", _row(rnn.h0, rnn.units)),
        ("metadata", metadata),
    ]
    return "{\n" + ",\n".join(f"  {json.dumps(key)}: {value}" for key, value in fields) + "\n}\n"


def save(rnn: RNN, path: str | Path) -> None:
    """Write ``rnn`` to ``path`` atomically (a temporary file beside it, then ``os.replace``)."""
    write_atomic(path, dumps(rnn))
