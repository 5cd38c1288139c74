"""Sources that appear in the corpus but that nobody's rating covers.

A corpus source is *unrated* when its effective reliability is a prior: no rating of its
own, of a domain it is an alias of, or (for an account on a platform) of its platform.
Such a source's passages are weighed at the default prior; the desk lists them, with how
much of the corpus they hold, so that someone rates them. An outlet known only by name
(a document without a URL, ``source: Frontline Truth``) has no domain to rate: it is listed
with ``rateable=False``, and giving its documents a URL or a source domain (the Corpus
page's document editor, :func:`verify.ingest.documents.edit_document`) makes it rateable.

Example:
    [(u.domain, u.passages) for u in unrated_sources(ws.sources)][:2]
    # -> [('frontline-truth', 14), ('riverside-gazette.com', 6)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from verify.errors import InputError
from verify.sources.keys import rating_key

if TYPE_CHECKING:
    from verify.sources.book import SourceBook


@dataclass(frozen=True)
class UnratedSource:
    """A corpus source without a rating: its key, name, share of the corpus and the prior
    its passages get meanwhile."""

    domain: str
    name: str | None
    documents: int
    passages: int
    prior: float
    explanation: str
    rateable: bool = True   # False for an outlet known only by name (no domain to rate)


def _rateable(key: str) -> bool:
    """True when ``key`` is something a rating can be stored under (a domain, host or
    account); an outlet known only by name is not."""
    try:
        rating_key(key)
    except InputError:
        return False
    return True


def unrated_sources(book: SourceBook, query: str | None = None) -> list[UnratedSource]:
    """The corpus's sources whose reliability is a prior, most passages first (then by
    key); ``query`` keeps those whose key or name holds it."""
    rows = book.store.execute(
        "SELECT s.domain, s.name, count(DISTINCT d.document_id), count(p.passage_id)"
        " FROM documents d JOIN sources s ON s.source_id = d.source_id"
        " LEFT JOIN passages p ON p.document_id = d.document_id"
        " GROUP BY s.domain, s.name").fetchall()
    needle = (query or "").strip().lower()
    out: list[UnratedSource] = []
    for domain, name, docs, passages in rows:
        if needle and needle not in str(domain).lower() and needle not in str(name or "").lower():
            continue
        rel = book.reliability(str(domain))
        if rel.applied_key:  # a rating (its own, an alias's or its platform's) applies
            continue
        out.append(UnratedSource(str(domain), name, int(docs), int(passages), float(rel.value),
                                 rel.explanation, _rateable(str(domain))))
    out.sort(key=lambda u: (-u.passages, u.domain))
    return out
