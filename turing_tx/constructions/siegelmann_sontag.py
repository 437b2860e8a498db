"""Siegelmann & Sontag (1995): Turing machine → two-stack machine → rational σ-RNN.

Documented in ``docs/constructions/siegelmann-sontag.md``. The tape is two stacks, L (cells left of
the head, top = head−1) and R (the head cell and everything right of it), each a rational in base
B = 2k with odd digits: δ[a_1..a_ℓ] = Σ (2a_i+1)/B^i. The network

    h_t = σ(W_h h_{t−1} + W_x x_t + b),   σ(x) = min(max(x, 0), 1)

runs a three-group pipeline, G0 (state, stacks) → G1 (case detection, stack tops) → G2 (gated pushes
and pops) → G0, so one TM step takes **3 ticks**. A loader reads the input w_1..w_n ``$`` one symbol
per tick and places the initial configuration in G0 at **tick n+2** (``first_step_tick``); TM step s
is complete at tick n+2+3s. After the halting step the wave sits in the halting unit and the
configuration is frozen. Unit names are those of the docs' "The hidden units" (``s:A``, ``C:A:0``,
``thR:1``, ``gLL``, ``ld:J``, …); control units are named by the states' and halt names' display
names, which a machine keeps distinct.

**Extension (one halting unit per halt name).** The base construction has one halting unit ``s:Z``.
A machine with several halt names (a recognizer's ``accept`` and ``reject``) gets a control unit
``s:<halt>`` for each, each with its own freeze chain ``H1:<halt>`` (G1) → ``H2:<halt>`` (G2) →
``s:<halt>``, so the verdict is held by the network, not looked up in the table: 3 units per halt
name, d_h = (2k+1)|Q| + 4k + 11 + 3|H|, the base width when |H| = 1.

**Extension (blank cells in the input).** The loader's input alphabet is {1..k−1, ``$``}, but the
bbchallenge format allows blanks inside a word (BB(2) on ``101``). When, and only when, the word
contains a 0, the input symbol ``"0"`` and the loader unit ``ld:T:0`` (digit 2·0+1 = 1) are added, so
d_h is one more.

Decoding (:meth:`SSCompiledMachine.steps_from_states`) reads hidden states tick by tick from any
source (this RNN, a transformer simulating it, or a network given by a user), asserts the pipeline
invariant, and yields the machine's :class:`~turing_tx.machines.simulator.Step` events. Every field comes from
the network: the control state (or halt name) from the ``s:`` units, the symbol read from the case
units, both stacks at every step boundary, the move and the written symbol from how the stacks
changed (a push on L for a right move, a pop for a left one), the head from those moves, and the
tape from the stacks around it. The machine's table is never consulted: a network of another
machine decodes into *that* machine's steps, which the lockstep check then rejects. Anything
undecodable raises :class:`~turing_tx.errors.DecodingError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from turing_tx.constructions.protocol import CompiledMachine, Observation, ShippedClaims
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND, get_backend
from turing_tx.errors import DecodingError, UsageError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step, check_step_limit
from turing_tx.rnn.network import RNN, State

if TYPE_CHECKING:  # the prover (and sympy) is loaded only when obligations are asked for
    from turing_tx.engine.proofs.obligations import Obligation

NAME = "siegelmann-sontag"
PAPER = ("Siegelmann & Sontag (1995), On the computational power of neural nets, "
         "J. Computer and System Sciences 50(1)")
END = "$"
TICKS_PER_STEP = 3


# --------------------------------------------------------------------------------------------------
# Affine forms: the argument of σ for one unit, in terms of the previous tick's units and the input


@dataclass(frozen=True)
class Affine:
    """Σ w·unit(t−1) + Σ v·x:symbol(t) + c, the pre-activation of one unit (zero terms dropped)."""

    units: Mapping[str, Fraction] = field(default_factory=dict)
    inputs: Mapping[str, Fraction] = field(default_factory=dict)
    const: Fraction = Fraction(0)

    def __add__(self, other: Affine | int | Fraction) -> Affine:
        if not isinstance(other, Affine):
            return Affine(self.units, self.inputs, self.const + other)
        return Affine(_merge(self.units, other.units), _merge(self.inputs, other.inputs),
                      self.const + other.const)

    __radd__ = __add__

    def __mul__(self, scale: int | Fraction) -> Affine:
        return Affine({u: w * scale for u, w in self.units.items() if w * scale},
                      {a: w * scale for a, w in self.inputs.items() if w * scale}, self.const * scale)

    __rmul__ = __mul__

    def __neg__(self) -> Affine:
        return self * -1

    def __sub__(self, other: Affine | int | Fraction) -> Affine:
        return self + -other


def _merge(left: Mapping[str, Fraction], right: Mapping[str, Fraction]) -> dict[str, Fraction]:
    merged = dict(left)
    for name, weight in right.items():
        merged[name] = merged.get(name, Fraction(0)) + weight
    return {name: weight for name, weight in merged.items() if weight}


def u(name: str) -> Affine:
    """The previous tick's value of unit ``name``."""
    return Affine({name: Fraction(1)})


def x(symbol: str) -> Affine:
    """The current one-hot input coordinate x:symbol."""
    return Affine(inputs={symbol: Fraction(1)})


def total(forms: Iterable[Affine]) -> Affine:
    return sum(forms, Affine())


# --------------------------------------------------------------------------------------------------
# Unit names (docs/constructions/siegelmann-sontag.md, "The hidden units")


@dataclass(frozen=True)
class Layout:
    """The unit names of one compiled machine, grouped G0 / G1 / G2 / loader."""

    machine: TuringMachine
    blank_input: bool

    @property
    def k(self) -> int:
        return self.machine.num_symbols

    @property
    def base(self) -> int:
        return 2 * self.k

    def s(self, q: int) -> str:
        """The control unit of state q."""
        return f"s:{self.machine.states[q]}"

    @staticmethod
    def halt_unit(halt: str) -> str:
        """The control unit of halt name ``halt`` (one per halt name; see the module docstring)."""
        return f"s:{halt}"

    def target(self, q: int, a: int) -> str:
        """The control unit that case (q, a) leads to: the next state's, or the halt name's."""
        entry = self.machine.entry(q, a)
        return self.halt_unit(entry.halt) if entry.halts else self.s(entry.next_state)  # type: ignore[arg-type]

    def c(self, q: int, a: int, group: int = 1) -> str:
        return f"{'C' if group == 1 else 'C2'}:{self.machine.states[q]}:{a}"

    @property
    def thresholds(self) -> range:
        return range(1, self.k)

    @property
    def loader_digits(self) -> tuple[int, ...]:
        """Symbols the loader reads: 1..k−1, and 0 only for words with blank cells (the extension)."""
        return ((0,) if self.blank_input else ()) + tuple(range(1, self.k))

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(str(a) for a in self.loader_digits) + (END,)

    @property
    def halts(self) -> tuple[str, ...]:
        return self.machine.halts

    @property
    def g0(self) -> tuple[str, ...]:
        return (tuple(self.s(q) for q in range(self.machine.num_states))
                + tuple(map(self.halt_unit, self.halts)) + ("L", "R"))

    @property
    def g1(self) -> tuple[str, ...]:
        cases = tuple(self.c(q, a) for q in range(self.machine.num_states) for a in range(self.k))
        reads = tuple(f"th{side}:{j}" for side in "RL" for j in self.thresholds)
        return cases + reads + ("L1", "R1") + tuple(f"H1:{h}" for h in self.halts)

    @property
    def g2(self) -> tuple[str, ...]:
        cases = tuple(self.c(q, a, 2) for q in range(self.machine.num_states) for a in range(self.k))
        return cases + ("gLR", "gLL", "gRR", "gRL") + tuple(f"aL:{j}" for j in self.thresholds) + (
            "gLH", "gRH") + tuple(f"H2:{h}" for h in self.halts)

    @property
    def loader(self) -> tuple[str, ...]:
        return ("ld:P",) + tuple(f"ld:T:{a}" for a in self.loader_digits) + ("ld:acc", "ld:S", "ld:F", "ld:J")

    @property
    def units(self) -> tuple[str, ...]:
        return self.g0 + self.g1 + self.g2 + self.loader


def spec_width(machine: TuringMachine) -> int:
    """d_h = (2k+1)|Q| + 4k + 14, the base width: one halt name and a word without blanks."""
    k, states = machine.num_symbols, machine.num_states
    return (2 * k + 1) * states + 4 * k + 14


def halt_extension(machine: TuringMachine) -> int:
    """Units beyond the base width for the extra halt names: 3 per name after the first."""
    return 3 * (len(machine.halts) - 1)


# --------------------------------------------------------------------------------------------------
# The update equations (docs/constructions/siegelmann-sontag.md, "What each group computes")


def _cases(layout: Layout) -> Iterator[tuple[int, int]]:
    for q in range(layout.machine.num_states):
        for a in range(layout.k):
            yield q, a


def _case_indicator(layout: Layout, q: int, a: int, group: int) -> Affine:
    """E:q:a = C:q:a − C:q:(a+1) (with C:q:k ≡ 0): [state q ∧ head symbol a], in G1 or G2 units."""
    form = u(layout.c(q, a, group))
    return form - u(layout.c(q, a + 1, group)) if a + 1 < layout.k else form


def g1_equations(layout: Layout) -> dict[str, Affine]:
    """G1 from G0: big-M case units, stack thresholds, copies of L, R and the halt flag."""
    B, eqs = layout.base, {}
    for q, a in _cases(layout):
        eqs[layout.c(q, a)] = u(layout.s(q)) if a == 0 else B * u("R") + B * u(layout.s(q)) - (2 * a + B)
    for side in "RL":
        for j in layout.thresholds:
            eqs[f"th{side}:{j}"] = B * u(side) - 2 * j
    eqs.update({"L1": u("L"), "R1": u("R")})
    eqs.update({f"H1:{h}": u(layout.halt_unit(h)) for h in layout.halts})
    return {name: eqs[name] for name in layout.g1}


def g2_equations(layout: Layout) -> dict[str, Affine]:
    """G2 from G1: case copies and the gated pushes/pops σ(v + g − 1) = g·v."""
    B, machine = layout.base, layout.machine
    moves = {d: total(_case_indicator(layout, q, a, 1) for q, a in _cases(layout)
                      if machine.entry(q, a).move == d) for d in "LR"}
    pop = {side: B * u(f"{side}1") - 2 * total(u(f"th{side}:{j}") for j in layout.thresholds) - 1
           for side in "LR"}
    eqs = {layout.c(q, a, 2): u(layout.c(q, a)) for q, a in _cases(layout)}
    eqs["gLR"] = Fraction(1, B) * u("L1") + moves["R"] - 1
    eqs["gLL"] = pop["L"] + moves["L"] - 1
    eqs["gRR"] = pop["R"] + moves["R"] - 1
    eqs["gRL"] = Fraction(1, B * B) * pop["R"] + moves["L"] - 1
    for j in layout.thresholds:
        eqs[f"aL:{j}"] = u(f"thL:{j}") + moves["L"] - 1
    halted = total(u(f"H1:{h}") for h in layout.halts)
    eqs["gLH"] = u("L1") + halted - 1
    eqs["gRH"] = u("R1") + halted - 1
    eqs.update({f"H2:{h}": u(f"H1:{h}") for h in layout.halts})
    return eqs


def g0_equations(layout: Layout) -> dict[str, Affine]:
    """G0 from G2 and the loader: next control unit, and the new stacks as sums of gated terms."""
    B, machine = layout.base, layout.machine
    eqs = {name: Affine() for name in layout.g0}
    eqs[layout.s(0)] += u("ld:F")
    for h in layout.halts:
        eqs[layout.halt_unit(h)] += u(f"H2:{h}")
    eqs["L"] = u("gLR") + u("gLL") + u("gLH")
    eqs["R"] = (u("gRR") + u("gRL") + u("gRH") + Fraction(2, B) * total(u(f"aL:{j}") for j in layout.thresholds)
                + u("ld:J"))
    for q, a in _cases(layout):
        entry, case = machine.entry(q, a), _case_indicator(layout, q, a, 2)
        eqs[layout.target(q, a)] += case
        if entry.move == "R":
            eqs["L"] += Fraction(2 * entry.write + 1, B) * case
        else:
            eqs["R"] += (Fraction(2 * entry.write + 1, B * B) + Fraction(1, B)) * case
    return eqs


def loader_equations(layout: Layout) -> dict[str, Affine]:
    """The loader: R_0 = δ[w_1..w_n] built digit by digit at scale ld:P, released with the first $."""
    B = layout.base
    digits = total(u(f"ld:T:{a}") for a in layout.loader_digits)
    eqs = {"ld:P": Fraction(1, B) * u("ld:P") - x(END)}
    for a in layout.loader_digits:
        eqs[f"ld:T:{a}"] = (2 * a + 1) * u("ld:P") + x(str(a)) - 1
    eqs["ld:acc"] = u("ld:acc") + digits - x(END)
    eqs["ld:S"] = x(END)
    eqs["ld:F"] = x(END) - u("ld:S")
    eqs["ld:J"] = u("ld:acc") + digits + x(END) - u("ld:S") - 1
    return eqs


def compile_rnn(machine: TuringMachine, word: Sequence[int] = ()) -> RNN:
    """The σ-RNN simulating ``machine`` on ``word`` (feed it :func:`rnn_input`)."""
    word = machine.parse_word(tuple(word))
    layout = Layout(machine, blank_input=0 in word)
    equations = {**g0_equations(layout), **g1_equations(layout), **g2_equations(layout),
                 **loader_equations(layout)}
    assert tuple(sorted(equations)) == tuple(sorted(layout.units)), "every unit has one equation"
    expected = spec_width(machine) + halt_extension(machine) + layout.blank_input
    assert len(layout.units) == expected, f"width {len(layout.units)} != formula {expected}"
    units = layout.units
    return RNN(
        units=units,
        inputs=layout.inputs,
        w_h={name: dict(equations[name].units) for name in units if equations[name].units},
        w_x={name: dict(equations[name].inputs) for name in units if equations[name].inputs},
        bias={name: equations[name].const for name in units if equations[name].const},
        h0={"ld:P": Fraction(1, layout.base)},
        name=f"{NAME}:{machine.name}" if machine.name else NAME,
        metadata={"construction": NAME, "machine": machine.name, "symbols": list(machine.symbols),
                  "states": list(machine.states), "word": list(word), "base": layout.base,
                  "ticks_per_step": TICKS_PER_STEP, "first_step_tick": len(word) + 2},
    )


def rnn_input(machine: TuringMachine, word: Sequence[int] = ()) -> list[str]:
    """The RNN's input stream w_1..w_n ``$`` (symbols named by their digit; ``$`` repeats forever)."""
    return [str(a) for a in machine.parse_word(tuple(word))] + [END]


# --------------------------------------------------------------------------------------------------
# Decoding (docs/constructions/siegelmann-sontag.md, "How the decoder reads the network")


@dataclass(frozen=True)
class Configuration:
    """A decoded step boundary: control state (None = halted, as ``halt``), head, and the two stacks,
    top first."""

    state: int | None
    halt: str | None
    head: int
    left: tuple[int, ...]
    right: tuple[int, ...]

    def tape(self) -> dict[int, int]:
        """Non-blank cells: head+i ↦ R[i], head−1−i ↦ L[i]."""
        cells = {self.head + i: a for i, a in enumerate(self.right) if a}
        cells.update({self.head - 1 - i: a for i, a in enumerate(self.left) if a})
        return cells


def stack_move(before: Configuration, after: Configuration) -> tuple[Literal["L", "R"], int]:
    """(move, symbol written) that turns ``before``'s stacks into ``after``'s, read off the stacks.

    A right move pushes the written symbol on L and pops the head cell off R; a left move pops L's
    top (the new head cell, blank if L was empty) and pushes it with the written symbol on R in
    place of the old head cell. The two cases change L's length by +1 and −1 (or 0 on an empty L),
    so at most one applies; stacks that changed in any other way are no step of a Turing machine.
    """
    left, right = before.left, before.right
    if after.left[1:] == left and len(after.left) == len(left) + 1 and after.right == right[1:]:
        return "R", after.left[0]
    uncovered = left[0] if left else 0
    if after.left == left[1:] and after.right[:1] == (uncovered,) and after.right[2:] == right[1:] \
            and len(after.right) == len(right[1:]) + 2:
        return "L", after.right[1]
    raise DecodingError(f"the stacks changed in a way no single move explains: L {_digits(left)} → "
                        f"{_digits(after.left)}, R {_digits(right)} → {_digits(after.right)}")


def _digits(stack: tuple[int, ...]) -> str:
    return "[" + " ".join(map(str, stack)) + "]"


def stack_symbols(value: Fraction | float, base: int, limit: int) -> tuple[int, ...]:
    """The symbols a_1.. (top first) of the stack value δ[a_1..]; DecodingError if not such a value.

    ``value`` may be any rational or float type ``Fraction`` accepts (int, gmpy2 mpq, float).
    """
    exact = Fraction(value)
    if not 0 <= exact < 1:
        raise DecodingError(f"stack value {exact} is outside [0, 1)")
    symbols, rest = [], exact
    while rest:
        if len(symbols) == limit:
            raise DecodingError(f"stack value {exact} has more than {limit} base-{base} digits")
        digit = int(rest * base)
        if digit % 2 == 0:
            raise DecodingError(f"stack value {exact} has the even base-{base} digit {digit}")
        symbols.append((digit - 1) // 2)
        rest = rest * base - digit
    return tuple(symbols)


class SSCompiledMachine(CompiledMachine):
    """A machine compiled to a Siegelmann–Sontag σ-RNN, with its tick schedule and decoder.

    ``first_step_tick`` = n + 2: the tick at which G0 holds the initial configuration (ticks 1..n
    read the word, tick n+1 the first ``$``). Step s is complete at ``first_step_tick + 3s``.
    """

    construction = NAME
    ticks_per_step = TICKS_PER_STEP

    def __init__(self, machine: TuringMachine, word: Sequence[int] = ()) -> None:
        self.machine = machine
        self.word = machine.parse_word(tuple(word))
        self.rnn = compile_rnn(machine, self.word)
        self.layout = Layout(machine, blank_input=0 in self.word)
        self.first_step_tick = len(self.word) + 2
        self.max_bits = None

    @property
    def network(self) -> RNN:
        return self.rnn

    def ticks_for(self, steps: int) -> int:
        """Ticks needed to complete ``steps`` TM steps: n + 2 + 3·steps."""
        return self.first_step_tick + TICKS_PER_STEP * steps

    def configuration_of_tick(self, tick: int) -> int:
        """The configuration ``tick`` belongs to (configuration s completes at n+2+3s)."""
        return max(0, -(-(tick - self.first_step_tick) // TICKS_PER_STEP))

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """The RNN run in ``backend`` (precision ablations; an RNN has no transformer parts to remove):
        decoded steps until the first decoding failure, and the distinct hidden states."""
        if model is not None:
            raise UsageError(f"{NAME} is an RNN: only precision ablations apply")
        states = list(self.states(self.ticks_for(steps), backend=backend))
        observation = Observation([])
        consumed = 0

        def counted() -> Iterator[State]:
            nonlocal consumed
            for h in states:
                consumed += 1
                yield h

        try:
            for step in self.steps_from_states(counted(), steps):
                observation.steps.append(step)
        except DecodingError as exc:
            observation.error, observation.error_configuration = str(exc), self.configuration_of_tick(consumed)
        observation.record_outputs([tuple(h[u] for u in self.rnn.units) for h in states])
        return observation

    def describe(self) -> dict[str, Any]:
        k, states = self.machine.num_symbols, self.machine.num_states
        return {
            "construction": NAME,
            "hidden_units": self.dimension,
            "formula": f"d_h = (2k+1)|Q| + 4k + 14 = {2 * k + 1}·{states} + {4 * k} + 14 = "
                       f"{spec_width(self.machine)}",
            "extension": "; ".join(self._extensions()) or None,
            "groups": {"G0": len(self.layout.g0), "G1": len(self.layout.g1), "G2": len(self.layout.g2),
                       "loader": len(self.layout.loader)},
            "base": self.layout.base,
            "inputs": list(self.rnn.inputs),
            "ticks_per_step": TICKS_PER_STEP,
            "first_step_tick": self.first_step_tick,
            "ticks_for_run": f"n + 2 + 3T = {self.first_step_tick} + 3T for T steps",
        }

    def _extensions(self) -> list[str]:
        """Units beyond the base width, each with its reason (see the module docstring)."""
        extensions = []
        if halts := halt_extension(self.machine):
            extensions.append(f"+{halts} units s:/H1:/H2: for {len(self.machine.halts)} halt names")
        if self.layout.blank_input:
            extensions.append("+1 unit ld:T:0 for blank input cells")
        return extensions

    def obligations(self, network: Model | RNN | None = None) -> list[Obligation]:
        """The base case (the loader on this word), the lemmas of the three ticks of a step for every
        configuration and stack content, and the induction composing them, read from ``network``'s
        weights (None: the compiled RNN); see :mod:`turing_tx.constructions.siegelmann_sontag_proof`."""
        if isinstance(network, Model):
            raise UsageError(f"{NAME} is an RNN: a transformer model has none of its obligations")
        from turing_tx.constructions.siegelmann_sontag_proof import rnn_obligations  # imports this module

        return rnn_obligations(self, network or self.rnn)

    # -- decoding ------------------------------------------------------------------------------

    def decode_configuration(self, h: Mapping[str, Fraction], head: int = 0, steps: int = 0) -> Configuration:
        """The configuration held by G0 at a step boundary: the one control unit (state or halt
        name) equal to 1 and both stacks (``steps`` bounds their lengths); ``head`` is where the
        decoded moves have put the head."""
        controls: list[tuple[int | None, str | None, str]] = [
            *((q, None, self.layout.s(q)) for q in range(self.machine.num_states)),
            *((None, halt, self.layout.halt_unit(halt)) for halt in self.layout.halts)]
        on = [(q, halt) for q, halt, unit in controls if h.get(unit, 0) == 1]
        stray = [unit for _, _, unit in controls if h.get(unit, 0) not in (0, 1)]
        if len(on) != 1 or stray:
            shown = ", ".join(f"{unit}={h[unit]}" for _, _, unit in controls if h.get(unit, 0))
            raise DecodingError(f"no unique control unit equal to 1 ({shown or 'all zero'})")
        limit = len(self.word) + 2 * steps + 2
        left = stack_symbols(h.get("L", 0), self.layout.base, limit)
        right = stack_symbols(h.get("R", 0), self.layout.base, limit)
        (state, halt), = on
        return Configuration(state, halt, head, left, right)

    def decode_case(self, h: Mapping[str, Fraction], state: int) -> int:
        """The symbol read, from the G2 case units of ``state``: the largest a with C2:q:a = 1."""
        for q in range(self.machine.num_states):
            values = [h.get(self.layout.c(q, a, 2), 0) for a in range(self.layout.k)]
            if q != state and any(values):
                raise DecodingError(f"case units of state {self.machine.states[q]} are active, "
                                    f"but the state is {self.machine.states[state]}")
        values = [h.get(self.layout.c(state, a, 2), 0) for a in range(self.layout.k)]
        ones = sum(1 for value in values if value == 1)
        if values != [1] * ones + [0] * (self.layout.k - ones) or not ones:
            shown = " ".join(str(value) for value in values)
            raise DecodingError(f"case units C2:{self.machine.states[state]}:* = {shown} "
                                "are not 1…1 0…0")
        return ones - 1

    def check_pipeline(self, h: Mapping[str, Fraction], tick: int) -> None:
        """Pipeline invariant: only the group due at ``tick`` (G0, G1, G2 in turn) may be non-zero."""
        groups = (self.layout.g0, self.layout.g1, self.layout.g2)
        due = (tick - self.first_step_tick) % TICKS_PER_STEP if tick >= self.first_step_tick else None
        for index, units in enumerate(groups):
            if index == due:
                continue
            busy = next((name for name in units if h.get(name, 0)), None)
            if busy is not None:
                expected = f"G{due}" if due is not None else "the loader"
                raise DecodingError(f"pipeline invariant violated: {busy} = {h[busy]} (G{index}) while "
                                    f"{expected} is due")

    def decode_run(self, states: Iterable[Mapping[str, Fraction]],
                   max_steps: int | None = None) -> Iterator[tuple[Step, Configuration]]:
        """Each TM step with the configuration after it, from hidden states h_1, h_2, …."""
        check_step_limit(max_steps)
        if max_steps == 0:
            return
        config: Configuration | None = None
        read = number = 0
        for tick, h in enumerate(states, start=1):
            try:
                self.check_pipeline(h, tick)
                phase = (tick - self.first_step_tick) % TICKS_PER_STEP
                if tick < self.first_step_tick:
                    continue
                if config is None:
                    config = self.decode_configuration(h)
                    if config.state is None:
                        raise DecodingError("the initial configuration is already halted")
                elif phase == 2:
                    read = self.decode_case(h, config.state)  # type: ignore[arg-type]
                elif phase == 0:
                    number += 1
                    step, config = self.decode_step(number, config, read, h)
                    yield step, config
                    if step.halted or number == max_steps:
                        return
            except DecodingError as exc:
                raise DecodingError(f"tick {tick}: {exc}") from None

    def decode_step(self, number: int, before: Configuration, read: int,
                    h: Mapping[str, Fraction]) -> tuple[Step, Configuration]:
        """Step ``number`` from ``before`` (reading ``read``, from the case units) to the
        configuration G0 holds in ``h``: the move and the written symbol from how the stacks
        changed, the new head from the move, the next state or halt name from the control units."""
        state = before.state
        assert state is not None, "no step is decoded after the halting one"
        stacks = self.decode_configuration(h, before.head, number)
        move, written = stack_move(before, stacks)
        after = replace(stacks, head=before.head + (1 if move == "R" else -1))
        step = Step(number, state, before.head, read, written, move, after.state, after.halt, tape=after.tape())
        return step, after

    def steps_from_states(self, states: Iterable[Mapping[str, Fraction]],
                          max_steps: int | None = None) -> Iterator[Step]:
        """The TM steps decoded from hidden states h_1, h_2, … of this RNN, from any source.

        Stops after the halting step or ``max_steps`` steps, whichever is first, and reads no
        further states. Raises DecodingError when a pipeline invariant is violated, no unique state
        unit is 1, a stack digit is even or a stack value lies outside [0, 1).
        """
        check_step_limit(max_steps)
        return (step for step, _ in self.decode_run(states, max_steps))

    # -- running -------------------------------------------------------------------------------

    def states(self, ticks: int | None = None, *, backend: str = DEFAULT_BACKEND,
               rnn: RNN | None = None) -> Iterator[State]:
        """h_1, h_2, … of the RNN (or ``rnn``, an edited copy) on this machine's input.

        Exact backends give identical values, so they all use the reference runner (Fractions).
        Float backends (float64, float32, mpmath:<bits>) run in that arithmetic for precision
        ablations; their values are returned as the exact rationals the floats hold.
        """
        network = rnn or self.rnn
        word = rnn_input(self.machine, self.word)
        return network.run(word, ticks, get_backend(backend))

    def trace(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
              model: Model | RNN | None = None, track_bits: bool = False) -> Iterator[Step]:
        """The machine's steps decoded from the RNN's run (``model``: an RNN replacing the compiled one).

        With ``track_bits`` (exact backends), ``max_bits`` becomes the largest numerator or
        denominator bit length among all hidden values seen.
        """
        check_step_limit(max_steps)
        if model is not None and not isinstance(model, RNN):
            raise UsageError(f"{NAME} runs an RNN; a transformer model cannot replace it")
        ticks = None if max_steps is None else self.ticks_for(max_steps)
        states = self.states(ticks, backend=backend, rnn=model)
        measure = track_bits and get_backend(backend).exact
        self.max_bits = 0 if measure else None
        return self.steps_from_states(self._measured(states) if measure else states, max_steps)

    def _measured(self, states: Iterable[State]) -> Iterator[State]:
        for h in states:
            self.max_bits = max(self.max_bits or 0, *(_bits(value) for value in h.values()))
            yield h


def _bits(value: Fraction) -> int:
    return max(abs(value.numerator).bit_length(), value.denominator.bit_length())


@dataclass(frozen=True)
class SiegelmannSontag(ShippedClaims):
    """The construction object registered under the entry point ``siegelmann-sontag``."""

    name: str = NAME
    paper: str = PAPER

    def compile(self, machine: TuringMachine, word: tuple[int, ...] = ()) -> SSCompiledMachine:
        return SSCompiledMachine(machine, word)


SIEGELMANN_SONTAG = SiegelmannSontag()
