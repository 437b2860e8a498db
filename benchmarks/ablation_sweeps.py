"""Long ablation sweeps (not part of the test suite): minimal float precision against steps run.

    python benchmarks/ablation_sweeps.py [--bits 3-40] [--out DIR]

For the Pérez construction on BB(4) (107 steps) and the non-halter ``1RB0LB_1LA0RA`` (300 steps),
and for the RNN constructions on BB(4), prints the first divergence step per mantissa width and the
fewest bits that run T steps exactly, beside the estimate 5·log2 T (``docs/constructions/perez.md``,
"Precision"). With ``--out`` it also writes the full ablation report of these runs.
"""

from __future__ import annotations

import argparse
import time

from turing_tx.ablation.report import write_report
from turing_tx.ablation.runner import Runner
from turing_tx.ablation.study import StudyOptions, run_study
from turing_tx.ablation.sweeps import minimal_precision, parse_precisions, precision_sweep
from turing_tx.machines.formats.bbchallenge import parse_machine

WORKLOADS = [("perez", "1RB1LB_1LA0LC_1RZ1LD_1RD0RA", 10_000), ("perez", "1RB0LB_1LA0RA", 300),
             ("bhattamishra-pe", "1RB1LB_1LA0LC_1RZ1LD_1RD0RA", 10_000),
             ("siegelmann-sontag", "1RB1LB_1LA0LC_1RZ1LD_1RD0RA", 10_000)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", default="3-40")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    backends = parse_precisions(f"float32,float64,mpmath:{args.bits}")
    for construction, code, steps in WORKLOADS:
        start = time.perf_counter()
        rows = precision_sweep(Runner(construction, parse_machine(code), max_steps=steps), backends)
        print(f"\n{construction} {code} ({rows[0].steps} steps, {time.perf_counter() - start:.1f} s)")
        print("  " + ", ".join(f"{r.backend.removeprefix('mpmath:')}:{r.first_divergence_step or 'ok'}"
                               for r in rows))
        for entry in minimal_precision([r for r in rows if r.backend.startswith("mpmath:")]):
            print(f"  T={entry['steps']:>4}  minimal bits {entry['minimal_bits']}  "
                  f"5·log2 T = {entry['estimate_5log2T']}")
    if args.out:
        machines = [(parse_machine(code), ()) for code in ("1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA")]
        report = run_study(["perez", "bhattamishra-pe", "bhattamishra-mask", "siegelmann-sontag"], machines,
                           StudyOptions(precisions=backends, windows=list(range(1, 23)),
                                        temperatures=[1, 10**-2, 10**-4, 10**-6]))
        write_report(report, args.out)


if __name__ == "__main__":
    main()
