"""Round trips, property-tested: parse → write → parse gives the same machine in every format, and one
machine written in all four formats runs the same (identical summaries up to the formats' names)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from turing_tx.machines import resolve
from turing_tx.machines.formats import automata, bbchallenge, loader, morphett, yaml_format
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.simulator import RunRecord, simulate

MACHINES = Path(__file__).resolve().parent.parent / "machines"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT = 60


def summary(machine: TuringMachine, word: tuple[int, ...]) -> dict[str, object]:
    return RunRecord.start(machine, word).consume(simulate(machine, word, LIMIT)).summary()


def indices(result: dict[str, object], machine: TuringMachine) -> dict[str, object]:
    """A summary with the tape as symbol indices, so runs of renamed machines compare equal."""
    return {**result, "tape": [machine.symbols.index(ch) for ch in str(result["tape"])]}


@st.composite
def bbchallenge_codes(draw: st.DrawFn) -> str:
    n, k = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    letters = [chr(ord("A") + i) for i in range(n)] + ["Z"]
    triple = st.one_of(st.just("---"), st.builds(lambda w, d, t: f"{w}{d}{t}", st.integers(0, k - 1),
                                                   st.sampled_from("LR"), st.sampled_from(letters)))
    return "_".join("".join(draw(st.lists(triple, min_size=k, max_size=k))) for _ in range(n))


def with_morphett_names(machine: TuringMachine) -> TuringMachine:
    """The same machine with halt names Morphett accepts (``halt`` + name)."""
    def entry(e: Entry) -> Entry:
        return e if e.halt is None else Entry(e.write, e.move, halt="halt" + e.halt)
    return TuringMachine(machine.symbols, machine.states, tuple("halt" + h for h in machine.halts),
                         tuple(tuple(entry(e) for e in row) for row in machine.table))


@SETTINGS
@given(bbchallenge_codes(), st.data())
def test_one_machine_in_four_formats_runs_the_same(code: str, data: st.DataObject) -> None:
    machine = bbchallenge.parse_machine(code)
    word = tuple(data.draw(st.lists(st.integers(0, machine.num_symbols - 1), max_size=5)))
    expected = summary(machine, word)
    assert bbchallenge.write_machine(bbchallenge.parse_machine(bbchallenge.write_machine(machine))) == code
    for format in ("yaml", "automata"):
        [loaded] = loader.load_text(loader.write(machine, format, word), format, "m")
        assert loaded.word == word and summary(loaded.machine, word) == expected
    renamed = with_morphett_names(machine)
    text = "".join("_" if a == 0 else renamed.symbols[a] for a in word)
    [loaded] = loader.load_text(morphett.write(renamed), "morphett", "m", text)
    other = summary(loaded.machine, loaded.word)
    assert indices(other, loaded.machine) == {**indices(expected, machine), "state": other["state"]}
    assert other["state"] == ("0" if expected["state"] == "A" else "halt" + str(expected["state"])
                              if expected["halted"] else expected["state"])


NAMES = st.sampled_from(["s0", "s1", "s2", "odd name", "q:1"])
CHARS = st.sampled_from([" ", "0", "1", "a", "#", "'", "é", "\\"])


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    running = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    halting = draw(st.lists(st.sampled_from(["done", "stop"]), max_size=2, unique=True))
    blank = draw(CHARS)
    lines = [f"blank: {yaml_format.quote(blank)}", f"start state: {yaml_format.quote(running[0])}", "table:"]
    for state in running:
        symbols = draw(st.lists(CHARS, min_size=1, max_size=4, unique=True))
        if state == running[0] and set(symbols) == {blank}:
            symbols.append(draw(CHARS.filter(lambda ch: ch != blank)))  # at least 2 symbols
        lines.append(f"  {yaml_format.quote(state)}:")
        for symbol in symbols:
            move = draw(st.sampled_from("LRN"))
            parts = [f"write: {yaml_format.quote(draw(CHARS))}"] if draw(st.booleans()) else []
            target = draw(st.one_of(st.none(), st.sampled_from(running + halting)))
            parts.append(move + ("" if target is None else f": {yaml_format.quote(target)}"))
            lines.append(f"    {yaml_format.quote(symbol)}: {{{', '.join(parts)}}}")
    lines += [f"  {yaml_format.quote(h)}:" for h in halting]
    if draw(st.booleans()):
        lines.insert(0, f"input: {yaml_format.quote(''.join(draw(st.lists(CHARS, max_size=4))))}")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(yaml_documents())
def test_yaml_parse_write_parse(text: str) -> None:
    first = yaml_format.parse(text, "m.yaml")
    written = yaml_format.write(first.machine, first.word)
    second = yaml_format.parse(written, "m.yaml")
    assert second.machine == first.machine and second.word == first.word
    assert yaml_format.write(second.machine, second.word) == written


@st.composite
def morphett_programs(draw: st.DrawFn) -> str:
    states = st.sampled_from(["0", "q1", "q2", "*"])
    symbols = st.sampled_from(["_", "a", "b", "*"])
    keys = draw(st.lists(st.tuples(states, symbols), min_size=1, max_size=10, unique=True))
    if not any(state in ("0", "*") for state, _ in keys):
        keys.append(("0", "_"))
    lines = []
    for i, (state, read) in enumerate(keys):
        write = "a" if i == 0 else draw(symbols)  # at least 2 symbols
        move = draw(st.sampled_from(["l", "r", "*", "L", "R"]))
        target = draw(st.sampled_from(["0", "q1", "q2", "*", "halt", "halt-x"]))
        lines.append(f"{state} {read} {write} {move} {target}" + draw(st.sampled_from(["", " !", " ; c"])))
    return "\n".join(lines) + "\n"


@SETTINGS
@given(morphett_programs())
@example("* _ a l 0\n0 _ _ * 0\n")  # 'a' only in a shadowed wildcard rule; the stay adds a back state
@example("0 * a l q1\n0 _ _ l 0\n0 a _ l 0\n")  # q1 only the target of a shadowed wildcard rule
def test_morphett_parse_write_parse(text: str) -> None:
    first = morphett.parse(text, "m.morphett")
    written = morphett.write(first)
    # Explicit rules cannot mention what only shadowed wildcard rules used (a symbol, a halt name, a
    # target state): such programs must still run the same; all others come back as the same machine.
    source_rows = [row for q, row in enumerate(first.table) if q not in first.added_states]
    explicit = [e for row in source_rows for e in row if not e.implicit]
    used = {e.write for e in explicit} | {a for row in source_rows for a, e in enumerate(row) if not e.implicit}
    halts = {e.halt for e in explicit} | {"no-rule"}
    targets = {0} | {e.next_state for e in explicit if e.next_state is not None}
    sources = {q for q in range(first.num_states) if q not in first.added_states}
    if used == set(range(first.num_symbols)) and halts >= set(first.halts) and targets >= sources:
        assert morphett.parse(written, "m.morphett") == first
    word = tuple(range(first.num_symbols)) * 2
    second = morphett.parse(written, "m.morphett", first.format_symbols(word))
    assert summary(second, morphett.parse_word(first.format_symbols(word), second)) == summary(first, word)


@st.composite
def dtm_arguments(draw: st.DrawFn) -> dict[str, object]:
    states = [f"q{i}" for i in range(draw(st.integers(1, 4)))] + ["acc"]
    finals = {"acc"} | set(draw(st.lists(st.sampled_from(states[1:]), max_size=2)))
    tape = ["."] + draw(st.lists(st.sampled_from("01xy"), min_size=1, max_size=3, unique=True))
    transitions: dict[str, dict[str, tuple[str, str, str]]] = {}
    for state in states:
        if state in finals:
            continue
        for symbol in draw(st.lists(st.sampled_from(tape), min_size=state == "q0", unique=True)):
            transitions.setdefault(state, {})[symbol] = (
                draw(st.sampled_from(states)), draw(st.sampled_from(tape)), draw(st.sampled_from("LRN")))
    return {"states": set(states), "input_symbols": set(tape[1:]), "tape_symbols": set(tape),
            "transitions": transitions, "initial_state": "q0", "blank_symbol": ".", "final_states": finals}


@SETTINGS
@given(dtm_arguments())
def test_dtm_from_to_from(args: dict[str, object]) -> None:
    first = automata.from_dtm(args, "m.dtm")
    assert automata.from_dtm(automata.to_dtm_kwargs(first), "m.dtm") == first
    assert automata.parse(automata.write(first), "m.dtm").machine == first
    assert automata.from_dtm(automata.to_dtm(first), "m.dtm") == first


def test_increment_in_four_formats_is_one_machine() -> None:
    """increment.{yaml,txt,morphett,dtm}: the same table, the same runs (names aside)."""
    loaded = {f: resolve.load(str(MACHINES / f"increment.{f}"), input_text=None)[0]
              for f in ("yaml", "txt", "morphett", "dtm")}
    shape = {f: [[(e.write, e.move, e.next_state, e.halt is None) for e in row] for row in m.machine.table]
             for f, m in loaded.items()}
    assert shape["yaml"] == shape["txt"] == shape["morphett"] == shape["dtm"]
    for word in ((), (1,), (2, 2, 2), (2, 1, 2, 2), (2, 2, 2, 2)):
        results = [indices(summary(m.machine, word), m.machine) for m in loaded.values()]
        states = {r.pop("state") for r in results}
        assert states == {"done", "Z", "halt"}
        assert results[0] == results[1] == results[2] == results[3]
