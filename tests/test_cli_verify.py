"""``verify MACHINE --model FILE``: a given network, read with the construction's decoder, against MACHINE.

A model JSON (Pérez, either Bhattamishra et al. transformer) is verified as the construction it names;
an RNN JSON (``compile -c siegelmann-sontag``) runs as the Siegelmann–Sontag network or compiled into
either Bhattamishra et al. transformer. Exit 0 when every step agrees, 1 with one line naming the first
divergent step, 2 with one line on stderr for a user error.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from test_cli import BB2, BB3, run_cli

from turing_tx.ablation.transforms import removal
from turing_tx.engine import model_json
from turing_tx.rnn import rnn_json

TRANSFORMERS = ["perez", "bhattamishra-pe", "bhattamishra-mask"]
THREE_SYMBOLS = "1RB2LB1RZ_2LA2RB1LB"
DIVERGENCE = re.compile(r"MISMATCH: step \d+: \S")


def compile_to(capsys, tmp_path: Path, construction: str, machine: str = BB2, name: str = "net.json") -> Path:
    """``turing-tx compile MACHINE -c construction -o tmp_path/name``, which must succeed."""
    path = tmp_path / name
    code, out, err = run_cli(capsys, "compile", machine, "-c", construction, "-o", str(path))
    assert code == 0 and out.startswith(f"wrote {path}: {construction}, ") and err == ""
    return path


def assert_divergence(result: tuple[int, str, str], fragment: str = "") -> None:
    """Exit 1 and exactly one stdout line naming the divergent step (and ``fragment``)."""
    code, out, err = result
    assert code == 1 and err == ""
    assert out.count("\n") == 1 and DIVERGENCE.match(out) and fragment in out, out


def assert_usage_error(result: tuple[int, str, str], fragment: str) -> None:
    code, out, err = result
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err, err


# -- transformer models -----------------------------------------------------------------------------
@pytest.mark.parametrize("construction", TRANSFORMERS)
def test_compiled_model_verifies_its_own_machine(capsys, tmp_path, construction):
    model = compile_to(capsys, tmp_path, construction)
    code, out, _ = run_cli(capsys, "verify", BB2, "--model", str(model))
    assert code == 0 and out == (f"verified: {model} ({construction}) agrees with the reference simulator "
                                 "on all 6 steps (halted)\n")
    code, _, _ = run_cli(capsys, "verify", BB2, "--model", str(model), "-c", construction)  # -c may repeat it
    assert code == 0


@pytest.mark.parametrize("construction", TRANSFORMERS)
def test_model_of_another_machine_with_the_same_alphabet_diverges(capsys, tmp_path, construction):
    model = compile_to(capsys, tmp_path, construction)
    assert_divergence(run_cli(capsys, "verify", BB3, "--model", str(model)))


@pytest.mark.parametrize("construction", TRANSFORMERS)
def test_model_that_cannot_read_the_input_diverges(capsys, tmp_path, construction):
    """A model of a two-symbol machine has no embedding for symbol 2: it does not simulate this machine."""
    model = compile_to(capsys, tmp_path, construction)
    result = run_cli(capsys, "verify", THREE_SYMBOLS, "--input", "21", "--model", str(model))
    assert_divergence(result, "has no embedding in this model")
    assert result[1].startswith("MISMATCH: step 1: ")


@pytest.mark.parametrize("construction", TRANSFORMERS)
def test_model_with_one_weight_edited_diverges(capsys, tmp_path, construction):
    """The first output weight of the first decoder FFN, plus one, written back as a JSON number string."""
    model = compile_to(capsys, tmp_path, construction)
    document = json.loads(model.read_text(encoding="utf-8"))
    row = next(iter(document["decoder"][0]["ffn"]["W2"].values()))
    coordinate = next(iter(row))
    row[coordinate] = str(Fraction(row[coordinate]) + 1)
    model.write_text(json.dumps(document), encoding="utf-8")
    assert_divergence(run_cli(capsys, "verify", BB2, "--model", str(model)))


@pytest.mark.parametrize("construction", TRANSFORMERS)
def test_model_without_a_component_diverges(capsys, tmp_path, construction):
    model = compile_to(capsys, tmp_path, construction)
    loaded = model_json.load(model)
    model_json.save(removal(loaded, "dec0.ffn").apply(loaded), model)
    assert_divergence(run_cli(capsys, "verify", BB2, "--model", str(model)))


# -- Siegelmann–Sontag RNNs -------------------------------------------------------------------------
def test_compile_writes_the_siegelmann_sontag_rnn(capsys, tmp_path):
    path = compile_to(capsys, tmp_path, "siegelmann-sontag")
    rnn = rnn_json.load(path)
    assert rnn.metadata["construction"] == "siegelmann-sontag" and rnn.size == 32


@pytest.mark.parametrize("construction", [None, "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask"])
def test_rnn_file_verifies_as_the_rnn_and_through_both_transformers(capsys, tmp_path, construction):
    rnn = compile_to(capsys, tmp_path, "siegelmann-sontag")
    chosen = [] if construction is None else ["-c", construction]
    code, out, _ = run_cli(capsys, "verify", BB2, "--model", str(rnn), *chosen)
    assert code == 0 and out == (f"verified: {rnn} ({construction or 'siegelmann-sontag'}) agrees with the "
                                 "reference simulator on all 6 steps (halted)\n")


def test_rnn_of_a_machine_moving_the_other_way_diverges_on_the_move(capsys, tmp_path):
    """Needs the Siegelmann–Sontag decoder to read the move from the network (not the machine's table)."""
    rnn = compile_to(capsys, tmp_path, "siegelmann-sontag", "0RB0RB_0RC0RC_0LA0LA")
    assert_divergence(run_cli(capsys, "verify", "0RB0RB_0RC0RC_0RA0RA", "--model", str(rnn), "--max-steps", "20"),
                      "move")


def test_rnn_that_cannot_read_the_input_diverges(capsys, tmp_path):
    rnn = compile_to(capsys, tmp_path, "siegelmann-sontag")
    assert_divergence(run_cli(capsys, "verify", THREE_SYMBOLS, "--input", "21", "--model", str(rnn)),
                      "not in the RNN's alphabet")


# -- user errors ------------------------------------------------------------------------------------
def test_missing_and_non_network_files_are_usage_errors(capsys, tmp_path):
    assert_usage_error(run_cli(capsys, "verify", BB2, "--model", str(tmp_path / "missing.json")), "no such file")
    machine = tmp_path / "bb2.txt"
    machine.write_text(BB2 + "\n", encoding="utf-8")
    assert_usage_error(run_cli(capsys, "verify", BB2, "--model", str(machine)), "invalid JSON")
    other = tmp_path / "other.json"
    other.write_text('{"format": "something else"}', encoding="utf-8")
    assert_usage_error(run_cli(capsys, "verify", BB2, "--model", str(other)), "not a model JSON or an RNN JSON")


def test_file_kind_comes_from_the_content_not_the_name(capsys, tmp_path):
    rnn = compile_to(capsys, tmp_path, "siegelmann-sontag", name="looks-like-a-model.txt")
    assert run_cli(capsys, "verify", BB2, "--model", str(rnn))[0] == 0


def test_construction_that_cannot_read_the_file_is_a_usage_error(capsys, tmp_path):
    rnn = compile_to(capsys, tmp_path, "siegelmann-sontag", name="rnn.json")
    assert_usage_error(run_cli(capsys, "verify", BB2, "--model", str(rnn), "-c", "perez"),
                       "is an RNN; perez cannot run it")
    model = compile_to(capsys, tmp_path, "perez", name="perez.json")
    assert_usage_error(run_cli(capsys, "verify", BB2, "--model", str(model), "-c", "bhattamishra-pe"),
                       "is a perez model; it cannot be verified as bhattamishra-pe")


@pytest.mark.parametrize("model", [False, True])
def test_verifying_the_reference_simulator_is_a_usage_error(capsys, tmp_path, model):
    extra = ["--model", str(compile_to(capsys, tmp_path, "perez"))] if model else []
    assert_usage_error(run_cli(capsys, "verify", BB2, "-c", "reference", *extra), "nothing to verify")


def test_help_names_what_model_and_construction_accept(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option: names are not wrapped at their hyphens
    code, out, _ = run_cli(capsys, "verify", "--help")
    assert code == 0 and "--model FILE" in out and "model JSON" in out and "RNN JSON" in out
    code, out, _ = run_cli(capsys, "compile", "--help")
    construction_help = " ".join(out.split("-c CONSTRUCTION")[-1].split())
    assert code == 0 and all(name in construction_help for name in TRANSFORMERS + ["siegelmann-sontag"])
