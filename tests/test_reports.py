"""Audit report formats: JSON, JSONL, CSV, Markdown, HTML (escaping) and ClaimReview."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from verify.audit import (
    claimreview_items,
    load_audit,
    render_csv,
    render_html,
    render_json,
    render_jsonl,
    render_markdown,
    run_audit,
    write_reports,
)
from verify.errors import InputError

EVIL = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'

CORPUS = {
    "isk.txt": ("Title: IS-K profile <script>alert(1)</script>\nURL: https://thinktank.org/isk\n"
                "Date: 2019-11-01\n\nIS-K killed 338 civilians in Pakistan since January 2017 "
                f"{EVIL}. A CSIS estimate put IS-K at about 800 fighters in 2018.\n"),
    "prison.txt": ("Title: Jalalabad prison\nURL: javascript:alert(1)\nDate: 2020-08-03\n\n"
                   f"The Jalalabad prison held about 1,700 prisoners {IMG}.\n"),
}
ARTICLE = ("Title: Evil <b>headline</b>\nURL: https://paper.com/story\nAuthor: Jane Roe\n"
           "Date: 2020-08-10\n\n"
           f"IS-K killed 338 civilians in Pakistan since January 2017 {EVIL}.\n\n"
           f"The Jalalabad prison held about 17,000 prisoners {IMG}. Nobody expected that.\n\n"
           "=SUM(A1:A9) officials counted 45 attacks in 2019.\n")


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


@pytest.fixture
def audited(ws: Any, tmp_path: Path) -> Any:
    import spacy

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    ws.ingest([corpus])
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run_audit(ws, [article], progress=False, scorer=digit_scorer, nlp=spacy.blank("en"))
    assert result.articles[0].status == "done"
    return ws, result


def test_json_and_jsonl_are_complete(audited: Any) -> None:
    _, result = audited
    data = json.loads(render_json(result))
    art = data["articles"][0]
    assert data["audit_id"] == result.audit_id and data["summary"]["articles"] == 1
    assert len(art["claims"]) == 3
    for claim in art["claims"]:
        assert art["text"][claim["sentence_start"]:claim["sentence_end"]] == claim["sentence"]
        assert {"claim_text", "checkworthiness", "verdict", "confidence", "best_support",
                "best_refute", "check_id"} <= set(claim)
    assert art["summary"]["claims_checked"] == 3
    lines = render_jsonl(result).splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["audit_id"] == result.audit_id and "text" not in row
    assert len(row["claims"]) == 3


def test_csv_has_one_row_per_claim_and_no_formulas(audited: Any) -> None:
    _, result = audited
    rows = list(csv.DictReader(io.StringIO(render_csv(result))))
    assert len(rows) == 3
    assert {r["verdict"] for r in rows} <= {"SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE"}
    formula = [r for r in rows if "SUM" in r["sentence"]][0]
    assert formula["sentence"].startswith("'=SUM")
    assert all(not v.startswith(("=", "+", "@")) for r in rows for v in r.values())


def test_markdown_lists_claims_and_escapes_markup(audited: Any) -> None:
    _, result = audited
    md = render_markdown(result)
    assert f"# Audit {result.audit_id}" in md
    assert "338 civilians" in md and "17,000 prisoners" in md
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md and "&lt;img src=x" in md


def test_html_is_self_contained_and_inert(audited: Any) -> None:
    _, result = audited
    page = render_html(result)
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "onerror=" not in lowered.replace("onerror=&quot;", "")  # only ever as escaped text
    assert "javascript:" not in re.findall(r'href="([^"]*)"', page).__str__()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;b&gt;headline&lt;/b&gt;" in page
    # no external assets: no src=, no stylesheet links, no remote fonts
    assert not re.search(r"\bsrc\s*=", lowered.replace("&lt;img src=x", ""))
    assert "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    # claims are highlighted with their verdict colour and carry their evidence
    assert page.count("<details class='claim v-") == 3
    assert "Best support" in page and "Best refutation" in page


def test_html_highlights_follow_the_article_offsets(audited: Any) -> None:
    _, result = audited
    page = render_html(result)
    art = result.articles[0]
    for claim in art.claims:
        sentence = art.text[claim.sentence_start:claim.sentence_end]
        import html as _html

        assert f"{_html.escape(sentence, quote=True)}</summary>" in page


def test_claimreview_only_for_confirmed_claims_with_required_fields(audited: Any,
                                                                   tmp_path: Path) -> None:
    ws, result = audited
    assert claimreview_items(result) == []
    target = [c for _, c in result.claims() if "17,000" in c.claim_text][0]
    ws.review(target.check_id, "REFUTED", "amina", "prison held 1,700")
    reloaded = load_audit(ws, result.audit_id)
    items = claimreview_items(reloaded, reviewer_org="Desk", report_url="https://desk.org/audit")
    assert len(items) == 1
    item = items[0]
    assert item["@context"] == "https://schema.org" and item["@type"] == "ClaimReview"
    assert item["claimReviewed"] == target.claim_text
    assert item["url"] == f"https://desk.org/audit#claim-{target.check_id}"
    assert item["author"] == {"@type": "Organization", "name": "Desk"}
    dt.date.fromisoformat(item["datePublished"])
    rating = item["reviewRating"]
    assert rating["@type"] == "Rating" and rating["alternateName"] == "False"
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert rating["ratingValue"] == rating["worstRating"]
    claim = item["itemReviewed"]
    assert claim["@type"] == "Claim" and claim["datePublished"] == "2020-08-10"
    assert claim["author"] == {"@type": "Person", "name": "Jane Roe"}
    assert claim["appearance"][0]["url"] == "https://paper.com/story"
    out = tmp_path / "reviews.jsonld"
    written = write_reports(reloaded, [], claimreview=out, reviewer_org="Desk")
    assert written == [str(out)]
    assert json.loads(out.read_text())[0]["claimReviewed"] == target.claim_text


def test_write_reports_picks_format_from_extension(audited: Any, tmp_path: Path) -> None:
    _, result = audited
    names = ["r.json", "r.jsonl", "r.csv", "r.md", "r.html"]
    written = write_reports(result, [tmp_path / n for n in names])
    assert [Path(p).name for p in written] == names
    assert json.loads((tmp_path / "r.json").read_text())["audit_id"] == result.audit_id
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    with pytest.raises(InputError, match="report format"):
        write_reports(result, [tmp_path / "r.docx"])


def test_reports_show_article_statuses(ws: Any, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = run_audit(ws, [tmp_path / "empty.txt"], progress=False, scorer=digit_scorer)
    assert result.articles[0].status == "empty"
    assert "empty" in render_markdown(result)
    assert ">empty<" in render_html(result)
    assert list(csv.DictReader(io.StringIO(render_csv(result))))[0]["article_status"] == "empty"
