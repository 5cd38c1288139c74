"""Track record of sources against final verdicts, and the rating suggestions it leads to.

A source's passage *agrees* with a check when it supports a claim whose final verdict is
SUPPORTED or refutes one that is REFUTED, and *disagrees* in the opposite cases; unrelated
passages and CONFLICTING / NOT ENOUGH EVIDENCE verdicts are ignored. The final verdict is
the latest person-reviewed one (``verdicts``) when there is one, else the machine verdict
(``checks``). Each (check, source) pair counts once, by the majority of the source's
passages in that check (ties are skipped), weighted 1.0 when a person reviewed the verdict
and ``machine_weight`` otherwise.

The agreement rate gets a Beta prior centred on the source's current effective reliability
(``prior_strength`` pseudo-checks); a suggestion is made when the posterior mean differs
from the current value by more than ``threshold`` with at least ``min_n`` checks.
Checks behind an already accepted suggestion are not counted again for the next one.
A suggestion never changes a rating by itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from verify.errors import InputError
from verify.sources.models import RatingEvent, Suggestion, TrackEvidence, TrackRecord

if TYPE_CHECKING:
    from verify.sources.book import SourceBook

REVIEWED_WEIGHT = 1.0
MACHINE_WEIGHT = 0.5
PRIOR_STRENGTH = 4.0
THRESHOLD = 0.15
MIN_N = 5

_EVIDENCE_SQL = """
WITH reviewed AS (
    SELECT check_id, verdict FROM verdicts
    QUALIFY row_number() OVER (PARTITION BY check_id ORDER BY created_at DESC, verdict_id DESC) = 1
),
final AS (
    SELECT c.check_id, c.claim, coalesce(v.verdict, c.verdict) AS verdict,
           v.verdict IS NOT NULL AS reviewed
    FROM checks c LEFT JOIN reviewed v ON v.check_id = c.check_id
)
SELECT e.check_id, f.claim, e.domain,
       sum(CASE WHEN e.stance = 'supports' THEN 1 ELSE 0 END) AS n_supports,
       sum(CASE WHEN e.stance = 'refutes' THEN 1 ELSE 0 END) AS n_refutes,
       f.verdict, f.reviewed
FROM check_evidence e JOIN final f ON f.check_id = e.check_id
WHERE e.stance IN ('supports', 'refutes') AND f.verdict IN ('SUPPORTED', 'REFUTED')
  AND e.domain IS NOT NULL AND e.duplicate_of IS NULL
GROUP BY e.check_id, f.claim, e.domain, f.verdict, f.reviewed
ORDER BY e.domain, e.check_id
"""


def _beta_interval(a: float, b: float, level: float = 0.9) -> tuple[float, float]:
    """Equal-tailed credible interval of Beta(a, b)."""
    try:
        from scipy.stats import beta
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        mean = a / (a + b)
        sd = (a * b / ((a + b) ** 2 * (a + b + 1))) ** 0.5
        return max(0.0, mean - 1.645 * sd), min(1.0, mean + 1.645 * sd)
    tail = (1 - level) / 2
    return float(beta.ppf(tail, a, b)), float(beta.ppf(1 - tail, a, b))


def track_record(book: SourceBook, domain: str | None = None, *,
                 prior_strength: float = PRIOR_STRENGTH, machine_weight: float = MACHINE_WEIGHT,
                 reviewed_weight: float = REVIEWED_WEIGHT) -> list[TrackRecord]:
    """Per source: agreements, disagreements and the Beta posterior over agreement."""
    wanted = book.canonical(domain) if domain else None
    per_source: dict[str, list[TrackEvidence]] = {}
    for check_id, claim, raw_domain, n_sup, n_ref, verdict, reviewed in book.store.execute(
            _EVIDENCE_SQL).fetchall():
        if n_sup == n_ref:
            continue
        key = book.reliability(raw_domain).domain or str(raw_domain)
        if wanted is not None and key != wanted:
            continue
        stance = "supports" if n_sup > n_ref else "refutes"
        agrees = (stance == "supports") == (verdict == "SUPPORTED")
        weight = reviewed_weight if reviewed else machine_weight
        per_source.setdefault(key, []).append(
            TrackEvidence(str(check_id), str(claim), stance, str(verdict), bool(reviewed), agrees, weight))
    return [_record(key, book.reliability(key).value, items, prior_strength)
            for key, items in sorted(per_source.items())]


def _record(domain: str, current: float, items: list[TrackEvidence] | tuple[TrackEvidence, ...],
            prior_strength: float) -> TrackRecord:
    """The Beta posterior over agreement, prior centred on ``current``."""
    wa = sum(e.weight for e in items if e.agrees)
    wd = sum(e.weight for e in items if not e.agrees)
    a = max(current * prior_strength + wa, 1e-6)
    b = max((1 - current) * prior_strength + wd, 1e-6)
    return TrackRecord(
        domain=domain, current=current,
        agreements=sum(1 for e in items if e.agrees),
        disagreements=sum(1 for e in items if not e.agrees),
        weighted_agreements=wa, weighted_disagreements=wd,
        posterior_mean=a / (a + b), interval=_beta_interval(a, b), evidence=tuple(items))


def _evidence_json(record: TrackRecord) -> str:
    return json.dumps([{"check_id": e.check_id, "claim": e.claim, "stance": e.stance,
                        "verdict": e.verdict, "reviewed": e.reviewed, "agrees": e.agrees,
                        "weight": e.weight} for e in record.evidence], ensure_ascii=False)


def refresh_suggestions(book: SourceBook, *, threshold: float = THRESHOLD, min_n: int = MIN_N,
                        **options: Any) -> list[Suggestion]:
    """Store a suggestion for each source whose track record departs from its rating."""
    con = book.store
    created: list[int] = []
    strength = float(options.get("prior_strength", PRIOR_STRENGTH))
    for record in track_record(book, **options):
        accepted = {item["check_id"] for (ev,) in con.execute(
            "SELECT s.evidence FROM rating_suggestions s JOIN suggestion_decisions d "
            "ON d.suggestion_id = s.suggestion_id WHERE s.domain = ? AND d.decision = 'accepted'",
            [record.domain]).fetchall() for item in json.loads(ev or "[]")}
        if accepted:  # evidence already folded into an accepted rating counts once only
            record = _record(record.domain, record.current,
                             [e for e in record.evidence if e.check_id not in accepted], strength)
        if record.n < min_n or abs(record.posterior_mean - record.current) <= threshold:
            continue
        checks = sorted(e.check_id for e in record.evidence)
        last = con.execute(
            "SELECT s.suggestion_id, s.evidence, d.decision FROM rating_suggestions s "
            "LEFT JOIN suggestion_decisions d ON d.suggestion_id = s.suggestion_id "
            "WHERE s.domain = ? ORDER BY s.suggestion_id DESC LIMIT 1", [record.domain]).fetchone()
        if last is not None:
            last_checks = sorted(item["check_id"] for item in json.loads(last[1] or "[]"))
            if last_checks == checks:
                continue  # same evidence: already suggested (open or decided)
        new_id = int(con.execute(  # type: ignore[index]
            "INSERT INTO rating_suggestions (domain, current_value, suggested_value, agreements, "
            "disagreements, evidence) VALUES (?, ?, ?, ?, ?, ?) RETURNING suggestion_id",
            [record.domain, record.current, round(record.posterior_mean, 4), record.agreements,
             record.disagreements, _evidence_json(record)]).fetchone()[0])
        if last is not None and last[2] is None:
            con.execute("INSERT INTO suggestion_decisions (suggestion_id, decision, decided_by, note) "
                        "VALUES (?, 'superseded', 'verify', ?)", [last[0], f"superseded by #{new_id}"])
        created.append(new_id)
    return [get_suggestion(book, i) for i in created]


_SUGGESTION_SQL = """
SELECT s.suggestion_id, s.domain, s.current_value, s.suggested_value, s.agreements,
       s.disagreements, s.evidence, s.created_at, d.decision, d.decided_by, d.note, d.rating_id
FROM rating_suggestions s LEFT JOIN suggestion_decisions d ON d.suggestion_id = s.suggestion_id
"""


def _suggestion(row: tuple[Any, ...]) -> Suggestion:
    evidence = tuple(json.loads(row[6])) if row[6] else ()
    return Suggestion(int(row[0]), row[1], row[2], float(row[3]), int(row[4]), int(row[5]), evidence,
                      row[7], row[8], row[9], row[10], row[11])


def get_suggestion(book: SourceBook, suggestion_id: int) -> Suggestion:
    """One suggestion with its decision; InputError if there is none with that id."""
    row = book.store.execute(_SUGGESTION_SQL + " WHERE s.suggestion_id = ?", [int(suggestion_id)]).fetchone()
    if row is None:
        raise InputError(f"suggestion: no suggestion #{suggestion_id}")
    return _suggestion(row)


def list_suggestions(book: SourceBook, include_decided: bool = False) -> list[Suggestion]:
    """Open suggestions (and decided ones when asked), newest first."""
    where = "" if include_decided else " WHERE d.decision IS NULL"
    rows = book.store.execute(_SUGGESTION_SQL + where + " ORDER BY s.suggestion_id DESC").fetchall()
    return [_suggestion(r) for r in rows]


def suggestions_for(book: SourceBook, domain: str) -> list[Suggestion]:
    """Open suggestions for one source."""
    return [s for s in list_suggestions(book) if s.domain == domain]


def _open(book: SourceBook, suggestion_id: int, by: str) -> Suggestion:
    if not by or not str(by).strip():
        raise InputError("by: a decision needs the name of the person who made it")
    suggestion = get_suggestion(book, suggestion_id)
    if suggestion.decision is not None:
        raise InputError(f"suggestion: #{suggestion_id} was already {suggestion.decision} "
                         f"by {suggestion.decided_by}")
    return suggestion


def accept(book: SourceBook, suggestion_id: int, by: str, note: str = "") -> RatingEvent:
    """Write the suggested value as a rating by ``by`` and record the decision (one transaction)."""
    s = _open(book, suggestion_id, by)
    n = s.agreements + s.disagreements
    rationale = (f"accepted suggestion #{s.suggestion_id}: track record {s.agreements} agree / "
                 f"{s.disagreements} disagree over {n} checks; suggested {s.suggested_value:.2f} "
                 f"(was {s.current_value if s.current_value is not None else float('nan'):.2f})")
    if note and note.strip():
        rationale += f"; {note.strip()}"
    with book._transaction() as con:
        rating_id = book._write_person_rating(con, s.domain, s.suggested_value, rationale=rationale,
                                              by=by, scale="0-1", label=None, method="track-record")
        con.execute("INSERT INTO suggestion_decisions (suggestion_id, decision, decided_by, note, "
                    "rating_id) VALUES (?, 'accepted', ?, ?, ?)",
                    [s.suggestion_id, str(by).strip(), note or None, rating_id])
    book.invalidate()
    return book._event_by_id(rating_id)


def dismiss(book: SourceBook, suggestion_id: int, by: str, note: str = "") -> Suggestion:
    """Record that a person dismissed a suggestion; ratings are untouched."""
    s = _open(book, suggestion_id, by)
    book.store.execute("INSERT INTO suggestion_decisions (suggestion_id, decision, decided_by, note) "
                       "VALUES (?, 'dismissed', ?, ?)", [s.suggestion_id, str(by).strip(), note or None])
    return get_suggestion(book, suggestion_id)
