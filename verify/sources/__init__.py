"""Source reliability: append-only ratings, effective reliability, import/export, track record.

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.in_memory()
    >>> ws.reliability("reuters.com").value > 0.9      # seeded Lin et al. 2023 figures
    True
"""

from __future__ import annotations

from verify.sources.book import SourceBook
from verify.sources.domains import normalize_domain, parse_domain, registrable_domain
from verify.sources.models import (
    ImportIssue,
    ImportReport,
    RatingEvent,
    SourceSummary,
    SourceView,
    Suggestion,
    TrackRecord,
)
from verify.sources.scales import SCALES, normalise

__all__ = [
    "SCALES",
    "ImportIssue",
    "ImportReport",
    "RatingEvent",
    "SourceBook",
    "SourceSummary",
    "SourceView",
    "Suggestion",
    "TrackRecord",
    "normalise",
    "normalize_domain",
    "parse_domain",
    "registrable_domain",
]
