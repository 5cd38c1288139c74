"""The audit's spaCy pipeline (tagger + NER, no parser or lemmatizer), from the one loader
in :mod:`verify.nlp`."""

from __future__ import annotations

from typing import Any

from verify.nlp import SPACY_MODEL, load_spacy

AUDIT_EXCLUDE = ("parser", "lemmatizer")


def get_nlp() -> Any:
    """spaCy with only tok2vec, tagger, attribute_ruler and ner enabled (fast); loaded once,
    :class:`~verify.errors.ModelLoadError` when it cannot be."""
    return load_spacy(AUDIT_EXCLUDE)


__all__ = ["AUDIT_EXCLUDE", "SPACY_MODEL", "get_nlp"]
