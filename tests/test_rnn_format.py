"""The RNN JSON format (turing_tx.rnn.rnn_json): round trips, the dense form, and every bad-file error."""

from __future__ import annotations

import json
import os
from fractions import Fraction as F
from pathlib import Path

import pytest

from turing_tx.constructions.siegelmann_sontag import compile_rnn
from turing_tx.errors import ModelError, ModelFormatError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN

SPARSE = {
    "format": "turing-tx-rnn", "version": 1, "name": "toy",
    "units": ["u1", "u2"], "inputs": ["a", "$"],
    "W_h": {"u1": {"u1": "1/2", "u2": "1/3"}, "u2": {"u1": "-1", "u2": "1/4"}},
    "W_x": {"u1": {"a": "1"}, "u2": {"a": "1/2", "$": "1/3"}},
    "b": {"u1": "1/8"}, "h0": {}, "metadata": {"note": "a two-unit toy RNN"},
}
DENSE = {
    "format": "turing-tx-rnn", "version": 1, "name": "toy",
    "units": ["u1", "u2"], "inputs": ["a", "$"],
    "W_h": [["1/2", "1/3"], [-1, "1/4"]],
    "W_x": [[1, 0], ["1/2", "1/3"]],
    "b": ["1/8", "0"], "h0": [0, 0], "metadata": {"note": "a two-unit toy RNN"},
}


def toy() -> RNN:
    return RNN(("u1", "u2"), ("a", "$"),
               {"u1": {"u1": F(1, 2), "u2": F(1, 3)}, "u2": {"u1": F(-1), "u2": F(1, 4)}},
               {"u1": {"a": F(1)}, "u2": {"a": F(1, 2), "$": F(1, 3)}},
               {"u1": F(1, 8)}, {}, "toy", {"note": "a two-unit toy RNN"})


def test_sparse_and_dense_forms_load_to_the_same_rnn() -> None:
    assert rnn_json.loads(json.dumps(SPARSE)) == toy()
    assert rnn_json.loads(json.dumps(DENSE)) == toy()


def test_mixed_forms_and_optional_fields() -> None:
    minimal = {"format": "turing-tx-rnn", "version": 1, "units": ["u"], "inputs": ["$"],
               "W_h": [["1/2"]], "b": {"u": "1/4"}}
    rnn = rnn_json.loads(json.dumps(minimal))
    assert (rnn.w_h, rnn.w_x, rnn.bias, rnn.h0, rnn.name) == ({"u": {"u": F(1, 2)}}, {}, {"u": F(1, 4)}, {}, "")
    assert list(rnn.run(["$"], 2)) == [{"u": F(1, 4)}, {"u": F(3, 8)}]


def test_dumps_is_canonical_sparse_and_round_trips() -> None:
    text = rnn_json.dumps(toy())
    assert json.loads(text)["W_h"] == SPARSE["W_h"]
    assert '"b": {"u1": "1/8"}' in text
    assert rnn_json.loads(text) == toy()
    assert rnn_json.dumps(rnn_json.loads(text)) == text


def test_compiled_siegelmann_sontag_rnn_round_trips(tmp_path: Path) -> None:
    rnn = compile_rnn(parse_machine("1RB2LB1RZ_2LA2RB1LB"), (1, 0, 2))
    path = tmp_path / "ss.json"
    rnn_json.save(rnn, path)
    loaded = rnn_json.load(path)
    assert loaded == rnn
    word = ["1", "0", "2", "$"]
    assert list(loaded.run(word, 40)) == list(rnn.run(word, 40))


def test_save_is_atomic_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    rnn_json.save(toy(), path)
    assert rnn_json.load(path) == toy()
    assert os.listdir(tmp_path) == ["m.json"]


def test_unserialisable_metadata_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    bad = RNN(("u",), ("$",), {}, {}, {}, {}, metadata={"x": object()})
    with pytest.raises(ModelError, match="metadata is not JSON-serialisable"):
        rnn_json.save(bad, path)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["m.json"]


def _with(**changes: object) -> str:
    doc = dict(SPARSE)
    for key, value in changes.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    return json.dumps(doc)


@pytest.mark.parametrize(("text", "message"), [
    ("[1]", "/: expected a JSON object"),
    (_with(extra=1), "/extra: unknown key 'extra'"),
    (_with(W_h=None), "/: missing key 'W_h'"),
    (_with(format="turing-tx-model"), "/format: expected 'turing-tx-rnn', got \"turing-tx-model\""),
    (_with(version=2), "/version: unknown version 2 "),
    (_with(version=True), "/version: unknown version true"),
    (_with(units=[]), "/units: expected a non-empty list of names"),
    (_with(units=["u1", "u1"]), "/units/1: duplicate name 'u1'"),
    (_with(inputs=["a", 3]), "/inputs/1: expected a non-empty string, got 3"),
    (_with(name=3), "/name: expected a string, got 3"),
    (_with(metadata=[]), "/metadata: expected a JSON object"),
    # non-rational entries
    (_with(b={"u1": "0.5"}), "/b/u1: '0.5' is not a rational 'p/q' or 'p'"),
    (_with(b={"u1": 0.5}), "/b/u1: 0.5 is not an exact rational; write it as a string such as \"1/2\""),
    (_with(b={"u1": True}), "/b/u1: true is not an exact rational"),
    (_with(b={"u1": "1/0"}), "/b/u1: '1/0' has a zero denominator"),
    (_with(b={"u1": "2/4"}), "/b/u1: '2/4' is not canonical .*; write '1/2'"),
    (_with(b={"u1": "3/1"}), "/b/u1: '3/1' is not canonical .*; write '3'"),
    (_with(b={"u1": "-0"}), "/b/u1: '-0' is not canonical .*; write '0'"),
    (_with(b={"u1": "007"}), "/b/u1: '007' is not canonical .*; write '7'"),
    (_with(W_h={"u1": {"u2": " 1"}}), "/W_h/u1/u2: ' 1' is not a rational"),
    # unknown names
    (_with(W_h={"u3": {}}), "/W_h/u3: unknown unit 'u3'"),
    (_with(W_h={"u1": {"u3": "1"}}), "/W_h/u1/u3: unknown unit 'u3'"),
    (_with(W_x={"u1": {"b": "1"}}), "/W_x/u1/b: unknown input symbol 'b'"),
    (_with(b={"x/y": "1"}), "/b/x~1y: unknown unit 'x/y'"),
    (_with(h0={"u1": "3/2"}), "/h0/u1: 3/2 is outside \\[0, 1\\]"),
    (_with(h0={"u1": "-1/2"}), "/h0/u1: -1/2 is outside \\[0, 1\\]"),
    # dense sizes
    (_with(W_h=[["1", "0"]]), "/W_h: 1 row, expected 2 \\(one per unit\\)"),
    (_with(W_h=[["1", "0", "0"], ["0", "1"]]), "/W_h/0: 3 entries, expected 2 \\(one per unit\\)"),
    (_with(W_x=[["1"], ["0", "1"]]), "/W_x/0: 1 entry, expected 2 \\(one per input symbol\\)"),
    (_with(b=["1"]), "/b: 1 entry, expected 2 \\(one per unit\\)"),
    (_with(W_h="1"), "/W_h: expected an object or a list of rows, got \"1\""),
    (_with(W_h={"u1": 1}), "/W_h/u1: expected an object or a list, got 1"),
])
def test_bad_documents(text: str, message: str) -> None:
    with pytest.raises(ModelFormatError, match="^rnn.json: " + message) as caught:
        rnn_json.loads(text, "rnn.json")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": "turing-tx-rnn", "format": "x"}', "rnn.json: /: duplicate key 'format'"),
    ('{"format": "turing-tx-rnn", "version": 1, "units": ["u"], "inputs": ["$"], '
     '"W_h": {"u": {"u": "1", "u": "2"}}}', "rnn.json: /W_h/u: duplicate key 'u'"),
    ('{"format": "turing-tx-rnn", "version": 1, "units": ["u"], "inputs": ["$"], "W_h": {}, '
     '"metadata": {"a": [{"b": 1, "b": 2}]}}', "rnn.json: /metadata/a/0: duplicate key 'b'"),
    ('{"format": "turing-tx-rnn",\n  "version": }', "rnn.json:2:14: invalid JSON: Expecting value"),
])
def test_duplicate_keys_and_syntax(text: str, message: str) -> None:
    with pytest.raises(ModelFormatError) as caught:
        rnn_json.loads(text, "rnn.json")
    assert str(caught.value) == message


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match="missing.json: no such file"):
        rnn_json.load(tmp_path / "missing.json")
    with pytest.raises(ModelFormatError, match="is a directory"):
        rnn_json.load(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(ModelFormatError, match=r"bad.json:1:13: invalid UTF-8 \(byte 0xff\)"):
        rnn_json.load(bad)


def test_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(SPARSE).encode())
    assert rnn_json.load(path) == toy()
