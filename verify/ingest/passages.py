"""Group sentences into overlapping passages with exact character offsets.

Each passage is a few sentences (``target_sentences``, at most ``max_words`` words
and ``max_chars`` characters) and starts with the last sentence of the previous one, so a
fact that straddles a passage boundary is still seen whole. ``text[start:end]`` is always
the passage.

The character cap holds whatever the script: text without spaces (Chinese, Japanese, a
spaceless blob) is cut by characters, preferring a break after CJK sentence punctuation
or whitespace in the second half of the window, so no passage is longer than
``max_chars``.

Example:
    >>> text = "One. Two. Three. Four. Five."
    >>> [text[s:e] for s, e in make_passages(text, target_sentences=3)]
    ['One. Two. Three.', 'Three. Four. Five.']
"""

from __future__ import annotations

import re
import unicodedata

from verify.ingest.sentences import split_sentences

TARGET_SENTENCES = 3
MAX_WORDS = 120
MAX_CHARS = 1000  # about 120 English words; what a CJK passage of that size can hold
_WORD = re.compile(r"\S+")
# Where a cut by characters may fall: after CJK/fullwidth sentence or clause punctuation,
# after any other sentence punctuation, or at whitespace.
_BREAK = re.compile(r"[\u3002\uff01\uff1f\uff1b\uff0c\u3001.!?;,\u2026]+|\s+")


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


def _cut_point(text: str, start: int, limit: int) -> int:
    """Where to end a piece that starts at ``start`` and may not reach past ``limit``."""
    best = -1
    for match in _BREAK.finditer(text, start + (limit - start) // 2, limit):
        best = match.end() if not match.group().isspace() else match.start()
    if best > start:
        return best
    cut = limit
    while cut > start + 1 and unicodedata.combining(text[cut]):
        cut -= 1  # never strand a combining mark from its base character
    return cut


def _cap_chars(text: str, spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Cut pieces longer than ``max_chars`` characters (spaceless scripts included)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        pos = start
        while end - pos > max_chars:
            cut = _cut_point(text, pos, pos + max_chars)
            piece_end = cut
            while piece_end > pos and text[piece_end - 1].isspace():
                piece_end -= 1
            if piece_end > pos:
                out.append((pos, piece_end))
            pos = cut
            while pos < end and text[pos].isspace():
                pos += 1
        if pos < end:
            out.append((pos, end))
    return out


def make_passages(text: str, *, target_sentences: int = TARGET_SENTENCES,
                  max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> list[tuple[int, int]]:
    """Passage spans ``(start, end)`` into ``text``, with a one-sentence overlap.

    No passage has more than ``max_words`` words or ``max_chars`` characters.
    """
    if max_words < 1 or max_chars < 1:
        raise ValueError("max_words and max_chars must be at least 1")
    sentences = _cap_chars(text, _cap_long(text, split_sentences(text), max_words), max_chars)
    counts = [_word_count(text, s, e) for s, e in sentences]
    spans: list[tuple[int, int]] = []
    i, n = 0, len(sentences)
    while i < n:
        j, words = i + 1, counts[i]
        while (j < n and j - i < target_sentences and words + counts[j] <= max_words
               and sentences[j][1] - sentences[i][0] <= max_chars):
            words += counts[j]
            j += 1
        spans.append((sentences[i][0], sentences[j - 1][1]))
        if j >= n:
            break
        i = j - 1 if j - i > 1 else j  # overlap by one sentence when there is room
    return spans
