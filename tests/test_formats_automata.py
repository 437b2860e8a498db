"""automata-lib DTMs (docs/formats.md, "automata-lib DTM (JSON)"): conversion both ways, validation,
the JSON file form."""

from __future__ import annotations

import sys

import pytest

from turing_tx.errors import MachineFormatError, UsageError
from turing_tx.machines.formats import automata, bbchallenge
from turing_tx.machines.simulator import RunRecord, simulate

DTM_ARGS = {
    "states": {"q0", "q1", "q2"},
    "input_symbols": {"0", "1"},
    "tape_symbols": {"0", "1", "x", "."},
    "transitions": {
        "q0": {"0": ("q1", "x", "R"), "1": ("q0", "1", "N")},
        "q1": {".": ("q2", "1", "L"), "0": ("q1", "0", "R")},
    },
    "initial_state": "q0",
    "blank_symbol": ".",
    "final_states": {"q2"},
}


def test_from_dtm_orders_symbols_and_states_and_fills_missing_rules() -> None:
    machine = automata.from_dtm(DTM_ARGS)
    assert machine.symbols == (".", "0", "1", "x")
    assert machine.states == ("q0", "q1", "q0~back") and machine.halts == ("q2", "reject")
    assert machine.added_states == frozenset({2})
    assert machine.entry(0, 0).implicit and machine.entry(0, 0).halt == "reject"
    assert machine.entry(0, 2).next_state == 2  # the 'N' step goes right, then back


def test_run_matches_automata_lib_step_for_step() -> None:
    dtm_module = pytest.importorskip("automata.tm.dtm")
    dtm = dtm_module.DTM(**DTM_ARGS)
    machine = automata.from_dtm(dtm)
    word = automata.parse_word("000", machine)
    result = RunRecord.start(machine, word).consume(simulate(machine, word, 100)).summary()
    configurations = list(dtm.read_input_stepwise("000"))
    assert result["steps"] == len(configurations) - 1 == 4
    assert result["state"] == configurations[-1].state == "q2"
    assert result["tape"] == configurations[-1].tape.get_symbols_as_str().strip(".") == "x001"


def test_to_dtm_round_trip_through_the_library_object() -> None:
    pytest.importorskip("automata.tm.dtm")
    machine = automata.from_dtm(DTM_ARGS)
    dtm = automata.to_dtm(machine)
    assert dtm.transitions["q0"]["1"] == ("q0", "1", "N")
    assert dtm.transitions["q0"]["0"] == ("q1", "x", "R")
    assert "." not in dtm.transitions["q0"] and dtm.final_states == {"q2"}
    assert automata.from_dtm(dtm) == machine


def test_bbchallenge_machine_to_dtm_keeps_the_step_count() -> None:
    machine = bbchallenge.parse_machine("1RB---_0LA1RZ")
    args = automata.to_dtm_kwargs(machine)
    assert args["transitions"]["A"]["1"] == ("Z", "1", "R")
    assert args["final_states"] == {"Z"} and args["blank_symbol"] == "0"
    back = automata.from_dtm(args)
    result = RunRecord.start(back).consume(simulate(back, (), 100)).summary()
    assert (result["steps"], result["state"], result["nonblank"]) == (3, "Z", 1)


def test_to_dtm_without_automata_lib_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "automata.tm.dtm", None)
    with pytest.raises(UsageError, match="automata-lib is not installed"):
        automata.to_dtm(automata.from_dtm(DTM_ARGS))


def _changed(**changes: object) -> dict[str, object]:
    return {**DTM_ARGS, **changes}


@pytest.mark.parametrize(("args", "message"), [
    (_changed(initial_state="q9"), "<dtm>: /initial_state: initial_state 'q9' is not in states"),
    (_changed(initial_state="q2"), "<dtm>: /initial_state: initial_state 'q2' cannot be a final state"),
    (_changed(blank_symbol="#"), "<dtm>: /blank_symbol: blank_symbol '#' is not in tape_symbols"),
    (_changed(input_symbols={"0", "."}), "<dtm>: /input_symbols: the blank '.' cannot be an input symbol"),
    (_changed(input_symbols={"0", "7"}), "<dtm>: /input_symbols: '7' is not in tape_symbols"),
    (_changed(tape_symbols={"0", "1", "xy", "."}), "<dtm>: /tape_symbols: symbol 'xy' is not a one-character"),
    (_changed(final_states={"q2", "q7"}), "<dtm>: /final_states: 'q7' is not in states"),
    (_changed(transitions={"q0": {"0": ("q9", "x", "R")}}), "<dtm>: /transitions/q0/0: state 'q9' is not"),
    (_changed(transitions={"q0": {"0": ("q1", "y", "R")}}), "<dtm>: /transitions/q0/0: write symbol 'y'"),
    (_changed(transitions={"q0": {"0": ("q1", "x", "S")}}), "<dtm>: /transitions/q0/0: bad move 'S'"),
    (_changed(transitions={"q0": {"y": ("q1", "x", "R")}}), "<dtm>: /transitions/q0/y: symbol 'y' is not"),
    (_changed(transitions={"q2": {"0": ("q1", "x", "R")}}), "<dtm>: /transitions/q2: final state 'q2' has"),
    (_changed(transitions={"q5": {}}), "<dtm>: /transitions/q5: state 'q5' is not in states"),
    (_changed(transitions={"q0": {"0": ("q1", "x")}}), "<dtm>: /transitions/q0/0: expected (next_state"),
    ({k: v for k, v in DTM_ARGS.items() if k != "blank_symbol"}, "<dtm>: missing 'blank_symbol'"),
    (_changed(states="q0"), "<dtm>: /states: expected a set or list"),
])
def test_validation_errors_name_the_culprit(args: dict[str, object], message: str) -> None:
    with pytest.raises(MachineFormatError) as info:
        automata.from_dtm(args)
    assert str(info.value).startswith(message)


def test_json_file_form_round_trip() -> None:
    machine = automata.from_dtm(DTM_ARGS, "m.dtm")
    text = automata.write(machine, (1, 1))
    parsed = automata.parse(text, "m.dtm")
    assert parsed.machine == machine and parsed.word == (1, 1)
    assert '"q0": {"0": ["q1", "x", "R"], "1": ["q0", "1", "N"]}' in text


@pytest.mark.parametrize(("text", "message"), [
    ('{"states": [], "states": []}', "m.dtm: /: duplicate key 'states'"),
    ('{"q": {"a": 1, "a": 2}}', "m.dtm: /q: duplicate key 'a'"),
    ('{"states": [\n  1,,]}', "m.dtm:2:5: invalid JSON: Expecting value"),
    ('[1, 2]', "m.dtm: a DTM file is a JSON object"),
    ('{"colour": 1}', "m.dtm: /colour: unknown key"),
])
def test_json_errors(text: str, message: str) -> None:
    with pytest.raises(MachineFormatError) as info:
        automata.parse(text, "m.dtm")
    assert str(info.value).startswith(message)


def test_json_input_must_use_tape_symbols() -> None:
    text = automata.write(automata.from_dtm(DTM_ARGS)).replace('"transitions"', '"input": "0z",\n  "transitions"')
    with pytest.raises(MachineFormatError, match=r"^m.dtm: /input: input symbol 'z' is not in tape_symbols$"):
        automata.parse(text, "m.dtm")
