"""Batch audits: read articles, extract check-worthy claims, verify each, store and report.

Every article is written in one transaction (its checks, its claims and its row), so
a crash loses at most the article in flight; re-running the same audit skips the
articles already done.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    result = ws.audit(["articles/"], out="report.html")
    result.summary["refuted"]
    # -> 2
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from verify.audit.extract import Claim, Extraction, Scorer, extract_claims_batch
from verify.audit.inputs import DEFAULT_MAX_CHARS, Article, read_articles
from verify.audit.models import (
    DONE,
    EMPTY,
    FAILED,
    NO_CLAIMS,
    ArticleReport,
    AuditResult,
    ClaimReport,
    EarlierFactCheck,
    EvidenceSummary,
)
from verify.errors import InputError, ModelLoadError, WorkspaceError
from verify.types import CheckResult, EvidenceAssessment, to_jsonable

if TYPE_CHECKING:
    from verify.archive import Match
    from verify.batch.rayaudit import RayAudit
    from verify.embedders import Embedder
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

Verifier = Callable[[str], CheckResult]
BatchVerifier = Callable[[Sequence[str]], list[CheckResult]]
EXTRACT_CHUNK = 8          # articles per batched spaCy/embedding pass


# ---- ids ------------------------------------------------------------------------------
def derive_audit_id(articles: Sequence[Article], threshold: float | None) -> str:
    """Same inputs (paths + content hashes) and threshold -> same audit id."""
    h = hashlib.sha1()
    for a in sorted(articles, key=lambda a: a.key):
        h.update(f"{os.path.abspath(a.file_path)}|{a.key}|{a.content_hash}\n".encode())
    h.update(f"threshold={threshold}".encode())
    return "audit-" + h.hexdigest()[:12]


# ---- evidence summaries ---------------------------------------------------------------
def _summarise(e: EvidenceAssessment, stance: str) -> EvidenceSummary:
    """An evidence assessment as a report row (with its matching span)."""
    text = e.passage.text
    span: tuple[int, int] | None = None
    note = None
    aligned = sorted((a for a in e.alignments if a.evidence_span),
                     key=lambda a: a.status != "mismatch")
    if e.spans:
        span = (min(s for s, _ in e.spans), max(t for _, t in e.spans))
    elif aligned:
        span = aligned[0].evidence_span
    if aligned:
        a = aligned[0]
        note = f"claim {a.claim_text} vs source {a.evidence_text}: {a.status}" + (
            f" ({a.note})" if a.note else "")
    if span and not (0 <= span[0] < span[1] <= len(text)):
        span = None
    date = e.passage.published_date
    return EvidenceSummary(
        stance=stance, source=e.passage.domain, title=e.passage.title, url=e.passage.url,
        published_date=date.isoformat() if isinstance(date, dt.date) else date,
        reliability=round(float(e.reliability), 3),
        reliability_explanation=e.reliability_explanation,
        probability=round(float(e.p_supports if stance == "supports" else e.p_refutes), 3),
        weight=round(float(e.weight), 4), passage_id=int(e.passage.passage_id),
        passage_text=text, span=span, matching_text=text[span[0]:span[1]] if span else None,
        numeric_note=note)


def best_evidence(result: CheckResult, stance: str) -> EvidenceSummary | None:
    """The heaviest passage with the given final stance (ties: more reliable first)."""
    pool = [e for e in result.evidence if e.stance == stance and e.duplicate_of is None] or \
        [e for e in result.evidence if e.stance == stance]
    if not pool:
        return None
    key = "p_supports" if stance == "supports" else "p_refutes"
    best = max(pool, key=lambda e: (e.weight, e.reliability, getattr(e, key)))
    return _summarise(best, stance)


def claim_report(claim: Claim, result: CheckResult | None, error: str | None = None,
                 earlier: Sequence[EarlierFactCheck] = ()) -> ClaimReport:
    """A claim and its check as one report row (with the earlier fact-checks it matched)."""
    report = ClaimReport(
        index=claim.index, sentence=claim.sentence, sentence_start=claim.sentence_start,
        sentence_end=claim.sentence_end, claim_text=claim.claim_text,
        claim_start=claim.claim_start, claim_end=claim.claim_end,
        checkworthiness=claim.checkworthiness, figure=claim.figure,
        rewrites=[(r.original, r.replacement) for r in claim.rewrites], error=error,
        earlier_fact_checks=list(earlier))
    if result is not None:
        report.check_id = result.check_id
        report.verdict = result.verdict
        report.confidence = round(float(result.confidence), 4)
        report.reason = result.reason
        report.best_support = best_evidence(result, "supports")
        report.best_refute = best_evidence(result, "refutes")
    return report


# ---- earlier fact-checks -------------------------------------------------------------------
def earlier_fact_check(match: Match) -> EarlierFactCheck:
    """An archive ``Match`` as a report row: who rated the claim what, when, where, and how
    sure the match is."""
    fc = match.fact_check
    return EarlierFactCheck(
        claim=fc.claim, rating=fc.rating, verdict=fc.verdict, organisation=fc.organisation,
        review_date=fc.review_date.isoformat() if fc.review_date else None, url=fc.url,
        score=round(float(match.score), 4), why=list(match.why), fact_check_id=fc.fact_check_id)


class ArchiveMatcher:
    """The earlier fact-checks of each claim, from the workspace's archive (``ws.match``):
    at most ``verify.archive.EARLIER_SHOWN`` scoring at least ``verify.archive.MATCH_THRESHOLD``
    (docs/archive.md), none at all when the archive holds no fact-check. A claim text
    matched before in the run is not matched again. The archive is an extra: when it cannot
    be searched the audit goes on without matches (logged once)."""

    def __init__(self, ws: Workspace) -> None:
        from verify.archive import has_fact_checks

        self.ws = ws
        self.memo: dict[str, list[EarlierFactCheck]] = {}
        try:
            self.on = has_fact_checks(ws)
        except Exception as exc:  # noqa: BLE001 - the archive must not stop the audit
            log.warning("the fact-check archive could not be read: %s", exc)
            self.on = False

    def __call__(self, text: str) -> list[EarlierFactCheck]:
        if not self.on:
            return []
        if text not in self.memo:
            from verify.archive import earlier_fact_checks

            try:
                found = earlier_fact_checks(self.ws, text)
            except Exception as exc:  # noqa: BLE001 - the archive must not stop the audit
                log.warning("the fact-check archive could not be searched; the audit goes on "
                            "without earlier fact-checks: %s", exc)
                self.on = False
                return []
            self.memo[text] = [earlier_fact_check(m) for m in found]
        return list(self.memo[text])


# ---- persistence ---------------------------------------------------------------------
def _article_details(article: Article, position: int,
                     scores: Sequence[tuple[int, int, float]]) -> str:
    return json.dumps({"url": article.url, "author": article.author,
                       "published_date": article.published_date, "position": position,
                       "content_hash": article.content_hash, "sentences_scored": len(scores),
                       "sentence_scores": [[a, b, round(float(v), 4)] for a, b, v in scores],
                       **({"meta": article.meta} if article.meta else {})})


def _write_article(ws: Workspace, audit_id: str, article: Article, position: int, status: str,
                   message: str, claims: Sequence[tuple[ClaimReport, CheckResult | None]],
                   scores: Sequence[tuple[int, int, float]] = ()) -> None:
    """Store one article, its claims and their checks in one transaction (``save_check``
    joins it)."""
    from verify.checks.records import save_check

    with ws.store.transaction() as con:
        con.execute("DELETE FROM audit_claims WHERE audit_id = ? AND article_key = ?",
                    [audit_id, article.key])
        con.execute("DELETE FROM audit_articles WHERE audit_id = ? AND article_key = ?",
                    [audit_id, article.key])
        for _report, result in claims:
            if result is not None:
                exists = con.fetchone("SELECT 1 FROM checks WHERE check_id = ?",
                                      [result.check_id])
                if not exists:
                    save_check(ws, result)
        con.execute(
            "INSERT INTO audit_articles (audit_id, article_key, file_path, title, text, status,"
            " message, finished_at, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [audit_id, article.key, article.file_path, article.title, article.text, status,
             message, dt.datetime.now(), _article_details(article, position, scores)])
        if claims:
            con.insert_rows(
                "INSERT INTO audit_claims (audit_id, article_key, claim_index, sentence,"
                " sentence_start, sentence_end, claim_text, checkworthiness, check_id, details)",
                [[audit_id, article.key, r.index, r.sentence, r.sentence_start, r.sentence_end,
                  r.claim_text, r.checkworthiness, r.check_id, json.dumps(to_jsonable(r))]
                 for r, _ in claims])


def _evidence_from(data: Mapping[str, Any] | None) -> EvidenceSummary | None:
    if not data:
        return None
    fields = dict(data)
    if fields.get("span") is not None:
        fields["span"] = tuple(fields["span"])
    return EvidenceSummary(**fields)


def _claim_from(details: Mapping[str, Any]) -> ClaimReport:
    fields = dict(details)
    fields["rewrites"] = [tuple(r) for r in fields.get("rewrites", [])]
    fields["best_support"] = _evidence_from(fields.get("best_support"))
    fields["best_refute"] = _evidence_from(fields.get("best_refute"))
    known_earlier = EarlierFactCheck.__dataclass_fields__
    fields["earlier_fact_checks"] = [
        EarlierFactCheck(**{k: v for k, v in item.items() if k in known_earlier})
        for item in fields.get("earlier_fact_checks") or []]
    known = ClaimReport.__dataclass_fields__
    return ClaimReport(**{k: v for k, v in fields.items() if k in known})


def load_audit(ws: Workspace, audit_id: str) -> AuditResult:
    """Rebuild an audit's report from the database (articles in input order)."""
    row = ws.store.execute("SELECT audit_id, inputs, settings, status, created_at, finished_at"
                           " FROM audits WHERE audit_id = ?", [audit_id]).fetchone()
    if row is None:
        raise InputError(f"no audit with id {audit_id!r} in this workspace")
    result = AuditResult(
        audit_id=row[0], inputs=json.loads(row[1]) if row[1] else [],
        settings=json.loads(row[2]) if row[2] else {}, status=row[3],
        created_at=row[4].isoformat() if row[4] else None,
        finished_at=row[5].isoformat() if row[5] else None)
    arts = ws.store.execute(
        "SELECT article_key, file_path, title, text, status, message, details FROM audit_articles"
        " WHERE audit_id = ?", [audit_id]).fetchall()
    claims = ws.store.execute(
        "SELECT article_key, details FROM audit_claims WHERE audit_id = ?"
        " ORDER BY article_key, claim_index", [audit_id]).fetchall()
    by_article: dict[str, list[ClaimReport]] = {}
    for key, details in claims:
        by_article.setdefault(key, []).append(_claim_from(json.loads(details)))
    for key, file_path, title, text, status, message, details in arts:
        d = json.loads(details) if details else {}
        result.articles.append(ArticleReport(
            key=key, file_path=file_path, status=status, message=message or "", title=title,
            url=d.get("url"), author=d.get("author"), published_date=d.get("published_date"),
            text=text or "", outlet=(d.get("meta") or {}).get("outlet"), position=int(d.get("position", 0)),
            sentences_scored=int(d.get("sentences_scored", 0)),
            sentence_scores=[(int(a), int(b), float(v)) for a, b, v in d.get("sentence_scores", [])],
            claims=by_article.get(key, [])))
    result.articles.sort(key=lambda a: (a.position, a.key))
    _attach_reviews(ws, result)
    return result


def _attach_reviews(ws: Workspace, result: AuditResult) -> None:
    """Fill each claim's person-confirmed verdict (latest row in ``verdicts``)."""
    from verify.history import attach_reviews

    attach_reviews(ws, result)


# ---- verification -----------------------------------------------------------------------
class _CachedEmbedder:
    """The workspace's embedder with a per-article cache, primed with one batched call
    for all claims so each check's query embedding is a lookup."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self.model_id = base.model_id
        self.dimension = base.dimension
        self.metric = getattr(base, "metric", "inner_product")
        self._cache: dict[str, np.ndarray] = {}

    def prime(self, texts: Sequence[str]) -> None:
        """Embed the texts not cached yet, in one batch."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vectors = self.base.embed_many(missing, batch_size=64)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))

    def clear(self) -> None:
        self._cache.clear()

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._cache]
        if missing:
            vectors = self.base.embed_batch(missing)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        return np.stack([self._cache[t] for t in texts]).astype(np.float32, copy=False)

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]

    def embed_many(self, texts: Sequence[str], batch_size: int = 128,
                   progress: bool = False) -> np.ndarray:
        self.prime(texts)
        return self.embed_batch(texts)


def _workspace_view(ws: Workspace, embedder: _CachedEmbedder, *, own_cursor: bool) -> Workspace:
    """The workspace as checks see it: same store and index, the caching embedder, and
    (for worker threads) a DuckDB cursor of its own."""
    ws.index  # noqa: B018 - load the index once, so every view shares it
    return ws.view(store=ws.store.cursor() if own_cursor else None,
                   embedder=cast("Embedder", embedder))


def _batch_verifier(ws: Workspace, verifier: Verifier | None, pool: ThreadPoolExecutor | None,
                    workers: int) -> tuple[BatchVerifier, _CachedEmbedder | None]:
    """One function that verifies a list of claim texts, and the embedder cache it uses.

    By default claims go through ``check_claims`` (one stance batch), split between the
    pool's threads, each with a DuckDB cursor of its own. A given ``verifier`` (one claim
    at a time, a test seam) is mapped over the pool or called in turn.
    """
    if verifier is not None:
        one = verifier
        if pool is None:
            return (lambda texts: [one(t) for t in texts]), None
        return (lambda texts: list(pool.map(one, texts))), None
    from verify.checks.pipeline import check_claims

    cache = _CachedEmbedder(ws.embedder)
    if pool is None:
        view = _workspace_view(ws, cache, own_cursor=False)
        return (lambda texts: check_claims(view, texts, save=False)), cache
    local = threading.local()

    def check_part(texts: list[str]) -> list[CheckResult]:
        if not hasattr(local, "view"):
            local.view = _workspace_view(ws, cache, own_cursor=True)
        return check_claims(local.view, texts, save=False)

    def check_split(texts: Sequence[str]) -> list[CheckResult]:
        parts = [list(texts[i::workers]) for i in range(workers) if texts[i::workers]]
        done: dict[str, CheckResult] = {}
        for part, results in zip(parts, pool.map(check_part, parts), strict=True):
            done.update(zip(part, results, strict=True))
        return [done[t] for t in texts]

    return check_split, cache


def _verify_claims(claims: Sequence[Claim], verify_many: BatchVerifier,
                   memo: dict[str, CheckResult] | None = None) -> list[CheckResult]:
    """Verify every claim of one article with ``verify_many``.

    A claim text already checked in this run (a syndicated copy, a repeated sentence)
    reuses that check instead of running it again.
    """
    memo = {} if memo is None else memo
    todo = [t for t in dict.fromkeys(c.claim_text for c in claims) if t not in memo]
    if todo:
        memo.update(zip(todo, verify_many(todo), strict=True))
    return [memo[c.claim_text] for c in claims]


# ---- the run ------------------------------------------------------------------------------
def run_audit(ws: Workspace, inputs: Sequence[str | os.PathLike[str]], *,
              out: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
              formats: Sequence[str] | None = None, threshold: float | None = None,
              audit_id: str | None = None, resume: bool = True, progress: bool = True,
              workers: int | None = None, verifier: Verifier | None = None,
              scorer: Scorer | None = None, fields: Mapping[str, str] | None = None,
              max_chars: int = DEFAULT_MAX_CHARS, claimreview: str | os.PathLike[str] | None = None,
              reviewer_org: str = "verify", report_url: str | None = None,
              nlp: Any = None,
              progress_callback: Callable[[int, int, str], None] | None = None,
              ray: str | RayAudit | None = None) -> AuditResult:
    """Audit articles: extract check-worthy claims, verify each, store, and write reports.

    ``inputs``: files or folders (.txt .md .html .jsonl .csv); ``out``: report path(s),
    format from the extension (json, jsonl, csv, md, html) unless ``formats`` is given.
    ``audit_id`` names the audit (default: derived from the inputs' paths and content
    hashes); with ``resume`` (default) articles already done are skipped, failed ones
    retried. ``verifier`` (claim -> unsaved CheckResult), ``scorer`` and ``nlp`` are seams
    for tests; by default claims are checked with ``verify.checks.check_claims``.
    ``ray`` (a cluster address, ``"auto"``, or a :class:`verify.batch.rayaudit.RayAudit`)
    extracts and verifies on a Ray cluster; this process still writes every article, and
    the stored audit is the same as without it (``verify.batch.rayaudit``).

    Example:
        result = run_audit(ws, ["article.md"], out="report.md")
        result.summary["claims_checked"]
        # -> 7
    """
    settings: dict[str, Any] = {"threshold": threshold, "max_chars": max_chars,
                                "fields": dict(fields or {})}
    if not inputs:
        if not audit_id:
            raise InputError("nothing to audit: give files or folders, or --resume AUDIT_ID")
        row = ws.store.execute("SELECT inputs, settings FROM audits WHERE audit_id = ?",
                               [audit_id]).fetchone()
        if row is None:
            raise InputError(f"no audit with id {audit_id!r} to resume")
        inputs = json.loads(row[0]) if row[0] else []
        stored = json.loads(row[1]) if row[1] else {}
        threshold = stored.get("threshold", threshold)
        max_chars = int(stored.get("max_chars") or max_chars)
        fields = stored.get("fields") or fields
        settings = stored or settings
    articles = read_articles(inputs, fields=fields, max_chars=max_chars)
    if not articles:
        raise InputError("no article files found in " + ", ".join(str(p) for p in inputs))
    audit_id = audit_id or derive_audit_id(articles, threshold)
    input_list = [os.path.abspath(p) for p in inputs]

    existing = ws.store.execute("SELECT status FROM audits WHERE audit_id = ?", [audit_id]).fetchone()
    if existing is not None and not resume:
        with ws.store.transaction() as store:
            store.execute("DELETE FROM audit_claims WHERE audit_id = ?", [audit_id])
            store.execute("DELETE FROM audit_articles WHERE audit_id = ?", [audit_id])
            store.execute("DELETE FROM audits WHERE audit_id = ?", [audit_id])
        existing = None
    if existing is None:
        ws.store.execute("INSERT INTO audits (audit_id, inputs, settings, status) VALUES (?, ?, ?, ?)",
                         [audit_id, json.dumps(input_list), json.dumps(settings), "running"])
    else:
        ws.store.execute("UPDATE audits SET status = 'running', finished_at = NULL WHERE audit_id = ?",
                         [audit_id])
    done = {key: (status, json.loads(details or "{}").get("content_hash"))
            for key, status, details in ws.store.execute(
                "SELECT article_key, status, details FROM audit_articles WHERE audit_id = ?",
                [audit_id]).fetchall()}
    positions = {a.key: i for i, a in enumerate(articles)}
    # redo: new articles, failed ones, and ones whose content changed since (same audit id)
    todo = [a for a in articles if a.key not in done or done[a.key][0] == FAILED
            or done[a.key][1] != a.content_hash]
    skipped = len(articles) - len(todo)
    if skipped:
        log.info("audit %s: %d of %d articles already done", audit_id, skipped, len(articles))

    if scorer is None and ray is None and any(a.status == "ok" for a in todo):
        from verify.audit.extract import default_scorer

        scorer, threshold = default_scorer(threshold)
    n_workers = max(1, int(workers or 1))
    pool = ThreadPoolExecutor(n_workers) if n_workers > 1 else None
    verify_many: BatchVerifier | None = None
    cache: _CachedEmbedder | None = None
    matcher: ArchiveMatcher | None = None
    if ray is None and any(a.status == "ok" for a in todo):
        verify_many, cache = _batch_verifier(ws, verifier, pool, n_workers)
        matcher = ArchiveMatcher(ws)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"auditing ({audit_id})", unit="article")
    processed = 0
    memo: dict[str, CheckResult] = {}

    def _tick(message: str) -> None:
        if bar:
            bar.update(1)
        if progress_callback is not None:
            progress_callback(processed, len(todo), message)

    if progress_callback is not None:
        progress_callback(0, len(todo), "extracting claims")

    def _written(key: str) -> None:
        nonlocal processed
        processed += 1
        _tick(key)
    try:
        for article in [a for a in todo if a.status != "ok"]:
            _write_article(ws, audit_id, article, positions[article.key], article.status,
                           article.message, [])
            processed += 1
            _tick(article.key)
        ready = [a for a in todo if a.status == "ok"]
        if ray is not None and ready:
            from verify.batch.rayaudit import audit_on_ray

            audit_on_ray(ws, ray, audit_id, ready, positions, threshold=threshold,
                         scorer=scorer, nlp=nlp, verifier=verifier, written=_written)
            ready = []
        for i in range(0, len(ready), EXTRACT_CHUNK):
            chunk = ready[i:i + EXTRACT_CHUNK]
            extractions = extract_chunk([a.text for a in chunk], scorer, threshold, nlp)
            for article, extraction in zip(chunk, extractions, strict=True):
                _process_article(ws, audit_id, article, positions[article.key], extraction,
                                 scorer, threshold, verify_many, nlp, cache, memo, matcher)
                processed += 1
                _tick(article.key)
    finally:
        if bar:
            bar.close()
        if pool:
            pool.shutdown(wait=True)
    ws.store.execute("UPDATE audits SET status = 'done', finished_at = ? WHERE audit_id = ?",
                     [dt.datetime.now(), audit_id])
    result = load_audit(ws, audit_id)
    result.skipped, result.processed = skipped, processed
    if out is not None or claimreview is not None:
        from verify.audit.reports import write_reports

        targets = [out] if isinstance(out, str | os.PathLike) else list(out or [])
        result.outputs = write_reports(result, targets, formats=formats, claimreview=claimreview,
                                       reviewer_org=reviewer_org, report_url=report_url)
    return result


def extract_chunk(texts: Sequence[str], scorer: Scorer | None, threshold: float | None,
                  nlp: Any = None) -> list[Extraction | None]:
    """``extract_claims_batch`` over one chunk of articles; ``None`` for each article when
    the batch fails (each is then retried alone by :func:`extract_alone`)."""
    try:
        made: list[Extraction | None] = list(
            extract_claims_batch(list(texts), scorer=scorer, threshold=threshold, nlp=nlp))
    except ModelLoadError:
        raise
    except Exception as exc:
        log.warning("claim extraction failed for a batch, retrying one by one: %s", exc)
        return [None] * len(texts)
    return made


def extract_alone(article: Article, extraction: Extraction | None, scorer: Scorer | None,
                  threshold: float | None, nlp: Any = None) -> Extraction | str:
    """The article's extraction (made alone when the batch failed), or why it failed."""
    if extraction is not None:
        return extraction
    try:
        return extract_claims_batch([article.text], scorer=scorer, threshold=threshold,
                                    nlp=nlp)[0]
    except ModelLoadError:
        raise
    except Exception as exc:
        log.warning("claim extraction failed for %s: %s", article.key, exc)
        return f"claim extraction failed: {exc}"


def triage(extraction: Extraction | str) -> tuple[str, str, list[tuple[int, int, float]]] | None:
    """``(status, message, sentence scores)`` of an article with nothing to verify (extraction
    failed, no sentences, no check-worthy claims); ``None`` when it has claims."""
    if isinstance(extraction, str):
        return FAILED, extraction, []
    if not extraction.sentences:
        return EMPTY, "no sentences to check", []
    scores = [(s.start, s.end, s.score) for s in extraction.sentences]
    if not extraction.claims:
        return (NO_CLAIMS, f"no check-worthy sentences (threshold {extraction.threshold:.2f})",
                scores)
    return None


def verification_failed(exc: Exception) -> str:
    """The message an article gets when verifying its claims raised ``exc``."""
    return f"verification failed: {type(exc).__name__}: {exc}"


def done_message(extraction: Extraction) -> str:
    """The message of an article whose claims were all verified."""
    return f"{len(extraction.claims)} claims from {len(extraction.sentences)} sentences"


def _process_article(ws: Workspace, audit_id: str, article: Article, position: int,
                     extraction: Extraction | None, scorer: Scorer | None,
                     threshold: float | None, verify_many: BatchVerifier | None,
                     nlp: Any = None, cache: _CachedEmbedder | None = None,
                     memo: dict[str, CheckResult] | None = None,
                     matcher: ArchiveMatcher | None = None) -> None:
    """Extract (if not done in the batch), verify, match against the fact-check archive
    and store one article."""
    made = extract_alone(article, extraction, scorer, threshold, nlp)
    nothing = triage(made)
    if nothing is not None or isinstance(made, str):
        status, message, scores = nothing or (FAILED, str(made), [])
        _write_article(ws, audit_id, article, position, status, message, [], scores=scores)
        return
    extraction = made
    scores = [(s.start, s.end, s.score) for s in extraction.sentences]
    try:
        if cache is not None:
            cache.clear()
            cache.prime([c.claim_text for c in extraction.claims])
        if verify_many is None:
            raise WorkspaceError("internal: no verifier for an article with claims")
        results = _verify_claims(extraction.claims, verify_many, memo)
    except (ModelLoadError, WorkspaceError):
        raise                  # a missing model or index fails every article: stop, clearly
    except Exception as exc:   # the article is marked failed and retried on resume
        log.warning("verification failed for %s: %s", article.key, exc)
        _write_article(ws, audit_id, article, position, FAILED, verification_failed(exc), [],
                       scores=scores)
        return
    rows = [(claim_report(c, r, earlier=matcher(c.claim_text) if matcher else ()), r)
            for c, r in zip(extraction.claims, results, strict=True)]
    _write_article(ws, audit_id, article, position, DONE, done_message(extraction), rows,
                   scores=scores)


def list_audits(ws: Workspace, limit: int = 200) -> list[dict[str, Any]]:
    """Past audits, newest first, with article and claim counts (for the History page).

    [a["audit_id"] for a in list_audits(ws)]
    # -> ['aud_3f2c...']
    """
    with ws.store.cursor() as cur:
        rows = cur.fetchall(
            """
            SELECT a.audit_id, a.status, a.created_at, a.finished_at, a.inputs,
                   (SELECT count(*) FROM audit_articles x WHERE x.audit_id = a.audit_id) AS articles,
                   (SELECT count(*) FROM audit_claims c WHERE c.audit_id = a.audit_id) AS claims,
                   (SELECT string_agg(coalesce(x.title, x.file_path, x.article_key), '; ')
                      FROM audit_articles x WHERE x.audit_id = a.audit_id) AS title
            FROM audits a ORDER BY a.created_at DESC LIMIT ?
            """,
            [limit])
    keys = ("audit_id", "status", "created_at", "finished_at", "inputs", "articles", "claims", "title")
    return [dict(zip(keys, row, strict=True)) for row in rows]
