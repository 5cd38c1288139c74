"""A claim as the models should read it: cleaned of markup noise, in a language they read.

A claim pasted from a web page or a terminal carries noise that changes a verdict: a
footnote marker ("...Pakistan[31]") reads as a figure, an ANSI colour code or a zero-width
space splits words. ``normalise_claim`` removes them (the claim as given is kept with the
result). ``claim_language`` says which language a claim is in, from its script and its
function words, so that a claim the models cannot read gets NOT ENOUGH EVIDENCE with that
reason rather than a verdict from its figures alone.

Example:
    >>> normalise_claim("IS-K killed 338 civilians in Pakistan[31]")
    'IS-K killed 338 civilians in Pakistan'
    >>> claim_language("Le prix du pain a augmenté de 338 pour cent depuis 2017")
    'fr'
    >>> claim_language("IS-K killed 338 civilians in Pakistan since 2017")
    'en'
"""

from __future__ import annotations

import html
import re
import unicodedata

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
# [31], [a], [citation needed], [note 4], [31][32]; superscript footnote digits
FOOTNOTE = re.compile(r"\[(?:\d{1,3}|[a-z]|note \d{1,3}|citation needed|clarification needed|"
                      r"who\?|when\?|according to whom\?|dubious[^\]]{0,20}|by whom\?)\]",
                      re.IGNORECASE)
SUPERSCRIPTS = re.compile("(?<=[A-Za-z.,;:)])[\u00b9\u00b2\u00b3\u2070-\u2079]+")


def normalise_claim(text: str) -> str:
    """The claim without control characters, escape codes, zero-width characters, HTML
    entities and footnote or citation markers, its spaces collapsed."""
    out = ANSI.sub("", text)
    out = html.unescape(out)
    out = ZERO_WIDTH.sub("", out)
    out = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n\r" else " " for ch in out)
    out = FOOTNOTE.sub("", out)
    out = SUPERSCRIPTS.sub("", out)
    out = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(out.split()))
    return out.strip()


# Function words by language: frequent, short and distinctive.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is was that for on with as by at from has have had were "
                    "are be this it its than since more not".split()),
    "fr": frozenset("le la les des du de un une et est sont dans pour par sur avec qui que pas "
                    "depuis au aux ont été il elle".split()),
    "es": frozenset("el la los las de del y en es son por para con que un una desde fue han "
                    "ha al se su".split()),
    "de": frozenset("der die das und ist sind ein eine von mit für auf im den dem des nicht "
                    "seit hat wurde".split()),
    "it": frozenset("il lo la gli le di del della e è sono per con che un una dal nel ha "
                    "stato".split()),
    "pt": frozenset("o a os as de do da dos das e é são em para com que um uma desde foi "
                    "tem".split()),
    "nl": frozenset("de het een en van in is zijn op met voor dat niet sinds werd heeft".split()),
}
# Unicode script of a letter, by name prefix, to the language it most often writes.
SCRIPTS = (("ARABIC", "ar"), ("CYRILLIC", "ru"), ("CJK", "zh"), ("HIRAGANA", "ja"),
           ("KATAKANA", "ja"), ("HANGUL", "ko"), ("HEBREW", "he"), ("GREEK", "el"),
           ("DEVANAGARI", "hi"), ("THAI", "th"), ("BENGALI", "bn"), ("TAMIL", "ta"))
SUPPORTED_LANGUAGES = frozenset({"en"})
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German",
                  "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "ar": "Arabic",
                  "ru": "Russian (Cyrillic)", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
                  "he": "Hebrew", "el": "Greek", "hi": "Hindi", "th": "Thai", "bn": "Bengali",
                  "ta": "Tamil"}


def _script_language(text: str) -> str | None:
    """The language of a text's main non-Latin script, when most of its letters are in one."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    counts: dict[str, int] = {}
    for ch in letters:
        name = unicodedata.name(ch, "")
        for prefix, lang in SCRIPTS:
            if name.startswith(prefix):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    return lang if n / len(letters) >= 0.5 else None


def claim_language(text: str) -> str:
    """An ISO 639-1 code for the claim's language ('en' when unsure: too few words to tell).

    A non-Latin script decides by itself; otherwise the language whose function words the
    claim uses most, if it uses at least two of them and more than of English's.
    """
    if (script := _script_language(text)) is not None:
        return script
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(1 for w in words if w in fw) for lang, fw in FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if best != "en" and scores[best] >= 2 and scores[best] > scores["en"]:
        return best
    return "en"
