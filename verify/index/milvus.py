"""The ``milvus`` index: a workspace's passages in a Milvus collection (dense vectors plus
Milvus's own BM25 full-text search, fused by RRF in one hybrid query).

One collection per workspace holds, per passage: ``passage_id`` (primary key), the
``text`` (analysed by Milvus: standard tokenizer, lowercase, English stemmer and stop
words), its ``dense`` vector (unit length, inner product = cosine), the ``sparse`` BM25
vector Milvus derives from the text, the ``text_hash`` the store reports (the sync state),
and scalar fields for filters pushed down to the engine: ``document_id``, ``source_id``,
``domain``, ``published`` (``YYYYMMDD``, 0 unknown) and ``language`` (primary subtag).

Where it lives: ``$VERIFY_MILVUS_URI`` (a Milvus server or cluster, with
``$VERIFY_MILVUS_TOKEN`` for its credentials), else a milvus-lite file
``<workspace>/index/milvus.db`` (same client API, in-process; one process at a time).
``<workspace>/index/milvus.json`` records the embedder, dimension, metric, backend, URI and
collection; an index built with another embedder is refused on load, as the embedded
``hybrid`` index is.

Sync is the embedded backend's path: :meth:`MilvusIndex.sync` compares ``(passage_id,
text hash)`` in the store with the collection, deletes what is gone or changed and
upserts what is new, ``EMBED_CHUNK`` passages at a time; each chunk is committed to
Milvus as soon as it is embedded, so a killed sync resumes where it stopped. pymilvus is
imported only when an index is opened.

Example:
    from verify.index.factory import migrate_index
    migrate_index(ws, "milvus").in_sync
    # -> True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.config import ENV_MILVUS_TOKEN, RetrievalSettings, milvus_uri
from verify.errors import (
    ConfigError,
    IndexMismatchError,
    IndexMissingError,
    WorkspaceError,
    WorkspaceLockedError,
)
from verify.index.base import (
    Ids,
    IndexStatus,
    PassageIndex,
    Ranking,
    RetrieverBackend,
    SyncPlan,
    store_signature,
    sync_plan,
)
from verify.index.retrievers import weighted_rrf
from verify.store import writer_active, writer_lock

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.store import Store
    from verify.types import SearchFilters

log = logging.getLogger(__name__)

BACKEND = "milvus"
INDEX_DIRNAME = "index"
META_FILE = "milvus.json"
LITE_FILE = "milvus.db"
FORMAT_VERSION = 1
METRIC = "inner_product"
EMBED_CHUNK = 256          # passages embedded and upserted per round trip
DELETE_CHUNK = 4_096
SCAN_BATCH = 10_000
AUTO_SYNC_MAX = 2_000      # a search syncs a drifted index itself only up to this many passages
MAX_TEXT_BYTES = 65_535    # Milvus VARCHAR limit
def _analyzer() -> dict[str, Any]:
    """Milvus's analyzer for the BM25 field, as close as it allows to the embedded BM25's
    tokeniser (:mod:`verify.index.tokenize`): lowercase words, the same stop words, an
    English stemmer (Milvus has no plural-only S-stemmer; numbers like ``1,700`` split)."""
    from verify.index.tokenize import STOPWORDS

    return {"tokenizer": "standard",
            "filter": ["lowercase", {"type": "stop", "stop_words": sorted(STOPWORDS)},
                       {"type": "stemmer", "language": "english"}]}


ANALYZER = _analyzer()
OUTPUT = ["passage_id"]
META_PROPERTY = "verify.meta"


def _pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError(
            "the milvus index backend needs pymilvus",
            hint="pip install 'verify-claims[cluster]' (pymilvus and milvus-lite)") from None
    return pymilvus


def collection_name(folder: Path | None) -> str:
    """A Milvus collection name for a workspace folder (letters, digits, ``_``)."""
    if folder is None:
        return f"verify_mem_{os.urandom(4).hex()}"
    resolved = Path(folder).resolve()
    stem = re.sub(r"[^A-Za-z0-9_]", "_", resolved.name)[:40] or "workspace"
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:8]
    return f"verify_{stem}_{digest}"


def _yyyymmdd(value: Any) -> int:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.year * 10_000 + value.month * 100 + value.day
    return 0


def _language(value: Any) -> str:
    text = str(value or "").strip().lower().replace("_", "-")
    return text.split("-")[0][:16]


def _clip(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    return data[:MAX_TEXT_BYTES].decode("utf-8", errors="ignore")


def _ids_expr(ids: Ids) -> str:
    return f"passage_id in [{', '.join(str(int(i)) for i in ids)}]"


def _and(*parts: str | None) -> str:
    kept = [f"({p})" for p in parts if p]
    return " and ".join(kept)


def _str_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


class MilvusIndex(PassageIndex):
    """A workspace's passages in one Milvus collection (the ``milvus`` index).

    ``uri``: the Milvus server (default ``$VERIFY_MILVUS_URI``, then the one recorded in the
    meta, then ``<workspace>/index/milvus.db`` through milvus-lite); ``collection``: the
    collection name (default: recorded, else derived from the workspace folder).
    ``dense_backend``/``lexical_backend`` are accepted for the factory's sake and ignored.
    """

    #: retrievers answered natively: ``hybrid`` is one Milvus hybrid query (RRF inside Milvus)
    native_retrievers: dict[str, str] = {"hybrid": "milvus-hybrid"}

    def __init__(self, store: Store, embedder: Embedder, *, uri: str | None = None,
                 collection: str | None = None, meta: dict[str, Any] | None = None,
                 token: str | None = None, **_backends: Any) -> None:
        self.store = store
        self.embedder = embedder
        self.embedder_id = embedder.model_id
        self.dimension = int(embedder.dimension)
        self.meta = meta
        recorded = meta or {}
        self.uri = uri or milvus_uri() or recorded.get("uri") or self._default_uri()
        self.collection = collection or recorded.get("collection") or collection_name(self.root)
        self.token = token if token is not None else os.environ.get(ENV_MILVUS_TOKEN, "")
        self.ids = np.zeros(0, np.int64)
        self.hashes = np.zeros(0, np.uint64)
        self._signature: tuple[int, int] | None = None
        self._client: Any = None

    # ---- where ---------------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        """The index folder of a saved workspace (None in memory)."""
        return None if self.store.path is None else Path(self.store.path) / INDEX_DIRNAME

    @property
    def local(self) -> bool:
        """True for a milvus-lite file (no server)."""
        return not self.uri.startswith(("http://", "https://", "tcp://", "grpc://", "unix:"))

    def _default_uri(self) -> str:
        root = self.root
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="verify-milvus-"))
        return str(root / LITE_FILE)

    @property
    def backends(self) -> dict[str, str]:
        """The backend names: the workspace rebuilds with this index."""
        return {"index": BACKEND, "dense": BACKEND, "lexical": "milvus-bm25"}

    @property
    def client(self) -> Any:
        """The ``pymilvus.MilvusClient`` (opened on first use)."""
        if self._client is None:
            pymilvus = _pymilvus()
            if self.local:
                Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                self._client = pymilvus.MilvusClient(uri=self.uri, token=self.token or "")
            except Exception as exc:
                hint = ("milvus-lite opens its file in one process at a time: another process "
                        "(a verify server, an ingest) may have it open; point VERIFY_MILVUS_URI "
                        "at a Milvus server for several processes") if self.local else \
                    "check VERIFY_MILVUS_URI (and VERIFY_MILVUS_TOKEN) and that the server is up"
                raise WorkspaceError(f"cannot open Milvus at {self.uri}: {exc}", hint=hint) from None
        return self._client

    def close(self) -> None:
        """Close the client connection."""
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    # ---- loading -------------------------------------------------------------------
    @property
    def built(self) -> bool:
        """True once the collection has been built by a sync."""
        return self.meta is not None

    @classmethod
    def load(cls, store: Store, embedder: Embedder, **options: Any) -> MilvusIndex:
        """The index recorded beside ``store`` (checked), or an empty one.

        Raises :class:`IndexMismatchError` when it was built with another embedder,
        dimension or metric, or its collection is gone or disagrees with the record.
        """
        empty = cls(store, embedder, **options)
        root = empty.root
        if root is None or not (root / META_FILE).exists():
            return empty
        where = f"milvus index recorded in {root / META_FILE}"
        try:
            meta = json.loads((root / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"{where}: unreadable ({exc})") from None
        check_meta(meta, embedder, where)
        index = cls(store, embedder, meta=meta, **options)
        if not index.client.has_collection(index.collection):
            raise IndexMismatchError(
                f"{where}: collection {index.collection!r} is not on {index.uri}")
        described = index._collection_meta()
        if described:
            check_meta(described, embedder, f"collection {index.collection!r} on {index.uri}")
        index.client.load_collection(index.collection)
        index.ids, index.hashes = index._collection_state()
        log.info("loaded milvus index of %d passages (%s at %s)", len(index.ids),
                 index.collection, index.uri)
        return index

    def _collection_meta(self) -> dict[str, Any]:
        """What the collection records about itself (property ``verify.meta``, else its
        description): embedder, dimension, metric."""
        info = self.client.describe_collection(self.collection)
        text = (info.get("properties") or {}).get(META_PROPERTY) or info.get("description") or "{}"
        try:
            described = json.loads(text)
        except ValueError:
            return {}
        return described if isinstance(described, dict) else {}

    # ---- schema --------------------------------------------------------------------
    def _create_collection(self) -> None:
        pymilvus = _pymilvus()
        data_type, function, function_type = (pymilvus.DataType, pymilvus.Function,
                                              pymilvus.FunctionType)
        client = self.client
        if client.has_collection(self.collection):
            client.drop_collection(self.collection)
        description = json.dumps({"embedder_id": self.embedder_id, "dimension": self.dimension,
                                  "metric": METRIC, "backend": BACKEND})
        schema = client.create_schema(auto_id=False, description=description)
        schema.add_field("passage_id", data_type.INT64, is_primary=True)
        schema.add_field("text", data_type.VARCHAR, max_length=MAX_TEXT_BYTES,
                         enable_analyzer=True, analyzer_params=ANALYZER)
        schema.add_field("dense", data_type.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("sparse", data_type.SPARSE_FLOAT_VECTOR)
        schema.add_field("text_hash", data_type.INT64)
        schema.add_field("document_id", data_type.INT64)
        schema.add_field("source_id", data_type.INT64)
        schema.add_field("domain", data_type.VARCHAR, max_length=512)
        schema.add_field("published", data_type.INT64)
        schema.add_field("language", data_type.VARCHAR, max_length=16)
        schema.add_function(function(name="bm25", function_type=function_type.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        params = client.prepare_index_params()
        params.add_index("dense", index_type="AUTOINDEX" if not self.local else "FLAT",
                         metric_type="IP")
        from verify.index.lexical import K1, B

        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": K1, "bm25_b": B})   # the embedded BM25's
        client.create_collection(self.collection, schema=schema, index_params=params,
                                 description=description, consistency_level="Strong")
        try:
            client.alter_collection_properties(self.collection,
                                               properties={META_PROPERTY: description})
        except Exception as exc:  # pragma: no cover - servers without collection properties
            log.debug("collection properties not set on %s: %s", self.uri, exc)

    # ---- store comparison ----------------------------------------------------------
    def _collection_state(self) -> tuple[np.ndarray, np.ndarray]:
        """``(passage ids, text hashes)`` held by the collection, sorted by id."""
        ids: list[int] = []
        hashes: list[int] = []
        if self.local:   # milvus-lite returns every match to a query without a limit
            for row in self.client.query(self.collection, filter="passage_id >= 0",
                                         output_fields=["passage_id", "text_hash"]):
                ids.append(int(row["passage_id"]))
                hashes.append(int(row["text_hash"]))
            return self._sorted(ids, hashes)
        iterator = self.client.query_iterator(self.collection, batch_size=SCAN_BATCH,
                                              filter="passage_id >= 0",
                                              output_fields=["passage_id", "text_hash"])
        try:
            while True:
                batch = iterator.next()
                if not batch:
                    break
                for row in batch:
                    ids.append(int(row["passage_id"]))
                    hashes.append(int(row["text_hash"]))
        finally:
            iterator.close()
        return self._sorted(ids, hashes)

    @staticmethod
    def _sorted(ids: list[int], hashes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        id_arr = np.asarray(ids, np.int64)
        hash_arr = np.asarray(hashes, np.int64).view(np.uint64)
        order = np.argsort(id_arr, kind="stable")
        return id_arr[order], hash_arr[order]

    def plan(self) -> SyncPlan:
        """Compare the store with the collection: what to upsert and what to delete."""
        return sync_plan(self.store, self.ids, self.hashes, remove_changed=False)

    # ---- sync ----------------------------------------------------------------------
    def sync(self, progress: bool = False, *, rebuild: bool = False) -> IndexStatus:
        """Delete what left the store, upsert what is new or changed (embedded in chunks,
        each committed to Milvus at once), then record the meta. Holds the writer lock."""
        with writer_lock(self.store.path, "index sync"):
            return self._sync(progress, rebuild=rebuild)

    def _sync(self, progress: bool, *, rebuild: bool) -> IndexStatus:
        client = self.client
        if rebuild or not client.has_collection(self.collection):
            self._create_collection()
            self.ids, self.hashes = np.zeros(0, np.int64), np.zeros(0, np.uint64)
        elif not self.built:
            self.ids, self.hashes = self._collection_state()   # resume a first sync that was killed
        plan = self.plan()
        if plan.in_sync and self.built and not rebuild:
            self._signature = (len(plan.store_ids), int(plan.store_ids.sum()))
            return self._status(plan)
        by_id = dict(zip(plan.store_ids.tolist(), plan.store_hashes.tolist(), strict=True))
        for start in range(0, len(plan.remove), DELETE_CHUNK):
            client.delete(self.collection, ids=plan.remove[start:start + DELETE_CHUNK].tolist())
        held = dict(zip(self.ids.tolist(), self.hashes.tolist(), strict=True))
        for pid in plan.remove.tolist():
            held.pop(int(pid), None)
        from tqdm import tqdm

        chunks = [plan.add[i:i + EMBED_CHUNK] for i in range(0, len(plan.add), EMBED_CHUNK)]
        for chunk in tqdm(chunks, desc="embed+upsert", unit="chunk",
                          disable=not progress or not chunks):
            rows = self._rows(chunk)
            with self.store.released():   # embedding reads nothing from the database
                vectors = self._embed_texts([r["text"] for r in rows])
                for row, vector in zip(rows, vectors, strict=True):
                    row["dense"] = vector.tolist()
                    row["text_hash"] = int(np.uint64(by_id[row["passage_id"]]).view(np.int64))
                client.upsert(self.collection, rows)
            for row in rows:
                held[row["passage_id"]] = by_id[row["passage_id"]]
        try:
            client.flush(self.collection)
        except Exception as exc:  # pragma: no cover - milvus-lite persists on write
            log.debug("flush %s: %s", self.collection, exc)
        self.ids, self.hashes = plan.store_ids, plan.store_hashes
        self.meta = self._make_meta()
        self._signature = (len(self.ids), int(self.ids.sum()))
        self._save_meta()
        log.info("milvus index synced: +%d -%d, %d passages", len(plan.add), len(plan.remove),
                 len(self.ids))
        return self._status(SyncPlan(plan.store_ids, plan.store_hashes,
                                     np.zeros(0, np.int64), np.zeros(0, np.int64)))

    def _rows(self, ids: np.ndarray) -> list[dict[str, Any]]:
        """Passage text and its filter fields for ``ids`` (in that order)."""
        fetched = self.store.execute(
            "SELECT p.passage_id, p.text, d.document_id, d.source_id, s.domain, "
            "d.published_date, d.language FROM passages p "
            "JOIN documents d ON d.document_id = p.document_id "
            "LEFT JOIN sources s ON s.source_id = d.source_id "
            "WHERE p.passage_id IN (SELECT unnest(?::BIGINT[]))", [ids.tolist()]).fetchall()
        by_id = {int(r[0]): r for r in fetched}
        out: list[dict[str, Any]] = []
        for pid in ids.tolist():
            row = by_id.get(int(pid))
            if row is None:
                continue
            _, text, doc_id, source_id, domain, published, language = row
            out.append({"passage_id": int(pid), "text": _clip(str(text)),
                        "document_id": int(doc_id),
                        "source_id": -1 if source_id is None else int(source_id),
                        "domain": str(domain or "")[:512], "published": _yyyymmdd(published),
                        "language": _language(language)})
        return out

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        vectors = np.asarray(self.embedder.embed_many(texts), dtype=np.float32)
        if vectors.shape != (len(texts), self.dimension):
            raise WorkspaceError(
                f"embedder returned shape {vectors.shape}, expected {(len(texts), self.dimension)}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def _make_meta(self) -> dict[str, Any]:
        from verify.index.hybrid import checksum

        return {
            "format": FORMAT_VERSION,
            "backend": BACKEND,
            "embedder_id": self.embedder_id,
            "dimension": self.dimension,
            "metric": METRIC,
            "index_type": "milvus-lite" if self.local else "milvus",
            "uri": None if self.uri == self._default_uri_for_root() else self.uri,
            "collection": self.collection,
            "analyzer": ANALYZER,
            "passage_count": int(len(self.ids)),
            "passage_checksum": checksum(self.ids, self.hashes),
            "pymilvus_version": str(getattr(_pymilvus(), "__version__", "unknown")),
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }

    def _default_uri_for_root(self) -> str | None:
        return None if self.root is None else str(self.root / LITE_FILE)

    def _save_meta(self) -> None:
        root = self.root
        if root is None or self.meta is None:
            return
        from verify.index.hybrid import _atomic_write_text

        root.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(root / META_FILE, json.dumps(self.meta, indent=2))

    # ---- status --------------------------------------------------------------------
    def status(self) -> IndexStatus:
        """Compare with the store and report."""
        return self._status(self.plan())

    def _status(self, plan: SyncPlan) -> IndexStatus:
        meta = self.meta or {}
        count = len(self.ids)
        return IndexStatus(
            passages_in_store=len(plan.store_ids), vectors=count, lexical_docs=count,
            index_type=str(meta.get("index_type", "none")) if self.built else "none",
            embedder_id=self.embedder_id, dimension=self.dimension, metric=METRIC,
            faiss_version="", in_sync=self.built and plan.in_sync,
            built_at=meta.get("created_at"), missing=len(plan.add), stale=len(plan.remove),
            path=f"{self.uri}#{self.collection}")

    def ensure_ready(self) -> None:
        """Raise if there is nothing to search; sync a slightly drifted index first (as the
        embedded index does: only when nobody else writes and at most ``AUTO_SYNC_MAX``
        passages are missing)."""
        signature = store_signature(self.store)
        if signature[0] == 0:
            raise IndexMissingError("the workspace has no passages to search yet")
        if not self.built:
            raise IndexMissingError(
                f"no index has been built for the {signature[0]} passages in this workspace",
                hint="build it with `verify index --backend milvus --rebuild`")
        if signature in (self._signature, (len(self.ids), int(self.ids.sum()))):
            self._signature = signature
            return
        if writer_active(self.store.path):
            return
        plan = self.plan()
        if len(plan.add) > AUTO_SYNC_MAX:
            log.warning("the milvus index is %d passages behind the store (run `verify index`)",
                        len(plan.add))
            self._signature = signature
            return
        try:
            with writer_lock(self.store.path, "index sync before a search", wait_s=0.0):
                self._sync(False, rebuild=False)
        except WorkspaceLockedError:
            log.info("a writer started meanwhile; searching the collection as it is")

    # ---- filters pushed down ---------------------------------------------------------
    def filter_expression(self, filters: SearchFilters | None,
                          reliability: Callable[[str | None], float] | None = None) -> str:
        """A Milvus boolean expression for ``filters`` over the collection's scalar fields:
        dates and languages directly; domains (with their aliases and sub-hosts) and a
        minimum reliability resolved to ``source_id`` lists from the workspace's sources
        (small) with today's ratings. Empty when nothing is filtered."""
        if filters is None or filters.is_empty():
            return ""
        parts: list[str] = []
        sources: set[int] | None = None
        if filters.domains:
            sources = self._sources_matching(filters.domains)
        if filters.min_reliability is not None:
            if reliability is None:
                from verify.errors import InputError

                raise InputError("a minimum-reliability filter needs source ratings")
            rows = self.store.execute("SELECT source_id, domain FROM sources").fetchall()
            passing = {int(sid) for sid, dom in rows if reliability(dom) >= filters.min_reliability}
            if reliability(None) >= filters.min_reliability:
                passing.add(-1)
            sources = passing if sources is None else sources & passing
        if sources is not None:
            parts.append(f"source_id in [{', '.join(str(s) for s in sorted(sources)) or '-2'}]")
        if filters.date_from is not None:
            parts.append(f"published >= {_yyyymmdd(filters.date_from)}")
        if filters.date_to is not None:
            parts.append(f"published > 0 and published <= {_yyyymmdd(filters.date_to)}")
        if filters.languages:
            langs = sorted({_language(lang) for lang in filters.languages})
            parts.append(f"language in {_str_list(langs)}")
        return _and(*parts)

    def _sources_matching(self, domains: Sequence[str]) -> set[int]:
        from verify.retrieval import filter_key

        keys = sorted({filter_key(d) for d in domains if d.strip()})
        if not keys:
            return set()
        marks = ", ".join("?" for _ in keys)
        rows = self.store.execute(
            f"SELECT source_id FROM sources WHERE domain IN ({marks}) "
            f"OR source_id IN (SELECT source_id FROM source_aliases WHERE alias_domain IN ({marks})) "
            "OR source_id IN (SELECT source_id FROM sources, (SELECT unnest(?::VARCHAR[]) AS f) "
            "WHERE starts_with(domain, f || '/') OR ends_with(domain, '.' || f))",
            keys + keys + [keys]).fetchall()
        return {int(r[0]) for r in rows}

    # ---- search --------------------------------------------------------------------
    def _expr(self, allowed_ids: Ids | None, expr: str = "") -> str:
        return _and(expr, None if allowed_ids is None else _ids_expr(allowed_ids))

    @staticmethod
    def _hits(result: Any) -> Ranking:
        hits = result[0] if result else []
        return [(int(h["entity"].get("passage_id", h.get("id"))) if "entity" in h else int(h["id"]),
                 abs(float(h["distance"]))) for h in hits]

    def dense_search(self, vector: np.ndarray, k: int, allowed_ids: Ids | None = None, *,
                     expr: str = "") -> Ranking:
        """Top-``k`` (passage_id, cosine) for a query vector."""
        if allowed_ids is not None and not len(allowed_ids):
            return []
        result = self.client.search(
            self.collection, data=[np.asarray(vector, np.float32).ravel().tolist()],
            anns_field="dense", limit=k, filter=self._expr(allowed_ids, expr),
            output_fields=OUTPUT, search_params={"metric_type": "IP"})
        return self._hits(result)

    def lexical_search(self, query: str, k: int, allowed_ids: Ids | None = None, *,
                       expr: str = "") -> Ranking:
        """Top-``k`` (passage_id, Milvus BM25 score) for a query text."""
        if (allowed_ids is not None and not len(allowed_ids)) or not query.strip():
            return []
        result = self.client.search(
            self.collection, data=[query], anns_field="sparse", limit=k,
            filter=self._expr(allowed_ids, expr), output_fields=OUTPUT,
            search_params={"metric_type": "BM25"})
        return [(pid, score) for pid, score in self._hits(result) if score > 0]

    def hybrid_search(self, query: str, vector: np.ndarray, k: int,
                      allowed_ids: Ids | None = None, *, expr: str = "",
                      settings: RetrievalSettings | None = None) -> Ranking:
        """Dense and BM25 fused by RRF in one Milvus hybrid query (scores scaled so first in
        both lists is 1.0, as :func:`~verify.index.retrievers.weighted_rrf`). Unequal
        weights in ``settings`` fuse the two lists here instead (Milvus's RRF is unweighted)."""
        settings = settings or RetrievalSettings()
        if allowed_ids is not None and not len(allowed_ids):
            return []
        depth = max(k, settings.candidates)
        filter_expr = self._expr(allowed_ids, expr)
        if settings.dense_weight != settings.lexical_weight or settings.dense_weight <= 0:
            rankings = [self.dense_search(vector, depth, allowed_ids, expr=expr),
                        self.lexical_search(query, depth, allowed_ids, expr=expr)]
            weights = [settings.dense_weight, settings.lexical_weight]
            return weighted_rrf(rankings, weights, settings.rrf_k)[:k]
        pymilvus = _pymilvus()
        requests = [
            pymilvus.AnnSearchRequest(data=[np.asarray(vector, np.float32).ravel().tolist()],
                                      anns_field="dense", param={"metric_type": "IP"},
                                      limit=depth, expr=filter_expr),
            pymilvus.AnnSearchRequest(data=[query], anns_field="sparse",
                                      param={"metric_type": "BM25"}, limit=depth,
                                      expr=filter_expr),
        ]
        result = self.client.hybrid_search(self.collection, requests,
                                           pymilvus.RRFRanker(settings.rrf_k), limit=k,
                                           output_fields=OUTPUT)
        top = 2.0 / (settings.rrf_k + 1)
        ranked = [(pid, score / top) for pid, score in self._hits(result)]
        ranked.sort(key=lambda item: (-round(item[1], 9), item[0]))
        return ranked

    def search(self, query: str, vector: np.ndarray, k: int,
               filters: SearchFilters | None = None,
               reliability: Callable[[str | None], float] | None = None,
               settings: RetrievalSettings | None = None) -> Ranking:
        """Hybrid search with ``filters`` pushed down to Milvus as a scalar expression."""
        return self.hybrid_search(query, vector, k, expr=self.filter_expression(filters, reliability),
                                  settings=settings)

    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Cosine of the query vector with each stored passage in ``ids``."""
        if not len(ids):
            return {}
        rows = self.client.query(self.collection, filter=_ids_expr(ids),
                                 output_fields=["passage_id", "dense"])
        query = np.asarray(vector, np.float32).ravel()
        return {int(r["passage_id"]): float(np.dot(np.asarray(r["dense"], np.float32), query))
                for r in rows}

    def lexical_scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """Milvus BM25 score of the query against each passage in ``ids`` (0 when none)."""
        if not len(ids):
            return {}
        scores = {int(i): 0.0 for i in ids}
        scores.update(dict(self.lexical_search(query, len(ids), list(ids))))
        return scores


def check_meta(meta: dict[str, Any], embedder: Embedder, where: str) -> None:
    """Raise :class:`IndexMismatchError` unless ``meta`` matches ``embedder`` and the metric."""
    if meta.get("embedder_id") != embedder.model_id or int(meta.get("dimension", -1)) != int(embedder.dimension):
        raise IndexMismatchError(
            f"{where} was built with embedder {meta.get('embedder_id')!r} "
            f"(dimension {meta.get('dimension')}), but this workspace uses "
            f"{embedder.model_id!r} (dimension {embedder.dimension}); searching it would give "
            "wrong results",
            hint="rebuild it with `verify index --backend milvus --rebuild`")
    if meta.get("metric", METRIC) != METRIC:
        raise IndexMismatchError(f"{where} uses metric {meta.get('metric')!r}, expected {METRIC!r}")


class MilvusHybridRetriever(RetrieverBackend):
    """Dense + BM25 fused by RRF inside Milvus (one hybrid query) over a :class:`MilvusIndex`."""

    name = "milvus-hybrid"

    def search(self, query: str, query_vector: np.ndarray | None, k: int,
               allowed_ids: Ids | None = None) -> Ranking:
        if query_vector is None:
            raise ValueError("the hybrid retriever needs a query vector")
        if not isinstance(self.index, MilvusIndex):
            raise ConfigError("the milvus-hybrid retriever needs a milvus index")
        return self.index.hybrid_search(query, query_vector, k, allowed_ids,
                                        settings=self.settings)

    def search_filtered(self, query: str, query_vector: np.ndarray | None, k: int,
                        filters: SearchFilters,
                        reliability: Callable[[str | None], float] | None = None) -> Ranking | None:
        """The hybrid query with ``filters`` as Milvus's own scalar expression (no id list)."""
        if query_vector is None:
            raise ValueError("the hybrid retriever needs a query vector")
        if not isinstance(self.index, MilvusIndex):
            raise ConfigError("the milvus-hybrid retriever needs a milvus index")
        return self.index.search(query, query_vector, k, filters, reliability, self.settings)


__all__ = ["MilvusHybridRetriever", "MilvusIndex", "check_meta", "collection_name"]
