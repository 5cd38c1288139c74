"""Source reliability: append-only ratings, effective reliability, import/export, track record.

A source is a domain, an account on a platform (``x.com/@handle``) or a host without a
public suffix (``wiki.intranet``); see :mod:`verify.sources.keys` and docs/sources.md.

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.in_memory()
    >>> ws.reliability("reuters.com").value > 0.9      # seeded Lin et al. 2023 figures
    True
    >>> source_key("https://twitter.com/SomeHandle/status/1")
    'x.com/@somehandle'
"""

from __future__ import annotations

from verify.sources.book import SourceBook
from verify.sources.domains import normalize_domain, parse_domain, registrable_domain
from verify.sources.keys import SourceKey, parse_source, rating_key, source_key
from verify.sources.models import (
    ImportIssue,
    ImportReport,
    RatingEvent,
    SourceSummary,
    SourceView,
    Suggestion,
    TrackRecord,
)
from verify.sources.platforms import AccountPattern, Platform, register_platform
from verify.sources.scales import SCALES, normalise

__all__ = [
    "SCALES",
    "AccountPattern",
    "ImportIssue",
    "ImportReport",
    "Platform",
    "RatingEvent",
    "SourceBook",
    "SourceKey",
    "SourceSummary",
    "SourceView",
    "Suggestion",
    "TrackRecord",
    "normalise",
    "normalize_domain",
    "parse_domain",
    "parse_source",
    "rating_key",
    "register_platform",
    "registrable_domain",
    "source_key",
]
