"""The fact-check archive: earlier fact-checks, imported, indexed and matched.

Example:
    report = ws.import_fact_checks("claimreview-feed.json")
    [m.fact_check.rating for m in ws.match("5G spreads the virus", k=3)]
    # -> ['False', 'False', 'Pants on Fire']

See docs/archive.md for the formats, the matching and the threshold.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.archive.matching import MATCH_THRESHOLD, RERANKER_FILE, Reranker, match_claim
from verify.archive.models import ArchiveImport, FactCheck, Match

if TYPE_CHECKING:
    from verify.archive.index import ArchiveIndex
    from verify.workspace import Workspace

__all__ = ["EARLIER_SHOWN", "MATCH_THRESHOLD", "ArchiveImport", "FactCheck", "Match", "Reranker",
           "archive_index", "archive_stats", "earlier_fact_checks", "import_fact_checks",
           "list_fact_checks", "match"]

EARLIER_SHOWN = 3   # earlier fact-checks shown above a check's evidence (docs/archive.md)

_ATTR = "_archive_index"


def archive_index(ws: Workspace, progress: bool = False) -> ArchiveIndex:
    """The workspace's archive index, loaded or built and brought up to date (kept on ``ws``)."""
    from verify.archive.index import ensure_index

    index = ensure_index(ws.store, ws.embedder, getattr(ws, _ATTR, None), progress)
    setattr(ws, _ATTR, index)
    return index


def reranker_for(ws: Workspace) -> Reranker | None:
    """The learned re-ranker saved in the workspace folder, if any."""
    if ws.path is not None and (ws.path / RERANKER_FILE).is_file():
        return Reranker.load(ws.path / RERANKER_FILE)
    return None


def match(ws: Workspace, claim: str, k: int = 5, *, min_score: float = 0.0) -> list[Match]:
    """Earlier fact-checks ranked by how likely they reviewed ``claim``; empty when the
    archive is."""
    if not has_fact_checks(ws):
        return []
    return match_claim(ws.store, ws.embedder, archive_index(ws), claim, k,
                       reranker=reranker_for(ws), min_score=min_score)


def earlier_fact_checks(ws: Any, claim: str, k: int = EARLIER_SHOWN) -> list[Match]:
    """The earlier fact-checks shown above a check's evidence (``verify check``, the desk's
    Check page, audit reports): the best matches scoring at least ``MATCH_THRESHOLD``, at
    most ``k``, each fact-check once. Copies of one claim (``same_claim_key``) by the same
    organisation with the same rating are one fact-check recorded twice: the earliest is
    shown. The same claim rated by another organisation is shown too. ``ws``: a workspace
    or a ``RemoteWorkspace``.

    Example:
        [m.fact_check.organisation for m in earlier_fact_checks(ws, "5G spreads the virus")]
        # -> ['Checker One', 'Checker Two']
    """
    import dataclasses

    from verify.archive.matching import same_claim_key

    found = ws.match(claim, k=3 * k, min_score=MATCH_THRESHOLD)
    shown: list[Match] = []
    seen: set[tuple[str, str, str]] = set()
    for m in found:   # best first; copies share a score, the earliest first
        fc = m.fact_check
        key = (same_claim_key(fc.claim), (fc.organisation or "").casefold().strip(),
               (fc.rating or "").casefold().strip())
        if key in seen:
            continue
        seen.add(key)
        shown.append(dataclasses.replace(m, rank=len(shown) + 1))
        if len(shown) == k:
            break
    return shown


def has_fact_checks(ws: Workspace) -> bool:
    """Whether the archive holds anything."""
    from verify.archive.models import one_row

    return bool(one_row(ws.store, "SELECT count(*) FROM fact_checks")[0])


def import_fact_checks(ws: Workspace, path: str | os.PathLike[str] | None = None, *,
                       text: str | bytes | None = None, name: str | None = None,
                       organisation: str | None = None, index: bool = True,
                       progress: bool = False) -> ArchiveImport:
    """Import fact-checks (ClaimReview, Fact Check Tools, CSV, JSON lines, saved pages; a
    file or a folder) into the archive and bring its index up to date."""
    from verify.archive.importers import import_fact_checks as run_import

    report = run_import(ws.store, Path(path) if path is not None else None, text=text,
                        name=name, organisation=organisation)
    if index and report.added:
        archive_index(ws, progress)
    return report


def list_fact_checks(ws: Workspace, query: str = "", limit: int = 200) -> list[FactCheck]:
    """Fact-checks newest first, optionally those whose claim, title, rating, organisation
    or claimant contain every word of ``query``."""
    from verify.archive.matching import _SELECT

    sql, params = _SELECT, list[object]()
    where = []
    for word in query.split():
        where.append("lower(concat_ws(' ', claim, title, rating, organisation, claimant, url))"
                     " LIKE ?")
        params.append(f"%{word.lower()}%")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY review_date DESC NULLS LAST, fact_check_id DESC LIMIT ?"
    params.append(int(limit))
    return [FactCheck(claim=r[1], rating=r[2], verdict=r[3], organisation=r[4], review_date=r[5],
                      url=r[6], claimant=r[7], language=r[8], title=r[9], text=r[10],
                      origin=r[11], fact_check_id=int(r[0]))
            for r in ws.store.execute(sql, params).fetchall()]


def archive_stats(ws: Workspace) -> dict[str, Any]:
    """Counts: fact-checks, organisations, with a verdict, and imports."""
    from verify.archive.models import one_row

    n, orgs, with_verdict, first, last = one_row(
        ws.store, "SELECT count(*), count(DISTINCT organisation), count(verdict), "
        "min(review_date), max(review_date) FROM fact_checks")
    imports = one_row(ws.store, "SELECT count(*) FROM fact_check_imports")[0]
    return {"fact_checks": int(n), "organisations": int(orgs), "with_verdict": int(with_verdict),
            "first_review": first, "last_review": last, "imports": int(imports)}
