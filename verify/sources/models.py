"""Result types of the source book: rating events, imports, track records, suggestions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from verify.types import Reliability, to_jsonable

IssueKind = Literal["rejected", "skipped"]


@dataclass(frozen=True)
class RatingEvent:
    """One row of a source's rating history: who rated it, when, from what to what, why."""

    rating_id: int
    domain: str
    rater: str
    rater_kind: str                 # 'person' | 'rating_set'
    rating_set: str | None          # set name for imported ratings
    set_version: str | None
    scale: str
    raw_value: str
    reliability: float
    previous: float | None          # this rater's previous value for the domain, if any
    label: str | None
    rationale: str | None
    method: str | None
    valid_from: dt.datetime
    valid_to: dt.datetime | None    # set once a newer rating by the same rater supersedes it

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ImportIssue:
    """A row of an imported file that was rejected (malformed) or skipped (not a domain rating)."""

    location: str                   # "line 12" (CSV) or "record 12" (JSON)
    line: int
    field: str | None
    reason: str
    kind: IssueKind = "rejected"

    def __str__(self) -> str:
        where = f"{self.location}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the set it created, rows kept, rejected and skipped."""

    rating_set_id: int | None
    name: str
    version: str | None
    format: str
    path: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    rows_skipped: int
    superseded: int                 # ratings that replaced an earlier rating by the same set
    not_in_this_version: int        # domains the previous version rated that this one does not
    already_imported: bool
    seconds: float
    issues: tuple[ImportIssue, ...] = ()

    @property
    def errors(self) -> tuple[ImportIssue, ...]:
        """The rejected (malformed) rows."""
        return tuple(i for i in self.issues if i.kind == "rejected")

    @property
    def skipped(self) -> tuple[ImportIssue, ...]:
        """Rows skipped on purpose (a page not a domain, a duplicate, no rating)."""
        return tuple(i for i in self.issues if i.kind == "skipped")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SourceSummary:
    """A source in a listing: its effective reliability and the parts it came from."""

    domain: str
    value: float
    band: str
    explanation: str
    parts: tuple[tuple[str, float, float], ...]
    name: str | None = None
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class TrackEvidence:
    """One check in which a source's passages took a side, and whether it agreed."""

    check_id: str
    claim: str
    stance: str
    verdict: str
    reviewed: bool
    agrees: bool
    weight: float


@dataclass(frozen=True)
class TrackRecord:
    """How often a source's evidence agreed with final verdicts, as a Beta posterior."""

    domain: str
    current: float
    agreements: int
    disagreements: int
    weighted_agreements: float
    weighted_disagreements: float
    posterior_mean: float
    interval: tuple[float, float]   # 90% credible interval
    evidence: tuple[TrackEvidence, ...] = field(default=())

    @property
    def n(self) -> int:
        """Checks that count (agreements plus disagreements)."""
        return self.agreements + self.disagreements

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Suggestion:
    """A suggested rating change from the track record, and any decision on it."""

    suggestion_id: int
    domain: str
    current_value: float | None
    suggested_value: float
    agreements: int
    disagreements: int
    evidence: tuple[dict[str, Any], ...]
    created_at: dt.datetime
    decision: str | None = None     # accepted | dismissed | superseded | None (open)
    decided_by: str | None = None
    note: str | None = None
    rating_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SourceView:
    """Everything known about one source: value, raters, aliases, history, track record."""

    domain: str
    reliability: Reliability
    name: str | None
    aliases: tuple[str, ...]
    current: tuple[RatingEvent, ...]
    history: tuple[RatingEvent, ...]
    track_record: TrackRecord | None
    suggestions: tuple[Suggestion, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]
