"""Fuzzing every parser: random bytes and mutated valid files only ever raise TuringTxError subclasses,
and never hang (each input is parsed well under a second). 2,000 generated inputs per parser."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turing_tx.errors import TuringTxError
from turing_tx.io.textfile import decode_text
from turing_tx.machines.formats import automata, bbchallenge, loader, morphett, yaml_format

MACHINES = Path(__file__).resolve().parent.parent / "machines"
SEEDS = {
    "bbchallenge": [(MACHINES / f).read_text(encoding="utf-8") for f in ("bb4.txt", "unary_add.txt")]
    + ["1RB1LB_1LA1RZ 101  # c\n", "1RB2LB1RZ_2LA2RB1LB\n"],
    "yaml": [(MACHINES / f).read_text(encoding="utf-8") for f in ("increment.yaml", "binary_add.yaml",
                                                                  "powers_of_two.yaml")],
    "morphett": [(MACHINES / f).read_text(encoding="utf-8") for f in ("anbn.morphett", "copy.morphett")],
    "automata": [(MACHINES / f).read_text(encoding="utf-8") for f in ("increment.dtm", "mod3.dtm")],
}
PARSERS: dict[str, Callable[[str], object]] = {
    "bbchallenge": lambda text: bbchallenge.load_file("f.txt", text),
    "yaml": lambda text: yaml_format.parse(text, "f.yaml", "ab"),
    "morphett": lambda text: morphett.parse(text, "f.morphett", "ab"),
    "automata": lambda text: automata.parse(text, "f.dtm"),
}
FUZZ = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


CHARS = list("01LRZAB_-*;#!:[]{},'\" \n\tabxyNhalt") + ["\u00e9", "\x00", "\ufeff"]
ALPHABET = st.sampled_from(CHARS)


def mutate(seeds: list[str], rng: random.Random) -> str:
    """A valid file with a few characters deleted, replaced, inserted or a slice repeated."""
    text = rng.choice(seeds)
    for _ in range(rng.randint(1, 4)):
        i = rng.randint(0, len(text))
        j = rng.randint(i, min(len(text), i + 8))
        action = rng.choice(["delete", "replace", "insert", "repeat"])
        noise = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 6)))
        if action == "delete":
            text = text[:i] + text[j:]
        elif action == "replace":
            text = text[:i] + noise + text[j:]
        elif action == "insert":
            text = text[:i] + noise + text[i:]
        else:
            text = text[:i] + text[i:j] * rng.randint(2, 5) + text[j:]
    return text


def inputs(format: str) -> st.SearchStrategy[str]:
    raw = st.binary(max_size=300).map(lambda data: data.decode("latin-1"))
    seeds = SEEDS[format]
    return st.one_of(st.randoms(use_true_random=False).map(lambda rng: mutate(seeds, rng)),
                     st.text(ALPHABET, max_size=200), raw)


def check(parse: Callable[[str], object], text: str) -> None:
    start = time.perf_counter()
    try:
        parse(text)
    except TuringTxError as exc:
        assert "\n" not in str(exc)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("format", list(PARSERS))
def test_parser_raises_only_turing_tx_errors(format: str) -> None:
    @FUZZ
    @given(inputs(format))
    def fuzz(text: str) -> None:
        check(PARSERS[format], text)

    fuzz()


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["m.txt", "m.yaml", "m.morphett", "m.dtm", "m"]))
def test_loader_on_random_bytes(data: bytes, name: str) -> None:
    def load(_: str) -> None:
        text = decode_text(data, name)
        loader.load_text(text, loader.detect_format(name, text), name)

    check(load, "")


def test_seeds_are_valid() -> None:
    for format, seeds in SEEDS.items():
        for text in seeds:
            PARSERS[format](text)
