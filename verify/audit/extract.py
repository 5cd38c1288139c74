"""Claim extraction: sentences with offsets, check-worthiness scores, self-contained
claim text (obvious references resolved) and one claim per figure where a
sentence packs several.

Example:
    from verify.audit.extract import extract_claims
    result = extract_claims("IS-K grew fast. It had 800 fighters in 2018.")
    [c.claim_text for c in result.claims]
    # -> ['IS-K had 800 fighters in 2018.']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Scorer = Callable[[Sequence[str], Sequence[Any]], np.ndarray]

ACTOR_LABELS = ("PERSON", "ORG", "GPE", "NORP")
FIGURE_LABELS = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY")
MIN_WORDS = 4

# pronoun / definite description -> entity labels it may refer to, in preference order
PRONOUNS: dict[str, tuple[str, ...]] = {
    "he": ("PERSON",), "she": ("PERSON",), "his": ("PERSON",),
    "it": ("ORG", "GPE"), "its": ("ORG", "GPE", "NORP"),
    "they": ("ORG", "NORP"), "their": ("ORG", "NORP"),
}
POSSESSIVE = {"his", "its", "their"}
DEFINITES: dict[str, tuple[str, ...]] = {
    "group": ("ORG", "NORP"), "militants": ("ORG", "NORP"), "organisation": ("ORG",),
    "organization": ("ORG",), "movement": ("ORG", "NORP"), "insurgents": ("ORG", "NORP"),
    "company": ("ORG",), "agency": ("ORG",), "ministry": ("ORG",),
    "government": ("GPE", "ORG"), "country": ("GPE",),
    "president": ("PERSON",), "minister": ("PERSON",), "spokesman": ("PERSON",),
}
EVENT_NOUNS: dict[str, tuple[str, ...]] = {
    "deal": ("deal", "agreement", "accord"), "agreement": ("agreement", "deal", "accord"),
    "accord": ("accord", "agreement", "deal"), "attack": ("attack", "assault", "raid", "bombing"),
    "assault": ("assault", "attack", "raid"), "raid": ("raid", "attack", "assault"),
    "bombing": ("bombing", "attack"), "operation": ("operation", "offensive"),
    "offensive": ("offensive", "operation"), "report": ("report", "study", "estimate"),
    "study": ("study", "report"),
}
_REFERENCE = re.compile(
    r"\b(?:(?P<pron>he|she|his|it|its|they|their)|"
    r"the (?P<noun>" + "|".join(sorted({*DEFINITES, *EVENT_NOUNS}, key=len, reverse=True)) + r"))\b",
    re.IGNORECASE)
_EXPLETIVE_IT = re.compile(r"\s*(?:is|was|'s|has been|had been|seems|seemed|appears|remains)\b"
                           r"[^.;]{0,60}?\b(?:that|to|whether|how|why|when)\b", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z](?:-[A-Z0-9]+)*\b|\b[A-Z]{2,}-[A-Z0-9]+\b")
_POSSESSIVE_END = re.compile(r"['\u2019]s?$")
_CLAUSE_WORDS = {"and", "but", "while", "whereas", "although", "though"}
_SUBJECT_BREAK = {"that", "which", "who", "whom", ",", ";", ":"}


@dataclass(frozen=True)
class Rewrite:
    """A reference replaced to make a claim self-contained (offsets into the article)."""

    start: int
    end: int
    original: str
    replacement: str


@dataclass(frozen=True)
class Claim:
    """One check-worthy claim found in an article."""

    index: int
    sentence: str
    sentence_start: int
    sentence_end: int
    claim_text: str
    checkworthiness: float
    claim_start: int                  # the part of the sentence this claim covers
    claim_end: int
    figure: str | None = None         # the figure this claim isolates when a sentence was split
    rewrites: tuple[Rewrite, ...] = ()


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence, its offsets and its check-worthiness score."""

    start: int
    end: int
    text: str
    score: float
    checkworthy: bool


@dataclass
class Extraction:
    """Sentences and claims of one article."""

    sentences: list[ScoredSentence] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    threshold: float = 0.5


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans from the ingestion splitter (so offsets agree with the corpus)."""
    try:
        from verify.ingest import split_sentences
    except ImportError:  # pragma: no cover - until verify.ingest exports it
        from verify.ingest.sentences import split_sentences
    return split_sentences(text)


def _is_candidate(sentence: str) -> bool:
    """Skip fragments: fewer than four words or no letters."""
    return len(sentence.split()) >= MIN_WORDS and any(ch.isalpha() for ch in sentence)


def _sentence_span(doc: Any, start: int, end: int) -> Any:
    """The spaCy span covering [start, end) (expanded to token boundaries)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span if span is not None else doc[0:0]


# ---- reference resolution ----------------------------------------------------------
def _entity_mentions(doc: Any) -> list[tuple[int, int, str, str]]:
    """(start, end, text, label) of actor entities in article order.

    spaCy's ORG/GPE/PERSON/NORP entities, plus acronyms it missed (IS-K, CSIS) as ORG.
    """
    out: list[tuple[int, int, str, str]] = []
    for e in doc.ents:
        name = e.text.strip(" .,;:\"")
        start = e.start_char
        if name.lower().startswith("the "):
            name, start = name[4:], start + 4
        name = _POSSESSIVE_END.sub("", name).strip(" '")
        if e.label_ in ACTOR_LABELS and any(ch.isalpha() for ch in name):
            out.append((start, start + len(name), name, e.label_))
    taken = [(a, b) for a, b, _, _ in out]
    for m in _ACRONYM.finditer(doc.text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            out.append((m.start(), m.end(), m.group(0), "ORG"))
    return sorted(out)


def _pick_entity(mentions: list[tuple[int, int, str, str]], labels: tuple[str, ...],
                 before: int, window_start: int,
                 sentence_starts: frozenset[int] = frozenset(),
                 text: str = "") -> tuple[int, int, str, str] | None:
    """The antecedent: a PERSON is the most recent one; a group or place the most salient
    recent one (preferred label first, then mentions so far, subjects counting double)."""
    prior = [m for m in mentions if m[1] <= before and m[3] in labels]
    if not prior:
        return None
    recent = [m for m in prior if m[0] >= window_start] or prior[-1:]
    if labels[0] == "PERSON":
        return recent[-1]
    counts: dict[str, float] = {}
    for m in prior:   # subjects count double, possessive modifiers ("X's branch") half
        weight = 2.0 if m[0] in sentence_starts or m[0] - 4 in sentence_starts else 1.0
        if text[m[1]:m[1] + 2] in ("'s", "\u2019s"):
            weight /= 2
        counts[m[2]] = counts.get(m[2], 0.0) + weight
    pref = {lbl: i for i, lbl in enumerate(labels)}
    return max(enumerate(recent),
               key=lambda im: (-pref[im[1][3]], counts[im[1][2]], im[0]))[1]


def _event_phrase(doc: Any, nouns: tuple[str, ...], before: int,
                  window_start: int) -> str | None:
    """A specific earlier mention of the event ('the February 29 agreement between ...')."""
    best: str | None = None
    for tok in doc:
        if tok.idx >= before or tok.idx < window_start or tok.lower_ not in nouns:
            continue
        i = tok.i
        left = i
        while left > 0 and (doc[left - 1].tag_ in ("NNP", "NNPS", "CD", "HYPH", "POS")
                            or (doc[left - 1].tag_ == "JJ" and doc[left - 1].text[:1].isupper())):
            left -= 1
        right = i + 1
        preps = 0
        if right < len(doc) and doc[right].tag_ == "IN" and doc[right].lower_ in (
                "between", "with", "on", "in", "at", "against", "of", "by"):
            right += 1
            preps = 1
            while right < len(doc) and right - i < 12:
                t = doc[right]
                if t.tag_ in ("DT", "NNP", "NNPS", "NN", "NNS", "CD", "HYPH", "POS") or (
                        t.lower_ == "and" and right + 1 < len(doc)
                        and doc[right + 1].tag_ in ("DT", "NNP", "NNPS")):
                    right += 1
                    continue
                break
        phrase_tokens = doc[left:right]
        specific = any(t.tag_ in ("NNP", "NNPS", "CD") for t in phrase_tokens)
        if not specific:
            continue
        if preps and phrase_tokens[-1].tag_ in ("IN", "DT", "CC"):
            phrase_tokens = doc[left:right - 1]
        best = phrase_tokens.text
    if best is None:
        return None
    return best if best.lower().startswith("the ") else f"the {best}"


def find_rewrites(doc: Any, mentions: list[tuple[int, int, str, str]],
                  spans: list[tuple[int, int]], s_index: int) -> list[Rewrite]:
    """Rewrites that make sentence ``s_index`` self-contained (first mention of each kind)."""
    start, end = spans[s_index]
    sentence = doc.text[start:end]
    window_start = spans[max(0, s_index - 6)][0]
    out: list[Rewrite] = []
    seen: set[str] = set()
    starts = frozenset(a for a, _ in spans)
    for m in _REFERENCE.finditer(sentence):
        word = (m.group("pron") or m.group("noun")).lower()
        if word in seen:
            continue
        m_start, m_end = start + m.start(), start + m.end()
        at_start = m.start() == 0 or not sentence[:m.start()].strip()
        replacement: str | None = None
        if m.group("pron"):
            if word == "it" and _EXPLETIVE_IT.match(sentence, m.end()):
                continue
            if any(start <= a < m_start and lbl in PRONOUNS[word] for a, _, _, lbl in mentions):
                continue                           # a local antecedent: fine as it is
            ent = _pick_entity(mentions, PRONOUNS[word], m_start, window_start, starts, doc.text)
            if ent is None or ent[0] >= start:
                continue
            name = ent[2]
            replacement = f"{name}'s" if word in POSSESSIVE else name
        elif word in EVENT_NOUNS:
            phrase = _event_phrase(doc, EVENT_NOUNS[word], start, window_start)
            if phrase is None or phrase.lower()[4:] in sentence.lower():
                continue
            replacement = phrase
        else:
            ent = _pick_entity(mentions, DEFINITES[word], m_start, window_start, starts, doc.text)
            if ent is None or ent[0] >= start or ent[2].lower() in sentence.lower():
                continue
            name = ent[2]
            replacement = name if ent[3] != "NORP" else f"the {name} {word}"
            if ent[3] == "ORG" and word in ("militants", "insurgents"):
                replacement = f"the {name} {word}"
        if at_start and replacement:
            replacement = replacement[0].upper() + replacement[1:]
        seen.add(word)
        out.append(Rewrite(m_start, m_end, doc.text[m_start:m_end], replacement))
    return out


def render(text: str, ranges: Sequence[tuple[int, int]], rewrites: Sequence[Rewrite]) -> str:
    """Article text over ``ranges`` with rewrites applied; tidied into one sentence."""
    parts: list[str] = []
    for r_start, r_end in ranges:
        cursor = r_start
        for rw in sorted(rewrites, key=lambda r: r.start):
            if rw.start >= cursor and rw.end <= r_end:
                parts.append(text[cursor:rw.start])
                parts.append(rw.replacement)
                cursor = rw.end
        parts.append(text[cursor:r_end])
        parts.append(" ")
    out = " ".join("".join(parts).split())
    out = out.strip(" ,;:-")
    if out and out[0].islower():
        out = out[0].upper() + out[1:]
    if out and out[-1] not in ".!?\"'”’":
        out += "."
    return out


# ---- figure splitting ----------------------------------------------------------------
def _figures(span: Any) -> list[Any]:
    """Figure entities (counts, money, percentages, quantities) in a sentence span."""
    return [e for e in span.ents if e.label_ in FIGURE_LABELS and any(c.isdigit() for c in e.text)]


def _clause_cuts(span: Any) -> list[int]:
    """Token indices (into the doc) where a new coordinated clause starts."""
    cuts: list[int] = []
    toks = list(span)
    for j, tok in enumerate(toks[1:-1], 1):
        nxt = toks[j + 1]
        if tok.text == ";":
            cuts.append(tok.i + 1)
        elif tok.lower_ in _CLAUSE_WORDS and (
                toks[j - 1].text == "," or nxt.tag_.startswith("VB") or nxt.tag_ == "MD"):
            cuts.append(tok.i)
    return cuts


def _subject_tokens(doc: Any, first: tuple[int, int]) -> tuple[int, int] | None:
    """Token range of the subject of the last clause in a segment (before its verb)."""
    start, end = first
    begin = start
    for k in range(start, end):
        if doc[k].lower_ in _SUBJECT_BREAK:
            verb_after = next((j for j in range(k + 1, end) if doc[j].tag_.startswith("VB")
                               or doc[j].tag_ == "MD"), None)
            if verb_after is not None and verb_after > k + 1:
                begin = k + 1
    verb = next((j for j in range(begin, end) if doc[j].tag_.startswith("VB") or doc[j].tag_ == "MD"),
                None)
    if verb is None or verb == begin:
        return None
    return begin, verb


def split_by_figures(doc: Any, span: Any) -> list[tuple[list[tuple[int, int]], str]] | None:
    """Split a sentence with several figures into (char ranges, figure) claims, or None."""
    figures = _figures(span)
    if len(figures) < 2:
        return None
    bounds = [span.start, *_clause_cuts(span), span.end]
    segments = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]
    merged: list[tuple[int, int]] = []
    for seg in segments:
        has_fig = any(seg[0] <= f.start < seg[1] for f in figures)
        if merged and not has_fig:
            merged[-1] = (merged[-1][0], seg[1])
        elif merged and not any(merged[-1][0] <= f.start < merged[-1][1] for f in figures):
            merged[-1] = (merged[-1][0], seg[1])
        else:
            merged.append(seg)
    with_figs = [seg for seg in merged if any(seg[0] <= f.start < seg[1] for f in figures)]
    if len(with_figs) < 2:
        return None
    subject = _subject_tokens(doc, with_figs[0])
    out: list[tuple[list[tuple[int, int]], str]] = []
    for n, (a, b) in enumerate(with_figs):
        while a < b and (doc[a].lower_ in _CLAUSE_WORDS or doc[a].is_punct):
            a += 1
        if a >= b:
            continue
        fig = next(f.text for f in figures if a <= f.start < b)
        ranges: list[tuple[int, int]] = []
        starts_with_verb = doc[a].tag_.startswith("VB") or doc[a].tag_ == "MD" or doc[a].tag_ == "RB"
        if n > 0 and starts_with_verb and subject is not None:
            ranges.append((doc[subject[0]].idx, doc[subject[1] - 1].idx + len(doc[subject[1] - 1])))
        ranges.append((doc[a].idx, doc[b - 1].idx + len(doc[b - 1])))
        out.append((ranges, fig))
    return out if len(out) >= 2 else None


# ---- the pipeline ----------------------------------------------------------------------
def default_scorer(threshold: float | None = None) -> tuple[Scorer, float]:
    """The shipped model's scorer and its threshold (or the one given)."""
    from verify.audit.checkworthy import load_checkworthy_model

    model = load_checkworthy_model()
    return model.score_docs, (model.threshold if threshold is None else threshold)


def extract_claims_batch(texts: Sequence[str], *, scorer: Scorer | None = None,
                         threshold: float | None = None, resolve: bool = True,
                         split_figures: bool = True, batch_size: int = 16,
                         nlp: Any = None) -> list[Extraction]:
    """Extract claims from several articles: spaCy and embeddings run batched.

    ``nlp`` defaults to the shared spaCy pipeline; tests may pass ``spacy.blank("en")``.
    """
    from verify.audit.nlp import get_nlp

    if scorer is None:
        scorer, threshold = default_scorer(threshold)
    thr = 0.5 if threshold is None else float(threshold)
    nlp = nlp if nlp is not None else get_nlp()
    docs = list(nlp.pipe(list(texts), batch_size=batch_size))
    per_doc_spans: list[list[tuple[int, int]]] = []
    flat_text: list[str] = []
    flat_spans: list[Any] = []
    owners: list[tuple[int, int]] = []
    for d_i, (doc, text) in enumerate(zip(docs, texts, strict=True)):
        spans = _split_sentences(text)
        per_doc_spans.append(spans)
        for s_i, (start, end) in enumerate(spans):
            sentence = text[start:end]
            if _is_candidate(sentence):
                flat_text.append(sentence)
                flat_spans.append(_sentence_span(doc, start, end))
                owners.append((d_i, s_i))
    scores = np.asarray(scorer(flat_text, flat_spans), dtype=np.float32) if flat_text else np.zeros(0)
    by_doc: dict[int, dict[int, float]] = {}
    for (d_i, s_i), score in zip(owners, scores, strict=True):
        by_doc.setdefault(d_i, {})[s_i] = float(score)
    return [_build(docs[d_i], texts[d_i], per_doc_spans[d_i], by_doc.get(d_i, {}), thr,
                   resolve, split_figures) for d_i in range(len(texts))]


def _build(doc: Any, text: str, spans: list[tuple[int, int]], scores: dict[int, float],
           thr: float, resolve: bool, split_figures: bool) -> Extraction:
    """Turn one article's scored sentences into claims."""
    result = Extraction(threshold=thr)
    mentions = _entity_mentions(doc) if resolve else []
    for s_i, (start, end) in enumerate(spans):
        if s_i not in scores:
            continue
        score = scores[s_i]
        worthy = score >= thr
        result.sentences.append(ScoredSentence(start, end, text[start:end], score, worthy))
        if not worthy:
            continue
        rewrites = find_rewrites(doc, mentions, spans, s_i) if resolve else []
        parts = split_by_figures(doc, _sentence_span(doc, start, end)) if split_figures else None
        if parts is None:
            parts = [([(start, end)], None)]  # type: ignore[list-item]
        for ranges, figure in parts:
            used = tuple(rw for rw in rewrites if any(a <= rw.start and rw.end <= b for a, b in ranges))
            claim_text = render(text, ranges, used)
            result.claims.append(Claim(
                index=len(result.claims), sentence=text[start:end], sentence_start=start,
                sentence_end=end, claim_text=claim_text, checkworthiness=round(score, 4),
                claim_start=min(a for a, _ in ranges), claim_end=max(b for _, b in ranges),
                figure=figure, rewrites=used))
    return result


def extract_claims(text: str, **options: Any) -> Extraction:
    """Extract check-worthy, self-contained claims from one article's text."""
    return extract_claims_batch([text], **options)[0]
