"""Registrable domains from URLs, offline (bundled public-suffix snapshot).

A document's source key comes from :func:`verify.sources.keys.source_key`; this module
keeps the plain registrable-domain helpers and the key for outlets known only by name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from verify.errors import InputError
from verify.sources.domains import parse_domain, suffix_extractor

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


@lru_cache(maxsize=4096)
def registrable_domain(url_or_host: str) -> str | None:
    """The registrable domain (``news.bbc.co.uk`` -> ``bbc.co.uk``), or None (IPs, bad input).

    Example:
        >>> registrable_domain("https://news.bbc.co.uk/world")
        'bbc.co.uk'
    """
    if not url_or_host or not url_or_host.strip():
        return None
    try:
        return parse_domain(url_or_host).registrable
    except InputError:   # IP addresses, hosts without a public suffix, garbage
        return None


def looks_like_domain(text: str) -> bool:
    """True for strings such as ``bbc.co.uk`` or ``https://x.org`` (not outlet names)."""
    text = text.strip()
    return bool(text) and " " not in text and "." in text and registrable_domain(text) is not None


def name_key(name: str) -> str:
    """A stable key for an outlet known only by name (``Frontline Truth`` -> ``frontline-truth``)."""
    return _SLUG.sub("-", name.lower()).strip("-") or "unknown"


__all__ = ["hostname", "looks_like_domain", "name_key", "registrable_domain", "suffix_extractor"]
