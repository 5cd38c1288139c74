"""Verify a claim: retrieve, score stance, compare figures, weigh, decide, save
(saving, reopening and reviews: ``verify.checks.records``).

Everything is read from the ``CheckContext`` given (``verify.checks.context``: settings,
store, embedder, search, reliability); ``Workspace.check`` passes itself.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    result.verdict, round(result.confidence, 2)
    # -> ('SUPPORTED', 0.87)
    load_check(ws, result.check_id).verdict
    # -> 'SUPPORTED'
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

import numpy as np

from verify.checks.aggregate import (
    aggregate,
    all_figures_agree,
    figure_stated,
    independence_factors,
    mark_dissent,
    numeric_adjust,
    reconcile_documents,
    relevance_from_scores,
    reliability_factor,
    settle_stance,
    stale_figures,
)
from verify.checks.calibration import Calibrator, shipped_calibrator
from verify.checks.claim_text import (
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    claim_language,
    normalise_claim,
)
from verify.checks.head import VerdictHead, apply_head, head_versions
from verify.checks.records import save_check
from verify.checks.refutation import (
    claim_names,
    complement_agreement,
    contradiction_cue,
    names_all,
    unmentioned_names,
)
from verify.checks.versions import model_versions
from verify.checks.views import (
    StancePlan,
    combine_stance,
    focus_sentence,
    focus_stance,
    plan_stance,
    score_stance_views,
    turned_claim,
)
from verify.config import Settings
from verify.errors import InputError
from verify.overlap import lexical_overlap, match_spans
from verify.quantities import (
    align_quantities,
    as_of_other_day,
    date_phrases,
    extract_quantities,
    prime_quantities,
    unstated_dates,
)
from verify.types import (
    STANCES,
    CheckResult,
    EvidenceAssessment,
    QuantityAlignment,
    RefuteReason,
    Reliability,
    SearchFilters,
    SearchHit,
    Stance,
)

if TYPE_CHECKING:
    from verify.checks.context import CheckContext
    from verify.embedders import Embedder
    from verify.stance.base import StanceModel

log = logging.getLogger(__name__)

DEFAULT_RELIABILITY = 0.5


# ---------------------------------------------------------------- small helpers
def _reliability(ws: CheckContext, domain: str | None) -> Reliability:
    """A domain's effective reliability; 0.5 while the sources module is missing."""
    try:
        return ws.reliability(domain)
    except (ImportError, AttributeError):
        return Reliability(domain or "", DEFAULT_RELIABILITY,
                           f"no rating system available; default {DEFAULT_RELIABILITY}")


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
                passage_vectors: np.ndarray | None = None,
                focus_probs: np.ndarray | None = None) -> CheckResult:
    """Weigh retrieved passages for a claim and decide; no database access.

    ``stance_probs`` (n, 3) may be given to skip the stance model (benchmarks), with
    ``focus_probs`` (n, 3), the focus-sentence view alone (``stance_views.focus_stance``;
    ``stance_probs`` stands in for it when absent).
    ``passage_vectors`` (n, d), normalised, avoid re-embedding indexed passages; the
    hits' ``dense_score`` is used as claim-passage cosine when every hit has one.
    """
    vs = settings.verdict
    claim = _validate_claim(claim)
    texts = [h.passage.text for h in hits]
    n = len(hits)
    if n and stance_probs is None:
        stance_probs, focus_probs = score_stance_views(
            stance_model, claim, texts, vs.sentence_view_weight, vs.date_view, vs.negation_view)
    probs = np.zeros((0, 3)) if stance_probs is None else np.asarray(stance_probs, dtype=np.float64)
    focus = probs if focus_probs is None else np.asarray(focus_probs, dtype=np.float64)
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
    # and a claim's dates are listed as unconfirmed where a passage names no date at all
    all_alignments = [((as_of_other_day(claim, align_quantities(
                           claim_qs, t, published=hits[i].passage.published_date),
                           hits[i].passage.published_date) if claim_qs else ())
                       + tuple(unstated_dates(claim, t)))
                      if relevance[i] >= vs.min_relevance else ()
                      for i, t in enumerate(texts)]
    all_alignments = reconcile_documents(all_alignments, [h.passage.document_id for h in hits])
    if not date_phrases(claim):
        weighed_dates = [h.passage.published_date if relevance[i] >= vs.min_relevance else None
                         for i, h in enumerate(hits)]
        all_alignments = stale_figures(all_alignments, weighed_dates)
    adjusted_all = [numeric_adjust(probs[i], all_alignments[i], relevance[i], vs)[0]
                    for i in range(n)]
    stated = figure_stated(all_alignments)
    points = [_point_text(claim, t) for t in texts]
    adjusted_all = [_complement_turned(claim, points[i], adjusted_all[i]) for i in range(n)]
    adjusted_all = [_antonym_turned(claim, points[i], adjusted_all[i], all_alignments[i])
                    for i in range(n)]
    unmentioned = unmentioned_names(claim, [t for i, t in enumerate(texts)
                                            if relevance[i] >= vs.min_relevance])
    settled = [settle_stance(adjusted_all[i], all_alignments[i], claim, points[i],
                             float(focus[i][1]), bool(claim_qs), vs, stated, unmentioned)
               for i in range(n)]
    settled = _unnamed_support_silenced(claim, texts, settled)
    stances = [st for st, _, _ in settled]
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
            refute_reason=settled[i][1], stance_note=settled[i][2],
        ))
    evidence = mark_dissent(evidence, vs)
    agg = aggregate(evidence, vs, claim_dated=bool(date_phrases(claim)))
    reason = agg.reason
    if n and (positive := turned_claim(claim, vs.negation_view)):
        reason = f"{reason}; the negated claim was scored as \"{positive}\" and the answer turned round"
    cal = calibrator or shipped_calibrator()
    versions = dict(model_versions or {})
    versions.setdefault("calibrator", cal.version)
    return CheckResult(
        check_id=_new_check_id(), claim=claim, verdict=agg.verdict,
        confidence=cal.predict(agg.verdict, agg.raw_confidence), reason=reason,
        support_score=agg.support_score, refute_score=agg.refute_score,
        evidence=tuple(evidence), decisive_passage_ids=agg.decisive_passage_ids,
        claim_quantities=tuple(q.text for q in claim_qs), model_versions=versions,
        created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    )


def _complement_turned(claim: str, point: str, p: np.ndarray) -> np.ndarray:
    """Supports and refutes swapped where the model reads a negated claim's opposite
    predicate as refuting it ("will not close" against "will stay open")."""
    if p[1] > p[0] and complement_agreement(claim, point):
        return np.asarray([p[1], p[0], p[2]])
    return p


QA_PASSAGE_CHARS = 600


def _point_text(claim: str, text: str) -> str:
    """The text whose words are checked for a refutation's reason: the focus sentence (one
    naming all the claim's proper names, where one does: "close its plant in Brenton", not
    "the Ashford plant will stay open", for a claim about Brenton), or a short
    question-and-answer passage whole ("Did X happen? No. ..."), since its answer only
    means something with its question."""
    if "?" in text and len(text) <= QA_PASSAGE_CHARS:
        return text
    about = (lambda sentence: names_all(claim, sentence)) if claim_names(claim) else None
    return focus_sentence(claim, text, about) or text


STATED_REASONS = frozenset({"figure", "negation", "antonym"})


def _unnamed_support_silenced(claim: str, texts: Sequence[str],
                              settled: Sequence[tuple[Stance, RefuteReason, str]]
                              ) -> list[tuple[Stance, RefuteReason, str]]:
    """A passage that does not name the claim's subject does not support it against one
    that names it and refutes it with a stated reason ("the Ashford plant will stay open" is
    no support for "the Brenton plant will stay open" beside "close its plant in Brenton").
    A model's reading alone is not enough: an encyclopaedia's "she" names no one."""
    out = list(settled)
    names = claim_names(claim)
    if not names or not any(st == "refutes" and why in STATED_REASONS and names_all(claim, texts[i])
                            for i, (st, why, _) in enumerate(settled)):
        return out
    for i, (st, _, _) in enumerate(settled):
        if st == "supports" and not names_all(claim, texts[i]):
            out[i] = ("unrelated", "", f"does not name {', '.join(names)}, which a passage "
                                       "that refutes it does: it speaks of another subject")
    return out


def _antonym_turned(claim: str, point: str, p: np.ndarray,
                    alignments: Sequence[QuantityAlignment]) -> np.ndarray:
    """Supports and refutes swapped where the model reads a sentence that names the claim's
    subject and says the opposite of its predicate as agreeing ("Castellan will close its
    plant in Brenton" against "Castellan's Brenton plant will stay open"): the model sees
    the shared words, not the turned predicate. Only for claims with proper names, and
    never where the claim's figures all agree."""
    if p[0] <= p[1] or not claim_names(claim) or not names_all(claim, point):
        return p
    cue = contradiction_cue(claim, point)
    if cue is None or cue[0] != "antonym" or all_figures_agree(alignments):
        return p
    return np.asarray([p[1], p[0], p[2]])


def _stored_vectors(ws: CheckContext, hits: Sequence[SearchHit]) -> np.ndarray | None:
    """The indexed vectors of the hits' passages (None when the index cannot give them)."""
    if not hits:
        return None
    index = getattr(ws, "loaded_index", None)
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


def check_claim(ws: CheckContext, claim: str, *, k: int | None = None,
                filters: SearchFilters | None = None, save: bool = True) -> CheckResult:
    """Verify one claim against the workspace's corpus and (by default) save the result.

    Example:
        r = check_claim(ws, "The Jalalabad prison held 17,000 prisoners")
        r.verdict, r.evidence[0].alignments[0].status
        # -> ('REFUTED', 'mismatch')
    """
    return check_claims(ws, [claim], k=k, filters=filters, save=save)[0]


def check_claims(ws: CheckContext, claims: Sequence[str], *, k: int | None = None,
                 filters: SearchFilters | None = None, save: bool = True) -> list[CheckResult]:
    """Verify several claims at once: the same results as ``check_claim`` on each, with
    the stance model run over every (claim, passage) pair in one length-sorted batch.

    Example:
        rs = check_claims(ws, ["IS-K killed 338 civilians", "The prison held 17,000"])
        [r.verdict for r in rs]
        # -> ['SUPPORTED', 'REFUTED']

    Each claim is first cleaned of markup noise (control characters, escape codes,
    zero-width characters, HTML entities, footnote markers; the claim as given is kept in
    ``claim_as_given``); a claim in a language the models do not read gets NOT ENOUGH
    EVIDENCE with that reason and is never scored (``verify.checks.claim_text``).
    """
    given = [_validate_claim(c) for c in claims]
    if k is not None and k < 1:
        raise InputError(f"k must be at least 1 (got {k})")
    cleaned = [_normalised(c) for c in given]
    languages = [claim_language(c) for c in cleaned]
    readable = [i for i, lang in enumerate(languages) if lang in SUPPORTED_LANGUAGES]
    as_given = [raw if raw != clean else None for raw, clean in zip(given, cleaned, strict=True)]
    done = (_check_readable(ws, [cleaned[i] for i in readable], [as_given[i] for i in readable],
                            k, filters, save) if readable else [])
    by_position = dict(zip(readable, done, strict=True))
    return [by_position.get(i) or _unreadable(ws, cleaned[i], as_given[i], languages[i], save,
                                              filters) for i in range(len(given))]


def _normalised(claim: str) -> str:
    """The claim cleaned of markup noise (``verify.checks.claim_text``), or InputError if nothing
    is left of it."""
    text = normalise_claim(claim)
    if not text:
        raise InputError(f"the claim {claim[:60]!r} has no words once control characters and "
                         "footnote markers are removed")
    return text


def _unreadable(ws: CheckContext, claim: str, as_given: str | None, language: str, save: bool,
                filters: SearchFilters | None) -> CheckResult:
    """NOT ENOUGH EVIDENCE for a claim in a language the models do not read, saying so."""
    cal = shipped_calibrator()
    result = CheckResult(
        check_id=_new_check_id(), claim=claim, verdict="NOT ENOUGH EVIDENCE",
        confidence=cal.predict("NOT ENOUGH EVIDENCE", 1.0),
        reason=(f"the claim looks {LANGUAGE_NAMES.get(language, language)} ({language}); verify's "
                "models read English only, so no verdict is given (figures alone never decide one)"),
        support_score=0.0, refute_score=0.0, evidence=(), decisive_passage_ids=(),
        claim_quantities=(), model_versions={"calibrator": cal.version},
        created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), language=language,
        claim_as_given=as_given)
    if save:
        save_check(ws, result, filters=filters)
    return result


def _check_readable(ws: CheckContext, texts: list[str], as_given: list[str | None], k: int | None,
                    filters: SearchFilters | None, save: bool) -> list[CheckResult]:
    """``check_claims`` for cleaned claims in a language the models read."""
    from verify.stance import get_stance_model

    model = get_stance_model(ws.settings.stance_model)
    weight = ws.settings.verdict.sentence_view_weight
    from verify.retrieval import evidence_search

    per_source = ws.settings.verdict.evidence_per_source
    all_hits = [evidence_search(ws, c, k or ws.settings.verdict.evidence_k, filters, per_source)
                for c in texts]
    # spaCy in batches: the claims, then the passages whose figures are compared
    if len(texts) > 1:
        prime_quantities(texts)
    prime_quantities([h.passage.text for claim, hits in zip(texts, all_hits, strict=True)
                      if extract_quantities(claim) for h in hits
                      if _worth_scoring(claim, h, ws.settings)])
    pair_claims: list[str] = []
    pair_texts: list[str] = []
    layout: list[tuple[int, list[int], StancePlan]] = []
    for claim, hits in zip(texts, all_hits, strict=True):
        scored = [i for i, h in enumerate(hits) if _worth_scoring(claim, h, ws.settings)]
        plan = plan_stance(claim, [hits[i].passage.text for i in scored], weight,
                           ws.settings.verdict.date_view, ws.settings.verdict.negation_view)
        layout.append((len(pair_texts), scored, plan))
        pair_claims.extend(plan.claims)
        pair_texts.extend(plan.texts)
    out = (np.asarray(model.predict_distinct(pair_claims, pair_texts), dtype=np.float64)
           if pair_texts else np.zeros((0, 3)))
    cache: dict[str | None, Reliability] = {}

    def reliability(domain: str | None) -> Reliability:
        if domain not in cache:
            cache[domain] = _reliability(ws, domain)
        return cache[domain]

    versions = model_versions(ws, model)
    head, head_problem = _learned_head(ws, versions)
    results: list[CheckResult] = []
    for claim, given, hits, (offset, scored, plan) in zip(texts, as_given, all_hits, layout,
                                                          strict=True):
        n = len(hits)
        probs = np.tile(UNSCORED, (n, 1))
        focus = probs.copy()
        if scored:
            answers = out[offset:offset + len(plan.texts)]
            probs[scored] = combine_stance(answers, plan)
            focus[scored] = focus_stance(answers, plan)
        result = assess_hits(claim, hits, stance_model=model,
                             embedder=ws.embedder if hits else None, settings=ws.settings,
                             reliability=reliability, model_versions=versions,
                             stance_probs=probs if n else None,
                             passage_vectors=_stored_vectors(ws, hits),
                             focus_probs=focus if n else None)
        if head is not None:
            result = apply_head(result, head)
        elif head_problem:
            result = replace(result, reason=f"{result.reason}; {head_problem}")
        if given is not None:
            result = replace(result, claim_as_given=given)
        if save:
            save_check(ws, result, filters=filters)
        results.append(result)
    return results


def _learned_head(ws: CheckContext, versions: dict[str, str]) -> tuple[VerdictHead | None, str]:
    """The workspace's active learned head when it fits this run, else why not (or "")."""
    if not ws.settings.verdict.learned_head:
        return None, ""
    from verify.checks.learned import active_head

    head = active_head(ws)
    if head is None:
        return None, ""
    problem = head.fits(head_versions(versions, asdict(ws.settings.verdict)))
    if problem is None:
        return head, ""
    log.warning("learned verdict head %s not used: %s", head.head_id, problem)
    return None, f"the desk's learned head {head.head_id} was not used ({problem})"
