"""Pérez, Barceló & Marinković (JMLR 2021): a Turing machine as a three-layer hard-attention decoder.

Compilation runs in three stages, each a function below:

1. **normal form** — :func:`turing_tx.machines.folding.fold` folds the two-way tape onto a one-way tape
   (head never left of cell 0, one folded step per original step);
2. **layout** — :func:`layout` names the residual coordinates (``docs/constructions/perez.md``, "The
   residual stream"): ``state:<q'>``, ``sym:<a'>`` (symbol read), ``wr:<a'>`` (symbol written),
   ``inp:<a'>`` (input fetched from the encoder), the scalars ``move``, ``mv:next``, ``c:w``, ``c:r``,
   ``bos``, ``fresh`` and the positional coordinates ``pos:1``, ``pos:i``, ``pos:1/i``, ``pos:1/i^2``;
3. **weights** — one function per block: the encoder exposes the tape; decoder layer 1's FFN computes
   δ; layer 2 averages the moves over the prefix (hardmax with all ties averaged) to get the scaled
   head position c/(p+1); layer 3 finds the last step that wrote the head's cell with the score
   −|⟨q,k⟩| and tie-break 1/(3(i+1)²), fetches the input cell from the encoder, and its FFN picks
   the symbol read.

Invariant: the decoder output at position p is the configuration after p steps,
``o_p = {state:q_p: 1, sym:s_p: 1, wr:w_{p−1}: 1, move: m_{p−1}, c:r: c_p/(p+1)}`` (the output
invariant of ``docs/constructions/perez.md``, "The residual stream");
:func:`decode_output` checks it exactly (against this machine's folded layout, so the network of
another machine is reported, not misread) and :class:`StepReader` maps consecutive configurations
back to the original machine's steps. Every field of a step is read from the network: state and
symbol read from o_{p−1}; symbol written, head, move and next state from o_p, the verdict of a
halting step included (one halting state per halt name); and the tape, kept as the network holds
it: the encoder's input plus every decoded write at its decoded head. The machine's table is never
consulted: lockstep verification compares against it.

Choices of this construction (documented in ``docs/constructions/perez.md``, "The normal form:
folding the tape" and "The layers"): the tape folding with moves of size 2, a BOS position that
produces the initial configuration and is the attention default for unvisited cells, a blank pad cell
closing the encoder input, per-layer cross-attention maps, and an in-place state update. Departure:
the folded machine has one halting state per halt name H of the original (a single halting state
``Z`` would leave an accept/reject verdict to the table). Width: d = |Q'| + 3|Σ'| + 10
= 2|Q| + |H| + 6|Σ| + 10 (2|Q| + 6|Σ| + 11 for a single halt name); the paper's 2|Q| + 4|Σ| + 11 (for
a machine already in its normal form) is reported beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from turing_tx.constructions.protocol import (
    AttentionRun,
    CompiledMachine,
    Observation,
    ShippedClaims,
    WindowRequirement,
)
from turing_tx.engine.interpreter import DecoderStep, Interpreter, decoder_outputs
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import FeedForward, FeedForwardBuilder, Head, Layer, Model, attention, inert_ffn, inert_head
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.engine.patterns import ALL, CAUSAL
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.errors import DecodingError, UsageError
from turing_tx.machines.folding import FoldedMachine, fold, unfold_cell
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.machine_json import machine_to_json
from turing_tx.machines.simulator import Step, check_step_limit
from turing_tx.rnn.network import RNN

if TYPE_CHECKING:  # the prover (and sympy) is loaded only when obligations are asked for
    from turing_tx.engine.proofs.obligations import Obligation

PAPER = "Pérez, Barceló & Marinković, Attention is Turing Complete, JMLR 22 (2021)"
POSITIONAL = PositionalEncoding("perez", {"pos:1": "1", "pos:i": "i", "pos:1/i": "1/i", "pos:1/i^2": "1/i^2"})
SCALARS = ("move", "mv:next", "c:w", "c:r", "bos", "fresh")
ONE, HALF, THIRD = Fraction(1), Fraction(1, 2), Fraction(1, 3)
WIDTH_FORMULA = "2|Q| + |H| + 6|S| + 10"


def layout(folded: FoldedMachine) -> tuple[str, ...]:
    """The residual basis: state, symbol-read, written, input blocks, six scalars, four positional."""
    return (tuple(f"state:{q}" for q in folded.states)
            + tuple(f"{block}:{a}" for block in ("sym", "wr", "inp") for a in folded.symbols)
            + SCALARS + POSITIONAL.coords)


# -- layer 1: the transition function ------------------------------------------------------------
def transition_ffn(folded: FoldedMachine) -> FeedForward:
    """``dec0.ffn``: one unit per (live state, symbol) computing δ' (a halting entry turns on the
    halting state of its own halt name, so the verdict is in the output), plus cancellation units."""
    ffn = FeedForwardBuilder()
    ffn.unit("init", {"bos": ONE}, 0, {f"state:{folded.start}": ONE})
    for q in folded.live_states:
        for a in folded.symbols:
            t = folded.delta[(q, a)]
            writes: dict[str, Fraction] = {f"state:{q}": -ONE, f"sym:{a}": -ONE, f"wr:{t.write}": ONE,
                                           "mv:next": Fraction(t.move)}
            writes[f"state:{t.next_state}"] = writes.get(f"state:{t.next_state}", 0) + ONE
            ffn.unit(f"d:{q},{a}", {f"state:{q}": ONE, f"sym:{a}": ONE}, -ONE, writes)
    for a in folded.symbols:
        ffn.unit(f"xw:{a}", {f"wr:{a}": ONE}, 0, {f"wr:{a}": -ONE})
    ffn.cancel_signed("xr", "c:r")
    return ffn.build("dec0.ffn")


# -- layer 2: the head position -------------------------------------------------------------------
def position_head() -> Head:
    """``dec1.self_attn.head0``: zero query and key, so hardmax averages the moves over 0..p."""
    value = LinearMap.build({"move": {"c:w": ONE}, "mv:next": {"c:r": ONE}})
    return Head("dec1.self_attn.head0", LinearMap.zero(), LinearMap.zero(), value, "dot", CAUSAL)


# -- layer 3: the symbol under the head -----------------------------------------------------------
def last_write_head(folded: FoldedMachine) -> Head:
    """``dec2.self_attn.head0``: −|⟨q,k⟩| is maximal at the latest write to c_p, else at BOS."""
    query = LinearMap.build({"c:r": {"k1": ONE}, "pos:1/i": {"k2": ONE}, "pos:1/i^2": {"k3": THIRD}})
    key = LinearMap.build({"pos:1/i": {"k1": ONE}, "bos": {"k1": -ONE, "k3": HALF}, "c:w": {"k2": -ONE},
                           "pos:1/i^2": {"k3": ONE}})
    value = LinearMap.build({f"wr:{a}": {f"sym:{a}": ONE} for a in folded.symbols} | {"bos": {"fresh": ONE}})
    return Head("dec2.self_attn.head0", query, key, value, "negabs", CAUSAL)


def input_head(folded: FoldedMachine) -> Head:
    """``dec2.cross_attn.head0``: ⟨q,k_e⟩ = (c_p − e)/(p+1), maximal at e = min(c_p, N−1)."""
    query = LinearMap.build({"c:r": {"k1": ONE}, "pos:1/i": {"k2": ONE}})
    key = LinearMap.build({"pos:1": {"k1": ONE, "k2": ONE}, "pos:i": {"k2": -ONE}})
    value = LinearMap.identity(f"inp:{a}" for a in folded.symbols)
    return Head("dec2.cross_attn.head0", query, key, value, "negabs", ALL)


def read_ffn(folded: FoldedMachine) -> FeedForward:
    """``dec2.ffn``: the input symbol if the cell is fresh, then clean every scratch coordinate."""
    ffn = FeedForwardBuilder()
    for a in folded.symbols:
        ffn.unit(f"g:{a}", {f"inp:{a}": ONE, "fresh": ONE}, -ONE, {f"sym:{a}": ONE})
    for a in folded.symbols:
        ffn.unit(f"xi:{a}", {f"inp:{a}": ONE}, 0, {f"inp:{a}": -ONE})
    for coord in ("fresh", "bos", *POSITIONAL.coords):
        ffn.unit(f"x:{coord}", {coord: ONE}, 0, {coord: -ONE})
    ffn.cancel_signed("xcw", "c:w")
    ffn.cancel_signed("xmo", "move")
    ffn.cancel_signed("xmn", "mv:next", also={"move": ONE})
    return ffn.build("dec2.ffn")


# -- the whole model --------------------------------------------------------------------------------
def _layer(name: str, self_head: Head | None, cross_head: Head | None, ffn: FeedForward | None) -> Layer:
    self_head = self_head or inert_head(f"{name}.self_attn.head0", CAUSAL)
    cross_head = cross_head or inert_head(f"{name}.cross_attn.head0", ALL)
    return Layer(name, attention(f"{name}.self_attn", "self", [self_head]), ffn or inert_ffn(f"{name}.ffn"),
                 attention(f"{name}.cross_attn", "encoder", [cross_head]))


def compile_model(machine: TuringMachine) -> Model:
    """The Pérez transformer of ``machine`` (input-independent: the word enters through the encoder)."""
    folded = fold(machine)
    coords = layout(folded)
    encoder = Layer("enc0", attention("enc0.self_attn", "self", [inert_head("enc0.self_attn.head0", ALL)]),
                    inert_ffn("enc0.ffn"))
    decoder = (
        _layer("dec0", None, None, transition_ffn(folded)),
        _layer("dec1", position_head(), None, None),
        _layer("dec2", last_write_head(folded), input_head(folded), read_ffn(folded)),
    )
    n_states, n_symbols = machine.num_states, machine.num_symbols
    return Model(
        construction="perez",
        coords=coords,
        embedding={a: {f"inp:{a}": ONE} for a in folded.symbols},
        encoder=(encoder,),
        decoder=decoder,
        decoder_seed={"bos": ONE},
        positional_encoding=POSITIONAL,
        metadata={
            "paper": PAPER,
            "machine": machine_to_json(machine),
            "width_formula": WIDTH_FORMULA,
            "paper_width": 2 * n_states + 4 * n_symbols + 11,
            "paper_width_folded": 2 * len(folded.states) + 4 * len(folded.symbols) + 11,
        },
    )


# -- decoding ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Configuration:
    """A decoder output read back: folded state and symbol, folded head, last write and move."""

    position: int
    state: str
    read: str
    folded_head: int
    written: str | None
    move: int


def _unique_one(step: DecoderStep, prefix: str, known: Sequence[str], rounding: bool,
                required: bool = True) -> str | None:
    """The one coordinate of a block equal to 1 (exact), or the one above 1/2 (``rounding``, float runs),
    as a name of ``known`` (this machine's folded states or symbols)."""
    names = step.nonzero_names(prefix)
    if rounding:
        names = [n for n in names if step.value(n) > HALF]
    if not names and not required:
        return None
    if len(names) != 1 or (not rounding and step.value(names[0]) != 1):
        raise DecodingError(f"position {step.position}: expected one {prefix} coordinate equal to 1, "
                            f"found {', '.join(f'{n}={step.value(n)}' for n in names) or 'none'}")
    name = names[0][len(prefix):]
    if name not in known:
        raise DecodingError(f"position {step.position}: {names[0]} is not a coordinate of this machine's "
                            "folded layout (a network of another machine?)")
    return name


def decode_output(step: DecoderStep, folded: FoldedMachine, rounding: bool = False) -> Configuration:
    """Read o_p back, checking the output invariant (every other coordinate exactly 0) and that
    its one-hot coordinates belong to ``folded``'s layout.

    Float runs (``rounding``) are read the way a float implementation would be: each one-hot block by
    its coordinate above 1/2, the head and move by rounding to the nearest integer, and any other
    coordinate must stay below 1/2 in magnitude.
    """
    p = step.position
    state = _unique_one(step, "state:", folded.states, rounding)
    read = _unique_one(step, "sym:", folded.symbols, rounding)
    written = _unique_one(step, "wr:", folded.symbols, rounding, required=p > 0)
    allowed = {f"state:{state}", f"sym:{read}", f"wr:{written}", "move", "c:r"}
    stray = [name for name in step.nonzero_names("") if name not in allowed
             and (not rounding or abs(step.value(name)) >= HALF)]
    if stray:
        raise DecodingError(f"position {p}: coordinate {stray[0]} = {step.value(stray[0])} should be 0")
    scaled = step.value("c:r") * (p + 1)
    move = step.value("move")
    if rounding:
        scaled, move = Fraction(round(scaled)), Fraction(round(move))
    if scaled.denominator != 1 or scaled < 0 or move.denominator != 1:
        raise DecodingError(f"position {p}: head (p+1)·c:r = {scaled} or move {move} is not a valid cell/move")
    return Configuration(p, state, read, int(scaled), written, int(move))  # type: ignore[arg-type]


def _check_folded(folded: FoldedMachine, config: Configuration, previous: Configuration | None) -> None:
    """The fold's consistency checks (``docs/verification.md``, "Per construction: how the decoder
    reads the network"): marks at the fold (on the symbol read and the one written), side
    parity, and move continuity."""
    if folded.split_symbol(config.read)[1] != (config.folded_head in (0, 1)):
        raise DecodingError(f"position {config.position}: symbol {config.read} at folded cell "
                            f"{config.folded_head} contradicts the fold marks")
    _, side = folded.split_state(config.state)
    if side and (side == "+") != (config.folded_head % 2 == 0):
        raise DecodingError(f"position {config.position}: state {config.state} on folded cell "
                            f"{config.folded_head} is on the wrong side")
    if previous is None:
        return
    if folded.split_symbol(config.written)[1] != (previous.folded_head in (0, 1)):  # type: ignore[arg-type]
        raise DecodingError(f"position {config.position}: symbol {config.written} written at folded cell "
                            f"{previous.folded_head} contradicts the fold marks")
    if config.folded_head - config.move != previous.folded_head:
        raise DecodingError(f"position {config.position}: move {config.move} does not lead from folded cell "
                            f"{previous.folded_head} to {config.folded_head}")


def encoder_tape(folded: FoldedMachine, tokens: Sequence[str]) -> dict[int, int]:
    """The tape the encoder input represents, in original cells (non-blank ones): every folded cell
    but the final pad (which stands for all cells beyond the input), unfolded."""
    cells = {}
    for folded_cell, token in enumerate(tokens[:-1]):
        symbol, _ = folded.split_symbol(token)
        if symbol:
            cells[unfold_cell(folded_cell)] = symbol
    return cells


def to_step(folded: FoldedMachine, before: Configuration, after: Configuration, tape: Mapping[int, int]) -> Step:
    """The original machine's step from configuration p−1 to p, read from the network alone.

    State and symbol read come from o_{p−1}; symbol written, next state (a halting state names the
    halt) from o_p; head and move from the two decoded heads. ``tape`` is the network's tape before
    the step (left unchanged); the step carries a fresh one with the decoded write at the decoded head.
    """
    state, _ = folded.split_state(before.state)
    if state is None:
        raise DecodingError(f"position {after.position}: the machine had already halted")
    read, _ = folded.split_symbol(before.read)
    write, _ = folded.split_symbol(after.written)  # type: ignore[arg-type]
    head, head_after = unfold_cell(before.folded_head), unfold_cell(after.folded_head)
    if abs(head_after - head) != 1:
        raise DecodingError(f"position {after.position}: the head went from cell {head} to {head_after}, "
                            "not to a neighbour")
    next_state, _ = folded.split_state(after.state)
    cells = dict(tape)
    if write:
        cells[head] = write
    else:
        cells.pop(head, None)
    return Step(after.position, state, head, read, write, "R" if head_after > head else "L", next_state,
                folded.halt_of(after.state), tape=cells)


class StepReader:
    """Turns decoded configurations 0, 1, … into the original machine's steps, holding the tape the
    network represents (the encoder's input, then each step's decoded write)."""

    def __init__(self, folded: FoldedMachine, tokens: Sequence[str]) -> None:
        self.folded = folded
        self.tape: Mapping[int, int] = encoder_tape(folded, tokens)
        self.previous: Configuration | None = None

    def advance(self, config: Configuration) -> Step | None:
        """The step that led to ``config`` (None for configuration 0, which no step led to)."""
        previous, self.previous = self.previous, config
        if previous is None:
            return None
        step = to_step(self.folded, previous, config, self.tape)
        self.tape = step.tape  # type: ignore[assignment]
        return step


def last_write_window(reference: Sequence[Step]) -> WindowRequirement:
    """How far back ``dec2.self_attn`` (the last-write head) must see, from the simulator's steps: at position p
    (reading configuration p's cell c_p) the last position ℓ ≤ p that wrote c_p (position ℓ writes the
    cell of configuration ℓ−1), else the BOS position 0, the default for a fresh cell; a window of w
    keys sees ℓ iff w ≥ p + 1 − ℓ. Positions 0..T−1 of the T steps matter: the symbol read at
    configuration T is not part of any step."""
    heads = [reference[0].head if reference else 0] + [s.head_after for s in reference]
    last: dict[int, int] = {}
    needs, written = [], []
    worst: tuple[int, int, int, int | None] = (0, 0, 0, None)
    for p in range(len(reference)):
        if p >= 1:
            last[reference[p - 1].head] = p
        cell = heads[p]
        source = last.get(cell)
        need = p + 1 - (source if source is not None else 0)
        needs.append(need)
        written.append(p + 1 - source if source is not None else 1)
        if need > worst[0]:
            worst = (need, p, cell, source)
    return WindowRequirement(tuple(needs), tuple(written), worst[0], max(written, default=1),
                             worst[1], worst[2], worst[3])


class PerezCompiledMachine(CompiledMachine):
    """A machine compiled with the Pérez construction, with its encoder input."""

    construction = "perez"

    def __init__(self, machine: TuringMachine, word: tuple[int, ...] = ()) -> None:
        self.machine = machine
        self.word = tuple(word)
        self.folded = fold(machine)
        self.model = compile_model(machine)
        self.tokens = self.folded.initial_tape(self.word)
        self.max_bits = None

    @property
    def network(self) -> Model:
        return self.model

    def describe(self) -> dict[str, Any]:
        decoder_ffns = [layer.ffn for layer in self.model.decoder]
        return {
            "construction": self.construction,
            "dimension": self.dimension,
            "width_formula": WIDTH_FORMULA,
            "paper_width": self.model.metadata["paper_width"],
            "paper_width_folded": self.model.metadata["paper_width_folded"],
            "states": self.machine.num_states,
            "halts": len(self.machine.halts),
            "symbols": self.machine.num_symbols,
            "folded_states": len(self.folded.states),
            "folded_symbols": len(self.folded.symbols),
            "encoder_layers": len(self.model.encoder),
            "decoder_layers": len(self.model.decoder),
            "heads": sum(1 for _ in self.model.heads()),
            "active_heads": sum(1 for h in self.model.heads() if not h.is_inert),
            "ffn_hidden": {ffn.name: len(ffn.hidden) for ffn in decoder_ffns},
            "encoder_length": len(self.tokens),
        }

    def configurations(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
                       model: Model | None = None, track_bits: bool = False,
                       record_attention: bool = False) -> Iterator[tuple[Configuration, DecoderStep]]:
        """Decoded configurations 0, 1, …, checked against the folded machine, until a halting state or
        the limit."""
        check_step_limit(max_steps)
        interpreter = Interpreter(model or self.model, backend, track_bits=track_bits,
                                  record_attention=record_attention)
        rounding = not interpreter.backend.exact
        limit = None if max_steps is None else max_steps + 1
        previous: Configuration | None = None
        for output in interpreter.run(self.tokens, limit):
            config = decode_output(output, self.folded, rounding)
            _check_folded(self.folded, config, previous)
            if interpreter.bits is not None:
                self.max_bits = interpreter.bits.bits
            yield config, output
            if self.folded.halt_of(config.state) is not None:
                return
            previous = config

    def trace(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
              model: Model | None = None, track_bits: bool = False) -> Iterator[Step]:
        reader = StepReader(self.folded, self.tokens)
        for config, _ in self.configurations(max_steps, backend=backend, model=model, track_bits=track_bits):
            step = reader.advance(config)
            if step is not None:
                yield step

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Decoded steps until the first decoding failure, and the raw outputs of positions 0..steps."""
        model = model or self.model
        observation = Observation([])
        reader = StepReader(self.folded, self.tokens)
        configurations = 0
        try:
            for config, _ in self.configurations(steps, backend=backend, model=model):
                step = reader.advance(config)
                if step is not None:
                    observation.steps.append(step)
                configurations += 1
        except DecodingError as exc:
            observation.error, observation.error_configuration = str(exc), configurations
        observation.record_outputs(decoder_outputs(model, self.tokens, steps + 1, backend))
        return observation

    def obligations(self, network: Model | RNN | None = None) -> list[Obligation]:
        """The induction of :mod:`turing_tx.constructions.perez_proof`, stated for ``network``'s weights
        (None: the compiled model) as the network of this folded machine."""
        if isinstance(network, RNN):
            raise UsageError("the Pérez construction is a transformer; an RNN has none of its obligations")
        from turing_tx.constructions import perez_proof  # the prover loads sympy: only when asked

        return perez_proof.obligations(network or self.model, self.folded)

    def window_requirement(self, reference: Sequence[Step]) -> WindowRequirement:
        """How far back ``dec2.self_attn`` must see: :func:`last_write_window`."""
        return last_write_window(reference)

    def attention_run(self, max_steps: int) -> AttentionRun:
        """Positions 0..``max_steps`` (position p = configuration p), each output checked on the way
        and the run stopped at the halt."""
        steps = tuple(step for _, step in self.configurations(max_steps, record_attention=True))
        return AttentionRun(self.model, steps, len(self.tokens))


@dataclass(frozen=True)
class PerezConstruction(ShippedClaims):
    """Entry point: ``compile(machine, word)`` → :class:`PerezCompiledMachine`."""

    name: str = "perez"
    paper: str = PAPER

    def compile(self, machine: TuringMachine, word: tuple[int, ...] = ()) -> PerezCompiledMachine:
        return PerezCompiledMachine(machine, word)


PEREZ = PerezConstruction()
