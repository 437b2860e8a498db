"""Morphett format (docs/formats.md, "Morphett"): wildcard expansion, halt states, stays, errors, writing back."""

from __future__ import annotations

from pathlib import Path

import pytest

from turing_tx.errors import MachineFormatError
from turing_tx.machines.formats import bbchallenge, morphett
from turing_tx.machines.simulator import RunRecord, simulate

ANBN = (Path(__file__).resolve().parent.parent / "machines" / "anbn.morphett").read_text(encoding="utf-8")


def summary(text: str, word: str) -> dict[str, object]:
    machine = morphett.parse(text, "m.morphett", word)
    cells = morphett.parse_word(word, machine)
    return RunRecord.start(machine, cells).consume(simulate(machine, cells, 10_000)).summary()


def test_anbn_becomes_the_spec_translation() -> None:
    machine = morphett.parse(ANBN, "anbn.morphett")
    assert machine.symbols == ("_", "a", "b")
    assert machine.states == ("0", "right", "last", "back", "halt-accept~back", "halt-reject~back")
    assert machine.halts == ("halt-accept", "halt-reject")
    assert bbchallenge.write_machine(machine) == "0RE0RB2RF_0LC1RB2RB_0RF1RF0LD_0RA1LD2LD_0LZ1LZ2LZ_0LY1LY2LY"


@pytest.mark.parametrize(("word", "verdict", "steps", "head", "tape"), [
    ("", "halt-accept", 1, 0, ""), ("aabb", "halt-accept", 15, 2, ""), ("abb", "halt-reject", 8, 1, "b"),
    ("aba", "halt-reject", 5, 2, "ba"), ("bbaa", "halt-reject", 1, 0, "bbaa"),
])
def test_anbn_runs_as_the_readme_table(word: str, verdict: str, steps: int, head: int, tape: str) -> None:
    result = summary(ANBN, word)
    assert (result["state"], result["steps"], result["head"], result["tape"]) == (verdict, steps, head, tape)
    assert result["internal_steps"] == steps + 1


def test_exact_state_wildcard_symbol_beats_wildcard_state_exact_symbol() -> None:
    text = "0 a b r halt-1\n* a c r halt-2\n0 * d r halt-3\n"
    machine = morphett.parse(text, "m.morphett")
    assert machine.entry(0, machine.symbol_index("a")).halt == "halt-1"
    text = "0 * d r q\n* a c r halt-2\n* * e r halt-4\n"
    machine = morphett.parse(text, "m.morphett")
    a, blank = machine.symbol_index("a"), 0
    assert machine.entry(0, a).next_state == 1
    assert machine.entry(1, a).halt == "halt-2" and machine.entry(1, blank).halt == "halt-4"


def test_comments_breakpoints_upper_case_moves_and_wildcard_writes() -> None:
    text = "; a comment line\n\n0 1 * R 0 !   ; keep the 1\n0 _ x L halt ; then stop\n"
    assert summary(text, "11") == {"steps": 3, "halted": True, "state": "halt", "head": 1, "tape": "11x",
                                   "tape_start": 0, "nonblank": 3}


def test_no_matching_rule_stops_without_a_source_step() -> None:
    text = "0 a a r 0\n"
    machine = morphett.parse(text, "m.morphett")
    assert machine.halts == ("no-rule",) and machine.entry(0, 0).implicit
    result = summary(text, "aa")
    assert (result["steps"], result["state"], result["internal_steps"]) == (2, "no-rule", 3)


def test_input_symbols_join_the_alphabet_and_wildcards_cover_them() -> None:
    machine = morphett.parse("0 * * r halt\n", "m.morphett", "xy z")
    assert machine.symbols == ("_", "x", "y", "z")
    assert morphett.parse_word("x_ z", machine) == (1, 0, 0, 3)


@pytest.mark.parametrize(("word", "message"), [
    ("a*", "--input:1:2: '*' to place the head in the input is not supported"),
    ("q", "--input:1:1: input symbol 'q' is not a symbol of the machine"),
])
def test_bad_input_words(word: str, message: str) -> None:
    machine = morphett.parse("0 a a r halt\n", "m.morphett")
    with pytest.raises(MachineFormatError, match="^" + message.replace("*", r"\*")):
        morphett.parse_word(word, machine)


@pytest.mark.parametrize(("text", "message"), [
    ("0 a b r 1\n0 b b\n", "m.morphett:2:1: expected 5 fields, found 3"),
    ("0 a b r 1\n1 a    b x 0\n", "m.morphett:2:10: bad direction 'x' (expected l, r or *)"),
    ("0 a b r 1\n1 ab b r 0\n", "m.morphett:2:3: symbol 'ab' is not one character"),
    ("0 a b r 1\n\n0 a c l 0\n", "m.morphett:3:1: duplicate rule for (0, a); first at line 1"),
    ("1 a b r 0\n", "m.morphett:1:1: start state '0' has no rules"),
    ("0 a b r halt-x\nhalt-x a a r 0\n", "m.morphett:2:1: rule for halting state 'halt-x' can never run"),
    ("; nothing but a comment\n", "m.morphett: empty program: no rules"),
    ("0 a b r 1 extra\n", "m.morphett:1:1: expected 5 fields, found 6"),
])
def test_errors_are_one_located_line(text: str, message: str) -> None:
    with pytest.raises(MachineFormatError) as info:
        morphett.parse(text, "m.morphett")
    assert str(info.value) == message


def test_wildcard_state_rules_count_as_rules_of_the_start_state() -> None:
    assert morphett.parse("* _ 1 r halt\n", "m.morphett").states == ("0",)


def test_write_gives_explicit_rules_that_parse_back_to_the_same_machine() -> None:
    machine = morphett.parse(ANBN, "anbn.morphett")
    text = morphett.write(machine)
    assert all(line.split()[1] != "*" and line.split()[2] != "*" for line in text.splitlines())
    assert "0 _ _ * halt-accept" in text and "right b b r right" in text
    assert morphett.parse(text, "anbn.morphett") == machine


def test_write_orders_lines_so_states_keep_their_numbers() -> None:
    text = "0 a a r second\n0 _ _ r third\nthird _ _ l halt-b\nsecond _ _ l halt-a\n"
    machine = morphett.parse(text, "m.morphett")
    assert machine.states == ("0", "second", "third") and machine.halts == ("halt-b", "halt-a", "no-rule")
    assert morphett.parse(morphett.write(machine), "m.morphett") == machine


def test_write_renames_the_start_state_and_needs_halt_names() -> None:
    machine = bbchallenge.parse_machine("1RB1LB_1LA1RZ")
    with pytest.raises(MachineFormatError, match="halt name 'Z' does not begin with 'halt'"):
        morphett.write(machine)
    renamed = type(machine)(machine.symbols, machine.states, ("halt",),
                            tuple(tuple(e if e.halt is None else type(e)(e.write, e.move, halt="halt") for e in row)
                                  for row in machine.table))
    text = morphett.write(renamed)
    assert text.splitlines()[0] == "0 _ 1 r B"
    assert bbchallenge.write_machine(morphett.parse(text, "m")) == "1RB1LB_1LA1RZ"
