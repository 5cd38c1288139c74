"""Track record against final verdicts, and suggestions (records built directly with SQL)."""

from __future__ import annotations

import json

import pytest

from verify.errors import InputError
from verify.sources import SourceBook
from verify.sources.track import MACHINE_WEIGHT, PRIOR_STRENGTH


@pytest.fixture
def book(ws):
    """The workspace's source book without the shipped seed."""
    ws._sources = SourceBook(ws.store, ws.settings, seed=False)
    return ws.sources


def add_check(ws, check_id: str, claim: str, verdict: str, evidence: list[tuple[str, str]],
              reviewed: str | None = None) -> None:
    """A saved check with (domain, stance) evidence rows and an optional person verdict."""
    ws.db.execute("INSERT INTO checks (check_id, claim, verdict, confidence) VALUES (?, ?, ?, 0.8)",
                  [check_id, claim, verdict])
    for rank, (domain, stance) in enumerate(evidence, start=1):
        ws.db.execute("INSERT INTO check_evidence (check_id, evidence_rank, domain, stance, weight) "
                      "VALUES (?, ?, ?, ?, 1.0)", [check_id, rank, domain, stance])
    if reviewed:
        ws.db.execute("INSERT INTO verdicts (verdict_id, check_id, verdict, machine_verdict, reviewer) "
                      "VALUES (?, ?, ?, ?, 'rev')", [f"v-{check_id}", check_id, reviewed, verdict])


@pytest.fixture
def record(ws, book):
    """alpha-news.com (rated 0.9) keeps backing claims that reviewers found false."""
    book.rate("alpha-news.com", 0.9, rationale="wire service", by="ana")
    book.rate("beta-daily.co.uk", 0.5, rationale="regional", by="ana")
    for i in range(6):
        # machine said SUPPORTED, a person overrode it to REFUTED: alpha supported a false claim
        add_check(ws, f"c{i}", f"claim number {i}", "SUPPORTED",
                  [("alpha-news.com", "supports"), ("beta-daily.co.uk", "refutes")], reviewed="REFUTED")
    # ignored: unrelated stance, CONFLICTING and NEE verdicts
    add_check(ws, "c-unrel", "unrelated claim", "REFUTED", [("alpha-news.com", "unrelated")])
    add_check(ws, "c-conf", "conflicting claim", "CONFLICTING", [("alpha-news.com", "supports")])
    add_check(ws, "c-nee", "nee claim", "NOT ENOUGH EVIDENCE", [("alpha-news.com", "refutes")])
    # machine verdict only (weighted lower): alpha agrees once
    add_check(ws, "c-machine", "machine claim", "SUPPORTED", [("www.alpha-news.com", "supports")])
    # an unrated source with too few checks for a suggestion
    add_check(ws, "c-gamma", "gamma claim", "REFUTED", [("gamma-blog.net", "supports")])
    return ws


def test_track_record_counts_agreement_with_final_verdicts(record, book) -> None:
    (alpha,) = book.track_record("alpha-news.com")
    assert (alpha.agreements, alpha.disagreements) == (1, 6)
    assert alpha.weighted_disagreements == pytest.approx(6.0)           # reviewed: weight 1
    assert alpha.weighted_agreements == pytest.approx(MACHINE_WEIGHT)     # machine only
    a = 0.9 * PRIOR_STRENGTH + MACHINE_WEIGHT
    b = 0.1 * PRIOR_STRENGTH + 6.0
    assert alpha.current == pytest.approx(0.9)
    assert alpha.posterior_mean == pytest.approx(a / (a + b))
    assert alpha.interval[0] < alpha.posterior_mean < alpha.interval[1]
    assert {e.check_id for e in alpha.evidence} == {f"c{i}" for i in range(6)} | {"c-machine"}
    (beta,) = book.track_record("beta-daily.co.uk")
    assert (beta.agreements, beta.disagreements) == (6, 0)
    assert beta.posterior_mean > 0.5
    assert {r.domain for r in book.track_record()} == {"alpha-news.com", "beta-daily.co.uk", "gamma-blog.net"}


def test_person_verdict_overrides_machine_verdict(ws, book) -> None:
    add_check(ws, "x1", "claim", "SUPPORTED", [("alpha-news.com", "supports")], reviewed="REFUTED")
    ws.db.execute("INSERT INTO verdicts (verdict_id, check_id, verdict, reviewer, created_at) "
                  "VALUES ('v-late', 'x1', 'SUPPORTED', 'rev2', current_timestamp + INTERVAL 1 HOUR)")
    (rec,) = book.track_record("alpha-news.com")
    assert rec.agreements == 1 and rec.evidence[0].reviewed and rec.evidence[0].verdict == "SUPPORTED"


def test_suggestions_are_made_only_with_enough_evidence_and_never_change_ratings(record, book, ws) -> None:
    before = ws.db.execute("SELECT count(*) FROM ratings").fetchone()[0]
    value_before = book.reliability("alpha-news.com").value
    suggestions = book.suggestions()
    domains = {s.domain: s for s in suggestions}
    assert "gamma-blog.net" not in domains                      # n = 1 < min_n
    alpha = domains["alpha-news.com"]
    assert alpha.current_value == pytest.approx(0.9)
    assert alpha.suggested_value < 0.5
    assert (alpha.agreements, alpha.disagreements) == (1, 6)
    assert {e["check_id"] for e in alpha.evidence} >= {"c0", "c5"}
    assert all("claim" in e for e in alpha.evidence)
    stored = json.loads(ws.db.execute("SELECT evidence FROM rating_suggestions WHERE suggestion_id = ?",
                                      [alpha.suggestion_id]).fetchone()[0])
    assert len(stored) == 7
    assert ws.db.execute("SELECT count(*) FROM ratings").fetchone()[0] == before
    assert book.reliability("alpha-news.com").value == pytest.approx(value_before)
    # asking again with the same evidence does not duplicate
    assert [s.suggestion_id for s in book.suggestions()] == [s.suggestion_id for s in suggestions]


def test_accept_writes_a_rating_citing_the_suggestion(record, book, ws) -> None:
    alpha = next(s for s in book.suggestions() if s.domain == "alpha-news.com")
    event = book.accept_suggestion(alpha.suggestion_id, by="editor", note="agreed after review")
    assert event.rationale.startswith(f"accepted suggestion #{alpha.suggestion_id}:")
    assert "agreed after review" in event.rationale
    assert event.rater == "editor" and event.method == "track-record"
    assert event.reliability == pytest.approx(alpha.suggested_value)
    assert event.previous == pytest.approx(0.9)
    assert book.reliability("alpha-news.com").value == pytest.approx(alpha.suggested_value)
    decision = ws.db.execute("SELECT decision, decided_by, rating_id FROM suggestion_decisions "
                             "WHERE suggestion_id = ?", [alpha.suggestion_id]).fetchone()
    assert decision == ("accepted", "editor", event.rating_id)
    assert alpha.suggestion_id not in [s.suggestion_id for s in book.suggestions(refresh=False)]
    with pytest.raises(InputError, match="already accepted"):
        book.accept_suggestion(alpha.suggestion_id, by="editor")


def test_dismiss_records_a_decision_and_changes_nothing(record, book, ws) -> None:
    alpha = next(s for s in book.suggestions() if s.domain == "alpha-news.com")
    before = ws.db.execute("SELECT * FROM ratings ORDER BY rating_id").fetchall()
    done = book.dismiss_suggestion(alpha.suggestion_id, by="editor", note="reviewers were wrong")
    assert (done.decision, done.decided_by, done.note) == ("dismissed", "editor", "reviewers were wrong")
    assert ws.db.execute("SELECT * FROM ratings ORDER BY rating_id").fetchall() == before
    # not suggested again for the same evidence
    assert all(s.domain != "alpha-news.com" for s in book.suggestions())
    with pytest.raises(InputError, match="already dismissed"):
        book.dismiss_suggestion(alpha.suggestion_id, by="x")
    with pytest.raises(InputError, match="no suggestion"):
        book.dismiss_suggestion(9999, by="x")
    with pytest.raises(InputError, match="by"):
        book.accept_suggestion(alpha.suggestion_id, by="")
    # new evidence leads to a new suggestion
    add_check(ws, "c-new", "claim new", "SUPPORTED", [("alpha-news.com", "supports")], reviewed="REFUTED")
    again = [s for s in book.suggestions() if s.domain == "alpha-news.com"]
    assert len(again) == 1 and again[0].suggestion_id != alpha.suggestion_id
    assert again[0].disagreements == 7


def test_show_includes_track_record_and_open_suggestions(record, book) -> None:
    book.suggestions()
    view = book.show("alpha-news.com")
    assert view.track_record is not None and view.track_record.disagreements == 6
    assert [s.domain for s in view.suggestions] == ["alpha-news.com"]


def test_evidence_behind_an_accepted_suggestion_is_not_counted_twice(record, book, ws) -> None:
    alpha = next(s for s in book.suggestions() if s.domain == "alpha-news.com")
    book.accept_suggestion(alpha.suggestion_id, by="editor")
    # a few more checks are not enough on their own (min_n counts only the new ones)
    for i in range(3):
        add_check(ws, f"n{i}", f"new claim {i}", "SUPPORTED", [("alpha-news.com", "supports")],
                  reviewed="REFUTED")
    assert all(s.domain != "alpha-news.com" for s in book.suggestions())
    for i in range(3, 8):
        add_check(ws, f"n{i}", f"new claim {i}", "SUPPORTED", [("alpha-news.com", "supports")],
                  reviewed="REFUTED")
    (again,) = [s for s in book.suggestions() if s.domain == "alpha-news.com"]
    assert {e["check_id"] for e in again.evidence} == {f"n{i}" for i in range(8)}
    assert again.current_value == pytest.approx(alpha.suggested_value)
    assert again.suggested_value < again.current_value
