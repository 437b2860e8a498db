"""Seeded random rational RNNs: the population the provers and benchmarks are checked on.

Small networks (2–4 units, 2–3 input symbols) with small rational weights, about 60 % of them
non-zero, and an initial state that is sometimes negative: every such network is a valid input to the
Bhattamishra et al. constructions, and the same seed always gives the same network.
"""

from __future__ import annotations

import random
from fractions import Fraction

from turing_tx.rnn.network import RNN


def random_rnn(rng: random.Random, name: str) -> RNN:
    """An RNN drawn from ``rng``: units ``u0``…, input symbols ``a``, ``b`` (and ``c``), weights p/q with
    |p| ≤ 6 and 1 ≤ q ≤ 4."""
    units = tuple(f"u{k}" for k in range(rng.randint(2, 4)))
    inputs = tuple("abc"[:rng.randint(2, 3)])

    def weight() -> Fraction:
        return Fraction(rng.randint(-6, 6), rng.randint(1, 4))

    return RNN(units, inputs,
               {j: {k: weight() for k in units if rng.random() < 0.6} for j in units},
               {j: {a: weight() for a in inputs if rng.random() < 0.6} for j in units},
               {j: weight() for j in units}, {j: weight() for j in units if rng.random() < 0.7}, name)
