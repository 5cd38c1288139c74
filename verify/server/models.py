"""Request and response bodies (pydantic), mapping the library's dataclasses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from verify.types import SearchFilters


class Filters(BaseModel):
    """:class:`verify.types.SearchFilters`."""

    domains: list[str] = Field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    languages: list[str] = Field(default_factory=list)
    min_reliability: float | None = Field(default=None, ge=0, le=1)

    def to_filters(self) -> SearchFilters | None:
        """The library's filters (None when nothing is set)."""
        out = SearchFilters(domains=tuple(self.domains), date_from=self.date_from,
                            date_to=self.date_to, languages=tuple(self.languages),
                            min_reliability=self.min_reliability)
        return None if out.is_empty() else out


class CheckRequest(BaseModel):
    claim: str = Field(min_length=1, max_length=5000, examples=["IS-K killed 338 civilians in Pakistan since 2017"])
    k: int | None = Field(default=None, ge=1, le=100)
    filters: Filters | None = None
    save: bool = Field(default=True, description="store the check in History (false: a dry run)")


class SearchRequest(BaseModel):
    claim: str = Field(min_length=1, max_length=5000)
    k: int = Field(default=10, ge=1, le=100)
    filters: Filters | None = None


class MatchRequest(BaseModel):
    claim: str = Field(min_length=1, max_length=5000)
    k: int = Field(default=5, ge=1, le=50)
    min_score: float = Field(default=0.0, ge=0, le=1)


class ReviewRequest(BaseModel):
    verdict: str = Field(min_length=1, examples=["REFUTED"])
    note: str = ""


class RatingRequest(BaseModel):
    value: float | str = Field(description="on the scale given (0-1 by default)", examples=[0.8])
    rationale: str = Field(min_length=1)
    scale: str = "0-1"
    label: str | None = None


class IngestUrlsRequest(BaseModel):
    urls: list[str] = Field(min_length=1, max_length=1000)
    timeout_s: float = Field(default=20.0, gt=0, le=120)


class IngestPathsRequest(BaseModel):
    paths: list[str] = Field(min_length=1, max_length=100)


class AuditRequest(BaseModel):
    texts: list[str] = Field(default_factory=list, max_length=100,
                             description="article texts, one per article")
    threshold: float | None = Field(default=None, ge=0, le=1)


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: str = Field(examples=["checker"])


class UserOut(BaseModel):
    """:class:`verify.users.User` (never the token)."""

    name: str
    role: str
    token_id: str
    created_at: dt.datetime | None = None
    created_by: str | None = None


class UserCreated(UserOut):
    token: str = Field(description="shown once; only its hash is kept")


class JobOut(BaseModel):
    """:class:`verify.server.jobs.Job`."""

    job_id: str
    kind: str
    user: str
    status: str
    done: float
    total: float | None
    fraction: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class CheckRow(BaseModel):
    """A row of ``Workspace.list_checks``."""

    check_id: str
    claim: str
    verdict: str
    confidence: float | None
    reason: str | None
    created_at: dt.datetime | None
    reviewed_verdict: str | None = None
    reviewer: str | None = None


class ReviewOut(BaseModel):
    """A row of ``Workspace.check_reviews``."""

    verdict_id: str
    verdict: str
    machine_verdict: str | None
    reviewer: str
    note: str | None
    created_at: dt.datetime | None


class DocumentOut(BaseModel):
    """A row of ``Workspace.documents``."""

    document_id: int
    title: str | None
    url: str | None
    file_path: str | None
    source: str | None
    published_date: dt.date | None
    language: str | None
    passages: int
    ingested_at: dt.datetime | None


class Removed(BaseModel):
    ref: str
    passages_removed: int


class Reviewed(BaseModel):
    verdict_id: str
    check_id: str
    reviewer: str
