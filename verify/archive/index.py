"""The archive's own index: dense (FAISS, the workspace embedder) + lexical (BM25).

It reuses the passage index's building blocks (:class:`verify.index.dense.DenseIndex`,
:class:`verify.index.lexical.LexicalIndex`) over fact-checks instead of passages. Each
fact-check has two vectors, its claim (id ``2 * fact_check_id``) and its title where it has
one (``2 * fact_check_id + 1``: a headline is a second wording of the claim), and one BM25
document (claim + title). Saved under ``<workspace>/archive_index/``; brought up to date on
use when fact-checks were added (only the new ones are embedded), rebuilt when the
embedder changed or fact-checks were removed.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.archive.models import one_row
from verify.archive.normalise import for_matching

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.store import Store

log = logging.getLogger(__name__)

FOLDER = "archive_index"
META = "meta.json"
FORMAT = 2


def _dense_cls() -> Any:
    from verify.index.dense import DenseIndex

    return DenseIndex


def _lexical_cls() -> Any:
    from verify.index.lexical import LexicalIndex

    return LexicalIndex


def _doc_freq(texts: list[str]) -> dict[str, int]:
    """How many texts hold each BM25 token."""
    from collections import Counter

    from verify.index.tokenize import tokenize

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(tokenize(text)))
    return dict(counts)


def index_text(claim: str, title: str | None) -> str:
    """What BM25 indexes for one fact-check."""
    return for_matching(f"{claim} {title or ''}")


@dataclass
class ArchiveIndexStatus:
    """Size and state of the archive index."""

    fact_checks: int
    vectors: int
    embedder: str
    built_seconds: float
    saved_at: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return dict(self.__dict__)


class ArchiveIndex:
    """Dense + BM25 index of the archive's fact-checks."""

    def __init__(self, embedder_id: str, dimension: int, dense: Any, lexical: Any,
                 ids: np.ndarray, built_seconds: float = 0.0,
                 doc_freq: dict[str, int] | None = None) -> None:
        self.doc_freq: dict[str, int] = doc_freq or {}   # BM25 token -> fact-checks with it
        self.embedder_id = embedder_id
        self.dimension = dimension
        self.dense = dense
        self.lexical = lexical
        self.ids = ids                      # fact-check ids held, sorted
        self.built_seconds = built_seconds

    # ---- building ---------------------------------------------------------------
    @staticmethod
    def _rows(store: Store, after: int = 0) -> list[tuple[int, str, str | None]]:
        return [(int(i), str(c), t) for i, c, t in store.execute(
            "SELECT fact_check_id, claim, title FROM fact_checks WHERE fact_check_id > ? "
            "ORDER BY fact_check_id", [after]).fetchall()]

    @staticmethod
    def _vectors(embedder: Embedder, rows: list[tuple[int, str, str | None]],
                 progress: bool) -> tuple[np.ndarray, np.ndarray]:
        texts = [for_matching(c) for _, c, _ in rows]
        ids = [2 * i for i, _, _ in rows]
        for i, _, title in rows:
            if title and title.strip():
                texts.append(for_matching(title))
                ids.append(2 * i + 1)
        vectors = embedder.embed_many(texts, progress=progress)
        return vectors, np.asarray(ids, dtype=np.int64)

    @classmethod
    def build(cls, store: Store, embedder: Embedder, progress: bool = False) -> ArchiveIndex:
        """A fresh index over every fact-check in ``store``."""
        started = time.perf_counter()
        rows = cls._rows(store)
        vectors, vids = cls._vectors(embedder, rows, progress)
        dense = _dense_cls().build(vectors.reshape(-1, embedder.dimension), vids)
        ids = np.asarray([i for i, _, _ in rows], dtype=np.int64)
        texts = [index_text(c, t) for _, c, t in rows]
        lexical = _lexical_cls().build(texts, ids)
        index = cls(embedder.model_id, embedder.dimension, dense, lexical, ids,
                    time.perf_counter() - started, _doc_freq(texts))
        log.info("archive index built: %d fact-checks in %.1fs", len(ids), index.built_seconds)
        return index

    def _signature(self) -> tuple[int, int]:
        return (int(len(self.ids)), int(self.ids[-1]) if len(self.ids) else 0)

    @staticmethod
    def store_signature(store: Store) -> tuple[int, int]:
        """(count, largest id) of the archive's fact-checks."""
        n, top = one_row(store, "SELECT count(*), coalesce(max(fact_check_id), 0) "
                                "FROM fact_checks")
        return int(n), int(top)

    def in_sync(self, store: Store, embedder: Embedder) -> bool:
        """Whether the index holds exactly the archive's fact-checks, by this embedder."""
        return self.embedder_id == embedder.model_id and \
            self._signature() == self.store_signature(store)

    def synced(self, store: Store, embedder: Embedder, progress: bool = False) -> ArchiveIndex:
        """This index brought up to date: new fact-checks added, or a rebuild when some were
        removed or the embedder changed."""
        if self.in_sync(store, embedder):
            return self
        count, _ = self.store_signature(store)
        top = int(self.ids[-1]) if len(self.ids) else 0
        held = int(one_row(store, "SELECT count(*) FROM fact_checks WHERE fact_check_id <= ?",
                           [top])[0])
        if self.embedder_id != embedder.model_id or held != len(self.ids):
            return ArchiveIndex.build(store, embedder, progress)
        started = time.perf_counter()
        rows = self._rows(store, after=top)
        vectors, vids = self._vectors(embedder, rows, progress)
        self.dense.add(vectors.reshape(-1, self.dimension), vids)
        self.ids = np.concatenate([self.ids, np.asarray([i for i, _, _ in rows], np.int64)])
        texts = dict(((i, index_text(c, t)) for i, c, t in store.execute(
            "SELECT fact_check_id, claim, title FROM fact_checks").fetchall()))
        ordered = [texts[int(i)] for i in self.ids]
        self.lexical = _lexical_cls().build(ordered, self.ids)
        self.doc_freq = _doc_freq(ordered)
        self.built_seconds = time.perf_counter() - started
        log.info("archive index: added %d fact-checks (%d in all)", len(rows), count)
        return self

    def word_count(self, token: str) -> int:
        """How many fact-checks hold this BM25 token (for splitting run-together tags)."""
        return self.doc_freq.get(token, 0)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a BM25 token over the archive."""
        n = len(self.ids)
        return math.log(1.0 + n / (1.0 + self.doc_freq.get(token, 0)))

    # ---- search -----------------------------------------------------------------
    def dense_candidates(self, vector: np.ndarray, k: int) -> dict[int, tuple[float, float]]:
        """fact_check_id -> (cosine to its claim, cosine to its title) for the ``k`` nearest
        vectors (a missing side is 0)."""
        found: dict[int, list[float]] = {}
        for vid, score in self.dense.search(vector, k):
            pair = found.setdefault(vid // 2, [0.0, 0.0])
            pair[vid % 2] = max(pair[vid % 2], float(score))
        return {i: (a, b) for i, (a, b) in found.items()}

    def dense_scores(self, vector: np.ndarray, ids: list[int]) -> dict[int, tuple[float, float]]:
        """(claim cosine, title cosine) for given fact-checks."""
        vids = [2 * i for i in ids] + [2 * i + 1 for i in ids]
        scores = self.dense.scores(vector, vids)
        return {i: (scores.get(2 * i, 0.0), scores.get(2 * i + 1, 0.0)) for i in ids}

    def lexical_candidates(self, query: str, k: int) -> dict[int, float]:
        """fact_check_id -> BM25 for the top ``k``."""
        return dict(self.lexical.search(query, k))

    def lexical_scores(self, query: str, ids: list[int]) -> dict[int, float]:
        """BM25 of given fact-checks."""
        return dict(self.lexical.scores(query, ids))

    def status(self) -> ArchiveIndexStatus:
        """Size and embedder of the index."""
        return ArchiveIndexStatus(len(self.ids), int(self.dense.ntotal), self.embedder_id,
                                  round(self.built_seconds, 3), None)

    # ---- persistence ---------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write into ``folder`` (replaced whole)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.dense.write(tmp / "dense.faiss")
        lex = tmp / "lexical"
        lex.mkdir()
        self.lexical.write(lex)
        np.save(tmp / "ids.npy", self.ids)
        (tmp / "doc_freq.json").write_text(json.dumps(self.doc_freq))
        (tmp / META).write_text(json.dumps({
            "format": FORMAT, "embedder": self.embedder_id, "dimension": self.dimension,
            "index_type": self.dense.index_type, "trained_on": self.dense.trained_on,
            "fact_checks": int(len(self.ids)), "built_seconds": self.built_seconds}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> ArchiveIndex | None:
        """What :meth:`save` wrote, or None when there is none or it cannot be read (the
        caller rebuilds)."""
        try:
            meta = json.loads((folder / META).read_text())
            if meta.get("format") != FORMAT:
                return None
            dense = _dense_cls().read(folder / "dense.faiss", int(meta["dimension"]),
                                      meta["index_type"], trained_on=int(meta["trained_on"]))
            lexical = _lexical_cls().read(folder / "lexical")
            ids = np.load(folder / "ids.npy")
            doc_freq = {str(k): int(v) for k, v in
                        json.loads((folder / "doc_freq.json").read_text()).items()}
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("archive index at %s cannot be read (%s); rebuilding", folder, exc)
            return None
        return cls(str(meta["embedder"]), int(meta["dimension"]), dense, lexical, ids,
                   float(meta.get("built_seconds", 0.0)), doc_freq)


def ensure_index(store: Store, embedder: Embedder, current: ArchiveIndex | None = None,
                 progress: bool = False) -> ArchiveIndex:
    """The archive index for ``store``, loaded, synced and saved as needed."""
    folder = store.path / FOLDER if store.path is not None else None
    index = current
    if index is None and folder is not None and folder.exists():
        index = ArchiveIndex.load(folder)
    if index is None:
        index = ArchiveIndex.build(store, embedder, progress)
        changed = True
    else:
        changed = not index.in_sync(store, embedder)
        index = index.synced(store, embedder, progress)
    if changed and folder is not None and not store.read_only:
        index.save(folder)
    return index
