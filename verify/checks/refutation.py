"""Why a passage refutes a claim: a reason a fact-checker would accept, or none.

A passage the stance model leans against counts as refuting only with one of:

- ``figure``: a figure on the same counted thing, at the same time, that differs
  (``verify.quantities``: 17,000 prisoners vs about 1,700);
- ``negation``: the sentence that carries the claim's point negates what the claim
  affirms, or affirms what it negates ("did not", "denied", "no evidence", "false");
- ``antonym``: that sentence says the opposite of the claim's predicate (rose / fell,
  won / lost, approved / rejected, opened / closed);
- ``model``: the stance model reads that sentence alone as refuting with at least
  ``VerdictSettings.strong_refute``.

A negation or a model refutes counts only where the sentence carries the claim's point
(``carries_point``): its predicate ("dismissed", "started"), a synonym or an opposite;
for a claim about a figure, a figure on the same counted thing.

Otherwise it is *related but silent*: a passage about the same event that does not state
the claim's point ("gunmen stormed the prison" against "300 prisoners remain at large")
counts for neither side.

Example:
    >>> contradiction_cue("Turnout rose to 62 percent", "Turnout fell to 58 percent.")
    ('antonym', 'rose / fell')
    >>> contradiction_cue("The minister resigned", "The minister denied she had resigned.")
    ('negation', 'denied')
    >>> contradiction_cue("The prison held 1,700 inmates", "Gunmen stormed the prison.") is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from verify.overlap import lexical_overlap, stem
from verify.quantities import VERB_GROUPS, date_phrases, spacy_doc
from verify.types import RefuteReason

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_DATE_LEAD = re.compile(r"^(?:in|on|at|since|by|during|until|from|of|as of|the)\s+", re.IGNORECASE)
# words that negate or dispute what a sentence states
NEGATION_WORDS = frozenset({
    "not", "no", "never", "none", "nor", "neither", "nobody", "nothing", "without",
    "deny", "denies", "denied", "denying", "false", "untrue", "incorrect", "baseless",
    "unfounded", "fabricated", "debunked", "refuted", "disputed", "myth", "hoax",
})
_CONTRACTION = re.compile(r"n't\b|n’t\b")

# pairs of opposite predicates, each side as the word forms that express it
ANTONYMS: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in (
        ("rise rises rose risen rising increase increases increased increasing grow grows "
         "grew grown growing climb climbs climbed jump jumped soar soared higher "
         "gain gained doubled tripled",
         "fall falls fell fallen falling decrease decreases decreased decreasing decline "
         "declines declined drop drops dropped shrink shrank shrunk plunge plunged "
         "lower halved"),
        ("win wins won winning victory", "lose loses lost losing defeat defeated"),
        ("approve approves approved approval pass passed adopt adopted accept accepted "
         "ratified ratify", "reject rejects rejected rejection veto vetoed block blocked "
         "refuse refused declined"),
        ("open opens opened opening reopened", "close closes closed closing shut shuts "
         "shutting"),
        ("support supports supported back backed endorse endorsed favour favor",
         "oppose opposes opposed opposition against"),
        ("allow allows allowed permit permits permitted legal lawful legalised legalized",
         "ban bans banned prohibit prohibits prohibited forbid forbids forbidden illegal "
         "unlawful outlawed"),
        ("alive survived survive survives", "dead died killed die dies"),
        ("guilty convicted", "acquitted innocent cleared"),
        ("confirm confirms confirmed", "deny denies denied"),
        ("safe harmless", "unsafe dangerous harmful"),
        ("effective works", "ineffective useless"),
        ("arrive arrived arrives", "left leave leaves departed"),
        ("success succeeded successful", "failure failed fail fails unsuccessful"),
    ))


# opposite predicates with nothing between them: "not closed" is "open", "not guilty" is
# "acquitted" (unlike gradable pairs: "did not rise" is not "fell")
COMPLEMENTARY = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in (
        ("open opens opened opening reopened", "close closes closed closing shut shuts shutting"),
        ("alive survived survive survives", "dead died killed die dies"),
        ("guilty convicted", "acquitted innocent cleared"),
        ("allow allows allowed permit permits permitted legal lawful",
         "ban bans banned prohibit prohibits prohibited forbid forbidden illegal unlawful"),
        ("effective", "ineffective"),
        ("safe", "unsafe"),
    ))


def complement_agreement(claim: str, sentence: str) -> str | None:
    """The words by which a sentence says what a negated claim says, through the opposite
    of its predicate ("will not close" ~ "will stay open"), or None."""
    if not negated(claim) or negated(sentence):
        return None
    cw, sw = _words(claim), _words(sentence)
    for a, b in COMPLEMENTARY:
        for left, right in ((a, b), (b, a)):
            if cw & left and sw & right and not (sw & left) and not (cw & right):
                return f"not {sorted(cw & left)[0]} = {sorted(sw & right)[0]}"
    return None


def _words(text: str) -> set[str]:
    """Lower-cased word forms of a text."""
    return set(_WORD.findall(text.lower()))


def negated(text: str) -> str | None:
    """The first negation cue in a text, or None."""
    low = text.lower()
    if m := _CONTRACTION.search(low):
        return m.group(0)
    for w in _WORD.findall(low):
        if w in NEGATION_WORDS:
            return w
    return None


def contradiction_cue(claim: str, sentence: str) -> tuple[RefuteReason, str] | None:
    """A negation or antonym that sets ``sentence`` against ``claim``, with the words.

    Negation: exactly one of the two is negated. Antonym: the claim uses one side of a
    pair of opposite predicates and the sentence the other, without the claim's side. (An
    antonym and one negation may agree, "will not close" ~ "will stay open", but counting
    them so cost SciFact 1.2 points of macro-F1, so a negation is a cue either way.)
    """
    if complement_agreement(claim, sentence):
        return None
    c_neg, s_neg = negated(claim), negated(sentence)
    if bool(c_neg) != bool(s_neg):
        if c_neg and not names_all(claim, sentence):
            # "X will not close" meets "... close its plant in Brenton": an affirmative
            # sentence about another subject does not deny a negated claim
            return None
        return "negation", (s_neg or c_neg or "")
    cw, sw = _words(claim), _words(sentence)
    for a, b in ANTONYMS:
        for left, right in ((a, b), (b, a)):
            c_side = cw & left
            s_side = sw & right
            if c_side and s_side and not (sw & left) and not (cw & right):
                return "antonym", f"{sorted(c_side)[0]} / {sorted(s_side)[0]}"
    return None


# claims whose main verb is one of these say little by it: their object carries the point
WEAK_PREDICATES = frozenset({"be", "have", "say", "do", "make", "get", "take", "give"})
POINT_OVERLAP = 0.6


@lru_cache(maxsize=2048)
def claim_predicates(claim: str) -> frozenset[str]:
    """Lemmas of the claim's main predicates: the root verb (or the adjective or noun after
    a copula) and verbs joined to it; weak verbs are left out."""
    doc = spacy_doc(claim)
    if doc is None:
        return frozenset()
    out: set[str] = set()
    for tok in doc:
        if tok.dep_ == "ROOT" or (tok.dep_ == "conj" and tok.head.dep_ == "ROOT"):
            if tok.pos_ in ("VERB", "ADJ") and tok.lemma_.lower() not in WEAK_PREDICATES:
                out.add(tok.lemma_.lower())
            out.update(c.lemma_.lower() for c in tok.children
                       if c.dep_ in ("acomp", "attr", "xcomp", "oprd") and c.pos_ in ("ADJ", "VERB"))
    return frozenset(out - WEAK_PREDICATES)


def _senses(word: str) -> set[str]:
    """A predicate's stems with its verb group and its side of each antonym pair, both ways."""
    words = {word}
    for group in VERB_GROUPS:
        if word in group:
            words.update(group)
    for a, b in ANTONYMS:
        if word in a or word in b or any(stem(word) == stem(w) for w in a | b):
            words.update(a | b)
    return {stem(w) for w in words}


def carries_point(claim: str, sentence: str) -> bool:
    """Whether a sentence speaks to the claim's predicate (the word, a synonym or an
    opposite), or, for a claim without one, shares most of its content words."""
    predicates = claim_predicates(claim)
    if not predicates:
        return lexical_overlap(claim, sentence) >= POINT_OVERLAP
    stems = {stem(w) for w in _words(sentence)}
    return any(_senses(p) & stems for p in predicates)


# a wire dateline, "ASHFORD (Meridian Wire) - ", names a place, not the subject
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]+\s*\([^)]{1,40}\)\s*[-–—]\s*")


def claim_names(claim: str) -> tuple[str, ...]:
    """The claim's proper names: capitalised proper nouns, its first word left out
    (capitalised anyway) and acronyms too (a source may spell them out: CKD)."""
    doc = spacy_doc(claim)
    if doc is None:
        return ()
    return tuple(t.text for t in doc
                 if t.pos_ == "PROPN" and t.i > 0 and t.is_alpha and len(t.text) > 2
                 and t.text[0].isupper() and t.text[1:].islower())


def names_all(claim: str, sentence: str) -> bool:
    """Whether a sentence (its dateline left out) names every proper noun of the claim."""
    words = set(_WORD.findall(_DATELINE.sub("", sentence).lower()))
    return all(n.lower() in words for n in claim_names(claim))


def _near_any(word: str, words: set[str]) -> bool:
    """Whether a word, or one a letter away from it (a misspelt name: Hub / Hib), is in
    ``words``."""
    if word in words:
        return True
    n = len(word)
    for other in words:
        if abs(len(other) - n) > 1 or other[:1] != word[:1]:
            continue
        if n == len(other):
            if sum(a != b for a, b in zip(word, other, strict=True)) <= 1:
                return True
        else:
            short, long_ = (word, other) if n < len(other) else (other, word)
            if any(long_[:i] + long_[i + 1:] == short for i in range(len(long_))):
                return True
    return False


def unmentioned_names(claim: str, texts: Sequence[str]) -> tuple[str, ...]:
    """The claim's names (proper nouns) and dates that no passage mentions at all
    ("lowest in the Fenwick district" when no source names Fenwick): on them the evidence
    is silent, whatever the model makes of the rest."""
    if not texts:
        return ()
    corpus = " ".join(texts).lower()
    words = set(_WORD.findall(corpus))
    out: list[str] = []
    dates = date_phrases(claim)
    spans = [span for _, span in dates]
    for name in claim_names(claim):
        at = claim.find(name)
        if not any(s <= at < e for s, e in spans) and not _near_any(name.lower(), words):
            out.append(name)
    for text, _ in dates:
        core = _DATE_LEAD.sub("", text).strip().lower()
        if core and core not in corpus:
            out.append(core)
    return tuple(dict.fromkeys(out))
