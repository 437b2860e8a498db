"""Attention maps: the winners the Pérez heads pick on BB(2) (docs/constructions/perez.md, "The layers")
and the rendered picture."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from turing_tx.cli import pictures as pictures_command
from turing_tx.constructions.registry import get_construction
from turing_tx.errors import UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.pictures.attention_plot import AttentionMap, attention_maps, compiled_attention, render_attention

BB2 = "1RB1LB_1LA1RZ"


@pytest.fixture(scope="module")
def bb2_maps() -> dict[str, AttentionMap]:
    compiled = get_construction("perez").compile(parse_machine(BB2, "<test>"))
    return {m.head: m for m in compiled_attention(compiled, 100)}


def test_active_decoder_heads_in_layer_order(bb2_maps: dict[str, AttentionMap]) -> None:
    assert list(bb2_maps) == ["dec1.self_attn.head0", "dec2.self_attn.head0", "dec2.cross_attn.head0"]
    assert [m.source for m in bb2_maps.values()] == ["self", "self", "encoder"]
    assert all(len(m.winners) == 7 for m in bb2_maps.values())  # positions 0..6, the halt at p = 6


def test_layer2_averages_over_the_whole_prefix(bb2_maps: dict[str, AttentionMap]) -> None:
    layer2 = bb2_maps["dec1.self_attn.head0"]
    assert all(keys == tuple(range(p + 1)) for p, keys in enumerate(layer2.winners))
    assert layer2.averages
    expected = np.tril(np.ones((7, 7))) / np.arange(1, 8)[:, None]
    assert np.allclose(layer2.weights, expected)


def test_layer3_finds_the_last_write_to_the_cell(bb2_maps: dict[str, AttentionMap]) -> None:
    layer3 = bb2_maps["dec2.self_attn.head0"]
    assert layer3.winners[2] == (1,)  # position 1 wrote cell 0
    assert layer3.winners[5] == (4,)  # head back on cell −1, written at position 4
    assert layer3.winners[:4] == ((0,), (0,), (1,), (0,))  # BOS for fresh cells
    assert not layer3.averages  # the tie-break makes the maximum unique
    assert layer3.weights.sum(axis=1).tolist() == [1.0] * 7


def test_cross_attention_reads_the_input_cell(bb2_maps: dict[str, AttentionMap]) -> None:
    cross = bb2_maps["dec2.cross_attn.head0"]
    assert cross.keys == 3  # encoder 0* 0* 0 (N = 3)
    assert cross.winners[:4] == ((0,), (2,), (0,), (1,))  # the encoder cell under the head


def test_attention_maps_from_any_recorded_run() -> None:
    run = get_construction("perez").compile(parse_machine(BB2, "<test>")).attention_run(3)
    maps = attention_maps(run.model, run.steps, run.encoder_length)
    assert [m.weights.shape for m in maps] == [(4, 4), (4, 4), (4, 3)]
    assert attention_maps(run.model, [], 3) == []


def test_other_transformer_constructions_and_rnns() -> None:
    machine = parse_machine(BB2, "<test>")
    maps = compiled_attention(get_construction("bhattamishra-mask").compile(machine), 5)
    assert maps and all(len(m.winners) == 6 for m in maps)
    with pytest.raises(UsageError, match="not a transformer"):
        compiled_attention(get_construction("siegelmann-sontag").compile(machine), 5)


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_render(bb2_maps: dict[str, AttentionMap], fmt: str, magic: bytes) -> None:
    data = render_attention(list(bb2_maps.values()), fmt)
    assert data.startswith(magic) and data == render_attention(list(bb2_maps.values()), fmt)
    with pytest.raises(UsageError):
        render_attention([], fmt)


def command(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    pictures_command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(list(argv))


def test_attention_command(tmp_path: Path) -> None:
    out = tmp_path / "bb2.png"
    assert pictures_command.run(command("attention", BB2, "--steps", "6", "-o", str(out))) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(UsageError, match="not a transformer"):
        pictures_command.run(command("attention", BB2, "--construction", "siegelmann-sontag",
                                     "-o", str(tmp_path / "x.svg")))
    with pytest.raises(UsageError, match="non-negative"):
        pictures_command.run(command("attention", BB2, "--steps", "-3", "-o", str(tmp_path / "x.svg")))
    assert [p.name for p in tmp_path.iterdir()] == ["bb2.png"]
