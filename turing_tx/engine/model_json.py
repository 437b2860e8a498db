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
features of i rather than code. Readers reject unknown versions, malformed or unreduced rationals,
duplicate keys and names missing from ``coords``, with the JSON-pointer path of the culprit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
from turing_tx.io.strict_json import JsonReader, load_json
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


# -- reading --------------------------------------------------------------------------------------
class _Reader(JsonReader):
    """Typed access to a model document: rationals, vectors, matrices and parts, errors with the path."""

    def __init__(self, source: str) -> None:
        super().__init__(source, ModelFormatError)

    def rational(self, text: Any, path: str) -> Fraction:
        if not isinstance(text, str):
            raise self.fail(path, f"{json.dumps(text)} is not an exact rational (write it as a string \"p/q\")")
        try:
            return parse_rational(text)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None

    def vector(self, obj: Any, path: str) -> dict[str, Fraction]:
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object of rationals")
        return {name: self.rational(v, f"{path}/{name}") for name, v in obj.items()}

    def matrix(self, obj: Any, path: str) -> LinearMap:
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object of rows")
        return LinearMap.build({name: self.vector(row, f"{path}/{name}") for name, row in obj.items()})

    def residual(self, obj: Any, path: str) -> Residual:
        return Residual(self.get(obj, "name", path, str), self.get(obj, "enabled", path, bool),
                        self.rational(self.get(obj, "scale", path, str), f"{path}/scale"))

    def head(self, obj: Any, path: str) -> Head:
        pattern = self.get(obj, "pattern", path, dict)
        normalizer = self.get(obj, "normalizer", path, dict)
        try:
            return Head(self.get(obj, "name", path, str), self.matrix(obj.get("Q"), f"{path}/Q"),
                        self.matrix(obj.get("K"), f"{path}/K"), self.matrix(obj.get("V"), f"{path}/V"),
                        self.get(obj, "score", path, str), Pattern.from_json(pattern),
                        Normalizer(self.get(normalizer, "kind", f"{path}/normalizer", str),
                                   self.rational(normalizer.get("temperature", "1"), f"{path}/normalizer"),
                                   int(normalizer.get("features", 0)), int(normalizer.get("seed", 0))))
        except (ModelError, KeyError, TypeError, ValueError) as exc:
            raise self.fail(path, str(exc)) from None

    def attention(self, obj: Any, path: str) -> Attention | None:
        if obj is None:
            return None
        source = self.get(obj, "source", path, str)
        if source not in ("self", "encoder"):
            raise self.fail(f"{path}/source", f"expected self or encoder, got {source!r}")
        heads = self.get(obj, "heads", path, list)
        return Attention(self.get(obj, "name", path, str), source,
                         tuple(self.head(h, f"{path}/heads/{i}") for i, h in enumerate(heads)),
                         self.residual(self.get(obj, "residual", path, dict), f"{path}/residual"))

    def ffn(self, obj: Any, path: str) -> FeedForward:
        hidden = self.get(obj, "hidden", path, list)
        if not all(isinstance(h, str) for h in hidden):
            raise self.fail(f"{path}/hidden", "expected a list of unit names")
        try:
            return FeedForward(
                self.get(obj, "name", path, str), tuple(hidden),
                self.matrix(obj.get("W1"), f"{path}/W1"), self.vector(obj.get("b1", {}), f"{path}/b1"),
                self.matrix(obj.get("W2"), f"{path}/W2"), self.vector(obj.get("b2", {}), f"{path}/b2"),
                self.get(obj, "activation", path, str),
                self.residual(self.get(obj, "residual", path, dict), f"{path}/residual"))
        except ModelError as exc:
            raise self.fail(path, str(exc)) from None

    def layers(self, items: list[Any], path: str) -> tuple[Layer, ...]:
        return tuple(self.layer(item, f"{path}/{i}") for i, item in enumerate(items))

    def layer(self, obj: Any, path: str) -> Layer:
        return Layer(self.get(obj, "name", path, str), self.attention(self.get(obj, "self_attn", path, dict),
                                                                      f"{path}/self_attn"),
                     self.ffn(self.get(obj, "ffn", path, dict), f"{path}/ffn"),
                     self.attention(self.get(obj, "cross_attn", path, dict, optional=True), f"{path}/cross_attn"))


def model_from_json(data: Any, source: str = "<model>") -> Model:
    reader = _Reader(source)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise reader.fail("/format", f"not a turing-tx model (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise reader.fail("/version", f"unsupported version {data.get('version')!r} (this reader knows {VERSION})")
    coords = reader.get(data, "coords", "", list)
    encoding = reader.get(data, "positional_encoding", "", dict, optional=True)
    try:
        positional = None if encoding is None else PositionalEncoding(
            reader.get(encoding, "name", "/positional_encoding", str),
            reader.get(encoding, "features", "/positional_encoding", dict))
        return Model(
            construction=reader.get(data, "construction", "", str),
            coords=tuple(coords),
            embedding={t: reader.vector(v, f"/embedding/{t}")
                       for t, v in reader.get(data, "embedding", "", dict).items()},
            encoder=reader.layers(reader.get(data, "encoder", "", list), "/encoder"),
            decoder=reader.layers(reader.get(data, "decoder", "", list), "/decoder"),
            decoder_seed=reader.vector(reader.get(data, "decoder_seed", "", dict), "/decoder_seed"),
            positional_encoding=positional,
            metadata=reader.get(data, "metadata", "", dict),
            ablations=tuple(reader.get(data, "ablations", "", list)),
        )
    except ModelError as exc:
        raise ModelFormatError(f"{source}: {exc}") from None


def loads(text: str, source: str = "<model>") -> Model:
    return model_from_json(load_json(text, source, ModelFormatError), source)


def load(path: str | Path) -> Model:
    """Read a model file (at most 256 MiB), with one-line errors naming the file and JSON path."""
    return loads(read_text(path, MAX_MODEL_BYTES, ModelFormatError), str(path))
