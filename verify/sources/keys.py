"""Source keys: what a rating is attached to and what a document is credited to.

Three kinds of key (docs/sources.md):

- ``domain``: a host with a public suffix, without ``www.``, port or path (``bbc.co.uk``,
  ``news.bbc.co.uk``). Documents get the registrable domain; a rating of a host covers
  its subdomains.
- ``account``: an account on a known platform (:mod:`verify.sources.platforms`):
  ``x.com/@handle``, ``youtube.com/@channel``, ``t.me/@channel``, ``name.substack.com``.
  Lower-cased where the platform ignores case; ``twitter.com/Handle`` is ``x.com/@handle``.
  An account without a rating of its own falls back to its platform's rating.
- ``host``: a host with no public suffix, taken as it is: intranet names
  (``wiki.intranet``), single-label hosts (``localhost``), IPv4/IPv6 addresses and the
  reserved test names (``news.example``, ``site.test``, ``x.invalid``, ``a.localhost``).

Example:
    >>> source_key("https://twitter.com/SomeHandle/status/123")
    'x.com/@somehandle'
    >>> source_key("https://news.bbc.co.uk/world")
    'bbc.co.uk'
    >>> parse_source("http://10.0.0.5:8080/page").key
    '10.0.0.5'
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from verify.errors import InputError
from verify.sources.domains import (
    _LABEL,
    _PATH_START,
    _SPACE,
    _WWW,
    public_suffix_index,
    registrable_from_labels,
)
from verify.sources.platforms import Platform, on_change, platform_table

SourceKind = Literal["domain", "account", "host"]

# The label, space, path-start and www. rules are domains.py's; a key's scheme may be in
# any case (domains.py lower-cases first) and a host may be a single label (localhost).
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_HOST = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$")
_NUMERIC = re.compile(r"^[\d.]+$")


@dataclass(frozen=True)
class SourceKey:
    """A parsed source: its key, kind and the keys its rating falls back to."""

    key: str             # what a rating is stored under: x.com/@handle, news.bbc.co.uk, 10.0.0.5
    kind: SourceKind
    host: str            # the input's host: lower case, no www., no port
    document_key: str    # what a document from it is credited to (registrable domain for domains)
    platform: str = ""   # the platform key when the host serves a known platform
    path: str = ""       # a path the input carried that is not part of the key
    url: bool = False    # the input had a scheme (a full URL)
    chain: tuple[str, ...] = ()   # keys to look a rating up under, most specific first


def _split(text: str) -> tuple[str, str, bool]:
    """(host, path, had scheme) of a domain, key or URL; InputError for garbage."""
    raw = text
    text = text.strip()
    if not text:
        raise InputError("empty source (give a domain, an account such as x.com/@handle, a host or a URL)")
    if _SPACE.search(text):
        raise InputError(f"{raw!r} is not a domain, account, host or URL (contains spaces)")
    scheme = _SCHEME.match(text)
    if scheme:
        text = text[scheme.end():]
    cut = _PATH_START.search(text)
    host, rest = (text[: cut.start()], text[cut.start():]) if cut else (text, "")
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if host.startswith("["):                       # [::1]:8080
        end = host.find("]")
        if end < 0:
            raise InputError(f"{raw!r}: unclosed '[' in an IPv6 address")
        host, port = host[1:end], host[end + 1:].lstrip(":")
    elif host.count(":") > 1:                      # a bare IPv6 address
        port = ""
    else:
        host, _, port = host.partition(":")
    if port and not port.isdigit():
        raise InputError(f"{raw!r} is not a domain, account, host or URL (bad port)")
    host = host.lower().rstrip(".")
    if not host:
        raise InputError(f"{raw!r} names no host")
    path = rest.split("#", 1)[0].split("?", 1)[0].strip("/")
    return host, path, bool(scheme)


def _ip(host: str) -> str | None:
    """The canonical text of an IP address, or None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _find_platform(host: str, labels: list[str], index: int) -> tuple[Platform | None, str, str]:
    """(platform, platform host, account label) for a host, or (None, "", "")."""
    table = platform_table()
    hit = table.exact.get(host)
    if hit is not None:
        return hit, host, ""
    for i in range(1, len(labels)):
        parent = ".".join(labels[i:])
        hit = table.exact.get(parent)
        if hit is not None:
            return (hit, parent, labels[i - 1]) if hit.subdomain_key else (None, "", "")
    if table.wild and 0 < index < len(labels):
        registrable = labels[index - 1:]
        hit = table.wild.get(registrable[0])
        if hit is not None:
            parent = ".".join(registrable)
            label = labels[index - 2] if index >= 2 else ""
            return hit, parent, label
    return None, "", ""


def _host_chain(labels: list[str], stop: int) -> tuple[str, ...]:
    """Hosts from the most specific up to the one with ``stop`` labels."""
    return tuple(".".join(labels[i:]) for i in range(0, max(len(labels) - stop, 0) + 1))


@lru_cache(maxsize=200_000)
def _parse(text: str) -> SourceKey:
    """Cached core of :func:`parse_source` (paths kept, never refused)."""
    host, path, url = _split(text)
    ip = _ip(host)
    if ip is not None:
        return SourceKey(ip, "host", ip, ip, path=path, url=url, chain=(ip,))
    if host.startswith("www"):
        host = _WWW.sub("", host) or host
    if not _HOST.match(host) or _NUMERIC.match(host):
        raise InputError(f"{text.strip()!r} is not a domain, account, host or URL")
    labels = host.split(".")
    index = public_suffix_index(labels)
    platform, platform_host, label = _find_platform(host, labels, index)
    if platform is not None:
        account = platform.account_from_label(label, platform_host) if label else None
        if account is None and not label and path:
            account = platform.account_from_path(path, platform_host)
            path = "" if account else path
        if account is not None:
            chain: tuple[str, ...] = (account, platform.key)
            if label:
                chain = (account, platform_host, platform.key)
            return SourceKey(account, "account", host, account, platform.key, "", url,
                             tuple(dict.fromkeys(chain)))
        if not label:   # the platform itself (twitter.com -> x.com)
            return SourceKey(platform.key, "domain", host, platform.key, platform.key, path, url,
                             (platform.key,))
    if index >= len(labels):   # no public suffix: the host is the key
        chain = _host_chain(labels, 2) if len(labels) > 1 else (host,)
        return SourceKey(host, "host", host, host, path=path, url=url, chain=chain)
    registrable = registrable_from_labels(labels, index)
    chain = _host_chain(labels, len(registrable.split(".")))
    if platform is not None:   # a page of a subdomain platform (support.substack.com)
        chain = (*chain, platform.key)
    return SourceKey(host, "domain", host, registrable, platform.key if platform else "", path, url,
                     tuple(dict.fromkeys(chain)))


def parse_source(text: str | None, *, allow_path: bool = False) -> SourceKey:
    """Parse a domain, account key, host or URL into its :class:`SourceKey`.

    A full URL (with a scheme) is reduced to its key; a platform URL to its account.
    Unless ``allow_path``, a path that is no account is refused: ``site.com/opinion``
    names a section, ``youtube.com/watch`` no account. A bare word (``intranet``) is taken
    as a host only when it is ``localhost`` or written as a URL (``http://intranet/``).

    >>> parse_source("https://mobile.twitter.com/SomeOne").key
    'x.com/@someone'
    >>> parse_source("wiki.intranet").kind
    'host'
    """
    if text is None:
        raise InputError("empty source (give a domain, an account such as x.com/@handle, a host or a URL)")
    parsed = _parse(str(text))
    if allow_path:
        return parsed
    if "." not in parsed.key and ":" not in parsed.key and parsed.key != "localhost" and not parsed.url:
        raise InputError(f"{str(text).strip()!r} is a bare word, not a domain; write a single-label "
                         f"host as a URL (http://{parsed.key}/) to rate it")
    if parsed.path and parsed.platform and parsed.key == parsed.platform:
        raise InputError(f"{str(text).strip()!r} names no account on {parsed.platform}; give an account "
                         f"(e.g. {parsed.platform}/@name) or rate {parsed.platform!r} for the whole platform")
    if parsed.path and not parsed.url:
        raise InputError(f"{str(text).strip()!r} names a page or section of {parsed.key}, not a source; "
                         f"rate {parsed.key!r} (or give a full URL)")
    return parsed


def source_key(url: str | None) -> str | None:
    """The key a document at ``url`` is credited to, or None when none can be derived.

    The registrable domain by default, the account on a known platform, the host itself
    where there is no public suffix.

    >>> source_key("https://www.youtube.com/@SomeChannel/videos")
    'youtube.com/@somechannel'
    >>> source_key("http://wiki.intranet/page") , source_key("not a url")
    ('wiki.intranet', None)
    """
    if not url or not str(url).strip():
        return None
    platform_table()   # a broken $VERIFY_PLATFORMS file is an error, not "no key"
    try:
        return _parse(str(url)).document_key
    except InputError:
        return None


def rating_key(text: str) -> str:
    """The key a rating of ``text`` is stored under (InputError for anything else).

    >>> rating_key("https://www.Reuters.com")
    'reuters.com'
    """
    return parse_source(text).key


def platform_of(key: str) -> str:
    """The platform key an account belongs to ("" for other keys).

    >>> platform_of("x.com/@someone")
    'x.com'
    """
    try:
        parsed = _parse(key)
    except InputError:
        return ""
    return parsed.platform if parsed.kind == "account" else ""


on_change(_parse.cache_clear)

__all__ = ["SourceKey", "SourceKind", "parse_source", "platform_of", "rating_key", "source_key"]
