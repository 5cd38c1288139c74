"""A check's confidence explained in one sentence: what drove the number.

The confidence of a check is a calibrated probability that its verdict is right, computed
from the weight of the passages on each side (stance probability x source reliability x
relevance). :func:`explain_confidence` names what moved it: how many independent sources
take the verdict's side and how reliable they are, the sources against it (and dissent of
far less reliable sources set aside), and how few passages bear on the claim at all.

Example:
    explain_confidence(ws.check("IS-K killed 338 civilians in Pakistan since 2017"))
    # -> 'High confidence (86%): 3 independent sources support the claim, 2 of them reliable
    #     (reliability 0.60 or more), and none refutes it.'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from verify.types import CheckResult, EvidenceAssessment

RELIABLE = 0.60        # 'mostly reliable' or better (verify.sources.scales.band) counts as reliable
FEW_PASSAGES = 2       # a verdict resting on this many passages or fewer "rests on little"
HIGH, MODERATE = 0.75, 0.50


@dataclass(frozen=True)
class ConfidenceFactors:
    """The counts the sentence is made from (independent passages: duplicates left out)."""

    verdict: str
    confidence: float
    side: int                 # independent passages on the verdict's side
    side_reliable: int        # ... of them at least RELIABLE
    side_best: float          # the best reliability on the verdict's side (0 if none)
    against: int              # independent passages on the other side (not set aside)
    against_best: float       # the best reliability against (0 if none)
    dissent: int              # passages of far less reliable sources, set aside
    related: int              # independent passages taking any side
    retrieved: int            # passages weighed in all
    learned: bool             # a learned verdict head decided (rule_verdict differs)

    @property
    def level(self) -> str:
        """'High', 'Moderate' or 'Low'."""
        if self.confidence >= HIGH:
            return "High"
        return "Moderate" if self.confidence >= MODERATE else "Low"


def _independent(evidence: tuple[EvidenceAssessment, ...], stance: str) -> list[EvidenceAssessment]:
    """Passages of ``stance`` that repeat no other passage."""
    return [e for e in evidence if e.stance == stance and e.duplicate_of is None]


def confidence_factors(result: CheckResult) -> ConfidenceFactors:
    """Count what drove a check's confidence (see :class:`ConfidenceFactors`)."""
    evidence = tuple(result.evidence)
    sup = _independent(evidence, "supports")
    ref = _independent(evidence, "refutes")
    if result.verdict == "REFUTED":
        side, other = ref, sup
    elif result.verdict == "SUPPORTED":
        side, other = sup, ref
    else:  # CONFLICTING and NOT ENOUGH EVIDENCE: both sides, "side" = support
        side, other = sup, ref
    dissent = [e for e in other if e.dissent]
    against = [e for e in other if not e.dissent]
    return ConfidenceFactors(
        verdict=result.verdict, confidence=float(result.confidence),
        side=len(side), side_reliable=sum(1 for e in side if e.reliability >= RELIABLE),
        side_best=max((e.reliability for e in side), default=0.0),
        against=len(against), against_best=max((e.reliability for e in against), default=0.0),
        dissent=len(dissent), related=len(sup) + len(ref), retrieved=len(evidence),
        learned=result.rule_verdict is not None and result.rule_verdict != result.verdict)


def _n(count: int, word: str) -> str:
    """'1 source', '3 sources'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _sentence(f: ConfidenceFactors) -> str:
    """The sentence for the factors (without the learned-head note)."""
    head = f"{f.level} confidence ({f.confidence:.0%})"
    if f.verdict in ("SUPPORTED", "REFUTED"):
        verb, verb_other = (("support", "refute") if f.verdict == "SUPPORTED"
                            else ("refute", "support"))
        one = f.side == 1
        body = (f"no independent source {verb}s the claim" if not f.side else
                f"{_n(f.side, 'independent source')} {verb}{'s' if one else ''} the claim"
                + (f", {f.side_reliable} of them reliable (reliability {RELIABLE:.2f} or more)"
                   if f.side_reliable and not one else
                   f" (reliability {f.side_best:.2f})" if one else
                   f", none of them reliable (best reliability {f.side_best:.2f})"))
        if f.against:
            body += (f", but {_n(f.against, 'source')} {verb_other}"
                     f"{'s' if f.against == 1 else ''} it (best reliability "
                     f"{f.against_best:.2f}), which lowers it")
        else:
            body += f", and none {verb_other}s it"
        if f.dissent:
            body += (f"; {_n(f.dissent, 'far less reliable source')} that "
                     f"disagree{'s' if f.dissent == 1 else ''} {'was' if f.dissent == 1 else 'were'}"
                     " set aside")
        if f.related <= FEW_PASSAGES:
            body += (f"; it rests on few passages ({f.related} of {f.retrieved} retrieved "
                     "take a side)")
        return f"{head}: {body}."
    if f.verdict == "CONFLICTING":
        return (f"{head}: the sources disagree, {f.side} supporting (best reliability "
                f"{f.side_best:.2f}) and {f.against + f.dissent} refuting (best reliability "
                f"{f.against_best:.2f}), so neither side outweighs the other.")
    # NOT ENOUGH EVIDENCE: how sure it is that the corpus does not settle the claim
    if not f.retrieved:
        return f"{head} that the corpus does not settle the claim: no passage bears on it."
    if not f.related:
        return (f"{head} that the corpus does not settle the claim: none of the "
                f"{_n(f.retrieved, 'passage')} retrieved supports or refutes it.")
    return (f"{head} that the corpus does not settle the claim: only {f.related} of "
            f"{_n(f.retrieved, 'passage')} retrieved take a side, with too little weight "
            "(stance x reliability) for a verdict.")


def explain_confidence(result: CheckResult) -> str:
    """One sentence saying what drove a check's confidence (agreeing reliable sources,
    dissent, sources against, few passages); see the module example."""
    f = confidence_factors(result)
    text = _sentence(f)
    if f.learned:
        text += (f" A verdict head learned from this desk's reviews gave {f.verdict}; the "
                 f"rule alone gave {result.rule_verdict}.")
    return text
