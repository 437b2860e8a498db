"""``turing-tx prove`` proves the library and random machines and RNNs: the CI-sized part of the coverage.

In CI (this module):

- every library machine of at most 8 states through Pérez and Siegelmann–Sontag;
- 10 seeded random machines (2–4 states, 2–3 symbols, a few ``---`` entries, one or two halt names,
  an input word of 0–6 non-blank symbols) through all four constructions;
- 6 seeded random rational RNNs through both Bhattamishra et al. constructions.

In the benchmark (``python benchmarks/prove.py``, a table on stdout): every
library machine through all four constructions — including ``binary-add`` (11 states) and
``binary-mult`` (18 states), which take minutes through the Bhattamishra et al. constructions — 100
random machines of up to 5 states and 4 symbols (the Bhattamishra et al. proofs grow with the
symbols), 30 random RNNs and the library RNNs, and BB(4) timed in a fresh process. The cases
here come from the benchmark's own generators, so both prove the same kind of machine.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "prove.py"
MAX_LIBRARY_STATES = 8
CI_SEED = 2024


def load_benchmark() -> ModuleType:
    """``benchmarks/prove.py`` as a module (registered first: its dataclasses look themselves up)."""
    spec = importlib.util.spec_from_file_location("prove_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = load_benchmark()
LIBRARY = bench.library_machines(MAX_LIBRARY_STATES)
RANDOM = bench.random_machines(10, CI_SEED, max_states=4, max_symbols=3)
RNNS = bench.random_rnns(6, CI_SEED)


def assert_proved(cases: list) -> None:
    """Prove every case; fail naming each case not proved, its first failing obligation and counterexample."""
    outcomes = [bench.prove_case(case) for case in cases]
    failed = [f"{o.case.construction} {o.case.label}: {o.failure}" for o in outcomes if not o.proved]
    assert not failed, failed


def test_the_benchmark_leaves_out_only_the_large_library_machines():
    everything = bench.library_machines()
    left_out = {name for name, machine, _ in everything if machine.num_states > MAX_LIBRARY_STATES}
    assert left_out == {"binary-add", "binary-mult"}
    assert len(LIBRARY) == len(everything) - 2


@pytest.mark.parametrize("construction", ["perez", "siegelmann-sontag"])
@pytest.mark.parametrize("name, machine, word", LIBRARY, ids=[name for name, _, _ in LIBRARY])
def test_library_machines_are_proved(construction, name, machine, word):
    assert_proved(bench.machine_cases([construction], "library", [(name, machine, word)]))


@pytest.mark.slow
@pytest.mark.parametrize("label, machine, word", RANDOM, ids=[label.split()[0] for label, _, _ in RANDOM])
def test_random_machines_are_proved_through_every_construction(label, machine, word):
    assert_proved(bench.machine_cases(bench.MACHINE_CONSTRUCTIONS, "random", [(label, machine, word)]))


def test_random_machines_cover_the_sizes_and_two_halt_names():
    sizes = {(machine.num_states, machine.num_symbols) for _, machine, _ in RANDOM}
    assert len(sizes) >= 4
    assert any(len(machine.halts) == 2 for _, machine, _ in RANDOM)
    assert any(word for _, _, word in RANDOM)
    assert all(0 not in word and len(word) <= 6 for _, _, word in RANDOM)


@pytest.mark.parametrize("rnn", RNNS, ids=[rnn.name for rnn in RNNS])
def test_random_rnns_are_proved_through_both_bhattamishra_constructions(rnn):
    assert_proved(bench.rnn_cases("random rnn", [rnn]))
