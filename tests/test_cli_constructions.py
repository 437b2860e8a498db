"""Every construction from the command line, a user's RNN through both transformers, and bad RNN files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run_cli

BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"
ANBN = "1RZ0RB2RZ_0LC1RB2RB_2RZ2RZ0LD_0RA1LD2LD"  # the aⁿbⁿ recogniser: accept writes 1, reject 2
RNN = {"format": "turing-tx-rnn", "version": 1, "units": ["u1", "u2"], "inputs": ["a", "$"],
       "W_h": {"u1": {"u1": "1/2", "u2": "1/3"}, "u2": {"u1": "-1", "u2": "1/4"}},
       "W_x": {"u1": {"a": "1"}, "u2": {"a": "1/2", "$": "1/3"}}, "b": {"u1": "1/8"}, "h0": {}}


@pytest.mark.parametrize("construction", ["perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask",
                                          "reference"])
def test_bb2_through_every_construction(capsys, construction):
    code, out, _ = run_cli(capsys, "run", BB2, "-c", construction, "--json")
    result = json.loads(out)
    assert code == 0
    checked = None if construction == "reference" else True  # the simulator compared with itself checks nothing
    assert (result["steps"], result["halted"], result["nonblank"], result["verified"]) == (6, True, 4, checked)
    assert result["construction"] == construction


@pytest.mark.parametrize(("construction", "width"), [("bhattamishra-pe", 42), ("bhattamishra-mask", 42),
                                                     ("siegelmann-sontag", 37)])
def test_bb3_through_the_rnn_constructions(capsys, construction, width):
    code, out, _ = run_cli(capsys, "run", BB3, "-c", construction, "--json")
    result = json.loads(out)
    assert code == 0 and (result["steps"], result["nonblank"], result["verified"]) == (21, 5, True)
    assert result["dimension"] == width and result["max_bits"] > 0
    if construction != "perez":
        assert result["ticks"] == 2 + 3 * 21


@pytest.mark.parametrize("construction", ["perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask"])
def test_anbn_recognizer_verdicts(capsys, construction):
    for word, accepted in [("", True), ("12", True), ("1122", True), ("1212", False), ("2211", False),
                           ("112", False), ("1", False)]:
        argv = ["run", ANBN, "-c", construction, "--json"] + (["--input", word] if word else [])
        code, out, _ = run_cli(capsys, *argv)
        result = json.loads(out)
        assert code == 0 and result["verified"] and result["halted"]
        assert (result["tape"] == "1") == accepted, (construction, word, result["tape"])


@pytest.mark.parametrize("construction", ["bhattamishra-pe", "bhattamishra-mask"])
def test_users_rnn_through_both_theorems(capsys, tmp_path, construction):
    path = tmp_path / "rnn.json"
    path.write_text(json.dumps(RNN), encoding="utf-8")
    code, out, _ = run_cli(capsys, "run", "--rnn", str(path), "--input", "a$", "--max-steps", "3", "-c",
                           construction, "--json")
    result = json.loads(out)
    assert code == 0 and result["verified"] and result["ticks"] == 3
    assert result["hidden"] == {"u1": "25/48", "u2": "0"}  # h_3 of the two-unit toy RNN
    assert result["dimension"] == 7


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda r: r["W_h"].update(u3={"u1": "1"}), "u3"),
    (lambda r: r["W_x"]["u1"].update(a="0.5"), "0.5"),
    (lambda r: r["b"].update(u1="1/0"), "1/0"),
    (lambda r: r.pop("units"), "units"),
])
def test_bad_rnn_files_get_one_line_errors(capsys, tmp_path, mutate, fragment):
    document = json.loads(json.dumps(RNN))
    mutate(document)
    path = tmp_path / "rnn.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = run_cli(capsys, "run", "--rnn", str(path), "--input", "a$")
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_rnn_input_outside_the_alphabet(capsys, tmp_path):
    path = tmp_path / "rnn.json"
    path.write_text(json.dumps(RNN), encoding="utf-8")
    code, _, err = run_cli(capsys, "run", "--rnn", str(path), "--input", "ab")
    assert code == 2 and "'b' is not in the RNN's alphabet" in err


def test_one_machine_in_four_formats_gives_the_same_json(capsys):
    """Binary increment as YAML, bbchallenge, Morphett and DTM (machines/): the same run through the
    transformer; only the source's own names differ (halting state as written, tape symbols)."""
    results = {}
    for name in ("increment", "increment-bb", "increment-morphett", "increment-dtm"):
        code, out, _ = run_cli(capsys, "run", name, "--json")
        assert code == 0
        results[name] = json.loads(out)
    shape = {name: {k: r[k] for k in ("steps", "halted", "head", "nonblank", "tape_start", "verified",
                                      "dimension")} for name, r in results.items()}
    assert len({json.dumps(s, sort_keys=True) for s in shape.values()}) == 1
    assert shape["increment"] == {"steps": 8, "halted": True, "head": 0, "nonblank": 4, "tape_start": 0,
                                  "verified": True, "dimension": 33}
    assert results["increment"]["tape"] == results["increment-morphett"]["tape"] == "1100"
    assert results["increment-bb"]["tape"] == "2211"
    assert {results[n]["state"] for n in results} == {"done", "Z", "halt"}


EXAMPLE_RNNS = Path(__file__).resolve().parent.parent / "machines" / "rnn"


@pytest.mark.parametrize("construction", ["bhattamishra-pe", "bhattamishra-mask"])
@pytest.mark.parametrize(("file", "unit", "words"), [
    ("counter.json", "more_a", {"aab$": True, "abb$": False, "ab$": False, "a$": True, "bbaaa$": True}),
    ("parity.json", "even.$", {"abab$": True, "ab$": False, "b$": True, "aaab$": False, "$": True}),
])
def test_example_rnns_recognise_what_they_say(capsys, construction, file, unit, words):
    """machines/rnn/: the verdict unit is 1 one tick after the word is read exactly when it is accepted."""
    for word, accepted in words.items():
        code, out, _ = run_cli(capsys, "run", "--rnn", str(EXAMPLE_RNNS / file), "--input", word,
                               "--max-steps", str(len(word) + 1), "-c", construction, "--json")
        result = json.loads(out)
        assert code == 0 and result["verified"], (file, word)
        assert result["hidden"][unit] == ("1" if accepted else "0"), (file, word)
