"""Model JSON: every part by name, exact rationals as ``"p/q"`` strings, loaded back identically.

Documented in ``docs/formats.md``, "Model JSON": a model is one UTF-8 JSON object

    {"format": "turing-tx-model", "version": 1, "construction": ..., "coords": [...],
     "positional_encoding": {"name": ..., "features": {coord: "1" | "i" | "1/i" | "1/i^2"}} | null,
     "embedding": {token: {coord: "p/q"}}, "decoder_seed": {coord: "p/q"},
     "encoder": [layer, ...], "decoder": [layer, ...], "metadata": {...}, "ablations": [...]}

with layer = {"name", "self_attn", "cross_attn" (or null), "ffn"}; an attention sublayer =
{"name", "source", "residual", "heads": [head]}; a head = {"name", "score", "pattern", "normalizer",
"Q", "K", "V"}; an FFN = {"name", "hidden", "activation", "W1", "b1", "W2", "b2", "residual"}; a
residual = {"name", "enabled", "scale"}. Matrices are sparse maps ``input → {output → "p/q"}``.
Choices, and why: biases of Q/K/V are not needed by any construction, so there
is no ``one`` convention; the output projection is folded into V; positional encodings are named
features of i rather than code.

A document is checked whole before any part is built, and the first problem is one
:class:`~turing_tx.errors.ModelFormatError` line with the JSON-pointer path of the culprit: plain JSON
(no NaN, no over-long integer, no deep nesting), the ``format`` and ``version`` header, the schema
``turing_tx/schemas/model.schema.json`` (types, required and unknown keys, distinct names, canonical
rationals, size bounds), then what a schema cannot say: every coordinate and hidden unit a part uses is
declared, part names are unique, each attention sublayer reads the stack its place says, windows and
temperatures are positive, and the machine in the metadata has a table of its declared shape.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Attention, FeedForward, Head, Layer, Model, Normalizer, Residual
from turing_tx.engine.patterns import Pattern
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.errors import ModelError, ModelFormatError
from turing_tx.io.atomic import write_atomic
from turing_tx.io.rationals import format_rational, parse_rational
from turing_tx.io.schema import check_plain, pointer, show, validate
from turing_tx.io.strict_json import load_json
from turing_tx.io.textfile import read_text

FORMAT, VERSION = "turing-tx-model", 1
MAX_MODEL_BYTES = 256 << 20


# -- writing --------------------------------------------------------------------------------------
def _vector(vector: Mapping[str, Fraction]) -> dict[str, str]:
    return {name: format_rational(Fraction(v)) for name, v in vector.items() if v}


def _matrix(lmap: LinearMap) -> dict[str, dict[str, str]]:
    return {source: _vector(row) for source, row in lmap.entries.items()}


def _residual(residual: Residual) -> dict[str, Any]:
    return {"name": residual.name, "enabled": residual.enabled, "scale": format_rational(residual.scale)}


def _head(head: Head) -> dict[str, Any]:
    normalizer = head.normalizer
    return {
        "name": head.name, "score": head.score, "pattern": head.pattern.to_json(),
        "normalizer": {"kind": normalizer.kind, "temperature": format_rational(normalizer.temperature),
                       "features": normalizer.features, "seed": normalizer.seed},
        "Q": _matrix(head.query), "K": _matrix(head.key), "V": _matrix(head.value),
    }


def _attention(sub: Attention | None) -> dict[str, Any] | None:
    if sub is None:
        return None
    return {"name": sub.name, "source": sub.source, "residual": _residual(sub.residual),
            "heads": [_head(h) for h in sub.heads]}


def _ffn(ffn: FeedForward) -> dict[str, Any]:
    return {"name": ffn.name, "hidden": list(ffn.hidden), "activation": ffn.activation,
            "W1": _matrix(ffn.w1), "b1": _vector(ffn.b1), "W2": _matrix(ffn.w2), "b2": _vector(ffn.b2),
            "residual": _residual(ffn.residual)}


def _layer(layer: Layer) -> dict[str, Any]:
    return {"name": layer.name, "self_attn": _attention(layer.self_attn),
            "cross_attn": _attention(layer.cross_attn), "ffn": _ffn(layer.ffn)}


def model_to_json(model: Model) -> dict[str, Any]:
    encoding = model.positional_encoding
    return {
        "format": FORMAT, "version": VERSION, "construction": model.construction,
        "coords": list(model.coords),
        "positional_encoding": None if encoding is None else {"name": encoding.name,
                                                               "features": dict(encoding.features)},
        "embedding": {token: _vector(v) for token, v in model.embedding.items()},
        "decoder_seed": _vector(model.decoder_seed),
        "encoder": [_layer(layer) for layer in model.encoder],
        "decoder": [_layer(layer) for layer in model.decoder],
        "metadata": dict(model.metadata),
        "ablations": list(model.ablations),
    }


def dumps(model: Model) -> str:
    return json.dumps(model_to_json(model), indent=1, ensure_ascii=False) + "\n"


def save(model: Model, path: str | Path) -> None:
    """Write ``model`` to ``path`` atomically."""
    write_atomic(path, dumps(model))


# -- reading: the checks ---------------------------------------------------------------------------
Where = tuple[object, ...]
Problem = tuple[Where, str]
WINDOWED = ("window", "strided", "bigbird")


def _check_header(data: Any, source: str) -> None:
    """The document says it is a model JSON of this version (which decides the schema that applies)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelFormatError(f"{source}: /format: not a turing-tx model (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ModelFormatError(f"{source}: /version: unsupported version {show(data.get('version'))} "
                               f"(this reader knows {VERSION})")


def _unknown(names: Iterable[str], known: Collection[str], path: Where, what: str) -> Iterator[Problem]:
    """Each of ``names`` (keys at ``path``) that is not one of ``known``."""
    for name in names:
        if name not in known:
            yield (*path, name), f"unknown {what} {name!r}"


def _matrix_problems(matrix: dict[str, dict[str, str]], path: Where, rows: Collection[str], row_kind: str,
                     columns: Collection[str], column_kind: str) -> Iterator[Problem]:
    """Rows of ``matrix`` that are not ``rows``, then entries that are not ``columns``."""
    yield from _unknown(matrix, rows, path, row_kind)
    for row, entries in matrix.items():
        yield from _unknown(entries, columns, (*path, row), column_kind)


def _machine_problems(machine: dict[str, Any], path: Where) -> Iterator[Problem]:
    """The machine a model records: halt names apart from states, and a table of one entry per state
    and symbol whose writes, next states and halt names exist."""
    symbols, states, halts, table = machine["symbols"], machine["states"], machine["halts"], machine["table"]
    for index, halt in enumerate(halts):
        if halt in states:
            yield (*path, "halts", index), f"{halt!r} is both a state and a halt name"
    if len(table) != len(states):
        yield (*path, "table"), f"expected {len(states)} rows (one per state), got {len(table)}"
    for q, row in enumerate(table):
        if len(row) != len(symbols):
            yield (*path, "table", q), f"expected {len(symbols)} entries (one per symbol), got {len(row)}"
        for a, entry in enumerate(row):
            where = (*path, "table", q, a)
            target, halt = entry.get("next"), entry.get("halt")
            if entry["write"] >= len(symbols):
                yield (*where, "write"), f"symbol {entry['write']} is not in 0..{len(symbols) - 1}"
            if target is not None and target not in states:
                yield (*where, "next"), f"unknown state {target!r}"
            if halt is not None and halt not in halts:
                yield (*where, "halt"), f"unknown halt name {halt!r}"
            if (target is None) == (halt is None):
                yield where, "an entry goes to exactly one state (next) or halt name (halt)"
    for index, state in enumerate(machine.get("added_states", [])):
        if state >= len(states):
            yield (*path, "added_states", index), f"{state} is not a state (0..{len(states) - 1})"


class _Checks:
    """What the schema cannot say about a schema-valid model document, as (path, problem) pairs in
    document order: every name a part uses is declared, and part names are unique (the interpreter and
    the ablations address heads, FFNs and residuals by name)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.coords = frozenset(data["coords"])
        self.parts: dict[str, Where] = {}

    def problems(self) -> Iterator[Problem]:
        data = self.data
        encoding = data.get("positional_encoding")
        if encoding is not None:
            yield from _unknown(encoding["features"], self.coords, ("positional_encoding", "features"), "coordinate")
        for token, vector in data["embedding"].items():
            yield from _unknown(vector, self.coords, ("embedding", token), "coordinate")
        yield from _unknown(data["decoder_seed"], self.coords, ("decoder_seed",), "coordinate")
        for stack in ("encoder", "decoder"):
            for index, layer in enumerate(data[stack]):
                yield from self.layer(layer, (stack, index), stack == "encoder")
        machine = data["metadata"].get("machine")
        if machine is not None:
            yield from _machine_problems(machine, ("metadata", "machine"))

    def name(self, part: dict[str, Any], path: Where) -> Iterator[Problem]:
        """``part``'s name, unless an earlier part has it."""
        first = self.parts.setdefault(part["name"], path)
        if first != path:
            yield (*path, "name"), f"duplicate part name {part['name']!r} (also {pointer((*first, 'name'))})"

    def layer(self, layer: dict[str, Any], path: Where, encoder: bool) -> Iterator[Problem]:
        """A layer's parts; its self-attention reads its own stack, a decoder's cross-attention the
        encoder, and an encoder layer has no cross-attention (the interpreter would ignore one)."""
        yield from self.name(layer, path)
        if encoder and layer.get("cross_attn") is not None:
            yield (*path, "cross_attn"), "an encoder layer has no cross-attention (write null)"
        for key, source in (("self_attn", "self"), ("cross_attn", "encoder")):
            sub = layer.get(key)
            if sub is None:
                continue
            if sub["source"] != source:
                yield (*path, key, "source"), f"the {key} sublayer reads {source!r}, got {sub['source']!r}"
            yield from self.attention(sub, (*path, key))
        yield from self.ffn(layer["ffn"], (*path, "ffn"))

    def attention(self, sub: dict[str, Any], path: Where) -> Iterator[Problem]:
        yield from self.name(sub, path)
        yield from self.name(sub["residual"], (*path, "residual"))
        for index, head in enumerate(sub["heads"]):
            yield from self.head(head, (*path, "heads", index))

    def head(self, head: dict[str, Any], path: Where) -> Iterator[Problem]:
        yield from self.name(head, path)
        pattern, temperature = head["pattern"], head["normalizer"].get("temperature", "1")
        if pattern["kind"] in WINDOWED and pattern.get("w", 0) < 1:
            yield (*path, "pattern", "w"), f"a {pattern['kind']} pattern needs a window w of at least 1"
        if parse_rational(temperature) <= 0:
            yield (*path, "normalizer", "temperature"), f"the temperature must be positive, got {temperature}"
        yield from _unknown(head["Q"], self.coords, (*path, "Q"), "coordinate")
        yield from _unknown(head["K"], self.coords, (*path, "K"), "coordinate")
        yield from _matrix_problems(head["V"], (*path, "V"), self.coords, "coordinate", self.coords, "coordinate")

    def ffn(self, ffn: dict[str, Any], path: Where) -> Iterator[Problem]:
        yield from self.name(ffn, path)
        yield from self.name(ffn["residual"], (*path, "residual"))
        hidden = frozenset(ffn["hidden"])
        yield from _matrix_problems(ffn["W1"], (*path, "W1"), self.coords, "coordinate", hidden, "hidden unit")
        yield from _unknown(ffn.get("b1", {}), hidden, (*path, "b1"), "hidden unit")
        yield from _matrix_problems(ffn["W2"], (*path, "W2"), hidden, "hidden unit", self.coords, "coordinate")
        yield from _unknown(ffn.get("b2", {}), self.coords, (*path, "b2"), "coordinate")


# -- reading: building the model from a checked document --------------------------------------------
def _rationals(vector: dict[str, str]) -> dict[str, Fraction]:
    return {name: parse_rational(text) for name, text in vector.items()}


def _linear(matrix: dict[str, dict[str, str]]) -> LinearMap:
    return LinearMap.build({row: _rationals(entries) for row, entries in matrix.items()})


def _residual_from(obj: dict[str, Any]) -> Residual:
    return Residual(obj["name"], obj["enabled"], parse_rational(obj["scale"]))


def _head_from(obj: dict[str, Any]) -> Head:
    normalizer = obj["normalizer"]
    return Head(obj["name"], _linear(obj["Q"]), _linear(obj["K"]), _linear(obj["V"]), obj["score"],
                Pattern.from_json(obj["pattern"]),
                Normalizer(normalizer["kind"], parse_rational(normalizer.get("temperature", "1")),
                           normalizer.get("features", 0), normalizer.get("seed", 0)))


def _attention_from(obj: dict[str, Any]) -> Attention:
    return Attention(obj["name"], obj["source"], tuple(_head_from(h) for h in obj["heads"]),
                     _residual_from(obj["residual"]))


def _ffn_from(obj: dict[str, Any]) -> FeedForward:
    return FeedForward(obj["name"], tuple(obj["hidden"]), _linear(obj["W1"]), _rationals(obj.get("b1", {})),
                       _linear(obj["W2"]), _rationals(obj.get("b2", {})), obj["activation"],
                       _residual_from(obj["residual"]))


def _layer_from(obj: dict[str, Any]) -> Layer:
    cross = obj.get("cross_attn")
    return Layer(obj["name"], _attention_from(obj["self_attn"]), _ffn_from(obj["ffn"]),
                 None if cross is None else _attention_from(cross))


def _model_from(data: dict[str, Any]) -> Model:
    encoding = data.get("positional_encoding")
    return Model(
        construction=data["construction"],
        coords=tuple(data["coords"]),
        embedding={token: _rationals(vector) for token, vector in data["embedding"].items()},
        encoder=tuple(_layer_from(layer) for layer in data["encoder"]),
        decoder=tuple(_layer_from(layer) for layer in data["decoder"]),
        decoder_seed=_rationals(data["decoder_seed"]),
        positional_encoding=None if encoding is None else PositionalEncoding(encoding["name"],
                                                                             dict(encoding["features"])),
        metadata=data["metadata"],
        ablations=tuple(data["ablations"]),
    )


def model_from_json(data: Any, source: str = "<model>") -> Model:
    """The model written as the parsed document ``data``, checked whole before any part is built: plain
    JSON, then the header, the schema (``turing_tx/schemas/model.schema.json``) and the names parts use.
    The first problem is a :class:`ModelFormatError` naming ``source`` and its JSON-pointer path."""
    check_plain(data, source)
    _check_header(data, source)
    validate(data, "model", source)
    problem = next(_Checks(data).problems(), None)
    if problem is not None:
        path, text = problem
        raise ModelFormatError(f"{source}: {pointer(path)}: {text}")
    try:
        return _model_from(data)
    except ModelError as exc:  # the parts' own invariants, should a check above ever let one through
        raise ModelFormatError(f"{source}: {exc}") from None


def loads(text: str, source: str = "<model>") -> Model:
    return model_from_json(load_json(text, source, ModelFormatError), source)


def load(path: str | Path) -> Model:
    """Read a model file (at most 256 MiB), with one-line errors naming the file and JSON path."""
    return loads(read_text(path, MAX_MODEL_BYTES, ModelFormatError), str(path))
