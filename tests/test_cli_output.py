"""What the command line prints: long tapes shortened (whole with --tape and in --json), a library
machine's expected result and whether the run matched it, parser warnings on stderr, one-line errors for
options that do not apply, and what ``ablate -o`` replaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import BB2, run_cli

SWEEPER = "1RB1LB_0LA1RA"  # never halts; after 4n steps its tape is 1010…1 over 2n − 1 cells


def summary_lines(out: str) -> dict[str, str]:
    return {key.strip(): value for key, _, value in (line.partition(": ") for line in out.splitlines())}


def test_a_long_tape_is_shortened_unless_asked_for(capsys):
    code, out, _ = run_cli(capsys, "run", SWEEPER, "--max-steps", "1000", "-c", "reference")
    tape = "10" * 249 + "1"
    assert code == 0 and summary_lines(out)["tape"] == f"{tape[:40]}…{tape[-40:]} (499 cells)"
    code, out, _ = run_cli(capsys, "run", SWEEPER, "--max-steps", "1000", "-c", "reference", "--tape")
    assert code == 0 and summary_lines(out)["tape"] == tape
    code, out, _ = run_cli(capsys, "run", SWEEPER, "--max-steps", "1000", "-c", "reference", "--json")
    assert code == 0 and json.loads(out)["tape"] == tape


def test_a_tape_of_at_most_80_cells_is_printed_whole(capsys):
    code, out, _ = run_cli(capsys, "run", SWEEPER, "--max-steps", "160", "-c", "reference")
    assert code == 0 and summary_lines(out)["tape"] == "10" * 39 + "1"
    code, out, _ = run_cli(capsys, "run", SWEEPER, "--max-steps", "164", "-c", "reference")
    assert code == 0 and summary_lines(out)["tape"] == f"{'10' * 20}…{'01' * 20} (81 cells)"


def test_library_machine_prints_its_expected_result_and_the_match(capsys):
    code, out, _ = run_cli(capsys, "run", "bb2")
    lines = summary_lines(out)
    assert code == 0 and lines["matches"] == "yes"
    assert lines["expected"] == ("steps 6, halted True, state Z, head 0, tape 1111, tape_start -2, nonblank 4 "
                                 "(library: bb2)")
    code, out, _ = run_cli(capsys, "run", "bb2", "--json")
    result = json.loads(out)
    assert result["expected_match"] is True and result["expected"]["nonblank"] == 4


def test_a_run_that_stops_early_does_not_match(capsys):
    code, out, _ = run_cli(capsys, "run", "bb2", "--max-steps", "3")
    verdict = summary_lines(out)["matches"]
    assert code == 0 and verdict.startswith("no (steps 3 (expected 6); halted False (expected True)")
    code, out, _ = run_cli(capsys, "run", "bb2", "--max-steps", "3", "--json")
    assert json.loads(out)["expected_match"] is False


def test_a_non_halting_library_machine_runs_to_its_stored_step_count(capsys):
    code, out, _ = run_cli(capsys, "run", "counter", "--json")
    result = json.loads(out)
    assert code == 0 and result["steps"] == 100 and result["expected_match"] is True
    code, out, _ = run_cli(capsys, "run", "counter", "--max-steps", "50")
    assert summary_lines(out)["matches"] == ("not compared (the library's result is after 100 steps; this run's "
                                             "limit is 50)")
    assert json.loads(run_cli(capsys, "run", "counter", "--max-steps", "50", "--json")[1])["expected_match"] is None


def test_other_machines_have_no_expected_result(capsys):
    result = json.loads(run_cli(capsys, "run", BB2, "--json")[1])
    assert result["expected"] is None and result["expected_match"] is None
    result = json.loads(run_cli(capsys, "run", "increment", "--input", "1", "--json")[1])  # another input
    assert result["expected"] is None
    assert "matches" not in summary_lines(run_cli(capsys, "run", BB2)[1])


def test_verify_says_whether_a_library_machine_reached_its_result(capsys):
    code, out, _ = run_cli(capsys, "verify", "bb3")
    assert code == 0 and out.splitlines() == [
        "verified: perez agrees with the reference simulator on all 21 steps (halted)",
        "expected: the library's result for bb3: yes"]


def test_parser_warnings_go_to_stderr(capsys, tmp_path: Path):
    path = tmp_path / "noblank.yaml"
    path.write_text("input: '11'\nstart state: a\ntable:\n  a:\n    1: R\n    ' ': {R: done}\n  done:\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "run", str(path), "-c", "reference", "--json")
    assert code == 0 and json.loads(out)["steps"] == 3
    assert err == f"turing-tx: warning: {path}: no 'blank' given; using ' '\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["run", BB2, "--format", "yaml"], f"--format does not apply to an inline bbchallenge string ({BB2}; write ./"),
    (["verify", "bb3", "--format", "bbchallenge"],
     "--format does not apply to a library machine (bb3; write ./bb3 for a file of that name)"),
    (["diagram", "bb3", "--format", "yaml", "-o", "x.svg"], "--format does not apply to a library machine (bb3;"),
    (["run", "--rnn", "machines/rnn/counter.json", "--input", "a$", "--format", "yaml"],
     "--format does not apply to run --rnn"),
    (["run", "--rnn", "machines/rnn/counter.json", "--input", "a$", "--tape"], "--tape does not apply to run --rnn"),
    (["run", "--rnn", "machines/rnn/counter.json", "--input", "a$", "--time-limit", "1"],
     "--time-limit does not apply to run --rnn"),
])
def test_options_that_do_not_apply_are_one_line_errors(capsys, monkeypatch, argv, message):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and err.startswith(f"turing-tx: {message}") and err.count("\n") == 1


def test_options_that_do_not_apply_to_a_model_json(capsys, tmp_path: Path):
    model = tmp_path / "bb2.json"
    assert run_cli(capsys, "compile", BB2, "-o", str(model))[0] == 0
    for argv, message in ((["--format", "yaml"], "--format does not apply to a model JSON"),
                          (["--line", "2"], "--line does not apply to a model JSON"),
                          (["-c", "bhattamishra-pe"], "is a perez model; it cannot run as bhattamishra-pe")):
        code, _, err = run_cli(capsys, "run", str(model), *argv)
        assert code == 2 and message in err and err.count("\n") == 1, err


def test_a_file_system_error_is_one_line(capsys, tmp_path: Path):
    code, _, err = run_cli(capsys, "compile", BB2, "-o", str(tmp_path / "no" / "m.json"))
    assert code == 2 and err == f"turing-tx: {tmp_path / 'no' / 'm.json'}: no such directory {tmp_path / 'no'}\n"


def test_ablate_says_which_files_of_an_earlier_report_it_replaces(capsys, tmp_path: Path):
    argv = ["ablate", BB2, "-c", "bhattamishra-mask", "-o", str(tmp_path), "--max-steps", "20", "-q", "--no-prove"]
    (tmp_path / "notes.txt").write_text("kept\n", encoding="utf-8")
    code, out, err = run_cli(capsys, *argv)
    assert code == 0 and err == "" and len(out.splitlines()) == 3
    code, out, err = run_cli(capsys, *argv)
    replaced = ", ".join(str(tmp_path / name) for name in ("report.json", "report.md", "report.html"))
    assert code == 0 and err == f"turing-tx: warning: replaced {replaced} (an earlier report in {tmp_path})\n"
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "kept\n"
    code, _, err = run_cli(capsys, "ablate", BB2, "-c", "perez", "-o", str(tmp_path / "notes.txt"))
    assert code == 2 and "not a directory" in err and err.count("\n") == 1
