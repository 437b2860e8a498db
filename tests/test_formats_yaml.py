"""turingmachine.io YAML (docs/formats.md, "turingmachine.io YAML"): mapping to the internal machine,
site documents, errors."""

from __future__ import annotations

import pytest

from turing_tx.errors import MachineFormatError
from turing_tx.machines.formats import bbchallenge, yaml_format
from turing_tx.machines.simulator import RunRecord, simulate

INCREMENT = """\
input: '1011'
blank: ' '
start state: right
table:
  right:
    [1,0]: R
    ' '  : {L: carry}
  carry:
    1      : {write: 0, L}
    [0,' ']: {write: 1, L: done}
  done:
"""


def summary(text: str, word: str | None = None, limit: int = 10_000) -> dict[str, object]:
    parsed = yaml_format.parse(text, "m.yaml", word or "")
    machine = parsed.machine
    cells = parsed.word if word is None else yaml_format.parse_word(word, machine)
    return RunRecord.start(machine, cells).consume(simulate(machine, cells, limit)).summary()


def test_increment_maps_as_documented() -> None:
    parsed = yaml_format.parse(INCREMENT, "inc.yaml")
    machine = parsed.machine
    assert machine.symbols == (" ", "0", "1")
    assert machine.states == ("right", "carry") and machine.halts == ("done",)
    assert bbchallenge.write_machine(machine) == "0LB1RA2RA_2LZ2LZ1LB"
    assert parsed.word == (2, 1, 2, 2) and parsed.warnings == ()
    assert summary(INCREMENT) == {"steps": 8, "halted": True, "state": "done", "head": 0, "tape": "1100",
                                  "tape_start": 0, "nonblank": 4}


def test_site_exported_document_uses_source_code_and_name() -> None:
    body = "".join("  " + line + "\n" for line in INCREMENT.splitlines())
    document = f"name: increment\nsource code: |\n{body}positions:\n  right: {{x: 1, y: 2}}\n"
    parsed = yaml_format.parse(document, "inc.yaml")
    assert parsed.name == "increment" and parsed.machine.name == "increment"
    assert bbchallenge.write_machine(parsed.machine) == "0LB1RA2RA_2LZ2LZ1LB"


def test_error_inside_source_code_is_located_in_the_outer_file() -> None:
    body = "".join("  " + line + "\n" for line in INCREMENT.replace("L: carry", "L: cary").splitlines())
    document = f"name: increment\nsource code: |\n{body}"
    with pytest.raises(MachineFormatError) as info:
        yaml_format.parse(document, "inc.yaml")
    assert str(info.value) == "inc.yaml:9:18: state 'cary' is not in the table"
    assert document.split("\n")[8][17:21] == "cary"


def test_scalars_keep_their_source_text() -> None:
    """BaseLoader: ``no`` stays a synonym name, ``0011`` stays four characters (no YAML 1.1 typing)."""
    text = """\
input: 0011
blank: _
start state: s
synonyms:
  no: {N: stop}
table:
  s: {0: R, 1: no, _: no}
  stop:
"""
    parsed = yaml_format.parse(text, "m.yaml")
    assert parsed.machine.format_symbols(parsed.word) == "0011"
    assert summary(text) == {"steps": 3, "halted": True, "state": "stop", "head": 2, "tape": "0011",
                             "tape_start": 0, "nonblank": 4, "internal_steps": 4}


def test_n_move_becomes_a_right_move_and_a_step_back() -> None:
    text = "blank: ' '\nstart state: a\ntable:\n  a: {' ': {write: x, N: b}}\n  b: {x: {N: done}}\n  done:\n"
    machine = yaml_format.parse(text, "m.yaml").machine
    assert machine.states == ("a", "b", "b~back", "done~back")
    assert machine.added_states == frozenset({2, 3})
    assert summary(text) == {"steps": 2, "halted": True, "state": "done", "head": 0, "tape": "x",
                             "tape_start": 0, "nonblank": 1, "internal_steps": 4}


def test_missing_rule_is_an_implicit_no_rule_halt_not_counted() -> None:
    text = "blank: ' '\nstart state: a\ntable:\n  a: {1: R}\n"
    machine = yaml_format.parse(text, "m.yaml").machine
    assert machine.halts == ("no-rule",)
    assert machine.entry(0, 0).implicit and not machine.entry(0, 1).implicit
    result = summary(text, "11")
    assert (result["steps"], result["state"], result["internal_steps"]) == (2, "no-rule", 3)


def test_missing_blank_defaults_to_space_with_a_warning() -> None:
    parsed = yaml_format.parse("start state: a\ntable:\n  a: {1: {R: b}}\n  b:\n", "m.yaml")
    assert parsed.machine.symbols[0] == " " and parsed.warnings == ("no 'blank' given; using ' '",)


def test_input_characters_given_with_the_machine_join_the_alphabet() -> None:
    text = "blank: ' '\nstart state: a\ntable:\n  a: {1: R}\n"
    assert yaml_format.parse(text, "m.yaml", "12").machine.symbols == (" ", "1", "2")
    machine = yaml_format.parse(text, "m.yaml").machine
    with pytest.raises(MachineFormatError, match="--input:1:2: input symbol '2' is not a symbol"):
        yaml_format.parse_word("12", machine)


def _with(old: str, new: str) -> str:
    assert old in INCREMENT
    return INCREMENT.replace(old, new)


@pytest.mark.parametrize(("text", "message"), [
    (_with("    1      : {write: 0, L}\n", "    1      : {write: 0, L}\n    [1]: L\n"),
     "inc.yaml:10:6: duplicate rule for state carry, symbol '1'"),
    (_with("start state: right", "start state: rihgt"),
     "inc.yaml:3:14: start state 'rihgt' is not a state of the table"),
    (_with("{write: 0, L}", "{write: 10, L}"), "inc.yaml:9:22: write '10' is not one character"),
    (_with("[1,0]: R", "[1,0]: X"), "inc.yaml:6:12: unknown move 'X' (expected L, R or N)"),
    (_with("{L: carry}", "{L: cary}"), "inc.yaml:7:16: state 'cary' is not in the table"),
    (_with("{write: 1, L: done}", "{L: done, R}"), "inc.yaml:10:24: instruction has both L and R"),
    (_with("start state: right\n", ""), "inc.yaml:1:1: missing 'start state'"),
    (_with("  done:\n", "  done:\n  right: {}\n"), "inc.yaml:12:3: duplicate key 'right' in the table"),
    (_with("{write: 0, L}", "{write: 0, L, jump: 1}"),
     "inc.yaml:9:28: unknown key 'jump' in instruction (expected L, R, N or write)"),
    (_with("{write: 0, L}", "{write: 0}"), "inc.yaml:9:14: instruction has no move (L, R or N)"),
    (_with("[1,0]: R", "[10]: R"), "inc.yaml:6:6: symbol '10' is not one character"),
    (_with("start state: right", "start state: done"),
     "inc.yaml:3:14: start state 'done' has no rules; there is nothing to run"),
    (_with("blank: ' '", "blank: '  '"), "inc.yaml:2:8: blank '  ' is not one character"),
    ("blank: ' '\nstart state: a\ntable:\n", "inc.yaml:3:7: empty table"),
    ("", "inc.yaml: empty document: no machine"),
    ("- 1\n- 2\n", "inc.yaml:1:1: a machine is a mapping with blank, start state and table"),
    ("a: [1\n", "inc.yaml:2:1: while parsing a flow sequence: expected ',' or ']', but got '<stream end>'"),
    ("a: 1\n---\nb: 2\n", "inc.yaml:2:1: expected a single document in the stream: but found another document"),
])
def test_errors_are_one_located_line(text: str, message: str) -> None:
    with pytest.raises(MachineFormatError) as info:
        yaml_format.parse(text, "inc.yaml")
    assert str(info.value) == message


def test_write_then_parse_gives_the_same_machine() -> None:
    parsed = yaml_format.parse(INCREMENT, "inc.yaml")
    text = yaml_format.write(parsed.machine, parsed.word)
    again = yaml_format.parse(text, "inc.yaml")
    assert again.machine == parsed.machine and again.word == parsed.word
    assert '["0", "1"]: R' in text and '"done":' in text


def test_write_folds_stays_back_into_n_moves() -> None:
    text = "blank: ' '\nstart state: a\ntable:\n  a: {' ': {write: x, N: done}, x: N}\n  done:\n"
    machine = yaml_format.parse(text, "m.yaml").machine
    written = yaml_format.write(machine)
    assert '" ": {write: "x", N: "done"}' in written and '"x": N' in written
    assert yaml_format.parse(written, "m.yaml").machine == machine


def test_write_rejects_long_symbol_names() -> None:
    machine = bbchallenge.parse_machine("1RB1LB_1LA1RZ")
    renamed = type(machine)(("0", "10"), machine.states, machine.halts, machine.table)
    with pytest.raises(MachineFormatError, match="cannot write YAML: symbol '10'"):
        yaml_format.write(renamed)


def test_library_index_loader_rejects_duplicate_keys() -> None:
    with pytest.raises(MachineFormatError, match=r"^i.yaml:2:1: duplicate key 'a'$"):
        yaml_format.load_data("a: 1\na: 2\n", "i.yaml")
    assert yaml_format.load_data("[1, 0]: yes\n", "i.yaml") == {("1", "0"): "yes"}
