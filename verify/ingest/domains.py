"""Registrable domains from URLs, offline (bundled public-suffix snapshot).

A document's source key comes from :func:`verify.sources.keys.source_key`; this module
keeps the plain host helpers and the key for outlets known only by name.
:func:`registrable_domain` is :func:`verify.sources.domains.registrable_domain`, re-exported.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from verify.sources.domains import registrable_domain, suffix_extractor

_SLUG = re.compile(r"[^a-z0-9]+")


def hostname(url_or_host: str) -> str | None:
    """The lower-cased host of a URL or bare host name."""
    text = (url_or_host or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def looks_like_domain(text: str) -> bool:
    """True for strings such as ``bbc.co.uk`` or ``https://x.org`` (not outlet names)."""
    text = text.strip()
    return bool(text) and " " not in text and "." in text and registrable_domain(text) is not None


def name_key(name: str) -> str:
    """A stable key for an outlet known only by name (``Frontline Truth`` -> ``frontline-truth``)."""
    return _SLUG.sub("-", name.lower()).strip("-") or "unknown"


__all__ = ["hostname", "looks_like_domain", "name_key", "registrable_domain", "suffix_extractor"]
