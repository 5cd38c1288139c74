"""The source book: append-only ratings, computed effective reliability, import/export.

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.in_memory()
    >>> ws.sources.rate("example-news.com", 0.8, rationale="corrections policy", by="ana")  # doctest: +ELLIPSIS
    RatingEvent(...)
    >>> round(ws.reliability("www.example-news.com").value, 2)
    0.8
    >>> from verify.store import Store
    >>> book = SourceBook(Store.memory(), seed=False)       # no workspace needed
    >>> book.reliability("example-news.com").explanation
    'no rating for example-news.com; default prior 0.50'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.config import Settings
from verify.csvsafe import safe_writer
from verify.errors import InputError
from verify.sources.domains import is_gov_edu, parse_domain
from verify.sources.formats import FORMATS, Parsed, parse_file
from verify.sources.keys import SourceKey, parse_source, rating_key
from verify.sources.models import ImportIssue, ImportReport, RatingEvent, SourceSummary, SourceView
from verify.sources.scales import band, normalise
from verify.store import Store
from verify.types import Reliability

if TYPE_CHECKING:
    import duckdb

    from verify.sources.models import Suggestion, TrackRecord

log = logging.getLogger(__name__)

PERSON = "person"
RATING_SET = "rating_set"
DEFAULT_PERSON_WEIGHT = 10.0
SEED_NAME = "lin2023"
SEED_VERSION = "seed"
SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "lin2023_seed.csv"
# Domains the seed keeps: plain ASCII host names (the file has a few "site.com/section" rows),
# not "www." forms (lookups strip www.) and not IP addresses.
SEED_DOMAIN_PATTERN = r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+$"
_SEED_KEEP = ("(regexp_full_match(lower(trim(domain)), $pattern) "
              "AND NOT regexp_matches(lower(trim(domain)), '^www[0-9]*[.]') "
              "AND NOT regexp_full_match(trim(domain), '[0-9.]+') AND pc1 BETWEEN 0 AND 1)")
_MEMO_LIMIT = 200_000
SORTS = ("domain", "value", "value-asc", "raters")

# Latest person rating (any person) and latest rating of each set name, per canonical domain.
_EFFECTIVE_SQL = """
WITH canon AS (
    SELECT a.alias_domain, s.domain AS canonical
    FROM source_aliases a JOIN sources s ON s.source_id = a.source_id
),
set_weights AS (
    SELECT name, arg_max(weight, rating_set_id) AS weight FROM rating_sets GROUP BY name
),
latest AS (
    SELECT coalesce(c.canonical, r.domain) AS canonical, r.rater, r.rater_kind, r.reliability,
           r.rating_set_id
    FROM ratings r LEFT JOIN canon c ON c.alias_domain = r.domain
    QUALIFY row_number() OVER (
        PARTITION BY coalesce(c.canonical, r.domain),
                     CASE WHEN r.rater_kind = 'person' THEN '' ELSE r.rater END
        ORDER BY r.valid_from DESC, r.rating_id DESC) = 1
)
SELECT l.canonical, l.rater, l.rater_kind, l.reliability, w.weight, rs.version
FROM latest l
LEFT JOIN set_weights w ON l.rater_kind <> 'person' AND w.name = l.rater
LEFT JOIN rating_sets rs ON rs.rating_set_id = l.rating_set_id
ORDER BY l.canonical, l.rater_kind DESC, l.rater
"""

_HISTORY_SQL = """
SELECT h.rating_id, h.domain, h.rater, h.rater_kind, s.name, s.version, h.scale, h.raw_value,
       h.reliability, h.previous_reliability, h.label, h.rationale, h.method, h.valid_from, h.valid_to
FROM source_rating_history h LEFT JOIN rating_sets s ON s.rating_set_id = h.rating_set_id
WHERE h.domain IN (SELECT unnest(?::VARCHAR[]))
ORDER BY h.valid_from, h.rating_id
"""


# What the effective table is computed from: a hash of every row's columns of the ratings,
# the rating sets and the aliases (a workspace deleted and made again at the same path with
# as many ratings is told apart too).
_FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(sum(hash(rating_id, domain, rater, rater_kind,
                                                    rating_set_id, reliability, valid_from)), 0)
        FROM ratings),
       (SELECT count(*) || ':' || coalesce(sum(hash(rating_set_id, name, weight, version)), 0)
        FROM rating_sets),
       (SELECT count(*) || ':' || coalesce(sum(hash(a.alias_domain, s.domain)), 0)
        FROM source_aliases a JOIN sources s ON s.source_id = a.source_id)
"""
_TABLES_KEPT = 4


class _TableCache:
    """Effective-reliability tables of workspace files this process has computed, by the
    ratings' fingerprint: a workspace opened again (the desk opens it on every page run, the
    CLI on every command) reads one small query instead of recomputing thousands of rows."""

    def __init__(self) -> None:
        self._tables: dict[tuple[Any, ...], tuple[dict[str, Reliability], dict[str, str]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[dict[str, Reliability], dict[str, str]] | None:
        with self._lock:
            return self._tables.get(key)

    def put(self, key: tuple[Any, ...], table: dict[str, Reliability], aliases: dict[str, str]) -> None:
        with self._lock:
            self._tables[key] = (table, aliases)
            while len(self._tables) > _TABLES_KEPT:
                self._tables.pop(next(iter(self._tables)))


_table_cache = _TableCache()


def _event(row: tuple[Any, ...]) -> RatingEvent:
    return RatingEvent(*row)


class SourceBook:
    """Ratings of sources by people and imported sets, and the reliability computed from them.

    It needs only the workspace's ``Store`` and the settings that hold the priors
    (``reliability_prior``, ``gov_edu_prior``). ``person_weight`` is the weight of the latest
    in-house (person) rating; each imported set counts with its own weight (1.0 by
    default), so a person's rating dominates.
    """

    def __init__(self, store: Store, settings: Settings | None = None, *,
                 person_weight: float = DEFAULT_PERSON_WEIGHT, seed: bool = True) -> None:
        if not isinstance(store, Store):  # an older caller passing the whole workspace
            settings = settings or getattr(store, "settings", None)
            store = getattr(store, "store")  # noqa: B009 - typed as Store, may be a Workspace
        self.store = store
        self.settings = settings or Settings()
        self.person_weight = person_weight
        self._table: dict[str, Reliability] | None = None
        self._memo: dict[Any, Reliability] = {}
        self._aliases: dict[str, str] = {}
        self._seed_checked = not seed

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (``book.store`` is the way in for new code)."""
        return self.store.connection

    @contextmanager
    def _transaction(self) -> Iterator[Store]:
        """A transaction on a cursor of its own, so a caller's open transaction is never
        touched: the book's writes commit (or not) on their own."""
        with self.store.cursor() as own, own.transaction():
            yield own

    # ---- effective reliability --------------------------------------------------------
    def reliability(self, domain: str | None) -> Reliability:
        """Effective reliability of a source key, domain, host or URL (cached; unknown -> prior).

        An account without a rating of its own gets its platform's rating (``applied_key``
        says whose rating applied; "" for a prior).

        book.reliability("news.bbc.co.uk").value
        # -> 0.87
        book.reliability("https://x.com/someone/status/1").explanation
        # -> 'x.com/@someone: no rating of its own; platform x.com: 0.40 from in-house:ana (low)'
        """
        table = self._table if self._table is not None else self._load()
        hit = table.get(domain)  # type: ignore[arg-type]
        if hit is not None:
            return hit
        hit = self._memo.get(domain)
        if hit is not None:
            return hit
        return self._resolve(domain, table)

    def refresh(self) -> None:
        """Drop the cached table (call after writing ratings with SQL directly)."""
        self._table = None
        self._memo = {}

    def _resolve(self, domain: str | None, table: dict[str, Reliability]) -> Reliability:
        """Slow path: parse the key, walk its chain (host -> registrable, account -> platform)."""
        if not domain or not str(domain).strip():
            result = self._prior(None)
        else:
            try:
                parsed = parse_source(str(domain), allow_path=True)
            except Exception:  # InputError or anything odd from a URL: prior, never raise
                prior = self.settings.reliability_prior
                result = Reliability(str(domain), prior,
                                     f"{domain!r} is not a domain, account or host; default prior {prior:.2f}",
                                     (("prior", prior, 1.0),))
            else:
                result = self._lookup(parsed, table)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo = {}
        self._memo[domain] = result
        return result

    def _lookup(self, parsed: SourceKey, table: dict[str, Reliability]) -> Reliability:
        """The first rated key of the chain; an account says when its platform's rating applied."""
        for key in parsed.chain:
            hit = table.get(key)
            if hit is None:
                continue
            if parsed.kind == "account" and key != parsed.key:
                return Reliability(parsed.key, hit.value,
                                   f"{parsed.key}: no rating of its own; platform {key}: {hit.explanation}",
                                   hit.parts, applied_key=hit.applied_key or key)
            return hit
        if parsed.kind == "account":
            prior = self.settings.reliability_prior
            return Reliability(parsed.key, prior,
                               f"no rating for {parsed.key} or its platform {parsed.platform}; "
                               f"default prior {prior:.2f}", (("prior", prior, 1.0),))
        return self._prior(parsed.chain[-1] if parsed.chain else parsed.key)

    def _prior(self, host: str | None) -> Reliability:
        """The fallback for sources nobody has rated."""
        settings = self.settings
        if host and is_gov_edu(host):
            return Reliability(host, settings.gov_edu_prior,
                               f"no rating for {host}; government/academic domain prior "
                               f"{settings.gov_edu_prior:.2f}", (("prior:gov-edu", settings.gov_edu_prior, 1.0),))
        return Reliability(host or "", settings.reliability_prior,
                           f"no rating for {host or 'an unknown source'}; default prior "
                           f"{settings.reliability_prior:.2f}", (("prior", settings.reliability_prior, 1.0),))

    def _load(self) -> dict[str, Reliability]:
        """Compute every rated source's effective value once into a dict (taken from this
        process's earlier computation for the same workspace file and ratings, if any)."""
        self.ensure_seed()
        key: tuple[Any, ...] | None = None
        with self.store.cursor() as cur:  # committed state, even while a caller holds a transaction
            if self.store.path is not None:
                settings = self.settings
                key = (str(Path(self.store.path).resolve()), *(cur.fetchone(_FINGERPRINT_SQL) or ()),
                       self.person_weight, settings.reliability_prior, settings.gov_edu_prior)
                if (kept := _table_cache.get(key)) is not None:
                    self._table, self._aliases = kept[0], dict(kept[1])
                    self._memo = {}
                    return self._table
            rows = cur.fetchall(_EFFECTIVE_SQL)
            aliases = dict(cur.fetchall(
                "SELECT a.alias_domain, s.domain FROM source_aliases a "
                "JOIN sources s ON s.source_id = a.source_id"))
        grouped: dict[str, list[tuple[str, float, float]]] = {}
        for canonical, rater, kind, value, set_weight, version in rows:
            if kind == PERSON:
                part = (f"in-house:{rater}", float(value), self.person_weight)
            else:
                label = f"{rater}@{version}" if version else str(rater)
                part = (label, float(value), float(set_weight if set_weight is not None else 1.0))
            grouped.setdefault(canonical, []).append(part)
        table: dict[str, Reliability] = {}
        for domain, parts in grouped.items():
            table[domain] = self._combine(domain, tuple(parts))
        for alias, canonical in aliases.items():
            target = table.get(canonical)
            if target is not None:
                table[alias] = Reliability(canonical, target.value,
                                           f"{alias} is an alias of {canonical}; {target.explanation}",
                                           target.parts, applied_key=canonical)
        self._aliases = aliases
        self._table = table
        self._memo = {}
        if key is not None:
            _table_cache.put(key, table, aliases)
        return table

    def _combine(self, domain: str, parts: tuple[tuple[str, float, float], ...]) -> Reliability:
        """Weighted mean of the parts, with a one-line explanation."""
        if len(parts) == 1 and parts[0][2] > 0:  # the common case: one rater
            who, v, _ = parts[0]
            return Reliability(domain, v, f"{v:.2f} from {who} ({band(v)})", parts, applied_key=domain)
        total = sum(w for _, _, w in parts)
        if total <= 0:
            prior = self._prior(domain)
            return Reliability(domain, prior.value, prior.explanation + " (all raters weighted 0)",
                               parts)
        value = sum(v * w for _, v, w in parts) / total
        text = f"{value:.2f} = weighted mean of " + ", ".join(
            f"{who} {v:.2f} (weight {w:g})" for who, v, w in parts)
        return Reliability(domain, value, text, parts, applied_key=domain)

    def invalidate(self) -> None:
        """Forget the cached table; the next lookup reloads it."""
        self.refresh()

    # ---- seed ---------------------------------------------------------------------------
    def ensure_seed(self) -> int | None:
        """Load the shipped Lin et al. 2023 figures once per workspace; returns the set id."""
        if self._seed_checked:
            return None
        self._seed_checked = True
        if self.store.execute("SELECT 1 FROM rating_sets WHERE name = ? LIMIT 1", [SEED_NAME]).fetchone():
            return None
        if not SEED_PATH.is_file():  # pragma: no cover - broken install
            log.warning("seed ratings %s are missing; no seed loaded", SEED_PATH)
            return None
        info = FORMATS["lin2023"]
        src = ("(SELECT domain, trim(pc1) AS raw, TRY_CAST(trim(pc1) AS DOUBLE) AS pc1 FROM "
               "read_csv($path, header = true, columns = {'domain': 'VARCHAR', 'pc1': 'VARCHAR'}))")
        try:
            with self._transaction() as con:
                set_id = con.execute(  # type: ignore[index]
                    "INSERT INTO rating_sets (name, format, version, licence, attribution, file_path, "
                    "file_hash, weight, imported_by) VALUES (?, 'lin2023', ?, ?, ?, ?, ?, 1.0, "
                    "'verify (seed)') RETURNING rating_set_id",
                    [SEED_NAME, SEED_VERSION, info.licence, info.attribution, SEED_PATH.name,
                     _file_hash(SEED_PATH)]).fetchone()[0]
                keys = _seed_platform_keys(con, src)
                rows = (f"(SELECT n, domain, raw, pc1, m.key, "
                        f"CASE WHEN m.key IS NULL THEN coalesce({_SEED_KEEP}, false) "
                        f"ELSE m.key <> '' END AS keep FROM ("
                        f"SELECT row_number() OVER () AS n, domain, raw, pc1 FROM {src}) "
                        f"LEFT JOIN (SELECT unnest($raw_keys::VARCHAR[]) AS raw_domain, "
                        f"unnest($keys::VARCHAR[]) AS key) m ON m.raw_domain = lower(trim(domain)))")
                params = {"path": str(SEED_PATH), "pattern": SEED_DOMAIN_PATTERN,
                          "raw_keys": list(keys), "keys": list(keys.values())}
                con.execute(
                    f"INSERT INTO ratings (domain, rater, rater_kind, rating_set_id, scale, raw_value, "
                    f"reliability, label, rationale, method) "
                    f"SELECT coalesce(key, lower(trim(domain))), $name, 'rating_set', $set, '0-1', raw, "
                    f"pc1, NULL, 'Lin et al. 2023 aggregate domain quality (pc1)', 'lin2023-pc1' "
                    f"FROM {rows} WHERE keep ORDER BY n",
                    {"name": SEED_NAME, "set": set_id, **params})
                con.execute(
                    f"INSERT INTO rating_import_issues (rating_set_id, location, line, field, kind, "
                    f"reason) SELECT $set, 'line ' || (n + 1), n + 1, 'domain', 'skipped', "
                    f"CASE WHEN key = '' THEN 'same source as an earlier row: ' "
                    f"ELSE 'not a plain domain name or no pc1: ' END || domain FROM {rows} "
                    f"WHERE NOT keep",
                    {"set": set_id, **params})
                counts = con.execute(
                    "SELECT (SELECT count(*) FROM ratings WHERE rating_set_id = $1), "
                    "(SELECT count(*) FROM rating_import_issues WHERE rating_set_id = $1)",
                    [set_id]).fetchone() or (0, 0)
                con.execute("UPDATE rating_sets SET rows_read = ?, rows_imported = ?, "
                            "rows_rejected = ? WHERE rating_set_id = ?",
                            [counts[0] + counts[1], counts[0], counts[1], set_id])
        except Exception as exc:
            log.warning("could not seed the Lin et al. 2023 ratings: %s", exc)
            return None
        self._table = None
        log.info("seeded %d Lin et al. 2023 ratings", counts[0])
        return int(set_id)

    # ---- writing ----------------------------------------------------------------------------
    def canonical(self, domain: str) -> str:
        """The source key a domain, account, host or URL is stored under (following aliases).

        book.canonical("https://twitter.com/SomeOne/status/1")
        # -> 'x.com/@someone'
        """
        host = _key(domain, "source")
        row = self.store.execute(
            "SELECT s.domain FROM source_aliases a JOIN sources s ON s.source_id = a.source_id "
            "WHERE a.alias_domain = ?", [host]).fetchone()
        return str(row[0]) if row else host

    def rate(self, domain: str, value: float | str, *, rationale: str | None, by: str,
             scale: str = "0-1", label: str | None = None, method: str = "manual") -> RatingEvent:
        """Record a person's rating (a new row; earlier ratings are kept).

        book.rate("example.org", 4, scale="1-5", rationale="named authors", by="ana")
        """
        with self._transaction() as con:
            rating_id = self._write_person_rating(con, domain, value, rationale=rationale, by=by,
                                                  scale=scale, label=label, method=method)
        self.invalidate()
        return self._event_by_id(rating_id)

    def _write_person_rating(self, con: Any, domain: str, value: float | str, *,
                             rationale: str | None, by: str, scale: str, label: str | None,
                             method: str) -> int:
        """Validate and insert one person rating; returns its id (no transaction handling)."""
        if not by or not str(by).strip():
            raise InputError("by: a rating needs the name of the person who made it")
        if rationale is None or not str(rationale).strip():
            raise InputError("rationale: a rating by a person needs a rationale")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InputError("value: missing rating value")
        key = self.canonical(domain)
        reliability = normalise(scale, value, field="value")
        row = con.execute(
            "INSERT INTO ratings (domain, rater, rater_kind, scale, raw_value, reliability, label, "
            "rationale, method) VALUES (?, ?, 'person', ?, ?, ?, ?, ?, ?) RETURNING rating_id",
            [key, str(by).strip(), scale, str(value), reliability, label, str(rationale).strip(),
             method]).fetchone()
        return int(row[0])

    def add_alias(self, domain: str, alias: str) -> str:
        """Record that ``alias`` is another domain of the outlet at ``domain``; returns the canonical."""
        canonical = self.canonical(domain)
        other = _key(alias, "alias")
        if other == canonical:
            raise InputError(f"alias: {other} is the source itself")
        con = self.store
        existing = con.execute(
            "SELECT s.domain FROM source_aliases a JOIN sources s ON s.source_id = a.source_id "
            "WHERE a.alias_domain = ?", [other]).fetchone()
        if existing:
            if existing[0] == canonical:
                return canonical
            raise InputError(f"alias: {other} is already an alias of {existing[0]}")
        has_aliases = con.execute(  # type: ignore[index]
            "SELECT count(*) FROM source_aliases a JOIN sources s ON s.source_id = a.source_id "
            "WHERE s.domain = ?", [other]).fetchone()[0]
        if has_aliases:
            raise InputError(f"alias: {other} has aliases of its own; make them aliases of {canonical}")
        with self._transaction() as tx:
            tx.execute("INSERT INTO sources (domain) VALUES (?) ON CONFLICT DO NOTHING", [canonical])
            source_id = tx.execute("SELECT source_id FROM sources WHERE domain = ?",  # type: ignore[index]
                                   [canonical]).fetchone()[0]
            tx.execute("INSERT INTO source_aliases (alias_domain, source_id) VALUES (?, ?)",
                       [other, source_id])
        self.invalidate()
        return canonical

    def aliases(self, domain: str) -> tuple[str, ...]:
        """Other domains of the same outlet."""
        canonical = self.canonical(domain)
        rows = self.store.execute(
            "SELECT a.alias_domain FROM source_aliases a JOIN sources s ON s.source_id = a.source_id "
            "WHERE s.domain = ? ORDER BY 1", [canonical]).fetchall()
        return tuple(r[0] for r in rows)

    # ---- reading ----------------------------------------------------------------------------
    def history(self, domain: str) -> list[RatingEvent]:
        """Every rating of a source (and its aliases), oldest first, with valid_to and previous."""
        self.ensure_seed()
        canonical = self.canonical(domain)
        keys = [canonical, *self.aliases(canonical)]
        rows = self.store.execute(_HISTORY_SQL, [keys]).fetchall()
        return [_event(r) for r in rows]

    def _event_by_id(self, rating_id: int) -> RatingEvent:
        with self.store.cursor() as cur:
            rows = cur.fetchall(
                _HISTORY_SQL.replace("WHERE h.domain IN (SELECT unnest(?::VARCHAR[]))",
                                     "WHERE h.domain = (SELECT domain FROM ratings WHERE rating_id = ?)"),
                [rating_id])
        return next(_event(r) for r in rows if r[0] == rating_id)

    def current(self, domain: str) -> list[RatingEvent]:
        """The latest rating of each rater for a source (those the effective value uses)."""
        latest: dict[tuple[str, str], RatingEvent] = {}
        for event in self.history(domain):
            slot = ("person", "") if event.rater_kind == PERSON else ("set", event.rater)
            latest[slot] = event
        return sorted(latest.values(), key=lambda e: (e.rater_kind != PERSON, e.rater))

    def names(self) -> dict[str, str]:
        """Outlet names by domain (latest given name wins; a sources.name overrides)."""
        rows = self.store.execute(
            "SELECT domain, arg_max(name, created_at) FROM source_names GROUP BY domain "
            "UNION ALL SELECT domain, name FROM sources WHERE name IS NOT NULL").fetchall()
        return {d: n for d, n in rows}

    def list_sources(self, query: str | None = None, sort: str = "domain",
                     limit: int | None = 50) -> list[SourceSummary]:
        """Rated sources with their effective value and its parts.

        ``sort``: domain | value (most reliable first) | value-asc | raters.
        """
        if sort not in SORTS:
            raise InputError(f"sort: unknown sort {sort!r} (one of: {', '.join(SORTS)})")
        table = self._table if self._table is not None else self._load()
        names = self.names()
        by_source: dict[str, list[str]] = {}
        for alias, canonical in self._aliases.items():
            by_source.setdefault(canonical, []).append(alias)
        needle = (query or "").strip().lower()
        items = []
        for domain, rel in table.items():
            if domain in self._aliases:
                continue
            name = names.get(domain)
            aliases = tuple(sorted(by_source.get(domain, ())))
            if needle and needle not in domain and needle not in (name or "").lower() \
                    and not any(needle in a for a in aliases):
                continue
            items.append(SourceSummary(domain, rel.value, band(rel.value), rel.explanation,
                                       rel.parts, name, aliases))
        keys = {
            "domain": lambda s: s.domain,
            "value": lambda s: (-s.value, s.domain),
            "value-asc": lambda s: (s.value, s.domain),
            "raters": lambda s: (-len(s.parts), s.domain),
        }
        items.sort(key=keys[sort])
        return items[:limit] if limit else items

    def show(self, domain: str) -> SourceView:
        """Everything about one source: value, current raters, aliases, history, track record."""
        from verify.sources.track import suggestions_for, track_record

        canonical = self.canonical(domain)
        rel = self.reliability(canonical)
        history = self.history(canonical)
        records = track_record(self, canonical)
        return SourceView(
            domain=canonical, reliability=rel, name=self.names().get(canonical),
            aliases=self.aliases(canonical), current=tuple(self.current(canonical)),
            history=tuple(history), track_record=records[0] if records else None,
            suggestions=tuple(suggestions_for(self, canonical)))

    # ---- import / export ------------------------------------------------------------------
    def import_file(self, path: str | Path, format: str, *, name: str | None = None,
                    version: str | None = None, licence: str | None = None, strict: bool = False,
                    by: str = "import", weight: float | None = None,
                    in_house: bool = False, skip_if_unchanged: bool = True) -> ImportReport:
        """Import a rating file as a new rating set; bad rows are reported with their line.

        With ``strict`` any malformed row refuses the whole file (nothing written).
        With ``in_house`` the rows are the newsroom's own ratings (person ratings by ``by``,
        each needing a rationale). Re-importing a newer version supersedes the old ratings;
        the same file again is a no-op (``already_imported``) unless ``skip_if_unchanged=False``.

        book.import_file("lin2023_domain_pc1.csv", "lin2023", version="2023")
        """
        started = time.perf_counter()
        file = Path(path)
        fmt = (format or "").strip().lower()
        parsed = parse_file(file, fmt, in_house)
        info = FORMATS[fmt]
        set_name = (name or info.default_name or file.stem).strip()
        digest = _file_hash(file)
        if weight is not None and not 0 <= float(weight) <= 100:
            raise InputError(f"weight: {weight!r} must be between 0 and 100")
        con = self.store
        self.ensure_seed()
        previous = con.execute(
            "SELECT rating_set_id, file_hash FROM rating_sets WHERE name = ? "
            "ORDER BY rating_set_id DESC LIMIT 1", [set_name]).fetchone()
        errors = [i for i in parsed.issues if i.kind == "rejected"]
        skipped = len(parsed.issues) - len(errors)
        if skip_if_unchanged and previous and previous[1] == digest:
            return ImportReport(int(previous[0]), set_name, version, fmt, str(file), parsed.rows_read,
                                0, len(errors), skipped, 0, 0, True,
                                time.perf_counter() - started, tuple(parsed.issues))
        if strict and errors:
            shown = "\n  ".join(str(e) for e in errors[:10])
            more = f"\n  ... and {len(errors) - 10} more" if len(errors) > 10 else ""
            raise InputError(f"{file}: {len(errors)} malformed row(s); nothing imported (--strict):"
                             f"\n  {shown}{more}")
        if not parsed.rows:
            detail = f": {errors[0]}" if errors else ""
            raise InputError(f"{file}: no valid rating rows{detail}")
        rater = str(by).strip() if in_house else set_name
        kind = PERSON if in_house else RATING_SET
        if in_house and not rater:
            raise InputError("by: in-house ratings need the name of the person who made them")
        domains = [r.domain for r in parsed.rows]
        superseded, dropped = con.execute(  # type: ignore[misc]
            "SELECT (SELECT count(DISTINCT domain) FROM ratings WHERE rater = $rater "
            "        AND rater_kind = $kind AND domain IN (SELECT unnest($domains::VARCHAR[]))), "
            "       (SELECT count(DISTINCT domain) FROM ratings WHERE rater = $rater "
            "        AND rater_kind = $kind AND domain NOT IN (SELECT unnest($domains::VARCHAR[])))",
            {"rater": rater, "kind": kind, "domains": domains}).fetchone()
        with self._transaction() as con:
            set_id = int(con.execute(  # type: ignore[index]
                "INSERT INTO rating_sets (name, format, version, licence, attribution, file_path, "
                "file_hash, weight, imported_by, rows_read, rows_imported, rows_rejected) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rating_set_id",
                [set_name, fmt, version or digest[:12], licence or info.licence, info.attribution,
                 str(file), digest, 1.0 if weight is None else float(weight), by,
                 parsed.rows_read, len(parsed.rows), len(errors)]).fetchone()[0])
            self._bulk_insert(con, set_id, rater, kind, parsed)
            self._insert_issues(con, set_id, parsed.issues)
            named = [(r.domain, r.name) for r in parsed.rows if r.name]
            if named:
                con.execute(
                    "INSERT INTO source_names (domain, name, origin, rating_set_id) "
                    "SELECT unnest($d::VARCHAR[]), unnest($n::VARCHAR[]), $origin, $set",
                    {"d": [d for d, _ in named], "n": [n for _, n in named],
                     "origin": set_name, "set": set_id})
        self.invalidate()
        report = ImportReport(set_id, set_name, version or digest[:12], fmt, str(file),
                              parsed.rows_read, len(parsed.rows), len(errors), skipped,
                              int(superseded), int(dropped), False,
                              time.perf_counter() - started, tuple(parsed.issues))
        log.info("imported %s: %d ratings, %d rejected, %d skipped", set_name,
                 report.rows_imported, report.rows_rejected, report.rows_skipped)
        return report

    def _bulk_insert(self, con: Any, set_id: int, rater: str, kind: str, parsed: Parsed) -> None:
        """Insert all parsed rows in one statement (lists unnested by DuckDB)."""
        rows = parsed.rows
        con.execute(
            "INSERT INTO ratings (domain, rater, rater_kind, rating_set_id, scale, raw_value, "
            "reliability, label, rationale, method) "
            "SELECT unnest($domain::VARCHAR[]), $rater, $kind, $set, unnest($scale::VARCHAR[]), "
            "unnest($raw::VARCHAR[]), unnest($rel::DOUBLE[]), unnest($label::VARCHAR[]), "
            "unnest($why::VARCHAR[]), $method",
            {"domain": [r.domain for r in rows], "rater": rater, "kind": kind, "set": set_id,
             "scale": [r.scale for r in rows], "raw": [r.raw_value for r in rows],
             "rel": [r.reliability for r in rows], "label": [r.label for r in rows],
             "why": [r.rationale for r in rows], "method": parsed.method})

    def _insert_issues(self, con: Any, set_id: int, issues: Iterable[ImportIssue]) -> None:
        items = list(issues)
        if not items:
            return
        con.execute(
            "INSERT INTO rating_import_issues (rating_set_id, location, line, field, kind, reason) "
            "SELECT $set, unnest($loc::VARCHAR[]), unnest($line::INTEGER[]), unnest($field::VARCHAR[]), "
            "unnest($kind::VARCHAR[]), unnest($reason::VARCHAR[])",
            {"set": set_id, "loc": [i.location for i in items], "line": [i.line for i in items],
             "field": [i.field for i in items], "kind": [i.kind for i in items],
             "reason": [i.reason for i in items]})

    def import_issues(self, rating_set_id: int) -> list[ImportIssue]:
        """The rejected and skipped rows recorded for an import."""
        rows = self.store.execute(
            "SELECT location, line, field, reason, kind FROM rating_import_issues "
            "WHERE rating_set_id = ? ORDER BY line", [rating_set_id]).fetchall()
        return [ImportIssue(*r) for r in rows]

    def rating_sets(self) -> list[dict[str, Any]]:
        """Imported rating sets, newest first, with licence and counts."""
        cur = self.store.execute("SELECT * FROM rating_sets ORDER BY rating_set_id DESC")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def export(self, path: str | Path, fmt: str = "csv") -> int:
        """Write every rating with its full history (valid_from/valid_to, rater, set); returns rows."""
        fmt = (fmt or "").lower()
        if fmt not in ("csv", "json"):
            raise InputError(f"format: unknown export format {fmt!r} (csv or json)")
        self.ensure_seed()
        cur = self.store.execute(
            "SELECT h.rating_id, h.domain, h.rater, h.rater_kind, s.name AS rating_set, "
            "s.version AS set_version, s.licence AS set_licence, h.scale, h.raw_value, h.reliability, "
            "h.previous_reliability, h.label, h.rationale, h.method, h.valid_from, h.valid_to "
            "FROM source_rating_history h LEFT JOIN rating_sets s ON s.rating_set_id = h.rating_set_id "
            "ORDER BY h.domain, h.valid_from, h.rating_id")
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with out.open("w", encoding="utf-8", newline="") as handle:
                writer = safe_writer(handle)
                writer.writerow(cols)
                for row in rows:
                    writer.writerow([_iso(v) for v in row])
        else:
            doc = {
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "rating_sets": [{k: _iso(v) for k, v in s.items()} for s in self.rating_sets()],
                "aliases": [{"alias": a, "domain": d} for a, d in self.store.execute(
                    "SELECT a.alias_domain, s.domain FROM source_aliases a "
                    "JOIN sources s ON s.source_id = a.source_id ORDER BY 1").fetchall()],
                "ratings": [{c: _iso(v) for c, v in zip(cols, row, strict=True)} for row in rows],
            }
            out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return len(rows)

    def rekey_documents(self, *, dry_run: bool = False) -> list[tuple[int, str, str]]:
        """Credit documents to the source key their URL gives now (accounts, suffix-less hosts).

        Returns (document_id, old key, new key) per document moved (or to move).

        ws.sources.rekey_documents(dry_run=True)
        # -> [(12, 'x.com', 'x.com/@somehandle')]
        """
        from verify.ingest.store import rekey_documents

        moves = rekey_documents(self.store, dry_run=dry_run)
        if moves and not dry_run:
            log.info("rekeyed %d document(s)", len(moves))
            self.invalidate()
        return moves

    # ---- track record and suggestions ------------------------------------------------------
    def track_record(self, domain: str | None = None, **options: Any) -> list[TrackRecord]:
        """Agreement of each source's evidence with final verdicts (Beta posterior)."""
        from verify.sources.track import track_record

        return track_record(self, domain, **options)

    def suggestions(self, refresh: bool = True, include_decided: bool = False,
                    **options: Any) -> list[Suggestion]:
        """Suggested rating changes (recomputed from the track record unless ``refresh=False``)."""
        from verify.sources.track import list_suggestions, refresh_suggestions

        if refresh:
            refresh_suggestions(self, **options)
        return list_suggestions(self, include_decided=include_decided)

    def accept_suggestion(self, suggestion_id: int, by: str, note: str = "") -> RatingEvent:
        """Accept a suggestion: writes a rating by ``by`` citing the suggestion."""
        from verify.sources.track import accept

        event = accept(self, suggestion_id, by, note)
        self.invalidate()
        return event

    def dismiss_suggestion(self, suggestion_id: int, by: str, note: str = "") -> Suggestion:
        """Dismiss a suggestion (recorded; no rating changes)."""
        from verify.sources.track import dismiss

        return dismiss(self, suggestion_id, by, note)


def _platform_regex() -> str:
    """A regex matching hosts that serve a known platform (and their subdomains)."""
    import re

    from verify.sources.platforms import platform_table

    table = platform_table()
    exact = "|".join(re.escape(h) for h in sorted(table.exact))
    wild = "|".join(re.escape(h) for h in sorted(table.wild))
    alternatives = [f"(^|\\.)({exact})(/|$)"]
    if wild:
        alternatives.append(f"(^|\\.)({wild})\\.[a-z.]+(/|$)")
    return "|".join(alternatives)


def _seed_platform_keys(con: Any, src: str) -> dict[str, str]:
    """Seed rows on a platform whose key is not the row's text: ``twitter.com/handle`` ->
    ``x.com/@handle``, ``name.medium.com`` -> ``medium.com/@name``; "" marks a row that names
    the same source as an earlier one (ratings are append-only, so keys are fixed before insert)."""
    rows = con.execute(
        f"SELECT lower(trim(domain)) AS d, min(n) AS first FROM ("
        f"SELECT row_number() OVER () AS n, domain, pc1 FROM {src}) "
        f"WHERE regexp_matches(lower(trim(domain)), $platforms) AND pc1 BETWEEN 0 AND 1 "
        f"AND (coalesce({_SEED_KEEP}, false) OR contains(domain, '/')) GROUP BY d ORDER BY first",
        {"path": str(SEED_PATH), "pattern": SEED_DOMAIN_PATTERN,
         "platforms": _platform_regex()}).fetchall()
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for raw, _ in rows:
        try:
            key = rating_key(raw)
        except InputError:
            continue
        if key in taken:
            keys[raw] = ""
            continue
        taken.add(key)
        if key != raw:
            keys[raw] = key
    return keys


def _key(text: str, field: str) -> str:
    """The rating key of ``text``; InputError naming ``field`` otherwise."""
    try:
        return rating_key(text)
    except InputError as exc:
        raise InputError(f"{field}: {exc}") from None


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


__all__ = ["SourceBook", "parse_domain"]
