"""Verify a claim: retrieve, score stance, compare figures, weigh, decide, save.

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.open("demo")                                          # doctest: +SKIP
    >>> result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")  # doctest: +SKIP
    >>> result.verdict, round(result.confidence, 2)                          # doctest: +SKIP
    ('SUPPORTED', 0.87)
    >>> load_check(ws, result.check_id).verdict                              # doctest: +SKIP
    'SUPPORTED'
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.calibration import Calibrator, shipped_calibrator
from verify.config import Settings
from verify.errors import InputError
from verify.quantities import align_quantities, extract_quantities, prime_quantities
from verify.types import (
    STANCES,
    VERDICTS,
    CheckResult,
    EvidenceAssessment,
    PassageRef,
    QuantityAlignment,
    Reliability,
    SearchFilters,
    SearchHit,
    to_jsonable,
)
from verify.verdict import (
    aggregate,
    final_stance,
    independence_factors,
    numeric_adjust,
    relevance_from_scores,
    reliability_factor,
)

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.stance.base import StanceModel
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z\-']+|\d[\d,.]*\d|\d")
_STOP = {
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "from",
    "is", "was", "were", "are", "be", "been", "has", "have", "had", "that", "this", "it", "its",
    "as", "than", "more", "about", "some", "since", "into", "their", "there", "which", "who",
    "after", "before", "over", "under", "not", "but", "also", "said", "will", "would", "can",
    "could", "may", "they", "he", "she", "his", "her", "them", "we", "our", "you",
    "roughly", "nearly", "around", "least", "almost", "what", "when", "where", "how", "did",
    "does", "do", "all", "any", "most", "many", "much", "very",
}
DEFAULT_RELIABILITY = 0.5


# ---------------------------------------------------------------- small helpers
def _reliability(ws: Workspace, domain: str | None) -> Reliability:
    """A domain's effective reliability; 0.5 while the sources module is missing."""
    try:
        return ws.reliability(domain)
    except (ImportError, AttributeError):
        return Reliability(domain or "", DEFAULT_RELIABILITY,
                           f"no rating system available; default {DEFAULT_RELIABILITY}")


def content_terms(text: str) -> list[str]:
    """Lower-cased content words and numbers of a text (for overlap and spans)."""
    return [t.lower().strip(".,") for t in _TOKEN.findall(text)
            if t.lower() not in _STOP and (len(t) > 2 or t[0].isdigit())]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem so 'killed' finds 'kill' and 'prisoners' finds 'prisoner'."""
    w = word.lower().replace(",", "")
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


@lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    """The stemmed content words of a text (cached: a passage is compared many times)."""
    return frozenset(_stem(t) for t in content_terms(text))


def lexical_overlap(claim: str, passage: str) -> float:
    """Share of the claim's content words (stemmed) that appear in the passage."""
    terms = _stems(claim)
    if not terms:
        return 0.0
    return len(terms & _stems(passage)) / len(terms)


def match_spans(claim: str, passage: str,
                alignments: Sequence[QuantityAlignment] = ()) -> tuple[tuple[int, int], ...]:
    """Char spans in ``passage`` of the claim's content words and aligned figures."""
    terms = {_stem(t) for t in content_terms(claim)}
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(passage)
             if _stem(m.group(0).strip(".,")) in terms]
    spans += [a.evidence_span for a in alignments if a.evidence_span is not None
              and a.status in ("match", "mismatch", "different_scope")]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1] + 1 and passage[merged[-1][1]:s].strip() == "":
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        elif merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return tuple(merged)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")


def focus_sentence(claim: str, passage: str) -> str | None:
    """The passage sentence that shares most of the claim's content words, if the passage
    has more than one sentence and that sentence shares at least one word."""
    parts = [p.strip() for p in _SENTENCE_END.split(passage) if p and p.strip()]
    if len(parts) < 2:
        return None
    scored = [(lexical_overlap(claim, p), -i, p) for i, p in enumerate(parts)]
    best = max(scored)
    return best[2] if best[0] > 0 else None


def stance_inputs(claim: str, texts: Sequence[str], sentence_weight: float
                  ) -> tuple[list[str], list[tuple[int, int]]]:
    """The texts to score for one claim: every passage, then each passage's focus sentence.

    Returns the batch and ``(passage index, batch row)`` for each focus sentence.
    """
    batch = list(texts)
    extra: list[tuple[int, int]] = []
    if sentence_weight > 0:
        for i, text in enumerate(texts):
            focus = focus_sentence(claim, text)
            if focus is not None:
                extra.append((i, len(batch)))
                batch.append(focus)
    return batch, extra


def blend_stance(out: np.ndarray, n: int, extra: Sequence[tuple[int, int]],
                 sentence_weight: float) -> np.ndarray:
    """Mix each passage's stance with its focus sentence's: w x sentence + (1 - w) x passage."""
    out = np.asarray(out, dtype=np.float64)
    probs = out[:n].copy()
    for i, row in extra:
        probs[i] = sentence_weight * out[row] + (1.0 - sentence_weight) * probs[i]
    return probs


def score_stance(model: StanceModel, claim: str, texts: Sequence[str],
                 sentence_weight: float) -> np.ndarray:
    """Stance of each passage, blended with the stance of its focus sentence (one batch).

    Words elsewhere in a passage ("the Taliban denied any role") can sway a small
    cross-encoder; the sentence that carries the claim's words is scored too and the two
    are mixed: ``sentence_weight`` x sentence + (1 - sentence_weight) x passage.
    """
    batch, extra = stance_inputs(claim, texts, sentence_weight)
    out = model.predict_batch([claim] * len(batch), batch)
    return blend_stance(out, len(texts), extra, sentence_weight)


def _validate_claim(claim: object) -> str:
    """A non-empty claim string or InputError."""
    if not isinstance(claim, str) or not claim.strip():
        raise InputError("the claim is empty: give a sentence to check")
    text = " ".join(claim.split())
    if len(text) > 2000:
        raise InputError(f"the claim is {len(text)} characters long; check one sentence "
                         "(at most 2,000 characters) at a time")
    return text


# ---------------------------------------------------------------- core evaluation
def assess_hits(claim: str, hits: Sequence[SearchHit], *, stance_model: StanceModel,
                embedder: Embedder | None, settings: Settings,
                reliability: Callable[[str | None], Reliability],
                calibrator: Calibrator | None = None,
                model_versions: dict[str, str] | None = None,
                stance_probs: np.ndarray | None = None,
                passage_vectors: np.ndarray | None = None) -> CheckResult:
    """Weigh retrieved passages for a claim and decide; no database access.

    ``stance_probs`` (n, 3) may be given to skip the stance model (benchmarks).
    ``passage_vectors`` (n, d), normalised, avoid re-embedding indexed passages; the
    hits' ``dense_score`` is used as claim-passage cosine when every hit has one.
    """
    vs = settings.verdict
    claim = _validate_claim(claim)
    texts = [h.passage.text for h in hits]
    n = len(hits)
    if n and stance_probs is None:
        stance_probs = score_stance(stance_model, claim, texts, vs.sentence_view_weight)
    probs = np.zeros((0, 3)) if stance_probs is None else np.asarray(stance_probs, dtype=np.float64)
    cos_claim: list[float | None] = [h.dense_score for h in hits]
    cos_pp: np.ndarray | None = None
    if passage_vectors is not None and len(passage_vectors) == n:
        vecs = np.asarray(passage_vectors, dtype=np.float32)
        cos_pp = vecs @ vecs.T
    if n and embedder is not None and (cos_pp is None or any(c is None for c in cos_claim)):
        vecs = np.asarray(embedder.embed_batch([claim, *texts]), dtype=np.float32)
        cos_claim = [float(v) for v in vecs[1:] @ vecs[0]]
        cos_pp = vecs[1:] @ vecs[1:].T
    claim_qs = extract_quantities(claim)
    rels = [reliability(h.passage.domain) for h in hits]
    relevance = [relevance_from_scores(cos_claim[i], lexical_overlap(claim, texts[i]), vs)
                 for i in range(n)]
    # the most relevant, most reliable copy of a repeated passage keeps its weight
    order = sorted(range(n), key=lambda i: -(relevance[i] * reliability_factor(rels[i].value, vs)))
    # figures are compared only in passages relevant enough to weigh
    all_alignments = [tuple(align_quantities(claim_qs, t))
                      if claim_qs and relevance[i] >= vs.min_relevance else ()
                      for i, t in enumerate(texts)]
    adjusted_all = [numeric_adjust(probs[i], all_alignments[i], relevance[i], vs)[0]
                    for i in range(n)]
    stances = [final_stance(p, vs) for p in adjusted_all]
    indep, dup_of = independence_factors(
        order, [h.passage.passage_id for h in hits], [h.passage.document_id for h in hits],
        [h.passage.domain for h in hits], cos_pp, vs, stances)
    evidence: list[EvidenceAssessment] = []
    for i, hit in enumerate(hits):
        alignments, adjusted, stance = all_alignments[i], adjusted_all[i], stances[i]
        model_stance = STANCES[int(np.argmax(probs[i]))]
        weight = 0.0
        if relevance[i] >= vs.min_relevance:
            weight = relevance[i] * reliability_factor(rels[i].value, vs) * indep[i]
        evidence.append(EvidenceAssessment(
            passage=hit.passage, rank=hit.rank, stance=stance,
            p_supports=float(adjusted[0]), p_refutes=float(adjusted[1]),
            p_unrelated=float(adjusted[2]), model_stance=model_stance,
            reliability=float(rels[i].value), reliability_explanation=rels[i].explanation,
            relevance=float(relevance[i]), weight=float(weight),
            dense_score=hit.dense_score, lexical_score=hit.lexical_score,
            fused_score=float(hit.fused_score), duplicate_of=dup_of[i],
            alignments=alignments, spans=match_spans(claim, texts[i], alignments),
        ))
    agg = aggregate(evidence, vs)
    cal = calibrator or shipped_calibrator()
    versions = dict(model_versions or {})
    versions.setdefault("calibrator", cal.version)
    return CheckResult(
        check_id=_new_check_id(), claim=claim, verdict=agg.verdict,
        confidence=cal.predict(agg.verdict, agg.raw_confidence), reason=agg.reason,
        support_score=agg.support_score, refute_score=agg.refute_score,
        evidence=tuple(evidence), decisive_passage_ids=agg.decisive_passage_ids,
        claim_quantities=tuple(q.text for q in claim_qs), model_versions=versions,
        created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    )


def _stored_vectors(ws: Workspace, hits: Sequence[SearchHit]) -> np.ndarray | None:
    """The indexed vectors of the hits' passages (None when the index cannot give them)."""
    if not hits:
        return None
    index = getattr(ws, "_index", None)
    dense = getattr(index, "dense", None)
    if dense is None or not hasattr(dense, "vectors"):
        return None
    try:
        vectors = np.asarray(dense.vectors([h.passage.passage_id for h in hits]), dtype=np.float32)
    except Exception as exc:  # a missing id or an index type without reconstruct
        log.debug("stored vectors unavailable (%s); embedding passages", exc)
        return None
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def _new_check_id() -> str:
    """A short unique id for a check."""
    return "chk_" + uuid.uuid4().hex[:16]


def _model_versions(ws: Workspace, stance_model: StanceModel) -> dict[str, str]:
    """Embedder, stance model and index identities for the saved record."""
    versions = {
        "embedder": ws.settings.embedder,
        "stance_model": getattr(stance_model, "model_id", "") or ws.settings.stance_model,
        "stance_version": str(getattr(stance_model, "version", "")),
        "stance_precision": str(getattr(stance_model, "precision", "")),
    }
    try:
        versions["embedder_id"] = ws.embedder.model_id
    except Exception as exc:  # the embedder may fail to load; the record says so
        versions["embedder_id"] = f"unavailable: {exc}"
    index = getattr(ws, "_index", None)
    if index is not None:
        meta = getattr(index, "meta", None) or getattr(index, "status", None)
        try:
            value = meta() if callable(meta) else meta
            versions["index"] = json.dumps(to_jsonable(value), default=str)[:500]
        except Exception as exc:  # index status is informative only
            versions["index"] = f"unavailable: {exc}"
    return versions


UNSCORED = np.asarray([0.0, 0.0, 1.0])   # the stance given to a passage too remote to score


def _worth_scoring(claim: str, hit: SearchHit, settings: Settings) -> bool:
    """Whether a hit is relevant enough to carry weight, so worth a stance-model pass.

    A passage below ``min_relevance`` gets weight 0 whatever its stance; it is shown as
    unrelated without running the model on it. Hits without a dense score are scored.
    """
    if hit.dense_score is None:
        return True
    relevance = relevance_from_scores(hit.dense_score, lexical_overlap(claim, hit.passage.text),
                                      settings.verdict)
    return relevance >= settings.verdict.min_relevance


def check_claim(ws: Workspace, claim: str, *, k: int | None = None,
                filters: SearchFilters | None = None, save: bool = True) -> CheckResult:
    """Verify one claim against the workspace's corpus and (by default) save the result.

    Example:
        >>> r = check_claim(ws, "The Jalalabad prison held 17,000 prisoners")  # doctest: +SKIP
        >>> r.verdict, r.evidence[0].alignments[0].status                      # doctest: +SKIP
        ('REFUTED', 'mismatch')
    """
    return check_claims(ws, [claim], k=k, filters=filters, save=save)[0]


def check_claims(ws: Workspace, claims: Sequence[str], *, k: int | None = None,
                 filters: SearchFilters | None = None, save: bool = True) -> list[CheckResult]:
    """Verify several claims at once: the same results as ``check_claim`` on each, with
    the stance model run over every (claim, passage) pair in one length-sorted batch.

    Example:
        >>> rs = check_claims(ws, ["IS-K killed 338 civilians", "The prison held 17,000"])  # doctest: +SKIP
        >>> [r.verdict for r in rs]                                               # doctest: +SKIP
        ['SUPPORTED', 'REFUTED']
    """
    from verify.stance import get_stance_model

    texts = [_validate_claim(c) for c in claims]
    if k is not None and k < 1:
        raise InputError(f"k must be at least 1 (got {k})")
    model = get_stance_model(ws.settings.stance_model)
    weight = ws.settings.verdict.sentence_view_weight
    all_hits = [ws.search(c, k=k or ws.settings.verdict.evidence_k, filters=filters) for c in texts]
    if len(texts) > 1:   # spaCy in batches: the claims, then the passages figures meet
        prime_quantities(texts)
        prime_quantities([h.passage.text for claim, hits in zip(texts, all_hits, strict=True)
                          if extract_quantities(claim) for h in hits
                          if _worth_scoring(claim, h, ws.settings)])
    pair_claims: list[str] = []
    pair_texts: list[str] = []
    layout: list[tuple[int, list[int], list[tuple[int, int]]]] = []
    for claim, hits in zip(texts, all_hits, strict=True):
        scored = [i for i, h in enumerate(hits) if _worth_scoring(claim, h, ws.settings)]
        batch, extra = stance_inputs(claim, [hits[i].passage.text for i in scored], weight)
        offset = len(pair_texts)
        layout.append((offset, scored, [(i, offset + row) for i, row in extra]))
        pair_claims.extend([claim] * len(batch))
        pair_texts.extend(batch)
    out = (np.asarray(model.predict_batch(pair_claims, pair_texts), dtype=np.float64)
           if pair_texts else np.zeros((0, 3)))
    cache: dict[str | None, Reliability] = {}

    def reliability(domain: str | None) -> Reliability:
        if domain not in cache:
            cache[domain] = _reliability(ws, domain)
        return cache[domain]

    versions = _model_versions(ws, model)
    results: list[CheckResult] = []
    for claim, hits, (offset, scored, extra) in zip(texts, all_hits, layout, strict=True):
        n = len(hits)
        probs = np.tile(UNSCORED, (n, 1))
        probs[scored] = blend_stance(out[offset:], len(scored),
                                     [(i, row - offset) for i, row in extra], weight)
        result = assess_hits(claim, hits, stance_model=model,
                             embedder=ws.embedder if hits else None, settings=ws.settings,
                             reliability=reliability, model_versions=versions,
                             stance_probs=probs if n else None,
                             passage_vectors=_stored_vectors(ws, hits))
        if save:
            save_check(ws, result, filters=filters)
        results.append(result)
    return results


# ---------------------------------------------------------------- persistence
def save_check(ws: Workspace, result: CheckResult, *, filters: SearchFilters | None = None) -> str:
    """Store a result in ``checks`` and ``check_evidence``; returns its check_id."""
    con = ws.db
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
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
                         e.passage.text])
        if rows:
            con.executemany(
                "INSERT INTO check_evidence (check_id, evidence_rank, passage_id, document_id,"
                " domain, stance, p_supports, p_refutes, p_unrelated, reliability, relevance,"
                " weight, dense_score, lexical_score, fused_score, duplicate_of,"
                " numeric_alignment, passage_text) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
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
            status=a["status"], note=a.get("note", ""))

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
    )


def load_check(ws: Workspace, check_id: str) -> CheckResult:
    """Reopen a saved check exactly as it was produced.

    Example:
        >>> load_check(ws, "chk_0123456789abcdef").claim   # doctest: +SKIP
        'IS-K killed 338 civilians in Pakistan since 2017'
    """
    row = ws.db.execute("SELECT result_json FROM checks WHERE check_id = ?", [check_id]).fetchone()
    if row is None:
        raise InputError(f"no check with id {check_id!r} in this workspace")
    data = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return result_from_dict(data)


def list_checks(ws: Workspace, query: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
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


def review_check(ws: Workspace, check_id: str, verdict: str, reviewer: str, note: str = "") -> str:
    """Record a person's confirmation or override of a check; returns the verdict_id.

    Example:
        >>> review_check(ws, result.check_id, "REFUTED", "amina", "CSIS says 338")  # doctest: +SKIP
        'vrd_...'
    """
    label = normalise_verdict(verdict)
    if not reviewer or not str(reviewer).strip():
        raise InputError("a review needs the reviewer's name (--by)")
    row = ws.db.execute("SELECT verdict FROM checks WHERE check_id = ?", [check_id]).fetchone()
    if row is None:
        raise InputError(f"no check with id {check_id!r} in this workspace")
    verdict_id = "vrd_" + uuid.uuid4().hex[:16]
    ws.db.execute(
        "INSERT INTO verdicts (verdict_id, check_id, verdict, machine_verdict, reviewer, note)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [verdict_id, check_id, label, row[0], str(reviewer).strip(), note or None])
    return verdict_id
