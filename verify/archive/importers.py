"""Read fact-checks from the formats fact-checkers publish, and store them idempotently.

Formats (chosen by extension; a folder is read file by file):

- ``.json`` / ``.jsonld``: schema.org ClaimReview (one object, a list, an ``@graph``, an
  ``ItemList``, or a ClaimReview feed: a ``DataFeed`` whose ``dataFeedElement`` items hold
  ClaimReviews), or a Google Fact Check Tools export/API answer (``{"claims": [{"text",
  "claimant", "claimDate", "claimReview": [{"publisher", "url", "title", "reviewDate",
  "textualRating", "languageCode"}]}]}``); plain ``{"claim": ..., "rating": ...}`` rows too.
- ``.jsonl``: one such object per line.
- ``.csv`` / ``.tsv``: a header with a ``claim`` column (or ``claimReviewed``, ``statement``,
  ``text``) and optional ``rating`` (``verdict``, ``textualRating``), ``organisation``
  (``publisher``, ``author``), ``date`` (``reviewDate``, ``datePublished``), ``url``,
  ``claimant``, ``language``, ``title`` and ``review_text`` (``body``) columns.
- ``.html`` / ``.htm``: a saved fact-check page: the ClaimReview objects of its JSON-LD
  blocks, with the page's text as the fact-check's own text.

A record that cannot be read is one problem line naming the file, the line (or item) and
the field, and the rest of the file goes on. Ratings are read as verify verdicts as
``verify import-verdicts`` reads them (:func:`verify.checks.past.rating_verdict`); a
rating with no verdict (*Misleading*) is kept with ``verdict`` None.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.archive.models import ArchiveImport, FactCheck, one_row
from verify.errors import ArchiveError
from verify.ingest.text import (
    date_or_text,
    decode_named,
    json_lines,
    json_records,
    read_folder,
    strptime_date,
)

if TYPE_CHECKING:
    from verify.store import Store

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".tsv", ".jsonl", ".json", ".jsonld", ".html", ".htm")
CLAIM_KEYS = ("claim", "claimreviewed", "claim_reviewed", "statement", "vclaim", "text")
RATING_KEYS = ("rating", "verdict", "textualrating", "textual_rating", "label", "alternatename")
ORG_KEYS = ("organisation", "organization", "publisher", "author", "reviewer", "site", "outlet")
DATE_KEYS = ("date", "reviewdate", "review_date", "datepublished", "published", "claimdate")
URL_KEYS = ("url", "link", "review_url", "fact_check_url")
CLAIMANT_KEYS = ("claimant", "speaker", "said_by")
LANGUAGE_KEYS = ("language", "languagecode", "inlanguage", "lang")
TITLE_KEYS = ("title", "headline", "name")
BODY_KEYS = ("review_text", "reviewbody", "body", "article", "fact_check_text", "description")
MAX_TEXT = 20_000   # characters of a fact-check's own text kept
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y",
                 "%Y/%m/%d")


def _lowered(row: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in row.items() if k is not None}


def _pick(row: dict[str, Any], keys: Sequence[str], skip: str | None = None) -> tuple[str | None, Any]:
    """(key, value) of the first of ``keys`` with a value in ``row`` (lowered keys)."""
    for key in keys:
        if key != skip and row.get(key) not in (None, "", [], {}):
            return key, row[key]
    return None, None


def _name(value: Any) -> str | None:
    """A person's or organisation's name from a string or a schema.org Person/Organization."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName") or value.get("site") \
            or value.get("url")
    text = " ".join(str(value).split()) if value not in (None, "") else ""
    return text or None


def parse_date(value: Any) -> dt.date | None:
    """A date from ISO text ("2020-01-14T10:00:00Z"), a few common forms, or None.

    Raises ``ValueError`` for text that is none of them."""
    text = date_or_text(value)
    if not isinstance(text, str):
        return text
    found = re.match(r"^(\d{4}-\d{2}-\d{2})", text)
    if found:
        return dt.date.fromisoformat(found.group(1))
    day = strptime_date(text, _DATE_FORMATS)
    if day is not None:
        return day
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)")


def _verdict(rating: str | None) -> str | None:
    if not rating:
        return None
    from verify.checks.past import rating_verdict

    return rating_verdict(rating)


def _clean(value: Any, limit: int | None = None) -> str | None:
    if value in (None, ""):
        return None
    text = " ".join(str(value).split())
    return (text[:limit] if limit else text) or None


def _record(where: str, *, claim: Any, rating: Any = None, organisation: Any = None,
            date: Any = None, url: Any = None, claimant: Any = None, language: Any = None,
            title: Any = None, text: Any = None, problems: list[str],
            date_field: str = "date") -> FactCheck | None:
    """A ``FactCheck`` from the fields of one record, or None with a problem line."""
    if not isinstance(claim, str) or not claim.strip():
        problems.append(f"{where}: field 'claim': no claim reviewed "
                        "(give a 'claim' or 'claimReviewed' field)")
        return None
    if isinstance(rating, dict):
        rating = rating.get("alternateName") or rating.get("name") or rating.get("ratingValue")
    rating_text = _clean(rating)
    try:
        review_date = parse_date(date)
    except ValueError as exc:
        problems.append(f"{where}: field '{date_field}': {exc}; kept without a date")
        review_date = None
    return FactCheck(claim=" ".join(claim.split()), rating=rating_text,
                     verdict=_verdict(rating_text), organisation=_name(organisation),
                     review_date=review_date, url=_clean(url), claimant=_name(claimant),
                     language=_clean(language), title=_clean(title),
                     text=_clean(text, MAX_TEXT), origin=where)


# ---- ClaimReview and Fact Check Tools -------------------------------------------------
def _is_claim_review(item: Any) -> bool:
    return isinstance(item, dict) and "ClaimReview" in str(item.get("@type", ""))


def _from_claim_review(item: dict[str, Any], where: str, problems: list[str],
                       page_text: str | None = None) -> FactCheck | None:
    found = item.get("itemReviewed")
    reviewed: dict[str, Any] = found if isinstance(found, dict) else {}
    claim = item.get("claimReviewed") or reviewed.get("name") or reviewed.get("text")
    return _record(where, claim=claim, rating=item.get("reviewRating"),
                   organisation=item.get("author") or item.get("publisher"),
                   date=item.get("datePublished") or item.get("dateCreated"),
                   url=item.get("url"), claimant=reviewed.get("author"),
                   language=item.get("inLanguage"),
                   title=item.get("headline") or item.get("name"),
                   text=item.get("reviewBody") or item.get("description") or page_text,
                   problems=problems, date_field="datePublished")


def _from_fact_check_tools(item: dict[str, Any], where: str,
                           problems: list[str]) -> list[FactCheck]:
    """One record per review of a Fact Check Tools claim."""
    reviews = item.get("claimReview")
    if not isinstance(reviews, list) or not reviews:
        problems.append(f"{where}: field 'claimReview': a list of reviews is needed")
        return []
    out: list[FactCheck] = []
    for number, review in enumerate(reviews, 1):
        at = f"{where} review {number}" if len(reviews) > 1 else where
        if not isinstance(review, dict):
            problems.append(f"{at}: field 'claimReview': not an object")
            continue
        fc = _record(at, claim=item.get("text"), rating=review.get("textualRating"),
                     organisation=review.get("publisher"), date=review.get("reviewDate"),
                     url=review.get("url"), claimant=item.get("claimant"),
                     language=review.get("languageCode"), title=review.get("title"),
                     problems=problems, date_field="reviewDate")
        if fc is not None:
            out.append(fc)
    return out


def _from_row(row: dict[str, Any], where: str, problems: list[str]) -> FactCheck | None:
    low = _lowered(row)
    claim_key, claim = _pick(low, CLAIM_KEYS)
    _, body = _pick(low, BODY_KEYS, skip=claim_key)
    _, rating = _pick(low, RATING_KEYS)
    date_key, date = _pick(low, DATE_KEYS)
    return _record(where, claim=claim, rating=rating, organisation=_pick(low, ORG_KEYS)[1],
                   date=date, url=_pick(low, URL_KEYS)[1],
                   claimant=_pick(low, CLAIMANT_KEYS)[1], language=_pick(low, LANGUAGE_KEYS)[1],
                   title=_pick(low, TITLE_KEYS)[1], text=body, problems=problems,
                   date_field=date_key or "date")


def _from_json(item: Any, where: str, problems: list[str]) -> list[FactCheck]:
    if not isinstance(item, dict):
        problems.append(f"{where}: not an object")
        return []
    if _is_claim_review(item):
        found = _from_claim_review(item, where, problems)
    elif "claimReview" in item:
        return _from_fact_check_tools(item, where, problems)
    else:
        found = _from_row(item, where, problems)
    return [found] if found is not None else []


def _from_html(text: str, name: str, problems: list[str]) -> list[FactCheck]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    blocks = soup.find_all("script", type="application/ld+json")
    body = soup.find("article") or soup.find("main") or soup.body
    page_text: str | None = None
    if body is not None:
        for tag in body.find_all(["script", "style", "nav", "header", "footer"]):
            tag.decompose()
        page_text = _clean(body.get_text(" "), MAX_TEXT)
    out: list[FactCheck] = []
    for number, block in enumerate(blocks, 1):
        try:
            items = json_records(json.loads(block.string or ""))
        except json.JSONDecodeError as exc:
            problems.append(f"{name}: JSON-LD block {number}: malformed JSON: {exc.msg}")
            continue
        for item in items:
            if _is_claim_review(item):
                fc = _from_claim_review(item, f"{name}: JSON-LD block {number}", problems, page_text)
                if fc is not None:
                    out.append(fc)
    if not out and not problems:
        raise ArchiveError(f"{name}: no ClaimReview markup (script type=application/ld+json)")
    return out


def read_fact_checks(text: str, name: str) -> tuple[list[FactCheck], list[str]]:
    """The fact-checks in ``text`` (a file called ``name``) and one line per problem."""
    suffix = Path(name).suffix.lower()
    problems: list[str] = []
    found: list[FactCheck] = []
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if not any(k in columns for k in CLAIM_KEYS):
            raise ArchiveError(f"{name}:1: field 'claim': needs a 'claim' column "
                               f"(columns: {', '.join(reader.fieldnames or []) or 'none'})")
        width = len(reader.fieldnames or [])
        for row in reader:
            where = f"{name}:{reader.line_num}"
            extra = row.pop(None, None)  # type: ignore[call-overload]
            if extra:
                problems.append(f"{where}: {width + len(extra)} fields where the header has "
                                f"{width}; put a value that contains commas in double quotes")
                continue
            fc = _from_row(row, where, problems)
            if fc is not None:
                found.append(fc)
    elif suffix == ".jsonl":
        for number, data, error in json_lines(text):
            if error:
                problems.append(f"{name}:{number}: malformed JSON: {error}")
                continue
            items = json_records(data)
            for i, item in enumerate(items, 1):
                found += _from_json(item, f"{name}:{number}" + (f" item {i}" if len(items) > 1 else ""),
                                    problems)
    elif suffix in (".json", ".jsonld"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArchiveError(f"{name}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        for i, item in enumerate(json_records(data), 1):
            found += _from_json(item, f"{name}: item {i}", problems)
    elif suffix in (".html", ".htm"):
        found = _from_html(text, name, problems)
    else:
        raise ArchiveError(f"{name}: fact-checks are read from {', '.join(SUFFIXES)} files "
                           f"(got {suffix or 'no extension'!r})")
    return found, problems


def _decoded(data: str | bytes, name: str) -> str:
    return decode_named(data, name, ArchiveError)


def read_path(path: str | Path) -> tuple[list[FactCheck], list[str]]:
    """The fact-checks in a file or (recursively) a folder; an unreadable file is one problem
    line and the others go on."""
    path = Path(path)
    if path.is_file():
        return read_fact_checks(_decoded(path.read_bytes(), str(path)), str(path))
    if not path.is_dir():
        raise ArchiveError(f"{path}: no such file or folder")
    return read_folder(path, SUFFIXES, read_fact_checks)


# ---- storage ---------------------------------------------------------------------------
_COLUMNS = ("identity", "claim", "rating", "verdict", "organisation", "review_date", "url",
            "claimant", "language", "title", "text", "origin")


def add_fact_checks(store: Store, items: Iterable[FactCheck]) -> tuple[list[int], int]:
    """Store fact-checks not already in the archive; returns (new ids, how many were there).

    The same fact-check twice (same identity, see :attr:`FactCheck.identity`) is one row."""
    items = list(items)
    identities = [fc.identity for fc in items]
    existing: set[str] = set()
    if identities:
        existing = {r[0] for r in store.execute(
            "SELECT identity FROM fact_checks WHERE identity IN (SELECT unnest(?))",
            [sorted(set(identities))]).fetchall()}
    rows: list[list[Any]] = []
    already = 0
    for fc, identity in zip(items, identities, strict=True):
        if identity in existing:
            already += 1
            continue
        existing.add(identity)
        rows.append([identity, fc.claim, fc.rating, fc.verdict, fc.organisation, fc.review_date,
                     fc.url, fc.claimant, fc.language, fc.title, fc.text, fc.origin])
    if not rows:
        return [], already
    with store.transaction():
        start = int(one_row(store, "SELECT coalesce(max(fact_check_id), 0) FROM fact_checks")[0])
        ids = list(range(start + 1, start + 1 + len(rows)))
        columns = list(zip(*[[i, *row] for i, row in zip(ids, rows, strict=True)], strict=True))
        # one statement for the whole batch (DuckDB's executemany goes row by row)
        store.execute(
            f"INSERT INTO fact_checks (fact_check_id, {', '.join(_COLUMNS)}) "
            f"SELECT * FROM (SELECT unnest(?) AS fact_check_id, "
            + ", ".join(f"unnest(?) AS {c}" for c in _COLUMNS) + ")",
            [list(c) for c in columns])
    return ids, already


def import_fact_checks(store: Store, path: str | Path | None = None, *,
                       text: str | bytes | None = None, name: str | None = None,
                       organisation: str | None = None,
                       items: Sequence[FactCheck] | None = None) -> ArchiveImport:
    """Read and store fact-checks from ``path`` (a file or folder), ``text`` (an upload
    called ``name``) or ready ``items``. ``organisation`` fills in records that name none.
    Records that cannot be read are in ``problems``; the rest are stored."""
    started = time.perf_counter()
    if items is not None:
        source = name or "records"
        rows, problems = list(items), list[str]()
    elif text is not None:
        source = name or "upload"
        rows, problems = read_fact_checks(_decoded(text, source), source)
    elif path is not None:
        source = name or str(path)
        rows, problems = read_path(path)
    else:
        raise ArchiveError("give a file or folder of fact-checks")
    if not rows and not problems:
        raise ArchiveError(f"{source}: no fact-checks in it")
    if organisation:
        from dataclasses import replace

        rows = [fc if fc.organisation else replace(fc, organisation=organisation) for fc in rows]
    ids, already = add_fact_checks(store, rows)
    report = ArchiveImport(source=source, read=len(rows), added=len(ids), already_there=already,
                           fact_check_ids=ids, problems=problems,
                           seconds=time.perf_counter() - started)
    store.execute("INSERT INTO fact_check_imports (import_id, source, read_count, added, "
                  "already_there, problems) VALUES (?, ?, ?, ?, ?, ?)",
                  [uuid.uuid4().hex, source, report.read, report.added, report.already_there,
                   json.dumps(problems[:1000])])
    log.info("archive import %s: %s", source, report.summary())
    return report
