"""Audits carry earlier fact-checks per claim (from the workspace's archive, through
``ws.match``, only above ``MATCH_THRESHOLD``), and every report format shows them:
JSON, JSONL, CSV, Markdown, HTML and ClaimReview. Fake models, blank spaCy."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from verify.archive import EARLIER_SHOWN, MATCH_THRESHOLD
from verify.audit import (
    claimreview_items,
    load_audit,
    render_csv,
    render_html,
    render_json,
    render_jsonl,
    render_markdown,
    run_audit,
)
from verify.errors import WorkspaceError

CORPUS = {
    "isk.txt": ("Title: IS-K profile\nURL: https://thinktank.org/isk\nDate: 2019-11-01\n\n"
                "IS-K killed 338 civilians in Pakistan since January 2017. A CSIS estimate put "
                "IS-K at about 800 fighters in 2018.\n"),
}
ARTICLE = ("Title: A story\nURL: https://paper.com/story\nDate: 2020-08-10\n\n"
           "IS-K killed 338 civilians in Pakistan since January 2017.\n\n"
           "The Jalalabad prison held about 17,000 prisoners. Nobody expected that.\n")
FACT_CHECKS = (
    "claim,rating,organisation,date,url\n"
    '"IS-K killed 338 civilians in Pakistan since January 2017",False,'
    '"Checker <b>One</b>",2020-03-25,https://one.example/isk\n'
    '"The moon is made of cheese",Pants on Fire,Checker Three,2019-01-01,'
    "https://three.example/moon\n")
ISK = "IS-K killed 338 civilians"


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


def audit(ws: Any, tmp_path: Path, **kw: Any) -> Any:
    import spacy

    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    return run_audit(ws, [article], progress=False, scorer=digit_scorer,
                     nlp=spacy.blank("en"), **kw)


@pytest.fixture
def corpus_ws(ws: Any, tmp_path: Path) -> Any:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    ws.ingest([folder])
    return ws


@pytest.fixture
def audited(corpus_ws: Any, tmp_path: Path) -> Any:
    corpus_ws.import_fact_checks(text=FACT_CHECKS, name="desk.csv")
    result = audit(corpus_ws, tmp_path)
    assert result.articles[0].status == "done", result.articles[0].message
    return corpus_ws, result


def claim(result: Any, words: str) -> Any:
    return next(c for _, c in result.claims() if words in c.claim_text)


def test_each_claim_carries_its_earlier_fact_checks_above_the_threshold(audited: Any) -> None:
    ws, result = audited
    isk = claim(result, ISK)
    assert len(isk.earlier_fact_checks) == 1      # the moon fact-check scores far below 0.5
    best = isk.earlier_fact_checks[0]
    assert (best.organisation, best.rating, best.verdict, best.review_date, best.url) == (
        "Checker <b>One</b>", "False", "REFUTED", "2020-03-25", "https://one.example/isk")
    assert best.score >= MATCH_THRESHOLD and best.fact_check_id is not None
    assert claim(result, "17,000 prisoners").earlier_fact_checks == []
    # stored with the audit: a reloaded audit has them too
    again = load_audit(ws, result.audit_id)
    assert claim(again, ISK).earlier_fact_checks == isk.earlier_fact_checks


def test_matches_go_through_ws_match_with_the_documented_threshold(
        corpus_ws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_ws.import_fact_checks(text=FACT_CHECKS, name="desk.csv")
    calls: list[tuple[str, int, float]] = []
    real = type(corpus_ws).match

    def spy(self: Any, text: str, k: int = 5, *, min_score: float = 0.0) -> list[Any]:
        calls.append((text, k, min_score))
        return real(self, text, k, min_score=min_score)

    monkeypatch.setattr(type(corpus_ws), "match", spy)
    result = audit(corpus_ws, tmp_path)
    assert {c.claim_text for _, c in result.claims()} == {t for t, _, _ in calls}
    # enough matches to show 3 after copies of one fact-check are folded (earlier_fact_checks)
    assert {(k, s) for _, k, s in calls} == {(3 * EARLIER_SHOWN, MATCH_THRESHOLD)}
    assert all(len(c.earlier_fact_checks) <= EARLIER_SHOWN for _, c in result.claims())


def test_an_empty_archive_is_not_searched(corpus_ws: Any, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> list[Any]:
        raise AssertionError("an empty archive must not be searched")

    monkeypatch.setattr(type(corpus_ws), "match", refuse)
    result = audit(corpus_ws, tmp_path)
    assert result.articles[0].status == "done"
    assert all(c.earlier_fact_checks == [] for _, c in result.claims())
    assert '"earlier_fact_checks": []' in render_json(result)


def test_an_archive_that_fails_does_not_stop_the_audit(corpus_ws: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    corpus_ws.import_fact_checks(text=FACT_CHECKS, name="desk.csv")

    def broken(*_: Any, **__: Any) -> list[Any]:
        raise WorkspaceError("archive index is damaged")

    monkeypatch.setattr(type(corpus_ws), "match", broken)
    result = audit(corpus_ws, tmp_path)
    assert result.articles[0].status == "done"
    assert result.summary["claims_checked"] == 2
    assert all(c.earlier_fact_checks == [] for _, c in result.claims())


def test_json_and_jsonl_show_them(audited: Any) -> None:
    _, result = audited
    data = json.loads(render_json(result))
    rows = {c["claim_text"]: c["earlier_fact_checks"] for c in data["articles"][0]["claims"]}
    got = next(v for k, v in rows.items() if ISK in k)
    assert got[0]["organisation"] == "Checker <b>One</b>" and got[0]["rating"] == "False"
    assert got[0]["review_date"] == "2020-03-25" and got[0]["url"] == "https://one.example/isk"
    assert got[0]["score"] >= MATCH_THRESHOLD
    line = json.loads(render_jsonl(result).splitlines()[0])
    assert any(c["earlier_fact_checks"] for c in line["claims"])


def test_csv_shows_them(audited: Any) -> None:
    _, result = audited
    rows = list(csv.DictReader(io.StringIO(render_csv(result))))
    isk = next(r for r in rows if ISK in r["claim_text"])
    assert (isk["earlier_organisation"], isk["earlier_rating"], isk["earlier_date"],
            isk["earlier_url"]) == ("Checker <b>One</b>", "False", "2020-03-25",
                                    "https://one.example/isk")
    assert float(isk["earlier_score"]) >= MATCH_THRESHOLD
    assert "Checker <b>One</b>: False (2020-03-25) https://one.example/isk [score" in \
        isk["earlier_fact_checks"]
    other = next(r for r in rows if "17,000" in r["claim_text"])
    assert other["earlier_organisation"] == other["earlier_fact_checks"] == ""


def test_markdown_shows_them_escaped(audited: Any) -> None:
    _, result = audited
    md = render_markdown(result)
    score = claim(result, ISK).earlier_fact_checks[0].score
    assert ("checked before: [Checker &lt;b&gt;One&lt;/b&gt;](https://one.example/isk) rated it "
            f"**False** (2020-03-25; match score {score:.2f})") in md
    assert md.count("checked before:") == 1


def test_html_shows_them_escaped(audited: Any) -> None:
    _, result = audited
    page = render_html(result)
    score = claim(result, ISK).earlier_fact_checks[0].score
    assert page.count("<b>Checked before:</b>") == 1
    assert ('<a href="https://one.example/isk" rel="noopener noreferrer">Checker &lt;b&gt;One'
            "&lt;/b&gt;</a>: <b>False</b>") in page
    assert f"(2020-03-25; match score {score:.2f})" in page
    assert "Checker <b>One" not in page


def test_claimreview_cites_them(audited: Any) -> None:
    ws, result = audited
    isk = claim(result, ISK)
    ws.review(isk.check_id, "REFUTED", "desk editor", "")
    items = claimreview_items(load_audit(ws, result.audit_id))
    item = next(i for i in items if ISK in i["claimReviewed"])
    cited = item["citation"][0]
    assert cited["@type"] == "ClaimReview" and cited["url"] == "https://one.example/isk"
    assert cited["author"] == {"@type": "Organization", "name": "Checker <b>One</b>"}
    assert cited["datePublished"] == "2020-03-25"
    assert cited["reviewRating"]["alternateName"] == "False"
    assert f"match score {isk.earlier_fact_checks[0].score:.2f}" in cited["description"]
