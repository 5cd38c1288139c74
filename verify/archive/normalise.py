"""Claims as people send them (tweets, messages) made fit for matching.

``for_matching`` keeps the words of a claim and drops what only a platform adds: links
(``https://t.co/...``, ``pic.twitter.com/...``), the handle and date of an embedded
tweet's "— Name (@handle) January 14, 2020" signature (the name stays: who said it), ``RT @x:`` prefixes, emoji and HTML entities. Handles and
hashtags keep their words (``#DefundTheCBC`` -> "Defund The CBC", ``@realDonaldTrump`` ->
"real Donald Trump"), since they often name who or what the claim is about. The original
text is never changed: callers keep it and show it.

Example:
    >>> for_matching("Wow!! #DefundTheCBC @BradTrostCPC https://t.co/x 🇨🇦")
    'Wow!! Defund The CBC Brad Trost CPC'
"""

from __future__ import annotations

import html
import re
import unicodedata

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


def for_matching(text: str) -> str:
    """The words of a claim as matching should see them (see the module docstring)."""
    out = html.unescape(str(text or ""))
    out = _RETWEET.sub("", out)
    out = _URL.sub(" ", out)
    out = _SIGNATURE.sub(lambda m: " " + m.group(1), out.rstrip())  # keep who said it
    out = strip_symbols(out)
    out = _HANDLE.sub(lambda m: " " + split_words(m.group(1)), out)
    out = _HASHTAG.sub(lambda m: " " + split_words(m.group(1)), out)
    out = out.replace('""', '"')
    return _SPACES.sub(" ", out).strip()


def looks_like_post(text: str) -> bool:
    """Whether ``text`` carries platform markup (links, handles, hashtags, emoji)."""
    return for_matching(text) != _SPACES.sub(" ", str(text or "")).strip()
