"""The fact-check archive: imports (every format, idempotent, bad records reported), its
index, matching (paraphrases, tweets, figures, names) and the past-verdicts feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify import Workspace
from verify.archive.importers import parse_date, read_fact_checks
from verify.archive.matching import (
    DEFAULT_RERANKER,
    FEATURES,
    Reranker,
    pool_same_claims,
    same_claim_key,
)
from verify.archive.normalise import for_matching, looks_like_post, split_run_together
from verify.config import Settings
from verify.errors import ArchiveError

CLAIM_REVIEW = {
    "@context": "https://schema.org", "@type": "ClaimReview",
    "url": "https://factcheck.example/guantanamo-122",
    "claimReviewed": "122 detainees released from Guantanamo under Obama returned to terrorism",
    "datePublished": "2016-03-02",
    "author": {"@type": "Organization", "name": "Example Checks"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A Senator"}},
    "reviewRating": {"@type": "Rating", "ratingValue": 2, "alternateName": "Mostly False"},
    "inLanguage": "en", "headline": "Did Obama free 122 terrorists?",
}
FACT_CHECK_TOOLS = {"claims": [{
    "text": "5G towers spread the coronavirus", "claimant": "Viral post",
    "claimDate": "2020-03-20T00:00:00Z",
    "claimReview": [
        {"publisher": {"name": "Checker One", "site": "one.example"},
         "url": "https://one.example/5g", "title": "No, 5G does not spread COVID-19",
         "reviewDate": "2020-03-25T10:00:00Z", "textualRating": "Pants on Fire!",
         "languageCode": "en"},
        {"publisher": {"name": "Checker Two"}, "url": "https://two.example/5g",
         "reviewDate": "not a date", "textualRating": "Misleading", "languageCode": "en"}]}],
    "nextPageToken": "abc"}
CSV = ("claim,rating,organisation,date,url,claimant,title,review_text\n"
       '"The Jalalabad prison held 1,700 prisoners",True,Desk,2020-08-03,,,,"We asked the ministry."\n'
       ',False,Desk,2020-08-03,,,,\n'
       '"Drinking hot water cures the flu",False,Desk,2020-02-01,https://desk.example/hot,,,\n')


@pytest.fixture
def disk_ws(tmp_path: Path, fake_settings: Settings):
    workspace = Workspace.open(tmp_path / "ws", settings=fake_settings)
    yield workspace
    workspace.close()


def test_claim_review_is_read_with_every_field() -> None:
    [fc], problems = read_fact_checks(json.dumps(CLAIM_REVIEW), "review.jsonld")
    assert problems == []
    assert fc.claim.startswith("122 detainees") and fc.rating == "Mostly False"
    assert fc.verdict == "REFUTED" and fc.organisation == "Example Checks"
    assert fc.review_date is not None and fc.review_date.isoformat() == "2016-03-02"
    assert fc.claimant == "A Senator" and fc.language == "en"
    assert fc.title == "Did Obama free 122 terrorists?" and fc.url.endswith("guantanamo-122")


def test_claim_review_feed_and_graph_wrappers() -> None:
    feed = {"@context": "https://schema.org", "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": [CLAIM_REVIEW]}]}
    graph = {"@graph": [{"@type": "Article", "headline": "x"}, CLAIM_REVIEW]}
    for doc in (feed, graph, [CLAIM_REVIEW]):
        found, _ = read_fact_checks(json.dumps(doc), "feed.json")
        assert [fc.claim[:13] for fc in found if fc.claim.startswith("122")] == ["122 detainees"]


def test_fact_check_tools_export_gives_one_record_per_review_and_names_a_bad_date() -> None:
    found, problems = read_fact_checks(json.dumps(FACT_CHECK_TOOLS), "fct.json")
    assert [(fc.organisation, fc.rating, fc.verdict) for fc in found] == [
        ("Checker One", "Pants on Fire!", "REFUTED"), ("Checker Two", "Misleading", None)]
    assert found[0].claimant == "Viral post" and str(found[0].review_date) == "2020-03-25"
    assert found[1].review_date is None
    assert problems == ["fct.json: item 1 review 2: field 'reviewDate': 'not a date' is not a "
                        "date (use YYYY-MM-DD); kept without a date"]


def test_csv_reports_the_bad_row_by_line_and_field_and_keeps_the_rest() -> None:
    found, problems = read_fact_checks(CSV, "desk.csv")
    assert [fc.claim for fc in found] == ["The Jalalabad prison held 1,700 prisoners",
                                          "Drinking hot water cures the flu"]
    assert found[0].text == "We asked the ministry." and found[0].verdict == "SUPPORTED"
    assert problems == ["desk.csv:3: field 'claim': no claim reviewed "
                        "(give a 'claim' or 'claimReviewed' field)"]


def test_jsonl_malformed_line_and_unknown_suffix() -> None:
    text = json.dumps(CLAIM_REVIEW) + "\n{broken\n" + json.dumps({"claim": "x y z", "rating": "False"})
    found, problems = read_fact_checks(text, "a.jsonl")
    assert len(found) == 2 and problems[0].startswith("a.jsonl:2: malformed JSON")
    with pytest.raises(ArchiveError, match="a.xlsx"):
        read_fact_checks("", "a.xlsx")
    with pytest.raises(ArchiveError, match="needs a 'claim' column"):
        read_fact_checks("rating,url\nFalse,x\n", "b.csv")


def test_saved_page_keeps_the_page_text_as_the_fact_checks_own_text() -> None:
    page = ("<html><body><nav>menu</nav><article><h1>Guantanamo</h1><p>We found the figure "
            "counts suspected cases.</p></article><script type='application/ld+json'>"
            + json.dumps(CLAIM_REVIEW) + "</script></body></html>")
    [fc], _ = read_fact_checks(page, "page.html")
    assert fc.verdict == "REFUTED" and "counts suspected cases" in (fc.text or "")
    assert "menu" not in (fc.text or "")
    with pytest.raises(ArchiveError, match="no ClaimReview markup"):
        read_fact_checks("<html><body>hi</body></html>", "empty.html")


def test_dates_in_common_forms() -> None:
    assert str(parse_date("2020-01-14T10:00:00Z")) == "2020-01-14"
    assert str(parse_date("January 14, 2020")) == "2020-01-14"
    assert parse_date("") is None


def test_second_import_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "desk.csv").write_text(CSV)
    (folder / "fct.json").write_text(json.dumps(FACT_CHECK_TOOLS))
    (folder / "review.jsonld").write_text(json.dumps(CLAIM_REVIEW))
    (folder / "notes.txt").write_text("ignored")
    first = ws.import_fact_checks(folder)
    assert (first.read, first.added, first.already_there) == (5, 5, 0)
    assert len(first.problems) == 2
    second = ws.import_fact_checks(folder)
    assert (second.read, second.added, second.already_there) == (5, 0, 5)
    assert ws.store.execute("SELECT count(*) FROM fact_checks").fetchone()[0] == 5
    # the same fact-check inside one file is one row too
    again = ws.import_fact_checks(text=json.dumps([CLAIM_REVIEW, CLAIM_REVIEW]), name="x.json")
    assert (again.added, again.already_there) == (0, 2)
    assert ws.store.execute("SELECT count(*) FROM fact_check_imports").fetchone()[0] == 3


def test_match_ranks_the_paraphrase_first_and_says_why(ws: Workspace) -> None:
    ws.import_fact_checks(text=CSV, name="desk.csv")
    ws.import_fact_checks(text=json.dumps(CLAIM_REVIEW), name="r.json")
    ws.import_fact_checks(text=json.dumps(FACT_CHECK_TOOLS), name="f.json")
    matches = ws.match("Obama released 122 Guantanamo detainees who returned to terrorism", k=3)
    assert matches[0].fact_check.url == "https://factcheck.example/guantanamo-122"
    assert matches[0].score > 0.5 > matches[1].score
    assert "122" in matches[0].shared_figures
    assert {"obama", "guantanamo"} <= set(matches[0].shared_names)
    assert any(w.startswith("shared figures: 122") for w in matches[0].why)
    assert [m.rank for m in matches] == [1, 2, 3]
    assert ws.match("Obama 122 Guantanamo terrorism", k=3, min_score=0.99) == []


def test_tweet_matches_through_its_markup(ws: Workspace) -> None:
    ws.import_fact_checks(text=json.dumps(FACT_CHECK_TOOLS), name="f.json")
    ws.import_fact_checks(text=CSV, name="desk.csv")
    tweet = ("WAKE UP 📡🦠 #5GTowers spread the #coronavirus!! @WHO is lying "
             "https://t.co/abc pic.twitter.com/xyz — Some One (@someone) March 20, 2020")
    matches = ws.match(tweet, k=3)
    assert [m.fact_check.claim for m in matches[:2]] == ["5G towers spread the coronavirus"] * 2
    assert matches[0].score == matches[1].score > matches[2].score   # two reviews, one claim
    assert "shared figures" not in " ".join(matches[0].why)   # '5G' is a name, not a figure


def test_normalise_keeps_words_drops_platform_markup() -> None:
    text = "RT @newsbot: Wow #DefundTheCBC @BradTrostCPC https://t.co/x 🇨🇦 &amp; more"
    assert for_matching(text) == "Wow Defund The CBC Brad Trost CPC & more"
    signed = "Big news pic.twitter.com/abc — Morgan Eastwood (@MorganEastwood) November 9, 2016"
    assert for_matching(signed) == "Big news Morgan Eastwood"
    assert for_matching("#5GTowers #covid_19") == "5G Towers covid 19"
    assert looks_like_post(text) and not looks_like_post("A plain claim.")


def test_run_together_tags_split_into_words_the_archive_knows() -> None:
    counts = {"george": 40, "soro": 12, "corn": 3, "flake": 5, "fyre": 2, "festival": 30}
    known = lambda word: counts.get(word, 0)  # noqa: E731
    assert for_matching(".@georgesoros backs #Antifa", known) == ". george soros backs Antifa"
    assert for_matching("#cornflakes #Fyrefestival #hoax", known) == "corn flakes Fyre festival hoax"
    assert for_matching("#cornflakes") == "cornflakes"            # no archive words: as it was
    assert split_run_together("festival", known) == "festival"  # a known word stays whole
    assert split_run_together("exumaairport", known) == "exumaairport"  # 'exuma' unknown
    assert split_run_together("fyre", known) == "fyre"          # too short to split


def test_match_splits_a_run_together_hashtag(ws: Workspace) -> None:
    ws.import_fact_checks(text=json.dumps(FACT_CHECK_TOOLS), name="f.json")
    ws.import_fact_checks(text=CSV, name="desk.csv")
    matches = ws.match("they admit it now #5gtowers #spreadthecoronavirus", k=1)
    assert matches[0].fact_check.claim == "5G towers spread the coronavirus"
    assert "shared wording" in " ".join(matches[0].why) or "most shared" in " ".join(
        matches[0].why)


def test_empty_archive_matches_nothing(ws: Workspace) -> None:
    assert ws.match("anything at all", k=5) == []


def test_index_is_saved_reloaded_and_grows_with_imports(disk_ws: Workspace, tmp_path: Path,
                                                        fake_settings: Settings) -> None:
    disk_ws.import_fact_checks(text=CSV, name="desk.csv")
    assert (tmp_path / "ws" / "archive_index" / "meta.json").is_file()
    assert disk_ws.match("hot water cures flu", k=1)[0].fact_check.claim.startswith("Drinking")
    disk_ws.close()
    reopened = Workspace.open(tmp_path / "ws", settings=fake_settings)
    try:
        from verify.archive import archive_index

        index = archive_index(reopened)
        assert len(index.ids) == 2
        reopened.import_fact_checks(text=json.dumps(CLAIM_REVIEW), name="r.json")
        assert len(archive_index(reopened).ids) == 3
        top = reopened.match("Guantanamo detainees 122 Obama terrorism", k=1)[0]
        assert top.fact_check.organisation == "Example Checks"
    finally:
        reopened.close()


def test_copies_of_one_claim_share_a_score_and_the_earliest_comes_first(ws: Workspace) -> None:
    copies = ("claim,rating,organisation,url,title\n"
              '"Roger Stone was an \'aide\' to President Nixon",False,Desk,https://a.example/1,'
              "Was Stone a Nixon aide?\n"
              '"Drinking hot water cures the flu",False,Desk,https://a.example/2,\n'
              '"ROGER STONE was an ""aide"" to President Nixon.",False,Other,https://b.example/1,'
              "Stone and Nixon\n")
    ws.import_fact_checks(text=copies, name="copies.csv")
    matches = ws.match("Roger Stone an aide to Nixon? He was not.", k=3)
    assert [m.fact_check.url for m in matches[:2]] == ["https://a.example/1",
                                                       "https://b.example/1"]
    assert matches[0].score == matches[1].score > matches[2].score
    assert matches[0].lexical_score != matches[1].lexical_score   # the copies differ, not their rank


def test_same_claim_key_and_pooling() -> None:
    import numpy as np

    assert same_claim_key('Stone was an "aide" -- to Nixon.') == "stone was an aide to nixon"
    assert same_claim_key("#FakeNews Stone was an 'aide' to Nixon") != same_claim_key("Stone")
    pooled = pool_same_claims(np.array([0.2, 0.9, 0.5, 0.1]), ["a", "b", "a", "c"])
    assert pooled.tolist() == [0.5, 0.9, 0.5, 0.1]


def test_reranker_round_trips_and_refuses_other_features(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(FEATURES)))
    y = (x[:, 0] + 0.1 * rng.normal(size=200) > 0).astype(int)
    learned = Reranker.fit(x, y, "synthetic")
    path = tmp_path / "rr.json"
    learned.save(path)
    again = Reranker.load(path)
    assert np.allclose(again.score(x), learned.score(x))
    assert ((learned.score(x) > 0.5) == y).mean() > 0.9
    data = json.loads(path.read_text())
    data["features"] = ["other"]
    path.write_text(json.dumps(data))
    with pytest.raises(ArchiveError, match="re-ranker for features"):
        Reranker.load(path)
    assert len(DEFAULT_RERANKER.weights) == len(FEATURES)


def test_pairwise_reranker_ranks_within_queries_and_stays_a_probability() -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    rows, labels, groups = [], [], []
    for query in range(60):           # per query: one right candidate among 20
        x = rng.normal(size=(20, len(FEATURES)))
        x[:, 1] += query % 5          # a per-query shift the ranking must ignore
        right = int(rng.integers(20))
        x[right, 0] += 2.5
        rows.append(x)
        labels += [int(i == right) for i in range(20)]
        groups += [query] * 20
    x_all, y = np.vstack(rows), np.asarray(labels)
    learned = Reranker.fit(x_all, y, "synthetic", groups=groups)
    scores = learned.score(x_all).reshape(60, 20)
    top1 = (scores.argmax(axis=1) == y.reshape(60, 20).argmax(axis=1)).mean()
    assert top1 > 0.8
    assert 0.0 < scores.min() and scores.max() < 1.0
    assert scores[y.reshape(60, 20) == 1].mean() > 0.5 > scores[y.reshape(60, 20) == 0].mean()


def test_past_verdicts_import_feeds_the_archive(ws: Workspace, monkeypatch) -> None:
    import verify.checks.past as pv

    monkeypatch.setattr(pv, "check_claims", lambda w, claims: [])
    monkeypatch.setattr(pv, "BATCH", 10_000)
    monkeypatch.setattr(pv, "check_claims", lambda w, claims: [
        type("R", (), {"check_id": f"c{i}"})() for i, _ in enumerate(claims)])
    monkeypatch.setattr(pv, "review_check", lambda *a, **k: "v")
    report = ws.import_past_verdicts(text=CSV.encode(), name="desk.csv", reviewer="desk")
    assert report.archived == 2
    rows = ws.store.execute("SELECT claim, organisation, verdict FROM fact_checks "
                            "ORDER BY claim").fetchall()
    assert rows == [("Drinking hot water cures the flu", "Desk", "REFUTED"),
                    ("The Jalalabad prison held 1,700 prisoners", "Desk", "SUPPORTED")]
    assert ws.match("hot water cures the flu", k=1)[0].fact_check.verdict == "REFUTED"


def test_earlier_fact_checks_show_each_fact_check_once(ws: Workspace) -> None:
    """Above a check's evidence: copies of one claim by the same outlet with the same rating
    (here in another quote style, imported from another feed) show once, the earliest; the
    same claim rated by another outlet still shows."""
    from verify.archive import MATCH_THRESHOLD, earlier_fact_checks

    ws.import_fact_checks(text=json.dumps(FACT_CHECK_TOOLS), name="f.json")
    copy = ("claim,rating,organisation,date,url\n"
            "'5G Towers spread the coronavirus!',Pants on Fire!,Checker One,2020-03-26,"
            "https://one.example/5g-again\n")
    ws.import_fact_checks(text=copy, name="again.csv")
    claim = "5G towers spread the coronavirus"
    everything = ws.match(claim, k=5, min_score=MATCH_THRESHOLD)
    assert [m.fact_check.organisation for m in everything].count("Checker One") == 2
    shown = earlier_fact_checks(ws, claim)
    assert sorted(m.fact_check.organisation for m in shown) == ["Checker One", "Checker Two"]
    assert "https://one.example/5g" in {m.fact_check.url for m in shown}   # the earliest
    assert [m.rank for m in shown] == [1, 2]
    assert len(earlier_fact_checks(ws, claim, k=1)) == 1
