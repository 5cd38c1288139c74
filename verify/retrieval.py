"""Hybrid retrieval: the passages that bear on a claim, with their metadata.

Example:
    from verify import Workspace
    from verify.types import SearchFilters
    ws = Workspace.open("demo")
    hits = search(ws, "IS-K killed 338 civilians", k=5,
                  filters=SearchFilters(domains=("dawn.com",)))
    hits[0].passage.domain, hits[0].fused_score
    # -> ('dawn.com', 1.0)

Filters (domains, published dates, languages, minimum source reliability) are
resolved to the set of allowed passage ids first, and both retrievers search
only inside it (FAISS through an id selector or an exact scan of the subset,
BM25 through a mask), so ``k`` results come back whenever ``k`` passages pass.
Documents without a published date are excluded by a date filter, and ones
without a language by a language filter. A domain filter is reduced to its source
key and also matches the accounts and hosts under it: ``x.com`` (or ``twitter.com``)
includes ``x.com/@someone``, ``blogspot.com`` includes ``name.blogspot.com``.

The work is :func:`search_passages`, which takes only what it uses (the store, the index,
the embedder, the retrieval settings and a reliability lookup); :func:`search` and
:func:`evidence_search` take a workspace, or anything with the same few members
(:class:`SearchContext`), and never import :mod:`verify.workspace`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from verify.errors import InputError
from verify.store import Store
from verify.types import PassageRef, Reliability, SearchFilters, SearchHit

if TYPE_CHECKING:
    from verify.config import RetrievalSettings, Settings
    from verify.embedders import Embedder
    from verify.index.base import PassageIndex


class SearchContext(Protocol):
    """What :func:`search` reads from a workspace."""

    @property
    def store(self) -> Store: ...

    @property
    def index(self) -> PassageIndex: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def settings(self) -> Settings: ...

    def reliability(self, domain: str | None) -> Reliability: ...


class Searcher(Protocol):
    """What :func:`evidence_search` needs: a ``search(claim, k=, filters=)``."""

    def search(self, claim: str, k: int = 10,
               filters: SearchFilters | None = None) -> list[SearchHit]: ...

log = logging.getLogger(__name__)

MAX_K = 1000

_FROM = """
    FROM passages p
    JOIN documents d ON d.document_id = p.document_id
    LEFT JOIN sources s ON s.source_id = d.source_id
"""


def filter_key(text: str) -> str:
    """A filter's source key as stored in ``sources.domain`` (``https://www.bbc.co.uk/news`` ->
    ``bbc.co.uk``, ``twitter.com/Someone`` -> ``x.com/@someone``); the text itself when it
    names no source."""
    from verify.sources.keys import source_key

    return source_key(text) or text.strip().lower()


@contextmanager
def single_threaded_torch() -> Iterator[None]:
    """Run one short query on one torch thread, then restore the thread count.

    A single query gains nothing from intra-op threads, and on a busy machine the
    OpenMP fan-out makes it 5-10x slower (measured: ~40 ms vs ~350 ms for MiniLM
    on 2 shared cores; see benchmarks/retrieval.py).
    """
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def embed_query(embedder: Embedder, text: str) -> np.ndarray:
    """The claim's embedding, computed on one thread."""
    with single_threaded_torch():
        return embedder.embed(text)


def _reliability(ws: SearchContext, domain: str | None) -> float:
    """A domain's reliability, or the prior when the sources book is not available."""
    try:
        return float(ws.reliability(domain).value)
    except (AttributeError, ImportError, NotImplementedError):
        return float(ws.settings.reliability_prior)


def _store_of(source: Store | SearchContext) -> Store:
    """The store itself, or a workspace's."""
    return source if isinstance(source, Store) else source.store


def allowed_passage_ids(source: Store | SearchContext, filters: SearchFilters,
                        reliability: Callable[[str | None], float] | None = None) -> np.ndarray:
    """Ids of the passages that pass ``filters`` (sorted). ``source`` is a store (or a
    workspace); ``reliability(domain)`` is asked for a ``min_reliability`` filter (a
    workspace's own ratings when ``source`` is a workspace and none is given)."""
    store = _store_of(source)
    if reliability is None and not isinstance(source, Store):
        ws = source

        def reliability(domain: str | None) -> float:
            return _reliability(ws, domain)

    where: list[str] = []
    params: list[Any] = []
    if filters.domains:
        # A key matches itself, the accounts under it (x.com -> x.com/@someone) and its
        # sub-hosts (blogspot.com -> name.blogspot.com, wiki.intranet -> docs.wiki.intranet).
        domains = sorted({filter_key(d) for d in filters.domains if d.strip()})
        marks = ", ".join("?" for _ in domains)
        where.append(f"(s.domain IN ({marks}) OR d.source_id IN "
                     f"(SELECT source_id FROM source_aliases WHERE alias_domain IN ({marks})) OR "
                     f"d.source_id IN (SELECT source_id FROM sources, (SELECT unnest(?::VARCHAR[]) AS f) "
                     f"WHERE starts_with(domain, f || '/') OR ends_with(domain, '.' || f)))")
        params += domains + domains + [domains]
    if filters.date_from is not None:
        where.append("d.published_date >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        where.append("d.published_date <= ?")
        params.append(filters.date_to)
    if filters.languages:
        langs = sorted({lang.strip().lower().replace("_", "-").split("-")[0] for lang in filters.languages})
        where.append(f"split_part(lower(replace(d.language, '_', '-')), '-', 1) IN ({', '.join('?' for _ in langs)})")
        params += langs
    sql = f"SELECT p.passage_id, s.domain {_FROM}" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = store.execute(sql + " ORDER BY p.passage_id", params).fetchall()
    if filters.min_reliability is not None:
        if reliability is None:
            raise InputError("a minimum-reliability filter needs source ratings")
        scores = {dom: reliability(dom) for dom in {r[1] for r in rows}}
        rows = [r for r in rows if scores[r[1]] >= filters.min_reliability]
    return np.asarray([r[0] for r in rows], dtype=np.int64)


def fetch_passages(source: Store | SearchContext, ids: list[int]) -> dict[int, PassageRef]:
    """Passages with their document and source metadata (``source``: a store or a workspace).

    Two point lookups (passages by id, then their documents) rather than one join: a
    join makes DuckDB scan the whole passages table, 20 ms at 100k passages.
    """
    if not ids:
        return {}
    store = _store_of(source)
    marks = ", ".join("?" for _ in ids)
    passages = store.execute(
        "SELECT passage_id, document_id, passage_order, text, char_start, char_end "
        f"FROM passages WHERE passage_id IN ({marks})", ids).fetchall()
    doc_ids = sorted({int(r[1]) for r in passages})
    if not doc_ids:
        return {}
    doc_marks = ", ".join("?" for _ in doc_ids)
    docs = {int(r[0]): r[1:] for r in store.execute(
        "SELECT d.document_id, d.title, d.url, s.domain, d.published_date, d.language "
        "FROM documents d LEFT JOIN sources s ON s.source_id = d.source_id "
        f"WHERE d.document_id IN ({doc_marks})", doc_ids).fetchall()}
    out: dict[int, PassageRef] = {}
    for pid, doc_id, order, text, start, end in passages:
        if int(doc_id) not in docs:     # a passage whose document is gone is not served
            continue
        title, url, domain, published, language = docs[int(doc_id)]
        out[int(pid)] = PassageRef(int(pid), int(doc_id), int(order), text, int(start), int(end),
                                   title, url, domain, published, language)
    return out


def search(ws: SearchContext, claim: str, k: int = 10,
           filters: SearchFilters | None = None) -> list[SearchHit]:
    """The ``k`` passages that best match ``claim``, best first.

    The retriever is ``ws.settings.retriever`` (``hybrid``, ``dense`` or ``bm25``).
    Every hit carries its dense cosine, its BM25 score and its fused score.
    Raises :class:`InputError` for an empty claim or a bad ``k`` and
    :class:`IndexMissingError` when nothing has been indexed yet.
    """
    _check_query(claim, k)
    settings = ws.settings
    return search_passages(ws.store, ws.index, lambda text: ws.embedder.embed(text), claim, k,
                           filters, retriever=settings.retriever, settings=settings.retrieval,
                           reliability=lambda domain: _reliability(ws, domain))


def _check_query(claim: str, k: int) -> None:
    if not isinstance(claim, str) or not claim.strip():
        raise InputError("the claim is empty; give a sentence to search for")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise InputError(f"k must be an integer between 1 and {MAX_K}, got {k!r}")


def search_passages(store: Store, index: PassageIndex, embed: Callable[[str], np.ndarray],
                    claim: str, k: int = 10, filters: SearchFilters | None = None, *,
                    retriever: str = "hybrid", settings: RetrievalSettings | None = None,
                    reliability: Callable[[str | None], float] | None = None) -> list[SearchHit]:
    """:func:`search` with its parts given one by one: the passages of ``store`` ranked
    over ``index`` by the retriever named ``retriever``, the query embedded (on one torch
    thread, and only when the retriever needs a vector) by ``embed``, e.g. ``embedder.embed``;
    ``reliability(domain)`` answers a ``min_reliability`` filter."""
    _check_query(claim, k)
    from verify.index.factory import get_retriever

    index.ensure_ready()
    ranker = get_retriever(retriever, index, settings)
    vector = None
    if ranker.needs_vector:
        with single_threaded_torch():
            vector = embed(claim)
    ranked: list[tuple[int, float]] | None = None
    if filters is not None and not filters.is_empty():
        # an engine that filters by itself (Milvus) gets the filters; else they become ids
        ranked = ranker.search_filtered(claim, vector, k, filters, reliability)
        if ranked is None:
            allowed = allowed_passage_ids(store, filters, reliability)
            if not len(allowed):
                return []
            ranked = ranker.search(claim, vector, k, allowed)
    else:
        ranked = ranker.search(claim, vector, k, None)
    ids = [pid for pid, _ in ranked]
    dense = index.dense_scores(vector, ids) if vector is not None else {}
    lexical = index.lexical_scores(claim, ids)
    refs = fetch_passages(store, ids)
    hits: list[SearchHit] = []
    for pid, score in ranked:
        ref = refs.get(pid)
        if ref is None:  # removed between sync and fetch
            continue
        hits.append(SearchHit(passage=ref, rank=len(hits) + 1, dense_score=dense.get(pid),
                              lexical_score=lexical.get(pid), fused_score=float(score)))
    return hits


def evidence_search(ws: Searcher, claim: str, k: int, filters: SearchFilters | None = None,
                    per_source: int = 0) -> list[SearchHit]:
    """The ``k`` passages weighed as evidence for ``claim``: ``search``'s ranking, with at
    most ``per_source`` passages of any one source (0: no cap), so a long thread or one
    outlet's several reports cannot crowd out the other sources. Passages beyond the cap
    are replaced by the next best from a pool three times as deep; passages with no known
    source (a corpus of abstracts) are not capped.

    Example:
        >>> # evidence_search(ws, "The prison held 1,400 inmates", k=8, per_source=2)
    """
    if per_source <= 0:
        return list(ws.search(claim, k=k, filters=filters))
    pool = ws.search(claim, k=min(MAX_K, max(k, 3 * k)), filters=filters)
    taken: dict[str, int] = {}
    hits: list[SearchHit] = []
    for hit in pool:
        source = hit.passage.domain
        if source and taken.get(source, 0) >= per_source:
            continue
        if source:
            taken[source] = taken.get(source, 0) + 1
        hits.append(replace(hit, rank=len(hits) + 1))
        if len(hits) == k:
            break
    return hits
