"""The claims tables of the constructions and the verdict rules that compare observations with them.

Each construction ships its table as data (``claims/<name>.yaml`` beside its module, read through its
``claims()`` method); the table says, per component, what its paper claims: ``necessary``, ``necessary*``
(necessary in this construction although the paper's figure pairs it), ``one-of-pair`` or
``not-needed``, with the partner and the rebuild that does without the component. :func:`verdict`
applies these rules (``docs/ablation.md``, "The protocol") to the evidence gathered by the runner:

- necessary: surgery breaks (on the given input, or on the probe input when the given one does not
  exercise the component), and the construction-level checks that apply hold (bounded distinct
  outputs without the decoder–encoder residual; permutation invariance without positional encoding);
- one-of-pair: the rebuild without it is exact and removing the pair breaks (surgery on the residual
  member breaks by design, because its partner is inert in the full model);
- not-needed: the rebuild without it is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from turing_tx.ablation.transforms import AblationError
from turing_tx.constructions.registry import get_construction

KINDS = ("necessary", "necessary*", "one-of-pair", "not-needed")
SURGERY = "surgery"


@dataclass(frozen=True)
class ComponentClaim:
    """One row of the claims table."""

    component: str
    claim: str
    partner: str | None = None
    rebuild: Mapping[str, str] | str | None = None
    paper: str | None = None
    note: str = ""

    @property
    def paper_claim(self) -> str:
        """The claim as the paper states it (Fig. 2), where this construction departs from it."""
        return self.paper or self.claim


@dataclass(frozen=True)
class ConstructionClaims:
    """The claims of one construction, plus its probe input and construction-level checks."""

    construction: str
    source: str
    components: Mapping[str, ComponentClaim]
    probe: str | None = None
    window: str | None = None
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def get(self, component: str) -> ComponentClaim | None:
        return self.components.get(component)


def _parse(construction: str, data: Mapping[str, Any]) -> ConstructionClaims:
    components = {}
    for name, row in (data.get("components") or {}).items():
        if row.get("claim") not in KINDS:
            raise AblationError(f"claims of {construction}: {name}: unknown claim {row.get('claim')!r}")
        components[name] = ComponentClaim(name, row["claim"], row.get("partner"), row.get("rebuild"),
                                          row.get("paper"), row.get("note", ""))
    return ConstructionClaims(construction, data.get("source", ""), components, data.get("probe"),
                              data.get("window"), data.get("checks") or {})


@cache
def claims_for(construction: str) -> ConstructionClaims:
    """The claims of ``construction`` (an empty table for a construction that states none)."""
    source = get_construction(construction)
    if not hasattr(source, "claims"):
        return ConstructionClaims(construction, "no claims recorded", {})
    return _parse(construction, source.claims())


@dataclass
class Evidence:
    """What the runs showed about one component (None: not run)."""

    surgery_breaks: bool | None = None
    probe_breaks: bool | None = None
    rebuild_exact: bool | None = None
    pair_breaks: bool | None = None
    bounded_outputs: bool | None = None
    permutation_invariant: bool | None = None


def verdict(claim: ComponentClaim, evidence: Evidence) -> tuple[bool, str]:
    """Whether ``evidence`` agrees with ``claim``, and the reason in one line."""
    if claim.claim in ("necessary", "necessary*"):
        broke = bool(evidence.surgery_breaks or evidence.probe_breaks)
        reasons = ["surgery breaks" + (" (probe input)" if not evidence.surgery_breaks and broke else "")
                   if broke else "surgery does not break (given and probe input)"]
        agrees = broke
        if evidence.bounded_outputs is not None:
            agrees &= evidence.bounded_outputs
            reasons.append("distinct outputs " + ("bounded" if evidence.bounded_outputs else "NOT bounded"))
        if evidence.permutation_invariant is not None:
            agrees &= evidence.permutation_invariant
            reasons.append("outputs " + ("coincide" if evidence.permutation_invariant else "DIFFER")
                           + " on a word and its permutation")
        return agrees, "; ".join(reasons)
    if claim.claim == "one-of-pair":
        agrees = bool(evidence.rebuild_exact) and bool(evidence.pair_breaks)
        return agrees, (("rebuild exact" if evidence.rebuild_exact else "rebuild NOT exact") + "; "
                        + ("pair removed breaks" if evidence.pair_breaks else "pair removed does NOT break"))
    agrees = bool(evidence.rebuild_exact)
    return agrees, "rebuild without it exact" if agrees else "rebuild without it NOT exact"
