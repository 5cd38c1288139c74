"""Fast, offset-preserving sentence splitting (regex, no model).

Handles common abbreviations (Dr., Jan., e.g.), dotted acronyms (U.S.), initials
(J. Smith), decimals (1.2 million) and paragraph breaks.

Example:
    >>> text = "Dr. Okafor met U.S. officials on Jan. 5. They agreed."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Dr. Okafor met U.S. officials on Jan. 5.', 'They agreed.']
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt maj sgt capt cpl adm cmdr gov sen rep rev
    pres supt insp det hon amb messrs fr
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    dept div est approx ca cf vs al inc ltd co corp bros assn univ ave blvd rd hwy apt mln bn
    """.split()
)
# Abbreviations that are only abbreviations before a number ("No. 5", "p. 12").
NUMBER_ABBREVIATIONS = frozenset("no nos vol vols pp p fig figs ch art sec op".split())
SENTENCE_STARTERS = frozenset(
    "the a an it he she they we i this that these those but and in on at after before "
    "when while however there his her its their our officials".split()
)

# A sentence-ending run: terminal punctuation plus closing quotes/brackets.
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
_NEXT = re.compile(r"\s+([\"'\u201c\u2018(\[]?)(\S)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.\-]*)$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_PARA = re.compile(r"\n[ \t]*\n\s*")
_BULLET = re.compile(r"\n(?=[ \t]*(?:[-*\u2022]|\d{1,3}[.)])\s)")
_NON_SPACE = re.compile(r"\S")


def _is_boundary(text: str, end_start: int, end_stop: int) -> bool:
    """Decide whether the punctuation run at ``text[end_start:end_stop]`` ends a sentence."""
    run = text[end_start:end_stop]
    nxt = _NEXT.match(text, end_stop)
    if nxt is None:
        return end_stop >= len(text.rstrip())
    first = nxt.group(2)
    if "\n\n" in text[end_stop:nxt.start(2)]:
        return True
    if not (first.isupper() or first.isdigit() or nxt.group(1)):
        return False
    if run[0] != ".":
        return True
    if run.startswith("..") or run[-1] != ".":
        return True  # an ellipsis, or a period inside closing quotes: 'said "no." Then'
    word_match = _WORD_BEFORE.search(text, max(0, end_start - 40), end_start)
    if word_match is None:
        return True
    word = word_match.group(1)
    low = word.lower().rstrip(".")
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    if _DOTTED.match(word):  # U.S, e.g, a.m: end only before a clear sentence start
        nxt_word = re.match(r"[A-Za-z]+", text[nxt.start(2):nxt.start(2) + 20])
        return bool(nxt_word and nxt_word.group(0).lower() in SENTENCE_STARTERS)
    if low in ABBREVIATIONS:
        return False
    if low in NUMBER_ABBREVIATIONS and first.isdigit():
        return False
    return True


def _split_block(text: str, start: int, stop: int, out: list[tuple[int, int]]) -> None:
    """Split ``text[start:stop]`` (no paragraph breaks inside) into sentences."""
    cursor = start
    for match in _END.finditer(text, start, stop):
        if _is_boundary(text, match.start(), match.end()):
            _emit(text, cursor, match.end(), out)
            cursor = match.end()
    _emit(text, cursor, stop, out)


def _emit(text: str, start: int, stop: int, out: list[tuple[int, int]]) -> None:
    """Append the span with surrounding whitespace trimmed, if not empty."""
    first = _NON_SPACE.search(text, start, stop)
    if first is None:
        return
    end = stop
    while end > first.start() and text[end - 1].isspace():
        end -= 1
    out.append((first.start(), end))


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs and list items: spans that no sentence may cross."""
    cuts = sorted({m.start() for m in _PARA.finditer(text)} | {m.start() for m in _BULLET.finditer(text)})
    spans, cursor = [], 0
    for cut in cuts:
        spans.append((cursor, cut))
        cursor = cut
    spans.append((cursor, len(text)))
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``; ``text[start:end]`` is the sentence."""
    out: list[tuple[int, int]] = []
    for start, stop in _blocks(text):
        _split_block(text, start, stop, out)
    return out
