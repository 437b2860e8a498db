"""The shipped JSON Schemas (turing_tx/schemas) and the readers that check a document whole before use.

Every schema is a valid draft 2020-12 schema; everything the project writes satisfies its schema (the
compiled networks of all four constructions, the library's RNNs, ``run --json``, ``prove --json`` and an
ablation report.json); and hostile model and RNN documents, hand-picked and randomly mutated, each end
in exactly one :class:`ModelFormatError` line naming the file and the JSON path, never another exception.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_cli import BB2, BB3, run_cli

from turing_tx.ablation.report import to_json
from turing_tx.ablation.study import StudyOptions, run_study
from turing_tx.ablation.transforms import removal
from turing_tx.constructions.perez import PEREZ
from turing_tx.engine import model_json
from turing_tx.errors import ModelFormatError
from turing_tx.io import schema as schemas
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.rnn import rnn_json

ROOT = Path(__file__).resolve().parent.parent
LIBRARY_RNNS = sorted((ROOT / "machines" / "rnn").glob("*.json"))
TRANSFORMERS = ["perez", "bhattamishra-pe", "bhattamishra-mask"]
Document = Any
Mutation = Callable[[Document], Any]


# -- the schemas themselves -------------------------------------------------------------------------
@pytest.mark.parametrize("name", schemas.SCHEMAS)
def test_every_shipped_schema_is_a_valid_local_schema(name: str) -> None:
    document = schemas.schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"urn:turing-tx:schema:{name}:1"
    refs = [line for line in json.dumps(document, indent=0).splitlines() if '"$ref"' in line]
    assert all('"#/$defs/' in line for line in refs), refs  # no reference leaves the file


def test_schemas_ship_in_the_package_and_nothing_else_does() -> None:
    shipped = {p.name.removesuffix(".schema.json") for p in (ROOT / "turing_tx" / "schemas").glob("*.json")}
    assert shipped == set(schemas.SCHEMAS)
    with pytest.raises(ValueError, match="no schema named 'nope'"):
        schemas.schema("nope")


@pytest.mark.parametrize("name", ["model", "rnn"])
def test_the_rational_pattern_bounds_digits_as_the_readers_do(name: str) -> None:
    """Plain jsonschema (no format checker, as ``python -m jsonschema`` runs it) and the readers agree on
    the MAX_DIGITS bound: the pattern in the schema is the documented form of the constant."""
    rational = schemas.schema(name)["$defs"]["rational"]
    longest, too_long = "1" + "0" * (schemas.MAX_DIGITS - 1), "1" + "0" * schemas.MAX_DIGITS
    for text in (longest, f"-{longest}/{'9' * schemas.MAX_DIGITS}", f"1/{longest}"):
        jsonschema.validate(text, rational)
        assert schemas._check_rational(text)
    for text in (too_long, f"1/{too_long}", "-0", "007", "3/1", "0.5", " 1"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(text, rational)
        with pytest.raises(ValueError):
            schemas._check_rational(text)


# -- what the project writes satisfies the schemas --------------------------------------------------
def _both_validators(document: Document, name: str) -> None:
    """``document`` passes the shipped schema as a plain jsonschema user reads it, and the readers' check."""
    jsonschema.validate(document, schemas.schema(name), cls=Draft202012Validator)
    schemas.validate(document, name, name)


@pytest.mark.parametrize("construction", TRANSFORMERS)
@pytest.mark.parametrize("machine", [BB2, "anbn", "increment"])
def test_compiled_transformers_satisfy_the_model_schema(capsys, tmp_path: Path, construction: str,
                                                         machine: str) -> None:
    path = tmp_path / "model.json"
    code, _, err = run_cli(capsys, "compile", machine, "-c", construction, "-o", str(path))
    assert code == 0, err
    _both_validators(json.loads(path.read_text(encoding="utf-8")), "model")
    loaded = model_json.load(path)
    ablated = removal(loaded, "dec0.ffn").apply(loaded)
    _both_validators(json.loads(model_json.dumps(ablated)), "model")


@pytest.mark.parametrize("machine", [BB2, BB3, "anbn"])
def test_compiled_siegelmann_sontag_rnns_satisfy_the_rnn_schema(capsys, tmp_path: Path, machine: str) -> None:
    path = tmp_path / "rnn.json"
    code, _, err = run_cli(capsys, "compile", machine, "-c", "siegelmann-sontag", "-o", str(path))
    assert code == 0, err
    _both_validators(json.loads(path.read_text(encoding="utf-8")), "rnn")
    assert rnn_json.load(path).units


@pytest.mark.parametrize("path", LIBRARY_RNNS, ids=lambda p: p.name)
def test_library_rnns_satisfy_the_rnn_schema(path: Path) -> None:
    _both_validators(json.loads(path.read_text(encoding="utf-8")), "rnn")


@pytest.mark.parametrize("argv", [
    [BB2], [BB3, "-c", "siegelmann-sontag"], ["anbn", "--input", "aabb"], [BB2, "-c", "bhattamishra-mask"],
    [BB2, "--max-steps", "2"], ["--rnn", "machines/rnn/counter.json", "--input", "aab$", "--max-steps", "6"],
])
def test_run_json_satisfies_the_run_report_schema(capsys, monkeypatch, argv: list[str]) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli(capsys, "run", *argv, "--json")
    assert code == 0, err
    _both_validators(json.loads(out), "run-report")


def test_run_json_of_a_model_file_satisfies_the_run_report_schema(capsys, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    assert run_cli(capsys, "compile", BB2, "-o", str(path))[0] == 0
    code, out, err = run_cli(capsys, "run", str(path), "--json")
    assert code == 0, err
    _both_validators(json.loads(out), "run-report")


def test_prove_json_satisfies_the_proof_report_schema(capsys) -> None:
    code, out, err = run_cli(capsys, "prove", "bb2", "--json")
    assert code == 0, err
    document = json.loads(out)
    _both_validators(document, "proof-report")
    assert document["proved"] and document["obligations"]


def test_ablation_report_satisfies_the_ablation_report_schema() -> None:
    report = run_study(["perez"], [(parse_machine(BB2), ())], StudyOptions())
    document = json.loads(to_json(report))
    _both_validators(document, "ablation-report")
    assert document["verdicts"] and document["results"]


def test_a_report_missing_a_key_is_named() -> None:
    report = json.loads(to_json(run_study(["perez"], [(parse_machine(BB2), ())], StudyOptions())))
    del report["verdicts"]
    with pytest.raises(ModelFormatError, match=r"^report.json: /verdicts: missing$"):
        schemas.validate(report, "ablation-report", "report.json")


# -- hostile model documents ------------------------------------------------------------------------
def _model() -> Document:
    return json.loads(model_json.dumps(PEREZ.compile(parse_machine(BB2)).model))


MODEL = _model()
HEAD = ("decoder", 2, "self_attn", "heads", 0)
FFN = ("decoder", 0, "ffn")
MACHINE = ("metadata", "machine")


def _parent(document: Document, path: tuple[Any, ...]) -> Any:
    """The container of the value at ``path``; LookupError or TypeError where there is none."""
    for key in path[:-1]:
        if not isinstance(document, dict | list):
            raise LookupError(f"no {key!r} in {type(document).__name__}")
        document = document[key]
    return document


def put(path: tuple[Any, ...], value: Any) -> Mutation:
    """Set the value at ``path`` (a new key of an object is added)."""
    def mutate(document: Document) -> None:
        _parent(document, path)[path[-1]] = value
    return mutate


def drop(path: tuple[Any, ...]) -> Mutation:
    def mutate(document: Document) -> None:
        del _parent(document, path)[path[-1]]
    return mutate


def append(path: tuple[Any, ...], value: Any) -> Mutation:
    def mutate(document: Document) -> None:
        _parent(document, (*path, None)).append(value)
    return mutate


def nested(depth: int) -> Any:
    """A list nested ``depth`` levels deep, built without recursion."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _replace_document(value: Any) -> Mutation:
    def mutate(document: Document) -> Any:
        return value
    return mutate


MODEL_CASES: list[tuple[str, Mutation, str]] = [
    # the header and the top level
    ("not an object", _replace_document([]), "/format: not a turing-tx model"),
    ("other format", put(("format",), "turing-tx-rnn"), "/format: not a turing-tx model"),
    ("version 2", put(("version",), 2), "/version: unsupported version 2"),
    ("version true", put(("version",), True), "/version: expected 1, got true"),
    ("version text", put(("version",), "1"), '/version: unsupported version "1"'),
    ("no coords", drop(("coords",)), "/coords: missing"),
    ("no embedding", drop(("embedding",)), "/embedding: missing"),
    ("unknown key", put(("extra",), 1), "/extra: unknown key 'extra' (expected format, version,"),
    ("construction a number", put(("construction",), 5), "/construction: expected a non-empty string, got 5"),
    # coordinates
    ("coords a string", put(("coords",), "abc"), '/coords: expected a non-empty list of coordinate names, got "abc"'),
    ("coords empty", put(("coords",), []), "/coords: expected a non-empty list of coordinate names, got an empty"),
    ("duplicate coordinate", append(("coords",), "state:A+"), "/coords/27: duplicate name 'state:A+'"),
    ("integer coordinate", append(("coords",), 5), "/coords/27: expected a non-empty string, got 5"),
    ("unhashable coordinate", append(("coords",), ["x"]), "/coords/27: expected a non-empty string, got a list"),
    ("empty coordinate", append(("coords",), ""), '/coords/27: expected a non-empty string, got ""'),
    ("long coordinate", append(("coords",), "x" * 5000),
     "/coords/27: a string of 5000 characters, more than the 4096 allowed"),
    ("lone surrogate", append(("coords",), "\ud800"), '/coords/27: "\\ud800" is not valid Unicode'),
    # embedding, seed, positional encoding
    ("embedding a list", put(("embedding",), []), "/embedding: expected a JSON object, got an empty list"),
    ("embedding unknown coordinate", put(("embedding", "0", "state:Q"), "1"),
     "/embedding/0/state:Q: unknown coordinate 'state:Q'"),
    ("empty token", put(("embedding", ""), {}), "/embedding/: invalid key: expected a non-empty string"),
    ("seed unknown coordinate", put(("decoder_seed", "nope"), "1"), "/decoder_seed/nope: unknown coordinate 'nope'"),
    ("seed float", put(("decoder_seed", "bos"), 0.5),
     '/decoder_seed/bos: 0.5 is not an exact rational; write it as a string such as "1/2"'),
    ("seed integer", put(("decoder_seed", "bos"), 1),
     '/decoder_seed/bos: expected an exact rational written as a string "p/q", got 1'),
    ("seed boolean", put(("decoder_seed", "bos"), True), "/decoder_seed/bos: true is not an exact rational"),
    ("seed null", put(("decoder_seed", "bos"), None), "/decoder_seed/bos: null is not an exact rational"),
    ("zero denominator", put(("decoder_seed", "bos"), "1/0"), "/decoder_seed/bos: '1/0' has a zero denominator"),
    ("unreduced", put(("decoder_seed", "bos"), "2/4"), "/decoder_seed/bos: '2/4' is not canonical"),
    ("negative zero", put(("decoder_seed", "bos"), "-0"), "/decoder_seed/bos: '-0' is not canonical"),
    ("decimal", put(("decoder_seed", "bos"), "0.5"), "/decoder_seed/bos: '0.5' is not a rational 'p/q' or 'p'"),
    ("blank", put(("decoder_seed", "bos"), " 1"), "/decoder_seed/bos: ' 1' is not a rational"),
    ("huge numerator text", put(("decoder_seed", "bos"), "1" + "0" * 5000),
     '/decoder_seed/bos: "1000'),
    ("huge denominator text", put(("decoder_seed", "bos"), "1/3" + "0" * 1000), "has more than 1000 digits"),
    ("huge integer weight", put((*FFN, "W1", "bos", "init"), 10 ** 5000),
     "/decoder/0/ffn/W1/bos/init: an integer of more than 1000 digits"),
    ("NaN weight", put((*FFN, "W1", "bos", "init"), float("nan")),
     "/decoder/0/ffn/W1/bos/init: NaN is not a JSON number"),
    ("infinite metadata", put(("metadata", "x"), float("inf")), "/metadata/x: Infinity is not a JSON number"),
    ("huge metadata integer", put(("metadata", "x"), -(10 ** 5000)), "/metadata/x: an integer of more than 1000"),
    ("deep metadata", put(("metadata", "x"), nested(10000)), "/metadata/x/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"),
    ("unknown feature", put(("positional_encoding", "features", "pos:i"), "i^3"),
     '/positional_encoding/features/pos:i: expected one of "1", "i", "1/i", "1/i^2", got "i^3"'),
    ("feature of unknown coordinate", put(("positional_encoding", "features", "zz"), "i"),
     "/positional_encoding/features/zz: unknown coordinate 'zz'"),
    ("encoding a list", put(("positional_encoding",), []),
     "/positional_encoding: expected null or a positional encoding, got an empty list"),
    ("encoding without name", drop(("positional_encoding", "name")), "/positional_encoding/name: missing"),
    # layers and sublayers
    ("encoder an object", put(("encoder",), {}), "/encoder: expected a list, got an object"),
    ("too many layers", put(("decoder",), [MODEL["decoder"][1]] * 1001),
     "/decoder: 1001 items, more than the 1000 allowed"),
    ("layer without ffn", drop(("decoder", 0, "ffn")), "/decoder/0/ffn: missing"),
    ("layer with unknown key", put(("decoder", 0, "bogus"), {}), "/decoder/0/bogus: unknown key 'bogus'"),
    ("null self-attention", put(("decoder", 0, "self_attn"), None),
     "/decoder/0/self_attn: expected a JSON object, got null"),
    ("cross-attention a string", put(("decoder", 0, "cross_attn"), "x"),
     '/decoder/0/cross_attn: expected null or an attention sublayer, got "x"'),
    ("unknown source", put(("decoder", 0, "self_attn", "source"), "other"),
     '/decoder/0/self_attn/source: expected one of "self", "encoder", got "other"'),
    ("decoder self-attention reading the encoder", put(("decoder", 2, "self_attn", "source"), "encoder"),
     "/decoder/2/self_attn/source: the self_attn sublayer reads 'self', got 'encoder'"),
    ("cross-attention reading itself", put(("decoder", 2, "cross_attn", "source"), "self"),
     "/decoder/2/cross_attn/source: the cross_attn sublayer reads 'encoder', got 'self'"),
    ("encoder with cross-attention", put(("encoder", 0, "cross_attn"), MODEL["decoder"][0]["cross_attn"]),
     "/encoder/0/cross_attn: an encoder layer has no cross-attention (write null)"),
    ("heads an object", put(("decoder", 0, "self_attn", "heads"), {}),
     "/decoder/0/self_attn/heads: expected a list, got an object"),
    ("too many heads", put(("decoder", 0, "self_attn", "heads"), [{}] * 1001),
     "/decoder/0/self_attn/heads: 1001 items, more than the 1000 allowed"),
    ("duplicate layer name", put(("decoder", 1, "name"), "dec0"),
     "/decoder/1/name: duplicate part name 'dec0' (also /decoder/0/name)"),
    ("duplicate head name", put(("decoder", 1, "self_attn", "heads", 0, "name"), "dec0.self_attn.head0"),
     "/decoder/1/self_attn/heads/0/name: duplicate part name 'dec0.self_attn.head0'"),
    ("residual named like a head", put(("decoder", 1, "ffn", "residual", "name"), "dec2.self_attn.head0"),
     "/decoder/2/self_attn/heads/0/name: duplicate part name 'dec2.self_attn.head0' (also /decoder/1/ffn/residual"),
    # heads
    ("unknown query coordinate", put((*HEAD, "Q", "state:Q+"), {"k1": "1"}),
     "/decoder/2/self_attn/heads/0/Q/state:Q+: unknown coordinate 'state:Q+'"),
    ("unknown key coordinate", put((*HEAD, "K", "nope"), {"k1": "1"}),
     "/decoder/2/self_attn/heads/0/K/nope: unknown coordinate 'nope'"),
    ("unknown value output", put((*HEAD, "V", "wr:0", "nope"), "1"),
     "/decoder/2/self_attn/heads/0/V/wr:0/nope: unknown coordinate 'nope'"),
    ("query row a string", put((*HEAD, "Q", "c:r"), "1"),
     '/decoder/2/self_attn/heads/0/Q/c:r: expected a sparse vector (an object of rationals), got "1"'),
    ("query weight a list", put((*HEAD, "Q", "c:r", "k1"), [1]),
     "/decoder/2/self_attn/heads/0/Q/c:r/k1: a list is not an exact rational"),
    ("no value map", drop((*HEAD, "V")), "/decoder/2/self_attn/heads/0/V: missing"),
    ("unknown score", put((*HEAD, "score"), "max"), '/decoder/2/self_attn/heads/0/score: expected one of "dot"'),
    ("empty pattern", put((*HEAD, "pattern"), {}), "/decoder/2/self_attn/heads/0/pattern/kind: missing"),
    ("window of zero", put((*HEAD, "pattern"), {"kind": "window", "w": 0}),
     "/decoder/2/self_attn/heads/0/pattern/w: a window pattern needs a window w of at least 1"),
    ("window without w", put((*HEAD, "pattern"), {"kind": "bigbird"}),
     "/decoder/2/self_attn/heads/0/pattern/w: a bigbird pattern needs a window w of at least 1"),
    ("negative window", put((*HEAD, "pattern"), {"kind": "window", "w": -1}),
     "/decoder/2/self_attn/heads/0/pattern/w: -1 is below the minimum 0"),
    ("window as text", put((*HEAD, "pattern"), {"kind": "window", "w": "3"}),
     '/decoder/2/self_attn/heads/0/pattern/w: expected an integer, got "3"'),
    ("unknown pattern key", put((*HEAD, "pattern", "foo"), 1), "/decoder/2/self_attn/heads/0/pattern/foo: unknown key"),
    ("unknown normalizer", put((*HEAD, "normalizer", "kind"), "sparsemax"),
     '/decoder/2/self_attn/heads/0/normalizer/kind: expected one of "hardmax", "softmax", "favor", got "sparsemax"'),
    ("zero temperature", put((*HEAD, "normalizer", "temperature"), "0"),
     "/decoder/2/self_attn/heads/0/normalizer/temperature: the temperature must be positive, got 0"),
    ("too many features", put((*HEAD, "normalizer", "features"), 10 ** 6),
     "/decoder/2/self_attn/heads/0/normalizer/features: 1000000 is above the maximum 65536"),
    ("fractional features", put((*HEAD, "normalizer", "features"), 3.5),
     "/decoder/2/self_attn/heads/0/normalizer/features: expected an integer, got 3.5"),
    ("negative seed", put((*HEAD, "normalizer", "seed"), -1),
     "/decoder/2/self_attn/heads/0/normalizer/seed: -1 is below the minimum 0"),
    # residuals and feed-forward blocks
    ("float scale", put((*FFN, "residual", "scale"), 1.0),
     '/decoder/0/ffn/residual/scale: 1.0 is not an exact rational; write it as a string such as "1"'),
    ("enabled as text", put((*FFN, "residual", "enabled"), "yes"),
     '/decoder/0/ffn/residual/enabled: expected true or false, got "yes"'),
    ("residual without scale", drop((*FFN, "residual", "scale")), "/decoder/0/ffn/residual/scale: missing"),
    ("duplicate hidden unit", append((*FFN, "hidden"), "init"), "/decoder/0/ffn/hidden/23: duplicate name 'init'"),
    ("integer hidden unit", put((*FFN, "hidden", 0), 1), "/decoder/0/ffn/hidden/0: expected a non-empty string, got 1"),
    ("unknown activation", put((*FFN, "activation"), "tanh"), '/decoder/0/ffn/activation: expected one of "relu"'),
    ("W1 into an unknown unit", put((*FFN, "W1", "bos", "nope"), "1"),
     "/decoder/0/ffn/W1/bos/nope: unknown hidden unit 'nope'"),
    ("W1 from an unknown coordinate", put((*FFN, "W1", "nope"), {"init": "1"}),
     "/decoder/0/ffn/W1/nope: unknown coordinate 'nope'"),
    ("b1 of an unknown unit", put((*FFN, "b1", "nope"), "1"), "/decoder/0/ffn/b1/nope: unknown hidden unit 'nope'"),
    ("W2 from an unknown unit", put((*FFN, "W2", "nope"), {"bos": "1"}),
     "/decoder/0/ffn/W2/nope: unknown hidden unit 'nope'"),
    ("b2 of an unknown coordinate", put((*FFN, "b2", "nope"), "1"),
     "/decoder/0/ffn/b2/nope: unknown coordinate 'nope'"),
    ("W2 a list", put((*FFN, "W2"), []), "/decoder/0/ffn/W2: expected a sparse matrix (an object of rows), got an"),
    # metadata and the machine it records
    ("metadata a list", put(("metadata",), [1]), "/metadata: expected a JSON object, got a list"),
    ("symbols 1 and '1'", put((*MACHINE, "symbols"), ["1", 1]),
     "/metadata/machine/symbols/1: expected a non-empty string, got 1"),
    ("duplicate symbols", put((*MACHINE, "symbols"), ["1", "1"]), "/metadata/machine/symbols/1: duplicate name '1'"),
    ("unhashable symbol", put((*MACHINE, "symbols"), ["0", ["1"]]),
     "/metadata/machine/symbols/1: expected a non-empty string, got a list"),
    ("one symbol", put((*MACHINE, "symbols"), ["0"]),
     "/metadata/machine/symbols: expected a list of at least two symbol names"),
    ("added symbol", append((*MACHINE, "symbols"), "2"),
     "/metadata/machine/table/0: expected 3 entries (one per symbol), got 2"),
    ("missing row", put((*MACHINE, "table"), MODEL["metadata"]["machine"]["table"][:1]),
     "/metadata/machine/table: expected 2 rows (one per state), got 1"),
    ("write out of range", put((*MACHINE, "table", 0, 0, "write"), 7),
     "/metadata/machine/table/0/0/write: symbol 7 is not in 0..1"),
    ("unknown next state", put((*MACHINE, "table", 0, 0, "next"), "Q"),
     "/metadata/machine/table/0/0/next: unknown state 'Q'"),
    ("stay move", put((*MACHINE, "table", 0, 0, "move"), "N"), '/metadata/machine/table/0/0/move: expected one of "L"'),
    ("nowhere to go", put((*MACHINE, "table", 0, 0, "next"), None),
     "/metadata/machine/table/0/0: an entry goes to exactly one state (next) or halt name (halt)"),
    ("unknown halt", put((*MACHINE, "table", 1, 1, "halt"), "Y"),
     "/metadata/machine/table/1/1/halt: unknown halt name 'Y'"),
    ("state and halt", put((*MACHINE, "halts"), ["A"]), "/metadata/machine/halts/0: 'A' is both a state and a halt"),
    ("added state out of range", put((*MACHINE, "added_states"), [5]),
     "/metadata/machine/added_states/0: 5 is not a state (0..1)"),
    ("machine without table", drop((*MACHINE, "table")), "/metadata/machine/table: missing"),
    ("ablations of numbers", put(("ablations",), [1]), "/ablations/0: expected a non-empty string, got 1"),
]


def _message(read: Callable[[Document, str], Any], document: Document, source: str) -> str:
    """The one error line ``read`` raises for ``document``."""
    with pytest.raises(ModelFormatError) as caught:
        read(document, source)
    message = str(caught.value)
    assert message.startswith(f"{source}: /") and len(message.splitlines()) == 1, message
    return message


def _mutated(base: Document, mutate: Mutation) -> Document:
    document = copy.deepcopy(base)
    replaced = mutate(document)
    return document if replaced is None else replaced


def test_there_are_at_least_sixty_hostile_documents() -> None:
    assert len(MODEL_CASES) + len(RNN_CASES) >= 60
    assert len({name for name, _, _ in MODEL_CASES}) == len(MODEL_CASES)


@pytest.mark.parametrize(("name", "mutate", "expected"), MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_hostile_model_documents_get_one_line_naming_the_path(name: str, mutate: Mutation, expected: str) -> None:
    message = _message(model_json.model_from_json, _mutated(MODEL, mutate), "m.json")
    assert expected in message, message


def test_the_unaltered_model_reads_back() -> None:
    assert model_json.dumps(model_json.model_from_json(copy.deepcopy(MODEL))) == json.dumps(
        MODEL, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(("text", "expected"), [
    ('{"format": "turing-tx-model", "format": 1}', "m.json: /: duplicate key 'format'"),
    ("[" * 10000 + "]" * 10000, "m.json: invalid JSON: nesting too deep"),
    (json.dumps(MODEL).replace('"bos": "1"', '"bos": NaN', 1), "m.json: /decoder_seed/bos: NaN is not a JSON number"),
    (json.dumps(MODEL).replace('"symbols": ["0", "1"]', '"symbols": ["1", 1]'),
     "m.json: /metadata/machine/symbols/1: expected a non-empty string, got 1"),
    (json.dumps(MODEL).replace('"bos": "1"', '"bos": "\\udc00"', 1),
     'm.json: /decoder_seed/bos: "\\udc00" is not valid'),
])
def test_hostile_model_texts(text: str, expected: str) -> None:
    with pytest.raises(ModelFormatError) as caught:
        model_json.loads(text, "m.json")
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value), str(caught.value)


# -- hostile RNN documents --------------------------------------------------------------------------
RNN: Document = json.loads((ROOT / "machines" / "rnn" / "counter.json").read_text(encoding="utf-8"))

RNN_CASES: list[tuple[str, Mutation, str]] = [
    ("not an object", _replace_document("rnn"), "/: expected a JSON object"),
    ("missing W_h", drop(("W_h",)), "/: missing key 'W_h'"),
    ("unknown key", put(("W",), {}), "/W: unknown key 'W'"),
    ("version 2", put(("version",), 2), "/version: unknown version 2"),
    ("units 1 and '1'", put(("units",), ["1", 1]), "/units/1: expected a non-empty string, got 1"),
    ("unhashable input", put(("inputs",), ["a", ["b"]]), "/inputs/1: expected a non-empty string, got a list"),
    ("duplicate units", put(("units",), ["count", "count"]), "/units/1: duplicate name 'count'"),
    ("units a string", put(("units",), "count"), '/units: expected a non-empty list of names, got "count"'),
    ("no inputs", put(("inputs",), []), "/inputs: expected a non-empty list of names, got an empty list"),
    ("empty input name", append(("inputs",), ""), '/inputs/3: expected a non-empty string, got ""'),
    ("name a list", put(("name",), ["x"]), "/name: expected a string, got a list"),
    ("long name", put(("name",), "x" * 5000), "/name: a string of 5000 characters, more than the 4096 allowed"),
    ("unknown row unit", put(("W_h", "nope"), {}), "/W_h/nope: unknown unit 'nope'"),
    ("unknown entry unit", put(("W_h", "count", "nope"), "1"), "/W_h/count/nope: unknown unit 'nope'"),
    ("unknown input symbol", put(("W_x", "count", "c"), "1"), "/W_x/count/c: unknown input symbol 'c'"),
    ("dense rows short", put(("W_h",), [["1", "0"]]), "/W_h: 1 row, expected 2 (one per unit)"),
    ("dense entries long", put(("W_x",), [[1, 0, 0, 0], [0, 0, 0]]), "/W_x/0: 4 entries, expected 3"),
    ("dense bias short", put(("b",), ["1"]), "/b: 1 entry, expected 2 (one per unit)"),
    ("h0 above one", put(("h0", "count"), "3/2"), "/h0/count: 3/2 is outside [0, 1]"),
    ("NaN bias", put(("b", "more_a"), float("nan")), "/b/more_a: NaN is not a JSON number"),
    ("infinite weight", put(("W_h", "count", "count"), float("-inf")), "/W_h/count/count: -Infinity is not a JSON"),
    ("huge integer", put(("b", "more_a"), 10 ** 5000), "/b/more_a: an integer of more than 1000 digits"),
    ("huge numerator", put(("b", "more_a"), "1" + "0" * 5000), "/b/more_a: \"1000"),
    ("float weight", put(("b", "more_a"), 0.25), '/b/more_a: 0.25 is not an exact rational; write it as a string'),
    ("object weight", put(("b", "more_a"), {"x": 1}), "/b/more_a: an object is not an exact rational"),
    ("list in a dense row", put(("W_h",), [[[1], 0], [0, 0]]), "/W_h/0/0: a list is not an exact rational"),
    ("W_h null", put(("W_h",), None), "/W_h: expected an object or a list of rows, got null"),
    ("row a string", put(("W_h", "count"), "x"), '/W_h/count: expected an object or a list, got "x"'),
    ("h0 a number", put(("h0",), 1), "/h0: expected an object or a list, got 1"),
    ("metadata a list", put(("metadata",), []), "/metadata: expected a JSON object, got an empty list"),
    ("deep metadata", put(("metadata", "x"), nested(10000)), "nested deeper than 64 levels"),
    ("lone surrogate unit", put(("units",), ["count", "\udfff"]), '/units/1: "\\udfff" is not valid Unicode'),
    ("lone surrogate key", put(("metadata", "\ud800"), 1), '/metadata: the key "\\ud800" is not valid Unicode'),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), RNN_CASES, ids=[c[0] for c in RNN_CASES])
def test_hostile_rnn_documents_get_one_line_naming_the_path(name: str, mutate: Mutation, expected: str) -> None:
    message = _message(rnn_json.rnn_from_json, _mutated(RNN, mutate), "r.json")
    assert expected in message, message


# -- random mutations: accepted, or one format error ------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10 ** 999, max_value=10 ** 1001)
    | st.floats() | st.text(max_size=8)
    | st.sampled_from(["1/2", "0", "-3", "2/4", "1", "state:A+", "bos", "init", "count", "a", "", "window"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8)


def _locations(document: Document, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value in ``document`` (the root included)."""
    found = [path]
    items = document.items() if isinstance(document, dict) else enumerate(document) if isinstance(
        document, list) else ()
    for key, value in items:
        found.extend(_locations(value, (*path, key)))
    return found


MODEL_LOCATIONS, RNN_LOCATIONS = _locations(MODEL), _locations(RNN)


@st.composite
def mutated(draw: st.DrawFn, base: Document, locations: list[tuple[Any, ...]]) -> Document:
    """``base`` with one to three random edits: a value replaced, a key or item removed, a key added, or
    a list item repeated."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(locations))
        try:
            target = _parent(document, (*path, None))
        except (LookupError, TypeError):  # an earlier edit removed or replaced this place
            continue
        edit = draw(st.sampled_from(["replace", "remove", "add", "repeat"]))
        if edit == "replace" and path:
            _parent(document, path)[path[-1]] = draw(JSON_VALUES)
        elif edit == "remove" and path:
            del _parent(document, path)[path[-1]]
        elif edit == "add" and isinstance(target, dict):
            target[draw(st.text(max_size=6))] = draw(JSON_VALUES)
        elif edit == "repeat" and isinstance(target, list) and target:
            target.append(copy.deepcopy(draw(st.sampled_from(target))))
    return document


def _accepted_or_one_line(read: Callable[[Document, str], Any], document: Document, source: str) -> None:
    try:
        read(document, source)
    except ModelFormatError as exc:
        assert str(exc).startswith(f"{source}: /") and len(str(exc).splitlines()) == 1, str(exc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(MODEL, MODEL_LOCATIONS))
def test_mutated_models_are_read_or_get_one_format_error(document: Document) -> None:
    _accepted_or_one_line(model_json.model_from_json, document, "m.json")


@settings(max_examples=200, deadline=None)
@given(mutated(RNN, RNN_LOCATIONS))
def test_mutated_rnns_are_read_or_get_one_format_error(document: Document) -> None:
    _accepted_or_one_line(rnn_json.rnn_from_json, document, "r.json")


@settings(max_examples=100, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_is_refused_with_one_line(document: Document) -> None:
    for read in (model_json.model_from_json, rnn_json.rnn_from_json):
        with pytest.raises(ModelFormatError):
            read(document, "x.json")


def test_a_schema_error_is_the_outermost_one() -> None:
    """Of a missing part and a bad number inside another, the missing part is named."""
    document = copy.deepcopy(MODEL)
    del document["decoder_seed"]
    document["decoder"][0]["ffn"]["W1"]["bos"]["init"] = "2/4"
    assert _message(model_json.model_from_json, document, "m.json") == "m.json: /decoder_seed: missing"
