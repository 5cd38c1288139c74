"""What the desk shows of its past work: the reviews of checks, and the check history with
repeated checks of one claim grouped.

A claim checked five times is one row of the history: its latest run, how often it ran and
the earlier runs under it. Two runs are of the same claim when their texts are equal after
:func:`claim_key` (markup noise removed as for a check, case, spacing, quotes and the final
full stop ignored).

Example:
    groups = check_history(ws, "IS-K")
    groups[0].latest.claim, groups[0].count
    # -> ('IS-K killed 338 civilians in Pakistan since 2017', 5)
    reviews_of(ws, [groups[0].latest.check_id])[groups[0].latest.check_id][0].line()
    # -> 'REFUTED (overrides SUPPORTED) by Amina, 2026-12-06 10:02: CSIS revised it'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from verify.checks.claim_text import normalise_claim
from verify.errors import InputError

HISTORY_SCAN = 5000   # the most recent checks read to build the grouped history
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Review:
    """A person's review of one check: the verdict they gave, the tool's, who and when."""

    verdict_id: str
    check_id: str
    verdict: str
    machine_verdict: str | None
    reviewer: str
    note: str
    created_at: dt.datetime | None

    @property
    def confirms(self) -> bool:
        """True when the reviewer gave the tool's own verdict."""
        return self.machine_verdict is None or self.verdict == self.machine_verdict

    def line(self) -> str:
        """One line: verdict (confirms / overrides), who, when and the note."""
        relation = ("confirms the tool" if self.confirms
                    else f"overrides {self.machine_verdict}")
        when = self.created_at.strftime("%Y-%m-%d %H:%M") if self.created_at else "undated"
        return (f"{self.verdict} ({relation}) by {self.reviewer}, {when}"
                + (f": {self.note}" if self.note else ""))


@dataclass(frozen=True)
class CheckRun:
    """One saved check, as the history lists it (with its latest review, if any)."""

    check_id: str
    claim: str
    verdict: str
    confidence: float
    reason: str
    created_at: dt.datetime | None
    reviewed_verdict: str | None = None
    reviewer: str | None = None
    reviews: int = 0


@dataclass(frozen=True)
class CheckGroup:
    """Every run of one claim, latest first."""

    key: str
    runs: tuple[CheckRun, ...]

    @property
    def latest(self) -> CheckRun:
        """The most recent run."""
        return self.runs[0]

    @property
    def earlier(self) -> tuple[CheckRun, ...]:
        """The runs before the latest, newest first."""
        return self.runs[1:]

    @property
    def count(self) -> int:
        """How many times the claim was checked."""
        return len(self.runs)

    @property
    def verdicts(self) -> tuple[str, ...]:
        """The distinct verdicts its runs gave, latest first."""
        return tuple(dict.fromkeys(r.verdict for r in self.runs))

    @property
    def review(self) -> CheckRun | None:
        """The most recent run a person reviewed (None if none was)."""
        return next((r for r in self.runs if r.reviewed_verdict), None)

    @property
    def reviews(self) -> int:
        """Reviews recorded over all its runs."""
        return sum(r.reviews for r in self.runs)


@dataclass(frozen=True)
class CheckHistory:
    """The grouped history: groups latest first, and how many runs were read."""

    groups: tuple[CheckGroup, ...]
    runs: int
    truncated: bool = False

    def __iter__(self) -> Iterator[CheckGroup]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, i: int) -> CheckGroup:
        return self.groups[i]


def claim_key(text: str) -> str:
    """The text two runs of one claim share: cleaned as for a check, casefolded, spaces
    collapsed, curly quotes straightened, a final full stop dropped.

    Example:
        >>> claim_key("  IS-K killed 338 civilians in  Pakistan[31]. ")
        'is-k killed 338 civilians in pakistan'
    """
    out = normalise_claim(str(text or "")).translate(_QUOTES).casefold()
    out = " ".join(out.split())
    return re.sub(r"[.\s]+$", "", out)


def _rows(store: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of a query on the store (a Store or a DuckDB connection)."""
    return list(store.execute(sql, list(params)).fetchall())


def reviews_of(ws: Any, check_ids: Iterable[str]) -> dict[str, list[Review]]:
    """The reviews of each check, newest first (a check without reviews maps to ``[]``).

    Example:
        reviews_of(ws, ["chk_0123"])["chk_0123"]
        # -> [Review(verdict='REFUTED', reviewer='Amina', ...)]
    """
    ids = list(dict.fromkeys(str(c) for c in check_ids if c))
    out: dict[str, list[Review]] = {c: [] for c in ids}
    if not ids:
        return out
    rows = _rows(ws.store,
                 "SELECT verdict_id, check_id, verdict, machine_verdict, reviewer, note, created_at"
                 " FROM verdicts WHERE check_id IN (SELECT unnest(?::VARCHAR[]))"
                 " ORDER BY created_at DESC, verdict_id DESC", [ids])
    for vid, cid, verdict, machine, reviewer, note, created in rows:
        out[str(cid)].append(Review(str(vid), str(cid), str(verdict),
                                    None if machine is None else str(machine),
                                    str(reviewer), str(note or ""), created))
    return out


def review_from_row(row: dict[str, Any], check_id: str = "") -> Review:
    """A :class:`Review` from a ``ws.check_reviews`` row."""
    machine = row.get("machine_verdict")
    return Review(str(row.get("verdict_id") or ""), str(row.get("check_id") or check_id),
                  str(row.get("verdict") or ""), None if machine is None else str(machine),
                  str(row.get("reviewer") or ""), str(row.get("note") or ""),
                  row.get("created_at"))


def _matches(run: CheckRun, words: Sequence[str]) -> bool:
    """True when every word is in the run's claim, verdicts, reviewer or id."""
    hay = " ".join(str(v or "") for v in (run.claim, run.verdict, run.reviewed_verdict,
                                          run.reviewer, run.check_id, run.reason)).lower()
    return all(w in hay for w in words)


def check_history(ws: Any, query: str | None = None, *, limit: int = 200,
                  scan: int = HISTORY_SCAN) -> CheckHistory:
    """Past checks grouped by claim (:func:`claim_key`), the most recently checked claim
    first; each group's runs newest first. ``query``: words that must all appear in a
    run's claim, verdict, review verdict, reviewer, reason or id (a group is listed with
    all its runs when one of them matches). ``limit``: the most groups returned;
    ``scan``: the most recent runs read.

    Example:
        [(g.latest.verdict, g.count) for g in check_history(ws)][:2]
        # -> [('SUPPORTED', 5), ('REFUTED', 1)]
    """
    if limit < 1 or scan < 1:
        raise InputError(f"limit and scan must be at least 1 (got {limit}, {scan})")
    rows = _rows(ws.store,
                 "SELECT c.check_id, c.claim, c.verdict, c.confidence, c.reason, c.created_at,"
                 " v.verdict, v.reviewer, coalesce(v.n, 0)"
                 " FROM checks c LEFT JOIN ("
                 "   SELECT check_id, arg_max(verdict, created_at) AS verdict,"
                 "     arg_max(reviewer, created_at) AS reviewer, count(*) AS n"
                 "   FROM verdicts GROUP BY check_id"
                 " ) v ON v.check_id = c.check_id"
                 " ORDER BY c.created_at DESC, c.check_id DESC LIMIT ?", [int(scan) + 1])
    truncated = len(rows) > scan
    runs = [CheckRun(str(cid), str(claim), str(verdict), float(conf or 0.0), str(reason or ""),
                     created, None if rv is None else str(rv), None if rb is None else str(rb),
                     int(n))
            for cid, claim, verdict, conf, reason, created, rv, rb, n in rows[:scan]]
    return group_checks(runs, query, limit=limit, truncated=truncated)


def run_from_row(row: dict[str, Any]) -> CheckRun:
    """A :class:`CheckRun` from a ``ws.list_checks`` row (a reviewed row counts one review)."""
    reviewed = row.get("reviewed_verdict")
    return CheckRun(str(row["check_id"]), str(row.get("claim") or ""), str(row.get("verdict") or ""),
                    float(row.get("confidence") or 0.0), str(row.get("reason") or ""),
                    row.get("created_at"), None if reviewed is None else str(reviewed),
                    None if row.get("reviewer") is None else str(row["reviewer"]),
                    int(row.get("reviews") or (1 if reviewed else 0)))


def group_checks(runs: Iterable[CheckRun | dict[str, Any]], query: str | None = None, *,
                 limit: int = 200, truncated: bool = False) -> CheckHistory:
    """Group runs given newest first (``CheckRun``s or ``ws.list_checks`` rows) by claim;
    ``query`` and ``limit`` as in :func:`check_history`."""
    items = [r if isinstance(r, CheckRun) else run_from_row(r) for r in runs]
    grouped: dict[str, list[CheckRun]] = {}
    for run in items:  # newest first, so each group's first run is its latest
        grouped.setdefault(claim_key(run.claim), []).append(run)
    words = (query or "").lower().split()
    groups = [CheckGroup(key, tuple(found)) for key, found in grouped.items()
              if not words or any(_matches(r, words) for r in found)]
    return CheckHistory(tuple(groups[:limit]), len(items), truncated)

def attach_reviews(ws: Any, result: Any) -> dict[str, list[Review]]:
    """Fill each claim of an audit (``AuditResult``) with its latest review as it is now;
    returns every claim's reviews by check id, newest first."""
    reviews = reviews_of(ws, [c.check_id for _, c in result.claims() if c.check_id])
    apply_reviews(result, reviews)
    return reviews


def apply_reviews(result: Any, reviews: dict[str, list[Review]]) -> None:
    """Set each claim's ``reviewed_verdict``, ``reviewer`` and ``reviewed_at`` from its
    latest review in ``reviews`` (by check id, newest first); a claim without one has none."""
    for _, claim in result.claims():
        latest = reviews.get(claim.check_id or "") or []
        if latest:
            top = latest[0]
            claim.reviewed_verdict, claim.reviewer = top.verdict, top.reviewer
            claim.reviewed_at = top.created_at.isoformat() if top.created_at else None
        else:
            claim.reviewed_verdict = claim.reviewer = claim.reviewed_at = None
