"""Claims as people send them (tweets, messages) made fit for matching.

``for_matching`` keeps the words of a claim and drops what only a platform adds: links
(``https://t.co/...``, ``pic.twitter.com/...``), the handle and date of an embedded
tweet's "— Name (@handle) January 14, 2020" signature (the name stays: who said it),
``RT @x:`` prefixes, emoji and HTML entities. Handles and hashtags keep their words (``#DefundTheCBC`` -> "Defund The CBC", ``@realDonaldTrump``
-> "real Donald Trump"), since they often name who or what the claim is about. Given the
words an archive knows (``known``), a run-together tag is split into them
(``#georgesoros`` -> "george soros", ``#Fyrefestival`` -> "Fyre festival"). The original
text is never changed: callers keep it and show it.

Example:
    >>> for_matching("Wow!! #DefundTheCBC @BradTrostCPC https://t.co/x 🇨🇦")
    'Wow!! Defund The CBC Brad Trost CPC'
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable

_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b\w+\.(?:com|org|net|co|ly)/\S*",
                  re.IGNORECASE)
_SIGNATURE = re.compile(
    r"[\u2014\u2013-]{1,2}\s*([^\u2014\u2013()]{0,80})\(@\w{1,30}\)\s*"
    r"(?:[A-Z][a-z]+\.? \d{1,2}, \d{4})?\s*$")
_RETWEET = re.compile(r"^\s*RT\s+@\w+:?\s*")
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"\d+[A-Z]+(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SPACES = re.compile(r"\s+")


def split_words(tag: str) -> str:
    """``DefundTheCBC`` -> "Defund The CBC"; ``5GTowers`` -> "5G Towers"; ``covid_19`` ->
    "covid 19"."""
    parts = [p for chunk in tag.split("_") for p in (_CAMEL.findall(chunk) or [chunk])]
    return " ".join(parts)


#: How often a word occurs in an archive (0: unknown), for splitting run-together tags.
WordCounts = Callable[[str], int]

_SHORT_WORDS = frozenset("a an and as at by for from in is it my no of on or the to up we".split())
_MIN_SPLIT = 6          # shorter tags are left whole


def split_run_together(tag: str, known: WordCounts) -> str:
    """``georgesoros`` -> "george soros" when both are words the archive knows and the tag is
    not one itself; a tag that cannot be split into known words (two letters or more each,
    or a short function word) is returned as it is.

    Example:
        >>> counts = {"corn": 3, "flake": 5}.get
        >>> split_run_together("cornflakes", lambda w: counts(w, 0))
        'corn flakes'
    """
    from verify.index.tokenize import s_stem

    word = tag.lower()
    if len(word) < _MIN_SPLIT or not word.isalpha() or known(s_stem(word)) > 0:
        return tag

    def commonness(piece: str) -> float | None:
        """How common a known piece is (None: not a word the archive knows)."""
        if piece in _SHORT_WORDS:
            return 0.0
        count = known(s_stem(piece))
        return math.log1p(count) if count > 0 and len(piece) >= 2 else None

    # best[end]: the best split of word[:end]: (pieces, -commonness, where pieces start);
    # fewest pieces first, then the commonest words
    best: dict[int, tuple[int, float, tuple[int, ...]]] = {0: (0, 0.0, ())}
    for end in range(1, len(word) + 1):
        options = []
        for start in range(max(0, end - 20), end):
            weight = commonness(word[start:end]) if start in best else None
            if weight is not None:
                pieces, rarity, starts = best[start]
                options.append((pieces + 1, rarity - weight, (*starts, start)))
        if options:
            best[end] = min(options, key=lambda option: option[:2])
    if len(word) not in best or best[len(word)][0] < 2:
        return tag
    bounds = [*best[len(word)][2], len(word)]
    return " ".join(tag[a:b] for a, b in zip(bounds, bounds[1:], strict=False))


def _tag_words(tag: str, known: WordCounts | None) -> str:
    """The words of a hashtag or handle: camel case split, then run-together parts split
    into words the archive knows."""
    parts = split_words(tag).split()
    if known is not None:
        parts = [split_run_together(p, known) for p in parts]
    return " ".join(parts)


def _is_symbol(ch: str) -> bool:
    """Emoji, flags, pictographs and joiners: kept out of the text matched."""
    if ch in "\u200d\ufe0f\u20e3":
        return True
    category = unicodedata.category(ch)
    return category == "So" or (category == "Cn" and ord(ch) > 0x2000) or (
        0x1F1E6 <= ord(ch) <= 0x1F1FF) or (0x1F3FB <= ord(ch) <= 0x1F3FF)


def strip_symbols(text: str) -> str:
    """``text`` without emoji and other pictographic symbols."""
    return "".join(" " if _is_symbol(ch) else ch for ch in text)


def for_matching(text: str, known: WordCounts | None = None) -> str:
    """The words of a claim as matching should see them (see the module docstring);
    ``known``: how often a (stemmed, lowercase) word occurs in the archive."""
    out = html.unescape(str(text or ""))
    out = _RETWEET.sub("", out)
    out = _URL.sub(" ", out)
    out = _SIGNATURE.sub(lambda m: " " + m.group(1), out.rstrip())  # keep who said it
    out = strip_symbols(out)
    out = _HANDLE.sub(lambda m: " " + _tag_words(m.group(1), known), out)
    out = _HASHTAG.sub(lambda m: " " + _tag_words(m.group(1), known), out)
    out = out.replace('""', '"')
    return _SPACES.sub(" ", out).strip()


def looks_like_post(text: str) -> bool:
    """Whether ``text`` carries platform markup (links, handles, hashtags, emoji)."""
    return for_matching(text) != _SPACES.sub(" ", str(text or "")).strip()
