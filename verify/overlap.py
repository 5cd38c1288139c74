"""Word overlap between a claim and a passage: content words, crude stems, match spans.

Example:
    >>> round(lexical_overlap("IS-K killed 338 civilians", "IS-K has killed 338 civilians."), 2)
    1.0
    >>> match_spans("338 civilians", "It killed 338 civilians.")
    ((10, 23),)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from verify.types import QuantityAlignment

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
def stem(word: str) -> str:
    """A word's crude stem, as overlap and spans compare words ("killed" -> "kill")."""
    return _stem(word)


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
