"""Result types of an audit: per-claim, per-article and whole-run reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verify.types import to_jsonable

# article statuses
DONE, EMPTY, NO_CLAIMS, TOO_LARGE, UNREADABLE, FAILED = (
    "done", "empty", "no_claims", "too_large", "unreadable", "failed")
ARTICLE_STATUSES = (DONE, EMPTY, NO_CLAIMS, TOO_LARGE, UNREADABLE, FAILED)
NOT_AUDITED = (TOO_LARGE, UNREADABLE, FAILED)   # reported, but not audited

VERDICT_WORDS = {
    "SUPPORTED": "Supported by the corpus",
    "REFUTED": "Refuted by the corpus",
    "CONFLICTING": "Conflicting evidence",
    "NOT ENOUGH EVIDENCE": "Unverifiable: not enough evidence",
}
SUMMARY_KEYS = ("claims_checked", "supported", "refuted", "conflicting", "unverifiable", "errors")


@dataclass
class EvidenceSummary:
    """The best passage for or against a claim, as shown in reports."""

    stance: str
    source: str | None                 # the publisher's domain
    title: str | None
    url: str | None
    published_date: str | None
    reliability: float
    reliability_explanation: str
    probability: float                 # p_supports or p_refutes
    weight: float
    passage_id: int
    passage_text: str
    span: tuple[int, int] | None       # char offsets in passage_text of the matching part
    matching_text: str | None
    numeric_note: str | None = None


@dataclass
class EarlierFactCheck:
    """An earlier fact-check from the workspace's archive that matched a claim, as reports
    show it (see docs/archive.md: only matches scoring at least ``MATCH_THRESHOLD``)."""

    claim: str                         # the claim the earlier fact-check reviewed
    rating: str | None
    verdict: str | None                # the rating read as a verify verdict, if it has one
    organisation: str | None
    review_date: str | None            # ISO date
    url: str | None
    score: float                       # 0..1: how likely it reviewed the same claim
    why: list[str] = field(default_factory=list)
    fact_check_id: int | None = None

    def label(self) -> str:
        """One line for a person: rating, organisation, date and score."""
        parts = [f"rated {self.rating!r}" if self.rating else "no rating"]
        if self.organisation:
            parts.append(f"by {self.organisation}")
        if self.review_date:
            parts.append(f"on {self.review_date}")
        return " ".join(parts) + f" (match {self.score:.2f})"


@dataclass
class ClaimReport:
    """One claim of an article and how it was verified."""

    index: int
    sentence: str
    sentence_start: int
    sentence_end: int
    claim_text: str
    claim_start: int
    claim_end: int
    checkworthiness: float
    figure: str | None = None
    rewrites: list[tuple[str, str]] = field(default_factory=list)
    check_id: str | None = None
    verdict: str | None = None
    confidence: float | None = None
    reason: str | None = None
    best_support: EvidenceSummary | None = None
    best_refute: EvidenceSummary | None = None
    error: str | None = None
    reviewed_verdict: str | None = None   # filled at report time from ``verdicts``
    reviewer: str | None = None
    reviewed_at: str | None = None
    earlier_fact_checks: list[EarlierFactCheck] = field(default_factory=list)


@dataclass
class ArticleReport:
    """One article: its status, its claims and a summary."""

    key: str
    file_path: str
    status: str
    message: str = ""
    title: str | None = None
    url: str | None = None
    author: str | None = None
    published_date: str | None = None
    text: str = ""
    outlet: str | None = None           # the site's name, for an article read from the web
    position: int = 0
    sentences_scored: int = 0
    sentence_scores: list[tuple[int, int, float]] = field(default_factory=list)  # (start, end, score)
    claims: list[ClaimReport] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Counts of claims checked and of each verdict."""
        out = dict.fromkeys(SUMMARY_KEYS, 0)
        for c in self.claims:
            if c.error:
                out["errors"] += 1
                continue
            if c.verdict is None:
                continue
            out["claims_checked"] += 1
            key = {"SUPPORTED": "supported", "REFUTED": "refuted", "CONFLICTING": "conflicting"}.get(
                c.verdict, "unverifiable")
            out[key] += 1
        return out

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        """JSON-ready dict (with the summary)."""
        data = to_jsonable(self)
        if not include_text:
            data.pop("text", None)
        data["summary"] = self.summary
        return data  # type: ignore[no-any-return]


@dataclass
class AuditResult:
    """A whole audit run: its id, its articles (in input order) and totals."""

    audit_id: str
    status: str
    created_at: str | None
    finished_at: str | None
    inputs: list[str]
    settings: dict[str, Any]
    articles: list[ArticleReport] = field(default_factory=list)
    skipped: int = 0                  # articles already done in an earlier run of this audit
    processed: int = 0                # articles processed in this run
    outputs: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        """Totals over articles: statuses and verdict counts."""
        out: dict[str, int] = {"articles": len(self.articles)}
        for status in ARTICLE_STATUSES:
            out[f"articles_{status}"] = sum(1 for a in self.articles if a.status == status)
        for key in SUMMARY_KEYS:
            out[key] = sum(a.summary[key] for a in self.articles)
        return out

    @property
    def outcome(self) -> tuple[int, int]:
        """(articles audited, articles that could not be: too large, unreadable or failed).
        An empty article or one without check-worthy claims was audited."""
        failed = sum(1 for a in self.articles if a.status in NOT_AUDITED)
        return len(self.articles) - failed, failed

    def claims(self) -> list[tuple[ArticleReport, ClaimReport]]:
        """Every (article, claim) pair in order."""
        return [(a, c) for a in self.articles for c in a.claims]

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        """JSON-ready dict of the whole audit."""
        return {
            "audit_id": self.audit_id, "status": self.status, "created_at": self.created_at,
            "finished_at": self.finished_at, "inputs": self.inputs, "settings": self.settings,
            "summary": self.summary, "skipped": self.skipped, "processed": self.processed,
            "articles": [a.to_dict(include_text=include_text) for a in self.articles],
        }
