"""Ingestion: formats, metadata, offsets, passages, idempotence, removal, the demo corpus."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from verify.config import demo_corpus_path
from verify.errors import InputError
from verify.ingest import (
    extract_html_text,
    ingest_paths,
    make_passages,
    read_article,
    registrable_domain,
    remove_document,
    split_sentences,
)

DEMO = demo_corpus_path()


def make_pdf(text_lines: list[str], title: str = "A PDF report") -> bytes:
    """A minimal valid one-page PDF with the given text lines (built by hand)."""
    content_ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in text_lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content_ops.append(f"({escaped}) Tj T*")
    content_ops.append("ET")
    stream = "\n".join(content_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + title.encode("latin-1") + b") /Author (Jo Analyst) "
        b"/CreationDate (D:20200805120000Z) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def docs(ws) -> list[tuple]:
    return ws.db.execute(
        "SELECT document_id, origin_key, title, url, published_date, author, language, text "
        "FROM documents ORDER BY document_id").fetchall()


# ---- domains ------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("https://news.bbc.co.uk/news/world-asia", "bbc.co.uk"),
    ("news.bbc.co.uk", "bbc.co.uk"),
    ("https://news.northbridge-broadcasting.co.uk/world/asia-1", "northbridge-broadcasting.co.uk"),
    ("http://www.frontier-courier.com.pk/a?b=c", "frontier-courier.com.pk"),
    ("HTTPS://WWW.Example.ORG:8080/path", "example.org"),
    ("frontline-truth.blogverse.net/2020/08/x.html", "blogverse.net"),
    ("http://192.168.1.20/page", None),
    ("http://[::1]:8000/page", None),
    ("", None),
    ("not a url at all", None),
])
def test_registrable_domain(value: str, expected: str | None) -> None:
    assert registrable_domain(value) == expected


# ---- sentences and passages ------------------------------------------------------------
def test_sentence_splitter_handles_abbreviations_decimals_and_initials() -> None:
    text = ("Dr. Okafor met U.S. officials on Jan. 5, 2020. The budget was 1.2 million dollars. "
            "J. R. Smith said \"no.\" Then he left! Was it e.g. a test? Yes.\n\nA new paragraph "
            "without a stop\n\nLast one.")
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == [
        "Dr. Okafor met U.S. officials on Jan. 5, 2020.",
        "The budget was 1.2 million dollars.",
        'J. R. Smith said "no."',
        "Then he left!",
        "Was it e.g. a test?",
        "Yes.",
        "A new paragraph without a stop",
        "Last one.",
    ]


def test_sentence_spans_are_exact_and_ordered() -> None:
    rng = random.Random(7)
    words = ["alpha", "Beta", "U.S.", "Dr.", "1.5", "gamma.", "Delta!", "e.g.", "\n\n", "x?", "Jan."]
    for _ in range(50):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 80)))
        spans = split_sentences(text)
        last = 0
        for start, end in spans:
            assert last <= start < end <= len(text)
            assert text[start:end] == text[start:end].strip()
            last = end


def test_passages_overlap_by_one_sentence_and_respect_word_cap() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    spans = make_passages(text, target_sentences=3)
    assert [text[s:e].count(".") for s, e in spans] == [3, 3, 3, 3, 2]
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
        assert s2 < e1, "consecutive passages share a sentence"
        assert text[s2:e1].strip() == text[s2:e1]
    long_text = " ".join(["word"] * 500) + "."
    for s, e in make_passages(long_text, max_words=120):
        assert len(long_text[s:e].split()) <= 120


# ---- readers -----------------------------------------------------------------------
def test_markdown_front_matter() -> None:
    doc = read_article(DEMO / "2019-11-meridian-isk-profile.md")
    assert doc.title == "Profile: Islamic State Khorasan (IS-K)"
    assert doc.url == "https://www.meridian-security.org/research/profiles/islamic-state-khorasan"
    assert doc.published_date == dt.date(2019, 11, 18)
    assert doc.author == "Dr. Nadia Okafor"
    assert doc.source_name == "Meridian Institute for Security Studies"
    assert doc.language == "en"
    assert not doc.text.startswith("---")
    assert "338 civilians in Pakistan since January 2017" in doc.text


def test_html_metadata_and_boilerplate_stripped() -> None:
    doc = read_article(DEMO / "2020-08-03-overseas-affairs-statement-jalalabad.html")
    assert doc.title == "Statement on the attack on Jalalabad prison"
    assert doc.url.endswith("/statements/2020/08/03/attack-on-jalalabad-prison")
    assert doc.published_date == dt.date(2020, 8, 3)
    assert doc.author == "Office of the Spokesperson"
    assert doc.source_name == "Department of Overseas Affairs"
    assert doc.language == "en"
    assert "about 1,700 prisoners were held" in doc.text
    for boiler in ("cookies", "Travel advice", "Subscribe", "Privacy policy", "Related statements",
                   "dataLayer", "display:none"):
        assert boiler not in doc.text
    assert "\n\n" in doc.text, "paragraph breaks are kept"


def test_html_without_article_uses_body_minus_chrome() -> None:
    html = """<html lang="fr-FR"><head><title>T</title>
      <meta name="date" content="3 August 2020"></head><body>
      <div class="site-header">Logo</div><div id="cookie-consent">Accept cookies</div>
      <div class="content"><p>Premier paragraphe.</p><p>Second<br>line.</p></div>
      <div class="share-bar">Share on X</div><footer>Footer text</footer></body></html>"""
    doc = extract_html_text(html)
    assert doc.text == "Premier paragraphe.\n\nSecond line."
    assert doc.language == "fr"
    assert doc.published_date == dt.date(2020, 8, 3)
    assert doc.title == "T"


def test_text_header_block(tmp_path: Path) -> None:
    doc = read_article(DEMO / "2020-03-10-pacificpress-prisoner-release-dispute.txt")
    assert doc.title == "Afghan prisoner swap stalls as talks deadline passes"
    assert doc.published_date == dt.date(2020, 3, 10)
    assert doc.source_name == "Pacific Press Agency"
    assert doc.text.startswith("KABUL (PPA)")
    plain = tmp_path / "plain.txt"
    plain.write_text("Note: this is not a header because the text goes on.\nSecond line here.\n")
    doc = read_article(plain)
    assert doc.text.startswith("Note: this is not a header")


def test_pdf_text_and_metadata(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf(["IS-K had about 800 fighters in 2018.", "That is what CSIS said."]))
    doc = read_article(pdf)
    assert "800 fighters" in doc.text and "CSIS" in doc.text
    assert doc.title == "A PDF report"
    assert doc.author == "Jo Analyst"
    assert doc.published_date == dt.date(2020, 8, 5)


def test_jsonl_and_csv_with_mapped_fields(ws, tmp_path: Path) -> None:
    rows = [{"body": "First body. It has two sentences.", "link": "https://a.example.com/1",
             "headline": "One", "when": "2020-08-03", "outlet": "Alpha News", "by": "A. Writer"},
            {"body": "Second body text.", "headline": "Two", "outlet": "Beta Daily"}]
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "rows.csv").write_text(
        "body,link,headline,when,outlet\n"
        '"Third, with a comma. And a second sentence.",https://www.c.example.org/3,Three,2020-08-04,Gamma\n')
    report = ingest_paths(ws, [tmp_path], text_field="body", url_field="link", title_field="headline",
                          date_field="when", source_field="outlet", author_field="by",
                          progress=False, sync_index=False)
    assert (report.added, report.failed, report.errors) == (3, 0, [])
    got = {r[2]: r for r in docs(ws)}
    assert got["One"][3] == "https://a.example.com/1"
    assert got["One"][4] == dt.date(2020, 8, 3)
    assert got["One"][5] == "A. Writer"
    assert got["Three"][7] == "Third, with a comma. And a second sentence."
    sources = dict(ws.db.execute("SELECT domain, name FROM sources").fetchall())
    assert sources["example.com"] == "Alpha News"
    assert sources["example.org"] == "Gamma"
    assert sources["beta-daily"] == "Beta Daily", "no URL: the outlet name keys the source"
    keys = [r[1] for r in docs(ws)]
    assert any(k.endswith("rows.jsonl#url=https://a.example.com/1") for k in keys)
    assert any(k.endswith("rows.jsonl#row=2") for k in keys)


# ---- store: offsets, idempotence, updates, removal -----------------------------------------
def test_passage_offsets_are_exact_and_overlap(ws) -> None:
    report = ingest_paths(ws, [DEMO], progress=False, sync_index=False)
    assert report.passages_added > report.added
    rows = ws.db.execute(
        "SELECT p.document_id, p.passage_order, p.text, p.char_start, p.char_end, d.text "
        "FROM passages p JOIN documents d USING (document_id) "
        "ORDER BY p.document_id, p.passage_order").fetchall()
    assert rows
    by_doc: dict[int, list[tuple]] = {}
    for doc_id, order, text, start, end, doc_text in rows:
        assert doc_text[start:end] == text
        assert len(text.split()) <= 120
        by_doc.setdefault(doc_id, []).append((order, start, end))
    overlapping = 0
    for spans in by_doc.values():
        assert [o for o, _, _ in spans] == list(range(len(spans)))
        for (_, s1, e1), (_, s2, e2) in zip(spans, spans[1:], strict=False):
            assert s1 < s2 and e1 < e2
            overlapping += s2 < e1
    assert overlapping > 0


def test_reingest_is_idempotent(ws) -> None:
    first = ingest_paths(ws, [DEMO], progress=False, sync_index=False)
    ids = ws.db.execute("SELECT passage_id FROM passages ORDER BY passage_id").fetchall()
    second = ingest_paths(ws, [DEMO], progress=False, sync_index=False)
    assert (second.added, second.updated, second.skipped, second.failed) == (0, 0, first.added, 0)
    assert second.passages_added == 0 and not second.changed
    assert ws.db.execute("SELECT passage_id FROM passages ORDER BY passage_id").fetchall() == ids
    assert ws.db.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 2


def test_changed_file_replaces_passages_under_same_document(ws, tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: Story\nurl: https://x.example.net/s\n---\nOne. Two. Three. Four.\n")
    ingest_paths(ws, [path], progress=False, sync_index=False)
    (doc_id,) = ws.db.execute("SELECT document_id FROM documents").fetchone()
    old = {r[0] for r in ws.db.execute("SELECT passage_id FROM passages").fetchall()}
    path.write_text("---\ntitle: Story v2\nurl: https://x.example.net/s\n---\nFive. Six.\n")
    report = ingest_paths(ws, [path], progress=False, sync_index=False)
    assert (report.added, report.updated, report.passages_removed, report.passages_added) == (0, 1, 2, 1)
    row = ws.db.execute("SELECT document_id, title, text FROM documents").fetchone()
    assert row == (doc_id, "Story v2", "Five. Six.")
    new = {r[0] for r in ws.db.execute("SELECT passage_id FROM passages").fetchall()}
    assert new and not new & old


def test_remove_by_path_id_url_and_unknown(ws) -> None:
    ingest_paths(ws, [DEMO], progress=False, sync_index=False)
    count = lambda: ws.db.execute("SELECT count(*) FROM documents").fetchone()[0]  # noqa: E731
    total = count()
    removed = remove_document(ws, str(DEMO / "2020-08-02-riverside-gazette-rovers-win.md"))
    assert removed > 0 and count() == total - 1
    removed = remove_document(ws, str(DEMO / "newsdesk-export-2020-08.csv"))
    assert removed > 0 and count() == total - 3, "a CSV path removes all its rows"
    doc_id = ws.db.execute("SELECT min(document_id) FROM documents").fetchone()[0]
    remove_document(ws, doc_id)
    remove_document(ws, "https://www.globewire-news.com/world/asia/2020/02/29/us-taliban-sign-agreement-doha")
    assert count() == total - 5
    orphans = ws.db.execute(
        "SELECT count(*) FROM passages WHERE document_id NOT IN (SELECT document_id FROM documents)").fetchone()[0]
    assert orphans == 0
    with pytest.raises(InputError, match="no-such-doc"):
        remove_document(ws, "no-such-doc")


# ---- the demo corpus ----------------------------------------------------------------------
def test_demo_corpus_ingests_cleanly(ws) -> None:
    report = ingest_paths(ws, [DEMO], progress=False, sync_index=False)
    assert report.errors == [] and report.warnings == [] and report.ignored == []
    assert report.added == 28 and report.failed == 0
    rows = ws.db.execute(
        "SELECT d.origin_key, d.url, d.published_date, d.title, s.domain, s.name, d.language "
        "FROM documents d LEFT JOIN sources s USING (source_id)").fetchall()
    assert len(rows) == 28
    for key, url, date, title, domain, name, language in rows:
        assert url and date and title and domain and name, key
        assert domain == registrable_domain(url)
        assert language == "en"
        assert "README" not in key
    text = " ".join(r[0] for r in ws.db.execute("SELECT text FROM documents").fetchall())
    assert "17,000" not in text
    assert "338 civilians in Pakistan since January 2017" in text
    stats = ws.corpus_stats()
    assert (stats.documents, stats.sources) == (28, 12)
    assert stats.earliest == dt.date(2016, 5, 4) and stats.latest == dt.date(2020, 8, 7)
    assert sum(s.documents for s in stats.per_source) == 28


def test_ingest_syncs_the_index_and_remove_updates_it(ws, tmp_path: Path) -> None:
    pytest.importorskip("verify.index")
    (tmp_path / "a.md").write_text("---\nurl: https://a.example.com/1\n---\nIS-K had 800 fighters. More text.\n")
    (tmp_path / "b.md").write_text("---\nurl: https://b.example.com/2\n---\nThe prison held 1,700 people.\n")
    report = ingest_paths(ws, [tmp_path], progress=False)
    assert report.index_synced
    status = ws.index_status()
    assert status.in_sync and status.vectors == 2
    removed = ws.remove(str(tmp_path / "a.md"))
    assert removed == 1
    status = ws.index_status()
    assert status.in_sync and status.vectors == 1
    again = ingest_paths(ws, [tmp_path / "b.md"], progress=False)
    assert again.skipped == 1 and not again.index_synced


@pytest.mark.real
def test_real_demo_workspace_is_ingested_and_indexed(real_ws) -> None:
    stats = real_ws.corpus_stats()
    assert stats.documents == 28 and stats.sources == 12
    status = real_ws.index_status()
    assert status.in_sync and status.vectors == stats.passages
    runs = real_ws.db.execute("SELECT added, failed FROM ingest_runs ORDER BY started_at").fetchall()
    assert runs[0] == (28, 0)


def test_rows_gone_from_a_jsonl_file_are_removed_only_when_every_row_read(ws, tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"text": "Row A.", "url": "https://r.example.com/a"},
            {"text": "Row B.", "url": "https://r.example.com/b"},
            {"text": "Row C without a URL."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert ingest_paths(ws, [path], progress=False, sync_index=False).added == 3
    # B is gone and the bad line blocks pruning: nothing stored is lost
    path.write_text(json.dumps(rows[0]) + "\n{bad json\n")
    report = ingest_paths(ws, [path], progress=False, sync_index=False)
    assert (report.skipped, report.failed, report.removed) == (1, 1, 0)
    assert "2 earlier row(s)" in report.warnings[0].reason
    assert ws.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    # a clean file: rows no longer present are removed with their passages
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps({"text": "Row B2.", "url": "https://r.example.com/b2"}) + "\n")
    report = ingest_paths(ws, [path], progress=False, sync_index=False)
    assert (report.skipped, report.added, report.removed, report.passages_removed) == (1, 1, 2, 2)
    titles = sorted(r[0] for r in ws.db.execute("SELECT text FROM documents").fetchall())
    assert titles == ["Row A.", "Row B2."]
    assert ws.db.execute("SELECT count(*) FROM passages").fetchone()[0] == 2


def test_progress_callback_reports_each_file(ws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "progress"
    folder.mkdir()
    for i in range(3):
        (folder / f"doc{i}.txt").write_text(f"Document {i} says 33{i} civilians were counted.\n",
                                            encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    ws.ingest([folder], progress=False, sync_index=False,
              progress_callback=lambda d, t, m: calls.append((d, t, m)))
    assert [c[0] for c in calls[:3]] == [0, 1, 2]
    assert all(c[1] == 3 for c in calls)
    assert calls[-1] == (3, 3, "done")
