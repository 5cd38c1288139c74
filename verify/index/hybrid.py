"""The hybrid index: dense FAISS vectors plus BM25, kept in line with ``passages``.

On disk (``<workspace>/index/``) every save writes a complete new generation
folder ``gen-<time>/`` (``dense.faiss``, ``dense.meta.json``, ``store.npz``,
the BM25 files), fsyncs every file and folder, renames it into place, fsyncs
the index folder, then switches the one-line pointer file ``CURRENT`` with
``os.replace``. A crash at any point leaves the previous generation and pointer
untouched, so the last good index stays usable. ``dense.meta.json`` records the
sha256 of every other file; a file that no longer matches is refused on load
(:class:`verify.errors.IndexDamagedError`) rather than searched.

The index takes only what it uses: the workspace's :class:`~verify.store.Store` and its
:class:`~verify.embedders.Embedder`, with a vector and a lexical backend chosen by name
(``faiss`` and ``bm25`` unless built otherwise; the saved meta records them, so a saved
index is read back with the backends that wrote it).

A sync holds the workspace's writer lock and embeds with the database released
(readers keep answering from the last generation meanwhile); every
``EMBED_CHUNK`` vectors are kept in ``index/partial/``, so a sync killed while
embedding resumes where it stopped.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    index = HybridIndex(ws.store, ws.embedder)
    index.sync().in_sync
    # -> True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.errors import (
    IndexDamagedError,
    IndexMismatchError,
    IndexMissingError,
    WorkspaceError,
    WorkspaceLockedError,
)
from verify.index.base import (
    IndexOwner,
    IndexStatus,
    LexicalBackend,
    PassageIndex,
    StoreAndEmbedder,
    SyncPlan,
    VectorBackend,
    store_signature,
    sync_plan,
)
from verify.index.dense import DEFAULT_NPROBE
from verify.index.factory import DEFAULT_DENSE, DEFAULT_LEXICAL, dense_backend
from verify.index.factory import lexical_backend as lexical_backend_class
from verify.store import writer_active, writer_lock

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.store import Store

log = logging.getLogger(__name__)

INDEX_DIRNAME = "index"
POINTER = "CURRENT"
META_FILE = "dense.meta.json"
DENSE_FILE = "dense.faiss"
STORE_FILE = "store.npz"
PARTIAL_DIR = "partial"
FORMAT_VERSION = 1
METRIC = "inner_product"
EMBED_CHUNK = 256          # vectors kept on disk per chunk while a sync embeds
AUTO_SYNC_MAX = 2_000      # a search syncs a drifted index itself only up to this many passages


def checksum(ids: np.ndarray, hashes: np.ndarray) -> str:
    """A fingerprint of (passage id, text hash) pairs, sorted by id."""
    order = np.argsort(ids, kind="stable")
    digest = hashlib.sha256(np.ascontiguousarray(ids[order], dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(hashes[order], dtype=np.uint64).tobytes())
    return digest.hexdigest()


def _faiss_version() -> str:
    import faiss

    return str(faiss.__version__)


def _verify_version() -> str:
    try:
        from importlib.metadata import version

        return version("verify-claims")
    except Exception:  # pragma: no cover - not installed
        return "unknown"


def _fsync(path: Path) -> None:
    """Flush a file or a folder (its entries) to disk."""
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:  # pragma: no cover - e.g. folders cannot be opened on Windows
        log.debug("cannot open %s to fsync it: %s", path, exc)
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - some filesystems refuse fsync on folders
        log.debug("fsync %s: %s", path, exc)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """fsync every file under ``folder``, then each folder (deepest first)."""
    folders = [folder]
    for root, dirs, names in os.walk(folder):
        for name in names:
            _fsync(Path(root) / name)
        folders.extend(Path(root) / d for d in dirs)
    for path in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        _fsync(path)


def _atomic_write_text(path: Path, text: str) -> None:
    """Write a small text file via a temp file in the same folder and ``os.replace``;
    the file and then its folder are fsynced."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(folder: Path) -> dict[str, dict[str, Any]]:
    """``{relative path: {"sha256", "bytes"}}`` for every file under ``folder`` but the meta."""
    out: dict[str, dict[str, Any]] = {}
    for root, _, names in os.walk(folder):
        for name in sorted(names):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if rel != META_FILE:
                out[rel] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    return out


def verify_checksums(folder: Path, meta: dict[str, Any]) -> None:
    """Raise :class:`IndexDamagedError` when a file differs from its recorded checksum."""
    files = meta.get("files")
    where = f"index in {folder}"
    if not isinstance(files, dict):
        log.warning("%s was saved without file checksums; it cannot be checked for damage "
                    "(`verify index --rebuild` adds them)", where)
        return
    for rel, want in sorted(files.items()):
        path = folder / rel
        if not path.is_file():
            raise IndexDamagedError(f"{where}: {rel} is missing")
        size = path.stat().st_size
        if size != int(want.get("bytes", -1)):
            raise IndexDamagedError(
                f"{where}: {rel} is damaged ({size} bytes, {want.get('bytes')} were written)")
        if file_sha256(path) != want.get("sha256"):
            raise IndexDamagedError(
                f"{where}: {rel} is damaged (its sha256 differs from the one recorded when "
                "it was written); it was not loaded")


class HybridIndex(PassageIndex):
    """Dense + lexical index of one workspace's passages (the ``hybrid`` index).

    ``dense_backend`` and ``lexical_backend`` name the backends (registered in
    :data:`verify.index.base.DENSE_BACKENDS` and ``LEXICAL_BACKENDS``).
    """

    def __init__(self, store: Store, embedder: Embedder, dense: VectorBackend | None = None,
                 lexical: LexicalBackend | None = None, *, store_ids: np.ndarray | None = None,
                 store_hashes: np.ndarray | None = None, meta: dict[str, Any] | None = None,
                 dense_backend: str = DEFAULT_DENSE, lexical_backend: str = DEFAULT_LEXICAL) -> None:
        self.store = store
        self.embedder = embedder
        self.dense_backend = dense_backend
        self.lexical_backend = lexical_backend
        self.embedder_id = embedder.model_id
        self.dimension = int(embedder.dimension)
        self.dense = dense or self._new_dense()
        self.lexical = lexical or lexical_backend_class(lexical_backend)()
        self.ids = store_ids if store_ids is not None else np.zeros(0, np.int64)
        self.hashes = store_hashes if store_hashes is not None else np.zeros(0, np.uint64)
        self.meta = meta
        self._signature: tuple[int, int] | None = None

    def _new_dense(self) -> VectorBackend:
        return dense_backend(self.dense_backend)(self.dimension)

    @property
    def backends(self) -> dict[str, str]:
        """The backend names, ``{"dense": ..., "lexical": ...}``."""
        return {"dense": self.dense_backend, "lexical": self.lexical_backend}

    # ---- loading -------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        """The index folder of a saved workspace (None in memory)."""
        return None if self.store.path is None else Path(self.store.path) / INDEX_DIRNAME

    @property
    def built(self) -> bool:
        """True once an index has been built (saved, or synced in memory)."""
        return self.meta is not None

    @classmethod
    def load(cls, store: Store, embedder: Embedder) -> HybridIndex:
        """Load the index saved beside ``store``, or an empty one.

        Raises :class:`IndexMismatchError` when the saved index was built with
        another embedder or its files are damaged or inconsistent.
        """
        empty = cls(store, embedder)
        root = empty.root
        if root is None or not (root / POINTER).exists():
            return empty
        return cls._load(store, embedder, root)

    @classmethod
    def for_workspace(cls, ws: StoreAndEmbedder) -> HybridIndex:
        """:meth:`load` with a workspace's store and embedder."""
        return cls.load(ws.store, ws.embedder)

    @classmethod
    def _load(cls, store: Store, embedder: Embedder, root: Path) -> HybridIndex:
        pointer = (root / POINTER).read_text(encoding="utf-8").strip()
        folder = root / pointer
        where = f"index in {folder}"
        try:
            meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexMismatchError(f"{where}: {META_FILE} is missing") from None
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"{where}: {META_FILE} is unreadable ({exc})") from None
        if meta.get("embedder_id") != embedder.model_id or int(meta.get("dimension", -1)) != int(embedder.dimension):
            raise IndexMismatchError(
                f"{where} was built with embedder {meta.get('embedder_id')!r} "
                f"(dimension {meta.get('dimension')}), but this workspace uses "
                f"{embedder.model_id!r} (dimension {embedder.dimension}); searching it would give wrong results"
            )
        if meta.get("metric") != METRIC:
            raise IndexMismatchError(f"{where} uses metric {meta.get('metric')!r}, expected {METRIC!r}")
        verify_checksums(folder, meta)
        names = meta.get("backends") or {}
        dense_name = str(names.get("dense", DEFAULT_DENSE))
        lexical_name = str(names.get("lexical", DEFAULT_LEXICAL))
        dense_cls, lexical_cls = dense_backend(dense_name), lexical_backend_class(lexical_name)
        try:
            with np.load(folder / STORE_FILE) as saved:
                ids, hashes = saved["ids"].astype(np.int64), saved["hashes"].astype(np.uint64)
            dense = dense_cls.read(folder / DENSE_FILE, int(meta["dimension"]), meta["index_type"],
                                   trained_on=int(meta.get("trained_on", 0)),
                                   nprobe=int(meta.get("nprobe", DEFAULT_NPROBE)))
            lexical = lexical_cls.read(folder)
        except Exception as exc:
            raise IndexMismatchError(f"{where}: files are missing or damaged ({exc})") from None
        count = int(meta.get("passage_count", -1))
        problems = []
        if len(ids) != count or checksum(ids, hashes) != meta.get("passage_checksum"):
            problems.append("passage list does not match its checksum")
        if dense.ntotal != count:
            problems.append(f"{dense.ntotal} vectors for {count} passages")
        if lexical.size != count:
            problems.append(f"{lexical.size} BM25 documents for {count} passages")
        if problems:
            raise IndexMismatchError(f"{where} is inconsistent: " + "; ".join(problems))
        log.info("loaded %s index of %d passages from %s", meta["index_type"], count, folder)
        return cls(store, embedder, dense, lexical, store_ids=ids, store_hashes=hashes, meta=meta,
                   dense_backend=dense_name, lexical_backend=lexical_name)

    # ---- store comparison ----------------------------------------------------
    def plan(self) -> SyncPlan:
        """Compare the store with the index: what to add and what to remove."""
        return sync_plan(self.store, self.ids, self.hashes, remove_changed=True)

    # ---- sync ---------------------------------------------------------------
    def sync(self, progress: bool = False, *, rebuild: bool = False) -> IndexStatus:
        """Embed new passages, drop stale ones, rebuild BM25 and save atomically.

        Holds the workspace's writer lock; the database is let go while embedding and
        saving, so readers keep answering from the last generation. Vectors embedded so
        far survive a crash (``index/partial/``) and are reused by the next sync.
        """
        with writer_lock(self.store.path, "index sync"):
            return self._sync(progress, rebuild=rebuild)

    def _sync(self, progress: bool, *, rebuild: bool) -> IndexStatus:
        if rebuild:
            self.dense = self._new_dense()
            self.ids, self.hashes = np.zeros(0, np.int64), np.zeros(0, np.uint64)
        plan = self.plan()
        if plan.in_sync and self.built and not rebuild:
            self._signature = (len(plan.store_ids), int(plan.store_ids.sum()))
            self._drop_partial()
            return self._status(plan)
        add_texts = self._texts(plan.add)
        texts = self._texts(plan.store_ids)
        by_id = dict(zip(plan.store_ids.tolist(), plan.store_hashes.tolist(), strict=True))
        add_hashes = np.asarray([by_id[int(i)] for i in plan.add], dtype=np.uint64)
        with self.store.released():  # nothing below reads the database
            vectors = self._embed_resumable(plan.add, add_hashes, add_texts, progress)
            lexical = lexical_backend_class(self.lexical_backend).build(texts, plan.store_ids)
            self.dense.remove(plan.remove)
            self.dense.add(vectors, plan.add)
            self.lexical = lexical
            self.ids, self.hashes = plan.store_ids, plan.store_hashes
            self.meta = self._make_meta()
            self._signature = (len(self.ids), int(self.ids.sum()))
            log.info("index synced: +%d -%d, %d passages", len(plan.add), len(plan.remove),
                     len(self.ids))
            if self.root is not None:
                self._save()
                self._drop_partial()
        return self._status(SyncPlan(plan.store_ids, plan.store_hashes,
                                     np.zeros(0, np.int64), np.zeros(0, np.int64)))

    # ---- resumable embedding ---------------------------------------------------
    @property
    def _partial(self) -> Path | None:
        return None if self.root is None else self.root / PARTIAL_DIR

    def _drop_partial(self) -> None:
        if self._partial is not None and self._partial.exists():
            shutil.rmtree(self._partial, ignore_errors=True)

    def _load_partial(self) -> dict[int, tuple[int, np.ndarray]]:
        """Vectors a killed sync kept: ``{passage id: (text hash, vector)}``, this embedder's."""
        folder = self._partial
        out: dict[int, tuple[int, np.ndarray]] = {}
        if folder is None or not folder.is_dir():
            return out
        for path in sorted(folder.glob("chunk-*.npz")):
            try:
                with np.load(path) as chunk:
                    if str(chunk["embedder"]) != self.embedder_id:
                        continue
                    ids, hashes, vectors = chunk["ids"], chunk["hashes"], chunk["vectors"]
            except Exception as exc:  # a torn chunk is embedded again
                log.info("ignoring unreadable embedding chunk %s: %s", path.name, exc)
                continue
            if vectors.shape != (len(ids), self.dimension):
                continue
            for pid, digest, vector in zip(ids.tolist(), hashes.tolist(), vectors, strict=True):
                out[int(pid)] = (int(digest), vector)
        return out

    def _keep_chunk(self, ids: np.ndarray, hashes: np.ndarray, vectors: np.ndarray) -> None:
        """Write one chunk of fresh vectors to ``index/partial/`` (temp file, fsync, rename)."""
        folder = self._partial
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        name = f"chunk-{time.time_ns()}.npz"
        tmp = folder / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            np.savez(fh, ids=ids, hashes=hashes, vectors=vectors,
                     embedder=np.asarray(self.embedder_id))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / name)
        _fsync(folder)

    def _embed_resumable(self, ids: np.ndarray, hashes: np.ndarray, texts: list[str],
                         progress: bool) -> np.ndarray:
        """Vectors for ``ids``: those a killed sync kept (same text hash), the rest embedded
        in chunks of ``EMBED_CHUNK``, each kept on disk as soon as it is done."""
        out = np.zeros((len(ids), self.dimension), np.float32)
        if not len(ids):
            return out
        kept = self._load_partial()
        todo: list[int] = []
        for row, (pid, digest) in enumerate(zip(ids.tolist(), hashes.tolist(), strict=True)):
            hit = kept.get(int(pid))
            if hit is not None and hit[0] == int(digest):
                out[row] = hit[1]
            else:
                todo.append(row)
        if len(todo) < len(ids):
            log.info("resuming an interrupted sync: %d of %d vectors kept, embedding %d",
                     len(ids) - len(todo), len(ids), len(todo))
        from tqdm import tqdm

        chunks = [todo[i:i + EMBED_CHUNK] for i in range(0, len(todo), EMBED_CHUNK)]
        for rows in tqdm(chunks, desc="embed", unit="chunk", disable=not progress or not chunks):
            vectors = self._embed_texts([texts[r] for r in rows])
            out[rows] = vectors
            self._keep_chunk(ids[rows], hashes[rows], vectors)
        return out

    def _texts(self, ids: np.ndarray) -> list[str]:
        """Passage texts for ``ids`` (in the order given)."""
        if not len(ids):
            return []
        if len(ids) == self.store.execute("SELECT count(*) FROM passages").fetchone()[0]:  # type: ignore[index]
            rows = self.store.execute("SELECT passage_id, text FROM passages").fetchall()
        else:
            rows = self.store.execute(
                "SELECT passage_id, text FROM passages WHERE passage_id IN (SELECT unnest(?::BIGINT[]))",
                [ids.tolist()]).fetchall()
        by_id = dict(rows)
        return [by_id[int(i)] for i in ids]

    def _embed_texts(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors for ``texts``."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        vectors = np.asarray(self.embedder.embed_many(texts), dtype=np.float32)
        if vectors.shape != (len(texts), self.dimension):
            raise WorkspaceError(f"embedder returned shape {vectors.shape}, expected {(len(texts), self.dimension)}")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def _make_meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "embedder_id": self.embedder_id,
            "dimension": self.dimension,
            "metric": METRIC,
            "faiss_version": _faiss_version(),
            "index_type": self.dense.index_type,
            "nprobe": self.dense.nprobe,
            "trained_on": self.dense.trained_on,
            "passage_count": int(len(self.ids)),
            "passage_checksum": checksum(self.ids, self.hashes),
            "lexical": {"library": self.lexical.library, "docs": self.lexical.size},
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "verify_version": _verify_version(),
            "backends": self.backends,
        }

    def _save(self) -> None:
        """Write a new generation folder, fsync it, then switch ``CURRENT`` to it."""
        root = self.root
        if root is None:
            return
        root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns()}"
        tmp = root / f".{name}.tmp"
        try:
            tmp.mkdir()
            self.dense.write(tmp / DENSE_FILE)
            np.savez(tmp / STORE_FILE, ids=self.ids, hashes=self.hashes)
            self.lexical.write(tmp)
            meta = dict(self.meta or {})
            meta["files"] = file_checksums(tmp)
            self.meta = meta
            (tmp / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            _fsync_tree(tmp)
            os.replace(tmp, root / name)
            _fsync(root)
            _atomic_write_text(root / POINTER, name + "\n")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in root.iterdir():
            if old.is_dir() and old.name != name and (old.name.startswith("gen-") or old.name.endswith(".tmp")):
                shutil.rmtree(old, ignore_errors=True)

    # ---- status ----------------------------------------------------------------
    def status(self) -> IndexStatus:
        """Compare with the store and report (cheap enough to call often)."""
        return self._status(self.plan())

    def _status(self, plan: SyncPlan) -> IndexStatus:
        meta = self.meta or {}
        return IndexStatus(
            passages_in_store=len(plan.store_ids), vectors=self.dense.ntotal,
            lexical_docs=self.lexical.size,
            index_type=self.dense.index_type if self.built else "none",
            embedder_id=self.embedder_id, dimension=self.dimension, metric=METRIC,
            faiss_version=_faiss_version(), in_sync=self.built and plan.in_sync,
            built_at=meta.get("created_at"), missing=len(plan.add), stale=len(plan.remove),
            path=None if self.root is None else str(self.root))

    def ensure_ready(self) -> None:
        """Raise if there is nothing to search; bring a slightly drifted index up to date.

        A store changed since the last sync (cheap check: count and id sum) is synced
        before searching when nobody else is writing and at most ``AUTO_SYNC_MAX``
        passages are missing. Otherwise (an ingest is running, or a long embedding would
        be needed) the last saved generation is searched as it is: passages removed since
        are never served (their rows are gone), new ones wait for the writer or for
        ``verify index``.
        """
        signature = store_signature(self.store)
        if signature[0] == 0:
            raise IndexMissingError("the workspace has no passages to search yet")
        if not self.built:
            count = signature[0]
            raise IndexMissingError(
                f"no index has been built for the {count} passages in this workspace",
                hint="build it with `verify index`")
        if signature == self._signature:
            return
        if signature == (len(self.ids), int(self.ids.sum())):
            self._signature = signature
            return
        if writer_active(self.store.path):
            log.info("another process is writing this workspace; searching the last saved "
                     "index generation")
            return
        plan = self.plan()
        if len(plan.add) > AUTO_SYNC_MAX:
            log.warning("the index is %d passages behind the store; searching the last saved "
                        "generation (run `verify index` to bring it up to date)", len(plan.add))
            self._signature = signature
            return
        log.warning("index is behind the passages table; syncing before search")
        try:
            with writer_lock(self.store.path, "index sync before a search", wait_s=0.0):
                self._sync(False, rebuild=False)
        except WorkspaceLockedError:
            log.info("a writer started meanwhile; searching the last saved generation")

    # ---- search ----------------------------------------------------------------
    def dense_search(self, vector: np.ndarray, k: int,
                     allowed_ids: Sequence[int] | np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-``k`` (passage_id, cosine) for a query vector."""
        return self.dense.search(vector, k, allowed_ids)

    def lexical_search(self, query: str, k: int,
                       allowed_ids: Sequence[int] | np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-``k`` (passage_id, BM25 score) for a query text."""
        return self.lexical.search(query, k, allowed_ids)

    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Cosine of the query vector with each passage in ``ids``."""
        return self.dense.scores(vector, ids)

    def lexical_scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """BM25 score of the query against each passage in ``ids``."""
        return self.lexical.scores(query, ids)


def rebuild(ws: IndexOwner, progress: bool = False) -> IndexStatus:
    """Rebuild the workspace's index from scratch (also when the saved one is refused);
    the workspace keeps the new index (``ws.rebuild_index``).

    Example:
        rebuild(ws).in_sync
        # -> True
    """
    return ws.rebuild_index(progress=progress)


def sync(ws: IndexOwner, progress: bool = False, *, rebuild_all: bool = False) -> IndexStatus:
    """Sync (or, with ``rebuild_all``, rebuild) the workspace's index."""
    return rebuild(ws, progress) if rebuild_all else ws.sync_index(progress=progress)


def status(ws: IndexOwner) -> IndexStatus:
    """The workspace's index status."""
    return ws.index_status()


__all__ = ["HybridIndex", "IndexStatus", "SyncPlan", "rebuild", "status", "sync"]
