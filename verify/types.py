"""Typed results shared across the library."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Stance = Literal["supports", "refutes", "unrelated"]
VerdictLabel = Literal["SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE"]
STANCES: tuple[Stance, ...] = ("supports", "refutes", "unrelated")
VERDICTS: tuple[VerdictLabel, ...] = ("SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE")


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates and tuples to plain JSON values."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return obj.item()
    return obj


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some sources, dates, languages or reliability."""

    domains: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    languages: tuple[str, ...] = ()
    min_reliability: float | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.domains or self.date_from or self.date_to or self.languages
                    or self.min_reliability is not None)


@dataclass(frozen=True)
class PassageRef:
    """A passage with its document and source metadata."""

    passage_id: int
    document_id: int
    passage_order: int
    text: str
    char_start: int
    char_end: int
    title: str | None
    url: str | None
    domain: str | None
    published_date: dt.date | None
    language: str | None


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage with its dense, lexical and fused scores."""

    passage: PassageRef
    rank: int
    dense_score: float | None
    lexical_score: float | None
    fused_score: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Reliability:
    """A source's effective reliability and how it was computed."""

    domain: str
    value: float
    explanation: str
    parts: tuple[tuple[str, float, float], ...] = field(default=())  # (rater, value, weight)
    applied_key: str = ""   # the source key whose rating applied ("" when a prior did)


AlignmentStatus = Literal["match", "mismatch", "different_scope", "unaligned"]
# why a passage counts as refuting (verify.checks.refutation); "" when it does not
RefuteReason = Literal["figure", "negation", "antonym", "model", ""]


@dataclass(frozen=True)
class QuantityAlignment:
    """A claim figure set beside the evidence figure that counts the same thing."""

    claim_text: str                      # surface form in the claim, e.g. "more than 3,000"
    claim_value: float
    claim_unit: str | None               # counted noun or unit: civilians, fighters, %, USD
    claim_span: tuple[int, int]          # char offsets in the claim
    evidence_text: str | None
    evidence_value: float | None
    evidence_unit: str | None
    evidence_span: tuple[int, int] | None  # char offsets in the passage text
    status: AlignmentStatus
    note: str = ""
    same_predicate: bool = True          # False: the same figure said with another verb (a loose match)


@dataclass(frozen=True)
class EvidenceAssessment:
    """One passage weighed for a claim."""

    passage: PassageRef
    rank: int
    stance: Stance                         # final stance after numeric reasoning
    p_supports: float
    p_refutes: float
    p_unrelated: float
    model_stance: Stance                   # the stance model (its views combined), before figures
    reliability: float
    reliability_explanation: str
    relevance: float                       # retrieval relevance in [0, 1]
    weight: float                          # contribution to the verdict
    dense_score: float | None
    lexical_score: float | None
    fused_score: float
    duplicate_of: int | None               # passage_id this one repeats, if any
    alignments: tuple[QuantityAlignment, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()  # char offsets in passage.text matching the claim
    refute_reason: RefuteReason = ""       # why it counts as refuting (verify.checks.refutation)
    stance_note: str = ""                  # the reason for its stance, in words
    dissent: bool = False                  # on the side of far less reliable sources, set aside


@dataclass(frozen=True)
class CheckResult:
    """A verdict on one claim, with the evidence that decided it."""

    check_id: str
    claim: str
    verdict: VerdictLabel
    confidence: float                      # calibrated probability the verdict is right
    reason: str                            # one line a person can read
    support_score: float
    refute_score: float
    evidence: tuple[EvidenceAssessment, ...]
    decisive_passage_ids: tuple[int, ...]
    claim_quantities: tuple[str, ...]
    model_versions: dict[str, str]
    created_at: dt.datetime
    rule_verdict: VerdictLabel | None = None  # the rule's verdict when a learned head decided
    claim_as_given: str | None = None      # the claim before markup noise was removed, if it had any
    language: str = "en"                   # the claim's language (verify.checks.claim_text)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]

    def by_stance(self, stance: Stance) -> list[EvidenceAssessment]:
        """Evidence with the given final stance, best first."""
        return [e for e in self.evidence if e.stance == stance]
