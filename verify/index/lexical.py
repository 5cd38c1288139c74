"""The lexical (BM25, via ``bm25s``) half of the index.

Documents are held in passage-id order; ``positions`` maps them back to ids.
BM25 catches what embeddings blur: exact figures ("338", "1700"), names and
rare words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from verify.index.base import LexicalBackend
from verify.index.tokenize import tokenize

log = logging.getLogger(__name__)

K1 = 0.9  # Anserini/BEIR defaults
B = 0.4
IDS_FILE = "lexical.ids.npy"



def _bm25s() -> Any:
    """bm25s, with the DEBUG level it sets on its own logger at import put back to WARNING."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s

class LexicalIndex(LexicalBackend):
    """BM25 over the passages, with passage ids (the ``bm25`` lexical backend)."""

    library = "bm25s"

    def __init__(self, model: object | None = None, ids: np.ndarray | None = None) -> None:
        self.model = model
        self.passage_ids = ids if ids is not None else np.zeros(0, np.int64)
        self._vocab: dict[str, int] = getattr(model, "vocab_dict", None) or {}
        self._last: tuple[str, np.ndarray] | None = None  # one-query cache: search then scores

    @classmethod
    def build(cls, texts: Sequence[str], ids: Sequence[int] | np.ndarray) -> LexicalIndex:
        """Tokenise and index ``texts`` (one per passage id)."""
        bm25s = _bm25s()
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return cls()
        model = bm25s.BM25(k1=K1, b=B, method="lucene")
        corpus = [tokenize(t) or [""] for t in texts]
        model.index(corpus, show_progress=False)
        return cls(model, ids)

    @property
    def size(self) -> int:
        """Number of documents indexed."""
        return int(len(self.passage_ids))

    def scores_all(self, query: str) -> np.ndarray:
        """BM25 score of every indexed passage for ``query`` (position order)."""
        if self._last is not None and self._last[0] == query:
            return self._last[1]
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if self.model is None or not tokens:
            scores = np.zeros(self.size, np.float32)
        else:
            scores = np.asarray(self.model.get_scores(tokens), dtype=np.float32)  # type: ignore[attr-defined]
        scores.flags.writeable = False
        self._last = (query, scores)
        return scores

    def search(self, query: str, k: int,
               allowed_ids: Sequence[int] | np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-``k`` (passage_id, bm25) with a positive score, optionally restricted."""
        if self.size == 0 or k <= 0:
            return []
        scores = self.scores_all(query)
        if allowed_ids is not None:
            mask = np.isin(self.passage_ids, np.asarray(allowed_ids, dtype=np.int64))
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k] if k < self.size else np.arange(self.size)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.passage_ids[j]), float(scores[j])) for j in top if scores[j] > 0]

    def scores(self, query: str, ids: Sequence[int] | np.ndarray) -> dict[int, float]:
        """BM25 score of the given passages (ids not indexed are skipped)."""
        if self.size == 0:
            return {}
        scores = self.scores_all(query)
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self.passage_ids, ids)
        out: dict[int, float] = {}
        for pid, p in zip(ids, pos, strict=True):
            if p < self.size and self.passage_ids[p] == pid:
                out[int(pid)] = float(scores[p])
        return out

    # ---- persistence ----------------------------------------------------------
    def write(self, folder: Path) -> None:
        """Save into ``folder`` (bm25s files plus the id order)."""
        np.save(folder / IDS_FILE, self.passage_ids)
        if self.model is not None:
            self.model.save(str(folder / "bm25"), show_progress=False)  # type: ignore[attr-defined]

    @classmethod
    def read(cls, folder: Path, *, mmap: bool = False) -> LexicalIndex:
        """Load what :meth:`write` saved."""
        bm25s = _bm25s()
        ids = np.load(folder / IDS_FILE)
        if not len(ids):
            return cls()
        model = bm25s.BM25.load(str(folder / "bm25"), mmap=mmap, show_progress=False)
        params = json.loads((folder / "bm25" / "params.index.json").read_text())
        if int(params.get("num_docs", len(ids))) != len(ids):
            raise ValueError("BM25 document count does not match its id list")
        return cls(model, ids)
