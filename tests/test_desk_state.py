"""The library behind a desk that shows its state (issue 23): reviews of checks, the check
history grouped by claim, the document browser and its edits, unrated corpus sources, the
confidence sentence and why a ClaimReview export is empty. Fake models (fast tier)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from verify.errors import InputError
from verify.explain import confidence_factors, explain_confidence
from verify.history import claim_key
from verify.types import EvidenceAssessment, PassageRef

CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"


def _doc(folder: Path, name: str, *, url: str | None, date: str | None, source: str | None,
         text: str, title: str = "A title") -> Path:
    """A small markdown document with front matter."""
    meta = [f'title: "{title}"']
    if url:
        meta.append(f"url: {url}")
    if date:
        meta.append(f"date: {date}")
    if source:
        meta.append(f"source: {source}")
    path = folder / name
    path.write_text("---\n" + "\n".join(meta) + "\n---\n\n" + text + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(ws, tmp_path: Path):  # noqa: ANN001, ANN201 - the conftest workspace
    """Four documents: two of dawn.com (one dated 2019, one 2021), one of an outlet known
    only by name, one of an unrated domain; the index synced."""
    folder = tmp_path / "docs"
    folder.mkdir()
    _doc(folder, "a.md", url="https://www.dawn.com/news/1", date="2019-05-01", source=None,
         title="Prison break in Jalalabad",
         text="IS-K killed 338 civilians in Pakistan since 2017. The attack was claimed.")
    _doc(folder, "b.md", url="https://www.dawn.com/news/2", date="2021-01-10", source=None,
         title="Floods in Sindh", text="Floods displaced thousands of families in Sindh.")
    _doc(folder, "c.md", url=None, date=None, source="Frontline Truth",
         title="A blog post", text="The troops are leaving in weeks, my contacts say.")
    _doc(folder, "d.md", url="https://news.unrated-example.org/1", date="2020-06-01",
         source=None, title="Market report", text="Wheat prices rose by 12 percent in June.")
    report = ws.ingest([folder])
    assert report.added == 4, report
    return ws


def _id(ws, title: str) -> int:  # noqa: ANN001
    rows = ws.list_documents(title).rows
    assert len(rows) == 1, rows
    return rows[0].document_id


# ---- reviews and the grouped history ----------------------------------------------------

def test_claim_key_ignores_case_spacing_footnotes_and_the_final_stop() -> None:
    assert claim_key("IS-K killed 338 civilians in  Pakistan[3].") == claim_key(
        " is-k KILLED 338 civilians in Pakistan ")
    assert claim_key("338 civilians") != claim_key("339 civilians")


def test_reviews_of_a_check_newest_first_with_who_and_note(corpus) -> None:  # noqa: ANN001
    result = corpus.check(CLAIM)
    other = "REFUTED" if result.verdict != "REFUTED" else "SUPPORTED"
    corpus.review(result.check_id, result.verdict, "Amina", "agrees with CSIS")
    corpus.review(result.check_id, other, "Bo", "the figure was revised")
    got = corpus.reviews([result.check_id, "chk_none"])
    assert got["chk_none"] == []
    first, second = got[result.check_id]
    assert (first.reviewer, first.verdict, first.note) == ("Bo", other, "the figure was revised")
    assert not first.confirms and second.confirms
    assert first.line().startswith(f"{other} (overrides {result.verdict}) by Bo, ")
    assert first.line().endswith(": the figure was revised")
    assert second.line().startswith(f"{result.verdict} (confirms the tool) by Amina")


def test_repeated_checks_of_one_claim_are_one_group_latest_first(corpus) -> None:  # noqa: ANN001
    runs = [corpus.check(text) for text in (CLAIM, CLAIM + ".", "  " + CLAIM.upper())]
    lone = corpus.check("Floods displaced thousands of families in Sindh")
    corpus.review(runs[0].check_id, runs[0].verdict, "Amina")
    history = corpus.check_history()
    assert history.runs == 4 and len(history) == 2
    top, second = history.groups
    assert top.latest.check_id == lone.check_id and top.count == 1 and top.earlier == ()
    assert second.count == 3
    assert [r.check_id for r in second.runs] == [r.check_id for r in reversed(runs)]
    assert second.latest.claim == "  " + CLAIM.upper() or second.latest.claim == CLAIM.upper()
    assert second.review is not None and second.review.check_id == runs[0].check_id
    assert second.reviews == 1
    # a search matching an earlier run (its reviewer) lists the whole group
    found = corpus.check_history("amina")
    assert [g.count for g in found] == [3]
    assert corpus.check_history("no such words").groups == ()
    with pytest.raises(InputError):
        corpus.check_history(limit=0)


# ---- the document browser ---------------------------------------------------------------

def test_documents_filter_by_text_source_and_date(corpus) -> None:  # noqa: ANN001
    assert corpus.list_documents().total == 4
    dawn = corpus.list_documents(sources=["dawn.com"])
    assert dawn.total == 2 and {r.source for r in dawn.rows} == {"dawn.com"}
    assert [r.title for r in corpus.list_documents("jalalabad").rows] == [
        "Prison break in Jalalabad"]
    later = corpus.list_documents(date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31))
    assert sorted(r.title for r in later.rows) == ["Floods in Sindh", "Market report"]
    assert corpus.list_documents(date_to=dt.date(2030, 1, 1)).total == 3  # undated excluded
    page = corpus.list_documents(limit=2)
    assert page.total == 4 and len(page.rows) == 2
    with pytest.raises(InputError):
        corpus.list_documents(date_from=dt.date(2021, 1, 1), date_to=dt.date(2020, 1, 1))


def test_a_document_opens_with_its_text_and_passages(corpus) -> None:  # noqa: ANN001
    view = corpus.document(_id(corpus, "jalalabad"))
    assert view.source == "dawn.com" and view.url == "https://www.dawn.com/news/1"
    assert "338 civilians" in view.text and view.passages
    for p in view.passages:
        assert view.text[p.char_start:p.char_end] == p.text
    with pytest.raises(InputError, match="no document with id 99999"):
        corpus.document(99999)


def test_editing_the_url_changes_the_source_and_keeps_the_index_in_sync(corpus) -> None:  # noqa: ANN001
    doc_id = _id(corpus, "jalalabad")
    before = corpus.document(doc_id)
    edit = corpus.edit_document(doc_id, url="https://www.bbc.co.uk/news/world-1")
    assert edit.changed["url"] == ("https://www.dawn.com/news/1",
                                   "https://www.bbc.co.uk/news/world-1")
    assert edit.changed["source"] == ("dawn.com", "bbc.co.uk")
    after = corpus.document(doc_id)
    assert after.source == "bbc.co.uk" and after.identity == "url:https://www.bbc.co.uk/news/world-1"
    # the passages were renewed (same text, new ids) and the index follows them
    assert [p.text for p in after.passages] == [p.text for p in before.passages]
    assert not {p.passage_id for p in after.passages} & {p.passage_id for p in before.passages}
    assert edit.passages_renewed == len(before.passages)
    assert corpus.index_status().in_sync
    # search filters read the new source
    from verify.types import SearchFilters

    hits = corpus.search(CLAIM, k=5, filters=SearchFilters(domains=("bbc.co.uk",)))
    assert hits and {h.passage.domain for h in hits} == {"bbc.co.uk"}
    assert not corpus.search(CLAIM, k=5, filters=SearchFilters(domains=("dawn.com",))) or all(
        h.passage.document_id != doc_id
        for h in corpus.search(CLAIM, k=5, filters=SearchFilters(domains=("dawn.com",))))
    assert corpus.list_documents(sources=["bbc.co.uk"]).total == 1


def test_editing_source_and_date_and_refusals(corpus) -> None:  # noqa: ANN001
    doc_id = _id(corpus, "blog post")
    edit = corpus.edit_document(doc_id, source="riverside-gazette.com",
                                published_date="2020-03-01")
    assert edit.changed == {"source": ("frontline-truth", "riverside-gazette.com"),
                            "published_date": (None, dt.date(2020, 3, 1))}
    view = corpus.document(doc_id)
    assert (view.source, view.published_date) == ("riverside-gazette.com", dt.date(2020, 3, 1))
    assert corpus.index_status().in_sync
    from verify.types import SearchFilters

    dated = corpus.search("troops leaving", k=5, filters=SearchFilters(
        date_from=dt.date(2020, 2, 1), date_to=dt.date(2020, 4, 1)))
    assert {h.passage.document_id for h in dated} == {doc_id}
    # nothing to change, a bad URL, a bad date, another document's URL
    assert corpus.edit_document(doc_id, source="riverside-gazette.com").changed == {}
    with pytest.raises(InputError, match="not an http"):
        corpus.edit_document(doc_id, url="javascript:alert(1)")
    with pytest.raises(InputError, match="not a date"):
        corpus.edit_document(doc_id, published_date="last week")
    with pytest.raises(InputError, match="already has the address"):
        corpus.edit_document(doc_id, url="https://www.dawn.com/news/2")
    # clearing the date
    assert corpus.edit_document(doc_id, published_date=None).changed["published_date"][1] is None


def test_an_edit_survives_reingesting_the_unchanged_file(corpus, tmp_path: Path) -> None:  # noqa: ANN001
    doc_id = _id(corpus, "floods")
    corpus.edit_document(doc_id, published_date="2021-02-02")
    report = corpus.ingest([tmp_path / "docs"])
    assert report.updated == 0 and report.added == 0
    assert corpus.document(doc_id).published_date == dt.date(2021, 2, 2)


# ---- unrated sources ---------------------------------------------------------------------

def test_unrated_corpus_sources_with_their_share_and_rating_removes_them(corpus) -> None:  # noqa: ANN001
    unrated = {u.domain: u for u in corpus.unrated_sources()}
    market = unrated["unrated-example.org"]
    assert (market.documents, market.rateable) == (1, True) and market.passages >= 1
    assert market.prior == pytest.approx(corpus.settings.reliability_prior)
    assert "no rating" in market.explanation
    # an outlet known only by name is listed, but has no domain to rate
    assert unrated["frontline-truth"].rateable is False
    assert "dawn.com" not in unrated or not corpus.reliability("dawn.com").applied_key
    corpus.sources.rate("unrated-example.org", 0.4, rationale="new outlet", by="Amina")
    assert "unrated-example.org" not in {u.domain for u in corpus.unrated_sources()}
    assert [u.domain for u in corpus.unrated_sources("frontline")] == ["frontline-truth"]


# ---- the confidence sentence ---------------------------------------------------------------

def _ev(pid: int, stance: str, reliability: float, *, dup: int | None = None,
        dissent: bool = False) -> EvidenceAssessment:
    ref = PassageRef(pid, pid, 0, "text", 0, 4, f"Title {pid}", None, f"s{pid}.com", None, "en")
    return EvidenceAssessment(ref, pid, stance, 0.8, 0.1, 0.1, stance,  # type: ignore[arg-type]
                              reliability, "", 0.9, 0.5, None, None, 0.5, dup, dissent=dissent)


def _result(verdict: str, confidence: float, evidence: list[EvidenceAssessment]):  # noqa: ANN202
    from verify.types import CheckResult

    return CheckResult("chk_x", CLAIM, verdict, confidence, "", 0.5, 0.1,  # type: ignore[arg-type]
                       tuple(evidence), (), (), {}, dt.datetime(2026, 1, 1))


def test_confidence_sentence_names_agreeing_reliable_sources_and_no_dissent() -> None:
    result = _result("SUPPORTED", 0.86, [_ev(1, "supports", 0.9), _ev(2, "supports", 0.8),
                                         _ev(3, "supports", 0.3), _ev(4, "supports", 0.9, dup=1),
                                         _ev(5, "unrelated", 0.5)])
    f = confidence_factors(result)
    assert (f.side, f.side_reliable, f.against, f.related, f.retrieved) == (3, 2, 0, 3, 5)
    assert explain_confidence(result) == (
        "High confidence (86%): 3 independent sources support the claim, 2 of them reliable "
        "(reliability 0.60 or more), and none refutes it.")


def test_confidence_sentence_names_sources_against_dissent_and_few_passages() -> None:
    result = _result("REFUTED", 0.55, [_ev(1, "refutes", 0.85), _ev(2, "supports", 0.5),
                                       _ev(3, "supports", 0.1, dissent=True)])
    text = explain_confidence(result)
    assert text.startswith("Moderate confidence (55%): 1 independent source refutes the claim "
                           "(reliability 0.85), but 1 source supports it (best reliability "
                           "0.50), which lowers it; 1 far less reliable source that disagrees "
                           "was set aside")
    # 3 passages take a side: not "few"; with one it is
    lone = _result("SUPPORTED", 0.4, [_ev(1, "supports", 0.5), _ev(2, "unrelated", 0.5)])
    assert "rests on few passages (1 of 2 retrieved take a side)" in explain_confidence(lone)
    assert explain_confidence(lone).startswith("Low confidence (40%)")


def test_confidence_sentence_for_conflict_no_evidence_and_a_learned_head() -> None:
    conflict = _result("CONFLICTING", 0.48, [_ev(1, "supports", 0.8), _ev(2, "refutes", 0.7)])
    assert "the sources disagree, 1 supporting (best reliability 0.80) and 1 refuting" in \
        explain_confidence(conflict)
    assert explain_confidence(_result("NOT ENOUGH EVIDENCE", 0.9, [])) == (
        "High confidence (90%) that the corpus does not settle the claim: no passage bears "
        "on it.")
    weak = _result("NOT ENOUGH EVIDENCE", 0.7, [_ev(1, "unrelated", 0.5)])
    assert "none of the 1 passage retrieved supports or refutes it" in explain_confidence(weak)
    learned = replace(_result("REFUTED", 0.7, [_ev(1, "refutes", 0.9)]), rule_verdict="SUPPORTED")
    assert explain_confidence(learned).endswith(
        "A verdict head learned from this desk's reviews gave REFUTED; the rule alone gave "
        "SUPPORTED.")


def test_explain_confidence_of_a_real_check_is_one_sentence(corpus) -> None:  # noqa: ANN001
    result = corpus.check(CLAIM)
    text = explain_confidence(result)
    assert text.startswith(("High", "Moderate", "Low")) and f"{result.confidence:.0%}" in text
    assert text.count(". ") == 0 or result.rule_verdict


# ---- ClaimReview: why the export is empty --------------------------------------------------

def test_claimreview_blocker_until_a_claim_is_reviewed(corpus, tmp_path: Path) -> None:  # noqa: ANN001
    from verify.audit import claimreview_blocker, claimreview_items
    from verify.history import attach_reviews

    article = tmp_path / "article.md"
    article.write_text("---\ntitle: An article\n---\n\n" + CLAIM + ". Floods displaced "
                       "thousands of families in Sindh in 2021.\n", encoding="utf-8")
    result = corpus.audit([str(article)], progress=False, threshold=0.0)
    checked = [c for _, c in result.claims() if c.check_id]
    assert checked
    why = claimreview_blocker(result)
    assert why is not None and "none of the" in why and "reviewed" in why
    assert claimreview_items(result) == []
    corpus.review(checked[0].check_id, "REFUTED", "Amina", "revised")
    reviews = attach_reviews(corpus, result)
    assert reviews[checked[0].check_id][0].reviewer == "Amina"
    assert checked[0].reviewed_verdict == "REFUTED" and checked[0].reviewer == "Amina"
    assert claimreview_blocker(result) is None
    assert len(claimreview_items(result)) == 1


def test_group_checks_takes_list_checks_rows_as_well(corpus) -> None:  # noqa: ANN001
    from verify.history import group_checks

    for text in (CLAIM, CLAIM + "."):
        corpus.check(text)
    groups = group_checks(corpus.list_checks(limit=50))
    assert [g.count for g in groups] == [2]
    assert groups[0].latest.claim == CLAIM + "."


def test_a_dry_run_edit_says_what_would_change_and_writes_nothing(corpus) -> None:  # noqa: ANN001
    doc_id = _id(corpus, "jalalabad")
    plan = corpus.edit_document(doc_id, url="https://www.bbc.co.uk/news/2", dry_run=True)
    assert plan.changed["source"] == ("dawn.com", "bbc.co.uk") and plan.passages_renewed == 0
    assert corpus.document(doc_id).url == "https://www.dawn.com/news/1"
    with pytest.raises(InputError, match="already has the address"):
        corpus.edit_document(doc_id, url="https://www.dawn.com/news/2", dry_run=True)
