"""Proving machines and RNNs through every construction, timed: ``python benchmarks/prove.py``.

    python benchmarks/prove.py [--random 100] [--rnns 30] [--seed 0] [--jobs 2] [--no-library]

It discharges ``turing-tx prove``'s obligations (:func:`~turing_tx.constructions.proving.prove_machine`,
:func:`~turing_tx.constructions.proving.prove_rnn`) for

- every machine of the library, through all four constructions;
- ``--random`` seeded random machines (2–5 states, 2–4 symbols, a few ``---`` entries, one halt name or
  two, an input word of length 0–6 over the non-blank symbols), through all four constructions;
- the library RNNs (``machines/rnn/*.json``) and ``--rnns`` seeded random rational RNNs (2–4 units,
  2–3 input symbols), through both Bhattamishra et al. constructions.

It prints a table per construction, source and size class (count, proved, failed, obligations per
proof, median and largest seconds to compile and prove), then BB(4) ``1RB1LB_1LA0LC_1RZ1LD_1RD0RA``
through each construction in a fresh process (import, compile and prove timed separately). Anything
not proved is listed with its first failing obligation and counterexample, and the exit status is 1.
``tests/test_prove_coverage.py`` runs a CI-sized subset of the same cases.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from turing_tx.constructions.proving import prove_machine, prove_rnn
from turing_tx.constructions.registry import get_construction
from turing_tx.engine.proofs.obligations import ProofReport
from turing_tx.machines import library
from turing_tx.machines.formats.bbchallenge import write_machine
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.resolve import load
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN
from turing_tx.rnn.sampling import random_rnn

MACHINE_CONSTRUCTIONS = ("perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask")
RNN_CONSTRUCTIONS = ("bhattamishra-pe", "bhattamishra-mask")
BB4 = "1RB1LB_1LA0LC_1RZ1LD_1RD0RA"
RNN_LIBRARY = Path(__file__).resolve().parent.parent / "machines" / "rnn"
#: run by a fresh interpreter: time importing the prover, compiling BB(4) and proving it; print JSON
BB4_CHILD = """
import json, sys, time
start = time.perf_counter()
from turing_tx.constructions.proving import prove_machine
from turing_tx.constructions.registry import get_construction
from turing_tx.machines.formats.bbchallenge import parse_machine
construction = get_construction(sys.argv[1])
imported = time.perf_counter()
compiled = construction.compile(parse_machine(sys.argv[2]))
compiled_at = time.perf_counter()
report = prove_machine(compiled)
proved_at = time.perf_counter()
print(json.dumps({"construction": sys.argv[1], "import": imported - start, "compile": compiled_at - imported,
                  "prove": proved_at - compiled_at, "obligations": len(report.results), "proved": report.proved}))
"""


@dataclass(frozen=True)
class Case:
    """One proof to run: a machine and its input word, or an RNN, through one construction."""

    construction: str
    source: str
    label: str
    machine: TuringMachine | None = None
    word: tuple[int, ...] = ()
    rnn: RNN | None = None

    @property
    def size(self) -> str:
        """The size class: table entries (states × symbols) for a machine, units for an RNN."""
        if self.rnn is not None:
            return f"{len(self.rnn.units)} units"
        assert self.machine is not None
        entries = self.machine.num_states * self.machine.num_symbols
        bound = next((b for b in (4, 8, 12, 20) if entries <= b), None)
        return f"n·k ≤ {bound}" if bound else "n·k > 20"


@dataclass(frozen=True)
class Outcome:
    """A case's result: proved or not, how many obligations, the seconds to compile and prove, and
    for a failure its first failing obligation and counterexample."""

    case: Case
    proved: bool
    obligations: int
    seconds: float
    failure: str = ""


def size_order(size: str) -> tuple[int, str]:
    """Sort key for size classes: the number they state, then the text."""
    digits = "".join(ch for ch in size.split("·k")[-1] if ch.isdigit())
    return (int(digits or 0) + (1 if ">" in size else 0), size)


# -- the cases ------------------------------------------------------------------------------------

def random_machine(rng: random.Random, max_states: int = 5, max_symbols: int = 4
                   ) -> tuple[TuringMachine, tuple[int, ...]]:
    """A machine of 2–``max_states`` states and 2–``max_symbols`` symbols (one halt name or two, about
    5 % ``---`` entries, a halt target about as likely as each state) and an input word of 0–6
    non-blank symbols."""
    n, k = rng.randint(2, max_states), rng.randint(2, max_symbols)
    halts = rng.choice((("Z",), ("accept", "reject")))
    rows = []
    for _ in range(n):
        row = []
        for _ in range(k):
            write, move, target = rng.randrange(k), rng.choice("LR"), rng.randint(0, n)
            if rng.random() < 0.05:
                row.append(Entry(1, "R", halt=halts[0], undefined=True))
            elif target == n:
                row.append(Entry(write, move, halt=rng.choice(halts)))
            else:
                row.append(Entry(write, move, next_state=target))
        rows.append(tuple(row))
    machine = TuringMachine(tuple(str(a) for a in range(k)), tuple("ABCDE"[:n]), halts, tuple(rows))
    word = tuple(rng.randint(1, k - 1) for _ in range(rng.randint(0, 6)))
    return machine, word


def machine_cases(constructions: Sequence[str], source: str,
                  machines: Iterable[tuple[str, TuringMachine, tuple[int, ...]]]) -> list[Case]:
    """Every (label, machine, word) through every construction."""
    return [Case(name, source, label, machine, word) for label, machine, word in machines for name in constructions]


def library_machines(max_states: int | None = None) -> list[tuple[str, TuringMachine, tuple[int, ...]]]:
    """(name, machine, word) for every library machine (of at most ``max_states`` states when given)."""
    out = []
    for name in library.names():
        loaded = load(name, None, None)[0]
        if max_states is None or loaded.machine.num_states <= max_states:
            out.append((name, loaded.machine, loaded.word))
    return out


def random_machines(count: int, seed: int, max_states: int = 5, max_symbols: int = 4
                    ) -> list[tuple[str, TuringMachine, tuple[int, ...]]]:
    """``count`` seeded random machines (see :func:`random_machine`), each labelled by its index,
    table and word."""
    out = []
    for index in range(count):
        machine, word = random_machine(random.Random(f"prove:{seed}:{index}"), max_states, max_symbols)
        out.append((f"#{index} {describe(machine, word)}", machine, word))
    return out


def random_rnns(count: int, seed: int) -> list[RNN]:
    """``count`` seeded random rational RNNs."""
    return [random_rnn(random.Random(f"prove-rnn:{seed}:{index}"), f"random-{seed}-{index}")
            for index in range(count)]


def rnn_cases(source: str, rnns: Iterable[RNN]) -> list[Case]:
    """Every RNN through both Bhattamishra et al. constructions."""
    return [Case(name, source, rnn.name, rnn=rnn) for rnn in rnns for name in RNN_CONSTRUCTIONS]


def describe(machine: TuringMachine, word: tuple[int, ...]) -> str:
    """The machine's bbchallenge text (halt names become Z, Y, …) and its input word."""
    return f"{write_machine(machine)} word={machine.format_symbols(word) or 'ε'}"


# -- proving --------------------------------------------------------------------------------------

def prove_case(case: Case) -> Outcome:
    """Compile and prove one case, timing both together."""
    construction = get_construction(case.construction)
    start = time.perf_counter()
    if case.rnn is not None:
        report = prove_rnn(construction, case.rnn)  # type: ignore[arg-type]
    else:
        assert case.machine is not None
        report = prove_machine(construction.compile(case.machine, case.word))
    seconds = time.perf_counter() - start
    return Outcome(case, report.proved, len(report.results), seconds, failure_text(report))


def failure_text(report: ProofReport) -> str:
    """The first failing obligation, its counterexample and error ("" when proved)."""
    failure = report.first_failure
    if failure is None:
        return ""
    parts = [failure.obligation.name, f"counterexample {failure.outcome.counterexample}"]
    if failure.error:
        parts.append(f"error {failure.error}")
    return "; ".join(parts)


def prove_all(cases: Sequence[Case], jobs: int) -> list[Outcome]:
    """Every case proved on ``jobs`` processes, with a progress bar on stderr; in the cases' order."""
    from tqdm import tqdm

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(tqdm(pool.map(prove_case, cases), total=len(cases), desc="prove", unit="proof",
                         file=sys.stderr))


# -- BB(4) in a fresh process ---------------------------------------------------------------------

def bb4_times() -> list[dict]:
    """BB(4) through every construction, each in a fresh interpreter (wall time of the process too)."""
    out = []
    for construction in MACHINE_CONSTRUCTIONS:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", BB4_CHILD, construction, BB4], capture_output=True,
                              text=True, check=True)
        row = json.loads(done.stdout)
        row["process"] = time.perf_counter() - start
        out.append(row)
    return out


# -- printing -------------------------------------------------------------------------------------

def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned table on stdout."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def summary_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """One row per construction, source and size class; then one total row per construction."""
    groups: dict[tuple[str, str, str], list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[(outcome.case.construction, outcome.case.source, outcome.case.size)].append(outcome)
        groups[(outcome.case.construction, "all", "")].append(outcome)
    order = {name: i for i, name in enumerate(MACHINE_CONSTRUCTIONS)}
    sources = {"library": 0, "random": 1, "library rnn": 2, "random rnn": 3, "all": 4}
    keys = sorted(groups, key=lambda k: (order[k[0]], sources[k[1]], size_order(k[2])))
    return [summary_row(key, groups[key]) for key in keys]


def summary_row(key: tuple[str, str, str], group: Sequence[Outcome]) -> list[str]:
    """count, proved, failed, obligations per proof (a range if it varies), median and max seconds."""
    seconds = [o.seconds for o in group]
    counts = sorted({o.obligations for o in group})
    proved = sum(o.proved for o in group)
    obligations = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    return [*key, str(len(group)), str(proved), str(len(group) - proved), obligations,
            f"{statistics.median(seconds):.2f}", f"{max(seconds):.2f}"]


def print_bb4(rows: Sequence[dict]) -> None:
    """The BB(4) timings, one row per construction."""
    print(f"\nBB(4) {BB4}, each construction in a fresh process")
    print_table(["construction", "obligations", "proved", "import s", "compile s", "prove s", "process s"],
                [[r["construction"], str(r["obligations"]), str(r["proved"]), f"{r['import']:.2f}",
                  f"{r['compile']:.2f}", f"{r['prove']:.2f}", f"{r['process']:.2f}"] for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=100, help="random machines (default 100)")
    parser.add_argument("--rnns", type=int, default=30, help="random rational RNNs (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random machines and RNNs (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="processes proving in parallel (default 2)")
    parser.add_argument("--no-library", action="store_true", help="leave out the library machines and RNNs")
    args = parser.parse_args()
    cases = []
    if not args.no_library:  # first: the largest proofs start early and do not trail the run
        cases += machine_cases(MACHINE_CONSTRUCTIONS, "library", library_machines())
        cases += rnn_cases("library rnn", [rnn_json.load(p) for p in sorted(RNN_LIBRARY.glob("*.json"))])
    cases += machine_cases(MACHINE_CONSTRUCTIONS, "random", random_machines(args.random, args.seed))
    cases += rnn_cases("random rnn", random_rnns(args.rnns, args.seed))
    start = time.perf_counter()
    outcomes = prove_all(cases, args.jobs)
    elapsed = time.perf_counter() - start
    print(f"{len(outcomes)} proofs on {args.jobs} processes in {elapsed:.0f} s (seed {args.seed})")
    print_table(["construction", "source", "size", "count", "proved", "failed", "obligations", "median s",
                 "max s"], summary_rows(outcomes))
    print_bb4(bb4_times())
    failed = [o for o in outcomes if not o.proved]
    for outcome in failed:
        case = outcome.case
        word = f" word {case.machine.format_symbols(case.word) or 'ε'}" if case.machine is not None else ""
        print(f"NOT PROVED: {case.construction} {case.source} {case.label}{word}: {outcome.failure}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
