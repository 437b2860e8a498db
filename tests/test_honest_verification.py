"""Verified means read from the network.

A construction's decoder must fill every field of a checked step (state, each halting state distinct,
symbol read and written, move, head, the tape as represented) from the network's values alone; the
machine's table may only be used to compare. A check that would pass for the network of another
machine is a defect. The tests here show it four ways:

- ``TestAnotherMachinesNetwork``: the reported defect, reproduced. The network of
  ``0RB0RB_0RC0RC_0RA0RA`` read as ``0RB0RB_0RC0RC_0LA0LA`` (the same but for the move of state C)
  is rejected, by every construction, and the divergence named is the move.
- ``TestSwappedVerdict``: a recognizer whose accept and reject are swapped compiles to a network that
  is rejected for the original recognizer at its halting step, on an accepted and on a rejected word,
  while the original's own network verifies; the independent readout sees the swapped verdict.
- ``TestMutations``: hundreds of seeded single-weight mutations per construction (BB(2), BB(3) and
  random small machines, some with two halt names). Whenever a mutated network verifies, an
  independent readout of its raw values (:mod:`tests.independent_readout`, which shares no code with
  the decoders and never reads the table) agrees with the simulator at every step. The mutations are
  not vacuous: a good part are rejected and some pass.
- ``TestReadout``: the unmodified networks of BB(2) and BB(3) verify through every construction and
  the independent readout agrees with the simulator (the readout itself is sound).
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import pytest
from independent_readout import (
    StepView,
    bhattamishra_hidden,
    first_difference,
    perez_steps,
    simulator_steps,
    ss_steps,
)

from turing_tx.constructions.lockstep import Verification, verify
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.siegelmann_sontag import rnn_input
from turing_tx.engine import model_json
from turing_tx.engine.interpreter import Interpreter
from turing_tx.errors import ModelFormatError, TuringTxError
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.resolve import load
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN

CONSTRUCTIONS = ("perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask")
TRANSFORMERS = ("perez", "bhattamishra-pe", "bhattamishra-mask")
BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"
#: step limits for mutation runs: Pérez positions are cheap, RNN ticks come three to a step
STEP_LIMIT = {"perez": 25, "siegelmann-sontag": 8, "bhattamishra-pe": 8, "bhattamishra-mask": 8}


def machine(code: str) -> TuringMachine:
    return load(code)[0].machine


def network(compiled: Any) -> Any:
    """The compiled network a construction runs: the RNN for Siegelmann–Sontag, else the transformer."""
    return compiled.rnn if compiled.construction == "siegelmann-sontag" else compiled.model


def checked(compiled: Any, max_steps: int, replacement: Any) -> Verification:
    """``verify`` with ``replacement`` in place of the compiled network; a run that raises a
    TuringTxError (a network that cannot even be run) is a failed verification."""
    try:
        return verify(compiled, max_steps, model=replacement)
    except TuringTxError as exc:
        return Verification(verified=False, detail=f"raised {type(exc).__name__}: {exc}")


def readout(compiled: Any, replacement: Any, max_steps: int) -> list[StepView]:
    """The steps an independent readout finds in ``replacement``'s raw values on ``compiled``'s input."""
    machine, word = compiled.machine, compiled.word
    steps = len(simulator_steps(machine, word, max_steps))
    if compiled.construction == "perez":
        outputs = Interpreter(replacement, "fraction").run(compiled.tokens, steps + 1)
        return perez_steps(outputs, machine, word, steps)
    ticks = len(word) + 2 + 3 * steps
    if compiled.construction == "siegelmann-sontag":
        states = replacement.run(rnn_input(machine, word), ticks)
    else:
        states = bhattamishra_hidden(Interpreter(replacement, "fraction").run(compiled.tokens, ticks))
    return ss_steps(states, machine, word, steps)


def assert_readout_agrees(compiled: Any, replacement: Any, max_steps: int, what: str = "") -> None:
    expected = simulator_steps(compiled.machine, compiled.word, max_steps)
    difference = first_difference(readout(compiled, replacement, max_steps), expected)
    assert difference is None, f"{compiled.construction} {what}: verified, but the network holds\n{difference}"


# -- 1. the reported defect ----------------------------------------------------------------------------

class TestAnotherMachinesNetwork:
    MACHINE, OTHER = "0RB0RB_0RC0RC_0LA0LA", "0RB0RB_0RC0RC_0RA0RA"

    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_network_of_another_machine_is_rejected_on_the_move(self, name: str) -> None:
        construction = get_construction(name)
        compiled = construction.compile(machine(self.MACHINE))
        other = network(construction.compile(machine(self.OTHER)))
        result = checked(compiled, 40, other)
        assert result.verified is False
        assert result.first_mismatch == 3, result.detail
        assert re.fullmatch(r"step 3: move R \(network\) vs L \(machine\)", result.detail), result.detail

    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_own_network_verifies(self, name: str) -> None:
        compiled = get_construction(name).compile(machine(self.MACHINE))
        assert checked(compiled, 40, network(compiled)).verified is True


# -- 2. accept and reject swapped -------------------------------------------------------------------------

def swap_verdicts(recognizer: TuringMachine) -> TuringMachine:
    """The same machine with its two halt names exchanged in every halting entry."""
    accept, reject = recognizer.halts
    other = {accept: reject, reject: accept}
    table = tuple(tuple(replace(entry, halt=other[entry.halt]) if entry.halts else entry for entry in row)
                  for row in recognizer.table)
    return replace(recognizer, table=table)


def colliding_recognizer() -> TuringMachine:
    """A two-state recognizer whose halt names ``A+`` and ``B-`` are also the names of folded live
    states (Pérez names their halting states ``halt:A+`` and ``halt:B-``): accepts a word starting 1."""
    table = ((Entry(0, "R", next_state=1), Entry(1, "R", halt="A+")),
             (Entry(0, "L", halt="B-"), Entry(1, "R", halt="A+")))
    return TuringMachine(("0", "1"), ("A", "B"), ("A+", "B-"), table, name="colliding")


#: (recognizer, word, verdict): the library's aⁿbⁿ (Morphett, stay moves expanded) on an accepted and
#: a rejected word, and the recognizer with halt names that collide with folded state names
VERDICT_CASES = {
    "anbn-accepted": ("anbn", "ab", "halt-accept"),
    "anbn-rejected": ("anbn", "abb", "halt-reject"),
    "colliding-accepted": ("colliding", "1", "A+"),
    "colliding-rejected": ("colliding", "0", "B-"),
}


def recognizer_case(case: str) -> tuple[TuringMachine, tuple[int, ...], str]:
    source, text, verdict = VERDICT_CASES[case]
    recognizer = colliding_recognizer() if source == "colliding" else load(source)[0].machine
    assert len(recognizer.halts) == 2
    return recognizer, recognizer.parse_word(text), verdict


class TestSwappedVerdict:
    @pytest.mark.parametrize("case", sorted(VERDICT_CASES))
    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_swapped_verdict_is_rejected_at_the_halting_step(self, name: str, case: str) -> None:
        recognizer, word, verdict = recognizer_case(case)
        halting = simulator_steps(recognizer, word, 100)[-1]
        assert halting.next == verdict
        construction = get_construction(name)
        compiled = construction.compile(recognizer, word)
        swapped = network(construction.compile(swap_verdicts(recognizer), word))
        result = checked(compiled, 100, swapped)
        assert result.verified is False
        assert result.first_mismatch == halting.number, result.detail
        (other,) = set(recognizer.halts) - {verdict}
        assert result.detail == (f"step {halting.number}: next state halt {other} (network) vs "
                                 f"halt {verdict} (machine)"), result.detail

    @pytest.mark.parametrize("case", sorted(VERDICT_CASES))
    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_own_network_verifies_and_readout_sees_the_verdict(self, name: str, case: str) -> None:
        recognizer, word, _ = recognizer_case(case)
        construction = get_construction(name)
        compiled = construction.compile(recognizer, word)
        result = checked(compiled, 100, network(compiled))
        assert result.verified is True, result.detail
        assert_readout_agrees(compiled, network(compiled), 100, "own network")
        # the swapped network holds the swapped verdict, read without the table
        swapped_machine = swap_verdicts(recognizer)
        swapped = network(construction.compile(swapped_machine, word))
        assert readout(compiled, swapped, 100) == simulator_steps(swapped_machine, word, 100)


# -- 3. single-weight mutations ----------------------------------------------------------------------------

#: numeric fields of the model and RNN JSON: weight matrices, biases, embeddings, seeds, initial state
NUMERIC = frozenset({"Q", "K", "V", "W1", "W2", "b1", "b2", "embedding", "decoder_seed", "W_h", "W_x", "b", "h0"})
SKIPPED = frozenset({"metadata", "coords", "hidden", "pattern", "normalizer", "positional_encoding", "ablations",
                     "units", "inputs"})

Slot = tuple[Any, Any, str]  # (container, key, JSON path) of one numeric leaf


def numeric_slots(document: Any, path: str = "", numeric: bool = False) -> list[Slot]:
    """Every weight of a model or RNN JSON document (matrix entry, bias, vector value, residual scale)."""
    slots: list[Slot] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in SKIPPED:
                continue
            where = f"{path}/{key}"
            if isinstance(value, str) and (numeric or key == "scale"):
                slots.append((document, key, where))
            else:
                slots.extend(numeric_slots(value, where, numeric or key in NUMERIC))
    elif isinstance(document, list):
        for index, item in enumerate(document):
            slots.extend(numeric_slots(item, f"{path}/{index}", numeric))
    return slots


def mutate_value(old: Fraction, rng: random.Random) -> tuple[str, Fraction]:
    """One of ±1, ×2, ×½, set to 0, set to a random small rational; never the old value."""
    while True:
        kind = rng.choice(("+1", "-1", "*2", "/2", "=0", "=random"))
        new = {"+1": old + 1, "-1": old - 1, "*2": old * 2, "/2": old / 2, "=0": Fraction(0),
               "=random": Fraction(rng.randint(-4, 4), rng.randint(1, 4))}[kind]
        if new != old:
            return kind, new


@dataclass
class Mutation:
    where: str
    kind: str
    network: Any


def mutations(original: Any, rng: random.Random, count: int) -> list[Mutation]:
    """``count`` networks, each ``original`` with one weight changed (through its JSON form)."""
    is_rnn = isinstance(original, RNN)
    text = rnn_json.dumps(original) if is_rnn else json.dumps(model_json.model_to_json(original))
    out: list[Mutation] = []
    while len(out) < count:
        document = json.loads(text)
        slots = numeric_slots(document)
        container, key, path = rng.choice(slots)
        kind, new = mutate_value(Fraction(container[key]), rng)
        where = f"{path} = {container[key]}"
        container[key] = str(new)
        try:
            changed = rnn_json.loads(json.dumps(document)) if is_rnn else model_json.model_from_json(document)
        except ModelFormatError:  # e.g. an initial state outside [0, 1]: no network to run
            continue
        out.append(Mutation(where, kind, changed))
    return out


def random_machine(rng: random.Random) -> tuple[TuringMachine, tuple[int, ...]]:
    """A small random machine (2–3 states, 2–3 symbols, one or two halt names) and a short input word."""
    n, k = rng.randint(2, 3), rng.randint(2, 3)
    halts = rng.choice((("Z",), ("accept", "reject")))
    rows = []
    for _ in range(n):
        row = []
        for _ in range(k):
            write, move = rng.randrange(k), rng.choice("LR")
            if rng.random() < 0.2:
                row.append(Entry(write, move, halt=rng.choice(halts)))
            else:
                row.append(Entry(write, move, next_state=rng.randrange(n)))
        rows.append(tuple(row))
    machine = TuringMachine(tuple(str(a) for a in range(k)), tuple("ABC"[:n]), halts, tuple(rows))
    word = tuple(rng.randrange(k) for _ in range(rng.randint(0, 3)))
    return machine, word


def mutation_cases(rng: random.Random) -> list[tuple[TuringMachine, tuple[int, ...], int]]:
    """(machine, word, mutations): BB(2), BB(3), then a dozen random machines."""
    cases = [(machine(BB2), (), 60), (machine(BB3), (), 60)]
    cases += [(*random_machine(rng), 10) for _ in range(12)]
    return cases


@dataclass
class Tally:
    verified: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.verified + self.rejected


def run_mutations(name: str, on_verified: Callable[[Any, Mutation, int], None]) -> Tally:
    rng = random.Random(zlib.crc32(f"honest-verification:{name}".encode()))
    construction = get_construction(name)
    limit = STEP_LIMIT[name]
    tally = Tally()
    for tm, word, count in mutation_cases(rng):
        compiled = construction.compile(tm, word)
        for mutation in mutations(network(compiled), rng, count):
            if checked(compiled, limit, mutation.network).verified:
                tally.verified += 1
                on_verified(compiled, mutation, limit)
            else:
                tally.rejected += 1
    return tally


class TestMutations:
    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_whatever_verifies_is_what_the_network_holds(self, name: str) -> None:
        def on_verified(compiled: Any, mutation: Mutation, limit: int) -> None:
            what = f"on {compiled.machine.name or compiled.machine.states} with {mutation.where} {mutation.kind}"
            assert_readout_agrees(compiled, mutation.network, limit, what)

        tally = run_mutations(name, on_verified)
        print(f"{name}: {tally.total} mutations, {tally.verified} verified, {tally.rejected} rejected")
        assert tally.total >= 200
        assert tally.rejected >= 0.2 * tally.total, f"{name}: {tally} (mutations mostly vacuous)"
        assert tally.verified > 0, f"{name}: {tally} (no mutation left the run intact)"


# -- 4. the readout on unmodified networks -------------------------------------------------------------------

class TestReadout:
    @pytest.mark.parametrize("code", [BB2, BB3])
    @pytest.mark.parametrize("name", CONSTRUCTIONS)
    def test_unmodified_network_verifies_and_reads_back(self, name: str, code: str) -> None:
        compiled = get_construction(name).compile(machine(code))
        result = checked(compiled, 100, network(compiled))
        assert result.verified is True, result.detail
        assert result.steps == len(simulator_steps(compiled.machine, (), 100))
        assert_readout_agrees(compiled, network(compiled), 100, "unmodified")

    def test_readout_is_not_the_table(self) -> None:
        """Read for one machine, another machine's network gives that other machine's steps: the
        readout takes nothing from the table."""
        ours, theirs = machine(TestAnotherMachinesNetwork.MACHINE), machine(TestAnotherMachinesNetwork.OTHER)
        for name in CONSTRUCTIONS:
            construction = get_construction(name)
            other = network(construction.compile(theirs))
            read = readout(construction.compile(ours), other, 6)
            assert read == simulator_steps(theirs, (), 6), name
            assert read != simulator_steps(ours, (), 6), name
