"""Figures in claims and passages: extract them, align them, compare them.

A figure is a number with what it counts ("338 civilians"), how exact it is
("more than", "roughly") and the time it refers to ("since January 2017").
Years and dates are never counted quantities: they become the figure's scope.

Example:
    >>> from verify.quantities import extract_quantities, align_quantities
    >>> claim = "IS-K killed more than 3,000 civilians in Pakistan since 2017"
    >>> passage = "Since January 2017 IS-K has killed 338 civilians in Pakistan."
    >>> [q.unit for q in extract_quantities(claim)]
    ['civilian']
    >>> align_quantities(claim, passage)[0].status
    'mismatch'
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from verify.errors import ModelLoadError
from verify.nlp import SPACY_MODEL, load_spacy
from verify.types import QuantityAlignment

log = logging.getLogger(__name__)

Direction = Literal["eq", "approx", "gt", "ge", "lt", "le", "range"]
Kind = Literal["count", "money", "percent", "measure", "duration", "clock"]

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
    "trillion": 1e12, "tn": 1e12, "lakh": 1e5, "crore": 1e7,
}
FRACTION_DENOMS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10,
}
CURRENCY_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "usd": "USD", "pound": "GBP", "pounds": "GBP",
    "gbp": "GBP", "euro": "EUR", "euros": "EUR", "eur": "EUR", "rupee": "INR",
    "rupees": "INR", "yen": "JPY", "yuan": "CNY", "afghani": "AFN", "afghanis": "AFN",
}
DURATION_UNITS = {
    "second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
    "hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week",
    "weeks": "week", "month": "month", "months": "month", "year": "year", "years": "year",
    "decade": "decade", "decades": "decade",
}
PERCENT_WORDS = {"percent", "per cent", "percentage points", "pct", "%"}

# Approximators, longest first; each maps to a direction.
APPROXIMATORS: list[tuple[str, Direction]] = [
    ("in excess of", "gt"), ("upwards of", "gt"), ("more than", "gt"), ("greater than", "gt"),
    ("higher than", "gt"), ("larger than", "gt"), ("over", "gt"), ("above", "gt"),
    ("exceeding", "gt"), ("beyond", "gt"),
    ("at least", "ge"), ("no fewer than", "ge"), ("no less than", "ge"), ("as many as", "ge"),
    ("fewer than", "lt"), ("less than", "lt"), ("under", "lt"), ("below", "lt"),
    ("lower than", "lt"),
    ("up to", "le"), ("at most", "le"), ("no more than", "le"), ("a maximum of", "le"),
    ("approximately", "approx"), ("an estimated", "approx"), ("estimated", "approx"),
    ("about", "approx"), ("roughly", "approx"), ("around", "approx"), ("some", "approx"),
    ("nearly", "approx"), ("almost", "approx"), ("close to", "approx"), ("circa", "approx"),
    ("approx.", "approx"), ("~", "approx"), ("just over", "approx"), ("just under", "approx"),
    ("an", "eq"), ("a", "eq"),
]
_APPROX_RE = re.compile(
    r"(?:^|(?<=[\s(]))(" + "|".join(re.escape(a) for a, _ in APPROXIMATORS if a not in ("a", "an"))
    + r")\s*$", re.IGNORECASE)
_APPROX_DIR = {a: d for a, d in APPROXIMATORS}

# Counted-noun synonym groups: the first word is the canonical name.
SYNONYM_GROUPS: list[tuple[str, ...]] = [
    ("death", "dead", "die", "kill", "killing", "fatality", "casualty", "victim", "life",
     "murder", "massacre", "toll"),
    ("fighter", "militant", "member", "combatant", "insurgent", "jihadist", "soldier",
     "troop", "recruit", "gunman", "terrorist"),
    ("prisoner", "inmate", "detainee", "captive", "convict", "escapee"),
    ("civilian", "people", "person", "individual", "resident", "citizen", "man", "woman",
     "child"),
    ("base", "facility", "outpost", "installation", "camp"),
    ("attack", "strike", "bombing", "assault", "raid", "incident", "blast", "explosion"),
    ("injury", "wounded", "injured", "wound", "injure"),
    ("case", "infection", "patient"),
    ("vote", "ballot"),
    ("job", "position", "worker", "employee"),
    ("site", "clinic", "centre", "center", "venue", "location"),
    ("home", "house", "household", "dwelling", "property"),
    ("dose", "jab", "shot", "vaccination", "injection"),
    ("firefighter", "fireman", "crew"),
    ("USD", "dollar"), ("%", "percent", "percentage", "per cent"),
]
_SYNONYM_OF: dict[str, str] = {w: g[0] for g in SYNONYM_GROUPS for w in g}
# Groups that may count the same thing loosely (people killed ~ civilians killed).
LOOSE_PAIRS = {frozenset({"civilian", "death"})}

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_WORDNUM = ("(?:" + "|".join(sorted(list(UNITS_WORDS) + list(TENS_WORDS), key=len, reverse=True))
            + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?")
_SCALE = r"(?:\s*(?:hundred|thousand|million|billion|trillion|mn|bn|tn|lakh|crore)\b)?"
_NUMBER_RE = re.compile(
    r"(?P<cur>[$£€¥₹])?\s?(?:(?P<num>" + _NUM + r")|(?P<word>\b" + _WORDNUM + r"\b)"
    r"|(?P<dozen>\ba dozen\b|\bdozens\b|\bhundreds\b|\bthousands\b|\bmillions\b))"
    r"(?P<scale>" + _SCALE + r")"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
# a time of day: "21:30", "9:15 pm", "11am"; its value is minutes after midnight
_CLOCK_RE = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?:\s*(?P<ap>[ap]\.?m)\b\.?)?"
    r"|\b(?P<h2>1[0-2]|[1-9])(?:[.:](?P<m2>[0-5]\d))?\s*(?P<ap2>[ap]\.?m)\b\.?", re.IGNORECASE)
_CLOCK_LEAD_RE = re.compile(r"\b(?:(?:shortly|just|soon|well)\s+)?(?P<rel>after|before|by|until)\s+$",
                            re.IGNORECASE)
CLOCK_SPREAD = {"eq": 2.0, "approx": 20.0, "gt": 60.0, "lt": 60.0}


def _clock_value(m: re.Match[str]) -> float:
    """Minutes after midnight of a time-of-day match."""
    hour = int(m.group("h") or m.group("h2"))
    minute = int(m.group("m") or m.group("m2") or 0)
    half = (m.group("ap") or m.group("ap2") or "").lower()[:1]
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return float(60 * hour + minute)


def clock_interval(value: float, direction: str) -> tuple[float, float]:
    """The minutes a time-of-day wording allows: "21:30" to the minute, "about 21:30"
    within 20 minutes, "shortly after 23:00" within the hour after."""
    if direction in ("gt", "ge"):
        return value, value + CLOCK_SPREAD["gt"]
    if direction in ("lt", "le"):
        return value - CLOCK_SPREAD["lt"], value
    spread = CLOCK_SPREAD["approx" if direction == "approx" else "eq"]
    return value - spread, value + spread


# nouns that name a number itself, not what it counts
GENERIC_NOUNS = frozenset({"figure", "number", "total", "tally", "estimate", "statistic"})
_LIST_MARKER_RE = re.compile(r"[.)]\s+(?=[A-Z(\"'])")
_FRACTION_RE = re.compile(
    r"\b(?P<n>one|two|three|four|a)[- ](?P<d>half|halves|thirds?|quarters?|fifths?|tenths?)\b",
    re.IGNORECASE)
_RANGE_RE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
_YEAR_PREP = {"in", "since", "by", "until", "till", "from", "during", "of", "before", "after",
              "through", "to", "early", "late", "mid", "end", "start", "spring", "summer",
              "autumn", "fall", "winter", "and", "or", "between", "as", "fy", "year"}
_SCOPE_RE = re.compile(
    r"\b(?P<rel>since|in|during|by|until|till|before|after|from|as of|through|throughout|"
    r"between|within|over)?\s*(?:the\s+)?(?:(?:end|start|beginning|middle) of\s+)?"
    r"(?:(?P<month>january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?\s+"
    r"(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+)?)?(?P<year>(?:18|19|20)\d\d)\b(?!\s*[,.]?\d)",
    re.IGNORECASE)
_MONTH_ONLY_RE = re.compile(
    r"\b(?P<rel>since|in|during|by|until|before|after|from)\s+(?:the\s+)?(?:(?:end|start|"
    r"beginning|middle) of\s+)?(?P<month>january|february|march|april|june|july|august|"
    r"september|october|november|december)\b(?!\s+\d)", re.IGNORECASE)
_DATE_DAY_RE = re.compile(
    r"(?:\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?\s+\d{1,2}(?:st|nd|rd|th)?\b)"
    r"|(?:\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|"
    r"dec|gen|mag|giu|lug|ago|set|ott|dic)\b\.?)", re.IGNORECASE)
# Common units read without quantulum3 (which is slow to load).
UNIT_TABLE = {
    "km": "kilometre", "kilometres": "kilometre", "kilometers": "kilometre", "mi": "mile",
    "miles": "mile", "mile": "mile", "m": "metre", "metres": "metre", "meters": "metre",
    "cm": "centimetre", "mm": "millimetre", "ft": "foot", "feet": "foot", "kg": "kilogram",
    "kilograms": "kilogram", "g": "gram", "grams": "gram", "lb": "pound-mass",
    "lbs": "pound-mass", "t": "tonne", "tonnes": "tonne", "tons": "tonne", "mph": "mile per hour",
    "kph": "kilometre per hour", "km/h": "kilometre per hour", "c": "degree Celsius",
    "°c": "degree Celsius", "f": "degree Fahrenheit", "°f": "degree Fahrenheit",
    "mw": "megawatt", "gw": "gigawatt", "kw": "kilowatt", "kwh": "kilowatt hour",
    "acres": "acre", "hectares": "hectare", "ha": "hectare", "l": "litre", "litres": "litre",
    "liters": "litre", "gallons": "gallon", "bpd": "barrel per day", "ppm": "part per million",
}
# A short unit symbol right after a number (3 km, 40 mph, 5°C): worth asking quantulum3.
_UNIT_SYMBOL_RE = re.compile(
    r"\s?(?:°|µ|(?!(?:a|an|am|as|at|by|do|he|if|in|is|it|me|my|no|of|on|or|so|to|up|us|we|"
    r"and|are|but|for|had|has|her|his|its|not|now|out|per|she|the|was|who|yet|you)\b)"
    r"[A-Za-z]{1,3}\b)")
_PLURAL_AFTER_RE = re.compile(r"\s+(?:[a-z]+\s+)?[a-z]+s\b")
LEMMA_FIXES = {"bases": "base", "basis": "base", "data": "data", "media": "media"}
_SENT_RE = re.compile(r"(?:[^.!?;]|\.(?=\d))+(?:[.!?;]+|$)")  # "9.1" does not end a sentence
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.]*")
STOP = {
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "by", "with", "from",
    "is", "was", "were", "are", "be", "been", "has", "have", "had", "that", "this", "it", "its",
    "as", "than", "more", "about", "some", "since", "into", "their", "there", "which", "who",
    "after", "before", "over", "under", "up", "not", "but", "also", "said", "says", "say",
    "according", "per", "will", "would", "could", "can", "may", "all", "any", "they", "he",
    "she", "his", "her", "them", "we", "our", "you", "your", "nearly", "roughly", "around",
    "least", "almost",
}


@dataclass(frozen=True)
class TimeScope:
    """The time a figure refers to: a relation ("since", "in") and a year/month."""

    relation: str | None
    year: int
    month: int | None
    text: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Quantity:
    """One figure found in a text, with its interval, counted noun and scope."""

    text: str                       # surface form incl. approximator: "more than 1,000"
    value: float
    low: float                      # interval the wording allows
    high: float
    direction: Direction
    kind: Kind
    unit: str | None                # canonical counted noun or unit: civilian, USD, %, day
    unit_text: str | None           # the noun as written: "civilians"
    span: tuple[int, int]           # char offsets of ``text``
    keys: frozenset[str] = frozenset()     # canonical lemmas of head, modifiers and verb
    context: frozenset[str] = frozenset()  # content lemmas of the sentence
    scopes: tuple[TimeScope, ...] = ()
    sentence_span: tuple[int, int] = (0, 0)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


# ---------------------------------------------------------------- models (lazy)
@lru_cache(maxsize=1)
def _nlp() -> Any:
    """spaCy's small English pipeline without NER (the one loader, :mod:`verify.nlp`), or None."""
    try:
        return load_spacy(("ner",))
    except ModelLoadError:  # pragma: no cover - depends on install
        log.warning("spaCy model %s missing; counted nouns use a word rule", SPACY_MODEL)
        return None


@lru_cache(maxsize=1)
def _quantulum() -> Any:
    """quantulum3's parser with its (pickled, version-fragile) classifier switched off."""
    try:
        import quantulum3.classifier as clf

        clf.USE_CLF = False
        from quantulum3 import parser

        return parser
    except Exception:  # pragma: no cover - optional
        log.warning("quantulum3 unavailable; physical units are not recognised")
        return None


class _ParseCache:
    """spaCy parses of recent texts (at most ``size``), filled one by one or in batches."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._docs: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def _put(self, text: str, doc: Any) -> None:
        with self._lock:
            self._docs[text] = doc
            self._docs.move_to_end(text)
            while len(self._docs) > self.size:
                self._docs.popitem(last=False)

    def get(self, text: str) -> Any:
        with self._lock:
            doc = self._docs.get(text)
        if doc is None:
            nlp = _nlp()
            if nlp is None:
                return None
            doc = nlp(text)
            self._put(text, doc)
        return doc

    def prime(self, texts: Sequence[str]) -> None:
        """Parse the texts not cached yet with one ``nlp.pipe`` pass."""
        nlp = _nlp()
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._docs]
        if nlp is None or not missing:
            return
        for text, doc in zip(missing, nlp.pipe(missing, batch_size=64), strict=True):
            self._put(text, doc)


@lru_cache(maxsize=1)
def _parses() -> _ParseCache:
    """The process's parse cache, made on first use."""
    return _ParseCache()


def _parse(text: str) -> Any:
    """spaCy parse of one text, cached per text."""
    return _parses().get(text)


def spacy_doc(text: str) -> Any:
    """The cached spaCy parse of a text (None where spaCy is unavailable)."""
    return _parse(text)


def prime_quantities(texts: Sequence[str]) -> None:
    """Parse many texts in one batch so that later ``extract_quantities`` calls on them
    skip the per-text spaCy call (used when many claims are checked at once)."""
    _parses().prime([t for t in texts if t and _has_digit_or_number_word(t)])


def forget_parses() -> None:
    """Drop the cached parses and extractions, so the next texts are parsed afresh (the
    latency benchmark times each check as a new claim's would be)."""
    _parses.cache_clear()
    _extract_cached.cache_clear()


def canonical(word: str) -> str:
    """A word's synonym-group name (kill -> death), or the word itself lower-cased."""
    w = word.lower()
    if w in _SYNONYM_OF:
        return _SYNONYM_OF[w]
    if w.endswith("s") and w[:-1] in _SYNONYM_OF:
        return _SYNONYM_OF[w[:-1]]
    return w


# ---------------------------------------------------------------- number parsing
def _words_value(text: str) -> float | None:
    """'twenty-five' -> 25."""
    parts = re.split(r"[- ]", text.lower())
    total = 0.0
    for p in parts:
        if p in UNITS_WORDS:
            total += UNITS_WORDS[p]
        elif p in TENS_WORDS:
            total += TENS_WORDS[p]
        else:
            return None
    return total


def _rounding_unit(surface_number: str, value: float) -> float:
    """Half the place value of the last significant digit: 800 -> 50, 338 -> 0.5."""
    digits = surface_number.replace(",", "")
    if "." in digits:
        return 0.5 * 10 ** (-len(digits.split(".")[1]))
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    if not stripped:
        return 0.5
    return 0.5 * 10 ** zeros if value >= 100 else 0.5


APPROX_SPREAD = 0.15
APPROX_SPREAD_PRECISE = 0.05


def interval(value: float, direction: Direction, rounding: float, *, high: float | None = None,
             evidence: bool = False) -> tuple[float, float]:
    """The values a wording allows. ``evidence`` bounds open intervals more tightly."""
    if direction == "range" and high is not None:
        return value, high
    if direction == "eq":
        return value - rounding, value + rounding
    if direction == "approx":
        # "about 300" allows 15%; "about 36,500", said to three digits, only 5%
        digits = len(str(int(abs(value))).rstrip("0")) if value == int(value) else 3
        spread = max(rounding, (APPROX_SPREAD_PRECISE if digits >= 3 else APPROX_SPREAD) * abs(value))
        return value - spread, value + spread
    if direction in ("gt", "ge"):
        # "more than 1,000" rarely means 10,000: when it is the evidence, cap it.
        return value, (value * 2.0 + rounding if evidence else math.inf)
    if direction in ("lt", "le"):
        return (value * 0.5 if evidence else 0.0), value
    return value, value


def _approximator(text: str, start: int) -> tuple[str | None, Direction, int]:
    """The approximator just before ``start`` (if any): word, direction, new start."""
    before = text[max(0, start - 24):start]
    m = _APPROX_RE.search(before)
    if m:
        word = m.group(1).lower()
        return word, _APPROX_DIR[word], start - (len(before) - m.start(1))
    return None, "eq", start


def _year_spans(text: str) -> list[TimeScope]:
    """Years and month-years in a text, with the relation word before them."""
    scopes: list[TimeScope] = []
    for m in _SCOPE_RE.finditer(text):
        month = MONTHS.get((m.group("month") or "").lower().rstrip("."))
        rel = (m.group("rel") or "").lower() or None
        if month is None and rel is None and _PLURAL_AFTER_RE.match(text, m.end()):
            continue  # "2000 fighters" counts fighters
        scopes.append(TimeScope(rel, int(m.group("year")), month, m.group(0).strip(),
                                (m.start() + len(m.group(0)) - len(m.group(0).lstrip()), m.end())))
    return scopes


def _is_year_token(text: str, m: re.Match[str], doc_next_is_plural_noun: bool) -> bool:
    """A bare 4-digit 1800..2100 number used as a year, not a count."""
    raw = m.group("num")
    if not raw or "," in raw or "." in raw or m.group("cur") or m.group("pct") or m.group("scale"):
        return False
    value = int(raw)
    if not 1800 <= value <= 2100:
        return False
    return not doc_next_is_plural_noun


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The sentence (by punctuation) around ``pos``."""
    for m in _SENT_RE.finditer(text):
        if m.start() <= pos < max(m.end(), m.start() + 1):
            return m.start(), m.end()
    return 0, len(text)


def _content_lemmas(doc: Any, text: str, start: int, end: int) -> frozenset[str]:
    """Content-word lemmas between offsets (spaCy lemmas, or lower-cased words)."""
    if doc is not None:
        words = {canonical(t.lemma_) for t in doc if start <= t.idx < end
                 and t.is_alpha and not t.is_stop and t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ")}
    else:
        words = {canonical(w) for w in _WORD_RE.findall(text[start:end].lower()) if w.isalpha()}
    return frozenset(w for w in words if w not in STOP and len(w) > 1)


def _token_at(doc: Any, char: int) -> Any:
    """The spaCy token that covers a char offset."""
    if doc is None:
        return None
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


_CLAUSE_DEPS = ("ROOT", "conj", "ccomp", "advcl", "relcl", "xcomp")


def _counted_noun(doc: Any, text: str, start: int, end: int
                  ) -> tuple[str | None, frozenset[str], frozenset[str]]:
    """The noun a number counts, the canonical keys around it (modifiers, verb), and the
    canonical verbs that say what is counted of it (held, fled; "tried to flee": both)."""
    if doc is None:
        m = re.match(r"\s*(?:[a-z-]+\s+)?([a-z]+s)\b", text[end:end + 40], re.IGNORECASE)
        if m:
            return m.group(1), frozenset({canonical(m.group(1).rstrip("s"))}), frozenset()
        return None, frozenset(), frozenset()
    tok = _token_at(doc, max(start, end - 1))
    if tok is None:
        return None, frozenset(), frozenset()
    head = None
    # "338 civilians": the number modifies its noun
    if tok.dep_ in ("nummod", "quantmod", "compound", "amod", "npadvmod") and tok.head.pos_ in (
            "NOUN", "PROPN") and tok.head.i > tok.i:
        head = tok.head
    if head is None:
        for chunk in doc.noun_chunks:
            if chunk.start <= tok.i < chunk.end and chunk.root.i != tok.i and chunk.root.i > tok.i:
                head = chunk.root
                break
    if head is None:
        # "1,000 of the prisoners", "killed 338 in Pakistan" -> look a few tokens on
        j = tok.i + 1
        if j < len(doc) and doc[j].lower_ == "of":
            for k in range(j + 1, min(len(doc), j + 5)):
                if doc[k].pos_ == "NOUN":
                    head = doc[k]
                    break
        else:
            for k in range(j, min(len(doc), j + 3)):
                if doc[k].pos_ == "NOUN" and doc[k].tag_ in ("NNS", "NN"):
                    head = doc[k]
                    break
                if doc[k].pos_ not in ("ADJ", "NOUN", "PUNCT") or doc[k].lower_ in ("-",):
                    break
    keys: set[str] = set()
    anchor = head if head is not None else tok
    if head is not None:
        keys.add(canonical(LEMMA_FIXES.get(head.lower_, head.lemma_)))
        for child in head.children:
            if child.dep_ in ("compound", "amod") and child.is_alpha and not child.is_stop:
                keys.add(canonical(child.lemma_))
    # the verb that governs the figure (killed, held, fled)
    gov = anchor.head
    steps = 0
    copula = False
    while gov is not None and gov.pos_ not in ("VERB",) and gov.head is not gov and steps < 3:
        if gov.pos_ == "AUX" and gov.dep_ in _CLAUSE_DEPS:
            copula = True  # "about 300 were still at large": a clause of its own
            break
        gov = gov.head
        steps += 1
    verbs: set[str] = set()
    # "the seven workers who died", "prisoners freed last week": the noun's own clause
    # (not for "118 of the 312 prisoners who escaped": that clause is the whole group's)
    if head is not None and not _PARTITIVE_RE.match(text, end):
        verbs.update(c.lemma_.lower() for c in head.children
                     if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB")
    if not verbs and gov is not None and gov.pos_ == "VERB" and not copula:
        keys.add(canonical(gov.lemma_))
        verbs.add(gov.lemma_.lower())
        # "tried to flee", "were confirmed dead", "remain missing": what it leads to counts
        verbs.update(c.lemma_.lower() for c in gov.children
                     if (c.dep_ == "xcomp" and c.pos_ in ("VERB", "ADJ"))
                     or (c.dep_ in ("acomp", "oprd") and c.pos_ == "ADJ"))
    elif gov is not None and gov.pos_ == "VERB" and not copula:
        keys.add(canonical(gov.lemma_))
    # "1,000 escaped prisoners" with no verb of its own: the participle on the noun
    if head is not None and not verbs:
        verbs.update(c.lemma_.lower() for c in head.children
                     if c.dep_ == "amod" and c.tag_ in ("VBN", "VBD", "VBG"))
    return ((head.text if head is not None else None), frozenset(k for k in keys if k not in STOP),
            frozenset(v for v in verbs if v))


def _verb_subject(doc: Any, start: int, end: int) -> frozenset[str]:
    """The words of the subject of the verb that governs a figure ("Shares rose 6%" ->
    share; "the unemployment rate rose 4%" -> unemployment, rate); empty when none."""
    if doc is None:
        return frozenset()
    tok = _token_at(doc, max(start, end - 1))
    steps = 0
    while tok is not None and tok.pos_ != "VERB" and tok.head is not tok and steps < 3:
        tok, steps = tok.head, steps + 1
    if tok is None or tok.pos_ != "VERB":
        return frozenset()
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.pos_ == "NOUN":
            return frozenset(canonical(t.lemma_.lower()) for t in (child, *child.children)
                             if t is child or (t.dep_ in ("compound", "amod") and t.is_alpha))
    return frozenset()


def _physical_unit(text: str, start: int, end: int) -> tuple[str, float] | None:
    """The unit of a number followed by a unit symbol (3 km, 40 mph): a small table first,
    then quantulum3."""
    m = re.match(r"\s?(°?[A-Za-z]+(?:/[a-z]+)?)", text[end:end + 12])
    if m and m.group(1).lower() in UNIT_TABLE:
        return UNIT_TABLE[m.group(1).lower()], 0.0
    parser = _quantulum()
    if parser is None:
        return None
    window_end = min(len(text), end + 20)
    try:
        found = parser.parse(text[start:window_end])
    except Exception:  # pragma: no cover - third-party parser
        return None
    for q in found:
        if q.span[0] <= 1 and q.unit.entity.name not in ("dimensionless",):
            return q.unit.name, float(q.value)
    return None


def extract_quantities(text: str) -> list[Quantity]:
    """Every counted figure in ``text`` with its interval, counted noun and time scope.

    Example:
        >>> [q.text for q in extract_quantities("More than 1,000 of 1,700 prisoners fled")]
        ['More than 1,000', '1,700']
    """
    return list(_extract_cached(text))


def _has_digit_or_number_word(text: str) -> bool:
    """Whether the text could hold a figure at all (a digit or a number word)."""
    return bool(re.search(r"\d", text) or re.search(
        _WORDNUM + r"|dozen|hundreds|thousands|millions|half|third|quarter", text, re.IGNORECASE))


@lru_cache(maxsize=4096)
def _extract_cached(text: str) -> tuple[Quantity, ...]:
    """Cached extraction (per exact text)."""
    if not text or not _has_digit_or_number_word(text):
        return ()
    doc = _parse(text)
    scopes = _year_spans(text)
    date_days = [(m.start(), m.end()) for m in _DATE_DAY_RE.finditer(text)]
    taken: list[tuple[int, int]] = [s.span for s in scopes] + date_days
    month_scopes = [TimeScope(m.group("rel").lower(), 0, MONTHS[m.group("month").lower()],
                              m.group(0), (m.start(), m.end())) for m in _MONTH_ONLY_RE.finditer(text)]
    out: list[Quantity] = []

    def inside_taken(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in taken)

    candidates: list[tuple[int, int, float, str, re.Match[str] | None, Kind, str | None]] = []
    m: re.Match[str] | None
    for m in _CLOCK_RE.finditer(text):
        candidates.append((m.start(), m.end(), _clock_value(m), m.group(0), None, "clock", "clock"))
    for m in _FRACTION_RE.finditer(text):
        num = 1 if m.group("n").lower() in ("one", "a") else UNITS_WORDS[m.group("n").lower()]
        den = FRACTION_DENOMS[m.group("d").lower()]
        candidates.append((m.start(), m.end(), 100.0 * num / den, m.group(0), None, "percent", "%"))
    for m in _NUMBER_RE.finditer(text):
        a, b = m.start(), m.end()
        if m.group("cur") is None:
            a = m.start("num") if m.group("num") else m.start("word") if m.group("word") else m.start("dozen")
        while b > a and text[b - 1].isspace():
            b -= 1
        if inside_taken(a, b) or any(s <= a < e for s, e, *_ in candidates):
            continue
        # skip identifiers: COVID-19, F-16, IS-K 2, 10:30, 3.5.1
        prev = text[a - 1] if a > 0 else " "
        nxt = text[b] if b < len(text) else " "
        if m.group("num") and (prev.isalpha() or (prev in "-/:" and a > 1 and text[a - 2].isalpha())
                               or nxt in ":/" or (nxt.isalpha() and not m.group("scale"))):
            continue
        if m.group("num") and _LIST_MARKER_RE.match(text, b) and not text[text.rfind("\n", 0, a) + 1:a].strip():
            continue  # "1. Doses and children ...": a list item's number, not a figure
        if m.group("num"):
            value = float(m.group("num").replace(",", ""))
            surface_number = m.group("num")
        elif m.group("word"):
            wv = _words_value(m.group("word"))
            if wv is None:
                continue
            value, surface_number = wv, str(int(wv))
            # "one" used as a pronoun ("one of the") is not a figure
            if m.group("word").lower() == "one" and not m.group("scale"):
                continue
        else:
            vague = m.group("dozen").lower()
            value = {"a dozen": 12, "dozens": 24, "hundreds": 200, "thousands": 2000,
                     "millions": 2e6}[vague]
            surface_number = "0"
        scale = (m.group("scale") or "").strip().lower()
        if scale:
            value *= SCALES[scale]
        kind: Kind = "count"
        unit: str | None = None
        if m.group("pct"):
            kind, unit = "percent", "%"
        elif m.group("cur"):
            kind, unit = "money", CURRENCY_SYMBOLS[m.group("cur")]
        candidates.append((a, b, value, surface_number, m, kind, unit))

    candidates.sort(key=lambda c: c[0])
    skip_next = False
    for idx, (a, b, value, surface_number, m, kind, unit) in enumerate(candidates):
        if skip_next:
            skip_next = False
            continue
        after = text[b:b + 30]
        # years are scope, not figures (unless they count a plural noun: "2000 fighters")
        tok_next = _token_at(doc, b + 1) if b + 1 < len(text) else None
        plural_next = bool(tok_next is not None and tok_next.tag_ == "NNS" and text[b:b + 1] == " ")
        if m is not None and _is_year_token(text, m, plural_next):
            continue
        approx_word, direction, start = _approximator(text, a)
        if kind == "clock" and (lead := _CLOCK_LEAD_RE.search(text[max(0, a - 20):a])):
            direction = "lt" if lead.group("rel").lower() in ("before", "by", "until") else "gt"
            approx_word, start = lead.group(0).strip(), max(0, a - 20) + lead.start()
        high_value: float | None = None
        end = b
        # ranges: between X and Y, X to Y, X-Y
        nxt_c = candidates[idx + 1] if idx + 1 < len(candidates) else None
        if nxt_c is not None:
            gap = text[b:nxt_c[0]]
            if nxt_c[5] == kind and re.fullmatch(r"\s*(?:and|to|-|–)\s*", gap) and (
                    _RANGE_RE.search(text[max(0, a - 10):a]) or gap.strip() in ("to", "-", "–")):
                if nxt_c[2] >= value and not re.match(r"\s*-?\s*(?:hour|day|week|month|year)", text[nxt_c[1]:]):
                    between = _RANGE_RE.search(text[max(0, a - 10):a])
                    if between is not None:
                        start = max(0, a - 10) + between.start()
                    high_value, direction, end = nxt_c[2], "range", nxt_c[1]
                    skip_next = True
                    after = text[end:end + 30]
        unit_text: str | None = None
        keys: frozenset[str] = frozenset()
        verbs: frozenset[str] = frozenset()
        if kind == "count":
            word_after = re.match(r"[\s-]*([A-Za-z]+)", after)
            w = word_after.group(1).lower() if word_after else ""
            if w in CURRENCY_WORDS:
                kind, unit, unit_text = "money", CURRENCY_WORDS[w], w
            elif w in DURATION_UNITS:
                kind, unit, unit_text = "duration", DURATION_UNITS[w], w
            elif after.lstrip().lower().startswith(("percent", "per cent", "percentage")):
                kind, unit = "percent", "%"
            elif w and not any(w.startswith(x) for x in ("of", "in", "at", "and", "to", "the")):
                noun, keys, verbs = _counted_noun(doc, text, a, end)
                if noun is None:
                    phys = _physical_unit(text, a, end) if _UNIT_SYMBOL_RE.match(after) else None
                    if phys is not None:
                        kind, unit, unit_text = "measure", phys[0], phys[0]
                elif noun.lower() in UNIT_TABLE and re.match(r"[\s-]*" + re.escape(noun), after):
                    kind, unit, unit_text = "measure", UNIT_TABLE[noun.lower()], noun
                else:
                    unit_text, unit = noun, _lemma(doc, noun, a)
            else:
                noun, keys, verbs = _counted_noun(doc, text, a, end)
                if noun is not None:
                    unit_text, unit = noun, _lemma(doc, noun, a)
        if unit is not None and unit.lower() in GENERIC_NOUNS:
            unit_text, unit = None, None  # "the 412,000 figure" names the number, not a thing
        what: str | None = None
        subject: frozenset[str] = frozenset()
        if kind in UNNAMED_KINDS:
            # "90% of policemen", "a $5 million budget", "pays 23 percent for ...": what the
            # percentage or sum is of, and the verb that governs it
            noun, keys, verbs = _counted_noun(doc, text, a, end)
            if noun is not None and noun.lower() not in ("percent", "cent", "percentage"):
                what = canonical(_lemma(doc, noun, a))
            else:
                subject = _verb_subject(doc, a, end)  # "shares rose 4%" is not "sales rose 4%"
        if unit is not None:
            keys = frozenset(keys | {canonical(unit)})
        rounding = _rounding_unit(surface_number, value / (SCALES.get((m.group("scale") or "").strip().lower(), 1.0) if m is not None else 1.0))
        if m is not None and m.group("scale"):
            rounding *= SCALES[m.group("scale").strip().lower()]
        if m is not None and m.group("dozen"):
            direction = "approx" if direction == "eq" else direction
        low, high = interval(value, direction, rounding, high=high_value)
        if kind == "clock":
            rounding = 1.0
            low, high = clock_interval(value, direction)
        s0, s1 = _sentence_bounds(text, a)
        sent_scopes = tuple(s for s in scopes + month_scopes if s0 <= s.span[0] < s1)
        if not sent_scopes:
            # no date in the sentence: the nearest year mentioned shortly before applies
            before = [s for s in scopes if s.year and s0 - 300 <= s.span[0] < s0]
            sent_scopes = tuple(before[-1:])
        context = _content_lemmas(doc, text, s0, s1)
        out.append(Quantity(
            text=text[start:end], value=value, low=low, high=high, direction=direction,
            kind=kind, unit=unit, unit_text=unit_text, span=(start, end), keys=keys,
            context=context, scopes=sent_scopes, sentence_span=(s0, s1),
            extra={"rounding": rounding, "high_value": high_value, "approximator": approx_word,
                   "what": what, "subject": subject, "verbs": verbs, "part": bool(_PARTITIVE_RE.match(text, end)),
                   "previous": bool(_PREVIOUS_RE.search(text[max(0, start - 25):start])),
                   "age": bool(_AGE_RE.search(text[max(0, start - 14):start])),
                   "implied_unit": _implied_unit(out, kind, unit, start)},
        ))
    return tuple(out)


IMPLIED_NOUN_WINDOW = 250
# "118 of the 312": a part of a group; "down from 41,000": a value before the one reported;
# "over the age of 70", "aged 70": an age, not a count
_PARTITIVE_RE = re.compile(r"\s+of\s+(?:the|those|these|them|its|their|all)\b", re.IGNORECASE)
_PREVIOUS_RE = re.compile(r"\b(?:down|up|fell|rose|dropped|climbed|increased|decreased|grew)\s+"
                          r"(?:from|on)\s+(?:about\s+|around\s+|some\s+)?$", re.IGNORECASE)
_AGE_RE = re.compile(r"\b(?:age[sd]?(?:\s+of)?|ages\s+of|aged\s+over|aged\s+under)\s+"
                     r"(?:over\s+|under\s+)?$", re.IGNORECASE)


def _implied_unit(before: Sequence[Quantity], kind: str, unit: str | None, start: int) -> str | None:
    """What a bare count counts when its noun is left out ("held 1,700 prisoners; about 300
    are still at large"): the noun of the nearest count named shortly before it."""
    if kind != "count" or unit is not None:
        return None
    for q in reversed(before):
        if start - q.span[1] > IMPLIED_NOUN_WINDOW:
            return None
        if q.kind == "count" and q.unit is not None:
            return q.unit
        if q.kind == "count" and q.extra.get("implied_unit"):
            return str(q.extra["implied_unit"])
    return None


def _lemma(doc: Any, word: str, near: int) -> str:
    """The lemma of ``word`` as parsed near offset ``near``."""
    if word.lower() in LEMMA_FIXES:
        return LEMMA_FIXES[word.lower()]
    if doc is not None:
        for t in doc:
            if t.text == word and t.idx >= near:
                return str(t.lemma_).lower()
    w = word.lower()
    return w[:-1] if w.endswith("s") and not w.endswith("ss") else w


def time_scopes(text: str) -> list[TimeScope]:
    """The years and month-years a text refers to ("since January 2017" -> 2017, month 1)."""
    return _year_spans(text)


_DATE_LEAD_RE = re.compile(r"\b(?:on|in|at|since|by|during|until|from|of|as of)\s+$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def day_named(text: str, year: int) -> dt.date | None:
    """The first day a text names ("On 14 June", "February 29, 2020"), in ``year`` when it
    names none; None when it names no day (or an impossible one)."""
    m = _DATE_DAY_RE.search(text)
    if m is None:
        return None
    words = re.findall(r"[a-z]+|\d+", m.group(0).lower())
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    day = next((int(w) for w in words if w.isdigit()), None)
    named_year = re.search(r"\b(?:19|20)\d\d\b", text[m.end():m.end() + 8])
    try:
        return dt.date(int(named_year.group(0)) if named_year else year, month or 0, day or 0)
    except ValueError:
        return None


def as_of_other_day(claim: str, alignments: Sequence[QuantityAlignment],
                    published: dt.date | None) -> tuple[QuantityAlignment, ...]:
    """A claim about a count on a named day ("On 14 June, officials had confirmed twelve
    deaths") is not contradicted by another count in a report of another day (31 on 20
    June): such a mismatch is a different time. Agreeing figures stay matches."""
    day = day_named(claim, published.year) if published is not None else None
    if day is None or published is None or day == published:
        return tuple(alignments)
    return tuple(replace(a, status="different_scope",
                         note=f"the claim is about {day:%d %B}; this report is of {published:%d %B %Y}")
                 if a.status == "mismatch" and a.claim_unit != "date" else a for a in alignments)


def date_phrases(text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    """The dates a text names, with their spans: years ("in 2019", "since January 2017"),
    days ("February 29", "3 March") and months ("in March"); overlaps are merged. Cached:
    a passage is asked about once for its stance and once for its alignments.

    Example:
        >>> [t for t, _ in date_phrases("Under the February 29 deal, signed in 2020")]
        ['February 29', 'in 2020']
    """
    years = [(s.span[0] + 4, s.span[1]) if s.text[:4].lower() == "the " else s.span
             for s in _year_spans(text)]   # "the 2019 election" keeps its article
    spans = sorted(years + [m.span() for m in _DATE_DAY_RE.finditer(text)]
                   + [m.span() for m in _MONTH_ONLY_RE.finditer(text)])
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple((text[s:e], (s, e)) for s, e in merged)


def without_dates(text: str) -> str:
    """The text with its date phrases (and a preposition left before them) removed.

    Example:
        >>> without_dates("On February 29, 2020 the US agreed to close five bases.")
        'The US agreed to close five bases.'
    """
    out, last = [], 0
    for _, (start, end) in date_phrases(text):
        lead = _DATE_LEAD_RE.search(text, last, start)
        out.append(text[last:lead.start() if lead else start])
        last = end
    out.append(text[last:])
    joined = re.sub(r"\s+([,.;:!?])", r"\1", " ".join("".join(out).split()))
    joined = re.sub(r"^[,;:]\s*|(?<=[,;:])\s*[,;:]", "", joined).strip()
    return joined[:1].upper() + joined[1:] if joined else joined


# ---------------------------------------------------------------- alignment
UNNAMED_KINDS = ("percent", "money")
SAME_THING_COVERAGE = 0.5


def same_measured_thing(claim: Quantity, evidence: Quantity) -> bool:
    """Whether a percentage or a sum measures the same thing on both sides.

    Their unit ("%", "USD") does not say what they measure, so: the nouns they are of
    must agree when both name one ("90% of policemen" is not "40 percent of gun sales"),
    else their governing words must overlap, else at least half of the claim's content
    words must be in the evidence sentence.
    """
    cw, ew = claim.extra.get("what"), evidence.extra.get("what")
    if cw and ew:
        return bool(cw == ew)
    cs, es = claim.extra.get("subject"), evidence.extra.get("subject")
    if (claim.kind == "percent" and not cw and not ew and cs and es and not cs & es
            and not cs & {canonical(w) for w in evidence.context}
            and not es & {canonical(w) for w in claim.context}):
        return False  # what rose by it differs: "shares rose 4%", "sales rose 4%"
    unit_keys = {canonical(claim.unit or ""), canonical(evidence.unit or "")}
    if (claim.keys - unit_keys) & (evidence.keys - unit_keys):
        return True
    if not claim.context:
        return True
    return len(claim.context & evidence.context) / len(claim.context) >= SAME_THING_COVERAGE


def unit_similarity(a: Quantity, b: Quantity) -> float:
    """How surely two figures count the same kind of thing, in [0, 1] (a percentage or a
    sum also has to measure the same thing: ``same_measured_thing``)."""
    if a.kind != b.kind:
        # a bare count and a duration/money never align
        return 0.0
    if a.kind == "clock":
        return 1.0  # which event a time is of is left to the context score
    if a.kind in ("percent", "money", "duration", "measure"):
        if a.unit != b.unit:
            return 0.0
        return 1.0 if a.kind not in UNNAMED_KINDS or same_measured_thing(a, b) else 0.0
    if a.unit and b.unit:
        if a.unit == b.unit:
            return 1.0
        if canonical(a.unit) == canonical(b.unit):
            return 0.85
        if canonical(a.unit) in b.keys or canonical(b.unit) in a.keys:
            return 0.7  # "civilian deaths" vs "killed ... civilians"
        if frozenset({canonical(a.unit), canonical(b.unit)}) in LOOSE_PAIRS:
            return 0.5
        return 0.0
    if a.unit or b.unit:
        # one side names the noun, the other leaves it out ("killed 338"; "about 300 are
        # still at large" after "1,700 prisoners"): a noun named just before it decides
        named, bare = (a, b) if a.unit else (b, a)
        implied = bare.extra.get("implied_unit")
        if implied is not None and named.unit is not None:
            if canonical(implied) == canonical(named.unit):
                return 0.6
            return 0.3 if frozenset({canonical(implied), canonical(named.unit)}) in LOOSE_PAIRS else 0.0
        if named.unit is not None and canonical(named.unit) in {canonical(w) for w in bare.context}:
            return 0.5  # "the number of workers killed has risen to seven"
        return 0.45 if (a.keys & b.keys) else 0.2
    return 0.3


# Verbs that say nothing of what is counted ("had 800 fighters", "put the toll at 338").
NEUTRAL_VERBS = frozenset({
    "be", "have", "say", "report", "estimate", "put", "number", "total", "reach", "include",
    "count", "give", "show", "record", "stand", "find", "make", "know", "become", "tell",
    "try", "attempt", "begin", "start", "manage", "continue", "add", "confirm", "claim",
    "state", "believe", "think", "expect", "suggest", "indicate", "accord", "cite", "quote",
    "talk", "speak", "place", "set", "get", "see", "take", "cause", "lead", "result",
    "suffer", "bring", "involve", "affect",
})
# Verbs that count the same thing (held ~ housed; fled ~ escaped); the first names the group.
VERB_GROUPS: tuple[tuple[str, ...], ...] = (
    ("death", "kill", "die", "dead", "murder", "massacre", "slay", "perish", "drown"),
    ("injury", "injure", "wound", "hurt", "injured", "wounded"),
    ("hold", "house", "contain", "detain", "keep", "jail", "imprison", "accommodate", "incarcerate"),
    ("flee", "escape", "break", "abscond", "run", "bolt"),
    ("free", "release", "liberate", "pardon", "parole"),
    ("arrest", "capture", "recapture", "catch", "apprehend", "seize"),
    ("remain", "stay", "hide", "miss"),
    ("evacuate", "displace", "relocate", "rehouse"),
    ("rise", "increase", "grow", "climb", "jump", "soar", "double", "triple", "raise", "boost"),
    ("fall", "decrease", "drop", "decline", "reduce", "cut", "lower", "shrink", "plunge", "slash",
     "lay", "shed", "eliminate", "lose"),
    ("vote", "cast", "elect"),
    ("build", "construct", "erect"),
    ("close", "shut"),
    ("start", "begin", "began", "begun", "ignite", "erupt"),
    ("open", "launch", "inaugurate"),
    ("spend", "cost", "allocate", "pay", "invest", "budget"),
    ("hire", "employ", "recruit", "create"),
    ("vaccinate", "immunise", "immunize", "inoculate", "jab", "dose"),
    ("attend", "gather", "march", "protest", "turn"),
)
_VERB_GROUP_OF = {v: g[0] for g in VERB_GROUPS for v in g}


# counted nouns that are events themselves: "twelve deaths" says what happened
EVENT_NOUNS = frozenset({"death", "injury"})


def _verb_groups(q: Quantity) -> frozenset[str]:
    """The groups of the verbs that say what a figure counts, neutral verbs left out (an
    event noun, "twelve deaths", counts as its verb)."""
    verbs = q.extra.get("verbs") or frozenset()
    groups = {_VERB_GROUP_OF.get(v, v) for v in verbs if v not in NEUTRAL_VERBS}
    if q.unit is not None and canonical(q.unit) in EVENT_NOUNS:
        groups.add(canonical(q.unit))
    return frozenset(groups)


# Verb groups a neutral verb or a copula can stand for: "the prison had 1,700 prisoners"
# ~ held; "about 300 were still at large" ~ remain at large.
STATE_GROUPS = frozenset({"hold", "remain"})


def same_predicate(claim: Quantity, evidence: Quantity) -> bool:
    """Whether two counts say the same thing of what they count: prisoners *held* are not
    prisoners *still at large*, people *killed* are not people *in shelters*.

    True when the claim's figure has no telling verb, when the verb groups meet, when the
    evidence names the claim's verb as its noun or key ("338 deaths" ~ "killed 338"), when
    a figure without a noun sits in a sentence that names it ("the toll rose to 31"), or
    when the evidence's verb is neutral and the claim's is one of state ("had 1,700",
    "were still at large").
    """
    c, e = _verb_groups(claim), _verb_groups(evidence)
    if not c or c & e:
        return True
    if c & evidence.keys or e & claim.keys:
        return True
    if evidence.unit is None and c & frozenset(canonical(w) for w in evidence.context):
        return True
    return not e and c <= STATE_GROUPS


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two word sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def scope_compatible(claim: Quantity, evidence: Quantity) -> tuple[bool, str]:
    """Whether two figures refer to overlapping times; a note when they do not."""
    cy = [s for s in claim.scopes if s.year]
    ey = [s for s in evidence.scopes if s.year]
    if not cy or not ey:
        return True, ""
    for c in cy:
        for e in ey:
            if c.year == e.year:
                if c.month and e.month and c.month != e.month and c.relation == e.relation:
                    continue
                return True, ""
            # "since 2017" covers later years only when both are cumulative
            if c.relation == "since" and e.relation == "since" and abs(c.year - e.year) <= 0:
                return True, ""
    return False, (f"claim is about {', '.join(s.text for s in cy)}; evidence is about "
                   f"{', '.join(s.text for s in ey)}")


def compare(claim: Quantity, evidence: Quantity) -> tuple[str, str]:
    """'match' or 'mismatch' of two aligned figures, with a short note."""
    if evidence.kind == "clock":
        e_low, e_high = clock_interval(evidence.value, evidence.direction)
    else:
        e_low, e_high = interval(evidence.value, evidence.direction,
                                 float(evidence.extra.get("rounding", 0.5)),
                                 high=evidence.extra.get("high_value"), evidence=True)
    c_low, c_high = claim.low, claim.high
    if c_low <= e_high and e_low <= c_high:
        return "match", f"{claim.text} agrees with {evidence.text}"
    ratio = (claim.value / evidence.value) if evidence.value else math.inf
    return "mismatch", f"{claim.text} vs {evidence.text} (x{ratio:.2g})"


def _dated(q: Quantity, published: dt.date | None) -> Quantity:
    """A figure with no year of its own is about the year its report was published."""
    if published is None or any(s.year for s in q.scopes):
        return q
    scope = TimeScope("in", published.year, None, f"{published.year} (published)", (0, 0))
    return replace(q, scopes=(*q.scopes, scope))


HISTORY_WINDOW = 60


def _historical(claim: Quantity, evidence: Quantity, published: dt.date | None,
                others: Sequence[Quantity] = ()) -> str:
    """A note when a claim with no time of its own meets a figure its report gives for an
    earlier year ("the 1,000-3,000 fighters analysts gave in 2019", in a 2024 report)."""
    if published is None or any(s.year for s in claim.scopes):
        return ""
    # only a year said with the figure ("in 2019 analysts gave 1,000 to 3,000"), not one
    # further on in the sentence ("the highest since records began in 1961")
    # and not one that belongs to an earlier figure said after it ("36,500, down from
    # 41,000 in 2021": 2021 is the year of 41,000)
    earlier = [q.span for q in others if q.extra.get("previous") and q.span[0] > evidence.span[0]]
    years = [s.year for s in evidence.scopes if s.year and s.relation != "since"
             and abs(s.span[0] - evidence.span[0]) <= HISTORY_WINDOW
             and not any(evidence.span[1] <= span[0] <= s.span[0] for span in earlier)]
    if years and max(years) < published.year:
        return (f"the evidence gives {evidence.text} for {max(years)}, in a report of "
                f"{published.year}; the claim names no year")
    return ""


LOOSE_VALUE_TOLERANCE = 0.1


def _same_value(a: Quantity, b: Quantity) -> bool:
    """Nearly the same number ("about 4,800" ~ "4,800"), not merely inside an open range
    ("more than 200" holds for 11,000 but is not the same figure)."""
    top = max(abs(a.value), abs(b.value))
    return top == 0 or abs(a.value - b.value) <= LOOSE_VALUE_TOLERANCE * top


def _comparable(cq: Quantity, eq: Quantity) -> bool:
    """Figures of one kind of statement: a part ("118 of the 312"), a value before the
    one reported ("down from 41,000") or an age ("aged 70") only meets its own kind."""
    return all(bool(cq.extra.get(k)) == bool(eq.extra.get(k)) for k in ("part", "previous", "age"))


def align_quantities(claim: str | list[Quantity], passage: str | list[Quantity], *,
                     min_score: float = 0.45, published: dt.date | None = None
                     ) -> list[QuantityAlignment]:
    """Set each claim figure beside the passage figure that counts the same thing.

    Example:
        >>> a = align_quantities("The prison held 17,000 prisoners",
        ...                      "The prison held about 1,700 prisoners.")
        >>> a[0].status
        'mismatch'
    """
    c_qs = extract_quantities(claim) if isinstance(claim, str) else claim
    e_qs = extract_quantities(passage) if isinstance(passage, str) else passage
    out: list[QuantityAlignment] = []
    for cq in c_qs:
        scored: list[tuple[float, float, Quantity]] = []
        loose: set[int] = set()
        for eq in e_qs:
            us = unit_similarity(cq, eq)
            if us <= 0.0 or (not _comparable(cq, eq) and compare(cq, eq)[0] != "match"):
                continue
            if cq.kind in ("count", "measure") and not same_predicate(cq, eq):
                # another verb: the same figure may be a paraphrase ("homes inundated" ~
                # "homes flooded"); a different one counts something else, never a mismatch
                if compare(cq, eq)[0] != "match" or not _same_value(cq, eq):
                    continue
                loose.add(id(eq))
            ctx = _jaccard(cq.context, eq.context)
            key = _jaccard(cq.keys, eq.keys)
            score = us + 0.5 * ctx + 0.3 * key
            if us < 0.45 and ctx < 0.25:
                continue
            scored.append((score, us, eq))
        scored = [s for s in scored if s[0] >= min_score]
        if not scored:
            out.append(_alignment(cq, None, "unaligned", _other_thing_note(cq, e_qs)
                                  or "no figure in the passage counts this"))
            continue
        # a figure about the claim's time is the one to compare with, when there is one
        same_time = [c for c in scored if scope_compatible(cq, _dated(c[2], published))[0]
                     and not _historical(cq, c[2], published, e_qs)]
        scored = same_time or scored
        scored.sort(key=lambda s: -s[0])
        best_score = scored[0][0]
        chosen = scored[0][2]
        # several figures for the same thing: prefer one that agrees if it is nearly as close
        for score, _us, eq in scored:
            if score >= best_score - 0.2 and compare(cq, eq)[0] == "match":
                chosen = eq
                break
        same = id(chosen) not in loose
        if note := _historical(cq, chosen, published, e_qs):
            out.append(_alignment(cq, chosen, "different_scope", note, same))
            continue
        ok, note = scope_compatible(cq, _dated(chosen, published))
        if not ok:
            out.append(_alignment(cq, chosen, "different_scope", note, same))
            continue
        status, note = compare(cq, chosen)
        if not same:
            note = f"{note}; said with another verb, so the stance model decides"
        out.append(_alignment(cq, chosen, status, note, same))
    return out


OTHER_THING_NOTE = "the passage gives this number for another counted thing"
OTHER_THING_MIN = 12


def _other_thing_note(cq: Quantity, e_qs: Sequence[Quantity]) -> str:
    """A note when the passage states the claim's number, counting a different named noun
    ("412,000 doses" for "412,000 children"); "" otherwise. Only counts above a dozen,
    where the same number is not a coincidence."""
    if cq.kind != "count" or not cq.unit or cq.value <= OTHER_THING_MIN:
        return ""
    # a noun made from the claim's own verb counts the same people ("31,000 scientists
    # signed" ~ "31,000 signatories")
    stems = {w[:4] for w in (*cq.extra.get("verbs", ()), *cq.keys) if len(w) >= 4}
    for eq in e_qs:
        if (eq.kind == "count" and eq.unit and eq.unit.isalpha() and len(eq.unit) >= 3
                and canonical(eq.unit) != canonical(cq.unit) and eq.unit[:4].lower() not in stems
                and _same_value(cq, eq) and not eq.extra.get("previous")):
            return f"{OTHER_THING_NOTE}: {eq.text} {eq.unit}, not {cq.unit}"
    return ""


def counts_other_thing(a: QuantityAlignment) -> bool:
    """Whether an unaligned claim figure appears in the passage counting something else."""
    return a.status == "unaligned" and a.note.startswith(OTHER_THING_NOTE)


def _alignment(cq: Quantity, eq: Quantity | None, status: str, note: str,
               same: bool = True) -> QuantityAlignment:
    """Build the shared result type."""
    return QuantityAlignment(
        claim_text=cq.text, claim_value=cq.value, claim_unit=cq.unit, claim_span=cq.span,
        evidence_text=eq.text if eq else None, evidence_value=eq.value if eq else None,
        evidence_unit=(eq.unit or eq.extra.get("implied_unit")) if eq else None,
        evidence_span=eq.span if eq else None,
        status=status,  # type: ignore[arg-type]
        note=note, same_predicate=same,
    )


UNSTATED_DATE_NOTE = "the passage names no date: it neither confirms nor refutes this one"


def unstated_dates(claim: str, passage: str) -> list[QuantityAlignment]:
    """The claim's dates, each without a counterpart, when the passage names no date at all.

    Example:
        >>> [a.claim_text for a in unstated_dates("Signed on February 29", "Five bases close.")]
        ['February 29']
    """
    dates = date_phrases(claim)
    if not dates or date_phrases(passage):
        return []
    out = []
    for text, span in dates:
        year = re.search(r"(?:18|19|20)\d\d", text)
        out.append(QuantityAlignment(text, float(year.group(0)) if year else 0.0, "date", span,
                                     None, None, None, None, "unaligned", UNSTATED_DATE_NOTE))
    return out
