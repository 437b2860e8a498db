"""``turing-tx convert``: every library machine into every format runs the same; names a format forces are
mapped with a warning; a machine a format cannot express is a one-line error; -o is atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import BB2, run_cli

from turing_tx.machines import library
from turing_tx.machines.formats.loader import FORMATS

EXTENSIONS = {"bbchallenge": "bb", "yaml": "yaml", "morphett": "morphett", "automata": "dtm"}
#: library machines whose text cannot be written in a format, and the error that says why
INEXPRESSIBLE = {("binary-mult", "morphett"): "symbol '*' is not a Morphett symbol"}


def reference_run(capsys, *argv: str) -> dict:
    code, out, err = run_cli(capsys, "run", *argv, "-c", "reference", "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("name", library.names())
def test_library_machine_converted_runs_the_same(capsys, tmp_path, name, format):
    target = tmp_path / f"machine.{EXTENSIONS[format]}"
    code, out, err = run_cli(capsys, "convert", name, "--to", format, "-o", str(target))
    if (name, format) in INEXPRESSIBLE:
        assert code == 2 and out == "" and err.count("\n") == 1 and INEXPRESSIBLE[name, format] in err
        assert not list(tmp_path.iterdir())
        return
    assert code == 0 and out == f"wrote {target}: {format}\n", err
    entry = library.resolve(name)
    original = reference_run(capsys, name, *(["--max-steps", str(entry.max_steps)] if entry.max_steps else []))
    word = ["--input", entry.input] if format == "morphett" and entry.input else []
    limit = ["--max-steps", str(original["steps"])] if entry.max_steps else []
    converted = reference_run(capsys, str(target), *word, *limit)
    same = ["halted", "nonblank"]
    if format in ("yaml", "automata"):
        same += ["steps", "head", "state", "tape", "tape_start"]
    elif format == "morphett":
        same += ["steps", "head", "tape_start"]
    assert {k: converted[k] for k in same} == {k: original[k] for k in same}


def test_stdout_without_output_and_no_warning_when_nothing_changes(capsys):
    code, out, err = run_cli(capsys, "convert", BB2, "--to", "bbchallenge")
    assert code == 0 and out == f"{BB2}\n" and err == ""


def test_morphett_halting_names_are_mapped_with_a_warning(capsys):
    code, out, err = run_cli(capsys, "convert", "increment", "--to", "morphett")
    assert code == 0 and "carry _ 1 l halt-done" in out
    assert err.splitlines() == [
        "turing-tx: warning: Morphett names: blank ' ' → '_'; start state right → 0; halting states done → halt-done",
        "turing-tx: warning: a Morphett file has no input word; run it with --input '1011'",
    ]


def test_bbchallenge_warns_about_names_and_stays(capsys):
    code, out, err = run_cli(capsys, "convert", "palindrome", "--to", "bbchallenge")
    assert code == 0 and out.endswith(" 1221\n")  # abba in digits
    warnings = err.splitlines()
    assert warnings[0].startswith("turing-tx: warning: bbchallenge has digits and letters only: symbols ' ' → '0', "
                                  "'a' → '1', 'b' → '2'; states start → A")
    assert warnings[0].endswith("halting states accept → Z, reject → Y")
    assert warnings[1] == ("turing-tx: warning: a stay is written as a move right and a step back, which "
                           "bbchallenge counts as 2 steps")


def test_output_is_written_atomically_and_replaces_nothing_on_error(capsys, tmp_path: Path):
    target = tmp_path / "m.morphett"
    target.write_text("old\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "convert", "binary-mult", "--to", "morphett", "-o", str(target))
    assert code == 2 and err.count("\n") == 1
    assert target.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["m.morphett"]
    missing = tmp_path / "missing"
    code, _, err = run_cli(capsys, "convert", "bb3", "--to", "yaml", "-o", str(missing / "m.yaml"))
    assert code == 2 and err == f"turing-tx: {missing / 'm.yaml'}: no such directory {missing}\n"


@pytest.mark.parametrize(("machine", "kind"), [(BB2, "an inline bbchallenge string"), ("bb3", "a library machine")])
def test_format_with_a_machine_that_is_not_a_file_is_an_error(capsys, machine, kind):
    code, out, err = run_cli(capsys, "convert", machine, "--format", "yaml", "--to", "automata")
    assert code == 2 and out == "" and err.startswith(f"turing-tx: --format does not apply to {kind} ({machine}")
