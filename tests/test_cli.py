"""The command line: JSON fields, traces, one-line errors with non-zero exits, no partial outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import COLLECTION

from turing_tx.cli.main import main

BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``turing-tx argv`` run in-process (argparse exits too)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_json_has_the_documented_fields(capsys):
    code, out, _ = run_cli(capsys, "run", BB2, "--json")
    result = json.loads(out)
    assert code == 0
    assert {k: result[k] for k in ("steps", "halted", "state", "head", "tape", "nonblank", "verified",
                                   "construction", "dimension")} == {
        "steps": 6, "halted": True, "state": "Z", "head": 0, "tape": "1111", "nonblank": 4, "verified": True,
        "construction": "perez", "dimension": 27}
    assert isinstance(result["max_bits"], int) and result["max_bits"] > 0


def test_run_trace_prints_every_decoded_step(capsys):
    code, out, _ = run_cli(capsys, "run", BB3, "--trace")
    assert code == 0
    table = [line for line in out.splitlines() if line.strip() and line.split()[0].isdigit()]
    assert len(table) == 21
    assert table[-1].split()[-2:] == ["Z", "(halt)"]


def test_step_limit_and_reference_construction(capsys):
    code, out, _ = run_cli(capsys, "run", "1RB1LB_0LA1RA", "--max-steps", "100", "--json", "-c", "reference")
    result = json.loads(out)
    assert code == 0 and result["halted"] is False and result["steps"] == 100 and result["head"] == -50


def test_input_word_and_file_with_line(capsys):
    code, out, _ = run_cli(capsys, "run", str(COLLECTION), "--line", "9", "--json")
    assert code == 0 and json.loads(out)["tape"] == "2211"
    code, out, _ = run_cli(capsys, "run", BB2, "--input", "101", "--json")
    assert code == 0 and json.loads(out)["steps"] == 4


def test_verify_and_compile_then_run_the_file(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "verify", "1RB1LB_0LA1RA", "--max-steps", "300")
    assert code == 0 and "300 steps" in out
    model = tmp_path / "bb3.json"
    code, out, _ = run_cli(capsys, "compile", BB3, "-o", str(model))
    assert code == 0 and "residual width 29" in out and "paper's formula: 25" in out
    code, out, _ = run_cli(capsys, "run", str(model), "--json")
    result = json.loads(out)
    assert code == 0 and result["steps"] == 21 and result["nonblank"] == 5


@pytest.mark.parametrize(("argv", "fragment"), [
    (["run", "1RB1LB_1LA1R"], "row B has 5 characters"),
    (["run", "1RB1LB_1LA1RZ", "--input", "12"], "input symbol 2 is not a symbol of the machine"),
    (["run", "no-such-file.txt"], "no such file"),
    (["run", BB2, "--max-steps", "-1"], "expected a non-negative integer step limit"),
    (["run", BB2, "--max-steps", "2e15"], "past the bound 1,000,000,000,000,000"),
    (["run", BB2, "--time-limit", "inf"], "at most 1,000,000,000 s"),
    (["run", BB2, "--backend", "mpmath:1000000000"], "past the bound 100,000"),
    (["run", BB2, "--construction", "nonsense"], "unknown construction 'nonsense'"),
    (["run", BB2, "--backend", "nonsense"], "unknown number backend"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_failed_compile_leaves_no_output_file(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, _, err = run_cli(capsys, "compile", "1RB1XB_1LA1RZ", "-o", str(target))
    assert code == 2 and "bad move 'X'" in err
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_console_script_entry_point():
    completed = subprocess.run([sys.executable, "-m", "turing_tx", "run", BB2, "--json"], capture_output=True,
                               text=True, check=False)
    assert completed.returncode == 0 and json.loads(completed.stdout)["nonblank"] == 4
    bad = subprocess.run([sys.executable, "-m", "turing_tx", "run", "1RB"], capture_output=True, text=True,
                         check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
