"""Ablations as transformations of a model, each with a stable, parseable name.

An :class:`Ablation` turns a :class:`~turing_tx.engine.model.Model` into another model (and, for precision
ablations, names the float backend to run it with). The interpreter never sees a flag: a removed
head is a head whose value map is zero, a removed residual is a disabled one, and so on. Names are
the papers' component names plus a small grammar, joined by ``+`` for combinations; the forms are
listed, one example each with what it does, in :data:`ABLATION_FORMS` (printed by ``turing-tx
ablate --help``).

:func:`parse_ablation` returns the ablation with its canonical name (sorted parameters, reduced
fractions), so reports and reruns agree byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

from turing_tx.ablation.components import component_graph
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Attention, FeedForward, Head, Layer, Model, Normalizer, Residual
from turing_tx.engine.numbers import get_backend
from turing_tx.engine.patterns import ALL, Pattern
from turing_tx.errors import TuringTxError

#: the forms an ablation name takes: (an example, what it does), as ``turing-tx ablate --help`` shows them
ABLATION_FORMS: tuple[tuple[str, str], ...] = (
    ("dec0.cross_attn.residual", "remove a residual connection (the sublayer passes only its block)"),
    ("enc0.self_attn.head0", "zero a head's output (its value map)"),
    ("dec2.ffn", "remove an FFN (no hidden units, no bias)"),
    ("pos_encoding", "remove the positional encoding"),
    ("pos_masking", "let prefix-masked encoder heads attend everywhere"),
    ("softmax(tau=1/10)", "softmax with temperature τ for every active head"),
    ("X.softmax(tau=1/10)", "the same for the heads of sublayer or head ``X``"),
    ("favor(m=64,seed=0,tau=1)", "Performer FAVOR+ random features for every active dot head"),
    ("X.window=8", "sliding window of 8 keys for the heads of ``X``"),
    ("X.strided(stride=4,w=2)", "window of w keys plus every stride-th earlier key"),
    ("X.bigbird(globals=1,random=1,seed=0,w=4)", "window + leading global keys + seeded random links"),
    ("X.residual.scale=1/2", "Admin-style scaling ω of a residual branch"),
    ("precision=float32", "run with a float backend (float32, float64, mpmath:<bits>)"),
)


class AblationError(TuringTxError):
    """An ablation name does not parse or names no component of the model."""


Transform = Callable[[Model], Model]
PATTERN_PARAMS = {"window": ("w",), "strided": ("stride", "w"), "bigbird": ("globals", "random", "seed", "w")}
FAVOR_DEFAULTS = {"m": 64, "seed": 0}


# -- rebuilding a model part by part ----------------------------------------------------------------

def map_parts(model: Model, *, head: Callable[[Head], Head] | None = None,
              residual: Callable[[Residual], Residual] | None = None,
              ffn: Callable[[FeedForward], FeedForward] | None = None,
              encoder_only: bool = False) -> Model:
    """``model`` with every head, residual and FFN passed through the given functions."""
    keep_head = head or (lambda h: h)
    keep_residual = residual or (lambda r: r)
    keep_ffn = ffn or (lambda f: f)

    def attention(sub: Attention | None) -> Attention | None:
        if sub is None:
            return None
        return replace(sub, heads=tuple(keep_head(h) for h in sub.heads), residual=keep_residual(sub.residual))

    def layer(item: Layer) -> Layer:
        block = keep_ffn(item.ffn)
        return replace(item, self_attn=attention(item.self_attn), cross_attn=attention(item.cross_attn),
                       ffn=replace(block, residual=keep_residual(block.residual)))

    encoder = tuple(layer(item) for item in model.encoder)
    decoder = model.decoder if encoder_only else tuple(layer(item) for item in model.decoder)
    return replace(model, encoder=encoder, decoder=decoder)


def _named(name: str, function: Callable) -> Callable:
    """Apply ``function`` to the part called ``name`` and leave every other part as it is."""
    return lambda part: function(part) if part.name == name else part


def _in_target(target: str) -> Callable[[Head], bool]:
    """Heads addressed by ``target``: a head name or an attention sublayer name."""
    return lambda head: head.name == target or head.name.startswith(target + ".")


def _zero_head(head: Head) -> Head:
    return replace(head, value=LinearMap.zero())


def _remove_ffn(ffn: FeedForward) -> FeedForward:
    return replace(ffn, hidden=(), w1=LinearMap.zero(), b1={}, w2=LinearMap.zero(), b2={})


def _remove(component: str, kind: str) -> Transform:
    if kind == "head":
        return lambda m: map_parts(m, head=_named(component, _zero_head))
    if kind == "residual":
        return lambda m: map_parts(m, residual=_named(component, lambda r: replace(r, enabled=False)))
    if kind == "ffn":
        return lambda m: map_parts(m, ffn=_named(component, _remove_ffn))
    if kind == "positional_encoding":
        return lambda m: replace(m, positional_encoding=None)
    return lambda m: map_parts(m, head=lambda h: replace(h, pattern=ALL) if h.pattern.kind == "causal" else h,
                               encoder_only=True)


# -- the grammar ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One ``+``-separated part of an ablation name, parsed."""

    name: str
    transform: Transform | None = None
    backend: str | None = None
    component: str | None = None


_CALL = re.compile(r"^(?:(?P<target>[\w.:/-]+)\.)?(?P<op>softmax|favor|window|strided|bigbird)"
                   r"(?:\((?P<args>[^()]*)\)|=(?P<value>[^+]+))?$")
_SCALE = re.compile(r"^(?P<target>[\w.:/-]+\.residual)\.scale=(?P<value>[^+]+)$")


#: a rational as an ablation name writes it: p/q, or a decimal whose exponent has at most three digits
#: (``Fraction`` would expand 1e999999999 digit by digit), in at most MAX_NUMBER_CHARS characters
MAX_NUMBER_CHARS = 400
_RATIONAL_TEXT = re.compile(r"[-+]?(?:[0-9]+/[0-9]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?)")


def _fraction(text: str, what: str) -> Fraction:
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS or not _RATIONAL_TEXT.fullmatch(text):
        raise AblationError(f"{what}: {text[:40]!r} is not a rational number (p/q or a decimal, exponent "
                            "at most 999)")
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise AblationError(f"{what}: {text!r} divides by zero") from None


def _integer(text: str, what: str) -> int:
    if not text.strip().isdigit():
        raise AblationError(f"{what}: {text!r} is not a non-negative integer")
    return int(text)


def _arguments(text: str | None, what: str) -> dict[str, str]:
    if not text:
        return {}
    arguments = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            raise AblationError(f"{what}: argument {item!r} is not key=value")
        arguments[key.strip()] = value.strip()
    return arguments


def _heads_of(model: Model, target: str | None, what: str) -> list[Head]:
    heads = [h for h in model.heads() if target is None or _in_target(target)(h)]
    if target is not None and not heads:
        raise AblationError(f"{what}: {target!r} is neither a head nor an attention sublayer of "
                            f"{model.construction}")
    return heads


def _normalizer_term(target: str | None, op: str, args: dict[str, str], label: str) -> Term:
    allowed = {"tau"} if op == "softmax" else {"tau", "m", "seed"}
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise AblationError(f"{label}: unknown argument {unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    tau = _fraction(args.get("tau", "1"), label)
    if tau <= 0:
        raise AblationError(f"{label}: the temperature must be positive")
    prefix = f"{target}." if target else ""
    if op == "softmax":
        normalizer = Normalizer("softmax", tau)
        name = f"{prefix}softmax(tau={tau})"
    else:
        features = _integer(args.get("m", str(FAVOR_DEFAULTS["m"])), label)
        seed = _integer(args.get("seed", str(FAVOR_DEFAULTS["seed"])), label)
        normalizer = Normalizer("favor", tau, features, seed)
        name = f"{prefix}favor(m={features},seed={seed},tau={tau})"

    def transform(model: Model) -> Model:
        chosen = {h.name for h in _heads_of(model, target, name) if not h.is_inert
                  and (op == "softmax" or h.score == "dot")}
        if target is not None and op == "favor" and not chosen:
            raise AblationError(f"{name}: FAVOR+ approximates exp(<q,k>); {target} has no active dot-product head")
        return map_parts(model, head=lambda h: replace(h, normalizer=normalizer) if h.name in chosen else h)

    return Term(name, transform)


def _pattern_term(target: str | None, op: str, args: dict[str, str], value: str | None, label: str) -> Term:
    if target is None:
        raise AblationError(f"{label}: a sparse pattern needs a target, e.g. dec2.self_attn.{op}=8")
    if value is not None:
        if op != "window":
            raise AblationError(f"{label}: write {op}(" + ",".join(f"{k}=…" for k in PATTERN_PARAMS[op]) + ")")
        args = {"w": value}
    params = {key: _integer(args[key], label) for key in PATTERN_PARAMS[op] if key in args}
    missing = [key for key in PATTERN_PARAMS[op] if key not in params and key in ("w", "stride")]
    unknown = sorted(set(args) - set(PATTERN_PARAMS[op]))
    if missing or unknown:
        raise AblationError(f"{label}: {op} takes " + ", ".join(PATTERN_PARAMS[op])
                            + (f" (missing {missing[0]})" if missing else f" (unknown {unknown[0]})"))
    try:
        pattern = Pattern.make(op, **params)
    except TuringTxError as exc:
        raise AblationError(f"{label}: {exc}") from None
    name = f"{target}.window={params['w']}" if op == "window" else f"{target}.{pattern.label()}"

    def transform(model: Model) -> Model:
        _heads_of(model, target, name)
        return map_parts(model, head=lambda h: replace(h, pattern=pattern) if _in_target(target)(h) else h)

    return Term(name, transform)


def _scale_term(target: str, value: str, label: str) -> Term:
    omega = _fraction(value, label)
    name = f"{target}.scale={omega}"

    def transform(model: Model) -> Model:
        if target not in {r.name for r in model.residuals()}:
            raise AblationError(f"{name}: {model.construction} has no residual {target!r}")
        return map_parts(model, residual=_named(target, lambda r: replace(r, scale=omega)))

    return Term(name, transform)


def _precision_term(value: str) -> Term:
    try:
        backend = get_backend(value)
    except TuringTxError as exc:
        raise AblationError(f"precision={value}: {exc}") from None
    if backend.exact:
        raise AblationError(f"precision={value}: an exact backend is not a precision ablation")
    return Term(f"precision={backend.name}", backend=backend.name)


def parse_term(text: str, model: Model) -> Term:
    """One term of an ablation name, checked against ``model``'s components."""
    text = text.strip()
    if text.startswith("precision="):
        return _precision_term(text.partition("=")[2])
    scale = _SCALE.match(text)
    if scale:
        return _scale_term(scale["target"], scale["value"], text)
    call = _CALL.match(text)
    if call:
        op, target = call["op"], call["target"]
        args = _arguments(call["args"], text)
        if op in ("softmax", "favor"):
            if call["value"] is not None:
                raise AblationError(f"{text}: write {op}(tau=…)")
            return _normalizer_term(target, op, args, text)
        return _pattern_term(target, op, args, call["value"], text)
    graph = component_graph(model)
    if text not in graph:
        known = ", ".join(n for n in graph.nodes)
        raise AblationError(f"{text!r} is not a component of {model.construction} (components: {known})")
    return Term(text, _remove(text, graph.nodes[text]["kind"]), component=text)


@dataclass(frozen=True)
class Ablation:
    """A combination of terms: model transformations applied in order, and at most one backend."""

    terms: tuple[Term, ...]

    @property
    def name(self) -> str:
        return "+".join(term.name for term in self.terms) or "none"

    @property
    def backend(self) -> str | None:
        return next((t.backend for t in self.terms if t.backend), None)

    @property
    def components(self) -> tuple[str, ...]:
        """The removed components (empty for pattern, normalizer, scale and precision terms)."""
        return tuple(t.component for t in self.terms if t.component)

    def apply(self, model: Model) -> Model:
        """The ablated model, its ``ablations`` tuple extended with this ablation's name."""
        for term in self.terms:
            if term.transform is not None:
                model = term.transform(model)
        return replace(model, ablations=(*model.ablations, self.name)) if self.terms else model



def parse_ablation(text: str, model: Model) -> Ablation:
    """The ablation called ``text`` (terms joined by ``+``), validated against ``model``."""
    terms = tuple(parse_term(part, model) for part in text.split("+") if part.strip())
    if not terms:
        raise AblationError("empty ablation name")
    if sum(1 for t in terms if t.backend) > 1:
        raise AblationError(f"{text}: at most one precision= term")
    names = [t.name for t in terms]
    if len(set(names)) != len(names):
        raise AblationError(f"{text}: a term is repeated")
    ablation = Ablation(terms)
    ablation.apply(model)  # fail now (unknown target, FAVOR+ on a negabs head) rather than mid-run
    return ablation


def removal(model: Model, *components: str) -> Ablation:
    """The ablation removing ``components`` together (their names joined by ``+``)."""
    return parse_ablation("+".join(components), model)
