"""Group sentences into overlapping passages with exact character offsets.

Each passage is a few sentences (``target_sentences``, at most ``max_words`` words)
and starts with the last sentence of the previous one, so a fact that straddles a
passage boundary is still seen whole. ``text[start:end]`` is always the passage.

Example:
    >>> text = "One. Two. Three. Four. Five."
    >>> [text[s:e] for s, e in make_passages(text, target_sentences=3)]
    ['One. Two. Three.', 'Three. Four. Five.']
"""

from __future__ import annotations

import re

from verify.ingest.sentences import split_sentences

TARGET_SENTENCES = 3
MAX_WORDS = 120
_WORD = re.compile(r"\S+")


def _word_count(text: str, start: int, end: int) -> int:
    return sum(1 for _ in _WORD.finditer(text, start, end))


def _cap_long(text: str, spans: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    """Cut sentences longer than ``max_words`` into word-boundary pieces."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        words = list(_WORD.finditer(text, start, end))
        if len(words) <= max_words:
            out.append((start, end))
            continue
        for i in range(0, len(words), max_words):
            chunk = words[i:i + max_words]
            out.append((chunk[0].start(), chunk[-1].end()))
    return out


def make_passages(text: str, *, target_sentences: int = TARGET_SENTENCES,
                  max_words: int = MAX_WORDS) -> list[tuple[int, int]]:
    """Passage spans ``(start, end)`` into ``text``, with a one-sentence overlap."""
    sentences = _cap_long(text, split_sentences(text), max_words)
    counts = [_word_count(text, s, e) for s, e in sentences]
    spans: list[tuple[int, int]] = []
    i, n = 0, len(sentences)
    while i < n:
        j, words = i + 1, counts[i]
        while j < n and j - i < target_sentences and words + counts[j] <= max_words:
            words += counts[j]
            j += 1
        spans.append((sentences[i][0], sentences[j - 1][1]))
        if j >= n:
            break
        i = j - 1 if j - i > 1 else j  # overlap by one sentence when there is room
    return spans
