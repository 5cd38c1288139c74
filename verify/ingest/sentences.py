"""Fast, offset-preserving sentence splitting (regex and a linear scan, no model).

A sentence may end at each run of terminal punctuation (``.``, ``!``, ``?``, ``…``, with any
closing quotes or brackets after it); a few rules decide which runs do:

* titles never end a sentence (``Dr. Okafor``, ``Mt. Fuji``), nor do ``e.g.``/``i.e.``, nor
  abbreviations that take a number before one (``No. 5``, ``p. 55``, ``N°. 12``);
* other abbreviations (``Co.``, ``Inc.``, ``Jr.``, ``etc.``, ``Jan.``, ``St.``) and dotted
  acronyms (``U.S.``, ``E.U.``) end one only before a word that usually opens a sentence
  (``I live in the U.S. How about you?`` but ``the U.S. Government``); ``a.m.``/``p.m.`` also
  before a title, unless the sentence so far is a short opening phrase (``At 5 a.m. Mr. Smith``);
* single capital letters are initials (``J. R. R. Tolkien``), except the pronoun ``I`` after a
  lower-case word (``you and I. Did``);
* a stop needs an upper-case letter, a digit or an opening quote/bracket after it
  (``'This is great.' she said`` stays whole), and whitespace (e-mails, URLs, ``1.5`` and
  ``Jr.'s`` never break);
* ellipses: ``that... She`` and ``period . . . . Next`` end a sentence, an ellipsis standing
  alone before a capital (``the thing is . . . I didn't``) and ``[...]`` do not, and in
  ``compounds. . . . The`` the attached period ends the sentence and the ellipsis opens the next;
* paragraph breaks and list items cut: line-start bullets and numbers, and inline numbered or
  lettered items when they run in sequence (``1.) one 2.) two``, ``a. one b. two``,
  ``• 9. one • 10. two``).

Example:
    >>> text = "Dr. Okafor met U.S. officials on Jan. 5. They agreed."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Dr. Okafor met U.S. officials on Jan. 5.', 'They agreed.']
"""

from __future__ import annotations

import itertools
import re

# Abbreviations placed before a name: never the end of a sentence.
TITLES = frozenset(
    """
    mr mrs ms dr prof gen col lt maj sgt capt cpl adm cmdr gov sen rep rev pres supt insp det
    hon amb messrs fr mt ft
    """.split()
)
# Other abbreviations: the end of a sentence only before a usual sentence opener.
ABBREVIATIONS = frozenset(
    """
    sr jr st
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    dept div est approx ca al inc ltd co corp bros assn univ ave blvd rd hwy apt mln bn etc
    """.split()
)
# Never the end of a sentence.
NEVER_END = frozenset("e.g i.e viz cf vs".split())
# Abbreviations that are only abbreviations before a number ("No. 5", "p. 12").
NUMBER_ABBREVIATIONS = frozenset(
    "no nos n\u00b0 n\u00ba vol vols pp p fig figs ch art sec op".split())
TIME_ABBREVIATIONS = frozenset("a.m p.m".split())
# Words that usually open a sentence (lower-cased).
SENTENCE_STARTERS = frozenset(
    """
    the a an it he she they we i you this that these those there here
    his her its their our my your some many most all each every both no any another such
    but and or so yet however therefore thus then also still although though because since
    while when whenever if unless after before during until as in on at by for from with
    to under over according meanwhile moreover furthermore nevertheless instead indeed yes
    now today yesterday tomorrow why how what who where which whose
    do does did is are was were has have had can could will would should may might must
    let please officials
    """.split()
)
# Openers after which a capital letter and a period are no initial ("vitamin C. The").
STRONG_STARTERS = frozenset(
    "the this that these those it he she they we you there his her its their our my your".split())
# Prepositions that open a short introductory phrase ("At 5 a.m. Mr. Smith ...").
_INTRO = frozenset("at by before after around until till from on since about near".split())

_OPENERS = "\"'\u201c\u2018([{"
# A run of terminal punctuation (a spaced ellipsis ". . ." is one run) and closing marks.
_END = re.compile(
    r"([.!?\u2026]+(?:[ \t][.\u2026]+(?=[\s\"'\u201d\u2019)\]]|$))*)([\"'\u201d\u2019)\]]*)")
_NEXT = re.compile(r"\s+([\"'\u201c\u2018(\[]?)(\S)")
_TOKEN_BEFORE = re.compile(r"\S{1,40}$")
_WORD = re.compile(r"[A-Za-z]+")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_PARA = re.compile(r"\n[ \t]*\n\s*")
_BULLET = re.compile(r"\n(?=[ \t]*(?:[-*\u2022\u2043]|\d{1,3}[.)])\s)")
# A list-item marker: a number or lower-case letter and ".", ")" or ".)", after whitespace or a
# bullet (the pattern opens with that character: a leading character class scans fast).
_BULLETS = "\u2022\u2043\u25e6*"
_MARKER = re.compile(r"[\s" + _BULLETS + r"](\d{1,3}|[a-z])(\.\)|\)|\.)(?=[ \t]+\S)")
_MARKER_HEAD = re.compile(r"(?:[" + _BULLETS + r"][ \t]*)?(\d{1,3}|[a-z])(\.\)|\)|\.)(?=[ \t]+\S)")
_MARKER_GAP = 1000  # inline items further apart than this are not one list
_LIST_OPENERS = ":;.!?\n"
_NON_SPACE = re.compile(r"\S")


def _token_before(text: str, pos: int) -> str:
    """The whitespace-free token that ends at ``pos``, opening quotes/brackets removed."""
    match = _TOKEN_BEFORE.search(text, max(0, pos - 40), pos)
    return match.group(0).lstrip(_OPENERS) if match else ""


def _short_intro(text: str, cursor: int, pos: int) -> bool:
    """Whether the sentence so far (``text[cursor:pos]``) is a short prepositional opener."""
    if pos - cursor > 60:
        return False
    words = text[cursor:pos].split()
    return 0 < len(words) <= 4 and words[0].lower() in _INTRO


def _ellipsis_cut(text: str, start: int, punct: str, stop: int) -> int | None:
    """Where an ellipsis run followed by a sentence-like start cuts, if it does."""
    if start > 0 and text[start - 1] == "[":
        return None  # "[...]": an omission inside a quotation
    standalone = start == 0 or text[start - 1].isspace()
    if " " in punct or "\t" in punct:
        if not standalone:
            attached = len(punct) - len(punct.lstrip(".\u2026"))
            if punct[:attached] == ".":  # "compounds. . . . The": the period ends it
                return start + 1
            return stop
    if standalone:  # "is . . . I didn't" goes on; "period . . . . Next" ends
        return stop if punct.count(".") + 3 * punct.count("\u2026") >= 4 else None
    return stop  # "that... She", "that.... She"


def _cut(text: str, match: re.Match[str], cursor: int, block_stop: int) -> int | None:
    """Where the punctuation run ``match`` ends a sentence, or None where it does not."""
    start, stop = match.start(), match.end()
    punct, closers = match.group(1), match.group(2)
    nxt = _NEXT.match(text, stop, block_stop)
    if nxt is None:
        return None  # end of block, or no space after ("Jr.'s", "U.S.-led", "1.5")
    first = nxt.group(2)
    if not (first.isupper() or first.isdigit() or nxt.group(1)):
        return None
    if "!" in punct or "?" in punct:
        return stop
    if punct != ".":
        return _ellipsis_cut(text, start, punct, stop)
    if closers:
        return stop  # a period inside closing quotes/brackets: 'said "no." Then'
    word = _token_before(text, start)
    if not word:
        return stop
    low = word.lower()
    next_word = _WORD.match(text, nxt.start(2))
    opener = next_word.group(0).lower() if next_word else ""
    starts = opener in SENTENCE_STARTERS
    if len(word) == 1 and word.isalpha():
        if word.islower():
            return None if low in NUMBER_ABBREVIATIONS and first.isdigit() else stop
        pos = start - 1
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
        before = _token_before(text, pos).rstrip(",;:")
        after_lower = bool(before) and before[0].islower()
        if (after_lower and word == "I") or opener in STRONG_STARTERS:
            return stop  # "you and I. Did", "Malcolm X. He"
        return None  # an initial: "J. Smith"
    if _DOTTED.match(word):
        if low in NEVER_END:
            return None
        if low in TIME_ABBREVIATIONS:
            ends = starts or opener in TITLES
            return stop if ends and not _short_intro(text, cursor, start) else None
        return stop if starts else None  # "the U.S. How" but "the U.S. Government"
    if low in TITLES or low in NEVER_END:
        return None
    if low in NUMBER_ABBREVIATIONS and first.isdigit():
        return None
    if low in ABBREVIATIONS:
        return stop if starts and not first.isdigit() else None
    return stop


def _split_block(text: str, start: int, scan_from: int, stop: int,
                 out: list[tuple[int, int]]) -> None:
    """Split ``text[start:stop]`` (no paragraph breaks or list items inside) into sentences;
    punctuation before ``scan_from`` (a list marker) is not looked at."""
    cursor = start
    for match in _END.finditer(text, scan_from, stop):
        if match.start() < cursor:
            continue  # inside the previous cut's run
        cut = _cut(text, match, cursor, stop)
        if cut is not None:
            _emit(text, cursor, cut, out)
            cursor = cut
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


def _list_markers(text: str) -> dict[int, int]:
    """List-item markers, start -> end: those at a line start, and inline ones that run in
    sequence with another of the same style (1. 2. / 1.) 2.) / a. b. / 9) 10)), the first of
    them opening the text, a bullet or a clause ("Steps: 1. Open 2. Close", not "rose 1. Then")."""
    found: dict[int, int] = {}
    # style -> (value, start, end, whether the run of items opened properly)
    last: dict[tuple[bool, str], tuple[int, int, int, bool]] = {}
    head = _MARKER_HEAD.match(text)
    rest = _MARKER.finditer(text, head.end() if head else 0)
    for match in itertools.chain([head] if head else [], rest):
        start = pos = match.start(1)
        while pos > 0 and text[pos - 1] in " \t":
            pos -= 1
        if pos > 0 and text[pos - 1] in _BULLETS:  # the item starts at its bullet
            start = pos = pos - 1
            while pos > 0 and text[pos - 1] in " \t":
                pos -= 1
        if pos == 0 or text[pos - 1] == "\n":  # at a line start
            found[start] = match.end()
        label, punct = match.group(1), match.group(2)
        numeric = label.isdigit()
        value = int(label) if numeric else ord(label)
        style = (numeric, punct)
        previous = last.get(style)
        if previous and previous[0] + 1 == value and start - previous[1] <= _MARKER_GAP:
            opened = previous[3]
            if opened:
                found[previous[1]] = previous[2]
                found[start] = match.end()
        else:
            opened = pos == 0 or text[pos - 1] in _LIST_OPENERS or not text[start].isalnum()
        last[style] = (value, start, match.end(), opened)
    return found


def _blocks(text: str) -> list[tuple[int, int, int]]:
    """Paragraphs and list items, ``(start, scan_from, stop)``: spans no sentence may cross;
    ``scan_from`` is past the list marker that opens the span, if any."""
    markers = _list_markers(text)
    cuts = sorted({m.start() for m in _PARA.finditer(text)}
                  | {m.start() for m in _BULLET.finditer(text)} | set(markers))
    spans: list[tuple[int, int, int]] = []
    cursor = 0
    for cut in [*cuts, len(text)]:
        if cut > cursor:
            spans.append((cursor, markers.get(cursor, cursor), cut))
        cursor = cut
    return spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``; ``text[start:end]`` is the sentence."""
    out: list[tuple[int, int]] = []
    for start, scan_from, stop in _blocks(text):
        _split_block(text, start, scan_from, stop, out)
    return out
