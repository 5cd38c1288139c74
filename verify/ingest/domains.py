"""Registrable domains from URLs, offline (bundled public-suffix snapshot)."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1)
def suffix_extractor() -> Any:
    """The tldextract extractor, built once on first use (never fetches the list)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


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
    host = hostname(url_or_host)
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None  # an IP address is not a publisher (same rule as verify.sources)
    except ValueError:
        pass
    parts = suffix_extractor()(host)
    top = getattr(parts, "top_domain_under_public_suffix", None)
    if top is None:  # older tldextract
        top = parts.registered_domain
    return top or None


def looks_like_domain(text: str) -> bool:
    """True for strings such as ``bbc.co.uk`` or ``https://x.org`` (not outlet names)."""
    text = text.strip()
    return bool(text) and " " not in text and "." in text and registrable_domain(text) is not None


def source_key(name: str) -> str:
    """A stable key for an outlet known only by name (``Frontline Truth`` -> ``frontline-truth``)."""
    return _SLUG.sub("-", name.lower()).strip("-") or "unknown"
