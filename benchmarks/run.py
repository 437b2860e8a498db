"""Benchmarks of the exact engine, printed as a table: ``python benchmarks/run.py [--max-t 10000]``.

For T = 10², 10³, 10⁴ steps of the non-halter ``1RB1LB_0LA1RA`` (and BB(4) to its halt), it measures in
one run:

- the reference simulator's steps/s,
- the compiled Pérez transformer's steps/s, every step decoded and verified in lockstep, with each
  exact backend (gmpy2 ``mpq``, stdlib ``Fraction``, python-flint ``fmpq`` when installed),
- the largest numerator/denominator bit length of the run (residual stream, queries, keys, selected
  attention scores).

Ratios are computed within the same run, so they compare like with like on this machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.perez import PEREZ
from turing_tx.engine.numbers import available_exact_backends
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.simulator import simulate

WORKLOADS = (("1RB1LB_1LA0LC_1RZ1LD_1RD0RA", None, "BB(4) to halt"),)
NON_HALTER = "1RB1LB_0LA1RA"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def measure(code: str, steps: int | None, backends: list[str], slow_limit: int) -> list[str]:
    machine = parse_machine(code)
    reference_time, count = timed(lambda: sum(1 for _ in simulate(machine, (), steps)))
    cells = [f"{count:>6}", f"{count / reference_time:>10.0f}"]
    fastest = None
    for backend in backends:
        if backend != "gmpy2" and count > slow_limit:
            cells.append(f"{'(skipped)':>24}")
            continue
        compiled = PEREZ.compile(machine)
        seconds, result = timed(lambda: verify(compiled, steps, backend=backend))  # noqa: B023
        assert result.verified and result.steps == count, result.detail  # type: ignore[union-attr]
        bits = _bits(compiled, steps, backend)
        fastest = fastest or seconds
        cells.append(f"{seconds:>7.2f}s {count / seconds:>7.0f}/s x{seconds / fastest:<4.1f}")
        if backend == backends[0]:
            cells.append(f"{bits:>4}")
    return cells


def _bits(compiled, steps: int | None, backend: str) -> int:
    for _ in compiled.trace(steps, backend=backend, track_bits=True):
        pass
    return compiled.max_bits or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-t", type=int, default=10_000, help="largest T (default 10000)")
    parser.add_argument("--slow-limit", type=int, default=1_000,
                        help="run the slower backends only up to this many steps (default 1000)")
    args = parser.parse_args()
    backends = list(available_exact_backends())
    header = ["machine", "T", "steps", "ref step/s", f"{backends[0]} (verified)", "bits"] + [
        f"{b} (verified)" for b in backends[1:]]
    rows = []
    t = 100
    while t <= args.max_t:
        rows.append([NON_HALTER, str(t), *measure(NON_HALTER, t, backends, args.slow_limit)])
        t *= 10
    for code, steps, label in WORKLOADS:
        rows.append([label, "halt", *measure(code, steps, backends, args.slow_limit)])
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
