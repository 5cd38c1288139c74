"""The BM25 tokeniser: lowercase words, numbers kept whole, light stemming.

Numbers and names matter most in fact-checking, so the tokeniser keeps them:
``"1,700"`` becomes ``"1700"``, ``"3.5"`` stays ``"3.5"``, ``"IS-K"`` becomes
``"is-k"`` (plus its parts, minus stopwords). Plural ``s`` is stripped with
Harman's S-stemmer so "prisoners" matches "prisoner".

Example:
    >>> tokenize("IS-K killed 1,700 prisoners in 2017")
    ['is-k', 'k', 'killed', '1700', 'prisoner', '2017']
"""

from __future__ import annotations

import re

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHENS = re.compile(r"[-\u2010\u2011]")

STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be been but by for from had has have he her his i if in into is it
    its itself me my of on or our she so than that the their them then there these they this
    those to was we were what when where which while who whom why will with would you your
    s t do does did can could should may might must shall also about over such only own same
    very just being having here""".split()
)


def s_stem(token: str) -> str:
    """Harman's S-stemmer: strip a plural ending from an alphabetic word."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and not token.endswith(("eies", "aies")):
        return token[:-3] + "y"
    if token.endswith("es") and not token.endswith(("aes", "ees", "oes")):
        return token[:-1]
    if token.endswith("s") and not token.endswith(("us", "ss")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lowercase tokens for BM25 (see module docstring)."""
    text = _THOUSANDS.sub("", text.lower())
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if _HYPHENS.search(token):
            out.append(_HYPHENS.sub("-", token))
            out.extend(s_stem(p) for p in _HYPHENS.split(token) if p not in STOPWORDS)
        elif token not in STOPWORDS:
            out.append(s_stem(token))
    return out
