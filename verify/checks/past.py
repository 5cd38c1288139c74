"""Import a desk's past verdicts as reviewed checks, so ``verify learn`` can start at once.

A desk that already fact-checked claims has its verdicts somewhere: a spreadsheet, a
JSON-lines export, or the schema.org ClaimReview markup on its published fact-checks.
``import_past_verdicts`` reads them, checks every claim against this workspace's corpus
(stored like any check) and records the desk's verdict as a review of that check, by
``reviewer`` with a note naming the file and line. ``verify learn`` then fits on them.

Formats (chosen by extension):

- ``.csv`` / ``.tsv``: a header with a ``claim`` column (or ``claimReviewed``, ``text``)
  and a ``verdict`` column (or ``rating``, ``label``, ``textualRating``).
- ``.jsonl``: one object per line with those keys, or one ClaimReview object per line.
- ``.json`` / ``.jsonld``: a ClaimReview object, a list of them, an ``@graph`` or an
  ``ItemList``; plain ``{"claim": ..., "verdict": ...}`` objects work too.
- ``.html`` / ``.htm``: a saved fact-check page; the ClaimReview objects in its
  ``<script type="application/ld+json">`` blocks.
- a folder: every such file in it (a file that cannot be read is reported; the rest go on).

Ratings are read by their words (``alternateName`` in ClaimReview): *true*, *mostly
true* -> SUPPORTED; *false*, *mostly false*, *pants on fire* -> REFUTED; *half true*,
*mixed* -> CONFLICTING; *unproven*, *unverified* -> NOT ENOUGH EVIDENCE; verify's own
labels as they are. A rating with no verify verdict (*misleading*, *satire*) or given only
as a number is reported with its line and skipped; so is a row without a claim. A claim
this reviewer already gave the same verdict is skipped, so a second import adds nothing.
``Workspace.import_past_verdicts`` also puts the same file's fact-checks into the
workspace's fact-check archive (:mod:`verify.archive`; ``archived``), so later claims are
matched against them; this module never imports the archive or the workspace.

Example:
    report = import_past_verdicts(ws, "desk-archive.csv", reviewer="desk")
    report.imported, report.problems[:1]
    # -> (118, ['desk-archive.csv:7: rating 'Misleading' has no verify verdict ...'])
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from verify.checks.pipeline import _validate_claim, check_claims
from verify.checks.records import normalise_verdict, review_check
from verify.errors import InputError
from verify.ingest.text import decode_named, json_lines, json_records, read_folder
from verify.types import to_jsonable

if TYPE_CHECKING:
    from verify.checks.context import CheckContext

CLAIM_KEYS = ("claim", "claimreviewed", "text", "statement")
VERDICT_KEYS = ("verdict", "rating", "label", "textualrating", "alternatename")
RATING_WORDS = {
    "SUPPORTED": ("true", "mostly true", "correct", "accurate", "verified", "supported"),
    "REFUTED": ("false", "mostly false", "pants on fire", "incorrect", "inaccurate", "fake",
                "wrong", "fabricated", "refuted"),
    "CONFLICTING": ("half true", "mixed", "mixture", "partly true", "partly false",
                    "conflicting", "disputed"),
    "NOT ENOUGH EVIDENCE": ("unproven", "unverified", "unsupported", "no evidence",
                            "undetermined", "not enough evidence", "unknown"),
}
_BY_WORDS = {w: verdict for verdict, words in RATING_WORDS.items() for w in words}
BATCH = 64   # claims checked per stance batch
SUFFIXES = (".csv", ".tsv", ".jsonl", ".json", ".jsonld", ".html", ".htm")


@dataclass(frozen=True)
class PastVerdict:
    """One claim with the verdict a desk gave it, and where it was read."""

    claim: str
    verdict: str
    where: str          # "file:line" or "file: item N"


@dataclass
class PastVerdictImport:
    """What ``import_past_verdicts`` did."""

    source: str
    reviewer: str
    imported: int = 0
    already_there: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    check_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    archived: int = 0    # fact-checks added to the workspace's fact-check archive

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]

    def summary(self) -> str:
        """One line for a person: what was imported, by whom, and what was already there."""
        counts = ", ".join(f"{k} {v}" for k, v in self.verdicts.items()) or "none"
        return (f"imported {self.imported} past verdicts as reviews by {self.reviewer} "
                f"({counts}); {self.already_there} already there"
                + (f"; {self.archived} added to the fact-check archive" if self.archived else ""))


def rating_verdict(rating: str) -> str | None:
    """verify's verdict for a rating given in words, or None when it has none."""
    try:
        return normalise_verdict(rating)
    except InputError:
        pass
    words = " ".join(str(rating).lower().replace("-", " ").replace("_", " ").strip(" .!").split())
    return _BY_WORDS.get(words)


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` present in ``row`` (names compared without case)."""
    lowered = {str(k).lower(): v for k, v in row.items()}
    return next((lowered[k] for k in keys if lowered.get(k) not in (None, "")), None)


def _claim_and_rating(item: dict[str, Any]) -> tuple[Any, Any]:
    """(claim, rating) of a plain row or a ClaimReview object."""
    rating = item.get("reviewRating")
    if isinstance(rating, dict):
        words = rating.get("alternateName") or rating.get("name") or rating.get("ratingValue")
        return item.get("claimReviewed") or _pick(item, CLAIM_KEYS), words
    return _pick(item, CLAIM_KEYS), _pick(item, VERDICT_KEYS)


def _to_past(item: Any, where: str) -> PastVerdict | str:
    """A ``PastVerdict``, or the problem with ``item`` as one line."""
    if not isinstance(item, dict):
        return f"{where}: not an object"
    claim, rating = _claim_and_rating(item)
    if not isinstance(claim, str) or not claim.strip():
        return f"{where}: no claim (give a 'claim' or 'claimReviewed' field)"
    if rating is None or not str(rating).strip():
        return f"{where}: no verdict (give a 'verdict' field or a reviewRating alternateName)"
    if isinstance(rating, (int, float)) or str(rating).strip().replace(".", "", 1).isdigit():
        return (f"{where}: rating {rating} is only a number; add its words "
                "(reviewRating.alternateName) so it can be read")
    verdict = rating_verdict(str(rating))
    if verdict is None:
        return (f"{where}: rating {str(rating)!r} has no verify verdict "
                "(SUPPORTED, REFUTED, CONFLICTING, NOT ENOUGH EVIDENCE); skipped")
    return PastVerdict(" ".join(claim.split()), verdict, where)


def _html_claim_reviews(text: str, name: str) -> list[PastVerdict | str]:
    """The ClaimReview objects in a published fact-check page's JSON-LD script blocks
    (other schema.org objects there, such as the article itself, are passed over)."""
    from bs4 import BeautifulSoup

    found: list[PastVerdict | str] = []
    blocks = BeautifulSoup(text, "html.parser").find_all("script", type="application/ld+json")
    for number, block in enumerate(blocks, 1):
        try:
            items = json_records(json.loads(block.string or ""))
        except json.JSONDecodeError as exc:
            found.append(f"{name}: JSON-LD block {number}: malformed JSON: {exc.msg}")
            continue
        reviews = [i for i in items if isinstance(i, dict) and "ClaimReview" in str(i.get("@type"))]
        found += [_to_past(item, f"{name}: JSON-LD block {number}") for item in reviews]
    if not found:
        raise InputError(f"{name}: no ClaimReview markup (script type=application/ld+json)")
    return found


def read_past_verdicts(text: str, name: str) -> tuple[list[PastVerdict], list[str]]:
    """The past verdicts in ``text`` (a file called ``name``) and one line per problem."""
    suffix = Path(name).suffix.lower()
    found: list[PastVerdict | str] = []
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        columns = [c.lower() for c in reader.fieldnames or []]
        if not any(k in columns for k in CLAIM_KEYS) or not any(k in columns for k in VERDICT_KEYS):
            raise InputError(f"{name}:1: needs a 'claim' and a 'verdict' column "
                             f"(columns: {', '.join(reader.fieldnames or []) or 'none'})")
        width = len(reader.fieldnames or [])
        for row in reader:
            where = f"{name}:{reader.line_num}"
            extra = row.pop(None, None)    # type: ignore[call-overload]
            found.append(_to_past(row, where) if not extra else (
                f"{where}: {width + len(extra)} fields where the header has {width}; put a "
                "claim that contains commas in double quotes"))
    elif suffix == ".jsonl":
        for number, data, error in json_lines(text):
            found.append(f"{name}:{number}: malformed JSON: {error}" if error
                         else _to_past(data, f"{name}:{number}"))
    elif suffix in (".json", ".jsonld"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{exc.lineno}: malformed JSON: {exc.msg}") from None
        found = [_to_past(item, f"{name}: item {i}") for i, item in enumerate(json_records(data), 1)]
    elif suffix in (".html", ".htm"):
        found = _html_claim_reviews(text, name)
    else:
        raise InputError(f"{name}: past verdicts are read from {', '.join(SUFFIXES)} files "
                         f"(got {suffix or 'no extension'!r})")
    rows = [f for f in found if isinstance(f, PastVerdict)]
    return rows, [f for f in found if isinstance(f, str)]


def _decoded(data: str | bytes, name: str) -> str:
    """``data`` as text, decoded as ingestion decodes a document (UTF-8 with or without a
    byte-order mark, UTF-16 with one, as Excel's "Unicode text" saves, else clean
    Windows-1252), or a clear error naming it."""
    return decode_named(data, name)


def _read_folder(folder: Path) -> tuple[list[PastVerdict], list[str]]:
    """Every readable file of past verdicts under ``folder``; a file that cannot be read
    is one problem line and the others go on."""
    return read_folder(folder, SUFFIXES, read_past_verdicts)


def _already_reviewed(ws: CheckContext, reviewer: str) -> set[tuple[str, str]]:
    """(claim, verdict) pairs this reviewer has already recorded in the workspace."""
    rows = ws.store.execute("SELECT c.claim, v.verdict FROM verdicts v JOIN checks c"
                            " ON c.check_id = v.check_id WHERE v.reviewer = ?", [reviewer]).fetchall()
    return {(" ".join(str(c).split()), str(v)) for c, v in rows}


def import_past_verdicts(ws: CheckContext, path: str | os.PathLike[str] | None = None, *,
                         reviewer: str | None = None, text: str | bytes | None = None,
                         name: str | None = None, progress: bool = False) -> PastVerdictImport:
    """Check every claim of a file of past verdicts and record its verdict as a review.

    Give ``path`` (a file or a folder), or ``text`` (or the raw bytes) with the file's
    ``name`` (an upload).
    Rows that cannot be read are listed in ``problems`` (file and line) and the rest go on.
    """
    if text is not None:
        name = name or "upload"
        rows, problems = read_past_verdicts(_decoded(text, name), name)
    elif path is not None and Path(path).is_dir():
        name = name or str(path)
        rows, problems = _read_folder(Path(path))
    elif path is not None and Path(path).is_file():
        name = name or str(path)
        rows, problems = read_past_verdicts(_decoded(Path(path).read_bytes(), name), name)
    else:
        raise InputError(f"{path}: no such file or folder" if path else
                         "give a file of past verdicts")
    if not rows and not problems:
        raise InputError(f"{name}: no past verdicts in it")
    who = (reviewer or "").strip() or f"import:{Path(name).name}"
    report = PastVerdictImport(source=name, reviewer=who, problems=problems)
    seen = _already_reviewed(ws, who)
    todo: list[PastVerdict] = []
    for row in rows:
        if (row.claim, row.verdict) in seen:
            report.already_there += 1
            continue
        try:
            _validate_claim(row.claim)
        except InputError as exc:
            report.problems.append(f"{row.where}: {exc}")
            continue
        seen.add((row.claim, row.verdict))
        todo.append(row)
    bar = tqdm(total=len(todo), desc="checking past verdicts", unit="claim",
               disable=not progress)
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        for row, result in zip(batch, check_claims(ws, [r.claim for r in batch]), strict=True):
            review_check(ws, result.check_id, row.verdict, who, f"imported from {row.where}")
            report.check_ids.append(result.check_id)
        bar.update(len(batch))
    bar.close()
    report.imported = len(report.check_ids)
    report.verdicts = dict(sorted(Counter(r.verdict for r in todo).items()))
    return report
