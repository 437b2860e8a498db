"""Sweeps: first divergence as a function of precision, softmax temperature and window size.

- :func:`precision_sweep` runs the intact model with float backends (float32, float64,
  mpmath:<bits>) and :func:`minimal_precision` turns the first-divergence steps into the smallest
  mantissa that runs T steps correctly, for a grid of T, beside the estimate ≈ 5·log2 T
  (``docs/constructions/perez.md``, "Precision": the finest layer-3 score gap is ≈ 4/(3p⁵));
- :func:`temperature_sweep` replaces hardmax by softmax(τ) in every active head (float64);
- :func:`window_sweep` restricts an attention sublayer to a sliding window of w keys (and, to
  isolate the first-visit default, to a window plus the BOS position as a BigBird global key);
  :func:`smallest_working` reads the smallest window that works off a sweep, to compare with the
  requirement the construction computes from the reference run
  (:meth:`~turing_tx.constructions.protocol.CompiledMachine.window_requirement`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from turing_tx.ablation.runner import Result, Runner
from turing_tx.ablation.transforms import AblationError
from turing_tx.engine.numbers import MPMATH_MAX_BITS

#: the most runs one sweep may ask for: each is a whole run of the model (seconds to minutes), and a
#: sweep's plot and table stop being readable long before a thousand points
MAX_SWEEP_POINTS = 1_000
#: the largest window size: a window of at least as many keys as the run has positions is the full
#: attention, and a run of a million positions already takes hours (its cost grows with its length²)
MAX_WINDOW = 1_000_000
#: the temperatures a softmax sweep accepts, 10^-100 … 10^100: it runs in float64, where a softmax
#: past them is already the hardmax (every score gap over τ underflows exp) or the uniform average
#: (every gap over τ is below the float's resolution), and its plot's log axis overflows near 10^±300
MIN_TEMPERATURE, MAX_TEMPERATURE = Fraction(1, 10 ** 100), Fraction(10 ** 100)
#: the longest number accepted in a sweep option, in characters (the bounds above need far fewer)
_MAX_DIGITS = 400
_INTEGER = re.compile(f"[0-9]{{1,{_MAX_DIGITS}}}")
#: a fraction ``p/q`` or a decimal with an exponent of at most three digits (so Fraction() is cheap)
_RATIONAL = re.compile(r"[0-9]+/[0-9]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")


def sweep_bounds() -> str:
    """The bounds of the sweep options, one line each, for ``ablate --help``."""
    return (f"  --precision    mpmath bits 2 … {MPMATH_MAX_BITS:,}\n"
            "  --temperature  1e-100 … 1e100 (the softmax runs in float64)\n"
            f"  --window       1 … {MAX_WINDOW:,} keys\n"
            f"  each sweep     at most {MAX_SWEEP_POINTS:,} values (each one a whole run)")


def _check_points(count: int, what: str) -> None:
    """An AblationError when a sweep of ``what`` asks for more than MAX_SWEEP_POINTS runs."""
    if count > MAX_SWEEP_POINTS:
        raise AblationError(f"{what}: {count:,} values is past the bound {MAX_SWEEP_POINTS:,} runs per sweep")


def parse_precisions(text: str) -> list[str]:
    """``float32,float64,mpmath:8-40/4`` → the backends, with bit ranges expanded (step default 1); a
    range's bits within the mpmath bounds, at most MAX_SWEEP_POINTS backends."""
    backends: list[str] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        if item.startswith("mpmath:") and "-" in item:
            span, _, step_text = item[len("mpmath:"):].partition("/")
            low_text, _, high_text = span.partition("-")
            expected = f"bad precision range {item!r} (expected mpmath:LOW-HIGH[/STEP])"
            if not all(_INTEGER.fullmatch(part) for part in (low_text, high_text, step_text or "1")):
                raise AblationError(expected)
            low, high, step = int(low_text), int(high_text), int(step_text or 1)
            if low > high or step < 1:
                raise AblationError(expected)
            if high > MPMATH_MAX_BITS:
                raise AblationError(f"--precision: {item}: {high} bits is past the bound {MPMATH_MAX_BITS:,}")
            _check_points(len(backends) + len(range(low, high + 1, step)), "--precision")
            backends += [f"mpmath:{b}" for b in range(low, high + 1, step)]
        else:
            backends.append(item)
    _check_points(len(backends), "--precision")
    return backends


def parse_numbers(text: str, what: str) -> list[Fraction]:
    """A comma-separated list of rationals (``1/10,1/100``, ``0.5``, ``1e-3``) for temperature sweeps,
    each within MIN_TEMPERATURE … MAX_TEMPERATURE, at most MAX_SWEEP_POINTS of them."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(len(part) <= _MAX_DIGITS and _RATIONAL.fullmatch(part) for part in parts):
        raise AblationError(f"{what}: {text!r} is not a comma-separated list of positive rationals")
    try:
        values = [Fraction(part) for part in parts]
    except (ValueError, ZeroDivisionError):
        raise AblationError(f"{what}: {text!r} is not a comma-separated list of positive rationals") from None
    if not values or any(v <= 0 for v in values):
        raise AblationError(f"{what}: expected positive values, got {text!r}")
    outside = [part for part, v in zip(parts, values, strict=True) if not MIN_TEMPERATURE <= v <= MAX_TEMPERATURE]
    if outside:
        raise AblationError(f"{what}: {outside[0]} is outside the bounds 1e-100 … 1e100 (the sweep runs in "
                            "float64, where a softmax past them is the hardmax or the uniform average)")
    _check_points(len(values), what)
    return values


def parse_windows(text: str) -> list[int]:
    """``1-30`` or ``2,4,8`` → window sizes, each 1 … MAX_WINDOW, at most MAX_SWEEP_POINTS of them."""
    sizes: list[int] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        low_text, dash, high_text = item.partition("-")
        if not _INTEGER.fullmatch(low_text) or (dash and not _INTEGER.fullmatch(high_text)):
            raise AblationError(f"bad window size {item!r} (expected N or LOW-HIGH)")
        low, high = int(low_text), int(high_text or low_text)
        if max(low, high) > MAX_WINDOW:
            raise AblationError(f"--window: {item}: past the bound {MAX_WINDOW:,} keys")
        _check_points(len(sizes) + max(0, high - low + 1), "--window")
        sizes += list(range(low, high + 1))
    if not sizes or min(sizes) < 1:
        raise AblationError("window sizes must be at least 1")
    return sizes


def precision_sweep(runner: Runner, backends: Iterable[str]) -> list[Result]:
    """The intact model run with each float backend."""
    return [runner.run(None, "precision", backend=b) for b in backends]


def mantissa_bits(backend: str) -> int:
    """Mantissa bits of a float backend (float32: 24, float64: 53, mpmath:<p>: p)."""
    if backend.startswith("mpmath:"):
        return int(backend.partition(":")[2])
    return {"float16": 11, "float32": 24, "float64": 53}[backend]


def minimal_precision(rows: Sequence[Result], checkpoints: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """For each T: the fewest mantissa bits b such that every swept precision ≥ b runs T steps exactly.

    A run that never diverges counts as correct for its whole length; divergence at configuration s
    means steps 1..s−1 were right, so T ≤ s − 1 is reached. Non-monotone behaviour (a coarser float
    that happens to work) is why "every precision ≥ b" is required.
    """
    by_bits = sorted(((mantissa_bits(r.backend), r) for r in rows), key=lambda item: item[0])
    if not by_bits:
        return []
    length = by_bits[0][1].steps
    grid = sorted(set(checkpoints or [2 ** k for k in range(1, length.bit_length())] + [length]))
    table = []
    for steps in (t for t in grid if 1 <= t <= length):
        ok = [(bits, r.first_divergence_step is None or r.first_divergence_step - 1 >= steps) for bits, r in by_bits]
        needed = None
        for index, (bits, _) in enumerate(ok):
            if all(good for _, good in ok[index:]):
                needed = bits
                break
        table.append({"steps": steps, "minimal_bits": needed, "estimate_5log2T": round(5 * math.log2(steps), 1)})
    return table


def temperature_sweep(runner: Runner, temperatures: Iterable[Fraction], backend: str = "float64") -> list[Result]:
    """softmax(τ) in every active head, for each τ, with a float backend."""
    return [runner.run(f"softmax(tau={tau})+precision={backend}", "temperature") for tau in temperatures]


def window_sweep(runner: Runner, target: str, sizes: Iterable[int], *, with_bos: bool = True) -> list[Result]:
    """``target`` restricted to a window of w keys, and (``with_bos``) to a window plus the BOS key."""
    rows = [runner.run(f"{target}.window={w}", "window") for w in sizes]
    if with_bos:
        rows += [runner.run(f"{target}.bigbird(globals=1,random=0,seed=0,w={w})", "window+bos") for w in sizes]
    return rows


def smallest_working(rows: Sequence[Result]) -> int | None:
    """The smallest swept w such that every swept size ≥ w runs to the end without divergence."""
    sizes = sorted((_window_of(r.ablation), r.breaks) for r in rows)
    for index, (size, _) in enumerate(sizes):
        if not any(broke for _, broke in sizes[index:]):
            return size
    return None


def _window_of(name: str) -> int:
    return int(name.rpartition("w=")[2].rstrip(")")) if "w=" in name else int(name.rpartition("=")[2])
