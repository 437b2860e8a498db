"""Attention maps: which positions each decoder head's hardmax attended to, position by position.

For every active decoder head the map is a matrix with one row per decoder (query) position and one
column per key position: decoder positions for self-attention, encoder positions for decoder–encoder
attention. Cell (p, j) is the weight that position p gave key j: 1/|winners| for each of the tied
maxima the hardmax averages, 0 elsewhere. For a construction that keeps the tape in its decoder's
history this is the picture of its proof: one head averages uniformly over 0..p (the head position
as a mean of moves), one picks the single last position that wrote the cell under the head (or BOS
for a fresh cell), and one reads the input tape at that cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import MaxNLocator

from turing_tx.constructions.protocol import CompiledMachine
from turing_tx.engine.interpreter import DecoderStep
from turing_tx.engine.model import Model
from turing_tx.errors import UsageError
from turing_tx.machines.simulator import check_step_limit
from turing_tx.pictures.figures import figure_bytes, new_figure


@dataclass(frozen=True)
class AttentionMap:
    """One decoder head's attended positions: ``winners[p]`` = the keys query position p averaged."""

    head: str
    source: Literal["self", "encoder"]
    keys: int
    winners: tuple[tuple[int, ...], ...]

    @property
    def weights(self) -> np.ndarray:
        """Rows = query positions, columns = key positions; 1/|winners| at the winners, else 0."""
        matrix = np.zeros((len(self.winners), self.keys))
        for p, keys in enumerate(self.winners):
            matrix[p, list(keys)] = 1 / len(keys)
        return matrix

    @property
    def averages(self) -> bool:
        """True if some position averaged several tied keys (e.g. a uniform mean over the prefix)."""
        return any(len(keys) > 1 for keys in self.winners)


def attention_maps(model: Model, steps: Iterable[DecoderStep], encoder_length: int) -> list[AttentionMap]:
    """The maps of every decoder head that recorded attention in ``steps``, in layer order.

    ``steps`` come from a run with ``record_attention``; inert heads (zero value map) are skipped by
    the interpreter and so have no map.
    """
    recorded = list(steps)
    maps = []
    for layer in model.decoder:
        for sublayer in (layer.self_attn, layer.cross_attn):
            if sublayer is None:
                continue
            for head in sublayer.heads:
                if not recorded or head.name not in recorded[0].attention:
                    continue
                winners = tuple(tuple(int(j) for j in step.attention[head.name]) for step in recorded)
                keys = len(recorded) if sublayer.source == "self" else encoder_length
                maps.append(AttentionMap(head.name, sublayer.source, keys, winners))
    return maps


def compiled_attention(compiled: CompiledMachine, max_steps: int) -> list[AttentionMap]:
    """The attention maps of decoder positions 0..``max_steps`` of a compiled transformer.

    The run is the construction's own (``CompiledMachine.attention_run``): a construction whose
    positions are machine steps checks every output on the way and stops at the halt. RNN
    constructions have no attention (UsageError).
    """
    check_step_limit(max_steps)
    run = compiled.attention_run(max_steps)
    return attention_maps(run.model, run.steps, run.encoder_length)


_MIN_PANEL = 10
"""Narrow maps (a short encoder input) still get this many key columns of width, for their labels."""

_ATTENDED = LinearSegmentedColormap.from_list("attended", ["white", "tab:blue"])


def render_attention(maps: list[AttentionMap], fmt: str = "png", title: str = "") -> bytes:
    """The maps side by side as ``png`` or ``svg`` bytes, one panel per head.

    Every attended key is drawn at full strength whatever its weight, so that a uniform average over
    many positions stays visible; panels that average say so in their title.
    """
    if not maps:
        raise UsageError("no attention was recorded (every decoder head is inert)")
    rows = len(maps[0].winners)
    ratios = [max(m.keys, _MIN_PANEL) for m in maps]
    figure = new_figure(min(24.0, 1.5 * len(maps) + 0.2 * sum(ratios)), min(16.0, 2.0 + 0.2 * rows))
    axes = figure.subplots(1, len(maps), squeeze=False, width_ratios=ratios)[0]
    for ax, attention in zip(axes, maps, strict=True):
        ax.imshow(attention.weights > 0, cmap=_ATTENDED, vmin=0, vmax=1, interpolation="nearest")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(attention.head + ("\n(ties averaged)" if attention.averages else ""), fontsize="small")
        ax.set_xlabel("decoder position (key)" if attention.source == "self" else "encoder position")
        ax.set_ylabel("decoder position (query)")
    figure.suptitle(title or "decoder attention: attended positions", fontsize="medium")
    return figure_bytes(figure, fmt)
