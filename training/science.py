"""Science-domain training pairs (recipe v1d): direction flips and abstract conclusions.

SciFact's refuted claims mostly flip a finding's direction ("increases" for "decreases",
"activates" for "inhibits") or negate it, and the general NLI data has few such pairs in
scientific language. This module makes them:

- ``direction_swap``: flip one direction word of a scientific statement (a supported
  claim becomes a refuted one against the same evidence);
- ``conclusion_claim``: the finding an abstract's last sentence states, as a claim, to
  pair (unlabelled data made into labels) with the rest of the abstract.

Example:
    >>> import random
    >>> direction_swap("Metformin reduces the risk of colon cancer.", random.Random(0))
    'Metformin increases the risk of colon cancer.'
    >>> conclusion_claim("These results suggest that TNF inhibits bone growth in adult mice.")
    'TNF inhibits bone growth in adult mice.'
"""

from __future__ import annotations

import random
import re

from training.augment import is_negated

# each pair is swapped both ways; the forms are kept as written (no inflection rules)
_DIRECTION_PAIRS = [
    ("increases", "decreases"), ("increased", "decreased"), ("increase", "decrease"),
    ("increasing", "decreasing"), ("reduces", "increases"), ("reduced", "increased"),
    ("reduce", "increase"), ("reduction", "increase"), ("lowers", "raises"),
    ("higher", "lower"), ("high", "low"), ("elevated", "reduced"),
    ("upregulates", "downregulates"), ("upregulated", "downregulated"),
    ("up-regulates", "down-regulates"), ("up-regulated", "down-regulated"),
    ("upregulation", "downregulation"), ("activates", "inhibits"), ("activated", "inhibited"),
    ("activation", "inhibition"), ("activate", "inhibit"), ("promotes", "suppresses"),
    ("promoted", "suppressed"), ("promote", "suppress"), ("enhances", "impairs"),
    ("enhanced", "impaired"), ("enhance", "impair"), ("improves", "worsens"),
    ("improved", "worsened"), ("improve", "worsen"), ("positive", "negative"),
    ("positively", "negatively"), ("greater", "smaller"), ("larger", "smaller"),
    ("longer", "shorter"), ("faster", "slower"), ("accelerates", "delays"),
    ("beneficial", "harmful"), ("effective", "ineffective"), ("efficient", "inefficient"),
    ("required", "dispensable"), ("necessary", "unnecessary"), ("essential", "dispensable"),
    ("sufficient", "insufficient"), ("gain", "loss"), ("agonist", "antagonist"),
    ("resistant", "susceptible"), ("resistance", "susceptibility"), ("stabilizes", "destabilizes"),
    ("presence", "absence"), ("common", "rare"), ("early", "late"),
    ("earlier", "later"), ("more", "less"), ("better", "worse"), ("survival", "mortality"),
    ("protects", "predisposes"), ("protective", "detrimental"), ("induces", "prevents"),
    ("induced", "prevented"), ("correlated", "uncorrelated"), ("stimulates", "inhibits"),
    ("facilitates", "hinders"), ("overexpression", "underexpression"),
]
DIRECTION_WORDS: dict[str, str] = {}
for _a, _b in _DIRECTION_PAIRS:
    DIRECTION_WORDS.setdefault(_a, _b)
    DIRECTION_WORDS.setdefault(_b, _a)
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_LEAD = re.compile(
    r"^(in conclusion|in summary|taken together|together|overall|thus|therefore|hence|"
    r"collectively|conclusions?|interpretation)\s*[,:]?\s*", re.IGNORECASE)
_HEDGE = re.compile(
    r"^(these|our|the|this|such|present|taken together,? these|all these)\b[^,;:]{0,80}?\b"
    r"(suggests?|indicates?|shows?|demonstrates?|reveals?|implies|imply|supports?|"
    r"provides? evidence|establish(es)?|identif(y|ies)|highlights?|confirms?)\s+(that\s+)?",
    re.IGNORECASE)
_WE = re.compile(r"^we\s+(conclude|propose|suggest|show|found|find|demonstrate)\s+that\s+",
                 re.IGNORECASE)


def direction_swap(claim: str, rng: random.Random) -> str | None:
    """Flip one direction word (increases -> decreases, activates -> inhibits, ...)."""
    if is_negated(claim):
        return None
    hits = [m for m in _WORD.finditer(claim) if m.group(0).lower() in DIRECTION_WORDS]
    if not hits:
        return None
    m = rng.choice(hits)
    word = m.group(0)
    new = DIRECTION_WORDS[word.lower()]
    new = new.capitalize() if word[:1].isupper() else new
    return claim[:m.start()] + new + claim[m.end():]


def conclusion_claim(sentence: str) -> str | None:
    """An abstract's conclusion sentence stripped of its lead-in, or None when too
    short, too long or still a statement about the study rather than a finding."""
    text = sentence.strip()
    text = _LEAD.sub("", text)
    text = _WE.sub("", text)
    text = _HEDGE.sub("", text)
    words = text.split()
    if not 6 <= len(words) <= 40:
        return None
    if re.match(r"^(this|these|the present|our|further|future|more)\b", text, re.IGNORECASE):
        return None
    return text[:1].upper() + text[1:]
