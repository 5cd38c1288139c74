"""Hand-made check-worthiness features over a spaCy doc (or span) of one sentence.

The feature list is versioned (``FEATURE_SPEC_VERSION``): a fitted model records
the names and version it was trained with and refuses to load on a mismatch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

FEATURE_SPEC_VERSION = "cw-features-1"

ATTRIBUTION = re.compile(
    r"\b(said|says|say|estimated|estimates|estimate|according to|reported|reports|announced|"
    r"claimed|claims|stated|told|confirmed|found|showed|shows|counted|recorded|attributed|"
    r"attributes|documented)\b", re.I)
COMPARATIVE_WORDS = re.compile(
    r"\b(more|less|fewer|most|least|than|largest|biggest|highest|lowest|smallest|record|"
    r"doubled|tripled|halved|increase[ds]?|decrease[ds]?|rose|fell|grew|dropped|declined|"
    r"times)\b", re.I)
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'll|me|my|we|we're|we've|we'll|us|our|ours)\b", re.I)
OPINION = re.compile(
    r"\b(think|believe|feel|hope|want|wish|should|must|ought|need to|going to|will|would|"
    r"could|might|maybe|perhaps|probably|great|terrible|wonderful|wrong|right|good|bad|best "
    r"way|i guess|let me|thank|thanks|question|opinion|common|often|usually|sometimes)\b", re.I)
NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,.]*\d?%?|\b(one|two|three|four|five|six|seven|eight|"
                    r"nine|ten|hundred|hundreds|thousand|thousands|million|millions|billion|"
                    r"billions|trillion|dozen|dozens|half|quarter|percent)\b", re.I)
PERCENT = re.compile(r"\d\s?%|\bper ?cent\b", re.I)
MONEY = re.compile(r"[$€£]\s?\d|\b(dollars?|euros?|pounds?|usd)\b|\b\d[\d,.]*\s?(million|billion|trillion)\b", re.I)
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
MONTH = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?\s*\d",
                   re.I)

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "DATE", "CARDINAL", "MONEY", "PERCENT",
                 "QUANTITY", "LOC", "EVENT", "LAW", "ORDINAL")

FEATURE_NAMES: tuple[str, ...] = (
    "has_number", "n_numbers_log", "has_percent", "has_money", "has_year", "has_month_date",
    *(f"ent_{label.lower()}" for label in ENTITY_LABELS),
    "n_entities_log", "has_named_actor", "comparative_tag", "superlative_tag", "comparative_word",
    "attribution", "first_person", "opinion", "question", "n_tokens_log", "short",
    "modal_or_future", "past_tense_ratio",
)


def _span_features(span: Any) -> list[float]:
    """Features of one sentence given as a spaCy Doc or Span."""
    text = span.text
    ents = list(span.ents)
    labels = [e.label_ for e in ents]
    tags = [t.tag_ for t in span]
    n_tok = max(1, sum(1 for t in span if not t.is_punct))
    numbers = NUMBER.findall(text)
    has_actor = any(lbl in ("PERSON", "ORG", "GPE", "NORP") for lbl in labels)
    verbs = [t for t in tags if t.startswith("VB") or t == "MD"]
    past = sum(1 for t in tags if t in ("VBD", "VBN"))
    row = [
        float(bool(numbers)), math.log1p(len(numbers)), float(bool(PERCENT.search(text))),
        float(bool(MONEY.search(text))), float(bool(YEAR.search(text))),
        float(bool(MONTH.search(text))),
        *(float(labels.count(label) > 0) for label in ENTITY_LABELS),
        math.log1p(len(ents)), float(has_actor),
        float(any(t in ("JJR", "RBR") for t in tags)), float(any(t in ("JJS", "RBS") for t in tags)),
        float(bool(COMPARATIVE_WORDS.search(text))),
        float(bool(ATTRIBUTION.search(text))), float(bool(FIRST_PERSON.search(text))),
        float(bool(OPINION.search(text))), float(text.rstrip().endswith("?")),
        math.log1p(n_tok), float(n_tok < 6),
        float("MD" in tags), past / max(1, len(verbs)),
    ]
    return row


def features_for_docs(docs: Sequence[Any]) -> np.ndarray:
    """An (n, len(FEATURE_NAMES)) float32 matrix, one row per sentence doc/span."""
    rows = [_span_features(d) for d in docs]
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    return np.asarray(rows, dtype=np.float32)


def sentence_features(sentences: Sequence[str], batch_size: int = 256) -> np.ndarray:
    """Parse standalone sentences with spaCy (batched) and compute their features."""
    from verify.audit.nlp import get_nlp

    docs = list(get_nlp().pipe(list(sentences), batch_size=batch_size))
    return features_for_docs(docs)
