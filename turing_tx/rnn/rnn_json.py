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
- Errors are :class:`~turing_tx.errors.ModelFormatError` with one line naming the file and the
  JSON-pointer path, e.g. ``rnn.json: /W_h/u1/u3: unknown unit 'u3'``. Duplicate keys, unknown keys
  and unknown versions are errors; nothing is repaired.

:func:`save` writes atomically (a temporary file in the same directory, then ``os.replace``), so a
crash never leaves a half-written model behind.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from turing_tx.errors import ModelError, ModelFormatError
from turing_tx.io.atomic import write_atomic
from turing_tx.io.rationals import format_rational, parse_rational
from turing_tx.io.strict_json import json_pointer, load_json
from turing_tx.io.textfile import read_text
from turing_tx.rnn.network import RNN

MAX_JSON_BYTES = 64 << 20
FORMAT = "turing-tx-rnn"
VERSION = 1
_KEYS = ("format", "version", "name", "units", "inputs", "W_h", "W_x", "b", "h0", "metadata")
_REQUIRED = ("format", "version", "units", "inputs", "W_h")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class _Reader:
    """Validates one parsed document; every error names the source and the JSON-pointer path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: tuple[object, ...], problem: str) -> ModelFormatError:
        return ModelFormatError(f"{self.source}: {json_pointer(*path)}: {problem}")

    def rational(self, value: Any, path: tuple[object, ...]) -> Fraction:
        """An exact rational: ``"p/q"`` in lowest terms (q > 1), ``"p"``, or a JSON integer."""
        if isinstance(value, int) and not isinstance(value, bool):
            return Fraction(value)
        if not isinstance(value, str):
            hint = f"; write it as a string such as \"{Fraction(value).limit_denominator()}\"" if (
                isinstance(value, float) and math.isfinite(value)) else ""
            raise self.error(path, f"{json.dumps(value)} is not an exact rational{hint}")
        try:
            return parse_rational(value)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None

    def names(self, doc: Mapping[str, Any], key: str) -> tuple[str, ...]:
        """A non-empty list of distinct non-empty strings (the unit or input names)."""
        value = doc[key]
        if not isinstance(value, list) or not value:
            raise self.error((key,), "expected a non-empty list of names")
        seen: set[str] = set()
        for index, name in enumerate(value):
            if not isinstance(name, str) or not name:
                raise self.error((key, index), f"expected a non-empty string, got {json.dumps(name)}")
            if name in seen:
                raise self.error((key, index), f"duplicate name {name!r}")
            seen.add(name)
        return tuple(value)

    def vector(self, value: Any, names: Sequence[str], path: tuple[object, ...],
               what: str) -> dict[str, Fraction]:
        """A sparse map name → rational, or a dense list in the order of ``names``; zeros dropped."""
        if isinstance(value, list):
            if len(value) != len(names):
                size = _count(len(value), "entry", "entries")
                raise self.error(path, f"{size}, expected {len(names)} (one per {what})")
            pairs = [(name, self.rational(item, (*path, i))) for i, (name, item) in
                     enumerate(zip(names, value, strict=True))]
        elif isinstance(value, dict):
            known = set(names)
            pairs = []
            for name, item in value.items():
                if name not in known:
                    raise self.error((*path, name), f"unknown {what} {name!r}")
                pairs.append((name, self.rational(item, (*path, name))))
        else:
            raise self.error(path, f"expected an object or a list, got {json.dumps(value)}")
        return {name: number for name, number in pairs if number}

    def matrix(self, value: Any, units: Sequence[str], columns: Sequence[str], key: str,
               what: str) -> dict[str, dict[str, Fraction]]:
        """Rows per target unit: a sparse map of maps, or a dense list of ``len(units)`` rows."""
        if isinstance(value, list):
            if len(value) != len(units):
                raise self.error((key,), f"{_count(len(value), 'row', 'rows')}, expected {len(units)} (one per unit)")
            rows = zip(units, value, strict=True)
            indexed = [((key, i), unit, row) for i, (unit, row) in enumerate(rows)]
        elif isinstance(value, dict):
            known = set(units)
            for unit in value:
                if unit not in known:
                    raise self.error((key, unit), f"unknown unit {unit!r}")
            indexed = [((key, unit), unit, row) for unit, row in value.items()]
        else:
            raise self.error((key,), f"expected an object or a list of rows, got {json.dumps(value)}")
        matrix = {unit: self.vector(row, columns, path, what) for path, unit, row in indexed}
        return {unit: row for unit, row in matrix.items() if row}

    def rnn(self, doc: Any) -> RNN:
        if not isinstance(doc, dict):
            raise self.error((), "expected a JSON object")
        self.header(doc)
        units, inputs = self.names(doc, "units"), self.names(doc, "inputs")
        h0 = self.vector(doc.get("h0", {}), units, ("h0",), "unit")
        for unit, value in h0.items():
            if not 0 <= value <= 1:
                raise self.error(("h0", unit), f"{value} is outside [0, 1]")
        name, metadata = doc.get("name", ""), doc.get("metadata", {})
        if not isinstance(name, str):
            raise self.error(("name",), f"expected a string, got {json.dumps(name)}")
        if not isinstance(metadata, dict):
            raise self.error(("metadata",), "expected a JSON object")
        try:
            return RNN(units, inputs,
                       w_h=self.matrix(doc["W_h"], units, units, "W_h", "unit"),
                       w_x=self.matrix(doc.get("W_x", {}), units, inputs, "W_x", "input symbol"),
                       bias=self.vector(doc.get("b", {}), units, ("b",), "unit"),
                       h0=h0, name=name, metadata=dict(metadata))
        except ModelError as exc:  # defensive: every case above should have been caught first
            raise self.error((), str(exc)) from None

    def header(self, doc: Mapping[str, Any]) -> None:
        """The ``format`` and ``version`` fields, required keys present, no unknown keys."""
        for key in doc:
            if key not in _KEYS:
                raise self.error((key,), f"unknown key {key!r} (expected {', '.join(_KEYS)})")
        for key in _REQUIRED:
            if key not in doc:
                raise self.error((), f"missing key {key!r}")
        if doc["format"] != FORMAT:
            raise self.error(("format",), f"expected {FORMAT!r}, got {json.dumps(doc['format'])}")
        if doc["version"] != VERSION or isinstance(doc["version"], bool):
            raise self.error(("version",), f"unknown version {json.dumps(doc['version'])} "
                                           f"(this reader knows version {VERSION})")


def loads(text: str, source: str = "<string>") -> RNN:
    """The RNN written as JSON ``text``; errors name ``source`` and the JSON-pointer path."""
    doc = load_json(text, source, ModelFormatError)
    return _Reader(source).rnn(doc)


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
