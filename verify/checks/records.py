"""Saved checks: store a result, reopen it, list the history, record a person's review.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    load_check(ws, "chk_0123456789abcdef").verdict
    # -> 'SUPPORTED'
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from verify.errors import InputError
from verify.types import (
    VERDICTS,
    CheckResult,
    EvidenceAssessment,
    PassageRef,
    QuantityAlignment,
    SearchFilters,
    to_jsonable,
)

if TYPE_CHECKING:
    from verify.checks.context import CheckContext


def save_check(ws: CheckContext, result: CheckResult, *, filters: SearchFilters | None = None) -> str:
    """Store a result in ``checks`` and ``check_evidence`` atomically; returns its check_id.

    Inside a caller's ``ws.store.transaction()`` (an audit's article) it joins that
    transaction instead of committing on its own.
    """
    with ws.store.transaction() as store:
        store.execute(
            "INSERT INTO checks (check_id, claim, verdict, confidence, reason, support_score,"
            " refute_score, filters, settings, model_versions, result_json, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result.check_id, result.claim, result.verdict, result.confidence, result.reason,
             result.support_score, result.refute_score,
             json.dumps(to_jsonable(filters) if filters else None),
             json.dumps(to_jsonable(ws.settings)), json.dumps(result.model_versions),
             json.dumps(result.to_dict()), result.created_at])
        rows = []
        for i, e in enumerate(result.evidence):
            rows.append([result.check_id, i, e.passage.passage_id, e.passage.document_id,
                         e.passage.domain, e.stance, e.p_supports, e.p_refutes, e.p_unrelated,
                         e.reliability, e.relevance, e.weight, e.dense_score, e.lexical_score,
                         e.fused_score, e.duplicate_of, json.dumps(to_jsonable(e.alignments)),
                         e.passage.text, e.refute_reason, e.stance_note, e.dissent])
        if rows:
            store.insert_rows(
                "INSERT INTO check_evidence (check_id, evidence_rank, passage_id, document_id,"
                " domain, stance, p_supports, p_refutes, p_unrelated, reliability, relevance,"
                " weight, dense_score, lexical_score, fused_score, duplicate_of,"
                " numeric_alignment, passage_text, refute_reason, stance_note, dissent)", rows)
    return result.check_id


def _date(value: Any) -> dt.date | None:
    """ISO text to a date."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def result_from_dict(data: dict[str, Any]) -> CheckResult:
    """Rebuild a ``CheckResult`` from ``CheckResult.to_dict()`` output."""
    def alignment(a: dict[str, Any]) -> QuantityAlignment:
        return QuantityAlignment(
            claim_text=a["claim_text"], claim_value=a["claim_value"], claim_unit=a["claim_unit"],
            claim_span=tuple(a["claim_span"]), evidence_text=a["evidence_text"],  # type: ignore[arg-type]
            evidence_value=a["evidence_value"], evidence_unit=a["evidence_unit"],
            evidence_span=tuple(a["evidence_span"]) if a["evidence_span"] is not None else None,  # type: ignore[arg-type]
            status=a["status"], note=a.get("note", ""),
            same_predicate=a.get("same_predicate", True))

    def evidence(e: dict[str, Any]) -> EvidenceAssessment:
        p = dict(e["passage"])
        p["published_date"] = _date(p.get("published_date"))
        fields = dict(e)
        fields["passage"] = PassageRef(**p)
        fields["alignments"] = tuple(alignment(a) for a in e.get("alignments", ()))
        fields["spans"] = tuple(tuple(s) for s in e.get("spans", ()))
        return EvidenceAssessment(**fields)

    return CheckResult(
        check_id=data["check_id"], claim=data["claim"], verdict=data["verdict"],
        confidence=float(data["confidence"]), reason=data["reason"],
        support_score=float(data["support_score"]), refute_score=float(data["refute_score"]),
        evidence=tuple(evidence(e) for e in data["evidence"]),
        decisive_passage_ids=tuple(data["decisive_passage_ids"]),
        claim_quantities=tuple(data["claim_quantities"]),
        model_versions=dict(data["model_versions"]),
        created_at=dt.datetime.fromisoformat(data["created_at"]),
        rule_verdict=data.get("rule_verdict"),
        claim_as_given=data.get("claim_as_given"), language=data.get("language", "en"),
    )


def load_check(ws: CheckContext, check_id: str) -> CheckResult:
    """Reopen a saved check exactly as it was produced.

    Example:
        load_check(ws, "chk_0123456789abcdef").claim
        # -> 'IS-K killed 338 civilians in Pakistan since 2017'
    """
    row = ws.db.execute("SELECT result_json FROM checks WHERE check_id = ?", [check_id]).fetchone()
    if row is None:
        raise InputError(f"no check with id {check_id!r} in this workspace")
    data = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return result_from_dict(data)


def list_checks(ws: CheckContext, query: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Recent checks, newest first, optionally filtered by words in the claim.

    Each row: check_id, claim, verdict, confidence, reason, created_at, and the
    latest human review (reviewed_verdict, reviewer) when there is one.
    """
    if limit < 1:
        raise InputError(f"limit must be at least 1 (got {limit})")
    sql = (
        "SELECT c.check_id, c.claim, c.verdict, c.confidence, c.reason, c.created_at,"
        " v.verdict AS reviewed_verdict, v.reviewer"
        " FROM checks c LEFT JOIN ("
        "   SELECT check_id, verdict, reviewer, row_number() OVER"
        "     (PARTITION BY check_id ORDER BY created_at DESC) AS rn FROM verdicts"
        " ) v ON v.check_id = c.check_id AND v.rn = 1")
    params: list[Any] = []
    if query and query.strip():
        sql += " WHERE c.claim ILIKE ?"
        params.append(f"%{query.strip()}%")
    sql += " ORDER BY c.created_at DESC LIMIT ?"
    params.append(int(limit))
    cols = ["check_id", "claim", "verdict", "confidence", "reason", "created_at",
            "reviewed_verdict", "reviewer"]
    return [dict(zip(cols, row, strict=True)) for row in ws.db.execute(sql, params).fetchall()]


def normalise_verdict(label: str) -> str:
    """'supported', 'not_enough_evidence', 'NEE' -> the canonical verdict label."""
    text = " ".join(str(label).replace("_", " ").replace("-", " ").upper().split())
    aliases = {"NEE": "NOT ENOUGH EVIDENCE", "NOT ENOUGH INFO": "NOT ENOUGH EVIDENCE",
               "SUPPORTS": "SUPPORTED", "REFUTES": "REFUTED", "CONFLICT": "CONFLICTING"}
    text = aliases.get(text, text)
    if text not in VERDICTS:
        raise InputError(f"unknown verdict {label!r}; use one of: {', '.join(VERDICTS)}")
    return text


def review_check(ws: CheckContext, check_id: str, verdict: str, reviewer: str, note: str = "") -> str:
    """Record a person's confirmation or override of a check; returns the verdict_id.

    Example:
        review_check(ws, result.check_id, "REFUTED", "amina", "CSIS says 338")
        # -> 'vrd_...'
    """
    label = normalise_verdict(verdict)
    if not reviewer or not str(reviewer).strip():
        raise InputError("a review needs the reviewer's name (--by)")
    row = ws.store.fetchone("SELECT verdict FROM checks WHERE check_id = ?", [check_id])
    if row is None:
        raise InputError(f"no check with id {check_id!r} in this workspace")
    verdict_id = "vrd_" + uuid.uuid4().hex[:16]
    ws.store.execute(
        "INSERT INTO verdicts (verdict_id, check_id, verdict, machine_verdict, reviewer, note)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [verdict_id, check_id, label, row[0], str(reviewer).strip(), note or None])
    return verdict_id
