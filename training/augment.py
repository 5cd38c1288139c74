"""Deterministic, seeded text edits that grow the stance training data.

Every function takes an explicit ``random.Random`` so a build is reproducible.
Functions return ``None`` when an edit does not apply to the given text.

Example:
    >>> import random
    >>> rng = random.Random(0)
    >>> edit = numeric_counterfactual("IS-K killed 338 civilians", "It killed 338 people", rng)
    >>> edit is not None and "338" not in edit
    True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from verify.checks.views import NEGATION_RE

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}
WORD_OF = {v: k for k, v in NUMBER_WORDS.items() if k not in {"hundred", "dozen"}}
SCALE_WORDS = ("thousand", "million", "billion", "trillion")
HEDGES = (
    "more than", "over", "at least", "less than", "fewer than", "under", "about", "around",
    "nearly", "almost", "up to", "roughly", "approximately", "some", "at most", "below",
    "above", "only", "just",
)
_NUM = r"(?<![\w.,-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w,]*\d)"
_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER_RE = re.compile(rf"{_NUM}|\b(?:{_WORDS})\b", re.IGNORECASE)
UNIT_SWAPS = {
    "km": "miles", "miles": "km", "kilometres": "miles", "kilometers": "miles",
    "kg": "pounds", "pounds": "kg", "percent": "percentage points", "%": " times",
    "thousand": "million", "million": "billion", "billion": "million", "trillion": "billion",
    "days": "weeks", "weeks": "months", "months": "years", "years": "months",
    "hours": "days", "minutes": "hours", "metres": "feet", "meters": "feet", "feet": "metres",
}
ANTONYMS = {
    "increased": "decreased", "decreased": "increased", "increase": "decrease",
    "decrease": "increase", "increases": "decreases", "decreases": "increases",
    "rose": "fell", "fell": "rose", "rise": "fall", "higher": "lower", "lower": "higher",
    "won": "lost", "lost": "won", "win": "lose", "wins": "loses", "closed": "kept open",
    "opened": "closed", "open": "closed", "before": "after", "after": "before",
    "largest": "smallest", "smallest": "largest", "biggest": "smallest", "first": "last",
    "last": "first", "alive": "dead", "dead": "alive", "male": "female", "female": "male",
    "positive": "negative", "negative": "positive", "accepted": "rejected",
    "rejected": "accepted", "approved": "rejected", "allowed": "banned", "banned": "allowed",
    "gained": "lost", "above": "below", "below": "above", "north": "south", "south": "north",
    "east": "west", "west": "east", "older": "younger", "younger": "older", "oldest": "youngest",
    "youngest": "oldest", "majority": "minority", "minority": "majority", "always": "never",
    "supported": "opposed", "opposed": "supported", "began": "ended", "ended": "began",
    "more": "less", "less": "more", "fewer": "more", "many": "few", "few": "many",
    "success": "failure", "successful": "unsuccessful", "failed": "succeeded",
    "succeeded": "failed", "inside": "outside", "outside": "inside", "sitting": "standing",
    "standing": "sitting", "asleep": "awake", "awake": "asleep", "empty": "full",
    "full": "empty", "wet": "dry", "dry": "wet", "happy": "sad", "sad": "happy",
    "young": "old", "old": "young", "large": "small", "small": "large", "big": "small",
    "tall": "short", "day": "night", "night": "day",
    "man": "woman", "woman": "man", "men": "women", "women": "men", "boy": "girl",
    "girl": "boy", "indoors": "outdoors", "outdoors": "indoors", "kept": "closed",
    "legal": "illegal", "illegal": "legal", "true": "false", "false": "true",
    "public": "private", "private": "public", "include": "exclude", "includes": "excludes",
    "raised": "lowered", "lowered": "raised", "expanded": "reduced", "reduced": "expanded",
    "strengthened": "weakened", "weakened": "strengthened", "entered": "left",
}
_NEG_INSERT = re.compile(
    r"(?<![\w-])(is|was|are|were|has been|have been|had been|can|could|will|would|should|does|did)\b"
    r"(?! not\b| never\b|n't)(?![\w-])")
_NEG_REMOVE = re.compile(
    r"\b(is|was|are|were|has|have|had|can|could|will|would|should) (not|never) ", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """A number found in a text: its span, surface form and value."""

    start: int
    end: int
    text: str
    value: float
    raw: float

    @property
    def is_year(self) -> bool:
        """A bare four-digit number in the range of calendar years."""
        return self.text.isdigit() and len(self.text) == 4 and 1500 <= self.raw <= 2100


def parse_number(text: str) -> float | None:
    """Value of a digit string ("1,700", "3.5") or a number word ("five")."""
    low = text.lower()
    if low in NUMBER_WORDS:
        return float(NUMBER_WORDS[low])
    try:
        return float(low.replace(",", ""))
    except ValueError:
        return None


def find_figures(text: str) -> list[Figure]:
    """Every number in ``text`` with its value, scale words applied ("2 million")."""
    out = []
    for m in NUMBER_RE.finditer(text):
        raw = parse_number(m.group(0))
        if raw is None:
            continue
        value = raw
        tail = text[m.end():m.end() + 10].lower().lstrip()
        for k, word in enumerate(SCALE_WORDS):
            if tail.startswith(word):
                value *= 1000.0 ** (k + 1)
                break
        out.append(Figure(m.start(), m.end(), m.group(0), value, raw))
    return out


def format_number(value: float, like: str) -> str:
    """Write ``value`` in the style of ``like`` (digits with commas, decimals, or a word)."""
    if like.lower() in NUMBER_WORDS and value == int(value) and int(value) in WORD_OF:
        word = WORD_OF[int(value)]
        return word.capitalize() if like[0].isupper() else word
    if "." in like and value != int(value):
        decimals = len(like.split(".")[1])
        return f"{value:.{decimals}f}"
    number = int(round(value))
    if "," in like or (number >= 10000 and not like.isdigit()):
        return f"{number:,}"
    return str(number)


LOWER_BOUNDS = ("more than", "over", "at least", "above")
UPPER_BOUNDS = ("less than", "fewer than", "under", "up to", "at most", "below")


def hedge_of(text: str, start: int) -> str | None:
    """The hedge ("more than", "about", ...) right before the figure at ``start``, if any."""
    before = text[max(0, start - 16):start].lower().rstrip()
    for hedge in HEDGES:
        if before.endswith(hedge) and (len(before) == len(hedge)
                                       or not before[-len(hedge) - 1].isalpha()):
            return hedge
    return None


def _hedged(text: str, start: int) -> bool:
    """True when the figure at ``start`` is preceded by a hedge like "more than"."""
    return hedge_of(text, start) is not None


def hedged_changed_value(fig: Figure, hedge: str, rng: random.Random) -> float | None:
    """A value that a hedged figure cannot cover: x10 up for lower bounds ("more than"),
    /10 down for upper bounds ("less than"), either way for "about"/"nearly"."""
    if fig.is_year or fig.raw < 2:
        return None
    if hedge in LOWER_BOUNDS:
        factor = 10.0
    elif hedge in UPPER_BOUNDS:
        factor = 0.1
    else:
        factor = rng.choice([10.0, 0.1])
    new = fig.raw * factor
    if fig.raw == int(fig.raw):
        if new < 2:
            return None
        new = float(round(new))
    return new


def shared_figures(claim: str, evidence: str) -> list[Figure]:
    """Figures of the claim whose value also appears in the evidence (excluding "one")."""
    ev_values = {f.value for f in find_figures(evidence)}
    return [f for f in find_figures(claim)
            if f.value in ev_values and not (f.text.lower() == "one")]


def changed_value(fig: Figure, rng: random.Random) -> float:
    """A clearly different value: a shifted year, x10 or /10, or a 30-90% shift."""
    if fig.is_year:
        return fig.raw + rng.choice([-1, 1]) * rng.randint(2, 15)
    value = fig.raw
    mode = rng.random()
    if mode < 0.35 and value >= 10:
        new = value / 10 if rng.random() < 0.5 and value >= 100 else value * 10
    elif mode < 0.7:
        new = value * (1 + rng.choice([-1, 1]) * rng.uniform(0.3, 0.9))
    else:
        new = value * rng.uniform(1.5, 4.0)
    if value == int(value):
        new = float(max(2, round(new)))
        if new == value:
            new = value + max(2, round(value * 0.5))
    return new


def is_negated(text: str) -> bool:
    """True when the text has a negation word; figure edits are skipped for those."""
    return bool(NEGATION_RE.search(text))


def numeric_counterfactual(claim: str, evidence: str, rng: random.Random,
                           hedged: bool = True) -> str | None:
    """Claim with one shared figure changed, so the evidence now refutes it.

    A hedged figure ("about 800") is only moved by x10 or /10 in the direction its hedge
    cannot cover; ``hedged=False`` skips hedged figures altogether (recipe v1).
    """
    if is_negated(claim):
        return None
    candidates = shared_figures(claim, evidence)
    if not hedged:
        candidates = [f for f in candidates if not _hedged(claim, f.start)]
    if not candidates:
        return None
    fig = rng.choice(candidates)
    hedge = hedge_of(claim, fig.start)
    if hedge is None:
        value: float | None = changed_value(fig, rng)
    else:
        value = hedged_changed_value(fig, hedge, rng)
    if value is None:
        return None
    new = format_number(value, fig.text)
    if parse_number(new) == fig.raw:
        return None
    return claim[:fig.start] + new + claim[fig.end:]


def unit_swap(claim: str, evidence: str, rng: random.Random) -> str | None:
    """Claim with the unit/scale word after a shared figure swapped ("5 km" -> "5 miles")."""
    if is_negated(claim):
        return None
    options = []
    for fig in shared_figures(claim, evidence):
        m = re.match(r"\s*(%|[A-Za-z]+)", claim[fig.end:])
        if m and m.group(1).lower() in UNIT_SWAPS and m.group(1).lower() in evidence.lower():
            options.append((fig, m))
    if not options:
        return None
    fig, m = rng.choice(options)
    start, end = fig.end + m.start(1), fig.end + m.end(1)
    new = UNIT_SWAPS[m.group(1).lower()]
    if new.startswith(" "):
        start = fig.end
    return claim[:start] + new + claim[end:]


def numeric_paraphrase(claim: str, evidence: str, rng: random.Random) -> str | None:
    """Claim with a shared figure reworded so the evidence still supports it.

    Rules: a small integer as a word or back ("five" <-> "5"), "about N", and
    "more than M" for a round M below N (1,200 -> "more than 1,000").
    """
    candidates = [f for f in shared_figures(claim, evidence)
                  if not _hedged(claim, f.start) and not f.is_year]
    if not candidates:
        return None
    fig = rng.choice(candidates)
    value = fig.raw
    options: list[tuple[str, str]] = []  # (hedge, number text)
    if fig.text.lower() in NUMBER_WORDS and value == int(value):
        options.append(("", str(int(value))))
    elif value == int(value) and int(value) in WORD_OF and 2 <= value <= 20:
        options.append(("", WORD_OF[int(value)]))
    if value == int(value) and value >= 1000 and "," not in fig.text and fig.text.isdigit():
        options.append(("", f"{int(value):,}"))
    options.append(("about", fig.text))
    if value == int(value) and value >= 20:
        magnitude = 10 ** (len(str(int(value))) - 1)
        lower = (int(value) // magnitude) * magnitude
        if lower == value:
            lower = value - magnitude // 2 if magnitude >= 10 else value - 1
        if 0 < lower < value:
            options.append(("more than", format_number(lower, fig.text)))
    hedge, number = rng.choice(options)
    start = fig.start
    if hedge and start > 0 and claim[start - 1] in "$€£¥":
        start -= 1
        number = claim[start] + number
    if hedge and start == 0:
        hedge, number = hedge.capitalize(), number.lower()
    elif start == 0:
        number = number.capitalize()
    return claim[:start] + (f"{hedge} {number}" if hedge else number) + claim[fig.end:]


def _match_case(word: str, like: str) -> str:
    """``word`` capitalised like ``like``."""
    return word.capitalize() if like[:1].isupper() else word


def negate(claim: str, rng: random.Random) -> str | None:
    """Insert or remove a "not"/"never" on the first auxiliary verb."""
    removed = _NEG_REMOVE.search(claim)
    if removed:
        return claim[:removed.start()] + removed.group(1) + " " + claim[removed.end():]
    m = _NEG_INSERT.search(claim)
    if not m:
        return None
    word = "never" if m.group(1).lower().endswith("been") and rng.random() < 0.5 else "not"
    aux = m.group(1)
    if " " in aux:  # "has been" -> "has not been"
        first, second = aux.split(" ", 1)
        new = f"{first} {word} {second}"
    else:
        new = f"{aux} {word}"
    return claim[:m.start()] + new + claim[m.end():]


def antonym_swap(claim: str, rng: random.Random) -> str | None:
    """Swap one word for its opposite (increased <-> decreased, won <-> lost, ...)."""
    if is_negated(claim):
        return None
    kept_open = re.search(r"\bkept (\w+ )?open\b", claim, re.IGNORECASE)
    if kept_open:  # "kept (all bases) open" is one phrase: -> "closed (all bases)"
        middle = f" {kept_open.group(1).strip()}" if kept_open.group(1) else ""
        return claim[:kept_open.start()] + "closed" + middle + claim[kept_open.end():]
    words = list(re.finditer(r"[A-Za-z]+", claim))
    hits = [m for m in words if m.group(0).lower() in ANTONYMS]
    if not hits:
        return None
    m = rng.choice(hits)
    new = _match_case(ANTONYMS[m.group(0).lower()], m.group(0))
    return claim[:m.start()] + new + claim[m.end():]


def entity_swap(claim: str, entity: str, replacement: str) -> str | None:
    """Replace every mention of ``entity`` in the claim by ``replacement``."""
    if not entity or entity == replacement or entity not in claim:
        return None
    return claim.replace(entity, replacement)


# ---- absent details (recipe v1.1) ---------------------------------------------------------
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20[0-4]\d)\b")
_DATE_RE = re.compile(r"\b(1[89]\d\d|20[0-4]\d)\b|\b(" + "|".join(MONTH_NAMES) + r")\b")
_LOWER_FIRST = {"The", "A", "An", "There", "It", "This", "These", "Those", "Some", "Many"}


def has_date(text: str) -> bool:
    """Whether the text names a year (1800-2049) or a month."""
    return _DATE_RE.search(text) is not None


def years_in(text: str) -> list[str]:
    """The years named in the text, in order, without repeats."""
    return list(dict.fromkeys(m.group(0) for m in _YEAR_RE.finditer(text)))


def insert_date(claim: str, phrase: str, rng: random.Random) -> str:
    """The claim with a date phrase ("in 2014", "on March 3") before its end or at its start."""
    text = claim.strip()
    end = ""
    while text and text[-1] in ".!?":
        end, text = text[-1] + end, text[:-1]
    if rng.random() < 0.5:
        return f"{text} {phrase}{end}"
    first, _, rest = text.partition(" ")
    if first in _LOWER_FIRST:
        first = first.lower()
    lead = phrase[0].upper() + phrase[1:]
    return f"{lead}, {first} {rest}".rstrip() + end


def random_date_phrase(rng: random.Random) -> str:
    """A date phrase of one of four shapes, with a year in 1950-2024."""
    year, month, day = rng.randint(1950, 2024), rng.choice(MONTH_NAMES), rng.randint(1, 28)
    return rng.choice((f"in {year}", f"in {month} {year}", f"on {month} {day}",
                       f"on {month} {day}, {year}"))


def absent_date(claim: str, evidence: str, rng: random.Random) -> str | None:
    """A supported claim given a date its evidence never states: the evidence can no longer
    settle it (-> unrelated). ``None`` when either side already names a date."""
    if has_date(claim) or has_date(evidence) or len(claim.split()) < 4:
        return None
    return insert_date(claim, random_date_phrase(rng), rng)


def stated_date(claim: str, evidence: str, rng: random.Random) -> str | None:
    """A supported claim given the year its evidence states (-> still supports), so that a
    date in a claim is not read as a sign of falsehood. ``None`` when that does not apply."""
    years = years_in(evidence)
    if not years or has_date(claim) or len(claim.split()) < 4:
        return None
    return insert_date(claim, f"in {rng.choice(years)}", rng)
