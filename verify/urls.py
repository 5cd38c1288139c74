"""Which URLs may become links: the one rule for the desk (:mod:`verify.ui.render`) and the
audit reports (:mod:`verify.audit.reports`).

A URL is linked only when, stripped of surrounding white space, it parses with an ``http``
or ``https`` scheme (any case) and names a host; everything else (``javascript:``,
``data:``, ``file:``, scheme-relative ``//x``, ``http:///path``, text that does not parse)
is shown as text, never as a link.

>>> safe_url("  HTTPS://example.org/x "), safe_url("javascript:alert(1)"), safe_url("http:///x")
('HTTPS://example.org/x', None, None)
"""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_url(url: str | None) -> str | None:
    """The URL (stripped) if it is a plain http(s) link with a host, else None."""
    if not url:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:   # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return text


__all__ = ["safe_url"]
