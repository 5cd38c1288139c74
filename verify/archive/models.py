"""Typed records of the fact-check archive: a fact-check, an import report, a match."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from verify.types import to_jsonable


def one_row(store: Any, sql: str, params: object = None) -> tuple[Any, ...]:
    """The single row of an aggregate query (``count(*)``, ``max(...)``)."""
    row = store.execute(sql, params).fetchone()
    if row is None:  # an aggregate always has a row; this is for the type checker
        raise RuntimeError(f"no row from {sql!r}")
    return tuple(row)


def _key(text: str | None) -> str:
    return " ".join(str(text or "").lower().split())


@dataclass(frozen=True)
class FactCheck:
    """One earlier fact-check: the claim it reviewed and what it found.

    ``rating`` is the rating as the fact-checker gave it ("Pants on Fire!"); ``verdict`` is
    that rating read as a verify verdict (REFUTED), or None when it has none ("Misleading").
    ``origin`` says where it was read ("file.csv:12").
    """

    claim: str
    rating: str | None = None
    verdict: str | None = None
    organisation: str | None = None
    review_date: dt.date | None = None
    url: str | None = None
    claimant: str | None = None
    language: str | None = None
    title: str | None = None
    text: str | None = None
    origin: str | None = None
    fact_check_id: int | None = None

    @property
    def identity(self) -> str:
        """What makes two imports the same fact-check: its URL and claim, or (without a URL)
        its organisation, claim and rating."""
        if self.url and self.url.strip():
            digest = hashlib.sha256(_key(self.claim).encode()).hexdigest()[:16]
            return f"url:{self.url.strip()}#{digest}"
        raw = "\x1f".join((_key(self.organisation), _key(self.claim), _key(self.rating)))
        return "claim:" + hashlib.sha256(raw.encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]

    def label(self) -> str:
        """One line for a person: rating, organisation and date."""
        parts = [f"rated {self.rating!r}" if self.rating else "no rating"]
        if self.organisation:
            parts.append(f"by {self.organisation}")
        if self.review_date:
            parts.append(f"on {self.review_date.isoformat()}")
        return " ".join(parts)


@dataclass
class ArchiveImport:
    """What an archive import did: rows read, added, already there, and every problem
    (file, line and field) with a record that could not be read."""

    source: str
    read: int = 0
    added: int = 0
    already_there: int = 0
    fact_check_ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]

    def summary(self) -> str:
        """One line for a person."""
        text = (f"read {self.read} fact-checks from {self.source}: {self.added} added, "
                f"{self.already_there} already in the archive")
        if self.problems:
            text += f", {len(self.problems)} records could not be read"
        return text


@dataclass(frozen=True)
class Match:
    """An earlier fact-check that may check the same claim, with its score and why.

    ``score`` is in [0, 1]: how likely the fact-check reviewed the same claim (see
    docs/archive.md for the threshold shown above the evidence)."""

    fact_check: FactCheck
    score: float
    rank: int
    dense_score: float
    lexical_score: float
    why: list[str] = field(default_factory=list)
    shared_figures: list[str] = field(default_factory=list)
    shared_names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]
