"""Attention patterns: which key positions a query position may attend to.

A pattern is part of a head, so masking (and the sparse patterns of efficient transformers) is a
property of the model, never a flag of the interpreter. ``visible(i, n)`` returns the key positions,
among the ``n`` available ones, that query position ``i`` sees:

- ``all``: every key (encoder self-attention of Theorem 1, decoder–encoder attention);
- ``causal``: keys ``0..i`` (decoder self-attention; the *positional masking* of Bhattamishra et al.
  Theorem 2 on the encoder);
- ``window``: the last ``w`` keys up to ``i`` (sliding-window attention);
- ``strided``: the last ``w`` keys plus every ``stride``-th key before them (Sparse Transformer);
- ``bigbird``: a window, ``globals`` leading global keys and ``random`` seeded random links per query.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from turing_tx.errors import ModelError

Visible = slice | np.ndarray


@dataclass(frozen=True)
class Pattern:
    """A named attention pattern with integer parameters (see the module docstring)."""

    kind: str
    params: tuple[tuple[str, int], ...] = field(default=())

    KINDS = ("all", "causal", "window", "strided", "bigbird")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ModelError(f"unknown attention pattern {self.kind!r} (expected {', '.join(self.KINDS)})")
        for key, value in self.params:
            if not isinstance(value, int) or value < 0:
                raise ModelError(f"attention pattern {self.kind}: {key} must be a non-negative int")
        if self.kind in ("window", "strided", "bigbird") and self.get("w") < 1:
            raise ModelError(f"attention pattern {self.kind}: window w must be at least 1")

    @classmethod
    def make(cls, kind: str, **params: int) -> Pattern:
        return cls(kind, tuple(sorted(params.items())))

    def get(self, key: str, default: int = 0) -> int:
        return dict(self.params).get(key, default)

    def visible(self, i: int, n: int) -> Visible:
        """Key positions (a slice or an int array) visible to query position ``i`` among ``n`` keys."""
        if self.kind == "all":
            return slice(0, n)
        last = min(i + 1, n)
        if self.kind == "causal":
            return slice(0, last)
        start = max(0, last - self.get("w"))
        if self.kind == "window":
            return slice(start, last)
        if self.kind == "strided":
            stride = max(1, self.get("stride", 1))
            strided = np.arange((last - 1) % stride, last, stride, dtype=np.int64)
            return np.union1d(strided, np.arange(start, last, dtype=np.int64))
        # bigbird: window + leading global keys + seeded random links (reproducible per query)
        globals_ = np.arange(0, min(self.get("globals"), last), dtype=np.int64)
        rng = random.Random(self.get("seed") * 1_000_003 + i)
        links = rng.sample(range(last), min(self.get("random"), last))
        return np.unique(np.concatenate([globals_, np.asarray(links, dtype=np.int64),
                                         np.arange(start, last)])).astype(np.int64)

    def label(self) -> str:
        """A short text such as ``window=8`` or ``causal``."""
        if not self.params:
            return self.kind
        return self.kind + "(" + ",".join(f"{k}={v}" for k, v in self.params) + ")"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dict(self.params)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pattern:
        params = {k: v for k, v in data.items() if k != "kind"}
        return cls.make(data["kind"], **params)


ALL = Pattern("all")
CAUSAL = Pattern("causal")
