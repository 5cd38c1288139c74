"""Evidence aggregation: weigh each passage, apply numeric reasoning, decide a verdict.

Pure functions over numbers and shared types, so the rules can be tested with
constructed evidence. ``verify.checks.pipeline`` feeds them real retrieval and model output.
The rules and every threshold are described in ``docs/verdicts.md``.

Example:
    >>> from verify.config import VerdictSettings
    >>> decide(0.8, 0.05, VerdictSettings())[0]
    'SUPPORTED'
    >>> decide(0.1, 0.1, VerdictSettings())[0]
    'NOT ENOUGH EVIDENCE'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from verify.checks.refutation import carries_point, complement_agreement, contradiction_cue
from verify.config import VerdictSettings
from verify.quantities import counts_other_thing
from verify.types import (
    STANCES,
    EvidenceAssessment,
    QuantityAlignment,
    RefuteReason,
    Stance,
    VerdictLabel,
)


@dataclass(frozen=True)
class Aggregate:
    """The verdict on a claim before calibration."""

    verdict: VerdictLabel
    support_score: float
    refute_score: float
    raw_confidence: float
    reason: str
    decisive_passage_ids: tuple[int, ...]


def relevance_from_scores(cosine: float | None, lexical_overlap: float,
                          settings: VerdictSettings) -> float:
    """Map claim-passage cosine and content-word overlap to a relevance in [0, 1]."""
    lo, hi = settings.relevance_cosine_floor, settings.relevance_cosine_ceiling
    dense = 0.0 if cosine is None else min(1.0, max(0.0, (cosine - lo) / (hi - lo)))
    w = settings.relevance_lexical_share
    return float(min(1.0, max(0.0, (1.0 - w) * dense + w * lexical_overlap)))


def reliability_factor(reliability: float, settings: VerdictSettings) -> float:
    """How much a source's reliability scales its evidence: floor + (1 - floor) * r."""
    floor = settings.reliability_floor
    return floor + (1.0 - floor) * min(1.0, max(0.0, reliability))


def strong_alignment(a: QuantityAlignment) -> bool:
    """Both figures name what they count and say the same of it (the alignment is not a
    guess)."""
    return a.claim_unit is not None and a.evidence_unit is not None and a.same_predicate


def numeric_adjust(probs: Sequence[float], alignments: Sequence[QuantityAlignment],
                   relevance: float, settings: VerdictSettings) -> tuple[np.ndarray, str]:
    """Apply figure comparisons to stance probabilities; returns new probs and a note.

    A clear mismatch on the same counted thing (same scope) refutes even when the
    model says supports; agreeing figures move unrelated mass to supports; figures
    about a different time move mass away from both sides.
    """
    p = np.asarray(probs, dtype=np.float64).copy()
    if not alignments or relevance < settings.min_relevance:
        return p, ""
    mismatched = [a for a in alignments if a.status == "mismatch"]
    matched = [a for a in alignments if a.status == "match"]
    scoped = [a for a in alignments if a.status == "different_scope"]
    if (a := figure_mismatch(alignments)) is not None:
        strength = settings.numeric_mismatch_weight * (1.0 if strong_alignment(a) else 0.6)
        if p[1] < strength:
            moved = strength - p[1]
            take_s = min(p[0], moved)
            p[0] -= take_s
            p[2] = max(0.0, p[2] - (moved - take_s))
            p[1] = strength
        return _normalise(p), f"figure mismatch: claim {a.claim_text} vs evidence {a.evidence_text}"
    if matched and not mismatched:
        strong = any(strong_alignment(a) for a in matched)
        if p[0] >= p[1]:
            share = settings.numeric_match_boost if strong else settings.numeric_match_boost / 2
            moved = p[2] * share
            p[0] += moved
            p[2] -= moved
        if (all_figures_agree(alignments) and p[1] < settings.strong_refute
                and p[0] < settings.numeric_match_support):
            # every figure of the claim stated on the same counted thing, at the same time:
            # a paraphrase the model misses ("800 fighters" ~ "strength ... 800 militants")
            moved = settings.numeric_match_support - p[0]
            take_u = min(p[2], moved)
            p[2] -= take_u
            p[1] = max(0.0, p[1] - (moved - take_u))
            p[0] = settings.numeric_match_support
        a = matched[0]
        return _normalise(p), f"figures agree: {a.claim_text} = {a.evidence_text}"
    if scoped and not matched:
        moved_s, moved_r = p[0] * 0.5, p[1] * 0.5
        p[0] -= moved_s
        p[1] -= moved_r
        p[2] += moved_s + moved_r
        a = scoped[0]
        return _normalise(p), f"different time: {a.note}"
    return p, ""


def figure_mismatch(alignments: Sequence[QuantityAlignment]) -> QuantityAlignment | None:
    """The figure that refutes: a mismatch where both sides name what they count, or any
    mismatch when no figure agrees."""
    mismatched = [a for a in alignments if a.status == "mismatch"]
    strong = [a for a in mismatched if strong_alignment(a)]
    if strong:
        return strong[0]
    if mismatched and not any(a.status == "match" for a in alignments):
        return mismatched[0]
    return None


def counted_figures(alignments: Sequence[QuantityAlignment]) -> list[QuantityAlignment]:
    """The alignments of the claim's figures, its dates left out."""
    return [a for a in alignments if a.claim_unit != "date"]


SMALL_COUNT = 12


def figure_stated(alignments: Sequence[Sequence[QuantityAlignment]]) -> bool:
    """Whether some passage states one of the claim's pointed figures (agreeing or not)."""
    return any(a.status in ("match", "mismatch") and is_pointed(a)
               for row in alignments for a in counted_figures(row))


def is_pointed(a: QuantityAlignment) -> bool:
    """Whether a claim figure is the claim's point, one a source states as a figure: a
    percentage, a sum, a measure, a fraction or a count above a dozen. A small count ("two
    primary types", "played for 6 teams") is often told by listing, not by its number."""
    unit = a.claim_unit or ""
    return (a.claim_value > SMALL_COUNT or a.claim_value != int(a.claim_value)
            or unit == "%" or (len(unit) == 3 and unit.isupper()))


def all_figures_agree(alignments: Sequence[QuantityAlignment]) -> bool:
    """Every figure of the claim has an agreeing figure on the same named thing."""
    figures = counted_figures(alignments)
    return bool(figures) and all(a.status == "match" and strong_alignment(a) for a in figures)


def settle_stance(p: Sequence[float] | np.ndarray, alignments: Sequence[QuantityAlignment],
                  claim: str, sentence: str, focus_refutes: float, claim_has_figures: bool,
                  settings: VerdictSettings, figure_stated: bool = True,
                  unmentioned: Sequence[str] = ()) -> tuple[Stance, RefuteReason, str]:
    """A passage's final stance, why it refutes (``verify.checks.refutation``) and a note.

    A passage the model leans against refutes only with a reason: a differing figure on the
    same counted thing; a negation or antonym in the sentence carrying the claim's point
    (``sentence``, ``verify.checks.refutation.carries_point``); or, for a claim that is not about a
    figure, a model refutes of at least ``strong_refute`` on that sentence alone
    (``focus_refutes``; with ``model_refute_needs_predicate``, only where the sentence
    also names the claim's predicate). A claim about a figure is neither supported nor
    refuted by a passage that states none of its figures, when one of them is its point
    (``is_pointed``) and another passage states it (``figure_stated``: the evidence speaks
    to the figure, so the passages silent on it do not decide it). Otherwise the passage is
    related but silent.
    """
    stance = final_stance(p, settings)
    figures = counted_figures(alignments)
    pointed = [a for a in figures if is_pointed(a)]
    silent_on_figures = bool(claim_has_figures and pointed and figure_stated
                             and all(a.status in ("unaligned", "different_scope") for a in figures))
    if stance == "refutes":
        if (a := figure_mismatch(alignments)) is not None:
            return "refutes", "figure", f"figures differ: {a.claim_text} vs {a.evidence_text}"
        if not settings.refute_needs_reason:
            return "refutes", "model", f"the model reads it as refuting ({float(p[1]):.2f})"
        on_point = not silent_on_figures and carries_point(claim, sentence)
        if on_point and (cue := contradiction_cue(claim, sentence)) is not None:
            return "refutes", cue[0], f"{cue[0]}: {cue[1]}"
        if (not claim_has_figures and focus_refutes >= settings.strong_refute and unmentioned
                and not on_point):
            return "unrelated", "", (f"related but silent: no passage names {unmentioned[0]}, "
                                     "so the model's reading cannot refute it")
        if (not claim_has_figures and focus_refutes >= settings.strong_refute
                and (on_point or not settings.model_refute_needs_predicate)):
            return "refutes", "model", f"its sentence on the claim reads as refuting ({focus_refutes:.2f})"
        return "unrelated", "", (f"related but silent: leans against it ({float(p[1]):.2f}) "
                                 "with no differing figure, negation or clear refuting sentence")
    if stance == "supports":
        if settings.figure_claims_need_figures and silent_on_figures:
            return "unrelated", "", "states none of the claim's figures"
        other = [a for a in figures if counts_other_thing(a)]
        if other and not any(a.status == "match" and is_pointed(a) for a in figures):
            # "412,000 doses" is no support for "412,000 children": the number is right,
            # the thing it counts is not
            return "unrelated", "", other[0].note
        if agreement := complement_agreement(claim, sentence):
            return "supports", "", f"says it with the opposite word: {agreement}"
        cue = contradiction_cue(claim, sentence) if settings.refute_needs_reason else None
        if cue is not None and cue[0] == "antonym" and not all_figures_agree(alignments):
            return "unrelated", "", f"the model leans to support, but its sentence says the opposite ({cue[1]})"
        agreeing = [a for a in figures if a.status == "match"]
        if agreeing:
            return "supports", "", f"figures agree: {agreeing[0].claim_text} = {agreeing[0].evidence_text}"
    return stance, "", ""


def reconcile_documents(alignments: Sequence[tuple[QuantityAlignment, ...]],
                        document_ids: Sequence[int]) -> list[tuple[QuantityAlignment, ...]]:
    """A document that states a claim figure in one passage does not refute it with another
    figure in the next ("2,300 jobs worldwide ... another 600 at the Ashford plant"): such a
    mismatch becomes ``unaligned``, with a note."""
    stated: dict[int, set[tuple[int, int]]] = {}
    for doc, row in zip(document_ids, alignments, strict=True):
        for a in row:
            if a.status == "match" and strong_alignment(a):
                stated.setdefault(doc, set()).add(a.claim_span)
    out = []
    for doc, row in zip(document_ids, alignments, strict=True):
        spans = stated.get(doc, set())
        out.append(tuple(replace(a, status="unaligned",
                                 note=f"the same document states {a.claim_text} elsewhere; "
                                      f"{a.evidence_text} counts something else")
                         if a.status == "mismatch" and a.claim_span in spans else a for a in row))
    return out


STALE_REPORT_DAYS = 365


def stale_figures(alignments: Sequence[tuple[QuantityAlignment, ...]],
                  published: Sequence[dt.date | None]) -> list[tuple[QuantityAlignment, ...]]:
    """A differing figure in a report a year or more older than the newest report weighed
    for the claim speaks of an earlier time ("shares rose 6%" on 2021 results against a
    claim about this week's cuts): its mismatch becomes ``different_scope``, with a note.
    For claims that name no date (a dated claim is compared on its dates)."""
    dates = [d for d in published if d is not None]
    if not dates:
        return list(alignments)
    newest = max(dates)
    out = []
    for row, day in zip(alignments, published, strict=True):
        if day is None or (newest - day).days < STALE_REPORT_DAYS:
            out.append(row)
            continue
        out.append(tuple(replace(a, status="different_scope",
                                 note=f"a report of {day.year}, older than the others "
                                      f"({newest.year}): {a.evidence_text} is of that time")
                         if a.status == "mismatch" else a for a in row))
    return out


def _normalise(p: np.ndarray) -> np.ndarray:
    """Clip to [0, 1] and rescale to sum to 1."""
    p = np.clip(p, 0.0, 1.0)
    total = float(p.sum())
    return p / total if total > 0 else np.asarray([0.0, 0.0, 1.0])


def final_stance(p: Sequence[float] | np.ndarray, settings: VerdictSettings) -> Stance:
    """Supports/refutes only when that side is the most likely and clears the bar."""
    idx = int(np.argmax(p))
    if idx < 2 and p[idx] >= settings.decisive_stance:
        return STANCES[idx]
    return "unrelated"


def independence_factors(order: Sequence[int], passage_ids: Sequence[int],
                         document_ids: Sequence[int], domains: Sequence[str | None],
                         cosine: np.ndarray | None, settings: VerdictSettings,
                         stances: Sequence[str] | None = None
                         ) -> tuple[list[float], list[int | None]]:
    """Discount repeats: near-duplicates, passages of one document, one source again.

    ``order`` lists passage positions best first (the first of a group keeps full
    weight). With ``stances``, repeats are counted side by side: a near-copy, another
    passage of the same document or another document of the same source is a repeat
    only of one taking the same side, so a document's unrelated passage never takes the
    place of the passage of it that supports or refutes the claim.
    Returns, per position, the independence factor and ``duplicate_of``.
    """
    n = len(passage_ids)
    factor = [1.0] * n
    dup_of: list[int | None] = [None] * n
    sides = list(stances) if stances is not None else [""] * n
    kept: list[int] = []
    seen_docs: dict[tuple[str, int], int] = {}
    domain_count: dict[tuple[str, str], int] = {}
    for i in order:
        side = sides[i]
        original = None
        if cosine is not None:
            for j in kept:
                if cosine[i, j] >= settings.duplicate_cosine and sides[j] == side:
                    original = j
                    break
        if original is not None:
            factor[i] = settings.duplicate_discount
            dup_of[i] = passage_ids[original]
        elif (side, document_ids[i]) in seen_docs:
            factor[i] = settings.same_document_discount
            dup_of[i] = passage_ids[seen_docs[side, document_ids[i]]]
        else:
            seen_docs[side, document_ids[i]] = i
            kept.append(i)
            dom = domains[i]
            if dom:
                repeats = domain_count.get((side, dom), 0)
                factor[i] = settings.same_source_discount ** repeats
                domain_count[side, dom] = repeats + 1
    return factor, dup_of


def noisy_or(values: Sequence[float]) -> float:
    """1 - prod(1 - v): the chance at least one piece of evidence holds."""
    return float(1.0 - math.prod(1.0 - min(1.0, max(0.0, v)) for v in values))


def _group_max(items: list[tuple[float, EvidenceAssessment]]) -> list[float]:
    """One contribution per group of repeats (a passage and its duplicates): the largest."""
    best: dict[int, float] = {}
    for value, e in items:
        key = e.duplicate_of if e.duplicate_of is not None else e.passage.passage_id
        best[key] = max(best.get(key, 0.0), value)
    return list(best.values())


def side_masses(evidence: Sequence[EvidenceAssessment]) -> tuple[float, float, list, list]:
    """Weighted support and refute mass over passages whose final stance takes a side
    (a dissent set aside by ``mark_dissent`` counts for neither).

    Each side's mass is the noisy-OR of weight x probability over independent
    passages; a passage and its duplicates count once, by their strongest member.
    """
    sup = [(e.weight * e.p_supports, e) for e in evidence if e.stance == "supports" and not e.dissent]
    ref = [(e.weight * e.p_refutes, e) for e in evidence if e.stance == "refutes" and not e.dissent]
    sup.sort(key=lambda t: -t[0])
    ref.sort(key=lambda t: -t[0])
    return noisy_or(_group_max(sup)), noisy_or(_group_max(ref)), sup, ref


def side_reliability(evidence: Sequence[EvidenceAssessment], stance: Stance) -> float:
    """The reliability of the most reliable source weighed on one side (0 when none)."""
    return max((e.reliability for e in evidence if e.stance == stance and e.weight > 0), default=0.0)


def mark_dissent(evidence: Sequence[EvidenceAssessment], settings: VerdictSettings
                 ) -> list[EvidenceAssessment]:
    """Set aside the side of far less reliable sources as a dissent.

    When both sides have weighed passages, the best source of one side is rated at least
    ``dissent_reliability_gap`` below the best of the other, and the other side has the
    mass to win on its own, the less reliable side is a dissent: named in the reason,
    flagged in the evidence, and counted for neither side. Sources within the gap are
    *comparably reliable*: their disagreement can make CONFLICTING.
    """
    items = list(evidence)
    best = {side: side_reliability(items, side) for side in ("supports", "refutes")}
    if min(best.values()) <= 0.0:
        return items
    high: Stance = "supports" if best["supports"] >= best["refutes"] else "refutes"
    low: Stance = "refutes" if high == "supports" else "supports"
    if best[high] - best[low] < settings.dissent_reliability_gap:
        return items
    support, refute, _, _ = side_masses(items)
    high_mass, needed = ((support, settings.min_support_mass) if high == "supports"
                         else (refute, settings.min_refute_mass))
    if high_mass < needed:
        return items
    note = f"dissent: its best source is rated {best[low]:.2f}, the other side's {best[high]:.2f}"
    return [replace(e, dissent=True, stance_note="; ".join(filter(None, (e.stance_note, note))))
            if e.stance == low and e.weight > 0 else e for e in items]


def _dissent_note(evidence: Sequence[EvidenceAssessment]) -> str:
    """'dissent: blog.net (reliability 0.10) supports it, set aside as far less reliable'."""
    dissent = sorted((e for e in evidence if e.dissent), key=lambda e: -e.weight)
    if not dissent:
        return ""
    sources = list(dict.fromkeys(f"{_source(e)} (reliability {e.reliability:.2f})" for e in dissent))
    verb = "supports" if dissent[0].stance == "supports" else "contradicts"
    if len(sources) > 1:
        verb = verb[:-1] if verb.endswith("s") else verb
    return (f"dissent: {', '.join(sources[:3])} {verb} it, set aside as far less reliable "
            "than the sources that decide it")


# reasons a source states (as against the model's reading of it)
STATED_REASONS = frozenset({"figure", "negation", "antonym"})


# words by which a report says its figure changed since an earlier one
CHANGE_WORDS = re.compile(
    r"\b(?:risen|rose|rises|has reached|have reached|had reached|reached|climbed|climbs|"
    r"increased to|jumped|grew to|has grown|fallen|fell to|dropped to|decreased to|"
    r"revised|updated|latest|stands at|now stands?|up from|down from|no longer)\b", re.IGNORECASE)


def reports_change(e: EvidenceAssessment) -> bool:
    """Whether a passage's sentence stating its figure says the figure changed
    ("has risen to seven", "has reached 31", "revised", "down from")."""
    figures = [a.evidence_text for a in e.alignments
               if a.status in ("mismatch", "match") and a.evidence_text]
    for sentence in re.split(r"(?<=[.!?])\s+", e.passage.text):
        if any(f in sentence for f in figures) and CHANGE_WORDS.search(sentence):
            return True
    return False


def superseding_side(sup: Sequence[tuple[float, EvidenceAssessment]],
                     ref: Sequence[tuple[float, EvidenceAssessment]],
                     settings: VerdictSettings | None = None) -> Stance | None:
    """The side whose figures are the later report, when comparably reliable sources
    disagree on a figure: every dated passage of one side newer than every dated passage
    of the other (a first-day "at least three dead" against a later "seven"), and the newer
    side either says its figure changed (``reports_change``) or is at least
    ``supersede_after_days`` newer. Two reports days apart that give different values
    without a word of change ("about 30 gunmen" / "about a dozen") stay a conflict."""
    after = (settings or VerdictSettings()).supersede_after_days
    dated_sup = [(e.passage.published_date, e) for _, e in sup
                 if e.passage.published_date and any(a.status == "match" for a in e.alignments)]
    dated_ref = [(e.passage.published_date, e) for _, e in ref
                 if e.passage.published_date and e.refute_reason == "figure"]
    if not dated_sup or not dated_ref:
        return None
    sides: tuple[tuple[Stance, list, list], ...] = (
        ("refutes", dated_ref, dated_sup), ("supports", dated_sup, dated_ref))
    for side, new, old in sides:
        first_new, last_old = min(d for d, _ in new), max(d for d, _ in old)
        if first_new > last_old and ((first_new - last_old).days >= after
                                     or any(reports_change(e) for _, e in new)):
            return side
    return None


def decisive_passages(verdict: str, sup: Sequence[tuple[float, EvidenceAssessment]],
                      ref: Sequence[tuple[float, EvidenceAssessment]]) -> list[EvidenceAssessment]:
    """The passages that decided ``verdict``, strongest first, from ``side_masses``'s
    sorted sides: up to 3 of the winning side, 2 of each for CONFLICTING, none else."""
    if verdict == "SUPPORTED":
        return [e for _, e in sup[:3]]
    if verdict == "REFUTED":
        return [e for _, e in ref[:3]]
    if verdict == "CONFLICTING":
        return [e for _, e in sup[:2]] + [e for _, e in ref[:2]]
    return []


def decide(support: float, refute: float, settings: VerdictSettings) -> tuple[VerdictLabel, float]:
    """Verdict and raw (uncalibrated) confidence from the two masses."""
    s_ok = support >= settings.min_support_mass
    r_ok = refute >= settings.min_refute_mass
    lo, hi = min(support, refute), max(support, refute)
    if s_ok and r_ok and hi > 0 and lo / hi >= settings.conflict_ratio:
        return "CONFLICTING", 0.5 * (support + refute) * (lo / hi)
    if s_ok and support >= refute:
        return "SUPPORTED", support * (1.0 - 0.5 * refute)
    if r_ok and refute > support:
        return "REFUTED", refute * (1.0 - 0.5 * support)
    if s_ok:
        return "SUPPORTED", support * (1.0 - 0.5 * refute)
    return "NOT ENOUGH EVIDENCE", 1.0 - max(support, refute)


def _source(e: EvidenceAssessment) -> str:
    """A passage's source for a reason line."""
    return e.passage.domain or e.passage.title or f"passage {e.passage.passage_id}"


def aggregate(evidence: Sequence[EvidenceAssessment], settings: VerdictSettings, *,
              claim_dated: bool = False) -> Aggregate:
    """Combine weighed evidence into a verdict with a one-line reason. A claim that names
    its own date (``claim_dated``) is about that time: later reports never supersede it.

    Example:
        >>> aggregate([], VerdictSettings()).verdict
        'NOT ENOUGH EVIDENCE'
    """
    support, refute, sup, ref = side_masses(evidence)
    verdict, raw = decide(support, refute, settings)
    softened = ""
    if (verdict == "CONFLICTING" and settings.conflict_needs_stated_reason
            and not any(e.refute_reason in STATED_REASONS for _, e in ref)):
        # the only dissent is the model's reading, with no figure, negation or antonym
        # stated: sources that support it are not answered by a source that disagrees
        verdict, raw = "SUPPORTED", support * (1.0 - 0.5 * refute)
        softened = (f"{_source(ref[0][1])} reads against it, but states no differing figure, "
                    "negation or opposite")
    superseded = ""
    if verdict == "CONFLICTING" and settings.later_reports_supersede and not claim_dated:
        later = superseding_side(sup, ref, settings)
        if later is not None:
            verdict, raw = (("REFUTED", refute * (1.0 - 0.5 * support)) if later == "refutes"
                            else ("SUPPORTED", support * (1.0 - 0.5 * refute)))
            old_side = sup if later == "refutes" else ref
            superseded = (f"later reports supersede the earlier figure of "
                          f"{_source(old_side[0][1])} ({old_side[0][1].passage.published_date})")
    dissent = _dissent_note(evidence)
    decisive = decisive_passages(verdict, sup, ref)
    figure_note = ""
    if verdict in ("SUPPORTED", "REFUTED"):
        side, status, verb = ((sup, "match", "support") if verdict == "SUPPORTED"
                              else (ref, "mismatch", "contradict"))
        figure_note = _figure_note(decisive, status)
        indep = sum(1 for _, e in side if e.duplicate_of is None)
        reason = (f"{indep} independent source{'s' if indep != 1 else ''} {verb}{'s' if indep == 1 else ''} "
                  f"it (best: {_source(decisive[0])}, reliability {decisive[0].reliability:.2f})")
    elif verdict == "CONFLICTING":
        reason = (f"sources disagree: {_source(sup[0][1])} supports it "
                  f"(mass {support:.2f}) but {_source(ref[0][1])} contradicts it (mass {refute:.2f})")
    else:
        best = max((e.relevance for e in evidence), default=0.0)
        if not evidence:
            reason = "no passage in the corpus bears on this claim"
        elif best < settings.min_relevance:
            reason = f"no closely related passage in the corpus (best relevance {best:.2f})"
        else:
            reason = (f"related passages neither clearly support nor refute it "
                      f"(support {support:.2f}, refute {refute:.2f})")
            scoped = _figure_note(list(evidence), "different_scope")
            if scoped:
                figure_note = scoped
    if figure_note:
        reason = f"{reason}; {figure_note}"
    if superseded:
        reason = f"{reason}; {superseded}"
    if softened:
        reason = f"{reason}; {softened}"
    if dissent:
        reason = f"{reason}; {dissent}"
    if verdict == "SUPPORTED" and (dates := _unstated_dates(decisive)):
        reason = f"{reason}; none of them states the claim's date ({dates}), so it is unconfirmed"
    return Aggregate(verdict, support, refute, float(raw), reason,
                     tuple(e.passage.passage_id for e in decisive))


def _unstated_dates(evidence: Sequence[EvidenceAssessment]) -> str:
    """The claim's dates, when no passage here names a date (their rows say so)."""
    rows = [[a.claim_text for a in e.alignments if a.claim_unit == "date" and a.status == "unaligned"]
            for e in evidence]
    return ", ".join(rows[0]) if rows and all(rows) else ""


def _figure_note(evidence: Sequence[EvidenceAssessment], status: str) -> str:
    """The first aligned figure pair with the given status, as text."""
    for e in evidence:
        for a in e.alignments:
            if a.status == status:
                sign = {"match": "=", "mismatch": "vs", "different_scope": "vs"}[status]
                word = {"match": "figures agree", "mismatch": "figures differ",
                        "different_scope": "figures refer to a different time"}[status]
                return f"{word}: claim {a.claim_text} {sign} {a.evidence_text} ({_source(e)})"
    return ""


def with_weight(e: EvidenceAssessment, weight: float) -> EvidenceAssessment:
    """A copy of an assessment with another weight."""
    return replace(e, weight=float(weight))
