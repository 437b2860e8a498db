"""The loader: format detection, library names, inline machines, input words, export to every format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import COLLECTION

from turing_tx.errors import MachineFormatError, UsageError
from turing_tx.machines import resolve
from turing_tx.machines.formats import bbchallenge, loader, morphett
from turing_tx.machines.simulator import RunRecord, simulate

MACHINES = Path(__file__).resolve().parent.parent / "machines"


def run(loaded: loader.LoadedMachine, limit: int = 10_000) -> dict[str, object]:
    record = RunRecord.start(loaded.machine, loaded.word)
    return record.consume(simulate(loaded.machine, loaded.word, limit)).summary()


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("m.bb", "1RB1LB_1LA1RZ", "bbchallenge"),
    ("m.yml", "", "yaml"),
    ("m.tm", "", "morphett"),
    ("m.json", "", "automata"),
    ("m.txt", "# BB(2)\n1RB1LB_1LA1RZ  # comment\n", "bbchallenge"),
    ("m.txt", "; a^n b^n\n0 a _ r right\n", "morphett"),
    ("m.txt", "blank: ' '\nstart state: a\ntable: {}\n", "yaml"),
    ("machine", '  {"states": []}', "automata"),
    ("machine", "garbage", "bbchallenge"),
])
def test_detect_format(name: str, text: str, expected: str) -> None:
    assert loader.detect_format(name, text) == expected


def test_files_of_every_format_load(tmp_path: Path) -> None:
    for file, format in (("bb3.txt", "bbchallenge"), ("increment.yaml", "yaml"),
                         ("anbn.morphett", "morphett"), ("mod3.dtm", "automata")):
        [loaded] = resolve.load(str(MACHINES / file))
        assert loaded.format == format and loaded.source == str(MACHINES / file)
    copy = tmp_path / "anbn.txt"
    copy.write_text((MACHINES / "anbn.morphett").read_text(encoding="utf-8"), encoding="utf-8")
    [loaded] = resolve.load(str(copy), input_text="aabb")
    assert loaded.format == "morphett" and run(loaded)["state"] == "halt-accept"


def test_format_override_and_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "machine.data"
    path.write_text("0 _ 1 r halt\n", encoding="utf-8")
    [loaded] = resolve.load(str(path), format="morphett")
    assert run(loaded)["state"] == "halt"
    with pytest.raises(UsageError, match="unknown format 'xml'"):
        resolve.load(str(path), format="xml")


def test_multi_machine_bbchallenge_file_keeps_lines() -> None:
    machines = resolve.load(str(COLLECTION))
    assert [m.line for m in machines] == [4, 5, 6, 7, 8, 9, 10]
    assert machines[5].word == (2, 1, 2, 2)


def test_inline_machine_and_library_name() -> None:
    [inline] = resolve.load("1RB1LB_1LA1RZ")
    assert inline.source == "<inline>" and run(inline)["steps"] == 6
    [named] = resolve.load("bb4")
    assert named.expected is not None and run(named) == named.expected
    with pytest.raises(MachineFormatError, match="no such file, library machine or machine string"):
        resolve.load("not-a-machine")


def test_input_text_replaces_the_word_and_extends_morphett_and_yaml_alphabets() -> None:
    [yaml_machine] = resolve.load(str(MACHINES / "increment.yaml"), input_text="111")
    assert run(yaml_machine)["tape"] == "1000"
    [morphett_machine] = loader.load_text("0 * * * halt\n", "morphett", "m.morphett", input_text="xyz")
    assert morphett_machine.machine.symbols == ("_", "x", "y", "z")
    assert run(morphett_machine)["tape"] == "xyz"


@pytest.mark.parametrize(("file", "word", "cells"), [
    ("bb2.txt", "101", (1, 0, 1)),
    ("increment.yaml", "10 1", (2, 1, 0, 2)),
    ("anbn.morphett", "a_ b", (1, 0, 0, 2)),
    ("mod3.dtm", "1.0", (2, 0, 1)),
])
def test_parse_input_uses_the_machines_own_symbols(file: str, word: str, cells: tuple[int, ...]) -> None:
    [loaded] = resolve.load(str(MACHINES / file))
    assert loader.parse_input(loaded, word) == cells


def test_bad_input_is_located_at_the_input() -> None:
    [loaded] = resolve.load(str(MACHINES / "bb2.txt"))
    with pytest.raises(MachineFormatError, match="^--input:1:2: input symbol 2"):
        loader.parse_input(loaded, "121")


def test_missing_yaml_blank_is_reported_as_a_warning() -> None:
    [loaded] = loader.load_text("start state: a\ntable:\n  a: {1: {R: b}}\n  b:\n", "yaml", "m.yaml")
    assert loaded.warnings == ("no 'blank' given; using ' '",)


@pytest.mark.parametrize("format", loader.FORMATS)
def test_write_then_load_runs_the_same(format: str) -> None:
    [original] = resolve.load(str(MACHINES / "increment.txt"))
    machine = original.machine
    if format == "morphett":
        machine = type(machine)(machine.symbols, machine.states, ("halt",), tuple(
            tuple(e if e.halt is None else type(e)(e.write, e.move, halt="halt") for e in row)
            for row in machine.table))
    text = loader.write(machine, format, original.word)
    [again] = loader.load_text(text, format, f"m.{format}", None if format != "morphett" else "2122")
    word = original.word if format != "morphett" else loader.parse_input(again, "2122")
    first, second = run(original), run(loader.LoadedMachine(again.machine, word, "", format))
    keys = ("steps", "halted", "head", "nonblank", "tape_start")
    assert [first[k] for k in keys] == [second[k] for k in keys] == [8, True, 0, 4, 0]
    assert second["tape"] == "2211"

def test_write_unknown_format_is_a_usage_error() -> None:
    [loaded] = resolve.load("bb2")
    with pytest.raises(UsageError):
        loader.write(loaded.machine, "svg")


def test_morphett_halting_names_and_bbchallenge_halt_letters() -> None:
    """What ``convert`` maps: halt names to Morphett's ``halt…`` (kept when they already are), and the
    letters bbchallenge text gives halt names."""
    [palindrome] = resolve.load("palindrome")
    renamed, names = morphett.with_halt_names(palindrome.machine)
    assert names == {"accept": "halt-accept", "reject": "halt-reject"}
    [again] = loader.load_text(morphett.write(renamed), "morphett", "p.morphett", "abba")
    assert run(replace(again, word=loader.parse_input(again, "abba")))["state"] == "halt-accept"
    [anbn] = resolve.load("anbn")
    assert morphett.with_halt_names(anbn.machine) == (anbn.machine, {})
    assert bbchallenge.halt_letters(palindrome.machine) == {"accept": "Z", "reject": "Y"}
    assert bbchallenge.halt_letters(bbchallenge.parse_machine("1RB---_1LA0LB")) == {}  # --- needs no letter
