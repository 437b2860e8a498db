"""The machine library: every entry's stored result is reproduced twice, independently.

Once by the reference simulator on the parsed machine (``RunRecord.summary()``), and once by the small
source-level simulators below, which read each file format directly (YAML ``N`` moves and missing rules,
Morphett wildcards and ``halt*`` states, DTM transitions) without the importers or the internal table.
The DTM files are also run through automata-lib itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from turing_tx.errors import UsageError
from turing_tx.machines import library, resolve
from turing_tx.machines.formats import loader
from turing_tx.machines.simulator import RunRecord, simulate

MACHINES = Path(__file__).resolve().parent.parent / "machines"
Result = dict[str, object]


def _result(tape: dict[int, str], blank: str, steps: int, halted: bool, state: str, head: int) -> Result:
    cells = {c: s for c, s in tape.items() if s != blank}
    low = min(cells, default=0)
    text = "".join(cells.get(c, blank) for c in range(low, max(cells, default=-1) + 1))
    return {"steps": steps, "halted": halted, "state": state, "head": head, "tape": text,
            "tape_start": low, "nonblank": len(cells)}


def run_bbchallenge(text: str, word: str, limit: int | None) -> Result:
    code = text.split("#")[0].split()[0]
    rows = code.split("_")
    tape = dict(enumerate(word))
    state, head, steps = "A", 0, 0
    while limit is None or steps < limit:
        triple = rows[ord(state) - ord("A")][3 * int(tape.get(head, "0")): 3 * int(tape.get(head, "0")) + 3]
        write, move, state = ("1", "R", "Z") if triple == "---" else tuple(triple)
        tape[head] = write
        head += 1 if move == "R" else -1
        steps += 1
        if not "A" <= state < chr(ord("A") + len(rows)):
            return _result(tape, "0", steps, True, state, head)
    return _result(tape, "0", steps, False, state, head)


class _ListKeys(yaml.BaseLoader):
    """Strings everywhere; a list key becomes a tuple (enough for the library's own files)."""


_ListKeys.add_constructor("tag:yaml.org,2002:map", lambda loader, node: {
    (tuple(loader.construct_sequence(k)) if isinstance(k, yaml.SequenceNode) else loader.construct_scalar(k)):
    loader.construct_object(v, deep=True) for k, v in node.value})


def run_yaml(text: str, word: str, limit: int | None) -> Result:
    doc = yaml.load(text, Loader=_ListKeys)
    if "source code" in doc:
        doc = yaml.load(doc["source code"], Loader=_ListKeys)
    blank, state, synonyms = doc["blank"], doc["start state"], doc.get("synonyms") or {}
    table = {q: {} for q in doc["table"]}
    for q, body in doc["table"].items():
        for key, instruction in (body or {}).items():
            for symbol in key if isinstance(key, tuple) else (key,):
                table[q][symbol] = synonyms.get(instruction, instruction) if isinstance(instruction, str) \
                    else instruction
    tape = {i: ch for i, ch in enumerate(word)}
    head = steps = 0
    while limit is None or steps < limit:
        instruction = table[state].get(tape.get(head, blank))
        if instruction is None:
            return _result(tape, blank, steps, True, state, head)
        if isinstance(instruction, str):
            move, write, goal = instruction, None, ""
        else:
            move = next(k for k in instruction if k in "LRN")
            write, goal = instruction.get("write"), instruction[move]
        if write is not None:
            tape[head] = write
        head += {"L": -1, "R": 1, "N": 0}[move]
        state = goal or state
        steps += 1
    return _result(tape, blank, steps, False, state, head)


def run_morphett(text: str, word: str, limit: int | None) -> Result:
    rules = {}
    for line in text.split("\n"):
        fields = line.split(";")[0].split()
        if fields:
            rules[fields[0], fields[1]] = fields[2:5]
    tape = {i: "_" if ch == " " else ch for i, ch in enumerate(word)}
    state, head, steps = "0", 0, 0
    while limit is None or steps < limit:
        read = tape.get(head, "_")
        rule = next((rules[k] for k in ((state, read), (state, "*"), ("*", read), ("*", "*")) if k in rules),
                    None)
        if rule is None:
            return _result(tape, "_", steps, True, state, head)
        write, move, goal = rule
        tape[head] = read if write == "*" else write
        head += {"l": -1, "L": -1, "r": 1, "R": 1, "*": 0}[move]
        state = state if goal == "*" else goal
        steps += 1
        if state.startswith("halt"):
            return _result(tape, "_", steps, True, state, head)
    return _result(tape, "_", steps, False, state, head)


def run_dtm(text: str, word: str, limit: int | None) -> Result:
    import json

    doc = json.loads(text)
    blank, state, transitions = doc["blank_symbol"], doc["initial_state"], doc["transitions"]
    tape = dict(enumerate(word))
    head = steps = 0
    while limit is None or steps < limit:
        if state in doc["final_states"]:
            return _result(tape, blank, steps, True, state, head)
        result = transitions.get(state, {}).get(tape.get(head, blank))
        if result is None:
            return _result(tape, blank, steps, True, state, head)
        state, tape[head], move = result
        head += {"L": -1, "R": 1, "N": 0}[move]
        steps += 1
    return _result(tape, blank, steps, False, state, head)


RUNNERS: dict[str, Callable[[str, str, int | None], Result]] = {
    "bbchallenge": run_bbchallenge, "yaml": run_yaml, "morphett": run_morphett, "automata": run_dtm}
ENTRIES = library.entries()


def _engine(loaded: loader.LoadedMachine) -> Result:
    record = RunRecord.start(loaded.machine, loaded.word)
    return record.consume(simulate(loaded.machine, loaded.word, loaded.max_steps)).summary()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_entry_expected_result_reproduced_two_ways(entry: library.LibraryEntry) -> None:
    text = (MACHINES / entry.file).read_text(encoding="utf-8")
    independent = RUNNERS[entry.format](text, entry.input, entry.max_steps)
    engine = _engine(library.load_entry(entry))
    expected = {k: v for k, v in entry.expected.items() if k != "internal_steps"}
    assert independent == expected
    assert engine == entry.expected


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.format == "automata"],
                         ids=lambda e: e.name)
def test_dtm_entries_agree_with_automata_lib(entry: library.LibraryEntry) -> None:
    dtm_module = pytest.importorskip("automata.tm.dtm")
    loaded = library.load_entry(entry)
    from turing_tx.machines.formats import automata

    dtm = automata.to_dtm(loaded.machine)
    assert isinstance(dtm, dtm_module.DTM)
    configurations = list(dtm.read_input_stepwise(entry.input))
    final = configurations[-1]
    assert len(configurations) - 1 == entry.expected["steps"]
    assert final.state == entry.expected["state"]
    assert final.tape.get_symbols_as_str().strip(dtm.blank_symbol) == entry.expected["tape"]


def test_cases_carry_machine_word_and_expected() -> None:
    cases = list(library.cases())
    assert [c.name for c in cases] == [e.name for e in ENTRIES]
    for case in cases:
        assert case.expected is not None and case.source.startswith("machines/")
        assert _engine(case) == case.expected


def test_known_results_of_the_classic_machines() -> None:
    """The published results of the classic machines (step counts and ones of the Busy Beaver
    champions, the increment, unary addition and aⁿbⁿ examples) are the library's expectations."""
    expected = {"bb2": (6, 4, 0, "1111", -2), "bb3": (21, 5, 1, "11111", -1),
                "bb4": (107, 13, -9, "10111111111111", -10), "bb2x3": (38, 9, 2, "222222212", -6),
                "increment": (8, 4, 0, "1100", 0), "unary-add": (7, 4, 3, "1111", 0),
                "anbn": (15, 0, 2, "", 0)}
    for name, (steps, nonblank, head, tape, start) in expected.items():
        result = library.resolve(name).expected
        assert (result["steps"], result["nonblank"], result["head"], result["tape"],
                result["tape_start"]) == (steps, nonblank, head, tape, start)


def test_documented_examples() -> None:
    """The results the example programs' comments promise: '11+1' ⇒ '100 1', '111*110' ⇒ '101010'."""
    assert library.resolve("binary-add").expected["tape"] == "100 1"
    assert library.resolve("binary-mult").expected["tape"] == "101010"
    assert _engine(resolve.load("binary-mult", input_text="11*11")[0])["tape"] == "1001"
    assert _engine(resolve.load("binary-add", input_text="1011+11001")[0])["tape"] == "100100 11001"


def test_every_library_file_is_listed_and_loads() -> None:
    listed = {e.file for e in ENTRIES}
    files = {p.name for p in MACHINES.iterdir() if p.suffix in (".txt", ".yaml", ".morphett", ".dtm")}
    assert files - {"index.yaml"} == listed


def test_resolve_and_unknown_name() -> None:
    entry = library.resolve("bb3")
    assert (entry.file, entry.format, entry.input) == ("bb3.txt", "bbchallenge", "")
    assert library.exists("bb3") and not library.exists("bb99")
    with pytest.raises(UsageError, match="unknown library machine 'bb99'"):
        library.resolve("bb99")


def test_loader_accepts_library_names() -> None:
    [loaded] = resolve.load("bb3")
    assert loaded.format == "bbchallenge" and loaded.name == "bb3"
    assert loaded.expected == library.resolve("bb3").expected
    [other] = resolve.load("palindrome", input_text="abab")
    assert other.expected is None and other.machine.format_symbols(other.word) == "abab"


def test_library_root_is_the_installed_package_data() -> None:
    assert library.library_root().joinpath("index.yaml").is_file()
    assert library.library_root().joinpath("bb4.txt").read_text(encoding="utf-8").strip() == (
        "1RB1LB_1LA0LC_1RZ1LD_1RD0RA")
