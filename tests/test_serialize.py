"""Model JSON: export → load is identical, runs identically, and bad files get one-line errors."""

from __future__ import annotations

import json

import pytest

from turing_tx.constructions.perez import PEREZ
from turing_tx.constructions.runs import run_machine
from turing_tx.engine import model_json
from turing_tx.errors import ModelFormatError
from turing_tx.machines import machine_json
from turing_tx.machines.formats.bbchallenge import parse_machine

BB3 = "1RB1RZ_1LB0RC_1LC1LA"


def test_round_trip_is_identical_and_runs_identically(tmp_path):
    machine = parse_machine(BB3)
    model = PEREZ.compile(machine).model
    path = tmp_path / "bb3.json"
    model_json.save(model, path)
    loaded = model_json.load(path)
    assert loaded == model
    assert model_json.dumps(loaded) == path.read_text(encoding="utf-8")
    assert machine_json.machine_from_json(loaded.metadata["machine"]) == machine
    direct = run_machine(machine, (), "perez").summary()
    from_file = run_machine(machine, (), "perez", model=loaded).summary()
    assert direct == from_file and direct["steps"] == 21


def test_rationals_are_exact_strings():
    data = json.loads(model_json.dumps(PEREZ.compile(parse_machine(BB3)).model))
    dec2 = data["decoder"][2]
    assert dec2["self_attn"]["heads"][0]["Q"]["pos:1/i^2"] == {"k3": "1/3"}
    assert dec2["self_attn"]["heads"][0]["K"]["bos"] == {"k1": "-1", "k3": "1/2"}


def _document() -> dict:
    return json.loads(model_json.dumps(PEREZ.compile(parse_machine("1RB1LB_1LA1RZ")).model))


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.update(version=2), "/version: unsupported version 2"),
    (lambda d: d["decoder"][0]["ffn"]["b1"].update({"init": "1/0"}), "'1/0' has a zero denominator"),
    (lambda d: d["decoder"][0]["ffn"]["b1"].update({"init": "0.5"}), "'0.5' is not a rational 'p/q' or 'p'"),
    (lambda d: d["decoder"][0]["ffn"]["b1"].update({"init": "2/4"}),
     "'2/4' is not canonical (lowest terms, q > 1, no leading zeros); write '1/2'"),
    (lambda d: d["decoder"][0]["ffn"]["W1"].update({"state:C": {"init": "1"}}), "unknown coordinate 'state:C'"),
    (lambda d: d.pop("coords"), "/coords: missing"),
    (lambda d: d.update(format="other"), "not a turing-tx model"),
])
def test_bad_model_files_get_one_line_errors(tmp_path, mutate, message):
    document = _document()
    mutate(document)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ModelFormatError) as info:
        model_json.load(path)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_duplicate_keys_and_syntax_errors(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"format": "turing-tx-model", "format": "x"}', encoding="utf-8")
    with pytest.raises(ModelFormatError, match="duplicate key 'format'"):
        model_json.load(path)
    path.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"m.json:1:\d+: invalid JSON"):
        model_json.load(path)
    with pytest.raises(ModelFormatError, match="no such file"):
        model_json.load(tmp_path / "missing.json")
