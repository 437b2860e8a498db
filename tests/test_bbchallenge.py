"""bbchallenge text: parsing, its located one-line errors, and the reference simulator's counts."""

from __future__ import annotations

import random

import pytest
from conftest import COLLECTION
from test_cli import run_cli

from turing_tx.errors import MachineFormatError
from turing_tx.machines.formats.bbchallenge import (
    SYMBOL_CHARS,
    load_file,
    looks_like_bbchallenge,
    parse_machine,
    write_machine,
)
from turing_tx.machines.simulator import RunRecord, simulate


@pytest.mark.parametrize(("text", "message"), [
    ("1RB1LB_1LA1R", "m.txt:1:8: row B has 5 characters, expected 6 (k = 2 from row A)"),
    ("1RB1L_1LA1RZ", "m.txt:1:1: row A has 5 characters, not a multiple of 3"),
    ("1RB1XB_1LA1RZ", "m.txt:1:5: bad move 'X' in A/1 (expected L or R)"),
    ("1RB3LB_1LA1RZ", "m.txt:1:4: write symbol 3 in A/1, but k = 2 (symbols 0..1)"),
    ("1RB1Lb_1LA1RZ", "m.txt:1:6: next state 'b' in A/1 is not a letter A–Z"),
    ("1RB_1LA", "m.txt:1:1: k = 1; at least 2 symbols are needed"),
    ("1RB1LB_1LA1RZ 13", "m.txt:1:16: input symbol 3 is not a symbol of the machine (0..1)"),
    ("# only a comment\n\n", "m.txt: empty file: no machine"),
])
def test_error_messages_name_file_line_column(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.txt").write_text(text, encoding="utf-8")
    with pytest.raises(MachineFormatError) as info:
        load_file("m.txt")
    assert str(info.value) == message


def test_invalid_utf8_and_size_limit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.txt").write_bytes(b"# ok\n\n1RB1LB\xff_1LA1RZ\n")
    with pytest.raises(MachineFormatError, match=r"^m.txt:3:7: invalid UTF-8 \(byte 0xff\)$"):
        load_file("m.txt")
    (tmp_path / "big.txt").write_bytes(b"#" * (2 << 20))
    with pytest.raises(MachineFormatError, match="file is 2097152 bytes; the limit is 1048576"):
        load_file("big.txt")


def test_collection_file_lines_inputs_and_undefined():
    lines = load_file(str(COLLECTION))
    assert [line.line for line in lines] == [4, 5, 6, 7, 8, 9, 10]
    increment = lines[5]
    assert increment.word == (2, 1, 2, 2) and increment.comment.startswith("binary increment")
    undefined = lines[6].machine
    assert undefined.entry(0, 1).undefined and undefined.entry(0, 1).write == 1
    record = RunRecord.start(undefined).consume(simulate(undefined))
    assert (record.steps, record.tape.nonblank, record.halted) == (3, 1, True)


@pytest.mark.parametrize(("code", "steps", "ones"), [
    ("1RB1LB_1LA1RZ", 6, 4), ("1RB1RZ_1LB0RC_1LC1LA", 21, 5), ("1RB1LB_1LA0LC_1RZ1LD_1RD0RA", 107, 13)])
def test_reference_simulator_busy_beavers(code, steps, ones):
    machine = parse_machine(code)
    record = RunRecord.start(machine).consume(simulate(machine))
    assert (record.steps, record.tape.nonblank, record.halted) == (steps, ones, True)


@pytest.mark.parametrize("code", ["1RB1LB_1LA1RZ", "1RB---_0LA1RZ", "1RB2LB1RZ_2LA2RB1LB", "1RA1RA"])
def test_write_round_trip(code):
    assert write_machine(parse_machine(code)) == code
    assert parse_machine(write_machine(parse_machine(code))) == parse_machine(code)


def test_machines_of_up_to_twenty_states_and_twenty_symbols_are_inline_strings(capsys):
    """Symbols past 9 are written a–z (this project's extension of the digits): a seeded 20-state
    20-symbol machine string (1219 characters) is recognised by its syntax, parses, writes back the
    same, and runs from the command line with an input word in its symbols."""
    rng = random.Random(20)
    states = [chr(ord("A") + q) for q in range(20)] + ["Z"]
    code = "_".join("".join(rng.choice(SYMBOL_CHARS[:20]) + rng.choice("LR") + rng.choice(states)
                            for _ in range(20)) for _ in range(20))
    machine = parse_machine(code)
    assert looks_like_bbchallenge(code) and len(code) == 1219
    assert (machine.num_states, machine.num_symbols) == (20, 20) and machine.symbols[10:12] == ("a", "b")
    assert write_machine(machine) == code
    status, out, err = run_cli(capsys, "run", code, "--input", "1aj", "--max-steps", "50")
    assert status == 0 and err == "" and "verified: True" in out
