"""``turing-tx prove``: every construction proved from the command line, failures with their
counterexample executed, reports written atomically, user errors as one line with exit 2.

Exit 0: every obligation proved; 1: one failed (its counterexample is run, and the run's first
divergence printed); 2: a user error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import BB2, run_cli

from turing_tx.engine import model_json
from turing_tx.rnn import rnn_json

CONSTRUCTIONS = ["perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask"]
COUNTER = str(Path(__file__).resolve().parent.parent / "machines" / "rnn" / "counter.json")


def assert_usage_error(result: tuple[int, str, str], fragment: str) -> None:
    code, out, err = result
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err, err


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_every_construction_is_proved_with_a_summary_line(capsys, construction):
    code, out, err = run_cli(capsys, "prove", BB2, "-c", construction)
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[-1].startswith("proved: ") and lines[-1].endswith(" obligations, 0 failed")
    assert all(line.split()[0] == "proved" for line in lines[:-1])
    assert any("induction" in line for line in lines)


def test_a_removed_component_fails_and_its_counterexample_run_diverges(capsys):
    code, out, _ = run_cli(capsys, "prove", "bb3", "--ablate", "dec1.self_attn.head0")
    lines = out.splitlines()
    assert code == 1 and lines[-1].startswith("not proved: ")
    assert any(line.strip().startswith("counterexample: ") for line in lines)
    executed = next(line for line in lines if line.startswith("executed: "))
    assert "diverges from the reference at step 1" in executed


def test_a_component_that_is_not_needed_still_proves(capsys):
    code, out, _ = run_cli(capsys, "prove", "bb3", "--ablate", "dec0.self_attn.head0")
    assert code == 0 and out.splitlines()[-1].endswith(" 0 failed")


def test_json_lists_every_obligation_with_its_statement_and_certificate(capsys):
    code, out, _ = run_cli(capsys, "prove", BB2, "--json")
    document = json.loads(out)
    assert code == 0 and document["proved"] and document["execution"] is None
    assert document["subject"]["construction"] == "perez"
    rows = document["obligations"]
    assert document["summary"] == f"proved: {len(rows)} obligations, 0 failed"
    for row in rows:
        assert {"name", "group", "statement", "method", "certificate", "status", "seconds"} <= set(row)
        assert row["statement"]["srepr"] and row["statement"]["latex"] and row["status"] == "proved"


@pytest.mark.parametrize(("suffix", "marker"), [(".md", "# Proof"), (".html", "<math"), (".json", '"obligations"')])
def test_reports_are_written_by_extension(capsys, tmp_path, suffix, marker):
    path = tmp_path / f"proof{suffix}"
    code, out, _ = run_cli(capsys, "prove", BB2, "-o", str(path))
    assert code == 0 and out.splitlines()[-1].startswith("proved: ")
    assert marker in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_a_model_file_is_proved_as_the_construction_it_names(capsys, tmp_path):
    path = tmp_path / "bb2.json"
    assert run_cli(capsys, "compile", BB2, "-o", str(path))[0] == 0
    code, out, _ = run_cli(capsys, "prove", BB2, "--model", str(path))
    assert code == 0 and out.splitlines()[-1].endswith(" 0 failed")
    assert model_json.load(str(path)).metadata["machine"]["name"] == BB2
    code, out, _ = run_cli(capsys, "prove", "bb3", "--model", str(path))  # BB(2)'s model is not BB(3)'s
    assert code == 1 and "not proved" in out.splitlines()[-1]


def test_an_rnn_file_is_proved_as_siegelmann_sontag(capsys, tmp_path):
    path = tmp_path / "bb2.rnn.json"
    assert run_cli(capsys, "compile", BB2, "-c", "siegelmann-sontag", "-o", str(path))[0] == 0
    assert rnn_json.load(str(path)).units
    code, out, _ = run_cli(capsys, "prove", BB2, "--model", str(path))
    assert code == 0 and out.splitlines()[-1].endswith(" 0 failed")


@pytest.mark.parametrize("construction", ["bhattamishra-pe", "bhattamishra-mask"])
def test_a_users_rnn_is_proved_through_both_theorems(capsys, construction):
    code, out, _ = run_cli(capsys, "prove", "--rnn", COUNTER, "-c", construction)
    assert code == 0 and out.splitlines()[-1].endswith(" 0 failed")


def test_a_users_rnn_with_a_broken_transformer_is_refuted_and_run(capsys):
    code, out, _ = run_cli(capsys, "prove", "--rnn", COUNTER, "-c", "bhattamishra-pe",
                           "--ablate", "dec0.cross_attn.residual")
    assert code == 1 and "executed: run for up to " in out
    assert " ticks, this network diverges from the reference at tick " in out


@pytest.mark.parametrize(("arguments", "fragment"), [
    (("prove",), "prove needs a MACHINE"),
    (("prove", BB2, "-c", "reference"), "nothing to prove"),
    (("prove", BB2, "-c", "nonesuch"), "unknown construction"),
    (("prove", BB2, "--ablate", "dec9.ffn"), "dec9.ffn"),
    (("prove", BB2, "--ablate", "precision=float32"), "precision ablation"),
    (("prove", BB2, "-c", "siegelmann-sontag", "--ablate", "dec0.ffn"), "--ablate applies to transformer"),
    (("prove", BB2, "-o", "proof.txt"), "extension must be one of"),
    (("prove", BB2, "-o", "/nonexistent-directory/proof.md"), "no such directory"),
    (("prove", "--rnn", COUNTER), "--rnn needs -c bhattamishra-pe"),
    (("prove", "--rnn", COUNTER, "-c", "perez"), "--rnn needs -c bhattamishra-pe"),
    (("prove", BB2, "--rnn", COUNTER, "-c", "bhattamishra-pe"), "does not apply with --rnn"),
    (("prove", BB2, "--execute-steps", "-1"), "expected a non-negative integer run length"),
    (("prove", BB2, "--execute-steps", "2e6"), "past the bound 1,000,000"),
])
def test_user_errors_are_one_line_and_exit_2(capsys, arguments, fragment):
    assert_usage_error(run_cli(capsys, *arguments), fragment)


def test_without_positional_encoding_the_network_is_shown_blind_to_order(capsys):
    code, out, _ = run_cli(capsys, "prove", BB2, "-i", "1011", "-c", "bhattamishra-pe", "--ablate", "pos_encoding")
    executed = next(line for line in out.splitlines() if line.startswith("executed: "))
    assert code == 1 and "diverges from the reference at step 1" in executed
    assert "and on its reversal" in executed and "coincide while the RNN's states differ" in executed


def test_a_model_every_run_of_two_thousand_steps_accepts_is_refuted_and_breaks_at_step_2007(capsys, tmp_path):
    """The last-write head's tie-break skewed by 1/4000 (query weight c:r → k1 = 4001/4000): verify
    passes 2000 steps; prove refutes a selection lemma at a write read back 8192 positions later and
    runs the counterexample: the run diverges at step 2007. Testing is not proving."""
    machine, path = "1RB1LB_0LA1RA", tmp_path / "skewed.json"
    assert run_cli(capsys, "compile", machine, "-o", str(path))[0] == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    head = next(h for layer in document["decoder"] for h in layer["self_attn"]["heads"]
                if h["name"] == "dec2.self_attn.head0")
    head["Q"]["c:r"]["k1"] = "4001/4000"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run_cli(capsys, "verify", machine, "--model", str(path), "--max-steps", "2000")
    assert code == 0 and out.startswith("verified: ")
    code, out, _ = run_cli(capsys, "prove", machine, "--model", str(path))
    lines = out.splitlines()
    assert code == 1 and lines[-1].startswith("not proved: ")
    assert any("d = 8192" in line for line in lines)
    executed = next(line for line in lines if line.startswith("executed: "))
    assert "diverges from the reference at step 2007: step 2007: read 0 (network) vs 1 (machine)" in executed
