"""Platforms whose accounts are sources of their own, and how to recognise an account in a URL.

A desk rates ``x.com/@somehandle``, not all of x.com. Each :class:`Platform` names the
platform's own source key (``x.com``), the hosts that serve it (``twitter.com``,
``mobile.twitter.com``) and how an account shows in its URLs: a path pattern
(``x.com/<handle>/status/1`` -> ``x.com/@<handle>``) or a subdomain
(``<name>.substack.com``). The built-in table is :data:`BUILTIN_PLATFORMS`; add your own
with :func:`register_platform` or a TOML file named by ``$VERIFY_PLATFORMS``
(see docs/sources.md).

Example:
    from verify.sources.platforms import AccountPattern, Platform, register_platform
    register_platform(Platform("gab.com", paths=(
        AccountPattern(r"^@?(?P<account>[a-z0-9_]{1,30})(?:/|$)", "gab.com/@{account}"),),
        reserved=frozenset({"home", "search"})))
    from verify.sources.keys import source_key
    source_key("https://gab.com/SomeOne/posts/1")
    # -> 'gab.com/@someone'
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from verify.errors import InputError

log = logging.getLogger(__name__)

ENV_PLATFORMS = "VERIFY_PLATFORMS"
_ACCOUNT_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9_\-]{0,61}[a-z0-9])?$")
_PLACEHOLDERS = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class AccountPattern:
    """A regex on a URL's path (no leading ``/``, no query) whose ``account`` group names an
    account, and the source key it maps to (``{account}``, ``{platform}``, ``{host}``)."""

    regex: str
    key: str = "{platform}/@{account}"
    case_sensitive: bool = False   # keep the account's case (YouTube channel ids)

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        """The regex, compiled case-insensitively."""
        return re.compile(self.regex, re.IGNORECASE)


@dataclass(frozen=True)
class Platform:
    """A platform: its own key, the hosts that serve it, and how its accounts look.

    ``hosts`` lists every host that serves the platform (the key's host is added);
    ``name.*`` matches ``name`` under any public suffix (``blogspot.*``). With
    ``subdomain_key`` set, ``<account>.<host>`` is an account (``{account}.substack.com``).
    ``reserved`` names paths or subdomains that are pages of the platform, not accounts.
    ``link_hosts`` serve the platform but their paths never name an account (``youtu.be``).
    """

    key: str
    hosts: tuple[str, ...] = ()
    paths: tuple[AccountPattern, ...] = ()
    subdomain_key: str = ""
    reserved: frozenset[str] = field(default_factory=frozenset)
    name: str = ""
    link_hosts: tuple[str, ...] = ()

    def all_hosts(self) -> tuple[str, ...]:
        """The hosts this platform claims, its key's host first."""
        return tuple(dict.fromkeys((self.key, *self.hosts, *self.link_hosts)))

    def account_from_path(self, path: str, host: str) -> str | None:
        """The account key a URL path names on this platform, or None."""
        if host in self.link_hosts:
            return None
        for pattern in self.paths:
            found = pattern.compiled.search(path)
            if not found:
                continue
            account = found.group("account")
            if account.lower() in self.reserved:
                return None
            if not pattern.case_sensitive:
                account = account.lower()
            return pattern.key.format(account=account, platform=self.key, host=host)
        return None

    def account_from_label(self, label: str, host: str) -> str | None:
        """The account key for ``<label>.<host>``, or None when it is no account."""
        if not self.subdomain_key or label in self.reserved or not _ACCOUNT_LABEL.match(label):
            return None
        return self.subdomain_key.format(account=label, platform=self.key, host=host)


_RESERVED_X = frozenset({
    "home", "explore", "search", "i", "intent", "share", "settings", "notifications", "messages",
    "hashtag", "login", "logout", "signup", "tos", "privacy", "compose", "jobs", "about", "download",
    "account", "lists", "topics", "communities", "bookmarks", "oauth", "help", "rules", "status",
    "who_to_follow", "web", "en", "following", "followers", "verified-choose"})
_RESERVED_YOUTUBE = frozenset({
    "watch", "results", "feed", "playlist", "shorts", "embed", "live", "channel", "c", "user",
    "redirect", "attribution_link", "account", "premium", "gaming", "kids", "music", "t", "about",
    "hashtag", "post", "clip", "signin", "logout", "oembed", "iframe_api", "s", "yt", "api", "v",
    "howyoutubeworks", "creators", "ads", "new", "upload", "trending", "storefront", "source"})
_RESERVED_FACEBOOK = frozenset({
    "watch", "groups", "events", "photo.php", "photo", "photos", "story.php", "permalink.php",
    "profile.php", "pages", "pg", "share", "sharer", "sharer.php", "login", "login.php",
    "marketplace", "gaming", "help", "policies", "policy.php", "hashtag", "reel", "reels", "stories",
    "l.php", "video.php", "videos", "media", "notes", "search", "home.php", "privacy", "business",
    "ads", "dialog", "plugins", "tr", "settings", "messages", "friends", "bookmarks", "fundraisers",
    "people", "public", "news", "live", "places", "legal", "about", "terms", "watchparty", "ajax"})
_RESERVED_INSTAGRAM = frozenset({
    "p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct", "about", "developer",
    "legal", "web", "emails", "challenge", "oauth", "s", "static", "api", "graphql"})
_RESERVED_TELEGRAM = frozenset({
    "joinchat", "addstickers", "addemoji", "share", "proxy", "socks", "setlanguage", "iv", "c", "s",
    "login", "contact", "addlist", "boost", "confirmphone", "bg", "addtheme", "invoice"})
_RESERVED_SUBDOMAINS = frozenset({
    "www", "m", "api", "public-api", "cdn", "static", "support", "help", "developer", "developers",
    "apps", "dashboard", "subscribe", "en", "i0", "i1", "i2", "s0", "s1", "s2", "on", "open", "blog",
    "policy", "assets", "media", "mail", "status", "login", "auth", "accounts"})
_RESERVED_TUMBLR = frozenset({
    "dashboard", "explore", "search", "tagged", "login", "register", "settings", "blog", "new",
    "inbox", "likes", "following", "help", "about", "privacy", "policy", "docs", "apps", "oauth",
    "communities", "reblog", "post", "submit", "abuse", "logout", "home", "tags"})

_AT = "{platform}/@{account}"

#: The built-in platforms. Keys: ``<platform>/@<handle>`` for handle accounts (lower-cased:
#: these platforms ignore case), ``<platform>/<kind>/<name>`` for other kinds (YouTube channel
#: ids keep their case), and the host itself for subdomain accounts (``name.substack.com``).
BUILTIN_PLATFORMS: tuple[Platform, ...] = (
    Platform("x.com", ("twitter.com", "mobile.twitter.com", "mobile.x.com", "m.twitter.com"),
             (AccountPattern(r"^@?(?P<account>[a-z0-9_]{1,15})(?:/|$)", _AT),),
             reserved=_RESERVED_X, name="X (Twitter)"),
    Platform("youtube.com", ("m.youtube.com", "music.youtube.com"),
             (AccountPattern(r"^channel/(?P<account>UC[\w\-]{22})(?:/|$)", "{platform}/channel/{account}",
                             case_sensitive=True),
              AccountPattern(r"^(?:c/|user/|@)(?P<account>[\w.\-]{1,100})(?:/|$)", _AT),
              AccountPattern(r"^(?P<account>[\w.\-]{1,100})(?:/|$)", _AT)),
             reserved=_RESERVED_YOUTUBE, name="YouTube", link_hosts=("youtu.be",)),
    Platform("facebook.com", ("m.facebook.com", "web.facebook.com", "mbasic.facebook.com",
                              "touch.facebook.com", "fb.com"),
             (AccountPattern(r"^groups/(?P<account>[\w.\-]{1,100})(?:/|$)", "{platform}/groups/{account}"),
              AccountPattern(r"^pg/(?P<account>[\w.\-]{1,100})(?:/|$)", _AT),
              AccountPattern(r"^@?(?P<account>[\w.\-]{2,100})(?:/|$)", _AT)),
             reserved=_RESERVED_FACEBOOK, name="Facebook"),
    Platform("instagram.com", ("m.instagram.com", "instagr.am"),
             (AccountPattern(r"^stories/(?P<account>[\w.]{1,30})(?:/|$)", _AT),
              AccountPattern(r"^@?(?P<account>[\w.]{1,30})(?:/|$)", _AT)),
             reserved=_RESERVED_INSTAGRAM, name="Instagram"),
    Platform("tiktok.com", ("m.tiktok.com",),
             (AccountPattern(r"^@(?P<account>[\w.]{2,24})(?:/|$)", _AT),), name="TikTok",
             link_hosts=("vm.tiktok.com", "vt.tiktok.com")),
    Platform("t.me", ("telegram.me", "telegram.dog"),
             (AccountPattern(r"^s/(?P<account>[a-z0-9_]{4,32})(?:/|$)", _AT),
              AccountPattern(r"^@?(?P<account>[a-z0-9_]{4,32})(?:/|$)", _AT)),
             reserved=_RESERVED_TELEGRAM, name="Telegram"),
    Platform("medium.com", (), (AccountPattern(r"^@(?P<account>[\w.\-]{1,100})(?:/|$)", _AT),),
             subdomain_key="medium.com/@{account}", reserved=_RESERVED_SUBDOMAINS, name="Medium"),
    Platform("substack.com", (), (AccountPattern(r"^@(?P<account>[\w\-]{1,100})(?:/|$)", _AT),),
             subdomain_key="{account}.substack.com", reserved=_RESERVED_SUBDOMAINS, name="Substack"),
    Platform("blogspot.com", ("blogspot.*",), subdomain_key="{account}.{host}",
             reserved=_RESERVED_SUBDOMAINS, name="Blogger"),
    Platform("wordpress.com", (), subdomain_key="{account}.wordpress.com",
             reserved=_RESERVED_SUBDOMAINS, name="WordPress.com"),
    Platform("tumblr.com", (), (AccountPattern(r"^(?:blog/(?:view/)?)?(?P<account>[a-z0-9\-]{1,32})(?:/|$)",
                                               "{account}.tumblr.com"),),
             subdomain_key="{account}.tumblr.com",
             reserved=_RESERVED_SUBDOMAINS | _RESERVED_TUMBLR, name="Tumblr"),
    Platform("github.io", (), subdomain_key="{account}.github.io", reserved=_RESERVED_SUBDOMAINS,
             name="GitHub Pages"),
    Platform("reddit.com", ("old.reddit.com", "new.reddit.com", "np.reddit.com", "m.reddit.com"),
             (AccountPattern(r"^r/(?P<account>\w{2,21})(?:/|$)", "{platform}/r/{account}"),
              AccountPattern(r"^(?:u|user)/(?P<account>[\w\-]{3,20})(?:/|$)", "{platform}/u/{account}")),
             name="Reddit"),
    Platform("threads.net", ("threads.com",),
             (AccountPattern(r"^@(?P<account>[\w.]{1,30})(?:/|$)", _AT),), name="Threads"),
    Platform("bsky.app", (),
             (AccountPattern(r"^(?:profile/|@)(?P<account>[a-z0-9.\-:]{3,253})(?:/|$)", _AT),),
             name="Bluesky"),
    Platform("mastodon.social", (), (AccountPattern(r"^@(?P<account>\w{1,30})(?:/|$)", _AT),),
             name="Mastodon (mastodon.social)"),
    Platform("truthsocial.com", (), (AccountPattern(r"^@(?P<account>\w{1,30})(?:/|$)", _AT),),
             name="Truth Social"),
    Platform("linkedin.com", (),
             (AccountPattern(r"^in/(?P<account>[\w\-%]{3,100})(?:/|$)", "{platform}/in/{account}"),
              AccountPattern(r"^company/(?P<account>[\w\-%]{2,100})(?:/|$)", "{platform}/company/{account}")),
             name="LinkedIn"),
    Platform("rumble.com", (),
             (AccountPattern(r"^c/(?P<account>[\w\-]{1,100})(?:/|$)", "{platform}/c/{account}"),
              AccountPattern(r"^user/(?P<account>[\w\-]{1,100})(?:/|$)", "{platform}/user/{account}")),
             name="Rumble"),
    Platform("bitchute.com", (),
             (AccountPattern(r"^channel/(?P<account>[\w\-]{1,100})(?:/|$)", "{platform}/channel/{account}"),),
             name="BitChute"),
    Platform("odysee.com", (), (AccountPattern(r"^@(?P<account>[\w.\-]{1,100})(?::\w+)?(?:/|$)", _AT),),
             name="Odysee"),
)


class PlatformTable:
    """Hosts to platforms, built from the built-in table, ``$VERIFY_PLATFORMS`` and registrations."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self.platforms: list[Platform] = []
        self.exact: dict[str, Platform] = {}
        self.wild: dict[str, Platform] = {}
        for platform in platforms:
            self.add(platform)

    def add(self, platform: Platform) -> None:
        """Claim the platform's hosts (a later platform wins a host both claim)."""
        _validate(platform)
        self.platforms.append(platform)
        for host in platform.all_hosts():
            if host.endswith(".*"):
                self.wild[host[:-2]] = platform
            else:
                self.exact[host] = platform

    def keys(self) -> tuple[str, ...]:
        """Every platform key, in table order."""
        return tuple(dict.fromkeys(p.key for p in self.platforms))


def _validate(platform: Platform) -> None:
    """InputError for a platform entry that cannot work (bad host, regex or key template)."""
    where = f"platform {platform.key!r}"
    if not platform.key or platform.key != platform.key.strip().lower() or "/" in platform.key:
        raise InputError(f"{where}: key must be a lower-case host name such as 'x.com'")
    for host in platform.all_hosts():
        if not host or host != host.lower() or "/" in host or " " in host:
            raise InputError(f"{where}: hosts: {host!r} is not a lower-case host name")
    templates = [(f"paths[{i}].key", p.key) for i, p in enumerate(platform.paths)]
    if platform.subdomain_key:
        templates.append(("subdomain_key", platform.subdomain_key))
    for i, pattern in enumerate(platform.paths):
        try:
            compiled = pattern.compiled
        except re.error as exc:
            raise InputError(f"{where}: paths[{i}].regex: {exc}") from None
        if "account" not in compiled.groupindex:
            raise InputError(f"{where}: paths[{i}].regex needs a group (?P<account>...)")
    for name, template in templates:
        unknown = set(_PLACEHOLDERS.findall(template)) - {"account", "platform", "host"}
        if "{account}" not in template or unknown:
            raise InputError(f"{where}: {name}: {template!r} must use {{account}} "
                             "(and only {platform} or {host} besides)")


_lock = threading.Lock()
_table: PlatformTable | None = None
_registered: list[Platform] = []
_listeners: list[Callable[[], None]] = []


def platform_table() -> PlatformTable:
    """The current table (built-ins, then ``$VERIFY_PLATFORMS`` files, then registrations)."""
    global _table
    table = _table
    if table is None:
        with _lock:
            if _table is None:
                platforms = list(BUILTIN_PLATFORMS)
                for path in _env_files():
                    platforms += load_platforms(path)
                _table = PlatformTable([*platforms, *_registered])
            table = _table
    return table


def register_platform(platform: Platform) -> None:
    """Add a platform (or replace the one that claims the same hosts) for this process.

    Documents ingested before keep their key until ``verify sources rekey``.

    register_platform(Platform("gab.com", paths=(AccountPattern(r"^@?(?P<account>\\w+)"),)))
    """
    _validate(platform)
    with _lock:
        _registered.append(platform)
    reset_platforms()


def reset_platforms(*, forget_registered: bool = False) -> None:
    """Rebuild the table on next use (re-reads ``$VERIFY_PLATFORMS``); optionally drop registrations."""
    global _table
    with _lock:
        if forget_registered:
            _registered.clear()
        _table = None
    for listener in list(_listeners):
        listener()


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever the table changes (used to drop key caches)."""
    _listeners.append(listener)


def _env_files() -> list[Path]:
    """The TOML files named by ``$VERIFY_PLATFORMS`` (separated by the OS path separator)."""
    value = os.environ.get(ENV_PLATFORMS, "").strip()
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def load_platforms(path: str | os.PathLike[str]) -> list[Platform]:
    """Platforms from a TOML file with ``[[platform]]`` tables (InputError names the entry and field).

    load_platforms("platforms.toml")[0].key
    # -> 'gab.com'
    """
    import tomllib

    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{file}: cannot read platforms file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{file}: {exc}") from None
    entries = data.get("platform", [])
    if not isinstance(entries, list):
        raise InputError(f"{file}: 'platform' must be an array of tables ([[platform]])")
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"{file}: platform #{i}"
        try:
            out.append(_platform_from_dict(entry))
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{where}: {exc}") from None
    log.info("loaded %d platform(s) from %s", len(out), file)
    return out


def _platform_from_dict(entry: Any) -> Platform:
    """One ``[[platform]]`` table as a Platform."""
    if not isinstance(entry, dict):
        raise InputError("each platform must be a table")
    unknown = set(entry) - {"key", "hosts", "paths", "subdomain_key", "reserved", "name", "link_hosts"}
    if unknown:
        raise InputError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if not isinstance(entry.get("key"), str):
        raise InputError("key: a platform needs a key such as 'gab.com'")
    paths = []
    for j, item in enumerate(entry.get("paths", [])):
        if not isinstance(item, dict) or not isinstance(item.get("regex"), str):
            raise InputError(f"paths[{j}]: needs a regex")
        paths.append(AccountPattern(item["regex"], str(item.get("key", "{platform}/@{account}")),
                                    bool(item.get("case_sensitive", False))))
    platform = Platform(
        key=entry["key"].strip().lower(),
        hosts=tuple(str(h).strip().lower() for h in entry.get("hosts", [])),
        paths=tuple(paths),
        subdomain_key=str(entry.get("subdomain_key", "")),
        reserved=frozenset(str(r).lower() for r in entry.get("reserved", [])),
        name=str(entry.get("name", "")),
        link_hosts=tuple(str(h).strip().lower() for h in entry.get("link_hosts", [])))
    _validate(platform)
    return platform


__all__ = ["BUILTIN_PLATFORMS", "ENV_PLATFORMS", "AccountPattern", "Platform", "PlatformTable",
           "load_platforms", "platform_table", "register_platform", "reset_platforms"]
