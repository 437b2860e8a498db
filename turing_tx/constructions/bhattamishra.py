"""Bhattamishra, Patel, Goyal (CoNLL 2020): any rational σ-RNN as a one-layer encoder–decoder
transformer, with positional encoding (Theorem 1) or with positional masking and no positional
encoding (Theorem 2). Documented in ``docs/constructions/bhattamishra.md``.

The decoder step t reproduces RNN tick t: cross-attention fetches x_min(t,m), its residual carries
h_{t−1}, and the decoder FFN computes h_t = σ(W_h h_{t−1} + W_x x_t + b). Chained with the
Siegelmann–Sontag RNN of a Turing machine this gives the TM-level constructions
:data:`BHATTAMISHRA_PE` and :data:`BHATTAMISHRA_MASK`.

Public functions, one job each:

- compile: :func:`compile_theorem1`, :func:`compile_theorem2`, :func:`compile_rnn_transformer`
  (RNN → :class:`~turing_tx.engine.model.Model`), :func:`tokens` (RNN input word → encoder tokens);
- decode: :func:`decode_hidden` (decoder output → h_t, checking the decoder invariant),
  :func:`run_rnn_transformer` (the decoded h_1, h_2, …);
- claims: ``claims()`` of each construction (the paper's Fig. 2 as data; see the docs' "Ablations:
  the paper's Figure 2") and :func:`rebuild_without`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from turing_tx.constructions import siegelmann_sontag
from turing_tx.constructions._bhattamishra_blocks import (
    copy_inputs,
    hidden_coord,
    identity_ffn,
    input_coord,
    position_match,
    rnn_update_ffn,
    shifted_match,
    start_average,
)
from turing_tx.constructions.protocol import (
    AttentionRun,
    CompiledMachine,
    Observation,
    OutputBound,
    PermutationRun,
    ShippedClaims,
)
from turing_tx.engine.interpreter import DecoderStep, Interpreter, decoder_outputs
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import FeedForward, Head, Layer, Model, attention, inert_ffn, inert_head
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.engine.patterns import ALL, CAUSAL, Pattern
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.errors import DecodingError, ModelError, UsageError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step, check_step_limit
from turing_tx.rnn.network import RNN, State

if TYPE_CHECKING:  # the prover (and sympy) is loaded only when obligations are asked for
    from turing_tx.engine.proofs.obligations import Obligation

Theorem = Literal[1, 2]
Form = Literal["full", "paper"]

PAPER = "Bhattamishra, Patel, Goyal: On the Computational Power of Transformers and Its Implications " \
        "in Sequence Modeling (CoNLL 2020)"
START = "#"
"""The start marker Theorem 2 prepends to the encoder input."""

ENC_SELF, ENC_FFN = "enc0.self_attn", "enc0.ffn"
DEC_SELF, DEC_CROSS, DEC_FFN = "dec0.self_attn", "dec0.cross_attn", "dec0.ffn"
RESIDUALS = tuple(f"{block}.residual" for block in (ENC_SELF, ENC_FFN, DEC_SELF, DEC_CROSS, DEC_FFN))
POSITIONAL = PositionalEncoding("pos_encoding", {"pos:1": "1", "pos:1/i": "1/i", "pos:1/i^2": "1/i^2"})


# -- layout ---------------------------------------------------------------------------------------

def layout(rnn: RNN, theorem: Theorem) -> tuple[str, ...]:
    """The residual basis: h block, x block, then three position/constant coordinates."""
    tail = ("pos:1", "pos:1/i", "pos:1/i^2") if theorem == 1 else ("one", "start", "pos:1/i")
    return (*map(hidden_coord, rnn.units), *map(input_coord, rnn.inputs), *tail)


def tokens(rnn_word: Sequence[str], theorem: Theorem) -> list[str]:
    """The encoder tokens for the RNN input x_1..x_m: the word itself (Theorem 1), or the start
    marker ``#`` followed by the word (Theorem 2)."""
    if not rnn_word:
        raise UsageError("an RNN input needs at least one symbol")
    return list(rnn_word) if theorem == 1 else [START, *rnn_word]


def _choose(option: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise UsageError(f"{option} must be one of {', '.join(allowed)}, got {value!r}")


def _residual_flags(defaults: Mapping[str, bool], overrides: Mapping[str, bool] | None) -> dict[str, bool]:
    """Which residuals are present: the defaults the chosen forms imply, then explicit overrides."""
    unknown = sorted(set(overrides or {}) - set(RESIDUALS))
    if unknown:
        raise UsageError(f"unknown residual {unknown[0]!r} (expected one of {', '.join(RESIDUALS)})")
    return {**defaults, **(overrides or {})}


def _model(rnn: RNN, theorem: Theorem, coords: tuple[str, ...], parts: Mapping[str, Any],
           residual: Mapping[str, bool], options: Mapping[str, str]) -> Model:
    """Assemble one encoder layer and one decoder layer from their named blocks."""
    encoder = Layer("enc0", attention(ENC_SELF, "self", [parts[ENC_SELF]], residual[f"{ENC_SELF}.residual"]),
                    parts[ENC_FFN])
    decoder = Layer("dec0", attention(DEC_SELF, "self", [parts[DEC_SELF]], residual[f"{DEC_SELF}.residual"]),
                    parts[DEC_FFN],
                    attention(DEC_CROSS, "encoder", [parts[DEC_CROSS]], residual[f"{DEC_CROSS}.residual"]))
    embedding = {a: {input_coord(a): Fraction(1)} for a in rnn.inputs}
    seed = {hidden_coord(u): Fraction(v) for u, v in rnn.h0.items() if v}
    if theorem == 2:
        embedding = {START: {"start": Fraction(1), "one": Fraction(1)},
                     **{a: {**vector, "one": Fraction(1)} for a, vector in embedding.items()}}
        seed = {**seed, "one": Fraction(1), "start": Fraction(1)}
    metadata = {"theorem": theorem, "form": options["form"], "options": dict(options),
                "residuals": dict(residual), "rnn": rnn.name, "rnn_units": rnn.size,
                "rnn_inputs": len(rnn.inputs), "paper_width": rnn.size + len(rnn.inputs) + 3}
    return Model(construction=BHATTAMISHRA_PE.name if theorem == 1 else BHATTAMISHRA_MASK.name,
                 coords=coords, embedding=embedding, encoder=(encoder,), decoder=(decoder,),
                 decoder_seed=seed, positional_encoding=POSITIONAL if theorem == 1 else None,
                 metadata=metadata)


def _encoder_ffn(choice: str, coords: tuple[str, ...], residual: bool) -> FeedForward:
    return identity_ffn(ENC_FFN, coords, residual=residual) if choice == "identity" \
        else inert_ffn(ENC_FFN, residual=residual)


# -- Theorem 1 ------------------------------------------------------------------------------------

def compile_theorem1(rnn: RNN, *, form: Form = "full", cross_score: Literal["negabs", "dot"] = "negabs",
                     encoder_self: Literal["inert", "self-select"] = "inert",
                     encoder_ffn: Literal["inert", "identity"] = "inert",
                     decoder_self: Literal["inert", "self-select"] = "inert",
                     residuals: Mapping[str, bool] | None = None) -> Model:
    """Theorem 1: a transformer with positional encoding whose decoder output o_t is
    [h_t | 0 | 0] for every t ≥ 1.

    ``form``: ``full`` keeps the decoder-FFN residual (with cancellation units), ``paper`` drops it.
    ``cross_score`` scores the position-matching heads (cross-attention and self-selecting heads).
    ``encoder_self``/``decoder_self`` = ``self-select`` and ``encoder_ffn`` = ``identity`` make the
    block carry the identity and drop its residual (the alternative forms of the ablation's rebuilt
    runs, ``docs/ablation.md``, "The protocol"). ``residuals`` maps residual names to presence,
    overriding what the forms imply.
    """
    _choose("form", form, ("full", "paper"))
    _choose("cross_score", cross_score, ("negabs", "dot"))
    _choose("encoder_self", encoder_self, ("inert", "self-select"))
    _choose("encoder_ffn", encoder_ffn, ("inert", "identity"))
    _choose("decoder_self", decoder_self, ("inert", "self-select"))
    coords = layout(rnn, 1)
    residual = _residual_flags({f"{ENC_SELF}.residual": encoder_self == "inert",
                                f"{ENC_FFN}.residual": encoder_ffn == "inert",
                                f"{DEC_SELF}.residual": decoder_self == "inert",
                                f"{DEC_CROSS}.residual": True,
                                f"{DEC_FFN}.residual": form == "full"}, residuals)
    identity = LinearMap.identity(coords)

    def self_head(name: str, choice: str, pattern: Pattern) -> Head:
        head = f"{name}.head0"
        return position_match(head, cross_score, identity, pattern) if choice == "self-select" \
            else inert_head(head, pattern)

    parts = {
        ENC_SELF: self_head(ENC_SELF, encoder_self, ALL),
        ENC_FFN: _encoder_ffn(encoder_ffn, coords, residual[f"{ENC_FFN}.residual"]),
        DEC_SELF: self_head(DEC_SELF, decoder_self, CAUSAL),
        DEC_CROSS: position_match(f"{DEC_CROSS}.head0", cross_score, copy_inputs(rnn), ALL),
        DEC_FFN: rnn_update_ffn(DEC_FFN, rnn, cancel=coords if form == "full" else (), bias={},
                                residual=residual[f"{DEC_FFN}.residual"]),
    }
    options = {"form": form, "cross_score": cross_score, "encoder_self": encoder_self,
               "encoder_ffn": encoder_ffn, "decoder_self": decoder_self}
    return _model(rnn, 1, coords, parts, residual, options)


# -- Theorem 2 ------------------------------------------------------------------------------------

def compile_theorem2(rnn: RNN, *, form: Form = "full", encoder_ffn: Literal["inert", "identity"] = "inert",
                     residuals: Mapping[str, bool] | None = None) -> Model:
    """Theorem 2: no positional encoding; the encoder's self-attention is masked to prefixes,
    and the decoder output o_t is {h_t, one: 1} for every t ≥ 1.

    The options mean what they mean for :func:`compile_theorem1`. There is no dot-product variant
    and no self-selecting head here: both would need 1/i², or PE.
    """
    _choose("form", form, ("full", "paper"))
    _choose("encoder_ffn", encoder_ffn, ("inert", "identity"))
    if START in rnn.inputs:
        raise ModelError(f"the RNN input alphabet uses {START!r}, Theorem 2's start marker")
    coords = layout(rnn, 2)
    residual = _residual_flags({f"{ENC_SELF}.residual": True,
                                f"{ENC_FFN}.residual": encoder_ffn == "inert",
                                f"{DEC_SELF}.residual": True,
                                f"{DEC_CROSS}.residual": True,
                                f"{DEC_FFN}.residual": form == "full"}, residuals)
    full = form == "full"
    parts = {
        ENC_SELF: start_average(f"{ENC_SELF}.head0"),
        ENC_FFN: _encoder_ffn(encoder_ffn, coords, residual[f"{ENC_FFN}.residual"]),
        DEC_SELF: start_average(f"{DEC_SELF}.head0"),
        DEC_CROSS: shifted_match(f"{DEC_CROSS}.head0", rnn),
        DEC_FFN: rnn_update_ffn(DEC_FFN, rnn, cancel=tuple(c for c in coords if c != "one") if full else (),
                                bias={} if full else {"one": Fraction(1)},
                                residual=residual[f"{DEC_FFN}.residual"]),
    }
    return _model(rnn, 2, coords, parts, residual, {"form": form, "encoder_ffn": encoder_ffn})


def compile_rnn_transformer(rnn: RNN, theorem: Theorem, **options: Any) -> Model:
    """Either theorem's transformer for a user's own RNN (``options`` as for the compile functions)."""
    if theorem == 1:
        return compile_theorem1(rnn, **options)
    if theorem == 2:
        unsupported = sorted(set(options) - {"form", "encoder_ffn", "residuals"})
        if unsupported:
            raise UsageError(f"Theorem 2 has no option {unsupported[0]!r}: without positional encoding "
                             "there is no dot-product score and no self-selecting head")
        return compile_theorem2(rnn, **options)
    raise UsageError(f"theorem must be 1 or 2, got {theorem!r}")


# -- decoding -------------------------------------------------------------------------------------

def decode_hidden(step: DecoderStep, *, check: bool = True) -> State:
    """h_t (t = step.position + 1) read from the decoder output's ``h:`` block.

    With ``check``, the decoder invariant must hold: every other coordinate is 0, except Theorem 2's
    constant ``one`` (present in the layout) which is 1. A violation raises
    :class:`~turing_tx.errors.DecodingError`.
    """
    hidden = {name[2:]: step.value(name) for name in step.index if name.startswith("h:")}
    if check:
        constant = {"one": Fraction(1)} if "one" in step.index else {}
        for name in step.index:
            value = step.value(name)
            if not name.startswith("h:") and value != constant.get(name, 0):
                raise DecodingError(f"tick {step.position + 1}: decoder output has {name} = {value}, "
                                    f"expected {constant.get(name, 0)} (o_t must be h_t and nothing else)")
    return hidden


def _theorem_of(model: Model) -> Theorem:
    theorem = model.metadata.get("theorem")
    if theorem not in (1, 2):
        raise UsageError(f"model {model.construction!r} is not a Bhattamishra et al. transformer")
    return theorem


def run_rnn_transformer(model: Model, rnn: RNN, word: Sequence[str], ticks: int | None = None,
                        backend: str = DEFAULT_BACKEND, *, check: bool = True) -> Iterator[State]:
    """h_1, h_2, … (``ticks`` of them, else forever) decoded from ``model`` run on the RNN input
    ``word``; ``check`` as for :func:`decode_hidden`."""
    unknown = [a for a in word if a not in rnn.inputs]
    if unknown:
        raise UsageError(f"input symbol {unknown[0]!r} is not in the RNN's alphabet {' '.join(rnn.inputs)}")
    run = Interpreter(model, backend).run(tokens(word, _theorem_of(model)), ticks)
    return (decode_hidden(step, check=check) for step in run)


# -- TM-level constructions -----------------------------------------------------------------------

class BhattamishraCompiled(CompiledMachine):
    """A Turing machine compiled through its Siegelmann–Sontag RNN into a Theorem 1 or 2 transformer."""

    def __init__(self, construction: str, machine: TuringMachine, word: tuple[int, ...], theorem: Theorem,
                 options: Mapping[str, Any]) -> None:
        self.construction = construction
        self.machine = machine
        self.theorem = theorem
        self.ss = siegelmann_sontag.SIEGELMANN_SONTAG.compile(machine, word)
        self.word = self.ss.word
        self.rnn: RNN = self.ss.rnn
        self.rnn_word = siegelmann_sontag.rnn_input(machine, word)
        self.tokens = tokens(self.rnn_word, theorem)
        self.model = compile_rnn_transformer(self.rnn, theorem, **options)
        expected = self.paper_width + self.extension
        if self.model.width != expected:
            raise ModelError(f"{construction}: width {self.model.width} differs from the paper's "
                             f"(2k+1)|Q| + 5k + 17 (+ {self.extension}) = {expected}")

    @property
    def paper_width(self) -> int:
        """d = (2k+1)|Q| + 5k + 17 (chained with the Siegelmann–Sontag RNN), |Q| = non-halting states,
        k = symbols."""
        k, states = self.machine.num_symbols, self.machine.num_states
        return (2 * k + 1) * states + 5 * k + 17

    @property
    def extension(self) -> int:
        """Residual coordinates beyond the paper's formula: the Siegelmann–Sontag extensions (three
        units per halt name after the first; a loader unit and the input symbol 0 for input words
        with blank cells)."""
        k = self.machine.num_symbols
        return self.rnn.size + len(self.rnn.inputs) - siegelmann_sontag.spec_width(self.machine) - k

    @property
    def network(self) -> Model:
        return self.model

    def obligations(self, network: Model | RNN | None = None) -> list[Obligation]:
        """The lemmas that ``network`` (None: the compiled transformer; else an edited or ablated copy)
        simulates this machine's Siegelmann–Sontag RNN at every tick for every input word, read from its
        weights (see :mod:`turing_tx.constructions.bhattamishra_proof`); a counterexample's reach is
        counted in machine steps. An RNN has none of a transformer's lemmas: UsageError."""
        if network is not None and not isinstance(network, Model):
            raise UsageError(f"{self.construction} proves a transformer; a {type(network).__name__} has none of "
                             "its obligations")
        from turing_tx.constructions.bhattamishra_proof import (  # imports this module
            in_machine_steps,
            rnn_transformer_obligations,
        )

        return in_machine_steps(rnn_transformer_obligations(network or self.model, self.rnn),
                                self.configuration_of_tick)

    def ticks_for(self, steps: int) -> int:
        """Decoder steps (= RNN ticks) that complete ``steps`` TM steps."""
        return self.ss.ticks_for(steps)

    def configuration_of_tick(self, tick: int) -> int:
        """The TM configuration decoder step (= RNN tick) ``tick`` belongs to."""
        return self.ss.configuration_of_tick(tick)

    def describe(self) -> dict[str, Any]:
        model = self.model
        return {
            "construction": self.construction,
            "theorem": self.theorem,
            "d": model.width,
            "d_h": self.rnn.size,
            "input_alphabet": len(self.rnn.inputs),
            "encoder_layers": len(model.encoder),
            "decoder_layers": len(model.decoder),
            "heads": sum(1 for _ in model.heads()),
            "ffn_hidden": {layer.ffn.name: len(layer.ffn.hidden) for layer in model.layers()},
            "ticks_per_step": siegelmann_sontag.TICKS_PER_STEP,
            "paper_formula": "d = (2k+1)|Q| + 5k + 17",
            "paper_width": self.paper_width,
            "extension": self.extension,
            "encoder_tokens": len(self.tokens),
        }

    def states(self, ticks: int | None = None, *, backend: str = DEFAULT_BACKEND, model: Model | None = None,
               check: bool = True, track_bits: bool = False) -> Iterator[State]:
        """h_1, h_2, … decoded from the transformer (or ``model``, an edited copy) on this machine's
        input; ``check`` as for :func:`decode_hidden`. With ``track_bits`` (exact backends),
        ``max_bits`` follows the largest numerator or denominator bit length the run has seen."""
        if model is not None and not isinstance(model, Model):
            raise UsageError(f"{self.construction} runs a transformer; a {type(model).__name__} cannot replace it")
        interpreter = Interpreter(model or self.model, backend, track_bits=track_bits)
        self.max_bits = 0 if track_bits else None
        return self._decoded(interpreter, ticks, check)

    def _decoded(self, interpreter: Interpreter, ticks: int | None, check: bool) -> Iterator[State]:
        for step in interpreter.run(self.tokens, ticks):
            if interpreter.bits is not None:
                self.max_bits = interpreter.bits.bits
            yield decode_hidden(step, check=check)

    def trace(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
              model: Model | None = None, track_bits: bool = False) -> Iterator[Step]:
        """The machine's steps read from the transformer's outputs: each o_t must be h_t and nothing
        else (the decoder invariant), and the h_t are read by the Siegelmann–Sontag decoder, which
        takes every field of a step from the network. Nothing is compared with the compiled RNN here:
        a transformer verifies when it simulates the machine, whichever RNN it was built from."""
        check_step_limit(max_steps)
        ticks = None if max_steps is None else self.ss.ticks_for(max_steps)
        states = self.states(ticks, backend=backend, model=model, track_bits=track_bits)
        return self.ss.steps_from_states(states, max_steps)

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Unchecked decoding of every tick (as the ablation protocol reads it: a tick diverges when its
        h_t differs from the RNN's, whatever else the output holds), the first divergent tick, and the
        raw outputs."""
        ticks = self.ss.ticks_for(steps)
        interpreter = Interpreter(model or self.model, backend)
        to_fraction = interpreter.backend.to_fraction
        reference = self.rnn.run(self.rnn_word, ticks)
        outputs: list[tuple[Fraction, ...]] = []
        observation = Observation([])

        def hidden() -> Iterator[State]:
            run = interpreter.run(self.tokens, ticks)
            for tick, (step, expected) in enumerate(zip(run, reference, strict=False), start=1):
                outputs.append(tuple(to_fraction(v) for v in step.output))
                h = decode_hidden(step, check=False)
                if observation.first_divergence_tick is None and h != expected:
                    observation.first_divergence_tick = tick
                yield h

        states = hidden()
        try:
            for step in self.ss.steps_from_states(states, steps):
                observation.steps.append(step)
        except DecodingError as exc:
            observation.error = str(exc)
            observation.error_configuration = self.configuration_of_tick(len(outputs))
        for _ in states:  # finish the run: the divergence tick and the outputs cover every tick
            pass
        observation.record_outputs(outputs)
        return observation

    def output_bound(self, component: str) -> OutputBound | None:
        """Without the decoder–encoder residual, the decoder output is a function of the
        cross-attention value alone, an average of a non-empty subset of the N encoder positions:
        at most 2^N − 1 distinct outputs however long the run. No other component has a bound."""
        if component != f"{DEC_CROSS}.residual":
            return None
        n = len(self.tokens)
        limit = 2 ** n - 1
        return OutputBound(limit, f"2^{n} - 1 = {limit}")

    def run_permuted(self, model: Model | None, positions: int, backend: str) -> PermutationRun:
        """The transformer on the RNN input and on its reversal, and the RNN (the computation the
        transformer simulates) on both: without positional information the outputs coincide
        although the RNN's states differ."""
        model = model or self.model
        reversed_word = self.rnn_word[::-1]
        permuted = tokens(reversed_word, self.theorem)
        same = decoder_outputs(model, self.tokens, positions, backend) == \
            decoder_outputs(model, permuted, positions, backend)
        differ = list(self.rnn.run(self.rnn_word, positions)) != list(self.rnn.run(reversed_word, positions))
        return PermutationRun(tuple(self.tokens), tuple(permuted), same, differ, "the RNN's states")

    def attention_run(self, max_steps: int) -> AttentionRun:
        """Decoder positions 0..``max_steps`` on the encoder tokens (position p reproduces RNN tick
        p + 1), undecoded: the run does not stop at the halt."""
        run = Interpreter(self.model, record_attention=True).run(self.tokens, max_steps + 1)
        return AttentionRun(self.model, tuple(run), len(self.tokens))


@dataclass(frozen=True)
class BhattamishraConstruction(ShippedClaims):
    """A TM-level construction: TM → Siegelmann–Sontag RNN → Theorem 1 or 2 transformer."""

    name: str
    theorem: Theorem
    paper: str = PAPER

    def compile(self, machine: TuringMachine, word: tuple[int, ...] = (), **options: Any) -> BhattamishraCompiled:
        """Compile ``machine`` on ``word``; ``options`` select an alternative form."""
        return BhattamishraCompiled(self.name, machine, tuple(word), self.theorem, options)

    # -- the RNN-level interface (turing_tx.constructions.protocol.RNNConstruction) -------------------------
    def compile_rnn(self, rnn: RNN, **options: Any) -> Model:
        """This theorem's transformer for a user's own RNN."""
        return compile_rnn_transformer(rnn, self.theorem, **options)

    def rnn_tokens(self, rnn_word: Sequence[str]) -> list[str]:
        return tokens(rnn_word, self.theorem)

    def decode_hidden(self, step: DecoderStep) -> State:
        return decode_hidden(step)

    def rnn_obligations(self, model: Model, rnn: RNN) -> list[Obligation]:
        """The obligations that ``model`` simulates ``rnn`` at every tick, for every input word
        (:mod:`turing_tx.constructions.bhattamishra_proof`; counterexamples reach in ticks)."""
        from turing_tx.constructions.bhattamishra_proof import rnn_transformer_obligations

        return rnn_transformer_obligations(model, rnn)


BHATTAMISHRA_PE = BhattamishraConstruction("bhattamishra-pe", 1, PAPER + ", Theorem 1")
BHATTAMISHRA_MASK = BhattamishraConstruction("bhattamishra-mask", 2, PAPER + ", Theorem 2")


# -- claims (the paper's Fig. 2) ------------------------------------------------------------------

def rebuild_without(rnn: RNN, theorem: Theorem, component: str) -> Model | None:
    """The model compiled not to use ``component`` (the "rebuilt" run of the ablation protocol), or None
    if the claim (``claims/bhattamishra-pe.yaml``, ``claims/bhattamishra-mask.yaml``) is that none
    exists."""
    construction = BHATTAMISHRA_PE if theorem == 1 else BHATTAMISHRA_MASK
    claim = construction.claims()["components"].get(component)
    if claim is None:
        raise UsageError(f"no claim about {component!r} for Theorem {theorem}")
    rebuild = claim.get("rebuild")
    return None if rebuild is None else compile_rnn_transformer(rnn, theorem, **rebuild)
