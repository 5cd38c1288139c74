"""Typed results shared across the library."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Stance = Literal["supports", "refutes", "unrelated"]
VerdictLabel = Literal["SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE"]
STANCES: tuple[Stance, ...] = ("supports", "refutes", "unrelated")
VERDICTS: tuple[VerdictLabel, ...] = ("SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE")


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates and tuples to plain JSON values."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return obj.item()
    return obj


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some sources, dates, languages or reliability."""

    domains: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    languages: tuple[str, ...] = ()
    min_reliability: float | None = None

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.domains or self.date_from or self.date_to or self.languages
                    or self.min_reliability is not None)


@dataclass(frozen=True)
class PassageRef:
    """A passage with its document and source metadata."""

    passage_id: int
    document_id: int
    passage_order: int
    text: str
    char_start: int
    char_end: int
    title: str | None
    url: str | None
    domain: str | None
    published_date: dt.date | None
    language: str | None


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage with its dense, lexical and fused scores."""

    passage: PassageRef
    rank: int
    dense_score: float | None
    lexical_score: float | None
    fused_score: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Reliability:
    """A source's effective reliability and how it was computed."""

    domain: str
    value: float
    explanation: str
    parts: tuple[tuple[str, float, float], ...] = field(default=())  # (rater, value, weight)
